// Geometry filters. Crop and the mirrors read one input row per output row; the quarter turns and
// the transpose read a column of the input per output row, so their footprint is the whole input
// and the kernel walks it in cache-sized tiles (geometry_kernels.cc).
#include "pixflow/filters/geometry.h"

#include <cstring>
#include <string>

#include "geometry_kernels.h"

namespace pixflow {
namespace {

std::string Rectangle(int x, int y, int width, int height) {
  return std::to_string(width) + "x" + std::to_string(height) + "+" + std::to_string(x) + "+" +
         std::to_string(y);
}

void CopyRow(const uint8_t* src, size_t bytes, uint8_t* dst) { std::memcpy(dst, src, bytes); }

class CropFilter final : public Filter {
 public:
  CropFilter(int x, int y, int width, int height) : x_(x), y_(y), width_(width), height_(height) {}

  std::string Name() const override { return "crop(" + Rectangle(x_, y_, width_, height_) + ")"; }

  Result<Size> OutputSize(Size input) const override {
    if (width_ <= 0 || height_ <= 0) {
      return InvalidArgument("crop: rectangle " + Rectangle(x_, y_, width_, height_) + " is empty");
    }
    // In 64 bits: x + width may not fit in an int.
    const bool inside = x_ >= 0 && y_ >= 0 && int64_t{x_} + width_ <= input.width &&
                        int64_t{y_} + height_ <= input.height;
    if (!inside) {
      return InvalidArgument("crop: rectangle " + Rectangle(x_, y_, width_, height_) +
                             " is not inside the image " +
                             Rectangle(0, 0, input.width, input.height));
    }
    return Size{width_, height_, input.channels};
  }

  RowRange Footprint(RowRange out, Size /*input*/) const override {
    return {out.begin + y_, out.end + y_};
  }

  void ProcessBand(const Band& band) const override {
    const int channels = band.input.channels();
    const size_t bytes = band.output.row_elements();
    for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
      CopyRow(band.InputRow(y + y_) + static_cast<size_t>(x_) * channels, bytes, band.OutputRow(y));
    }
  }

 private:
  int x_, y_, width_, height_;
};

// Flip, flop and rotate 180: output row y is input row y or height - 1 - y, copied as it is or
// with its pixels in reverse order.
class MirrorFilter final : public Filter {
 public:
  MirrorFilter(std::string name, bool flip_rows, bool reverse_pixels)
      : name_(std::move(name)), flip_rows_(flip_rows), reverse_pixels_(reverse_pixels) {}

  std::string Name() const override { return name_; }
  Result<Size> OutputSize(Size input) const override { return input; }

  RowRange Footprint(RowRange out, Size input) const override {
    if (!flip_rows_) return out;
    return {input.height - out.end, input.height - out.begin};
  }

  void ProcessBand(const Band& band) const override {
    const int width = band.output.width();
    const int channels = band.output.channels();
    // Rows go in the order that makes the input one continuous stream of addresses (ascending
    // rows read forwards, descending rows read backwards): the prefetchers then keep up, and
    // each mirror ran at memcpy speed instead of 0.5-0.7 of it (3840x2160x3, Zen 5).
    const bool descending = flip_rows_ != reverse_pixels_;
    for (int i = band.output_rows.begin; i < band.output_rows.end; ++i) {
      const int y = descending ? band.output_rows.end - 1 - (i - band.output_rows.begin) : i;
      const uint8_t* src = band.InputRow(flip_rows_ ? band.input_height - 1 - y : y);
      if (reverse_pixels_) {
        kernels::ReversePixels(src, static_cast<size_t>(width), channels, band.OutputRow(y));
      } else {
        CopyRow(src, band.output.row_elements(), band.OutputRow(y));
      }
    }
  }

 private:
  std::string name_;
  bool flip_rows_;
  bool reverse_pixels_;
};

// Transpose and the quarter turns: out(x, y) = in(row(x), column(y)). Output row y needs input
// column y (or its mirror) from every input row, so the footprint is the whole input.
class TransposeFilter final : public Filter {
 public:
  TransposeFilter(std::string name, bool flip_rows, bool flip_columns)
      : name_(std::move(name)), flip_rows_(flip_rows), flip_columns_(flip_columns) {}

  std::string Name() const override { return name_; }
  Result<Size> OutputSize(Size input) const override {
    return Size{input.height, input.width, input.channels};
  }
  RowRange Footprint(RowRange /*out*/, Size input) const override { return {0, input.height}; }

  void ProcessBand(const Band& band) const override {
    kernels::TransposePixels(band.input, band.output, band.output_rows.begin, flip_rows_,
                             flip_columns_);
  }

 private:
  std::string name_;
  bool flip_rows_;
  bool flip_columns_;
};

// Reports a rotation by an angle that is not a multiple of 90 when the filter is planned.
class InvalidRotateFilter final : public Filter {
 public:
  explicit InvalidRotateFilter(int degrees) : degrees_(degrees) {}
  std::string Name() const override { return "rotate(" + std::to_string(degrees_) + ")"; }
  Result<Size> OutputSize(Size /*input*/) const override {
    return InvalidArgument("rotate: degrees must be a multiple of 90 (got " +
                           std::to_string(degrees_) + ")");
  }
  RowRange Footprint(RowRange out, Size /*input*/) const override { return out; }
  void ProcessBand(const Band& /*band*/) const override {}

 private:
  int degrees_;
};

}  // namespace

std::unique_ptr<Filter> MakeCrop(int x, int y, int width, int height) {
  return std::make_unique<CropFilter>(x, y, width, height);
}

std::unique_ptr<Filter> MakeFlip() { return std::make_unique<MirrorFilter>("flip", true, false); }

std::unique_ptr<Filter> MakeFlop() { return std::make_unique<MirrorFilter>("flop", false, true); }

std::unique_ptr<Filter> MakeRotate(int degrees) {
  if (degrees % 90 != 0) return std::make_unique<InvalidRotateFilter>(degrees);
  const std::string name = "rotate(" + std::to_string(degrees) + ")";
  switch ((degrees % 360 + 360) % 360) {
    case 90:
      return std::make_unique<TransposeFilter>(name, true, false);
    case 180:
      return std::make_unique<MirrorFilter>(name, true, true);
    case 270:
      return std::make_unique<TransposeFilter>(name, false, true);
    default:
      return std::make_unique<MirrorFilter>(name, false, false);
  }
}

std::unique_ptr<Filter> MakeTranspose() {
  return std::make_unique<TransposeFilter>("transpose", false, false);
}

}  // namespace pixflow
