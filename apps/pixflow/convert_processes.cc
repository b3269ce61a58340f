#include "convert_processes.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "command.h"
#include "pixflow/pipeline/process_executor.h"

namespace pixflow::cli {
namespace {

int Workers(const ConvertFlags& flags) {
  return flags.workers > 0 ? flags.workers : pipeline::DefaultWorkers();
}

// In process mode -j is per worker; by default the cores are shared out among the workers.
int ThreadsPerWorker(const ConvertFlags& flags) {
  return flags.jobs > 0 ? flags.jobs : pipeline::DefaultThreadsPerWorker(Workers(flags));
}

// This process's own argv, exactly as started: a worker re-runs it (same flags, so the same
// settings and byte-identical outputs) with the worker flags added right after "convert", where
// a later "--" cannot turn them into inputs.
Result<std::vector<std::string>> WorkerArguments() {
  std::ifstream file("/proc/self/cmdline", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::vector<std::string> arguments;
  for (size_t at = 0; at < text.size();) {
    const size_t end = text.find('\0', at);
    arguments.push_back(text.substr(at, end - at));
    at = end == std::string::npos ? text.size() : end + 1;
  }
  const auto convert = std::find(arguments.begin(), arguments.end(), "convert");
  if (convert == arguments.end()) {
    return Status(StatusCode::kInternal, "cannot find 'convert' in /proc/self/cmdline");
  }
  const std::vector<std::string> worker = {"--worker-fd", std::to_string(pipeline::kWorkerFd),
                                           "--worker-parent", std::to_string(::getpid())};
  arguments.insert(convert + 1, worker.begin(), worker.end());
  return arguments;
}

}  // namespace

void AddProcessFlags(CLI::App& app, ConvertFlags& flags) {
  app.add_option("--mode", flags.mode,
                 "threads: one process, a thread pool; processes: a supervisor and worker "
                 "processes, so a crash, hang or memory blow-up loses one image, not the batch")
      ->check(CLI::IsMember({"threads", "processes"}))
      ->capture_default_str();
  app.add_option("--workers", flags.workers,
                 "Worker processes with --mode processes (default: one per core; -j is then the "
                 "threads of each, default cores / workers)")
      ->check(CLI::PositiveNumber);
  app.add_option("--timeout", flags.timeout,
                 "With --mode processes: kill a worker that spends more than SEC seconds on one "
                 "image (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--retries", flags.retries,
                 "With --mode processes: how many times an image whose worker died or timed "
                 "out is tried again on a fresh worker")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--worker-memory", flags.worker_memory,
                 "With --mode processes: cap each worker's address space (RLIMIT_AS), e.g. 2G, "
                 "so one decompression bomb fails alone")
      ->check([](const std::string& text) {
        const Result<uint64_t> size = pipeline::ParseMemorySize(text);
        return size.ok() ? std::string() : size.status().message();
      });
  app.add_option("--shard", flags.shard,
                 "Convert only the K-th of N partitions (K/N, 0-based) by a stable hash of the "
                 "relative path; default from Slurm, Kubernetes or MPI variables when set");
  app.add_option("--shard-count", flags.shard_count,
                 "N for a Kubernetes indexed Job (its spec.completions; the index is read from "
                 "JOB_COMPLETION_INDEX)")
      ->check(CLI::PositiveNumber);
  // Set by the supervisor on the workers it spawns; not for people.
  app.add_option("--worker-fd", flags.worker_fd)->group("");
  app.add_option("--worker-parent", flags.worker_parent)->group("");
}

int RunConvertWorker(const CLI::App& app, const ConvertFlags& flags) {
  Result<pipeline::ConvertSettings> settings = MakeConvertSettings(app, flags);
  Result<uint64_t> memory = flags.worker_memory.empty()
                                ? Result<uint64_t>(uint64_t{0})
                                : pipeline::ParseMemorySize(flags.worker_memory);
  Status served = !settings.ok() ? settings.status() : memory.status();
  if (served.ok()) {
    const pipeline::WorkerOptions options{flags.worker_fd, flags.worker_parent, *memory,
                                          ThreadsPerWorker(flags)};
    served = pipeline::ServeJobs(options, *settings);
  }
  if (served.ok()) return kExitOk;
  fmt::print(stderr, "pixflow worker {}: {}\n", ::getpid(), served.message());
  return kExitSomeFailed;
}

Result<std::optional<pipeline::ShardOrigin>> ChooseShard(const ConvertFlags& flags) {
  if (!flags.shard.empty()) {
    if (flags.shard_count > 0) return InvalidArgument("--shard and --shard-count: give one");
    PIXFLOW_ASSIGN_OR_RETURN(const pipeline::Shard shard, pipeline::ParseShard(flags.shard));
    return std::optional<pipeline::ShardOrigin>(pipeline::ShardOrigin{shard, "--shard"});
  }
  return pipeline::ShardFromEnvironment(flags.shard_count);
}

void KeepShard(std::vector<pipeline::ConvertJob>& jobs, const pipeline::Shard& shard) {
  std::erase_if(jobs, [&](const pipeline::ConvertJob& job) {
    return pipeline::ShardOf(job.input.relative, shard.count) != shard.index;
  });
}

Result<pipeline::ExecutorReport> RunInWorkerProcesses(
    const ConvertFlags& flags, std::span<const pipeline::ConvertJob> jobs,
    const io::WalkResult& walk, const std::function<void(pipeline::ImageRecord&&)>& sink,
    const std::function<void(const std::string&)>& log, const std::atomic<bool>& cancel,
    std::chrono::steady_clock::time_point start, pipeline::RunSummary& summary) {
  pipeline::ProcessOptions options;
  options.program = "/proc/self/exe";  // this very binary, even if it was replaced on disk
  PIXFLOW_ASSIGN_OR_RETURN(options.arguments, WorkerArguments());
  options.workers = Workers(flags);
  options.timeout_seconds = flags.timeout;
  options.retries = flags.retries;
  options.input_ids = walk.input_ids;
  options.log = log;
  options.run_start = start;
  options.log_starts = flags.verbose;
  const int threads = ThreadsPerWorker(flags);
  if (flags.verbose) {
    log(fmt::format("{} images; {} worker processes of {} threads each{}{}", jobs.size(),
                    std::min<size_t>(options.workers, jobs.size()), threads,
                    flags.timeout > 0 ? fmt::format(", {} s per image", flags.timeout) : "",
                    flags.worker_memory.empty() ? "" : ", memory cap " + flags.worker_memory));
  }
  const pipeline::ProcessExecutor executor(std::move(options));
  PIXFLOW_ASSIGN_OR_RETURN(const pipeline::ProcessReport ran, executor.Run(jobs, sink, &cancel));
  summary.mode = "processes";
  summary.workers = ran.workers;
  summary.peak_rss_kib += ran.workers_peak_rss_kib;
  pipeline::ExecutorReport report;
  report.started = ran.started;
  report.finished = ran.finished;
  report.compute_threads = ran.workers * threads;
  report.max_in_flight = ran.workers;
  report.peak_in_flight = ran.peak_in_flight;
  return report;
}

}  // namespace pixflow::cli
