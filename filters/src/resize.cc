// The resize filter: validation, names, and the weight tables each input shape needs; the
// pixels are produced band by band in resize_bands.cc.
#include "pixflow/filters/resize.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "resize_bands.h"

namespace pixflow {
namespace {

constexpr int kMaxSide = 65535;
// The largest downscale factor per axis. Every input pixel under an output pixel is a tap, so
// the factor bounds the weight tables and the rows one output row reads (Lanczos: 6 * 65535).
constexpr int kMaxDownscale = 65535;
constexpr ResizeKernel kAllKernels[] = {ResizeKernel::kNearest, ResizeKernel::kBilinear,
                                        ResizeKernel::kBicubic, ResizeKernel::kLanczos3,
                                        ResizeKernel::kArea};

class ResizeFilter final : public Filter {
 public:
  ResizeFilter(int width, int height, ResizeOptions options)
      : width_(width), height_(height), options_(options) {}

  std::string Name() const override {
    std::string name = "resize(" + std::to_string(width_) + "x" + std::to_string(height_) + ", " +
                       ResizeKernelName(options_.kernel);
    if (!options_.alpha_aware) name += ", alpha_aware=false";
    return name + ")";
  }

  Result<Size> OutputSize(Size input) const override {
    PIXFLOW_RETURN_IF_ERROR(CheckShape(input, "resize: input"));
    for (const auto& [side, value] : {std::pair{"width", width_}, std::pair{"height", height_}}) {
      if (value < 1 || value > kMaxSide) {
        return InvalidArgument(std::string("resize: ") + side + " must be in [1, " +
                               std::to_string(kMaxSide) + "] (got " + std::to_string(value) + ")");
      }
    }
    for (const auto& [side, in, out] :
         {std::tuple{"width", input.width, width_}, std::tuple{"height", input.height, height_}}) {
      if (in > static_cast<long long>(out) * kMaxDownscale) {
        return InvalidArgument(std::string("resize: ") + side + " " + std::to_string(in) + " -> " +
                               std::to_string(out) + " is a downscale by more than the largest " +
                               "factor, " + std::to_string(kMaxDownscale));
      }
    }
    if (static_cast<long long>(width_) * height_ > kMaxResizeOutputPixels) {
      return InvalidArgument("resize: output " + std::to_string(width_) + "x" +
                             std::to_string(height_) + " exceeds the limit of " +
                             std::to_string(kMaxResizeOutputPixels) + " pixels");
    }
    return Size{width_, height_, input.channels};
  }

  RowRange Footprint(RowRange out, Size input) const override {
    if (out.size() <= 0) return {out.begin, out.begin};
    const std::shared_ptr<const resize::Tables> tables = TablesFor(input);
    RowRange rows{input.height, 0};
    for (int y = out.begin; y < out.end; ++y) {
      int first = 0;
      int end = 0;
      if (options_.kernel == ResizeKernel::kNearest) {
        first = tables->nearest_y[static_cast<size_t>(y)];
        end = first + 1;
      } else {
        first = tables->y.first[static_cast<size_t>(y)];
        end = first + tables->y.count[static_cast<size_t>(y)];
      }
      rows.begin = std::min(rows.begin, first);
      rows.end = std::max(rows.end, end);
    }
    return rows;
  }

  void ProcessBand(const Band& band) const override {
    const Size input{band.input.width(), band.input_height, band.input.channels()};
    if (input.width == width_ && input.height == height_) return resize::CopyBand(band);
    const std::shared_ptr<const resize::Tables> tables = TablesFor(input);
    if (options_.kernel == ResizeKernel::kNearest) return resize::NearestBand(band, *tables);
    const bool alpha = options_.alpha_aware && (input.channels == 2 || input.channels == 4);
    if (height_ > input.height) {
      resize::HorizontalFirstBand(band, *tables, alpha);
    } else {
      resize::VerticalFirstBand(band, *tables, alpha);
    }
  }

 private:
  // The tables depend only on the input shape and cost as much as filtering a few bands to
  // build, so every band of an image shares one build. The last input shape's tables are kept:
  // a batch of same-sized images builds them once. This memo never changes a result, only how
  // often it is computed; it is the filter's only state, behind a mutex.
  std::shared_ptr<const resize::Tables> TablesFor(Size input) const {
    std::lock_guard lock(mutex_);
    if (cached_ && cached_->input == input) return cached_;
    auto tables = std::make_shared<resize::Tables>();
    tables->input = input;
    if (options_.kernel == ResizeKernel::kNearest) {
      tables->nearest_x = resize::NearestIndices(input.width, width_);
      tables->nearest_y = resize::NearestIndices(input.height, height_);
    } else {
      tables->x = resize::BuildAxisWeights(options_.kernel, input.width, width_);
      tables->y = resize::BuildAxisWeights(options_.kernel, input.height, height_);
      if (!tables->x.identity) tables->plan = resize::PlanHorizontal(tables->x, input.channels);
    }
    cached_ = tables;
    return tables;
  }

  int width_;
  int height_;
  ResizeOptions options_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const resize::Tables> cached_;
};

}  // namespace

const char* ResizeKernelName(ResizeKernel kernel) {
  switch (kernel) {
    case ResizeKernel::kNearest:
      return "nearest";
    case ResizeKernel::kBilinear:
      return "bilinear";
    case ResizeKernel::kBicubic:
      return "bicubic";
    case ResizeKernel::kLanczos3:
      return "lanczos3";
    case ResizeKernel::kArea:
      return "area";
  }
  return "unknown";
}

Result<ResizeKernel> ParseResizeKernel(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string valid;
  for (ResizeKernel kernel : kAllKernels) {
    if (lower == ResizeKernelName(kernel)) return kernel;
    valid += (valid.empty() ? "" : ", ") + std::string(ResizeKernelName(kernel));
  }
  return InvalidArgument("resize: unknown kernel \"" + std::string(name) + "\" (valid: " + valid +
                         ")");
}

std::unique_ptr<Filter> MakeResize(int width, int height, ResizeOptions options) {
  return std::make_unique<ResizeFilter>(width, height, options);
}

}  // namespace pixflow
