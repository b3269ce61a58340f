// `pixflow convert --mode processes` end to end, with the faults caused for real: a worker
// killed with SIGKILL mid-batch, one stopped with SIGSTOP until --timeout kills it, a worker
// memory cap refusing a decompression bomb, and SIGINT/SIGTERM to the supervisor. Each checks
// the files written, the report, the exit code, and that no worker process is left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>

#include "child_process.h"
#include "test_util.h"

namespace pixflow {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using Json = nlohmann::json;

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

struct Report {
  std::vector<Json> images;
  Json summary;
};

Report ReadReport(const fs::path& path) {
  Report report;
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);) {
    Json json = Json::parse(line);
    if (json.contains("summary")) {
      report.summary = json["summary"];
    } else {
      report.images.push_back(std::move(json));
    }
  }
  return report;
}

class ProcessModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Parameterised names hold a '/': one folder per test, not a parent and a child.
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = fs::temp_directory_path() /
           ("pixflow_procs_" + std::to_string(::getpid()) + "_").append(name);
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "in");
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // `count` copies of a real photograph: with --resize 400% --blur 4 each takes a few hundred
  // milliseconds, long enough to catch a worker in the middle of one.
  void AddSlowImages(int count) const {
    for (int i = 0; i < count; ++i) {
      fs::copy_file(fs::path(PIXFLOW_REAL_IMAGES_DIR) / "baboon.jpg",
                    dir_ / "in" / ("slow" + std::to_string(i) + ".jpg"));
    }
  }
  // Two workers of one thread, --verbose (for the worker pids) and a report. `ops` default to
  // a chain that takes a few hundred milliseconds per image.
  std::vector<std::string> SlowConvert(const std::vector<std::string>& extra,
                                       const std::vector<std::string>& ops = {
                                           "--resize", "400%", "--blur", "4"}) const {
    std::vector<std::string> args = {"convert", (dir_ / "in").string(), "-o",
                                     (dir_ / "out").string()};
    args.insert(args.end(), ops.begin(), ops.end());
    for (const char* arg : {"--mode", "processes", "--workers", "2", "-j", "1", "-v"}) {
      args.emplace_back(arg);
    }
    args.insert(args.end(), {"--report", (dir_ / "report.json").string()});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  std::unique_ptr<test::ChildProcess> Start(const std::vector<std::string>& args) const {
    return std::make_unique<test::ChildProcess>(PIXFLOW_BINARY, args, dir_);
  }
  // Waits until the supervisor has reported `images` finished images and both workers holding one.
  static bool WaitForProgress(test::ChildProcess& run, size_t images) {
    return run.WaitFor(
        [&](const std::string& out, const std::string& err) {
          const auto done = static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
          return done >= images && test::BusyWorkerPids(err).size() >= 2;
        },
        seconds(120));
  }
  static void ExpectNoWorkerLeft(const std::string& err) {
    const std::vector<pid_t> pids = test::StartedWorkerPids(err);
    EXPECT_FALSE(pids.empty()) << err;
    for (const pid_t pid : pids) EXPECT_TRUE(test::ProcessGone(pid)) << "worker " << pid << " left";
  }
  size_t OutputsWritten() const {
    size_t count = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir_ / "out")) {
      count += entry.is_regular_file() && entry.file_size() > 0;
    }
    return count;
  }

  fs::path dir_;
};

TEST_F(ProcessModeTest, OutputsAreByteIdenticalToThreadMode) {
  std::vector<fs::path> photos;
  for (const auto& entry : fs::directory_iterator(PIXFLOW_REAL_IMAGES_DIR)) {
    if (entry.path().extension() == ".jpg") photos.push_back(entry.path());
  }
  std::sort(photos.begin(), photos.end());
  ASSERT_GE(photos.size(), 20u);
  fs::create_directories(dir_ / "in" / "sub");
  for (size_t i = 0; i < 20; ++i) {
    fs::copy_file(photos[i], dir_ / "in" / (i % 3 == 0 ? "sub" : ".") / photos[i].filename());
  }
  const std::vector<std::string> ops = {"--resize",  "320x",
                                        "--sharpen", "1",
                                        "--variant", "small:--resize 96x --format png",
                                        "--variant", "large:--format webp"};
  auto convert = [&](const std::string& mode) {
    std::vector<std::string> args = {"convert",   (dir_ / "in").string(),
                                     "-o",        (dir_ / mode).string(),
                                     "--mode",    mode,
                                     "--workers", "3",
                                     "--report",  (dir_ / (mode + ".json")).string()};
    args.insert(args.end(), ops.begin(), ops.end());
    auto run = Start(args);
    EXPECT_EQ(run->Wait(), 0) << run->err();
    return ReadReport(dir_ / (mode + ".json"));
  };
  const Report threads = convert("threads");
  const Report processes = convert("processes");
  size_t compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "threads")) {
    if (!entry.is_regular_file()) continue;
    const fs::path twin = dir_ / "processes" / fs::relative(entry.path(), dir_ / "threads");
    ASSERT_TRUE(fs::exists(twin)) << twin;
    EXPECT_EQ(ReadFile(entry.path()), ReadFile(twin)) << twin;
    ++compared;
  }
  EXPECT_EQ(compared, 40u);  // 20 images, 2 variants each
  EXPECT_EQ(processes.summary["converted"], 20);
  EXPECT_EQ(processes.summary["mode"], "processes");
  EXPECT_EQ(processes.summary["workers"], 3);
  EXPECT_EQ(threads.summary["mode"], "threads");
  for (const Json& image : processes.images) {
    EXPECT_EQ(image["status"], "converted");
    EXPECT_EQ(image["worker"]["attempts"], 1);
    EXPECT_GT(image["worker"]["pid"].get<int>(), 0);
    EXPECT_GT(image["worker"]["peak_rss_kib"].get<int>(), 1000);
  }
}

TEST_F(ProcessModeTest, KilledWorkerLosesOnlyItsImageWhichIsRetried) {
  AddSlowImages(10);
  auto run = Start(SlowConvert({}));
  ASSERT_TRUE(WaitForProgress(*run, 1)) << run->err();
  const pid_t victim = test::BusyWorkerPids(run->err())[0];
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  EXPECT_EQ(run->Wait(), 0) << run->err();
  const std::string err = run->err();
  const std::string death =
      "(pid " + std::to_string(victim) + ") killed by SIGKILL while converting ";
  ASSERT_NE(err.find(death), std::string::npos) << err;
  EXPECT_NE(err.find("retrying it on a fresh worker (attempt 2 of 2)"), std::string::npos) << err;
  EXPECT_EQ(OutputsWritten(), 10u);
  const Report report = ReadReport(dir_ / "report.json");
  EXPECT_EQ(report.summary["converted"], 10);
  EXPECT_EQ(report.summary["exit_code"], 0);
  size_t retried = 0;
  for (const Json& image : report.images) {
    if (image["worker"]["attempts"] == 1) continue;
    ++retried;
    EXPECT_EQ(image["worker"]["attempts"], 2);
    EXPECT_NE(image["warnings"][0].get<std::string>().find(death), std::string::npos) << image;
    EXPECT_NE(err.find(death + image["input"].get<std::string>()), std::string::npos) << err;
  }
  EXPECT_EQ(retried, 1u);
  ExpectNoWorkerLeft(err);
}

TEST_F(ProcessModeTest, KilledWorkerWithoutRetriesFailsThatImageAlone) {
  AddSlowImages(8);
  auto run = Start(SlowConvert({"--retries", "0"}));
  ASSERT_TRUE(WaitForProgress(*run, 1)) << run->err();
  const pid_t victim = test::BusyWorkerPids(run->err())[1];
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  EXPECT_EQ(run->Wait(), 1) << run->err();
  EXPECT_EQ(OutputsWritten(), 7u);
  const Report report = ReadReport(dir_ / "report.json");
  EXPECT_EQ(report.summary["converted"], 7);
  EXPECT_EQ(report.summary["failed"], 1);
  for (const Json& image : report.images) {
    if (image["status"] != "failed") continue;
    EXPECT_EQ(image["stage"], "worker");
    EXPECT_EQ(image["worker"]["pid"], victim);
    const std::string error = image["error"];
    EXPECT_EQ(error.rfind(image["input"].get<std::string>() + ": worker ", 0), 0u) << error;
    EXPECT_NE(error.find("(pid " + std::to_string(victim) + ")"), std::string::npos) << error;
    EXPECT_NE(error.find("killed by SIGKILL while converting"), std::string::npos) << error;
    EXPECT_FALSE(
        fs::exists(image["outputs"].empty() ? fs::path() : fs::path(image["outputs"][0]["path"])));
  }
  ExpectNoWorkerLeft(run->err());
}

TEST_F(ProcessModeTest, StoppedWorkerIsKilledAtTheTimeout) {
  // Light images (well under the timeout even in a sanitizer build), and enough of them that
  // the stopped worker is holding one or is handed one however late this test gets to stop it
  // on a loaded machine: the clock runs from the hand-out.
  AddSlowImages(120);
  auto run = Start(SlowConvert({"--timeout", "2", "--retries", "0"}, {"--resize", "150%"}));
  ASSERT_TRUE(WaitForProgress(*run, 1)) << run->err();
  const pid_t victim = test::BusyWorkerPids(run->err())[0];
  ASSERT_EQ(::kill(victim, SIGSTOP), 0);
  EXPECT_EQ(run->Wait(), 1) << run->err();
  const std::string err = run->err();
  EXPECT_NE(err.find("(pid " + std::to_string(victim) +
                     ") timed out after 2 s (killed) while converting"),
            std::string::npos)
      << err;
  EXPECT_EQ(OutputsWritten(), 119u);
  const Report report = ReadReport(dir_ / "report.json");
  EXPECT_EQ(report.summary["converted"], 119);
  EXPECT_EQ(report.summary["failed"], 1);
  ExpectNoWorkerLeft(err);
}

#if defined(__SANITIZE_ADDRESS__)
#define PIXFLOW_ASAN 1
#endif

TEST_F(ProcessModeTest, MemoryCapFailsADecompressionBombAlone) {
#ifdef PIXFLOW_ASAN
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space: RLIMIT_AS cannot apply";
#endif
  AddSlowImages(2);
  // 24000x24000 RGB: a 1.7 MB PNG that decodes to 1.7 GB, over the cap with the few hundred MB
  // of address space a worker reserves before its first image (thread stacks, malloc arenas).
  test::ChildProcess vips(
      "/usr/bin/vips",
      {"black", (dir_ / "in" / "bomb.png").string(), "24000", "24000", "--bands", "3"}, dir_);
  ASSERT_EQ(vips.Wait(), 0) << vips.err();
  ASSERT_LT(fs::file_size(dir_ / "in" / "bomb.png"), 2000000u);
  auto run = Start({"convert", (dir_ / "in").string(), "-o", (dir_ / "out").string(), "--mode",
                    "processes", "--workers", "2", "-j", "1", "-v", "--max-pixels", "0",
                    "--worker-memory", "1536M", "--report", (dir_ / "report.json").string()});
  EXPECT_EQ(run->Wait(), 1) << run->err();
  EXPECT_EQ(OutputsWritten(), 2u);
  const Report report = ReadReport(dir_ / "report.json");
  EXPECT_EQ(report.summary["converted"], 2);
  ASSERT_EQ(report.summary["failed"], 1);
  for (const Json& image : report.images) {
    if (image["status"] == "failed") {
      EXPECT_NE(image["input"].get<std::string>().find("bomb.png"), std::string::npos);
      EXPECT_NE(image["error"].get<std::string>().find("out of memory"), std::string::npos)
          << image["error"];
    }
  }
  ExpectNoWorkerLeft(run->err());
}

TEST_F(ProcessModeTest, WorkersDieWithAKilledSupervisor) {
  // Orphans come to this process instead of init, so the test can see how they ended.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  AddSlowImages(20);
  auto run = Start(SlowConvert({}));
  ASSERT_TRUE(WaitForProgress(*run, 1)) << run->err();
  const std::vector<pid_t> workers = test::BusyWorkerPids(run->err());
  ASSERT_EQ(::kill(run->pid(), SIGKILL), 0);
  EXPECT_EQ(run->Wait(), 128 + SIGKILL);
  for (const pid_t worker : workers) {
    int status = 0;
    pid_t reaped = 0;
    for (int i = 0; i < 500 && reaped == 0; ++i) {
      reaped = ::waitpid(worker, &status, WNOHANG);
      if (reaped == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(reaped, worker) << "worker " << worker << " outlived its supervisor";
    // The parent-death signal, not the end of the socket: a worker stuck in one long image
    // (which reads nothing) still goes at once.
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  }
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

class InterruptedSupervisorTest : public ProcessModeTest,
                                  public ::testing::WithParamInterface<int> {};

TEST_P(InterruptedSupervisorTest, FinishesInFlightImagesWritesTheReportAndReapsWorkers) {
  AddSlowImages(30);
  auto run = Start(SlowConvert({}));
  ASSERT_TRUE(WaitForProgress(*run, 2)) << run->err();
  ASSERT_EQ(::kill(run->pid(), GetParam()), 0);
  EXPECT_EQ(run->Wait(), 128 + GetParam()) << run->err();
  const Report report = ReadReport(dir_ / "report.json");
  EXPECT_EQ(report.summary["interrupted"], true);
  EXPECT_EQ(report.summary["exit_code"], 128 + GetParam());
  const int converted = report.summary["converted"];
  EXPECT_GE(converted, 2);
  EXPECT_LT(converted, 30);
  EXPECT_EQ(report.summary["failed"], 0);  // in-flight images finished, none was cut off
  EXPECT_EQ(report.summary["not_started"], 30 - converted);
  EXPECT_EQ(OutputsWritten(), static_cast<size_t>(converted));
  ExpectNoWorkerLeft(run->err());
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptedSupervisorTest, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& param) { return std::string(sigabbrev_np(param.param)); });

}  // namespace
}  // namespace pixflow
