// The fault matrix, environment and security (docs/reliability.md): where the output goes and
// what the file system does to it. An output folder inside the input, the input folder itself,
// folders that cannot be written, a disk that fills up mid-batch, symlink loops, two runs into
// one folder at once, and names or links that would lead outside the output folder.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "confined_run.h"
#include "fault_fixture.h"

namespace pixflow::test {
namespace {

class EnvironmentTest : public FaultMatrixTest {
 protected:
  void TearDown() override {
    if (mounted_) ::umount2(At("disk").c_str(), MNT_DETACH);
    FaultMatrixTest::TearDown();
  }
  // A `width`x`height` PNG of noise: it compresses to about its raw size.
  fs::path WriteNoise(const std::string& relative, int width, int height) const {
    Result<std::vector<uint8_t>> png = io::Encode(
        RandomImage(width, height, 3, static_cast<uint32_t>(relative.size())).view(), {"png", 0});
    EXPECT_TRUE(png.ok());
    return WriteFile(relative, png.ok() ? Bytes(*png) : std::string());
  }
  // The inputs whose report record says `status`.
  std::vector<fs::path> WithStatus(const std::string& status) const {
    std::vector<fs::path> inputs;
    for (const nlohmann::json& line : ReadReport(At("report.json"))) {
      if (line.contains("input") && line["status"] == status) {
        inputs.emplace_back(line["input"].get<std::string>());
      }
    }
    return inputs;
  }

  bool mounted_ = false;
};

// A second run must not convert the first run's outputs: the output folder is not walked.
TEST_F(EnvironmentTest, OutputFolderInsideTheInputIsNotReingested) {
  const std::vector<fs::path> good = {CopyPhoto("fruits.jpg", "in/fruits.jpg"),
                                      WritePhotoCrop("baboon.jpg", 64, 48, "in/sub/baboon.png")};
  ProcessResult run = RunPixflow(Command(At("in"), At("in/out")));
  ExpectOutcome(run, At("in/out"), {0, good, {}});
  run = RunPixflow(Command(At("in"), At("in/out")));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json summary = ReadReport(At("report.json")).back()["summary"];
  EXPECT_EQ(summary["images"], 2);
  EXPECT_EQ(summary["skipped"], 2);
  EXPECT_EQ(Tree(At("in/out")), (std::set<std::string>{"fruits.jpg", "sub/", "sub/baboon.jpg"}));
}

// -o names the input folder: refused before anything is written (the walk leaves the output
// folder out, so the run would otherwise find nothing and report success, and converting there
// would feed the outputs to the next run). A folder inside the input is the way to do it.
TEST_F(EnvironmentTest, OutputFolderIsTheInputFolder) {
  CopyPhoto("fruits.jpg", "in/fruits.jpg");
  WritePhotoCrop("baboon.jpg", 64, 48, "in/baboon.png");
  const std::set<std::string> before = Tree(At("in"));
  for (const fs::path& output : {At("in"), At("in/.")}) {
    SCOPED_TRACE(output.string());
    const ProcessResult run = RunPixflow(Command(At("in"), output));
    EXPECT_EQ(run.signal, 0);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_TRUE(Contains(run.err, "is the input folder " + At("in").string())) << run.err;
    EXPECT_EQ(Tree(At("in")), before);
    EXPECT_FALSE(fs::exists(At("report.json"))) << "nothing is started";
  }
}

// Root writes anywhere, so the runs drop to user nobody when the tests run as root.
TEST_F(EnvironmentTest, ReadOnlyOutputFolders) {
  fs::permissions(dir_, fs::perms::all);  // the unprivileged run writes its report here
  const std::vector<fs::path> good = {CopyPhoto("fruits.jpg", "in/fruits.jpg")};
  const fs::path locked_input = WritePhotoCrop("baboon.jpg", 64, 48, "in/locked/baboon.png");
  Confinement unprivileged;
  unprivileged.as_nobody = true;

  // The whole folder: a setup error before any work, exit 2.
  fs::create_directories(At("readonly"));
  fs::permissions(At("readonly"), fs::perms::owner_read | fs::perms::owner_exec);
  ProcessResult run = RunPixflowConfined(Command(At("in"), At("readonly")), unprivileged, dir_);
  if (run.exit_code == 126 && ::geteuid() == 0) {
    GTEST_SKIP() << "root here cannot drop to user nobody (no CAP_SETUID), and root ignores "
                    "folder permissions";
  }
  EXPECT_EQ(run.signal, 0);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_TRUE(Contains(run.err, At("readonly").string() + " is not a writable folder")) << run.err;
  EXPECT_EQ(Tree(At("readonly")), std::set<std::string>{});

  // One subfolder: its image fails at the write, naming the file; the others are written.
  fs::create_directories(At("out/locked"));
  fs::permissions(At("out"), fs::perms::all);
  fs::permissions(At("out/locked"), fs::perms::owner_read | fs::perms::owner_exec);
  run = RunPixflowConfined(Command(At("in"), At("out")), unprivileged, dir_);
  ExpectOutcome(run, At("out"), {1, good, {{locked_input, "write", "Permission denied"}}});
  EXPECT_TRUE(Contains(run.err, At("out/locked/baboon.jpg").string())) << run.err;
}

// A 512 KiB tmpfs fills up part way through: the images that no longer fit fail at the write
// with ENOSPC, the earlier ones stay whole, and no partial file is left taking the space.
TEST_F(EnvironmentTest, FullDiskMidBatch) {
  fs::create_directories(At("disk"));
  if (::mount("pixflow-test", At("disk").c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
              "size=512k,mode=0777") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                 << ": needs CAP_SYS_ADMIN); FileSizeLimitMidBatch covers the same write path";
  }
  mounted_ = true;
  for (int i = 0; i < 16; ++i) WriteNoise(fmt::format("in/noise{}.png", 10 + i), 180, 180);
  const ProcessResult run = RunPixflow(Command(At("in"), At("disk/out"), {"--format", "png"}));
  const std::vector<fs::path> converted = WithStatus("converted");
  std::vector<BadInput> bad;
  for (const fs::path& input : WithStatus("failed")) {
    bad.push_back({input, "write", "No space left on device"});
  }
  EXPECT_GE(converted.size(), 3u);
  EXPECT_GE(bad.size(), 3u);
  ExpectOutcome(run, At("disk/out"), {1, converted, bad});
}

// The same write path without a mount: RLIMIT_FSIZE on the run makes every write past 100 kB
// fail (EFBIG), which is what a full disk does to the image that does not fit.
TEST_F(EnvironmentTest, FileSizeLimitMidBatch) {
  std::vector<fs::path> good = {WritePhotoCrop("fruits.jpg", 64, 48, "in/a/fruits.png")};
  std::vector<BadInput> bad;
  for (int i = 0; i < 3; ++i) {
    good.push_back(WriteNoise(fmt::format("in/small{}.png", i), 40, 30));
    bad.push_back(
        {WriteNoise(fmt::format("in/large{}.png", i), 300, 300), "write", "File too large"});
  }
  Confinement limited;
  limited.max_file_bytes = 100 * 1024;
  const ProcessResult run =
      RunPixflowConfined(Command(At("in"), At("out"), {"--format", "png"}), limited, dir_);
  ExpectOutcome(run, At("out"), {1, good, bad});
}

// A folder linking to its parent, and an input folder linking to itself: each image once.
TEST_F(EnvironmentTest, SymlinkLoopsAreWalkedOnce) {
  const std::vector<fs::path> good = {CopyPhoto("fruits.jpg", "in/fruits.jpg"),
                                      WritePhotoCrop("baboon.jpg", 64, 48, "in/a/baboon.png")};
  fs::create_directory_symlink("..", At("in/a/up"));
  fs::create_directory_symlink(At("in"), At("in/a/self"));
  const ProcessResult run = RunPixflow(Command(At("in"), At("out")));
  ExpectOutcome(run, At("out"), {0, good, {}});
  EXPECT_EQ(ReadReport(At("report.json")).back()["summary"]["images"], 2);
}

// Two identical runs into one folder at once: each output is written by exactly one of them;
// the other finds it there and skips it, whichever got there first.
TEST_F(EnvironmentTest, TwoRunsIntoOneOutputFolderAtOnce) {
  constexpr int kImages = 24;
  std::vector<fs::path> inputs;
  for (int i = 0; i < kImages; ++i) {
    inputs.push_back(WritePhotoCrop("baboon.jpg", 200, 150, fmt::format("in/{}.png", 100 + i)));
  }
  std::vector<pid_t> runs;
  for (const char* report : {"first.json", "second.json"}) {
    runs.push_back(StartPixflow({"convert", Arg("in"), "-o", Arg("out"), "--resize", "300%",
                                 "--blur", "1", "--report", Arg(report), "-j", "1"},
                                At(std::string(report) + ".log")));
  }
  int converted = 0;
  int skipped = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    const ProcessResult done = WaitFor(runs[i]);
    const std::string log = ReadText(At(i == 0 ? "first.json.log" : "second.json.log"));
    EXPECT_EQ(done.signal, 0);
    EXPECT_EQ(done.exit_code, 0) << log;
    const nlohmann::json summary =
        ReadReport(At(i == 0 ? "first.json" : "second.json")).back()["summary"];
    converted += summary["converted"].get<int>();
    skipped += summary["skipped"].get<int>();
  }
  EXPECT_EQ(converted, kImages) << "each output written once";
  EXPECT_EQ(skipped, kImages);
  EXPECT_EQ(Files(At("out")).size(), static_cast<size_t>(kImages));
  for (const std::string& file : Files(At("out"))) ExpectWholeImage(At("out") / file);
  ExpectNoLeftovers(At("out"));
}

// --name may not climb out of the output folder or name an absolute path.
TEST_F(EnvironmentTest, NameTemplatesCannotLeaveTheOutputFolder) {
  const fs::path photo = CopyPhoto("fruits.jpg", "in/fruits.jpg");
  for (const char* name : {"../{name}.{ext}", "{dir}/../../{name}.{ext}", "/tmp/{name}.{ext}"}) {
    SCOPED_TRACE(name);
    const ProcessResult run = RunPixflow(Command(At("in"), At("out"), {"--name", name}));
    EXPECT_EQ(run.signal, 0);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_TRUE(Contains(run.err, "--name")) << run.err;
    EXPECT_EQ(Files(dir_), (std::set<std::string>{"in/fruits.jpg"}));
  }
}

// A symlink inside the output folder that leads out of it (planted by someone else, or left
// from another use) is not followed: that image fails naming the link; the rest are written.
// Input symlinks, absolute or not, are read and written under their own names inside it.
TEST_F(EnvironmentTest, SymlinksCannotLeadOutputsOutOfTheOutputFolder) {
  const fs::path outside = WritePhotoCrop("baboon.jpg", 64, 48, "outside/photo.png");
  std::vector<fs::path> good = {CopyPhoto("fruits.jpg", "in/fruits.jpg")};
  fs::create_directories(At("in/linked"));
  fs::create_symlink(outside, At("in/linked/absolute.png"));
  good.push_back(At("in/linked/absolute.png"));
  const fs::path trapped = WritePhotoCrop("baboon.jpg", 32, 24, "in/sub/trapped.png");
  fs::create_directories(At("out"));
  fs::create_directory_symlink(At("elsewhere"), At("out/sub"));
  fs::create_directories(At("elsewhere"));

  const ProcessResult run = RunPixflow(Command(At("in"), At("out")));
  // The link itself is the one entry in the tree that is not an output.
  fs::remove(At("out/sub"));
  ExpectOutcome(run, At("out"), {1, good, {{trapped, "write", "outside the output folder"}}});
  EXPECT_EQ(Tree(At("elsewhere")), std::set<std::string>{}) << "written through the link";
  EXPECT_EQ(Tree(At("outside")), std::set<std::string>{"photo.png"});
  EXPECT_EQ(SizeOf(At("out/linked/absolute.jpg")), (Size{64, 48, 3}));
}

}  // namespace
}  // namespace pixflow::test
