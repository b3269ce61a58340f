// Convolution family against OpenCV on BenchImage(3): Gaussian blur, unsharp mask, 2-D and
// separable convolution, Sobel and median. Each pair runs the same operation into a
// preallocated output, so allocation is not timed on either side.
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "bench_util.h"
#include "pixflow/filters/convolve.h"
#include "pixflow/filters/median.h"
#include "pixflow/filters/tiler.h"

namespace pixflow::bench {
namespace {

// Registers `op`: pixflow runs `filter` into one output image, OpenCV runs `opencv(src, dst)`.
void RegisterFilter(const std::string& op, std::unique_ptr<Filter> filter,
                    std::function<void(const cv::Mat&, cv::Mat&)> opencv) {
  const Image8& image = BenchImage(3);
  const int64_t pixels = static_cast<int64_t>(image.width()) * image.height();
  auto shared = std::shared_ptr<Filter>(std::move(filter));
  auto output = std::make_shared<Image8>(std::move(Image8::Create(image.size()).value()));
  auto cv_output = std::make_shared<cv::Mat>(image.height(), image.width(), CV_8UC3);
  RegisterPair(
      op, pixels,
      [shared, output, &image] {
        Status status = RunFilter(*shared, image.view(), output->view());
        if (!status.ok()) std::abort();
      },
      [opencv, cv_output, &image] { opencv(AsMat(image.view()), *cv_output); });
}

Kernel2D Sharpen3x3() { return {3, 3, {0, -1, 0, -1, 5, -1, 0, -1, 0}}; }

// A fixed 5x5 kernel with every tap non-zero (no zero skipping on either side).
Kernel2D Dense5x5() {
  Kernel2D k{5, 5, {}};
  for (int i = 0; i < 25; ++i)
    k.weights.push_back(0.01f * static_cast<float>((i * 7) % 11) - 0.02f);
  k.weights[12] += 1.0f;
  return k;
}

cv::Mat AsCvKernel(const Kernel2D& k) {
  return cv::Mat(k.height, k.width, CV_32F, const_cast<float*>(k.weights.data())).clone();
}

// A 7-tap smoothing kernel whose weights are not multiples of 1/256, so that OpenCV's
// sepFilter2D takes its float path (Q8-exact kernels take a fixed-point path).
std::vector<float> Smooth7() { return {0.03f, 0.11f, 0.21f, 0.3f, 0.21f, 0.11f, 0.03f}; }

const Registrar registrar([] {
  RegisterFilter("gaussian_blur_sigma1", MakeGaussianBlur(1.0),
                 [](const cv::Mat& s, cv::Mat& d) { cv::GaussianBlur(s, d, cv::Size(0, 0), 1.0); });
  RegisterFilter("gaussian_blur_sigma3", MakeGaussianBlur(3.0),
                 [](const cv::Mat& s, cv::Mat& d) { cv::GaussianBlur(s, d, cv::Size(0, 0), 3.0); });
  RegisterFilter("unsharp_sigma1", MakeUnsharpMask(1.0, 1.0, 0), [](const cv::Mat& s, cv::Mat& d) {
    thread_local cv::Mat blurred;
    cv::GaussianBlur(s, blurred, cv::Size(0, 0), 1.0);
    cv::addWeighted(s, 2.0, blurred, -1.0, 0.0, d);
  });
  const cv::Mat sharpen = AsCvKernel(Sharpen3x3());
  RegisterFilter("filter2d_3x3", MakeConvolve(Sharpen3x3()),
                 [sharpen](const cv::Mat& s, cv::Mat& d) { cv::filter2D(s, d, -1, sharpen); });
  const cv::Mat dense = AsCvKernel(Dense5x5());
  RegisterFilter("filter2d_5x5", MakeConvolve(Dense5x5()),
                 [dense](const cv::Mat& s, cv::Mat& d) { cv::filter2D(s, d, -1, dense); });
  const cv::Mat smooth(Smooth7(), true);
  RegisterFilter(
      "sepfilter_7", MakeSeparableConvolve(Smooth7(), Smooth7()),
      [smooth](const cv::Mat& s, cv::Mat& d) { cv::sepFilter2D(s, d, -1, smooth, smooth); });
  RegisterFilter("sobel_dx", MakeSobel({}),
                 [](const cv::Mat& s, cv::Mat& d) { cv::Sobel(s, d, CV_8U, 1, 0, 3); });
  RegisterFilter("median3", MakeMedian(3),
                 [](const cv::Mat& s, cv::Mat& d) { cv::medianBlur(s, d, 3); });
  RegisterFilter("median5", MakeMedian(5),
                 [](const cv::Mat& s, cv::Mat& d) { cv::medianBlur(s, d, 5); });
});

}  // namespace
}  // namespace pixflow::bench
