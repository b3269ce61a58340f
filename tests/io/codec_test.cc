// Codec round trips, format detection from bytes, errors on corrupt input, atomic writes.
#include "pixflow/io/codec.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

class CodecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pixflow_codec_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, std::span<const uint8_t> bytes) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  std::vector<fs::path> Files() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir_)) files.push_back(entry.path());
    return files;
  }

  fs::path dir_;
};

TEST_F(CodecTest, PngRoundTripIsExactForEveryChannelCount) {
  for (int channels = 1; channels <= 4; ++channels) {
    Image8 image = test::RandomImage(67, 13, channels, static_cast<uint32_t>(channels));
    Result<std::vector<uint8_t>> png = Encode(image.view(), {"png", 0});
    ASSERT_TRUE(png.ok()) << png.status().message();
    Result<Image8> back = DecodeBuffer(*png, "round-trip.png");
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->size(), image.size()) << channels;
    EXPECT_EQ(test::MaxAbsDiff(back->view(), image.view()), 0) << channels;
  }
}

TEST_F(CodecTest, LossyRoundTripsStayClose) {
  Image8 photo = test::RealImage("fruits.jpg", 3);
  // Tolerances: JPEG Q90 and WebP Q90 on a real photograph keep PSNR well above 35 dB.
  for (const char* format : {"jpg", "webp"}) {
    Result<std::vector<uint8_t>> bytes = Encode(photo.view(), {format, 90});
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    Result<Image8> back = DecodeBuffer(*bytes, format);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_GE(test::Psnr(back->view(), photo.view()), 35.0) << format;
  }
}

TEST_F(CodecTest, FormatComesFromTheBytesNotTheName) {
  Image8 image = test::SceneImage(40, 30, 3);
  Result<std::vector<uint8_t>> png = Encode(image.view(), {"png", 0});
  ASSERT_TRUE(png.ok());
  const fs::path misnamed = Write("actually_png.jpg", *png);
  Result<Image8> decoded = DecodeFile(misnamed);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(test::MaxAbsDiff(decoded->view(), image.view()), 0);
}

TEST_F(CodecTest, CorruptInputGivesAnErrorNamingTheFile) {
  Image8 image = test::SceneImage(200, 150, 3);
  Result<std::vector<uint8_t>> jpg = Encode(image.view(), {"jpg", 85});
  ASSERT_TRUE(jpg.ok());
  const std::vector<uint8_t> truncated(jpg->begin(), jpg->begin() + jpg->size() / 2);
  const std::vector<uint8_t> nothing;
  const std::vector<uint8_t> garbage(4096, 0x5A);
  for (const auto& [name, bytes] :
       {std::pair{"truncated.jpg", truncated}, std::pair{"empty.png", nothing},
        std::pair{"garbage.webp", garbage}}) {
    const fs::path path = Write(name, bytes);
    Result<Image8> decoded = DecodeFile(path);
    ASSERT_FALSE(decoded.ok()) << name;
    EXPECT_EQ(decoded.status().code(), StatusCode::kDecodeError) << name;
    EXPECT_NE(decoded.status().message().find(path.string()), std::string::npos)
        << decoded.status().message();
  }
  Result<Image8> missing = DecodeFile(dir_ / "no_such_file.png");
  EXPECT_FALSE(missing.ok());
}

TEST_F(CodecTest, UnknownFormatIsRejected) {
  Image8 image = test::SceneImage(8, 8, 3);
  Result<std::vector<uint8_t>> out = Encode(image.view(), {"bmpx", 0});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("bmpx"), std::string::npos);
}

TEST_F(CodecTest, AtomicWriteReplacesTheFileWhole) {
  const std::vector<uint8_t> first(1000, 1), second(3000, 2);
  const fs::path target = dir_ / "out.bin";
  ASSERT_TRUE(WriteFileAtomically(target, first).ok());
  ASSERT_TRUE(WriteFileAtomically(target, second).ok());
  EXPECT_EQ(fs::file_size(target), 3000u);
  EXPECT_EQ(Files().size(), 1u) << "a temporary file was left behind";
}

TEST_F(CodecTest, FailedWriteLeavesNeitherTargetNorTemporary) {
  // A file-size limit below the payload makes write() fail part-way (SIGXFSZ ignored -> EFBIG).
  const std::vector<uint8_t> payload(64 * 1024, 7);
  const fs::path target = dir_ / "big.bin";
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto previous = std::signal(SIGXFSZ, SIG_IGN);
  rlimit low = old;
  low.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &low), 0);
  const Status status = WriteFileAtomically(target, payload);
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, previous);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("big.bin"), std::string::npos) << status.message();
  EXPECT_TRUE(Files().empty()) << "left " << Files().front();
}

TEST_F(CodecTest, WriteIntoAMissingFolderFailsCleanly) {
  const std::vector<uint8_t> payload(10, 1);
  const Status status = WriteFileAtomically(dir_ / "nope" / "x.bin", payload);
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_TRUE(Files().empty());
}

}  // namespace
}  // namespace pixflow::io
