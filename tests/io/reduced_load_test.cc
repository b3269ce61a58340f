// Shrink-on-load beyond JPEG and WebP: TIFF pyramids load their smallest level that covers the
// target, HEIF its stored thumbnail when that covers it, SVG and PDF render at the target's scale.
// The fixtures are written with libvips and libheif directly, since pixflow's own encoder writes
// neither sub-IFD pyramids nor HEIF thumbnails.
#include <gtest/gtest.h>
#include <libheif/heif.h>
#include <vips/vips.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <string>

#include "pixflow/io/codec.h"
#include "test_util.h"

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

// Debian's 1282x1110 photograph; as a libvips pyramid its levels are 641x555, 320x277, 160x138
// and 80x69 (each half the one above, rounded down).
const fs::path kPhoto = fs::path(PIXFLOW_REAL_IMAGES_DIR) / "aloeL.jpg";

// The bound issue #4 sets for a reduced decode against a full decode resized by area averaging.
constexpr double kMinPsnr = 35.0;

fs::path TempPath(const std::string& name) {
  return fs::temp_directory_path() / ("pixflow_reduced_" + std::to_string(getpid()) + "_" + name);
}

fs::path WriteTemp(const std::string& name, std::string_view bytes) {
  const fs::path path = TempPath(name);
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

Result<DecodedImage> DecodeAt(const fs::path& path, int min_width, int min_height,
                              DecodeOptions options = {}) {
  options.min_width = min_width;
  options.min_height = min_height;
  options.box_shrink = false;  // the level or thumbnail alone, as the format stores it
  return Decode(path, options);
}

// A level covering `size` pixels of the full image at 2^k : 1 is its area average.
double PsnrAgainstArea(const Image8& reduced, const Image8& full, int factor) {
  const cv::Rect covered(0, 0, reduced.width() * factor, reduced.height() * factor);
  cv::Mat expected;
  cv::resize(test::AsMat(full.view())(covered), expected,
             cv::Size(reduced.width(), reduced.height()), 0, 0, cv::INTER_AREA);
  return test::Psnr(reduced.view(), test::AsView(expected));
}

struct LevelCase {
  int min_width;
  int min_height;
  int factor;  // the level expected: 1 (the full image), 2, 4, 8 or 16
};

// Every target picks the smallest level that still covers it on both axes.
void ExpectPyramidLevels(const fs::path& path) {
  const Result<DecodedImage> full = Decode(path);
  ASSERT_TRUE(full.ok()) << full.status().message();
  ASSERT_EQ(full->pixels.size(), (Size{1282, 1110, 3}));
  for (const LevelCase& c :
       {LevelCase{300, 0, 4}, LevelCase{320, 0, 4}, LevelCase{321, 0, 2}, LevelCase{641, 555, 2},
        LevelCase{642, 0, 1}, LevelCase{0, 139, 4}, LevelCase{0, 138, 8}, LevelCase{50, 50, 16},
        LevelCase{1, 1, 16}, LevelCase{5000, 0, 1}}) {
    SCOPED_TRACE("target " + std::to_string(c.min_width) + "x" + std::to_string(c.min_height));
    const Result<DecodedImage> reduced = DecodeAt(path, c.min_width, c.min_height);
    ASSERT_TRUE(reduced.ok()) << reduced.status().message();
    ASSERT_EQ(reduced->pixels.size(), (Size{1282 / c.factor, 1110 / c.factor, 3}));
    EXPECT_EQ(reduced->info.width, 1282);  // the header still describes the file
    if (c.factor > 1) {
      const double psnr = PsnrAgainstArea(reduced->pixels, full->pixels, c.factor);
      ::testing::Test::RecordProperty("psnr_level_" + std::to_string(c.factor),
                                      std::to_string(psnr));
      EXPECT_GE(psnr, kMinPsnr);
    }
  }
}

TEST(ReducedLoadTest, TiffPyramidOfPagesLoadsTheSmallestLevelCoveringTheTarget) {
  const Result<Image8> photo = DecodeFile(kPhoto);
  ASSERT_TRUE(photo.ok());
  Result<std::vector<uint8_t>> tiff = Encode(photo->view(), *ParseEncodeSpec("tif[tile,pyramid]"));
  ASSERT_TRUE(tiff.ok()) << tiff.status().message();
  const fs::path path = WriteTemp(
      "pages.tif", std::string_view(reinterpret_cast<const char*>(tiff->data()), tiff->size()));
  ExpectPyramidLevels(path);
  fs::remove(path);
}

TEST(ReducedLoadTest, TiffPyramidOfSubIfdsLoadsTheSmallestLevelCoveringTheTarget) {
  ASSERT_TRUE(InitCodecs().ok());
  VipsImage* photo = vips_image_new_from_file(kPhoto.c_str(), nullptr);
  ASSERT_NE(photo, nullptr);
  const fs::path path = TempPath("subifd.tif");
  const int failed =
      vips_tiffsave(photo, path.c_str(), "tile", TRUE, "pyramid", TRUE, "subifd", TRUE, nullptr);
  g_object_unref(photo);
  ASSERT_EQ(failed, 0) << vips_error_buffer();
  ExpectPyramidLevels(path);
  fs::remove(path);
}

// Pages of one size are a document, not a pyramid: the first page, at full size.
TEST(ReducedLoadTest, MultiPageTiffThatIsNoPyramidLoadsItsFirstPageWhole) {
  ASSERT_TRUE(InitCodecs().ok());
  VipsImage* photo = vips_image_new_from_file(kPhoto.c_str(), nullptr);
  ASSERT_NE(photo, nullptr);
  VipsImage* pages[2] = {photo, photo};
  VipsImage* joined = nullptr;
  ASSERT_EQ(vips_arrayjoin(pages, &joined, 2, "across", 1, nullptr), 0);
  g_object_unref(photo);
  vips_image_set_int(joined, VIPS_META_PAGE_HEIGHT, 1110);
  const fs::path path = TempPath("document.tif");
  ASSERT_EQ(vips_tiffsave(joined, path.c_str(), nullptr), 0) << vips_error_buffer();
  g_object_unref(joined);
  const Result<DecodedImage> decoded = DecodeAt(path, 100, 0);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->pixels.size(), (Size{1282, 1110, 3}));
  EXPECT_EQ(decoded->info.frames, 2);
  fs::remove(path);
}

heif_error WriteToString(heif_context*, const void* data, size_t size, void* userdata) {
  static_cast<std::string*>(userdata)->append(static_cast<const char*>(data), size);
  return heif_error{heif_error_Ok, heif_suberror_Unspecified, "ok"};
}

// A HEIC of `image` (RGB) with a thumbnail whose longer side is `thumbnail_size`; "" when this
// libheif cannot encode HEVC.
std::string HeicWithThumbnail(const Image8& image, int thumbnail_size) {
  heif_context* context = heif_context_alloc();
  heif_encoder* encoder = nullptr;
  std::string bytes;
  if (heif_context_get_encoder_for_format(context, heif_compression_HEVC, &encoder).code ==
      heif_error_Ok) {
    heif_encoder_set_lossy_quality(encoder, 90);
    heif_image* picture = nullptr;
    heif_image_create(image.width(), image.height(), heif_colorspace_RGB,
                      heif_chroma_interleaved_RGB, &picture);
    heif_image_add_plane(picture, heif_channel_interleaved, image.width(), image.height(), 8);
    int stride = 0;
    uint8_t* plane = heif_image_get_plane(picture, heif_channel_interleaved, &stride);
    for (int y = 0; y < image.height(); ++y) {
      std::memcpy(plane + static_cast<size_t>(y) * stride, image.Row(y), image.width() * 3);
    }
    heif_image_handle* primary = nullptr;
    heif_image_handle* thumbnail = nullptr;
    heif_writer writer{1, WriteToString};
    if (heif_context_encode_image(context, picture, encoder, nullptr, &primary).code ==
            heif_error_Ok &&
        heif_context_encode_thumbnail(context, picture, primary, encoder, nullptr, thumbnail_size,
                                      &thumbnail)
                .code == heif_error_Ok) {
      heif_context_write(context, &writer, &bytes);
    }
    heif_image_handle_release(thumbnail);
    heif_image_handle_release(primary);
    heif_image_release(picture);
    heif_encoder_release(encoder);
  }
  heif_context_free(context);
  return bytes;
}

TEST(ReducedLoadTest, HeifLoadsItsStoredThumbnailWhenThatCoversTheTarget) {
  const Image8 scene = test::RealImage("fruits.jpg", 3);  // 512x480
  const std::string heic = HeicWithThumbnail(scene, 128);
  if (heic.empty()) GTEST_SKIP() << "libheif has no HEVC encoder here";
  const fs::path path = WriteTemp("thumbnailed.heic", heic);
  const Result<DecodedImage> full = Decode(path);
  ASSERT_TRUE(full.ok()) << full.status().message();
  ASSERT_EQ(full->pixels.size(), (Size{512, 480, 3}));
  // The thumbnail is 128x120: it serves any target it covers, and no other.
  for (const auto& [min_width, min_height, expected] :
       {std::tuple{100, 0, Size{128, 120, 3}}, std::tuple{128, 120, Size{128, 120, 3}},
        std::tuple{0, 121, Size{512, 480, 3}}, std::tuple{129, 0, Size{512, 480, 3}}}) {
    SCOPED_TRACE("target " + std::to_string(min_width) + "x" + std::to_string(min_height));
    const Result<DecodedImage> reduced = DecodeAt(path, min_width, min_height);
    ASSERT_TRUE(reduced.ok()) << reduced.status().message();
    EXPECT_EQ(reduced->pixels.size(), expected);
    EXPECT_EQ(reduced->info.width, 512);
  }
  // The same picture: libheif 1.15 samples its thumbnails by nearest neighbour (no averaging),
  // so against an area average it measures 26.0 dB; any other picture would be under 15.
  const Result<DecodedImage> thumbnail = DecodeAt(path, 100, 0);
  ASSERT_TRUE(thumbnail.ok());
  const double psnr = PsnrAgainstArea(thumbnail->pixels, full->pixels, 4);
  RecordProperty("psnr_heif_thumbnail", std::to_string(psnr));
  EXPECT_GE(psnr, 24.0);
  fs::remove(path);
}

}  // namespace
}  // namespace pixflow::io
