// A FilterChain applies filters in order. Every shape is computed and every parameter checked
// (OutputSize) before the first pixel is touched, so a bad chain fails fast with the filter's
// name, and callers can size outputs, name files or refuse work up front.
// Threads: build a chain on one thread; a built chain is immutable (every method but Add is
// const), so one chain may Run on many images from many threads at once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pixflow/filters/filter.h"
#include "pixflow/filters/image.h"
#include "pixflow/filters/tiler.h"

namespace pixflow {

class FilterChain {
 public:
  FilterChain() = default;
  FilterChain(FilterChain&&) noexcept = default;
  FilterChain& operator=(FilterChain&&) noexcept = default;

  // Appends `filter` (the chain takes ownership) and returns *this, so calls chain.
  FilterChain& Add(std::unique_ptr<Filter> filter);

  bool empty() const { return filters_.empty(); }
  size_t size() const { return filters_.size(); }
  const Filter& operator[](size_t i) const { return *filters_[i]; }

  // "resize(800x600,lanczos3) | gaussian_blur(sigma=1)"; "identity" when empty.
  std::string Describe() const;

  // The shape each filter produces, in order (empty for an empty chain), or the first error,
  // prefixed with the failing filter's name.
  Result<std::vector<Size>> PlanSizes(Size input) const;
  // The final output shape (the input's for an empty chain).
  Result<Size> OutputSize(Size input) const;

  // Runs every filter. Consecutive filters that read few rows per output row (all but 90-degree
  // rotations) stream strips of rows through one another (RunStreamed), so no intermediate image
  // is made; a rotation's input is made whole first. An empty chain returns a copy of the input.
  // `input` is only read and may be any view (a sub-rectangle, a cv::Mat's pixels); the result
  // is a new image the caller owns. The work runs on oneTBB in the caller's arena, or on this
  // thread with Execution::Serial(); the pixels are the same either way.
  Result<Image8> Run(ConstView8 input, Execution execution = {}) const;
  // The same from rows that arrive top to bottom (a decoder's). The filters at the head of the
  // chain that ReadsInOrder take the rows as they come, on this thread, so the input never
  // exists whole; the rest run from their output as above. Rows none of them needs are not read.
  // An error from `input` is returned as it is.
  Result<Image8> Run(RowSource& input, Execution execution = {}) const;

 private:
  // Runs filters [first, size()) on `input`, the output of the filter before `first`;
  // `sizes` is PlanSizes(the chain's input).
  Result<Image8> RunFrom(size_t first, ConstView8 input, const std::vector<Size>& sizes,
                         Execution execution) const;

  std::vector<std::unique_ptr<Filter>> filters_;
};

}  // namespace pixflow
