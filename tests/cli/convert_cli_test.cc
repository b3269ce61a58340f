// `pixflow convert` end to end, on what it writes: output sizes for every resize geometry,
// pixels against a direct library call, op order, the kept folder tree, name templates,
// variants, dry runs and skip-existing/overwrite. Failures, reports, threads and Ctrl-C are in
// convert_cli_failures_test.cc.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "convert_cli_fixture.h"

namespace pixflow::test {
namespace {

using pipeline::OpText;

TEST_F(ConvertCliTest, EveryResizeGeometryGivesTheExpectedSize) {
  const fs::path large = WritePhotoCrop("building.jpg", 800, 600, "in/large.png");
  const fs::path small = WritePhotoCrop("fruits.jpg", 200, 150, "in/small.png");
  const fs::path odd = CopyPhoto("landscape.jpg", "in/odd.jpg");  // 1600x1067
  struct Case {
    fs::path input;
    std::string geometry;
    Size expected;
  };
  const std::vector<Case> cases = {
      {large, "400x", {400, 300, 3}},
      {large, "x150", {200, 150, 3}},
      {large, "400x400", {400, 300, 3}},   // fit: the width binds
      {large, "400x400^", {533, 400, 3}},  // cover: the height binds, 533.3 rounds down
      {large, "300x100!", {300, 100, 3}},  // exact: aspect ignored
      {large, "400x400>", {400, 300, 3}},  // shrink only, on a larger image: shrinks
      {small, "400x400>", {200, 150, 3}},  // ... on a smaller one: left as it is
      {large, "50%", {400, 300, 3}},
      {odd, "800x", {800, 534, 3}},  // 533.5 rounds half away from zero, as ImageMagick does
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.geometry + " on " + c.input.filename().string());
    const fs::path out = At("out" + std::to_string(i));
    const ProcessResult run =
        RunPixflow({"convert", c.input.string(), "-o", out.string(), "--resize", c.geometry});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const fs::path written = out / c.input.filename().replace_extension(".jpg");
    EXPECT_EQ(Files(out), std::set<std::string>{written.filename().string()});
    EXPECT_EQ(SizeOf(written), c.expected);
  }
}

// The CLI runs the same decoder and filters as the library, and PNG is lossless, so the pixels
// must be identical: any difference would mean the pipeline decoded or filtered differently
// (a different shrink, channel count, or op order). Measured: 0 on every case here.
TEST_F(ConvertCliTest, PixelsMatchTheLibraryExactly) {
  const fs::path photo = CopyPhoto("fruits.jpg", "in/fruits.jpg");
  const fs::path logo = CopyPhoto("logo.png", "in/logo.png");  // RGBA
  const std::vector<OpText> ops = {{"rotate", "90"},
                                   {"resize", "300x"},
                                   {"sharpen", "1"},
                                   {"brightness", "10"},
                                   {"gamma", "1.2"}};
  ProcessResult run = RunPixflow({"convert", photo.string(), logo.string(), "-o", Arg("out"),
                                  "--format", "png", "--rotate", "90", "--resize", "300x",
                                  "--sharpen", "1", "--brightness", "10", "--gamma", "1.2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const fs::path& input : {photo, logo}) {
    SCOPED_TRACE(input.filename().string());
    const Image8 cli = Pixels(At("out") / input.filename().replace_extension(".png"));
    const Image8 library = LibraryResult(input, ops);
    ASSERT_EQ(cli.size(), library.size());
    EXPECT_EQ(MaxAbsDiff(cli.view(), library.view()), 0);
  }
  EXPECT_EQ(Pixels(At("out/logo.png")).channels(), 4) << "alpha survives into PNG";
}

// --resize 300x on a 1600x1067 JPEG lets the decoder shrink by 4 in the DCT (to 400x267); the
// resize then finishes the job. The same shrunk decode through the library is identical. Against
// a full decode the DCT's own downscale differs: measured 35.1 dB here (40.9 dB for 400x, where
// the DCT does all the shrinking; the shrink takes the largest DCT scale that covers the target,
// leaving lanczos only the last 1.33x).
TEST_F(ConvertCliTest, ShrinkOnLoadMatchesTheLibraryAndStaysCloseToAFullDecode) {
  const fs::path photo = CopyPhoto("landscape.jpg", "in/landscape.jpg");
  const ProcessResult run = RunPixflow({"convert", photo.string(), "-o", Arg("out"), "--format",
                                        "png", "--resize", "300x", "--report", Arg("report.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json record = RecordFor(ReadReport(At("report.json")), photo);
  ASSERT_FALSE(record.is_null());
  EXPECT_EQ(record["input_width"], 1600);
  EXPECT_LE(record["decoded_width"].get<int>(), 1600 / 4) << "shrink-on-load was not used";
  EXPECT_GE(record["decoded_width"].get<int>(), 300) << "decoded smaller than the output";

  const std::vector<OpText> ops = {{"resize", "300x"}};
  const Image8 cli = Pixels(At("out/landscape.png"));
  ASSERT_EQ(cli.size(), (Size{300, 200, 3}));
  io::DecodeOptions shrunk;
  shrunk.min_width = 300;
  shrunk.min_height = 200;
  EXPECT_EQ(MaxAbsDiff(cli.view(), LibraryResult(photo, ops, shrunk).view()), 0);
  EXPECT_GE(Psnr(cli.view(), LibraryResult(photo, ops).view()), 34.0);
}

TEST_F(ConvertCliTest, OpsApplyInCommandLineOrder) {
  const fs::path photo = CopyPhoto("fruits.jpg", "in/fruits.jpg");  // 512x480
  const std::vector<OpText> rotate_then_crop = {{"rotate", "90"}, {"crop", "100x50+0+0"}};
  const std::vector<OpText> crop_then_rotate = {{"crop", "100x50+0+0"}, {"rotate", "90"}};
  ProcessResult run = RunPixflow({"convert", photo.string(), "-o", Arg("a"), "--format", "png",
                                  "--rotate", "90", "--crop", "100x50+0+0"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  run = RunPixflow({"convert", photo.string(), "-o", Arg("b"), "--format", "png", "--crop",
                    "100x50+0+0", "--rotate", "90"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Image8 a = Pixels(At("a/fruits.png"));
  const Image8 b = Pixels(At("b/fruits.png"));
  EXPECT_EQ(a.size(), (Size{100, 50, 3}));
  EXPECT_EQ(b.size(), (Size{50, 100, 3}));
  EXPECT_EQ(MaxAbsDiff(a.view(), LibraryResult(photo, rotate_then_crop).view()), 0);
  EXPECT_EQ(MaxAbsDiff(b.view(), LibraryResult(photo, crop_then_rotate).view()), 0);
}

TEST_F(ConvertCliTest, FolderTreeIsKeptBelowTheOutputFolder) {
  CopyPhoto("baboon.jpg", "photos/baboon.jpg");
  CopyPhoto("fruits.jpg", "photos/2024/summer/fruits.jpg");
  CopyPhoto("studies/small_landscape.webp", "photos/2024/landscape.webp");
  CopyPhoto("logo.png", "photos/2023/logo.png");
  const fs::path single = CopyPhoto("building.jpg", "elsewhere/building.jpg");
  const ProcessResult run =
      RunPixflow({"convert", Arg("photos"), single.string(), "-o", Arg("out"), "--resize", "64x"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Tree(At("out")),
            (std::set<std::string>{"2023/", "2023/logo.jpg", "2024/", "2024/landscape.jpg",
                                   "2024/summer/", "2024/summer/fruits.jpg", "baboon.jpg",
                                   "building.jpg"}));
  EXPECT_EQ(SizeOf(At("out/2024/summer/fruits.jpg")), (Size{64, 60, 3}));
}

TEST_F(ConvertCliTest, NameTemplatesFillEveryField) {
  WritePhotoCrop("building.jpg", 200, 150, "in/a.png");
  WritePhotoCrop("baboon.jpg", 120, 120, "in/2024/summer/b.png");
  ProcessResult run =
      RunPixflow({"convert", Arg("in"), "-o", Arg("sized"), "--resize", "100x", "--format", "webp",
                  "--name", "{dir}/{name}_{width}x{height}.{ext}"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Files(At("sized")),
            (std::set<std::string>{"a_100x75.webp", "2024/summer/b_100x100.webp"}));
  EXPECT_EQ(FormatOf(At("sized/a_100x75.webp")), "webp");

  // {variant} is empty with a single output; a fixed folder and {ext} flatten the tree.
  run = RunPixflow({"convert", Arg("in"), "-o", Arg("flat"), "--format", "png", "--name",
                    "by-format/{ext}/{name}{variant}.{ext}"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Files(At("flat")),
            (std::set<std::string>{"by-format/png/a.png", "by-format/png/b.png"}));

  run = RunPixflow({"convert", Arg("in"), "-o", Arg("variants"), "--name",
                    "{variant}/{dir}/{name}.{ext}", "--variant", "s:--resize 50x", "--variant",
                    "m:--resize 80x"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Files(At("variants")), (std::set<std::string>{"s/a.jpg", "s/2024/summer/b.jpg",
                                                          "m/a.jpg", "m/2024/summer/b.jpg"}));
  EXPECT_EQ(SizeOf(At("variants/m/2024/summer/b.jpg")), (Size{80, 80, 3}));
}

// Two variants with their own sizes and formats come from one decode: one report record per
// image, decoded once at a size that serves the larger variant, and that variant's pixels equal
// the library's resize of that very decode.
TEST_F(ConvertCliTest, VariantsFanOutFromOneDecode) {
  const fs::path landscape = CopyPhoto("landscape.jpg", "in/landscape.jpg");  // 1600x1067
  const fs::path fruits = CopyPhoto("fruits.jpg", "in/sub/fruits.jpg");       // 512x480
  ProcessResult run = RunPixflow(
      {"convert", Arg("in"), "-o", Arg("out"), "--report", Arg("report.json"), "--variant",
       "small:--resize 100x --format webp[Q=75]", "--variant", "big:--resize 300x --format png"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Files(At("out")),
            (std::set<std::string>{"landscape-small.webp", "landscape-big.png",
                                   "sub/fruits-small.webp", "sub/fruits-big.png"}));
  EXPECT_EQ(SizeOf(At("out/landscape-small.webp")), (Size{100, 67, 3}));
  EXPECT_EQ(SizeOf(At("out/landscape-big.png")), (Size{300, 200, 3}));
  EXPECT_EQ(SizeOf(At("out/sub/fruits-small.webp")), (Size{100, 94, 3}));
  EXPECT_EQ(SizeOf(At("out/sub/fruits-big.png")), (Size{300, 281, 3}));
  EXPECT_EQ(FormatOf(At("out/landscape-small.webp")), "webp");
  EXPECT_EQ(FormatOf(At("out/landscape-big.png")), "png");

  const std::vector<nlohmann::json> report = ReadReport(At("report.json"));
  ASSERT_EQ(report.size(), 3u) << "one line per image, then the summary";
  const nlohmann::json record = RecordFor(report, landscape);
  ASSERT_EQ(record["outputs"].size(), 2u);
  EXPECT_EQ(record["outputs"][0]["variant"], "small");
  EXPECT_EQ(record["outputs"][1]["variant"], "big");
  EXPECT_EQ(record["decoded_width"], 400) << "one DCT-shrunk decode for both variants";
  io::DecodeOptions shrunk;
  shrunk.min_width = 300;
  EXPECT_EQ(MaxAbsDiff(Pixels(At("out/landscape-big.png")).view(),
                       LibraryResult(landscape, {{"resize", "300x"}}, shrunk).view()),
            0);

  // Shared ops run once, before the fan-out: both variants are grey.
  run = RunPixflow({"convert", fruits.string(), "-o", Arg("grey"), "--grayscale", "--variant",
                    "a:--resize 50x", "--variant", "b:--resize 60x --format png"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(SizeOf(At("grey/fruits-a.jpg")), (Size{50, 47, 1}));
  EXPECT_EQ(SizeOf(At("grey/fruits-b.png")), (Size{60, 56, 1}));
}

TEST_F(ConvertCliTest, TwoInputsWritingOneOutputIsAnErrorBeforeAnythingIsWritten) {
  CopyPhoto("fruits.jpg", "in/a.jpg");
  WritePhotoCrop("baboon.jpg", 64, 64, "in/a.png");
  ProcessResult run = RunPixflow({"convert", Arg("in"), "-o", Arg("out")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(Contains(run.err, Arg("in/a.jpg") + " and " + Arg("in/a.png") +
                                    " would both be written to " + Arg("out/a.jpg")))
      << run.err;
  EXPECT_EQ(Tree(At("out")), std::set<std::string>{}) << "nothing written";

  // Two variants rendering the same name are refused the same way.
  run = RunPixflow({"convert", Arg("in/a.jpg"), "-o", Arg("out"), "--name", "{name}.{ext}",
                    "--variant", "s:--resize 10x", "--variant", "m:--resize 20x"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(Contains(run.err, "would both be written to " + Arg("out/a.jpg"))) << run.err;
  EXPECT_EQ(Tree(At("out")), std::set<std::string>{});

  // Names known only after decoding ({width}) collide at write time: whichever image comes
  // second fails, the first keeps its output.
  run = RunPixflow({"convert", Arg("in"), "-o", Arg("sized"), "--resize", "40x40!", "--name",
                    "{width}x{height}.{ext}", "--report", Arg("report.json")});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(Files(At("sized")), std::set<std::string>{"40x40.jpg"});
  const std::vector<nlohmann::json> report = ReadReport(At("report.json"));
  ASSERT_EQ(report.size(), 3u);
  const nlohmann::json& failed = report[0]["status"] == "failed" ? report[0] : report[1];
  const nlohmann::json& converted = report[0]["status"] == "failed" ? report[1] : report[0];
  EXPECT_EQ(converted["status"], "converted");
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(failed["stage"], "write");
  EXPECT_TRUE(Contains(failed.value("error", ""),
                       Arg("sized/40x40.jpg") + ": another image of this run was written"))
      << failed;
}

TEST_F(ConvertCliTest, DryRunWritesNothingAndListsThePlan) {
  WritePhotoCrop("building.jpg", 200, 150, "in/a.png");
  CopyPhoto("fruits.jpg", "in/sub/b.jpg");
  const ProcessResult run = RunPixflow({"convert", Arg("in"), "-o", Arg("out"), "-n", "--resize",
                                        "100x", "--format", "webp", "--report", Arg("plan.json")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_FALSE(fs::exists(At("out"))) << "a dry run does not even make the output folder";
  EXPECT_TRUE(Contains(run.out, Arg("in/a.png") + " -> " + Arg("out/a.webp") + " (100x75)"))
      << run.out;
  EXPECT_TRUE(Contains(run.out, Arg("in/sub/b.jpg") + " -> " + Arg("out/sub/b.webp") + " (100x94)"))
      << run.out;
  EXPECT_TRUE(Contains(run.err, "dry run: 2 images would be converted")) << run.err;
  const std::vector<nlohmann::json> plan = ReadReport(At("plan.json"));
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0]["status"], "planned");
  EXPECT_EQ(plan[0]["decoded_width"], 0) << "nothing decoded";
  EXPECT_EQ(plan[2]["summary"]["planned"], 2);
  EXPECT_EQ(plan[2]["summary"]["outputs_written"], 0);
}

TEST_F(ConvertCliTest, ExistingOutputsAreSkippedUnlessOverwriteIsGiven) {
  CopyPhoto("fruits.jpg", "in/a.jpg");
  CopyPhoto("baboon.jpg", "in/b.jpg");
  const std::vector<std::string> command = {"convert",  Arg("in"), "-o",       Arg("out"),
                                            "--resize", "100x",    "--report", Arg("report.json")};
  ProcessResult run = RunPixflow(command);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto first_time = fs::last_write_time(At("out/b.jpg"));
  // A stale output the second run must leave alone.
  WriteFile("out/a.jpg", "stale");

  run = RunPixflow(command);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ReadText(At("out/a.jpg")), "stale");
  EXPECT_EQ(fs::last_write_time(At("out/b.jpg")), first_time);
  std::vector<nlohmann::json> report = ReadReport(At("report.json"));
  ASSERT_EQ(report.size(), 3u);
  EXPECT_EQ(report[0]["status"], "skipped");
  EXPECT_EQ(report[0]["outputs"][0]["existed"], true);
  EXPECT_EQ(report[2]["summary"]["skipped"], 2);
  EXPECT_EQ(report[2]["summary"]["outputs_written"], 0);
  // --skip-existing says the same as the default.
  std::vector<std::string> explicit_skip = command;
  explicit_skip.push_back("--skip-existing");
  EXPECT_EQ(RunPixflow(explicit_skip).exit_code, 0);
  EXPECT_EQ(ReadText(At("out/a.jpg")), "stale");

  std::vector<std::string> overwrite = command;
  overwrite.push_back("--overwrite");
  run = RunPixflow(overwrite);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(SizeOf(At("out/a.jpg")), (Size{100, 94, 3}));
  report = ReadReport(At("report.json"));
  EXPECT_EQ(report[2]["summary"]["converted"], 2);
  EXPECT_EQ(Files(At("out")), (std::set<std::string>{"a.jpg", "b.jpg"}));

  overwrite.push_back("--skip-existing");
  run = RunPixflow(overwrite);
  EXPECT_EQ(run.exit_code, 2) << "the two flags contradict each other";
}

}  // namespace
}  // namespace pixflow::test
