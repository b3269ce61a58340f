// Ctrl-C and SIGTERM for a batch command: the first one asks the run to stop starting new work
// (what is in flight finishes, the report is written); a second one ends the process at once,
// which is still safe for outputs because every file is written atomically.
#pragma once

#include <atomic>
#include <csignal>

namespace pixflow::cli {

// Installs the handlers while it lives (one at a time) and restores the previous ones after.
class InterruptScope {
 public:
  InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  ~InterruptScope();

  // Becomes true at the first SIGINT or SIGTERM. Lock-free, so the handler may set it.
  const std::atomic<bool>& requested() const;
  int signal() const;  // the signal that asked, or 0
  // The exit status a process killed by that signal reports to its shell: 128 + signal.
  int exit_code() const { return 128 + signal(); }

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

}  // namespace pixflow::cli
