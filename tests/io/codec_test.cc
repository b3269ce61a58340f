// Encode/decode round trips for every output format, format detection from the bytes, alpha
// flattening, and what metadata reaches the output.
#include "pixflow/io/codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <opencv2/core.hpp>

#include "test_util.h"

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

constexpr double kExact = std::numeric_limits<double>::infinity();

// A 256x192 crop of a real photograph: natural content, small enough that the slow encoders
// (AVIF, HEIF, JPEG XL) keep the suite quick.
Image8 PhotoCrop(int channels) {
  const Image8 full = test::RealImage("fruits.jpg", channels);
  return test::CopyOf(test::AsMat(full.view())(cv::Rect(64, 48, 256, 192)));
}

DecodedImage DecodeOrDie(std::span<const uint8_t> bytes, const std::string& name,
                         DecodeOptions options = {}) {
  options.limits.allow_untrusted = true;  // JPEG XL's loader is untrusted in libvips 8.14
  Result<DecodedImage> decoded = Decode(bytes, name, options);
  EXPECT_TRUE(decoded.ok()) << decoded.status().message();
  return decoded.ok() ? std::move(decoded).value() : DecodedImage{};
}

struct RoundTrip {
  const char* spec;
  int channels;
  // Minimum PSNR in dB of decode(encode(x)) against x; kExact for bit-exact formats. Each lossy
  // bound sits about 1 dB under what libvips 8.14 measured on this crop (in the comment).
  double min_psnr;
};

class RoundTripTest : public ::testing::TestWithParam<RoundTrip> {};

TEST_P(RoundTripTest, DecodeOfEncodeStaysWithinTheFormatsTolerance) {
  const RoundTrip& param = GetParam();
  if (Status available = CheckEncoderAvailable(ParseEncodeSpec(param.spec)->format);
      !available.ok()) {
    GTEST_SKIP() << available.message();
  }
  // Lossless formats get SceneImage, whose alpha never reaches 0: lossless WebP may rewrite the
  // colour of fully transparent pixels, which no viewer can see.
  const Image8 image = param.min_psnr == kExact ? test::SceneImage(131, 67, param.channels, 5)
                                                : PhotoCrop(param.channels);
  Result<EncodeSpec> spec = ParseEncodeSpec(param.spec);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  Result<std::vector<uint8_t>> bytes = Encode(image.view(), *spec);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  const DecodedImage back = DecodeOrDie(*bytes, param.spec);
  ASSERT_EQ(back.pixels.size(), image.size());
  const double psnr = test::Psnr(back.pixels.view(), image.view());
  RecordProperty("psnr_db", std::to_string(psnr));
  if (param.min_psnr == kExact) {
    EXPECT_EQ(test::MaxAbsDiff(back.pixels.view(), image.view()), 0);
  } else {
    EXPECT_GE(psnr, param.min_psnr);
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryFormat, RoundTripTest,
    ::testing::Values(RoundTrip{"png", 1, kExact}, RoundTrip{"png", 2, kExact},
                      RoundTrip{"png", 3, kExact}, RoundTrip{"png", 4, kExact},
                      RoundTrip{"tif", 1, kExact}, RoundTrip{"tif", 2, kExact},
                      RoundTrip{"tif", 3, kExact}, RoundTrip{"tif", 4, kExact},
                      RoundTrip{"pnm", 1, kExact}, RoundTrip{"pnm", 3, kExact},
                      RoundTrip{"webp[lossless]", 3, kExact},
                      RoundTrip{"webp[lossless]", 4, kExact}, RoundTrip{"jxl[lossless]", 1, kExact},
                      RoundTrip{"jxl[lossless]", 3, kExact}, RoundTrip{"jxl[lossless]", 4, kExact},
                      RoundTrip{"jpg[Q=90]", 1, 48.0},   // measured 49.3
                      RoundTrip{"jpg[Q=90]", 3, 40.5},   // measured 41.9
                      RoundTrip{"webp[Q=90]", 3, 35.0},  // measured 36.3
                      RoundTrip{"webp[Q=90]", 4, 36.5},  // measured 37.6
                      RoundTrip{"avif[Q=80]", 3, 35.0},  // measured 36.0
                      RoundTrip{"avif[Q=80]", 4, 36.0},  // measured 37.3
                      RoundTrip{"heif[Q=80]", 3, 37.0},  // measured 38.1
                      RoundTrip{"jxl[Q=90]", 1, 44.5},   // measured 45.7
                      RoundTrip{"jxl[Q=90]", 3, 32.0},   // measured 33.2
                      RoundTrip{"gif", 3, 36.0},         // measured 37.4: a 256-colour palette
                      // libvips 8.14 writes "lossless" AVIF through YCbCr, so it is not bit-exact.
                      RoundTrip{"avif[lossless]", 3, 37.0}),  // measured 38.4
    [](const ::testing::TestParamInfo<RoundTrip>& param_info) {
      std::string name =
          std::string(param_info.param.spec) + "_" + std::to_string(param_info.param.channels);
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(CodecTest, EveryFormatIsAvailableInThisLibvips) {
  // Debian 12's libvips has all of them; a build against a smaller libvips skips the round
  // trips above but must say why here.
  for (const std::string& format : EncodeFormats()) {
    const Status status = CheckEncoderAvailable(format);
    EXPECT_TRUE(status.ok()) << status.message();
  }
}

TEST(CodecTest, FormatComesFromTheBytesNotTheName) {
  const fs::path dir = fs::temp_directory_path() / ("pixflow_codec_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const Image8 image = test::SceneImage(40, 30, 3);
  for (const auto& [format, misleading_name] :
       {std::pair{"png", "actually_png.jpg"}, std::pair{"jpg", "actually_jpeg.png"},
        std::pair{"webp", "actually_webp.gif"}, std::pair{"tif", "no_extension"}}) {
    Result<std::vector<uint8_t>> bytes = Encode(image.view(), {format, 0});
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    const fs::path path = dir / misleading_name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes->data()),
               static_cast<std::streamsize>(bytes->size()));
    Result<DecodedImage> decoded = Decode(path);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_EQ(decoded->pixels.size(), image.size()) << misleading_name;
    EXPECT_EQ(decoded->info.format, format == std::string("jpg")   ? "jpeg"
                                    : format == std::string("tif") ? "tiff"
                                                                   : format)
        << misleading_name;
  }
  fs::remove_all(dir);
}

TEST(CodecTest, AlphaIsFlattenedOntoTheBackgroundForFormatsWithoutIt) {
  // Every pixel black at alpha 128 over a red background: 255 * (1 - 128/255) = 127 of red.
  Image8 rgba = std::move(Image8::Create(8, 4, 4).value());
  for (int y = 0; y < 4; ++y) {
    for (int i = 0; i < 32; ++i) rgba.Row(y)[i] = static_cast<uint8_t>(i % 4 == 3 ? 128 : 0);
  }
  EncodeSpec spec{"pnm", 0};  // lossless, no alpha: the flattened values arrive exactly
  spec.background = {255, 0, 0};
  Result<std::vector<uint8_t>> bytes = Encode(rgba.view(), spec);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  const DecodedImage flat = DecodeOrDie(*bytes, "flat.pnm");
  ASSERT_EQ(flat.pixels.channels(), 3);
  EXPECT_EQ(flat.pixels.Row(2)[3 * 5 + 0], 127);
  EXPECT_EQ(flat.pixels.Row(2)[3 * 5 + 1], 0);
  EXPECT_EQ(flat.pixels.Row(2)[3 * 5 + 2], 0);

  // Grey+alpha flattens onto the background's luma: grey 0 at alpha 128 over white is 127.
  Image8 grey_alpha = std::move(Image8::Create(8, 4, 2).value());
  for (int y = 0; y < 4; ++y) {
    for (int i = 0; i < 16; ++i) grey_alpha.Row(y)[i] = static_cast<uint8_t>(i % 2 ? 128 : 0);
  }
  bytes = Encode(grey_alpha.view(), {"pnm", 0});
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  const DecodedImage grey = DecodeOrDie(*bytes, "flat.pgm");
  ASSERT_EQ(grey.pixels.channels(), 1);
  EXPECT_EQ(grey.pixels.Row(1)[3], 127);

  // Formats with alpha keep it.
  bytes = Encode(rgba.view(), {"png", 0});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(DecodeOrDie(*bytes, "alpha.png").pixels.channels(), 4);
}

TEST(CodecTest, OutputCarriesOnlyTheMetadataAskedFor) {
  const Image8 image = test::SceneImage(64, 48, 3);
  // No metadata: nothing is written, not even a fresh EXIF block.
  Result<std::vector<uint8_t>> bare = Encode(image.view(), {"jpg", 90});
  ASSERT_TRUE(bare.ok());
  DecodeOptions keep_all;
  keep_all.metadata = {true, true};
  DecodedImage decoded = DecodeOrDie(*bare, "bare.jpg", keep_all);
  EXPECT_TRUE(decoded.metadata.exif.empty());
  EXPECT_TRUE(decoded.metadata.icc.empty());
  EXPECT_FALSE(decoded.info.has_icc);

  // EXIF kept from an input travels to the output with the orientation reset to 1.
  ImageMetadata rotated;
  rotated.orientation = 8;
  Result<std::vector<uint8_t>> tagged = Encode(image.view(), {"jpg", 90}, rotated);
  ASSERT_TRUE(tagged.ok());
  decoded = DecodeOrDie(*tagged, "tagged.jpg", keep_all);
  EXPECT_EQ(decoded.info.orientation, 8);
  ASSERT_FALSE(decoded.metadata.exif.empty());
  EXPECT_EQ(decoded.metadata.orientation, 1);  // autorotated
  Result<std::vector<uint8_t>> again = Encode(decoded.pixels.view(), {"jpg", 90}, decoded.metadata);
  ASSERT_TRUE(again.ok());
  const DecodedImage reread = DecodeOrDie(*again, "again.jpg", keep_all);
  EXPECT_EQ(reread.info.orientation, 1);
  EXPECT_FALSE(reread.metadata.exif.empty());
  EXPECT_EQ(reread.pixels.size(), decoded.pixels.size());
}

TEST(CodecTest, UnknownFormatIsRejected) {
  const Image8 image = test::SceneImage(8, 8, 3);
  Result<std::vector<uint8_t>> out = Encode(image.view(), {"bmpx", 0});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("bmpx"), std::string::npos);
  EXPECT_NE(out.status().message().find("webp"), std::string::npos) << "lists the known ones";
}

TEST(CodecTest, SaverWarningsAreReturnedInsteadOfPrinted) {
  const Image8 image = test::SceneImage(32, 24, 3);
  // Baseline JPEG cannot honour optimize_scans with any libjpeg: libvips warns "ignoring
  // optimize_scans" (libjpeg-turbo) or "ignoring optimize_scans for baseline" (mozjpeg).
  const Result<EncodeSpec> spec = ParseEncodeSpec("jpg[optimize_scans]");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ::testing::internal::CaptureStderr();
  const Result<EncodedImage> encoded = EncodeWithWarnings(image.view(), *spec);
  const std::string printed = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(encoded.ok()) << encoded.status().message();
  ASSERT_EQ(encoded->warnings.size(), 1u);
  EXPECT_NE(encoded->warnings[0].find("ignoring optimize_scans"), std::string::npos)
      << encoded->warnings[0];
  EXPECT_EQ(printed, "");
  // The bytes are Encode's, which drops the warnings without printing them either.
  ::testing::internal::CaptureStderr();
  const Result<std::vector<uint8_t>> bytes = Encode(image.view(), *spec);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, encoded->bytes);
  EXPECT_EQ(DecodeOrDie(*bytes, "scans.jpg").pixels.size(), image.size());
  // A clean encode has none, and one call's warnings do not leak into the next.
  const Result<EncodedImage> clean = EncodeWithWarnings(image.view(), {"jpg", 80});
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->warnings.empty());
}

// The saver reads the rows where they are, whatever their stride: a window into a larger image
// (rows padded, starting mid-row) encodes as its own copy does, and no second image-sized buffer
// is made (that copy was a third of the memory of a large-photo batch at -j 2).
TEST(CodecTest, EncodeReadsAWindowsRowsInPlace) {
  const Image8 image = test::SceneImage(1400, 900, 3, 7);  // 3.8 MB: a large buffer
  const ConstView8 window = image.view().Sub(13, 5, 1301, 887);
  const Image8 copy = test::CopyOf(test::AsMat(window));
  SetBufferCacheLimit(0);  // the high-water mark restarts from what is live now
  const BufferCacheStats before = GetBufferCacheStats();
  Result<std::vector<uint8_t>> from_window = Encode(window, {"png"});
  ASSERT_TRUE(from_window.ok()) << from_window.status().message();
  const BufferCacheStats after = GetBufferCacheStats();
  SetBufferCacheLimit(std::numeric_limits<size_t>::max());
  EXPECT_EQ(after.peak_live_bytes, before.live_bytes);
  EXPECT_EQ(after.allocated, before.allocated);
  EXPECT_EQ(after.reused, before.reused);

  const DecodedImage back = DecodeOrDie(*from_window, "window.png");
  ASSERT_EQ(back.pixels.size(), window.size());
  EXPECT_EQ(test::MaxAbsDiff(back.pixels.view(), window), 0);
  Result<std::vector<uint8_t>> from_copy = Encode(copy.view(), {"png"});
  ASSERT_TRUE(from_copy.ok());
  EXPECT_EQ(*from_window, *from_copy);
}

TEST(CodecTest, LegacyEntryPointsStillWork) {
  const Image8 image = test::SceneImage(33, 17, 4);
  Result<std::vector<uint8_t>> png = Encode(image.view(), EncodeOptions{"png", 0});
  ASSERT_TRUE(png.ok());
  Result<Image8> back = DecodeBuffer(*png, "legacy.png");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(test::MaxAbsDiff(back->view(), image.view()), 0);
  EXPECT_EQ(*SuffixForFormat("jpeg"), ".jpg");
  EXPECT_EQ(*SuffixForFormat("tiff"), ".tif");
  EXPECT_FALSE(SuffixForFormat("bmpx").ok());
}

}  // namespace
}  // namespace pixflow::io
