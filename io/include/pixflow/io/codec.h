// Reading and writing image files through libvips. The format is detected from the bytes, never
// from the file name. Decoded images are 8-bit sRGB (or 8-bit grey), 1-4 channels, EXIF
// orientation applied; that is the interchange format the filters take.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "pixflow/filters/image.h"
#include "pixflow/filters/status.h"

namespace pixflow::io {

// Starts libvips once per process (thread-safe, idempotent). Every function below calls it.
Status InitCodecs();

// True when some loader recognises the file's first bytes as an image it can read. Cheap: reads
// the header only. Folder walkers use it to skip non-image files without an error.
bool LooksLikeImage(const std::filesystem::path& path);

// Decodes a whole file. Errors name the file and the reason.
Result<Image8> DecodeFile(const std::filesystem::path& path);
// Decodes bytes already in memory; `name` is used in error messages.
Result<Image8> DecodeBuffer(std::span<const uint8_t> bytes, const std::string& name);

struct EncodeOptions {
  std::string format = "png";  // jpg, png, webp, tif, gif (as libvips names its savers)
  int quality = 0;             // 1-100 for lossy formats; 0 = the format's default
};

// The file suffix (".jpg") libvips expects for `format`, or an error for unknown formats.
Result<std::string> SuffixForFormat(const std::string& format);
Result<std::vector<uint8_t>> Encode(ConstView8 image, const EncodeOptions& options);

// Writes `bytes` to `path` so that `path` is either absent or complete: a temporary file in the
// same folder is written, flushed to disk, renamed into place and the folder flushed. The
// temporary file is removed on every error path.
Status WriteFileAtomically(const std::filesystem::path& path, std::span<const uint8_t> bytes);

}  // namespace pixflow::io
