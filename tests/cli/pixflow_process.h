// Running the built pixflow binary from end-to-end tests: to completion with its output
// collected, or in the background (to signal it mid-run).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace pixflow::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when it did not exit normally (see signal)
  int signal = 0;      // the signal that ended it, if any
  std::string out;
  std::string err;
};

// Runs `pixflow args...` and waits for it, collecting stdout and stderr.
ProcessResult RunPixflow(const std::vector<std::string>& args);

// Starts `pixflow args...` with stdout and stderr going to `log`; returns its pid (0 on failure,
// with a test failure recorded).
pid_t StartPixflow(const std::vector<std::string>& args, const std::filesystem::path& log);
// Waits for a process StartPixflow made; its exit code and signal (out and err stay empty).
ProcessResult WaitFor(pid_t pid);

}  // namespace pixflow::test
