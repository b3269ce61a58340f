// Geometry filters: every op against OpenCV (cv::flip, cv::rotate, cv::transpose, a Mat ROI) and
// on every SIMD target against a plain scalar reference written here, serial vs parallel,
// strided views, and parameter errors. Every comparison is exact: these ops only move pixels.
#include "pixflow/filters/geometry.h"

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <functional>
#include <opencv2/core.hpp>

#include "pixflow/filters/tiler.h"
#include "test_util.h"

namespace pixflow {
namespace {

using test::AsMat;
using test::AsView;
using test::MaxAbsDiff;

Image8 Apply(const Filter& filter, ConstView8 in, Execution execution = {}) {
  Result<Image8> out = ApplyFilter(filter, in, execution);
  EXPECT_TRUE(out.ok()) << filter.Name() << ": " << out.status().message();
  return out.ok() ? std::move(out).value() : Image8();
}

// Output pixel (x, y) of a `width` x `height` output is input pixel source(x, y).
using SourceOf = std::function<std::pair<int, int>(int x, int y, Size in)>;

Image8 Reference(ConstView8 in, int width, int height, const SourceOf& source) {
  Image8 out = std::move(Image8::Create(width, height, in.channels()).value());
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const auto [sx, sy] = source(x, y, in.size());
      for (int c = 0; c < in.channels(); ++c) {
        out.Row(y)[x * in.channels() + c] = in.Row(sy)[sx * in.channels() + c];
      }
    }
  }
  return out;
}

struct Op {
  std::string name;
  std::function<std::unique_ptr<Filter>()> make;
  bool swaps_axes;
  SourceOf source;
  std::function<cv::Mat(const cv::Mat&)> opencv;
};

cv::Mat Rotated(const cv::Mat& in, int code) {
  cv::Mat out;
  cv::rotate(in, out, code);
  return out;
}

std::vector<Op> Ops() {
  using P = std::pair<int, int>;
  std::vector<Op> ops;
  ops.push_back({"flip", MakeFlip, false,
                 [](int x, int y, Size in) {
                   return P{x, in.height - 1 - y};
                 },
                 [](const cv::Mat& in) {
                   cv::Mat out;
                   cv::flip(in, out, 0);
                   return out;
                 }});
  ops.push_back({"flop", MakeFlop, false,
                 [](int x, int y, Size in) {
                   return P{in.width - 1 - x, y};
                 },
                 [](const cv::Mat& in) {
                   cv::Mat out;
                   cv::flip(in, out, 1);
                   return out;
                 }});
  const SourceOf cw = [](int x, int y, Size in) { return P{y, in.height - 1 - x}; };
  const SourceOf half = [](int x, int y, Size in) {
    return P{in.width - 1 - x, in.height - 1 - y};
  };
  const SourceOf ccw = [](int x, int y, Size in) { return P{in.width - 1 - y, x}; };
  const SourceOf same = [](int x, int y, Size) { return P{x, y}; };
  auto cv_cw = [](const cv::Mat& in) { return Rotated(in, cv::ROTATE_90_CLOCKWISE); };
  auto cv_half = [](const cv::Mat& in) { return Rotated(in, cv::ROTATE_180); };
  auto cv_ccw = [](const cv::Mat& in) { return Rotated(in, cv::ROTATE_90_COUNTERCLOCKWISE); };
  ops.push_back({"rotate(90)", [] { return MakeRotate(90); }, true, cw, cv_cw});
  ops.push_back({"rotate(180)", [] { return MakeRotate(180); }, false, half, cv_half});
  ops.push_back({"rotate(270)", [] { return MakeRotate(270); }, true, ccw, cv_ccw});
  // Angles are reduced to [0, 360).
  ops.push_back({"rotate(-90)", [] { return MakeRotate(-90); }, true, ccw, cv_ccw});
  ops.push_back({"rotate(450)", [] { return MakeRotate(450); }, true, cw, cv_cw});
  ops.push_back({"rotate(-180)", [] { return MakeRotate(-180); }, false, half, cv_half});
  ops.push_back({"rotate(360)", [] { return MakeRotate(360); }, false, same,
                 [](const cv::Mat& in) { return in; }});
  ops.push_back({"transpose", MakeTranspose, true,
                 [](int x, int y, Size) {
                   return P{y, x};
                 },
                 [](const cv::Mat& in) {
                   cv::Mat out;
                   cv::transpose(in, out);
                   return out;
                 }});
  return ops;
}

std::vector<Image8> Inputs(int channels) {
  std::vector<Image8> inputs;
  if (channels != 2) {
    for (const std::string& name : test::RealImageNames()) {
      inputs.push_back(test::RealImage(name, channels));
    }
  }
  inputs.push_back(test::RandomImage(641, 97, channels, 3));
  for (Size size : test::AwkwardSizes()) {
    inputs.push_back(test::RandomImage(size.width, size.height, channels, 11));
  }
  return inputs;
}

TEST(Geometry, EveryOpMatchesOpenCvAndTheReference) {
  for (const Op& op : Ops()) {
    const auto filter = op.make();
    for (int channels = 1; channels <= 4; ++channels) {
      for (const Image8& in : Inputs(channels)) {
        SCOPED_TRACE(op.name + " on " + std::to_string(in.width()) + "x" +
                     std::to_string(in.height()) + "x" + std::to_string(channels));
        const Image8 out = Apply(*filter, in.view());
        const int w = op.swaps_axes ? in.height() : in.width();
        const int h = op.swaps_axes ? in.width() : in.height();
        EXPECT_EQ(MaxAbsDiff(out.view(), Reference(in.view(), w, h, op.source).view()), 0);
        EXPECT_EQ(MaxAbsDiff(out.view(), AsView(op.opencv(AsMat(in.view())))), 0) << "vs OpenCV";
      }
    }
  }
}

TEST(Geometry, EverySimdTargetMatchesTheReference) {
  // Sizes around the vector lengths (16, 32, 64 bytes; 63 bytes of RGB with VBMI), the 4x4
  // transpose blocks and the 32x512 transpose tiles.
  const std::vector<std::pair<int, int>> sizes = {{5, 3},  {17, 9},  {22, 6},   {64, 4},
                                                  {65, 7}, {129, 5}, {37, 600}, {1030, 21}};
  for (const Op& op : Ops()) {
    const auto filter = op.make();
    for (int channels = 1; channels <= 4; ++channels) {
      for (const auto& [w, h] : sizes) {
        const Image8 in = test::RandomImage(w, h, channels, static_cast<uint32_t>(w * h));
        const Image8 expected =
            Reference(in.view(), op.swaps_axes ? h : w, op.swaps_axes ? w : h, op.source);
        test::ForEachTarget([&](const std::string& target) {
          SCOPED_TRACE(op.name + " on " + target + ", " + std::to_string(w) + "x" +
                       std::to_string(h) + "x" + std::to_string(channels));
          EXPECT_EQ(MaxAbsDiff(Apply(*filter, in.view()).view(), expected.view()), 0);
        });
      }
    }
  }
}

TEST(Geometry, ViewsWithPaddingAreReadAndWrittenExactlyInside) {
  for (const Op& op : Ops()) {
    const auto filter = op.make();
    for (int channels = 1; channels <= 4; ++channels) {
      const Image8 big_in = test::RandomImage(300, 300, channels, 5);
      const ConstView8 in = big_in.view().Sub(7, 3, 231, 203);
      const Size size = *filter->OutputSize(in.size());
      Image8 big_out = std::move(Image8::Create(300, 300, channels).value());
      for (int y = 0; y < 300; ++y) std::fill_n(big_out.Row(y), 300 * channels, uint8_t{0xA5});
      const View8 out = big_out.view().Sub(5, 2, size.width, size.height);
      const Image8 expected = Reference(in, size.width, size.height, op.source);
      test::ForEachTarget([&](const std::string& target) {
        SCOPED_TRACE(op.name + " on " + target + " x" + std::to_string(channels));
        ASSERT_TRUE(RunFilter(*filter, in, out).ok());
        EXPECT_EQ(MaxAbsDiff(out, expected.view()), 0);
        for (int y = 0; y < 300; ++y) {
          for (int i = 0; i < 300 * channels; ++i) {
            const bool inside = y >= 2 && y < 2 + size.height && i >= 5 * channels &&
                                i < (5 + size.width) * channels;
            if (!inside) {
              ASSERT_EQ(big_out.Row(y)[i], 0xA5) << "row " << y << " byte " << i;
            }
          }
        }
      });
    }
  }
}

TEST(Geometry, SerialAndParallelAreBitIdentical) {
  for (const Op& op : Ops()) {
    const auto filter = op.make();
    for (int channels : {1, 3, 4}) {
      const Image8 in = test::RandomImage(1931, 1087, channels, 9);
      SCOPED_TRACE(op.name + " x" + std::to_string(channels));
      EXPECT_TRUE(test::Identical(Apply(*filter, in.view(), Execution::Serial()).view(),
                                  Apply(*filter, in.view(), Execution::Parallel()).view()));
    }
  }
}

TEST(Geometry, CropMatchesOpenCvRoi) {
  struct Rect {
    int x, y, w, h;
  };
  for (int channels = 1; channels <= 4; ++channels) {
    for (const Image8& in : Inputs(channels)) {
      const int w = in.width(), h = in.height();
      for (const Rect& r : {Rect{0, 0, w, h}, Rect{w / 3, h / 4, w - w / 3, h / 2 + 1},
                            Rect{w - 1, h - 1, 1, 1}, Rect{1 % w, 0, w - 1 % w, 1}}) {
        SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h) + "x" + std::to_string(channels) +
                     " crop " + std::to_string(r.x) + "," + std::to_string(r.y) + " " +
                     std::to_string(r.w) + "x" + std::to_string(r.h));
        const cv::Mat roi = AsMat(in.view())(cv::Rect(r.x, r.y, r.w, r.h));
        for (Execution execution : {Execution::Serial(), Execution::Parallel()}) {
          const Image8 out = Apply(*MakeCrop(r.x, r.y, r.w, r.h), in.view(), execution);
          EXPECT_EQ(MaxAbsDiff(out.view(), AsView(roi)), 0);
        }
      }
    }
  }
}

TEST(Geometry, NamesShowTheParameters) {
  EXPECT_EQ(MakeCrop(3, 4, 10, 20)->Name(), "crop(10x20+3+4)");
  EXPECT_EQ(MakeRotate(-90)->Name(), "rotate(-90)");
  EXPECT_EQ(MakeRotate(45)->Name(), "rotate(45)");
  EXPECT_EQ(MakeFlip()->Name(), "flip");
  EXPECT_EQ(MakeFlop()->Name(), "flop");
  EXPECT_EQ(MakeTranspose()->Name(), "transpose");
}

TEST(Geometry, BadParametersNameTheOp) {
  const Image8 in = test::RandomImage(40, 30, 3);
  struct Case {
    std::unique_ptr<Filter> filter;
    std::vector<std::string> message_parts;
  };
  std::vector<Case> cases;
  cases.push_back({MakeCrop(30, 20, 11, 5), {"crop: ", "11x5+30+20", "40x30+0+0"}});
  cases.push_back({MakeCrop(0, 26, 40, 5), {"crop: ", "40x5+0+26", "not inside"}});
  cases.push_back({MakeCrop(-1, 0, 5, 5), {"crop: ", "5x5+-1+0"}});
  cases.push_back({MakeCrop(0, 0, 0, 5), {"crop: ", "0x5+0+0", "empty"}});
  cases.push_back({MakeCrop(2147483600, 0, 100, 5), {"crop: ", "not inside"}});
  cases.push_back({MakeRotate(45), {"rotate: ", "multiple of 90", "(got 45)"}});
  cases.push_back({MakeRotate(-100), {"rotate: ", "(got -100)"}});
  for (const Case& c : cases) {
    const Status status = ApplyFilter(*c.filter, in.view()).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.filter->Name();
    for (const std::string& part : c.message_parts) {
      EXPECT_NE(status.message().find(part), std::string::npos) << status.message();
    }
  }
}

}  // namespace
}  // namespace pixflow
