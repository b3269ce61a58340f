// Row kernels of the convolution family (Gaussian, unsharp mask, 2-D and separable convolution),
// compiled for every SIMD target and dispatched at run time, like row_kernels.h. The same buffer
// rules apply: float buffers are pixflow scratch with kFloatPad spare elements after the data;
// uint8_t rows are read and written exactly [0, n).
#pragma once

#include <cstddef>
#include <cstdint>

#include "pixflow/filters/filter.h"
#include "row_kernels.h"

namespace pixflow::kernels {

// Vertical pass of the 8-bit Gaussian in OpenCV's fixed point: dst[i] = sum over k in [0, 2r] of
// weights[k] * rows[k][i], with integer Q8 weights that are symmetric (weights[k] ==
// weights[2r - k]) and sum to 256. Every value is an exact integer <= 65280, stored as float.
void SymmetricColumnQ8(const uint8_t* const* rows, const uint16_t* weights, int radius, size_t n,
                       float* dst);

// Horizontal pass that completes it: dst[i] = floor((sum over k in [0, 2r] of weights[k] *
// src[i + (k - r) * step] + 2^15) / 2^16), with the same (integer-valued) weights. `src` is a
// row from SymmetricColumnQ8 with r * step valid elements before it and after its n elements.
// Every sum is an integer below 2^24, so float arithmetic is exact and the result is OpenCV's.
void SymmetricRowQ8ToU8(const float* src, const float* weights, int radius, int step, size_t n,
                        uint8_t* dst);

// Unsharp mask: d = in - blurred; dst = saturate(round(in + amount * d)) where |d| > threshold,
// else in, computed in float with a fused multiply-add where the target has one.
void UnsharpRow(const uint8_t* in, const uint8_t* blurred, float amount, int threshold, size_t n,
                uint8_t* dst);

// dst[i] = saturate(round_half_even(s)) with s = delta + sum over t of weights[t] * srcs[t][i],
// accumulated with one fused multiply-add per tap in order t = 0, 1, ... (OpenCV's filter2D
// order). With `absolute`, |s| is rounded instead. The srcs are float scratch rows (padded).
void TapSumToU8(const float* const* srcs, const float* weights, int taps, float delta,
                bool absolute, size_t n, uint8_t* dst);

// dst[i] = sum over t of weights[t] * srcs[t][i] in float, for i in [0, n) (and up to the next
// whole vector: dst is float scratch).
void TapSumToF32(const float* const* srcs, const float* weights, int taps, size_t n, float* dst);

// Converts one image row of `width` pixels to float and extends it by `left` pixels before and
// `right` after, read through `border`: dst[(x + left) * channels + c] = row[MapBorder(x) *
// channels + c] for x in [-left, width + right). `dst` holds (left + width + right) * channels
// floats plus kFloatPad.
void LoadPaddedRow(const uint8_t* row, int width, int channels, int left, int right,
                   Border border, float* dst);

// The same tap sums in int16 (convolve_int16_kernels.cc), for integer kernels where the caller
// has checked that no partial sum can leave int16: every value is then exact. dst of TapSumI16
// and every src are scratch rows with room for one more whole vector after n.
void TapSumI16(const int16_t* const* srcs, const int16_t* weights, int taps, size_t n,
               int16_t* dst);
// dst[i] = saturate(delta + sum over t of weights[t] * srcs[t][i]), |.| first when absolute.
void TapSumI16ToU8(const int16_t* const* srcs, const int16_t* weights, int taps, int16_t delta,
                   bool absolute, size_t n, uint8_t* dst);
void LoadPaddedRow(const uint8_t* row, int width, int channels, int left, int right,
                   Border border, int16_t* dst);

}  // namespace pixflow::kernels
