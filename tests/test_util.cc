#include "test_util.h"

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

namespace pixflow::test {

Image8 RandomImage(int width, int height, int channels, uint32_t seed) {
  Image8 image = std::move(Image8::Create(width, height, channels).value());
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int y = 0; y < height; ++y) {
    uint8_t* row = image.Row(y);
    for (size_t i = 0; i < image.view().row_elements(); ++i)
      row[i] = static_cast<uint8_t>(byte(rng));
  }
  return image;
}

Image8 SceneImage(int width, int height, int channels, uint32_t seed) {
  Image8 image = std::move(Image8::Create(width, height, channels).value());
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 3.0f);
  for (int y = 0; y < height; ++y) {
    uint8_t* row = image.Row(y);
    for (int x = 0; x < width; ++x) {
      const float u = static_cast<float>(x) / static_cast<float>(std::max(1, width - 1));
      const float v = static_cast<float>(y) / static_cast<float>(std::max(1, height - 1));
      const bool disc = (u - 0.6f) * (u - 0.6f) + (v - 0.4f) * (v - 0.4f) < 0.05f;
      const float stripes = 40.0f * std::sin(static_cast<float>(x + 2 * y) * 0.15f);
      for (int c = 0; c < channels; ++c) {
        float value = 40.0f + 150.0f * (c % 2 ? u : v) + (disc ? 60.0f : 0.0f) +
                      (u > 0.25f && u < 0.45f ? stripes : 0.0f) + noise(rng);
        if (c == 3) value = 255.0f * (0.25f + 0.75f * u);  // alpha: a ramp, never noise
        row[x * channels + c] = static_cast<uint8_t>(std::clamp(std::lround(value), 0L, 255L));
      }
    }
  }
  return image;
}

std::vector<std::string> RealImageNames() { return {"baboon.jpg", "fruits.jpg", "building.jpg"}; }

Image8 RealImage(const std::string& name, int channels) {
  const std::string path = std::string(PIXFLOW_REAL_IMAGES_DIR) + "/" + name;
  cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
  if (bgr.empty()) {
    ADD_FAILURE() << "missing real test image " << path
                  << " (install Debian's opencv-doc, as README.md's test command does)";
    return SceneImage(64, 48, channels);
  }
  cv::Mat out;
  if (channels == 1) {
    cv::cvtColor(bgr, out, cv::COLOR_BGR2GRAY);
  } else if (channels == 3) {
    cv::cvtColor(bgr, out, cv::COLOR_BGR2RGB);
  } else {
    cv::cvtColor(bgr, out, cv::COLOR_BGR2RGBA);
    for (int y = 0; y < out.rows; ++y) {
      for (int x = 0; x < out.cols; ++x) {
        const double dx = x - out.cols / 2.0, dy = y - out.rows / 2.0;
        const double r = std::sqrt(dx * dx + dy * dy) / (0.5 * std::hypot(out.cols, out.rows));
        out.at<cv::Vec4b>(y, x)[3] = cv::saturate_cast<uint8_t>(255.0 * (1.0 - r));
      }
    }
  }
  return CopyOf(out);
}

std::vector<Size> AwkwardSizes() {
  return {{1, 1, 1},  {1, 1, 3},  {1, 37, 3},   {37, 1, 4},   {2, 2, 2},   {17, 13, 1},
          {67, 5, 3}, {5, 67, 4}, {129, 31, 3}, {255, 97, 4}, {73, 129, 1}};
}

cv::Mat AsMat(ConstView8 view) {
  return cv::Mat(view.height(), view.width(), CV_8UC(view.channels()),
                 const_cast<uint8_t*>(view.data()), static_cast<size_t>(view.stride_bytes()));
}

ConstView8 AsView(const cv::Mat& mat) {
  return ConstView8(mat.data, mat.cols, mat.rows, mat.channels(),
                    static_cast<ptrdiff_t>(mat.step[0]));
}

Image8 CopyOf(const cv::Mat& mat) { return std::move(Image8::CopyOf(AsView(mat)).value()); }

int MaxAbsDiff(ConstView8 a, ConstView8 b) {
  EXPECT_EQ(a.size(), b.size());
  if (a.size() != b.size()) return 256;
  int worst = 0;
  for (int y = 0; y < a.height(); ++y) {
    for (size_t i = 0; i < a.row_elements(); ++i) {
      worst = std::max(worst, std::abs(int{a.Row(y)[i]} - int{b.Row(y)[i]}));
    }
  }
  return worst;
}

double Psnr(ConstView8 a, ConstView8 b) {
  EXPECT_EQ(a.size(), b.size());
  if (a.size() != b.size()) return 0.0;
  double sum = 0.0;
  for (int y = 0; y < a.height(); ++y) {
    for (size_t i = 0; i < a.row_elements(); ++i) {
      const double d = static_cast<double>(a.Row(y)[i]) - static_cast<double>(b.Row(y)[i]);
      sum += d * d;
    }
  }
  if (sum == 0.0) return std::numeric_limits<double>::infinity();
  const double mse = sum / (static_cast<double>(a.row_elements()) * a.height());
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

bool Identical(ConstView8 a, ConstView8 b) { return a.size() == b.size() && MaxAbsDiff(a, b) == 0; }

void ForEachTarget(const std::function<void(const std::string& target)>& fn) {
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    fn(hwy::TargetName(target));
  }
  hwy::SetSupportedTargetsForTest(0);
}

}  // namespace pixflow::test
