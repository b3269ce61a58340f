// Colour and alpha filters against OpenCV on the 3840x2160 benchmark photograph, and a memcpy of
// the same 3-channel buffer as a baseline: these ops read and write each byte once, so memcpy's
// MP/s is the bandwidth ceiling they are measured against.
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "bench_util.h"
#include "pixflow/filters/color.h"
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

void RegisterFilter(const std::string& op, int channels, std::shared_ptr<Filter> filter,
                    OpenCvOp opencv) {
  auto buffers = std::make_shared<Buffers>();
  const int64_t pixels = int64_t{kBenchWidth} * kBenchHeight;
  RegisterPair(
      op, pixels,
      [channels, filter, buffers] {
        const ConstView8 in = BenchImage(channels).view();
        if (buffers->pixflow_out.empty()) {
          buffers->pixflow_out = std::move(Image8::Create(*filter->OutputSize(in.size())).value());
        }
        if (!RunFilter(*filter, in, buffers->pixflow_out.view()).ok()) std::abort();
      },
      [channels, opencv, buffers] {
        opencv(AsMat(BenchImage(channels).view()), buffers->opencv_out);
      });
}

OpenCvOp CvtColor(int code) {
  return [code](const cv::Mat& in, cv::Mat& out) { cv::cvtColor(in, out, code); };
}

OpenCvOp Lut(const std::array<uint8_t, 256>& table) {
  const cv::Mat lut = cv::Mat(1, 256, CV_8U, const_cast<uint8_t*>(table.data())).clone();
  return [lut](const cv::Mat& in, cv::Mat& out) { cv::LUT(in, lut, out); };
}

std::array<uint8_t, 256> SrgbToLinearTable() {
  std::array<uint8_t, 256> table;
  for (int i = 0; i < 256; ++i) {
    const double c = i / 255.0;
    const double linear = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    table[i] = static_cast<uint8_t>(std::lround(255.0 * linear));
  }
  return table;
}

// Row-by-row copy of the 3-channel benchmark image, split across the arena's threads the way the
// tiler splits a pointwise filter.
void RegisterMemcpy() {
  auto out = std::make_shared<Image8>();
  RegisterBaseline("memcpy", int64_t{kBenchWidth} * kBenchHeight, [out] {
    const ConstView8 in = BenchImage(3).view();
    if (out->empty()) *out = std::move(Image8::Create(in.size()).value());
    const size_t bytes = in.row_elements();
    tbb::parallel_for(tbb::blocked_range<int>(0, in.height()),
                      [&](const tbb::blocked_range<int>& r) {
                        for (int y = r.begin(); y < r.end(); ++y)
                          std::memcpy(out->Row(y), in.Row(y), bytes);
                      });
  });
}

const Registrar registrar([] {
  // Made here, not in the first timed call: building the 4K photographs takes ~0.3 s each, long
  // enough that a short --benchmark_min_time would report that call as the measurement.
  BenchImage(3);
  BenchImage(4);
  RegisterMemcpy();
  RegisterFilter("rgb_to_gray", 3, MakeRgbToGray(), CvtColor(cv::COLOR_RGB2GRAY));
  RegisterFilter("swap_red_blue", 3, MakeSwapRedBlue(), CvtColor(cv::COLOR_RGB2BGR));
  std::array<uint8_t, 256> table;
  for (int i = 0; i < 256; ++i) table[i] = static_cast<uint8_t>((i * 37 + 11) ^ (i >> 3));
  RegisterFilter("lut", 3, MakeLut(table), Lut(table));
  RegisterFilter("invert", 3, MakeInvert(),
                 [](const cv::Mat& in, cv::Mat& out) { cv::bitwise_not(in, out); });
  RegisterFilter("threshold", 3, MakeThreshold(127), [](const cv::Mat& in, cv::Mat& out) {
    cv::threshold(in, out, 127, 255, cv::THRESH_BINARY);
  });
  RegisterFilter("premultiply", 4, MakePremultiply(), CvtColor(cv::COLOR_RGBA2mRGBA));
  RegisterFilter("unpremultiply", 4, MakeUnpremultiply(), CvtColor(cv::COLOR_mRGBA2RGBA));
  RegisterFilter("srgb_to_linear", 3, MakeSrgbToLinear(), Lut(SrgbToLinearTable()));
});

}  // namespace
}  // namespace pixflow::bench
