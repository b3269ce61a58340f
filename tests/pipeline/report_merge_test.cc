#include "pixflow/pipeline/report_merge.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace pixflow::pipeline {
namespace {

namespace fs = std::filesystem;

ImageRecord Image(const std::string& name, ImageStatus status) {
  ImageRecord record;
  record.input = "/in/" + name;
  record.relative = name;
  record.status = status;
  record.input_bytes = 100;
  if (status == ImageStatus::kConverted)
    record.outputs.push_back({"/out/" + name, "", "jpg", 8, 8, 40, false});
  return record;
}

class ReportMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pixflow_merge_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::vector<ImageRecord>& images,
                 const RunSummary* summary) const {
    const fs::path path = dir_ / name;
    Result<ReportWriter> writer = ReportWriter::Open(path);
    EXPECT_TRUE(writer.ok());
    for (const ImageRecord& image : images) EXPECT_TRUE(writer->Add(image).ok());
    if (summary != nullptr) {
      EXPECT_TRUE(writer->Close(*summary).ok());
    }
    return path;
  }

  fs::path dir_;
};

TEST_F(ReportMergeTest, RecountsImagesAndCombinesShardSummaries) {
  RunSummary first;
  first.mode = "processes";
  first.workers = 2;
  first.wall_seconds = 3;
  RunSummary second = first;
  second.wall_seconds = 5;
  second.exit_code = 1;
  const std::vector<fs::path> paths = {
      Write("r-0.json",
            {Image("a.jpg", ImageStatus::kConverted), Image("b.jpg", ImageStatus::kFailed)},
            &first),
      Write("r-1.json", {Image("c.jpg", ImageStatus::kConverted)}, &second)};
  Result<MergedReport> merged = MergeReports(paths);
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_TRUE(merged->warnings.empty());
  EXPECT_EQ(merged->images.size(), 3u);
  EXPECT_EQ(merged->summary.totals.converted, 2u);
  EXPECT_EQ(merged->summary.totals.failed, 1u);
  EXPECT_EQ(merged->summary.totals.bytes_written, 80u);
  EXPECT_EQ(merged->summary.wall_seconds, 5);
  EXPECT_EQ(merged->summary.workers, 4);
  EXPECT_EQ(merged->summary.mode, "processes");
  EXPECT_EQ(merged->summary.exit_code, 1);
  // The merged report reads back the same.
  ASSERT_TRUE(WriteMergedReport(*merged, dir_ / "merged.json").ok());
  const std::vector<fs::path> again = {dir_ / "merged.json"};
  Result<MergedReport> reread = MergeReports(again);
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->images, merged->images);
}

TEST_F(ReportMergeTest, WarnsAboutAnInputInTwoShardsAndAShardThatDidNotFinish) {
  RunSummary summary;
  const std::vector<fs::path> paths = {
      Write("r-0.json", {Image("a.jpg", ImageStatus::kConverted)}, &summary),
      Write("r-1.json",
            {Image("a.jpg", ImageStatus::kConverted), Image("b.jpg", ImageStatus::kConverted)},
            nullptr)};
  Result<MergedReport> merged = MergeReports(paths);
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->warnings.size(), 2u);
  EXPECT_NE(merged->warnings[0].find("/in/a.jpg is in more than one report"), std::string::npos);
  EXPECT_NE(merged->warnings[1].find("r-1.json: no summary line"), std::string::npos);
  EXPECT_EQ(merged->summary.totals.converted, 2u);  // a.jpg counted once
  EXPECT_TRUE(merged->summary.interrupted);
}

TEST_F(ReportMergeTest, RejectsWhatIsNotAReport) {
  std::ofstream(dir_ / "junk.json") << "{\"input\": 1}\n";
  const std::vector<fs::path> junk = {dir_ / "junk.json"};
  const Result<MergedReport> merged = MergeReports(junk);
  ASSERT_FALSE(merged.ok());
  EXPECT_NE(merged.status().message().find("junk.json:1"), std::string::npos);
  const std::vector<fs::path> missing = {dir_ / "missing.json"};
  EXPECT_FALSE(MergeReports(missing).ok());
}

}  // namespace
}  // namespace pixflow::pipeline
