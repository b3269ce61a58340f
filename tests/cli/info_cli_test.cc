// `pixflow info` end to end: runs the built binary on files made here and checks its output,
// its JSON and its exit codes (0 ok, 1 some file unreadable, 2 usage error).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pixflow/io/codec.h"
#include "test_util.h"

extern char** environ;

namespace pixflow {
namespace {

namespace fs = std::filesystem;

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the pixflow binary with `args`, collecting stdout and stderr (both drained together,
// so neither pipe can fill and stall the child).
ProcessResult RunPixflow(const std::vector<std::string>& args) {
  int out_pipe[2], err_pipe[2];
  EXPECT_EQ(::pipe2(out_pipe, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(err_pipe, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  std::vector<std::string> argv_strings = {PIXFLOW_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, PIXFLOW_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ProcessResult run;
  EXPECT_EQ(spawned, 0) << "cannot run " << PIXFLOW_BINARY;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&run.out, &run.err};
  int open_pipes = 2;
  while (spawned == 0 && open_pipes > 0 && ::poll(fds, 2, 30000) > 0) {
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else {
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  if (spawned == 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
  }
  return run;
}

class InfoCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pixflow_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, std::span<const uint8_t> bytes) const {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path.string();
  }
  std::string WriteImage(const std::string& name, int width, int height, int channels,
                         const char* format, int orientation = 1) const {
    const Image8 image = test::SceneImage(width, height, channels);
    io::ImageMetadata metadata;
    metadata.orientation = orientation;
    Result<std::vector<uint8_t>> bytes = io::Encode(image.view(), {format, 90}, metadata);
    EXPECT_TRUE(bytes.ok()) << bytes.status().message();
    return Write(name, *bytes);
  }

  fs::path dir_;
};

TEST_F(InfoCliTest, TextOutputDescribesEachFile) {
  const std::string jpeg = WriteImage("rotated.jpg", 64, 48, 3, "jpg", 6);
  const std::string png = WriteImage("logo.png", 30, 20, 4, "png");
  const ProcessResult run = RunPixflow({"info", jpeg, png});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_NE(run.out.find(jpeg + ": jpeg, 64x48 (displayed 48x64), 3 bands, 8-bit, srgb, "
                                "orientation 6, no ICC profile, 1 frame, limits ok\n"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find(png + ": png, 30x20, 4 bands with alpha, 8-bit, srgb, orientation 1"),
            std::string::npos)
      << run.out;
}

TEST_F(InfoCliTest, JsonOutputHasEveryField) {
  const std::string jpeg = WriteImage("rotated.jpg", 64, 48, 3, "jpg", 6);
  const std::string grey = WriteImage("grey.png", 16, 8, 1, "png");
  const ProcessResult run = RunPixflow({"info", "--json", jpeg, grey});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json report = nlohmann::json::parse(run.out);
  ASSERT_EQ(report.size(), 2u);
  const nlohmann::json& first = report[0];
  EXPECT_EQ(first["file"], jpeg);
  EXPECT_EQ(first["format"], "jpeg");
  EXPECT_EQ(first["width"], 64);
  EXPECT_EQ(first["height"], 48);
  EXPECT_EQ(first["displayed_width"], 48);
  EXPECT_EQ(first["bands"], 3);
  EXPECT_EQ(first["bit_depth"], 8);
  EXPECT_EQ(first["color_space"], "srgb");
  EXPECT_EQ(first["orientation"], 6);
  EXPECT_EQ(first["icc"], false);
  EXPECT_EQ(first["frames"], 1);
  EXPECT_EQ(first["within_limits"], true);
  EXPECT_EQ(first["trusted"], true);
  EXPECT_EQ(report[1]["color_space"], "b-w");
  EXPECT_EQ(report[1]["bands"], 1);
}

TEST_F(InfoCliTest, AnUnreadableFileExitsOneAndTheOthersAreStillReported) {
  const std::string good = WriteImage("good.png", 8, 8, 3, "png");
  const std::string text = "plain text";
  const std::string bad =
      Write("bad.jpg", std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  const std::string missing = (dir_ / "missing.png").string();
  const ProcessResult run = RunPixflow({"info", "--json", bad, good, missing});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(bad + ": not a recognised image format"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(missing + ": no such file"), std::string::npos) << run.err;
  const nlohmann::json report = nlohmann::json::parse(run.out);
  ASSERT_EQ(report.size(), 3u);
  EXPECT_EQ(report[0]["code"], "decode error");
  EXPECT_EQ(report[1]["format"], "png");
  EXPECT_EQ(report[2]["code"], "I/O error");
}

TEST_F(InfoCliTest, LimitsVerdictIsReportedNotFailed) {
  const std::string png = WriteImage("small.png", 40, 30, 3, "png");
  ProcessResult run = RunPixflow({"info", "--json", "--max-pixels", "1000", png});
  EXPECT_EQ(run.exit_code, 0) << "the header was read; the verdict is information";
  nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report[0]["within_limits"], false);
  EXPECT_NE(report[0]["limits"].get<std::string>().find("40x30 is 1200 pixels"), std::string::npos);
  run = RunPixflow({"info", png});
  EXPECT_NE(run.out.find("limits ok"), std::string::npos);
}

TEST_F(InfoCliTest, UntrustedFormatsNeedTheFlag) {
  const std::string svg_text =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"20\"></svg>";
  const std::string svg = Write(
      "drawing.svg", std::span(reinterpret_cast<const uint8_t*>(svg_text.data()), svg_text.size()));
  ProcessResult run = RunPixflow({"info", svg});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("SVG input is blocked"), std::string::npos) << run.err;
  run = RunPixflow({"info", "--allow-untrusted", svg});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("svg (untrusted), 10x20"), std::string::npos) << run.out;
}

TEST_F(InfoCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunPixflow({}).exit_code, 2);
  EXPECT_EQ(RunPixflow({"info"}).exit_code, 2);
  EXPECT_EQ(RunPixflow({"info", "--no-such-flag", "x.png"}).exit_code, 2);
  EXPECT_EQ(RunPixflow({"info", "--max-pixels", "lots", "x.png"}).exit_code, 2);
  EXPECT_EQ(RunPixflow({"frobnicate"}).exit_code, 2);
  const ProcessResult help = RunPixflow({"info", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--json"), std::string::npos);
}

}  // namespace
}  // namespace pixflow
