// The process strategy: a supervisor and a fleet of worker processes running copies of the same
// binary. The supervisor owns the job list and hands one job at a time to whichever worker is
// free; each worker converts it with the same ImageConverter stages the threaded executor runs
// and sends back the image's record. A worker that crashes, is OOM-killed or exceeds the
// timeout loses only its in-flight image: the supervisor records why, retries the image on a
// fresh worker, and the batch goes on.
//
//   supervisor (one thread, poll)           worker k (spawned: program + arguments, fd 3)
//     spawn ----------------------------->    PR_SET_PDEATHSIG, RLIMIT_AS, -j threads
//     <------------------------------------   ready
//     input ids (to refuse overwriting) -->
//     job ------------------------------->    Convert(job)
//     <------------------------------------   record (status, timings, peak RSS)
//     ... close the socket --------------->    EOF: exit 0
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "pixflow/filters/status.h"
#include "pixflow/pipeline/convert.h"
#include "pixflow/pipeline/image_record.h"

namespace pixflow::pipeline {

// The worker's end of its socket: spawned workers find it here.
inline constexpr int kWorkerFd = 3;

struct ProcessOptions {
  // What to run: the executable and its whole argv (argv[0] included). The command must make
  // the process call ServeJobs on kWorkerFd with settings equal to the supervisor's.
  std::string program;
  std::vector<std::string> arguments;
  int workers = 0;             // 0 = DefaultWorkers()
  double timeout_seconds = 0;  // per image; 0 = none
  int retries = 1;             // extra attempts for an image whose worker died
  double grace_seconds = 10;   // after cancel, how long in-flight images may take
  // (device, inode) of every input, sent to each worker (io::WalkResult::input_ids).
  std::set<std::pair<uint64_t, uint64_t>> input_ids;
  // Lifecycle lines ("worker 2 (pid 1234) started", deaths, retries, timeouts), as they happen.
  std::function<void(const std::string&)> log;
  bool log_starts = false;  // also log every start (--verbose); deaths are always logged
  // Records' started_ms (first hand-out) and finished_ms (record delivered) count from here.
  std::chrono::steady_clock::time_point run_start = std::chrono::steady_clock::now();
};

// The cores this process may run on (its CPU affinity): the default worker count.
int DefaultWorkers();
// Threads each of `workers` workers uses when -j is not given: the cores shared out, at least 1.
int DefaultThreadsPerWorker(int workers);

struct ProcessReport {
  size_t started = 0;   // jobs handed to a worker at least once
  size_t finished = 0;  // jobs with a record (converted, failed, or cancelled in flight)
  int workers = 0;
  size_t worker_starts = 0;  // processes spawned, respawns included
  size_t worker_deaths = 0;  // lost while converting (signal, exit, timeout)
  size_t retries = 0;        // images handed out again after a death
  int peak_in_flight = 0;
  // Sum over worker slots of the largest peak resident memory of a process in that slot, in
  // KiB: a bound on what the workers held at once (they are not sampled together).
  uint64_t workers_peak_rss_kib = 0;
};

class ProcessExecutor {
 public:
  // Resolves the options' defaults (0 workers = from the core count, negative retries = 0);
  // nothing starts until Run.
  explicit ProcessExecutor(ProcessOptions options);

  const ProcessOptions& options() const { return options_; }

  // Runs `jobs`, passing each record to `sink` as it arrives (on the calling thread). When
  // *cancel becomes true no new job is handed out; in-flight images get grace_seconds, then
  // their workers are killed and those images recorded as cancelled. Returns when every worker
  // has been reaped. kInternal when workers cannot be started at all (three in a row die
  // before saying ready), after reaping the rest.
  Result<ProcessReport> Run(std::span<const ConvertJob> jobs,
                            const std::function<void(ImageRecord&&)>& sink,
                            const std::atomic<bool>* cancel = nullptr) const;

 private:
  ProcessOptions options_;
};

struct WorkerOptions {
  int fd = kWorkerFd;
  pid_t supervisor = 0;       // exit at once if the parent is not (or no longer) this pid
  uint64_t memory_limit = 0;  // RLIMIT_AS in bytes, set before any work; 0 = none
  int threads = 1;            // TBB threads for one image's filters
};

// The worker's side: exits with its supervisor (PR_SET_PDEATHSIG), caps its memory, says ready,
// then converts each job it is sent (ImageConverter over `settings`, the input ids the
// supervisor sends standing in for a walk) until the supervisor closes the socket. Returns Ok at
// end of input; an error when the parent is gone, or the socket or protocol fails.
Status ServeJobs(const WorkerOptions& options, const ConvertSettings& settings);

// "2G", "512M", "64k", "1.5G" or a byte count; binary units (1K = 1024). kInvalidArgument
// naming the text otherwise.
Result<uint64_t> ParseMemorySize(std::string_view text);

}  // namespace pixflow::pipeline
