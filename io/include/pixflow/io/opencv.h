// Passing images between OpenCV and pixflow, so pixflow filters can be mixed into OpenCV code:
// zero-copy views both ways, and copies into an owning Image8 or cv::Mat.
//
// Header-only: pixflow::io itself does not link OpenCV, and this header needs only
// pixflow::filters' types. A program that includes it links OpenCV's core module itself, e.g.
//   find_package(OpenCV REQUIRED COMPONENTS core)
//   target_link_libraries(app PRIVATE pixflow::filters ${OpenCV_LIBS})
// (samples/consumer/opencv_blur_roi.cc). Every function is thread-safe; none allocates except
// ToImage and ToMat.
//
// Channel order: OpenCV's imread gives BGR(A), pixflow's decoder RGB(A). Views share the pixels
// and cannot reorder them; the copying conversions can (ChannelOrder::kSwapRedBlue).
#pragma once

#include <opencv2/core.hpp>
#include <utility>

#include "pixflow/filters/image.h"
#include "pixflow/filters/status.h"

namespace pixflow::io {

enum class ChannelOrder {
  kAsIs,         // channels keep their positions
  kSwapRedBlue,  // BGR(A) <-> RGB(A); no effect on 1- and 2-channel images
};

namespace opencv_internal {

inline Status CheckMat(const cv::Mat& mat) {
  if (mat.empty() || mat.dims != 2) {
    return InvalidArgument("cv::Mat: pixflow takes a non-empty 2-D image");
  }
  if (mat.depth() != CV_8U || mat.channels() < 1 || mat.channels() > kMaxChannels) {
    return InvalidArgument("cv::Mat: pixflow takes 8-bit images with 1-4 channels (got type " +
                           cv::typeToString(mat.type()) + ")");
  }
  return Status::Ok();
}

// Copies rows from `from` to `to` (same size), swapping channels 0 and 2 when asked.
inline void CopyRows(ConstView8 from, View8 to, ChannelOrder order) {
  const int channels = from.channels();
  const bool swap = order == ChannelOrder::kSwapRedBlue && channels >= 3;
  for (int y = 0; y < from.height(); ++y) {
    const uint8_t* in = from.Row(y);
    uint8_t* out = to.Row(y);
    std::copy_n(in, from.row_elements(), out);
    if (swap) {
      for (int x = 0; x < from.width(); ++x) std::swap(out[x * channels], out[x * channels + 2]);
    }
  }
}

}  // namespace opencv_internal

// A view of the Mat's pixels, shared, with the Mat's row stride (ROIs work). The Mat must
// outlive the view. kInvalidArgument unless it is 2-D, 8-bit, 1-4 channels.
inline Result<View8> ViewOf(cv::Mat& mat) {
  PIXFLOW_RETURN_IF_ERROR(opencv_internal::CheckMat(mat));
  return View8(mat.data, mat.cols, mat.rows, mat.channels(), static_cast<ptrdiff_t>(mat.step[0]));
}
inline Result<ConstView8> ViewOf(const cv::Mat& mat) {
  PIXFLOW_RETURN_IF_ERROR(opencv_internal::CheckMat(mat));
  return ConstView8(mat.data, mat.cols, mat.rows, mat.channels(),
                    static_cast<ptrdiff_t>(mat.step[0]));
}

// A Mat header over the view's pixels (CV_8UC<channels>, same stride): no copy, no ownership;
// it must not outlive the pixels.
inline cv::Mat MatOf(View8 view) {
  return cv::Mat(view.height(), view.width(), CV_8UC(view.channels()), view.data(),
                 static_cast<size_t>(view.stride_bytes()));
}
// For read-only use: cv::Mat has no const element type, so OpenCV must only read through it.
inline cv::Mat MatOf(ConstView8 view) {
  return cv::Mat(view.height(), view.width(), CV_8UC(view.channels()),
                 const_cast<uint8_t*>(view.data()), static_cast<size_t>(view.stride_bytes()));
}

// Deep copies.
inline Result<Image8> ToImage(const cv::Mat& mat, ChannelOrder order = ChannelOrder::kAsIs) {
  PIXFLOW_ASSIGN_OR_RETURN(ConstView8 view, ViewOf(mat));
  PIXFLOW_ASSIGN_OR_RETURN(Image8 image, Image8::Create(view.size()));
  opencv_internal::CopyRows(view, image.view(), order);
  return image;
}
inline cv::Mat ToMat(ConstView8 view, ChannelOrder order = ChannelOrder::kAsIs) {
  cv::Mat mat(view.height(), view.width(), CV_8UC(view.channels()));
  opencv_internal::CopyRows(
      view,
      View8(mat.data, mat.cols, mat.rows, mat.channels(), static_cast<ptrdiff_t>(mat.step[0])),
      order);
  return mat;
}

}  // namespace pixflow::io
