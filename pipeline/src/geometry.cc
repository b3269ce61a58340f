#include "pixflow/pipeline/geometry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace pixflow::pipeline {
namespace {

// Parses a non-negative decimal number ("800", "12.5"); false when there is none.
bool ParseNumber(std::string_view text, double& value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && ptr == end && value >= 0 && std::isfinite(value);
}

// The largest side Resolve returns. Far above what any filter accepts (a resize refuses sides
// over 65535 with its own error), but an int: `x600` on a 10,000,000 x 1 strip, or `1e9%`, is
// then an error at the resize instead of an overflowing double -> int conversion (found by
// tests/fuzz/geometry_fuzzer).
constexpr double kMaxResolvedSide = std::numeric_limits<int>::max();

int RoundSide(double v) {
  // Half away from zero, as ImageMagick does (1067 * 0.5 = 533.5 -> 534); never below 1.
  if (!(v >= 1.0)) return 1;  // NaN included
  return static_cast<int>(std::min(std::round(v), kMaxResolvedSide));
}

Status Bad(std::string_view text, const std::string& why) {
  return InvalidArgument("--resize '" + std::string(text) + "': " + why +
                         " (expected WxH, Wx, xH, WxH^, WxH!, WxH>, WxH< or N%)");
}

}  // namespace

Result<Geometry> ParseGeometry(std::string_view text) {
  Geometry g;
  g.text = std::string(text);
  std::string_view body = text;
  if (!body.empty()) {
    switch (body.back()) {
      case '^':
        g.mode = Geometry::Mode::kCover;
        break;
      case '!':
        g.mode = Geometry::Mode::kExact;
        break;
      case '>':
        g.mode = Geometry::Mode::kShrinkOnly;
        break;
      case '<':
        g.mode = Geometry::Mode::kEnlargeOnly;
        break;
      case '%':
        g.mode = Geometry::Mode::kPercent;
        break;
      default:
        break;
    }
    if (g.mode != Geometry::Mode::kFit) body.remove_suffix(1);
  }
  if (body.empty()) return Bad(text, "empty size");
  const size_t x = body.find_first_of("xX");
  if (g.mode == Geometry::Mode::kPercent) {
    if (x == std::string_view::npos) {
      if (!ParseNumber(body, g.width)) return Bad(text, "not a percentage");
      g.height = g.width;
    } else if (!ParseNumber(body.substr(0, x), g.width) ||
               !ParseNumber(body.substr(x + 1), g.height)) {
      return Bad(text, "not a percentage pair");
    }
    if (g.width <= 0 || g.height <= 0) return Bad(text, "percentages must be above 0");
    return g;
  }
  if (x == std::string_view::npos) return Bad(text, "missing 'x'");
  const std::string_view w = body.substr(0, x), h = body.substr(x + 1);
  if (!w.empty() && !ParseNumber(w, g.width)) return Bad(text, "bad width");
  if (!h.empty() && !ParseNumber(h, g.height)) return Bad(text, "bad height");
  if (g.width == 0 && g.height == 0) return Bad(text, "give a width, a height or both");
  if ((!w.empty() && g.width < 1) || (!h.empty() && g.height < 1)) {
    return Bad(text, "sides must be at least 1 pixel");
  }
  if (g.width > 65535 || g.height > 65535) return Bad(text, "sides above 65535 pixels");
  if ((g.mode == Geometry::Mode::kCover || g.mode == Geometry::Mode::kExact) &&
      (g.width == 0 || g.height == 0)) {
    return Bad(text, "'^' and '!' need both a width and a height");
  }
  return g;
}

Size Geometry::Resolve(Size input) const {
  const double in_w = input.width, in_h = input.height;
  if (mode == Mode::kPercent) {
    return {RoundSide(in_w * width / 100.0), RoundSide(in_h * height / 100.0), input.channels};
  }
  if (mode == Mode::kExact) return {RoundSide(width), RoundSide(height), input.channels};
  // One side given: the other follows the aspect ratio.
  if (height == 0) return {RoundSide(width), RoundSide(in_h * width / in_w), input.channels};
  if (width == 0) return {RoundSide(in_w * height / in_h), RoundSide(height), input.channels};

  const double fit = std::min(width / in_w, height / in_h);
  double scale = fit;
  if (mode == Mode::kCover) scale = std::max(width / in_w, height / in_h);
  if (mode == Mode::kShrinkOnly && fit >= 1.0) return input;
  if (mode == Mode::kEnlargeOnly && fit <= 1.0) return input;
  // The side that sets the scale lands exactly on the requested size, not a rounding off it.
  const bool width_binds =
      (mode == Mode::kCover) ? (width / in_w >= height / in_h) : (width / in_w <= height / in_h);
  if (width_binds) return {RoundSide(width), RoundSide(in_h * scale), input.channels};
  return {RoundSide(in_w * scale), RoundSide(height), input.channels};
}

}  // namespace pixflow::pipeline
