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

// Into aligned rows, with no packed copy of the whole image in between.
Result<Image8> CopyOut(VipsImage* image, const std::string& name) {
  PIXFLOW_ASSIGN_OR_RETURN(Image8 pixels,
                           Image8::Create(vips_image_get_width(image), vips_image_get_height(image),
                                          vips_image_get_bands(image)));
  const size_t row_bytes = pixels.view().row_elements();
  PIXFLOW_RETURN_IF_ERROR(ForEachRow(
      image, name, [&](int y, const uint8_t* row) { std::memcpy(pixels.Row(y), row, row_bytes); }));
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
  PIXFLOW_ASSIGN_OR_RETURN(image, Apply(std::move(image), name, "colour conversion",
                                        [target](VipsImage* in, VipsImage** out) {
                                          return vips_colourspace(in, out, target, nullptr);
                                        }));
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

Result<Image8> DecodePixels(VipsImage* image, bool autorotate, const std::string& name) {
  if (!autorotate || vips_image_get_orientation(image) == 1) return CopyOut(image, name);
  // Rotating reads the input out of order, which a sequential loader cannot serve: decode it
  // top to bottom into memory first (8-bit, after any shrink-on-load), as libvips' own
  // thumbnailer does, then rotate from memory.
  const int width = vips_image_get_width(image);
  const int bands = vips_image_get_bands(image);
  const size_t row_bytes = static_cast<size_t>(width) * bands;
  const size_t packed_bytes = row_bytes * vips_image_get_height(image);
  const auto packed = pixflow::internal::AllocateAligned(packed_bytes);
  if (!packed) return Status(StatusCode::kLimitExceeded, name + ": out of memory");
  auto* packed_rows = reinterpret_cast<uint8_t*>(packed.get());
  PIXFLOW_RETURN_IF_ERROR(ForEachRow(image, name, [&](int y, const uint8_t* row) {
    std::memcpy(packed_rows + row_bytes * y, row, row_bytes);
  }));
  VipsImagePtr stored =
      WrapPacked({packed_rows, packed_bytes}, width, vips_image_get_height(image), bands);
  if (!stored) return VipsFailure(StatusCode::kInternal, name + ": orientation");
  vips_image_set_int(stored.get(), VIPS_META_ORIENTATION, vips_image_get_orientation(image));
  PIXFLOW_ASSIGN_OR_RETURN(VipsImagePtr upright, Apply(std::move(stored), name, "orientation",
                                                       [](VipsImage* in, VipsImage** out) {
                                                         return vips_autorot(in, out, nullptr);
                                                       }));
  return CopyOut(upright.get(), name);
}

}  // namespace pixflow::io::internal
