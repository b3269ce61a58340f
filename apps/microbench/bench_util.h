// Registration helpers for pixflow-microbench. Each op is registered as four benchmarks,
//   <op>/pixflow/threads:1   <op>/pixflow/threads:N   <op>/opencv/threads:1   <op>/opencv/threads:N
// with N = all cores, items_per_second = pixels processed, so main.cc (or any script reading
// --benchmark_format=json) can pair them.
#pragma once

#include <cstdint>
#include <functional>
#include <opencv2/core.hpp>
#include <string>

#include "pixflow/filters/image.h"

namespace pixflow::bench {

inline constexpr int kBenchWidth = 3840;
inline constexpr int kBenchHeight = 2160;

// A real photograph scaled to 3840x2160 with `channels` channels (4: an alpha ramp is added),
// made once and cached. Content matters for some kernels (medians, LUTs do not care; codecs do).
const Image8& BenchImage(int channels);
cv::Mat AsMat(ConstView8 view);

// Registers the four benchmarks of one op. `pixflow` and `opencv` each run the op once; they are
// called with the thread count already set (a oneTBB arena for pixflow, cv::setNumThreads for
// OpenCV). `pixels` is the number of pixels one call processes (usually the input's).
void RegisterPair(const std::string& op, int64_t pixels, std::function<void()> pixflow,
                  std::function<void()> opencv);

// Registers `<op>/baseline/threads:T` — a reference point such as memcpy that is not paired.
void RegisterBaseline(const std::string& op, int64_t pixels, std::function<void()> fn);

// Runs fn once at static-initialisation time; the idiom each *_gbench.cc uses to register.
struct Registrar {
  explicit Registrar(const std::function<void()>& fn) { fn(); }
};

}  // namespace pixflow::bench
