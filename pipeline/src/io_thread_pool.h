// A fixed set of threads for blocking I/O, apart from TBB's workers so that a thread waiting on
// the disk never takes a compute slot.
#pragma once

#include <tbb/concurrent_queue.h>

#include <functional>
#include <thread>
#include <vector>

namespace pixflow::pipeline {

class IoThreadPool {
 public:
  explicit IoThreadPool(int threads);
  // Finishes every task already submitted, then joins the threads.
  ~IoThreadPool();
  IoThreadPool(const IoThreadPool&) = delete;
  IoThreadPool& operator=(const IoThreadPool&) = delete;

  // `task` must not throw; it runs on one of the pool's threads.
  void Submit(std::function<void()> task);

 private:
  // An empty function is the signal for one thread to exit.
  tbb::concurrent_bounded_queue<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
};

}  // namespace pixflow::pipeline
