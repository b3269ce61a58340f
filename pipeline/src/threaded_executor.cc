#include "pixflow/pipeline/threaded_executor.h"

#include <tbb/flow_graph.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <memory>
#include <type_traits>

#include "io_thread_pool.h"
#include "pixflow/filters/sanitizer.h"

namespace pixflow::pipeline {
namespace {

namespace flow = tbb::flow;
using JobId = size_t;
using IoNode = flow::async_node<JobId, JobId>;

// Builds the I/O step: the node hands the job to the pool and returns at once; the pool thread
// does the blocking work and puts the job back into the graph. reserve_wait/release_wait keep
// wait_for_all() waiting while the job is outside the graph.
// Orderings TBB guarantees but ThreadSanitizer cannot see (sanitizer.h).
//
// kGraphBuilt is released by the thread that built the graph just before starting it and
// acquired by every node body before it touches its captures, so each body sees the whole graph
// and the caller's set-up. kBodyDone is released by every body after its last use of its
// captures and acquired after wait_for_all(), so tearing the graph down comes after them all.
// Globals, so that annotating reads nothing another thread wrote.
const char kGraphBuilt = 0;
const char kBodyDone = 0;

// Wraps a node body in the two annotations.
template <class Body>
auto Annotated(Body body) {
  return [body](auto&&... args) {
    HappensAfter(&kGraphBuilt);
    if constexpr (std::is_void_v<decltype(body(args...))>) {
      body(args...);
      HappensBefore(&kBodyDone);
    } else {
      auto result = body(args...);
      HappensBefore(&kBodyDone);
      return result;
    }
  };
}

// Each step of a job happens after the previous one, whichever threads ran them.
class StepOrder {
 public:
  explicit StepOrder(size_t count) : sync_(std::make_unique<char[]>(count)) {}
  template <class Step>
  void Run(JobId job, const Step& step) const {
    HappensAfter(&sync_[job]);
    step();
    HappensBefore(&sync_[job]);
  }

 private:
  std::unique_ptr<char[]> sync_;
};

IoNode MakeIoNode(flow::graph& graph, IoThreadPool& pool, void (JobRunner::*step)(JobId),
                  JobRunner& runner, const StepOrder& order) {
  return IoNode(
      graph, flow::unlimited,
      Annotated([&pool, step, &runner, &order](const JobId& job, IoNode::gateway_type& gateway) {
        gateway.reserve_wait();
        pool.Submit(Annotated([&gateway, &runner, &order, step, job] {
          order.Run(job, [&] { (runner.*step)(job); });
          gateway.try_put(job);
          gateway.release_wait();
        }));
      }));
}

}  // namespace

int DefaultIoThreads(int compute_threads) { return std::clamp(2 * compute_threads, 2, 8); }

int DefaultMaxInFlight(int compute_threads, int io_threads) { return compute_threads + io_threads; }

ThreadedExecutor::ThreadedExecutor(ExecutorOptions options) : options_(options) {
  if (options_.compute_threads <= 0) options_.compute_threads = tbb::info::default_concurrency();
  if (options_.io_threads <= 0) options_.io_threads = DefaultIoThreads(options_.compute_threads);
  if (options_.max_in_flight <= 0) {
    options_.max_in_flight = DefaultMaxInFlight(options_.compute_threads, options_.io_threads);
  }
}

ExecutorReport ThreadedExecutor::Run(size_t count, JobRunner& runner,
                                     const std::atomic<bool>* cancel) const {
  std::atomic<size_t> started{0}, finished{0};
  std::atomic<int> live{0}, peak{0};  // jobs between admission and Finish
  const StepOrder order(count);
  const char finish_order = 0;
  tbb::task_arena arena(options_.compute_threads);
  IoThreadPool pool(options_.io_threads);
  arena.execute([&] {
    flow::graph graph;
    std::atomic<JobId> next{0};  // the source's body runs one call at a time
    flow::input_node<JobId> source(graph, Annotated([&](tbb::flow_control& control) -> JobId {
                                     const JobId job = next.fetch_add(1);
                                     if (job >= count || (cancel != nullptr && cancel->load())) {
                                       control.stop();
                                       return 0;
                                     }
                                     return job;
                                   }));
    flow::limiter_node<JobId> limiter(graph, static_cast<size_t>(options_.max_in_flight));
    // Past the limiter a job is live until Finish hands its token back.
    flow::function_node<JobId, JobId> admit(
        graph, flow::unlimited, Annotated([&](JobId job) {
          const int now = live.fetch_add(1) + 1;
          int seen = peak.load();
          while (now > seen && !peak.compare_exchange_weak(seen, now)) {
          }
          started.fetch_add(1);
          return job;
        }));
    IoNode read = MakeIoNode(graph, pool, &JobRunner::Read, runner, order);
    flow::function_node<JobId, JobId> compute(graph, flow::unlimited, Annotated([&](JobId job) {
                                                order.Run(job, [&] { runner.Compute(job); });
                                                return job;
                                              }));
    IoNode write = MakeIoNode(graph, pool, &JobRunner::Write, runner, order);
    flow::function_node<JobId, flow::continue_msg> finish(
        graph, flow::serial, Annotated([&](JobId job) {
          // Finish calls are serial (a TBB serial node): each sees the ones before it.
          HappensAfter(&finish_order);
          order.Run(job, [&] { runner.Finish(job); });
          live.fetch_sub(1);
          finished.fetch_add(1);
          HappensBefore(&finish_order);
          return flow::continue_msg();
        }));

    flow::make_edge(source, limiter);
    flow::make_edge(limiter, admit);
    flow::make_edge(admit, read);
    flow::make_edge(read, compute);
    flow::make_edge(compute, write);
    flow::make_edge(write, finish);
    flow::make_edge(finish, limiter.decrementer());
    HappensBefore(&kGraphBuilt);
    source.activate();
    graph.wait_for_all();
    HappensAfter(&finish_order);  // every Finish is visible from here on
    HappensAfter(&kBodyDone);     // and the graph can be torn down
  });

  ExecutorReport report;
  report.started = started.load();
  report.finished = finished.load();
  report.compute_threads = options_.compute_threads;
  report.io_threads = options_.io_threads;
  report.max_in_flight = options_.max_in_flight;
  report.peak_in_flight = peak.load();
  return report;
}

}  // namespace pixflow::pipeline
