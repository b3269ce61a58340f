// The one place that splits work across threads. An output image is cut into row bands whose
// layout depends only on the image and the filter (never on the thread count, so results are
// bit-identical however many threads run), and the bands run through oneTBB in the caller's
// arena, or one after another when the caller asks for serial execution.
#pragma once

#include <functional>
#include <vector>

#include "pixflow/filters/filter.h"
#include "pixflow/filters/image.h"

namespace pixflow {

struct Execution {
  // false: every band runs on the calling thread, in order. The SIMD code is the same either way.
  bool parallel = true;

  static Execution Serial() { return {false}; }
  static Execution Parallel() { return {true}; }
};

// Row bands for an output of `output_height` rows: at most kMaxBands bands, each at least big
// enough that its input footprint is not dominated by the halo.
std::vector<RowRange> PlanBands(const Filter& filter, Size input, Size output);

// Calls fn(rows) for each band of `bands`, in parallel or serially; in parallel, fn runs on
// several threads at once (one band each) and returns before ForEachBand does.
void ForEachBand(const std::vector<RowRange>& bands, Execution execution,
                 const std::function<void(RowRange)>& fn);

// Runs `filter` from `input` into `output`, which must already have OutputSize(input) and must
// not overlap `input`.
Status RunFilter(const Filter& filter, ConstView8 input, View8 output, Execution execution = {});

// Allocates the output and runs `filter` into it.
Result<Image8> ApplyFilter(const Filter& filter, ConstView8 input, Execution execution = {});

}  // namespace pixflow
