// The median filter against a sort-based scalar reference on every SIMD target and shape, against
// cv::medianBlur (exactly: a median has no rounding), serial against parallel, and bad sizes.
#include "pixflow/filters/median.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "pixflow/filters/tiler.h"
#include "test_util.h"

namespace pixflow {
namespace {

Image8 ApplyMedian(int ksize, ConstView8 input, Execution execution = Execution::Serial()) {
  Result<Image8> out = ApplyFilter(*MakeMedian(ksize), input, execution);
  EXPECT_TRUE(out.ok()) << out.status().message();
  return out.ok() ? std::move(out).value() : Image8();
}

// Sorts each window, read with replicated borders.
Image8 RefMedian(ConstView8 in, int ksize) {
  const int r = ksize / 2;
  Image8 out = std::move(Image8::Create(in.size()).value());
  std::vector<uint8_t> window;
  for (int y = 0; y < in.height(); ++y) {
    for (int x = 0; x < in.width(); ++x) {
      for (int c = 0; c < in.channels(); ++c) {
        window.clear();
        for (int j = -r; j <= r; ++j) {
          for (int i = -r; i <= r; ++i) {
            const uint8_t* row = in.Row(MapBorder(y + j, in.height(), Border::kReplicate));
            window.push_back(
                row[MapBorder(x + i, in.width(), Border::kReplicate) * in.channels() + c]);
          }
        }
        std::nth_element(window.begin(), window.begin() + window.size() / 2, window.end());
        out.Row(y)[x * in.channels() + c] = window[window.size() / 2];
      }
    }
  }
  return out;
}

// Few distinct values make ties (equal keys across the network) common.
Image8 FewLevels(int width, int height, int channels, uint32_t seed) {
  Image8 image = test::RandomImage(width, height, channels, seed);
  for (int y = 0; y < height; ++y) {
    for (size_t i = 0; i < image.view().row_elements(); ++i)
      image.Row(y)[i] = image.Row(y)[i] % 3 * 100;
  }
  return image;
}

TEST(Median, MatchesSortReferenceOnEveryTargetAndShape) {
  std::vector<Image8> images;
  uint32_t seed = 1;
  for (Size size : test::AwkwardSizes()) {
    for (int channels : {1, 3, 4}) {
      images.push_back(test::RandomImage(size.width, size.height, channels, seed++));
    }
  }
  // Wider than one 4096-element chunk of the row loop, so chunk seams are crossed.
  images.push_back(test::RandomImage(1500, 9, 3, 99));
  images.push_back(FewLevels(301, 23, 4, 100));
  test::ForEachTarget([&](const std::string&) {
    for (int ksize : {3, 5}) {
      for (const Image8& image : images) {
        // Exact: min/max networks copy values, there is nothing to round.
        EXPECT_TRUE(test::Identical(ApplyMedian(ksize, image.view()).view(),
                                    RefMedian(image.view(), ksize).view()))
            << ksize << " on " << image.width() << "x" << image.height() << "x" << image.channels();
      }
    }
  });
}

TEST(Median, BitExactWithOpenCV) {
  std::vector<std::pair<std::string, Image8>> images;
  for (const std::string& name : test::RealImageNames()) {
    for (int channels : {1, 3, 4}) {
      images.emplace_back(name + "/" + std::to_string(channels), test::RealImage(name, channels));
    }
  }
  images.emplace_back("scene", test::SceneImage(333, 211, 3));
  images.emplace_back("random", test::RandomImage(257, 199, 4));
  images.emplace_back("levels", FewLevels(129, 77, 1, 5));
  for (Size size : test::AwkwardSizes()) {
    if (size.channels == 2) continue;  // cv::medianBlur takes 1, 3 or 4 channels
    images.emplace_back("awkward", test::RandomImage(size.width, size.height, size.channels, 7));
  }
  for (const auto& [name, image] : images) {
    for (int ksize : {3, 5}) {
      cv::Mat expected;
      cv::medianBlur(test::AsMat(image.view()), expected, ksize);
      // Max abs diff 0: the same window, the same replicated border.
      EXPECT_EQ(test::MaxAbsDiff(ApplyMedian(ksize, image.view()).view(), test::AsView(expected)),
                0)
          << name << " " << image.width() << "x" << image.height() << "x" << image.channels()
          << " ksize " << ksize;
    }
  }
}

TEST(Median, ParallelEqualsSerial) {
  const Image8 image = test::RealImage("fruits.jpg", 4);
  for (int ksize : {3, 5}) {
    EXPECT_TRUE(test::Identical(ApplyMedian(ksize, image.view(), Execution::Parallel()).view(),
                                ApplyMedian(ksize, image.view(), Execution::Serial()).view()));
  }
}

TEST(Median, FootprintAndInvalidSizes) {
  EXPECT_EQ(MakeMedian(5)->Footprint({10, 20}, {50, 50, 1}), (RowRange{8, 22}));
  const Image8 image = test::RandomImage(8, 8, 1);
  for (int ksize : {-3, 0, 1, 2, 4, 7}) {
    Result<Image8> out = ApplyFilter(*MakeMedian(ksize), image.view());
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(out.status().message().find("median: ksize must be 3 or 5 (got " +
                                          std::to_string(ksize) + ")"),
              std::string::npos)
        << out.status().message();
  }
}

}  // namespace
}  // namespace pixflow
