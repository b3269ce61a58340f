#include "confined_run.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

extern char** environ;

namespace pixflow::test {
namespace {

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ProcessResult RunPixflowConfined(const std::vector<std::string>& args, const Confinement& limits,
                                 const std::filesystem::path& scratch) {
  const std::filesystem::path out_path = scratch / "confined.out";
  const std::filesystem::path err_path = scratch / "confined.err";
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> strings = {PIXFLOW_BINARY};
  strings.insert(strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  EXPECT_TRUE(out >= 0 && err >= 0) << scratch;
  const bool drop = limits.as_nobody && ::geteuid() == 0;
  const rlimit fsize{limits.max_file_bytes, limits.max_file_bytes};

  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    // Over the limit, write() fails with EFBIG instead of the process dying of SIGXFSZ: the
    // ignored disposition survives exec, as a full disk's ENOSPC would reach the writer.
    if (limits.max_file_bytes > 0) {
      ::signal(SIGXFSZ, SIG_IGN);
      ::setrlimit(RLIMIT_FSIZE, &fsize);
    }
    if (limits.umask) ::umask(*limits.umask);
    if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)) {
      ::_exit(126);
    }
    ::execve(PIXFLOW_BINARY, argv.data(), environ);
    ::_exit(127);
  }
  ::close(out);
  ::close(err);
  EXPECT_GT(pid, 0) << "fork";
  ProcessResult run = pid > 0 ? WaitFor(pid) : ProcessResult{};
  run.out = Slurp(out_path);
  run.err = Slurp(err_path);
  return run;
}

}  // namespace pixflow::test
