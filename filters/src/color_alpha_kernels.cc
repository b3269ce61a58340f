// Alpha kernels (premultiply, unpremultiply, flatten); declared in color_kernels.h.
#include <algorithm>
#include <cstddef>

#include "color_kernels.h"  // declares these kernels

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "color_alpha_kernels.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "color_lanes-inl.h"

HWY_BEFORE_NAMESPACE();
namespace pixflow::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
// Internal linkage: other kernel families define their own helpers in this namespace.
namespace {

#if HWY_TARGET != HWY_SCALAR
using D16 = hn::RepartitionToWide<D8>;
using V16 = hn::Vec<D16>;

// floor(t / 255) for every uint16 t: t * 0x8081 >> 23, the divide compilers emit.
HWY_ATTR HWY_INLINE V16 DivideBy255(V16 t) {
  return hn::ShiftRight<7>(hn::MulHigh(t, hn::Set(D16(), 0x8081)));
}

// uint16 lanes known to be <= 255 to uint8. Highway 1.0.3 demotes only signed 16-bit lanes.
template <class D8Narrow>
HWY_ATTR HWY_INLINE hn::Vec<D8Narrow> NarrowTo8(D8Narrow d8, V16 v) {
  return hn::DemoteTo(d8, hn::BitCast(hn::RebindToSigned<D16>(), v));
}
#endif  // HWY_TARGET != HWY_SCALAR

HWY_ATTR void Premultiply(ConstView8 in, View8 out) {
  const int channels = in.channels();
#if HWY_TARGET != HWY_SCALAR
  const D8 d;
  const D16 d16;
  const hn::Half<D8> dh;
  const size_t lanes = hn::Lanes(d);
  const auto alpha = AlphaLanes(channels);
  const V8 alpha_index = AlphaBroadcastIndices(d, channels);
  // (c * a + 128) / 255 on widened lanes; at most 65153 before the divide.
  auto premultiplied = [&](auto c8, auto a8) HWY_ATTR {
    const V16 t =
        hn::Add(hn::Mul(hn::PromoteTo(d16, c8), hn::PromoteTo(d16, a8)), hn::Set(d16, 128));
    return NarrowTo8(dh, DivideBy255(t));
  };
#endif
  const size_t n = in.row_elements();
  for (int y = 0; y < in.height(); ++y) {
    const uint8_t* src = in.Row(y);
    uint8_t* dst = out.Row(y);
    size_t i = 0;
#if HWY_TARGET != HWY_SCALAR
    for (; i + lanes <= n; i += lanes) {
      const V8 v = hn::LoadU(d, src + i);
      const V8 a = hn::TableLookupBytes(v, alpha_index);
      const V8 result = hn::Combine(d, premultiplied(hn::UpperHalf(dh, v), hn::UpperHalf(dh, a)),
                                    premultiplied(hn::LowerHalf(dh, v), hn::LowerHalf(dh, a)));
      hn::StoreU(hn::IfThenElse(alpha, v, result), d, dst + i);
    }
#endif
    for (; i < n; ++i) {
      const int a = src[i | static_cast<size_t>(channels - 1)];
      dst[i] = IsAlpha(i, channels) ? src[i] : static_cast<uint8_t>((src[i] * a + 128) / 255);
    }
  }
}

// Pixels are split into channel vectors so each pixel needs one division, for 1/a, shared by its
// colour channels. q = floor(n * fl(1/a) + kSlack) then equals floor(n / a) for every
// n = c*255 + a/2 and a in 1..255 that gives q < 256: fl(1/a) and the fused multiply-add are off
// by at most 256 * 2^-23 < 4e-5 there, kSlack lifts exact quotients over that error, and a
// fraction of at least 1/255 below the next integer leaves room for both. Larger quotients still
// come out >= 255, which the clamp needs. AlphaOpsMatchOpenCvOnEveryColourAlphaPair checks all.
constexpr float kSlack = 1e-3f;

HWY_ATTR void Unpremultiply(ConstView8 in, View8 out) {
  const int channels = in.channels();
#if HWY_TARGET != HWY_SCALAR
  using DF = hn::ScalableTag<float>;
  const DF df;
  const hn::RebindToSigned<DF> di;
  const hn::Rebind<uint8_t, DF> d8;
  using VB = hn::Vec<decltype(d8)>;
  const size_t lanes = hn::Lanes(df);
  const auto k255 = hn::Set(df, 255.0f);
  auto to_float = [&](VB v) HWY_ATTR { return hn::ConvertTo(df, hn::PromoteTo(di, v)); };
#endif
  for (int y = 0; y < in.height(); ++y) {
    const uint8_t* src = in.Row(y);
    uint8_t* dst = out.Row(y);
    size_t x = 0;
#if HWY_TARGET != HWY_SCALAR
    for (; x + lanes <= static_cast<size_t>(in.width()); x += lanes) {
      VB c0, c1, c2, a8;
      if (channels == 4) {
        hn::LoadInterleaved4(d8, src + 4 * x, c0, c1, c2, a8);
      } else {
        hn::LoadInterleaved2(d8, src + 2 * x, c0, a8);
      }
      const auto a = to_float(a8);
      const auto inverse = hn::Div(hn::Set(df, 1.0f), hn::Max(a, hn::Set(df, 1.0f)));
      const auto half = hn::Floor(hn::Mul(a, hn::Set(df, 0.5f)));
      const auto transparent = hn::Eq(a, hn::Zero(df));
      auto unpremultiplied = [&](VB c) HWY_ATTR {
        const auto numerator = hn::MulAdd(to_float(c), k255, half);
        const auto q = hn::Floor(hn::MulAdd(numerator, inverse, hn::Set(df, kSlack)));
        // 0..255 after the clamp: Highway 1.0.3's int32 -> uint8 demotion wraps above 32767.
        return hn::DemoteTo(d8,
                            hn::ConvertTo(di, hn::IfThenZeroElse(transparent, hn::Min(q, k255))));
      };
      if (channels == 4) {
        hn::StoreInterleaved4(unpremultiplied(c0), unpremultiplied(c1), unpremultiplied(c2), a8, d8,
                              dst + 4 * x);
      } else {
        hn::StoreInterleaved2(unpremultiplied(c0), a8, d8, dst + 2 * x);
      }
    }
#endif
    const size_t n = in.row_elements();
    for (size_t i = x * channels; i < n; ++i) {
      const int a = src[i | static_cast<size_t>(channels - 1)];
      int value = src[i];
      if (!IsAlpha(i, channels)) value = a == 0 ? 0 : std::min(255, (value * 255 + a / 2) / a);
      dst[i] = static_cast<uint8_t>(value);
    }
  }
}

HWY_ATTR void Flatten(ConstView8 in, View8 out, const uint8_t* background) {
  const int in_channels = in.channels();
  const int out_channels = in_channels - 1;
#if HWY_TARGET != HWY_SCALAR
  // Half a vector of bytes per channel widens to one vector of uint16.
  const D16 d16;
  const hn::Rebind<uint8_t, D16> d8;
  using VH = hn::Vec<decltype(d8)>;
  const size_t lanes = hn::Lanes(d16);
  // (c*a + bg*(255 - a) + 127) / 255: at most 255*255 + 127, so uint16 holds every step.
  auto over = [&](VH c, V16 a, V16 inverse, uint8_t bg) HWY_ATTR {
    const V16 sum = hn::Add(hn::Mul(hn::PromoteTo(d16, c), a),
                            hn::Add(hn::Mul(hn::Set(d16, bg), inverse), hn::Set(d16, 127)));
    return NarrowTo8(d8, DivideBy255(sum));
  };
#endif
  const size_t width = static_cast<size_t>(in.width());
  for (int y = 0; y < in.height(); ++y) {
    const uint8_t* src = in.Row(y);
    uint8_t* dst = out.Row(y);
    size_t x = 0;
#if HWY_TARGET != HWY_SCALAR
    for (; x + lanes <= width; x += lanes) {
      VH r, g, b, a8;
      if (in_channels == 2) {
        hn::LoadInterleaved2(d8, src + 2 * x, g, a8);
      } else {
        hn::LoadInterleaved4(d8, src + 4 * x, r, g, b, a8);
      }
      const V16 a = hn::PromoteTo(d16, a8);
      const V16 inverse = hn::Sub(hn::Set(d16, 255), a);
      if (in_channels == 2) {
        hn::StoreU(over(g, a, inverse, background[0]), d8, dst + x);
      } else {
        hn::StoreInterleaved3(over(r, a, inverse, background[0]),
                              over(g, a, inverse, background[1]),
                              over(b, a, inverse, background[2]), d8, dst + 3 * x);
      }
    }
#endif
    for (; x < width; ++x) {
      const uint8_t* p = src + in_channels * x;
      const int a = p[out_channels];
      for (int c = 0; c < out_channels; ++c) {
        dst[out_channels * x + c] =
            static_cast<uint8_t>((p[c] * a + background[c] * (255 - a) + 127) / 255);
      }
    }
  }
}

}  // namespace
}  // namespace HWY_NAMESPACE
}  // namespace pixflow::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pixflow::kernels {

HWY_EXPORT(Premultiply);
HWY_EXPORT(Unpremultiply);
HWY_EXPORT(Flatten);

void Premultiply(ConstView8 in, View8 out) { HWY_DYNAMIC_DISPATCH(Premultiply)(in, out); }
void Unpremultiply(ConstView8 in, View8 out) { HWY_DYNAMIC_DISPATCH(Unpremultiply)(in, out); }
void Flatten(ConstView8 in, View8 out, const uint8_t* background) {
  HWY_DYNAMIC_DISPATCH(Flatten)(in, out, background);
}

}  // namespace pixflow::kernels
#endif  // HWY_ONCE
