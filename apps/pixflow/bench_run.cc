// One configuration, run once: `pixflow convert` as a child process, timed from posix_spawn to
// wait4 as a user's shell would see it (start-up, worker spawning and teardown included), with
// the CPU time wait4 reports (the child's and every descendant's it waited for: the workers).
// Its --report gives what only the run itself knows: per-image times, bytes, worker memory.
#include <fcntl.h>
#include <fmt/core.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "bench.h"
#include "pixflow/io/codec.h"
#include "pixflow/pipeline/image_record.h"

extern char** environ;

namespace pixflow::cli::bench {
namespace {

using Json = nlohmann::json;
using pipeline::ImageRecord;

double Milliseconds(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(t.time_since_epoch()).count();
}

double Seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

struct Report {
  std::vector<ImageRecord> records;
  Json summary;
};

Result<Report> ReadReport(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return Status(StatusCode::kIoError, path.string() + ": cannot read the report");
  Report report;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("{\"summary\"", 0) == 0) {
      report.summary = Json::parse(line, nullptr, false).value("summary", Json::object());
      continue;
    }
    PIXFLOW_ASSIGN_OR_RETURN(ImageRecord record, pipeline::RecordFromJson(line));
    report.records.push_back(std::move(record));
  }
  if (!report.summary.is_object() || report.summary.empty()) {
    return Status(StatusCode::kIoError, path.string() + ": the report has no summary line");
  }
  return report;
}

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::vector<std::string> ConvertArguments(const Workload& workload, const Config& config,
                                          const RunSettings& run) {
  std::vector<std::string> args = {run.pixflow.string(), "convert"};
  args.insert(args.end(), workload.inputs.begin(), workload.inputs.end());
  args.insert(args.end(), {"-o", (run.scratch / "out").string()});
  args.insert(args.end(), workload.ops.begin(), workload.ops.end());
  args.insert(args.end(), {"--overwrite", "-q", "--progress", "never", "--report",
                           (run.scratch / "report.jsonl").string()});
  if (workload.io_latency_ms > 0) {
    args.insert(args.end(), {"--io-latency", std::to_string(workload.io_latency_ms)});
  }
  if (config.strategy != "threads") {
    args.insert(args.end(), {"--mode", "processes", "--workers", std::to_string(config.workers)});
  }
  args.insert(args.end(), {"-j", std::to_string(config.threads)});
  if (config.io_threads > 0) {
    args.insert(args.end(), {"--io-threads", std::to_string(config.io_threads)});
  }
  return args;
}

// Memory of every process the run had at once. Threads: the one process. Processes: the
// supervisor's summary counts itself plus each worker slot's peak (a replacement worker never
// runs beside the one it replaces); the workers' own peaks come from the records.
void MeasureMemory(const Report& report, const ChildExit& exit, Sample& sample) {
  std::map<int, uint64_t> worker_peak;  // worker index -> its largest peak
  for (const ImageRecord& record : report.records) {
    if (record.worker < 0) continue;
    uint64_t& peak = worker_peak[record.worker];
    peak = std::max(peak, record.worker_peak_rss_kib);
  }
  uint64_t workers_kib = 0;
  for (const auto& [index, kib] : worker_peak) workers_kib += kib;
  const uint64_t summary_kib = report.summary.value("peak_rss_kib", uint64_t{0});
  uint64_t total_kib = exit.max_rss_kib;
  if (!worker_peak.empty()) {
    total_kib = summary_kib >= workers_kib ? summary_kib : summary_kib + workers_kib;
    sample.worker_rss_mib =
        static_cast<double>(workers_kib) / static_cast<double>(worker_peak.size()) / 1024.0;
  }
  sample.peak_rss_mib = static_cast<double>(total_kib) / 1024.0;
}

Sample Measure(const Report& report, const ChildExit& exit) {
  Sample sample;
  sample.wall_s = exit.wall_s;
  sample.cpu_s = exit.cpu_s;
  sample.megapixels = report.summary.value("input_megapixels", 0.0);
  sample.bytes_read = report.summary.value("bytes_read", uint64_t{0});
  sample.bytes_written = report.summary.value("bytes_written", uint64_t{0});
  std::vector<double> latencies;
  double first_finished = -1, overhead = 0;
  for (const ImageRecord& record : report.records) {
    if (record.failed()) ++sample.failed;
    if (record.status != pipeline::ImageStatus::kConverted) continue;
    ++sample.images;
    const double latency = record.finished_ms - record.started_ms;
    latencies.push_back(latency);
    overhead += std::max(0.0, latency - record.ms.total());
    if (first_finished < 0 || record.finished_ms < first_finished) {
      first_finished = record.finished_ms;
    }
  }
  // A report whose records carry no times (finished_ms 0 throughout) cannot give latencies.
  if (std::none_of(report.records.begin(), report.records.end(),
                   [](const ImageRecord& r) { return r.finished_ms > 0; })) {
    sample.latency_p50_ms = sample.latency_p95_ms = sample.latency_max_ms = kNotMeasured;
    sample.startup_ms = sample.overhead_ms = kNotMeasured;
    MeasureMemory(report, exit, sample);
    return sample;
  }
  std::sort(latencies.begin(), latencies.end());
  sample.latency_p50_ms = Percentile(latencies, 0.50);
  sample.latency_p95_ms = Percentile(latencies, 0.95);
  sample.latency_max_ms = latencies.empty() ? 0 : latencies.back();
  if (sample.images > 0) overhead /= static_cast<double>(sample.images);
  sample.overhead_ms = overhead;
  // Both clocks are CLOCK_MONOTONIC, shared by every process on the machine.
  const double clock_start_ms = report.summary.value("clock_start_ms", 0.0);
  if (first_finished >= 0) sample.startup_ms = clock_start_ms + first_finished - exit.spawn_ms;
  MeasureMemory(report, exit, sample);
  return sample;
}

uint64_t Fnv1a(uint64_t hash, const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
  return hash;
}

}  // namespace

std::string Config::Label() const {
  if (strategy == "threads") {
    return io_threads > 0 ? fmt::format("threads {} (io {})", threads, io_threads)
                          : fmt::format("threads {}", threads);
  }
  return fmt::format("{} {}x{}", strategy, workers, threads);
}

std::string Shown(double value, int decimals) {
  return std::isnan(value) ? "n/a" : fmt::format("{:.{}f}", value, decimals);
}

std::string Config::Series() const {
  return io_threads > 0 ? fmt::format("{} io={}", strategy, io_threads) : strategy;
}

Result<ChildExit> RunChild(const std::vector<std::string>& args, const fs::path& log,
                           bool search_path) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  ChildExit exit;
  pid_t pid = 0;
  const auto start = std::chrono::steady_clock::now();
  const int spawned = search_path
                          ? posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ)
                          : posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return Status(StatusCode::kIoError, args[0] + ": cannot start: " + std::strerror(spawned));
  }
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) return Status(StatusCode::kIoError, args[0] + ": wait4 failed");
  }
  const auto end = std::chrono::steady_clock::now();
  exit.spawn_ms = Milliseconds(start);
  exit.wall_s = std::chrono::duration<double>(end - start).count();
  exit.cpu_s = Seconds(usage.ru_utime) + Seconds(usage.ru_stime);
  exit.max_rss_kib = static_cast<uint64_t>(usage.ru_maxrss);
  exit.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exit;
}

std::string LogTail(const fs::path& log) {
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > 2000) text.erase(0, text.size() - 2000);
  return text;
}

Status CleanFolder(const fs::path& folder) {
  std::error_code error;
  fs::remove_all(folder, error);
  if (!error) fs::create_directories(folder, error);
  if (error) return Status(StatusCode::kIoError, folder.string() + ": " + error.message());
  return Status::Ok();
}

Result<Sample> RunOnce(const Workload& workload, const Config& config, const RunSettings& run) {
  PIXFLOW_RETURN_IF_ERROR(CleanFolder(run.scratch / "out"));
  const fs::path log = run.scratch / "convert.log";
  PIXFLOW_ASSIGN_OR_RETURN(const ChildExit exit,
                           RunChild(ConvertArguments(workload, config, run), log, false));
  const std::string context = workload.name + " " + config.Label();
  if (exit.code != 0) {
    return Status(StatusCode::kIoError,
                  fmt::format("{}: convert exited with {}: {}", context, exit.code, LogTail(log)));
  }
  Result<Report> report = ReadReport(run.scratch / "report.jsonl");
  if (!report.ok()) return report.status().WithContext(context);
  Sample sample = Measure(*report, exit);
  if (sample.images != workload.images || sample.failed > 0) {
    return Status(StatusCode::kIoError,
                  fmt::format("{}: {} of {} images converted, {} failed", context, sample.images,
                              workload.images, sample.failed));
  }
  return sample;
}

OutputCheck CheckOutputs(const Workload& workload, const RunSettings& run,
                         const OutputVerifier& verify) {
  OutputCheck check;
  const fs::path out = run.scratch / "out";
  std::vector<fs::path> files;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(out, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file()) files.push_back(fs::relative(it->path(), out));
  }
  std::sort(files.begin(), files.end());
  check.files = files.size();
  const size_t expected = workload.images * workload.outputs_per_image;
  if (files.size() != expected) {
    check.problem = fmt::format("{} output files, expected {}", files.size(), expected);
  }
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const fs::path& relative : files) {
    Result<io::DecodedImage> decoded = io::Decode(out / relative);
    if (!decoded.ok()) {
      check.problem = decoded.status().message();
      return check;
    }
    const Image8& pixels = decoded->pixels;
    if (std::string problem = verify(relative, pixels.width(), pixels.height()); !problem.empty()) {
      if (check.problem.empty()) check.problem = relative.string() + ": " + problem;
    }
    const std::string name = relative.generic_string();
    hash = Fnv1a(hash, name.data(), name.size());
    const int shape[3] = {pixels.width(), pixels.height(), pixels.channels()};
    hash = Fnv1a(hash, shape, sizeof(shape));
    const size_t row_bytes = static_cast<size_t>(pixels.width()) * pixels.channels();
    for (int y = 0; y < pixels.height(); ++y) hash = Fnv1a(hash, pixels.Row(y), row_bytes);
  }
  check.checksum = hash;
  return check;
}

OutputVerifier ReportedSizes(const RunSettings& run) {
  std::map<std::string, std::pair<int, int>> sizes;
  if (Result<Report> report = ReadReport(run.scratch / "report.jsonl"); report.ok()) {
    for (const ImageRecord& record : report->records) {
      for (const pipeline::OutputRecord& output : record.outputs) {
        const fs::path relative = fs::relative(output.path, run.scratch / "out");
        sizes[relative.generic_string()] = {output.width, output.height};
      }
    }
  }
  return [sizes](const fs::path& relative, int width, int height) -> std::string {
    const auto found = sizes.find(relative.generic_string());
    if (found == sizes.end()) return "not in the report";
    if (found->second != std::pair(width, height)) {
      return fmt::format("decodes as {}x{}, the report says {}x{}", width, height,
                         found->second.first, found->second.second);
    }
    return "";
  };
}

}  // namespace pixflow::cli::bench
