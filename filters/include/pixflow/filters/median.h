// Median filter on interleaved 8-bit images (1-4 channels, each channel on its own).
// Each factory returns a new Filter the caller owns; filters are immutable, so one can run on many
// images from many threads at once.
#pragma once

#include <memory>

#include "pixflow/filters/filter.h"

namespace pixflow {

// Each output value is the median of the ksize x ksize window around it, reading rows and columns
// outside the image by replication, exactly as cv::medianBlur does. ksize must be 3 or 5; other
// sizes are reported by Filter::OutputSize.
std::unique_ptr<Filter> MakeMedian(int ksize);

}  // namespace pixflow
