// A pixflow subcommand: the CLI11 app that parses its flags, and what runs once they are parsed.
// main.cc registers each one; later commands (convert, bench, filters) add a file each.
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

}  // namespace pixflow::cli
