#include "bench_util.h"

#include <benchmark/benchmark.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace pixflow::bench {
namespace {

int AllCores() { return tbb::info::default_concurrency(); }

Image8 MakeBenchImage(int channels) {
  const std::string path = std::string(PIXFLOW_REAL_IMAGES_DIR) + "/fruits.jpg";
  cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
  if (bgr.empty()) bgr = cv::Mat(480, 640, CV_8UC3, cv::Scalar(90, 140, 200));  // still runs
  cv::Mat big;
  cv::resize(bgr, big, cv::Size(kBenchWidth, kBenchHeight), 0, 0, cv::INTER_CUBIC);
  cv::Mat out;
  switch (channels) {
    case 1:
      cv::cvtColor(big, out, cv::COLOR_BGR2GRAY);
      break;
    case 3:
      cv::cvtColor(big, out, cv::COLOR_BGR2RGB);
      break;
    default: {
      cv::cvtColor(big, out, cv::COLOR_BGR2RGBA);
      for (int y = 0; y < out.rows; ++y) {
        for (int x = 0; x < out.cols; ++x)
          out.at<cv::Vec4b>(y, x)[3] = static_cast<uint8_t>(x * 255 / out.cols);
      }
    }
  }
  ConstView8 view(out.data, out.cols, out.rows, out.channels(),
                  static_cast<ptrdiff_t>(out.step[0]));
  return std::move(Image8::CopyOf(view).value());
}

void Register(const std::string& name, int threads, int64_t pixels, bool is_pixflow,
              std::function<void()> fn) {
  benchmark::RegisterBenchmark(name.c_str(),
                               [threads, pixels, is_pixflow, fn](benchmark::State& state) {
                                 auto run = [&] {
                                   for (auto _ : state) fn();
                                 };
                                 if (is_pixflow) {
                                   tbb::task_arena arena(threads);
                                   arena.execute(run);
                                 } else {
                                   const int previous = cv::getNumThreads();
                                   cv::setNumThreads(threads);
                                   run();
                                   cv::setNumThreads(previous);
                                 }
                                 state.SetItemsProcessed(state.iterations() * pixels);
                                 state.counters["MPix/s"] = benchmark::Counter(
                                     static_cast<double>(state.iterations() * pixels) / 1e6,
                                     benchmark::Counter::kIsRate);
                               })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

}  // namespace

const Image8& BenchImage(int channels) {
  static std::mutex mutex;
  static std::map<int, Image8> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(channels);
  if (it == cache.end()) it = cache.emplace(channels, MakeBenchImage(channels)).first;
  return it->second;
}

cv::Mat AsMat(ConstView8 view) {
  return cv::Mat(view.height(), view.width(), CV_8UC(view.channels()),
                 const_cast<uint8_t*>(view.data()), static_cast<size_t>(view.stride_bytes()));
}

void RegisterPair(const std::string& op, int64_t pixels, std::function<void()> pixflow,
                  std::function<void()> opencv) {
  for (int threads : {1, AllCores()}) {
    const std::string suffix = "/threads:" + std::to_string(threads);
    Register(op + "/pixflow" + suffix, threads, pixels, true, pixflow);
    Register(op + "/opencv" + suffix, threads, pixels, false, opencv);
    if (AllCores() == 1) break;
  }
}

void RegisterBaseline(const std::string& op, int64_t pixels, std::function<void()> fn) {
  for (int threads : {1, AllCores()}) {
    Register(op + "/baseline/threads:" + std::to_string(threads), threads, pixels, true, fn);
    if (AllCores() == 1) break;
  }
}

}  // namespace pixflow::bench
