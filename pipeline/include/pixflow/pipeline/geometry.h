// ImageMagick-style resize geometry, as `pixflow convert --resize` takes it:
//   800x      width 800, height keeps the aspect ratio
//   x600      height 600, width keeps the aspect ratio
//   800x600   fit inside 800x600, aspect kept
//   800x600^  cover 800x600 (the smaller side fits, the other overflows), aspect kept
//   800x600!  exactly 800x600, aspect ignored
//   800x600>  shrink to fit only if larger; never enlarge
//   800x600<  enlarge to fit only if smaller; never shrink
//   50%       scale both sides; 50x25% scales them separately
// The parsed geometry is resolved against each image's own size. Parsed geometries are plain
// values; every function here is pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "pixflow/filters/image.h"
#include "pixflow/filters/status.h"

namespace pixflow::pipeline {

struct Geometry {
  enum class Mode { kFit, kCover, kExact, kShrinkOnly, kEnlargeOnly, kPercent };
  Mode mode = Mode::kFit;
  double width = 0;  // pixels, or percent in kPercent; 0 = derive from the other side
  double height = 0;
  std::string text;  // as the user wrote it, for messages and reports

  // The output size for an input of `input` (channels unchanged); at least 1x1.
  Size Resolve(Size input) const;
};

// Parses the forms above; the error says what was expected.
Result<Geometry> ParseGeometry(std::string_view text);

}  // namespace pixflow::pipeline
