#include "interrupt.h"

#include <unistd.h>

namespace pixflow::cli {
namespace {

// A signal handler can reach only globals; these are the only ones, set by the handler and read
// by the run. std::atomic<bool> and sig_atomic_t are lock-free, as a handler requires.
std::atomic<bool> g_requested{false};
volatile std::sig_atomic_t g_signal = 0;

void OnSignal(int number) {
  if (g_requested.exchange(true)) {
    // The second request: stop now, as the default action would, with the signal's status.
    std::signal(number, SIG_DFL);
    std::raise(number);
    return;
  }
  g_signal = number;
  static constexpr char kMessage[] =
      "\npixflow: stopping: finishing the images in flight (press Ctrl-C again to abort)\n";
  // write(2) is async-signal-safe; stdio is not.
  [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

InterruptScope::InterruptScope() {
  g_requested = false;
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
}

InterruptScope::~InterruptScope() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
}

const std::atomic<bool>& InterruptScope::requested() const { return g_requested; }

int InterruptScope::signal() const { return g_signal; }

}  // namespace pixflow::cli
