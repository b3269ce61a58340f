#include "resize_weights.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace pixflow::resize {
namespace {

// Kernels are evaluated in double and are exactly zero at the nonzero integer arguments where
// they vanish, so an unscaled axis trims to a single tap of weight 1.
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

double Radius(ResizeKernel kernel) {
  switch (kernel) {
    case ResizeKernel::kBilinear:
      return 1.0;
    case ResizeKernel::kBicubic:
      return 2.0;
    default:
      return 3.0;
  }
}

// sin(a + k * d) for k = 0, 1, ... by rotation: two sincos per output pixel instead of one sine
// per tap (sines were most of the table build for Lanczos). The error grows by ~1e-16 a step,
// far below the float weights it feeds.
class SineSequence {
 public:
  SineSequence(double a, double d)
      : sin_(std::sin(a)), cos_(std::cos(a)), sin_d_(std::sin(d)), cos_d_(std::cos(d)) {}
  double value() const { return sin_; }
  void Next() {
    const double s = sin_ * cos_d_ + cos_ * sin_d_;
    cos_ = cos_ * cos_d_ - sin_ * sin_d_;
    sin_ = s;
  }

 private:
  double sin_, cos_, sin_d_, cos_d_;
};

// Lanczos3 at x0, x0 + dx, ... (n values): 3 sin(pi x) sin(pi x / 3) / (pi x)^2, with the
// exact 1 at 0 and 0 at the other integers.
void Lanczos3Run(double x0, double dx, int n, double* w) {
  constexpr double kPi = std::numbers::pi;
  SineSequence s1(kPi * x0, kPi * dx);
  SineSequence s3(kPi * x0 / 3.0, kPi * dx / 3.0);
  for (int k = 0; k < n; ++k, s1.Next(), s3.Next()) {
    const double x = x0 + k * dx;
    const double nearest = std::round(x);
    if (std::abs(x) >= 3.0) {
      w[k] = 0.0;
    } else if (std::abs(x - nearest) < 1e-9) {
      w[k] = nearest == 0.0 ? 1.0 : 0.0;
    } else {
      w[k] = 3.0 * s1.value() * s3.value() / (kPi * x * kPi * x);
    }
  }
}

// Box overlap: output o covers [o * in, (o + 1) * in) in units of 1/out input pixels, and input
// i covers [i * out, (i + 1) * out); the overlaps are integers, so the weights are exact.
int AreaTaps(int in, int out, int o, int* first, double* w) {
  const int64_t lo = int64_t{o} * in;
  const int64_t hi = lo + in;
  *first = static_cast<int>(lo / out);
  const int end = static_cast<int>((hi + out - 1) / out);
  for (int i = *first; i < end; ++i) {
    const int64_t overlap = std::min(hi, int64_t{i + 1} * out) - std::max(lo, int64_t{i} * out);
    w[i - *first] = static_cast<double>(overlap) / in;
  }
  return end - *first;
}

// The kernel centred on the output pixel's centre in input coordinates and stretched by the
// scale factor when downscaling (Pillow's and libvips' antialiasing).
int KernelTaps(ResizeKernel kernel, int in, int out, int o, int* first, double* w) {
  const double scale = static_cast<double>(in) / out;
  const double stretch = std::max(scale, 1.0);
  const double radius = Radius(kernel) * stretch;
  const double center = (2.0 * o + 1.0) * in / (2.0 * out);  // (o + 0.5) * scale
  // Input i's centre is i + 0.5; taps with |i + 0.5 - center| < radius, clipped to the image
  // (candidates at the boundary evaluate to 0 and are trimmed).
  const int lo = std::max(0, static_cast<int>(std::floor(center - radius - 0.5)));
  const int hi = std::min(in, static_cast<int>(std::ceil(center + radius - 0.5)) + 1);
  *first = lo;
  const double x0 = (lo + 0.5 - center) / stretch;
  if (kernel == ResizeKernel::kLanczos3) {
    Lanczos3Run(x0, 1.0 / stretch, hi - lo, w);
  } else {
    for (int i = lo; i < hi; ++i) {
      const double x = (i + 0.5 - center) / stretch;
      w[i - lo] = kernel == ResizeKernel::kBicubic ? CatmullRom(x) : Triangle(x);
    }
  }
  return hi - lo;
}

// Most inputs any output can weigh, before trimming.
int MaxCandidates(ResizeKernel kernel, int in, int out) {
  const double scale = static_cast<double>(in) / out;
  if (kernel == ResizeKernel::kArea) return static_cast<int>(std::ceil(scale)) + 2;
  return static_cast<int>(std::ceil(2.0 * Radius(kernel) * std::max(scale, 1.0))) + 3;
}

// Drops zero weights at both ends and scales the rest to sum to 1 (this is where taps outside
// the image, already dropped, are compensated for). Returns the count; moves the weights to
// the front of w.
int TrimAndNormalise(int in, int out, int o, int n, int* first, double* w) {
  int begin = 0;
  while (begin < n && w[begin] == 0.0) ++begin;
  int end = n;
  while (end > begin && w[end - 1] == 0.0) --end;
  double sum = 0.0;
  for (int i = begin; i < end; ++i) sum += w[i];
  if (begin == end || std::abs(sum) < 1e-12) {
    // No kernel here reaches this (their weights sum to 1 over any clipped support that holds
    // a positive weight); keep the table well-defined regardless: nearest input.
    *first = std::clamp(static_cast<int>((o + 0.5) * in / out), 0, in - 1);
    w[0] = 1.0;
    return 1;
  }
  *first += begin;
  for (int i = begin; i < end; ++i) w[i - begin] = w[i] / sum;
  return end - begin;
}

}  // namespace

AxisWeights BuildAxisWeights(ResizeKernel kernel, int in, int out) {
  AxisWeights axis;
  axis.in = in;
  axis.out = out;
  axis.start.resize(static_cast<size_t>(out));
  axis.first.resize(static_cast<size_t>(out));
  axis.count.resize(static_cast<size_t>(out));
  // Two passes over the outputs, the first only for their spans: the table's tap count must be
  // known before it is laid out, and recomputing is cheaper than holding every output's
  // weights in double meanwhile.
  std::vector<double> w(static_cast<size_t>(MaxCandidates(kernel, in, out)));
  auto weigh = [&](int o, int* first) {
    const int n = kernel == ResizeKernel::kArea ? AreaTaps(in, out, o, first, w.data())
                                                : KernelTaps(kernel, in, out, o, first, w.data());
    return TrimAndNormalise(in, out, o, n, first, w.data());
  };
  int taps = 1;
  for (int o = 0; o < out; ++o) {
    const size_t oi = static_cast<size_t>(o);
    axis.count[oi] = weigh(o, &axis.first[oi]);
    taps = std::max(taps, axis.count[oi]);
  }
  axis.taps = taps;
  axis.weights.assign(static_cast<size_t>(out) * taps + kWeightSlack, 0.0f);
  axis.identity = in == out;
  for (int o = 0; o < out; ++o) {
    const size_t oi = static_cast<size_t>(o);
    int first = 0;
    const int count = weigh(o, &first);
    // taps <= in (every tap lies inside the image), so a window that fits always exists.
    const int start = std::min(first, in - taps);
    axis.start[oi] = start;
    float* dst = axis.weights.data() + oi * taps + (first - start);
    for (int k = 0; k < count; ++k) dst[k] = static_cast<float>(w[static_cast<size_t>(k)]);
    axis.identity = axis.identity && first == o && count == 1;
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
