#include "pixflow/filters/tiler.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <algorithm>

#include "pixflow/filters/sanitizer.h"

namespace pixflow {
namespace {

// Enough bands to keep 16 cores busy with uneven band costs (4 per core), few enough that the
// per-band set-up (halo rows, weight tables) stays small next to the band's own work.
constexpr int kMaxBands = 64;
constexpr int kMinBandRows = 8;

}  // namespace

std::vector<RowRange> PlanBands(const Filter& filter, Size input, Size output) {
  const int height = output.height;
  int rows = std::max(kMinBandRows, (height + kMaxBands - 1) / kMaxBands);
  // A band re-reads its halo; make each band's own share of input rows at least twice the halo,
  // so the redundant work stays under a third.
  // A footprint that spans the whole input (a rotation reads every input row for any output
  // band) cannot be reduced by larger bands; only finite halos set a minimum band size.
  int halo = std::max(0, filter.Footprint({0, 1}, input).size() - 1);
  if (halo >= input.height - 1) halo = 0;
  const double input_rows_per_output_row =
      static_cast<double>(input.height) / std::max(1, output.height);
  const int rows_for_halo =
      static_cast<int>(2.0 * halo / std::max(input_rows_per_output_row, 1e-9));
  rows = std::min(height, std::max(rows, rows_for_halo));

  std::vector<RowRange> bands;
  for (int y = 0; y < height; y += rows) bands.push_back({y, std::min(height, y + rows)});
  return bands;
}

void ForEachBand(const std::vector<RowRange>& bands, Execution execution,
                 const std::function<void(RowRange)>& fn) {
  if (!execution.parallel || bands.size() <= 1) {
    for (const RowRange& band : bands) fn(band);
    return;
  }
  // Fork/join: a band sees everything the caller did before, the caller sees every band's
  // output after (TBB guarantees it; the annotations tell ThreadSanitizer, see sanitizer.h).
  const char fork = 0, join = 0;
  HappensBefore(&fork);
  // simple_partitioner with grain 1: one task per band, so TBB balances uneven bands.
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, bands.size(), 1),
      [&](const tbb::blocked_range<size_t>& r) {
        HappensAfter(&fork);
        for (size_t i = r.begin(); i != r.end(); ++i) fn(bands[i]);
        HappensBefore(&join);
      },
      tbb::simple_partitioner());
  HappensAfter(&join);
}

Status RunFilter(const Filter& filter, ConstView8 input, View8 output, Execution execution) {
  PIXFLOW_RETURN_IF_ERROR(CheckShape(input.size(), "input"));
  Result<Size> expected = filter.OutputSize(input.size());
  if (!expected.ok()) return expected.status().WithContext(filter.Name());
  if (output.size() != *expected) {
    return InvalidArgument(filter.Name() + ": output view has the wrong shape");
  }
  const std::vector<RowRange> bands = PlanBands(filter, input.size(), output.size());
  ForEachBand(bands, execution, [&](RowRange rows) {
    RowRange in_rows = filter.Footprint(rows, input.size());
    in_rows.begin = std::clamp(in_rows.begin, 0, input.height());
    in_rows.end = std::clamp(in_rows.end, in_rows.begin, input.height());
    Band band;
    band.input = input.Rows(in_rows.begin, in_rows.end);
    band.input_rows = in_rows;
    band.input_height = input.height();
    band.output = output.Rows(rows.begin, rows.end);
    band.output_rows = rows;
    filter.ProcessBand(band);
  });
  return Status::Ok();
}

Result<Image8> ApplyFilter(const Filter& filter, ConstView8 input, Execution execution) {
  PIXFLOW_RETURN_IF_ERROR(CheckShape(input.size(), "input"));
  Result<Size> size = filter.OutputSize(input.size());
  if (!size.ok()) return size.status().WithContext(filter.Name());
  PIXFLOW_ASSIGN_OR_RETURN(Image8 output, Image8::Create(*size));
  PIXFLOW_RETURN_IF_ERROR(RunFilter(filter, input, output.view(), execution));
  return output;
}

}  // namespace pixflow
