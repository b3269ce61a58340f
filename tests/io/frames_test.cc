// Multi-page and animated files decode their first frame, and say how many frames they have.
#include <gtest/gtest.h>
#include <vips/vips.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>

#include "pixflow/io/codec.h"

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

constexpr int kWidth = 64;
constexpr int kFrameHeight = 48;
// One solid colour per frame, so a decode of any frame but the first is told apart at once.
constexpr std::array<std::array<double, 3>, 3> kFrameColours = {
    {{220, 30, 30}, {30, 200, 30}, {30, 30, 220}}};

// The three frames stacked as libvips stores an animation (page-height set), saved as `suffix`
// (".gif", ".webp[lossless]", ".tif").
std::vector<uint8_t> ThreeFrames(const char* suffix) {
  EXPECT_TRUE(InitCodecs().ok());
  VipsImage* frames[3] = {};
  for (int i = 0; i < 3; ++i) {
    VipsImage* black = nullptr;
    VipsImage* colour = nullptr;
    double one[3] = {1, 1, 1};
    double offset[3] = {kFrameColours[i][0], kFrameColours[i][1], kFrameColours[i][2]};
    vips_black(&black, kWidth, kFrameHeight, "bands", 3, nullptr);
    vips_linear(black, &colour, one, offset, 3, "uchar", TRUE, nullptr);
    g_object_unref(black);
    frames[i] = colour;
  }
  VipsImage* joined = nullptr;
  vips_arrayjoin(frames, &joined, 3, "across", 1, nullptr);
  for (VipsImage* frame : frames) g_object_unref(frame);
  VipsImage* animation = nullptr;
  vips_copy(joined, &animation, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr);
  g_object_unref(joined);
  vips_image_set_int(animation, VIPS_META_PAGE_HEIGHT, kFrameHeight);
  void* buffer = nullptr;
  size_t size = 0;
  std::vector<uint8_t> bytes;
  if (vips_image_write_to_buffer(animation, suffix, &buffer, &size, nullptr) == 0) {
    bytes.assign(static_cast<uint8_t*>(buffer), static_cast<uint8_t*>(buffer) + size);
    g_free(buffer);
  }
  EXPECT_FALSE(bytes.empty()) << suffix << ": " << vips_error_buffer();
  g_object_unref(animation);
  return bytes;
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
