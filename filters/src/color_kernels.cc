#include "color_kernels.h"

#include <algorithm>
#include <cstddef>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "color_kernels.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "color_lanes-inl.h"

HWY_BEFORE_NAMESPACE();
namespace pixflow::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
// Internal linkage: other kernel families define their own helpers in this namespace.
namespace {

// OpenCV 4's 8-bit RGB2GRAY coefficients (color.hpp RY15, GY15, BY15): round(w * 2^15), summing
// to 2^15 so white stays 255. OpenCV 4.6 rounds with these, not the 14-bit R2Y/G2Y/B2Y.
constexpr int32_t kRedWeight = 9798;
constexpr int32_t kGreenWeight = 19235;
constexpr int32_t kBlueWeight = 3735;

inline uint8_t GrayOf(const uint8_t* p) {
  return static_cast<uint8_t>(
      (p[0] * kRedWeight + p[1] * kGreenWeight + p[2] * kBlueWeight + (1 << 14)) >> 15);
}

#if HWY_TARGET != HWY_SCALAR
#if HWY_TARGET == HWY_AVX3_DL
// 256-entry lookup with VBMI: one two-register byte permute looks up 128 entries, two of them
// and a blend on the index's top bit cover the table. Highway 1.0.3 has no 8-bit
// TableLookupLanes, so this uses the intrinsics on its vectors' raw registers.
struct TableRegisters {
  V8 quarter[4];
};

HWY_ATTR TableRegisters LoadTable(const uint8_t* table) {
  const D8 d;
  TableRegisters t;
  for (int q = 0; q < 4; ++q) t.quarter[q] = hn::LoadU(d, table + 64 * q);
  return t;
}

HWY_ATTR HWY_INLINE V8 LookUp(const TableRegisters& t, V8 v) {
  const __m512i low = _mm512_permutex2var_epi8(t.quarter[0].raw, v.raw, t.quarter[1].raw);
  const __m512i high = _mm512_permutex2var_epi8(t.quarter[2].raw, v.raw, t.quarter[3].raw);
  return V8{_mm512_mask_blend_epi8(_mm512_movepi8_mask(v.raw), low, high)};
}
#else
// 256-entry lookup. TableLookupBytes looks up 16 entries within each 16-byte block, so the table
// sits in registers as 16 blocks: a byte's low nibble picks the entry and its high nibble the
// block. The 16 lookups form four independent chains of four (a block's lookup is merged in where
// the high nibble matches), OR-ed at the end: one chain of 16 dependent merges was bound by
// shuffle latency and ran at 2.8 instead of 3.7 GB/s per core (AVX3 target, Zen 5).
struct TableRegisters {
  V8 block[16];
};

HWY_ATTR TableRegisters LoadTable(const uint8_t* table) {
  const D8 d;
  TableRegisters t;
  for (int h = 0; h < 16; ++h) t.block[h] = hn::LoadDup128(d, table + 16 * h);
  return t;
}

HWY_ATTR HWY_INLINE V8 LookUp(const TableRegisters& t, V8 v) {
  const D8 d;
  const V8 low = hn::And(v, hn::Set(d, 0x0F));
  const V8 high = hn::And(v, hn::Set(d, 0xF0));
  auto in_block = [&](int h)
                      HWY_ATTR { return hn::Eq(high, hn::Set(d, static_cast<uint8_t>(h << 4))); };
  V8 chain[4];
  for (int g = 0; g < 4; ++g) {
    chain[g] = hn::IfThenElseZero(in_block(4 * g), hn::TableLookupBytes(t.block[4 * g], low));
  }
  for (int k = 1; k < 4; ++k) {
    for (int g = 0; g < 4; ++g) {
      const int h = 4 * g + k;
      chain[g] = hn::IfThenElse(in_block(h), hn::TableLookupBytes(t.block[h], low), chain[g]);
    }
  }
  return hn::Or(hn::Or(chain[0], chain[1]), hn::Or(chain[2], chain[3]));
}
#endif  // HWY_TARGET == HWY_AVX3_DL

// q % 3 for every byte offset q a group of three vectors spans: the channel of byte q of a row of
// 3-channel pixels. Three vectors span a whole number of pixels, so vector k of each group of
// three always sees phase k.
struct Mod3Pattern {
  alignas(64) uint8_t channel[3 * 64] = {};
  constexpr Mod3Pattern() {
    for (int q = 0; q < 3 * 64; ++q) channel[q] = static_cast<uint8_t>(q % 3);
  }
};
static_assert(hn::MaxLanes(D8()) <= 64, "Mod3Pattern covers vectors of up to 64 bytes");
constexpr Mod3Pattern kMod3;
#endif  // HWY_TARGET != HWY_SCALAR

HWY_ATTR void ApplyLut(const uint8_t* table, ConstView8 in, View8 out, bool keep_alpha) {
  const int channels = in.channels();
  keep_alpha = keep_alpha && (channels == 2 || channels == 4);
#if HWY_TARGET != HWY_SCALAR
  const D8 d;
  const size_t lanes = hn::Lanes(d);
  const TableRegisters t = LoadTable(table);
  const auto alpha = AlphaLanes(keep_alpha ? channels : 1);
#endif
  const size_t n = in.row_elements();
  for (int y = 0; y < in.height(); ++y) {
    const uint8_t* src = in.Row(y);
    uint8_t* dst = out.Row(y);
    size_t i = 0;
#if HWY_TARGET != HWY_SCALAR
    if (keep_alpha) {
      for (; i + lanes <= n; i += lanes) {
        const V8 v = hn::LoadU(d, src + i);
        hn::StoreU(hn::IfThenElse(alpha, v, LookUp(t, v)), d, dst + i);
      }
    } else {
      for (; i + lanes <= n; i += lanes) hn::StoreU(LookUp(t, hn::LoadU(d, src + i)), d, dst + i);
    }
#endif
    for (; i < n; ++i) dst[i] = keep_alpha && IsAlpha(i, channels) ? src[i] : table[src[i]];
  }
}

#if HWY_TARGET == HWY_AVX3_DL
// 3 channels with VBMI: 60 bytes (20 whole pixels) per vector, rearranged by one byte permute.
// Each store also writes 4 bytes past those 60, which the next store (or the scalar loop at the
// end of the row) overwrites, so no store leaves the row.
HWY_ATTR void SwapRedBlue3(ConstView8 in, View8 out) {
  const D8 d;
  alignas(64) static constexpr uint8_t kSwap[64] = {
      2,  1,  0,  5,  4,  3,  8,  7,  6,  11, 10, 9,  14, 13, 12, 17, 16, 15, 20, 19, 18, 23,
      22, 21, 26, 25, 24, 29, 28, 27, 32, 31, 30, 35, 34, 33, 38, 37, 36, 41, 40, 39, 44, 43,
      42, 47, 46, 45, 50, 49, 48, 53, 52, 51, 56, 55, 54, 59, 58, 57, 60, 61, 62, 63};
  const __m512i swap = hn::Load(d, kSwap).raw;
  const size_t n = in.row_elements();
  for (int y = 0; y < in.height(); ++y) {
    const uint8_t* src = in.Row(y);
    uint8_t* dst = out.Row(y);
    size_t i = 0;
    for (; i + 64 <= n; i += 60) {
      hn::StoreU(V8{_mm512_permutexvar_epi8(swap, hn::LoadU(d, src + i).raw)}, d, dst + i);
    }
    for (; i < n; ++i) dst[i] = src[i + 2 - 2 * (i % 3)];
  }
}
#elif HWY_TARGET == HWY_AVX3
// 3 channels on AVX-512 without VBMI: 48 bytes (16 pixels) per vector. A 32-bit lane permute
// spreads them so each 16-byte block starts with 4 whole pixels, a byte shuffle swaps within the
// blocks, and a second lane permute packs the 4 x 12 bytes together again. As with VBMI, each
// store writes 16 bytes past its 48 that the next store or the scalar loop overwrites.
HWY_ATTR void SwapRedBlue3(ConstView8 in, View8 out) {
  const D8 d;
  const hn::Repartition<uint32_t, D8> d32;
  alignas(64) static constexpr uint32_t kSpread[16] = {0, 1, 2, 3, 3, 4,  5,  6,
                                                       6, 7, 8, 9, 9, 10, 11, 12};
  alignas(64) static constexpr uint32_t kPack[16] = {0,  1,  2,  4,  5,  6,  8,  9,
                                                     10, 12, 13, 14, 15, 15, 15, 15};
  alignas(16) static constexpr uint8_t kSwap[16] = {2, 1,  0,  5, 4,  3,  8,  7,
                                                    6, 11, 10, 9, 12, 13, 14, 15};
  const auto spread = hn::SetTableIndices(d32, kSpread);
  const auto pack = hn::SetTableIndices(d32, kPack);
  const V8 swap = hn::LoadDup128(d, kSwap);
  const size_t n = in.row_elements();
  for (int y = 0; y < in.height(); ++y) {
    const uint8_t* src = in.Row(y);
    uint8_t* dst = out.Row(y);
    size_t i = 0;
    for (; i + 64 <= n; i += 48) {
      const auto blocks = hn::TableLookupLanes(hn::BitCast(d32, hn::LoadU(d, src + i)), spread);
      const V8 swapped = hn::TableLookupBytes(hn::BitCast(d, blocks), swap);
      hn::StoreU(hn::BitCast(d, hn::TableLookupLanes(hn::BitCast(d32, swapped), pack)), d, dst + i);
    }
    for (; i < n; ++i) dst[i] = src[i + 2 - 2 * (i % 3)];
  }
}
#else
// 3 channels: output byte q takes input byte q + 2 (channel 0), q (1) or q - 2 (2). Three
// shifted loads and two blends per vector, and no shuffle.
HWY_ATTR void SwapRedBlue3(ConstView8 in, View8 out) {
#if HWY_TARGET != HWY_SCALAR
  const D8 d;
  const size_t lanes = hn::Lanes(d);
  hn::Mask<D8> from_next[3], from_prev[3];
  for (size_t k = 0; k < 3; ++k) {
    const V8 channel = hn::LoadU(d, kMod3.channel + k * lanes);
    from_next[k] = hn::Eq(channel, hn::Zero(d));
    from_prev[k] = hn::Eq(channel, hn::Set(d, 2));
  }
#endif
  const size_t n = in.row_elements();
  for (int y = 0; y < in.height(); ++y) {
    const uint8_t* src = in.Row(y);
    uint8_t* dst = out.Row(y);
    size_t i = 0;
#if HWY_TARGET != HWY_SCALAR
    auto swap_vector = [&](size_t at, size_t k) HWY_ATTR {
      const V8 next = hn::LoadU(d, src + at + 2);
      const V8 prev = hn::LoadU(d, src + at - 2);
      const V8 same = hn::LoadU(d, src + at);
      hn::StoreU(hn::IfThenElse(from_next[k], next, hn::IfThenElse(from_prev[k], prev, same)), d,
                 dst + at);
    };
    // Pixel 0 is left to the scalar loop so that no load starts before the row.
    if (n >= 3 * lanes + 5) {
      i = 3;
      for (; i + 3 * lanes + 2 <= n; i += 3 * lanes) {
        for (size_t k = 0; k < 3; ++k) swap_vector(i + k * lanes, k);
      }
      for (size_t k = 0; i + lanes + 2 <= n; i += lanes, ++k) swap_vector(i, k);
      dst[0] = src[2];
      dst[1] = src[1];
      dst[2] = src[0];
    }
#endif
    for (; i < n; ++i) dst[i] = src[i + 2 - 2 * (i % 3)];
  }
}

#endif  // HWY_TARGET

// 4 channels: bytes 0 and 2 of each pixel trade places (i ^ 2 for even i).
HWY_ATTR void SwapRedBlue4(ConstView8 in, View8 out) {
#if HWY_TARGET != HWY_SCALAR
  const D8 d;
  const size_t lanes = hn::Lanes(d);
  alignas(16) static constexpr uint8_t kSwap[16] = {2,  1, 0, 3,  6,  5,  4,  7,
                                                    10, 9, 8, 11, 14, 13, 12, 15};
  const V8 swap = hn::LoadDup128(d, kSwap);
#endif
  const size_t n = in.row_elements();
  for (int y = 0; y < in.height(); ++y) {
    const uint8_t* src = in.Row(y);
    uint8_t* dst = out.Row(y);
    size_t i = 0;
#if HWY_TARGET != HWY_SCALAR
    for (; i + lanes <= n; i += lanes) {
      hn::StoreU(hn::TableLookupBytes(hn::LoadU(d, src + i), swap), d, dst + i);
    }
#endif
    for (; i < n; ++i) dst[i] = src[i % 2 == 0 ? i ^ 2 : i];
  }
}

HWY_ATTR void SwapRedBlue(ConstView8 in, View8 out) {
  if (in.channels() == 3) {
    SwapRedBlue3(in, out);
  } else {
    SwapRedBlue4(in, out);
  }
}

#if HWY_TARGET == HWY_AVX3_DL
// Gray with VBMI and byte multiply-adds, 16 pixels per vector. One byte permute spreads the
// pixels to R G B 0 in 32-bit lanes; each weight w splits into bytes as 256 * hi + lo (lo signed,
// so every byte fits: 9798 = 256*38 + 70, 19235 = 256*75 + 35, 3735 = 256*15 - 105), and
// maddubs forms the byte products summed in pairs (at most 255 * 113, no saturation). Two madd
// steps then join the pairs and the halves into exactly the 32-bit sum the generic code forms,
// with a third of its instructions (Highway 1.0.3 has no byte multiply-add: intrinsics).
HWY_ATTR void RgbToGray(ConstView8 in, View8 out) {
  const int channels = in.channels();
  alignas(64) uint8_t spread[64];
  for (int j = 0; j < 64; ++j) spread[j] = static_cast<uint8_t>(j / 4 * channels + j % 4);
  const __m512i index = _mm512_load_si512(spread);
  const __mmask64 colour = 0x7777777777777777ull;      // bytes 0-2 of every 4
  const __m512i high = _mm512_set1_epi32(0x000F4B26);  // 38, 75, 15, 0 (low byte first)
  const __m512i low = _mm512_set1_epi32(0x00972346);   // 70, 35, -105 (0x97), 0
  const __m512i k256 = _mm512_set1_epi16(256);
  const __m512i k1 = _mm512_set1_epi16(1);
  const __m512i half = _mm512_set1_epi32(1 << 14);
  const size_t width = static_cast<size_t>(in.width());
  for (int y = 0; y < in.height(); ++y) {
    const uint8_t* src = in.Row(y);
    uint8_t* dst = out.Row(y);
    size_t x = 0;
    // A 64-byte load covers 16 pixels of 3 or 4 channels; it must stay inside the row.
    for (; (x + 16) * channels + (64 - 16 * channels) <= width * channels; x += 16) {
      const __m512i v = _mm512_loadu_si512(src + x * channels);
      const __m512i rgb0 = _mm512_maskz_permutexvar_epi8(colour, index, v);
      const __m512i sum =
          _mm512_add_epi32(_mm512_madd_epi16(_mm512_maddubs_epi16(rgb0, high), k256),
                           _mm512_madd_epi16(_mm512_maddubs_epi16(rgb0, low), k1));
      const __m512i gray = _mm512_srli_epi32(_mm512_add_epi32(sum, half), 15);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + x), _mm512_cvtepi32_epi8(gray));
    }
    for (; x < width; ++x) dst[x] = GrayOf(src + channels * x);
  }
}
#else
HWY_ATTR void RgbToGray(ConstView8 in, View8 out) {
  const int channels = in.channels();
#if HWY_TARGET != HWY_SCALAR
  // A quarter vector of bytes per channel widens to one vector of int32 sums.
  using D32 = hn::ScalableTag<int32_t>;
  const D32 d32;
  const hn::Rebind<uint8_t, D32> d8;
  const size_t lanes = hn::Lanes(d32);
  const auto wr = hn::Set(d32, kRedWeight);
  const auto wg = hn::Set(d32, kGreenWeight);
  const auto wb = hn::Set(d32, kBlueWeight);
  const auto half = hn::Set(d32, 1 << 14);
#endif
  const size_t width = static_cast<size_t>(in.width());
  for (int y = 0; y < in.height(); ++y) {
    const uint8_t* src = in.Row(y);
    uint8_t* dst = out.Row(y);
    size_t x = 0;
#if HWY_TARGET != HWY_SCALAR
    for (; x + lanes <= width; x += lanes) {
      hn::Vec<decltype(d8)> r, g, b, a;
      if (channels == 3) {
        hn::LoadInterleaved3(d8, src + 3 * x, r, g, b);
      } else {
        hn::LoadInterleaved4(d8, src + 4 * x, r, g, b, a);
      }
      auto sum = hn::Add(half, hn::Mul(hn::PromoteTo(d32, r), wr));
      sum = hn::Add(sum, hn::Mul(hn::PromoteTo(d32, g), wg));
      sum = hn::Add(sum, hn::Mul(hn::PromoteTo(d32, b), wb));
      // At most 255 after the shift: the demotion cannot saturate or wrap.
      hn::StoreU(hn::DemoteTo(d8, hn::ShiftRight<15>(sum)), d8, dst + x);
    }
#endif
    for (; x < width; ++x) dst[x] = GrayOf(src + channels * x);
  }
}
#endif  // HWY_TARGET == HWY_AVX3_DL

HWY_ATTR void GrayToRgb(ConstView8 in, View8 out) {
#if HWY_TARGET != HWY_SCALAR
  const D8 d;
  const size_t lanes = hn::Lanes(d);
#endif
  const size_t width = static_cast<size_t>(in.width());
  for (int y = 0; y < in.height(); ++y) {
    const uint8_t* src = in.Row(y);
    uint8_t* dst = out.Row(y);
    size_t x = 0;
#if HWY_TARGET != HWY_SCALAR
    for (; x + lanes <= width; x += lanes) {
      const V8 v = hn::LoadU(d, src + x);
      hn::StoreInterleaved3(v, v, v, d, dst + 3 * x);
    }
#endif
    for (; x < width; ++x) dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = src[x];
  }
}

}  // namespace
}  // namespace HWY_NAMESPACE
}  // namespace pixflow::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pixflow::kernels {

HWY_EXPORT(ApplyLut);
HWY_EXPORT(SwapRedBlue);
HWY_EXPORT(RgbToGray);
HWY_EXPORT(GrayToRgb);

void ApplyLut(const uint8_t* table, ConstView8 in, View8 out, bool keep_alpha) {
  HWY_DYNAMIC_DISPATCH(ApplyLut)(table, in, out, keep_alpha);
}
void SwapRedBlue(ConstView8 in, View8 out) { HWY_DYNAMIC_DISPATCH(SwapRedBlue)(in, out); }
void RgbToGray(ConstView8 in, View8 out) { HWY_DYNAMIC_DISPATCH(RgbToGray)(in, out); }
void GrayToRgb(ConstView8 in, View8 out) { HWY_DYNAMIC_DISPATCH(GrayToRgb)(in, out); }

}  // namespace pixflow::kernels
#endif  // HWY_ONCE
