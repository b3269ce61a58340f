// How one band of output rows is produced, given the tables for its input size. The two
// filtering orders compute the same sums (up to float rounding) and differ only in which pass
// runs on fewer rows:
//   - vertical first (output no taller than input): output rows, two at a time, are weighted
//     sums of their input rows, straight from 8 bits into float rows of input width, which
//     the horizontal pass then shrinks to output width;
//   - horizontal first (output taller than input): each input row is filtered horizontally
//     once, kept in a small ring while the output rows that need it are summed, so the
//     horizontal pass runs on input rows, fewer than output rows.
#pragma once

#include <vector>

#include "pixflow/filters/filter.h"
#include "resize_kernels.h"
#include "resize_weights.h"

namespace pixflow::resize {

// Everything a band needs that depends only on the input shape.
struct Tables {
  Size input;
  AxisWeights x;  // filtering kernels
  AxisWeights y;
  HorizontalPlan plan;
  std::vector<int> nearest_x;  // kNearest
  std::vector<int> nearest_y;
};

// Same size: every kernel's weights are a single 1 at the pixel itself, so the exact answer is
// a copy.
void CopyBand(const Band& band);
void NearestBand(const Band& band, const Tables& tables);
void VerticalFirstBand(const Band& band, const Tables& tables, bool alpha);
void HorizontalFirstBand(const Band& band, const Tables& tables, bool alpha);

}  // namespace pixflow::resize
