// `pixflow convert INPUT... -o OUTDIR [ops...]`: walks the inputs, plans every output, runs the
// images through the threaded pipeline, and reports. Exit: 0 all converted, 1 some images
// failed (the rest are written), 2 usage or setup error, 128+signal when interrupted.
#include "pixflow/pipeline/convert.h"

#include <fmt/core.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "convert_flags.h"
#include "convert_processes.h"
#include "interrupt.h"
#include "pixflow/io/walker.h"
#include "pixflow/pipeline/run_report.h"
#include "pixflow/pipeline/threaded_executor.h"
#include "progress.h"

namespace pixflow::cli {
namespace {

namespace fs = std::filesystem;

int UsageError(const std::string& message) {
  fmt::print(stderr, "pixflow convert: {}\n", message);
  return kExitUsage;
}

uint64_t PeakRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss);
}

// The output folder exists (made if needed) and can be written to.
Status PrepareOutputFolder(const fs::path& folder, bool dry_run) {
  std::error_code error;
  if (dry_run) return Status::Ok();
  fs::create_directories(folder, error);
  if (error) {
    return InvalidArgument("cannot create the output folder " + folder.string() + ": " +
                           error.message());
  }
  if (!fs::is_directory(folder) || ::access(folder.c_str(), W_OK | X_OK) != 0) {
    return InvalidArgument("the output folder " + folder.string() +
                           " is not a writable folder (choose another with -o)");
  }
  return Status::Ok();
}

// `-o` naming an input folder: the walk leaves the output folder out, so the run would find
// nothing to do and say it succeeded; and if it did convert, the next run would take the
// outputs for inputs. A setup error instead.
Status RefuseOutputFolderAsInput(const std::vector<std::string>& inputs, const fs::path& output) {
  for (const std::string& input : inputs) {
    std::error_code error;
    if (fs::is_directory(input, error) && fs::equivalent(input, output, error)) {
      return InvalidArgument("the output folder " + output.string() + " is the input folder " +
                             input + " (choose another with -o; one inside it is fine)");
    }
  }
  return Status::Ok();
}

std::string Bytes(uint64_t bytes) {
  const auto value = static_cast<double>(bytes);
  if (bytes >= 1000000000) return fmt::format("{:.2f} GB", value / 1e9);
  if (bytes >= 1000000) return fmt::format("{:.1f} MB", value / 1e6);
  if (bytes >= 1000) return fmt::format("{:.1f} kB", value / 1e3);
  return fmt::format("{} B", bytes);
}

// What a finished image prints, if anything: errors always, the rest with --verbose or in a
// dry run (where the plan is the point).
void PrintRecord(const pipeline::ImageRecord& record, const ConvertFlags& flags,
                 ProgressDisplay& progress) {
  using pipeline::ImageStatus;
  if (record.failed()) {
    progress.Print(stderr, fmt::format("pixflow: {} failed: {}", record.stage, record.error));
    return;
  }
  if (!flags.verbose && !flags.dry_run) return;
  for (const pipeline::OutputRecord& output : record.outputs) {
    std::string line;
    if (output.existed) {
      line = fmt::format("{}: {} exists, skipped", record.input, output.path);
    } else if (record.status == ImageStatus::kPlanned) {
      line =
          fmt::format("{} -> {} ({}x{})", record.input, output.path, output.width, output.height);
    } else {
      line = fmt::format("{} -> {} ({}x{}, {} bytes, {:.0f} ms)", record.input, output.path,
                         output.width, output.height, output.bytes, record.ms.total());
    }
    progress.Print(stdout, line);
  }
}

void PrintSummary(const pipeline::RunSummary& summary, const io::WalkResult& walk,
                  const ConvertFlags& flags, const std::string& report_path) {
  const pipeline::RunTotals& t = summary.totals;
  if (flags.dry_run) {
    fmt::print(stderr, "pixflow: dry run: {} images would be converted, {} skipped, {} failed\n",
               t.planned, t.skipped, t.failed);
    return;
  }
  std::string line =
      fmt::format("pixflow: {} converted, {} skipped, {} failed", t.converted, t.skipped, t.failed);
  if (summary.not_started > 0) line += fmt::format(", {} not started", summary.not_started);
  if (walk.skipped_not_image > 0) {
    line += fmt::format(" ({} non-image files ignored)", walk.skipped_not_image);
  }
  line += fmt::format(" in {:.2f} s ({:.1f} images/s, {:.1f} MP/s; {} read, {} written)",
                      summary.wall_seconds,
                      static_cast<double>(t.converted) / std::max(summary.wall_seconds, 1e-9),
                      t.input_megapixels / std::max(summary.wall_seconds, 1e-9),
                      Bytes(t.bytes_read), Bytes(t.bytes_written));
  if (!report_path.empty()) line += "; report: " + report_path;
  fmt::print(stderr, "{}\n", line);
}

int RunConvert(const CLI::App& app, const ConvertFlags& flags) {
  if (flags.worker_fd >= 0) return RunConvertWorker(app, flags);
  const auto start = std::chrono::steady_clock::now();
  pipeline::RunSummary summary;
  summary.clock_start_ms =
      std::chrono::duration<double, std::milli>(start.time_since_epoch()).count();
  Result<pipeline::ConvertSettings> settings = MakeConvertSettings(app, flags);
  if (!settings.ok()) return UsageError(settings.status().message());
  const Status apart = RefuseOutputFolderAsInput(flags.inputs, settings->output_folder);
  if (!apart.ok()) return UsageError(apart.message());
  io::WalkOptions walk_options;
  walk_options.include_hidden = flags.hidden;
  walk_options.output_folder = settings->output_folder;
  const std::vector<fs::path> inputs(flags.inputs.begin(), flags.inputs.end());
  Result<io::WalkResult> walk = io::WalkInputs(inputs, walk_options);
  if (!walk.ok()) return UsageError(walk.status().message());
  // After the walk, so that a mistyped input leaves no empty output folder behind. (A folder
  // that does not exist yet cannot lie inside the inputs, so the walk had nothing to skip.)
  if (Status ready = PrepareOutputFolder(settings->output_folder, flags.dry_run); !ready.ok()) {
    return UsageError(ready.message());
  }
  for (const Status& problem : walk->problems)
    fmt::print(stderr, "pixflow: {}\n", problem.message());
  Result<std::vector<pipeline::ConvertJob>> jobs =
      pipeline::PlanConvertJobs(std::move(walk->files), *settings);
  if (!jobs.ok()) return UsageError(jobs.status().message());
  // Planned whole first, so output clashes are found the same way by every shard.
  Result<std::optional<pipeline::ShardOrigin>> shard = ChooseShard(flags);
  if (!shard.ok()) return UsageError(shard.status().message());
  if (*shard) {
    const size_t all = jobs->size();
    KeepShard(*jobs, (*shard)->shard);
    if (flags.verbose) {
      fmt::print(stderr, "pixflow: shard {}/{} (from {}): {} of {} images\n", (*shard)->shard.index,
                 (*shard)->shard.count, (*shard)->source, jobs->size(), all);
    }
  }
  const std::string report_path =
      pipeline::ExpandShardPattern(flags.report, *shard ? (*shard)->shard : pipeline::Shard{});

  std::optional<pipeline::ReportWriter> report;
  if (!report_path.empty()) {
    Result<pipeline::ReportWriter> opened = pipeline::ReportWriter::Open(report_path);
    if (!opened.ok()) return UsageError(opened.status().message());
    report.emplace(std::move(*opened));
  }

  const pipeline::ThreadedExecutor executor({flags.jobs, flags.io_threads, flags.max_in_flight});
  if (flags.verbose && flags.mode != "processes") {
    const pipeline::ExecutorOptions& options = executor.options();
    fmt::print(stderr,
               "pixflow: {} images ({} non-image files skipped); {} compute threads, {} I/O "
               "threads, at most {} images in flight\n",
               jobs->size(), walk->skipped_not_image, options.compute_threads, options.io_threads,
               options.max_in_flight);
  }

  summary.walk_problems = walk->problems.size();
  ProgressDisplay progress(ChooseProgressStyle(flags.progress, flags.quiet), jobs->size());
  Status report_status = Status::Ok();
  const pipeline::ImageConverter converter(*settings, *walk);
  const auto sink = [&](pipeline::ImageRecord&& record) {
    summary.totals.Add(record);
    if (report && report_status.ok()) report_status = report->Add(record);
    PrintRecord(record, flags, progress);
    progress.Update(summary.totals);
  };
  const InterruptScope interrupt;
  pipeline::ExecutorReport ran;
  if (flags.mode == "processes") {
    const auto log = [&](const std::string& line) { progress.Print(stderr, "pixflow: " + line); };
    Result<pipeline::ExecutorReport> done =
        RunInWorkerProcesses(flags, *jobs, *walk, sink, log, interrupt.requested(), start, summary);
    if (!done.ok()) {
      progress.Finish();
      return UsageError(done.status().message());
    }
    ran = *done;
  } else {
    pipeline::ConvertRunner runner(converter, *jobs, sink, start);
    ran = executor.Run(jobs->size(), runner, &interrupt.requested());
  }
  progress.Finish();

  summary.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.compute_threads = ran.compute_threads;
  summary.io_threads = ran.io_threads;
  summary.max_in_flight = ran.max_in_flight;
  summary.peak_in_flight = ran.peak_in_flight;
  summary.not_started = jobs->size() - ran.started;
  summary.interrupted = interrupt.signal() != 0;
  summary.peak_rss_kib += PeakRssKib();
  summary.exit_code = summary.interrupted ? interrupt.exit_code()
                      : summary.totals.failed > 0 || summary.walk_problems > 0 ? kExitSomeFailed
                                                                               : kExitOk;
  if (report && report_status.ok()) report_status = report->Close(summary);
  if (!flags.quiet) PrintSummary(summary, *walk, flags, report_path);
  if (!report_status.ok()) {
    fmt::print(stderr, "pixflow: {}\n", report_status.message());
    if (summary.exit_code == kExitOk) summary.exit_code = kExitSomeFailed;
  }
  return summary.exit_code;
}

}  // namespace

Command AddConvertCommand(CLI::App& parent) {
  auto flags = std::make_shared<ConvertFlags>();
  CLI::App* app = parent.add_subcommand(
      "convert",
      "Convert images and folders of images: decode, apply the ops in order, encode, write "
      "atomically; one bad image never stops the batch");
  AddConvertFlags(*app, *flags);
  AddProcessFlags(*app, *flags);
  return {app, [app, flags] { return RunConvert(*app, *flags); }};
}

}  // namespace pixflow::cli
