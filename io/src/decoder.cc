#include "pixflow/io/decoder.h"

#include <utility>

#include "header.h"
#include "interchange.h"
#include "libvips.h"
#include "loader.h"
#include "reduced_load.h"

namespace pixflow::io {
namespace {

using internal::Loader;
using internal::LoadInput;
using internal::LoadParameters;
using internal::VipsImagePtr;

std::vector<uint8_t> Blob(VipsImage* image, const char* field) {
  const void* data = nullptr;
  size_t size = 0;
  if (vips_image_get_typeof(image, field) == 0 ||
      vips_image_get_blob(image, field, &data, &size) != 0 || data == nullptr) {
    return {};
  }
  const auto* bytes = static_cast<const uint8_t*>(data);
  return std::vector<uint8_t>(bytes, bytes + size);
}

// Every libvips object made here is released before this returns: some loaders report their
// warnings only when freed (libjpeg's), and the caller collects them afterwards.
// With a `consume`, the rows go to it as they are decoded and the result's pixels stay empty.
Result<DecodedImage> DecodeInput(LoadInput& input, const DecodeOptions& options,
                                 const RowConsumer& consume) {
  PIXFLOW_ASSIGN_OR_RETURN(Loader loader,
                           internal::FindLoader(input, options.limits.allow_untrusted));
  // Sniffed now: once a loader is built it owns the source's read position.
  const int stored_bits = internal::StoredBitDepth(input);
  // Building the loader reads the header only: the limits are checked before any pixel.
  PIXFLOW_ASSIGN_OR_RETURN(VipsImagePtr image,
                           internal::OpenImage(input, loader, {options.fail_on}));
  DecodedImage decoded;
  decoded.info = internal::DescribeHeader(image.get(), loader);
  if (stored_bits > 0) decoded.info.bit_depth = stored_bits;
  PIXFLOW_RETURN_IF_ERROR(CheckLimits(decoded.info, options.limits, input.name));

  int box = 1;
  if (options.min_width > 0 || options.min_height > 0) {
    const LoadParameters parameters =
        internal::ChooseReducedLoad(input, loader, std::move(image), decoded.info, options);
    PIXFLOW_ASSIGN_OR_RETURN(image, internal::OpenImage(input, loader, parameters));
    // A drawing rendered up to the target is bigger than the file says: the limit holds for
    // the pixels actually made.
    ImageInfo rendered = decoded.info;
    rendered.width = vips_image_get_width(image.get());
    rendered.height = vips_image_get_page_height(image.get());
    PIXFLOW_RETURN_IF_ERROR(CheckLimits(rendered, options.limits, input.name));
    box = internal::BoxShrinkFactor(image.get(), decoded.info, options);
  }
  if (options.metadata.keep_exif) decoded.metadata.exif = Blob(image.get(), VIPS_META_EXIF_NAME);
  PIXFLOW_ASSIGN_OR_RETURN(
      internal::Interchange interchange,
      internal::ToInterchange(image.get(), options.metadata.keep_icc, input.name));
  if (interchange.icc_kept) decoded.metadata.icc = Blob(image.get(), VIPS_META_ICC_NAME);
  decoded.metadata.orientation = options.autorotate ? 1 : decoded.info.orientation;
  PIXFLOW_ASSIGN_OR_RETURN(
      std::unique_ptr<RowSource> rows,
      internal::OpenRows(interchange.image.get(), options.autorotate, box, input.name));
  if (consume) {
    PIXFLOW_RETURN_IF_ERROR(consume(*rows));
  } else {
    PIXFLOW_ASSIGN_OR_RETURN(decoded.pixels, Image8::Create(rows->size()));
    PIXFLOW_RETURN_IF_ERROR(rows->ReadRows(decoded.pixels.view()));
  }
  return decoded;
}

}  // namespace

Result<MetadataOptions> ParseKeepList(std::string_view list) {
  MetadataOptions keep{false, false};
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    if (item == "icc") {
      keep.keep_icc = true;
    } else if (item == "exif") {
      keep.keep_exif = true;
    } else if (item != "none") {
      return InvalidArgument("--keep: unknown metadata '" + std::string(item) +
                             "' (icc, exif or none, comma-separated)");
    }
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return keep;
}

Result<DecodedImage> Decode(const std::filesystem::path& path, const DecodeOptions& options) {
  internal::CodecMessages messages;
  Result<DecodedImage> decoded = [&]() -> Result<DecodedImage> {
    PIXFLOW_ASSIGN_OR_RETURN(LoadInput input, internal::OpenFileInput(path));
    return DecodeInput(input, options, nullptr);
  }();
  if (decoded.ok()) decoded->warnings = messages.warnings();
  return decoded;
}

Result<DecodedImage> Decode(std::span<const uint8_t> bytes, const std::string& name,
                            const DecodeOptions& options, const RowConsumer& consume) {
  internal::CodecMessages messages;
  Result<DecodedImage> decoded = [&]() -> Result<DecodedImage> {
    PIXFLOW_ASSIGN_OR_RETURN(LoadInput input, internal::OpenMemoryInput(bytes, name));
    return DecodeInput(input, options, consume);
  }();
  if (decoded.ok()) decoded->warnings = messages.warnings();
  return decoded;
}

}  // namespace pixflow::io
