// Pointwise colour and alpha kernels. Each is compiled for every SIMD target Highway supports and
// dispatched at run time to the best one the CPU has. A kernel processes whole images (a band's
// rows) so per-call set-up (tables in registers, lane masks) is paid once per band, not per row.
//
// Every kernel reads exactly the pixels of `in` and writes exactly those of `out`: rows may belong
// to a caller's view, so nothing past the last pixel of a row is touched. `in` and `out` have the
// same width and height and do not overlap; their channel counts are stated per kernel.
#pragma once

#include <cstdint>

#include "pixflow/filters/image.h"

namespace pixflow::kernels {

// out = table[in] for every byte; with `keep_alpha` and 2 or 4 channels the last channel of
// each pixel is copied unchanged instead. Same channel count in and out.
void ApplyLut(const uint8_t* table, ConstView8 in, View8 out, bool keep_alpha);

// RGB <-> BGR: swaps channels 0 and 2 of 3- or 4-channel pixels (alpha stays last).
void SwapRedBlue(ConstView8 in, View8 out);

// BT.601 luma of 3- or 4-channel pixels (alpha ignored) into 1 channel, with OpenCV's 15-bit
// fixed point: (R*9798 + G*19235 + B*3735 + (1 << 14)) >> 15.
void RgbToGray(ConstView8 in, View8 out);

// 1 channel -> 3 equal channels.
void GrayToRgb(ConstView8 in, View8 out);

// 2 or 4 channels, alpha last: colour c -> (c*a + 128) / 255 in integers (OpenCV's
// RGBA2mRGBA); alpha unchanged.
void Premultiply(ConstView8 in, View8 out);

// 2 or 4 channels, alpha last: colour c -> min(255, (c*255 + a/2) / a), 0 where a == 0; alpha
// unchanged. This is OpenCV's mRGBA2RGBA for 8 bits.
void Unpremultiply(ConstView8 in, View8 out);

// Composites over an opaque background and drops alpha: 4 -> 3 channels with background
// {r, g, b}, or 2 -> 1 with background {luma, -, -}. c -> (c*a + bg*(255 - a) + 127) / 255.
void Flatten(ConstView8 in, View8 out, const uint8_t* background);

}  // namespace pixflow::kernels
