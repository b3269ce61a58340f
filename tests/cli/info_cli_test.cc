// `pixflow info` end to end: runs the built binary on files made here and checks its output,
// its JSON and its exit codes (0 ok, 1 some file unreadable, 2 usage error).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pixflow/io/codec.h"
#include "pixflow_process.h"
#include "test_util.h"

namespace pixflow {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::RunPixflow;

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
