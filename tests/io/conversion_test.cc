// Inputs that are not 8-bit sRGB: 16-bit, CMYK, palette, grey+alpha, 1-bit and ICC-tagged
// images all arrive as the 8-bit interchange format, converted the way a viewer would show them.
// The inputs are built here: TIFFs by hand (the format is simple enough to write directly),
// 16-bit and 1-bit PNGs with OpenCV, an ICC profile with lcms2.
#include <gtest/gtest.h>
#include <lcms2.h>

#include <cmath>
#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pixflow/io/codec.h"
#include "test_util.h"

namespace pixflow::io {
namespace {

using Bytes = std::vector<uint8_t>;

// An uncompressed, single-strip, little-endian baseline TIFF.
struct TiffImage {
  int width;
  int height;
  int samples;      // per pixel
  int bits;         // per sample: 1, 8 or 16
  int photometric;  // 1 black-is-zero, 2 RGB, 5 separated (CMYK)
  bool alpha;       // the last sample is unassociated alpha
  Bytes pixels;     // rows as stored (1-bit rows padded to a byte)
};

Bytes EncodeTiff(const TiffImage& image) {
  struct Entry {
    uint16_t tag, type;
    uint32_t count, value;
  };
  constexpr uint16_t kShort = 3, kLong = 4;
  const uint32_t entries = image.alpha ? 11 : 10;
  const uint32_t ifd_size = 2 + entries * 12 + 4;
  const uint32_t bits_offset = 8 + ifd_size;  // BitsPerSample values, when they do not fit
  const uint32_t data_offset = bits_offset + 2 * static_cast<uint32_t>(image.samples);
  const uint32_t bits = static_cast<uint32_t>(image.bits);
  std::vector<Entry> ifd = {
      {256, kLong, 1, static_cast<uint32_t>(image.width)},
      {257, kLong, 1, static_cast<uint32_t>(image.height)},
      {258, kShort, static_cast<uint32_t>(image.samples),
       image.samples <= 2 ? bits | bits << 16 : bits_offset},
      {259, kShort, 1, 1},  // no compression
      {262, kShort, 1, static_cast<uint32_t>(image.photometric)},
      {273, kLong, 1, data_offset},
      {277, kShort, 1, static_cast<uint32_t>(image.samples)},
      {278, kLong, 1, static_cast<uint32_t>(image.height)},
      {279, kLong, 1, static_cast<uint32_t>(image.pixels.size())},
      {284, kShort, 1, 1},  // interleaved
  };
  if (image.alpha) ifd.push_back({338, kShort, 1, 2});  // ExtraSamples: unassociated alpha
  Bytes out = {'I', 'I', 42, 0, 8, 0, 0, 0};
  auto put = [&](uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
  };
  put(entries, 2);
  for (const Entry& entry : ifd) {
    put(entry.tag, 2);
    put(entry.type, 2);
    put(entry.count, 4);
    put(entry.value, 4);
  }
  put(0, 4);  // no next IFD
  for (int s = 0; s < image.samples; ++s) put(bits, 2);
  out.insert(out.end(), image.pixels.begin(), image.pixels.end());
  return out;
}

void PutLittle16(Bytes& out, int value) {
  out.push_back(static_cast<uint8_t>(value & 0xFF));
  out.push_back(static_cast<uint8_t>(value >> 8));
}

DecodedImage DecodeOrDie(std::span<const uint8_t> bytes, const std::string& name,
                         const DecodeOptions& options = {}) {
  Result<DecodedImage> decoded = Decode(bytes, name, options);
  EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  return decoded.ok() ? std::move(decoded).value() : DecodedImage{};
}

TEST(ConversionTest, SixteenBitPngBecomesEightBit) {
  // Every 8-bit level v stored as v * 257, the exact 16-bit equivalent: it must come back as v.
  const Image8 rgb = test::RandomImage(61, 29, 3, 4);
  cv::Mat bgr, wide;
  cv::cvtColor(test::AsMat(rgb.view()), bgr, cv::COLOR_RGB2BGR);
  bgr.convertTo(wide, CV_16UC3, 257.0);
  std::vector<uchar> png;
  ASSERT_TRUE(cv::imencode(".png", wide, png));
  const DecodedImage decoded = DecodeOrDie(png, "wide.png");
  EXPECT_EQ(decoded.info.bit_depth, 16);
  EXPECT_EQ(decoded.info.color_space, "rgb16");
  ASSERT_EQ(decoded.pixels.size(), rgb.size());
  EXPECT_EQ(test::MaxAbsDiff(decoded.pixels.view(), rgb.view()), 0);
}

TEST(ConversionTest, SixteenBitGreyWithAlphaKeepsBothChannels) {
  TiffImage tiff{7, 5, 2, 16, 1, true, {}};
  for (int i = 0; i < 35; ++i) {
    PutLittle16(tiff.pixels, (i * 7 % 256) * 257);  // grey
    PutLittle16(tiff.pixels, (255 - i) * 257);      // alpha
  }
  const DecodedImage decoded = DecodeOrDie(EncodeTiff(tiff), "grey16_alpha.tif");
  ASSERT_EQ(decoded.pixels.size(), (Size{7, 5, 2}));
  EXPECT_TRUE(decoded.info.has_alpha);
  for (int i = 0; i < 35; ++i) {
    const uint8_t* pixel = decoded.pixels.Row(i / 7) + 2 * (i % 7);
    EXPECT_EQ(pixel[0], i * 7 % 256) << i;
    EXPECT_EQ(pixel[1], 255 - i) << i;
  }
}

TEST(ConversionTest, CmykBecomesRgbThroughAColourProfile) {
  // Patches: no ink, full black, full cyan, full magenta. Without an embedded profile libvips
  // uses its built-in CMYK profile, so the colours are judged, not matched to a number.
  TiffImage tiff{4, 1, 4, 8, 5, false, {0, 0, 0, 0, 0, 0, 0, 255, 255, 0, 0, 0, 0, 255, 0, 0}};
  const DecodedImage decoded = DecodeOrDie(EncodeTiff(tiff), "cmyk.tif");
  EXPECT_EQ(decoded.info.color_space, "cmyk");
  ASSERT_EQ(decoded.pixels.size(), (Size{4, 1, 3}));
  const uint8_t* p = decoded.pixels.Row(0);
  EXPECT_GT(std::min({p[0], p[1], p[2]}), 220) << "paper white";
  EXPECT_LT(std::max({p[3], p[4], p[5]}), 70) << "black";
  EXPECT_LT(p[6], 100) << "cyan has little red";
  EXPECT_GT(p[8], 150) << "cyan is blue-green";
  EXPECT_LT(p[10], 100) << "magenta has little green";
  EXPECT_GT(p[9], 150) << "magenta is red-blue";
}

TEST(ConversionTest, OneBitImagesBecomeBlackAndWhiteGrey) {
  // 10 pixels a row, MSB first, rows padded to 2 bytes; 1 is white (black-is-zero).
  TiffImage tiff{10, 2, 1, 1, 1, false, {0b10110000, 0b01000000, 0b01001111, 0b10000000}};
  // (libvips 8.14 does not record a TIFF's stored depth: info says 8, the decoded sample size.)
  const DecodedImage tif = DecodeOrDie(EncodeTiff(tiff), "bilevel.tif");
  ASSERT_EQ(tif.pixels.size(), (Size{10, 2, 1}));
  const int expected[2][10] = {{1, 0, 1, 1, 0, 0, 0, 0, 0, 1}, {0, 1, 0, 0, 1, 1, 1, 1, 1, 0}};
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 10; ++x) EXPECT_EQ(tif.pixels.Row(y)[x], expected[y][x] * 255) << x;
  }

  cv::Mat bilevel(9, 13, CV_8UC1, cv::Scalar(0));
  bilevel(cv::Rect(2, 2, 5, 4)).setTo(255);
  std::vector<uchar> png;
  ASSERT_TRUE(cv::imencode(".png", bilevel, png, {cv::IMWRITE_PNG_BILEVEL, 1}));
  const DecodedImage decoded = DecodeOrDie(png, "bilevel.png");
  EXPECT_EQ(decoded.info.bit_depth, 1);
  ASSERT_EQ(decoded.pixels.channels(), 1);
  EXPECT_EQ(test::MaxAbsDiff(decoded.pixels.view(), test::AsView(bilevel)), 0);
}

TEST(ConversionTest, PaletteImagesBecomeRgb) {
  // Four colours fit any palette exactly.
  Image8 image = std::move(Image8::Create(16, 16, 3).value());
  const uint8_t colours[4][3] = {{200, 30, 30}, {30, 200, 30}, {30, 30, 200}, {250, 250, 250}};
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) std::memcpy(image.Row(y) + 3 * x, colours[(x / 4 + y / 4) % 4], 3);
  }
  Result<std::vector<uint8_t>> png = Encode(image.view(), *ParseEncodeSpec("png[palette]"));
  ASSERT_TRUE(png.ok()) << png.status().message();
  const DecodedImage decoded = DecodeOrDie(*png, "palette.png");
  EXPECT_LE(decoded.info.bit_depth, 8);
  ASSERT_EQ(decoded.pixels.size(), image.size());
  EXPECT_EQ(test::MaxAbsDiff(decoded.pixels.view(), image.view()), 0);
}

TEST(ConversionTest, GreyWithAlphaStaysTwoChannels) {
  TiffImage tiff{3, 1, 2, 8, 1, true, {10, 255, 128, 128, 250, 0}};
  const DecodedImage decoded = DecodeOrDie(EncodeTiff(tiff), "grey_alpha.tif");
  ASSERT_EQ(decoded.pixels.size(), (Size{3, 1, 2}));
  EXPECT_EQ(std::vector<uint8_t>(decoded.pixels.Row(0), decoded.pixels.Row(0) + 6), tiff.pixels);
}

// An RGB profile with sRGB's primaries and white but a linear (gamma 1.0) response.
Bytes LinearRgbProfile() {
  const cmsCIExyY d65{0.3127, 0.3290, 1.0};
  const cmsCIExyYTRIPLE primaries{{0.64, 0.33, 1.0}, {0.30, 0.60, 1.0}, {0.15, 0.06, 1.0}};
  cmsToneCurve* linear = cmsBuildGamma(nullptr, 1.0);
  cmsToneCurve* curves[3] = {linear, linear, linear};
  cmsHPROFILE profile = cmsCreateRGBProfile(&d65, &primaries, curves);
  cmsUInt32Number size = 0;
  cmsSaveProfileToMem(profile, nullptr, &size);
  Bytes bytes(size);
  cmsSaveProfileToMem(profile, bytes.data(), &size);
  cmsCloseProfile(profile);
  cmsFreeToneCurve(linear);
  return bytes;
}

TEST(ConversionTest, EmbeddedProfilesAreConvertedToSrgbUnlessKept) {
  // Mid grey (128) in linear light is sRGB 1.055 * (128/255)^(1/2.4) - 0.055 = 0.7367 -> 188.
  Image8 grey = std::move(Image8::Create(8, 8, 3).value());
  for (int y = 0; y < 8; ++y) std::memset(grey.Row(y), 128, 24);
  ImageMetadata tagged;
  tagged.icc = LinearRgbProfile();
  Result<std::vector<uint8_t>> png = Encode(grey.view(), {"png", 0}, tagged);
  ASSERT_TRUE(png.ok()) << png.status().message();

  const DecodedImage converted = DecodeOrDie(*png, "linear.png");
  EXPECT_TRUE(converted.info.has_icc);
  EXPECT_TRUE(converted.metadata.icc.empty()) << "the pixels are sRGB now";
  // lcms converts through a Lab connection space with 8-bit output: within 2 levels.
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(converted.pixels.Row(4)[12 + c], 188, 2);

  DecodeOptions keep;
  keep.metadata.keep_icc = true;
  const DecodedImage kept = DecodeOrDie(*png, "linear.png", keep);
  EXPECT_EQ(kept.pixels.Row(4)[12], 128);
  EXPECT_EQ(kept.metadata.icc, tagged.icc);
  Result<std::vector<uint8_t>> again = Encode(kept.pixels.view(), {"jpg", 95}, kept.metadata);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(DecodeOrDie(*again, "linear.jpg", keep).info.has_icc);

  // --strip: nothing at all.
  DecodeOptions strip;
  strip.metadata = kStripMetadata;
  const DecodedImage stripped = DecodeOrDie(*png, "linear.png", strip);
  EXPECT_TRUE(stripped.metadata.icc.empty());
  EXPECT_TRUE(stripped.metadata.exif.empty());
}

TEST(ConversionTest, KeepListParses) {
  EXPECT_TRUE(ParseKeepList("icc,exif")->keep_icc);
  EXPECT_TRUE(ParseKeepList("icc,exif")->keep_exif);
  EXPECT_FALSE(ParseKeepList("icc")->keep_exif);
  EXPECT_FALSE(ParseKeepList("none")->keep_icc);
  Result<MetadataOptions> bad = ParseKeepList("icc,xmp");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'xmp'"), std::string::npos);
}

}  // namespace
}  // namespace pixflow::io
