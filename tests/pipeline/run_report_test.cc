// What `--report` holds: image records as JSON lines (every field round-trips, bad lines are
// errors), the totals over them, and ReportWriter's line-per-image file with its summary.
#include "pixflow/pipeline/run_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pixflow/pipeline/image_record.h"

namespace pixflow::pipeline {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ImageRecord FullRecord() {
  ImageRecord record;
  record.input = "/photos/été/ü 1.jpg";
  record.relative = "été/ü 1.jpg";
  record.status = ImageStatus::kFailed;
  record.stage = "encode";
  record.error = "/photos/été/ü 1.jpg: encode: \"quoted\"\nnewline";
  record.warnings = {"extraneous bytes before marker 0xd9"};
  record.input_bytes = 123456789012;
  record.input_format = "jpeg";
  record.input_width = 4000;
  record.input_height = 3000;
  record.input_channels = 3;
  record.decoded_width = 1000;
  record.decoded_height = 750;
  record.outputs = {{"/out/a-s.webp", "s", "webp", 320, 240, 4567, false},
                    {"/out/a-m.jpg", "m", "jpg", 1280, 960, 0, true}};
  record.ms = {0.125, 12.5, 3.0625, 1e-3, 7.75};
  record.worker = 3;
  record.pid = 4242;
  record.attempts = 2;
  record.worker_peak_rss_kib = 98765;
  return record;
}

TEST(ImageRecordJson, RoundTripsEveryField) {
  const ImageRecord record = FullRecord();
  const std::string line = RecordToJson(record);
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one line";
  Result<ImageRecord> back = RecordFromJson(line);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, record);

  const nlohmann::json json = nlohmann::json::parse(line);
  EXPECT_EQ(json["status"], "failed");
  EXPECT_EQ(json["ms"]["total"].get<double>(), record.ms.total());
  EXPECT_EQ(json["worker"]["pid"], 4242);
  // The threaded executor's records carry no worker block, and null stage/error when fine.
  ImageRecord plain;
  plain.input = "a.jpg";
  const nlohmann::json plain_json = nlohmann::json::parse(RecordToJson(plain));
  EXPECT_FALSE(plain_json.contains("worker"));
  EXPECT_TRUE(plain_json["error"].is_null());
  EXPECT_EQ(RecordFromJson(RecordToJson(plain)).value(), plain);
}

TEST(ImageRecordJson, BadLinesAreErrorsAndMissingKeysKeepDefaults) {
  for (const char* line : {"", "not json", "[1,2]", "{}", "{\"input\":\"a\",\"status\":\"odd\"}",
                           "{\"input\":\"a\",\"status\":\"failed\",\"input_width\":\"wide\"}"}) {
    EXPECT_FALSE(RecordFromJson(line).ok()) << line;
  }
  Result<ImageRecord> sparse = RecordFromJson(R"({"input":"a.jpg","status":"skipped"})");
  ASSERT_TRUE(sparse.ok()) << sparse.status().message();
  EXPECT_EQ(sparse->status, ImageStatus::kSkipped);
  EXPECT_EQ(sparse->worker, -1);
  EXPECT_TRUE(sparse->outputs.empty());
  // A file name that is not UTF-8 still makes a valid line.
  ImageRecord odd;
  odd.input = "bad\xff name.jpg";
  EXPECT_TRUE(nlohmann::json::accept(RecordToJson(odd)));
}

TEST(RunReport, TotalsCountEachStatusAndSumWhatWasWritten) {
  RunTotals totals;
  ImageRecord converted = FullRecord();
  converted.status = ImageStatus::kConverted;
  totals.Add(converted);
  ImageRecord skipped;
  skipped.status = ImageStatus::kSkipped;
  skipped.outputs = {{"/out/x.jpg", "", "jpg", 0, 0, 0, true}};
  totals.Add(skipped);
  ImageRecord failed;
  failed.status = ImageStatus::kFailed;
  failed.input_bytes = 10;
  totals.Add(failed);
  EXPECT_EQ(totals.images, 3u);
  EXPECT_EQ(totals.converted, 1u);
  EXPECT_EQ(totals.skipped, 1u);
  EXPECT_EQ(totals.failed, 1u);
  EXPECT_EQ(totals.outputs_written, 1u) << "outputs with no bytes were not written";
  EXPECT_EQ(totals.bytes_written, 4567u);
  EXPECT_EQ(totals.bytes_read, 123456789022u);
  EXPECT_DOUBLE_EQ(totals.input_megapixels, 12.0);
  EXPECT_DOUBLE_EQ(totals.ms.decode, 12.5);
}

TEST(RunReport, WriterWritesALinePerImageThenTheSummary) {
  const fs::path dir = fs::temp_directory_path() / ("pixflow_report_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / "report.json";
  Result<ReportWriter> writer = ReportWriter::Open(path);
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  ImageRecord first = FullRecord();
  ImageRecord second;
  second.input = "b.png";
  second.status = ImageStatus::kCancelled;
  RunSummary summary;
  for (const ImageRecord* record : {&first, &second}) {
    ASSERT_TRUE(writer->Add(*record).ok());
    summary.totals.Add(*record);
  }
  // Each line is on disk as soon as it is added: a killed run leaves its finished images.
  const std::string so_far = ReadText(path);
  EXPECT_EQ(std::count(so_far.begin(), so_far.end(), '\n'), 2);
  summary.not_started = 5;
  summary.interrupted = true;
  summary.exit_code = 130;
  ASSERT_TRUE(writer->Close(summary).ok());
  EXPECT_FALSE(writer->Add(first).ok()) << "closed";

  std::istringstream text(ReadText(path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(text, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(RecordFromJson(lines[0]).value(), first);
  EXPECT_EQ(RecordFromJson(lines[1]).value(), second);
  EXPECT_FALSE(RecordFromJson(lines[2]).ok()) << "the summary is not an image record";
  const nlohmann::json last = nlohmann::json::parse(lines[2]);
  EXPECT_EQ(last["summary"]["images"], 2);
  EXPECT_EQ(last["summary"]["failed"], 1);
  EXPECT_EQ(last["summary"]["cancelled"], 1);
  EXPECT_EQ(last["summary"]["not_started"], 5);
  EXPECT_EQ(last["summary"]["interrupted"], true);
  EXPECT_EQ(last["summary"]["exit_code"], 130);
  fs::remove_all(dir);

  Result<ReportWriter> nowhere = ReportWriter::Open(dir / "missing/report.json");
  ASSERT_FALSE(nowhere.ok());
  EXPECT_EQ(nowhere.status().code(), StatusCode::kIoError);
  EXPECT_NE(nowhere.status().message().find((dir / "missing/report.json").string()),
            std::string::npos);
}

}  // namespace
}  // namespace pixflow::pipeline
