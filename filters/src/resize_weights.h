// Weight tables for separable resampling: for each output pixel along one axis, which input
// pixels it reads and with what weights. They depend only on the kernel and the two lengths, so
// a resize builds them once per input size and every band shares them.
#pragma once

#include <vector>

#include "pixflow/filters/resize.h"

namespace pixflow::resize {

inline constexpr int kWeightSlack = 16;

struct AxisWeights {
  int in = 0;
  int out = 0;
  // Every output reads exactly `taps` consecutive inputs [start[o], start[o] + taps), all inside
  // [0, in); weights outside an output's own support are zero. A fixed count keeps the
  // horizontal loop free of per-pixel trip counts.
  int taps = 0;
  std::vector<int> start;
  // The span that carries nonzero weight, [first[o], first[o] + count[o]) (a subset of the
  // window). The vertical pass reads only these rows, so the footprint is exactly them.
  std::vector<int> first;
  std::vector<int> count;
  // out * taps weights, then kWeightSlack zeros: the taps-in-lanes kernel reads whole vectors
  // of weights, up to 15 floats past an output's last tap (it ignores what it reads there).
  std::vector<float> weights;
  // in == out and each output takes its own input with weight 1.
  bool identity = false;

  const float* Weights(int o) const { return weights.data() + static_cast<size_t>(o) * taps; }
};

// Weights for `kernel` (not kNearest) from `in` to `out` pixels.
AxisWeights BuildAxisWeights(ResizeKernel kernel, int in, int out);

// For each output index, the input index nearest-neighbour sampling copies, computed exactly as
// OpenCV's INTER_NEAREST_EXACT does: the input pixel under the output pixel's centre,
// (o + 0.5) * in / out, in 16.16 fixed point.
std::vector<int> NearestIndices(int in, int out);

}  // namespace pixflow::resize
