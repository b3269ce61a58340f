// The soak test (label `soak`, not in CI's default run; `ctest --test-dir build/ci -L soak`):
// 10,000 generated images through both strategies. While each run goes, the test samples the
// resident memory and open file descriptors of pixflow and its workers against the number of images
// finished (from the report, as it grows), and checks: the peak over the last thousand images
// is within 10% of the peak over the first thousand, no more descriptors are open near the end
// than near the start (beyond what the images in flight hold), no staging file is left, and
// every output is there. The numbers go to stdout and to the test's XML properties;
// docs/reliability.md records a run.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "convert_cli_fixture.h"

namespace pixflow::test {
namespace {

constexpr int kImages = 10000;
constexpr int kWindow = 1000;  // "the first and the last thousand"

struct Sample {
  int done = 0;          // images on record when sampled
  uint64_t rss_kib = 0;  // pixflow and its workers together
  int fds = 0;           // likewise
};

std::vector<pid_t> WithChildren(pid_t pid) {
  std::vector<pid_t> pids = {pid};
  std::ifstream children(fmt::format("/proc/{0}/task/{0}/children", pid));
  for (pid_t child = 0; children >> child;) pids.push_back(child);
  return pids;
}

uint64_t RssKib(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

int OpenFds(pid_t pid) {
  std::error_code error;
  int count = 0;
  for (fs::directory_iterator it(fmt::format("/proc/{}/fd", pid), error);
       !error && it != fs::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return count;
}

struct Window {
  uint64_t peak_rss_kib = 0;
  int peak_fds = 0;
};

Window Over(const std::vector<Sample>& samples, int from, int to) {
  Window window;
  for (const Sample& s : samples) {
    if (s.done < from || s.done >= to) continue;
    window.peak_rss_kib = std::max(window.peak_rss_kib, s.rss_kib);
    window.peak_fds = std::max(window.peak_fds, s.fds);
  }
  return window;
}

class SoakTest : public ConvertCliTest, public ::testing::WithParamInterface<const char*> {
 protected:
  // 10,000 small images, 100 to a folder: 100 different ones (sizes from 16 to 128 pixels a
  // side, JPEG, PNG, WebP and GIF), each written 100 times under its own name. Encoding each
  // of the 10,000 took 3 minutes on a loaded machine; the run does not care that bytes repeat.
  void Generate() const {
    static constexpr const char* kFormats[] = {"jpg", "png", "webp", "gif"};
    constexpr int kDistinct = 100;
    std::vector<std::string> encoded;
    for (int i = 0; i < kDistinct; ++i) {
      const Image8 image =
          SceneImage(16 + (i * 37) % 113, 16 + (i * 53) % 97, 3, static_cast<uint32_t>(i));
      Result<std::vector<uint8_t>> bytes = io::Encode(image.view(), {kFormats[i % 4], 0});
      ASSERT_TRUE(bytes.ok()) << bytes.status().message();
      encoded.emplace_back(bytes->begin(), bytes->end());
    }
    for (int i = 0; i < kImages; ++i) {
      WriteFile(fmt::format("in/{:03}/{:05}.{}", i / 100, i, kFormats[i % kDistinct % 4]),
                encoded[static_cast<size_t>(i % kDistinct)]);
    }
  }
};

TEST_P(SoakTest, TenThousandImagesKeepMemoryAndDescriptorsFlat) {
  const auto generate_start = std::chrono::steady_clock::now();
  Generate();
  const double generate_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - generate_start).count();
  const std::string mode = GetParam();
  const fs::path report = At("report.json");
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = StartPixflow(
      {"convert", Arg("in"), "-o", Arg("out"), "--resize", "50%", "--format", "webp", "--mode",
       mode, "--workers", "2", "-j", "2", "--report", report.string(), "--progress", "never"},
      At("log.txt"));
  ASSERT_NE(pid, 0);
  std::vector<Sample> samples;
  std::ifstream lines;
  int done = 0;
  std::string partial;
  for (;;) {
    if (!lines.is_open()) lines.open(report);
    if (lines.is_open()) {  // count the lines added since the last look
      lines.clear();
      std::ostringstream added;
      added << lines.rdbuf();
      partial += added.str();
      done += static_cast<int>(std::count(partial.begin(), partial.end(), '\n'));
      partial.erase(0, partial.rfind('\n') == std::string::npos ? 0 : partial.rfind('\n') + 1);
    }
    Sample sample{done, 0, 0};
    for (const pid_t p : WithChildren(pid)) {
      sample.rss_kib += RssKib(p);
      sample.fds += OpenFds(p);
    }
    if (sample.rss_kib == 0) break;  // exited (a zombie has no VmRSS)
    samples.push_back(sample);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const ProcessResult run = WaitFor(pid);
  const double run_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(run.exit_code, 0) << ReadText(At("log.txt"));

  const nlohmann::json summary = ReadReport(report).back()["summary"];
  EXPECT_EQ(summary["converted"], kImages);
  const std::set<std::string> files = Files(At("out"));
  EXPECT_EQ(files.size(), static_cast<size_t>(kImages)) << "every output present";
  const auto hidden = std::count_if(files.begin(), files.end(), [](const std::string& file) {
    return fs::path(file).filename().string().front() == '.';
  });
  EXPECT_EQ(hidden, 0) << "staging files left behind";

  const Window first = Over(samples, 0, kWindow);
  const Window last = Over(samples, kImages - kWindow, kImages);
  ASSERT_GT(first.peak_rss_kib, 0u) << "no sample in the first thousand";
  ASSERT_GT(last.peak_rss_kib, 0u) << "no sample in the last thousand";
  EXPECT_LE(static_cast<double>(last.peak_rss_kib), 1.10 * static_cast<double>(first.peak_rss_kib))
      << "memory grew";
  // Each image in flight may hold its input and a staging file open, so the peaks of two
  // windows differ by a few; one leaked descriptor per image would be hundreds.
  EXPECT_LE(last.peak_fds, first.peak_fds + 8) << "descriptors leaked";
  const std::string numbers = fmt::format(
      "soak {}: {} images in {:.1f} s (generated in {:.1f} s), {} samples; peak RSS first "
      "thousand {} KiB, last thousand {} KiB ({:+.1f}%); peak fds first {} last {}; staging "
      "files left {}",
      mode, kImages, run_s, generate_s, samples.size(), first.peak_rss_kib, last.peak_rss_kib,
      100.0 *
          (static_cast<double>(last.peak_rss_kib) / static_cast<double>(first.peak_rss_kib) - 1),
      first.peak_fds, last.peak_fds, hidden);
  std::printf("%s\n", numbers.c_str());
  RecordProperty("numbers", numbers);
}

INSTANTIATE_TEST_SUITE_P(Strategies, SoakTest, ::testing::Values("threads", "processes"));

}  // namespace
}  // namespace pixflow::test
