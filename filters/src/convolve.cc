// Gaussian blur and unsharp mask. Both run OpenCV's 8-bit Gaussian exactly: Q8 integer weights
// that sum to 256, a vertical pass whose sums stay exact (<= 256 * 255) and a horizontal pass
// whose sums stay below 2^24, rounded once at the end, (sum + 2^15) >> 16. Integer arithmetic has
// no evaluation order, so the passes run vertical first, straight from the input rows: no ring
// of filtered rows, and each output row's working set is 2r + 1 input rows and one float row.
#include "pixflow/filters/convolve.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "convolve_kernels.h"

namespace pixflow {
namespace {

// Beyond this the kernel (6 * sigma + 1 taps) stops being a blur of the image and becomes a
// blur of its reflections; the limit also keeps every size well inside int.
constexpr double kMaxSigma = 1000.0;

std::string Format(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

Status CheckSigma(const char* op, double sigma) {
  if (!(sigma > 0)) {
    return InvalidArgument(std::string(op) + ": sigma must be > 0 (got " + Format(sigma) + ")");
  }
  if (!(sigma <= kMaxSigma)) {
    return InvalidArgument(std::string(op) + ": sigma must be at most " + Format(kMaxSigma) +
                           " (got " + Format(sigma) + ")");
  }
  return Status::Ok();
}

// OpenCV's getGaussianKernelBitExact followed by getGaussianKernelFixedPoint_ED, step for step
// in double (OpenCV uses softdouble, which is IEEE double; only its exp may differ by an ulp, too
// little to move a rounding in practice, and the tests compare the results with OpenCV's).
// The side weights are rounded to Q8 from the outside in, each carrying the previous rounding
// error forward, and the centre takes whatever makes the sum exactly 256.
std::vector<uint16_t> GaussianWeightsQ8(double sigma) {
  const int ksize = static_cast<int>(std::nearbyint(sigma * 3 * 2 + 1)) | 1;
  const int half = ksize / 2;
  const double scale2x = -0.125 / (sigma * sigma);  // x below runs over twice the tap offset
  std::vector<double> values(half);
  double sum = 0;
  for (int i = 0, x = 1 - ksize; i < half; ++i, x += 2) {
    values[i] = std::exp(static_cast<double>(x * x) * scale2x);
    sum += values[i];
  }
  sum *= 2;
  sum += 1;
  const double normalise = 1 / sum;
  std::vector<uint16_t> weights(ksize);
  double error = 0;
  int total = 0;
  for (int i = 0; i < half; ++i) {
    const double wanted = values[i] * normalise * 256 + error;
    const double rounded = std::nearbyint(wanted);  // cvRound: half to even
    error = wanted - rounded;
    weights[i] = weights[ksize - 1 - i] = static_cast<uint16_t>(rounded);
    total += static_cast<int>(rounded);
  }
  weights[half] = static_cast<uint16_t>(256 - 2 * total);
  return weights;
}

// The Gaussian pass both filters run, per output row.
class GaussianRows {
 public:
  GaussianRows(double sigma, Border border) : border_(border) {
    if (!CheckSigma("", sigma).ok()) return;  // the filter reports it from OutputSize
    std::vector<uint16_t> weights = GaussianWeightsQ8(sigma);
    // Outer taps that rounded to 0 contribute nothing: drop them (sigma 0.3 is a copy).
    size_t first = 0;
    while (weights[first] == 0) ++first;
    weights_.assign(weights.begin() + first, weights.end() - first);
    radius_ = static_cast<int>(weights_.size() / 2);
    float_weights_.assign(weights_.begin(), weights_.end());
  }

  int radius() const { return radius_; }

  // Scratch for one band.
  struct Scratch {
    kernels::FloatRow column;
    std::vector<const uint8_t*> rows;
  };
  Scratch MakeScratch(const Band& band) const {
    const size_t halo = static_cast<size_t>(radius_) * band.input.channels();
    return {kernels::FloatRow(band.input.row_elements() + 2 * halo),
            std::vector<const uint8_t*>(2 * radius_ + 1)};
  }

  // Writes the blurred output row `y` to dst (width * channels bytes).
  void BlurRow(const Band& band, int y, Scratch& scratch, uint8_t* dst) const {
    const int width = band.input.width();
    const int channels = band.input.channels();
    const size_t n = band.input.row_elements();
    for (int k = 0; k <= 2 * radius_; ++k)
      scratch.rows[k] = band.InputRow(y + k - radius_, border_);
    float* column = scratch.column.data() + static_cast<size_t>(radius_) * channels;
    kernels::SymmetricColumnQ8(scratch.rows.data(), weights_.data(), radius_, n, column);
    // Extend the vertically filtered row sideways by the border rule, pixel by pixel.
    const auto copy_pixel = [&](int x) {
      const float* from = column + static_cast<ptrdiff_t>(MapBorder(x, width, border_)) * channels;
      float* to = column + static_cast<ptrdiff_t>(x) * channels;
      for (int c = 0; c < channels; ++c) to[c] = from[c];
    };
    for (int x = 1; x <= radius_; ++x) {
      copy_pixel(-x);
      copy_pixel(width - 1 + x);
    }
    kernels::SymmetricRowQ8ToU8(column, float_weights_.data(), radius_, channels, n, dst);
  }

 private:
  Border border_;
  int radius_ = 0;
  std::vector<uint16_t> weights_;
  std::vector<float> float_weights_;
};

class GaussianBlur final : public Filter {
 public:
  GaussianBlur(double sigma, Border border) : sigma_(sigma), rows_(sigma, border) {}

  std::string Name() const override { return "gaussian_blur(sigma=" + Format(sigma_) + ")"; }
  Result<Size> OutputSize(Size input) const override {
    PIXFLOW_RETURN_IF_ERROR(CheckSigma("gaussian_blur", sigma_));
    return input;
  }
  RowRange Footprint(RowRange out, Size) const override {
    return {out.begin - rows_.radius(), out.end + rows_.radius()};
  }
  void ProcessBand(const Band& band) const override {
    GaussianRows::Scratch scratch = rows_.MakeScratch(band);
    for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
      rows_.BlurRow(band, y, scratch, band.OutputRow(y));
    }
  }

 private:
  double sigma_;
  GaussianRows rows_;
};

class UnsharpMask final : public Filter {
 public:
  UnsharpMask(double sigma, double amount, int threshold)
      : sigma_(sigma), amount_(amount), threshold_(threshold), rows_(sigma, Border::kReflect101) {}

  std::string Name() const override {
    return "unsharp_mask(sigma=" + Format(sigma_) + ", amount=" + Format(amount_) +
           ", threshold=" + std::to_string(threshold_) + ")";
  }
  Result<Size> OutputSize(Size input) const override {
    PIXFLOW_RETURN_IF_ERROR(CheckSigma("unsharp_mask", sigma_));
    if (!std::isfinite(amount_)) {
      return InvalidArgument("unsharp_mask: amount must be finite (got " + Format(amount_) + ")");
    }
    if (threshold_ < 0 || threshold_ > 255) {
      return InvalidArgument("unsharp_mask: threshold must be in 0..255 (got " +
                             std::to_string(threshold_) + ")");
    }
    return input;
  }
  RowRange Footprint(RowRange out, Size) const override {
    return {out.begin - rows_.radius(), out.end + rows_.radius()};
  }
  // One band pass: each blurred row lives only in a row buffer (in cache) until it is used.
  void ProcessBand(const Band& band) const override {
    GaussianRows::Scratch scratch = rows_.MakeScratch(band);
    std::vector<uint8_t> blurred(band.input.row_elements());
    for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
      rows_.BlurRow(band, y, scratch, blurred.data());
      kernels::UnsharpRow(band.InputRow(y), blurred.data(), static_cast<float>(amount_), threshold_,
                          blurred.size(), band.OutputRow(y));
    }
  }

 private:
  double sigma_;
  double amount_;
  int threshold_;
  GaussianRows rows_;
};

}  // namespace

std::unique_ptr<Filter> MakeGaussianBlur(double sigma, Border border) {
  return std::make_unique<GaussianBlur>(sigma, border);
}

std::unique_ptr<Filter> MakeUnsharpMask(double sigma, double amount, int threshold) {
  return std::make_unique<UnsharpMask>(sigma, amount, threshold);
}

}  // namespace pixflow
