// The bench's numbers as files and as the closing table: medians over the repetitions,
// results.csv (one row per configuration, for spreadsheets and plotting scripts) and
// results.json (the same plus every repetition, the machine and the workloads).
#include <fmt/core.h>
#include <oneapi/tbb/version.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench.h"
#include "pixflow/filters/simd_target.h"

namespace pixflow::cli::bench {
namespace {

using Json = nlohmann::ordered_json;

// The median of the measured values (NaN ones left out); kNotMeasured when none was.
double Median(std::vector<double> values) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  if (values.empty()) return kNotMeasured;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

template <typename Field>
double MedianField(const std::vector<Sample>& runs, Field field) {
  std::vector<double> values;
  for (const Sample& run : runs) values.push_back(static_cast<double>(run.*field));
  return Median(std::move(values));
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

double CpuUtilisation(const Sample& s, int cores) {
  return s.wall_s > 0 ? s.cpu_s / s.wall_s / cores : 0;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted.append(c == '"' ? "\"\"" : std::string(1, c));
  return quoted.append("\"");
}

constexpr const char* kCsvHeader =
    "workload,kind,strategy,label,parallelism,workers,threads_per_worker,io_threads,repeats,"
    "wall_s,wall_min_s,wall_max_s,spread_pct,images,images_per_s,megapixels_per_s,"
    "latency_p50_ms,latency_p95_ms,latency_max_ms,cpu_utilisation,peak_rss_mib,worker_rss_mib,"
    "startup_ms,overhead_ms,bytes_read,bytes_written,outputs,checksum,flag";

Json SampleJson(const Sample& s, int cores) {
  return {{"wall_s", s.wall_s},
          {"cpu_s", s.cpu_s},
          {"images", s.images},
          {"images_per_s", s.images_per_s()},
          {"megapixels_per_s", s.megapixels_per_s()},
          {"latency_p50_ms", s.latency_p50_ms},
          {"latency_p95_ms", s.latency_p95_ms},
          {"latency_max_ms", s.latency_max_ms},
          {"cpu_utilisation", CpuUtilisation(s, cores)},
          {"peak_rss_mib", s.peak_rss_mib},
          {"worker_rss_mib", s.worker_rss_mib},
          {"startup_ms", s.startup_ms},
          {"overhead_ms", s.overhead_ms},
          {"bytes_read", s.bytes_read},
          {"bytes_written", s.bytes_written}};
}

}  // namespace

double ConfigResult::spread() const {
  return median.wall_s > 0 ? (wall_max_s - wall_min_s) / median.wall_s : 0;
}

Sample MedianOf(const std::vector<Sample>& runs) {
  Sample m;
  m.wall_s = MedianField(runs, &Sample::wall_s);
  m.cpu_s = MedianField(runs, &Sample::cpu_s);
  m.images = static_cast<size_t>(MedianField(runs, &Sample::images));
  m.failed = static_cast<size_t>(MedianField(runs, &Sample::failed));
  m.megapixels = MedianField(runs, &Sample::megapixels);
  m.latency_p50_ms = MedianField(runs, &Sample::latency_p50_ms);
  m.latency_p95_ms = MedianField(runs, &Sample::latency_p95_ms);
  m.latency_max_ms = MedianField(runs, &Sample::latency_max_ms);
  m.peak_rss_mib = MedianField(runs, &Sample::peak_rss_mib);
  m.worker_rss_mib = MedianField(runs, &Sample::worker_rss_mib);
  m.startup_ms = MedianField(runs, &Sample::startup_ms);
  m.overhead_ms = MedianField(runs, &Sample::overhead_ms);
  m.bytes_read = static_cast<uint64_t>(MedianField(runs, &Sample::bytes_read));
  m.bytes_written = static_cast<uint64_t>(MedianField(runs, &Sample::bytes_written));
  return m;
}

MachineInfo DescribeMachine() {
  MachineInfo machine;
  machine.cpu_model = CpuModel();
  machine.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  machine.simd_target = SimdTargetName();
  utsname name{};
  if (::uname(&name) == 0)
    machine.kernel = fmt::format("{} {} {}", name.sysname, name.release, name.machine);
  machine.versions["libvips"] = PIXFLOW_VIPS_VERSION;  // the version pixflow was built against
  machine.versions["oneTBB"] = TBB_runtime_version();
  machine.versions["Highway"] = HighwayVersion();
  std::ifstream load("/proc/loadavg");
  std::getline(load, machine.load);
  return machine;
}

Status WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status(StatusCode::kIoError, path.string() + ": cannot write");
  return Status::Ok();
}

Status WriteCsv(const BenchRun& run, const fs::path& path) {
  std::string csv = kCsvHeader;
  csv.append("\n");
  const int cores = run.machine.cores;
  for (const ConfigResult& r : run.results) {
    const Config& c = r.config;
    const Sample& m = r.median;
    // Not measured is an empty field.
    auto measured = [](double v, int decimals) { return std::isnan(v) ? "" : Shown(v, decimals); };
    csv.append(fmt::format(
        "{},{},{},{},{},{},{},{},{},{:.4f},{:.4f},{:.4f},{:.1f},{},{:.3f},{:.3f},{},{},{},{:.3f},"
        "{:.1f},{:.1f},{},{},{},{},{},{:016x},{}\n",
        c.workload, r.peer ? "peer" : "pixflow", c.strategy, CsvField(c.Label()), c.parallelism(),
        c.workers, c.threads, c.io_threads, r.runs.size(), m.wall_s, r.wall_min_s, r.wall_max_s,
        100 * r.spread(), m.images, m.images_per_s(), m.megapixels_per_s(),
        measured(m.latency_p50_ms, 2), measured(m.latency_p95_ms, 2), measured(m.latency_max_ms, 2),
        CpuUtilisation(m, cores), m.peak_rss_mib, m.worker_rss_mib, measured(m.startup_ms, 1),
        measured(m.overhead_ms, 2), m.bytes_read, m.bytes_written, r.check.files, r.check.checksum,
        CsvField(r.flag)));
  }
  return WriteText(path, csv);
}

Status WriteJson(const BenchRun& run, const fs::path& path) {
  const MachineInfo& m = run.machine;
  Json json;
  json["machine"] = {{"cpu_model", m.cpu_model},     {"cores", m.cores},
                     {"simd_target", m.simd_target}, {"kernel", m.kernel},
                     {"load_average", m.load},       {"versions", m.versions}};
  json["command"] = run.command;
  json["corpus"] = run.corpus;
  json["repeat"] = run.repeat;
  json["seconds"] = run.seconds;
  json["workloads"] = Json::array();
  for (const Workload& w : run.workloads) {
    json["workloads"].push_back({{"name", w.name},
                                 {"description", w.description},
                                 {"images", w.images},
                                 {"outputs_per_image", w.outputs_per_image},
                                 {"io_latency_ms", w.io_latency_ms},
                                 {"convert_ops", w.ops}});
  }
  json["results"] = Json::array();
  for (const ConfigResult& r : run.results) {
    const Config& c = r.config;
    Json result = {{"workload", c.workload},
                   {"kind", r.peer ? "peer" : "pixflow"},
                   {"strategy", c.strategy},
                   {"label", c.Label()},
                   {"parallelism", c.parallelism()},
                   {"workers", c.workers},
                   {"threads_per_worker", c.threads},
                   {"io_threads", c.io_threads},
                   {"median", SampleJson(r.median, m.cores)},
                   {"wall_min_s", r.wall_min_s},
                   {"wall_max_s", r.wall_max_s},
                   {"spread", r.spread()},
                   {"outputs", r.check.files},
                   {"checksum", fmt::format("{:016x}", r.check.checksum)},
                   {"flag", r.flag.empty() ? Json(nullptr) : Json(r.flag)}};
    result["runs"] = Json::array();
    for (const Sample& s : r.runs) result["runs"].push_back(SampleJson(s, m.cores));
    json["results"].push_back(std::move(result));
  }
  if (!run.microbench.empty()) json["microbench_markdown"] = run.microbench;
  return WriteText(path, json.dump(2) + "\n");
}

std::string SummaryTable(const BenchRun& run) {
  std::string table = fmt::format("{:<10} {:<22} {:>3} {:>9} {:>7} {:>8} {:>8} {:>6} {:>7}  {}\n",
                                  "workload", "configuration", "n", "images/s", "MP/s", "p95 ms",
                                  "RSS MiB", "CPU %", "spread", "check");
  for (const ConfigResult& r : run.results) {
    const Sample& m = r.median;
    std::string check =
        r.flag.empty() ? std::string("ok") : std::string("FLAGGED: ").append(r.flag);
    if (check.size() > 60) check.resize(60);
    table.append(fmt::format(
        "{:<10} {:<22} {:>3} {:>9.2f} {:>7.1f} {:>8} {:>8.0f} {:>6.0f} "
        "{:>6.0f}%  {}\n",
        r.config.workload, r.peer ? r.config.strategy : r.config.Label(),
        r.peer ? std::string("-") : std::to_string(r.config.parallelism()), m.images_per_s(),
        m.megapixels_per_s(), Shown(m.latency_p95_ms, 0), m.peak_rss_mib,
        100 * CpuUtilisation(m, run.machine.cores), 100 * r.spread(), check));
  }
  table.append(fmt::format("{} configurations in {:.0f} s on {} ({} cores, {})\n",
                           run.results.size(), run.seconds, run.machine.cpu_model,
                           run.machine.cores, run.machine.simd_target));
  return table;
}

}  // namespace pixflow::cli::bench
