// pixflow filters inside OpenCV code, through the interop header: OpenCV reads the image and
// picks a region, pixflow blurs that region (Gaussian, SIMD, all cores) straight from the Mat's
// memory, and the result goes back into the Mat for OpenCV to write. Pixels outside the region
// are untouched.
//   opencv_blur_roi IN OUT.png SIGMA      (blurs the centre half of the image)
#include <pixflow/filters/convolve.h>
#include <pixflow/filters/tiler.h>
#include <pixflow/io/opencv.h>

#include <cstdio>
#include <cstdlib>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <utility>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: opencv_blur_roi IN OUT.png SIGMA\n");
    return 2;
  }
  cv::Mat image = cv::imread(argv[1], cv::IMREAD_UNCHANGED);  // BGR; blurring ignores order
  if (image.empty()) {
    std::fprintf(stderr, "%s: OpenCV cannot read it\n", argv[1]);
    return 1;
  }
  const cv::Rect centre(image.cols / 4, image.rows / 4, image.cols / 2, image.rows / 2);
  cv::Mat region = image(centre);  // an ROI: shares the pixels, keeps the full row stride

  // A zero-copy view of the ROI; the filter reads its halo only inside the view.
  pixflow::Result<pixflow::ConstView8> view = pixflow::io::ViewOf(std::as_const(region));
  if (!view.ok()) {
    std::fprintf(stderr, "%s\n", view.status().message().c_str());
    return 1;
  }
  const auto blur = pixflow::MakeGaussianBlur(std::atof(argv[3]));
  pixflow::Result<pixflow::Image8> blurred = pixflow::ApplyFilter(*blur, *view);
  if (!blurred.ok()) {
    std::fprintf(stderr, "%s\n", blurred.status().message().c_str());
    return 1;
  }
  pixflow::io::MatOf(blurred->view()).copyTo(region);  // back into the full image

  if (!cv::imwrite(argv[2], image)) {
    std::fprintf(stderr, "%s: OpenCV cannot write it\n", argv[2]);
    return 1;
  }
  std::printf("%s: blurred %dx%d at (%d,%d) with %s -> %s\n", argv[1], centre.width, centre.height,
              centre.x, centre.y, blur->Name().c_str(), argv[2]);
  return 0;
}
