// --variant 'LABEL:OPTIONS': the label, the variant's own ops in order, its --format and --name
// (or the command's), shell-style quoting, and an error that quotes the text for each mistake.
#include <gtest/gtest.h>

#include <string>

#include "pixflow/pipeline/convert.h"

namespace pixflow::pipeline {
namespace {

const VariantDefaults kDefaults{"jpg[Q=90]", "{dir}/{name}-{variant}.{ext}",
                                ResizeKernel::kLanczos3};

TEST(ParseVariant, LabelOpsFormatAndName) {
  Result<Variant> variant = ParseVariant(
      "w320:--resize 320x --sharpen=1 --format webp[Q=75] --name "
      "'{variant}/{name} small.{ext}'",
      kDefaults);
  ASSERT_TRUE(variant.ok()) << variant.status().message();
  EXPECT_EQ(variant->label, "w320");
  EXPECT_EQ(variant->ops.Describe(), "--resize 320x --sharpen 1");
  EXPECT_EQ(variant->format.format, "webp");
  EXPECT_EQ(variant->format.quality, 75);
  EXPECT_EQ(variant->name.Render({"2024/a.jpg", "webp", 320, 200, "w320"}).value(),
            "w320/a small.webp");
}

TEST(ParseVariant, FallsBackOnTheCommandsFormatAndName) {
  Result<Variant> variant = ParseVariant("g:--grayscale --brightness -10 --flip", kDefaults);
  ASSERT_TRUE(variant.ok()) << variant.status().message();
  EXPECT_EQ(variant->ops.Describe(), "--grayscale --brightness -10 --flip");
  EXPECT_EQ(variant->format.format, "jpg");
  EXPECT_EQ(variant->format.quality, 90);
  EXPECT_EQ(variant->name.Render({"a.png", "jpg", 10, 10, "g"}).value(), "a-g.jpg");
  // No ops at all is a variant that only re-encodes.
  Result<Variant> bare = ParseVariant("copy:", kDefaults);
  ASSERT_TRUE(bare.ok()) << bare.status().message();
  EXPECT_TRUE(bare->ops.empty());
}

TEST(ParseVariant, ErrorsQuoteTheTextAndSayWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"no-colon", "expected LABEL:OPTIONS"},
      {":--flip", "expected LABEL:OPTIONS"},
      {"a b:--flip", "expected LABEL:OPTIONS"},
      {"a:--frobnicate", "unknown option --frobnicate"},
      {"a:--resize", "--resize needs a value"},
      {"a:--resize --flip", "--resize needs a value"},
      {"a:--flip=yes", "--flip takes no value"},
      {"a:320x", "unexpected '320x'"},
      {"a:-r 320x", "unexpected '-r'"},
      {"a:--format png --format jpg", "--format is given twice"},
      {"a:--name '{name}.{ext}", "unclosed ' quote"},
      {"a:--resize 0x0", "--resize '0x0'"},
      {"a:--format bmpx", "bmpx"},
      {"a:--name {nope}.{ext}", "unknown field {nope}"},
  };
  for (const auto& [text, why] : cases) {
    Result<Variant> variant = ParseVariant(text, kDefaults);
    ASSERT_FALSE(variant.ok()) << text;
    EXPECT_EQ(variant.status().code(), StatusCode::kInvalidArgument) << text;
    const std::string message = variant.status().message();
    EXPECT_EQ(message.rfind("--variant '" + std::string(text) + "'", 0), 0u) << message;
    EXPECT_NE(message.find(why), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace pixflow::pipeline
