#include "process_spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "pixflow/pipeline/process_executor.h"

extern char** environ;

namespace pixflow::pipeline {
namespace {

Status SystemError(const std::string& what, int error) {
  std::string message = "worker: ";
  message.append(what).append(": ").append(std::strerror(error));
  return Status(StatusCode::kInternal, std::move(message));
}

// posix_spawn's attribute and file-action objects, destroyed on every path.
struct SpawnSetup {
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

Result<SpawnedWorker> SpawnWorker(const std::string& program,
                                  const std::vector<std::string>& arguments) {
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    return SystemError("socketpair", errno);
  }
  // dup2 onto the same number would leave close-on-exec set: move the child's end off it.
  if (ends[1] == kWorkerFd) {
    const int moved = ::fcntl(ends[1], F_DUPFD_CLOEXEC, kWorkerFd + 1);
    ::close(ends[1]);
    ends[1] = moved;
  }
  SpawnSetup setup;
  posix_spawn_file_actions_adddup2(&setup.actions, ends[1], kWorkerFd);
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, STDERR_FILENO, STDOUT_FILENO);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&setup.attributes, &signals);
  for (const int number : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP}) sigaddset(&signals, number);
  posix_spawnattr_setsigdefault(&setup.attributes, &signals);
  posix_spawnattr_setpgroup(&setup.attributes, 0);
  posix_spawnattr_setflags(&setup.attributes,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  std::vector<char*> argv;
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int spawned =
      ::posix_spawn(&pid, program.c_str(), &setup.actions, &setup.attributes, argv.data(), environ);
  ::close(ends[1]);
  if (spawned != 0) {
    ::close(ends[0]);
    return SystemError("cannot run " + program, spawned);
  }
  ::fcntl(ends[0], F_SETFL, ::fcntl(ends[0], F_GETFL) | O_NONBLOCK);
  return SpawnedWorker{pid, ends[0]};
}

Exit Reap(pid_t pid, std::chrono::milliseconds patience) {
  const auto give_up = std::chrono::steady_clock::now() + patience;
  Exit exit;
  rusage usage{};
  while (true) {
    const pid_t done = ::wait4(pid, &exit.status, WNOHANG, &usage);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= give_up) {
      ::kill(pid, SIGKILL);
      // SIGKILL cannot be caught or ignored (and works on a stopped process): this wait ends.
      while (::wait4(pid, &exit.status, 0, &usage) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  exit.peak_rss_kib = static_cast<uint64_t>(usage.ru_maxrss);
  return exit;
}

std::string DescribeExit(int status) {
  if (WIFSIGNALED(status)) {
    const int number = WTERMSIG(status);
    const char* name = ::sigabbrev_np(number);
    std::string text = "killed by ";
    if (name != nullptr) return text.append("SIG").append(name);
    return text.append("signal ").append(std::to_string(number));
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended (wait status " + std::to_string(status) + ")";
}

Status SendWithin(int fd, const std::string& bytes,
                  std::chrono::steady_clock::time_point deadline) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n >= 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return SystemError("send", errno);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Status(StatusCode::kInternal, "worker: does not read its socket");
    }
    pollfd room{fd, POLLOUT, 0};
    ::poll(&room, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
  }
  return Status::Ok();
}

}  // namespace pixflow::pipeline
