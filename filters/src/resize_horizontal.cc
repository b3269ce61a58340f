// The horizontal pass of resize: from one float row of input width to one of output width, on
// interleaved pixels. The taps of one output pixel are contiguous in the source but its lanes
// are not, so the work is arranged two ways (see HorizontalPlan):
//   - output lanes (upscaling, and downscaling by up to about 2x): a vector of consecutive
//     output elements reads, for each tap, one source window of one or two vectors and
//     permutes it into place: one permute and one FMA per tap per vector of outputs.
//   - taps in lanes (stronger downscaling): a vector holds several whole taps of one output
//     pixel (5 RGB pixels, 4 RGBA, ...), so wide kernels take few steps; the groups are then
//     summed across lanes, which costs a few permutes per output pixel.
#include <algorithm>

#include "resize_kernels.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "resize_horizontal.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace pixflow::resize {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DI32 = hn::RebindToSigned<DF>;

#if HWY_TARGET == HWY_SCALAR
HWY_ATTR HorizontalPlan PlanHorizontal(const AxisWeights&, int) { return {}; }

HWY_ATTR void HorizontalTaps(const float* src, const AxisWeights& x, const HorizontalPlan&,
                             int channels, float* dst) {
  for (int o = 0; o < x.out; ++o) {
    const float* s = src + static_cast<size_t>(x.start[o]) * channels;
    const float* w = x.Weights(o);
    for (int c = 0; c < channels; ++c) {
      float acc = 0.0f;
      for (int k = 0; k < x.taps; ++k) acc += w[k] * s[k * channels + c];
      dst[o * channels + c] = acc;
    }
  }
}
#else

// Output lanes fit when, for every vector, the tap-0 sources of all its lanes lie within a
// window of one or two vectors from the first lane's; then tap k is the same permutation of
// the window shifted by k pixels. Upscaling fits one vector (a vector's outputs span fewer
// input pixels than it has lanes), downscaling up to about 2x fits two; beyond that the plan
// is empty and the pass runs taps in lanes.
HWY_ATTR HorizontalPlan PlanHorizontal(const AxisWeights& x, int channels) {
  const size_t lanes = hn::Lanes(DF());
  const size_t n = static_cast<size_t>(x.out) * channels;
  const size_t vectors = (n + lanes - 1) / lanes;
  const size_t taps = static_cast<size_t>(x.taps);
  HorizontalPlan plan;
  plan.base.resize(vectors);
  plan.indices.assign(vectors * lanes, 0);
  plan.weights.assign(vectors * taps * lanes, 0.0f);  // lanes past the row: index 0, weight 0
  int widest = 0;
  for (size_t v = 0; v < vectors; ++v) {
    const size_t first = v * lanes;
    const size_t end = std::min(n, first + lanes);
    auto source = [&](size_t e) {
      return x.start[e / channels] * channels + static_cast<int>(e % channels);
    };
    // The window starts at the lowest source element of its lanes (not at its first pixel's
    // start: a downscale by 2 fits two vectors only that way).
    int base = source(first);
    for (size_t e = first; e < end; ++e) base = std::min(base, source(e));
    plan.base[v] = base;
    for (size_t e = first; e < end; ++e) {
      const int index = source(e) - base;
      if (index >= static_cast<int>(2 * lanes)) return {};
      widest = std::max(widest, index);
      const size_t l = e - first;
      plan.indices[v * lanes + l] = index;
      const float* w = x.Weights(static_cast<int>(e / channels));
      for (size_t k = 0; k < taps; ++k) plan.weights[(v * taps + k) * lanes + l] = w[k];
    }
  }
  plan.lanes = lanes;
  plan.window = widest < static_cast<int>(lanes) ? 1 : 2;
  return plan;
}

// Lane l of the result is lane index[l] of the two-vector table lo:hi.
HWY_ATTR HWY_INLINE hn::Vec<DF> Lookup2(hn::Vec<DF> lo, hn::Vec<DF> hi, hn::Vec<DI32> index) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  return hn::Vec<DF>{_mm512_permutex2var_ps(lo.raw, index.raw, hi.raw)};  // one instruction
#else
  const DF df;
  const DI32 di;
  const auto low_bits = hn::Set(di, static_cast<int32_t>(hn::Lanes(df) - 1));
  const auto i = hn::IndicesFromVec(df, hn::And(index, low_bits));
  const auto from_hi = hn::RebindMask(df, hn::Gt(index, low_bits));
  return hn::IfThenElse(from_hi, hn::TableLookupLanes(hi, i), hn::TableLookupLanes(lo, i));
#endif
}

// One vector of output elements: the weighted sum of its taps' permuted windows.
template <int kWindow>
HWY_ATTR HWY_INLINE hn::Vec<DF> OutputVector(const float* s, const int32_t* indices, const float* w,
                                             int taps, int channels) {
  const DF df;
  const DI32 di;
  const size_t lanes = hn::Lanes(df);
  const auto index = hn::LoadU(di, indices);
  auto acc = hn::Zero(df);
  if (kWindow == 1) {
    const auto in_window = hn::IndicesFromVec(df, index);
    for (int k = 0; k < taps; ++k) {
      acc = hn::MulAdd(hn::LoadU(df, w + k * lanes),
                       hn::TableLookupLanes(hn::LoadU(df, s + k * channels), in_window), acc);
    }
  } else {
    for (int k = 0; k < taps; ++k) {
      const float* window = s + k * channels;
      acc = hn::MulAdd(hn::LoadU(df, w + k * lanes),
                       Lookup2(hn::LoadU(df, window), hn::LoadU(df, window + lanes), index), acc);
    }
  }
  return acc;
}

template <int kWindow>
HWY_ATTR void OutputLanes(const float* HWY_RESTRICT src, int taps, int channels,
                          const HorizontalPlan& plan, float* HWY_RESTRICT dst) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const size_t vectors = plan.base.size();
  const int32_t* base = plan.base.data();
  const int32_t* indices = plan.indices.data();
  const float* w = plan.weights.data();
  const size_t step = static_cast<size_t>(taps) * lanes;
  size_t v = 0;
  // Two vectors per iteration keep two FMA chains in flight.
  for (; v + 2 <= vectors; v += 2) {
    const auto a =
        OutputVector<kWindow>(src + base[v], indices + v * lanes, w + v * step, taps, channels);
    const auto b = OutputVector<kWindow>(src + base[v + 1], indices + (v + 1) * lanes,
                                         w + (v + 1) * step, taps, channels);
    hn::StoreU(a, df, dst + v * lanes);
    hn::StoreU(b, df, dst + (v + 1) * lanes);
  }
  if (v < vectors) {
    hn::StoreU(
        OutputVector<kWindow>(src + base[v], indices + v * lanes, w + v * step, taps, channels), df,
        dst + v * lanes);
  }
}

using Indices = decltype(hn::IndicesFromVec(DF(), hn::Zero(DI32())));

// Sum over groups g < kGroups of lanes [g * C, g * C + C), into lanes [0, C): prefix sums of
// 1, 2, 4, ... groups by doubling, combined along the binary digits of kGroups (5 = 4 + 1).
// shift[g] moves lane l + g * C to lane l.
template <int C, int kGroups>
HWY_ATTR HWY_INLINE hn::Vec<DF> SumGroups(hn::Vec<DF> v, const Indices* shift) {
  auto result = hn::Zero(DF());
  auto prefix = v;  // lane l: sum of `width` groups from lane l on
  int width = 1;
  int offset = 0;
  for (int t = kGroups;;) {
    if (t & 1) {
      result = hn::Add(result, offset ? hn::TableLookupLanes(prefix, shift[offset]) : prefix);
      offset += width;
    }
    t >>= 1;
    if (t == 0) break;
    prefix = hn::Add(prefix, hn::TableLookupLanes(prefix, shift[width]));
    width *= 2;
  }
  return result;
}

// One output pixel's taps, kTaps whole source pixels (kTaps * C contiguous floats) per step,
// times their weights spread over those lanes; lanes past kTaps * C compute garbage that
// SumGroups never reads. The last step's weight vector reaches past the pixel's own taps into
// the next pixel's (or the table's slack), so its lanes past the last tap are zeroed.
template <int C>
class TapsInLanesPixel {
 public:
  static constexpr int kLanes = static_cast<int>(hn::MaxLanes(DF()));
  static constexpr int kTaps = kLanes / C;

  HWY_ATTR explicit TapsInLanesPixel(int taps) : last_((taps + kTaps - 1) / kTaps - 1) {
    const DF df;
    HWY_ALIGN int32_t table[kLanes];
    for (int l = 0; l < kLanes; ++l) table[l] = std::min(l / C, kTaps - 1);
    spread_ = hn::SetTableIndices(df, table);
    for (int g = 0; g < kTaps; ++g) {
      for (int l = 0; l < kLanes; ++l) table[l] = std::min(l + g * C, kLanes - 1);
      shift_[g] = hn::SetTableIndices(df, table);
    }
    last_taps_ = hn::FirstN(df, static_cast<size_t>((taps - last_ * kTaps) * C));
  }

  // Lanes [0, C) of the result hold the output pixel.
  HWY_ATTR HWY_INLINE hn::Vec<DF> operator()(const float* s, const float* w) const {
    const DF df;
    auto acc = hn::Zero(df);
    for (int j = 0; j < last_; ++j) {
      acc = hn::MulAdd(Weights(w + j * kTaps), hn::LoadU(df, s + j * kTaps * C), acc);
    }
    const auto weights = hn::IfThenElseZero(last_taps_, Weights(w + last_ * kTaps));
    acc = hn::MulAdd(weights, hn::LoadU(df, s + last_ * kTaps * C), acc);
    return SumGroups<C, kTaps>(acc, shift_);
  }

 private:
  HWY_ATTR HWY_INLINE hn::Vec<DF> Weights(const float* w) const {
    return hn::TableLookupLanes(hn::LoadU(DF(), w), spread_);
  }

  int last_;  // index of the last step
  Indices spread_;
  Indices shift_[kTaps];
  hn::Mask<DF> last_taps_;
};

template <int C>
HWY_ATTR void TapsInLanes(const float* src, const AxisWeights& x, float* dst) {
  const DF df;
  const TapsInLanesPixel<C> pixel(x.taps);
  const auto keep = hn::FirstN(df, C);
  auto source = [&](int o) HWY_ATTR {
    return src + static_cast<size_t>(x.start[static_cast<size_t>(o)]) * C;
  };
  int o = 0;
  // Two pixels per iteration: their chains interleave (measured 10% faster than one).
  for (; o + 2 <= x.out; o += 2) {
    const auto a = pixel(source(o), x.Weights(o));
    const auto b = pixel(source(o + 1), x.Weights(o + 1));
    hn::BlendedStore(a, keep, df, dst + o * C);
    hn::BlendedStore(b, keep, df, dst + (o + 1) * C);
  }
  if (o < x.out) hn::BlendedStore(pixel(source(o), x.Weights(o)), keep, df, dst + o * C);
}

HWY_ATTR void HorizontalTaps(const float* src, const AxisWeights& x, const HorizontalPlan& plan,
                             int channels, float* dst) {
  if (plan.lanes == hn::Lanes(DF())) {
    if (plan.window == 1) return OutputLanes<1>(src, x.taps, channels, plan, dst);
    return OutputLanes<2>(src, x.taps, channels, plan, dst);
  }
  switch (channels) {
    case 1:
      return TapsInLanes<1>(src, x, dst);
    case 2:
      return TapsInLanes<2>(src, x, dst);
    case 3:
      return TapsInLanes<3>(src, x, dst);
    default:
      return TapsInLanes<4>(src, x, dst);
  }
}
#endif  // HWY_TARGET == HWY_SCALAR

}  // namespace HWY_NAMESPACE
}  // namespace pixflow::resize
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pixflow::resize {

HWY_EXPORT(PlanHorizontal);
HWY_EXPORT(HorizontalTaps);

HorizontalPlan PlanHorizontal(const AxisWeights& x, int channels) {
  return HWY_DYNAMIC_DISPATCH(PlanHorizontal)(x, channels);
}
void HorizontalTaps(const float* src, const AxisWeights& x, const HorizontalPlan& plan,
                    int channels, float* dst) {
  HWY_DYNAMIC_DISPATCH(HorizontalTaps)(src, x, plan, channels, dst);
}

}  // namespace pixflow::resize
#endif  // HWY_ONCE
