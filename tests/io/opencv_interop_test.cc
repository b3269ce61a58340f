// pixflow/io/opencv.h: views share pixels both ways (ROIs included), copies reorder channels
// when asked, and what pixflow cannot take is refused with a reason.
#include <gtest/gtest.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pixflow/io/codec.h"
#include "pixflow/io/opencv.h"
#include "test_util.h"

namespace pixflow::io {
namespace {

TEST(OpenCvInteropTest, AViewOfAMatSharesItsPixels) {
  cv::Mat mat(30, 40, CV_8UC3, cv::Scalar(1, 2, 3));
  Result<View8> view = ViewOf(mat);
  ASSERT_TRUE(view.ok()) << view.status().message();
  EXPECT_EQ(view->data(), mat.data);
  EXPECT_EQ(view->size(), (Size{40, 30, 3}));
  view->Row(7)[3 * 5 + 1] = 200;
  EXPECT_EQ(mat.at<cv::Vec3b>(7, 5)[1], 200);

  // A region of interest keeps the parent's stride.
  cv::Mat roi = mat(cv::Rect(10, 5, 20, 10));
  Result<ConstView8> sub = ViewOf(static_cast<const cv::Mat&>(roi));
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->stride_bytes(), 40 * 3);
  EXPECT_EQ(sub->Row(2)[0], mat.at<cv::Vec3b>(7, 10)[0]);
}

TEST(OpenCvInteropTest, AMatOverAnImageSharesItsPixels) {
  Image8 image = test::SceneImage(33, 21, 4);  // rows padded to 64 bytes: stride != width * 4
  cv::Mat mat = MatOf(image.view());
  EXPECT_EQ(mat.data, image.Row(0));
  EXPECT_EQ(mat.step[0], static_cast<size_t>(image.stride_bytes()));
  // OpenCV writes through it: a filled rectangle lands in the pixflow image.
  cv::rectangle(mat, cv::Rect(2, 3, 4, 5), cv::Scalar(9, 8, 7, 6), cv::FILLED);
  EXPECT_EQ(image.Row(4)[4 * 3 + 0], 9);
  EXPECT_EQ(image.Row(4)[4 * 3 + 3], 6);
  // And reads: an OpenCV blur of the shared Mat equals the blur of a copy.
  cv::Mat blurred_shared, blurred_copy;
  cv::GaussianBlur(MatOf(std::as_const(image).view()), blurred_shared, cv::Size(5, 5), 1.2);
  cv::GaussianBlur(ToMat(image.view()), blurred_copy, cv::Size(5, 5), 1.2);
  EXPECT_EQ(cv::norm(blurred_shared, blurred_copy, cv::NORM_INF), 0.0);
}

TEST(OpenCvInteropTest, CopiesSwapRedAndBlueWhenAsked) {
  cv::Mat bgra(2, 3, CV_8UC4, cv::Scalar(10, 20, 30, 40));
  Result<Image8> rgba = ToImage(bgra, ChannelOrder::kSwapRedBlue);
  ASSERT_TRUE(rgba.ok());
  EXPECT_EQ(std::vector<int>(rgba->Row(1), rgba->Row(1) + 4), (std::vector<int>{30, 20, 10, 40}));
  const cv::Mat back = ToMat(rgba->view(), ChannelOrder::kSwapRedBlue);
  EXPECT_EQ(cv::norm(back, bgra, cv::NORM_INF), 0.0);
  Result<Image8> as_is = ToImage(bgra);
  EXPECT_EQ(as_is->Row(0)[0], 10);
  // Grey has no red or blue to swap.
  cv::Mat grey(2, 2, CV_8UC1, cv::Scalar(77));
  EXPECT_EQ(ToImage(grey, ChannelOrder::kSwapRedBlue)->Row(1)[1], 77);
}

TEST(OpenCvInteropTest, OpenCvAndPixflowDecodeTheSameFileToTheSamePixels) {
  // PNG is lossless, so both decoders must agree exactly once the channel order is matched.
  const std::string path = std::string(PIXFLOW_SAMPLES_DIR) + "/chart.png";
  const cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
  ASSERT_FALSE(bgr.empty());
  Result<Image8> from_opencv = ToImage(bgr, ChannelOrder::kSwapRedBlue);
  Result<Image8> from_pixflow = DecodeFile(path);
  ASSERT_TRUE(from_opencv.ok() && from_pixflow.ok());
  EXPECT_EQ(test::MaxAbsDiff(from_opencv->view(), from_pixflow->view()), 0);
}

TEST(OpenCvInteropTest, UnsupportedMatsAreRefused) {
  for (const cv::Mat& mat : {cv::Mat(), cv::Mat(4, 4, CV_16UC3), cv::Mat(4, 4, CV_32FC1),
                             cv::Mat(4, 4, CV_8UC(5)), cv::Mat(std::vector<int>{2, 3, 4}, CV_8U)}) {
    Result<ConstView8> view = ViewOf(mat);
    EXPECT_FALSE(view.ok());
    EXPECT_EQ(view.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(ToImage(mat).ok());
  }
  EXPECT_NE(ViewOf(cv::Mat(4, 4, CV_16UC3)).status().message().find("16UC3"), std::string::npos);
}

}  // namespace
}  // namespace pixflow::io
