// Resize against cv::resize on the 3840x2160 RGB photograph. Each pixflow iteration builds its
// filter, so the weight tables are computed every time, as cv::resize computes its own; both
// write into an output allocated once. items = input pixels.
//
// The downscales are not the same work: pixflow antialiases (the kernel is stretched by the
// scale factor, so every input pixel is read), while OpenCV's INTER_LINEAR/CUBIC/LANCZOS4
// sample 2/4/8 taps around each output pixel however far apart they are. INTER_AREA is the
// antialiased peer of every downscale; it is paired with "area".
#include <cstdlib>
#include <memory>
#include <opencv2/imgproc.hpp>

#include "bench_util.h"
#include "pixflow/filters/resize.h"
#include "pixflow/filters/tiler.h"

namespace pixflow::bench {
namespace {

struct Case {
  const char* op;
  int input_width;  // 3840 (the bench image) or 1920 (it, halved with INTER_AREA)
  int width;
  int height;
  ResizeKernel kernel;
  int opencv_interpolation;
};

const Image8& HalfBenchImage() {
  static const Image8 half = [] {
    cv::Mat out;
    cv::resize(AsMat(BenchImage(3).view()), out, cv::Size(kBenchWidth / 2, kBenchHeight / 2), 0, 0,
               cv::INTER_AREA);
    return std::move(Image8::CopyOf(ConstView8(out.data, out.cols, out.rows, out.channels(),
                                               static_cast<ptrdiff_t>(out.step[0])))
                         .value());
  }();
  return half;
}

// Inputs and outputs are made at registration, outside every timed loop.
void RegisterCase(const Case& c) {
  const Image8& in = c.input_width == kBenchWidth ? BenchImage(3) : HalfBenchImage();
  auto pixflow_out =
      std::make_shared<Image8>(std::move(Image8::Create(c.width, c.height, 3).value()));
  auto opencv_out = std::make_shared<cv::Mat>(c.height, c.width, CV_8UC3);
  const ResizeOptions options{c.kernel, true};
  const int width = c.width, height = c.height, interpolation = c.opencv_interpolation;
  RegisterPair(
      c.op, int64_t{in.width()} * in.height(),
      [&in, pixflow_out, width, height, options] {
        auto filter = MakeResize(width, height, options);
        if (!RunFilter(*filter, in.view(), pixflow_out->view()).ok()) std::abort();
      },
      [&in, opencv_out, width, height, interpolation] {
        cv::resize(AsMat(in.view()), *opencv_out, cv::Size(width, height), 0, 0, interpolation);
      });
}

static Registrar registrar([] {
  const Case cases[] = {
      {"resize_lanczos3_to_800w", 3840, 800, 450, ResizeKernel::kLanczos3, cv::INTER_LANCZOS4},
      {"resize_area_to_800w", 3840, 800, 450, ResizeKernel::kArea, cv::INTER_AREA},
      {"resize_bilinear_to_800w", 3840, 800, 450, ResizeKernel::kBilinear, cv::INTER_LINEAR},
      {"resize_bicubic_to_800w", 3840, 800, 450, ResizeKernel::kBicubic, cv::INTER_CUBIC},
      {"resize_nearest_to_800w", 3840, 800, 450, ResizeKernel::kNearest, cv::INTER_NEAREST_EXACT},
      {"resize_bilinear_2x_up", 1920, 3840, 2160, ResizeKernel::kBilinear, cv::INTER_LINEAR},
      {"resize_lanczos3_2x_up", 1920, 3840, 2160, ResizeKernel::kLanczos3, cv::INTER_LANCZOS4},
  };
  for (const Case& c : cases) RegisterCase(c);
});

}  // namespace
}  // namespace pixflow::bench
