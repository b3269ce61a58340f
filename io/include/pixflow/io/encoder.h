// Encoding Image8 pixels to file bytes through libvips, described by a spec in the form the CLI
// takes: `jpg[Q=85,progressive]`, `webp[Q=80,lossless,effort=4]`, `png[compression=6]`,
// `avif[Q=50]`. Every key is checked against the format's own list before anything is encoded.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pixflow/filters/image.h"
#include "pixflow/filters/status.h"
#include "pixflow/io/decoder.h"

namespace pixflow::io {

struct EncodeOption {
  std::string key;    // as the spec spells it, e.g. "effort"
  std::string value;  // validated text; booleans are "true" or "false"
  friend bool operator==(const EncodeOption&, const EncodeOption&) = default;
};

struct EncodeSpec {
  // Canonical name: jpg, png, webp, tif, gif, pnm, avif, heif, jxl (aliases such as jpeg, tiff,
  // heic, ppm are accepted by ParseEncodeSpec and Encode).
  std::string format = "png";
  int quality = 0;                         // the Q key, 1-100; 0 = the format's default
  std::vector<EncodeOption> options = {};  // every other key, in the order given
  // Formats without alpha (jpg, pnm) get alpha flattened onto this sRGB colour (--background).
  std::array<uint8_t, 3> background{255, 255, 255};
};
// The name callers used before EncodeSpec grew options: {format, quality} still works.
using EncodeOptions = EncodeSpec;

// Parses "fmt" or "fmt[k=v,k2,...]". A bare key means k=true and is allowed for booleans only.
// Errors say which key or value is wrong and what the format accepts.
Result<EncodeSpec> ParseEncodeSpec(std::string_view text);
// The canonical text of a spec, e.g. "webp[Q=80,lossless=true]": parses back to the same spec.
std::string FormatEncodeSpec(const EncodeSpec& spec);
// "Q (1-100), progressive (bool), ..." for `format`, for help text and errors.
Result<std::string> DescribeEncodeKeys(std::string_view format);
// Every canonical format name, in the order help text lists them.
std::vector<std::string> EncodeFormats();

// "white", "black", "#rrggbb", "#rgb", "r,g,b" or a single grey level "v" (0-255).
Result<std::array<uint8_t, 3>> ParseBackground(std::string_view text);

// The file suffix for a format (".jpg", ".tif", ".pnm"), or an error for unknown formats.
Result<std::string> SuffixForFormat(const std::string& format);

// Ok when this libvips can write `format`: its saver exists and a tiny trial encode works (an
// AVIF saver without an AV1 encoder in libheif fails here). kUnsupported says which. Cached per
// format; cheap after the first call. Call it before a batch starts.
Status CheckEncoderAvailable(const std::string& format);

struct EncodedImage {
  std::vector<uint8_t> bytes;
  // What libvips' saver complained about in an encode that still succeeded, for reports: an
  // option this build cannot honour ("ignoring optimize_scans"), metadata it dropped. These are
  // the warnings raised while the saver is set up, on the calling thread, which is where every
  // saver warning of libvips 8.14 is raised; one a codec library raised on libvips' writer thread
  // while compressing could not be told apart from another encode's, and prints as GLib would.
  std::vector<std::string> warnings;
};

// Encodes `image` (1-4 channels, 8-bit; grey or sRGB). `metadata` is written with it: ICC and
// EXIF blobs when present, and its orientation (1 after autorotation, so a viewer never rotates
// an upright image again). With neither blob, the output carries no metadata at all.
Result<EncodedImage> EncodeWithWarnings(ConstView8 image, const EncodeSpec& spec,
                                        const ImageMetadata& metadata = {});
// The same, bytes only: the warnings are dropped (never printed).
Result<std::vector<uint8_t>> Encode(ConstView8 image, const EncodeSpec& spec,
                                    const ImageMetadata& metadata = {});

}  // namespace pixflow::io
