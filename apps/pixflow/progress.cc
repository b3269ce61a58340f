#include "progress.h"

#include <fmt/core.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace pixflow::cli {
namespace {

// Redrawing more often than this only costs time; a person cannot read faster.
constexpr auto kBarInterval = std::chrono::milliseconds(100);
// Often enough to show a long batch is alive in a log, rarely enough to keep the log short.
constexpr auto kLineInterval = std::chrono::seconds(10);

int TerminalWidth() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 40) return size.ws_col;
  return 80;
}

std::string Duration(double seconds) {
  const auto s = static_cast<long>(std::lround(std::max(0.0, seconds)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

ProgressStyle ChooseProgressStyle(std::string_view flag, bool quiet) {
  if (quiet || flag == "never") return ProgressStyle::kNone;
  if (flag == "always") return ProgressStyle::kBar;
  return ::isatty(STDERR_FILENO) != 0 ? ProgressStyle::kBar : ProgressStyle::kLines;
}

ProgressDisplay::ProgressDisplay(ProgressStyle style, size_t total)
    : style_(style), total_(total) {}

std::string ProgressDisplay::Status(const pipeline::RunTotals& totals) const {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(totals.images) / elapsed : 0.0;
  std::string text = fmt::format("{}/{} images", totals.images, total_);
  if (rate > 0) {
    const double left = static_cast<double>(total_ - std::min(total_, totals.images)) / rate;
    text += fmt::format("  {:.1f}/s  ETA {}", rate, Duration(left));
  }
  if (totals.failed > 0) text += fmt::format("  {} failed", totals.failed);
  return text;
}

void ProgressDisplay::Draw(const pipeline::RunTotals& totals) {
  const std::string status = Status(totals);
  const int bar_width = std::max(10, TerminalWidth() - static_cast<int>(status.size()) - 10);
  const double done =
      total_ == 0 ? 1.0 : static_cast<double>(totals.images) / static_cast<double>(total_);
  const int filled = static_cast<int>(done * bar_width);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < bar_width) bar += '>';
  bar.resize(static_cast<size_t>(bar_width), ' ');
  fmt::print(stderr, "\r\x1b[K[{}] {:3.0f}% {}", bar, 100 * done, status);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressDisplay::Erase() {
  if (!drawn_) return;
  fmt::print(stderr, "\r\x1b[K");
  drawn_ = false;
}

void ProgressDisplay::Update(const pipeline::RunTotals& totals) {
  latest_ = totals;
  if (style_ == ProgressStyle::kNone) return;
  const auto now = Clock::now();
  const auto interval = style_ == ProgressStyle::kBar ? kBarInterval : kLineInterval;
  if (now - last_ < interval && totals.images != total_) return;
  last_ = now;
  if (style_ == ProgressStyle::kBar) {
    Draw(totals);
  } else if (totals.images != total_) {
    fmt::print(stderr, "pixflow: {}\n", Status(totals));
  }
}

void ProgressDisplay::Print(std::FILE* stream, const std::string& line) {
  Erase();
  fmt::print(stream, "{}\n", line);
  std::fflush(stream);
  if (style_ == ProgressStyle::kBar && latest_.images > 0) Draw(latest_);
}

void ProgressDisplay::Finish() { Erase(); }

}  // namespace pixflow::cli
