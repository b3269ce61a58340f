// `pixflow report merge REPORT... [-o merged.json]`: combines the reports of a sharded run (one
// per `--shard K/N` launch) into one summary, warning when an input was converted by two shards
// or a shard did not finish. Exit: 0 merged and every image fine, 1 some image failed or a
// warning, 2 an unreadable report.
#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "pixflow/pipeline/report_merge.h"

namespace pixflow::cli {
namespace {

struct MergeFlags {
  std::vector<std::string> reports;
  std::string output;
};

void PrintMerged(const pipeline::MergedReport& merged, size_t reports) {
  const pipeline::RunTotals& t = merged.summary.totals;
  fmt::print(
      "{} reports: {} images, {} converted, {} skipped, {} failed, {} cancelled, {} not started; "
      "{} outputs, {:.1f} MB written; longest shard {:.2f} s; mode {}, {} workers\n",
      reports, t.images, t.converted, t.skipped, t.failed, t.cancelled, merged.summary.not_started,
      t.outputs_written, static_cast<double>(t.bytes_written) / 1e6, merged.summary.wall_seconds,
      merged.summary.mode, merged.summary.workers);
  for (const pipeline::ImageRecord& record : merged.images) {
    if (record.failed()) fmt::print("failed: {}: {}\n", record.stage, record.error);
  }
}

int RunMerge(const MergeFlags& flags) {
  const std::vector<std::filesystem::path> paths(flags.reports.begin(), flags.reports.end());
  Result<pipeline::MergedReport> merged = pipeline::MergeReports(paths);
  if (!merged.ok()) {
    fmt::print(stderr, "pixflow report merge: {}\n", merged.status().message());
    return kExitUsage;
  }
  for (const std::string& warning : merged->warnings) {
    fmt::print(stderr, "pixflow report merge: warning: {}\n", warning);
  }
  PrintMerged(*merged, paths.size());
  if (!flags.output.empty()) {
    if (Status written = pipeline::WriteMergedReport(*merged, flags.output); !written.ok()) {
      fmt::print(stderr, "pixflow report merge: {}\n", written.message());
      return kExitUsage;
    }
  }
  const bool clean = merged->warnings.empty() && merged->summary.totals.failed == 0 &&
                     merged->summary.totals.cancelled == 0;
  return clean ? kExitOk : kExitSomeFailed;
}

}  // namespace

Command AddReportCommand(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand("report", "Work with --report files");
  app->require_subcommand(1);
  auto flags = std::make_shared<MergeFlags>();
  CLI::App* merge = app->add_subcommand(
      "merge", "Merge the reports of a sharded run (--shard K/N) into one summary and report");
  merge->add_option("reports", flags->reports, "Report files, one per shard")->required();
  merge->add_option("-o,--output", flags->output, "Write the merged report here");
  return {app, [flags] { return RunMerge(*flags); }};
}

}  // namespace pixflow::cli
