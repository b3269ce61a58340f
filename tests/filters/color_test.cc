// Colour and alpha filters: every op against OpenCV where OpenCV has it, every op on every SIMD
// target against a plain scalar reference written here, serial vs parallel, and parameter and
// channel-count errors. Tolerance everywhere: exact (max abs diff 0) unless a comment says why not.
#include "pixflow/filters/color.h"

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cmath>
#include <functional>
#include <limits>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "pixflow/filters/tiler.h"
#include "test_util.h"

namespace pixflow {
namespace {

using test::AsMat;
using test::AsView;
using test::CopyOf;
using test::MaxAbsDiff;

Image8 Apply(const Filter& filter, ConstView8 in, Execution execution = {}) {
  Result<Image8> out = ApplyFilter(filter, in, execution);
  EXPECT_TRUE(out.ok()) << filter.Name() << ": " << out.status().message();
  return out.ok() ? std::move(out).value() : Image8();
}

// ---- Independent scalar references -----------------------------------------------------------

// out pixel = f(in pixel), one pixel at a time.
Image8 MapPixels(ConstView8 in, int out_channels,
                 const std::function<void(const uint8_t* in, int channels, uint8_t* out)>& f) {
  Image8 out = std::move(Image8::Create(in.width(), in.height(), out_channels).value());
  for (int y = 0; y < in.height(); ++y) {
    for (int x = 0; x < in.width(); ++x) {
      f(in.Row(y) + x * in.channels(), in.channels(), out.Row(y) + x * out_channels);
    }
  }
  return out;
}

bool HasAlpha(int channels) { return channels == 2 || channels == 4; }

Image8 RefLut(ConstView8 in, const std::array<uint8_t, 256>& table, bool apply_to_alpha) {
  return MapPixels(in, in.channels(), [&](const uint8_t* p, int channels, uint8_t* o) {
    for (int c = 0; c < channels; ++c) {
      const bool alpha = HasAlpha(channels) && c == channels - 1;
      o[c] = alpha && !apply_to_alpha ? p[c] : table[p[c]];
    }
  });
}

std::array<uint8_t, 256> TableOf(const std::function<double(double)>& f) {
  std::array<uint8_t, 256> table;
  for (int i = 0; i < 256; ++i) {
    table[i] = static_cast<uint8_t>(std::clamp(std::lround(f(i)), 0L, 255L));
  }
  return table;
}

double SrgbToLinear(double v) {
  const double c = v / 255.0;
  return 255.0 * (c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4));
}
double LinearToSrgb(double v) {
  const double c = v / 255.0;
  return 255.0 * (c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055);
}

std::array<uint8_t, 256> RandomTable(uint32_t seed) {
  std::mt19937 rng(seed);
  std::array<uint8_t, 256> table;
  for (auto& v : table) v = static_cast<uint8_t>(rng());
  return table;
}

// ---- OpenCV peers -----------------------------------------------------------------------------

// Puts the input's alpha back into an OpenCV result computed on every channel.
cv::Mat KeepAlpha(const cv::Mat& in, cv::Mat out) {
  if (HasAlpha(in.channels())) {
    const int from_to[] = {in.channels() - 1, in.channels() - 1};
    cv::mixChannels(&in, 1, &out, 1, from_to, 1);
  }
  return out;
}

cv::Mat OpenCvLut(const cv::Mat& in, const std::array<uint8_t, 256>& table, bool apply_to_alpha) {
  cv::Mat out;
  cv::LUT(in, cv::Mat(1, 256, CV_8U, const_cast<uint8_t*>(table.data())), out);
  return apply_to_alpha ? out : KeepAlpha(in, out);
}

// ---- The ops under test -------------------------------------------------------------------------

struct Op {
  std::string name;
  std::function<std::unique_ptr<Filter>()> make;
  std::vector<int> channels;
  std::function<Image8(ConstView8)> reference;
  // Empty Mat: OpenCV has no equivalent for this channel count.
  std::function<cv::Mat(const cv::Mat&)> opencv;
};

Op LutOp(std::string name, std::function<std::unique_ptr<Filter>()> make,
         std::array<uint8_t, 256> table, bool apply_to_alpha = false) {
  return {std::move(name),
          std::move(make),
          {1, 2, 3, 4},
          [=](ConstView8 in) { return RefLut(in, table, apply_to_alpha); },
          [=](const cv::Mat& in) { return OpenCvLut(in, table, apply_to_alpha); }};
}

std::vector<Op> Ops() {
  const std::array<uint8_t, 256> random_table = RandomTable(7);
  const std::array<uint8_t, 3> background = {30, 200, 90};
  std::vector<Op> ops;
  ops.push_back(
      {"rgb_to_gray",
       MakeRgbToGray,
       {3, 4},
       [](ConstView8 in) {
         return MapPixels(in, 1, [](const uint8_t* p, int, uint8_t* o) {
           o[0] = static_cast<uint8_t>((p[0] * 9798 + p[1] * 19235 + p[2] * 3735 + 16384) >> 15);
         });
       },
       [](const cv::Mat& in) {
         cv::Mat out;
         cv::cvtColor(in, out, in.channels() == 3 ? cv::COLOR_RGB2GRAY : cv::COLOR_RGBA2GRAY);
         return out;
       }});
  ops.push_back({"gray_to_rgb",
                 MakeGrayToRgb,
                 {1},
                 [](ConstView8 in) {
                   return MapPixels(
                       in, 3, [](const uint8_t* p, int, uint8_t* o) { o[0] = o[1] = o[2] = p[0]; });
                 },
                 [](const cv::Mat& in) {
                   cv::Mat out;
                   cv::cvtColor(in, out, cv::COLOR_GRAY2RGB);
                   return out;
                 }});
  ops.push_back(
      {"swap_red_blue",
       MakeSwapRedBlue,
       {3, 4},
       [](ConstView8 in) {
         return MapPixels(in, in.channels(), [](const uint8_t* p, int channels, uint8_t* o) {
           for (int c = 0; c < channels; ++c) o[c] = c < 3 ? p[2 - c] : p[c];
         });
       },
       [](const cv::Mat& in) {
         cv::Mat out;
         cv::cvtColor(in, out, in.channels() == 3 ? cv::COLOR_RGB2BGR : cv::COLOR_RGBA2BGRA);
         return out;
       }});
  ops.push_back(LutOp(
      "lut", [=] { return MakeLut(random_table); }, random_table));
  ops.push_back(LutOp(
      "lut(alpha)", [=] { return MakeLut(random_table, true); }, random_table, true));
  ops.push_back(LutOp("invert", MakeInvert, TableOf([](double i) { return 255 - i; })));
  ops.back().opencv = [](const cv::Mat& in) {
    cv::Mat out;
    cv::bitwise_not(in, out);
    return KeepAlpha(in, out);
  };
  ops.push_back(LutOp(
      "threshold", [] { return MakeThreshold(100, 200); },
      TableOf([](double i) { return i > 100 ? 200 : 0; })));
  ops.back().opencv = [](const cv::Mat& in) {
    cv::Mat out;
    cv::threshold(in, out, 100, 200, cv::THRESH_BINARY);
    return KeepAlpha(in, out);
  };
  // Whole deltas: convertTo rounds half to even and pixflow half away from zero, so only
  // integer deltas (no ties) are compared with OpenCV.
  for (double delta : {40.0, -73.0}) {
    ops.push_back(LutOp(
        "brightness", [=] { return MakeBrightness(delta); },
        TableOf([=](double i) { return i + delta; })));
    ops.back().opencv = [=](const cv::Mat& in) {
      cv::Mat out;
      in.convertTo(out, -1, 1.0, delta);
      return KeepAlpha(in, out);
    };
  }
  ops.push_back(LutOp(
      "brightness(0.5)", [] { return MakeBrightness(0.5); },
      TableOf([](double i) { return i + 0.5; })));
  ops.back().opencv = nullptr;
  // factor 1.5 makes fractions .25 and .75 only, so OpenCV's float convertTo agrees exactly.
  ops.push_back(LutOp(
      "contrast", [] { return MakeContrast(1.5); },
      TableOf([](double i) { return (i - 127.5) * 1.5 + 127.5; })));
  ops.back().opencv = [](const cv::Mat& in) {
    cv::Mat out;
    in.convertTo(out, -1, 1.5, 127.5 * (1 - 1.5));
    return KeepAlpha(in, out);
  };
  ops.push_back(LutOp(
      "gamma", [] { return MakeGamma(2.2); },
      TableOf([](double i) { return 255.0 * std::pow(i / 255.0, 1 / 2.2); })));
  ops.back().opencv = nullptr;
  ops.push_back(LutOp("srgb_to_linear", MakeSrgbToLinear, TableOf(SrgbToLinear)));
  ops.back().opencv = nullptr;
  ops.push_back(LutOp("linear_to_srgb", MakeLinearToSrgb, TableOf(LinearToSrgb)));
  ops.back().opencv = nullptr;
  ops.push_back({"premultiply",
                 MakePremultiply,
                 {2, 4},
                 [](ConstView8 in) {
                   return MapPixels(
                       in, in.channels(), [](const uint8_t* p, int channels, uint8_t* o) {
                         const int a = p[channels - 1];
                         // OpenCV's rounding: (c*a + 128) / 255, which is c*a/255 to nearest except
                         // that it rounds up where c*a % 255 == 127.
                         for (int c = 0; c + 1 < channels; ++c) {
                           o[c] = static_cast<uint8_t>(std::floor((p[c] * a + 128) / 255.0));
                         }
                         o[channels - 1] = static_cast<uint8_t>(a);
                       });
                 },
                 [](const cv::Mat& in) {
                   cv::Mat out;
                   if (in.channels() == 4) cv::cvtColor(in, out, cv::COLOR_RGBA2mRGBA);
                   return out;
                 }});
  ops.push_back(
      {"unpremultiply",
       MakeUnpremultiply,
       {2, 4},
       [](ConstView8 in) {
         return MapPixels(in, in.channels(), [](const uint8_t* p, int channels, uint8_t* o) {
           const int a = p[channels - 1];
           for (int c = 0; c + 1 < channels; ++c) {
             o[c] = a == 0 ? 0
                           : static_cast<uint8_t>(
                                 std::min(255.0, std::floor((p[c] * 255 + a / 2) / double(a))));
           }
           o[channels - 1] = static_cast<uint8_t>(a);
         });
       },
       [](const cv::Mat& in) {
         cv::Mat out;
         if (in.channels() == 4) cv::cvtColor(in, out, cv::COLOR_mRGBA2RGBA);
         return out;
       }});
  ops.push_back(
      {"flatten",
       [=] { return MakeFlatten(background); },
       {2, 4},
       [=](ConstView8 in) {
         const int luma = (30 * 9798 + 200 * 19235 + 90 * 3735 + 16384) >> 15;
         return MapPixels(in, in.channels() - 1, [=](const uint8_t* p, int channels, uint8_t* o) {
           const int a = p[channels - 1];
           for (int c = 0; c + 1 < channels; ++c) {
             const int bg = channels == 2 ? luma : background[c];
             o[c] = static_cast<uint8_t>(std::lround((p[c] * a + bg * (255 - a)) / 255.0));
           }
         });
       },
       nullptr});
  return ops;
}

// Real photographs (2 channels: gray plus the alpha ramp RealImage gives 4-channel images), a
// random image, and a random image of every awkward shape.
std::vector<Image8> Inputs(int channels) {
  std::vector<Image8> inputs;
  for (const std::string& name : test::RealImageNames()) {
    if (channels != 2) {
      inputs.push_back(test::RealImage(name, channels));
      continue;
    }
    const Image8 real = test::RealImage(name, 4);
    const cv::Mat rgba = AsMat(real.view());
    cv::Mat gray_alpha(rgba.size(), CV_8UC2);
    const int from_to[] = {1, 0, 3, 1};
    cv::mixChannels(&rgba, 1, &gray_alpha, 1, from_to, 2);
    inputs.push_back(CopyOf(gray_alpha));
  }
  inputs.push_back(test::RandomImage(641, 97, channels, 3));
  for (Size size : test::AwkwardSizes()) {
    inputs.push_back(test::RandomImage(size.width, size.height, channels, 11));
  }
  return inputs;
}

TEST(Color, EveryOpMatchesOpenCvAndTheReference) {
  for (const Op& op : Ops()) {
    const auto filter = op.make();
    for (int channels : op.channels) {
      for (const Image8& in : Inputs(channels)) {
        SCOPED_TRACE(op.name + " on " + std::to_string(in.width()) + "x" +
                     std::to_string(in.height()) + "x" + std::to_string(channels));
        const Image8 out = Apply(*filter, in.view());
        EXPECT_EQ(MaxAbsDiff(out.view(), op.reference(in.view()).view()), 0);
        if (!op.opencv) continue;
        const cv::Mat expected = op.opencv(AsMat(in.view()));
        if (!expected.empty()) {
          EXPECT_EQ(MaxAbsDiff(out.view(), AsView(expected)), 0) << "vs OpenCV";
        }
      }
    }
  }
}

TEST(Color, EverySimdTargetMatchesTheReference) {
  for (const Op& op : Ops()) {
    const auto filter = op.make();
    for (int channels : op.channels) {
      // Widths around every vector length, so each kernel runs its vector loop, its groups of
      // three vectors and its scalar tail.
      for (int width : {1, 5, 15, 16, 17, 21, 22, 31, 64, 65, 69, 70, 127, 193, 200, 1001}) {
        const Image8 in = test::RandomImage(width, 3, channels, static_cast<uint32_t>(width));
        const Image8 expected = op.reference(in.view());
        test::ForEachTarget([&](const std::string& target) {
          SCOPED_TRACE(op.name + " on " + target + ", width " + std::to_string(width) + "x" +
                       std::to_string(channels));
          EXPECT_EQ(MaxAbsDiff(Apply(*filter, in.view()).view(), expected.view()), 0);
        });
      }
    }
  }
}

TEST(Color, ViewsWithPaddingAreReadAndWrittenExactlyInside) {
  for (const Op& op : Ops()) {
    const auto filter = op.make();
    for (int channels : op.channels) {
      const Image8 big_in = test::RandomImage(300, 9, channels, 5);
      const ConstView8 in = big_in.view().Sub(7, 2, 231, 5);
      const int out_channels = filter->OutputSize(in.size())->channels;
      Image8 big_out = std::move(Image8::Create(300, 9, out_channels).value());
      for (int y = 0; y < 9; ++y) std::fill_n(big_out.Row(y), 300 * out_channels, uint8_t{0xA5});
      const View8 out = big_out.view().Sub(7, 2, 231, 5);
      test::ForEachTarget([&](const std::string& target) {
        SCOPED_TRACE(op.name + " on " + target + " x" + std::to_string(channels));
        ASSERT_TRUE(RunFilter(*filter, in, out).ok());
        EXPECT_EQ(MaxAbsDiff(out, op.reference(in).view()), 0);
        for (int y = 0; y < 9; ++y) {
          for (int i = 0; i < 300 * out_channels; ++i) {
            const bool inside = y >= 2 && y < 7 && i >= 7 * out_channels && i < 238 * out_channels;
            if (!inside) {
              ASSERT_EQ(big_out.Row(y)[i], 0xA5) << "row " << y << " byte " << i;
            }
          }
        }
      });
    }
  }
}

TEST(Color, SerialAndParallelAreBitIdentical) {
  for (const Op& op : Ops()) {
    const auto filter = op.make();
    const int channels = op.channels.back();
    const Image8 in = test::RandomImage(1931, 1087, channels, 9);
    SCOPED_TRACE(op.name);
    EXPECT_TRUE(test::Identical(Apply(*filter, in.view(), Execution::Serial()).view(),
                                Apply(*filter, in.view(), Execution::Parallel()).view()));
  }
}

// Every RGB triple once: 4096 x 4096 pixels.
TEST(Color, RgbToGrayMatchesOpenCvOnEveryColour) {
  Image8 all = std::move(Image8::Create(4096, 4096, 3).value());
  for (int i = 0; i < 1 << 24; ++i) {
    uint8_t* p = all.Row(i >> 12) + 3 * (i & 4095);
    p[0] = static_cast<uint8_t>(i);
    p[1] = static_cast<uint8_t>(i >> 8);
    p[2] = static_cast<uint8_t>(i >> 16);
  }
  cv::Mat expected;
  cv::cvtColor(AsMat(all.view()), expected, cv::COLOR_RGB2GRAY);
  test::ForEachTarget([&](const std::string&) {
    EXPECT_EQ(MaxAbsDiff(Apply(*MakeRgbToGray(), all.view()).view(), AsView(expected)), 0);
  });
}

// Every (colour, alpha) pair once, in each colour channel.
TEST(Color, AlphaOpsMatchOpenCvOnEveryColourAlphaPair) {
  Image8 all = std::move(Image8::Create(256, 256, 4).value());
  for (int a = 0; a < 256; ++a) {
    for (int c = 0; c < 256; ++c) {
      uint8_t* p = all.Row(a) + 4 * c;
      p[0] = static_cast<uint8_t>(c);
      p[1] = static_cast<uint8_t>(255 - c);
      p[2] = static_cast<uint8_t>(c ^ 0x5A);
      p[3] = static_cast<uint8_t>(a);
    }
  }
  cv::Mat premultiplied, unpremultiplied;
  cv::cvtColor(AsMat(all.view()), premultiplied, cv::COLOR_RGBA2mRGBA);
  cv::cvtColor(AsMat(all.view()), unpremultiplied, cv::COLOR_mRGBA2RGBA);
  const Op flatten = Ops().back();
  test::ForEachTarget([&](const std::string&) {
    EXPECT_EQ(MaxAbsDiff(Apply(*MakePremultiply(), all.view()).view(), AsView(premultiplied)), 0);
    EXPECT_EQ(MaxAbsDiff(Apply(*MakeUnpremultiply(), all.view()).view(), AsView(unpremultiplied)),
              0);
    EXPECT_EQ(
        MaxAbsDiff(Apply(*flatten.make(), all.view()).view(), flatten.reference(all.view()).view()),
        0);
  });
}

TEST(Color, NeutralParametersLeaveTheImageAlone) {
  const Image8 in = test::RealImage("fruits.jpg", 4);
  const std::unique_ptr<Filter> filters[] = {MakeBrightness(0), MakeContrast(1), MakeGamma(1)};
  for (const auto& filter : filters) {
    SCOPED_TRACE(filter->Name());
    EXPECT_TRUE(test::Identical(Apply(*filter, in.view()).view(), in.view()));
  }
}

TEST(Color, ParametersMeanWhatTheySay) {
  Image8 ramp = std::move(Image8::Create(256, 1, 1).value());
  for (int x = 0; x < 256; ++x) ramp.Row(0)[x] = static_cast<uint8_t>(x);
  auto at = [&](std::unique_ptr<Filter> filter, int v) {
    return int{Apply(*filter, ramp.view()).Row(0)[v]};
  };
  EXPECT_EQ(at(MakeContrast(0), 17), 128);     // flat mid-grey: 127.5 rounds up
  EXPECT_EQ(at(MakeGamma(2), 64), 128);        // 255 * sqrt(64/255) = 127.75: brighter
  EXPECT_EQ(at(MakeBrightness(255), 1), 255);  // clamped
  EXPECT_EQ(at(MakeBrightness(-255), 254), 0);
  EXPECT_EQ(at(MakeThreshold(255), 255), 0);   // strictly greater
  EXPECT_EQ(at(MakeSrgbToLinear(), 128), 55);  // 0.2158 of full scale
  EXPECT_EQ(at(MakeLinearToSrgb(), 55), 128);
  EXPECT_EQ(at(MakeSrgbToLinear(), 255), 255);
}

TEST(Color, NamesShowTheParameters) {
  EXPECT_EQ(MakeBrightness(-12.5)->Name(), "brightness(delta=-12.5)");
  EXPECT_EQ(MakeContrast(1.5)->Name(), "contrast(factor=1.5)");
  EXPECT_EQ(MakeGamma(2.2)->Name(), "gamma(gamma=2.2)");
  EXPECT_EQ(MakeThreshold(100, 200)->Name(), "threshold(threshold=100, max_value=200)");
  EXPECT_EQ(MakeFlatten({1, 2, 3})->Name(), "flatten(background=1,2,3)");
  EXPECT_EQ(MakeLut({}, true)->Name(), "lut(alpha)");
  EXPECT_EQ(MakeRgbToGray()->Name(), "rgb_to_gray");
}

TEST(Color, WrongChannelCountsAndBadParametersNameTheOp) {
  struct Case {
    std::unique_ptr<Filter> filter;
    int channels;
    std::string op;
    std::string detail;
  };
  std::vector<Case> cases;
  cases.push_back({MakeRgbToGray(), 1, "rgb_to_gray", "needs 3 or 4 channels (got 1)"});
  cases.push_back({MakeRgbToGray(), 2, "rgb_to_gray", "(got 2)"});
  cases.push_back({MakeGrayToRgb(), 3, "gray_to_rgb", "needs 1 channel (got 3)"});
  cases.push_back({MakeSwapRedBlue(), 2, "swap_red_blue", "(got 2)"});
  cases.push_back({MakePremultiply(), 3, "premultiply", "needs 2 or 4 channels (got 3)"});
  cases.push_back({MakeUnpremultiply(), 1, "unpremultiply", "(got 1)"});
  cases.push_back({MakeFlatten({0, 0, 0}), 3, "flatten", "(got 3)"});
  cases.push_back({MakeBrightness(256), 3, "brightness", "[-255, 255] (got 256)"});
  cases.push_back({MakeBrightness(-300), 3, "brightness", "(got -300)"});
  cases.push_back({MakeBrightness(std::nan("")), 3, "brightness", "(got nan)"});
  cases.push_back({MakeContrast(-0.5), 3, "contrast", ">= 0 (got -0.5)"});
  cases.push_back({MakeContrast(std::numeric_limits<double>::infinity()), 3, "contrast", "inf"});
  cases.push_back({MakeGamma(0), 3, "gamma", "> 0 (got 0)"});
  cases.push_back({MakeGamma(-1), 1, "gamma", "(got -1)"});
  for (const Case& c : cases) {
    const Image8 in = test::RandomImage(8, 4, c.channels);
    const Status status = ApplyFilter(*c.filter, in.view()).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.op;
    EXPECT_NE(status.message().find(c.op + ": "), std::string::npos) << status.message();
    EXPECT_NE(status.message().find(c.detail), std::string::npos) << status.message();
  }
}

}  // namespace
}  // namespace pixflow
