#include "pixflow_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

extern char** environ;

namespace pixflow::test {
namespace {

// argv for posix_spawn: the binary, then `args`; the strings must outlive the call.
std::vector<char*> Argv(std::vector<std::string>& strings) {
  std::vector<char*> argv;
  for (std::string& arg : strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

pid_t Spawn(const std::vector<std::string>& args, posix_spawn_file_actions_t& actions) {
  std::vector<std::string> strings = {PIXFLOW_BINARY};
  strings.insert(strings.end(), args.begin(), args.end());
  std::vector<char*> argv = Argv(strings);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, PIXFLOW_BINARY, &actions, nullptr, argv.data(), environ);
  EXPECT_EQ(spawned, 0) << "cannot run " << PIXFLOW_BINARY;
  return spawned == 0 ? pid : 0;
}

}  // namespace

ProcessResult RunPixflow(const std::vector<std::string>& args) {
  int out_pipe[2], err_pipe[2];
  EXPECT_EQ(::pipe2(out_pipe, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(err_pipe, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  const pid_t pid = Spawn(args, actions);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  // Both pipes are drained together, so neither can fill up and stall the child. No timeout of
  // our own: a child silent for a minute may only be slow (sanitizers, a loaded machine), and
  // closing its pipes would kill it with SIGPIPE; a hung child is ctest's TIMEOUT to stop.
  ProcessResult run;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&run.out, &run.err};
  int open_pipes = 2;
  while (pid != 0 && open_pipes > 0) {
    const int ready = ::poll(fds, 2, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else {
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (pid == 0) return run;
  const ProcessResult waited = WaitFor(pid);
  run.exit_code = waited.exit_code;
  run.signal = waited.signal;
  return run;
}

pid_t StartPixflow(const std::vector<std::string>& args, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const pid_t pid = Spawn(args, actions);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

ProcessResult WaitFor(pid_t pid) {
  ProcessResult run;
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return run;
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  return run;
}

}  // namespace pixflow::test
