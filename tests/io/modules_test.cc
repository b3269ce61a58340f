// libvips' format modules (HEIF, JPEG XL, ImageMagick, OpenSlide, PDF) are loaded the first time
// an image or a format needs them, not when libvips starts: a batch of JPEG and PNG files never
// pays for them, and what needs them still gets them. Each check runs in a fresh process, where
// no earlier test has started libvips.
#include <gtest/gtest.h>
#include <vips/vips.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "pixflow/io/codec.h"
#include "pixflow/io/decoder.h"
#include "pixflow/io/encoder.h"
#include "test_util.h"

namespace pixflow::io {
namespace {

bool Registered(const char* nickname) { return vips_type_find("VipsOperation", nickname) != 0; }

// Runs `checks` in the test binary run again (a "threadsafe" death test): a process where
// libvips starts from scratch. Passes if none of its checks failed.
template <class Checks>
void InFreshProcess(const Checks& checks) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        // Where the user set VIPSHOME, libvips loads the modules from there at start.
        unsetenv("VIPSHOME");
        ASSERT_TRUE(InitCodecs().ok());
        checks();
        std::exit(::testing::Test::HasFailure() ? 1 : 0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(ModulesTest, JpegAndPngNeedNoneAndAvifLoadsThem) {
  InFreshProcess([] {
    EXPECT_FALSE(Registered("heifload_source"));
    const Image8 image = test::SceneImage(64, 48, 3);
    for (const char* format : {"jpg", "png"}) {
      Result<std::vector<uint8_t>> bytes = Encode(image.view(), {format, 0});
      ASSERT_TRUE(bytes.ok()) << bytes.status().message();
      Result<DecodedImage> decoded = Decode(*bytes, std::string("scene.") + format);
      ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    }
    EXPECT_FALSE(Registered("heifload_source"));
    EXPECT_FALSE(Registered("magickload"));

    Result<std::vector<uint8_t>> avif = Encode(image.view(), {"avif", 80});
    ASSERT_TRUE(avif.ok()) << avif.status().message();
    EXPECT_TRUE(Registered("heifload_source"));
    Result<DecodedImage> decoded = Decode(*avif, "scene.avif");
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_EQ(decoded->pixels.size(), image.size());
  });
}

// Bytes no built-in loader takes are judged with the modules in: a PDF is named as a PDF whose
// loader is blocked, not as an unknown format.
TEST(ModulesTest, BytesNoBuiltInLoaderTakesAreJudgedWithTheModules) {
  InFreshProcess([] {
    const std::string pdf = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    Result<DecodedImage> decoded = Decode(std::vector<uint8_t>(pdf.begin(), pdf.end()), "page.pdf");
    ASSERT_FALSE(decoded.ok());
    EXPECT_NE(decoded.status().message().find("page.pdf: PDF input is blocked"), std::string::npos)
        << decoded.status().message();
  });
}

// With untrusted loaders allowed, a module's loader can outrank a built-in one (OpenSlide before
// TIFF), so such a search always has the modules in.
TEST(ModulesTest, AnUntrustedDecodeLoadsThemFirst) {
  InFreshProcess([] {
    const Image8 image = test::SceneImage(32, 24, 3);
    Result<std::vector<uint8_t>> tiff = Encode(image.view(), {"tif", 0});
    ASSERT_TRUE(tiff.ok()) << tiff.status().message();
    EXPECT_FALSE(Registered("openslideload"));
    DecodeOptions options;
    options.limits.allow_untrusted = true;
    Result<DecodedImage> decoded = Decode(*tiff, "scene.tif", options);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_TRUE(Registered("openslideload"));
  });
}

}  // namespace
}  // namespace pixflow::io
