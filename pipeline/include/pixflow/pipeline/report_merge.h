// Combining the reports of a sharded run (`--shard K/N`, one `--report` per shard) into one:
// the image lines are read back and summed again, so the merged summary is computed, not
// trusted; the shards' summary lines supply only what records cannot (wall time, workers).
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "pixflow/filters/status.h"
#include "pixflow/pipeline/image_record.h"
#include "pixflow/pipeline/run_report.h"

namespace pixflow::pipeline {

struct MergedReport {
  std::vector<ImageRecord> images;  // every shard's, in the order read; duplicates dropped
  RunSummary summary;               // totals over `images`; see MergeReports for the rest
  // Problems worth a warning: an input reported by two shards (the shards did not partition
  // the inputs), a report without its summary line (that shard did not finish).
  std::vector<std::string> warnings;
};

// Reads each report (a JSON line per image, then a summary line). The summary: totals over the
// images (an input seen again is counted once, its first record kept, and warned about);
// wall_seconds the longest shard's; workers, compute_threads and not_started summed; mode the
// shards' if they agree, else "mixed"; interrupted if any was; exit_code the largest. An
// unreadable file or a line that is neither is an error naming the file and line.
Result<MergedReport> MergeReports(std::span<const std::filesystem::path> paths);

// Writes `merged` as one report (the same format as --report).
Status WriteMergedReport(const MergedReport& merged, const std::filesystem::path& path);

}  // namespace pixflow::pipeline
