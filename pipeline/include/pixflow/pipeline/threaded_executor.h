// The threaded strategy: one process, a oneTBB flow graph for compute and a small pool of I/O
// threads for blocking file reads and writes, so a slow disk never idles a core and a long
// decode never blocks a read.
//
//   source -> limiter -> read (I/O pool) -> compute (TBB workers) -> write (I/O pool) -> finish
//                 ^                                                                    |
//                 +------------------------- one token back per finished job ----------+
//
// The limiter bounds the jobs between the start of Read and the end of Finish, so peak memory
// depends on that bound and on image size, never on the number of files.
#pragma once

#include <atomic>
#include <cstddef>

namespace pixflow::pipeline {

// What happens to one job at each step. Job ids are 0..count-1. For each job the executor calls
// Read, Compute, Write, Finish in that order, each exactly once, never two steps of the same job
// at once. A job that failed earlier still passes through the later steps: skipping work for a
// failed job is the runner's decision (it knows why it failed). Finish calls never overlap, so
// results and progress can be recorded there without locks.
class JobRunner {
 public:
  virtual ~JobRunner() = default;
  virtual void Read(size_t job) = 0;     // blocking I/O; runs on an I/O thread
  virtual void Compute(size_t job) = 0;  // decode, filters, encode; runs on a TBB worker
  virtual void Write(size_t job) = 0;    // blocking I/O; runs on an I/O thread
  virtual void Finish(size_t job) = 0;   // serial; releases the job's memory
};

struct ExecutorOptions {
  int compute_threads = 0;  // TBB workers; 0 = all cores
  int io_threads = 0;       // 0 = DefaultIoThreads(compute_threads)
  int max_in_flight = 0;    // 0 = DefaultMaxInFlight(compute threads, io threads)
};

// Reads and writes mostly wait on the disk; a few threads keep a local disk busy and overlap the
// latency of network storage. Two per core up to 8 (measured with `pixflow bench --workload io`).
int DefaultIoThreads(int compute_threads);
// Enough jobs in flight that every compute thread has one while the I/O threads each hold one
// more, and no more: each in-flight job holds a decoded image.
int DefaultMaxInFlight(int compute_threads, int io_threads);

struct ExecutorReport {
  size_t started = 0;   // jobs that entered Read
  size_t finished = 0;  // jobs that reached Finish (== started: in-flight jobs always finish)
  int compute_threads = 0;
  int io_threads = 0;
  int max_in_flight = 0;
  int peak_in_flight = 0;  // the most jobs seen between Read and Finish at once
};

class ThreadedExecutor {
 public:
  // Resolves the options' defaults (0 = from the core count); nothing starts until Run.
  explicit ThreadedExecutor(ExecutorOptions options);

  // The resolved thread counts and bound (0s replaced by the defaults).
  const ExecutorOptions& options() const { return options_; }

  // Runs jobs 0..count-1 through `runner`. When *cancel becomes true no new job starts; jobs
  // already started run to Finish (the runner may check the flag and discard their work).
  ExecutorReport Run(size_t count, JobRunner& runner,
                     const std::atomic<bool>* cancel = nullptr) const;

 private:
  ExecutorOptions options_;
};

}  // namespace pixflow::pipeline
