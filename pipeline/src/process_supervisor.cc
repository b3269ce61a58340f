// The supervisor side of the process executor (process_executor.h): one thread, one poll loop
// over the workers' sockets. Every wait in it is bounded: poll wakes at least every
// kTick to see the cancel flag and the deadlines, and reaping a worker kills it if it
// does not exit by itself.
#include <poll.h>
#include <sys/socket.h>
#include <tbb/info.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <optional>

#include "pixflow/pipeline/process_executor.h"
#include "process_protocol.h"
#include "process_spawn.h"

namespace pixflow::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kTick{200};
// How long a worker that closed its socket gets to finish exiting before it is killed.
constexpr milliseconds kExitPatience{2000};
// Sending a job never waits longer than this for the worker to read it.
constexpr milliseconds kSendPatience{10000};
// Workers dying before they say ready, in a row, that mean they cannot start at all.
constexpr int kMaxStartFailures = 3;

// One worker slot: the process now in it (if any) and what it is doing.
struct Slot {
  int index = 0;
  pid_t pid = -1;
  int fd = -1;
  bool ready = false;
  bool at_work = false;  // has been handed an image
  std::optional<size_t> job;
  Clock::time_point job_start;
  std::string received;  // bytes read, not yet a whole frame
  bool timed_out = false;
  uint64_t peak_rss_kib = 0;  // the largest of any process in this slot
  bool live() const { return pid > 0; }
};

class Supervisor {
 public:
  Supervisor(const ProcessOptions& options, std::span<const ConvertJob> jobs,
             const std::function<void(ImageRecord&&)>& sink, const std::atomic<bool>* cancel)
      : options_(options),
        jobs_(jobs),
        sink_(sink),
        cancel_(cancel),
        attempts_(jobs.size()),
        first_start_ms_(jobs.size()),
        losses_(jobs.size()) {
    slots_.resize(static_cast<size_t>(std::min<size_t>(options.workers, jobs.size())));
    for (size_t i = 0; i < slots_.size(); ++i) slots_[i].index = static_cast<int>(i);
    for (size_t job = 0; job < jobs.size(); ++job) pending_.push_back(job);
    report_.workers = static_cast<int>(slots_.size());
  }

  Result<ProcessReport> Run() {
    Status failure = Status::Ok();
    while (failure.ok()) {
      if (cancel_ != nullptr && cancel_->load() && !stopping_) {
        stopping_ = true;
        stop_deadline_ =
            Clock::now() + milliseconds(static_cast<int>(1000 * options_.grace_seconds));
      }
      failure = StartWorkers();
      if (!failure.ok()) break;
      HandOut();
      if (Busy() == 0 && (stopping_ || pending_.empty())) break;
      WaitForEvents();
      CheckDeadlines();
      if (start_failures_ >= kMaxStartFailures) {
        failure = Status(StatusCode::kInternal, "workers cannot start: " + last_start_failure_);
      }
    }
    Shutdown();
    if (!failure.ok()) return failure;
    return report_;
  }

 private:
  size_t Busy() const {
    return static_cast<size_t>(std::count_if(
        slots_.begin(), slots_.end(), [](const Slot& slot) { return slot.job.has_value(); }));
  }

  void Log(const std::string& line) const {
    if (options_.log) options_.log(line);
  }

  std::string Name(const Slot& slot) const {
    return "worker " + std::to_string(slot.index) + " (pid " + std::to_string(slot.pid) + ")";
  }

  // Keeps as many workers alive as there is work for (never more than the slots).
  Status StartWorkers() {
    if (stopping_) return Status::Ok();
    size_t wanted = std::min(slots_.size(), pending_.size() + Busy());
    for (Slot& slot : slots_) wanted -= std::min<size_t>(wanted, slot.live() ? 1 : 0);
    for (Slot& slot : slots_) {
      if (wanted == 0) break;
      if (slot.live()) continue;
      PIXFLOW_ASSIGN_OR_RETURN(const SpawnedWorker spawned,
                               SpawnWorker(options_.program, options_.arguments));
      slot.pid = spawned.pid;
      slot.fd = spawned.fd;
      ++report_.worker_starts;
      --wanted;
      if (options_.log_starts) Log(Name(slot) + " started");
    }
    return Status::Ok();
  }

  void HandOut() {
    for (Slot& slot : slots_) {
      if (stopping_ || pending_.empty()) return;
      if (!slot.ready || slot.job) continue;
      const size_t job = pending_.front();
      pending_.pop_front();
      slot.job = job;
      slot.job_start = Clock::now();
      if (attempts_[job]++ == 0) {
        ++report_.started;
        first_start_ms_[job] = SinceStartMs();
      }
      report_.peak_in_flight = std::max(report_.peak_in_flight, static_cast<int>(Busy()));
      const Status sent = SendWithin(slot.fd, wire::Encode(wire::JobFrame(jobs_[job])),
                                     Clock::now() + kSendPatience);
      if (!sent.ok()) {
        Lose(slot, sent.message());
        continue;
      }
      // Said once the job is sent, so whoever reads it (a test about to kill the worker) knows
      // the worker holds an image.
      if (options_.log_starts && !slot.at_work) Log(Name(slot) + " took its first image");
      slot.at_work = true;
    }
  }

  void WaitForEvents() {
    Clock::duration wait = kTick;
    for (const Slot& slot : slots_) {
      if (slot.job && options_.timeout_seconds > 0) {
        wait = std::min(wait, TimeoutOf(slot) - Clock::now());
      }
    }
    std::vector<pollfd> fds;
    std::vector<Slot*> owners;
    for (Slot& slot : slots_) {
      if (!slot.live()) continue;
      fds.push_back({slot.fd, POLLIN, 0});
      owners.push_back(&slot);
    }
    const auto ms = std::chrono::duration_cast<milliseconds>(wait).count();
    if (::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(ms, 0) + 1)) <= 0) {
      return;  // a timeout, or EINTR from a signal: the loop looks at the flag and deadlines
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents != 0) Receive(*owners[i]);
    }
  }

  // Reads what the worker sent; handles each whole frame; loses the worker at end of file.
  void Receive(Slot& slot) {
    char buffer[65536];
    while (slot.live()) {
      const ssize_t n = ::read(slot.fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) return Lose(slot, "");
      slot.received.append(buffer, static_cast<size_t>(n));
      while (slot.live()) {
        Result<std::optional<wire::Frame>> frame = wire::TakeFrame(slot.received);
        if (!frame.ok()) return Lose(slot, frame.status().message());
        if (!*frame) break;
        OnFrame(slot, std::move(**frame));
      }
    }
  }

  void OnFrame(Slot& slot, wire::Frame frame) {
    if (frame.kind == wire::Kind::kReady && !slot.ready) {
      slot.ready = true;
      start_failures_ = 0;
      const Status sent = SendWithin(slot.fd, wire::Encode(wire::InputsFrame(options_.input_ids)),
                                     Clock::now() + kSendPatience);
      if (!sent.ok()) Lose(slot, sent.message());
      return;
    }
    if (frame.kind != wire::Kind::kResult || !slot.job || frame.fields.size() != 2) {
      return Lose(slot, "worker protocol: unexpected message");
    }
    Result<ImageRecord> record = RecordFromJson(frame.fields[0]);
    if (!record.ok()) return Lose(slot, record.status().message());
    const ConvertJob& job = jobs_[*slot.job];
    // The exact names the supervisor walked (the JSON form replaces invalid UTF-8).
    record->input = job.input.path;
    record->relative = job.input.relative;
    record->worker = slot.index;
    record->pid = slot.pid;
    record->attempts = attempts_[*slot.job];
    record->worker_peak_rss_kib = std::strtoull(frame.fields[1].c_str(), nullptr, 10);
    // The report says why an image took more than one attempt.
    std::vector<std::string>& losses = losses_[*slot.job];
    record->warnings.insert(record->warnings.begin(), losses.begin(), losses.end());
    slot.peak_rss_kib = std::max(slot.peak_rss_kib, record->worker_peak_rss_kib);
    const size_t job_index = *slot.job;
    slot.job.reset();
    Deliver(job_index, std::move(*record));
  }

  double SinceStartMs() const {
    return std::chrono::duration<double, std::milli>(Clock::now() - options_.run_start).count();
  }

  // Every record leaves through here, timed from the job's first hand-out.
  void Deliver(size_t job, ImageRecord&& record) {
    record.started_ms = first_start_ms_[job];
    record.finished_ms = SinceStartMs();
    ++report_.finished;
    sink_(std::move(record));
  }

  Clock::time_point TimeoutOf(const Slot& slot) const {
    return slot.job_start + milliseconds(static_cast<int64_t>(1000 * options_.timeout_seconds));
  }

  void CheckDeadlines() {
    const Clock::time_point now = Clock::now();
    for (Slot& slot : slots_) {
      if (!slot.job) continue;
      if (options_.timeout_seconds > 0 && now >= TimeoutOf(slot)) {
        slot.timed_out = true;
        Lose(slot, "");
      } else if (stopping_ && now >= stop_deadline_) {
        Lose(slot, "still converting when the grace period after the interrupt ended");
      }
    }
  }

  // The record of an image whose worker was lost for the last time (or during a stop).
  void GiveUp(size_t job, ImageStatus status, const std::string& why, const Slot* slot) {
    ImageRecord record;
    record.input = jobs_[job].input.path;
    record.relative = jobs_[job].input.relative;
    record.status = status;
    record.stage = "worker";
    record.error = record.input + ": " + why;
    if (slot != nullptr) {
      record.worker = slot->index;
      record.pid = slot->pid;
    }
    record.attempts = attempts_[job];
    record.warnings = losses_[job];
    Deliver(job, std::move(record));
  }

  // The worker is gone, or must go (`problem` says why when it is still alive): kills and reaps
  // it, then retries, fails or cancels its image. The slot is free for a fresh worker after.
  void Lose(Slot& slot, const std::string& problem) {
    const bool kill_first = slot.timed_out || !problem.empty();
    if (kill_first) ::kill(slot.pid, SIGKILL);
    ::close(slot.fd);
    const Exit exit = Reap(slot.pid, kill_first ? milliseconds(0) : kExitPatience);
    slot.peak_rss_kib = std::max(slot.peak_rss_kib, exit.peak_rss_kib);
    std::string what = slot.timed_out     ? "timed out after " + FormatSeconds() + " s (killed)"
                       : !problem.empty() ? problem + " (killed)"
                                          : DescribeExit(exit.status);
    if (!slot.ready) {
      ++start_failures_;
      last_start_failure_ = Name(slot) + " " + what + " before it was ready";
      Log(last_start_failure_);
    } else if (slot.job) {
      ++report_.worker_deaths;
      const size_t job = *slot.job;
      std::string line = Name(slot) + " " + what + " while converting " + jobs_[job].input.path;
      if (stopping_) {
        GiveUp(job, ImageStatus::kCancelled, "interrupted: " + line, &slot);
      } else if (attempts_[job] <= options_.retries) {
        losses_[job].push_back(line);
        pending_.push_front(job);
        ++report_.retries;
        line += "; retrying it on a fresh worker (attempt " + std::to_string(attempts_[job] + 1) +
                " of " + std::to_string(options_.retries + 1) + ")";
      } else {
        GiveUp(job, ImageStatus::kFailed,
               line + " (" + std::to_string(attempts_[job]) + " attempts)", &slot);
        line += "; giving up on it";
      }
      Log(line);
    } else {
      Log(Name(slot) + " " + what + " while idle");
    }
    const int index = slot.index;
    const uint64_t peak = slot.peak_rss_kib;
    slot = Slot();
    slot.index = index;
    slot.peak_rss_kib = peak;
  }

  std::string FormatSeconds() const {
    std::string text = std::to_string(options_.timeout_seconds);
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return text;
  }

  // Closes every socket (a worker reads end of file and exits), reaps every worker, and records
  // the images that were waiting for a retry when the run stopped.
  void Shutdown() {
    for (Slot& slot : slots_) {
      if (slot.live()) ::close(slot.fd);
    }
    for (Slot& slot : slots_) {
      if (!slot.live()) continue;
      if (slot.job) ::kill(slot.pid, SIGKILL);  // only after a fatal error
      const Exit exit = Reap(slot.pid, kExitPatience);
      slot.peak_rss_kib = std::max(slot.peak_rss_kib, exit.peak_rss_kib);
      slot.pid = -1;
    }
    for (const size_t job : pending_) {
      if (attempts_[job] > 0) {
        GiveUp(job, ImageStatus::kCancelled, "interrupted before its retry", nullptr);
      }
    }
    for (const Slot& slot : slots_) report_.workers_peak_rss_kib += slot.peak_rss_kib;
  }

  const ProcessOptions& options_;
  std::span<const ConvertJob> jobs_;
  const std::function<void(ImageRecord&&)>& sink_;
  const std::atomic<bool>* cancel_;
  std::vector<int> attempts_;                     // times each job was handed out
  std::vector<double> first_start_ms_;            // when each was first handed out
  std::vector<std::vector<std::string>> losses_;  // each job's lost attempts, in words
  std::deque<size_t> pending_;
  std::vector<Slot> slots_;
  bool stopping_ = false;
  Clock::time_point stop_deadline_;
  int start_failures_ = 0;
  std::string last_start_failure_;
  ProcessReport report_;
};

}  // namespace

int DefaultWorkers() { return std::max(1, tbb::info::default_concurrency()); }

int DefaultThreadsPerWorker(int workers) {
  return std::max(1, DefaultWorkers() / std::max(1, workers));
}

ProcessExecutor::ProcessExecutor(ProcessOptions options) : options_(std::move(options)) {
  if (options_.workers <= 0) options_.workers = DefaultWorkers();
  options_.retries = std::max(0, options_.retries);
}

Result<ProcessReport> ProcessExecutor::Run(std::span<const ConvertJob> jobs,
                                           const std::function<void(ImageRecord&&)>& sink,
                                           const std::atomic<bool>* cancel) const {
  if (jobs.empty()) return ProcessReport{};
  Supervisor supervisor(options_, jobs, sink, cancel);
  return supervisor.Run();
}

}  // namespace pixflow::pipeline
