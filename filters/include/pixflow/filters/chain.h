// A FilterChain applies filters in order. Every shape is computed and every parameter checked
// (OutputSize) before the first pixel is touched, so a bad chain fails fast with the filter's
// name, and callers can size outputs, name files or refuse work up front.
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

  // Runs every filter; intermediates are freed as soon as the next filter has consumed them. An
  // empty chain returns a copy of the input.
  Result<Image8> Run(ConstView8 input, Execution execution = {}) const;

 private:
  std::vector<std::unique_ptr<Filter>> filters_;
};

}  // namespace pixflow
