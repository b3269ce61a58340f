// Median filter, 3x3 and 5x5, with cv::medianBlur's replicated borders. Everything works on
// interleaved bytes: a pixel's horizontal neighbours are `channels` elements away, so each
// channel is filtered without deinterleaving, by vector min/max networks.
//
// 3x3: straight from the input rows, two output rows at a time. Each column of three (the rows
// at one element position) is sorted, the pair shared by both output rows sorted once; the
// median of the window is then median3(max of the three column minima, median of the three
// column medians, min of the three column maxima): 27 min/max per output vector.
//
// 5x5: each column of five is sorted once into five rank planes (a column serves the five
// outputs around it), then a selection network that relies on the columns being sorted picks
// the median: 100 min/max per output vector. Rows are cut into chunks so the planes stay in L1.
#include "pixflow/filters/median.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "median.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#ifndef PIXFLOW_MEDIAN_NETWORKS_ONCE
#define PIXFLOW_MEDIAN_NETWORKS_ONCE
namespace pixflow::median {

// One step of a min/max network on wires: kind 0 is a full compare-exchange (min to `lo`, max to
// `hi`); kind 1 keeps only the min (into `lo`), kind 2 only the max (into `hi`), where the other
// output is never used.
struct MinMaxOp {
  int lo;
  int hi;
  int kind;
};

// Sorts 5 wires ascending: the optimal 9-comparator network.
inline constexpr MinMaxOp kSort5[] = {{0, 1, 0}, {3, 4, 0}, {2, 4, 0}, {2, 3, 0}, {1, 4, 0},
                                      {0, 3, 0}, {0, 2, 0}, {1, 3, 0}, {1, 2, 0}};

// Median of 25 values given as 5 sorted columns: wire 5 * c + r holds rank r of column c. The
// median ends on wire kSelect25Output. Derived offline from odd-even merges of the rows of that
// 5x5 matrix (each row first sorted), pruned of every comparator that does not reach the output
// and then of every comparator whose removal leaves the median right for all 0/1 inputs with
// sorted columns (6^5 cases). By the 0-1 principle (a monotone map of the inputs commutes with
// the network and keeps the columns sorted) that check covers every input.
inline constexpr MinMaxOp kSelect25[] = {
    {0, 5, 0},   {15, 20, 0}, {10, 20, 0}, {5, 20, 0},  {0, 10, 2},  {5, 10, 2},  {1, 6, 0},
    {16, 21, 0}, {11, 21, 0}, {11, 16, 0}, {6, 21, 0},  {1, 16, 0},  {6, 16, 0},  {2, 7, 0},
    {17, 22, 0}, {12, 22, 0}, {12, 17, 0}, {7, 22, 0},  {2, 17, 0},  {7, 17, 0},  {7, 12, 0},
    {3, 8, 0},   {13, 23, 0}, {13, 18, 0}, {8, 23, 1},  {3, 13, 0},  {8, 13, 0},  {4, 9, 0},
    {14, 24, 0}, {9, 24, 1},  {4, 19, 0},  {4, 14, 0},  {9, 19, 1},  {9, 14, 1},  {20, 1, 2},
    {15, 6, 2},  {6, 11, 2},  {22, 3, 1},  {12, 22, 0}, {17, 18, 1}, {17, 8, 0},  {17, 22, 0},
    {8, 13, 1},  {1, 2, 2},   {22, 2, 0},  {10, 12, 2}, {11, 12, 2}, {12, 22, 0}, {21, 7, 0},
    {8, 7, 0},   {16, 17, 0}, {17, 8, 0},  {21, 12, 2}, {17, 22, 0}, {2, 4, 1},   {22, 2, 1},
    {12, 22, 2}, {7, 9, 1},   {8, 7, 1},   {16, 17, 2}, {17, 8, 1},  {17, 22, 2}};
inline constexpr int kSelect25Output = 22;

}  // namespace pixflow::median
#endif  // PIXFLOW_MEDIAN_NETWORKS_ONCE

HWY_BEFORE_NAMESPACE();
namespace pixflow::median {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D8 = hn::ScalableTag<uint8_t>;
using V8 = hn::Vec<D8>;

// Works for vectors and for plain uint8_t (the scalar tails), with the same network.
HWY_ATTR HWY_INLINE V8 MinOf(V8 a, V8 b) { return hn::Min(a, b); }
HWY_ATTR HWY_INLINE V8 MaxOf(V8 a, V8 b) { return hn::Max(a, b); }
HWY_INLINE uint8_t MinOf(uint8_t a, uint8_t b) { return std::min(a, b); }
HWY_INLINE uint8_t MaxOf(uint8_t a, uint8_t b) { return std::max(a, b); }

template <class T>
HWY_ATTR HWY_INLINE void Apply(T* v, const MinMaxOp& op) {
  if (op.kind == 0) {
    const T lo = MinOf(v[op.lo], v[op.hi]);
    v[op.hi] = MaxOf(v[op.lo], v[op.hi]);
    v[op.lo] = lo;
  } else if (op.kind == 1) {
    v[op.lo] = MinOf(v[op.lo], v[op.hi]);
  } else {
    v[op.hi] = MaxOf(v[op.lo], v[op.hi]);
  }
}

// Unrolled at compile time so the wires live in registers.
template <const auto& kNet, class T, size_t... I>
HWY_ATTR HWY_INLINE void RunNetwork(T* v, std::index_sequence<I...>) {
  (Apply(v, kNet[I]), ...);
}
template <const auto& kNet, class T>
HWY_ATTR HWY_INLINE void RunNetwork(T* v) {
  RunNetwork<kNet>(v, std::make_index_sequence<std::size(kNet)>());
}

template <class T>
HWY_ATTR HWY_INLINE T Median3(T a, T b, T c) {
  return MaxOf(MinOf(a, b), MinOf(MaxOf(a, b), c));
}

// Output rows y and y + 1 from input rows y - 1 .. y + 2 (rows[0..3]), elements [0, n). The rows
// are readable over [-step, n + step), and a vector further when n is not a whole number of
// vectors; dst0 and dst1 are written over [0, n) only.
HWY_ATTR void Median3x3TwoRows(const uint8_t* const* rows, int step, size_t n, uint8_t* dst0,
                               uint8_t* dst1) {
  const D8 d;
  const size_t lanes = hn::Lanes(d);
  const auto medians = [&](size_t i, V8& out0, V8& out1) HWY_ATTR {
    V8 lo0[3], mid0[3], hi0[3], lo1[3], mid1[3], hi1[3];
    for (int k = 0; k < 3; ++k) {
      const ptrdiff_t at = static_cast<ptrdiff_t>(i) + (k - 1) * static_cast<ptrdiff_t>(step);
      const V8 top = hn::LoadU(d, rows[0] + at);
      const V8 b = hn::LoadU(d, rows[1] + at);
      const V8 c = hn::LoadU(d, rows[2] + at);
      const V8 bottom = hn::LoadU(d, rows[3] + at);
      const V8 p = hn::Min(b, c);  // the middle pair, sorted once for both columns
      const V8 q = hn::Max(b, c);
      lo0[k] = hn::Min(top, p);
      hi0[k] = hn::Max(top, q);
      mid0[k] = hn::Max(p, hn::Min(top, q));
      lo1[k] = hn::Min(bottom, p);
      hi1[k] = hn::Max(bottom, q);
      mid1[k] = hn::Max(p, hn::Min(bottom, q));
    }
    out0 = Median3(hn::Max(hn::Max(lo0[0], lo0[1]), lo0[2]), Median3(mid0[0], mid0[1], mid0[2]),
                   hn::Min(hn::Min(hi0[0], hi0[1]), hi0[2]));
    out1 = Median3(hn::Max(hn::Max(lo1[0], lo1[1]), lo1[2]), Median3(mid1[0], mid1[1], mid1[2]),
                   hn::Min(hn::Min(hi1[0], hi1[1]), hi1[2]));
  };
  V8 out0, out1;
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    medians(i, out0, out1);
    hn::StoreU(out0, d, dst0 + i);
    hn::StoreU(out1, d, dst1 + i);
  }
  if (i == n) return;
  uint8_t tail[2][hn::MaxLanes(D8())];
  medians(i, out0, out1);
  hn::StoreU(out0, d, tail[0]);
  hn::StoreU(out1, d, tail[1]);
  std::memcpy(dst0 + i, tail[0], n - i);
  std::memcpy(dst1 + i, tail[1], n - i);
}

// planes[r][i] = rank r of {rows[0][i], ..., rows[4][i]}, for i in [0, n).
HWY_ATTR void SortColumns5(const uint8_t* const* rows, size_t n, uint8_t* const* planes) {
  const D8 d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    V8 v[5];
    for (int r = 0; r < 5; ++r) v[r] = hn::LoadU(d, rows[r] + i);
    RunNetwork<kSort5>(v);
    for (int r = 0; r < 5; ++r) hn::StoreU(v[r], d, planes[r] + i);
  }
  for (; i < n; ++i) {
    uint8_t v[5];
    for (int r = 0; r < 5; ++r) v[r] = rows[r][i];
    RunNetwork<kSort5>(v);
    for (int r = 0; r < 5; ++r) planes[r][i] = v[r];
  }
}

// dst[i] = median of the 5x5 window around i for i in [0, n), from rank planes valid over
// [-2 * step, n + 2 * step) plus a vector.
HWY_ATTR void SelectMedians5(const uint8_t* const* planes, int step, size_t n, uint8_t* dst) {
  const D8 d;
  const size_t lanes = hn::Lanes(d);
  const auto median = [&](size_t i) HWY_ATTR {
    V8 v[25];
    for (int c = 0; c < 5; ++c) {
      const ptrdiff_t offset = static_cast<ptrdiff_t>(c - 2) * step;
      for (int r = 0; r < 5; ++r) v[5 * c + r] = hn::LoadU(d, planes[r] + i + offset);
    }
    RunNetwork<kSelect25>(v);
    return v[kSelect25Output];
  };
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(median(i), d, dst + i);
  if (i == n) return;
  uint8_t tail[hn::MaxLanes(D8())];
  hn::StoreU(median(i), d, tail);
  std::memcpy(dst + i, tail, n - i);
}

}  // namespace HWY_NAMESPACE
}  // namespace pixflow::median
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pixflow {
namespace median {

HWY_EXPORT(Median3x3TwoRows);
HWY_EXPORT(SortColumns5);
HWY_EXPORT(SelectMedians5);

namespace {

// Elements the widest vector (64 bytes) may read past a scratch row's end.
constexpr size_t kVectorPad = 64;

// dst[j] = row[e] for image elements e in [begin, end), where elements left of the row or right
// of it read the edge pixel's same channel (the replicated border).
void CopyReplicated(const uint8_t* row, size_t n, int channels, ptrdiff_t begin, ptrdiff_t end,
                    uint8_t* dst) {
  const ptrdiff_t size = static_cast<ptrdiff_t>(n);
  const ptrdiff_t inside_begin = std::clamp<ptrdiff_t>(begin, 0, size);
  const ptrdiff_t inside_end = std::clamp<ptrdiff_t>(end, inside_begin, size);
  for (ptrdiff_t e = begin; e < std::min(inside_begin, end); ++e) {
    dst[e - begin] = row[(e % channels + channels) % channels];
  }
  std::memcpy(dst + (inside_begin - begin), row + inside_begin, inside_end - inside_begin);
  for (ptrdiff_t e = std::max(inside_end, begin); e < end; ++e) {
    dst[e - begin] = row[size - channels + (e - size) % channels];
  }
}

// For a rank plane whose element p holds image element begin - halo + p (the chunk [begin,
// end) and its halo): sets the elements outside the image [0, n) to the value of the pixel the
// replicated border reads, same channel, which the plane already holds.
void ReplicateOutside(size_t begin, size_t end, size_t halo, size_t n, int channels,
                      uint8_t* plane) {
  const ptrdiff_t origin = static_cast<ptrdiff_t>(begin) - static_cast<ptrdiff_t>(halo);
  const ptrdiff_t size = static_cast<ptrdiff_t>(n);
  const auto at = [&](ptrdiff_t e) -> uint8_t& { return plane[e - origin]; };
  for (ptrdiff_t e = origin; e < 0; ++e) at(e) = at((e % channels + channels) % channels);
  for (ptrdiff_t e = size; e < static_cast<ptrdiff_t>(end + halo); ++e) {
    at(e) = at(size - channels + (e - size) % channels);
  }
}

class Median final : public Filter {
 public:
  explicit Median(int ksize) : ksize_(ksize) {}

  std::string Name() const override { return "median(ksize=" + std::to_string(ksize_) + ")"; }
  Result<Size> OutputSize(Size input) const override {
    if (ksize_ != 3 && ksize_ != 5) {
      return InvalidArgument("median: ksize must be 3 or 5 (got " + std::to_string(ksize_) + ")");
    }
    return input;
  }
  RowRange Footprint(RowRange out, Size) const override {
    return {out.begin - ksize_ / 2, out.end + ksize_ / 2};
  }
  void ProcessBand(const Band& band) const override {
    if (ksize_ == 3) {
      Process3x3(band);
    } else {
      Process5x5(band);
    }
  }

 private:
  static void Process3x3(const Band& band) {
    const int channels = band.input.channels();
    const size_t n = band.input.row_elements();
    const size_t step = static_cast<size_t>(channels);
    // The image rows are read directly where the window stays inside them: a whole number of
    // widest vectors starting at element `step`. The few elements left over at either end read
    // padded copies.
    const size_t interior = n > 2 * step ? (n - 2 * step) / kVectorPad * kVectorPad : 0;
    const size_t right = step + interior;
    std::vector<uint8_t> scratch(4 * (n - interior + 2 * step + kVectorPad), 0);
    std::vector<uint8_t> spare_row(n);
    const uint8_t* rows[4];
    const uint8_t* padded[4];
    const auto run = [&](const uint8_t* const* from, size_t begin, size_t count, uint8_t* dst0,
                         uint8_t* dst1) {
      HWY_DYNAMIC_DISPATCH(Median3x3TwoRows)(from, channels, count, dst0 + begin, dst1 + begin);
    };
    for (int y = band.output_rows.begin; y < band.output_rows.end; y += 2) {
      const bool pair = y + 1 < band.output_rows.end;
      for (int k = 0; k < 3; ++k) rows[k] = band.InputRow(y - 1 + k, Border::kReplicate);
      // An odd last row is computed as a pair too, with its partner (which may not read below
      // the band's footprint) discarded.
      rows[3] = pair ? band.InputRow(y + 2, Border::kReplicate) : rows[2];
      uint8_t* dst0 = band.OutputRow(y);
      uint8_t* dst1 = pair ? band.OutputRow(y + 1) : spare_row.data();
      if (interior > 0) {
        const uint8_t* at[4];
        for (int k = 0; k < 4; ++k) at[k] = rows[k] + step;
        run(at, step, interior, dst0, dst1);
      }
      // Edges: [0, step) and [right, n), or the whole row when it is too short for the above.
      for (auto [begin, end] : {std::pair{size_t{0}, interior > 0 ? step : n},
                                std::pair{interior > 0 ? right : n, n}}) {
        if (begin == end) continue;
        const size_t width = end - begin + 2 * step + kVectorPad;
        for (int k = 0; k < 4; ++k) {
          uint8_t* copy = scratch.data() + k * width;
          CopyReplicated(rows[k], n, channels,
                         static_cast<ptrdiff_t>(begin) - static_cast<ptrdiff_t>(step),
                         static_cast<ptrdiff_t>(end + step), copy);
          padded[k] = copy + step;
        }
        run(padded, begin, end - begin, dst0, dst1);
      }
    }
  }

  static void Process5x5(const Band& band) {
    // Output elements per chunk: a multiple of every vector length, small enough that the five
    // rank planes (with halos) stay in a 32 KiB L1 next to the input rows being read.
    constexpr size_t kChunk = 4096;
    const int channels = band.input.channels();
    const size_t n = band.input.row_elements();
    const size_t halo = 2 * static_cast<size_t>(channels);
    const size_t plane_size = std::min(n, kChunk) + 2 * halo + kVectorPad;
    std::vector<uint8_t> storage(plane_size * 5, 0);
    uint8_t* planes[5];
    const uint8_t* rows[5];
    const uint8_t* from[5];
    uint8_t* to[5];
    for (int r = 0; r < 5; ++r) planes[r] = storage.data() + r * plane_size;
    for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
      for (int k = 0; k < 5; ++k) rows[k] = band.InputRow(y + k - 2, Border::kReplicate);
      for (size_t begin = 0; begin < n; begin += kChunk) {
        const size_t end = std::min(n, begin + kChunk);
        // Plane element p holds the sorted column of image element begin - halo + p. Sort the
        // columns inside the image, then replicate the edge pixels' columns outwards.
        const size_t first = begin >= halo ? begin - halo : 0;
        const size_t last = std::min(n, end + halo);
        for (int k = 0; k < 5; ++k) {
          from[k] = rows[k] + first;
          to[k] = planes[k] + (first + halo - begin);
        }
        HWY_DYNAMIC_DISPATCH(SortColumns5)(from, last - first, to);
        for (int k = 0; k < 5; ++k) {
          ReplicateOutside(begin, end, halo, n, channels, planes[k]);
          from[k] = planes[k] + halo;
        }
        HWY_DYNAMIC_DISPATCH(SelectMedians5)
        (from, channels, end - begin, band.OutputRow(y) + begin);
      }
    }
  }

  int ksize_;
};

}  // namespace
}  // namespace median

std::unique_ptr<Filter> MakeMedian(int ksize) { return std::make_unique<median::Median>(ksize); }

}  // namespace pixflow
#endif  // HWY_ONCE
