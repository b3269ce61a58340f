// A filter is small: it says what size it produces, which input rows an output band reads (its
// footprint), and fills one band of output rows. Splitting into bands, threads and edge clamping
// of row indices belong to the tiler (tiler.h), once, not to each filter.
#pragma once

#include <algorithm>
#include <string>

#include "pixflow/filters/image.h"
#include "pixflow/filters/status.h"

namespace pixflow {

// Half-open range of rows [begin, end).
struct RowRange {
  int begin = 0;
  int end = 0;
  int size() const { return end - begin; }
  friend bool operator==(const RowRange&, const RowRange&) = default;
};

// How out-of-image rows and columns are read. kReflect101 (gfedcb|abcdefgh|gfedcba) is OpenCV's
// BORDER_DEFAULT; kReplicate (aaaaaa|abcdefgh|hhhhhhh) is what resampling wants.
enum class Border { kReplicate, kReflect101 };

// Maps a possibly out-of-range coordinate into [0, n).
inline int MapBorder(int i, int n, Border border) {
  if (i >= 0 && i < n) return i;
  if (border == Border::kReplicate || n == 1) return std::clamp(i, 0, n - 1);
  const int period = 2 * (n - 1);  // Reflect101 is periodic; handles halos wider than the image.
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

// What one call to Filter::ProcessBand sees: the input rows its footprint asked for (clamped to
// the image) and the output rows it must fill.
struct Band {
  ConstView8 input;  // rows [input_rows.begin, input_rows.end) of the input image
  RowRange input_rows;
  int input_height = 0;  // of the whole input, for edge handling
  View8 output;          // rows [output_rows.begin, output_rows.end) of the output image
  RowRange output_rows;

  // Input row `y` in image coordinates; rows outside the image are mapped by `border`. The
  // mapped row must lie in the footprint the filter declared.
  const uint8_t* InputRow(int y, Border border = Border::kReplicate) const {
    return input.Row(MapBorder(y, input_height, border) - input_rows.begin);
  }
  uint8_t* OutputRow(int y) const { return output.Row(y - output_rows.begin); }
};

class Filter {
 public:
  virtual ~Filter() = default;

  // Short name for messages and listings, e.g. "gaussian_blur(sigma=2)".
  virtual std::string Name() const = 0;
  // The output shape for `input`, or why this filter cannot run on it.
  virtual Result<Size> OutputSize(Size input) const = 0;
  // The input rows that output rows `out` read, before clamping to the image. A point op returns
  // `out`; a vertical convolution of radius r returns [out.begin - r, out.end + r).
  virtual RowRange Footprint(RowRange out, Size input) const = 0;
  // Fills every pixel of band.output. Called concurrently for disjoint bands; must not keep state.
  virtual void ProcessBand(const Band& band) const = 0;
};

}  // namespace pixflow
