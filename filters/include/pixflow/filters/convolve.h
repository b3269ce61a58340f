// Linear neighbourhood filters on interleaved 8-bit images (1-4 channels, every channel filtered
// alike, alpha included, as OpenCV does). Each factory returns a Filter for the tiler; bad
// parameters are reported by Filter::OutputSize, with the op's name, when the filter is run.
// Each factory returns a new Filter the caller owns; filters are immutable, so one can run on many
// images from many threads at once.
//
// What each op matches (the tests hold these to the stated tolerances):
//   MakeGaussianBlur       cv::GaussianBlur(src, dst, Size(0, 0), sigma), bit for bit: the same
//                          Q8 weights and the same integer arithmetic.
//   MakeUnsharpMask        ImageMagick's -unsharp: in + amount * (in - gaussian(in)) where
//                          |in - gaussian(in)| > threshold, else in.
//   MakeConvolve           cv::filter2D(src, dst, -1, kernel, anchor, delta) (correlation).
//   MakeSeparableConvolve  cv::sepFilter2D(src, dst, -1, kx, ky, Point(-1, -1), delta).
//   MakeSobel              cv::Sobel(src, dst, CV_8U, ...), or with `absolute` the edge-magnitude
//                          form cv::convertScaleAbs(cv::Sobel(src, CV_16S or CV_32F, ...)).
#pragma once

#include <memory>
#include <vector>

#include "pixflow/filters/filter.h"

namespace pixflow {

// Separable Gaussian of standard deviation `sigma` (> 0, at most 1000). The kernel has OpenCV's
// size for 8-bit images, 2 * round(3 * sigma) + 1 taps.
std::unique_ptr<Filter> MakeGaussianBlur(double sigma, Border border = Border::kReflect101);

// Sharpens by adding back `amount` times the detail a Gaussian of `sigma` removes, wherever that
// detail exceeds `threshold` levels (0-255); results are rounded and saturated to 0-255.
std::unique_ptr<Filter> MakeUnsharpMask(double sigma, double amount = 1.0, int threshold = 0);

// A dense 2-D kernel, row-major: weights[y * width + x]. The anchor is the kernel cell that lies
// over the output pixel; -1 means the centre (width / 2, height / 2), like cv::Point(-1, -1).
struct Kernel2D {
  int width = 0;
  int height = 0;
  std::vector<float> weights;
  int anchor_x = -1;
  int anchor_y = -1;
};

// out(x, y) = saturate(round(delta + sum weights[j][i] * in(x + i - anchor_x, y + j - anchor_y))).
// Any size, even ones included; the kernel is not flipped.
std::unique_ptr<Filter> MakeConvolve(Kernel2D kernel, float delta = 0,
                                     Border border = Border::kReflect101);

// The 2-D kernel ky * kx^T applied as a horizontal pass with `kx` then a vertical pass with `ky`,
// both anchored at size / 2.
std::unique_ptr<Filter> MakeSeparableConvolve(std::vector<float> kx, std::vector<float> ky,
                                              float delta = 0, Border border = Border::kReflect101);

struct SobelOptions {
  int dx = 1;     // derivative order in x
  int dy = 0;     // derivative order in y
  int ksize = 3;  // 1 (no smoothing: [-1 0 1]), 3, 5, ..., 31
  double scale = 1;
  double delta = 0;
  // false: saturate(scale * d + delta), negative responses clip to 0 (cv::Sobel into CV_8U).
  // true: saturate(|scale * d + delta|), both edge polarities (convertScaleAbs of a signed Sobel).
  bool absolute = false;
};

// The Sobel derivative `options` describe (see the table above); orders and kernel sizes
// cv::Sobel refuses are reported by OutputSize.
std::unique_ptr<Filter> MakeSobel(SobelOptions options);

}  // namespace pixflow
