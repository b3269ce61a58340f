// pixflow-microbench: Google Benchmark's usual flags, plus a closing table that pairs each
// `<op>/pixflow/threads:T` with `<op>/opencv/threads:T` and reports OpenCV time / pixflow time
// (above 1: pixflow is faster) and the geometric mean per thread count. With
// --benchmark_repetitions the medians are paired.
//   --pixflow_markdown=FILE   also write that table as Markdown.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Entry {
  double pixflow_s = 0.0;
  double opencv_s = 0.0;
  double pixflow_mps = 0.0;
  double opencv_mps = 0.0;
  double baseline_mps = 0.0;
};

// Collects real time per iteration by (op, implementation, threads) while printing as usual.
class PairingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      // With --benchmark_repetitions the median of the repetitions is what the table shows.
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
      const std::string name = run.run_name.str();
      const size_t impl_at = name.find('/');
      const size_t threads_at = name.find("/threads:");
      if (impl_at == std::string::npos || threads_at == std::string::npos) continue;
      const std::string op = name.substr(0, impl_at);
      const std::string impl = name.substr(impl_at + 1, threads_at - impl_at - 1);
      const int threads = std::stoi(name.substr(threads_at + 9));
      const double seconds = run.GetAdjustedRealTime() / 1e3;  // the benchmarks report in ms
      auto items = run.counters.find("items_per_second");
      const double mps = items == run.counters.end() ? 0.0 : items->second.value / 1e6;
      Entry& e = table_[threads][op];
      if (impl == "pixflow") {
        e.pixflow_s = seconds;
        e.pixflow_mps = mps;
      } else if (impl == "opencv") {
        e.opencv_s = seconds;
        e.opencv_mps = mps;
      } else if (impl == "baseline") {
        e.baseline_mps = mps;
      }
    }
  }

  std::string Table() const {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(2);
    for (const auto& [threads, ops] : table_) {
      out << "\n### threads: " << threads << "\n\n"
          << "| op | pixflow MP/s | OpenCV MP/s | OpenCV time / pixflow time |\n"
          << "|---|---:|---:|---:|\n";
      double log_sum = 0.0;
      int pairs = 0;
      double worst = 1e9;
      std::string worst_op;
      for (const auto& [op, e] : ops) {
        if (e.baseline_mps > 0.0) {
          out << "| " << op << " (baseline) | " << e.baseline_mps << " | | |\n";
          continue;
        }
        if (e.pixflow_s <= 0.0 || e.opencv_s <= 0.0) continue;
        const double ratio = e.opencv_s / e.pixflow_s;
        out << "| " << op << " | " << e.pixflow_mps << " | " << e.opencv_mps << " | " << ratio
            << " |\n";
        log_sum += std::log(ratio);
        ++pairs;
        if (ratio < worst) {
          worst = ratio;
          worst_op = op;
        }
      }
      if (pairs > 0) {
        out << "\nGeometric mean of OpenCV time / pixflow time over " << pairs << " ops: **"
            << std::exp(log_sum / pairs) << "**; lowest: " << worst_op << " (" << worst << ")\n";
      }
    }
    return out.str();
  }

 private:
  std::map<int, std::map<std::string, Entry>> table_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string markdown_path;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    constexpr const char* kFlag = "--pixflow_markdown=";
    if (std::strncmp(argv[i], kFlag, std::strlen(kFlag)) == 0) {
      markdown_path = argv[i] + std::strlen(kFlag);
    } else {
      args.push_back(argv[i]);
    }
  }
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 2;
  PairingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const std::string table = reporter.Table();
  std::cout << table;
  if (!markdown_path.empty()) {
    std::ofstream file(markdown_path);
    file << table;
    if (!file) {
      std::cerr << "pixflow-microbench: cannot write " << markdown_path << "\n";
      return 1;
    }
  }
  return 0;
}
