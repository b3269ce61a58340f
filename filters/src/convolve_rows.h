// Row plumbing shared by the linear convolution filters (convolve_linear.cc): the arithmetic
// (float, or exact int16 for small integer kernels), aligned scratch rows, a ring of prepared
// input rows, and the plan of which rows and weights a pair of output rows reads.
#pragma once

#include <hwy/aligned_allocator.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "convolve_kernels.h"

namespace pixflow::convolve {

// The float arithmetic OpenCV uses, and int16, which is exact when every weight and the delta
// are integers and no partial sum can leave int16 (see ExactInInt16). Exact integer results are
// also what float computes for such kernels (every sum is an integer below 2^24), so the int16
// path changes no byte; it only carries twice the pixels per vector.
struct FloatMath {
  using T = float;
  static void Sum(const T* const* srcs, const T* weights, int taps, size_t n, T* dst) {
    kernels::TapSumToF32(srcs, weights, taps, n, dst);
  }
  static void PairToU8(const kernels::PairedTaps<T>& taps, T delta, bool absolute, size_t n,
                       uint8_t* dst0, uint8_t* dst1) {
    kernels::PairedTapSumToU8(taps, delta, absolute, n, dst0, dst1);
  }
};

struct Int16Math {
  using T = int16_t;
  static void Sum(const T* const* srcs, const T* weights, int taps, size_t n, T* dst) {
    kernels::TapSumI16(srcs, weights, taps, n, dst);
  }
  static void PairToU8(const kernels::PairedTaps<T>& taps, T delta, bool absolute, size_t n,
                       uint8_t* dst0, uint8_t* dst1) {
    kernels::PairedTapSumI16ToU8(taps, delta, absolute, n, dst0, dst1);
  }
};

inline bool AllIntegers(const std::vector<float>& values) {
  return std::all_of(values.begin(), values.end(), [](float v) { return v == std::nearbyint(v); });
}

inline double AbsSum(const std::vector<float>& values) {
  double sum = 0;
  for (float v : values) sum += std::fabs(v);
  return sum;
}

// Whether the largest |partial sum| a kernel can reach on 8-bit input stays within int16.
inline bool ExactInInt16(const std::vector<float>& weights, float delta) {
  return AllIntegers(weights) && AllIntegers({delta}) &&
         255.0 * AbsSum(weights) + std::fabs(delta) <= 32767.0;
}
// The separable form: the horizontal sums, then the vertical sums of those.
inline bool ExactInInt16(const std::vector<float>& kx, const std::vector<float>& ky, float delta) {
  const double row_bound = 255.0 * AbsSum(kx);
  return AllIntegers(kx) && AllIntegers(ky) && AllIntegers({delta}) && row_bound <= 32767.0 &&
         AbsSum(ky) * row_bound + std::fabs(delta) <= 32767.0;
}

// Scratch rows of T, each 64-byte aligned with room for one more whole vector (at most 64
// bytes) after `elements`, zeroed so that room never holds garbage.
template <class T>
class ScratchRows {
 public:
  ScratchRows(int count, size_t elements)
      : stride_((elements + 2 * kPad - 1) / kPad * kPad),
        storage_(hwy::AllocateAligned<T>(stride_ * count)) {
    std::fill_n(storage_.get(), stride_ * count, T{0});
  }
  T* Row(int i) { return storage_.get() + stride_ * i; }

 private:
  static constexpr size_t kPad = 64 / sizeof(T);
  size_t stride_;
  hwy::AlignedFreeUniquePtr<T[]> storage_;
};

// Rows of a band's input, each prepared once (converted, padded, perhaps filtered) and kept while
// the `size` consecutive output rows that read it are computed.
template <class T>
class RowRing {
 public:
  RowRing(int size, size_t elements) : rows_(size, elements), tags_(size, INT_MIN) {}
  // Input row `y` (image coordinates, not yet mapped by the border), made by fill(y, dst) the
  // first time it is asked for. Any `size` consecutive rows are held at once.
  template <class Fill>
  T* Get(int y, const Fill& fill) {
    const int size = static_cast<int>(tags_.size());
    const int slot = ((y % size) + size) % size;
    if (tags_[slot] != y) {
      fill(y, rows_.Row(slot));
      tags_[slot] = y;
    }
    return rows_.Row(slot);
  }

 private:
  ScratchRows<T> rows_;
  std::vector<int> tags_;
};

// What output rows y and y + 1 read together: prepared input row y + row, `column` pixels along,
// with one weight per output row (0: that output does not read it). Sources are kept in each
// output's summation order, and a source that both outputs read is loaded once for both.
template <class T>
class PairPlan {
 public:
  void Add(int row, int column, float first, float second) {
    const uint8_t use = (first != 0 ? 1 : 0) | (second != 0 ? 2 : 0);
    if (use == 0) return;
    rows_.push_back(row);
    columns_.push_back(column);
    first_.push_back(static_cast<T>(first));
    second_.push_back(static_cast<T>(second));
    use_.push_back(use);
  }

  // The taps for the pair at output row y; row(y_in) returns prepared input row y_in, whose
  // element 0 is pixel 0 of the kernel's first column.
  template <class GetRow>
  kernels::PairedTaps<T> Bind(int y, int channels, const GetRow& row,
                              std::vector<const T*>& srcs) const {
    srcs.resize(rows_.size());
    for (size_t s = 0; s < rows_.size(); ++s) {
      srcs[s] = row(y + rows_[s]) + static_cast<ptrdiff_t>(columns_[s]) * channels;
    }
    return {srcs.data(), first_.data(), second_.data(), use_.data(),
            static_cast<int>(rows_.size())};
  }

 private:
  std::vector<int> rows_;
  std::vector<int> columns_;
  std::vector<T> first_;
  std::vector<T> second_;
  std::vector<uint8_t> use_;
};

}  // namespace pixflow::convolve
