// SIMD kernels of the resampling filters, dispatched at run time like row_kernels.h. Float
// rows are pixflow's own padded scratch (kernels::FloatRow); uint8_t rows are image rows and are
// read and written exactly within their bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "resize_weights.h"

namespace pixflow::resize {

// One 8-bit row as float, colour premultiplied by alpha when `premultiply` (channels 2 or 4,
// alpha last; the alpha element itself is kept), for n elements.
void ConvertRow(const uint8_t* row, size_t n, int channels, bool premultiply, float* dst);

// Output rows the vertical pass computes together (VerticalRows). Measured on 3840x2160 ->
// 800x450: 2 rows beat 1 by 10-30% (Lanczos, RGBA) and 4 rows, whose union of input rows no
// longer stays in L2 next to everything else, by as much.
inline constexpr int kRowGroup = 2;

// The vertical pass for `rows` (1..kRowGroup) output rows at once:
//   dst[r][i] = sum over u < count of weights[r * count + u] * sources[u][i]   (i < n),
// where sources are the union of the rows' input rows and each row's weights are zero outside
// its own span, with each element converted (and premultiplied, as ConvertRow) as it is read.
void VerticalRows(const uint8_t* const* sources, int count, const float* weights, int rows,
                  size_t n, int channels, bool premultiply, float* const* dst);

// How the horizontal pass runs for one (weights, channels) pair on the current SIMD target.
// Where every vector of consecutive output elements reads its taps from one short source window
// (upscaling, and downscaling by up to about 2x), each tap is one permute of that window into
// the output lanes ("output lanes"). Otherwise each output pixel sums its taps several per
// vector and then across lanes ("taps in lanes"), which suits wide downscale kernels.
struct HorizontalPlan {
  size_t lanes = 0;  // float lanes of the target that built the plan; 0: taps in lanes
  int window = 1;    // vectors in each source window: 1 or 2
  // Per vector v of `lanes` output elements: the source offset base[v], the lane indices into
  // the window at src + base[v] (+ k * channels for tap k), and for each tap the weight of
  // every lane.
  std::vector<int32_t> base;
  std::vector<int32_t> indices;  // vectors * lanes
  std::vector<float> weights;    // vectors * taps * lanes
};

// How far past the end of a source row the horizontal pass reads: the last window can start a
// pixel before the row's end and span two vectors of the widest target.
inline constexpr size_t kSourcePad = 32;

HorizontalPlan PlanHorizontal(const AxisWeights& x, int channels);

// Horizontal pass over an interleaved float row of `channels` (1-4) channels:
//   dst[o * channels + c] = sum over k < x.taps of x.Weights(o)[k] * src[(x.start[o] + k) *
//   channels + c]
// for every output pixel o. src is a float row with kSourcePad readable, finite floats past its
// end; dst a padded float row (kernels::FloatRow).
void HorizontalTaps(const float* src, const AxisWeights& x, const HorizontalPlan& plan,
                    int channels, float* dst);

// dst[i] = saturate(round_half_even(src[i])) for n elements; with `unpremultiply` (2 or 4
// channels, alpha last) colour is first divided by alpha, and is 0 where alpha rounds to 0.
// src is a padded float row.
void StoreRow(const float* src, size_t n, int channels, bool unpremultiply, uint8_t* dst);

// The vertical pass over float rows (already filtered horizontally), rounded into 8-bit pixels
// as StoreRow does: dst[i] = StoreRow(sum over k < taps of weights[k] * rows[k][i]).
void VerticalTapsToU8(const float* const* rows, const float* weights, int taps, size_t n,
                      int channels, bool unpremultiply, uint8_t* dst);

// dst pixel o = src pixel indices[o], for a row of src_pixels pixels of `channels` bytes;
// indices never decrease.
void GatherPixels(const uint8_t* src, size_t src_pixels, const int* indices, size_t out_pixels,
                  int channels, uint8_t* dst);

}  // namespace pixflow::resize
