// Atomic file writes: the final name holds either nothing or the whole file.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "pixflow/io/codec.h"

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

class AtomicWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pixflow_atomic_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<fs::path> Files() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir_)) files.push_back(entry.path());
    return files;
  }

  fs::path dir_;
};

TEST_F(AtomicWriterTest, AtomicWriteReplacesTheFileWhole) {
  const std::vector<uint8_t> first(1000, 1), second(3000, 2);
  const fs::path target = dir_ / "out.bin";
  ASSERT_TRUE(WriteFileAtomically(target, first).ok());
  ASSERT_TRUE(WriteFileAtomically(target, second).ok());
  EXPECT_EQ(fs::file_size(target), 3000u);
  EXPECT_EQ(Files().size(), 1u) << "a temporary file was left behind";
}

TEST_F(AtomicWriterTest, FailedWriteLeavesNeitherTargetNorTemporary) {
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

TEST_F(AtomicWriterTest, WriteIntoAMissingFolderFailsCleanly) {
  const std::vector<uint8_t> payload(10, 1);
  const Status status = WriteFileAtomically(dir_ / "nope" / "x.bin", payload);
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_TRUE(Files().empty());
}

}  // namespace
}  // namespace pixflow::io
