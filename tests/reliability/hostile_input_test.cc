// The fault matrix, inputs (docs/reliability.md): hostile and unusual files in a batch of good
// ones. Each bad file fails alone, named with the stage and the reason; every good image is
// written whole; nothing else lands in the output folder; exit code and report agree.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <random>

#include "crafted_files.h"
#include "fault_fixture.h"

namespace pixflow::test {
namespace {

class HostileInputTest : public FaultMatrixTest {
 protected:
  // Two good photos in `in/` beside whatever the test adds.
  std::vector<fs::path> AddGoodPhotos() const {
    return {CopyPhoto("fruits.jpg", "in/good/fruits.jpg"),
            WritePhotoCrop("baboon.jpg", 64, 48, "in/good/baboon.png")};
  }
};

TEST_F(HostileInputTest, DecompressionBombHeadersAreRefusedFromTheHeader) {
  const std::vector<fs::path> good = AddGoodPhotos();
  const std::string jpeg = Encoded("jpg", 64, 48);
  const std::string gif = Encoded("gif", 64, 48);
  const std::vector<BadInput> bad = {
      {WriteFile("in/bomb_png.png", PngClaiming(100000, 100000)), "decode", "100000x100000"},
      {WriteFile("in/bomb_jpg.jpg", JpegClaiming(jpeg, 60000, 60000)), "decode", "60000x60000"},
      {WriteFile("in/bomb_gif.gif", GifClaiming(gif, 65535, 65535)), "decode", "65535x65535"},
  };
  const ProcessResult run = RunPixflow(Command(At("in"), At("out"), {"--resize", "50%"}));
  ExpectOutcome(run, At("out"), {1, good, bad});
  EXPECT_TRUE(Contains(run.err, "pixels")) << run.err;
  // 100000 x 100000 x 3 bytes would be 30 GB: a refusal from the header allocates nothing big.
  const nlohmann::json summary = ReadReport(At("report.json")).back()["summary"];
  EXPECT_LT(summary["peak_rss_kib"].get<uint64_t>(), 512u * 1024u) << summary;
  // `pixflow info` reads the same header and gives the verdict under the same defaults.
  const ProcessResult info = RunPixflow({"info", bad[0].path.string()});
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_TRUE(Contains(info.out, "100000x100000")) << info.out;
  EXPECT_TRUE(Contains(info.out, "limits exceeded")) << info.out;
  EXPECT_TRUE(Contains(info.out, "268402689")) << info.out;
}

// VP8 cannot claim more than 16383 x 16383, the default --max-pixels (sharp's limit too): a
// WebP bomb is refused by a lower limit, and a canvas larger than VP8 allows is a decode error.
TEST_F(HostileInputTest, WebpBombsAreRefused) {
  const std::vector<fs::path> good = AddGoodPhotos();
  const std::string webp = Encoded("webp", 64, 48);
  std::string canvas = WebpClaiming(webp, 64, 48);
  canvas[24] = canvas[25] = canvas[26] = '\xFF';  // a 16777216-wide canvas around a 64px frame
  const std::vector<BadInput> bad = {
      {WriteFile("in/bomb.webp", WebpClaiming(webp, 16383, 16383)), "decode", "16383x16383"},
      {WriteFile("in/canvas.webp", canvas), "decode", "webp"},
  };
  const ProcessResult run = RunPixflow(Command(At("in"), At("out"), {"--max-pixels", "100000000"}));
  ExpectOutcome(run, At("out"), {1, good, bad});
}

// Cut at the header, a third, two thirds and one byte short of the end. One byte short, a PNG
// loses only the last byte of its IEND chunk's CRC and a GIF its trailer: every pixel is there,
// so they convert, exactly (PNG output) as the intact file does.
TEST_F(HostileInputTest, TruncatedFilesFailAtEveryOffset) {
  std::vector<fs::path> good = AddGoodPhotos();
  std::vector<BadInput> bad;
  for (const char* format : {"jpg", "png", "webp", "gif", "tif"}) {
    const std::string bytes = Encoded(format, 96, 64);
    WriteFile(fmt::format("intact/{}.{}", format, format), bytes);
    for (const size_t cut :
         {size_t{20}, bytes.size() / 3, bytes.size() * 2 / 3, bytes.size() - 1}) {
      const fs::path path =
          WriteFile(fmt::format("in/{}_cut{}.{}", format, cut, format), bytes.substr(0, cut));
      const bool only_the_trailer = cut == bytes.size() - 1 && (std::string_view(format) == "png" ||
                                                                std::string_view(format) == "gif");
      if (only_the_trailer) {
        good.push_back(path);
      } else {
        bad.push_back({path, "decode", ""});
      }
    }
  }
  const ProcessResult run = RunPixflow(Command(At("in"), At("out"), {"--format", "png"}));
  ExpectOutcome(run, At("out"), {1, good, bad});
  for (const char* format : {"png", "gif"}) {
    const std::string stem = fmt::format(
        "{}_cut{}", format, fs::file_size(At(fmt::format("intact/{}.{}", format, format))) - 1);
    EXPECT_EQ(MaxAbsDiff(Pixels(At(fmt::format("out/{}.png", stem))).view(),
                         Pixels(At(fmt::format("intact/{}.{}", format, format))).view()),
              0)
        << stem;
  }
}

TEST_F(HostileInputTest, ZeroByteFilesFail) {
  const std::vector<fs::path> good = AddGoodPhotos();
  std::vector<BadInput> bad;
  for (const char* name :
       {"in/empty_jpg.jpg", "in/empty_png.png", "in/empty_webp.webp", "in/empty_gif.gif"}) {
    bad.push_back({WriteFile(name, ""), "decode", "empty"});
  }
  const ProcessResult run = RunPixflow(Command(At("in"), At("out")));
  ExpectOutcome(run, At("out"), {1, good, bad});
}

TEST_F(HostileInputTest, RandomBytesWithImageExtensionsFail) {
  const std::vector<fs::path> good = AddGoodPhotos();
  std::mt19937 random(8);
  std::vector<BadInput> bad;
  for (const char* name :
       {"in/noise_jpg.jpg", "in/noise_png.png", "in/noise_webp.webp", "in/noise_tif.tif"}) {
    std::string noise(4096, '\0');
    for (char& c : noise) c = static_cast<char>(random());
    bad.push_back({WriteFile(name, noise), "decode", ""});
  }
  const ProcessResult run = RunPixflow(Command(At("in"), At("out")));
  ExpectOutcome(run, At("out"), {1, good, bad});
}

TEST_F(HostileInputTest, PngWithABadCrcFails) {
  const std::vector<fs::path> good = AddGoodPhotos();
  const std::vector<BadInput> bad = {
      {WriteFile("in/crc.png", WithBadIdatCrc(Encoded("png", 96, 64))), "decode", ""}};
  const ProcessResult run = RunPixflow(Command(At("in"), At("out")));
  ExpectOutcome(run, At("out"), {1, good, bad});
}

// The content decides the format, not the name.
TEST_F(HostileInputTest, WrongExtensionsStillConvert) {
  std::vector<fs::path> good = AddGoodPhotos();
  good.push_back(WriteFile("in/png.jpg", Encoded("png", 40, 30)));
  good.push_back(WriteFile("in/jpeg.png", Encoded("jpg", 41, 30)));
  good.push_back(WriteFile("in/webp.gif", Encoded("webp", 42, 30)));
  const ProcessResult run = RunPixflow(Command(At("in"), At("out"), {"--format", "png"}));
  const auto records = ExpectOutcome(run, At("out"), {0, good, {}});
  EXPECT_EQ(records.at(Reported(good[2]))["input_format"], "png");
  EXPECT_EQ(records.at(Reported(good[3]))["input_format"], "jpeg");
  EXPECT_EQ(records.at(Reported(good[4]))["input_format"], "webp");
  EXPECT_EQ(SizeOf(At("out/webp.png")), (Size{42, 30, 3}));
}

TEST_F(HostileInputTest, SvgAndPdfAreBlockedByDefault) {
  const std::vector<fs::path> good = AddGoodPhotos();
  const std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"50\"><rect "
      "width=\"100\" height=\"50\" fill=\"red\"/></svg>\n";
  const std::string pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
  const std::vector<BadInput> bad = {
      {WriteFile("in/drawing.svg", svg), "decode", "SVG input is blocked"},
      {WriteFile("in/disguised.png", svg), "decode", "SVG input is blocked"},
      {WriteFile("in/document.pdf", pdf), "decode", "PDF input is blocked"},
  };
  const ProcessResult run = RunPixflow(Command(At("in"), At("out")));
  ExpectOutcome(run, At("out"), {1, good, bad});
  EXPECT_TRUE(Contains(run.err, "--allow-untrusted")) << run.err;
}

// The alpha is flattened onto the background and the 16 bits reduced to 8.
TEST_F(HostileInputTest, SixteenBitRgbaBecomesAnOpaqueJpeg) {
  std::vector<fs::path> good = AddGoodPhotos();
  good.push_back(WriteFile("in/deep.png", Rgba16Png(64, 48)));
  const ProcessResult run = RunPixflow(Command(At("in"), At("out"), {"--format", "jpg"}));
  ExpectOutcome(run, At("out"), {0, good, {}});
  EXPECT_EQ(SizeOf(At("out/deep.jpg")), (Size{64, 48, 3}));
}

TEST_F(HostileInputTest, CmykJpegBecomesRgb) {
  std::vector<fs::path> good = AddGoodPhotos();
  good.push_back(WriteFile("in/print.jpg", CmykJpeg(64, 48)));
  const ProcessResult run = RunPixflow(Command(At("in"), At("out"), {"--format", "png"}));
  ExpectOutcome(run, At("out"), {0, good, {}});
  EXPECT_EQ(SizeOf(At("out/print.png")), (Size{64, 48, 3}));
}

// Each orientation is written upright (the library's own upright decode, exactly: PNG output)
// and tagged 1, so no viewer rotates it again.
TEST_F(HostileInputTest, EveryExifOrientationIsWrittenUpright) {
  const Image8 stored = RandomImage(37, 23, 3, 11);
  std::vector<fs::path> good;
  for (int orientation = 1; orientation <= 8; ++orientation) {
    io::ImageMetadata tag;
    tag.orientation = orientation;
    Result<std::vector<uint8_t>> bytes = io::Encode(stored.view(), {"jpg", 95}, tag);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    good.push_back(WriteFile(fmt::format("in/o{}.jpg", orientation), Bytes(*bytes)));
  }
  const ProcessResult run = RunPixflow(Command(At("in"), At("out"), {"--format", "png"}));
  ExpectOutcome(run, At("out"), {0, good, {}});
  for (int orientation = 1; orientation <= 8; ++orientation) {
    SCOPED_TRACE(fmt::format("orientation {}", orientation));
    const fs::path written_path = At(fmt::format("out/o{}.png", orientation));
    const Image8 written = Pixels(written_path);
    const Image8 upright = Pixels(At(fmt::format("in/o{}.jpg", orientation)));
    ASSERT_EQ(written.size(), upright.size());
    EXPECT_EQ(written.size(), orientation >= 5 ? (Size{23, 37, 3}) : (Size{37, 23, 3}));
    EXPECT_EQ(MaxAbsDiff(written.view(), upright.view()), 0);
    EXPECT_EQ(io::ReadInfo(written_path)->orientation, 1);
  }
}

TEST_F(HostileInputTest, AnimationsGiveTheirFirstFrame) {
  std::vector<fs::path> good = AddGoodPhotos();
  good.push_back(WriteFile("in/anim_gif.gif", ThreeFrameAnimation(".gif", 40, 30)));
  good.push_back(WriteFile("in/anim_webp.webp", ThreeFrameAnimation(".webp[lossless]", 40, 30)));
  const ProcessResult run = RunPixflow(Command(At("in"), At("out"), {"--format", "png"}));
  ExpectOutcome(run, At("out"), {0, good, {}});
  for (const char* name : {"anim_gif.png", "anim_webp.png"}) {
    const Image8 frame = Pixels(At("out") / name);
    ASSERT_EQ(frame.size(), (Size{40, 30, frame.channels()})) << name;
    EXPECT_NEAR(frame.Row(15)[20 * frame.channels()], 220, 6) << name << ": not the red frame";
    EXPECT_NEAR(frame.Row(15)[20 * frame.channels() + 1], 30, 6) << name;
  }
}

TEST_F(HostileInputTest, OnePixelAndOnePixelWideImagesConvert) {
  std::vector<fs::path> good = AddGoodPhotos();
  good.push_back(WriteFile("in/dot.png", Encoded("png", 1, 1)));
  good.push_back(WriteFile("in/thread.png", Encoded("png", 1, 20000)));
  good.push_back(WriteFile("in/line.png", Encoded("png", 20000, 1)));
  const ProcessResult run = RunPixflow(Command(At("in"), At("out"), {"--resize", "50%"}));
  ExpectOutcome(run, At("out"), {0, good, {}});
  EXPECT_EQ(SizeOf(At("out/dot.jpg")), (Size{1, 1, 3}));
  EXPECT_EQ(SizeOf(At("out/thread.jpg")), (Size{1, 10000, 3}));
  EXPECT_EQ(SizeOf(At("out/line.jpg")), (Size{10000, 1, 3}));
}

// A space, a newline and bytes that are not UTF-8 survive into the output name, the report
// (JSON-escaped) and the error messages.
TEST_F(HostileInputTest, FileNamesWithSpacesNewlinesAndNonUtf8Bytes) {
  std::vector<fs::path> good = AddGoodPhotos();
  const std::string png = Encoded("png", 40, 30);
  good.push_back(WriteFile("in/with space.png", png));
  good.push_back(WriteFile("in/new\nline.png", png));
  good.push_back(WriteFile("in/latin1 \xE9t\xE9.png", png));
  const std::vector<BadInput> bad = {
      {WriteFile("in/bad \xFF\nname.png", "not a png"), "decode", ""}};
  const ProcessResult run = RunPixflow(Command(At("in"), At("out")));
  ExpectOutcome(run, At("out"), {1, good, bad});
  for (const char* name : {"with space.jpg", "new\nline.jpg", "latin1 \xE9t\xE9.jpg"}) {
    EXPECT_EQ(SizeOf(At("out") / name), (Size{40, 30, 3})) << name;
  }
}

}  // namespace
}  // namespace pixflow::test
