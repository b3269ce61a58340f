// `pixflow bench`: the flags, the configurations they sweep, and the order runs happen in.
// Repetitions go round-robin (every configuration once, then again), so a machine whose load
// drifts during the bench skews every configuration alike instead of the last ones.
#include "bench.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>

#include "command.h"
#include "interrupt.h"

namespace pixflow::cli::bench {
namespace {

struct BenchFlags {
  std::vector<std::string> workloads = WorkloadNames();
  std::string images;
  int synthetic = 24;
  std::string size = "2400x1600";
  std::vector<std::string> strategies = {"threads", "processes", "hybrid"};
  std::vector<int> jobs;     // threads' -j; empty: the default counts
  std::vector<int> workers;  // processes' --workers; empty: the default counts
  int hybrid_threads = 2;
  std::vector<int> io_threads = {0};
  int repeat = 3;
  int io_latency_ms = 20;
  bool quick = false;
  std::string out = "bench-results";
  bool no_peers = false;
  bool microbench = false;
};

// 1..cores, then 2 x cores (oversubscription).
std::vector<int> DefaultCounts(int cores) {
  std::vector<int> counts;
  for (int n = 1; n <= cores; ++n) counts.push_back(n);
  counts.push_back(2 * cores);
  return counts;
}

// --quick: a small corpus, one repetition, 1 and all cores. What the user set stays set.
void ApplyQuick(const CLI::App& app, BenchFlags& flags, int cores) {
  auto unset = [&](const char* name) { return app.count(name) == 0; };
  if (unset("--synthetic")) flags.synthetic = 6;
  if (unset("--size")) flags.size = "1200x800";
  if (unset("--repeat")) flags.repeat = 1;
  if (unset("--io-latency")) flags.io_latency_ms = 10;
  const std::vector<int> counts = {1, std::max(2, cores)};
  if (unset("-j")) flags.jobs = counts;
  if (unset("--workers")) flags.workers = counts;
}

std::vector<Config> Configurations(const std::string& workload, const BenchFlags& flags) {
  std::vector<Config> configs;
  for (const std::string& strategy : flags.strategies) {
    if (strategy == "threads") {
      for (int io : flags.io_threads) {
        for (int j : flags.jobs) configs.push_back({workload, "threads", 1, j, io});
      }
    } else if (strategy == "processes") {
      // Single-threaded workers: all parallelism comes from processes.
      for (int w : flags.workers) configs.push_back({workload, "processes", w, 1, 0});
    } else if (strategy == "hybrid") {
      // Workers of --hybrid-threads threads each, at the same total counts.
      const int t = flags.hybrid_threads;
      for (int n : flags.workers) {
        if (n % t == 0) configs.push_back({workload, "hybrid", n / t, t, 0});
      }
    }
  }
  return configs;
}

// One line redrawn in place, on a terminal only.
class ProgressLine {
 public:
  explicit ProgressLine(size_t total) : total_(total), tty_(::isatty(STDERR_FILENO) != 0) {}
  void Show(const std::string& what) {
    ++done_;
    if (!tty_) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    fmt::print(stderr, "\r\033[K[{}/{}] {}  {:.0f} s", done_, total_, what, elapsed);
    std::fflush(stderr);
  }
  ~ProgressLine() {
    if (tty_) fmt::print(stderr, "\r\033[K");
  }

 private:
  using Clock = std::chrono::steady_clock;
  size_t total_;
  size_t done_ = 0;
  bool tty_;
  Clock::time_point start_ = Clock::now();
};

// Runs every configuration of one workload; appends to run.results.
void BenchWorkload(const Workload& workload, const BenchFlags& flags, const RunSettings& settings,
                   const std::vector<Peer>& peers, BenchRun& run, ProgressLine& progress,
                   const std::atomic<bool>& interrupted) {
  const size_t first = run.results.size();
  for (const Config& config : Configurations(workload.name, flags)) {
    ConfigResult result;
    result.config = config;
    run.results.push_back(std::move(result));
  }
  // A warm-up run fills the page cache and the corpus's dentries; it is not recorded. Every
  // configuration spawns fresh processes, so nothing else stays warm between runs.
  progress.Show(workload.name + " warm-up");
  (void)RunOnce(workload, run.results[first].config, settings);
  // The first configuration whose outputs checked out; every later one must match its pixels.
  // Held as a copy: peers are appended to run.results below, which may move the original.
  std::optional<ConfigResult> reference;
  for (int round = 0; round < flags.repeat && !interrupted; ++round) {
    for (size_t i = first; i < run.results.size() && !interrupted; ++i) {
      ConfigResult& result = run.results[i];
      progress.Show(fmt::format("{} {} (round {}/{})", workload.name, result.config.Label(),
                                round + 1, flags.repeat));
      if (!result.flag.empty()) continue;
      Result<Sample> sample = RunOnce(workload, result.config, settings);
      if (!sample.ok()) {
        result.flag = sample.status().message();
        continue;
      }
      result.runs.push_back(*sample);
      if (round != 0) continue;
      // A configuration cannot look fast by being wrong: its outputs must decode to the same
      // pixels as the first configuration's.
      result.check = CheckOutputs(workload, settings, ReportedSizes(settings));
      if (!result.check.problem.empty()) {
        result.flag = result.check.problem;
      } else if (!reference) {
        reference = result;
      } else if (result.check.checksum != reference->check.checksum) {
        result.flag = fmt::format("outputs differ from {}'s (pixel checksum {:016x} vs {:016x})",
                                  reference->config.Label(), result.check.checksum,
                                  reference->check.checksum);
      }
    }
  }
  if (workload.name != "thumbnail") return;
  for (const Peer& peer : peers) {
    ConfigResult result;
    result.config = {workload.name, peer.name, 1, 0, 0};
    result.peer = true;
    for (int round = 0; round < flags.repeat && !interrupted && result.flag.empty(); ++round) {
      progress.Show(
          fmt::format("{} {} (round {}/{})", workload.name, peer.name, round + 1, flags.repeat));
      Result<Sample> sample = RunPeer(peer, workload, settings);
      if (!sample.ok()) {
        result.flag = sample.status().message();
        break;
      }
      // Peers report no megapixels; they read the same inputs as pixflow did.
      if (reference) sample->megapixels = reference->runs.front().megapixels;
      result.runs.push_back(*sample);
    }
    if (result.flag.empty()) {
      result.check = CheckOutputs(workload, settings, [](const fs::path&, int w, int h) {
        return std::max(w, h) == kThumbnailSize ? "" : "not fitted to the thumbnail box";
      });
      result.flag = result.check.problem;
    }
    run.results.push_back(std::move(result));
  }
}

// This process's command line as typed (program name shortened), for the report.
std::string CommandLine() {
  std::ifstream in("/proc/self/cmdline");
  std::string line = "pixflow", arg;
  std::getline(in, arg, '\0');  // the program
  while (std::getline(in, arg, '\0')) line.append(" ").append(arg);
  return line;
}

// pixflow-microbench's pairing table, when it was built beside this binary.
Result<std::string> RunMicrobench(const RunSettings& settings, bool quick) {
  const fs::path folder = settings.pixflow.parent_path();
  fs::path program = folder / "pixflow-microbench";
  if (!fs::exists(program)) program = folder / "microbench" / "pixflow-microbench";
  if (!fs::exists(program)) {
    return Status(
        StatusCode::kUnsupported,
        "--microbench: pixflow-microbench is not built beside " + settings.pixflow.string());
  }
  const fs::path table = settings.scratch / "microbench.md";
  std::vector<std::string> args = {
      program.string(), "--pixflow_markdown=" + table.string(),
      quick ? "--benchmark_min_time=0.05" : "--benchmark_min_time=0.5"};
  PIXFLOW_ASSIGN_OR_RETURN(const ChildExit exit,
                           RunChild(args, settings.scratch / "microbench.log", false));
  if (exit.code != 0) {
    return Status(StatusCode::kIoError,
                  "pixflow-microbench failed: " + LogTail(settings.scratch / "microbench.log"));
  }
  std::ifstream in(table);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Status WriteResults(const BenchRun& run, const fs::path& out) {
  std::error_code error;
  fs::create_directories(out, error);
  if (error) return Status(StatusCode::kIoError, out.string() + ": " + error.message());
  PIXFLOW_RETURN_IF_ERROR(WriteCsv(run, out / "results.csv"));
  PIXFLOW_RETURN_IF_ERROR(WriteJson(run, out / "results.json"));
  PIXFLOW_RETURN_IF_ERROR(WriteText(out / "report.md", MarkdownReport(run)));
  PIXFLOW_RETURN_IF_ERROR(WriteText(out / "throughput.svg", SvgChart(run, "throughput")));
  return WriteText(out / "memory.svg", SvgChart(run, "memory"));
}

Result<std::pair<int, int>> ParseSize(const std::string& text) {
  int width = 0, height = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%dx%d%n", &width, &height, &consumed) != 2 ||
      consumed != static_cast<int>(text.size())) {
    return InvalidArgument("--size '" + text + "': expected WxH, e.g. 2400x1600");
  }
  return std::pair(width, height);
}

// Scratch space for outputs and reports, removed when the bench ends.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern = (fs::temp_directory_path() / "pixflow-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code error;
    if (!path_.empty()) fs::remove_all(path_, error);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

int RunBench(const CLI::App& app, BenchFlags flags, bool have_processes) {
  const auto started = std::chrono::steady_clock::now();
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (flags.quick) ApplyQuick(app, flags, cores);
  if (flags.jobs.empty()) flags.jobs = DefaultCounts(cores);
  if (flags.workers.empty()) flags.workers = DefaultCounts(cores);
  if (!have_processes) {
    std::erase_if(flags.strategies, [](const std::string& s) { return s != "threads"; });
    fmt::print(stderr,
               "pixflow bench: this build's convert has no --mode processes; "
               "benchmarking threads only\n");
  }
  Result<std::pair<int, int>> size = ParseSize(flags.size);
  if (!size.ok())
    return fmt::print(stderr, "pixflow bench: {}\n", size.status().message()), kExitUsage;
  const CorpusOptions corpus_options{flags.images, flags.synthetic, size->first, size->second};
  BenchRun run;
  for (const std::string& name : flags.workloads) {
    Result<Workload> workload = MakeWorkload(name, Corpus{}, flags.io_latency_ms);
    if (!workload.ok()) {
      fmt::print(stderr, "pixflow bench: {}\n", workload.status().message());
      return kExitUsage;
    }
  }
  Result<Corpus> corpus = PrepareCorpus(corpus_options);
  if (!corpus.ok()) {
    fmt::print(stderr, "pixflow bench: {}\n", corpus.status().message());
    return corpus.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitSomeFailed;
  }
  for (const std::string& name : flags.workloads) {
    run.workloads.push_back(*MakeWorkload(name, *corpus, flags.io_latency_ms));
  }
  const ScratchFolder scratch;
  if (scratch.path().empty()) {
    fmt::print(stderr, "pixflow bench: cannot make a temporary folder\n");
    return kExitUsage;
  }
  const RunSettings settings{fs::read_symlink("/proc/self/exe"), scratch.path()};
  run.machine = DescribeMachine();
  run.command = CommandLine();
  run.corpus = corpus->description;
  run.repeat = flags.repeat;
  const std::vector<Peer> peers = flags.no_peers ? std::vector<Peer>{} : FindPeers();

  size_t total = 0;
  for (const Workload& workload : run.workloads) {
    total += 1 + Configurations(workload.name, flags).size() * static_cast<size_t>(flags.repeat);
    if (workload.name == "thumbnail") total += peers.size() * static_cast<size_t>(flags.repeat);
  }
  const InterruptScope interrupt;
  {
    ProgressLine progress(total);
    for (const Workload& workload : run.workloads) {
      if (interrupt.requested()) break;
      BenchWorkload(workload, flags, settings, peers, run, progress, interrupt.requested());
    }
  }
  if (flags.microbench && !interrupt.requested()) {
    Result<std::string> table = RunMicrobench(settings, flags.quick);
    if (table.ok())
      run.microbench = *table;
    else
      fmt::print(stderr, "pixflow bench: {}\n", table.status().message());
  }
  for (ConfigResult& result : run.results) {
    if (result.runs.empty()) continue;
    result.median = MedianOf(result.runs);
    const auto [low, high] =
        std::minmax_element(result.runs.begin(), result.runs.end(),
                            [](const Sample& a, const Sample& b) { return a.wall_s < b.wall_s; });
    result.wall_min_s = low->wall_s;
    result.wall_max_s = high->wall_s;
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print("{}", SummaryTable(run));
  if (Status written = WriteResults(run, flags.out); !written.ok()) {
    fmt::print(stderr, "pixflow bench: {}\n", written.message());
    return kExitSomeFailed;
  }
  fmt::print("results: {}/report.md (and results.csv, results.json, throughput.svg, memory.svg)\n",
             flags.out);
  if (interrupt.requested()) return interrupt.exit_code();
  const bool any_flagged = std::any_of(run.results.begin(), run.results.end(),
                                       [](const ConfigResult& r) { return !r.flag.empty(); });
  return any_flagged ? kExitSomeFailed : kExitOk;
}

}  // namespace
}  // namespace pixflow::cli::bench

namespace pixflow::cli {

Command AddBenchCommand(CLI::App& parent) {
  using bench::BenchFlags;
  auto flags = std::make_shared<BenchFlags>();
  CLI::App* app = parent.add_subcommand(
      "bench",
      "Compare execution strategies (threads, worker processes, both) on batch workloads across "
      "worker counts; writes results.csv, results.json, report.md, throughput.svg, memory.svg");
  app->add_option("--workloads", flags->workloads, "Workloads: thumbnail, cpu, io, mixed")
      ->delimiter(',')
      ->capture_default_str();
  CLI::Option* images = app->add_option("--images", flags->images,
                                        "Benchmark on the images in this folder (every workload)");
  app->add_option("--synthetic", flags->synthetic,
                  "Generate this many landscapes (cached) plus 4 small files each for io")
      ->excludes(images)
      ->capture_default_str();
  app->add_option("--size", flags->size, "Size of the generated landscapes, WxH")
      ->excludes(images)
      ->capture_default_str();
  app->add_option("--strategies", flags->strategies, "Strategies: threads, processes, hybrid")
      ->delimiter(',')
      ->check(CLI::IsMember({"threads", "processes", "hybrid"}))
      ->capture_default_str();
  app->add_option("-j,--jobs", flags->jobs,
                  "Thread counts for the threads strategy, e.g. 1,2,4 (default 1..cores, 2x cores)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  app->add_option("--workers", flags->workers,
                  "Total counts for the process strategies (processes: workers of 1 thread; "
                  "hybrid: counts divisible by --hybrid-threads) (default as -j)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  app->add_option("--hybrid-threads", flags->hybrid_threads, "Threads per worker in hybrid")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--io-threads", flags->io_threads,
                  "I/O thread counts for the threads strategy (0: convert's default)")
      ->delimiter(',')
      ->check(CLI::NonNegativeNumber);
  app->add_option("--repeat", flags->repeat, "Measured runs per configuration (after a warm-up)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app->add_option("--io-latency", flags->io_latency_ms,
                  "ms added to every file read in the io workload (half in mixed)")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  app->add_flag("--quick", flags->quick,
                "Small corpus, 1 repetition, 1 and all cores: under a minute on 2 cores");
  app->add_option("--out", flags->out, "Folder for the results")->capture_default_str();
  app->add_flag("--no-peers", flags->no_peers, "Do not time vipsthumbnail/ImageMagick/gm");
  app->add_flag("--microbench", flags->microbench,
                "Also run pixflow-microbench (filters vs OpenCV) and include its table");
  const bool have_processes = parent.get_subcommand("convert")->get_option_no_throw("--workers");
  return {app,
          [app, flags, have_processes] { return bench::RunBench(*app, *flags, have_processes); }};
}

}  // namespace pixflow::cli
