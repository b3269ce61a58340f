// Atomic file writes: the final name holds nothing (or the previous file) or the whole new
// file, after errors, a file-size limit, a kill -9, or two writers racing.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "pixflow/io/atomic_file_writer.h"

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

using Existing = AtomicFileWriter::Existing;
using Staging = AtomicFileWriter::Staging;

// Every test runs with both staging strategies: O_TMPFILE (this machine's ext4 has it) and the
// hidden named file other file systems get.
class AtomicWriterTest : public ::testing::TestWithParam<Staging> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ =
        fs::temp_directory_path() / ("pixflow_atomic_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  static Status WriteAll(const fs::path& path, std::span<const uint8_t> bytes,
                         Existing existing = Existing::kReplace) {
    PIXFLOW_ASSIGN_OR_RETURN(AtomicFileWriter writer,
                             AtomicFileWriter::Open(path, existing, GetParam()));
    PIXFLOW_RETURN_IF_ERROR(writer.Write(bytes));
    return writer.Commit();
  }
  static Bytes Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
  }

  fs::path dir_;
};

// A file-size limit below the payload makes write() fail part-way with EFBIG (SIGXFSZ is
// ignored for the duration): the "disk full" of a test that cannot fill a disk.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &old_);
    previous_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit low = old_;
    low.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &low);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, previous_);
  }

 private:
  rlimit old_{};
  void (*previous_)(int) = nullptr;
};

TEST_P(AtomicWriterTest, CommitReplacesTheFileWhole) {
  const Bytes first(1000, 1), second(3000, 2);
  const fs::path target = dir_ / "out.bin";
  ASSERT_TRUE(WriteAll(target, first).ok());
  ASSERT_TRUE(WriteAll(target, second).ok());
  EXPECT_EQ(Read(target), second);
  EXPECT_EQ(Names(), std::vector<std::string>{"out.bin"}) << "a temporary file was left behind";
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::owner_read, fs::perms::owner_read);
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::others_read, fs::perms::others_read);
}

TEST_P(AtomicWriterTest, NothingIsVisibleUntilCommit) {
  const fs::path target = dir_ / "pieces.bin";
  Result<AtomicFileWriter> writer = AtomicFileWriter::Open(target, Existing::kReplace, GetParam());
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  Bytes expected;
  for (uint8_t piece = 0; piece < 5; ++piece) {
    const Bytes bytes(777, piece);
    ASSERT_TRUE(writer->Write(bytes).ok());
    expected.insert(expected.end(), bytes.begin(), bytes.end());
    EXPECT_FALSE(fs::exists(target));
  }
  ASSERT_TRUE(writer->Commit().ok());
  EXPECT_EQ(Read(target), expected);
  EXPECT_FALSE(writer->Commit().ok()) << "commits once";
}

TEST_P(AtomicWriterTest, AnUncommittedWriterLeavesNothing) {
  {
    Result<AtomicFileWriter> writer =
        AtomicFileWriter::Open(dir_ / "abandoned.bin", Existing::kReplace, GetParam());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer->Write(Bytes(4096, 9)).ok());
    AtomicFileWriter moved = std::move(*writer);  // the moved-from writer owns nothing
  }
  EXPECT_TRUE(Names().empty());
}

TEST_P(AtomicWriterTest, AFailedWriteLeavesNeitherTargetNorTemporary) {
  const fs::path target = dir_ / "big.bin";
  Status status;
  {
    const FileSizeLimit limit(4096);
    status = WriteAll(target, Bytes(64 * 1024, 7));
  }
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("big.bin: write: File too large"), std::string::npos)
      << status.message();
  EXPECT_TRUE(Names().empty()) << "left " << Names().front();
}

TEST_P(AtomicWriterTest, AFailedReplacementKeepsTheOldFile) {
  const fs::path target = dir_ / "keep.bin";
  const Bytes old_contents(1000, 3);
  ASSERT_TRUE(WriteAll(target, old_contents).ok());
  Status status;
  {
    const FileSizeLimit limit(4096);
    status = WriteAll(target, Bytes(64 * 1024, 4));
  }
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(Read(target), old_contents);
  EXPECT_EQ(Names(), std::vector<std::string>{"keep.bin"});
}

TEST_P(AtomicWriterTest, KillNineMidWriteLeavesNothingUnderTheFinalName) {
  // "fast" forks, so the child writes into this test's folder (a re-executed child would make its
  // own). This binary runs no other threads while it does.
  GTEST_FLAG_SET(death_test_style, "fast");
  const fs::path target = dir_ / "killed.bin";
  EXPECT_EXIT(
      {
        Result<AtomicFileWriter> writer =
            AtomicFileWriter::Open(target, Existing::kReplace, GetParam());
        if (writer.ok() && writer->Write(Bytes(1 << 20, 5)).ok()) std::raise(SIGKILL);
        std::exit(1);
      },
      ::testing::KilledBySignal(SIGKILL), "");
  EXPECT_FALSE(fs::exists(target));
  if (GetParam() == Staging::kAuto) {
    // With O_TMPFILE the kernel reclaims the unnamed file: nothing at all is left.
    EXPECT_TRUE(Names().empty()) << "left " << Names().front();
  } else {
    // A killed process cannot remove its hidden file; it is hidden and never the final name.
    ASSERT_EQ(Names().size(), 1u);
    EXPECT_EQ(Names().front().rfind(".killed.bin.pixflow-", 0), 0u) << Names().front();
  }
}

TEST_P(AtomicWriterTest, KeepRefusesToReplaceAnExistingFile) {
  const fs::path target = dir_ / "existing.bin";
  const Bytes original(100, 1);
  ASSERT_TRUE(WriteAll(target, original).ok());
  const Status status = WriteAll(target, Bytes(200, 2), Existing::kKeep);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), target.string() + ": already exists");
  EXPECT_EQ(Read(target), original);
  EXPECT_EQ(Names(), std::vector<std::string>{"existing.bin"});
  EXPECT_TRUE(WriteAll(dir_ / "new.bin", original, Existing::kKeep).ok());
}

TEST_P(AtomicWriterTest, RacingWritersLeaveOneWholeFile) {
  const fs::path target = dir_ / "raced.bin";
  std::vector<std::thread> writers;
  for (uint8_t id = 1; id <= 4; ++id) {
    writers.emplace_back([&, id] {
      for (int round = 0; round < 10; ++round) {
        EXPECT_TRUE(WriteAll(target, Bytes(200000, id)).ok());
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  const Bytes result = Read(target);
  ASSERT_EQ(result.size(), 200000u);
  EXPECT_EQ(std::count(result.begin(), result.end(), result.front()), 200000)
      << "bytes from two writers interleaved";
  EXPECT_EQ(Names(), std::vector<std::string>{"raced.bin"});
}

TEST_P(AtomicWriterTest, WriteIntoAMissingFolderFailsCleanly) {
  const Status status = WriteAll(dir_ / "nope" / "x.bin", Bytes(10, 1));
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("nope/x.bin: cannot create a file in"), std::string::npos)
      << status.message();
  EXPECT_TRUE(Names().empty());
}

TEST_P(AtomicWriterTest, AFolderInTheWayIsAnError) {
  fs::create_directories(dir_ / "taken");
  const Status status = WriteAll(dir_ / "taken", Bytes(10, 1));
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_TRUE(fs::is_directory(dir_ / "taken"));
  EXPECT_EQ(Names(), std::vector<std::string>{"taken"});
}

TEST(AtomicWriterFunctionTest, WriteFileAtomicallyIsOpenWriteCommit) {
  const fs::path target =
      fs::temp_directory_path() / ("pixflow_atomic_fn_" + std::to_string(::getpid()));
  ASSERT_TRUE(WriteFileAtomically(target, Bytes(10, 1)).ok());
  EXPECT_EQ(fs::file_size(target), 10u);
  EXPECT_FALSE(WriteFileAtomically(target, Bytes(10, 1), Existing::kKeep).ok());
  fs::remove(target);
}

INSTANTIATE_TEST_SUITE_P(BothStagings, AtomicWriterTest,
                         ::testing::Values(Staging::kAuto, Staging::kHiddenFile),
                         [](const ::testing::TestParamInfo<Staging>& param_info) {
                           return param_info.param == Staging::kAuto ? "Auto" : "HiddenFile";
                         });

}  // namespace
}  // namespace pixflow::io
