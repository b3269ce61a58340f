#include "pixflow/filters/chain.h"

namespace pixflow {

FilterChain& FilterChain::Add(std::unique_ptr<Filter> filter) {
  filters_.push_back(std::move(filter));
  return *this;
}

std::string FilterChain::Describe() const {
  if (filters_.empty()) return "identity";
  std::string out;
  for (const auto& filter : filters_) {
    if (!out.empty()) out += " | ";
    out += filter->Name();
  }
  return out;
}

Result<std::vector<Size>> FilterChain::PlanSizes(Size input) const {
  PIXFLOW_RETURN_IF_ERROR(CheckShape(input, "input"));
  std::vector<Size> sizes;
  Size size = input;
  for (const auto& filter : filters_) {
    Result<Size> next = filter->OutputSize(size);
    if (!next.ok()) return next.status().WithContext(filter->Name());
    PIXFLOW_RETURN_IF_ERROR(CheckShape(*next, (filter->Name() + " output").c_str()));
    size = *next;
    sizes.push_back(size);
  }
  return sizes;
}

Result<Size> FilterChain::OutputSize(Size input) const {
  PIXFLOW_ASSIGN_OR_RETURN(std::vector<Size> sizes, PlanSizes(input));
  return sizes.empty() ? input : sizes.back();
}

Result<Image8> FilterChain::Run(ConstView8 input, Execution execution) const {
  PIXFLOW_RETURN_IF_ERROR(PlanSizes(input.size()).status());
  if (filters_.empty()) return Image8::CopyOf(input);
  Image8 current;
  for (const auto& filter : filters_) {
    const ConstView8 source = current.empty() ? input : std::as_const(current).view();
    PIXFLOW_ASSIGN_OR_RETURN(Image8 next, ApplyFilter(*filter, source, execution));
    current = std::move(next);
  }
  return current;
}

}  // namespace pixflow
