// Shrink-on-load: the decoder picks the smallest size the format can decode cheaply that still
// covers the target, and that image is close to a full decode resized the slow way.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>

#include "pixflow/io/codec.h"
#include "test_util.h"

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

// A real photograph, as Debian ships it: 1282x1110 baseline JPEG.
const fs::path kPhoto = fs::path(PIXFLOW_REAL_IMAGES_DIR) / "aloeL.jpg";
constexpr int kPhotoWidth = 1282;
constexpr int kPhotoHeight = 1110;

// Shrink-on-load against the reference: full decode, then OpenCV's area resize (pixflow's own
// resize is not what is under test). 35 dB is the bound issue #4 sets; measured 48.0-50.9 dB
// for JPEG's 1/2, 1/4, 1/8 and WebP's scaled decodes of this photo.
constexpr double kMinPsnr = 35.0;

// The reference for a decode that covers `covered` source pixels at `size`: JPEG's 1/s decode
// of a width that s does not divide drops the last partial block (libvips crops to the floor),
// so the reference resizes the same region, by exactly the same factor.
Image8 AreaResize(const Image8& full, Size size, cv::Size covered) {
  cv::Mat out;
  cv::resize(test::AsMat(full.view())(cv::Rect(cv::Point(0, 0), covered)), out,
             cv::Size(size.width, size.height), 0, 0, cv::INTER_AREA);
  return test::CopyOf(out);
}
Image8 AreaResize(const Image8& full, Size size) {
  return AreaResize(full, size, cv::Size(full.width(), full.height()));
}

DecodedImage DecodeWithTarget(const fs::path& path, int min_width, int min_height,
                              bool autorotate = true) {
  DecodeOptions options;
  options.min_width = min_width;
  options.min_height = min_height;
  options.autorotate = autorotate;
  options.box_shrink = false;  // the format's own reduced decode alone
  Result<DecodedImage> decoded = Decode(path, options);
  EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  return decoded.ok() ? std::move(decoded).value() : DecodedImage{};
}

fs::path WriteTemp(const std::string& name, const std::vector<uint8_t>& bytes) {
  const fs::path path =
      fs::temp_directory_path() / ("pixflow_shrink_" + std::to_string(getpid()) + "_" + name);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

struct JpegCase {
  int min_width;
  int min_height;
  int shrink;  // the DCT scale expected: the largest whose output still covers the target
};

TEST(ShrinkTest, JpegDecodesAtTheSmallestDctScaleStillCoveringTheTarget) {
  const Result<DecodedImage> full = Decode(kPhoto);
  ASSERT_TRUE(full.ok()) << full.status().message();
  ASSERT_EQ(full->pixels.width(), kPhotoWidth);
  ASSERT_EQ(full->pixels.height(), kPhotoHeight);
  for (const JpegCase& c :
       {JpegCase{0, 0, 1}, JpegCase{1282, 0, 1}, JpegCase{1283, 0, 1}, JpegCase{641, 0, 2},
        JpegCase{642, 0, 1}, JpegCase{600, 0, 2}, JpegCase{320, 0, 4}, JpegCase{321, 0, 2},
        JpegCase{100, 0, 8}, JpegCase{0, 139, 4}, JpegCase{0, 138, 8}, JpegCase{100, 200, 4},
        JpegCase{1, 1, 8}}) {
    SCOPED_TRACE("target " + std::to_string(c.min_width) + "x" + std::to_string(c.min_height));
    const DecodedImage shrunk = DecodeWithTarget(kPhoto, c.min_width, c.min_height);
    // libjpeg's DCT scaling rounds up, libvips 8.14 then crops to the floor.
    const Size expected{kPhotoWidth / c.shrink, kPhotoHeight / c.shrink, 3};
    ASSERT_EQ(shrunk.pixels.size(), expected);
    // Never enlarged: a target beyond the image gets the full image.
    EXPECT_GE(shrunk.pixels.width(), std::min(c.min_width, kPhotoWidth));
    EXPECT_GE(shrunk.pixels.height(), std::min(c.min_height, kPhotoHeight));
    // The header describes the file, not the reduced decode.
    EXPECT_EQ(shrunk.info.width, kPhotoWidth);
    if (c.shrink > 1) {
      const cv::Size covered(expected.width * c.shrink, expected.height * c.shrink);
      const double psnr =
          test::Psnr(shrunk.pixels.view(), AreaResize(full->pixels, expected, covered).view());
      RecordProperty("psnr_shrink_" + std::to_string(c.shrink), std::to_string(psnr));
      EXPECT_GE(psnr, kMinPsnr) << "shrink " << c.shrink;
    }
  }
}

TEST(ShrinkTest, WebpDecodesAtTheTargetScale) {
  const Result<Image8> photo = DecodeFile(kPhoto);
  ASSERT_TRUE(photo.ok());
  Result<std::vector<uint8_t>> webp = Encode(photo->view(), *ParseEncodeSpec("webp[Q=90]"));
  ASSERT_TRUE(webp.ok()) << webp.status().message();
  const fs::path path = WriteTemp("photo.webp", *webp);
  const Result<Image8> full = DecodeFile(path);
  ASSERT_TRUE(full.ok());
  for (const auto& [min_width, min_height] :
       {std::pair{300, 0}, std::pair{0, 333}, std::pair{500, 500}, std::pair{999, 10}}) {
    SCOPED_TRACE("target " + std::to_string(min_width) + "x" + std::to_string(min_height));
    const DecodedImage shrunk = DecodeWithTarget(path, min_width, min_height);
    // The smallest size covering the target: one axis meets it (within libvips' rounding to
    // the nearest pixel of the other), neither falls short.
    EXPECT_GE(shrunk.pixels.width(), min_width);
    EXPECT_GE(shrunk.pixels.height(), min_height);
    EXPECT_TRUE(shrunk.pixels.width() <= min_width + 1 || shrunk.pixels.height() <= min_height + 1)
        << shrunk.pixels.width() << "x" << shrunk.pixels.height();
    const double psnr =
        test::Psnr(shrunk.pixels.view(), AreaResize(*full, shrunk.pixels.size()).view());
    RecordProperty("psnr_webp_" + std::to_string(shrunk.pixels.width()), std::to_string(psnr));
    EXPECT_GE(psnr, kMinPsnr);
  }
  fs::remove(path);
}

TEST(ShrinkTest, TheTargetIsAsDisplayedSoOrientationSwapsIt) {
  const Result<Image8> photo = DecodeFile(kPhoto);
  ASSERT_TRUE(photo.ok());
  ImageMetadata rotated;
  rotated.orientation = 6;  // stored 1282x1110, displayed 1110x1282
  Result<std::vector<uint8_t>> jpeg = Encode(photo->view(), {"jpg", 90}, rotated);
  ASSERT_TRUE(jpeg.ok());
  const fs::path path = WriteTemp("rotated.jpg", *jpeg);
  // 280 displayed pixels wide is 280 stored rows: 1110 / 4 = 277 falls short, so 1/2.
  const DecodedImage upright = DecodeWithTarget(path, 280, 0);
  EXPECT_EQ(upright.pixels.size(), (Size{1110 / 2, 1282 / 2, 3}));
  // Without autorotation the target applies to the stored axes: 1282 / 4 = 320 covers 280.
  const DecodedImage stored = DecodeWithTarget(path, 280, 0, /*autorotate=*/false);
  EXPECT_EQ(stored.pixels.size(), (Size{1282 / 4, 1110 / 4, 3}));
  EXPECT_EQ(stored.metadata.orientation, 6);
  fs::remove(path);
}

// What the format cannot reduce is box-averaged by the largest whole factor leaving 2x the
// target: 400x300 for 50 px wide is 4x4 blocks, 100x75, the same pixels as an area resize.
TEST(ShrinkTest, FormatsWithoutAReducedDecodeAreBoxShrunkToTwiceTheTarget) {
  const Image8 image = test::SceneImage(400, 300, 3);
  Result<std::vector<uint8_t>> png = Encode(image.view(), {"png", 0});
  ASSERT_TRUE(png.ok());
  const auto decode = [&](int min_width, int min_height, bool box_shrink) {
    DecodeOptions options;
    options.min_width = min_width;
    options.min_height = min_height;
    options.box_shrink = box_shrink;
    Result<DecodedImage> decoded = Decode(*png, "scene.png", options);
    EXPECT_TRUE(decoded.ok()) << decoded.status().message();
    return decoded.ok() ? std::move(decoded->pixels) : Image8();
  };
  const Image8 shrunk = decode(50, 0, true);
  ASSERT_EQ(shrunk.size(), (Size{100, 75, 3}));
  const double psnr = test::Psnr(shrunk.view(), AreaResize(image, shrunk.size()).view());
  RecordProperty("psnr_box_4", std::to_string(psnr));
  EXPECT_GE(psnr, 50.0);  // the same averages, but for rounding
  // The tighter axis decides: 60 rows leave a factor of 2 (300 / 120), whatever the width.
  EXPECT_EQ(decode(10, 60, true).size(), (Size{200, 150, 3}));
  // Under 4x the target there is no whole factor leaving 2x: the full image.
  EXPECT_EQ(decode(120, 0, true).size(), image.size());
  EXPECT_EQ(decode(50, 0, false).size(), image.size());
}

// The blocks are averaged in the stored axes, before the orientation is applied: a 400x300
// TIFF displayed rotated (300x400) asked for at 50 px wide averages 3x3 blocks to 100x133.
TEST(ShrinkTest, BoxShrinkHappensBeforeTheOrientationIsApplied) {
  const Image8 image = test::SceneImage(400, 300, 3);
  ImageMetadata rotated;
  rotated.orientation = 6;
  Result<std::vector<uint8_t>> tiff = Encode(image.view(), {"tif", 0}, rotated);
  ASSERT_TRUE(tiff.ok()) << tiff.status().message();
  const Result<DecodedImage> full = Decode(*tiff, "rotated.tif");
  ASSERT_TRUE(full.ok()) << full.status().message();
  ASSERT_EQ(full->pixels.size(), (Size{300, 400, 3}));
  DecodeOptions options;
  options.min_width = 50;  // 300 displayed columns are 300 stored rows: a factor of 3
  const Result<DecodedImage> shrunk = Decode(*tiff, "rotated.tif", options);
  ASSERT_TRUE(shrunk.ok()) << shrunk.status().message();
  ASSERT_EQ(shrunk->pixels.size(), (Size{100, 133, 3}));
  // The reference averages the same blocks: the displayed image without the dropped last row.
  const double psnr =
      test::Psnr(shrunk->pixels.view(),
                 AreaResize(full->pixels, shrunk->pixels.size(), cv::Size(300, 399)).view());
  RecordProperty("psnr_box_rotated", std::to_string(psnr));
  EXPECT_GE(psnr, 50.0);
}

// Averaging colour without weighting by alpha would bleed the colour of transparent pixels into
// the edges; an image with alpha is left whole for the resize, which premultiplies.
TEST(ShrinkTest, ImagesWithAlphaAreNotBoxShrunk) {
  const Image8 image = test::SceneImage(400, 300, 4);
  Result<std::vector<uint8_t>> png = Encode(image.view(), {"png", 0});
  ASSERT_TRUE(png.ok());
  DecodeOptions options;
  options.min_width = 50;
  Result<DecodedImage> decoded = Decode(*png, "scene.png", options);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->pixels.size(), image.size());
}

}  // namespace
}  // namespace pixflow::io
