// A run's report: `--report FILE.json` gets one JSON object per image as each finishes (so a
// crash or kill still leaves every finished image on record), then one summary object. Shard
// reports merge by reading the image lines back (RecordFromJson) and summing them again.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "pixflow/filters/status.h"
#include "pixflow/pipeline/image_record.h"

namespace pixflow::pipeline {

// Counts and sums over image records.
struct RunTotals {
  size_t images = 0;
  size_t converted = 0;
  size_t planned = 0;
  size_t skipped = 0;
  size_t failed = 0;
  size_t cancelled = 0;
  size_t outputs_written = 0;
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  double input_megapixels = 0;  // full size of every image decoded
  StageTimes ms;                // summed over images

  // Counts one image's status, outputs, bytes, megapixels and stage times into the totals.
  void Add(const ImageRecord& record);
};

// What the whole run was: totals plus how it ran.
struct RunSummary {
  RunTotals totals;
  std::string mode = "threads";
  double wall_seconds = 0;
  // steady_clock (CLOCK_MONOTONIC, shared by every process on the machine) at the run's start, in
  // ms: records' started_ms/finished_ms count from here, so `pixflow bench` can line them up
  // with the moment it spawned the run.
  double clock_start_ms = 0;
  int compute_threads = 0;
  int io_threads = 0;
  int max_in_flight = 0;
  int peak_in_flight = 0;
  int workers = 0;           // process mode
  size_t not_started = 0;    // jobs never started because the run was interrupted
  size_t walk_problems = 0;  // unreadable folders, broken links
  bool interrupted = false;
  int exit_code = 0;
  uint64_t peak_rss_kib = 0;  // of this process (and, in process mode, its workers)
};

// {"summary": {...}} on one line.
std::string SummaryToJson(const RunSummary& summary);

// Writes a report file line by line, flushed after every line.
class ReportWriter {
 public:
  // Creates (or truncates) `path`; kIoError naming it when that fails.
  static Result<ReportWriter> Open(const std::filesystem::path& path);

  // Appends the record's JSON line and flushes it. Not thread-safe: one writer, one thread.
  Status Add(const ImageRecord& record);
  // Writes the summary line and closes the file.
  Status Close(const RunSummary& summary);

  const std::filesystem::path& path() const { return path_; }

 private:
  struct Closer {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  ReportWriter(std::filesystem::path path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  Status WriteLine(const std::string& line);

  std::filesystem::path path_;
  std::unique_ptr<std::FILE, Closer> file_;
};

}  // namespace pixflow::pipeline
