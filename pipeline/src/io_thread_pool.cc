#include "io_thread_pool.h"

namespace pixflow::pipeline {

IoThreadPool::IoThreadPool(int threads) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        std::function<void()> task;
        queue_.pop(task);
        if (!task) return;
        task();
      }
    });
  }
}

IoThreadPool::~IoThreadPool() {
  // FIFO: the exit signals queue behind every task already submitted.
  for (size_t i = 0; i < threads_.size(); ++i) queue_.push({});
  for (std::thread& thread : threads_) thread.join();
}

void IoThreadPool::Submit(std::function<void()> task) { queue_.push(std::move(task)); }

}  // namespace pixflow::pipeline
