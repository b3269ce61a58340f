// The convolution family (Gaussian, unsharp mask, 2-D and separable convolution, Sobel) against
// plain scalar references on every SIMD target and every awkward shape, against OpenCV on real
// photographs and synthetic images, serial against parallel, and with bad parameters.
#include "pixflow/filters/convolve.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <vector>

#include "pixflow/filters/tiler.h"
#include "test_util.h"

namespace pixflow {
namespace {

using test::AsMat;
using test::AsView;

Image8 Apply(const Filter& filter, ConstView8 input, Execution execution = Execution::Serial()) {
  Result<Image8> out = ApplyFilter(filter, input, execution);
  EXPECT_TRUE(out.ok()) << filter.Name() << ": " << out.status().message();
  return out.ok() ? std::move(out).value() : Image8();
}

// Float paths use fused multiply-adds, as the references do (std::fma): exact on AVX2/AVX3. The
// SSE4, SSSE3 and SCALAR targets have no FMA and round each product, which moves a result across
// a .5 boundary now and then: max abs diff 1 measured there.
int FloatTolerance(const std::string& target) { return target.rfind("AVX", 0) == 0 ? 0 : 1; }

uint8_t Saturate(double v) {  // round half to even, then clamp: OpenCV's saturate_cast
  return static_cast<uint8_t>(std::clamp(std::nearbyint(v), 0.0, 255.0));
}

int Px(ConstView8 in, int x, int y, int c, Border border) {
  return in.Row(
      MapBorder(y, in.height(), border))[MapBorder(x, in.width(), border) * in.channels() + c];
}

// OpenCV's 8-bit Gaussian, written from its definition: the double kernel of
// cv::getGaussianKernel rounded to Q8 with the error carried outwards-in, the centre taking the
// remainder, then one exact integer sum per pixel rounded half up at the end.
std::vector<int> GaussianQ8(double sigma) {
  const int ksize = static_cast<int>(std::nearbyint(sigma * 6 + 1)) | 1;
  cv::Mat k = cv::getGaussianKernel(ksize, sigma, CV_64F);
  std::vector<int> q(ksize);
  double error = 0;
  int sum = 0;
  for (int i = 0; i < ksize / 2; ++i) {
    const double v = k.at<double>(i) * 256 + error;
    q[i] = q[ksize - 1 - i] = static_cast<int>(std::nearbyint(v));
    error = v - q[i];
    sum += 2 * q[i];
  }
  q[ksize / 2] = 256 - sum;
  return q;
}

Image8 RefGaussian(ConstView8 in, double sigma, Border border = Border::kReflect101) {
  const std::vector<int> w = GaussianQ8(sigma);
  const int r = static_cast<int>(w.size()) / 2;
  Image8 out = std::move(Image8::Create(in.size()).value());
  for (int y = 0; y < in.height(); ++y) {
    for (int x = 0; x < in.width(); ++x) {
      for (int c = 0; c < in.channels(); ++c) {
        int64_t sum = 0;
        for (int j = -r; j <= r; ++j) {
          for (int i = -r; i <= r; ++i)
            sum += w[j + r] * w[i + r] * Px(in, x + i, y + j, c, border);
        }
        out.Row(y)[x * in.channels() + c] = static_cast<uint8_t>((sum + 32768) >> 16);
      }
    }
  }
  return out;
}

Image8 RefUnsharp(ConstView8 in, double sigma, double amount, int threshold) {
  Image8 out = RefGaussian(in, sigma);
  for (int y = 0; y < in.height(); ++y) {
    for (size_t i = 0; i < in.row_elements(); ++i) {
      const float x = in.Row(y)[i];
      const float d = x - out.Row(y)[i];
      out.Row(y)[i] =
          std::fabs(d) > float(threshold) ? Saturate(std::fma(float(amount), d, x)) : in.Row(y)[i];
    }
  }
  return out;
}

// Correlation in float, row-major, one fused multiply-add per tap starting from delta.
Image8 RefConvolve(ConstView8 in, const Kernel2D& k, float delta) {
  const int ax = k.anchor_x < 0 ? k.width / 2 : k.anchor_x;
  const int ay = k.anchor_y < 0 ? k.height / 2 : k.anchor_y;
  Image8 out = std::move(Image8::Create(in.size()).value());
  for (int y = 0; y < in.height(); ++y) {
    for (int x = 0; x < in.width(); ++x) {
      for (int c = 0; c < in.channels(); ++c) {
        float sum = delta;
        for (int j = 0; j < k.height; ++j) {
          for (int i = 0; i < k.width; ++i) {
            const float p = float(Px(in, x + i - ax, y + j - ay, c, Border::kReflect101));
            sum = std::fma(k.weights[j * k.width + i], p, sum);
          }
        }
        out.Row(y)[x * in.channels() + c] = Saturate(sum);
      }
    }
  }
  return out;
}

// Horizontal pass from 0, fused multiply-adds in tap order; then the vertical pass from delta,
// in tap order, except that a symmetric odd column kernel of up to 9 taps sums OpenCV's way:
// the centre first, then each mirrored pair of rows added before its multiply-add, inside out.
Image8 RefSeparable(ConstView8 in, const std::vector<float>& kx, const std::vector<float>& ky,
                    float delta, bool absolute = false) {
  const int ax = static_cast<int>(kx.size()) / 2, ay = static_cast<int>(ky.size()) / 2;
  const bool paired = ky.size() % 2 == 1 && ky.size() >= 3 && ky.size() <= 9 &&
                      std::equal(ky.begin(), ky.end(), ky.rbegin());
  Image8 out = std::move(Image8::Create(in.size()).value());
  for (int y = 0; y < in.height(); ++y) {
    for (int x = 0; x < in.width(); ++x) {
      for (int c = 0; c < in.channels(); ++c) {
        const auto row = [&](int j) {
          float sum = 0;
          for (size_t i = 0; i < kx.size(); ++i) {
            const int p = Px(in, x + int(i) - ax, y + j - ay, c, Border::kReflect101);
            sum = std::fma(kx[i], float(p), sum);
          }
          return sum;
        };
        float sum = delta;
        if (paired) {
          sum = std::fma(ky[ay], row(ay), sum);
          for (int k = 1; k <= ay; ++k) sum = std::fma(ky[ay + k], row(ay - k) + row(ay + k), sum);
        } else {
          for (size_t j = 0; j < ky.size(); ++j) sum = std::fma(ky[j], row(int(j)), sum);
        }
        out.Row(y)[x * in.channels() + c] = Saturate(absolute ? std::fabs(sum) : sum);
      }
    }
  }
  return out;
}

// Every awkward shape with 1, 3 and 4 channels.
std::vector<Image8> AwkwardImages() {
  std::vector<Image8> images;
  uint32_t seed = 1;
  for (Size size : test::AwkwardSizes()) {
    for (int channels : {1, 3, 4})
      images.push_back(test::RandomImage(size.width, size.height, channels, seed++));
  }
  return images;
}

Kernel2D RandomKernel(int width, int height, uint32_t seed, int anchor_x = -1, int anchor_y = -1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> weight(-0.3f, 0.5f);
  Kernel2D k{width, height, {}, anchor_x, anchor_y};
  for (int i = 0; i < width * height; ++i) k.weights.push_back(weight(rng));
  return k;
}

cv::Mat CvKernel(const Kernel2D& k) {
  return cv::Mat(k.height, k.width, CV_32F, const_cast<float*>(k.weights.data())).clone();
}

// Photographs (1, 3, 4 channels), a synthetic scene and uniform noise.
std::vector<std::pair<std::string, Image8>> ConformanceImages() {
  std::vector<std::pair<std::string, Image8>> images;
  for (const std::string& name : test::RealImageNames()) {
    for (int channels : {1, 3, 4}) {
      images.emplace_back(name + "/" + std::to_string(channels), test::RealImage(name, channels));
    }
  }
  images.emplace_back("scene", test::SceneImage(333, 211, 3));
  images.emplace_back("random", test::RandomImage(257, 199, 4));
  return images;
}

const Kernel2D kSharpen{3, 3, {0, -1, 0, -1, 5, -1, 0, -1, 0}};

TEST(Gaussian, MatchesIntegerReferenceOnEveryTargetAndShape) {
  const std::vector<Image8> images = AwkwardImages();
  test::ForEachTarget([&](const std::string&) {
    for (double sigma : {0.5, 1.0, 2.5}) {
      for (const Image8& image : images) {
        const Image8 out = Apply(*MakeGaussianBlur(sigma), image.view());
        // Exact: integer arithmetic on every target. Shapes include halos wider than the image.
        EXPECT_TRUE(test::Identical(out.view(), RefGaussian(image.view(), sigma).view()))
            << "sigma " << sigma << " " << image.width() << "x" << image.height() << "x"
            << image.channels();
      }
    }
    const Image8 small = test::RandomImage(23, 19, 3);
    EXPECT_TRUE(
        test::Identical(Apply(*MakeGaussianBlur(1.5, Border::kReplicate), small.view()).view(),
                        RefGaussian(small.view(), 1.5, Border::kReplicate).view()));
  });
}

TEST(Gaussian, BitExactWithOpenCV) {
  // Max abs diff 0 measured everywhere: same Q8 weights, same integer arithmetic.
  for (const auto& [name, image] : ConformanceImages()) {
    for (double sigma : {0.3, 0.5, 1.0, 2.5, 8.0}) {
      cv::Mat expected;
      cv::GaussianBlur(AsMat(image.view()), expected, cv::Size(0, 0), sigma);
      EXPECT_EQ(
          test::MaxAbsDiff(Apply(*MakeGaussianBlur(sigma), image.view()).view(), AsView(expected)),
          0)
          << name << " sigma " << sigma;
    }
  }
  for (const Image8& image : AwkwardImages()) {
    for (double sigma : {0.7, 1.0, 3.3}) {
      cv::Mat expected;
      cv::GaussianBlur(AsMat(image.view()), expected, cv::Size(0, 0), sigma);
      EXPECT_EQ(
          test::MaxAbsDiff(Apply(*MakeGaussianBlur(sigma), image.view()).view(), AsView(expected)),
          0)
          << sigma << " " << image.width() << "x" << image.height() << "x" << image.channels();
    }
  }
  // Large sigmas (up to a 301-tap kernel) and the replicated border.
  const Image8 scene = test::SceneImage(180, 120, 3);
  for (double sigma : {13.7, 50.0}) {
    cv::Mat expected;
    cv::GaussianBlur(AsMat(scene.view()), expected, cv::Size(0, 0), sigma);
    EXPECT_EQ(
        test::MaxAbsDiff(Apply(*MakeGaussianBlur(sigma), scene.view()).view(), AsView(expected)), 0)
        << sigma;
  }
  cv::Mat expected;
  cv::GaussianBlur(AsMat(scene.view()), expected, cv::Size(0, 0), 2.0, 0, cv::BORDER_REPLICATE);
  EXPECT_EQ(test::MaxAbsDiff(Apply(*MakeGaussianBlur(2.0, Border::kReplicate), scene.view()).view(),
                             AsView(expected)),
            0);
}

TEST(UnsharpMask, MatchesReferenceOnEveryTargetAndShape) {
  const std::vector<Image8> images = AwkwardImages();
  test::ForEachTarget([&](const std::string& target) {
    for (const Image8& image : images) {
      const Image8 out = Apply(*MakeUnsharpMask(1.2, 1.7, 6), image.view());
      EXPECT_LE(test::MaxAbsDiff(out.view(), RefUnsharp(image.view(), 1.2, 1.7, 6).view()),
                FloatTolerance(target));
    }
  });
}

TEST(UnsharpMask, MatchesOpenCVComposition) {
  for (const auto& [name, image] : ConformanceImages()) {
    for (auto [sigma, amount, threshold] :
         {std::tuple{1.0, 1.0, 0}, {2.0, 0.6, 10}, {0.8, 3.0, 3}}) {
      // OpenCV: GaussianBlur, then in float in + amount * (in - blur) where |in - blur| > t.
      const cv::Mat src = AsMat(image.view());
      cv::Mat blur, src_f, blur_f, detail, sharp, mask;
      cv::GaussianBlur(src, blur, cv::Size(0, 0), sigma);
      src.convertTo(src_f, CV_32F);
      blur.convertTo(blur_f, CV_32F);
      cv::subtract(src_f, blur_f, detail);
      cv::scaleAdd(detail, amount, src_f, sharp);
      mask = cv::abs(detail) > threshold;
      cv::Mat result_f = src_f.clone();
      sharp.copyTo(result_f, mask);
      cv::Mat expected;
      result_f.convertTo(expected, CV_8U);
      const Image8 out = Apply(*MakeUnsharpMask(sigma, amount, threshold), image.view());
      // Exact (max abs diff 0 measured): the blur is bit-exact and OpenCV's scaleAdd is the same
      // float fused multiply-add (both pick FMA code on any CPU that has it).
      EXPECT_EQ(test::MaxAbsDiff(out.view(), AsView(expected)), 0) << name << " " << sigma;
    }
  }
}

TEST(Convolve, MatchesReferenceOnEveryTargetAndShape) {
  const std::vector<Image8> images = AwkwardImages();
  const std::vector<std::pair<Kernel2D, float>> kernels = {
      {kSharpen, 0.0f},  // int16 path
      {{3, 3, {1, 2, 1, 0, 0, 0, -1, -2, -1}}, 128.0f},
      {RandomKernel(5, 5, 7), 3.5f},        // float path
      {RandomKernel(4, 4, 8, 1, 2), 0.0f},  // even size, off-centre anchor
      {RandomKernel(1, 7, 9), -2.0f},
      {RandomKernel(7, 1, 10), 0.0f},
      {RandomKernel(2, 3, 11, 0, 0), 10.0f},
      // Sums far outside 0..255 (up to 51000 and down to -38000) must saturate, not wrap.
      {{1, 1, {200.0f}}, 0.0f},
      {{1, 1, {-150.5f}}, 40000.0f}};
  test::ForEachTarget([&](const std::string& target) {
    for (const auto& [kernel, delta] : kernels) {
      for (const Image8& image : images) {
        const Image8 out = Apply(*MakeConvolve(kernel, delta), image.view());
        EXPECT_LE(test::MaxAbsDiff(out.view(), RefConvolve(image.view(), kernel, delta).view()),
                  FloatTolerance(target))
            << kernel.width << "x" << kernel.height << " on " << image.width() << "x"
            << image.height() << "x" << image.channels();
      }
    }
  });
}

TEST(Convolve, MatchesOpenCVFilter2D) {
  const std::vector<std::tuple<std::string, Kernel2D, float, int>> cases = {
      // Exact: integer kernel, exact in any order.
      {"sharpen3x3", kSharpen, 0.0f, 0},
      // Exact (measured): OpenCV also sums row-major with FMA, and rounds half to even.
      {"random5x5", RandomKernel(5, 5, 1), 0.0f, 0},
      {"even4x4", RandomKernel(4, 4, 2, 1, 2), 4.0f, 0},
      {"1x7", RandomKernel(7, 1, 3), 0.0f, 0},
      {"7x1", RandomKernel(1, 7, 4), 0.0f, 0},
      // OpenCV convolves kernels of 130+ taps through a DFT, whose float error can move a
      // rounding: max abs diff 1 measured.
      {"15x15", RandomKernel(15, 15, 5), 0.0f, 1}};
  for (const auto& [name, image] : ConformanceImages()) {
    for (const auto& [kname, kernel, delta, tolerance] : cases) {
      const cv::Point anchor(kernel.anchor_x, kernel.anchor_y);
      cv::Mat expected;
      cv::filter2D(AsMat(image.view()), expected, -1, CvKernel(kernel), anchor, delta);
      EXPECT_LE(test::MaxAbsDiff(Apply(*MakeConvolve(kernel, delta), image.view()).view(),
                                 AsView(expected)),
                tolerance)
          << name << " " << kname;
    }
  }
}

TEST(SeparableConvolve, MatchesReferenceOnEveryTargetAndShape) {
  const std::vector<Image8> images = AwkwardImages();
  const std::vector<std::tuple<std::vector<float>, std::vector<float>, float>> cases = {
      {{0.1f, 0.2f, 0.4f, 0.2f, 0.1f}, {0.25f, 0.5f, 0.25f}, 0.0f},
      {{-0.3f, 0.7f, 0.45f, 0.1f}, {0.05f, 0.3f, 0.3f, 0.2f, 0.1f, 0.05f}, 1.5f},  // even sizes
      {{1, 0, -1}, {1, 4, 6, 4, 1}, 0.0f},                                         // int16
      {{0.0f, 0.0f, 0.0f}, {1.0f}, 7.0f}};                                         // all zero
  test::ForEachTarget([&](const std::string& target) {
    for (const auto& [kx, ky, delta] : cases) {
      for (const Image8& image : images) {
        const Image8 out = Apply(*MakeSeparableConvolve(kx, ky, delta), image.view());
        EXPECT_LE(test::MaxAbsDiff(out.view(), RefSeparable(image.view(), kx, ky, delta).view()),
                  FloatTolerance(target))
            << kx.size() << "x" << ky.size() << " on " << image.width() << "x" << image.height()
            << "x" << image.channels();
      }
    }
  });
}

TEST(SeparableConvolve, MatchesOpenCVSepFilter2D) {
  const std::vector<float> smooth = {0.03f, 0.11f, 0.21f, 0.3f, 0.21f, 0.11f, 0.03f};
  const std::vector<float> odd = {-0.2f, 0.5f, 0.9f, -0.1f, 0.05f};
  for (const auto& [name, image] : ConformanceImages()) {
    for (const auto& [kx, ky, delta] :
         {std::tuple{smooth, smooth, 0.0f}, {odd, smooth, 2.0f}, {smooth, odd, 0.0f}}) {
      cv::Mat expected;
      cv::sepFilter2D(AsMat(image.view()), expected, -1, cv::Mat(kx), cv::Mat(ky),
                      cv::Point(-1, -1), delta);
      // Exact (max abs diff 0 measured): the same float operations in the same order; rows
      // sum taps in order with FMA, and a symmetric column kernel adds mirrored rows first.
      EXPECT_EQ(test::MaxAbsDiff(Apply(*MakeSeparableConvolve(kx, ky, delta), image.view()).view(),
                                 AsView(expected)),
                0)
          << name;
    }
  }
}

TEST(Sobel, MatchesReferenceOnEveryTargetAndShape) {
  const std::vector<Image8> images = AwkwardImages();
  test::ForEachTarget([&](const std::string&) {
    for (const SobelOptions& o :
         {SobelOptions{1, 0, 3}, SobelOptions{0, 1, 1, 1, 0, true}, SobelOptions{1, 1, 5, 0.5, 20},
          SobelOptions{2, 0, 7, 1, 0, true}}) {
      cv::Mat kx, ky;
      cv::getDerivKernels(kx, ky, o.dx, o.dy, o.ksize, false, CV_32F);
      std::vector<float> x(kx.begin<float>(), kx.end<float>()),
          y(ky.begin<float>(), ky.end<float>());
      for (float& w : o.dx == 0 ? x : y) w = float(w * o.scale);
      for (const Image8& image : images) {
        // Exact: integer (or power-of-two scaled) kernels give exact float sums on every target.
        EXPECT_TRUE(
            test::Identical(Apply(*MakeSobel(o), image.view()).view(),
                            RefSeparable(image.view(), x, y, float(o.delta), o.absolute).view()))
            << o.dx << "," << o.dy << " k" << o.ksize;
      }
    }
  });
}

TEST(Sobel, MatchesOpenCV) {
  for (const auto& [name, image] : ConformanceImages()) {
    const cv::Mat src = AsMat(image.view());
    for (auto [dx, dy] : {std::pair{1, 0}, {0, 1}, {1, 1}, {2, 0}, {0, 2}}) {
      for (int ksize : {1, 3, 5, 7}) {
        for (auto [scale, delta] : {std::pair{1.0, 0.0}, {0.25, 64.0}, {0.3, 10.0}}) {
          SobelOptions o{dx, dy, ksize, scale, delta, false};
          cv::Mat expected, signed16, expected_abs;
          cv::Sobel(src, expected, CV_8U, dx, dy, ksize, scale, delta);
          // Exact for integer and power-of-two scales (every sum is exact). With scale 0.3 the
          // products round, and OpenCV's scalar column code does not always fuse them as we do:
          // max abs diff 1 measured.
          const int tolerance = scale == 0.3 ? 1 : 0;
          EXPECT_LE(test::MaxAbsDiff(Apply(*MakeSobel(o), image.view()).view(), AsView(expected)),
                    tolerance)
              << name << " dx" << dx << " dy" << dy << " k" << ksize << " s" << scale;
          o.absolute = true;
          cv::Sobel(src, signed16, CV_16S, dx, dy, ksize, scale, delta);
          cv::convertScaleAbs(signed16, expected_abs);
          EXPECT_LE(
              test::MaxAbsDiff(Apply(*MakeSobel(o), image.view()).view(), AsView(expected_abs)),
              tolerance)
              << name << " |dx" << dx << " dy" << dy << "| k" << ksize << " s" << scale;
        }
      }
    }
  }
}

TEST(ConvolveFamily, ParallelEqualsSerial) {
  const Image8 image = test::RealImage("baboon.jpg", 3);
  std::vector<std::unique_ptr<Filter>> filters;
  filters.push_back(MakeGaussianBlur(2.2));
  filters.push_back(MakeUnsharpMask(1.0, 1.5, 4));
  filters.push_back(MakeConvolve(kSharpen));
  filters.push_back(MakeConvolve(RandomKernel(5, 4, 3), 1.0f));
  filters.push_back(MakeSeparableConvolve({0.2f, 0.6f, 0.2f}, {0.1f, 0.8f, 0.1f}));
  filters.push_back(MakeSobel({0, 1, 3, 1, 0, true}));
  for (const auto& filter : filters) {
    EXPECT_TRUE(test::Identical(Apply(*filter, image.view(), Execution::Parallel()).view(),
                                Apply(*filter, image.view(), Execution::Serial()).view()))
        << filter->Name();
  }
}

TEST(ConvolveFamily, FootprintIsTheKernelHalo) {
  const Size size{100, 100, 3};
  EXPECT_EQ(MakeGaussianBlur(1.0)->Footprint({10, 20}, size), (RowRange{7, 23}));  // 7 taps
  // 17 taps, of which the outermost pair rounds to 0 in Q8 and is dropped.
  EXPECT_EQ(MakeGaussianBlur(2.5)->Footprint({10, 20}, size), (RowRange{3, 27}));
  EXPECT_EQ(MakeConvolve(RandomKernel(4, 4, 1, 1, 2))->Footprint({10, 20}, size),
            (RowRange{8, 21}));
  EXPECT_EQ(MakeSobel({1, 0, 5})->Footprint({10, 20}, size), (RowRange{8, 22}));
  EXPECT_EQ(MakeSobel({1, 0, 1})->Footprint({10, 20}, size), (RowRange{10, 20}));  // 3x1 kernel
}

void ExpectError(const Filter& filter, const std::string& words) {
  const Image8 image = test::RandomImage(8, 8, 3);
  Result<Image8> out = ApplyFilter(filter, image.view());
  ASSERT_FALSE(out.ok()) << filter.Name();
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find(words), std::string::npos) << out.status().message();
}

TEST(ConvolveFamily, InvalidParametersAreErrorsNamingTheOp) {
  ExpectError(*MakeGaussianBlur(0), "gaussian_blur: sigma must be > 0 (got 0)");
  ExpectError(*MakeGaussianBlur(-1), "gaussian_blur: sigma must be > 0");
  ExpectError(*MakeGaussianBlur(NAN), "gaussian_blur: sigma");
  ExpectError(*MakeGaussianBlur(5000), "gaussian_blur: sigma must be at most 1000");
  ExpectError(*MakeUnsharpMask(-2), "unsharp_mask: sigma");
  ExpectError(*MakeUnsharpMask(1, INFINITY), "unsharp_mask: amount must be finite");
  ExpectError(*MakeUnsharpMask(1, 1, 256), "unsharp_mask: threshold must be in 0..255");
  ExpectError(*MakeUnsharpMask(1, 1, -1), "unsharp_mask: threshold");
  ExpectError(*MakeConvolve({0, 3, {}}), "convolve: kernel must be");
  ExpectError(*MakeConvolve({3, 3, {1, 2, 3}}), "convolve: a 3x3 kernel needs 9 weights (got 3)");
  ExpectError(*MakeConvolve({3, 3, std::vector<float>(9, 1.0f), 3, 0}), "convolve: anchor");
  ExpectError(*MakeConvolve({1, 1, {NAN}}), "convolve: kernel weights must be finite");
  ExpectError(*MakeConvolve({1, 1, {1}}, INFINITY), "convolve: delta must be finite");
  ExpectError(*MakeSeparableConvolve({}, {1}), "separable_convolve: kernels must have");
  ExpectError(*MakeSeparableConvolve({1}, {INFINITY}), "separable_convolve: kernel weights");
  ExpectError(*MakeSobel({1, 0, 4}), "sobel: ksize must be odd");
  ExpectError(*MakeSobel({1, 0, 33}), "sobel: ksize");
  ExpectError(*MakeSobel({0, 0, 3}), "sobel: dx and dy must be >= 0, not both 0");
  ExpectError(*MakeSobel({-1, 1, 3}), "sobel: dx and dy");
  ExpectError(*MakeSobel({3, 0, 3}), "sobel: derivative order must be below the kernel size");
  ExpectError(*MakeSobel({1, 0, 3, NAN}), "sobel: scale and delta must be finite");
}

}  // namespace
}  // namespace pixflow
