// Resampling to a new width and height, with the semantics libvips and Pillow users expect:
//   - pixel centres align: input coordinate = (output + 0.5) * scale - 0.5, per axis;
//   - downscaling is antialiased: the kernel is stretched by the scale factor, so every input
//     pixel contributes and a thumbnail never aliases; upscaling uses the kernel as is;
//   - taps that fall outside the image are dropped and the rest renormalised;
//   - with an alpha channel (2 or 4 channels) colour is filtered premultiplied by alpha, so
//     transparent pixels do not bleed dark fringes into their neighbours;
//   - results round half to even and saturate to [0, 255] (bicubic and Lanczos overshoot).
// Resizing to the input's own size returns the input unchanged, whatever the kernel.
// MakeResize returns a new Filter the caller owns; it is immutable, so one can run on many
// images from many threads at once.
#pragma once

#include <memory>
#include <string_view>

#include "pixflow/filters/filter.h"
#include "pixflow/filters/status.h"

namespace pixflow {

enum class ResizeKernel {
  kNearest,   // the input pixel whose centre is nearest; matches cv::INTER_NEAREST_EXACT
  kBilinear,  // triangle, radius 1
  kBicubic,   // Catmull-Rom (a = -0.5, as libvips and Pillow), radius 2
  kLanczos3,  // sinc(x) * sinc(x / 3), radius 3
  // Exact box overlap: each output pixel averages the input area it covers. Upscaling too, as
  // cv::INTER_AREA does: an output pixel inside one input pixel copies it, one straddling two
  // mixes them by their overlap (close to nearest, not bilinear).
  kArea,
};

// "nearest", "bilinear", "bicubic", "lanczos3", "area".
const char* ResizeKernelName(ResizeKernel kernel);
// The inverse of ResizeKernelName, ignoring case; the error lists the valid names.
Result<ResizeKernel> ParseResizeKernel(std::string_view name);

struct ResizeOptions {
  ResizeKernel kernel = ResizeKernel::kLanczos3;
  // Resample colour premultiplied by alpha when the image has 2 or 4 channels; output colour is
  // 0 where the output alpha is 0.
  bool alpha_aware = true;
};

// Resizes to exactly width x height. Sizes are validated by OutputSize: each side must lie in
// [1, 65535], no axis may shrink by a factor above 65535, and the output must not exceed
// kMaxResizeOutputPixels.
std::unique_ptr<Filter> MakeResize(int width, int height, ResizeOptions options = {});

// 1 gigapixel: the largest output the resize filters agree to produce.
inline constexpr long long kMaxResizeOutputPixels = 1LL << 30;

}  // namespace pixflow
