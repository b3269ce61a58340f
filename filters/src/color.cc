// Colour and alpha filters. Each is a pointwise stage (output row y reads input row y) around one
// SIMD kernel from color_kernels.h; the LUT family differs only in the table it builds.
#include "pixflow/filters/color.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "color_kernels.h"

namespace pixflow {
namespace {

// Shortest readable form of a parameter for names and messages ("2.5", not "2.500000").
std::string Format(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string ChannelList(const std::vector<int>& channels) {
  std::string list;
  for (size_t i = 0; i < channels.size(); ++i) {
    if (i > 0) list += i + 1 == channels.size() ? " or " : ", ";
    list += std::to_string(channels[i]);
  }
  return list;
}

// A filter whose output pixel depends only on the input pixel at the same place. `op` names it
// in messages; `params` carries a parameter error found by the factory, reported when the filter
// is planned (the factories return filters, not Results, so chains are built before they fail).
class PointFilter final : public Filter {
 public:
  using Kernel = std::function<void(ConstView8 in, View8 out)>;

  PointFilter(std::string op, std::string name, std::vector<int> channels,
              std::function<int(int)> output_channels, Kernel kernel, Status params = Status::Ok())
      : op_(std::move(op)),
        name_(std::move(name)),
        channels_(std::move(channels)),
        output_channels_(std::move(output_channels)),
        kernel_(std::move(kernel)),
        params_(std::move(params)) {}

  std::string Name() const override { return name_; }

  Result<Size> OutputSize(Size input) const override {
    if (!params_.ok()) return params_;
    if (std::find(channels_.begin(), channels_.end(), input.channels) == channels_.end()) {
      const char* noun = channels_.size() == 1 && channels_[0] == 1 ? " channel" : " channels";
      return InvalidArgument(op_ + ": needs " + ChannelList(channels_) + noun + " (got " +
                             std::to_string(input.channels) + ")");
    }
    return Size{input.width, input.height, output_channels_(input.channels)};
  }

  RowRange Footprint(RowRange out, Size /*input*/) const override { return out; }

  void ProcessBand(const Band& band) const override { kernel_(band.input, band.output); }

 private:
  std::string op_;
  std::string name_;
  std::vector<int> channels_;
  std::function<int(int)> output_channels_;
  Kernel kernel_;
  Status params_;
};

int SameChannels(int channels) { return channels; }

using Table = std::array<uint8_t, 256>;

std::unique_ptr<Filter> MakeTableFilter(std::string op, std::string name, Table table,
                                        bool apply_to_alpha, Status params = Status::Ok()) {
  auto kernel = [table, apply_to_alpha](ConstView8 in, View8 out) {
    kernels::ApplyLut(table.data(), in, out, !apply_to_alpha);
  };
  return std::make_unique<PointFilter>(std::move(op), std::move(name), std::vector<int>{1, 2, 3, 4},
                                       SameChannels, std::move(kernel), std::move(params));
}

// table[i] = f(i) rounded to nearest and clamped to [0, 255].
template <class F>
Table TableOf(const F& f) {
  Table table;
  for (int i = 0; i < 256; ++i) {
    const double v = f(static_cast<double>(i));
    table[i] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
  }
  return table;
}

// BT.601 luma of an RGB triple with the same fixed point as kernels::RgbToGray.
uint8_t Luma(const std::array<uint8_t, 3>& rgb) {
  return static_cast<uint8_t>((rgb[0] * 9798 + rgb[1] * 19235 + rgb[2] * 3735 + (1 << 14)) >> 15);
}

}  // namespace

std::unique_ptr<Filter> MakeRgbToGray() {
  return std::make_unique<PointFilter>(
      "rgb_to_gray", "rgb_to_gray", std::vector<int>{3, 4}, [](int) { return 1; },
      kernels::RgbToGray);
}

std::unique_ptr<Filter> MakeGrayToRgb() {
  return std::make_unique<PointFilter>(
      "gray_to_rgb", "gray_to_rgb", std::vector<int>{1}, [](int) { return 3; }, kernels::GrayToRgb);
}

std::unique_ptr<Filter> MakeSwapRedBlue() {
  return std::make_unique<PointFilter>("swap_red_blue", "swap_red_blue", std::vector<int>{3, 4},
                                       SameChannels, kernels::SwapRedBlue);
}

std::unique_ptr<Filter> MakeSrgbToLinear() {
  const Table table = TableOf([](double i) {
    const double c = i / 255.0;
    const double linear = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    return 255.0 * linear;
  });
  return MakeTableFilter("srgb_to_linear", "srgb_to_linear", table, false);
}

std::unique_ptr<Filter> MakeLinearToSrgb() {
  const Table table = TableOf([](double i) {
    const double c = i / 255.0;
    const double srgb = c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055;
    return 255.0 * srgb;
  });
  return MakeTableFilter("linear_to_srgb", "linear_to_srgb", table, false);
}

std::unique_ptr<Filter> MakeLut(std::array<uint8_t, 256> table, bool apply_to_alpha) {
  return MakeTableFilter("lut", apply_to_alpha ? "lut(alpha)" : "lut", table, apply_to_alpha);
}

std::unique_ptr<Filter> MakeBrightness(double delta) {
  Status params;
  if (!(delta >= -255.0 && delta <= 255.0)) {  // also rejects NaN
    params =
        InvalidArgument("brightness: delta must be in [-255, 255] (got " + Format(delta) + ")");
  }
  const Table table = TableOf([delta](double i) { return i + delta; });
  return MakeTableFilter("brightness", "brightness(delta=" + Format(delta) + ")", table, false,
                         params);
}

std::unique_ptr<Filter> MakeContrast(double factor) {
  Status params;
  if (!(factor >= 0.0 && std::isfinite(factor))) {
    params =
        InvalidArgument("contrast: factor must be finite and >= 0 (got " + Format(factor) + ")");
  }
  const Table table = TableOf([factor](double i) { return (i - 127.5) * factor + 127.5; });
  return MakeTableFilter("contrast", "contrast(factor=" + Format(factor) + ")", table, false,
                         params);
}

std::unique_ptr<Filter> MakeGamma(double gamma) {
  Status params;
  Table table{};
  if (!(gamma > 0.0 && std::isfinite(gamma))) {
    params = InvalidArgument("gamma: gamma must be finite and > 0 (got " + Format(gamma) + ")");
  } else {
    table = TableOf([gamma](double i) { return 255.0 * std::pow(i / 255.0, 1.0 / gamma); });
  }
  return MakeTableFilter("gamma", "gamma(gamma=" + Format(gamma) + ")", table, false, params);
}

std::unique_ptr<Filter> MakeInvert() {
  const Table table = TableOf([](double i) { return 255.0 - i; });
  return MakeTableFilter("invert", "invert", table, false);
}

std::unique_ptr<Filter> MakeThreshold(uint8_t threshold, uint8_t max_value) {
  Table table;
  for (int i = 0; i < 256; ++i) table[i] = i > threshold ? max_value : 0;
  return MakeTableFilter("threshold",
                         "threshold(threshold=" + std::to_string(threshold) +
                             ", max_value=" + std::to_string(max_value) + ")",
                         table, false);
}

std::unique_ptr<Filter> MakePremultiply() {
  return std::make_unique<PointFilter>("premultiply", "premultiply", std::vector<int>{2, 4},
                                       SameChannels, kernels::Premultiply);
}

std::unique_ptr<Filter> MakeUnpremultiply() {
  return std::make_unique<PointFilter>("unpremultiply", "unpremultiply", std::vector<int>{2, 4},
                                       SameChannels, kernels::Unpremultiply);
}

std::unique_ptr<Filter> MakeFlatten(std::array<uint8_t, 3> background) {
  // The 2-channel kernel composites over background[0]; give it the luma.
  const std::array<uint8_t, 3> gray = {Luma(background), 0, 0};
  auto kernel = [background, gray](ConstView8 in, View8 out) {
    kernels::Flatten(in, out, in.channels() == 2 ? gray.data() : background.data());
  };
  const std::string name = "flatten(background=" + std::to_string(background[0]) + "," +
                           std::to_string(background[1]) + "," + std::to_string(background[2]) +
                           ")";
  return std::make_unique<PointFilter>(
      "flatten", name, std::vector<int>{2, 4}, [](int channels) { return channels - 1; },
      std::move(kernel));
}

}  // namespace pixflow
