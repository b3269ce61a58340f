// EXIF orientation 1-8: each is built here (the encoder writes the tag over known pixels) and
// must decode to the upright image; --no-autorotate keeps the stored pixels and the tag.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "pixflow/io/codec.h"
#include "test_util.h"

namespace pixflow::io {
namespace {

// What a viewer shows for stored pixels tagged `orientation` (EXIF 2.3, tag 0x0112: where the
// stored first row and first column appear).
Image8 Displayed(const Image8& stored, int orientation) {
  const cv::Mat in = test::AsMat(stored.view());
  cv::Mat out;
  switch (orientation) {
    case 1: out = in.clone(); break;
    case 2: cv::flip(in, out, 1); break;  // row 0 top, column 0 right: mirrored
    case 3: cv::rotate(in, out, cv::ROTATE_180); break;
    case 4: cv::flip(in, out, 0); break;    // row 0 at the bottom, column 0 left
    case 5: cv::transpose(in, out); break;  // row 0 left, column 0 top
    case 6: cv::rotate(in, out, cv::ROTATE_90_CLOCKWISE); break;  // row 0 right, column 0 top
    case 7: {                                                     // row 0 right, column 0 bottom
      cv::Mat transposed;
      cv::transpose(in, transposed);
      cv::rotate(transposed, out, cv::ROTATE_180);
      break;
    }
    case 8: cv::rotate(in, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: ADD_FAILURE() << "orientation " << orientation;
  }
  return test::CopyOf(out);
}

DecodedImage DecodeOrDie(std::span<const uint8_t> bytes, bool autorotate) {
  DecodeOptions options;
  options.autorotate = autorotate;
  options.metadata = {false, true};
  Result<DecodedImage> decoded = Decode(bytes, "oriented", options);
  EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  return decoded.ok() ? std::move(decoded).value() : DecodedImage{};
}

class OrientationTest : public ::testing::TestWithParam<const char*> {};

TEST_P(OrientationTest, EachOfTheEightOrientationsDecodesUpright) {
  // Random pixels on a non-square image: any wrong flip or axis swap changes them.
  const Image8 stored = test::RandomImage(37, 23, 3, 11);
  for (int orientation = 1; orientation <= 8; ++orientation) {
    SCOPED_TRACE("orientation " + std::to_string(orientation));
    ImageMetadata tag;
    tag.orientation = orientation;
    Result<std::vector<uint8_t>> bytes = Encode(stored.view(), {GetParam(), 95}, tag);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();

    const DecodedImage as_stored = DecodeOrDie(*bytes, /*autorotate=*/false);
    EXPECT_EQ(as_stored.info.orientation, orientation);
    EXPECT_EQ(as_stored.metadata.orientation, orientation);
    ASSERT_EQ(as_stored.pixels.size(), stored.size());

    const DecodedImage upright = DecodeOrDie(*bytes, /*autorotate=*/true);
    EXPECT_EQ(upright.metadata.orientation, 1);
    EXPECT_EQ(upright.info.displayed_width(), upright.pixels.width());
    EXPECT_EQ(upright.info.displayed_height(), upright.pixels.height());
    // Rotation is exact: compared with the same decode, unrotated and transformed here, even
    // for lossy JPEG.
    const Image8 expected = Displayed(as_stored.pixels, orientation);
    ASSERT_EQ(upright.pixels.size(), expected.size());
    EXPECT_EQ(test::MaxAbsDiff(upright.pixels.view(), expected.view()), 0);
    if (std::string(GetParam()) == "tif") {  // lossless: also exact against the source
      EXPECT_EQ(test::MaxAbsDiff(upright.pixels.view(), Displayed(stored, orientation).view()), 0);
    }

    // Taken as rows while they are decoded, a few at a time, the pixels are the same.
    Image8 rows;
    DecodeOptions options;
    options.autorotate = true;
    Result<DecodedImage> streamed = Decode(*bytes, "oriented", options, [&](RowSource& source) {
      PIXFLOW_ASSIGN_OR_RETURN(rows, Image8::Create(source.size()));
      for (int y = 0; y < rows.height(); y += 7) {
        PIXFLOW_RETURN_IF_ERROR(
            source.ReadRows(rows.view().Rows(y, std::min(rows.height(), y + 7))));
      }
      return Status::Ok();
    });
    ASSERT_TRUE(streamed.ok()) << streamed.status().message();
    EXPECT_TRUE(streamed->pixels.empty());
    ASSERT_EQ(rows.size(), expected.size());
    EXPECT_EQ(test::MaxAbsDiff(rows.view(), expected.view()), 0);

    // Written out again, the upright pixels carry orientation 1: never rotated twice.
    Result<std::vector<uint8_t>> again =
        Encode(upright.pixels.view(), {GetParam(), 95}, upright.metadata);
    ASSERT_TRUE(again.ok());
    const DecodedImage reread = DecodeOrDie(*again, /*autorotate=*/false);
    EXPECT_EQ(reread.info.orientation, 1);
    EXPECT_EQ(reread.pixels.size(), upright.pixels.size());
  }
}

// The formats whose libvips loaders read an orientation tag: EXIF in JPEG and WebP, TIFF's own.
INSTANTIATE_TEST_SUITE_P(TaggedFormats, OrientationTest, ::testing::Values("jpg", "webp", "tif"));

TEST(OrientationInfoTest, HeaderReportsTheStoredAndDisplayedSizes) {
  ImageInfo info;
  info.width = 40;
  info.height = 30;
  for (int orientation = 1; orientation <= 8; ++orientation) {
    info.orientation = orientation;
    const bool swapped = orientation >= 5;
    EXPECT_EQ(info.displayed_width(), swapped ? 30 : 40);
    EXPECT_EQ(info.displayed_height(), swapped ? 40 : 30);
  }
}

}  // namespace
}  // namespace pixflow::io
