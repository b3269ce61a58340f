// `pixflow --version` and `--help` end to end: the version report a bug report or a benchmark is
// reproduced from, and the examples under each command's help.
#include <gtest/gtest.h>
#include <oneapi/tbb/version.h>

#include <string>
#include <vector>

#include "pixflow/filters/simd_target.h"
#include "pixflow_process.h"

namespace pixflow {
namespace {

using test::ProcessResult;
using test::RunPixflow;

TEST(VersionCliTest, NamesPixflowItsLibrariesAndTheSimdTargetOfThisCpu) {
  const ProcessResult run = RunPixflow({"--version"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // This test process dispatches the same Highway build on the same CPU, so it must agree.
  std::string expected = "pixflow " PIXFLOW_EXPECTED_VERSION "\n";
  expected.append("libvips " PIXFLOW_EXPECTED_VIPS_VERSION " (built against)\n");
  expected.append("OpenCV not linked\n");
  expected.append("oneTBB ").append(TBB_runtime_version()).append("\n");
  expected.append("Highway ").append(HighwayVersion()).append("\n");
  expected.append("SIMD target ").append(SimdTargetName()).append(" (chosen at run time)\n");
  EXPECT_EQ(run.out, expected);
}

TEST(HelpCliTest, TopLevelHelpEndsWithExamplesOfEveryCommand) {
  const ProcessResult run = RunPixflow({"--help"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const size_t examples = run.out.find("\nExamples:\n");
  ASSERT_NE(examples, std::string::npos) << run.out;
  for (const char* command : {"convert", "info", "filters", "bench"}) {
    EXPECT_NE(run.out.find(std::string("\n  pixflow ") + command, examples), std::string::npos)
        << command;
  }
}

// Subcommands inherit the parent's footer in CLI11; each must show its own examples instead.
TEST(HelpCliTest, EachCommandsHelpShowsOnlyItsOwnExamples) {
  const std::vector<std::vector<std::string>> commands = {
      {"convert"}, {"info"}, {"filters"}, {"bench"}, {"report"}, {"report", "merge"}};
  for (std::vector<std::string> args : commands) {
    const std::string example = "\n  pixflow " + args[0];
    const std::string other = args[0] == "info" ? "\n  pixflow convert" : "\n  pixflow info";
    args.push_back("--help");
    const ProcessResult run = RunPixflow(args);
    ASSERT_EQ(run.exit_code, 0) << args[0] << ": " << run.err;
    const size_t examples = run.out.find("\nExample");
    ASSERT_NE(examples, std::string::npos) << args[0] << ":\n" << run.out;
    const std::string footer = run.out.substr(examples);
    EXPECT_NE(footer.find(example), std::string::npos) << args[0] << ":\n" << footer;
    EXPECT_EQ(footer.find(other), std::string::npos) << args[0] << ":\n" << footer;
  }
}

}  // namespace
}  // namespace pixflow
