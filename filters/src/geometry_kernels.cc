#include "geometry_kernels.h"

#include <algorithm>
#include <cstring>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "geometry_kernels.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

// Highway's SCALAR target (one lane, no block shuffles) compiles out the vector paths
// (`#if HWY_TARGET != HWY_SCALAR`) and reverses and transposes with plain loops.

HWY_BEFORE_NAMESPACE();
namespace pixflow::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
// Internal linkage: other kernel families define their own helpers in this namespace.
namespace {

template <typename Pixel>
HWY_ATTR void ReverseScalar(const uint8_t* src, size_t width, size_t x, uint8_t* dst) {
  for (; x < width; ++x) {
    std::memcpy(dst + x * sizeof(Pixel), src + (width - 1 - x) * sizeof(Pixel), sizeof(Pixel));
  }
}

#if HWY_TARGET != HWY_SCALAR
using D8 = hn::ScalableTag<uint8_t>;
using V8 = hn::Vec<D8>;

// ------------------------------------------------------------------------------------------------
// Reversal (flop, rotate 180).

// All bytes of v in reverse order. Highway 1.0.3 reverses only 16-bit and wider lanes: VBMI
// permutes bytes directly (through the intrinsic on the raw register); elsewhere reverse the
// 32-bit lanes, then the bytes within each lane.
#if HWY_TARGET == HWY_AVX3_DL
HWY_ATTR HWY_INLINE V8 ReverseBytes(V8 v) {
  const D8 d;
  return V8{_mm512_permutexvar_epi8(hn::Sub(hn::Set(d, 63), hn::Iota(d, 0)).raw, v.raw)};
}
#else
HWY_ATTR HWY_INLINE V8 ReverseBytes(V8 v) {
  const D8 d;
  const hn::Repartition<uint32_t, D8> d32;
  alignas(16) static constexpr uint8_t kReverse4[16] = {3,  2,  1, 0, 7,  6,  5,  4,
                                                        11, 10, 9, 8, 15, 14, 13, 12};
  return hn::TableLookupBytes(hn::BitCast(d, hn::Reverse(d32, hn::BitCast(d32, v))),
                              hn::LoadDup128(d, kReverse4));
}
#endif

// Pixels of 1, 2 or 4 bytes: one lane type each, so a whole-vector Reverse moves whole pixels.
template <typename Pixel>
HWY_ATTR void ReverseLanes(const uint8_t* src, size_t width, uint8_t* dst) {
  const D8 d;
  const hn::Repartition<Pixel, D8> dp;
  const size_t lanes = hn::Lanes(dp);
  size_t x = 0;
  for (; x + lanes <= width; x += lanes) {
    const V8 v = hn::LoadU(d, src + (width - x - lanes) * sizeof(Pixel));
    V8 reversed;
    if constexpr (sizeof(Pixel) == 1) {
      reversed = ReverseBytes(v);
    } else {
      reversed = hn::BitCast(d, hn::Reverse(dp, hn::BitCast(dp, v)));
    }
    hn::StoreU(reversed, d, dst + x * sizeof(Pixel));
  }
  ReverseScalar<Pixel>(src, width, x, dst);
}

// q % 3 for the byte offsets a group of three vectors spans (see SwapRedBlue3 in
// color_kernels.cc, which uses the same phase trick).
struct Mod3Pattern {
  alignas(64) uint8_t channel[3 * 64] = {};
  constexpr Mod3Pattern() {
    for (int q = 0; q < 3 * 64; ++q) channel[q] = static_cast<uint8_t>(q % 3);
  }
};
static_assert(hn::MaxLanes(D8()) <= 64, "Mod3Pattern covers vectors of up to 64 bytes");
constexpr Mod3Pattern kMod3;

#if HWY_TARGET == HWY_AVX3_DL
// 3-byte pixels with VBMI: 21 pixels (63 bytes) per vector, reversed by one byte permute of the
// 64 bytes that end where they do. Each store also writes one byte past its 63, which the next
// store (or the scalar loop at the end of the row) overwrites, so no store leaves the row.
HWY_ATTR void ReverseRgb(const uint8_t* src, size_t width, uint8_t* dst) {
  const D8 d;
  // Output byte j (pixel j / 3, channel j % 3) is loaded byte 1 + 3 * (20 - j / 3) + j % 3.
  alignas(64) uint8_t reverse[64] = {};
  for (int j = 0; j < 63; ++j) reverse[j] = static_cast<uint8_t>(1 + 3 * (20 - j / 3) + j % 3);
  const __m512i index = hn::Load(d, reverse).raw;
  const size_t n = 3 * width;
  size_t i = 0;
  for (; i + 64 <= n; i += 63) {
    const V8 v = hn::LoadU(d, src + (n - 64 - i));
    hn::StoreU(V8{_mm512_permutexvar_epi8(index, v.raw)}, d, dst + i);
  }
  for (; i < n; ++i) dst[i] = src[n - 3 - i + 2 * (i % 3)];
}
#else
// 3-byte pixels: output byte q (channel c = q % 3) is input byte K - q + 2c with K = 3w - 3. A
// reversed load gives K - q + 2c for one c; three of them, blended by channel, give a vector of
// output with no pixel straddling to fix up.
HWY_ATTR void ReverseRgb(const uint8_t* src, size_t width, uint8_t* dst) {
  const D8 d;
  const size_t lanes = hn::Lanes(d);
  hn::Mask<D8> is_c0[3], is_c2[3];
  for (size_t k = 0; k < 3; ++k) {
    const V8 channel = hn::LoadU(d, kMod3.channel + k * lanes);
    is_c0[k] = hn::Eq(channel, hn::Zero(d));
    is_c2[k] = hn::Eq(channel, hn::Set(d, 2));
  }
  const size_t n = 3 * width;
  const size_t last = n - 3;  // K
  auto reverse_vector = [&](size_t i, size_t k) HWY_ATTR {
    // Lane j of load c is byte K - i - j + 2c.
    const uint8_t* base = src + (last - i - (lanes - 1));
    const V8 c0 = ReverseBytes(hn::LoadU(d, base));
    const V8 c1 = ReverseBytes(hn::LoadU(d, base + 2));
    const V8 c2 = ReverseBytes(hn::LoadU(d, base + 4));
    hn::StoreU(hn::IfThenElse(is_c0[k], c0, hn::IfThenElse(is_c2[k], c2, c1)), d, dst + i);
  };
  // Output pixel 0 is scalar so the highest load (byte K - i + 4 at i = 3) stays in the row; the
  // lowest (K - i - lanes + 1) needs i + lanes <= n - 2.
  size_t i = 0;
  if (n >= 3 * lanes + 5) {
    i = 3;
    for (; i + 3 * lanes + 2 <= n; i += 3 * lanes) {
      for (size_t k = 0; k < 3; ++k) reverse_vector(i + k * lanes, k);
    }
    for (size_t k = 0; i + lanes + 2 <= n; i += lanes, ++k) reverse_vector(i, k);
    std::memcpy(dst, src + last, 3);
  }
  for (; i < n; ++i) dst[i] = src[last - i + 2 * (i % 3)];
}
#endif  // HWY_TARGET == HWY_AVX3_DL

#endif  // HWY_TARGET != HWY_SCALAR

HWY_ATTR void ReversePixels(const uint8_t* src, size_t width, int channels, uint8_t* dst) {
#if HWY_TARGET == HWY_SCALAR
  struct Rgb {
    uint8_t c[3];
  };
  switch (channels) {
    case 1:
      return ReverseScalar<uint8_t>(src, width, 0, dst);
    case 2:
      return ReverseScalar<uint16_t>(src, width, 0, dst);
    case 3:
      return ReverseScalar<Rgb>(src, width, 0, dst);
    default:
      return ReverseScalar<uint32_t>(src, width, 0, dst);
  }
#else
  switch (channels) {
    case 1:
      return ReverseLanes<uint8_t>(src, width, dst);
    case 2:
      return ReverseLanes<uint16_t>(src, width, dst);
    case 3:
      return ReverseRgb(src, width, dst);
    default:
      return ReverseLanes<uint32_t>(src, width, dst);
  }
#endif
}

// ------------------------------------------------------------------------------------------------
// Transposes (transpose, rotate 90 and 270).

// Output tiles of kTileRows x kTileColumns pixels. Within a tile, groups of 4 output rows sweep
// kTileColumns input rows; the next group reads the same input lines 12 bytes further on, so
// the tile's input lines (kTileColumns x a few) must stay cached, while long sweeps keep each
// output row's writes sequential. Measured on Zen 5 with a 3840x2160x3 transpose, one thread:
// 32x64 tiles 5.0 ms, 64x32 5.9 ms, 4 rows x whole width 8.4 ms, 32x512 2.9-3.3 ms.
constexpr int kTileRows = 32;
constexpr int kTileColumns = 512;

// Where the transpose reads and writes: output pixel (x, y) of the band is input pixel
// (ColumnOf(y), RowOf(x)).
struct TransposeMap {
  ConstView8 in;
  View8 out;
  int row_begin;
  bool flip_rows;
  bool flip_columns;

  int RowOf(int x) const { return flip_rows ? in.height() - 1 - x : x; }
  int ColumnOf(int y) const {
    return flip_columns ? in.width() - 1 - (row_begin + y) : row_begin + y;
  }
};

template <int kChannels>
HWY_ATTR void TransposeScalar(const TransposeMap& map, int x0, int x1, int y) {
  const uint8_t* s = map.in.Row(map.RowOf(x0)) + map.ColumnOf(y) * kChannels;
  const ptrdiff_t step = map.flip_rows ? -map.in.stride_bytes() : map.in.stride_bytes();
  uint8_t* d = map.out.Row(y) + x0 * kChannels;
  for (int x = x0; x < x1; ++x, s += step, d += kChannels) std::memcpy(d, s, kChannels);
}

#if HWY_TARGET != HWY_SCALAR
using D16 = hn::Full128<uint8_t>;

// Blocks of 4 x 4 pixels in 128-bit vectors: each input row's 4 pixels are padded to 32-bit
// lanes, the 4 x 4 lanes are transposed with interleaves, and each column is packed back into
// 4 pixels. Loads read 16 bytes and stores write 16 bytes, so both need that much room in
// their rows: the caller checks it for loads, and stores that would leave the row go through
// a buffer.
template <int kChannels>
struct BlockShuffles {
  hn::Vec<D16> pad;   // pixel p's bytes to lane p (bytes 4p .. 4p + kChannels - 1)
  hn::Vec<D16> pack;  // and back
};

template <int kChannels>
HWY_ATTR BlockShuffles<kChannels> MakeBlockShuffles() {
  alignas(16) uint8_t pad[16], pack[16];
  for (int j = 0; j < 16; ++j) {
    pad[j] = static_cast<uint8_t>(j / 4 * kChannels + std::min(j % 4, kChannels - 1));
    pack[j] = static_cast<uint8_t>(j < 4 * kChannels ? j / kChannels * 4 + j % kChannels : 0);
  }
  const D16 d;
  return {hn::Load(d, pad), hn::Load(d, pack)};
}

template <int kChannels>
HWY_ATTR void TransposeBlock(const TransposeMap& map, const BlockShuffles<kChannels>& shuffles,
                             int x, int y, int first_column) {
  const D16 d;
  const hn::Repartition<uint32_t, D16> d32;
  const hn::Repartition<uint64_t, D16> d64;
  hn::Vec<decltype(d32)> r[4];
  for (int k = 0; k < 4; ++k) {
    const uint8_t* s = map.in.Row(map.RowOf(x + k)) + first_column * kChannels;
    r[k] = hn::BitCast(d32, hn::TableLookupBytes(hn::LoadU(d, s), shuffles.pad));
  }
  const auto r01_lo = hn::BitCast(d64, hn::InterleaveLower(d32, r[0], r[1]));
  const auto r23_lo = hn::BitCast(d64, hn::InterleaveLower(d32, r[2], r[3]));
  const auto r01_hi = hn::BitCast(d64, hn::InterleaveUpper(d32, r[0], r[1]));
  const auto r23_hi = hn::BitCast(d64, hn::InterleaveUpper(d32, r[2], r[3]));
  const hn::Vec<D16> column[4] = {hn::BitCast(d, hn::InterleaveLower(d64, r01_lo, r23_lo)),
                                  hn::BitCast(d, hn::InterleaveUpper(d64, r01_lo, r23_lo)),
                                  hn::BitCast(d, hn::InterleaveLower(d64, r01_hi, r23_hi)),
                                  hn::BitCast(d, hn::InterleaveUpper(d64, r01_hi, r23_hi))};
  const bool room = (x + 4) * kChannels + 16 - 4 * kChannels <= map.out.width() * kChannels;
  for (int k = 0; k < 4; ++k) {
    // Input column first_column + k is output row y + k, or y + 3 - k when columns run backwards.
    uint8_t* dst = map.out.Row(map.flip_columns ? y + 3 - k : y + k) + x * kChannels;
    const auto packed = hn::TableLookupBytes(column[k], shuffles.pack);
    if (room) {
      hn::StoreU(packed, d, dst);
    } else {
      alignas(16) uint8_t buffer[16];
      hn::Store(packed, d, buffer);
      std::memcpy(dst, buffer, 4 * kChannels);
    }
  }
}
#endif  // HWY_TARGET != HWY_SCALAR

template <int kChannels>
HWY_ATTR void TransposeTiled(ConstView8 in, View8 out, int row_begin, bool flip_rows,
                             bool flip_columns) {
  const TransposeMap map{in, out, row_begin, flip_rows, flip_columns};
#if HWY_TARGET != HWY_SCALAR
  const BlockShuffles<kChannels> shuffles = MakeBlockShuffles<kChannels>();
#endif
  for (int y0 = 0; y0 < out.height(); y0 += kTileRows) {
    const int y1 = std::min(out.height(), y0 + kTileRows);
    for (int x0 = 0; x0 < out.width(); x0 += kTileColumns) {
      const int x1 = std::min(out.width(), x0 + kTileColumns);
      int y = y0;
#if HWY_TARGET != HWY_SCALAR
      for (; y + 4 <= y1; y += 4) {
        // The 4 rows' input columns, lowest first; a 16-byte load from there must fit the row
        // (near the input's right edge the group goes pixel by pixel).
        const int first_column = flip_columns ? map.ColumnOf(y + 3) : map.ColumnOf(y);
        int x = x0;
        if (first_column * kChannels + 16 <= in.width() * kChannels) {
          for (; x + 4 <= x1; x += 4) TransposeBlock<kChannels>(map, shuffles, x, y, first_column);
        }
        for (int k = 0; k < 4 && x < x1; ++k) TransposeScalar<kChannels>(map, x, x1, y + k);
      }
#endif
      for (; y < y1; ++y) TransposeScalar<kChannels>(map, x0, x1, y);
    }
  }
}

HWY_ATTR void TransposePixels(ConstView8 in, View8 out, int row_begin, bool flip_rows,
                              bool flip_columns) {
  switch (in.channels()) {
    case 1:
      return TransposeTiled<1>(in, out, row_begin, flip_rows, flip_columns);
    case 2:
      return TransposeTiled<2>(in, out, row_begin, flip_rows, flip_columns);
    case 3:
      return TransposeTiled<3>(in, out, row_begin, flip_rows, flip_columns);
    default:
      return TransposeTiled<4>(in, out, row_begin, flip_rows, flip_columns);
  }
}

}  // namespace
}  // namespace HWY_NAMESPACE
}  // namespace pixflow::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pixflow::kernels {

HWY_EXPORT(ReversePixels);
HWY_EXPORT(TransposePixels);

void ReversePixels(const uint8_t* src, size_t width, int channels, uint8_t* dst) {
  HWY_DYNAMIC_DISPATCH(ReversePixels)(src, width, channels, dst);
}

void TransposePixels(ConstView8 in, View8 out, int row_begin, bool flip_rows, bool flip_columns) {
  HWY_DYNAMIC_DISPATCH(TransposePixels)(in, out, row_begin, flip_rows, flip_columns);
}

}  // namespace pixflow::kernels
#endif  // HWY_ONCE
