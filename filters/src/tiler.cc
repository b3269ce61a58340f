#include "pixflow/filters/tiler.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "pixflow/filters/sanitizer.h"

namespace pixflow {
namespace {

// Enough bands to keep 16 cores busy with uneven band costs (4 per core), few enough that the
// per-band set-up (halo rows, weight tables) stays small next to the band's own work.
constexpr int kMaxBands = 64;
constexpr int kMinBandRows = 8;

// Streaming (RunStreamed): each task makes a chunk of output rows a step at a time. A step's rows
// of every intermediate (the widest row counts) should fit in L2 with room to spare; chunks are
// tall enough that the rows recomputed at their seams stay a few percent of the work.
constexpr size_t kStepBytes = 256 * 1024;
constexpr int kMinStepRows = 8;
constexpr int kMaxStepRows = 64;
constexpr int kMinChunkRows = 96;
constexpr int kChunksPerThread = 2;

RowRange ClampRows(RowRange rows, int height) {
  rows.begin = std::clamp(rows.begin, 0, height);
  rows.end = std::clamp(rows.end, rows.begin, height);
  return rows;
}

// Fills `output` (rows `rows` of the filter's output) from `source`, which holds rows
// [source_first, source_first + source.height()) of an input of shape `input`, including every
// row the footprint of `rows` reads.
void ProcessRows(const Filter& filter, ConstView8 source, int source_first, Size input,
                 RowRange rows, View8 output) {
  const RowRange in_rows = ClampRows(filter.Footprint(rows, input), input.height);
  Band band;
  band.input = source.Rows(in_rows.begin - source_first, in_rows.end - source_first);
  band.input_rows = in_rows;
  band.input_height = input.height;
  band.output = output;
  band.output_rows = rows;
  filter.ProcessBand(band);
}

// The rows of one intermediate image that a chunk holds: rows [lo, hi) are made, and buffer row
// 0 is image row `first`. Rows move down in the buffer only when the next step would run past
// its end, so most steps copy nothing.
class RowWindow {
 public:
  explicit RowWindow(Size image) : image_(image) {}

  ConstView8 held() const { return std::as_const(buffer_).view().Rows(0, hi_ - first_); }
  int first() const { return first_; }
  View8 Rows(RowRange rows) { return buffer_.view().Rows(rows.begin - first_, rows.end - first_); }

  // Makes room for rows `need`, keeping those already made, and returns the rows of `need` that
  // still have to be made (a tail of it; all of it when nothing held is reusable).
  Result<RowRange> Admit(RowRange need) {
    if (need.size() <= 0) return RowRange{need.begin, need.begin};
    const bool reuse = need.begin >= lo_ && need.begin <= hi_;
    if (reuse && need.end <= hi_) return RowRange{need.end, need.end};
    const int kept_end = reuse ? hi_ : need.begin;  // rows [need.begin, kept_end) are kept
    if (need.end - first_ > buffer_.height() || need.begin < first_) {
      PIXFLOW_RETURN_IF_ERROR(MoveTo(need.begin, need.size(), kept_end));
    }
    lo_ = need.begin;
    hi_ = need.end;
    return RowRange{kept_end, need.end};
  }

 private:
  // Re-bases the buffer at image row `first`, with room for at least `rows` rows, keeping the
  // made rows [first, kept_end).
  Status MoveTo(int first, int rows, int kept_end) {
    const size_t row_bytes = static_cast<size_t>(image_.width) * image_.channels;
    if (rows > buffer_.height()) {
      // Room for a few steps, so that rows are moved down once every few steps, not every step.
      const int capacity = std::min(image_.height, 3 * rows);
      PIXFLOW_ASSIGN_OR_RETURN(Image8 bigger,
                               Image8::Create(image_.width, capacity, image_.channels));
      for (int y = first; y < kept_end; ++y) {
        std::memcpy(bigger.Row(y - first), buffer_.Row(y - first_), row_bytes);
      }
      buffer_ = std::move(bigger);
    } else {
      for (int y = first; y < kept_end; ++y) {  // row by row downwards: no row overlaps itself
        std::memmove(buffer_.Row(y - first), buffer_.Row(y - first_), row_bytes);
      }
    }
    first_ = first;
    return Status::Ok();
  }

  Size image_;
  Image8 buffer_;
  int first_ = 0;
  int lo_ = 0;
  int hi_ = 0;
};

// Where a chunk's input rows come from: the whole input image, or a RowSource read into a
// window as the rows are needed.
class InputRows {
 public:
  explicit InputRows(ConstView8 image) : image_(image), window_(image.size()) {}
  explicit InputRows(RowSource& source) : source_(&source), window_(source.size()) {}

  ConstView8 held() const { return source_ != nullptr ? window_.held() : image_; }
  int first() const { return source_ != nullptr ? window_.first() : 0; }

  // Makes rows `need` readable through held(): from a source, reads those not held yet, and
  // drops any rows before them that no output needs (above a crop, between the rows a big
  // shrink reads).
  Status Admit(RowRange need) {
    if (source_ == nullptr || need.size() <= 0) return Status::Ok();
    PIXFLOW_ASSIGN_OR_RETURN(const RowRange missing, window_.Admit(need));
    if (missing.size() <= 0) return Status::Ok();
    if (missing.begin < read_) {
      return Status(StatusCode::kInternal, "streaming: the filters read their source out of order");
    }
    while (read_ < missing.begin) {
      const int rows = std::min(missing.begin - read_, missing.size());
      PIXFLOW_RETURN_IF_ERROR(
          source_->ReadRows(window_.Rows({missing.begin, missing.begin + rows})));
      read_ += rows;
    }
    PIXFLOW_RETURN_IF_ERROR(source_->ReadRows(window_.Rows(missing)));
    read_ = missing.end;
    return Status::Ok();
  }

 private:
  ConstView8 image_;
  RowSource* source_ = nullptr;
  RowWindow window_;
  int read_ = 0;  // rows the source has delivered
};

// The shapes a streamed run goes through: sizes[k] is what filters[k] reads, sizes.back() the
// output's; and the rows per step, about kStepBytes of the widest row.
struct StreamPlan {
  std::vector<Size> sizes;
  int step_rows = kMinStepRows;
};

Result<StreamPlan> PlanStream(std::span<const Filter* const> filters, Size input, Size output) {
  if (filters.empty()) return InvalidArgument("RunStreamed: no filter");
  PIXFLOW_RETURN_IF_ERROR(CheckShape(input, "input"));
  StreamPlan plan;
  plan.sizes.push_back(input);
  size_t widest_row = 1;
  for (const Filter* filter : filters) {
    Result<Size> next = filter->OutputSize(plan.sizes.back());
    if (!next.ok()) return next.status().WithContext(filter->Name());
    PIXFLOW_RETURN_IF_ERROR(CheckShape(*next, (filter->Name() + " output").c_str()));
    plan.sizes.push_back(*next);
    widest_row = std::max(widest_row, static_cast<size_t>(next->width) * next->channels);
  }
  if (output != plan.sizes.back()) {
    return InvalidArgument(filters.back()->Name() + ": output view has the wrong shape");
  }
  plan.step_rows =
      std::clamp(static_cast<int>(kStepBytes / widest_row), kMinStepRows, kMaxStepRows);
  return plan;
}

// Makes output rows `chunk` a step at a time, reading the input through `input`.
Status MakeChunk(std::span<const Filter* const> filters, const StreamPlan& plan, RowRange chunk,
                 InputRows& input, View8 output) {
  const size_t levels = filters.size();
  const std::vector<Size>& sizes = plan.sizes;
  // windows[k] holds rows of the image filters[k] makes (k < levels - 1).
  std::vector<RowWindow> windows;
  for (size_t k = 0; k + 1 < levels; ++k) windows.emplace_back(sizes[k + 1]);
  std::vector<RowRange> make(levels);  // rows each filter makes in this step
  const auto footprint = [&](size_t k) {
    return make[k].size() > 0 ? ClampRows(filters[k]->Footprint(make[k], sizes[k]), sizes[k].height)
                              : RowRange{};
  };
  for (int y = chunk.begin; y < chunk.end; y += plan.step_rows) {
    make[levels - 1] = {y, std::min(chunk.end, y + plan.step_rows)};
    // From the output back: the rows each filter must make that its window does not hold.
    for (size_t k = levels - 1; k > 0; --k) {
      PIXFLOW_ASSIGN_OR_RETURN(make[k - 1], windows[k - 1].Admit(footprint(k)));
    }
    PIXFLOW_RETURN_IF_ERROR(input.Admit(footprint(0)));
    // Then forwards: each filter's new rows, read from the rows before it.
    for (size_t k = 0; k < levels; ++k) {
      if (make[k].size() <= 0) continue;
      const ConstView8 source = k == 0 ? input.held() : windows[k - 1].held();
      const int source_first = k == 0 ? input.first() : windows[k - 1].first();
      const View8 target =
          k + 1 == levels ? output.Rows(make[k].begin, make[k].end) : windows[k].Rows(make[k]);
      ProcessRows(*filters[k], source, source_first, sizes[k], make[k], target);
    }
  }
  return Status::Ok();
}

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
    ProcessRows(filter, input, 0, input.size(), rows, output.Rows(rows.begin, rows.end));
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

bool ReadsFewRows(const Filter& filter, Size input) {
  const Result<Size> output = filter.OutputSize(input);
  if (!output.ok()) return false;
  const RowRange middle{output->height / 2, output->height / 2 + 1};
  return ClampRows(filter.Footprint(middle, input), input.height).size() * 4 <= input.height;
}

bool ReadsInOrder(const Filter& filter, Size input) {
  const Result<Size> output = filter.OutputSize(input);
  if (!output.ok()) return false;
  const int last = output->height - 1;
  return filter.Footprint({0, 1}, input).begin <= filter.Footprint({last, last + 1}, input).begin;
}

Status RunStreamed(std::span<const Filter* const> filters, ConstView8 input, View8 output,
                   Execution execution) {
  if (filters.size() == 1) return RunFilter(*filters[0], input, output, execution);
  PIXFLOW_ASSIGN_OR_RETURN(const StreamPlan plan, PlanStream(filters, input.size(), output.size()));
  const int height = output.height();
  const int threads = execution.parallel ? tbb::this_task_arena::max_concurrency() : 1;
  const int chunks = std::clamp(height / kMinChunkRows, 1, kChunksPerThread * threads);
  std::vector<RowRange> bands;
  for (int c = 0; c < chunks; ++c) {
    bands.push_back({static_cast<int>(static_cast<int64_t>(height) * c / chunks),
                     static_cast<int>(static_cast<int64_t>(height) * (c + 1) / chunks)});
  }
  std::mutex failure_mutex;
  Status failure;
  ForEachBand(bands, execution, [&](RowRange chunk) {
    InputRows rows(input);
    Status made = MakeChunk(filters, plan, chunk, rows, output);
    if (!made.ok()) {
      const std::lock_guard<std::mutex> lock(failure_mutex);
      failure = std::move(made);
    }
  });
  return failure;
}

Status RunStreamed(std::span<const Filter* const> filters, RowSource& input, View8 output) {
  PIXFLOW_ASSIGN_OR_RETURN(const StreamPlan plan, PlanStream(filters, input.size(), output.size()));
  for (size_t k = 0; k < filters.size(); ++k) {
    if (!ReadsFewRows(*filters[k], plan.sizes[k]) || !ReadsInOrder(*filters[k], plan.sizes[k])) {
      return InvalidArgument(filters[k]->Name() + ": cannot read its input as it is decoded");
    }
  }
  InputRows rows(input);
  return MakeChunk(filters, plan, {0, output.height()}, rows, output);
}

}  // namespace pixflow
