// Reading and writing image files through libvips: the entry header of pixflow::io. The format
// is detected from the bytes, never from the file name. Decoded images are 8-bit sRGB (or 8-bit
// grey), 1-4 channels, EXIF orientation applied; that is the interchange format the filters take.
// decoder.h has the full decoding API (options, limits, shrink-on-load, metadata), encoder.h
// the encoding one, atomic_file_writer.h the file writes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "pixflow/filters/image.h"
#include "pixflow/filters/status.h"
#include "pixflow/io/atomic_file_writer.h"
#include "pixflow/io/decoder.h"
#include "pixflow/io/encoder.h"
#include "pixflow/io/image_info.h"

namespace pixflow::io {

// Starts libvips once per process (thread-safe, idempotent). Every function below calls it.
Status InitCodecs();

// True when some libvips loader, trusted or not, recognises the file's first bytes as an image
// (text formats libvips also reads, CSV and matrix, do not count). Cheap: sniffs a few bytes.
// Folder walkers use it to skip non-image files without an error; an untrusted image still
// counts as an image, so refusing it is reported rather than silently skipped.
bool LooksLikeImage(const std::filesystem::path& path);

// Decode(path) with the default options, pixels only.
Result<Image8> DecodeFile(const std::filesystem::path& path);
// Decode(bytes, name) with the default options, pixels only.
Result<Image8> DecodeBuffer(std::span<const uint8_t> bytes, const std::string& name);

}  // namespace pixflow::io
