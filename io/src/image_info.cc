#include "pixflow/io/image_info.h"

#include "header.h"
#include "libvips.h"
#include "loader.h"

namespace pixflow::io {

static_assert(static_cast<int>(FailOn::kNone) == VIPS_FAIL_ON_NONE &&
                  static_cast<int>(FailOn::kTruncated) == VIPS_FAIL_ON_TRUNCATED &&
                  static_cast<int>(FailOn::kError) == VIPS_FAIL_ON_ERROR &&
                  static_cast<int>(FailOn::kWarning) == VIPS_FAIL_ON_WARNING,
              "FailOn is passed to libvips as its VipsFailOn");

Result<FailOn> ParseFailOn(std::string_view text) {
  if (text == "none") return FailOn::kNone;
  if (text == "truncated") return FailOn::kTruncated;
  if (text == "error") return FailOn::kError;
  if (text == "warning") return FailOn::kWarning;
  return InvalidArgument("--fail-on: unknown level '" + std::string(text) +
                         "' (none, truncated, error or warning)");
}

const char* FailOnName(FailOn fail_on) {
  switch (fail_on) {
    case FailOn::kNone: return "none";
    case FailOn::kTruncated: return "truncated";
    case FailOn::kError: return "error";
    case FailOn::kWarning: return "warning";
  }
  return "unknown";
}

namespace internal {
namespace {

int BitDepth(VipsImage* image) {
  int bits = 0;
  // Loaders that know the stored depth (PNG, TIFF: 1, 2, 4, 16) record it; palette images record
  // the palette index depth.
  for (const char* field : {"bits-per-sample", "palette-bit-depth"}) {
    if (vips_image_get_typeof(image, field) != 0 && vips_image_get_int(image, field, &bits) == 0 &&
        bits > 0) {
      return bits;
    }
  }
  return static_cast<int>(vips_format_sizeof(vips_image_get_format(image))) * 8;
}

}  // namespace

ImageInfo DescribeHeader(VipsImage* image, const Loader& loader) {
  ImageInfo info;
  info.format = FormatOfLoader(loader.family);
  const char* compression = nullptr;
  if (loader.family == "heifload" && vips_image_get_typeof(image, "heif-compression") != 0 &&
      vips_image_get_string(image, "heif-compression", &compression) == 0 &&
      std::string_view(compression) == "av1") {
    info.format = "avif";
  }
  info.loader = loader.nickname;
  info.trusted = loader.trusted;
  info.width = vips_image_get_width(image);
  info.height = vips_image_get_page_height(image);
  info.frames = std::max(1, vips_image_get_n_pages(image));
  info.bands = vips_image_get_bands(image);
  info.bit_depth = BitDepth(image);
  info.color_space =
      vips_enum_nick(VIPS_TYPE_INTERPRETATION, vips_image_guess_interpretation(image));
  info.orientation = vips_image_get_orientation(image);
  info.has_icc = vips_image_get_typeof(image, VIPS_META_ICC_NAME) != 0;
  info.has_alpha = vips_image_hasalpha(image) != 0;
  return info;
}

}  // namespace internal

namespace {

Result<ImageInfo> ReadHeader(internal::LoadInput& input, const DecodeLimits& limits) {
  PIXFLOW_ASSIGN_OR_RETURN(internal::Loader loader,
                           internal::FindLoader(input, limits.allow_untrusted));
  const int stored_bits = internal::StoredBitDepth(input);  // before the loader owns the source
  PIXFLOW_ASSIGN_OR_RETURN(internal::VipsImagePtr header,
                           internal::OpenImage(input, loader, {FailOn::kNone}));
  ImageInfo info = internal::DescribeHeader(header.get(), loader);
  if (stored_bits > 0) info.bit_depth = stored_bits;
  return info;
}

}  // namespace

Result<ImageInfo> ReadInfo(const std::filesystem::path& path, const DecodeLimits& limits) {
  internal::CodecMessages messages;
  PIXFLOW_ASSIGN_OR_RETURN(internal::LoadInput input, internal::OpenFileInput(path));
  return ReadHeader(input, limits);
}

Result<ImageInfo> ReadInfo(std::span<const uint8_t> bytes, const std::string& name,
                           const DecodeLimits& limits) {
  internal::CodecMessages messages;
  PIXFLOW_ASSIGN_OR_RETURN(internal::LoadInput input, internal::OpenMemoryInput(bytes, name));
  return ReadHeader(input, limits);
}

Status CheckLimits(const ImageInfo& info, const DecodeLimits& limits, const std::string& name) {
  if (limits.max_pixels == 0 || info.pixels() <= limits.max_pixels) return Status::Ok();
  return Status(StatusCode::kLimitExceeded,
                name + ": " + std::to_string(info.width) + "x" + std::to_string(info.height) +
                    " is " + std::to_string(info.pixels()) + " pixels, over the limit of " +
                    std::to_string(limits.max_pixels) + " (--max-pixels)");
}

}  // namespace pixflow::io
