#include "pixflow/io/encoder.h"

#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>

#include "libvips.h"
#include "output_formats.h"

namespace pixflow::io {
namespace {

using internal::OutputFormat;
using internal::VipsImagePtr;

// Alpha composited over the background, for formats that cannot store it.
Result<VipsImagePtr> Flatten(VipsImage* image, const std::array<uint8_t, 3>& background,
                             const std::string& context) {
  const int bands = vips_image_get_bands(image);
  // Grey+alpha flattens onto the background's luma (Rec. 601 weights, as JPEG's YCbCr uses).
  const double grey =
      std::round(0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2]);
  VipsArrayDouble* colour = bands == 2
                                ? vips_array_double_newv(1, grey)
                                : vips_array_double_newv(3, static_cast<double>(background[0]),
                                                         static_cast<double>(background[1]),
                                                         static_cast<double>(background[2]));
  VipsImage* flat = nullptr;
  const int failed = vips_flatten(image, &flat, "background", colour, nullptr);
  vips_area_unref(VIPS_AREA(colour));
  if (failed) return internal::VipsFailure(StatusCode::kInternal, context + ": flatten alpha");
  VipsImagePtr result(flat);
  if (vips_image_get_format(flat) != VIPS_FORMAT_UCHAR) {
    VipsImage* bytes = nullptr;
    if (vips_cast_uchar(flat, &bytes, nullptr)) {
      return internal::VipsFailure(StatusCode::kInternal, context + ": flatten alpha");
    }
    result.reset(bytes);
  }
  return result;
}

void AttachMetadata(VipsImage* image, const ImageMetadata& metadata) {
  if (!metadata.icc.empty()) {
    vips_image_set_blob_copy(image, VIPS_META_ICC_NAME, metadata.icc.data(), metadata.icc.size());
  }
  if (!metadata.exif.empty()) {
    vips_image_set_blob_copy(image, VIPS_META_EXIF_NAME, metadata.exif.data(),
                             metadata.exif.size());
  }
  // Savers write this into the EXIF orientation tag (or TIFF's own), replacing the input's.
  vips_image_set_int(image, VIPS_META_ORIENTATION, metadata.orientation);
}

Status SetProperty(VipsObject* saver, std::string_view name, std::string_view value,
                   const std::string& context) {
  if (vips_object_set_argument_from_string(saver, std::string(name).c_str(),
                                           std::string(value).c_str()) != 0) {
    return internal::VipsFailure(StatusCode::kInvalidArgument,
                                 context + ": " + std::string(name) + "=" + std::string(value));
  }
  return Status::Ok();
}

// Every property the spec asks for, translated through the format's key table.
Status ConfigureSaver(VipsObject* saver, VipsImage* image, const OutputFormat& format,
                      const EncodeSpec& spec, bool strip, const std::string& context) {
  std::string_view fixed = format.fixed;
  while (!fixed.empty()) {
    const size_t bar = fixed.find('|');
    const std::string_view item = fixed.substr(0, bar);
    const size_t equals = item.find('=');
    PIXFLOW_RETURN_IF_ERROR(
        SetProperty(saver, item.substr(0, equals), item.substr(equals + 1), context));
    fixed = bar == std::string_view::npos ? std::string_view() : fixed.substr(bar + 1);
  }
  if (spec.quality != 0) {
    PIXFLOW_ASSIGN_OR_RETURN(std::string q,
                             internal::ValidateKey(format, "Q", std::to_string(spec.quality)));
    PIXFLOW_RETURN_IF_ERROR(SetProperty(saver, "Q", q, context));
  }
  for (const EncodeOption& option : spec.options) {
    PIXFLOW_ASSIGN_OR_RETURN(std::string value,
                             internal::ValidateKey(format, option.key, option.value));
    PIXFLOW_RETURN_IF_ERROR(
        SetProperty(saver, internal::FindKey(format, option.key)->property, value, context));
  }
  // PNM's variant follows the bands: P5 for grey, P6 for colour (ppmsave defaults to P6).
  if (format.name == "pnm" && vips_image_get_bands(image) == 1) {
    PIXFLOW_RETURN_IF_ERROR(SetProperty(saver, "format", "pgm", context));
  }
  if (strip) vips_object_set(saver, "strip", TRUE, nullptr);
  return Status::Ok();
}

Result<std::vector<uint8_t>> Save(VipsImage* image, const OutputFormat& format,
                                  const EncodeSpec& spec, bool strip, const std::string& context) {
  internal::VipsTargetPtr target(vips_target_new_to_memory());
  VipsOperation* saver = vips_operation_new(std::string(format.saver).c_str());
  if (target == nullptr || saver == nullptr) {
    if (saver != nullptr) g_object_unref(saver);
    return internal::VipsFailure(StatusCode::kInternal, context);
  }
  vips_object_set(VIPS_OBJECT(saver), "in", image, "target", target.get(), nullptr);
  Status configured = ConfigureSaver(VIPS_OBJECT(saver), image, format, spec, strip, context);
  // Building the saver runs it: this is where pixels are encoded.
  if (!configured.ok() || vips_cache_operation_buildp(&saver) != 0) {
    if (configured.ok()) configured = internal::VipsFailure(StatusCode::kInternal, context);
    vips_object_unref_outputs(VIPS_OBJECT(saver));
    g_object_unref(saver);
    return configured;
  }
  vips_object_unref_outputs(VIPS_OBJECT(saver));
  g_object_unref(saver);
  VipsBlob* blob = nullptr;
  g_object_get(target.get(), "blob", &blob, nullptr);
  if (blob == nullptr) return Status(StatusCode::kInternal, context + ": the saver wrote nothing");
  size_t length = 0;
  const auto* data = static_cast<const uint8_t*>(
      vips_area_get_data(VIPS_AREA(blob), &length, nullptr, nullptr, nullptr));
  std::vector<uint8_t> bytes(data, data + length);
  vips_area_unref(VIPS_AREA(blob));
  return bytes;
}

// Encode's work, inside the caller's CodecMessages scope.
Result<std::vector<uint8_t>> EncodeBytes(ConstView8 image, const EncodeSpec& spec,
                                         const ImageMetadata& metadata) {
  PIXFLOW_RETURN_IF_ERROR(CheckShape(image.size(), "image"));
  const OutputFormat* format = internal::FindOutputFormat(spec.format);
  if (format == nullptr) return internal::UnknownFormat(spec.format);
  const std::string context = "encode " + std::string(format->name);
  if (internal::FindOperationClass(std::string(format->saver).c_str()) == nullptr) {
    return Unsupported(context + ": not supported by this libvips (no " +
                       std::string(format->saver) + ")");
  }
  // Not a copy of the image: the saver reads its rows a strip at a time.
  VipsImagePtr wrapped = internal::WrapView(image);
  if (!wrapped) return internal::VipsFailure(StatusCode::kInternal, context);
  if (!format->has_alpha && (image.channels() == 2 || image.channels() == 4)) {
    PIXFLOW_ASSIGN_OR_RETURN(wrapped, Flatten(wrapped.get(), spec.background, context));
  }
  AttachMetadata(wrapped.get(), metadata);
  const bool strip = metadata.icc.empty() && metadata.exif.empty() && metadata.orientation == 1;
  return Save(wrapped.get(), *format, spec, strip, context);
}

}  // namespace

Result<EncodedImage> EncodeWithWarnings(ConstView8 image, const EncodeSpec& spec,
                                        const ImageMetadata& metadata) {
  PIXFLOW_RETURN_IF_ERROR(InitCodecs());
  internal::CodecMessages messages;
  PIXFLOW_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, EncodeBytes(image, spec, metadata));
  return EncodedImage{std::move(bytes), messages.warnings()};
}

Result<std::vector<uint8_t>> Encode(ConstView8 image, const EncodeSpec& spec,
                                    const ImageMetadata& metadata) {
  PIXFLOW_ASSIGN_OR_RETURN(EncodedImage encoded, EncodeWithWarnings(image, spec, metadata));
  return std::move(encoded.bytes);
}

Status CheckEncoderAvailable(const std::string& format) {
  const OutputFormat* found = internal::FindOutputFormat(format);
  if (found == nullptr) return internal::UnknownFormat(format);
  static std::mutex mutex;
  static std::map<std::string_view, Status> verdicts;
  const std::lock_guard lock(mutex);
  auto [entry, inserted] = verdicts.try_emplace(found->name);
  if (inserted) {
    Result<Image8> trial = Image8::Create(16, 16, 3);
    if (!trial.ok()) return trial.status();
    for (int y = 0; y < 16; ++y) std::memset(trial->Row(y), 128, 48);
    EncodeSpec spec;
    spec.format = std::string(found->name);
    const Result<std::vector<uint8_t>> bytes = Encode(trial->view(), spec);
    entry->second =
        bytes.ok()
            ? Status::Ok()
            : Unsupported(std::string(found->name) +
                          " output is not supported by this libvips: " + bytes.status().message());
  }
  return entry->second;
}

}  // namespace pixflow::io
