// Hostile and broken inputs, all generated here: truncated files of every format at several
// offsets, empty files, random bytes, a PNG with a bad CRC, headers claiming huge sizes, wrong
// extensions, SVG and PDF. Each must give a specific error naming the file: no crash, no hang,
// no leak (the suite also runs under ASan).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "pixflow/io/codec.h"
#include "test_util.h"

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

class CorruptInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pixflow_corrupt_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, std::span<const uint8_t> bytes) const {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  // Decoding `path` fails with `code` and a message that starts with the path.
  static std::string ExpectFailure(const fs::path& path, StatusCode code,
                                   const DecodeOptions& options = {}) {
    Result<DecodedImage> decoded = Decode(path, options);
    EXPECT_FALSE(decoded.ok()) << path << " decoded";
    if (decoded.ok()) return "";
    const std::string message = decoded.status().message();
    EXPECT_EQ(decoded.status().code(), code) << message;
    EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0u) << message;
    return message;
  }

  fs::path dir_;
};

Bytes EncodeScene(const char* format, int channels = 3) {
  const Image8 image = test::SceneImage(96, 64, channels, 3);
  Result<Bytes> bytes = Encode(image.view(), {format, 0});
  EXPECT_TRUE(bytes.ok()) << format << ": " << bytes.status().message();
  return bytes.ok() ? *bytes : Bytes{};
}

uint32_t Crc32(std::span<const uint8_t> bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void AppendBigEndian(Bytes& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

void AppendPngChunk(Bytes& out, const char* type, const Bytes& data) {
  AppendBigEndian(out, static_cast<uint32_t>(data.size()));
  Bytes typed(type, type + 4);
  typed.insert(typed.end(), data.begin(), data.end());
  out.insert(out.end(), typed.begin(), typed.end());
  AppendBigEndian(out, Crc32(typed));
}

// A well-formed PNG header (valid CRCs) claiming width x height RGB, with a token IDAT.
Bytes PngClaiming(uint32_t width, uint32_t height) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  Bytes ihdr;
  AppendBigEndian(ihdr, width);
  AppendBigEndian(ihdr, height);
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8-bit RGB, deflate, no filter, no interlace
  AppendPngChunk(png, "IHDR", ihdr);
  AppendPngChunk(png, "IDAT", {0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
  AppendPngChunk(png, "IEND", {});
  return png;
}

// Offset of the first byte after `marker` (FF xx) in a JPEG.
size_t JpegMarker(const Bytes& jpeg, uint8_t marker) {
  for (size_t i = 0; i + 1 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == marker) return i;
  }
  ADD_FAILURE() << "marker " << int{marker} << " not found";
  return 0;
}

long PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST_F(CorruptInputTest, TruncatedFilesOfEveryFormatFailNamingTheFile) {
  for (const char* format : {"jpg", "png", "webp", "tif", "gif", "pnm", "avif", "heif"}) {
    const Bytes whole = EncodeScene(format);
    ASSERT_GT(whole.size(), 100u) << format;
    const size_t n = whole.size();
    for (const size_t offset : {size_t{1}, size_t{7}, size_t{20}, n / 4, n / 2, 3 * n / 4}) {
      SCOPED_TRACE(std::string(format) + " cut at " + std::to_string(offset));
      const fs::path path =
          Write("cut_" + std::to_string(offset) + "." + format, std::span(whole).first(offset));
      ExpectFailure(path, StatusCode::kDecodeError);
    }
  }
}

TEST_F(CorruptInputTest, EmptyFilesSaySo) {
  for (const char* name : {"empty.jpg", "empty.png", "empty.webp", "empty.avif", "empty"}) {
    const std::string message = ExpectFailure(Write(name, {}), StatusCode::kDecodeError);
    EXPECT_NE(message.find("empty file (0 bytes)"), std::string::npos) << message;
  }
  Result<DecodedImage> buffer = Decode(std::span<const uint8_t>(), "empty buffer");
  ASSERT_FALSE(buffer.ok());
  EXPECT_EQ(buffer.status().message(), "empty buffer: empty file (0 bytes)");
}

TEST_F(CorruptInputTest, RandomBytesWithAnImageExtensionAreNotAnImage) {
  std::mt19937 rng(42);
  Bytes noise(4096);
  for (uint8_t& byte : noise) byte = static_cast<uint8_t>(rng());
  const std::string text = "just some notes, not a picture\n";
  for (const char* extension : {".jpg", ".png", ".webp", ".tif", ".gif", ".avif", ".pnm"}) {
    std::string message =
        ExpectFailure(Write(std::string("noise") + extension, noise), StatusCode::kDecodeError);
    EXPECT_NE(message.find("not a recognised image format (starts with"), std::string::npos)
        << message;
    message =
        ExpectFailure(Write(std::string("notes") + extension,
                            std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())),
                      StatusCode::kDecodeError);
    EXPECT_NE(message.find("not a recognised image format"), std::string::npos) << message;
  }
}

TEST_F(CorruptInputTest, PngWithABadCrcFails) {
  const Bytes good = EncodeScene("png");
  // The IHDR CRC sits at bytes 29-32 (8 signature + 4 length + 4 type + 13 data).
  Bytes bad_header = good;
  bad_header[30] ^= 0xFF;
  std::string message =
      ExpectFailure(Write("bad_ihdr_crc.png", bad_header), StatusCode::kDecodeError);
  EXPECT_NE(message.find("CRC"), std::string::npos) << message;
  // The first IDAT's CRC: after its type (4 bytes) and its data (length from the 4 before).
  const std::string_view text(reinterpret_cast<const char*>(good.data()), good.size());
  const size_t idat = text.find("IDAT");
  ASSERT_NE(idat, std::string_view::npos);
  const size_t length = size_t{good[idat - 4]} << 24 | size_t{good[idat - 3]} << 16 |
                        size_t{good[idat - 2]} << 8 | good[idat - 1];
  Bytes bad_crc = good;
  bad_crc[idat + 4 + length] ^= 0xFF;
  message = ExpectFailure(Write("bad_idat_crc.png", bad_crc), StatusCode::kDecodeError);
  EXPECT_NE(message.find("CRC"), std::string::npos) << message;
  // Damaged compressed data fails in zlib before its CRC is even checked.
  Bytes bad_data = good;
  bad_data[idat + 4 + 20] ^= 0x55;
  ExpectFailure(Write("bad_idat_data.png", bad_data), StatusCode::kDecodeError);
}

TEST_F(CorruptInputTest, HugeHeadersAreRefusedFastWithoutAllocating) {
  const fs::path png = Write("huge.png", PngClaiming(100000, 100000));
  Bytes jpeg = EncodeScene("jpg");
  const size_t sof = JpegMarker(jpeg, 0xC0);   // FF C0, length(2), precision(1), height, width
  jpeg[sof + 5] = 0xEA, jpeg[sof + 6] = 0x60;  // 60000
  jpeg[sof + 7] = 0xEA, jpeg[sof + 8] = 0x60;
  const fs::path big_jpeg = Write("huge.jpg", jpeg);

  const long rss_before = PeakRssKb();
  const auto start = std::chrono::steady_clock::now();
  std::string message = ExpectFailure(png, StatusCode::kLimitExceeded);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const long rss_growth_kb = PeakRssKb() - rss_before;
  RecordProperty("refuse_ms", std::to_string(ms));
  EXPECT_NE(message.find("100000x100000"), std::string::npos) << message;
  EXPECT_NE(message.find("10000000000 pixels"), std::string::npos) << message;
  EXPECT_NE(message.find("268402689"), std::string::npos) << message;
  // Measured about 1 ms; the bound leaves room for a loaded machine and sanitizers.
  EXPECT_LT(ms, 250.0);
  // 100000 x 100000 x 3 bytes would be 30 GB; a refusal from the header allocates nothing big.
  EXPECT_LT(rss_growth_kb, 64 * 1024);

  message = ExpectFailure(big_jpeg, StatusCode::kLimitExceeded);
  EXPECT_NE(message.find("60000x60000"), std::string::npos) << message;

  // The header itself reads fine: `info` can describe what it refuses.
  Result<ImageInfo> info = ReadInfo(png);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->width, 100000);
  EXPECT_EQ(info->height, 100000);
  EXPECT_EQ(CheckLimits(*info, {}, "huge.png").code(), StatusCode::kLimitExceeded);
}

TEST_F(CorruptInputTest, MaxPixelsIsConfigurable) {
  const fs::path path = Write("small.png", EncodeScene("png"));  // 96 x 64 = 6144 pixels
  DecodeOptions options;
  options.limits.max_pixels = 6143;
  const std::string message = ExpectFailure(path, StatusCode::kLimitExceeded, options);
  EXPECT_NE(message.find("96x64"), std::string::npos) << message;
  options.limits.max_pixels = 6144;
  EXPECT_TRUE(Decode(path, options).ok());
  options.limits.max_pixels = 0;  // no limit
  EXPECT_TRUE(Decode(path, options).ok());
}

TEST_F(CorruptInputTest, UntrustedFormatsAreBlockedUnlessAllowed) {
  const std::string svg =
      "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" "
      "height=\"50\"><rect width=\"100\" height=\"50\" fill=\"red\"/></svg>\n";
  const std::span svg_bytes(reinterpret_cast<const uint8_t*>(svg.data()), svg.size());
  for (const char* name : {"drawing.svg", "drawing_in_disguise.png"}) {
    const fs::path path = Write(name, svg_bytes);
    const std::string message = ExpectFailure(path, StatusCode::kUnsupported);
    EXPECT_NE(message.find("SVG input is blocked"), std::string::npos) << message;
    EXPECT_NE(message.find("--allow-untrusted"), std::string::npos) << message;
    DecodeOptions allow;
    allow.limits.allow_untrusted = true;
    Result<DecodedImage> decoded = Decode(path, allow);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_EQ(decoded->info.format, "svg");
    EXPECT_FALSE(decoded->info.trusted);
    EXPECT_EQ(decoded->pixels.width(), 100);
    EXPECT_EQ(decoded->pixels.height(), 50);
  }
  const std::string pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
  const std::string message = ExpectFailure(
      Write("document.pdf", std::span(reinterpret_cast<const uint8_t*>(pdf.data()), pdf.size())),
      StatusCode::kUnsupported);
  EXPECT_NE(message.find("PDF input is blocked"), std::string::npos) << message;
}

TEST_F(CorruptInputTest, FailOnFollowsLibvipsSemantics) {
  const Bytes jpeg = EncodeScene("jpg");
  const fs::path truncated = Write("truncated.jpg", std::span(jpeg).first(jpeg.size() * 3 / 4));
  ExpectFailure(truncated, StatusCode::kDecodeError);  // default: truncated files fail
  DecodeOptions lenient;
  lenient.fail_on = FailOn::kNone;
  Result<DecodedImage> partial = Decode(truncated, lenient);
  ASSERT_TRUE(partial.ok()) << partial.status().message();
  EXPECT_EQ(partial->pixels.width(), 96);

  // Junk before the scan marker is a libjpeg warning: it passes by default and is reported;
  // fail_on=warning refuses it.
  Bytes junk = jpeg;
  const size_t sos = JpegMarker(junk, 0xDA);
  junk.insert(junk.begin() + static_cast<ptrdiff_t>(sos), {0x00, 0x00, 0x00, 0x00});
  const fs::path warned = Write("extraneous.jpg", junk);
  Result<DecodedImage> passed = Decode(warned);
  ASSERT_TRUE(passed.ok()) << passed.status().message();
  ASSERT_FALSE(passed->warnings.empty());
  EXPECT_NE(passed->warnings.front().find("extraneous bytes"), std::string::npos)
      << passed->warnings.front();
  DecodeOptions strict;
  strict.fail_on = FailOn::kWarning;
  ExpectFailure(warned, StatusCode::kDecodeError, strict);

  EXPECT_EQ(*ParseFailOn("error"), FailOn::kError);
  EXPECT_FALSE(ParseFailOn("sometimes").ok());
}

TEST_F(CorruptInputTest, MissingFilesAndFoldersAreIoErrors) {
  std::string message = ExpectFailure(dir_ / "absent.jpg", StatusCode::kIoError);
  EXPECT_NE(message.find("no such file"), std::string::npos) << message;
  fs::create_directories(dir_ / "folder.png");
  message = ExpectFailure(dir_ / "folder.png", StatusCode::kIoError);
  EXPECT_NE(message.find("is a folder"), std::string::npos) << message;
  EXPECT_FALSE(ReadInfo(dir_ / "absent.jpg").ok());
}

TEST_F(CorruptInputTest, ConcurrentFailuresEachNameTheirOwnFile) {
  // libvips' error buffer is process-wide; every message must still name its own file.
  const Bytes png = EncodeScene("png");
  const Bytes jpeg = EncodeScene("jpg");
  std::vector<fs::path> paths;
  for (int i = 0; i < 8; ++i) {
    const Bytes& whole = i % 2 ? png : jpeg;
    paths.push_back(Write("broken_" + std::to_string(i) + (i % 2 ? ".png" : ".jpg"),
                          std::span(whole).first(whole.size() / 2)));
  }
  std::vector<std::thread> threads;
  std::array<int, 8> wrong{};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round) {
        Result<DecodedImage> decoded = Decode(paths[t]);
        if (decoded.ok() || decoded.status().message().rfind(paths[t].string() + ": ", 0) != 0) {
          ++wrong[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(wrong[t], 0) << paths[t];
}

}  // namespace
}  // namespace pixflow::io
