// `pixflow convert` end to end when things go wrong or get interrupted: corrupt inputs, usage
// and setup errors (exit 2), the JSON-lines report, single- against multi-threaded output, and
// Ctrl-C. Also `pixflow filters`.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "convert_cli_fixture.h"

namespace pixflow::test {
namespace {

// A corrupt file of each kind fails on its own: exit 1, every good image written, nothing else
// (no partial or temporary file, hidden or not) in the output folder, and the report names each
// bad file with the stage and the reason.
TEST_F(ConvertCliTest, CorruptFilesFailAloneAndAreReported) {
  CopyPhoto("baboon.jpg", "in/baboon.jpg");
  CopyPhoto("fruits.jpg", "in/sub/fruits.jpg");
  CopyPhoto("logo.png", "in/logo.png");
  const std::string jpeg = ReadText(Photo("building.jpg"));
  const std::vector<fs::path> bad = {
      WriteFile("in/truncated.jpg", jpeg.substr(0, jpeg.size() * 2 / 5)),
      WriteFile("in/sub/magic.jpg", std::string("\xFF\xD8\xFF\xE0", 4) + std::string(3000, 'Z')),
      WriteFile("in/empty.png", ""),
      WriteFile("in/notes.jpg", "these are my holiday notes, not a photo\n"),
  };
  const ProcessResult run = RunPixflow(
      {"convert", Arg("in"), "-o", Arg("out"), "--resize", "200x", "--report", Arg("report.json")});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(Tree(At("out")),
            (std::set<std::string>{"baboon.jpg", "logo.jpg", "sub/", "sub/fruits.jpg"}));
  EXPECT_EQ(SizeOf(At("out/sub/fruits.jpg")), (Size{200, 188, 3}));

  const std::vector<nlohmann::json> report = ReadReport(At("report.json"));
  ASSERT_EQ(report.size(), 8u) << "7 images and the summary";
  for (const fs::path& file : bad) {
    SCOPED_TRACE(file.string());
    const nlohmann::json record = RecordFor(report, file);
    ASSERT_FALSE(record.is_null()) << "the report does not name it";
    EXPECT_EQ(record["status"], "failed");
    EXPECT_EQ(record["stage"], "decode");
    EXPECT_TRUE(Contains(record["error"].get<std::string>(), file.string())) << record["error"];
    // An output planned from the header may be listed, but with no bytes, and not on disk.
    for (const nlohmann::json& output : record["outputs"]) {
      EXPECT_EQ(output["bytes"], 0);
      EXPECT_FALSE(fs::exists(output["path"].get<std::string>()));
    }
    EXPECT_TRUE(Contains(run.err, "decode failed: " + file.string())) << run.err;
  }
  const nlohmann::json& summary = report.back()["summary"];
  EXPECT_EQ(summary["images"], 7);
  EXPECT_EQ(summary["converted"], 3);
  EXPECT_EQ(summary["failed"], 4);
  EXPECT_EQ(summary["outputs_written"], 3);
  EXPECT_EQ(summary["exit_code"], 1);
  EXPECT_TRUE(Contains(run.err, "3 converted, 0 skipped, 4 failed")) << run.err;
}

TEST_F(ConvertCliTest, UsageAndSetupErrorsExitTwoAndSayWhatIsWrong) {
  const fs::path photo = CopyPhoto("fruits.jpg", "in/fruits.jpg");
  struct Case {
    std::vector<std::string> flags;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--frobnicate"}, "--frobnicate"},
      {{"--resize", "800y"}, "--resize '800y'"},
      {{"--resize", "0x0"}, "--resize '0x0'"},
      {{"--rotate", "45"}, "must be a multiple of 90"},
      {{"--crop", "big"}, "--crop 'big'"},
      {{"--format", "jpg[quality=5]"}, "quality"},
      {{"--format", "bmpx"}, "bmpx"},
      {{"--name", "{nope}.{ext}"}, "{nope}"},
      {{"--variant", "no-colon"}, "expected LABEL:OPTIONS"},
      {{"--variant", "a:--frobnicate"}, "--frobnicate"},
      {{"--variant", "a:--resize 10x", "--variant", "a:--resize 20x"}, "label 'a' is used twice"},
      {{"-j", "-3"}, "-j"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.flags.front() + " " + c.flags.back());
    std::vector<std::string> args = {"convert", photo.string(), "-o", Arg("out")};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    const ProcessResult run = RunPixflow(args);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_TRUE(Contains(run.err, c.message)) << run.err;
    EXPECT_FALSE(fs::exists(At("out"))) << "nothing is made before the command line is checked";
  }

  const fs::path missing = At("in/missing.jpg");
  ProcessResult run = RunPixflow({"convert", missing.string(), "-o", Arg("out")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(Contains(run.err, missing.string())) << run.err;
  EXPECT_EQ(Files(At("out")), std::set<std::string>{});

  // An output folder that cannot be made: below a regular file (this stops root too).
  WriteFile("blocker", "a file, not a folder");
  run = RunPixflow({"convert", photo.string(), "-o", Arg("blocker/sub")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(Contains(run.err, "cannot create the output folder " + Arg("blocker/sub")))
      << run.err;
  run = RunPixflow({"convert", photo.string(), "-o", Arg("blocker")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(Contains(run.err, Arg("blocker"))) << run.err;
  // A folder without write permission; root writes anyway, so only other users can check it.
  if (::geteuid() != 0) {
    fs::create_directories(At("readonly"));
    fs::permissions(At("readonly"), fs::perms::owner_read | fs::perms::owner_exec);
    run = RunPixflow({"convert", photo.string(), "-o", Arg("readonly")});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_TRUE(Contains(run.err, "is not a writable folder")) << run.err;
    run = RunPixflow({"convert", photo.string(), "-o", Arg("readonly/out")});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_TRUE(Contains(run.err, "cannot create the output folder")) << run.err;
  }
}

TEST_F(ConvertCliTest, ReportHasALinePerImageAndASummary) {
  const fs::path a = CopyPhoto("fruits.jpg", "in/a.jpg");
  const fs::path b = CopyPhoto("logo.png", "in/sub/b.png");
  const ProcessResult run =
      RunPixflow({"convert", Arg("in"), "-o", Arg("out"), "--resize", "100x", "--variant",
                  "j:--format jpg", "--variant", "w:--format webp", "--report", Arg("r.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<nlohmann::json> report = ReadReport(At("r.json"));
  ASSERT_EQ(report.size(), 3u);
  uint64_t bytes_on_disk = 0;
  for (const fs::path& input : {a, b}) {
    SCOPED_TRACE(input.string());
    const nlohmann::json record = RecordFor(report, input);
    ASSERT_FALSE(record.is_null());
    EXPECT_EQ(record["relative"], fs::relative(input, At("in")).string());
    EXPECT_EQ(record["status"], "converted");
    EXPECT_TRUE(record["error"].is_null());
    EXPECT_TRUE(record["stage"].is_null());
    EXPECT_EQ(record["input_bytes"], fs::file_size(input));
    EXPECT_GT(record["input_width"].get<int>(), 0);
    EXPECT_GT(record["input_height"].get<int>(), 0);
    for (const char* stage : {"read", "decode", "filter", "encode", "write"}) {
      EXPECT_GE(record["ms"][stage].get<double>(), 0.0) << stage;
    }
    EXPECT_GT(record["ms"]["decode"].get<double>(), 0.0);
    EXPECT_GT(record["ms"]["total"].get<double>(), 0.0);
    ASSERT_EQ(record["outputs"].size(), 2u);
    for (const nlohmann::json& output : record["outputs"]) {
      const fs::path path = output["path"].get<std::string>();
      ASSERT_TRUE(fs::exists(path)) << path;
      EXPECT_EQ(output["bytes"], fs::file_size(path));
      EXPECT_EQ(output["existed"], false);
      const Size size = SizeOf(path);
      EXPECT_EQ(output["width"], size.width);
      EXPECT_EQ(output["height"], size.height);
      EXPECT_EQ(output["width"], 100);
      EXPECT_EQ(output["format"], output["variant"] == "j" ? "jpg" : "webp");
      bytes_on_disk += fs::file_size(path);
    }
  }
  EXPECT_EQ(RecordFor(report, a)["input_format"], "jpeg");
  EXPECT_EQ(RecordFor(report, b)["input_channels"], 4);
  const nlohmann::json& summary = report.back()["summary"];
  EXPECT_EQ(summary["images"], 2);
  EXPECT_EQ(summary["converted"], 2);
  EXPECT_EQ(summary["failed"], 0);
  EXPECT_EQ(summary["outputs_written"], 4);
  EXPECT_EQ(summary["bytes_written"], bytes_on_disk);
  EXPECT_EQ(summary["bytes_read"], fs::file_size(a) + fs::file_size(b));
  EXPECT_EQ(summary["interrupted"], false);
  EXPECT_EQ(summary["exit_code"], 0);
  EXPECT_EQ(summary["mode"], "threads");
}

// Twenty real photos (JPEG and PNG, grey, RGB and RGBA) through two variants: one compute and
// one I/O thread give the same bytes as four of each, file for file.
TEST_F(ConvertCliTest, SingleThreadedOutputIsByteIdenticalToMultiThreaded) {
  const std::vector<std::string> photos = {
      "baboon.jpg",     "fruits.jpg", "building.jpg",  "aero1.jpg", "aero3.jpg",
      "apple.jpg",      "board.jpg",  "butterfly.jpg", "home.jpg",  "left01.jpg",
      "messi5.jpg",     "orange.jpg", "HappyFish.jpg", "pic1.png",  "pic3.png",
      "chessboard.png", "box.png",    "landscape.jpg", "logo.png",  "studies/grey_study.png"};
  for (const std::string& name : photos) {
    CopyPhoto(name, "in/" + fs::path(name).filename().string());
  }
  const std::vector<std::string> common = {"convert",   Arg("in"),
                                           "--variant", "t:--resize 128x --sharpen 1",
                                           "--variant", "p:--resize 50% --blur 1 --format png",
                                           "-q"};
  std::vector<std::string> serial = common;
  serial.insert(serial.end(), {"-o", Arg("serial"), "-j", "1", "--io-threads", "1", "-v"});
  std::vector<std::string> parallel = common;
  parallel.insert(parallel.end(), {"-o", Arg("parallel"), "-j", "4", "--io-threads", "4"});
  const ProcessResult one = RunPixflow(serial);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_TRUE(Contains(one.err, "1 compute threads, 1 I/O threads, at most")) << one.err;
  const ProcessResult four = RunPixflow(parallel);
  ASSERT_EQ(four.exit_code, 0) << four.err;

  const std::set<std::string> files = Files(At("serial"));
  EXPECT_EQ(files.size(), 2 * photos.size());
  EXPECT_EQ(Files(At("parallel")), files);
  for (const std::string& file : files) {
    EXPECT_TRUE(ReadText(At("serial") / file) == ReadText(At("parallel") / file)) << file;
  }
}

// Ctrl-C: the run stops starting images, finishes those in flight, writes its report and exits
// 130 with no partial file behind; the same command run again converts the rest.
TEST_F(ConvertCliTest, InterruptStopsCleanlyAndARerunFinishesTheRest) {
  // The signal goes out once the first image is on record, with at most 4 in flight (2 compute
  // + 2 I/O threads), so 30 images leave plenty not started however fast the machine is.
  constexpr int kImages = 30;
  for (int i = 0; i < kImages; ++i) {
    CopyPhoto("building.jpg", "in/" + std::to_string(1000 + i) + ".jpg");
  }
  const std::vector<std::string> command = {
      "convert",    Arg("in"), "-o", Arg("out"),     "--resize", "200%",     "--blur",
      "3",          "-j",      "2",  "--io-threads", "2",        "--report", Arg("report.json"),
      "--progress", "never"};
  const pid_t pid = StartPixflow(command, At("log.txt"));
  ASSERT_NE(pid, 0);
  // Interrupt once the run is under way (its first image is on record), far from its end.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (ReadText(At("report.json")).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  const ProcessResult stopped = WaitFor(pid);
  EXPECT_EQ(stopped.exit_code, 130) << ReadText(At("log.txt"));
  EXPECT_TRUE(Contains(ReadText(At("log.txt")), "stopping")) << ReadText(At("log.txt"));

  const std::vector<nlohmann::json> report = ReadReport(At("report.json"));
  ASSERT_FALSE(report.empty());
  const nlohmann::json& summary = report.back()["summary"];
  EXPECT_EQ(summary["interrupted"], true);
  EXPECT_EQ(summary["exit_code"], 130);
  EXPECT_GT(summary["not_started"].get<int>(), 0);
  const int converted = summary["converted"].get<int>();
  EXPECT_EQ(converted + summary["not_started"].get<int>(), kImages);
  // Only whole outputs: exactly one per converted image, and each decodes to the end.
  const std::set<std::string> tree = Tree(At("out"));
  EXPECT_EQ(tree.size(), static_cast<size_t>(converted));
  for (const std::string& file : tree) {
    io::DecodeOptions strict;
    strict.fail_on = io::FailOn::kError;
    const Result<io::DecodedImage> decoded = io::Decode(At("out") / file, strict);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_EQ(decoded->pixels.size(), (Size{1736, 1200, 3}));
  }

  const ProcessResult rerun = RunPixflow(command);
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(Files(At("out")).size(), static_cast<size_t>(kImages));
  const nlohmann::json second = ReadReport(At("report.json")).back()["summary"];
  EXPECT_EQ(second["skipped"], converted);
  EXPECT_EQ(second["converted"], kImages - converted);
}

// A value each op accepts.
std::string SampleArgument(const std::string& op) {
  if (op == "resize") return "50%";
  if (op == "crop") return "10x10";
  if (op == "rotate") return "90";
  if (op == "median") return "3";
  return "1";
}

TEST_F(ConvertCliTest, FiltersListsEveryOpWithItsArgument) {
  const ProcessResult run = RunPixflow({"filters"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const pipeline::OpInfo& op : pipeline::ListOps()) {
    std::string usage = "--" + op.name;
    if (!op.argument.empty()) usage.append(" ").append(op.argument);
    EXPECT_TRUE(Contains(run.out, "  " + usage + " ")) << usage;
    EXPECT_TRUE(Contains(run.out, op.description)) << op.description;
  }
  // And convert accepts every listed op, flags and options alike (a dry run of one image).
  const fs::path photo = CopyPhoto("fruits.jpg", "in/fruits.jpg");
  std::vector<std::string> args = {"convert", photo.string(), "-o", Arg("out"), "-n"};
  for (const pipeline::OpInfo& op : pipeline::ListOps()) {
    args.push_back("--" + op.name);
    if (!op.argument.empty()) args.push_back(SampleArgument(op.name));
  }
  const ProcessResult convert = RunPixflow(args);
  EXPECT_EQ(convert.exit_code, 0) << convert.err;
  EXPECT_TRUE(Contains(convert.out, "(10x10)")) << "the crop set the size: " << convert.out;
}

}  // namespace
}  // namespace pixflow::test
