#include "convolve_kernels.h"

#include <algorithm>
#include <cstring>

#include "row_kernels.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "convolve_kernels.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace pixflow::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DI32 = hn::RebindToSigned<DF>;
using DU8 = hn::Rebind<uint8_t, DF>;  // a quarter vector: one byte per float lane
using D16 = hn::ScalableTag<uint16_t>;

// OpenCV's saturate_cast<uchar>(float): cvRound (half to even; 0x80000000 when out of int
// range), then saturate. Demoting through int16 saturates at each step; Highway 1.0.3's direct
// DemoteTo(u8, i32) on x86 packs through u16 and wraps values in (32767, 33023].
HWY_ATTR HWY_INLINE void StoreNearestU8(hn::Vec<DF> v, uint8_t* dst) {
  const hn::Rebind<int16_t, DF> d16;
  const DU8 du8;
  hn::StoreU(hn::DemoteTo(du8, hn::DemoteTo(d16, hn::NearestInt(v))), du8, dst);
}

HWY_ATTR HWY_INLINE hn::Vec<DF> LoadU8AsF32(const uint8_t* src) {
  const DF df;
  const DI32 di;
  return hn::ConvertTo(df, hn::PromoteTo(di, hn::LoadU(DU8(), src)));
}

// Runs body(i, store) for each whole float vector in [0, n); for the partial vector at the end,
// `store` writes into a buffer whose first n - i bytes are then copied to dst + i. Callers whose
// inputs are float scratch rows may read that last vector whole (the rows are padded).
template <class Body>
HWY_ATTR HWY_INLINE void ForEachVectorToU8(size_t n, uint8_t* dst, const Body& body) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) body(i, dst + i);
  if (i == n) return;
  uint8_t tail[hn::MaxLanes(DF())];
  body(i, tail);
  std::memcpy(dst + i, tail, n - i);
}

HWY_ATTR void SymmetricColumnQ8(const uint8_t* const* rows, const uint16_t* weights, int radius,
                                size_t n, float* dst) {
  const uint8_t* center = rows[radius];
  size_t i = 0;
#if HWY_TARGET != HWY_SCALAR  // a one-lane vector has no halves to widen into
  const D16 d16;
  const hn::Rebind<uint8_t, D16> d8;
  const hn::Half<D16> dh16;
  const DF df;
  const hn::Rebind<uint32_t, DF> du32;
  const DI32 di32;
  const size_t lanes = hn::Lanes(d16);
  for (; i + lanes <= n; i += lanes) {
    // u16 lanes are exact: a pair of taps sums to <= 510, its weight is <= 128 (the weights are
    // symmetric and sum to 256) and the whole sum is <= 256 * 255.
    auto acc =
        hn::Mul(hn::Set(d16, weights[radius]), hn::PromoteTo(d16, hn::LoadU(d8, center + i)));
    for (int k = 0; k < radius; ++k) {
      const auto pair = hn::Add(hn::PromoteTo(d16, hn::LoadU(d8, rows[k] + i)),
                                hn::PromoteTo(d16, hn::LoadU(d8, rows[2 * radius - k] + i)));
      acc = hn::Add(acc, hn::Mul(hn::Set(d16, weights[k]), pair));
    }
    const auto lo = hn::BitCast(di32, hn::PromoteTo(du32, hn::LowerHalf(dh16, acc)));
    const auto hi = hn::BitCast(di32, hn::PromoteTo(du32, hn::UpperHalf(dh16, acc)));
    hn::StoreU(hn::ConvertTo(df, lo), df, dst + i);
    hn::StoreU(hn::ConvertTo(df, hi), df, dst + i + lanes / 2);
  }
#endif
  // Integer arithmetic: the scalar tail is exactly the vector result.
  for (; i < n; ++i) {
    uint32_t sum = uint32_t{weights[radius]} * center[i];
    for (int k = 0; k < radius; ++k) {
      sum += uint32_t{weights[k]} * (uint32_t{rows[k][i]} + rows[2 * radius - k][i]);
    }
    dst[i] = static_cast<float>(sum);
  }
}

HWY_ATTR void SymmetricRowQ8ToU8(const float* src, const float* weights, int radius, int step,
                                 size_t n, uint8_t* dst) {
  const DF df;
  const DI32 di32;
  const DU8 du8;
  const auto half = hn::Set(df, 32768.0f);
  const auto scale = hn::Set(df, 1.0f / 65536.0f);
  ForEachVectorToU8(n, dst, [&](size_t i, uint8_t* out) HWY_ATTR {
    auto acc = hn::Mul(hn::Set(df, weights[radius]), hn::LoadU(df, src + i));
    for (int k = 0; k < radius; ++k) {
      const ptrdiff_t offset = static_cast<ptrdiff_t>(radius - k) * step;
      const auto pair = hn::Add(hn::LoadU(df, src + i - offset), hn::LoadU(df, src + i + offset));
      acc = hn::MulAdd(hn::Set(df, weights[k]), pair, acc);
    }
    // (sum + 2^15) >> 16: scaling by 2^-16 is exact and truncation floors non-negative values.
    const auto q = hn::ConvertTo(di32, hn::Mul(hn::Add(acc, half), scale));
    hn::StoreU(hn::DemoteTo(du8, q), du8, out);
  });
}

HWY_ATTR void UnsharpRow(const uint8_t* in, const uint8_t* blurred, float amount, int threshold,
                         size_t n, uint8_t* dst) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const auto vamount = hn::Set(df, amount);
  const auto vthreshold = hn::Set(df, static_cast<float>(threshold));
  const auto sharpen = [&](const uint8_t* a, const uint8_t* b, uint8_t* out) HWY_ATTR {
    const auto x = LoadU8AsF32(a);
    const auto detail = hn::Sub(x, LoadU8AsF32(b));
    const auto sharpened = hn::MulAdd(vamount, detail, x);
    StoreNearestU8(hn::IfThenElse(hn::Gt(hn::Abs(detail), vthreshold), sharpened, x), out);
  };
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) sharpen(in + i, blurred + i, dst + i);
  if (i == n) return;
  // The image rows are not padded: the last partial vector goes through buffers.
  uint8_t a[hn::MaxLanes(DF())] = {};
  uint8_t b[hn::MaxLanes(DF())] = {};
  uint8_t out[hn::MaxLanes(DF())];
  std::memcpy(a, in + i, n - i);
  std::memcpy(b, blurred + i, n - i);
  sharpen(a, b, out);
  std::memcpy(dst + i, out, n - i);
}

// acc[v] = init + sum over t of weights[t] * srcs[t][i + v * lanes], for kBlock vectors at once:
// the tap's pointer and weight are loaded once per block, and kBlock independent sums hide the
// multiply-add latency. Each lane's sum runs in tap order whatever kBlock is.
template <size_t kBlock>
HWY_ATTR HWY_INLINE void SumTaps(const float* const* srcs, const float* weights, int taps, size_t i,
                                 hn::Vec<DF> init, hn::Vec<DF>* acc) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  for (size_t v = 0; v < kBlock; ++v) acc[v] = init;
  for (int t = 0; t < taps; ++t) {
    const auto w = hn::Set(df, weights[t]);
    const float* src = srcs[t] + i;
    for (size_t v = 0; v < kBlock; ++v)
      acc[v] = hn::MulAdd(w, hn::LoadU(df, src + v * lanes), acc[v]);
  }
}

// Calls store(i, sum) for every vector of [0, n), in blocks of 4 vectors while they fit, then
// one by one; the last vector may extend past n (float scratch rows are padded for it).
template <class Store>
HWY_ATTR HWY_INLINE void ForEachTapSum(const float* const* srcs, const float* weights, int taps,
                                       float init, size_t n, const Store& store) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const auto vinit = hn::Set(df, init);
  hn::Vec<DF> acc[4];
  size_t i = 0;
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    SumTaps<4>(srcs, weights, taps, i, vinit, acc);
    for (size_t v = 0; v < 4; ++v) store(i + v * lanes, acc[v]);
  }
  for (; i < n; i += lanes) {
    SumTaps<1>(srcs, weights, taps, i, vinit, acc);
    store(i, acc[0]);
  }
}

HWY_ATTR void TapSumToF32(const float* const* srcs, const float* weights, int taps, size_t n,
                          float* dst) {
  const DF df;
  ForEachTapSum(srcs, weights, taps, 0.0f, n,
                [&](size_t i, hn::Vec<DF> sum) HWY_ATTR { hn::StoreU(sum, df, dst + i); });
}

// The paired form of SumTaps: each source vector is loaded once for both outputs.
template <size_t kBlock>
HWY_ATTR HWY_INLINE void SumPairedTaps(const PairedTaps<float>& taps, size_t i, hn::Vec<DF> init,
                                       hn::Vec<DF>* acc0, hn::Vec<DF>* acc1) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  for (size_t v = 0; v < kBlock; ++v) acc0[v] = acc1[v] = init;
  for (int s = 0; s < taps.count; ++s) {
    const float* src = taps.srcs[s] + i;
    hn::Vec<DF> x[kBlock];
    for (size_t v = 0; v < kBlock; ++v) x[v] = hn::LoadU(df, src + v * lanes);
    if (taps.use[s] & 1) {
      const auto w = hn::Set(df, taps.first[s]);
      for (size_t v = 0; v < kBlock; ++v) acc0[v] = hn::MulAdd(w, x[v], acc0[v]);
    }
    if (taps.use[s] & 2) {
      const auto w = hn::Set(df, taps.second[s]);
      for (size_t v = 0; v < kBlock; ++v) acc1[v] = hn::MulAdd(w, x[v], acc1[v]);
    }
  }
}

HWY_ATTR void PairedTapSumToU8(const PairedTaps<float>& taps, float delta, bool absolute, size_t n,
                               uint8_t* dst0, uint8_t* dst1) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const size_t whole = n / lanes * lanes;
  const auto vdelta = hn::Set(df, delta);
  const auto store = [&](size_t i, hn::Vec<DF> sum, uint8_t* dst, uint8_t* tail) HWY_ATTR {
    if (absolute) sum = hn::Abs(sum);
    // dst is an image row: the vector that runs past n goes through `tail`.
    StoreNearestU8(sum, i < whole ? dst + i : tail);
  };
  uint8_t tail0[hn::MaxLanes(DF())];
  uint8_t tail1[hn::MaxLanes(DF())];
  hn::Vec<DF> acc0[2], acc1[2];
  size_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    SumPairedTaps<2>(taps, i, vdelta, acc0, acc1);
    for (size_t v = 0; v < 2; ++v) {
      store(i + v * lanes, acc0[v], dst0, tail0);
      store(i + v * lanes, acc1[v], dst1, tail1);
    }
  }
  for (; i < n; i += lanes) {
    SumPairedTaps<1>(taps, i, vdelta, acc0, acc1);
    store(i, acc0[0], dst0, tail0);
    store(i, acc1[0], dst1, tail1);
  }
  std::memcpy(dst0 + whole, tail0, n - whole);
  std::memcpy(dst1 + whole, tail1, n - whole);
}

// Vertical pass of a symmetric kernel of radius R for output rows y and y + 1, from rows[j] =
// filtered input row y - R + j, j in [0, 2R + 1]. In OpenCV's column order: the centre tap from
// delta, then each mirrored pair of rows added before its multiply-add, inside out. Each row is
// loaded once for both outputs; the pairing halves the multiply-adds.
template <int R>
HWY_ATTR void SymmetricPair(const float* const* rows, const float* weights, float delta,
                            bool absolute, size_t n, uint8_t* dst0, uint8_t* dst1) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const size_t whole = n / lanes * lanes;
  uint8_t tail0[hn::MaxLanes(DF())];
  uint8_t tail1[hn::MaxLanes(DF())];
  const auto vdelta = hn::Set(df, delta);
  const auto sum = [&](const hn::Vec<DF>* x) HWY_ATTR {
    auto acc = hn::MulAdd(hn::Set(df, weights[0]), x[R], vdelta);
    for (int k = 1; k <= R; ++k)
      acc = hn::MulAdd(hn::Set(df, weights[k]), hn::Add(x[R - k], x[R + k]), acc);
    return absolute ? hn::Abs(acc) : acc;
  };
  for (size_t i = 0; i < n; i += lanes) {
    hn::Vec<DF> x[2 * R + 2];
    for (int j = 0; j < 2 * R + 2; ++j) x[j] = hn::LoadU(df, rows[j] + i);
    StoreNearestU8(sum(x), i < whole ? dst0 + i : tail0);
    StoreNearestU8(sum(x + 1), i < whole ? dst1 + i : tail1);
  }
  std::memcpy(dst0 + whole, tail0, n - whole);
  std::memcpy(dst1 + whole, tail1, n - whole);
}

HWY_ATTR void SymmetricPairToU8(const float* const* rows, const float* weights, int radius,
                                float delta, bool absolute, size_t n, uint8_t* dst0,
                                uint8_t* dst1) {
  switch (radius) {
    case 1:
      return SymmetricPair<1>(rows, weights, delta, absolute, n, dst0, dst1);
    case 2:
      return SymmetricPair<2>(rows, weights, delta, absolute, n, dst0, dst1);
    case 3:
      return SymmetricPair<3>(rows, weights, delta, absolute, n, dst0, dst1);
    default:
      return SymmetricPair<4>(rows, weights, delta, absolute, n, dst0, dst1);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace pixflow::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pixflow::kernels {

HWY_EXPORT(SymmetricColumnQ8);
HWY_EXPORT(SymmetricRowQ8ToU8);
HWY_EXPORT(UnsharpRow);
HWY_EXPORT(PairedTapSumToU8);
HWY_EXPORT(SymmetricPairToU8);
HWY_EXPORT(TapSumToF32);

void SymmetricColumnQ8(const uint8_t* const* rows, const uint16_t* weights, int radius, size_t n,
                       float* dst) {
  HWY_DYNAMIC_DISPATCH(SymmetricColumnQ8)(rows, weights, radius, n, dst);
}
void SymmetricRowQ8ToU8(const float* src, const float* weights, int radius, int step, size_t n,
                        uint8_t* dst) {
  HWY_DYNAMIC_DISPATCH(SymmetricRowQ8ToU8)(src, weights, radius, step, n, dst);
}
void UnsharpRow(const uint8_t* in, const uint8_t* blurred, float amount, int threshold, size_t n,
                uint8_t* dst) {
  HWY_DYNAMIC_DISPATCH(UnsharpRow)(in, blurred, amount, threshold, n, dst);
}
void PairedTapSumToU8(const PairedTaps<float>& taps, float delta, bool absolute, size_t n,
                      uint8_t* dst0, uint8_t* dst1) {
  HWY_DYNAMIC_DISPATCH(PairedTapSumToU8)(taps, delta, absolute, n, dst0, dst1);
}

void SymmetricPairToU8(const float* const* rows, const float* weights, int radius, float delta,
                       bool absolute, size_t n, uint8_t* dst0, uint8_t* dst1) {
  HWY_DYNAMIC_DISPATCH(SymmetricPairToU8)(rows, weights, radius, delta, absolute, n, dst0, dst1);
}

void TapSumToF32(const float* const* srcs, const float* weights, int taps, size_t n, float* dst) {
  HWY_DYNAMIC_DISPATCH(TapSumToF32)(srcs, weights, taps, n, dst);
}

void LoadPixels(const uint8_t* row, int width, int channels, int first, int last, Border border,
                float* dst) {
  LoadPixelsWith(U8ToF32, row, width, channels, first, last, border, dst);
}

void LoadPaddedRow(const uint8_t* row, int width, int channels, int left, int right, Border border,
                   float* dst) {
  LoadPixels(row, width, channels, -left, width + right, border, dst);
}

}  // namespace pixflow::kernels
#endif  // HWY_ONCE
