// Geometry filters: crops, mirrors, right-angle rotations and the transpose, on 1-4 channel 8-bit
// images. All are exact pixel moves. Parameters are checked when the filter is planned: OutputSize
// returns InvalidArgument naming the op and the bad value.
// Each factory returns a new Filter the caller owns; filters are immutable, so one can run on many
// images from many threads at once.
#pragma once

#include <memory>

#include "pixflow/filters/filter.h"

namespace pixflow {

// The rectangle [x, x + width) x [y, y + height), which must lie inside the image.
std::unique_ptr<Filter> MakeCrop(int x, int y, int width, int height);
// Top-bottom mirror (ImageMagick -flip, cv::flip(src, dst, 0)).
std::unique_ptr<Filter> MakeFlip();
// Left-right mirror (ImageMagick -flop, cv::flip(src, dst, 1)).
std::unique_ptr<Filter> MakeFlop();
// Clockwise rotation by a multiple of 90 degrees; negative angles and angles past 360 are reduced
// (-90 is 270). 90 and 270 swap width and height (cv::rotate).
std::unique_ptr<Filter> MakeRotate(int degrees);
// Rows become columns: out(x, y) = in(y, x) (cv::transpose).
std::unique_ptr<Filter> MakeTranspose();

}  // namespace pixflow
