// `pixflow convert --mode processes` and `--shard`: the flags, the supervisor's run on the
// pipeline's ProcessExecutor, the hidden worker mode it spawns, and choosing this launch's
// shard (in both modes).
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "convert_flags.h"
#include "pixflow/io/walker.h"
#include "pixflow/pipeline/convert.h"
#include "pixflow/pipeline/run_report.h"
#include "pixflow/pipeline/shard.h"
#include "pixflow/pipeline/threaded_executor.h"

namespace pixflow::cli {

// --mode, --workers, --timeout, --retries, --worker-memory, --shard, --shard-count, and the
// hidden flags a worker is started with (--worker-fd, --worker-parent).
void AddProcessFlags(CLI::App& app, ConvertFlags& flags);

// A worker (started by a supervisor with --worker-fd): builds the same settings from the same
// flags and converts the jobs it is sent. Walks nothing. Exit 0 when the supervisor is done.
int RunConvertWorker(const CLI::App& app, const ConvertFlags& flags);

// This launch's shard: --shard K/N, else the launcher's environment, else none.
Result<std::optional<pipeline::ShardOrigin>> ChooseShard(const ConvertFlags& flags);
// Drops the jobs of other shards, keeping the order.
void KeepShard(std::vector<pipeline::ConvertJob>& jobs, const pipeline::Shard& shard);

// Runs `jobs` in worker processes, passing each record to `sink` and each worker event (start
// with --verbose, death, timeout, retry) to `log`. Fills summary.mode and summary.workers and
// adds the workers' peak memory to summary.peak_rss_kib. kInternal when workers cannot start.
Result<pipeline::ExecutorReport> RunInWorkerProcesses(
    const ConvertFlags& flags, std::span<const pipeline::ConvertJob> jobs,
    const io::WalkResult& walk, const std::function<void(pipeline::ImageRecord&&)>& sink,
    const std::function<void(const std::string&)>& log, const std::atomic<bool>& cancel,
    std::chrono::steady_clock::time_point start, pipeline::RunSummary& summary);

}  // namespace pixflow::cli
