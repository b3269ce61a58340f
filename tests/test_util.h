// Helpers shared by the filter tests: test images (random, smooth synthetic, real photographs),
// OpenCV views of pixflow images, error metrics, and a loop over every SIMD target.
#pragma once

#include <cstdint>
#include <functional>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "pixflow/filters/image.h"

namespace pixflow::test {

// Uniform random pixels: the harshest input for rounding and edge handling.
Image8 RandomImage(int width, int height, int channels, uint32_t seed = 1);
// Gradients, hard edges, stripes and a little noise: a stand-in for natural content where
// kernels that legitimately differ are compared by PSNR.
Image8 SceneImage(int width, int height, int channels, uint32_t seed = 1);
// A real photograph from Debian's opencv-doc package, converted to `channels` (1, 3 or 4; for 4
// a radial alpha ramp is added). Fails the test when the file is missing.
Image8 RealImage(const std::string& name, int channels);
// Names of the real photographs the conformance tests use.
std::vector<std::string> RealImageNames();

// Sizes that catch off-by-one and tail bugs: 1x1, 1xN, Nx1, and widths that are not a multiple
// of any vector length.
std::vector<Size> AwkwardSizes();

// Zero-copy OpenCV header over a pixflow view (CV_8UC<channels>, same stride).
cv::Mat AsMat(ConstView8 view);
// Zero-copy pixflow view of a continuous or strided 8-bit cv::Mat.
ConstView8 AsView(const cv::Mat& mat);
Image8 CopyOf(const cv::Mat& mat);

int MaxAbsDiff(ConstView8 a, ConstView8 b);
// Peak signal-to-noise ratio in dB; +inf for identical images.
double Psnr(ConstView8 a, ConstView8 b);
bool Identical(ConstView8 a, ConstView8 b);

// Runs `fn` once per SIMD target that is compiled in and that this CPU supports, with
// pixflow's dynamic dispatch pinned to that target; restores normal dispatch afterwards.
void ForEachTarget(const std::function<void(const std::string& target)>& fn);

}  // namespace pixflow::test
