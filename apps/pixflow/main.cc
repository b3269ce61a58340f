// pixflow: the command-line tool. Parses the subcommand and its flags, then runs it.
//   pixflow convert INPUT... -o OUTDIR [ops...]
//   pixflow info FILE...
//   pixflow filters
//   pixflow bench [--quick] [--out DIR] ...
//   pixflow report merge REPORT...
// Exit: 0 ok, 1 some inputs failed, 2 usage error.
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <vector>

#include "command.h"

int main(int argc, char** argv) {
  // glibc gives each thread that allocates its own arena (up to 8 per core), and every arena
  // keeps freed image buffers for reuse, so peak memory crept up with the number of images as
  // more arenas each held a few. Two arenas keep it flat: peak RSS for 2,000 small images
  // vs 100 went from +26% to +3% (docs/benchmarks/convert.md). Set before any thread starts.
  mallopt(M_ARENA_MAX, 2);
  CLI::App app{"pixflow: batch image processing", "pixflow"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Every command's help");
  const std::vector<pixflow::cli::Command> commands = {
      pixflow::cli::AddConvertCommand(app), pixflow::cli::AddInfoCommand(app),
      pixflow::cli::AddFiltersCommand(app), pixflow::cli::AddBenchCommand(app),
      pixflow::cli::AddReportCommand(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help is a "parse error" with exit code 0; anything else is a usage error.
    const int printed = app.exit(error);
    return printed == 0 ? pixflow::cli::kExitOk : pixflow::cli::kExitUsage;
  }
  for (const pixflow::cli::Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return pixflow::cli::kExitUsage;
}
