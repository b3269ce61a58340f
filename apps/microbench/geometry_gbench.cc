// Geometry filters against OpenCV on the 3840x2160 3-channel benchmark photograph. items = pixels.
#include <cstdlib>
#include <functional>
#include <memory>
#include <opencv2/core.hpp>

#include "bench_util.h"
#include "pixflow/filters/geometry.h"
#include "pixflow/filters/tiler.h"

namespace pixflow::bench {
namespace {

using OpenCvOp = std::function<void(const cv::Mat& in, cv::Mat& out)>;

// Buffers made on the first call and reused, so no iteration pays for allocation or first-touch
// page faults (OpenCV reuses its destination Mat the same way).
struct Buffers {
  Image8 pixflow_out;
  cv::Mat opencv_out;
};

void RegisterFilter(const std::string& op, std::shared_ptr<Filter> filter, OpenCvOp opencv) {
  auto buffers = std::make_shared<Buffers>();
  RegisterPair(
      op, int64_t{kBenchWidth} * kBenchHeight,
      [filter, buffers] {
        const ConstView8 in = BenchImage(3).view();
        if (buffers->pixflow_out.empty()) {
          buffers->pixflow_out = std::move(Image8::Create(*filter->OutputSize(in.size())).value());
        }
        if (!RunFilter(*filter, in, buffers->pixflow_out.view()).ok()) std::abort();
      },
      [opencv, buffers] { opencv(AsMat(BenchImage(3).view()), buffers->opencv_out); });
}

const Registrar registrar([] {
  // Made here, not in the first timed call: building the 4K photograph takes ~0.3 s, long enough
  // that a short --benchmark_min_time would report that call as the measurement.
  BenchImage(3);
  RegisterFilter("flip", MakeFlip(), [](const cv::Mat& in, cv::Mat& out) { cv::flip(in, out, 0); });
  RegisterFilter("flop", MakeFlop(), [](const cv::Mat& in, cv::Mat& out) { cv::flip(in, out, 1); });
  RegisterFilter("rotate90", MakeRotate(90), [](const cv::Mat& in, cv::Mat& out) {
    cv::rotate(in, out, cv::ROTATE_90_CLOCKWISE);
  });
  RegisterFilter("rotate180", MakeRotate(180),
                 [](const cv::Mat& in, cv::Mat& out) { cv::rotate(in, out, cv::ROTATE_180); });
  RegisterFilter("transpose", MakeTranspose(),
                 [](const cv::Mat& in, cv::Mat& out) { cv::transpose(in, out); });
});

}  // namespace
}  // namespace pixflow::bench
