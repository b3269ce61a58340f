#include "pixflow/pipeline/report_merge.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_set>

namespace pixflow::pipeline {
namespace {

using Json = nlohmann::json;

// Folds one shard's summary line into the merged summary.
void AddShardSummary(const Json& shard, RunSummary& merged, bool first) {
  merged.wall_seconds = std::max(merged.wall_seconds, shard.value("wall_seconds", 0.0));
  merged.workers += shard.value("workers", 0);
  merged.compute_threads += shard.value("compute_threads", 0);
  merged.io_threads += shard.value("io_threads", 0);
  merged.max_in_flight += shard.value("max_in_flight", 0);
  merged.peak_in_flight += shard.value("peak_in_flight", 0);
  merged.not_started += shard.value("not_started", size_t{0});
  // Every shard walks every input, so each sees the same walk problems.
  merged.walk_problems = std::max(merged.walk_problems, shard.value("walk_problems", size_t{0}));
  merged.peak_rss_kib = std::max(merged.peak_rss_kib, shard.value("peak_rss_kib", uint64_t{0}));
  merged.interrupted = merged.interrupted || shard.value("interrupted", false);
  merged.exit_code = std::max(merged.exit_code, shard.value("exit_code", 0));
  const std::string mode = shard.value("mode", "threads");
  if (first) {
    merged.mode = mode;
  } else if (merged.mode != mode) {
    merged.mode = "mixed";
  }
}

}  // namespace

Result<MergedReport> MergeReports(std::span<const std::filesystem::path> paths) {
  MergedReport merged;
  std::unordered_set<std::string> seen;
  size_t summaries = 0;
  for (const std::filesystem::path& path : paths) {
    std::ifstream file(path);
    if (!file) return InvalidArgument(path.string() + ": cannot read the report");
    bool has_summary = false;
    int number = 0;
    for (std::string line; std::getline(file, line);) {
      ++number;
      if (line.empty()) continue;
      const std::string where = path.string() + ":" + std::to_string(number);
      if (line.rfind("{\"summary\"", 0) == 0) {
        const Json json = Json::parse(line, nullptr, false);
        if (json.is_discarded() || !json["summary"].is_object()) {
          return InvalidArgument(where + ": unreadable summary line");
        }
        AddShardSummary(json["summary"], merged.summary, summaries++ == 0);
        has_summary = true;
        continue;
      }
      Result<ImageRecord> record = RecordFromJson(line);
      if (!record.ok()) return record.status().WithContext(where);
      if (!seen.insert(record->input).second) {
        merged.warnings.push_back(record->input + " is in more than one report (again in " + where +
                                  "); counted once");
        continue;
      }
      merged.summary.totals.Add(*record);
      merged.images.push_back(std::move(*record));
    }
    if (!has_summary) {
      merged.warnings.push_back(path.string() +
                                ": no summary line: that run did not finish (its images so far "
                                "are merged)");
      merged.summary.interrupted = true;
    }
  }
  return merged;
}

Status WriteMergedReport(const MergedReport& merged, const std::filesystem::path& path) {
  PIXFLOW_ASSIGN_OR_RETURN(ReportWriter writer, ReportWriter::Open(path));
  for (const ImageRecord& record : merged.images) PIXFLOW_RETURN_IF_ERROR(writer.Add(record));
  return writer.Close(merged.summary);
}

}  // namespace pixflow::pipeline
