// The fault matrix, process faults (docs/reliability.md): the whole run killed with SIGKILL,
// in either strategy, then run again. Nothing the killed run left counts as an output, and the
// second run completes the batch. (SIGINT and the faults of single workers are covered by
// cli_convert_test and cli_process_mode_test; the table in docs/reliability.md lists them.)
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "fault_fixture.h"

namespace pixflow::test {
namespace {

class KilledRunTest : public FaultMatrixTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(KilledRunTest, ARerunCompletesTheBatchWithNothingPartial) {
  constexpr int kImages = 24;
  std::vector<fs::path> inputs;
  for (int i = 0; i < kImages; ++i) {
    inputs.push_back(CopyPhoto("building.jpg", fmt::format("in/{}.jpg", 100 + i)));
  }
  const std::vector<std::string> command = Command(
      At("in"), At("out"),
      {"--resize", "200%", "--blur", "3", "-j", "2", "--mode", GetParam(), "--workers", "2"});
  const pid_t pid = StartPixflow(command, At("killed.log"));
  ASSERT_NE(pid, 0);
  // Killed once a few images are on record, so some are written, some in flight, most not begun.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (ReadReport(At("report.json")).size() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  const ProcessResult killed = WaitFor(pid);
  EXPECT_EQ(killed.signal, SIGKILL);
  // Whatever is on disk is whole; what was in flight left no trace.
  const std::set<std::string> after_kill = Files(At("out"));
  EXPECT_GE(after_kill.size(), 3u);
  EXPECT_LT(after_kill.size(), static_cast<size_t>(kImages));
  for (const std::string& file : after_kill) ExpectWholeImage(At("out") / file);
  ExpectNoLeftovers(At("out"));
  // What a run killed on a file system without O_TMPFILE leaves: a hidden staging file. It is
  // never taken for an output.
  const std::string stale = ".123.jpg.pixflow-k1ll3d";
  WriteFile(fmt::format("out/{}", stale), "half an image");
  fs::remove(At("out/123.jpg"));

  const ProcessResult rerun = RunPixflow(command);
  EXPECT_EQ(rerun.signal, 0);
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  const std::vector<nlohmann::json> report = ReadReport(At("report.json"));
  ASSERT_FALSE(report.empty());
  const nlohmann::json& summary = report.back()["summary"];
  EXPECT_EQ(summary["images"], kImages);
  EXPECT_EQ(summary["failed"], 0);
  const size_t kept = after_kill.size() - (after_kill.count("123.jpg") ? 1 : 0);
  EXPECT_EQ(summary["skipped"].get<size_t>(), kept);
  EXPECT_EQ(summary["converted"].get<size_t>(), kImages - kept);
  std::set<std::string> expected = {stale};
  for (const fs::path& input : inputs) expected.insert(input.filename().string());
  EXPECT_EQ(Files(At("out")), expected);
  for (const fs::path& input : inputs) {
    const fs::path output = At("out") / input.filename();
    ExpectWholeImage(output);
    EXPECT_EQ(SizeOf(output), (Size{1736, 1200, 3})) << output;
  }
}

INSTANTIATE_TEST_SUITE_P(Strategies, KilledRunTest, ::testing::Values("threads", "processes"));

}  // namespace
}  // namespace pixflow::test
