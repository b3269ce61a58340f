// The kernels that read 8-bit input rows: the vertical pass of the vertical-first order, and the
// conversion of one row to float for the horizontal-first order. Both convert as they load
// (premultiplying by alpha when asked), so no float copy of the input is ever made: the 8-bit
// rows an output row reads stay in L2, where their float copies would not.
#include <algorithm>
#include <cstring>

#include "resize_kernels.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "resize_vertical.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace pixflow::resize {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DI32 = hn::RebindToSigned<DF>;
using DU8 = hn::Rebind<uint8_t, DF>;
using V = hn::Vec<DF>;

// Element i of a row as it enters the pass; the scalar form serves the tails.
inline float PlainElement(const uint8_t* row, size_t i) { return row[i]; }
inline float PremultipliedElement(const uint8_t* row, size_t i, int channels) {
  const size_t alpha_at = i - i % channels + channels - 1;
  return i == alpha_at ? row[i] : static_cast<float>(row[i]) * row[alpha_at];
}

#if HWY_TARGET == HWY_SCALAR
// One lane cannot hold a pixel: plain loops, the same arithmetic as the test's reference.
HWY_ATTR void ConvertRow(const uint8_t* row, size_t n, int channels, bool premultiply, float* dst) {
  for (size_t i = 0; i < n; ++i) {
    dst[i] = premultiply ? PremultipliedElement(row, i, channels) : PlainElement(row, i);
  }
}

HWY_ATTR void VerticalRows(const uint8_t* const* sources, int count, const float* weights, int rows,
                           size_t n, int channels, bool premultiply, float* const* dst) {
  for (int r = 0; r < rows; ++r) {
    for (size_t i = 0; i < n; ++i) {
      float acc = 0.0f;
      for (int u = 0; u < count; ++u) {
        const float v = premultiply ? PremultipliedElement(sources[u], i, channels)
                                    : PlainElement(sources[u], i);
        acc += weights[r * count + u] * v;
      }
      dst[r][i] = acc;
    }
  }
}
#else

HWY_ATTR HWY_INLINE V LoadU8AsF32(const uint8_t* p) {
  return hn::ConvertTo(DF(), hn::PromoteTo(DI32(), hn::LoadU(DU8(), p)));
}

struct Plain {
  HWY_ATTR HWY_INLINE V operator()(const uint8_t* p) const { return LoadU8AsF32(p); }
  float operator()(const uint8_t* row, size_t i) const { return PlainElement(row, i); }
};

// Colour times alpha; alpha itself unchanged. Vectors start on a pixel boundary (their lane
// count is a multiple of 4), so each pixel's alpha sits in the same block as its colour.
template <int C>
struct Premultiplied {
  HWY_ATTR Premultiplied() {
    const DI32 di;
    const auto lane = hn::And(hn::Iota(di, 0), hn::Set(di, C - 1));
    is_alpha = hn::RebindMask(DF(), hn::Eq(lane, hn::Set(di, C - 1)));
  }
  HWY_ATTR HWY_INLINE V operator()(const uint8_t* p) const {
    const V v = LoadU8AsF32(p);
    const V alpha = C == 4 ? hn::Broadcast<3>(v) : hn::DupOdd(v);
    return hn::Mul(v, hn::IfThenElse(is_alpha, hn::Set(DF(), 1.0f), alpha));
  }
  float operator()(const uint8_t* row, size_t i) const { return PremultipliedElement(row, i, C); }
  hn::Mask<DF> is_alpha;
};

template <class Load>
HWY_ATTR void ConvertRowT(const uint8_t* row, size_t n, const Load& load, float* dst) {
  const DF df;
  size_t i = 0;
  for (; i + hn::Lanes(df) <= n; i += hn::Lanes(df)) hn::StoreU(load(row + i), df, dst + i);
  for (; i < n; ++i) dst[i] = load(row, i);  // 8-bit rows are not read past n
}

HWY_ATTR void ConvertRow(const uint8_t* row, size_t n, int channels, bool premultiply, float* dst) {
  if (!premultiply) return ConvertRowT(row, n, Plain(), dst);
  if (channels == 4) return ConvertRowT(row, n, Premultiplied<4>(), dst);
  ConvertRowT(row, n, Premultiplied<2>(), dst);
}

// The vertical pass for a group of kRows output rows. Their spans overlap (an input row feeds
// about 2 * radius output rows), so each input row of the group's union is loaded and
// converted once and added into every output row whose span holds it: for Lanczos at 1/4.8,
// 34 conversions for 2 rows instead of 58. kRows is a template parameter so that the
// accumulators keep compile-time indices and stay in registers; the span tests are the same
// for every step along the row, so they predict perfectly. Each step covers 4 vectors of each
// row: 2 rows x 4 accumulators, 4 loaded vectors and a weight fit even SSE4's 16 registers.
constexpr int kChunk = 4;

template <int kRows, int kVectors, class Load>
HWY_ATTR HWY_INLINE void SumStep(const uint8_t* const* sources, int count, const float* weights,
                                 const int* lo, const int* hi, size_t i, const Load& load,
                                 float* const* dst) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  V acc[kRows][kVectors];
  for (int r = 0; r < kRows; ++r) {
    for (int q = 0; q < kVectors; ++q) acc[r][q] = hn::Zero(df);
  }
  for (int u = 0; u < count; ++u) {
    V v[kVectors];
    for (int q = 0; q < kVectors; ++q) v[q] = load(sources[u] + i + q * lanes);
    for (int r = 0; r < kRows; ++r) {
      if (u < lo[r] || u >= hi[r]) continue;
      const V w = hn::Set(df, weights[r * count + u]);
      for (int q = 0; q < kVectors; ++q) acc[r][q] = hn::MulAdd(w, v[q], acc[r][q]);
    }
  }
  for (int r = 0; r < kRows; ++r) {
    for (int q = 0; q < kVectors; ++q) hn::StoreU(acc[r][q], df, dst[r] + i + q * lanes);
  }
}

template <int kRows, class Load>
HWY_ATTR void VerticalRowsT(const uint8_t* const* sources, int count, const float* weights,
                            size_t n, const Load& load, float* const* dst) {
  const size_t lanes = hn::Lanes(DF());
  // Each output row reads the span between its first and last nonzero weight (a zero inside a
  // span, where a Lanczos zero crossing lands on a row, is simply added).
  int lo[kRows], hi[kRows];
  for (int r = 0; r < kRows; ++r) {
    const float* w = weights + r * count;
    lo[r] = 0;
    while (lo[r] < count && w[lo[r]] == 0.0f) ++lo[r];
    hi[r] = count;
    while (hi[r] > lo[r] && w[hi[r] - 1] == 0.0f) --hi[r];
  }
  size_t i = 0;
  for (; i + kChunk * lanes <= n; i += kChunk * lanes) {
    SumStep<kRows, kChunk>(sources, count, weights, lo, hi, i, load, dst);
  }
  for (; i + lanes <= n; i += lanes) {
    SumStep<kRows, 1>(sources, count, weights, lo, hi, i, load, dst);
  }
  // The tail that does not fill a vector (8-bit rows must not be read past n).
  for (int r = 0; r < kRows; ++r) {
    for (size_t e = i; e < n; ++e) {
      float acc = 0.0f;
      for (int u = lo[r]; u < hi[r]; ++u) acc += weights[r * count + u] * load(sources[u], e);
      dst[r][e] = acc;
    }
  }
}

template <class Load>
HWY_ATTR void VerticalRowsT(const uint8_t* const* sources, int count, const float* weights,
                            int rows, size_t n, const Load& load, float* const* dst) {
  static_assert(kRowGroup == 2, "one case per group size");
  if (rows == 1) return VerticalRowsT<1>(sources, count, weights, n, load, dst);
  VerticalRowsT<2>(sources, count, weights, n, load, dst);
}

HWY_ATTR void VerticalRows(const uint8_t* const* sources, int count, const float* weights, int rows,
                           size_t n, int channels, bool premultiply, float* const* dst) {
  if (!premultiply) return VerticalRowsT(sources, count, weights, rows, n, Plain(), dst);
  if (channels == 4) {
    return VerticalRowsT(sources, count, weights, rows, n, Premultiplied<4>(), dst);
  }
  VerticalRowsT(sources, count, weights, rows, n, Premultiplied<2>(), dst);
}
#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace HWY_NAMESPACE
}  // namespace pixflow::resize
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pixflow::resize {

HWY_EXPORT(ConvertRow);
HWY_EXPORT(VerticalRows);

void ConvertRow(const uint8_t* row, size_t n, int channels, bool premultiply, float* dst) {
  HWY_DYNAMIC_DISPATCH(ConvertRow)(row, n, channels, premultiply, dst);
}
void VerticalRows(const uint8_t* const* sources, int count, const float* weights, int rows,
                  size_t n, int channels, bool premultiply, float* const* dst) {
  HWY_DYNAMIC_DISPATCH(VerticalRows)(sources, count, weights, rows, n, channels, premultiply, dst);
}

}  // namespace pixflow::resize
#endif  // HWY_ONCE
