// Row kernels of the convolution family (Gaussian, unsharp mask, 2-D and separable convolution),
// compiled for every SIMD target and dispatched at run time, like row_kernels.h. The same buffer
// rules apply: float buffers are pixflow scratch with kFloatPad spare elements after the data;
// uint8_t rows are read and written exactly [0, n).
#pragma once

#include <algorithm>
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

// The input rows a pair of output rows reads, each loaded once per vector: source s feeds the
// first output with weight first[s] when bit 1 of use[s] is set, and the second with second[s]
// when bit 2 is. Each output sums its sources in the order given.
template <class T>
struct PairedTaps {
  const T* const* srcs;
  const T* first;
  const T* second;
  const uint8_t* use;
  int count;
};

// dst0/dst1[i] = saturate(round_half_even(s)) with s = delta + that output's weighted sum of
// srcs[s][i], accumulated with one fused multiply-add per tap in order (OpenCV's filter2D order).
// With `absolute`, |s| is rounded instead. The srcs are float scratch rows (padded).
void PairedTapSumToU8(const PairedTaps<float>& taps, float delta, bool absolute, size_t n,
                      uint8_t* dst0, uint8_t* dst1);

// The same for a symmetric vertical kernel of radius 1 to 4 (weights[0] the centre, weights[k]
// the taps k rows away), output rows y and y + 1 from rows[j] = filtered row y - radius + j,
// j in [0, 2 radius + 1]: s = delta + weights[0] * centre, then + weights[k] * (up_k + down_k)
// for k = 1, 2, ... (OpenCV's column order), with half the multiply-adds.
inline constexpr int kMaxSymmetricRadius = 4;
void SymmetricPairToU8(const float* const* rows, const float* weights, int radius, float delta,
                       bool absolute, size_t n, uint8_t* dst0, uint8_t* dst1);

// dst[i] = sum over t of weights[t] * srcs[t][i] in float, for i in [0, n) (and up to the next
// whole vector: dst is float scratch).
void TapSumToF32(const float* const* srcs, const float* weights, int taps, size_t n, float* dst);

// Converts one image row of `width` pixels to float and extends it by `left` pixels before and
// `right` after, read through `border`: dst[(x + left) * channels + c] = row[MapBorder(x) *
// channels + c] for x in [-left, width + right). `dst` holds (left + width + right) * channels
// floats plus kFloatPad.
void LoadPaddedRow(const uint8_t* row, int width, int channels, int left, int right, Border border,
                   float* dst);
// The pixels [first, last) of such an extended row: dst[(x - first) * channels + c].
void LoadPixels(const uint8_t* row, int width, int channels, int first, int last, Border border,
                float* dst);

// The same tap sums in int16 (convolve_int16_kernels.cc), for integer kernels where the caller
// has checked that no partial sum can leave int16: every value is then exact. dst of TapSumI16
// and every src are scratch rows with room for one more whole vector after n.
void TapSumI16(const int16_t* const* srcs, const int16_t* weights, int taps, size_t n,
               int16_t* dst);
// dst0/dst1[i] = saturate(delta + weighted sum), |.| first when absolute.
void PairedTapSumI16ToU8(const PairedTaps<int16_t>& taps, int16_t delta, bool absolute, size_t n,
                         uint8_t* dst0, uint8_t* dst1);
void LoadPaddedRow(const uint8_t* row, int width, int channels, int left, int right, Border border,
                   int16_t* dst);
void LoadPixels(const uint8_t* row, int width, int channels, int first, int last, Border border,
                int16_t* dst);

// LoadPixels for either element type: `widen(src, n, dst)` converts the pixels inside the image
// in one call; the border pixels outside it are copied one by one through MapBorder.
template <typename T, typename Widen>
void LoadPixelsWith(const Widen& widen, const uint8_t* row, int width, int channels, int first,
                    int last, Border border, T* dst) {
  const int inside_first = std::clamp(first, 0, width);
  const int inside_last = std::clamp(last, inside_first, width);
  widen(row + static_cast<ptrdiff_t>(inside_first) * channels,
        static_cast<size_t>(inside_last - inside_first) * channels,
        dst + static_cast<ptrdiff_t>(inside_first - first) * channels);
  const auto copy_pixel = [&](int x) {
    const uint8_t* from = row + static_cast<ptrdiff_t>(MapBorder(x, width, border)) * channels;
    T* to = dst + static_cast<ptrdiff_t>(x - first) * channels;
    for (int c = 0; c < channels; ++c) to[c] = from[c];
  };
  for (int x = first; x < inside_first; ++x) copy_pixel(x);
  for (int x = std::max(inside_last, first); x < last; ++x) copy_pixel(x);
}

}  // namespace pixflow::kernels
