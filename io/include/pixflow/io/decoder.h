// Decoding files and buffers into the interchange format the filters take: 8-bit, interleaved,
// 1-4 channels (grey, grey+alpha, RGB, RGBA), sRGB, upright. Everything a file can be (16-bit,
// CMYK, palette, 1-bit, an ICC profile, an EXIF orientation) is resolved here, so the filters
// only ever see an Image8.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pixflow/filters/image.h"
#include "pixflow/filters/status.h"
#include "pixflow/filters/tiler.h"
#include "pixflow/io/image_info.h"

namespace pixflow::io {

// Which metadata travels from the input to the output. The default keeps EXIF (with the
// orientation reset) and converts pixels with an ICC profile to sRGB, dropping the profile.
struct MetadataOptions {
  // Keep the input's ICC profile and leave the pixels in its colour space (RGB inputs only:
  // CMYK and other spaces are always converted to sRGB, since the filters work on RGB).
  bool keep_icc = false;
  bool keep_exif = true;
};
// `--strip`: no metadata at all (the default for thumbnails).
inline constexpr MetadataOptions kStripMetadata{false, false};
// `--keep icc,exif`: a comma-separated list of "icc", "exif" (or "none"); keeps exactly those.
Result<MetadataOptions> ParseKeepList(std::string_view list);

struct DecodeOptions {
  // Shrink-on-load: decode at the smallest size the format can produce cheaply that is still at
  // least min_width x min_height as displayed (after orientation). 0 leaves that axis free; both
  // 0 decode at full size. JPEG uses DCT scaling (1/2, 1/4, 1/8), WebP its scaled decode, a
  // pyramidal TIFF (levels stored as pages or sub-IFDs, each half the one above) its smallest
  // level that covers the target, HEIF/AVIF the thumbnail stored in the file when that covers
  // it. SVG and PDF are drawn at the scale that covers the target, larger than their natural
  // size too (a sharp drawing, not an enlarged raster); DecodeLimits::max_pixels applies to the
  // size drawn. Other formats have no cheaper reduced decode and load at full size. The caller
  // resizes the rest.
  int min_width = 0;
  int min_height = 0;
  // Then, when what was loaded is still at least 4x the target, it is averaged in whole blocks
  // (a box filter, streamed as the rows decode) down to no less than 2x the target, as
  // vipsthumbnail does: a 1600x1200 PNG asked for at 256 px wide is held as 533x400, and the
  // caller's resize still has a 2x reduction to antialias. Not for images with alpha or several
  // pages; false keeps exactly what the format's own reduced decode gave.
  bool box_shrink = true;
  bool autorotate = true;  // apply EXIF orientation 1-8 to the pixels
  FailOn fail_on = FailOn::kTruncated;
  DecodeLimits limits;
  MetadataOptions metadata;
};

// Metadata to write with the output. Empty blobs are not written.
struct ImageMetadata {
  std::vector<uint8_t> icc;   // set only when MetadataOptions::keep_icc kept it
  std::vector<uint8_t> exif;  // the raw EXIF block, when kept
  // The orientation the pixels still need: 1 after autorotation, the file's own otherwise.
  // Encoders write it into the EXIF they emit, so an autorotated image is never rotated twice.
  int orientation = 1;
};

struct DecodedImage {
  Image8 pixels;  // the first frame or page only
  // The file as stored: its full size, before shrink-on-load and rotation; info.frames counts
  // the frames or pages the file has, of which `pixels` is the first.
  ImageInfo info;
  ImageMetadata metadata;
  // What the codec complained about in a file that still decoded under DecodeOptions::fail_on
  // (e.g. libjpeg's "extraneous bytes before marker"), for reports.
  std::vector<std::string> warnings;
};

// Decodes the first frame of a file: an animated GIF or WebP gives its first frame, a
// multi-page TIFF, HEIF or PDF its first page (its primary image, for HEIF), as sharp and
// vipsthumbnail do; DecodedImage::info.frames says how many there are. Errors name the file and
// say why: kIoError (unreadable),
// kDecodeError (not an image, corrupt, truncated), kUnsupported (a format this libvips lacks, or
// an untrusted loader not allowed), kLimitExceeded (too many pixels, checked from the header).
Result<DecodedImage> Decode(const std::filesystem::path& path, const DecodeOptions& options = {});
// Takes the decoded rows as they come, instead of a whole image: FilterChain::Run(RowSource&)
// is one. An error it returns is Decode's; the source's own errors are decode errors.
using RowConsumer = std::function<Status(RowSource& rows)>;

// The same for bytes already in memory (the pipeline reads files on I/O threads); `name` is the
// file name used in errors. `bytes` must stay alive until the call returns. With a `consume`,
// the pixels go to it top to bottom as they are decoded, within this call, and the result's
// `pixels` is empty; rows it does not read are not decoded.
Result<DecodedImage> Decode(std::span<const uint8_t> bytes, const std::string& name,
                            const DecodeOptions& options = {}, const RowConsumer& consume = {});

}  // namespace pixflow::io
