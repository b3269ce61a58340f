// The ops `pixflow convert` applies, in command-line order. One table describes every op: its
// flag, its argument, how the argument is parsed (once, when the command line is read) and how
// the filter is made for a given image (geometry resolves against each image's own size).
// `pixflow filters` prints the same table, so the listing cannot drift from what is accepted.
// A parsed OpList is immutable: build chains from it on any number of threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pixflow/filters/chain.h"
#include "pixflow/filters/image.h"
#include "pixflow/filters/resize.h"
#include "pixflow/filters/status.h"

namespace pixflow::pipeline {

// An op as written: `--resize 800x` is {"resize", "800x"}; flags without a value have "".
struct OpText {
  std::string name;
  std::string argument;
};

struct OpInfo {
  std::string name;         // the flag without "--"
  std::string argument;     // e.g. "GEOMETRY", "SIGMA"; empty for flags without a value
  std::string description;  // one line
};

// Every op, in the order `pixflow filters` lists them.
const std::vector<OpInfo>& ListOps();

// A parsed, validated op list; makes the filter chain for each image.
class OpList {
 public:
  // Parses every op; the first bad one gives an error naming its flag and argument.
  static Result<OpList> Parse(const std::vector<OpText>& ops,
                              ResizeKernel kernel = ResizeKernel::kLanczos3);

  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  bool HasResize() const;  // any --resize at all
  std::string Describe() const;  // "--resize 800x --sharpen 1"

  // The filters for an image whose original (full-resolution) size is `original`, with every
  // shape checked. Geometry resolves against the original size, so the chain makes the same
  // output whether the decoder delivered the full image or a shrunk one (shrink-on-load): the
  // first resize takes whatever size it is given.
  Result<FilterChain> BuildChain(Size original) const;
  // When the list starts with resizes that shrink the image, the size they end at: a decoder
  // may decode at any size >= this (shrink-on-load) and the chain still resizes exactly.
  // Otherwise the input size.
  Size LeadingDownscale(Size input) const;

  // One parsed op: adds its filter(s) for an image of `input` and returns the size they make.
  using Builder = std::function<Result<Size>(Size input, FilterChain& chain)>;
  struct Op {
    OpText text;
    Builder build;
    bool is_resize = false;
  };

 private:
  std::vector<Op> ops_;
};

}  // namespace pixflow::pipeline
