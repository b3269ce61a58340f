// The kernels that write 8-bit output rows: rounding (and unpremultiplying) a float row, the
// vertical pass of the horizontal-first order, which rounds as it sums, and nearest-neighbour
// gathers. The kernels that read 8-bit input are in resize_vertical.cc.
#include "resize_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "resize_kernels.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace pixflow::resize {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DI32 = hn::RebindToSigned<DF>;
using DU8 = hn::Rebind<uint8_t, DF>;

#if HWY_TARGET == HWY_SCALAR
// One lane cannot hold a pixel: plain loops.
HWY_ATTR void StoreRow(const float* src, size_t n, int channels, bool unpremultiply, uint8_t* dst) {
  for (size_t i = 0; i < n; ++i) {
    float v = src[i];
    if (unpremultiply && i % channels != static_cast<size_t>(channels - 1)) {
      const float alpha = src[i - i % channels + channels - 1];
      v = alpha > 0.5f ? v / alpha : 0.0f;
    }
    dst[i] = static_cast<uint8_t>(std::clamp(std::nearbyint(v), 0.0f, 255.0f));
  }
}
HWY_ATTR void VerticalTapsToU8(const float* const* rows, const float* weights, int taps, size_t n,
                               int channels, bool unpremultiply, uint8_t* dst) {
  std::vector<float> sum(n);
  for (size_t i = 0; i < n; ++i) {
    float acc = 0.0f;
    for (int k = 0; k < taps; ++k) acc += weights[k] * rows[k][i];
    sum[i] = acc;
  }
  StoreRow(sum.data(), n, channels, unpremultiply, dst);
}
#else

// Colour / alpha, and colour 0 where alpha <= 0.5 (it rounds to 0, half to even); the
// division's inf/NaN there is discarded by the select.
template <int C>
struct Unpremultiplied {
  HWY_ATTR Unpremultiplied() {
    const DI32 di;
    const auto lane = hn::And(hn::Iota(di, 0), hn::Set(di, C - 1));
    is_alpha = hn::RebindMask(DF(), hn::Eq(lane, hn::Set(di, C - 1)));
  }
  HWY_ATTR HWY_INLINE hn::Vec<DF> operator()(hn::Vec<DF> v) const {
    const auto alpha = C == 4 ? hn::Broadcast<3>(v) : hn::DupOdd(v);
    const auto colour = hn::IfThenElseZero(hn::Gt(alpha, hn::Set(DF(), 0.5f)), hn::Div(v, alpha));
    return hn::IfThenElse(is_alpha, v, colour);
  }
  hn::Mask<DF> is_alpha;
};

struct Unchanged {
  HWY_ATTR HWY_INLINE hn::Vec<DF> operator()(hn::Vec<DF> v) const { return v; }
};

// Rounds half to even (cvtps2dq) and saturates to [0, 255]. Highway 1.0.3's DemoteTo(u8, i32)
// alone packs through 16 bits and turns 32768 + r into r on AVX2/AVX-512, and an
// unpremultiplied colour can be that large where a negative lobe leaves a small alpha; so the
// value is clamped first (on AVX-512, vpmovusdb saturates in one instruction instead of the
// four of DemoteTo: the clamp from below and the saturating narrow are all it needs).
HWY_ATTR HWY_INLINE hn::Vec<DU8> RoundToU8(hn::Vec<DF> v) {
  const DF df;
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  const auto rounded = hn::NearestInt(hn::Min(v, hn::Set(df, 255.0f)));
  const __m512i non_negative = _mm512_max_epi32(rounded.raw, _mm512_setzero_si512());
  return hn::Vec<DU8>{_mm512_cvtusepi32_epi8(non_negative)};
#else
  v = hn::Min(hn::Max(v, hn::Zero(df)), hn::Set(df, 255.0f));
  return hn::DemoteTo(DU8(), hn::NearestInt(v));
#endif
}

// The float row is padded, so its last partial vector is computed whole and only its first
// bytes are copied out.
template <class Transform>
HWY_ATTR void StoreRowT(const float* src, size_t n, const Transform& transform, uint8_t* dst) {
  const DF df;
  const DU8 du8;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    hn::StoreU(RoundToU8(transform(hn::LoadU(df, src + i))), du8, dst + i);
  }
  if (i == n) return;
  HWY_ALIGN uint8_t tail[hn::MaxLanes(DU8())];
  hn::Store(RoundToU8(transform(hn::LoadU(df, src + i))), du8, tail);
  std::memcpy(dst + i, tail, n - i);
}

HWY_ATTR void StoreRow(const float* src, size_t n, int channels, bool unpremultiply, uint8_t* dst) {
  if (!unpremultiply) return StoreRowT(src, n, Unchanged(), dst);
  if (channels == 4) return StoreRowT(src, n, Unpremultiplied<4>(), dst);
  StoreRowT(src, n, Unpremultiplied<2>(), dst);
}

// The vertical pass of the horizontal-first order (upscaling): float rows in, 8-bit pixels out,
// with the rounding of StoreRowT. The float rows are padded, so the last partial vector is
// computed whole.
template <class Transform>
HWY_ATTR void VerticalToU8T(const float* const* rows, const float* weights, int taps, size_t n,
                            const Transform& transform, uint8_t* dst) {
  const DF df;
  const DU8 du8;
  const size_t lanes = hn::Lanes(df);
  auto sum = [&](size_t i) HWY_ATTR {
    auto acc = hn::Mul(hn::Set(df, weights[0]), hn::LoadU(df, rows[0] + i));
    for (int k = 1; k < taps; ++k) {
      acc = hn::MulAdd(hn::Set(df, weights[k]), hn::LoadU(df, rows[k] + i), acc);
    }
    return RoundToU8(transform(acc));
  };
  size_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    const auto a = sum(i);
    const auto b = sum(i + lanes);
    hn::StoreU(a, du8, dst + i);
    hn::StoreU(b, du8, dst + i + lanes);
  }
  for (; i + lanes <= n; i += lanes) hn::StoreU(sum(i), du8, dst + i);
  if (i == n) return;
  HWY_ALIGN uint8_t tail[hn::MaxLanes(DU8())];
  hn::Store(sum(i), du8, tail);
  std::memcpy(dst + i, tail, n - i);
}

HWY_ATTR void VerticalTapsToU8(const float* const* rows, const float* weights, int taps, size_t n,
                               int channels, bool unpremultiply, uint8_t* dst) {
  if (!unpremultiply) return VerticalToU8T(rows, weights, taps, n, Unchanged(), dst);
  if (channels == 4) return VerticalToU8T(rows, weights, taps, n, Unpremultiplied<4>(), dst);
  VerticalToU8T(rows, weights, taps, n, Unpremultiplied<2>(), dst);
}
#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace HWY_NAMESPACE
}  // namespace pixflow::resize
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pixflow::resize {

HWY_EXPORT(StoreRow);
HWY_EXPORT(VerticalTapsToU8);

void StoreRow(const float* src, size_t n, int channels, bool unpremultiply, uint8_t* dst) {
  HWY_DYNAMIC_DISPATCH(StoreRow)(src, n, channels, unpremultiply, dst);
}
void VerticalTapsToU8(const float* const* rows, const float* weights, int taps, size_t n,
                      int channels, bool unpremultiply, uint8_t* dst) {
  HWY_DYNAMIC_DISPATCH(VerticalTapsToU8)(rows, weights, taps, n, channels, unpremultiply, dst);
}

namespace {

template <int C>
void GatherT(const uint8_t* src, const int* indices, size_t out_pixels, uint8_t* dst) {
  for (size_t o = 0; o < out_pixels; ++o) {
    std::memcpy(dst + o * C, src + static_cast<size_t>(indices[o]) * C, C);
  }
}

// Three-byte pixels move as four-byte words (one load, one store; a 3-byte memcpy is two of
// each) while the fourth byte lies inside both rows: the store's extra byte lands on the next
// output pixel, which is written after it. Indices never decrease, so once one reaches the
// last input pixel the rest do too.
void Gather3(const uint8_t* src, size_t src_pixels, const int* indices, size_t out_pixels,
             uint8_t* dst) {
  size_t o = 0;
  for (; o + 1 < out_pixels; ++o) {
    const size_t i = static_cast<size_t>(indices[o]);
    if (i + 1 >= src_pixels) break;
    uint32_t pixel;
    std::memcpy(&pixel, src + 3 * i, 4);
    std::memcpy(dst + 3 * o, &pixel, 4);
  }
  GatherT<3>(src, indices + o, out_pixels - o, dst + 3 * o);
}

}  // namespace

void GatherPixels(const uint8_t* src, size_t src_pixels, const int* indices, size_t out_pixels,
                  int channels, uint8_t* dst) {
  switch (channels) {
    case 1:
      return GatherT<1>(src, indices, out_pixels, dst);
    case 2:
      return GatherT<2>(src, indices, out_pixels, dst);
    case 3:
      return Gather3(src, src_pixels, indices, out_pixels, dst);
    default:
      return GatherT<4>(src, indices, out_pixels, dst);
  }
}

}  // namespace pixflow::resize
#endif  // HWY_ONCE
