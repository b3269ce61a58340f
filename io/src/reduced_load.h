// Shrink-on-load: which reduced decode a loader can give for a target size. Private to
// pixflow::io.
//
// Each format has its own cheap way to a smaller image, and each is asked for the smallest
// result that still covers the target, so the caller's resize only ever shrinks:
//  - JPEG: DCT scaling by 1/2, 1/4 or 1/8.
//  - WebP: libwebp's scaled decode, any factor below 1.
//  - TIFF: a pyramid, stored as pages or as sub-IFDs of the first page, each level about half
//    the one before: the smallest level that covers the target is loaded instead of the first.
//  - HEIF/AVIF: the thumbnail image stored in the file, when it covers the target.
//  - SVG and PDF: rendered at the scale that makes them cover the target, up as well as down,
//    so a small drawing asked for at a large size is drawn sharp rather than enlarged.
// What is left over is reduced by a whole-factor box average, done as the rows decode, down to no
// less than kResidualReduction times the target: the caller's resize, whose kernel does the
// antialiasing, still reduces by at least that much, as in vipsthumbnail. A 1600x1200 PNG asked for
// at 256 px wide is held as 533x400, not 1600x1200.
#pragma once

#include "libvips.h"
#include "loader.h"
#include "pixflow/io/decoder.h"
#include "pixflow/io/image_info.h"

namespace pixflow::io::internal {

// The load parameters for options.min_width x options.min_height (as displayed: orientations
// 5-8 swap the axes when options.autorotate is set). `info` is the header `header` was read
// into. The header is released before any other level is probed (a probe reopens the source),
// which is why it is taken by value. A level that cannot be read is not an error: the choice
// falls back to the levels that could, down to the plain full-size parameters.
LoadParameters ChooseReducedLoad(LoadInput& input, const Loader& loader, VipsImagePtr header,
                                 const ImageInfo& info, const DecodeOptions& options);

// The least factor the caller's resize is left to reduce by after a box shrink.
inline constexpr int kResidualReduction = 2;
// Keeps a block's sum of 8-bit values well inside 32 bits.
inline constexpr int kMaxBoxShrink = 256;

// The box shrink for `image` as loaded (DecodeOptions::box_shrink): the largest whole factor
// that leaves it at least kResidualReduction times options.min_width x min_height (the target
// as in ChooseReducedLoad), at most kMaxBoxShrink; 1 (none) when it has an alpha channel, holds
// several pages or options.box_shrink is off.
int BoxShrinkFactor(VipsImage* image, const ImageInfo& info, const DecodeOptions& options);

}  // namespace pixflow::io::internal
