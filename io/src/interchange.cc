#include "interchange.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
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

// The rows of a lazy libvips image, box-averaged as they arrive, computed in the calling thread
// a few strips at a time: pixflow runs many decodes in parallel itself, and keeping libvips off
// its worker threads is what lets CodecMessages attribute each warning to its file.
class VipsRows final : public RowSource {
 public:
  VipsRows(VipsImagePtr image, int box, std::string name)
      : image_(std::move(image)),
        rows_(vips_image_get_width(image_.get()), vips_image_get_height(image_.get()),
              vips_image_get_bands(image_.get()), box),
        name_(std::move(name)) {}

  Size size() const override {
    return {rows_.width(), rows_.height(), vips_image_get_bands(image_.get())};
  }

  Status ReadRows(View8 out) override {
    if (!failure_.ok()) return failure_;
    if (out.height() > rows_.height() - next_) {
      return Status(StatusCode::kInternal, name_ + ": read past the last row");
    }
    next_ += out.height();
    const size_t row_bytes = out.row_elements();
    const int width = vips_image_get_width(image_.get());
    const int height = vips_image_get_height(image_.get());
    const int bands = vips_image_get_bands(image_.get());
    const size_t strip_bytes = static_cast<size_t>(width) * bands;
    if (!region_) {
      // libvips writes each strip straight into strip_pixels_ (vips_region_prepare_to). Its own
      // region took a new buffer for every strip, which libvips 8.14 allocates and zeroes:
      // memset alone was 4.6% of a CPU-heavy batch.
      region_.reset(vips_region_new(image_.get()));
      strip_pixels_.resize(strip_bytes * kRowsPerRequest);
      strip_image_ = WrapView(ConstView8(strip_pixels_.data(), width, kRowsPerRequest, bands,
                                         static_cast<ptrdiff_t>(strip_bytes)));
      if (strip_image_) strip_region_.reset(vips_region_new(strip_image_.get()));
      VipsRect all{0, 0, width, kRowsPerRequest};
      if (!region_ || !strip_region_ || vips_region_image(strip_region_.get(), &all) != 0) {
        return failure_ = VipsFailure(StatusCode::kInternal, name_ + ": decode");
      }
    }
    for (int delivered = 0; delivered < out.height();) {
      if (y_ >= strip_.top + strip_.height) {
        strip_ = {0, y_, width, std::min(kRowsPerRequest, height - y_)};
        if (strip_.height <= 0 ||
            vips_region_prepare_to(region_.get(), strip_region_.get(), &strip_, 0, 0) != 0) {
          return failure_ = VipsFailure(StatusCode::kDecodeError, name_);
        }
      }
      const uint8_t* row = strip_pixels_.data() + strip_bytes * (y_ - strip_.top);
      rows_.Add(y_++, row, [&](int, const uint8_t* averaged) {
        std::memcpy(out.Row(delivered++), averaged, row_bytes);
      });
    }
    return Status::Ok();
  }

 private:
  VipsImagePtr image_;
  BoxRows rows_;
  std::string name_;
  std::unique_ptr<VipsRegion, GObjectUnref> region_;
  std::vector<uint8_t> strip_pixels_;                       // the rows of strip_, packed
  VipsImagePtr strip_image_;                                // strip_pixels_ as an image
  std::unique_ptr<VipsRegion, GObjectUnref> strip_region_;  // all of strip_image_
  VipsRect strip_{0, 0, 0, 0};                              // the rows strip_pixels_ holds
  int y_ = 0;                                               // the next row of image_ to read
  int next_ = 0;                                            // the next row to deliver
  Status failure_;
};

// The upright rows of an image with an EXIF orientation: rotating reads the input out of order,
// which a sequential loader cannot serve, so the decoded rows (8-bit, after any shrink-on-load)
// are stored packed first, as libvips' own thumbnailer does, and rotated from memory.
class UprightRows final : public RowSource {
 public:
  static Result<std::unique_ptr<RowSource>> Open(VipsImagePtr image, int box,
                                                 const std::string& name) {
    const int orientation = vips_image_get_orientation(image.get());
    VipsRows stored(std::move(image), box, name);
    const Size size = stored.size();
    const size_t row_bytes = static_cast<size_t>(size.width) * size.channels;
    auto rows = std::unique_ptr<UprightRows>(new UprightRows());
    rows->packed_ = pixflow::internal::AllocateAligned(row_bytes * size.height);
    if (!rows->packed_) return Status(StatusCode::kLimitExceeded, name + ": out of memory");
    auto* packed = reinterpret_cast<uint8_t*>(rows->packed_.get());
    PIXFLOW_RETURN_IF_ERROR(stored.ReadRows(
        View8(packed, size.width, size.height, size.channels, static_cast<ptrdiff_t>(row_bytes))));
    VipsImagePtr wrapped = WrapView(ConstView8(packed, size.width, size.height, size.channels,
                                               static_cast<ptrdiff_t>(row_bytes)));
    if (!wrapped) return VipsFailure(StatusCode::kInternal, name + ": orientation");
    vips_image_set_int(wrapped.get(), VIPS_META_ORIENTATION, orientation);
    PIXFLOW_ASSIGN_OR_RETURN(VipsImagePtr upright, Apply(std::move(wrapped), name, "orientation",
                                                         [](VipsImage* in, VipsImage** out) {
                                                           return vips_autorot(in, out, nullptr);
                                                         }));
    rows->upright_.emplace(std::move(upright), 1, name);
    return std::unique_ptr<RowSource>(std::move(rows));
  }

  Size size() const override { return upright_->size(); }
  Status ReadRows(View8 out) override { return upright_->ReadRows(out); }

 private:
  UprightRows() = default;

  std::unique_ptr<std::byte[], pixflow::internal::AlignedFree> packed_;  // under upright_
  std::optional<VipsRows> upright_;
};

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

Result<std::unique_ptr<RowSource>> OpenRows(VipsImage* image, bool autorotate, int box,
                                            const std::string& name) {
  if (autorotate && vips_image_get_orientation(image) != 1) {
    return UprightRows::Open(Ref(image), box, name);
  }
  return std::unique_ptr<RowSource>(std::make_unique<VipsRows>(Ref(image), box, name));
}

}  // namespace pixflow::io::internal
