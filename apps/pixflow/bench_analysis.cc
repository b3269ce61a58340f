// report.md: the run's tables, then the answers the bench exists for, each computed from this
// run's medians (flagged configurations excluded): threads or processes for I/O-bound and
// CPU-bound work, what a worker process costs, where scaling stops, and what to use here.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "bench.h"

namespace pixflow::cli::bench {
namespace {

using Points = std::vector<std::pair<int, double>>;  // (parallelism, value), sorted

const ConfigResult* Best(const BenchRun& run, const std::string& workload,
                         const std::set<std::string>& strategies) {
  const ConfigResult* best = nullptr;
  for (const ConfigResult& r : run.results) {
    if (r.peer || !r.usable() || r.config.workload != workload) continue;
    if (!strategies.empty() && strategies.count(r.config.strategy) == 0) continue;
    if (best == nullptr || r.median.images_per_s() > best->median.images_per_s()) best = &r;
  }
  return best;
}

// Each series' points for one workload: images/s (or another field) against parallelism.
std::map<std::string, Points> SeriesOf(const BenchRun& run, const std::string& workload,
                                       double (*value)(const Sample&)) {
  std::map<std::string, Points> series;
  for (const ConfigResult& r : run.results) {
    if (r.peer || !r.usable() || r.config.workload != workload) continue;
    series[r.config.Series()].emplace_back(r.config.parallelism(), value(r.median));
  }
  for (auto& [name, points] : series) std::sort(points.begin(), points.end());
  return series;
}

double Rate(const Sample& s) { return s.images_per_s(); }

// Least-squares slope of y against x (0 with fewer than two distinct x).
double Slope(const Points& points) {
  double mx = 0, my = 0;
  for (const auto& [x, y] : points) mx += x, my += y;
  const auto n = static_cast<double>(points.size());
  if (points.size() < 2) return 0;
  mx /= n, my /= n;
  double sxy = 0, sxx = 0;
  for (const auto& [x, y] : points) sxy += (x - mx) * (y - my), sxx += (x - mx) * (x - mx);
  return sxx > 0 ? sxy / sxx : 0;
}

std::string Ratio(double a, double b) { return b > 0 ? fmt::format("{:.2f}x", a / b) : "n/a"; }

// Threads against the process strategies on one workload.
std::string CompareStrategies(const BenchRun& run, const std::string& workload,
                              const std::string& kind) {
  const ConfigResult* threads = Best(run, workload, {"threads"});
  const ConfigResult* processes = Best(run, workload, {"processes", "hybrid"});
  if (threads == nullptr || processes == nullptr) {
    return fmt::format(
        "- **{}** (`{}`): not answered: this run lacks a usable threads or process "
        "configuration for it.\n",
        kind, workload);
  }
  const double t = threads->median.images_per_s(), p = processes->median.images_per_s();
  const bool threads_win = t >= p;
  const ConfigResult* winner = threads_win ? threads : processes;
  const ConfigResult* loser = threads_win ? processes : threads;
  const double margin = winner->median.images_per_s() / loser->median.images_per_s() - 1;
  // Within the repetitions' own spread the difference is noise, and the answer says so.
  const double noise = std::max(winner->spread(), loser->spread());
  return fmt::format(
      "- **{}** (`{}`): **{}**. Best threads configuration: {} at {:.2f} images/s; best process "
      "configuration: {} at {:.2f} images/s; {} ahead by {:.0f}%{}.\n",
      kind, workload, threads_win ? "threads" : "processes", threads->config.Label(), t,
      processes->config.Label(), p, threads_win ? "threads" : "processes", 100 * margin,
      margin < noise ? fmt::format(", which is inside the {:.0f}% run-to-run spread: call it a tie",
                                   100 * noise)
                     : "");
}

// The median of the measured values (NaN left out); NaN when there are none.
double MedianOfMeasured(std::vector<double> values) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  if (values.empty()) return kNotMeasured;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::string ProcessCost(const BenchRun& run) {
  std::vector<double> per_worker, extra_startup, overhead_p, overhead_t, rss_slopes;
  for (const Workload& w : run.workloads) {
    Points rss_vs_workers;
    for (const ConfigResult& r : run.results) {
      if (r.peer || !r.usable() || r.config.workload != w.name) continue;
      if (r.config.strategy == "threads") overhead_t.push_back(r.median.overhead_ms);
      if (r.config.strategy != "processes") continue;
      per_worker.push_back(r.median.worker_rss_mib);
      rss_vs_workers.emplace_back(r.config.workers, r.median.peak_rss_mib);
      overhead_p.push_back(r.median.overhead_ms);
      // Start-up against threads at the same count on the same workload.
      for (const ConfigResult& t : run.results) {
        if (!t.peer && t.usable() && t.config.strategy == "threads" && t.config.io_threads == 0 &&
            t.config.workload == w.name && t.config.parallelism() == r.config.parallelism()) {
          extra_startup.push_back(r.median.startup_ms - t.median.startup_ms);
        }
      }
    }
    if (rss_vs_workers.size() >= 2) rss_slopes.push_back(Slope(rss_vs_workers));
  }
  if (per_worker.empty()) {
    return "- **What a process costs**: not answered: no usable `processes` configuration ran.\n";
  }
  std::string text = fmt::format(
      "- **What a process costs**: a single-threaded worker peaks at {:.0f} MiB (median over the "
      "process configurations)",
      MedianOfMeasured(per_worker));
  if (!rss_slopes.empty()) {
    text.append(
        fmt::format("; peak RSS of all processes together grows by {:.0f} MiB per added "
                    "worker (least-squares slope per workload, median)",
                    MedianOfMeasured(rss_slopes)));
  }
  const double startup = MedianOfMeasured(extra_startup);
  const double outside_p = MedianOfMeasured(overhead_p), outside_t = MedianOfMeasured(overhead_t);
  if (std::isnan(startup) || std::isnan(outside_p)) {
    return text.append(
        ". Start-up and hand-off time per image: not measured (the process "
        "mode's report records carry no start and finish times).\n");
  }
  return text.append(fmt::format(
      ". Start-up to the first finished image is {:+.0f} ms against threads at the same count "
      "(median). Time an image spends outside its stages (hand-off to a worker and back, "
      "queueing) is {:.1f} ms per image with processes against {} ms with threads (medians).\n",
      startup, outside_p, Shown(outside_t, 1)));
}

std::string Scaling(const BenchRun& run) {
  std::string text =
      "- **Where scaling stops** (efficiency = rate(n) / (n x rate(1)); serial "
      "fraction s from a least-squares Amdahl fit of rate(1)/rate(n) = s + (1-s)/n "
      "over n <= cores):\n";
  const int cores = run.machine.cores;
  for (const Workload& w : run.workloads) {
    for (const auto& [series, points] : SeriesOf(run, w.name, Rate)) {
      if (points.empty() || points.front().first != 1) continue;
      const double base = points.front().second;
      std::string row = fmt::format("  - `{}` {}: ", w.name, series);
      for (const auto& [n, rate] : points) {
        if (n == 1) continue;
        row.append(fmt::format("n={} {:.0f}%; ", n, 100 * rate / (n * base)));
      }
      const auto peak = std::max_element(points.begin(), points.end(),
                                         [](auto& a, auto& b) { return a.second < b.second; });
      row.append(fmt::format("throughput peaks at n={}", peak->first));
      if (std::optional<double> s = FitSerialFraction(points, cores)) {
        row.append(fmt::format("; s = {:.2f} (speed-up bound 1/s = {})", *s,
                               *s > 0.001 ? fmt::format("{:.1f}x", 1 / *s) : "none"));
      }
      text.append(row).append("\n");
    }
  }
  return text;
}

std::string BestConfiguration(const BenchRun& run) {
  std::string text = "- **Best configuration for this machine**: ";
  // Score each (strategy, count) by its rate relative to each workload's best, averaged
  // geometrically over the workloads it ran in all of.
  std::map<std::string, std::vector<double>> scores;
  size_t answered = 0;
  for (const Workload& w : run.workloads) {
    const ConfigResult* best = Best(run, w.name, {});
    if (best == nullptr) continue;
    ++answered;
    text.append(fmt::format("`{}`: {} ({:.2f} images/s); ", w.name, best->config.Label(),
                            best->median.images_per_s()));
    for (const ConfigResult& r : run.results) {
      if (r.peer || !r.usable() || r.config.workload != w.name) continue;
      scores[r.config.Label()].push_back(r.median.images_per_s() / best->median.images_per_s());
    }
  }
  std::string overall;
  double overall_score = 0;
  for (const auto& [label, values] : scores) {
    if (values.size() != answered || answered == 0) continue;
    double log_sum = 0;
    for (double v : values) log_sum += std::log(v);
    const double score = std::exp(log_sum / static_cast<double>(values.size()));
    if (score > overall_score) overall_score = score, overall = label;
  }
  if (!overall.empty()) {
    text.append(
        fmt::format("one setting for everything: **{}**, at {:.0f}% of each workload's "
                    "best on (geometric) average.",
                    overall, 100 * overall_score));
  }
  return text.append("\n");
}

std::string ResultsTable(const BenchRun& run, const Workload& w) {
  std::string table =
      "| configuration | n | images/s | MP/s | p50 ms | p95 ms | max ms | CPU % | peak RSS MiB "
      "| per worker MiB | start-up ms | outside stages ms | read MB | written MB | spread | check "
      "|\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n";
  const ConfigResult* best = Best(run, w.name, {});
  for (const ConfigResult& r : run.results) {
    if (r.config.workload != w.name) continue;
    const Sample& m = r.median;
    std::string check =
        r.flag.empty() ? std::string("ok") : std::string("**excluded**: ").append(r.flag);
    if (r.peer && best != nullptr && r.usable()) {
      check = fmt::format("pixflow's best is {} this",
                          Ratio(best->median.images_per_s(), m.images_per_s()));
    }
    table.append(fmt::format(
        "| {} | {} | {:.2f} | {:.1f} | {} | {} | {} | {:.0f} | {:.0f} | {} | {} | {} | {:.1f} | "
        "{:.1f} | {:.0f}% | {} |\n",
        r.peer ? r.config.strategy : r.config.Label(),
        r.peer ? std::string("-") : std::to_string(r.config.parallelism()), m.images_per_s(),
        m.megapixels_per_s(), Shown(m.latency_p50_ms, 0), Shown(m.latency_p95_ms, 0),
        Shown(m.latency_max_ms, 0), m.wall_s > 0 ? 100 * m.cpu_s / m.wall_s / run.machine.cores : 0,
        m.peak_rss_mib, m.worker_rss_mib > 0 ? fmt::format("{:.0f}", m.worker_rss_mib) : "-",
        Shown(m.startup_ms, 0), Shown(m.overhead_ms, 1), static_cast<double>(m.bytes_read) / 1e6,
        static_cast<double>(m.bytes_written) / 1e6, 100 * r.spread(), check));
  }
  return table;
}

}  // namespace

std::optional<double> FitSerialFraction(const std::vector<std::pair<int, double>>& rate_by_count,
                                        int cores) {
  double base = 0;
  for (const auto& [n, rate] : rate_by_count) {
    if (n == 1) base = rate;
  }
  if (base <= 0) return std::nullopt;
  // time(n)/time(1) = y = s + (1 - s) x with x = 1/n, i.e. y - x = s (1 - x): one unknown.
  double num = 0, den = 0;
  for (const auto& [n, rate] : rate_by_count) {
    if (n <= 1 || n > cores || rate <= 0) continue;
    const double x = 1.0 / n, y = base / rate;
    num += (1 - x) * (y - x);
    den += (1 - x) * (1 - x);
  }
  if (den == 0) return std::nullopt;
  return std::clamp(num / den, 0.0, 1.0);
}

std::string MarkdownReport(const BenchRun& run) {
  const MachineInfo& m = run.machine;
  std::string md = "# pixflow bench\n\n";
  md.append(fmt::format("- Machine: {}, {} cores, SIMD target {}, {}\n", m.cpu_model, m.cores,
                        m.simd_target, m.kernel));
  std::string versions;
  for (const auto& [name, version] : m.versions)
    versions.append(fmt::format("{} {}, ", name, version));
  if (!versions.empty()) versions.resize(versions.size() - 2);
  md.append(fmt::format("- Libraries: {}\n- Load average at the start: {}\n", versions, m.load));
  md.append(fmt::format("- Command: `{}` ({:.0f} s)\n- Corpus: {}\n", run.command, run.seconds,
                        run.corpus));
  md.append(fmt::format(
      "- Method: each configuration is a child `pixflow convert`, timed from spawn to exit; "
      "medians of {} run(s) per configuration after one warm-up run per workload, runs interleaved "
      "round-robin; "
      "every configuration's outputs are decoded and their pixels hashed, and one that differs "
      "from the first configuration's is excluded. CPU % is user+sys / wall / cores; peak RSS "
      "sums every process (supervisor and workers); start-up is spawn to the first finished "
      "image; spread is (max - min) / median wall time.\n\n",
      run.repeat));
  md.append(
      "![images/s against workers](throughput.svg)\n\n![peak RSS against workers](memory.svg)\n\n");
  for (const Workload& w : run.workloads) {
    md.append(fmt::format("## {}\n\n{} ({} images, {} output(s) each).\n\n", w.name, w.description,
                          w.images, w.outputs_per_image));
    md.append(ResultsTable(run, w)).append("\n");
  }
  if (!run.microbench.empty())
    md.append("## Kernels: pixflow-microbench\n\n").append(run.microbench).append("\n");
  md.append("## Answers\n\nFrom this run's medians; excluded configurations take no part.\n\n");
  md.append(CompareStrategies(run, "io", "I/O-bound"));
  md.append(CompareStrategies(run, "cpu", "CPU-bound"));
  md.append(ProcessCost(run));
  md.append(Scaling(run));
  md.append(BestConfiguration(run));
  return md;
}

}  // namespace pixflow::cli::bench
