// Resize: every SIMD target against a scalar reference written here from the kernel formulas (in
// double), and against OpenCV's cv::resize where the two define the same thing.
#include "pixflow/filters/resize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "pixflow/filters/tiler.h"
#include "resize_reference.h"
#include "test_util.h"

namespace pixflow {
namespace {

using test::AsMat;
using test::AsView;
using test::ForEachTarget;

using test::RefResize;
using test::RefWeights;

constexpr ResizeKernel kFilterKernels[] = {ResizeKernel::kBilinear, ResizeKernel::kBicubic,
                                           ResizeKernel::kLanczos3, ResizeKernel::kArea};
constexpr ResizeKernel kAllKernels[] = {ResizeKernel::kNearest, ResizeKernel::kBilinear,
                                        ResizeKernel::kBicubic, ResizeKernel::kLanczos3,
                                        ResizeKernel::kArea};

// ---------------------------------------------------------------------------------------------

Image8 Resize(ConstView8 in, int width, int height, ResizeOptions options,
              Execution execution = Execution::Serial()) {
  auto filter = MakeResize(width, height, options);
  Result<Image8> out = ApplyFilter(*filter, in, execution);
  EXPECT_TRUE(out.ok()) << out.status().message();
  return out.ok() ? std::move(out).value() : Image8();
}

cv::Mat CvResize(ConstView8 in, int width, int height, int interpolation) {
  cv::Mat out;
  cv::resize(AsMat(in), out, cv::Size(width, height), 0, 0, interpolation);
  return out;
}

int Scaled(int n, double factor) { return std::max(1, static_cast<int>(std::lround(n * factor))); }

std::string Describe(ConstView8 in, int w, int h, ResizeKernel kernel, bool alpha) {
  return std::to_string(in.width()) + "x" + std::to_string(in.height()) + "x" +
         std::to_string(in.channels()) + " -> " + std::to_string(w) + "x" + std::to_string(h) +
         " " + ResizeKernelName(kernel) + (alpha ? "" : " alpha_aware=false");
}

// (x factor, y factor): downscales, upscales, identity and non-uniform pairs.
const std::vector<std::pair<double, double>> kFactors = {{0.13, 0.13}, {0.5, 0.5}, {0.77, 0.77},
                                                         {1.0, 1.0},   {1.6, 1.6}, {3.0, 3.0},
                                                         {0.5, 1.6},   {3.0, 0.77}};

// Inputs for the OpenCV comparisons: the real photographs, a synthetic scene, and random pixels
// on every awkward shape.
struct Named {
  std::string name;
  Image8 image;
  bool real = false;
};
std::vector<Named> ConformanceInputs(int channels) {
  std::vector<Named> inputs;
  for (const std::string& name : test::RealImageNames()) {
    inputs.push_back({name, test::RealImage(name, channels), true});
  }
  inputs.push_back({"scene", test::SceneImage(301, 207, channels, 3)});
  for (Size shape : test::AwkwardSizes()) {
    inputs.push_back({"random " + std::to_string(shape.width) + "x" + std::to_string(shape.height),
                      test::RandomImage(shape.width, shape.height, channels, 11)});
  }
  return inputs;
}

// ---------------------------------------------------------------------------------------------

TEST(ResizeKernelNames, RoundTripAndErrors) {
  for (ResizeKernel kernel : kAllKernels) {
    Result<ResizeKernel> parsed = ParseResizeKernel(ResizeKernelName(kernel));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, kernel);
  }
  EXPECT_EQ(*ParseResizeKernel("Lanczos3"), ResizeKernel::kLanczos3);
  Result<ResizeKernel> bad = ParseResizeKernel("lanczos4");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("resize"), std::string::npos);
  EXPECT_NE(bad.status().message().find("lanczos4"), std::string::npos);
  EXPECT_NE(bad.status().message().find("nearest, bilinear, bicubic, lanczos3, area"),
            std::string::npos);
}

TEST(Resize, InvalidSizesAreErrorsNamingResize) {
  const Image8 image = test::RandomImage(8, 8, 3);
  for (const auto& [w, h] : std::vector<std::pair<int, int>>{
           {0, 10}, {10, 0}, {-3, 10}, {10, -1}, {65536, 10}, {10, 70000}, {65535, 65535}}) {
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    auto filter = MakeResize(w, h);
    Result<Size> size = filter->OutputSize(image.size());
    ASSERT_FALSE(size.ok());
    EXPECT_EQ(size.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(size.status().message().rfind("resize: ", 0), 0u) << size.status().message();
    Result<Image8> applied = ApplyFilter(*filter, image.view());
    ASSERT_FALSE(applied.ok());
    EXPECT_NE(applied.status().message().find("resize"), std::string::npos);
  }
  EXPECT_NE(MakeResize(0, 5)->OutputSize(image.size()).status().message().find("width"),
            std::string::npos);
  EXPECT_NE(MakeResize(5, 0)->OutputSize(image.size()).status().message().find("height"),
            std::string::npos);
  EXPECT_NE(MakeResize(65535, 65535)->OutputSize(image.size()).status().message().find("limit"),
            std::string::npos);
  // An absurd downscale factor (every input pixel is a tap of the one output pixel).
  Result<Size> absurd = MakeResize(1, 10)->OutputSize({65535 * 2, 10, 1});
  ASSERT_FALSE(absurd.ok());
  EXPECT_NE(absurd.status().message().find("resize: width 131070 -> 1"), std::string::npos)
      << absurd.status().message();
  EXPECT_TRUE(MakeResize(2, 10)->OutputSize({65535 * 2, 10, 1}).ok());
  // The limits themselves are accepted.
  EXPECT_TRUE(MakeResize(65535, 1)->OutputSize(image.size()).ok());
  EXPECT_TRUE(MakeResize(1, 65535)->OutputSize(image.size()).ok());
  EXPECT_TRUE(MakeResize(1, 1)->OutputSize(image.size()).ok());
}

TEST(Resize, NameSaysKernelAndSize) {
  EXPECT_EQ(MakeResize(800, 450)->Name(), "resize(800x450, lanczos3)");
  EXPECT_EQ(MakeResize(8, 4, {ResizeKernel::kArea, false})->Name(),
            "resize(8x4, area, alpha_aware=false)");
}

// Max abs diff <= 1 against the double-precision reference: the same weights and the same
// rounding, so the only difference is float accumulation landing on the other side of a .5.
// Measured: max 1, in about 1 run in 9 (on random pixels, the harshest input).
TEST(Resize, MatchesScalarReferenceOnAwkwardSizes) {
  for (Size shape : test::AwkwardSizes()) {
    for (int channels = 1; channels <= 4; ++channels) {
      const Image8 input = test::RandomImage(shape.width, shape.height, channels, 7);
      for (const auto& [fx, fy] : kFactors) {
        const int w = Scaled(shape.width, fx), h = Scaled(shape.height, fy);
        for (ResizeKernel kernel : kFilterKernels) {
          for (bool alpha : {true, false}) {
            if (!alpha && channels != 2 && channels != 4) continue;
            SCOPED_TRACE(Describe(input.view(), w, h, kernel, alpha));
            const Image8 expected = RefResize(input.view(), w, h, kernel, alpha);
            ForEachTarget([&](const std::string&) {
              const Image8 got = Resize(input.view(), w, h, {kernel, alpha});
              EXPECT_LE(test::MaxAbsDiff(got.view(), expected.view()), 1);
            });
          }
        }
      }
    }
  }
}

// The same bound on real photographs, where the bicubic and Lanczos comparisons with OpenCV can
// only be by PSNR: this is the exact check of those kernels.
TEST(Resize, MatchesScalarReferenceOnRealImages) {
  for (int channels : {1, 3, 4}) {
    const Image8 input = test::RealImage("fruits.jpg", channels);
    for (const auto& [fx, fy] : std::vector<std::pair<double, double>>{{0.3, 0.45}, {1.7, 1.3}}) {
      const int w = Scaled(input.width(), fx), h = Scaled(input.height(), fy);
      for (ResizeKernel kernel : kFilterKernels) {
        SCOPED_TRACE(Describe(input.view(), w, h, kernel, true));
        const Image8 expected = RefResize(input.view(), w, h, kernel, true);
        ForEachTarget([&](const std::string&) {
          EXPECT_LE(test::MaxAbsDiff(Resize(input.view(), w, h, {kernel}).view(), expected.view()),
                    1);
        });
      }
    }
  }
}

TEST(Resize, IdentityIsExact) {
  for (Size shape : test::AwkwardSizes()) {
    for (int channels = 1; channels <= 4; ++channels) {
      const Image8 input = test::RandomImage(shape.width, shape.height, channels, 5);
      for (ResizeKernel kernel : kAllKernels) {
        for (bool alpha : {true, false}) {
          SCOPED_TRACE(Describe(input.view(), shape.width, shape.height, kernel, alpha));
          EXPECT_TRUE(test::Identical(
              Resize(input.view(), shape.width, shape.height, {kernel, alpha}).view(),
              input.view()));
        }
      }
    }
  }
}

// Resizing one axis only (the other keeps its size, so its pass is skipped or is a single tap
// of weight 1) agrees with the reference like a 2-D resize does, in both filtering orders.
TEST(Resize, OneAxisAtATime) {
  const Image8 input = test::RandomImage(97, 61, 3, 9);
  for (ResizeKernel kernel : kAllKernels) {
    for (const auto& [w, h] :
         std::vector<std::pair<int, int>>{{97, 23}, {97, 150}, {31, 61}, {200, 61}}) {
      SCOPED_TRACE(Describe(input.view(), w, h, kernel, true));
      const Image8 got = Resize(input.view(), w, h, {kernel});
      if (kernel == ResizeKernel::kNearest) {
        EXPECT_TRUE(test::Identical(got.view(),
                                    AsView(CvResize(input.view(), w, h, cv::INTER_NEAREST_EXACT))));
      } else {
        EXPECT_LE(test::MaxAbsDiff(got.view(), RefResize(input.view(), w, h, kernel, true).view()),
                  1);
      }
    }
  }
}

// Exact: the same 16.16 fixed-point source index as OpenCV 4.6's INTER_NEAREST_EXACT.
TEST(ResizeVsOpenCV, NearestIsExact) {
  for (int channels : {1, 2, 3, 4}) {
    for (const Named& in : ConformanceInputs(channels)) {
      for (const auto& [fx, fy] : std::vector<std::pair<double, double>>{
               {0.37, 0.61}, {0.5, 0.5}, {0.25, 0.2}, {2.3, 1.7}, {2.0, 3.0}, {0.5, 3.0}}) {
        const int w = Scaled(in.image.width(), fx), h = Scaled(in.image.height(), fy);
        SCOPED_TRACE(in.name + " " + Describe(in.image.view(), w, h, ResizeKernel::kNearest, true));
        const Image8 got = Resize(in.image.view(), w, h, {ResizeKernel::kNearest});
        EXPECT_TRUE(test::Identical(
            got.view(), AsView(CvResize(in.image.view(), w, h, cv::INTER_NEAREST_EXACT))));
      }
    }
  }
}

// Compares pixflow (alpha_aware off: OpenCV treats alpha as a plain channel) with cv::resize
// over every conformance input, asserting a max abs diff bound.
void ExpectCloseToOpenCV(ResizeKernel kernel, int interpolation,
                         const std::vector<std::pair<double, double>>& factors, int bound) {
  for (int channels : {1, 3, 4}) {
    for (const Named& in : ConformanceInputs(channels)) {
      for (const auto& [fx, fy] : factors) {
        const int w = Scaled(in.image.width(), fx), h = Scaled(in.image.height(), fy);
        SCOPED_TRACE(in.name + " " + Describe(in.image.view(), w, h, kernel, false));
        const Image8 got = Resize(in.image.view(), w, h, {kernel, false});
        EXPECT_LE(
            test::MaxAbsDiff(got.view(), AsView(CvResize(in.image.view(), w, h, interpolation))),
            bound);
      }
    }
  }
}

// Max abs diff <= 1: the same triangle weights (OpenCV clamps at the edges, which equals
// dropping the outside tap and renormalising), OpenCV in 11-bit fixed point. Measured: 1.
TEST(ResizeVsOpenCV, BilinearUpscaleWithinOne) {
  ExpectCloseToOpenCV(ResizeKernel::kBilinear, cv::INTER_LINEAR,
                      {{2.0, 2.0}, {1.6, 1.37}, {3.0, 1.0}}, 1);
}

// Max abs diff <= 1 for integer and non-integer factors alike: the same box-overlap weights,
// OpenCV rounding in its own way (integer sums for integer factors, float otherwise).
// Measured: 1 for 2x, 4x3, 0.77 and 0.3/0.41 on every input.
TEST(ResizeVsOpenCV, AreaDownscaleWithinOne) {
  ExpectCloseToOpenCV(ResizeKernel::kArea, cv::INTER_AREA,
                      {{0.5, 0.5}, {0.25, 1.0 / 3}, {0.77, 0.77}, {0.3, 0.41}}, 1);
}

// OpenCV's INTER_AREA upscale is box overlap too (an output pixel straddling two inputs mixes
// them by the overlap), which is what area does in both directions. Measured: 1 at 1.6x, 0 at
// 3x (an integer factor never straddles).
TEST(ResizeVsOpenCV, AreaUpscaleWithinOne) {
  ExpectCloseToOpenCV(ResizeKernel::kArea, cv::INTER_AREA, {{1.6, 1.6}, {1.3, 2.2}}, 1);
  ExpectCloseToOpenCV(ResizeKernel::kArea, cv::INTER_AREA, {{3.0, 3.0}}, 0);
}

// Kernels that legitimately differ, compared by PSNR on the real photographs and the scene.
double MinPsnr(ResizeKernel kernel, int interpolation, double factor, bool real) {
  double worst = 1e9;
  for (int channels : {1, 3, 4}) {
    for (const Named& in : ConformanceInputs(channels)) {
      if (in.real != real || (!real && in.name != "scene")) continue;
      const int w = Scaled(in.image.width(), factor), h = Scaled(in.image.height(), factor);
      const Image8 got = Resize(in.image.view(), w, h, {kernel, false});
      worst = std::min(
          worst, test::Psnr(got.view(), AsView(CvResize(in.image.view(), w, h, interpolation))));
    }
  }
  return worst;
}

// Catmull-Rom (a = -0.5) against OpenCV's a = -0.75 cubic. Measured >= 43.0 dB on the photos,
// 53.4 on the scene.
TEST(ResizeVsOpenCV, BicubicUpscaleByPsnr) {
  for (double factor : {2.0, 1.6}) {
    EXPECT_GE(MinPsnr(ResizeKernel::kBicubic, cv::INTER_CUBIC, factor, true), 42.0);
    EXPECT_GE(MinPsnr(ResizeKernel::kBicubic, cv::INTER_CUBIC, factor, false), 52.0);
  }
}

// Lanczos a=3 against OpenCV's a=4. Measured >= 46.3 dB on the photos, 54.7 on the scene.
TEST(ResizeVsOpenCV, Lanczos3UpscaleByPsnr) {
  for (double factor : {2.0, 1.6}) {
    EXPECT_GE(MinPsnr(ResizeKernel::kLanczos3, cv::INTER_LANCZOS4, factor, true), 45.0);
    EXPECT_GE(MinPsnr(ResizeKernel::kLanczos3, cv::INTER_LANCZOS4, factor, false), 53.0);
  }
}

// Antialiased downscales against the box average: close but not the same filter (the triangle,
// cubic and Lanczos stretched over the scale factor are wider and sharper than a box).
// Measured on the photos at 0.5x / 0.3x: bilinear 31.6 / 36.0 dB, bicubic 35.5 / 38.6,
// lanczos3 34.0 / 35.6; on the scene all >= 46.
TEST(ResizeVsOpenCV, AntialiasedDownscaleByPsnrAgainstArea) {
  for (ResizeKernel kernel :
       {ResizeKernel::kBilinear, ResizeKernel::kBicubic, ResizeKernel::kLanczos3}) {
    SCOPED_TRACE(ResizeKernelName(kernel));
    EXPECT_GE(MinPsnr(kernel, cv::INTER_AREA, 0.5, true), 31.0);
    EXPECT_GE(MinPsnr(kernel, cv::INTER_AREA, 0.3, true), 35.0);
    EXPECT_GE(MinPsnr(kernel, cv::INTER_AREA, 0.3, false), 45.0);
  }
}

// Band layout and thread count never change a pixel.
TEST(Resize, ParallelMatchesSerial) {
  const Image8 input = test::SceneImage(1203, 917, 4, 2);
  for (ResizeKernel kernel : kAllKernels) {
    for (const auto& [w, h] :
         std::vector<std::pair<int, int>>{{445, 458}, {2287, 2110}, {700, 1900}}) {
      SCOPED_TRACE(Describe(input.view(), w, h, kernel, true));
      const Image8 serial = Resize(input.view(), w, h, {kernel}, Execution::Serial());
      const Image8 parallel = Resize(input.view(), w, h, {kernel}, Execution::Parallel());
      EXPECT_TRUE(test::Identical(serial.view(), parallel.view()));
    }
  }
}

// The tiler hands a band only the rows its Footprint names, so it must be exactly the rows with
// a nonzero weight (a row short is wrong output, a row too many is wasted reading).
TEST(Resize, FootprintIsExactlyTheWeightedRows) {
  for (const auto& [in_h, out_h] : std::vector<std::pair<int, int>>{
           {100, 13}, {100, 77}, {37, 100}, {1, 5}, {5, 1}, {2160, 450}, {1080, 2160}}) {
    const Size input{8, in_h, 3};
    for (ResizeKernel kernel : kFilterKernels) {
      SCOPED_TRACE(std::to_string(in_h) + " -> " + std::to_string(out_h) + " " +
                   ResizeKernelName(kernel));
      auto filter = MakeResize(8, out_h, {kernel});
      const auto weights = RefWeights(kernel, in_h, out_h);
      for (int begin = 0; begin < out_h; ++begin) {
        for (int end : {begin + 1, std::min(out_h, begin + 7)}) {
          RowRange expected{in_h, 0};
          for (int y = begin; y < end; ++y) {
            expected.begin = std::min(expected.begin, weights[y].first);
            expected.end =
                std::max(expected.end, weights[y].first + static_cast<int>(weights[y].w.size()));
          }
          ASSERT_EQ(filter->Footprint({begin, end}, input), expected) << "rows " << begin;
        }
      }
    }
    // Nearest reads one row per output row: the one OpenCV's INTER_NEAREST_EXACT picks.
    cv::Mat rows(in_h, 1, CV_16U);
    for (int j = 0; j < in_h; ++j) rows.at<uint16_t>(j, 0) = static_cast<uint16_t>(j);
    cv::Mat picked;
    cv::resize(rows, picked, cv::Size(1, out_h), 0, 0, cv::INTER_NEAREST_EXACT);
    auto nearest = MakeResize(8, out_h, {ResizeKernel::kNearest});
    for (int y = 0; y < out_h; ++y) {
      const int j = picked.at<uint16_t>(y, 0);
      ASSERT_EQ(nearest->Footprint({y, y + 1}, input), (RowRange{j, j + 1})) << "row " << y;
    }
  }
}

// A hard 0 -> 255 step overshoots under bicubic and Lanczos (negative lobes): those pixels
// saturate to 0 and 255 rather than wrapping around.
TEST(Resize, NegativeLobesSaturate) {
  Image8 step = std::move(Image8::Create(16, 1, 1).value());
  for (int x = 0; x < 16; ++x) step.Row(0)[x] = x < 8 ? 0 : 255;
  for (ResizeKernel kernel : {ResizeKernel::kBicubic, ResizeKernel::kLanczos3}) {
    SCOPED_TRACE(ResizeKernelName(kernel));
    const int w = 53;
    const Image8 got = Resize(step.view(), w, 1, {kernel});
    const auto weights = RefWeights(kernel, 16, w);
    int saturated = 0;
    for (int x = 0; x < w; ++x) {
      double v = 0.0;
      for (size_t i = 0; i < weights[x].w.size(); ++i) {
        v += weights[x].w[i] * step.Row(0)[weights[x].first + i];
      }
      if (v < -0.5 || v > 255.5) {
        ++saturated;
        EXPECT_EQ(got.Row(0)[x], v < 0 ? 0 : 255) << "x " << x << " unclamped " << v;
      }
    }
    EXPECT_GT(saturated, 0);
  }
}

// Where negative lobes nearly cancel the alpha, colour / alpha can exceed 32767; it must still
// saturate to 255. (Highway 1.0.3's 32-to-8-bit demotion masks 16-bit values with 0x7FFF on
// AVX2 and AVX-512, so 32768 + r came out as r.) The input is built so that one Lanczos output
// pixel has alpha just above 0.5 and red / alpha of about 32900.
TEST(Resize, HugeUnpremultipliedColourSaturates) {
  constexpr int kIn = 8, kOut = 19, kX = 14, kY = 9;
  const auto w = RefWeights(ResizeKernel::kLanczos3, kIn, kOut);
  auto weight = [&](int x, int y) {
    const int i = x - w[kX].first, j = y - w[kY].first;
    const bool inside = i >= 0 && i < static_cast<int>(w[kX].w.size()) && j >= 0 &&
                        j < static_cast<int>(w[kY].w.size());
    return inside ? w[kX].w[i] * w[kY].w[j] : 0.0;
  };
  Image8 image = std::move(Image8::Create(kIn, kIn, 4).value());
  std::vector<std::pair<double, std::pair<int, int>>> positive;
  double alpha = 0.0;
  for (int y = 0; y < kIn; ++y) {
    for (int x = 0; x < kIn; ++x) {
      uint8_t* px = image.Row(y) + 4 * x;
      px[0] = weight(x, y) > 0 ? 255 : 0;  // red only under positive weights
      px[1] = px[2] = px[3] = 0;
      if (weight(x, y) < 0) {
        px[3] = 255;  // every negative lobe opaque
        alpha += 255 * weight(x, y);
      } else if (weight(x, y) > 0) {
        positive.push_back({weight(x, y), {x, y}});
      }
    }
  }
  // Then positive taps, largest first, until the alpha sum just passes 0.5.
  std::sort(positive.rbegin(), positive.rend());
  for (const auto& [wt, at] : positive) {
    const int a = std::min(255, static_cast<int>(std::ceil((0.55 - alpha) / wt)));
    image.Row(at.second)[4 * at.first + 3] = static_cast<uint8_t>(a);
    alpha += a * wt;
    if (alpha > 0.5) break;
  }
  auto red_sum = [&] {
    double red = 0.0;
    for (int y = 0; y < kIn; ++y) {
      for (int x = 0; x < kIn; ++x) {
        red += weight(x, y) * image.Row(y)[4 * x] * image.Row(y)[4 * x + 3];
      }
    }
    return red;
  };
  // Lower the red of the heaviest tap to bring red / alpha to about 32900.
  const auto [wt, at] = positive.front();
  uint8_t* red = image.Row(at.second) + 4 * at.first;
  red[0] = static_cast<uint8_t>(
      std::clamp(255 - std::lround((red_sum() - 32900.0 * alpha) / (wt * red[3])), 0L, 255L));
  ASSERT_GT(alpha, 0.5);
  ASSERT_GT(red_sum() / alpha, 32800.0);  // the case this test is about
  ASSERT_LT(red_sum() / alpha, 33000.0);
  ForEachTarget([&](const std::string&) {
    const Image8 out = Resize(image.view(), kOut, kOut, {ResizeKernel::kLanczos3});
    const uint8_t* px = out.Row(kY) + 4 * kX;
    EXPECT_EQ(px[3], 1);
    EXPECT_EQ(px[0], 255);
  });
}

// An opaque red square on transparent black: premultiplied resampling keeps every visible
// pixel pure red (colour / alpha is 255 / 0 / 0 however much transparent black it mixed in),
// while straight resampling darkens the edge. The second half shows the first can fail.
TEST(Resize, AlphaAwareKeepsEdgesClean) {
  for (int channels : {2, 4}) {
    Image8 image = std::move(Image8::Create(64, 48, channels).value());
    for (int y = 0; y < 48; ++y) {
      for (int x = 0; x < 64; ++x) {
        const bool inside = x >= 17 && x < 41 && y >= 11 && y < 35;
        uint8_t* px = image.Row(y) + x * channels;
        for (int c = 0; c < channels; ++c) px[c] = 0;
        if (inside) {
          px[0] = 255;
          px[channels - 1] = 255;
        }
      }
    }
    for (ResizeKernel kernel : kFilterKernels) {
      for (const auto& [w, h] : std::vector<std::pair<int, int>>{{147, 110}, {23, 17}, {83, 29}}) {
        SCOPED_TRACE(Describe(image.view(), w, h, kernel, true));
        ForEachTarget([&](const std::string&) {
          const Image8 out = Resize(image.view(), w, h, {kernel, true});
          int edge = 0;
          for (int y = 0; y < h; ++y) {
            for (int x = 0; x < w; ++x) {
              const uint8_t* px = out.Row(y) + x * channels;
              const int alpha = px[channels - 1];
              if (alpha == 0) {
                for (int c = 0; c + 1 < channels; ++c) ASSERT_EQ(px[c], 0) << x << "," << y;
                continue;
              }
              if (alpha < 255) ++edge;
              ASSERT_EQ(px[0], 255) << x << "," << y << " alpha " << alpha;
              for (int c = 1; c + 1 < channels; ++c) ASSERT_EQ(px[c], 0) << x << "," << y;
            }
          }
          EXPECT_GT(edge, 0);
        });
        const Image8 straight = Resize(image.view(), w, h, {kernel, false});
        int dark = 0;
        for (int y = 0; y < h; ++y) {
          for (int x = 0; x < w; ++x) {
            const uint8_t* px = straight.Row(y) + x * channels;
            if (px[channels - 1] > 0 && px[0] < 250) ++dark;
          }
        }
        EXPECT_GT(dark, 0);
      }
    }
  }
}
}  // namespace
}  // namespace pixflow
