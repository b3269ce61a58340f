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
  PIXFLOW_ASSIGN_OR_RETURN(const std::vector<Size> sizes, PlanSizes(input.size()));
  if (filters_.empty()) return Image8::CopyOf(input);
  return RunFrom(0, input, sizes, execution);
}

Result<Image8> FilterChain::Run(RowSource& input, Execution execution) const {
  PIXFLOW_ASSIGN_OR_RETURN(const std::vector<Size> sizes, PlanSizes(input.size()));
  // The filters at the head that can take their rows as they are decoded.
  std::vector<const Filter*> head;
  for (Size size = input.size(); head.size() < filters_.size(); size = sizes[head.size() - 1]) {
    const Filter& filter = *filters_[head.size()];
    if (!ReadsFewRows(filter, size) || !ReadsInOrder(filter, size)) break;
    head.push_back(&filter);
  }
  Image8 made;
  if (head.empty()) {
    PIXFLOW_ASSIGN_OR_RETURN(made, Image8::Create(input.size()));
    PIXFLOW_RETURN_IF_ERROR(input.ReadRows(made.view()));
  } else {
    PIXFLOW_ASSIGN_OR_RETURN(made, Image8::Create(sizes[head.size() - 1]));
    PIXFLOW_RETURN_IF_ERROR(RunStreamed(head, input, made.view()));
  }
  if (head.size() == filters_.size()) return made;
  return RunFrom(head.size(), std::as_const(made).view(), sizes, execution);
}

Result<Image8> FilterChain::RunFrom(size_t first, ConstView8 input, const std::vector<Size>& sizes,
                                    Execution execution) const {
  // Consecutive filters that read few rows stream together, with no image between them; a
  // filter that reads its whole input for any row (a 90-degree rotation) runs on its own.
  Image8 current;
  while (first < filters_.size()) {
    const ConstView8 source = current.empty() ? input : std::as_const(current).view();
    std::vector<const Filter*> run{filters_[first].get()};
    if (ReadsFewRows(*run.front(), source.size())) {
      for (size_t k = first + 1; k < filters_.size() && ReadsFewRows(*filters_[k], sizes[k - 1]);
           ++k) {
        run.push_back(filters_[k].get());
      }
    }
    first += run.size();
    PIXFLOW_ASSIGN_OR_RETURN(Image8 next, Image8::Create(sizes[first - 1]));
    PIXFLOW_RETURN_IF_ERROR(RunStreamed(run, source, next.view(), execution));
    current = std::move(next);
  }
  return current;
}

}  // namespace pixflow
