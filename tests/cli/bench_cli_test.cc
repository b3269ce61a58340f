// `pixflow bench --quick` end to end: one real run (under a minute on 2 cores), then its files
// are read back: the CSV's columns and rows, the JSON's machine fields, report.md's answers
// (the serial fraction recomputed from the CSV), and both SVGs parsed as XML with one labelled
// line per strategy in every panel. Speed is never asserted; only what was written and whether
// it is consistent.
#include <expat.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "pixflow_process.h"

namespace pixflow {
namespace {

namespace fs = std::filesystem;

struct ChildRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// pixflow's exit code (128 + signal if killed) and its stdout and stderr together.
ChildRun RunPixflow(const std::vector<std::string>& args) {
  const test::ProcessResult result = test::RunPixflow(args);
  return {result.signal != 0 ? 128 + result.signal : result.exit_code, result.out + result.err};
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      field.push_back('"');
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.push_back(field);
      field.clear();
    } else {
      field.push_back(c);
    }
  }
  fields.push_back(field);
  return fields;
}

using Row = std::map<std::string, std::string>;

std::vector<Row> ReadCsv(const fs::path& path, std::vector<std::string>* header) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  *header = SplitCsvLine(line);
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = SplitCsvLine(line);
    EXPECT_EQ(fields.size(), header->size()) << line;
    Row row;
    for (size_t i = 0; i < fields.size() && i < header->size(); ++i) row[(*header)[i]] = fields[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// What an SVG holds: every polyline's (panel workload, strategy, has a <title>), every peer line,
// and all its text.
struct SvgContent {
  std::vector<std::string> panels;
  std::multiset<std::pair<std::string, std::string>> polylines;
  std::set<std::string> peers;
  std::string text;
  std::string current_panel;
  bool in_polyline = false;
  int polyline_titles = 0;
};

void OnStart(void* data, const XML_Char* name, const XML_Char** attributes) {
  auto* svg = static_cast<SvgContent*>(data);
  std::map<std::string, std::string> attrs;
  for (int i = 0; attributes[i] != nullptr; i += 2) attrs[attributes[i]] = attributes[i + 1];
  const std::string element = name;
  if (element == "g" && attrs["class"] == "panel") {
    svg->current_panel = attrs["data-workload"];
    svg->panels.push_back(svg->current_panel);
  } else if (element == "polyline") {
    svg->polylines.insert({svg->current_panel, attrs["data-strategy"]});
    svg->in_polyline = true;
    EXPECT_FALSE(attrs["points"].empty());
  } else if (element == "title" && svg->in_polyline) {
    ++svg->polyline_titles;
  } else if (element == "line" && attrs["class"] == "peer") {
    svg->peers.insert(attrs["data-peer"]);
  }
}

void OnEnd(void* data, const XML_Char* name) {
  if (std::string(name) == "polyline") static_cast<SvgContent*>(data)->in_polyline = false;
}

void OnText(void* data, const XML_Char* text, int length) {
  static_cast<SvgContent*>(data)->text.append(text, static_cast<size_t>(length));
}

// Parses with expat; a parse error fails the test with expat's line and reason.
SvgContent ParseSvg(const fs::path& path) {
  SvgContent svg;
  const std::string text = ReadFile(path);
  XML_Parser parser = XML_ParserCreate(nullptr);
  XML_SetUserData(parser, &svg);
  XML_SetElementHandler(parser, OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser, OnText);
  const XML_Status status = XML_Parse(parser, text.data(), static_cast<int>(text.size()), 1);
  EXPECT_EQ(status, XML_STATUS_OK) << path << ": line " << XML_GetCurrentLineNumber(parser) << ": "
                                   << XML_ErrorString(XML_GetErrorCode(parser));
  XML_ParserFree(parser);
  return svg;
}

bool OnPath(const std::string& name) {
  std::stringstream path(std::getenv("PATH") != nullptr ? std::getenv("PATH") : "");
  std::string folder;
  while (std::getline(path, folder, ':')) {
    if (!folder.empty() && ::access((fs::path(folder) / name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

class BenchCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/pixflow-bench-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    folder_ = pattern;
    // A private corpus cache, so the test neither reads nor fills the user's.
    ::setenv("XDG_CACHE_HOME", (folder_ / "cache").c_str(), 1);
  }
  void TearDown() override {
    std::error_code error;
    fs::remove_all(folder_, error);
  }
  fs::path folder_;
};

TEST_F(BenchCliTest, UsageErrorsExitTwoBeforeAnyWork) {
  EXPECT_EQ(RunPixflow({"bench", "--workloads", "thumbnail,nope"}).exit_code, 2);
  const ChildRun missing = RunPixflow({"bench", "--images", (folder_ / "absent").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("not a folder"), std::string::npos) << missing.out;
  EXPECT_EQ(RunPixflow({"bench", "--size", "12by8"}).exit_code, 2);
  EXPECT_FALSE(fs::exists(folder_ / "cache")) << "no corpus is generated for a bad command";
}

TEST_F(BenchCliTest, QuickRunWritesConsistentResults) {
  const fs::path out = folder_ / "results";
  const ChildRun run = RunPixflow({"bench", "--quick", "--out", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.out;
  for (const char* file :
       {"results.csv", "results.json", "report.md", "throughput.svg", "memory.svg"}) {
    EXPECT_TRUE(fs::is_regular_file(out / file)) << file;
  }
  EXPECT_NE(run.out.find("configuration"), std::string::npos) << "the summary table is printed";

  // results.csv: the columns, every workload and strategy, checked outputs.
  std::vector<std::string> header;
  const std::vector<Row> rows = ReadCsv(out / "results.csv", &header);
  for (const char* column : {"workload",        "kind",           "strategy",
                             "parallelism",     "workers",        "threads_per_worker",
                             "wall_s",          "images_per_s",   "megapixels_per_s",
                             "latency_p50_ms",  "latency_p95_ms", "latency_max_ms",
                             "cpu_utilisation", "peak_rss_mib",   "worker_rss_mib",
                             "startup_ms",      "overhead_ms",    "bytes_read",
                             "bytes_written",   "checksum",       "flag"}) {
    EXPECT_NE(std::find(header.begin(), header.end(), column), header.end()) << column;
  }
  const std::set<std::string> strategies = {"threads", "processes", "hybrid"};
  const std::map<std::string, size_t> images = {
      {"thumbnail", 6}, {"cpu", 6}, {"io", 24}, {"mixed", 30}};
  std::map<std::string, std::set<std::string>> seen;
  std::map<std::string, std::set<std::string>> checksums;
  bool peer_row = false;
  for (const Row& row : rows) {
    const std::string& workload = row.at("workload");
    EXPECT_EQ(row.at("flag"), "") << workload << " " << row.at("label");
    EXPECT_EQ(std::stoul(row.at("images")), images.at(workload)) << row.at("label");
    if (row.at("kind") == "peer") {
      peer_row = true;
      EXPECT_EQ(workload, "thumbnail");
      continue;
    }
    seen[workload].insert(row.at("strategy"));
    checksums[workload].insert(row.at("checksum"));
    // Threads records carry start and finish times; the process executor's may not (then the
    // fields are empty, never zero).
    if (row.at("strategy") == "threads" || !row.at("latency_p50_ms").empty()) {
      const double p50 = std::stod(row.at("latency_p50_ms"));
      const double p95 = std::stod(row.at("latency_p95_ms"));
      EXPECT_GT(p50, 0);
      EXPECT_LE(p50, p95);
      EXPECT_LE(p95, std::stod(row.at("latency_max_ms")));
      EXPECT_GT(std::stod(row.at("startup_ms")), 0.0);
      EXPECT_LT(std::stod(row.at("startup_ms")), 1000 * std::stod(row.at("wall_s")));
    }
    EXPECT_GT(std::stod(row.at("peak_rss_mib")), 1.0);
    EXPECT_GT(std::stod(row.at("cpu_utilisation")), 0.0);
    EXPECT_GT(std::stoull(row.at("bytes_read")), 0u);
    EXPECT_GT(std::stoull(row.at("bytes_written")), 0u);
    if (row.at("strategy") != "threads") {
      EXPECT_GT(std::stod(row.at("worker_rss_mib")), 1.0);
    }
  }
  for (const auto& [workload, count] : images) {
    EXPECT_EQ(seen[workload], strategies) << workload;
    EXPECT_EQ(checksums[workload].size(), 1u) << workload << ": every strategy's pixels agree";
  }
  EXPECT_EQ(peer_row, OnPath("vipsthumbnail"));

  // results.json: the machine and every result.
  const nlohmann::json json = nlohmann::json::parse(ReadFile(out / "results.json"));
  const nlohmann::json& machine = json.at("machine");
  EXPECT_FALSE(machine.at("cpu_model").get<std::string>().empty());
  EXPECT_EQ(machine.at("cores").get<unsigned>(), std::thread::hardware_concurrency());
  EXPECT_FALSE(machine.at("simd_target").get<std::string>().empty());
  for (const char* library : {"libvips", "oneTBB", "Highway"}) {
    EXPECT_FALSE(machine.at("versions").at(library).get<std::string>().empty()) << library;
  }
  EXPECT_EQ(json.at("results").size(), rows.size());
  EXPECT_EQ(json.at("results")[0].at("runs").size(), 1u) << "--quick repeats once";

  // report.md: the answers, and a serial fraction that matches the CSV's rates.
  const std::string report = ReadFile(out / "report.md");
  const size_t answers = report.find("## Answers");
  ASSERT_NE(answers, std::string::npos);
  for (const char* answer :
       {"**Where scaling stops**", "**Best configuration for this machine**"}) {
    EXPECT_NE(report.find(answer, answers), std::string::npos) << answer;
  }
  // Threads or processes, each with both rates.
  for (const char* workload : {"I/O-bound", "CPU-bound"}) {
    const std::string pattern = std::string("\\*\\*").append(workload).append(
        "\\*\\* \\(`[a-z]+`\\): \\*\\*(threads|processes)\\*\\*\\. Best threads "
        "configuration: threads [0-9]+ at [0-9.]+ images/s; best process configuration: "
        "[a-z]+ [0-9]+x[0-9]+ at [0-9.]+");
    EXPECT_TRUE(std::regex_search(report, std::regex(pattern))) << pattern;
  }
  EXPECT_TRUE(std::regex_search(
      report,
      std::regex("What a process costs\\*\\*: a single-threaded worker peaks at [0-9]+ MiB")));
  double rate1 = 0, rateN = 0;
  int n = 0;
  for (const Row& row : rows) {
    if (row.at("workload") != "cpu" || row.at("strategy") != "threads") continue;
    const int p = std::stoi(row.at("parallelism"));
    if (p == 1) rate1 = std::stod(row.at("images_per_s"));
    if (p > 1 && p <= static_cast<int>(std::thread::hardware_concurrency())) {
      n = p, rateN = std::stod(row.at("images_per_s"));
    }
  }
  if (n > 1) {
    const double x = 1.0 / n, y = rate1 / rateN;
    const double expected = std::clamp((y - x) / (1 - x), 0.0, 1.0);
    std::smatch match;
    const std::string tail = report.substr(answers);
    ASSERT_TRUE(
        std::regex_search(tail, match, std::regex("`cpu` threads: [^\\n]*; s = ([0-9.]+) \\(")))
        << tail;
    EXPECT_NEAR(std::stod(match[1]), expected, 0.006);
  }

  // The SVGs: valid XML, a panel per workload, one labelled polyline per strategy in each.
  for (const char* chart : {"throughput.svg", "memory.svg"}) {
    const SvgContent svg = ParseSvg(out / chart);
    EXPECT_EQ(svg.panels, (std::vector<std::string>{"thumbnail", "cpu", "io", "mixed"})) << chart;
    for (const std::string& panel : svg.panels) {
      for (const std::string& strategy : strategies) {
        EXPECT_EQ(svg.polylines.count({panel, strategy}), 1u)
            << chart << " " << panel << " " << strategy;
      }
    }
    EXPECT_EQ(svg.polylines.size(), 4 * strategies.size()) << chart;
    EXPECT_EQ(svg.polyline_titles, static_cast<int>(svg.polylines.size())) << chart;
    for (const std::string& strategy : strategies) {
      EXPECT_NE(svg.text.find(strategy), std::string::npos) << chart << ": legend " << strategy;
    }
    EXPECT_NE(svg.text.find("parallelism"), std::string::npos) << chart;
    EXPECT_NE(svg.text.find(std::string(chart) == "memory.svg" ? "peak RSS (MiB)" : "images/s"),
              std::string::npos)
        << chart;
    if (std::string(chart) == "throughput.svg" && OnPath("vipsthumbnail")) {
      EXPECT_EQ(svg.peers.count("vipsthumbnail"), 1u);
    }
  }
}

}  // namespace
}  // namespace pixflow
