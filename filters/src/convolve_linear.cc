// Convolution with caller-supplied kernels: dense 2-D (cv::filter2D), separable
// (cv::sepFilter2D) and the Sobel derivatives built on the separable one. Input rows are
// converted once per band and kept in a ring for the kernel-height output rows that read them.
//
// The arithmetic is float, like OpenCV's, unless every weight and the delta are integers small
// enough that no sum can leave int16 (Sobel, sharpening, Laplacians): then it is int16, which is
// exact, so its results equal the float path's (exact too on integers below 2^24) while each
// vector carries twice the pixels. Zero taps are skipped; a multiply-add with weight 0 leaves the
// sum unchanged, so that changes no result either.
#include <hwy/aligned_allocator.h>

#include <climits>
#include <cmath>
#include <string>
#include <vector>

#include "convolve_kernels.h"
#include "pixflow/filters/convolve.h"

namespace pixflow {
namespace {

// Larger kernels are better served by an FFT; the limit keeps sizes and tap lists modest.
constexpr int kMaxKernelSide = 1024;

struct FloatMath {
  using T = float;
  static void Sum(const T* const* srcs, const T* weights, int taps, size_t n, T* dst) {
    kernels::TapSumToF32(srcs, weights, taps, n, dst);
  }
  static void SumToU8(const T* const* srcs, const T* weights, int taps, T delta, bool absolute,
                      size_t n, uint8_t* dst) {
    kernels::TapSumToU8(srcs, weights, taps, delta, absolute, n, dst);
  }
};

struct Int16Math {
  using T = int16_t;
  static void Sum(const T* const* srcs, const T* weights, int taps, size_t n, T* dst) {
    kernels::TapSumI16(srcs, weights, taps, n, dst);
  }
  static void SumToU8(const T* const* srcs, const T* weights, int taps, T delta, bool absolute,
                      size_t n, uint8_t* dst) {
    kernels::TapSumI16ToU8(srcs, weights, taps, delta, absolute, n, dst);
  }
};

// Scratch rows of T, each 64-byte aligned with room for one more whole vector (at most 64
// bytes) after `elements`, zeroed so that room never holds garbage.
template <class T>
class ScratchRows {
 public:
  ScratchRows(int count, size_t elements)
      : stride_((elements + 2 * kPad + kPad - 1) / kPad * kPad),
        storage_(hwy::AllocateAligned<T>(stride_ * count)) {
    std::fill_n(storage_.get(), stride_ * count, T{0});
  }
  T* Row(int i) { return storage_.get() + stride_ * i; }

 private:
  static constexpr size_t kPad = 64 / sizeof(T);
  size_t stride_;
  hwy::AlignedFreeUniquePtr<T[]> storage_;
};

// Rows of a band's input, each prepared once (converted, padded, perhaps filtered) and kept while
// the `size` consecutive output rows that read it are computed.
template <class T>
class RowRing {
 public:
  RowRing(int size, size_t elements) : rows_(size, elements), tags_(size, INT_MIN) {}
  // Input row `y` (image coordinates, not yet mapped by the border), made by fill(y, dst) the
  // first time it is asked for. Any `size` consecutive rows are held at once.
  template <class Fill>
  T* Get(int y, const Fill& fill) {
    const int size = static_cast<int>(tags_.size());
    const int slot = ((y % size) + size) % size;
    if (tags_[slot] != y) {
      fill(y, rows_.Row(slot));
      tags_[slot] = y;
    }
    return rows_.Row(slot);
  }

 private:
  ScratchRows<T> rows_;
  std::vector<int> tags_;
};

bool AllIntegers(const std::vector<float>& values) {
  for (float v : values) {
    if (v != std::nearbyint(v)) return false;
  }
  return true;
}

double AbsSum(const std::vector<float>& values) {
  double sum = 0;
  for (float v : values) sum += std::fabs(v);
  return sum;
}

// int16 exactness: the largest |partial sum| a kernel can reach on 8-bit input stays <= 32767.
bool ExactInInt16(const std::vector<float>& weights, float delta) {
  return AllIntegers(weights) && AllIntegers({delta}) &&
         255.0 * AbsSum(weights) + std::fabs(delta) <= 32767.0;
}
bool ExactInInt16(const std::vector<float>& kx, const std::vector<float>& ky, float delta) {
  const double row_bound = 255.0 * AbsSum(kx);
  return AllIntegers(kx) && AllIntegers(ky) && AllIntegers({delta}) && row_bound <= 32767.0 &&
         AbsSum(ky) * row_bound + std::fabs(delta) <= 32767.0;
}

template <class T>
std::vector<T> Cast(const std::vector<float>& values) {
  return std::vector<T>(values.begin(), values.end());
}

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
    // Row-major order, OpenCV's summation order.
    for (int j = 0; j < kernel_.height; ++j) {
      for (int i = 0; i < kernel_.width; ++i) {
        const float w = kernel_.weights[static_cast<size_t>(j) * kernel_.width + i];
        if (w != 0) taps_.push_back({j, i, w});
      }
    }
    for (const Tap& tap : taps_) weights_.push_back(static_cast<T>(tap.weight));
  }

  std::string Name() const override {
    return "convolve(" + std::to_string(kernel_.width) + "x" + std::to_string(kernel_.height) +
           ")";
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
    RowRing<T> ring(kernel_.height, static_cast<size_t>(left + width + right) * channels);
    const auto load = [&](int y, T* dst) {
      kernels::LoadPaddedRow(band.InputRow(y, border_), width, channels, left, right, border_,
                             dst);
    };
    std::vector<const T*> rows(kernel_.height);
    std::vector<const T*> srcs(taps_.size());
    for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
      for (int j = 0; j < kernel_.height; ++j) rows[j] = ring.Get(y + j - anchor_y_, load);
      for (size_t t = 0; t < taps_.size(); ++t) {
        srcs[t] = rows[taps_[t].row] + static_cast<ptrdiff_t>(taps_[t].column) * channels;
      }
      Math::SumToU8(srcs.data(), weights_.data(), static_cast<int>(taps_.size()),
                    static_cast<T>(delta_), /*absolute=*/false, band.input.row_elements(),
                    band.OutputRow(y));
    }
  }

 private:
  struct Tap {
    int row;
    int column;
    float weight;
  };

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
  std::vector<Tap> taps_;
  std::vector<T> weights_;
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
        y_(ky),
        delta_(delta),
        border_(border),
        absolute_(absolute),
        valid_(std::move(valid)) {
    // An all-zero row kernel still has to produce rows of zeros.
    if (x_.weights.empty()) {
      x_.offsets.push_back(0);
      x_.weights.push_back(T{0});
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
    ScratchRows<T> padded(1, static_cast<size_t>(left + width + right) * channels);
    std::vector<const T*> srcs(x_.weights.size());
    // Each input row is converted and filtered horizontally once per band.
    const auto filter_row = [&](int y, T* dst) {
      kernels::LoadPaddedRow(band.InputRow(y, border_), width, channels, left, right, border_,
                             padded.Row(0));
      for (size_t t = 0; t < x_.offsets.size(); ++t) {
        srcs[t] = padded.Row(0) + static_cast<ptrdiff_t>(left + x_.offsets[t]) * channels;
      }
      Math::Sum(srcs.data(), x_.weights.data(), static_cast<int>(x_.weights.size()), n, dst);
    };
    RowRing<T> ring(height_, n);
    std::vector<const T*> rows(y_.offsets.size());
    for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
      for (size_t t = 0; t < y_.offsets.size(); ++t) rows[t] = ring.Get(y + y_.offsets[t], filter_row);
      Math::SumToU8(rows.data(), y_.weights.data(), static_cast<int>(y_.weights.size()),
                    static_cast<T>(delta_), absolute_, n, band.OutputRow(y));
    }
  }

 private:
  std::string name_;
  int width_;
  int height_;
  Taps1D<T> x_;
  Taps1D<T> y_;
  float delta_;
  Border border_;
  bool absolute_;
  Status valid_;
};

Status ValidateSeparable(const std::vector<float>& kx, const std::vector<float>& ky,
                         float delta) {
  for (const auto* k : {&kx, &ky}) {
    if (k->empty() || k->size() > static_cast<size_t>(kMaxKernelSide)) {
      return InvalidArgument("separable_convolve: kernels must have 1 to " +
                             std::to_string(kMaxKernelSide) + " taps (got " +
                             std::to_string(kx.size()) + " and " + std::to_string(ky.size()) +
                             ")");
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
    return InvalidArgument("sobel: derivative order must be below the kernel size (got dx=" +
                           std::to_string(o.dx) + ", dy=" + std::to_string(o.dy) +
                           ", ksize=" + std::to_string(o.ksize) + ")");
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
    return std::make_unique<SeparableConvolve<Int16Math>>(std::move(name), std::move(kx),
                                                          std::move(ky), delta, border, absolute,
                                                          std::move(valid));
  }
  return std::make_unique<SeparableConvolve<FloatMath>>(std::move(name), std::move(kx),
                                                        std::move(ky), delta, border, absolute,
                                                        std::move(valid));
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
  std::string name = "separable_convolve(" + std::to_string(kx.size()) + "x" +
                     std::to_string(ky.size()) + ")";
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
                     ", ksize=" + std::to_string(o.ksize) + (o.absolute ? ", absolute" : "") +
                     ")";
  return MakeSeparable(std::move(name), std::move(kx), std::move(ky), static_cast<float>(o.delta),
                       Border::kReflect101, o.absolute, std::move(valid));
}

}  // namespace pixflow
