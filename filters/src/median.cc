// Median filter, 3x3 and 5x5, with cv::medianBlur's replicated borders.
//
// Two stages per output row, both on interleaved bytes (a pixel's horizontal neighbours are
// `channels` elements away, so no deinterleaving is needed):
//  1. Sort each column of k values (the k input rows at one element position) with a sorting
//     network of vector min/max, into k rank planes. A column serves the k outputs around it, so
//     it is sorted once, not k times.
//  2. Select the median from the k sorted columns around each output with a selection network
//     that only needs the columns sorted: 12 min/max for 3x3 (the classic max-of-minima,
//     median-of-medians, min-of-maxima), 100 for 5x5.
// Rows are processed in chunks so that the rank planes stay in L1.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "pixflow/filters/median.h"

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

// planes[r][i] = rank r of {rows[0][i], ..., rows[k - 1][i]}, for i in [0, n).
template <int kSize>
HWY_ATTR void SortColumns(const uint8_t* const* rows, size_t n, uint8_t* const* planes) {
  const auto sort = [&](auto* v) HWY_ATTR {
    if constexpr (kSize == 3) {
      Apply(v, {1, 2, 0});
      Apply(v, {0, 1, 0});
      Apply(v, {1, 2, 0});
    } else {
      RunNetwork<kSort5>(v);
    }
  };
  const D8 d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    V8 v[kSize];
    for (int r = 0; r < kSize; ++r) v[r] = hn::LoadU(d, rows[r] + i);
    sort(v);
    for (int r = 0; r < kSize; ++r) hn::StoreU(v[r], d, planes[r] + i);
  }
  for (; i < n; ++i) {
    uint8_t v[kSize];
    for (int r = 0; r < kSize; ++r) v[r] = rows[r][i];
    sort(v);
    for (int r = 0; r < kSize; ++r) planes[r][i] = v[r];
  }
}

// dst[i] = median of the window around i for i in [0, n), from rank planes whose element i is
// planes[r][i] and which are valid over [-radius * step, n + radius * step) plus a vector.
template <int kSize>
HWY_ATTR void SelectMedians(const uint8_t* const* planes, int step, size_t n, uint8_t* dst) {
  constexpr int kRadius = kSize / 2;
  const D8 d;
  const size_t lanes = hn::Lanes(d);
  const auto median = [&](size_t i) HWY_ATTR {
    if constexpr (kSize == 3) {
      const auto load = [&](int r, int dx) HWY_ATTR {
        return hn::LoadU(d, planes[r] + i + static_cast<ptrdiff_t>(dx) * step);
      };
      const V8 lo = MaxOf(MaxOf(load(0, -1), load(0, 0)), load(0, 1));
      const V8 mid = Median3(load(1, -1), load(1, 0), load(1, 1));
      const V8 hi = MinOf(MinOf(load(2, -1), load(2, 0)), load(2, 1));
      return Median3(lo, mid, hi);
    } else {
      V8 v[25];
      for (int c = 0; c < 5; ++c) {
        const ptrdiff_t offset = static_cast<ptrdiff_t>(c - kRadius) * step;
        for (int r = 0; r < 5; ++r) v[5 * c + r] = hn::LoadU(d, planes[r] + i + offset);
      }
      RunNetwork<kSelect25>(v);
      return v[kSelect25Output];
    }
  };
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(median(i), d, dst + i);
  if (i == n) return;
  uint8_t tail[hn::MaxLanes(D8())];
  hn::StoreU(median(i), d, tail);
  std::memcpy(dst + i, tail, n - i);
}

HWY_ATTR void SortColumns3(const uint8_t* const* rows, size_t n, uint8_t* const* planes) {
  SortColumns<3>(rows, n, planes);
}
HWY_ATTR void SortColumns5(const uint8_t* const* rows, size_t n, uint8_t* const* planes) {
  SortColumns<5>(rows, n, planes);
}
HWY_ATTR void SelectMedians3(const uint8_t* const* planes, int step, size_t n, uint8_t* dst) {
  SelectMedians<3>(planes, step, n, dst);
}
HWY_ATTR void SelectMedians5(const uint8_t* const* planes, int step, size_t n, uint8_t* dst) {
  SelectMedians<5>(planes, step, n, dst);
}

}  // namespace HWY_NAMESPACE
}  // namespace pixflow::median
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pixflow {
namespace median {

HWY_EXPORT(SortColumns3);
HWY_EXPORT(SortColumns5);
HWY_EXPORT(SelectMedians3);
HWY_EXPORT(SelectMedians5);

namespace {

// Output elements per chunk: a multiple of every vector length, small enough that 5 rank planes
// (with halos) stay in a 32 KiB L1 next to the input rows being read.
constexpr size_t kChunk = 4096;
// Room after each plane for the last whole vector SelectMedians computes.
constexpr size_t kPlanePad = 64;

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
    const int radius = ksize_ / 2;
    const int channels = band.input.channels();
    const size_t n = band.input.row_elements();
    const size_t halo = static_cast<size_t>(radius) * channels;
    const size_t plane_size = std::min(n, kChunk) + 2 * halo + kPlanePad;
    std::vector<uint8_t> storage(plane_size * ksize_, 0);
    std::vector<uint8_t*> planes(ksize_);
    std::vector<const uint8_t*> rows(ksize_);
    std::vector<const uint8_t*> centred(ksize_);
    std::vector<uint8_t*> sorted_at(ksize_);
    for (int r = 0; r < ksize_; ++r) planes[r] = storage.data() + r * plane_size;

    for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
      for (int k = 0; k < ksize_; ++k) rows[k] = band.InputRow(y + k - radius, Border::kReplicate);
      for (size_t begin = 0; begin < n; begin += kChunk) {
        const size_t end = std::min(n, begin + kChunk);
        // Plane element p holds image element begin - halo + p.
        const size_t first = begin >= halo ? begin - halo : 0;
        const size_t last = std::min(n, end + halo);
        for (int k = 0; k < ksize_; ++k) {
          centred[k] = rows[k] + first;
          sorted_at[k] = planes[k] + (first + halo - begin);
        }
        (ksize_ == 3 ? HWY_DYNAMIC_DISPATCH(SortColumns3) : HWY_DYNAMIC_DISPATCH(SortColumns5))(
            centred.data(), last - first, sorted_at.data());
        ReplicateEdges(begin, end, n, channels, halo, planes);
        for (int k = 0; k < ksize_; ++k) centred[k] = planes[k] + halo;
        (ksize_ == 3 ? HWY_DYNAMIC_DISPATCH(SelectMedians3) : HWY_DYNAMIC_DISPATCH(SelectMedians5))(
            centred.data(), channels, end - begin, band.OutputRow(y) + begin);
      }
    }
  }

 private:
  // Fills plane elements that lie left of the image or right of it with the sorted column of
  // the edge pixel's same channel (replicated border).
  void ReplicateEdges(size_t begin, size_t end, size_t n, int channels, size_t halo,
                      const std::vector<uint8_t*>& planes) const {
    const auto image_to_plane = [&](ptrdiff_t e) { return static_cast<size_t>(e - static_cast<ptrdiff_t>(begin) + static_cast<ptrdiff_t>(halo)); };
    for (int k = 0; k < ksize_; ++k) {
      uint8_t* plane = planes[k];
      if (begin < halo) {
        for (ptrdiff_t e = -static_cast<ptrdiff_t>(halo); e < 0; ++e) {
          const ptrdiff_t from = (e % channels + channels) % channels;
          plane[image_to_plane(e)] = plane[image_to_plane(from)];
        }
      }
      if (end + halo > n) {
        const ptrdiff_t last_pixel = static_cast<ptrdiff_t>(n) - channels;
        for (ptrdiff_t e = static_cast<ptrdiff_t>(n); e < static_cast<ptrdiff_t>(n + halo); ++e) {
          plane[image_to_plane(e)] = plane[image_to_plane(last_pixel + (e - static_cast<ptrdiff_t>(n)) % channels)];
        }
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
