// What `pixflow convert` shows while it runs: on a terminal, a bar redrawn in place with the
// count, rate and time left; elsewhere (a log file, CI), a plain line every few seconds.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "pixflow/pipeline/run_report.h"

namespace pixflow::cli {

enum class ProgressStyle { kBar, kLines, kNone };

// --progress auto|always|never and -q, resolved against whether stderr is a terminal.
ProgressStyle ChooseProgressStyle(std::string_view flag, bool quiet);

class ProgressDisplay {
 public:
  ProgressDisplay(ProgressStyle style, size_t total);

  // After each finished image (called serially).
  void Update(const pipeline::RunTotals& totals);
  // Prints a line (an error, a --verbose line) without tearing the bar.
  void Print(std::FILE* stream, const std::string& line);
  // Removes the bar; call before the final summary.
  void Finish();

 private:
  using Clock = std::chrono::steady_clock;
  std::string Status(const pipeline::RunTotals& totals) const;
  void Draw(const pipeline::RunTotals& totals);
  void Erase();

  ProgressStyle style_;
  size_t total_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = start_;
  bool drawn_ = false;
  pipeline::RunTotals latest_;
};

}  // namespace pixflow::cli
