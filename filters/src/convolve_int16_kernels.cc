// The int16 tap sums of convolve_kernels.h: for kernels whose weights are small integers (Sobel,
// sharpening, Laplacians) every sum is an exact integer, and 16-bit lanes carry twice as many
// pixels per vector as float, with no conversions. Callers guarantee that no partial sum leaves
// int16, so the wrapping Add/Mul never wrap.
#include <algorithm>
#include <cstring>

#include "convolve_kernels.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "convolve_int16_kernels.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace pixflow::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DI16 = hn::ScalableTag<int16_t>;
using VI16 = hn::Vec<DI16>;

HWY_ATTR void WidenToI16(const uint8_t* src, size_t n, int16_t* dst) {
  const DI16 d;
  const hn::Rebind<uint8_t, DI16> d8;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(hn::BitCast(d, hn::PromoteTo(hn::RebindToUnsigned<DI16>(), hn::LoadU(d8, src + i))),
               d, dst + i);
  }
  for (; i < n; ++i) dst[i] = src[i];
}

// acc += w * v; weights of +-1 (most taps of derivative kernels) need no multiply.
HWY_ATTR HWY_INLINE VI16 AddTap(VI16 acc, int16_t w, VI16 v) {
  if (w == 1) return hn::Add(acc, v);
  if (w == -1) return hn::Sub(acc, v);
  return hn::Add(acc, hn::Mul(hn::Set(DI16(), w), v));
}

// As SumTaps in convolve_kernels.cc: kBlock vectors per pass over the taps.
template <size_t kBlock>
HWY_ATTR HWY_INLINE void SumTaps(const int16_t* const* srcs, const int16_t* weights, int taps,
                                 size_t i, VI16 init, VI16* acc) {
  const DI16 d;
  const size_t lanes = hn::Lanes(d);
  for (size_t v = 0; v < kBlock; ++v) acc[v] = init;
  for (int t = 0; t < taps; ++t) {
    const int16_t* src = srcs[t] + i;
    for (size_t v = 0; v < kBlock; ++v)
      acc[v] = AddTap(acc[v], weights[t], hn::LoadU(d, src + v * lanes));
  }
}

template <class Store>
HWY_ATTR HWY_INLINE void ForEachTapSum(const int16_t* const* srcs, const int16_t* weights, int taps,
                                       int16_t init, size_t n, const Store& store) {
  const DI16 d;
  const size_t lanes = hn::Lanes(d);
  const VI16 vinit = hn::Set(d, init);
  VI16 acc[4];
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

HWY_ATTR void TapSumI16(const int16_t* const* srcs, const int16_t* weights, int taps, size_t n,
                        int16_t* dst) {
  const DI16 d;
  ForEachTapSum(srcs, weights, taps, 0, n,
                [&](size_t i, VI16 sum) HWY_ATTR { hn::StoreU(sum, d, dst + i); });
}

template <size_t kBlock>
HWY_ATTR HWY_INLINE void SumPairedTaps(const PairedTaps<int16_t>& taps, size_t i, VI16 init,
                                       VI16* acc0, VI16* acc1) {
  const DI16 d;
  const size_t lanes = hn::Lanes(d);
  for (size_t v = 0; v < kBlock; ++v) acc0[v] = acc1[v] = init;
  for (int s = 0; s < taps.count; ++s) {
    const int16_t* src = taps.srcs[s] + i;
    VI16 x[kBlock];
    for (size_t v = 0; v < kBlock; ++v) x[v] = hn::LoadU(d, src + v * lanes);
    if (taps.use[s] & 1) {
      for (size_t v = 0; v < kBlock; ++v) acc0[v] = AddTap(acc0[v], taps.first[s], x[v]);
    }
    if (taps.use[s] & 2) {
      for (size_t v = 0; v < kBlock; ++v) acc1[v] = AddTap(acc1[v], taps.second[s], x[v]);
    }
  }
}

HWY_ATTR void PairedTapSumI16ToU8(const PairedTaps<int16_t>& taps, int16_t delta, bool absolute,
                                  size_t n, uint8_t* dst0, uint8_t* dst1) {
  const DI16 d;
  const hn::Rebind<uint8_t, DI16> d8;
  const size_t lanes = hn::Lanes(d);
  const size_t whole = n / lanes * lanes;
  const VI16 vdelta = hn::Set(d, delta);
  const auto store = [&](size_t i, VI16 sum, uint8_t* dst, uint8_t* tail) HWY_ATTR {
    if (absolute) sum = hn::Abs(sum);
    // DemoteTo saturates to 0..255. dst is an image row: the vector past n goes via `tail`.
    hn::StoreU(hn::DemoteTo(d8, sum), d8, i < whole ? dst + i : tail);
  };
  uint8_t tail0[hn::MaxLanes(DI16())];
  uint8_t tail1[hn::MaxLanes(DI16())];
  VI16 acc0[2], acc1[2];
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

}  // namespace HWY_NAMESPACE
}  // namespace pixflow::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pixflow::kernels {

HWY_EXPORT(WidenToI16);
HWY_EXPORT(TapSumI16);
HWY_EXPORT(PairedTapSumI16ToU8);

void TapSumI16(const int16_t* const* srcs, const int16_t* weights, int taps, size_t n,
               int16_t* dst) {
  HWY_DYNAMIC_DISPATCH(TapSumI16)(srcs, weights, taps, n, dst);
}

void PairedTapSumI16ToU8(const PairedTaps<int16_t>& taps, int16_t delta, bool absolute, size_t n,
                         uint8_t* dst0, uint8_t* dst1) {
  HWY_DYNAMIC_DISPATCH(PairedTapSumI16ToU8)(taps, delta, absolute, n, dst0, dst1);
}

void LoadPixels(const uint8_t* row, int width, int channels, int first, int last, Border border,
                int16_t* dst) {
  LoadPixelsWith(HWY_DYNAMIC_DISPATCH(WidenToI16), row, width, channels, first, last, border, dst);
}

void LoadPaddedRow(const uint8_t* row, int width, int channels, int left, int right, Border border,
                   int16_t* dst) {
  LoadPixels(row, width, channels, -left, width + right, border, dst);
}

}  // namespace pixflow::kernels
#endif  // HWY_ONCE
