// What a file's header says, read without decoding a pixel, and the safety limits checked
// against it. `pixflow info` prints this; the decoder checks the same limits before it decodes.
// Every function is thread-safe (libvips is started once, by InitCodecs).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "pixflow/filters/status.h"

namespace pixflow::io {

// 0x3FFF squared (about 16384 x 16384): large enough for any camera, small enough that a
// decompression bomb is refused before it allocates gigabytes. The same default as sharp's.
inline constexpr uint64_t kDefaultMaxPixels = 268402689;

// When a loader gives up (libvips' "fail_on"). Each level implies the ones before it.
enum class FailOn {
  kNone,       // decode what can be decoded; missing data is left grey
  kTruncated,  // a file that ends early fails; warnings pass (the default)
  kError,      // also fail on any error the codec reports and recovers from
  kWarning,    // also fail on warnings
};
Result<FailOn> ParseFailOn(std::string_view text);  // "none", "truncated", "error", "warning"
// The inverse of ParseFailOn: "none", "truncated", "error" or "warning".
const char* FailOnName(FailOn fail_on);

// Checked from the header, before any pixel is decoded.
struct DecodeLimits {
  uint64_t max_pixels = kDefaultMaxPixels;  // width x height of one frame; 0 = no limit
  // Loaders libvips or pixflow consider unsafe on hostile files (SVG, PDF, ImageMagick, JPEG XL,
  // OpenSlide, FITS, ...) are refused unless this is set. Decided per call: pixflow does not use
  // libvips' process-wide block switch, so one caller's choice never changes another's.
  bool allow_untrusted = false;
};

struct ImageInfo {
  std::string format;   // "jpeg", "png", "webp", "tiff", "gif", "heif", "avif", "pnm", "svg", ...
  std::string loader;   // the libvips loader that recognised the bytes, e.g. "jpegload_source"
  bool trusted = true;  // false: decoding needs DecodeLimits::allow_untrusted
  int width = 0;        // one frame, as stored (before EXIF orientation)
  int height = 0;
  int bands = 0;
  int bit_depth = 8;        // per sample: 1, 2, 4, 8, 16, 32, 64
  std::string color_space;  // libvips' name: "srgb", "b-w", "cmyk", "rgb16", "grey16", ...
  int orientation = 1;      // EXIF orientation 1-8
  bool has_icc = false;
  bool has_alpha = false;
  int frames = 1;  // pages or animation frames (the levels of a TIFF page pyramid are pages)

  uint64_t pixels() const { return static_cast<uint64_t>(width) * static_cast<uint64_t>(height); }
  // Orientations 5-8 swap the axes: the size as displayed.
  int displayed_width() const { return orientation >= 5 ? height : width; }
  int displayed_height() const { return orientation >= 5 ? width : height; }
  // The channels Decode delivers: grey stays grey, every other colour space becomes RGB, and
  // alpha is kept. Lets callers plan a filter chain from the header alone.
  int decoded_channels() const {
    const bool grey = color_space == "b-w" || color_space == "grey16";
    return (grey ? 1 : 3) + (has_alpha ? 1 : 0);
  }
};

// Reads the header only. The format comes from the bytes, never from the name. Untrusted
// loaders are refused (kUnsupported) unless limits.allow_untrusted; max_pixels is not applied
// here (CheckLimits says whether the file passes), so `info` can describe a file it would refuse.
Result<ImageInfo> ReadInfo(const std::filesystem::path& path, const DecodeLimits& limits = {});
// The same for a file already in memory; `name` is used in errors.
Result<ImageInfo> ReadInfo(std::span<const uint8_t> bytes, const std::string& name,
                           const DecodeLimits& limits = {});

// Ok, or kLimitExceeded naming `name`, the dimensions and the limit.
Status CheckLimits(const ImageInfo& info, const DecodeLimits& limits, const std::string& name);

}  // namespace pixflow::io
