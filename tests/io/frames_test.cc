// Multi-page and animated files decode their first frame, and say how many frames they have.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "crafted_files.h"
#include "pixflow/io/codec.h"

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

constexpr int kWidth = 64;
constexpr int kFrameHeight = 48;
constexpr auto& kFrameColours = test::kAnimationFrameColours;

// The three solid frames stacked as libvips stores an animation, saved as `suffix` (".gif",
// ".webp[lossless]", ".tif", ".png").
std::vector<uint8_t> ThreeFrames(const char* suffix) {
  const std::string bytes = test::ThreeFrameAnimation(suffix, kWidth, kFrameHeight);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

class FramesTest : public ::testing::TestWithParam<const char*> {};

TEST_P(FramesTest, DecodesTheFirstFrameAndCountsThemAll) {
  const std::vector<uint8_t> bytes = ThreeFrames(GetParam());
  ASSERT_FALSE(bytes.empty());
  const Result<DecodedImage> decoded = Decode(bytes, GetParam());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->info.frames, 3);
  EXPECT_EQ(decoded->info.height, kFrameHeight);  // one frame, not the stack
  const Image8& pixels = decoded->pixels;
  ASSERT_EQ(pixels.width(), kWidth);
  ASSERT_EQ(pixels.height(), kFrameHeight);
  const int channels = pixels.channels();  // libnsgif always adds alpha
  for (const auto& [x, y] : {std::pair{0, 0}, std::pair{kWidth - 1, kFrameHeight - 1}}) {
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(pixels.Row(y)[x * channels + c], kFrameColours[0][c], 6)
          << x << "," << y << " " << c;
    }
  }
  // The header alone says the same, and a shrink-on-load decode still takes the first frame.
  const fs::path path =
      fs::temp_directory_path() / ("pixflow_frames_" + std::to_string(getpid()) + ".img");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  const Result<ImageInfo> info = ReadInfo(path);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->frames, 3);
  DecodeOptions options;
  options.min_width = 16;
  const Result<DecodedImage> reduced = Decode(path, options);
  ASSERT_TRUE(reduced.ok()) << reduced.status().message();
  EXPECT_NEAR(reduced->pixels.Row(0)[0], kFrameColours[0][0], 6);
  EXPECT_EQ(reduced->pixels.height() * kWidth, reduced->pixels.width() * kFrameHeight);
  fs::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Formats, FramesTest, ::testing::Values(".gif", ".webp[lossless]", ".tif"),
                         [](const ::testing::TestParamInfo<const char*>& param) {
                           return std::string(param.param).substr(1, 3);
                         });

TEST(FramesTest, ASingleImageHasOneFrame) {
  const std::vector<uint8_t> png = ThreeFrames(".png");  // PNG keeps no pages: one tall image
  const Result<DecodedImage> decoded = Decode(png, "stack.png");
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->info.frames, 1);
  EXPECT_EQ(decoded->pixels.height(), 3 * kFrameHeight);
}

}  // namespace
}  // namespace pixflow::io
