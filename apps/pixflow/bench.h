// `pixflow bench`: runs batch workloads under each execution strategy (threads, worker
// processes, processes x threads) across worker counts, each configuration as a child
// `pixflow convert` timed from spawn to exit, checks every configuration's outputs against the
// first one's, and writes results.csv, results.json, report.md and SVG charts.
//   bench.cc            flags and the order things run in
//   bench_workloads.cc  the workloads and the synthetic corpus they read
//   bench_run.cc        one configuration: spawn, wait, read its report, check its outputs
//   bench_peers.cc      vipsthumbnail / ImageMagick / GraphicsMagick on the same inputs
//   bench_results.cc    medians, results.csv, results.json, the summary table
//   bench_analysis.cc   report.md and its answers (scaling efficiency, Amdahl fit, ...)
//   bench_charts.cc     throughput.svg and memory.svg
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pixflow/filters/status.h"

namespace pixflow::cli::bench {

namespace fs = std::filesystem;

// ---- workloads (bench_workloads.cc)

// The box the thumbnail workload (and its peers) fit every image into, in pixels.
inline constexpr int kThumbnailSize = 256;

// The images a bench reads: generated landscapes (cached) or the user's folder.
struct CorpusOptions {
  std::string images;  // --images DIR; empty: synthetic
  int synthetic = 24;  // large images
  int width = 2400;    // their size
  int height = 1600;
  int small_per_large = 4;  // the I/O workload's small files per large image
};

struct Corpus {
  fs::path large;  // folder of photo-sized images
  fs::path small;  // folder of small images (the same folder as `large` with --images)
  size_t large_count = 0;
  size_t small_count = 0;
  std::string description;  // for the report: "24 synthetic 2400x1600 JPEG landscapes, ..."
};

// Generates the synthetic corpus once per (count, size) under the cache folder
// (${XDG_CACHE_HOME:-~/.cache}/pixflow/bench/<key>), or lists --images DIR.
Result<Corpus> PrepareCorpus(const CorpusOptions& options);

struct Workload {
  std::string name;                 // thumbnail, cpu, io, mixed
  std::string description;          // one line for the report
  std::vector<std::string> inputs;  // folders given to convert
  std::vector<std::string> ops;     // convert's ops and format flags
  int io_latency_ms = 0;
  size_t images = 0;  // inputs convert must convert
  size_t outputs_per_image = 1;
};

// Every workload the bench knows, in report order.
const std::vector<std::string>& WorkloadNames();
Result<Workload> MakeWorkload(const std::string& name, const Corpus& corpus, int io_latency_ms);

// ---- one configuration (bench_run.cc)

struct Config {
  std::string workload;
  std::string strategy;  // threads, processes, hybrid
  int workers = 1;       // worker processes; 1 for threads
  int threads = 1;       // -j (per worker in the process strategies)
  int io_threads = 0;    // --io-threads; 0: convert's default
  // What the charts put on the x axis: cores asked for (threads, workers, or workers x threads).
  int parallelism() const { return workers * threads; }
  std::string Label() const;  // "processes 4x1"
  // The line a configuration belongs to in charts and scaling answers: the strategy, with the
  // I/O thread count when one was set.
  std::string Series() const;
};

// What one run of a configuration measured.
struct Sample {
  double wall_s = 0;  // spawn to exit, as the bench saw it
  double cpu_s = 0;   // user + sys of convert and every worker it waited for
  size_t images = 0;  // converted
  size_t failed = 0;
  double megapixels = 0;
  // Per-image latency, start-up and time outside the stages come from the records' start and
  // finish times; NaN when the report has none (kNotMeasured).
  double latency_p50_ms = 0;
  double latency_p95_ms = 0;
  double latency_max_ms = 0;
  double peak_rss_mib = 0;    // every process together
  double worker_rss_mib = 0;  // mean per worker process (process strategies)
  double startup_ms = 0;      // spawn to the first image finished
  double overhead_ms = 0;     // per image: latency outside the stages (IPC + queueing)
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  double images_per_s() const { return wall_s > 0 ? static_cast<double>(images) / wall_s : 0; }
  double megapixels_per_s() const { return wall_s > 0 ? megapixels / wall_s : 0; }
};

inline constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();
// "n/a" for kNotMeasured, else the value with `decimals` decimals.
std::string Shown(double value, int decimals);

// What a configuration's outputs were: decoded, each output's size and a hash of its pixels.
struct OutputCheck {
  size_t files = 0;
  uint64_t checksum = 0;  // over every output's relative path, size and pixels
  std::string problem;    // empty when count and dimensions are right
};

// How a child process ended, timed from spawn to wait4.
struct ChildExit {
  int code = 0;         // exit status, or 128 + signal
  double spawn_ms = 0;  // steady_clock (CLOCK_MONOTONIC) at spawn
  double wall_s = 0;
  double cpu_s = 0;          // user + sys, its waited-for descendants included
  uint64_t max_rss_kib = 0;  // the largest of it and those descendants
};
// Runs `args` (args[0] a path, or a name looked up on PATH with `search_path`), stdin from
// /dev/null, stdout and stderr into `log`.
Result<ChildExit> RunChild(const std::vector<std::string>& args, const fs::path& log,
                           bool search_path);
// The last 2000 characters of a log, for error messages.
std::string LogTail(const fs::path& log);
// Removes `folder` and makes it again, empty.
Status CleanFolder(const fs::path& folder);

struct RunSettings {
  fs::path pixflow;  // this binary
  fs::path scratch;  // temporary folder for outputs, reports and logs
};

// Runs `config` once on `workload` (outputs written fresh into scratch/out). Errors when
// convert could not run or failed any image, with its stderr.
Result<Sample> RunOnce(const Workload& workload, const Config& config, const RunSettings& run);
// Says what is wrong with an output (its path under scratch/out, its decoded size); "" if fine.
using OutputVerifier = std::function<std::string(const fs::path& relative, int width, int height)>;
// Decodes every output the last run left in scratch/out: counts them against the workload,
// asks `verify` about each, and hashes the pixels.
OutputCheck CheckOutputs(const Workload& workload, const RunSettings& run,
                         const OutputVerifier& verify);
// A verifier comparing each output's decoded size with the one the last run's report gives.
OutputVerifier ReportedSizes(const RunSettings& run);

// ---- peers (bench_peers.cc)

struct Peer {
  std::string name;  // "vipsthumbnail", "magick", "convert", "gm"
  fs::path program;
};
// The peers on PATH (ImageMagick's `convert` only when it says it is ImageMagick).
std::vector<Peer> FindPeers();
// Times `peer` making the thumbnail workload's outputs; outputs land in scratch/out.
Result<Sample> RunPeer(const Peer& peer, const Workload& workload, const RunSettings& run);

// ---- results (bench_results.cc)

struct ConfigResult {
  Config config;
  std::vector<Sample> runs;
  Sample median;  // every field the median over runs
  double wall_min_s = 0;
  double wall_max_s = 0;
  OutputCheck check;
  std::string flag;  // why it is excluded from comparisons; empty when it is not
  bool peer = false;
  bool usable() const { return flag.empty() && !runs.empty(); }
  double spread() const;  // (max - min) / median wall time
};

struct MachineInfo {
  std::string cpu_model;
  int cores = 0;
  std::string simd_target;
  std::string kernel;
  std::map<std::string, std::string> versions;  // libvips, oneTBB, Highway
  std::string load;                             // /proc/loadavg at the start
};
MachineInfo DescribeMachine();

struct BenchRun {
  MachineInfo machine;
  std::string command;  // the command line, for the report
  std::string corpus;
  int repeat = 0;
  std::vector<Workload> workloads;
  std::vector<ConfigResult> results;  // in run order
  std::string microbench;             // its table in Markdown, when --microbench ran
  double seconds = 0;
};

Sample MedianOf(const std::vector<Sample>& runs);
Status WriteCsv(const BenchRun& run, const fs::path& path);
Status WriteJson(const BenchRun& run, const fs::path& path);
// The one-screen table printed at the end.
std::string SummaryTable(const BenchRun& run);

// ---- analysis and charts (bench_analysis.cc, bench_charts.cc)

// Least-squares Amdahl fit of time(n)/time(1) = s + (1 - s)/n over the counts up to `cores`:
// the serial fraction s, or nothing without a run at 1 and one above it.
std::optional<double> FitSerialFraction(const std::vector<std::pair<int, double>>& rate_by_count,
                                        int cores);
std::string MarkdownReport(const BenchRun& run);
// `metric` is "throughput" (images/s) or "memory" (peak RSS, MiB).
std::string SvgChart(const BenchRun& run, const std::string& metric);

// Writes `text` to `path`, naming the file in the error.
Status WriteText(const fs::path& path, const std::string& text);

}  // namespace pixflow::cli::bench
