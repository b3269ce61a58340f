// Running the pixflow binary from a test and acting on it while it runs: its stdout and stderr
// go to files the test can read at any time (to find worker pids in --verbose output), it can
// be signalled, and waiting for it has a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pixflow::test {

class ChildProcess {
 public:
  // Starts `program` with `args`, stdout and stderr into files under `folder`; `env` adds
  // NAME=VALUE entries to the environment.
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::filesystem::path& folder, const std::vector<std::string>& env = {});
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills and reaps the child if the test did not wait for it.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  std::string out() const;
  std::string err() const;

  // Polls until `ready(stdout, stderr)` holds; false if the child exits or `timeout` passes first.
  bool WaitFor(const std::function<bool(const std::string&, const std::string&)>& ready,
               std::chrono::seconds timeout);
  // The exit code (128 + signal when killed); -1 after `timeout` (the child is then killed).
  int Wait(std::chrono::seconds timeout = std::chrono::seconds(180));

 private:
  pid_t pid_ = -1;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

// The pid of every line of `text` (the supervisor's --verbose lines) that ends "(pid N) EVENT",
// in order: "started" when a worker was spawned, "took its first image" once it holds a job.
std::vector<pid_t> WorkerPids(const std::string& text, std::string_view event);
inline std::vector<pid_t> StartedWorkerPids(const std::string& text) {
  return WorkerPids(text, "started");
}
inline std::vector<pid_t> BusyWorkerPids(const std::string& text) {
  return WorkerPids(text, "took its first image");
}

// True when no process with this pid exists, not even a zombie.
bool ProcessGone(pid_t pid);

}  // namespace pixflow::test
