// The one place that splits work across threads. An output image is cut into row bands, and the
// bands run through oneTBB in the caller's arena, or one after another when the caller asks for
// serial execution. Every filter makes each output row from the same input rows whichever band
// it falls in, so results are bit-identical however the rows are cut and however many threads
// run (the tests hold every filter to that).
#pragma once

#include <functional>
#include <span>
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

// Whether `filter` reads only a few input rows (a quarter of `input`'s at most) for an output row:
// then it can stream (RunStreamed). A rotation by 90 degrees reads every input row for any
// output row, and does not.
bool ReadsFewRows(const Filter& filter, Size input);

// Runs `filters` one after another from `input` into `output` (the last filter's output shape,
// not overlapping `input`) without making any intermediate image. The output is cut into a few
// chunks per thread; each chunk is made a few rows (a step) at a time, and every filter's rows
// go to the next while they are still in cache, instead of each filter sweeping a whole image
// through memory. Each chunk keeps a window of every intermediate's latest rows, so rows that
// consecutive steps share are made once; only rows near chunk seams are made twice. Meant for
// filters that ReadsFewRows; others are correct but slow (every chunk makes their whole input).
// One filter runs as RunFilter does.
Status RunStreamed(std::span<const Filter* const> filters, ConstView8 input, View8 output,
                   Execution execution = {});

// The rows of an image that arrive top to bottom and only once, as a decoder makes them.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual Size size() const = 0;
  // Writes the next out.height() rows, the first call row 0, into `out` (size()'s width and
  // channels). After a failure no more rows come.
  virtual Status ReadRows(View8 out) = 0;
};

// Whether the input rows `filter` reads move down as its output rows do (a flip's and a 180-degree
// rotation's move up): with ReadsFewRows, its rows can then come straight from a RowSource.
bool ReadsInOrder(const Filter& filter, Size input);

// RunStreamed with the input read from `input` as the filters need its rows: the decoded image
// never exists whole, only a window of its latest rows. Runs on the calling thread, in one pass
// from top to bottom (the source cannot be read in parallel); every filter must ReadsFewRows
// and ReadsInOrder. Input rows below the last one the output needs are not read.
Status RunStreamed(std::span<const Filter* const> filters, RowSource& input, View8 output);

// Allocates the output and runs `filter` into it.
Result<Image8> ApplyFilter(const Filter& filter, ConstView8 input, Execution execution = {});

}  // namespace pixflow
