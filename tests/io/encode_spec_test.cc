// Parsing "fmt[k=v,...]" encode specs and --background colours.
#include <gtest/gtest.h>

#include "pixflow/io/encoder.h"

namespace pixflow::io {
namespace {

std::string ErrorOf(std::string_view text) {
  Result<EncodeSpec> spec = ParseEncodeSpec(text);
  EXPECT_FALSE(spec.ok()) << text << " parsed";
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
  return spec.status().message();
}

TEST(EncodeSpecTest, ParsesTheExamplesFromTheIssue) {
  Result<EncodeSpec> jpg = ParseEncodeSpec("jpg[Q=85,progressive]");
  ASSERT_TRUE(jpg.ok()) << jpg.status().message();
  EXPECT_EQ(jpg->format, "jpg");
  EXPECT_EQ(jpg->quality, 85);
  EXPECT_EQ(jpg->options, (std::vector<EncodeOption>{{"progressive", "true"}}));

  Result<EncodeSpec> webp = ParseEncodeSpec("webp[Q=80,lossless,effort=4]");
  ASSERT_TRUE(webp.ok()) << webp.status().message();
  EXPECT_EQ(webp->quality, 80);
  EXPECT_EQ(webp->options, (std::vector<EncodeOption>{{"lossless", "true"}, {"effort", "4"}}));

  Result<EncodeSpec> png = ParseEncodeSpec("png[compression=6]");
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png->options, (std::vector<EncodeOption>{{"compression", "6"}}));

  Result<EncodeSpec> avif = ParseEncodeSpec("avif[Q=50]");
  ASSERT_TRUE(avif.ok());
  EXPECT_EQ(avif->format, "avif");
  EXPECT_EQ(avif->quality, 50);
}

TEST(EncodeSpecTest, AliasesAndCaseGiveTheCanonicalName) {
  EXPECT_EQ(ParseEncodeSpec("jpeg")->format, "jpg");
  EXPECT_EQ(ParseEncodeSpec("JPG")->format, "jpg");
  EXPECT_EQ(ParseEncodeSpec("tiff[compression=lzw]")->format, "tif");
  EXPECT_EQ(ParseEncodeSpec("heic")->format, "heif");
  EXPECT_EQ(ParseEncodeSpec("ppm")->format, "pnm");
  EXPECT_EQ(ParseEncodeSpec(" webp [ Q = 70 ] ")->quality, 70);
  EXPECT_TRUE(ParseEncodeSpec("png[]").ok());
}

TEST(EncodeSpecTest, BooleansAcceptTheUsualSpellings) {
  EXPECT_EQ(ParseEncodeSpec("webp[lossless=yes]")->options[0].value, "true");
  EXPECT_EQ(ParseEncodeSpec("webp[lossless=0]")->options[0].value, "false");
  EXPECT_EQ(ParseEncodeSpec("webp[lossless=OFF]")->options[0].value, "false");
  EXPECT_NE(ErrorOf("webp[lossless=maybe]").find("not a boolean"), std::string::npos);
}

TEST(EncodeSpecTest, UnknownKeysSayWhatTheFormatTakes) {
  const std::string message = ErrorOf("jpg[Q=85,lossless]");
  EXPECT_NE(message.find("unknown option 'lossless'"), std::string::npos) << message;
  EXPECT_NE(message.find("progressive"), std::string::npos) << message;
  // Keys are per format: effort is a WebP key, not a JPEG one; PNM has no quality.
  EXPECT_NE(ErrorOf("jpg[effort=4]").find("effort"), std::string::npos);
  EXPECT_NE(ErrorOf("pnm[Q=90]").find("unknown option 'Q'"), std::string::npos);
}

TEST(EncodeSpecTest, ValuesAreCheckedAgainstTheirRange) {
  EXPECT_NE(ErrorOf("jpg[Q=0]").find("out of range (1-100)"), std::string::npos);
  EXPECT_NE(ErrorOf("jpg[Q=101]").find("out of range"), std::string::npos);
  EXPECT_NE(ErrorOf("jpg[Q=8.5]").find("out of range"), std::string::npos);
  EXPECT_NE(ErrorOf("jpg[Q=abc]").find("Q=abc"), std::string::npos);
  EXPECT_NE(ErrorOf("webp[effort=7]").find("0-6"), std::string::npos);
  EXPECT_NE(ErrorOf("png[compression=10]").find("0-9"), std::string::npos);
  EXPECT_NE(ErrorOf("tif[compression=lzma]").find("none|lzw|deflate"), std::string::npos);
  EXPECT_TRUE(ParseEncodeSpec("gif[dither=0.5]").ok());
  EXPECT_NE(ErrorOf("gif[dither=2]").find("0-1"), std::string::npos);
}

TEST(EncodeSpecTest, MalformedSpecsAreRejected) {
  EXPECT_NE(ErrorOf("bmp").find("unknown output format 'bmp'"), std::string::npos);
  EXPECT_NE(ErrorOf("jpg[Q=80").find("brackets"), std::string::npos);
  EXPECT_NE(ErrorOf("jpg[Q=80]x").find("brackets"), std::string::npos);
  EXPECT_NE(ErrorOf("jpg[Q=80][progressive]").find("brackets"), std::string::npos);
  EXPECT_NE(ErrorOf("jpg[Q=80,Q=90]").find("given twice"), std::string::npos);
  EXPECT_NE(ErrorOf("jpg[Q]").find("needs a value"), std::string::npos);
  EXPECT_NE(ErrorOf("jpg[=5]").find("no name"), std::string::npos);
  EXPECT_NE(ErrorOf("").find("unknown output format"), std::string::npos);
}

TEST(EncodeSpecTest, FormattingParsesBackToTheSameSpec) {
  for (const char* text : {"jpg[Q=85,progressive]", "webp[Q=80,lossless,effort=4]", "png",
                           "tif[compression=deflate,predictor=horizontal]", "gif[dither=0.25]"}) {
    Result<EncodeSpec> spec = ParseEncodeSpec(text);
    ASSERT_TRUE(spec.ok()) << text;
    Result<EncodeSpec> again = ParseEncodeSpec(FormatEncodeSpec(*spec));
    ASSERT_TRUE(again.ok()) << FormatEncodeSpec(*spec);
    EXPECT_EQ(again->format, spec->format);
    EXPECT_EQ(again->quality, spec->quality);
    EXPECT_EQ(again->options, spec->options);
  }
  EXPECT_EQ(FormatEncodeSpec(*ParseEncodeSpec("jpeg[progressive,Q=85]")),
            "jpg[Q=85,progressive=true]");
}

TEST(EncodeSpecTest, EveryFormatDescribesItsKeys) {
  for (const std::string& format : EncodeFormats()) {
    Result<std::string> keys = DescribeEncodeKeys(format);
    ASSERT_TRUE(keys.ok()) << format;
    EXPECT_FALSE(keys->empty()) << format;
  }
  EXPECT_EQ(*DescribeEncodeKeys("pnm"), "ascii (bool)");
}

TEST(EncodeSpecTest, SpecOptionsReachTheSaver) {
  // Progressive JPEG has an SOF2 marker (FF C2); baseline has SOF0 (FF C0).
  Result<Image8> image = Image8::Create(64, 64, 3);
  ASSERT_TRUE(image.ok());
  for (int y = 0; y < 64; ++y) {
    for (int i = 0; i < 192; ++i) image->Row(y)[i] = static_cast<uint8_t>(i + y);
  }
  auto has_marker = [](const std::vector<uint8_t>& bytes, uint8_t marker) {
    for (size_t i = 0; i + 1 < bytes.size(); ++i) {
      if (bytes[i] == 0xFF && bytes[i + 1] == marker) return true;
    }
    return false;
  };
  Result<std::vector<uint8_t>> progressive =
      Encode(image->view(), *ParseEncodeSpec("jpg[Q=85,progressive]"));
  Result<std::vector<uint8_t>> baseline = Encode(image->view(), *ParseEncodeSpec("jpg[Q=85]"));
  ASSERT_TRUE(progressive.ok() && baseline.ok());
  EXPECT_TRUE(has_marker(*progressive, 0xC2));
  EXPECT_FALSE(has_marker(*baseline, 0xC2));
  // A lower quality gives fewer bytes.
  Result<std::vector<uint8_t>> small = Encode(image->view(), *ParseEncodeSpec("jpg[Q=20]"));
  ASSERT_TRUE(small.ok());
  EXPECT_LT(small->size(), baseline->size());
}

TEST(BackgroundTest, ParsesEveryForm) {
  using Rgb = std::array<uint8_t, 3>;
  EXPECT_EQ(*ParseBackground("white"), (Rgb{255, 255, 255}));
  EXPECT_EQ(*ParseBackground("black"), (Rgb{0, 0, 0}));
  EXPECT_EQ(*ParseBackground("#ff8000"), (Rgb{255, 128, 0}));
  EXPECT_EQ(*ParseBackground("#f80"), (Rgb{255, 136, 0}));
  EXPECT_EQ(*ParseBackground("10,20,30"), (Rgb{10, 20, 30}));
  EXPECT_EQ(*ParseBackground("128"), (Rgb{128, 128, 128}));
  for (const char* bad : {"", "#12345", "#gg0000", "1,2", "1,2,3,4", "256", "-1", "red", "1,,3"}) {
    Result<std::array<uint8_t, 3>> colour = ParseBackground(bad);
    EXPECT_FALSE(colour.ok()) << bad;
    if (!colour.ok()) {
      EXPECT_NE(colour.status().message().find("--background"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace pixflow::io
