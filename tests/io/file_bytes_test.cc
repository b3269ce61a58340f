// Reading whole files: every byte as on disk, clear errors naming the file, and memory that goes
// back to the system as soon as the bytes are dropped.
#include "pixflow/io/file_bytes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

class FileBytesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pixflow_file_bytes_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::vector<uint8_t>& bytes) const {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  fs::path dir_;
};

std::vector<uint8_t> RandomBytes(size_t size) {
  std::mt19937 random(static_cast<uint32_t>(size));
  std::vector<uint8_t> bytes(size);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(random());
  return bytes;
}

// Resident memory of this process, from /proc.
[[maybe_unused]] size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

TEST_F(FileBytesTest, HoldsEveryByteOfFilesOfAnySize) {
  // Empty, a byte, either side of a page, and a few megabytes not a whole number of pages.
  for (const size_t size :
       {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}, size_t{(3u << 20) + 17}}) {
    SCOPED_TRACE(size);
    const std::vector<uint8_t> expected = RandomBytes(size);
    Result<FileBytes> read = ReadFileBytes(Write(std::to_string(size) + ".bin", expected));
    ASSERT_TRUE(read.ok()) << read.status().message();
    ASSERT_EQ(read->size(), size);
    EXPECT_EQ(read->empty(), size == 0);
    EXPECT_NE(read->data(), nullptr);
    const std::span<const uint8_t> bytes = *read;
    EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), expected.begin(), expected.end()));
  }
}

TEST_F(FileBytesTest, AMissingFileIsAnIoErrorNamingItAndTheReason) {
  const fs::path missing = dir_ / "missing.jpg";
  Result<FileBytes> read = ReadFileBytes(missing);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kIoError);
  EXPECT_NE(read.status().message().find(missing.string()), std::string::npos);
  EXPECT_NE(read.status().message().find("No such file"), std::string::npos)
      << read.status().message();
}

TEST_F(FileBytesTest, AFolderIsNotARegularFile) {
  Result<FileBytes> read = ReadFileBytes(dir_);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kIoError);
  EXPECT_NE(read.status().message().find(dir_.string() + ": not a regular file"), std::string::npos)
      << read.status().message();
}

TEST_F(FileBytesTest, AFileOverTheLimitIsRefusedBeforeReading) {
  const fs::path path = Write("big.png", RandomBytes(1000));
  EXPECT_TRUE(ReadFileBytes(path, 1000).ok());
  Result<FileBytes> read = ReadFileBytes(path, 999);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kLimitExceeded);
  EXPECT_NE(read.status().message().find(path.string() + ": 1000 bytes, over the limit of 999"),
            std::string::npos)
      << read.status().message();
}

// The bytes are resident as soon as they are allocated (populated up front, not page by page
// as they are read), and freeing them gives the memory back at once: a long batch of files of
// every size holds no more than a short one.
TEST_F(FileBytesTest, MemoryIsResidentWhileHeldAndGivenBackWhenDropped) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's heap keeps freed blocks in quarantine";
#else
  constexpr size_t kSize = size_t{48} << 20;
  constexpr size_t kSlack = size_t{8} << 20;
  const size_t before = ResidentBytes();
  {
    Result<FileBytes> bytes = FileBytes::Allocate(kSize);
    ASSERT_TRUE(bytes.ok());
    EXPECT_GE(ResidentBytes(), before + kSize - kSlack);
  }
  EXPECT_LE(ResidentBytes(), before + kSlack);
#endif
}

}  // namespace
}  // namespace pixflow::io
