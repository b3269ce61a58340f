// Pixel-moving kernels for the geometry filters, compiled for every SIMD target Highway supports
// and dispatched at run time. Rows may belong to a caller's view: nothing outside the named
// pixels is read or written.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pixflow/filters/image.h"

namespace pixflow::kernels {

// dst pixel x = src pixel width - 1 - x, for pixels of 1-4 channels. src and dst do not overlap.
void ReversePixels(const uint8_t* src, size_t width, int channels, uint8_t* dst);

// out(x, y) = in(y', x') with y' = flip_rows ? in.height - 1 - x : x and
// x' = flip_columns ? in.width - 1 - y : y, for output rows [row_begin, row_begin + out.height)
// of the whole output (out is those rows). With no flips this is the transpose; flip_rows gives
// the clockwise quarter turn and flip_columns the anticlockwise one. out.width == in.height.
void TransposePixels(ConstView8 in, View8 out, int row_begin, bool flip_rows, bool flip_columns);

}  // namespace pixflow::kernels
