// Convolution with caller-supplied kernels: dense 2-D (cv::filter2D), separable
// (cv::sepFilter2D) and the Sobel derivatives built on the separable one. Input rows are
// converted once per band and kept in a ring for the kernel-height output rows that read them.
//
// The arithmetic is float, like OpenCV's, unless every weight and the delta are integers small
// enough that no sum can leave int16 (Sobel, sharpening, Laplacians): then it is int16, which is
// exact, so its results equal the float path's (exact too on integers below 2^24) while each
// vector carries twice the pixels. Zero taps are skipped; a multiply-add with weight 0 leaves the
// sum unchanged, so that changes no result either.
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "convolve_kernels.h"
#include "convolve_rows.h"
#include "pixflow/filters/convolve.h"

namespace pixflow {
namespace {

using convolve::ExactInInt16;
using convolve::FloatMath;
using convolve::Int16Math;
using convolve::PairPlan;
using convolve::RowRing;
using convolve::ScratchRows;

// Larger kernels are better served by an FFT; the limit keeps sizes and tap lists modest.
constexpr int kMaxKernelSide = 1024;

Status CheckFinite(const std::string& op, const std::vector<float>& weights, float delta) {
  for (float w : weights) {
    if (!std::isfinite(w)) return InvalidArgument(op + ": kernel weights must be finite");
  }
  if (!std::isfinite(delta)) return InvalidArgument(op + ": delta must be finite");
  return Status::Ok();
}

template <class Math>
class Convolve2D final : public Filter {
  using T = typename Math::T;

 public:
  Convolve2D(Kernel2D kernel, float delta, Border border)
      : kernel_(std::move(kernel)), delta_(delta), border_(border), valid_(Validate()) {
    if (!valid_.ok()) return;
    anchor_x_ = kernel_.anchor_x < 0 ? kernel_.width / 2 : kernel_.anchor_x;
    anchor_y_ = kernel_.anchor_y < 0 ? kernel_.height / 2 : kernel_.anchor_y;
    // Output rows y and y + 1 read input rows y - anchor_y .. y - anchor_y + height, the first
    // output with kernel row r, the second with row r - 1; row-major is OpenCV's order.
    for (int r = 0; r <= kernel_.height; ++r) {
      for (int c = 0; c < kernel_.width; ++c) {
        plan_.Add(r - anchor_y_, c, r < kernel_.height ? Weight(r, c) : 0.0f,
                  r > 0 ? Weight(r - 1, c) : 0.0f);
      }
    }
  }

  std::string Name() const override {
    return "convolve(" + std::to_string(kernel_.width) + "x" + std::to_string(kernel_.height) + ")";
  }
  Result<Size> OutputSize(Size input) const override {
    PIXFLOW_RETURN_IF_ERROR(valid_);
    return input;
  }
  RowRange Footprint(RowRange out, Size) const override {
    return {out.begin - anchor_y_, out.end + kernel_.height - 1 - anchor_y_};
  }

  void ProcessBand(const Band& band) const override {
    const int width = band.input.width();
    const int channels = band.input.channels();
    const int left = anchor_x_;
    const int right = kernel_.width - 1 - anchor_x_;
    RowRing<T> ring(kernel_.height + 1, static_cast<size_t>(left + width + right) * channels);
    const auto load = [&](int y, T* dst) {
      kernels::LoadPaddedRow(band.InputRow(y, border_), width, channels, left, right, border_, dst);
    };
    std::vector<const T*> srcs;
    std::vector<uint8_t> spare_row(band.input.row_elements());
    for (int y = band.output_rows.begin; y < band.output_rows.end; y += 2) {
      // An odd last row is computed as a pair too, its partner discarded; the partner's last
      // input row lies below the footprint and is replaced by one inside it.
      const bool pair = y + 1 < band.output_rows.end;
      const int last = y + kernel_.height - 1 - anchor_y_;
      const auto row = [&](int y_in) { return ring.Get(pair ? y_in : std::min(y_in, last), load); };
      Math::PairToU8(plan_.Bind(y, channels, row, srcs), static_cast<T>(delta_),
                     /*absolute=*/false, band.input.row_elements(), band.OutputRow(y),
                     pair ? band.OutputRow(y + 1) : spare_row.data());
    }
  }

 private:
  float Weight(int row, int column) const {
    return kernel_.weights[static_cast<size_t>(row) * kernel_.width + column];
  }

  Status Validate() const {
    const Kernel2D& k = kernel_;
    if (k.width < 1 || k.height < 1 || k.width > kMaxKernelSide || k.height > kMaxKernelSide) {
      return InvalidArgument("convolve: kernel must be 1x1 to " + std::to_string(kMaxKernelSide) +
                             "x" + std::to_string(kMaxKernelSide) + " (got " +
                             std::to_string(k.width) + "x" + std::to_string(k.height) + ")");
    }
    if (k.weights.size() != static_cast<size_t>(k.width) * k.height) {
      return InvalidArgument("convolve: a " + std::to_string(k.width) + "x" +
                             std::to_string(k.height) + " kernel needs " +
                             std::to_string(k.width * k.height) + " weights (got " +
                             std::to_string(k.weights.size()) + ")");
    }
    if (k.anchor_x < -1 || k.anchor_x >= k.width || k.anchor_y < -1 || k.anchor_y >= k.height) {
      return InvalidArgument("convolve: anchor (" + std::to_string(k.anchor_x) + ", " +
                             std::to_string(k.anchor_y) +
                             ") must lie inside the kernel, or be -1 for the centre");
    }
    return CheckFinite("convolve", k.weights, delta_);
  }

  Kernel2D kernel_;
  float delta_;
  Border border_;
  Status valid_;
  int anchor_x_ = 0;
  int anchor_y_ = 0;
  PairPlan<T> plan_;
};

// The non-zero taps of a 1-D kernel anchored at size / 2: offsets from the anchor and weights.
template <class T>
struct Taps1D {
  explicit Taps1D(const std::vector<float>& kernel) {
    const int anchor = static_cast<int>(kernel.size()) / 2;
    for (size_t i = 0; i < kernel.size(); ++i) {
      if (kernel[i] != 0) {
        offsets.push_back(static_cast<int>(i) - anchor);
        weights.push_back(static_cast<T>(kernel[i]));
      }
    }
  }
  std::vector<int> offsets;
  std::vector<T> weights;
};

template <class Math>
class SeparableConvolve final : public Filter {
  using T = typename Math::T;

 public:
  SeparableConvolve(std::string name, std::vector<float> kx, std::vector<float> ky, float delta,
                    Border border, bool absolute, Status valid)
      : name_(std::move(name)),
        width_(static_cast<int>(kx.size())),
        height_(static_cast<int>(ky.size())),
        x_(kx),
        delta_(delta),
        border_(border),
        absolute_(absolute),
        valid_(std::move(valid)) {
    // An all-zero row kernel still has to produce rows of zeros.
    if (x_.weights.empty()) {
      x_.offsets.push_back(0);
      x_.weights.push_back(T{0});
    }
    // Output rows y and y + 1 read rows y - height / 2 .. y - height / 2 + height.
    for (int r = 0; r <= height_; ++r) {
      plan_.Add(r - height_ / 2, 0, r < height_ ? ky[r] : 0.0f, r > 0 ? ky[r - 1] : 0.0f);
    }
    // In float, a short symmetric column kernel (smoothing) pairs mirrored rows before
    // multiplying, as OpenCV does: half the multiply-adds, which bound that pass.
    const int radius = height_ / 2;
    if (std::is_same_v<T, float> && height_ % 2 == 1 && radius >= 1 &&
        radius <= kernels::kMaxSymmetricRadius && std::equal(ky.begin(), ky.end(), ky.rbegin())) {
      symmetric_.assign(ky.begin() + radius, ky.end());
    }
  }

  std::string Name() const override { return name_; }
  Result<Size> OutputSize(Size input) const override {
    PIXFLOW_RETURN_IF_ERROR(valid_);
    return input;
  }
  RowRange Footprint(RowRange out, Size) const override {
    return {out.begin - height_ / 2, out.end + height_ - 1 - height_ / 2};
  }

  void ProcessBand(const Band& band) const override {
    const int width = band.input.width();
    const int channels = band.input.channels();
    const size_t n = band.input.row_elements();
    const int left = width_ / 2;
    const int right = width_ - 1 - left;
    // Each input row is converted and filtered horizontally once per band. Float rows go in
    // chunks of 512 pixels whose converted copy stays in L1 while the taps read it back; on
    // BenchImage (3840x3) sepfilter_7 took 10.8 ms so, 11.1 ms with 2048-pixel chunks and
    // 11.8 ms with whole rows. int16 rows are half the size and ran faster whole (Sobel 3.8 ms
    // against 4.1 ms in 512-pixel chunks).
    const int chunk = std::is_same_v<T, float> ? 512 : width;
    ScratchRows<T> converted(1,
                             static_cast<size_t>(left + std::min(width, chunk) + right) * channels);
    std::vector<const T*> srcs(x_.weights.size());
    for (size_t t = 0; t < x_.offsets.size(); ++t) {
      srcs[t] = converted.Row(0) + static_cast<ptrdiff_t>(left + x_.offsets[t]) * channels;
    }
    const auto filter_row = [&](int y, T* dst) {
      const uint8_t* src = band.InputRow(y, border_);
      for (int x = 0; x < width; x += chunk) {
        const int end = std::min(width, x + chunk);
        kernels::LoadPixels(src, width, channels, x - left, end + right, border_, converted.Row(0));
        // Whole vectors past `end` spill into the next chunk's outputs (rewritten next) or the
        // row's padding.
        Math::Sum(srcs.data(), x_.weights.data(), static_cast<int>(x_.weights.size()),
                  static_cast<size_t>(end - x) * channels,
                  dst + static_cast<ptrdiff_t>(x) * channels);
      }
    };
    RowRing<T> ring(height_ + 1, n);
    std::vector<const T*> rows(height_ + 1);
    std::vector<uint8_t> spare_row(n);
    for (int y = band.output_rows.begin; y < band.output_rows.end; y += 2) {
      // As in Convolve2D: an odd last row is computed as a pair with a discarded partner.
      const bool pair = y + 1 < band.output_rows.end;
      const int last = y + height_ - 1 - height_ / 2;
      const auto row = [&](int y_in) {
        return ring.Get(pair ? y_in : std::min(y_in, last), filter_row);
      };
      uint8_t* dst1 = pair ? band.OutputRow(y + 1) : spare_row.data();
      if constexpr (std::is_same_v<T, float>) {
        if (!symmetric_.empty()) {
          for (int j = 0; j <= height_; ++j) rows[j] = row(y - height_ / 2 + j);
          kernels::SymmetricPairToU8(rows.data(), symmetric_.data(), height_ / 2, delta_, absolute_,
                                     n, band.OutputRow(y), dst1);
          continue;
        }
      }
      Math::PairToU8(plan_.Bind(y, channels, row, rows), static_cast<T>(delta_), absolute_, n,
                     band.OutputRow(y), dst1);
    }
  }

 private:
  std::string name_;
  int width_;
  int height_;
  Taps1D<T> x_;
  PairPlan<T> plan_;
  std::vector<float> symmetric_;  // centre weight first; empty unless used
  float delta_;
  Border border_;
  bool absolute_;
  Status valid_;
};

Status ValidateSeparable(const std::vector<float>& kx, const std::vector<float>& ky, float delta) {
  for (const auto* k : {&kx, &ky}) {
    if (k->empty() || k->size() > static_cast<size_t>(kMaxKernelSide)) {
      return InvalidArgument("separable_convolve: kernels must have 1 to " +
                             std::to_string(kMaxKernelSide) + " taps (got " +
                             std::to_string(kx.size()) + " and " + std::to_string(ky.size()) + ")");
    }
  }
  PIXFLOW_RETURN_IF_ERROR(CheckFinite("separable_convolve", kx, delta));
  return CheckFinite("separable_convolve", ky, delta);
}

// OpenCV's Sobel kernels: ksize - 1 - order binomial smoothings [1 1] and `order` differences
// [-1 1], i.e. the coefficients of (1 + z)^(ksize - 1 - order) * (z - 1)^order.
std::vector<float> SobelKernel(int ksize, int order) {
  std::vector<int> poly = {1};
  const auto multiply = [&poly](int c0, int c1) {  // by c0 + c1 * z
    std::vector<int> next(poly.size() + 1, 0);
    for (size_t i = 0; i < poly.size(); ++i) {
      next[i] += c0 * poly[i];
      next[i + 1] += c1 * poly[i];
    }
    poly = std::move(next);
  };
  for (int i = 0; i < ksize - 1 - order; ++i) multiply(1, 1);
  for (int i = 0; i < order; ++i) multiply(-1, 1);
  return std::vector<float>(poly.begin(), poly.end());
}

Status ValidateSobel(const SobelOptions& o) {
  if (o.ksize < 1 || o.ksize > 31 || o.ksize % 2 == 0) {
    return InvalidArgument("sobel: ksize must be odd, 1 to 31 (got " + std::to_string(o.ksize) +
                           ")");
  }
  if (o.dx < 0 || o.dy < 0 || o.dx + o.dy == 0) {
    return InvalidArgument("sobel: dx and dy must be >= 0, not both 0 (got dx=" +
                           std::to_string(o.dx) + ", dy=" + std::to_string(o.dy) + ")");
  }
  // ksize 1 means a 3-tap difference in the derivative's direction (OpenCV's rule).
  const int size = o.ksize == 1 ? 3 : o.ksize;
  if (o.dx >= size || o.dy >= size) {
    return InvalidArgument(
        "sobel: derivative order must be below the kernel size (got dx=" + std::to_string(o.dx) +
        ", dy=" + std::to_string(o.dy) + ", ksize=" + std::to_string(o.ksize) + ")");
  }
  if (!std::isfinite(o.scale) || !std::isfinite(o.delta)) {
    return InvalidArgument("sobel: scale and delta must be finite");
  }
  return Status::Ok();
}

// Builds the separable filter in the arithmetic its kernels allow.
std::unique_ptr<Filter> MakeSeparable(std::string name, std::vector<float> kx,
                                      std::vector<float> ky, float delta, Border border,
                                      bool absolute, Status valid) {
  if (valid.ok() && ExactInInt16(kx, ky, delta)) {
    return std::make_unique<SeparableConvolve<Int16Math>>(
        std::move(name), std::move(kx), std::move(ky), delta, border, absolute, std::move(valid));
  }
  return std::make_unique<SeparableConvolve<FloatMath>>(
      std::move(name), std::move(kx), std::move(ky), delta, border, absolute, std::move(valid));
}

}  // namespace

std::unique_ptr<Filter> MakeConvolve(Kernel2D kernel, float delta, Border border) {
  if (ExactInInt16(kernel.weights, delta)) {
    return std::make_unique<Convolve2D<Int16Math>>(std::move(kernel), delta, border);
  }
  return std::make_unique<Convolve2D<FloatMath>>(std::move(kernel), delta, border);
}

std::unique_ptr<Filter> MakeSeparableConvolve(std::vector<float> kx, std::vector<float> ky,
                                              float delta, Border border) {
  Status valid = ValidateSeparable(kx, ky, delta);
  std::string name =
      "separable_convolve(" + std::to_string(kx.size()) + "x" + std::to_string(ky.size()) + ")";
  return MakeSeparable(std::move(name), std::move(kx), std::move(ky), delta, border,
                       /*absolute=*/false, std::move(valid));
}

std::unique_ptr<Filter> MakeSobel(SobelOptions o) {
  Status valid = ValidateSobel(o);
  std::vector<float> kx = {0.0f};
  std::vector<float> ky = {0.0f};
  if (valid.ok()) {
    kx = SobelKernel(o.ksize == 1 && o.dx > 0 ? 3 : o.ksize, o.dx);
    ky = SobelKernel(o.ksize == 1 && o.dy > 0 ? 3 : o.ksize, o.dy);
    // Like cv::Sobel, scale the smoothing kernel when there is one to scale.
    for (float& w : o.dx == 0 ? kx : ky) w = static_cast<float>(w * o.scale);
  }
  std::string name = "sobel(dx=" + std::to_string(o.dx) + ", dy=" + std::to_string(o.dy) +
                     ", ksize=" + std::to_string(o.ksize) + (o.absolute ? ", absolute" : "") + ")";
  return MakeSeparable(std::move(name), std::move(kx), std::move(ky), static_cast<float>(o.delta),
                       Border::kReflect101, o.absolute, std::move(valid));
}

}  // namespace pixflow
