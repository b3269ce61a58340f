#include "interchange.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace pixflow::io::internal {
namespace {

// Rows requested from libvips per step when copying out. Sequential loaders decode in strips
// of 8-16 rows and keep a small window; 64 amortises the per-request overhead without holding
// more than a few strips.
constexpr int kRowsPerRequest = 64;

VipsImagePtr Ref(VipsImage* image) {
  g_object_ref(image);
  return VipsImagePtr(image);
}

// One libvips step: out = step(in), or the Status naming `name`.
template <typename Step>
Result<VipsImagePtr> Apply(VipsImagePtr in, const std::string& name, const char* what, Step step) {
  VipsImage* out = nullptr;
  if (step(in.get(), &out) != 0) return VipsFailure(StatusCode::kDecodeError, name + ": " + what);
  return VipsImagePtr(out);
}

// Visits the rows of `image` top to bottom, computing them in the calling thread: pixflow runs
// many decodes in parallel itself, and keeping libvips off its worker threads is what lets
// CodecMessages attribute each warning to its file.
template <typename RowFn>
Status ForEachRow(VipsImage* image, const std::string& name, RowFn row_fn) {
  std::unique_ptr<VipsRegion, GObjectUnref> region(vips_region_new(image));
  if (!region) return VipsFailure(StatusCode::kInternal, name + ": decode");
  const int width = vips_image_get_width(image);
  const int height = vips_image_get_height(image);
  for (int y = 0; y < height; y += kRowsPerRequest) {
    VipsRect rect{0, y, width, std::min(kRowsPerRequest, height - y)};
    if (vips_region_prepare(region.get(), &rect) != 0) {
      return VipsFailure(StatusCode::kDecodeError, name);
    }
    for (int row = rect.top; row < rect.top + rect.height; ++row) {
      row_fn(row, reinterpret_cast<const uint8_t*>(VIPS_REGION_ADDR(region.get(), 0, row)));
    }
  }
  return Status::Ok();
}

// Takes an image's rows top to bottom and hands on the averages of its box x box blocks, one
// output row per `box` input rows; a partial block at the right or bottom edge is dropped. With
// a box of 1 the rows pass through untouched.
class BoxRows {
 public:
  BoxRows(int width, int height, int bands, int box)
      : bands_(bands),
        box_(box),
        width_(width / box),
        height_(height / box),
        sums_(box > 1 ? static_cast<size_t>(width_) * box * bands : 0),
        averaged_(box > 1 ? static_cast<size_t>(width_) * bands : 0) {}

  int width() const { return width_; }
  int height() const { return height_; }

  // Adds input row `y`; calls deliver(output_y, row) for each output row it completes.
  template <typename Deliver>
  void Add(int y, const uint8_t* row, Deliver deliver) {
    if (box_ == 1) {
      deliver(y, row);
      return;
    }
    if (y / box_ >= height_) return;
    // Columns in whole blocks only; the vertical sums vectorise, being one contiguous run.
    if (y % box_ == 0) {
      std::copy(row, row + sums_.size(), sums_.begin());
    } else {
      for (size_t i = 0; i < sums_.size(); ++i) sums_[i] += row[i];
    }
    if (y % box_ != box_ - 1) return;
    const uint32_t area = static_cast<uint32_t>(box_) * static_cast<uint32_t>(box_);
    for (int x = 0; x < width_; ++x) {
      for (int c = 0; c < bands_; ++c) {
        const uint32_t* block = &sums_[static_cast<size_t>(x) * box_ * bands_ + c];
        uint32_t total = 0;
        for (int dx = 0; dx < box_; ++dx) total += block[static_cast<size_t>(dx) * bands_];
        averaged_[static_cast<size_t>(x) * bands_ + c] =
            static_cast<uint8_t>((total + area / 2) / area);
      }
    }
    deliver(y / box_, averaged_.data());
  }

 private:
  int bands_;
  int box_;
  int width_;
  int height_;
  std::vector<uint32_t> sums_;     // the current block row's column sums
  std::vector<uint8_t> averaged_;  // the output row being delivered
};

// Into aligned rows, box-averaged as they arrive, with no packed copy of the whole image in
// between.
Result<Image8> CopyOut(VipsImage* image, int box, const std::string& name) {
  const int bands = vips_image_get_bands(image);
  BoxRows rows(vips_image_get_width(image), vips_image_get_height(image), bands, box);
  PIXFLOW_ASSIGN_OR_RETURN(Image8 pixels, Image8::Create(rows.width(), rows.height(), bands));
  const size_t row_bytes = pixels.view().row_elements();
  PIXFLOW_RETURN_IF_ERROR(ForEachRow(image, name, [&](int y, const uint8_t* row) {
    rows.Add(y, row, [&](int out_y, const uint8_t* out) {
      std::memcpy(pixels.Row(out_y), out, row_bytes);
    });
  }));
  return pixels;
}

}  // namespace

Result<Interchange> ToInterchange(VipsImage* loaded, bool keep_icc, const std::string& name) {
  const VipsInterpretation space = vips_image_guess_interpretation(loaded);
  const bool grey = space == VIPS_INTERPRETATION_B_W || space == VIPS_INTERPRETATION_GREY16;
  const bool cmyk = space == VIPS_INTERPRETATION_CMYK;
  const bool has_icc = vips_image_get_typeof(loaded, VIPS_META_ICC_NAME) != 0;
  Interchange result;
  result.icc_kept = has_icc && keep_icc && !cmyk;
  VipsImagePtr image = Ref(loaded);
  if (has_icc && !grey && !result.icc_kept) {
    PIXFLOW_ASSIGN_OR_RETURN(
        image,
        Apply(std::move(image), name, "embedded ICC profile", [](VipsImage* in, VipsImage** out) {
          // Relative colorimetric, libvips' default: in-gamut colours stay exact.
          return vips_icc_transform(in, out, "srgb", "embedded", TRUE, "depth", 8, nullptr);
        }));
  }
  // CMYK without a profile goes through libvips' built-in CMYK profile here; 16-bit is scaled
  // (not clipped) to 8; palette and 1-bit images arrive from the loaders already expanded.
  const VipsInterpretation target = grey ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
  // Already there, libvips would add a copy stage, and every stage between the loader and our
  // rows costs a zeroed strip buffer per request on a thread that is not libvips' own.
  if (vips_image_guess_interpretation(image.get()) != target) {
    PIXFLOW_ASSIGN_OR_RETURN(image, Apply(std::move(image), name, "colour conversion",
                                          [target](VipsImage* in, VipsImage** out) {
                                            return vips_colourspace(in, out, target, nullptr);
                                          }));
  }
  if (vips_image_get_format(image.get()) != VIPS_FORMAT_UCHAR) {
    PIXFLOW_ASSIGN_OR_RETURN(image, Apply(std::move(image), name, "8-bit conversion",
                                          [](VipsImage* in, VipsImage** out) {
                                            return vips_cast_uchar(in, out, nullptr);
                                          }));
  }
  const int bands = vips_image_get_bands(image.get());
  if (bands < 1 || bands > kMaxChannels) {
    return Unsupported(name + ": " + std::to_string(bands) +
                       " bands after conversion; pixflow handles 1 to 4");
  }
  result.image = std::move(image);
  return result;
}

Result<Image8> DecodePixels(VipsImage* image, bool autorotate, int box, const std::string& name) {
  if (!autorotate || vips_image_get_orientation(image) == 1) return CopyOut(image, box, name);
  // Rotating reads the input out of order, which a sequential loader cannot serve: decode it
  // top to bottom into memory first (8-bit, after any shrink-on-load), as libvips' own
  // thumbnailer does, then rotate from memory.
  const int bands = vips_image_get_bands(image);
  BoxRows rows(vips_image_get_width(image), vips_image_get_height(image), bands, box);
  const size_t row_bytes = static_cast<size_t>(rows.width()) * bands;
  const size_t packed_bytes = row_bytes * rows.height();
  const auto packed = pixflow::internal::AllocateAligned(packed_bytes);
  if (!packed) return Status(StatusCode::kLimitExceeded, name + ": out of memory");
  auto* packed_rows = reinterpret_cast<uint8_t*>(packed.get());
  PIXFLOW_RETURN_IF_ERROR(ForEachRow(image, name, [&](int y, const uint8_t* row) {
    rows.Add(y, row, [&](int out_y, const uint8_t* out) {
      std::memcpy(packed_rows + row_bytes * out_y, out, row_bytes);
    });
  }));
  VipsImagePtr stored = WrapPacked({packed_rows, packed_bytes}, rows.width(), rows.height(), bands);
  if (!stored) return VipsFailure(StatusCode::kInternal, name + ": orientation");
  vips_image_set_int(stored.get(), VIPS_META_ORIENTATION, vips_image_get_orientation(image));
  PIXFLOW_ASSIGN_OR_RETURN(VipsImagePtr upright, Apply(std::move(stored), name, "orientation",
                                                       [](VipsImage* in, VipsImage** out) {
                                                         return vips_autorot(in, out, nullptr);
                                                       }));
  return CopyOut(upright.get(), 1, name);
}

}  // namespace pixflow::io::internal
