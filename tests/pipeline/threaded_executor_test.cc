// ThreadedExecutor: every job passes Read, Compute, Write, Finish once and in order; blocking
// I/O runs off the TBB workers and does not stall compute; the in-flight bound holds; cancelling
// stops new jobs and finishes the started ones. These tests also run under TSan.
#include "pixflow/pipeline/threaded_executor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace pixflow::pipeline {
namespace {

using namespace std::chrono_literals;

// Records what happened to each job and checks the order of steps as it goes.
class RecordingRunner : public JobRunner {
 public:
  explicit RecordingRunner(size_t count) : steps_(count) {}

  void Read(size_t job) override {
    Step(job, 0);
    NoteThread(io_threads_);
    const int now = ++live_;
    int seen = max_live_.load();
    while (now > seen && !max_live_.compare_exchange_weak(seen, now)) {
    }
    if (read_delay_ > 0us) std::this_thread::sleep_for(read_delay_);
  }
  void Compute(size_t job) override {
    Step(job, 1);
    NoteThread(compute_threads_);
  }
  void Write(size_t job) override {
    Step(job, 2);
    NoteThread(io_threads_);
  }
  void Finish(size_t job) override {
    Step(job, 3);
    --live_;
    finish_order_.push_back(job);  // Finish is serial: no lock needed, TSan checks the claim
    if (on_finish_) on_finish_(job);
  }

  std::vector<std::atomic<int>> steps_;  // next expected step per job
  std::atomic<bool> order_broken_{false};
  std::mutex threads_mutex_;
  std::set<std::thread::id> io_threads_;
  std::set<std::thread::id> compute_threads_;
  std::atomic<int> live_{0};
  std::atomic<int> max_live_{0};
  std::vector<size_t> finish_order_;
  std::chrono::microseconds read_delay_{0};
  std::function<void(size_t)> on_finish_;

 private:
  void NoteThread(std::set<std::thread::id>& set) {
    std::lock_guard lock(threads_mutex_);
    set.insert(std::this_thread::get_id());
  }
  void Step(size_t job, int step) {
    int expected = step;
    if (!steps_[job].compare_exchange_strong(expected, step + 1)) order_broken_ = true;
  }
};

void ExpectAllDone(const RecordingRunner& runner, size_t count) {
  for (size_t i = 0; i < count; ++i) EXPECT_EQ(runner.steps_[i].load(), 4) << "job " << i;
  EXPECT_FALSE(runner.order_broken_.load());
  EXPECT_EQ(runner.finish_order_.size(), count);
}

TEST(ThreadedExecutor, EveryJobPassesEveryStepOnceInOrder) {
  const size_t count = 500;
  RecordingRunner runner(count);
  const ExecutorReport report = ThreadedExecutor({}).Run(count, runner);
  ExpectAllDone(runner, count);
  EXPECT_EQ(report.started, count);
  EXPECT_EQ(report.finished, count);
  // Blocking I/O and compute never share a thread: the I/O pool is separate from TBB's workers.
  for (const auto& id : runner.io_threads_) EXPECT_EQ(runner.compute_threads_.count(id), 0u);
  EXPECT_LE(runner.io_threads_.size(),
            static_cast<size_t>(DefaultIoThreads(ThreadedExecutor({}).options().compute_threads)));
}

TEST(ThreadedExecutor, SingleThreadedConfigurationCompletes) {
  const size_t count = 64;
  RecordingRunner runner(count);
  const ExecutorReport report =
      ThreadedExecutor({.compute_threads = 1, .io_threads = 1, .max_in_flight = 1})
          .Run(count, runner);
  ExpectAllDone(runner, count);
  EXPECT_EQ(report.peak_in_flight, 1);
  EXPECT_EQ(runner.max_live_.load(), 1);
  // With one job in flight at a time, jobs finish in the order they were listed.
  for (size_t i = 0; i < count; ++i) EXPECT_EQ(runner.finish_order_[i], i);
}

TEST(ThreadedExecutor, InFlightBoundHoldsWhateverTheJobCount) {
  const size_t count = 300;
  RecordingRunner runner(count);
  runner.read_delay_ = 200us;
  const ExecutorReport report =
      ThreadedExecutor({.compute_threads = 2, .io_threads = 4, .max_in_flight = 3})
          .Run(count, runner);
  ExpectAllDone(runner, count);
  EXPECT_LE(runner.max_live_.load(), 3);
  EXPECT_LE(report.peak_in_flight, 3);
  EXPECT_GE(report.peak_in_flight, 2) << "the bound was never used: nothing overlapped";
}

// A read that blocks must not stop compute: job 1's Read waits until job 0's Compute has run.
// With one compute thread, a read that occupied a TBB worker would deadlock here (the wait has a
// 10 s way out, which fails the test instead of hanging it).
class BlockedReadRunner : public RecordingRunner {
 public:
  BlockedReadRunner() : RecordingRunner(4) {}
  void Read(size_t job) override {
    RecordingRunner::Read(job);
    if (job == 1) {
      std::unique_lock lock(mutex_);
      released_ = cv_.wait_for(lock, 10s, [&] { return computed0_; });
    }
  }
  void Compute(size_t job) override {
    RecordingRunner::Compute(job);
    if (job == 0) {
      std::lock_guard lock(mutex_);
      computed0_ = true;
      cv_.notify_all();
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  bool computed0_ = false;
  bool released_ = false;
};

TEST(ThreadedExecutor, BlockedReadDoesNotStallCompute) {
  BlockedReadRunner runner;
  ThreadedExecutor({.compute_threads = 1, .io_threads = 2, .max_in_flight = 4}).Run(4, runner);
  ExpectAllDone(runner, 4);
  EXPECT_TRUE(runner.released_) << "job 0 never computed while job 1's read was blocked";
}

TEST(ThreadedExecutor, CancelStopsNewJobsAndFinishesStartedOnes) {
  const size_t count = 1000;
  RecordingRunner runner(count);
  std::atomic<bool> cancel{false};
  runner.on_finish_ = [&](size_t) {
    if (runner.finish_order_.size() == 10) cancel = true;
  };
  const ExecutorReport report =
      ThreadedExecutor({.compute_threads = 2, .io_threads = 2, .max_in_flight = 4})
          .Run(count, runner, &cancel);
  EXPECT_EQ(report.started, report.finished);
  EXPECT_GE(report.finished, 10u);
  EXPECT_LT(report.finished, 10u + 8u) << "jobs kept starting after cancel";
  for (size_t i = 0; i < count; ++i) {
    const int steps = runner.steps_[i].load();
    EXPECT_TRUE(steps == 0 || steps == 4) << "job " << i << " stopped half-way";
  }
}

TEST(ThreadedExecutor, ZeroJobsAndDefaults) {
  RecordingRunner runner(0);
  const ExecutorReport report = ThreadedExecutor({}).Run(0, runner);
  EXPECT_EQ(report.started, 0u);
  const ThreadedExecutor executor({.compute_threads = 3});
  EXPECT_EQ(executor.options().io_threads, DefaultIoThreads(3));
  EXPECT_EQ(executor.options().max_in_flight, DefaultMaxInFlight(3, DefaultIoThreads(3)));
  EXPECT_GE(ThreadedExecutor({}).options().compute_threads, 1);
}

}  // namespace
}  // namespace pixflow::pipeline
