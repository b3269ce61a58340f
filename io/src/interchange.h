// From whatever a loader produced to the interchange format: 8-bit sRGB or grey, 1-4 bands,
// upright, in an Image8. Private to pixflow::io.
#pragma once

#include <memory>
#include <string>

#include "libvips.h"
#include "pixflow/filters/image.h"
#include "pixflow/filters/status.h"
#include "pixflow/filters/tiler.h"

namespace pixflow::io::internal {

struct Interchange {
  VipsImagePtr image;     // 8-bit, 1-4 bands; lazy (nothing decoded yet)
  bool icc_kept = false;  // true: pixels are still in the embedded profile's space
};

// Converts 16-bit, CMYK, Lab, palette and 1-bit inputs to 8-bit sRGB or grey. An embedded ICC
// profile on a colour image is applied (to sRGB) unless keep_icc asks to leave RGB pixels in
// the profile's space; grey images keep their values (libvips has no built-in grey target).
Result<Interchange> ToInterchange(VipsImage* loaded, bool keep_icc, const std::string& name);

// The rows of `image`, top to bottom: box x box blocks averaged as the rows arrive (1: none; a
// partial block at the right or bottom edge is dropped), then its EXIF orientation applied when
// `autorotate`. Reading the rows is where pixels are actually decoded, so truncated or corrupt
// data fails there. The source holds its own reference to `image`.
Result<std::unique_ptr<RowSource>> OpenRows(VipsImage* image, bool autorotate, int box,
                                            const std::string& name);

}  // namespace pixflow::io::internal
