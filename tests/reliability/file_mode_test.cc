// Security: an output is staged in a file only its owner can read (O_EXCL, 0600, or an unnamed
// O_TMPFILE file no one else can reach by name) and gets its final mode, 0666 less the umask as
// for any file the user makes, only once whole.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "confined_run.h"
#include "fault_fixture.h"
#include "pixflow/io/atomic_file_writer.h"

namespace pixflow::test {
namespace {

class FileModeTest : public FaultMatrixTest {
 protected:
  static mode_t ModeOf(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
  }
  // The one hidden staging file in `folder`.
  static fs::path StagingFile(const fs::path& folder) {
    for (const auto& entry : fs::directory_iterator(folder)) {
      if (entry.path().filename().string().front() == '.') return entry.path();
    }
    return {};
  }
};

TEST_F(FileModeTest, StagedAt0600AndCommittedWithTheUmask) {
  const std::vector<uint8_t> bytes = {1, 2, 3};
  for (const mode_t mask : {mode_t{022}, mode_t{027}, mode_t{077}}) {
    SCOPED_TRACE(fmt::format("umask {:o}", mask));
    const mode_t previous = ::umask(mask);
    using Writer = io::AtomicFileWriter;
    const fs::path named = At(fmt::format("named{:o}", mask));
    Result<Writer> writer =
        Writer::Open(named, Writer::Existing::kKeep, Writer::Staging::kHiddenFile);
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    const fs::path staging = StagingFile(dir_);
    ASSERT_FALSE(staging.empty());
    EXPECT_EQ(ModeOf(staging), 0600u) << "readable by others while incomplete";
    ASSERT_TRUE(writer->Write(bytes).ok());
    ASSERT_TRUE(writer->Commit().ok());
    EXPECT_EQ(ModeOf(named), 0666u & ~mask);
    EXPECT_TRUE(StagingFile(dir_).empty());

    const fs::path unnamed = At(fmt::format("unnamed{:o}", mask));
    ASSERT_TRUE(io::WriteFileAtomically(unnamed, bytes, Writer::Existing::kKeep).ok());
    EXPECT_EQ(ModeOf(unnamed), 0666u & ~mask);
    ::umask(previous);
  }
}

TEST_F(FileModeTest, ConvertOutputsFollowTheUmask) {
  CopyPhoto("fruits.jpg", "in/fruits.jpg");
  for (const mode_t mask : {mode_t{002}, mode_t{077}}) {
    SCOPED_TRACE(fmt::format("umask {:o}", mask));
    Confinement confinement;
    confinement.umask = mask;
    const fs::path out = At(fmt::format("out{:o}", mask));
    const ProcessResult run = RunPixflowConfined(Command(At("in"), out), confinement, dir_);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(ModeOf(out / "fruits.jpg"), 0666u & ~mask);
  }
}

}  // namespace
}  // namespace pixflow::test
