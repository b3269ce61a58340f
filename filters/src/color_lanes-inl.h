// Lane patterns shared by the colour kernels, compiled once per SIMD target: included by
// color_kernels.cc and color_alpha_kernels.cc (Highway's per-target -inl.h idiom: the guard flips
// with HWY_TARGET_TOGGLE so each target gets a copy).
//
// Each colour kernel runs whole vectors while they fit in a row and finishes the row with the
// scalar loop that follows. Highway's SCALAR target (one lane, no block shuffles) compiles out the
// vector part (`#if HWY_TARGET != HWY_SCALAR`) and runs the scalar loop over the whole row.
#if defined(PIXFLOW_FILTERS_SRC_COLOR_LANES_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PIXFLOW_FILTERS_SRC_COLOR_LANES_INL_H_
#undef PIXFLOW_FILTERS_SRC_COLOR_LANES_INL_H_
#else
#define PIXFLOW_FILTERS_SRC_COLOR_LANES_INL_H_
#endif

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace pixflow::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
// Internal linkage: other kernel families define their own helpers in this namespace.
namespace {

// Byte i of a row is alpha when it is the last channel of its pixel.
inline bool IsAlpha(size_t i, int channels) {
  return i % channels == static_cast<size_t>(channels - 1);
}

#if HWY_TARGET != HWY_SCALAR
using D8 = hn::ScalableTag<uint8_t>;
using V8 = hn::Vec<D8>;

// Vectors hold a whole number of 2- and 4-channel pixels (their byte count is a multiple of 4),
// so "is this lane alpha" and "where is my pixel's alpha" are fixed lane patterns.

// Lanes holding the last channel of `channels`-byte pixels (channels is 1, 2 or 4).
HWY_INLINE hn::Mask<D8> AlphaLanes(int channels) {
  const D8 d;
  const V8 last = hn::Set(d, static_cast<uint8_t>(channels - 1));
  return hn::Eq(hn::And(hn::Iota(d, 0), last), last);
}

// TableLookupBytes indices that copy each pixel's alpha into all of its lanes: lane j reads lane
// j | (channels - 1), which stays inside its 16-byte block as lookups must.
template <class D>
HWY_INLINE hn::Vec<D> AlphaBroadcastIndices(D d, int channels) {
  return hn::Or(hn::Iota(d, 0), hn::Set(d, static_cast<uint8_t>(channels - 1)));
}
#endif  // HWY_TARGET != HWY_SCALAR

}  // namespace
}  // namespace HWY_NAMESPACE
}  // namespace pixflow::kernels
HWY_AFTER_NAMESPACE();

#endif  // PIXFLOW_FILTERS_SRC_COLOR_LANES_INL_H_
