#include "row_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "row_kernels.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace pixflow::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DI32 = hn::RebindToSigned<DF>;
using DU8 = hn::Rebind<uint8_t, DF>;

inline uint8_t RoundToU8(float v) {
  // nearbyint rounds half to even in the default environment, as cvtps2dq does.
  return static_cast<uint8_t>(std::clamp(std::nearbyint(v), 0.0f, 255.0f));
}

HWY_ATTR void U8ToF32(const uint8_t* src, size_t n, float* dst) {
  const DF df;
  const DI32 di;
  const DU8 du8;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(hn::ConvertTo(df, hn::PromoteTo(di, hn::LoadU(du8, src + i))), df, dst + i);
  }
  for (; i < n; ++i) dst[i] = src[i];
}

HWY_ATTR void StoreRoundedU8(hn::Vec<DF> v, uint8_t* dst) {
  const DF df;
  const DU8 du8;
  // Clamp before converting: Highway 1.0.3's DemoteTo(u8, i32) on x86 packs through u16 and
  // wraps values in (32767, 33023] instead of saturating them (caught by core_test).
  v = hn::Min(hn::Max(v, hn::Zero(df)), hn::Set(df, 255.0f));
  hn::StoreU(hn::DemoteTo(du8, hn::NearestInt(v)), du8, dst);
}

HWY_ATTR void F32ToU8(const float* src, size_t n, uint8_t* dst) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) StoreRoundedU8(hn::LoadU(df, src + i), dst + i);
  for (; i < n; ++i) dst[i] = RoundToU8(src[i]);
}

// Calls store(sum, i) for each whole vector starting at i in [begin, end).
template <class Store>
HWY_ATTR HWY_INLINE void WeightedSumRowsT(const float* const* rows, const float* weights, int taps,
                                          size_t begin, size_t end, const Store& store) {
  const DF df;
  for (size_t i = begin; i < end; i += hn::Lanes(df)) {
    auto acc = hn::Mul(hn::Set(df, weights[0]), hn::LoadU(df, rows[0] + i));
    for (int k = 1; k < taps; ++k) {
      acc = hn::MulAdd(hn::Set(df, weights[k]), hn::LoadU(df, rows[k] + i), acc);
    }
    store(acc, i);
  }
}

HWY_ATTR void WeightedSumRows(const float* const* rows, const float* weights, int taps, size_t n,
                              float* dst) {
  const DF df;
  WeightedSumRowsT(rows, weights, taps, 0, n,
                   [&](hn::Vec<DF> v, size_t i) HWY_ATTR { hn::StoreU(v, df, dst + i); });
}

HWY_ATTR void WeightedSumRowsToU8(const float* const* rows, const float* weights, int taps,
                                  size_t n, uint8_t* dst) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const size_t whole = n / lanes * lanes;
  WeightedSumRowsT(rows, weights, taps, 0, whole,
                   [&](hn::Vec<DF> v, size_t i) HWY_ATTR { StoreRoundedU8(v, dst + i); });
  if (whole == n) return;
  // The float rows are padded, so the tail is one more whole vector, computed with exactly the
  // same arithmetic and stored through a buffer because dst is not padded.
  HWY_ALIGN float tail[hn::MaxLanes(DF())];
  WeightedSumRowsT(rows, weights, taps, whole, whole + 1,
                   [&](hn::Vec<DF> v, size_t) HWY_ATTR { hn::Store(v, df, tail); });
  F32ToU8(tail, n - whole, dst + whole);
}

HWY_ATTR void HorizontalTaps(const float* src, const float* weights, int taps, int step, size_t n,
                             float* dst) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  for (size_t i = 0; i < n; i += lanes) {
    auto acc = hn::Mul(hn::Set(df, weights[0]), hn::LoadU(df, src + i));
    for (int k = 1; k < taps; ++k) {
      acc = hn::MulAdd(hn::Set(df, weights[k]), hn::LoadU(df, src + i + k * step), acc);
    }
    hn::StoreU(acc, df, dst + i);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace pixflow::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pixflow::kernels {

HWY_EXPORT(U8ToF32);
HWY_EXPORT(F32ToU8);
HWY_EXPORT(WeightedSumRows);
HWY_EXPORT(WeightedSumRowsToU8);
HWY_EXPORT(HorizontalTaps);

void FloatRow::Free::operator()(float* p) const { std::free(p); }

FloatRow::FloatRow(size_t n) {
  const size_t bytes = ((n + kFloatPad) * sizeof(float) + 63) / 64 * 64;
  data_.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
  // Padding is read by whole-vector loops; keep it initialised so results never depend on it.
  std::fill_n(data_.get(), bytes / sizeof(float), 0.0f);
}

void U8ToF32(const uint8_t* src, size_t n, float* dst) {
  HWY_DYNAMIC_DISPATCH(U8ToF32)(src, n, dst);
}
void F32ToU8(const float* src, size_t n, uint8_t* dst) {
  HWY_DYNAMIC_DISPATCH(F32ToU8)(src, n, dst);
}
void WeightedSumRows(const float* const* rows, const float* weights, int taps, size_t n,
                     float* dst) {
  HWY_DYNAMIC_DISPATCH(WeightedSumRows)(rows, weights, taps, n, dst);
}
void WeightedSumRowsToU8(const float* const* rows, const float* weights, int taps, size_t n,
                         uint8_t* dst) {
  HWY_DYNAMIC_DISPATCH(WeightedSumRowsToU8)(rows, weights, taps, n, dst);
}
void HorizontalTaps(const float* src, const float* weights, int taps, int step, size_t n,
                    float* dst) {
  HWY_DYNAMIC_DISPATCH(HorizontalTaps)(src, weights, taps, step, n, dst);
}

}  // namespace pixflow::kernels
#endif  // HWY_ONCE
