// The convert pipeline as a library: the job plan (outputs, collisions), ImageConverter's stages
// and their failures, and ConvertRunner on the ThreadedExecutor (same bytes as a serial run;
// cancelling). Also run under TSan. The report's records are tested in run_report_test.cc.
#include "pixflow/pipeline/convert.h"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "pixflow/io/codec.h"
#include "test_util.h"

namespace pixflow::pipeline {
namespace {

namespace fs = std::filesystem;

Variant MakeVariant(const std::string& label, const std::string& format,
                    std::string_view name = io::kDefaultNameTemplate,
                    const std::vector<OpText>& ops = {}) {
  Variant variant;
  variant.label = label;
  variant.ops = OpList::Parse(ops).value();
  variant.format = io::ParseEncodeSpec(format).value();
  variant.name = io::NameTemplate::Parse(name).value();
  return variant;
}

ConvertSettings MakeSettings(const fs::path& output, const std::vector<OpText>& ops,
                             std::vector<Variant> variants) {
  ConvertSettings settings;
  settings.output_folder = output;
  settings.ops = OpList::Parse(ops).value();
  settings.variants = std::move(variants);
  return settings;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(PlanConvertJobs, EachVariantGetsItsPathUnderTheKeptTree) {
  const std::vector<io::InputFile> files = {{"/in/a.jpg", "a.jpg"},
                                            {"/in/2024/b.png", "2024/b.png"}};
  const ConvertSettings settings =
      MakeSettings("/out", {},
                   {MakeVariant("s", "webp", "{dir}/{name}-{variant}.{ext}"),
                    MakeVariant("m", "jpg[Q=80]", "{variant}/{dir}/{name}.{ext}")});
  Result<std::vector<ConvertJob>> jobs = PlanConvertJobs(files, settings);
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].input, files[0]);
  EXPECT_EQ((*jobs)[0].outputs, (std::vector<std::string>{"/out/a-s.webp", "/out/m/a.jpg"}));
  EXPECT_EQ((*jobs)[1].outputs,
            (std::vector<std::string>{"/out/2024/b-s.webp", "/out/m/2024/b.jpg"}));
}

TEST(PlanConvertJobs, TwoInputsOnOneOutputAreAnErrorNamingBoth) {
  const std::vector<io::InputFile> files = {
      {"/in/a.jpg", "a.jpg"}, {"/in/b.jpg", "b.jpg"}, {"/in/a.png", "a.png"}};
  Result<std::vector<ConvertJob>> jobs =
      PlanConvertJobs(files, MakeSettings("/out", {}, {MakeVariant("", "jpg")}));
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(jobs.status().message(),
            "/in/a.jpg and /in/a.png would both be written to /out/a.jpg (use --name with {ext} "
            "or {variant}, or convert them apart)");
  // One input, two variants with the same name: the same error.
  jobs =
      PlanConvertJobs({files.front()},
                      MakeSettings("/out", {}, {MakeVariant("s", "jpg"), MakeVariant("m", "jpg")}));
  ASSERT_FALSE(jobs.ok());
  EXPECT_NE(jobs.status().message().find("would both be written to /out/a.jpg"), std::string::npos);
}

TEST(PlanConvertJobs, NamesThatNeedTheSizeAreLeftForLaterAndNoVariantIsAnError) {
  const std::vector<io::InputFile> files = {{"/in/a.jpg", "a.jpg"}, {"/in/b.jpg", "b.jpg"}};
  Result<std::vector<ConvertJob>> jobs = PlanConvertJobs(
      files, MakeSettings("/out", {}, {MakeVariant("", "jpg", "{width}x{height}.{ext}")}));
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  EXPECT_TRUE((*jobs)[0].outputs.empty());
  EXPECT_FALSE(PlanConvertJobs(files, MakeSettings("/out", {}, {})).ok());
}

// Stages against real files in a scratch folder.
class ImageConverterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pixflow_convert_lib_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "in");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Copy(const std::string& photo, const std::string& relative) const {
    const fs::path to = dir_ / "in" / relative;
    fs::create_directories(to.parent_path());
    fs::copy_file(fs::path(PIXFLOW_REAL_IMAGES_DIR) / photo, to);
    return to;
  }
  io::WalkResult Walk() const {
    const std::vector<fs::path> inputs = {dir_ / "in"};
    return io::WalkInputs(inputs).value();
  }
  std::vector<ConvertJob> Plan(const io::WalkResult& walk, const ConvertSettings& settings) {
    Result<std::vector<ConvertJob>> jobs = PlanConvertJobs(walk.files, settings);
    EXPECT_TRUE(jobs.ok()) << jobs.status().message();
    return jobs.ok() ? std::move(*jobs) : std::vector<ConvertJob>{};
  }

  fs::path dir_;
};

TEST_F(ImageConverterTest, StagesReadComputeAndWriteOneImage) {
  const fs::path input = Copy("fruits.jpg", "fruits.jpg");  // 512x480
  const io::WalkResult walk = Walk();
  const ConvertSettings settings =
      MakeSettings(dir_ / "out", {{"resize", "100x"}}, {MakeVariant("", "png")});
  const std::vector<ConvertJob> jobs = Plan(walk, settings);
  ASSERT_EQ(jobs.size(), 1u);
  const ImageConverter converter(settings, walk);
  JobWork work;

  converter.Read(jobs[0], work);
  EXPECT_EQ(work.bytes.size(), fs::file_size(input));
  EXPECT_EQ(work.record.input_bytes, fs::file_size(input));
  EXPECT_EQ(work.record.input, input.string());
  EXPECT_EQ(work.record.relative, "fruits.jpg");

  converter.Compute(jobs[0], work);
  ASSERT_FALSE(work.record.failed()) << work.record.error;
  EXPECT_EQ(work.record.input_format, "jpeg");
  EXPECT_EQ(work.record.input_width, 512);
  EXPECT_EQ(work.record.input_height, 480);
  // 100x94 lets the JPEG decode at 1/4 scale.
  EXPECT_EQ(work.record.decoded_width, 128);
  EXPECT_EQ(work.record.decoded_height, 120);
  ASSERT_EQ(work.record.outputs.size(), 1u);
  EXPECT_EQ(work.record.outputs[0].path, (dir_ / "out/fruits.png").string());
  EXPECT_EQ(work.record.outputs[0].width, 100);
  EXPECT_EQ(work.record.outputs[0].height, 94);
  ASSERT_EQ(work.encoded.size(), 1u);
  Result<Image8> encoded = io::DecodeBuffer(work.encoded[0], "encoded");
  ASSERT_TRUE(encoded.ok()) << encoded.status().message();
  EXPECT_EQ(encoded->size(), (Size{100, 94, 3}));
  EXPECT_FALSE(fs::exists(dir_ / "out")) << "Compute writes nothing";
  const std::string bytes(work.encoded[0].begin(), work.encoded[0].end());

  converter.Write(work);
  EXPECT_EQ(work.record.status, ImageStatus::kConverted);
  EXPECT_EQ(ReadText(dir_ / "out/fruits.png"), bytes);
  EXPECT_EQ(work.record.outputs[0].bytes, bytes.size());
  EXPECT_GT(work.record.ms.decode, 0.0);
}

TEST_F(ImageConverterTest, EachStageReportsItsOwnFailure) {
  Copy("fruits.jpg", "good.jpg");
  const std::string jpeg = ReadText(dir_ / "in/good.jpg");
  std::ofstream(dir_ / "in/truncated.jpg", std::ios::binary) << jpeg.substr(0, jpeg.size() / 3);
  std::ofstream(dir_ / "blocker") << "a file";
  const io::WalkResult walk = Walk();
  ASSERT_EQ(walk.files.size(), 2u);

  // The output folder lies below a regular file: the good image fails to write.
  ConvertSettings settings = MakeSettings(dir_ / "blocker/out", {}, {MakeVariant("", "jpg")});
  const std::vector<ConvertJob> jobs = Plan(walk, settings);
  const ImageConverter converter(settings, walk);
  const ImageRecord good = converter.Convert(jobs[0]);
  EXPECT_EQ(good.status, ImageStatus::kFailed);
  EXPECT_EQ(good.stage, "write");
  EXPECT_NE(good.error.find("cannot create folder"), std::string::npos) << good.error;
  const ImageRecord truncated = converter.Convert(jobs[1]);
  EXPECT_EQ(truncated.stage, "decode");
  EXPECT_NE(truncated.error.find((dir_ / "in/truncated.jpg").string()), std::string::npos)
      << truncated.error;

  // The file vanished between the walk and the read.
  fs::remove(dir_ / "in/good.jpg");
  const ImageRecord missing = converter.Convert(jobs[0]);
  EXPECT_EQ(missing.stage, "read");
  EXPECT_NE(missing.error.find((dir_ / "in/good.jpg").string()), std::string::npos)
      << missing.error;
}

// With images queued behind it on every thread, an image's filters take the rows as they are
// decoded: the output is byte for byte what the whole-image path makes, a truncated file still
// fails in the decode stage, and a filter that cannot apply still fails in the filter stage.
TEST_F(ImageConverterTest, StreamedFromTheDecoderAsTheWholeImagePathMakes) {
  Copy("baboon.jpg", "baboon.jpg");
  const std::string jpeg = ReadText(dir_ / "in/baboon.jpg");
  std::ofstream(dir_ / "in/truncated.jpg", std::ios::binary) << jpeg.substr(0, jpeg.size() / 2);
  const io::WalkResult walk = Walk();
  ASSERT_EQ(walk.files.size(), 2u);
  const std::vector<OpText> ops = {{"resize", "300x"}, {"sharpen", "1"}, {"blur", "1.5"}};
  const auto convert = [&](const fs::path& out, const std::vector<OpText>& chain,
                           size_t images_waiting) {
    const ConvertSettings settings = MakeSettings(out, chain, {MakeVariant("", "png")});
    const std::vector<ConvertJob> jobs = Plan(walk, settings);
    const ImageConverter converter(settings, walk);
    std::vector<ImageRecord> records;
    tbb::task_arena(2).execute([&] {
      for (const ConvertJob& job : jobs) {
        JobWork work;
        converter.Read(job, work);
        converter.Compute(job, work, images_waiting);
        converter.Write(work);
        records.push_back(std::move(work.record));
      }
    });
    return records;
  };
  const std::vector<ImageRecord> whole = convert(dir_ / "whole", ops, 0);
  const std::vector<ImageRecord> streamed = convert(dir_ / "streamed", ops, 8);
  ASSERT_EQ(streamed.size(), 2u);
  EXPECT_EQ(streamed[0].status, ImageStatus::kConverted) << streamed[0].error;
  EXPECT_EQ(ReadText(dir_ / "streamed/baboon.png"), ReadText(dir_ / "whole/baboon.png"));
  EXPECT_EQ(streamed[0].decoded_width, whole[0].decoded_width);
  EXPECT_GT(streamed[0].ms.filter, 0.0);
  for (const std::vector<ImageRecord>* records : {&whole, &streamed}) {
    const ImageRecord& truncated = (*records)[1];
    EXPECT_EQ(truncated.stage, "decode");
    EXPECT_NE(truncated.error.find((dir_ / "in/truncated.jpg").string()), std::string::npos)
        << truncated.error;
    EXPECT_FALSE(fs::exists(dir_ / "streamed/truncated.png"));
  }
  const std::vector<ImageRecord> too_big = convert(dir_ / "crop", {{"crop", "10x10+600+600"}}, 8);
  EXPECT_EQ(too_big[0].stage, "filter") << too_big[0].error;
}

TEST_F(ImageConverterTest, NeverWritesOverAnInput) {
  const fs::path input = Copy("fruits.jpg", "fruits.jpg");
  const std::string before = ReadText(input);
  const io::WalkResult walk = Walk();
  ConvertSettings settings = MakeSettings(dir_ / "in", {{"flip", ""}}, {MakeVariant("", "jpg")});
  settings.overwrite = true;
  const ImageConverter converter(settings, walk);
  const ImageRecord record = converter.Convert(Plan(walk, settings)[0]);
  EXPECT_EQ(record.stage, "write");
  EXPECT_NE(record.error.find("refusing to write over an input file"), std::string::npos)
      << record.error;
  EXPECT_EQ(ReadText(input), before);
}

TEST_F(ImageConverterTest, ExistingOutputsAreSkippedBeforeReadingAndDryRunsWriteNothing) {
  Copy("fruits.jpg", "fruits.jpg");
  const io::WalkResult walk = Walk();
  ConvertSettings settings =
      MakeSettings(dir_ / "out", {{"resize", "50%"}}, {MakeVariant("", "jpg")});
  settings.dry_run = true;
  std::vector<ConvertJob> jobs = Plan(walk, settings);
  {
    const ImageConverter converter(settings, walk);
    const ImageRecord planned = converter.Convert(jobs[0]);
    EXPECT_EQ(planned.status, ImageStatus::kPlanned);
    EXPECT_EQ(planned.decoded_width, 0) << "a dry run reads the header only";
    ASSERT_EQ(planned.outputs.size(), 1u);
    EXPECT_EQ(planned.outputs[0].width, 256);
    EXPECT_EQ(planned.outputs[0].height, 240);
    EXPECT_EQ(planned.outputs[0].bytes, 0u);
    EXPECT_FALSE(fs::exists(dir_ / "out"));
  }
  settings.dry_run = false;
  fs::create_directories(dir_ / "out");
  std::ofstream(dir_ / "out/fruits.jpg") << "already here";
  const ImageConverter converter(settings, walk);
  JobWork work;
  converter.Read(jobs[0], work);
  EXPECT_EQ(work.record.status, ImageStatus::kSkipped);
  EXPECT_TRUE(work.bytes.empty()) << "skipped before reading the input";
  ASSERT_EQ(work.record.outputs.size(), 1u);
  EXPECT_TRUE(work.record.outputs[0].existed);
  converter.Compute(jobs[0], work);
  converter.Write(work);
  EXPECT_EQ(ReadText(dir_ / "out/fruits.jpg"), "already here");
  settings.overwrite = true;
  EXPECT_EQ(converter.Convert(jobs[0]).status, ImageStatus::kConverted);
  EXPECT_EQ(io::DecodeFile(dir_ / "out/fruits.jpg").value().size(), (Size{256, 240, 3}));
}

// Twelve photos through the threaded executor with two compute and two I/O threads: every
// image is finished once, the files are byte for byte what a serial Convert() makes.
TEST_F(ImageConverterTest, RunnerOnTheThreadedExecutorMatchesASerialRun) {
  const std::vector<std::string> photos = {"baboon.jpg", "fruits.jpg", "building.jpg"};
  for (int i = 0; i < 12; ++i) {
    Copy(photos[i % 3], "set" + std::to_string(i / 3) + "/" + std::to_string(i) + ".jpg");
  }
  const io::WalkResult walk = Walk();
  const std::vector<OpText> ops = {{"resize", "160x"}, {"sharpen", "1"}};
  const auto variants = [] {
    return std::vector<Variant>{
        MakeVariant("a", "jpg", "{dir}/{name}-{variant}.{ext}"),
        MakeVariant("b", "png", "{dir}/{name}-{variant}.{ext}", {{"flop", ""}, {"resize", "50%"}})};
  };
  const ConvertSettings threaded = MakeSettings(dir_ / "threaded", ops, variants());
  const ConvertSettings serial = MakeSettings(dir_ / "serial", ops, variants());
  const std::vector<ConvertJob> jobs = Plan(walk, threaded);
  ASSERT_EQ(jobs.size(), 12u);

  const ImageConverter converter(threaded, walk);
  std::vector<ImageRecord> records;
  ConvertRunner runner(converter, jobs, [&](ImageRecord&& record) { records.push_back(record); });
  const ExecutorReport report = ThreadedExecutor({2, 2, 3}).Run(jobs.size(), runner);
  EXPECT_EQ(report.started, 12u);
  EXPECT_EQ(report.finished, 12u);
  EXPECT_LE(report.peak_in_flight, 3);
  ASSERT_EQ(records.size(), 12u);

  const ImageConverter reference(serial, walk);
  const std::vector<ConvertJob> serial_jobs = Plan(walk, serial);
  for (size_t i = 0; i < serial_jobs.size(); ++i) {
    const ImageRecord expected = reference.Convert(serial_jobs[i]);
    ASSERT_EQ(expected.status, ImageStatus::kConverted) << expected.error;
  }
  std::set<std::string> seen;
  for (const ImageRecord& record : records) {
    EXPECT_EQ(record.status, ImageStatus::kConverted) << record.error;
    seen.insert(record.input);
    ASSERT_EQ(record.outputs.size(), 2u);
    for (const OutputRecord& output : record.outputs) {
      const fs::path relative = fs::relative(output.path, dir_ / "threaded");
      EXPECT_TRUE(ReadText(output.path) == ReadText(dir_ / "serial" / relative)) << relative;
    }
  }
  EXPECT_EQ(seen.size(), 12u) << "each image finished exactly once";
}

TEST_F(ImageConverterTest, CancellingStopsNewImagesAndFinishesTheStartedOnes) {
  for (int i = 0; i < 12; ++i) Copy("baboon.jpg", std::to_string(i) + ".jpg");
  const io::WalkResult walk = Walk();
  const ConvertSettings settings =
      MakeSettings(dir_ / "out", {{"blur", "2"}}, {MakeVariant("", "png")});
  const std::vector<ConvertJob> jobs = Plan(walk, settings);
  const ImageConverter converter(settings, walk);
  std::atomic<bool> cancel{false};
  size_t finished = 0;
  ConvertRunner runner(converter, jobs, [&](ImageRecord&& record) {
    EXPECT_EQ(record.status, ImageStatus::kConverted) << record.error;
    ++finished;
    cancel = true;
  });
  const ExecutorReport report = ThreadedExecutor({2, 1, 2}).Run(jobs.size(), runner, &cancel);
  EXPECT_LT(report.started, jobs.size());
  EXPECT_EQ(report.finished, report.started);
  EXPECT_EQ(finished, report.started);
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir_ / "out")) {
    ++files;
    EXPECT_TRUE(io::DecodeFile(entry.path()).ok()) << entry.path();
  }
  EXPECT_EQ(files, report.started);
}

}  // namespace
}  // namespace pixflow::pipeline
