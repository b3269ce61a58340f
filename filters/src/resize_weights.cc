#include "resize_weights.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace pixflow::resize {
namespace {

// Kernels are evaluated in double and are exactly zero at the integer arguments where they
// vanish, so an unscaled resize trims to a single tap of weight 1 and copies its input exactly.
double Triangle(double x) {
  x = std::abs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

// Catmull-Rom, Keys' cubic with a = -0.5 (libvips, Pillow; OpenCV uses a = -0.75).
double CatmullRom(double x) {
  constexpr double a = -0.5;
  x = std::abs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a;
  return 0.0;
}

double Lanczos3(double x) {
  x = std::abs(x);
  if (x >= 3.0) return 0.0;
  if (x == 0.0) return 1.0;
  if (x == std::floor(x)) return 0.0;  // sin(pi * n) is 1e-16, not 0, in floating point
  const double px = std::numbers::pi * x;
  return 3.0 * std::sin(px) * std::sin(px / 3.0) / (px * px);
}

double Radius(ResizeKernel kernel) {
  switch (kernel) {
    case ResizeKernel::kBilinear:
      return 1.0;
    case ResizeKernel::kBicubic:
      return 2.0;
    case ResizeKernel::kLanczos3:
      return 3.0;
    default:
      return 0.5;
  }
}

double Evaluate(ResizeKernel kernel, double x) {
  switch (kernel) {
    case ResizeKernel::kBicubic:
      return CatmullRom(x);
    case ResizeKernel::kLanczos3:
      return Lanczos3(x);
    default:
      return Triangle(x);
  }
}

// One output's weights before they are laid out in the table: input `first` onwards.
struct Taps {
  int first = 0;
  std::vector<double> weights;
};

// Box overlap: output o covers [o * in, (o + 1) * in) in units of 1/out input pixels, and input
// i covers [i * out, (i + 1) * out); the overlaps are integers, so the weights are exact.
Taps AreaTaps(int in, int out, int o) {
  const int64_t lo = int64_t{o} * in;
  const int64_t hi = lo + in;
  Taps taps;
  taps.first = static_cast<int>(lo / out);
  const int end = static_cast<int>((hi + out - 1) / out);
  for (int i = taps.first; i < end; ++i) {
    const int64_t overlap = std::min(hi, int64_t{i + 1} * out) - std::max(lo, int64_t{i} * out);
    taps.weights.push_back(static_cast<double>(overlap) / in);
  }
  return taps;
}

// The kernel centred on the output pixel's centre in input coordinates and stretched by the
// scale factor when downscaling (Pillow's and libvips' antialiasing).
Taps KernelTaps(ResizeKernel kernel, int in, int out, int o) {
  const double scale = static_cast<double>(in) / out;
  const double stretch = std::max(scale, 1.0);
  const double radius = Radius(kernel) * stretch;
  const double center = (2.0 * o + 1.0) * in / (2.0 * out);  // (o + 0.5) * scale
  // Input i's centre is i + 0.5; taps with |i + 0.5 - center| < radius, clipped to the image.
  const int lo = std::max(0, static_cast<int>(std::floor(center - radius - 0.5)));
  const int hi = std::min(in, static_cast<int>(std::ceil(center + radius - 0.5)) + 1);
  Taps taps;
  taps.first = lo;
  for (int i = lo; i < hi; ++i) {
    taps.weights.push_back(Evaluate(kernel, (i + 0.5 - center) / stretch));
  }
  return taps;
}

// Drops zero weights at both ends and scales the rest to sum to 1 (this is where taps outside
// the image, already dropped, are compensated for).
void TrimAndNormalise(Taps& taps, int in, int out, int o) {
  auto& w = taps.weights;
  size_t begin = 0;
  while (begin < w.size() && w[begin] == 0.0) ++begin;
  size_t end = w.size();
  while (end > begin && w[end - 1] == 0.0) --end;
  double sum = 0.0;
  for (size_t i = begin; i < end; ++i) sum += w[i];
  if (begin == end || std::abs(sum) < 1e-12) {
    // No kernel here reaches this (their weights sum to 1 over any clipped support that holds
    // a positive weight); keep the table well-defined regardless: nearest input.
    const double center = (o + 0.5) * in / out;
    taps.first = std::clamp(static_cast<int>(center), 0, in - 1);
    w.assign(1, 1.0);
    return;
  }
  taps.first += static_cast<int>(begin);
  w.erase(w.begin() + static_cast<ptrdiff_t>(end), w.end());
  w.erase(w.begin(), w.begin() + static_cast<ptrdiff_t>(begin));
  for (double& v : w) v /= sum;
}

}  // namespace

AxisWeights BuildAxisWeights(ResizeKernel kernel, int in, int out) {
  std::vector<Taps> all(static_cast<size_t>(out));
  int taps = 1;
  for (int o = 0; o < out; ++o) {
    Taps& t = all[static_cast<size_t>(o)];
    t = kernel == ResizeKernel::kArea ? AreaTaps(in, out, o) : KernelTaps(kernel, in, out, o);
    TrimAndNormalise(t, in, out, o);
    taps = std::max(taps, static_cast<int>(t.weights.size()));
  }
  AxisWeights axis;
  axis.in = in;
  axis.out = out;
  axis.taps = taps;
  axis.stride = (taps + 15 + 3) / 4 * 4;
  axis.start.resize(static_cast<size_t>(out));
  axis.first.resize(static_cast<size_t>(out));
  axis.count.resize(static_cast<size_t>(out));
  axis.weights.assign(static_cast<size_t>(out) * axis.stride + kWeightSlack, 0.0f);
  axis.identity = in == out;
  for (int o = 0; o < out; ++o) {
    const Taps& t = all[static_cast<size_t>(o)];
    // taps <= in (every tap lies inside the image), so a window that fits always exists.
    const int start = std::min(t.first, in - taps);
    axis.start[static_cast<size_t>(o)] = start;
    axis.first[static_cast<size_t>(o)] = t.first;
    axis.count[static_cast<size_t>(o)] = static_cast<int>(t.weights.size());
    float* w = axis.weights.data() + static_cast<size_t>(o) * axis.stride + (t.first - start);
    for (size_t k = 0; k < t.weights.size(); ++k) w[k] = static_cast<float>(t.weights[k]);
    axis.identity = axis.identity && t.first == o && t.weights.size() == 1;
  }
  return axis;
}

std::vector<int> NearestIndices(int in, int out) {
  // OpenCV 4.6's resizeNN_bitexact (Debian 12's), in 64-bit so that sides above 32767 do not
  // overflow. The -1 (1/65536 of a pixel) sends a centre that falls exactly on a boundary to
  // the lower pixel.
  const int64_t step = ((int64_t{in} << 16) + out / 2) / out;
  const int64_t offset = step / 2 - 1;
  std::vector<int> indices(static_cast<size_t>(out));
  for (int o = 0; o < out; ++o) {
    indices[static_cast<size_t>(o)] =
        static_cast<int>(std::min<int64_t>((step * o + offset) >> 16, in - 1));
  }
  return indices;
}

}  // namespace pixflow::resize
