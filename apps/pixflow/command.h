// A pixflow subcommand: the CLI11 app that parses its flags, and what runs once they are parsed.
// main.cc registers each one; each command has its own file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace pixflow::cli {

// Exit codes shared by every command (DESIGN.md's CLI contract).
inline constexpr int kExitOk = 0;
inline constexpr int kExitSomeFailed = 1;  // some inputs could not be processed
inline constexpr int kExitUsage = 2;       // bad flags or setup

struct Command {
  CLI::App* app;
  std::function<int()> run;  // returns the exit code
};

// `pixflow info FILE...`
Command AddInfoCommand(CLI::App& parent);
// `pixflow convert INPUT... -o OUTDIR [ops...]`
Command AddConvertCommand(CLI::App& parent);
// `pixflow filters`
Command AddFiltersCommand(CLI::App& parent);
// `pixflow bench [...]`: threads against processes on batch workloads (registered after
// convert, whose flags it looks at).
Command AddBenchCommand(CLI::App& parent);
// `pixflow report merge REPORT...`
Command AddReportCommand(CLI::App& parent);

}  // namespace pixflow::cli
