// pixflow: the command-line tool. Parses the subcommand and its flags, then runs it.
//   pixflow convert INPUT... -o OUTDIR [ops...]
//   pixflow info FILE...
//   pixflow filters
//   pixflow bench [--quick] [--out DIR] ...
//   pixflow report merge REPORT...
// Exit: 0 ok, 1 some inputs failed, 2 usage error.
#include <malloc.h>
#include <oneapi/tbb/version.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "command.h"
#include "pixflow/filters/simd_target.h"

namespace {

// What `pixflow --version` prints (and the man page's VERSION section): enough to reproduce a
// benchmark or a bug report. libvips is the version pixflow was compiled against (only
// pixflow::io includes libvips); the SIMD target is the one Highway picked for this CPU now.
std::string VersionText() {
  std::string text = "pixflow " PIXFLOW_VERSION "\n";
  text.append("libvips ").append(PIXFLOW_VIPS_VERSION).append(" (built against)\n");
  // OpenCV is only the tests' reference and the benchmarks' peer; the CLI does not link it.
  text.append("OpenCV not linked\n");
  text.append("oneTBB ").append(TBB_runtime_version()).append("\n");
  text.append("Highway ").append(pixflow::HighwayVersion()).append("\n");
  text.append("SIMD target ").append(pixflow::SimdTargetName()).append(" (chosen at run time)");
  return text;
}

// Examples under each command's --help (CLI11 footers), keyed by command name.
const char* ExamplesFor(const std::string& command) {
  if (command == "convert") {
    return "Examples:\n"
           "  pixflow convert photos/ -o thumbs/ --resize 320x --format 'webp[Q=80]'\n"
           "  pixflow convert a.jpg b.png -o out/ --resize '800x600>' --sharpen 0.8 --grayscale\n"
           "  pixflow convert photos/ -o out/ --mode processes --workers 4 --report run.json\n"
           "  pixflow convert photos/ -o out/ --shard 2/8 --name '{dir}/{name}_{width}.{ext}'";
  }
  if (command == "info") {
    return "Examples:\n"
           "  pixflow info photo.jpg\n"
           "  pixflow info --json photos/*.jpg";
  }
  if (command == "filters") return "Example:\n  pixflow filters";
  if (command == "bench") {
    return "Examples:\n"
           "  pixflow bench --quick --out bench/\n"
           "  pixflow bench --workloads thumbnail,cpu --strategies threads,processes --repeat 3";
  }
  if (command == "report") {
    return "Example:\n"
           "  pixflow report merge shard-*.json -o run.json";
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  // glibc's heap, tuned for a batch (docs/benchmarks/convert.md). Set before any thread starts.
  // Image buffers of 1 MiB and up (AllocateAligned) and every file's bytes (io::FileBytes) are
  // pixflow's own mappings, so the heap holds libvips' strip buffers and small images. Fixed
  // thresholds keep those in the heap and its pages resident between images: with glibc's
  // sliding default, libvips' strip buffers were mapped and zeroed afresh for every request, and
  // faulting their pages in was a tenth of a large-photo run on a virtual machine.
  // Arenas stay glibc's (one per thread that finds the others busy). A single arena kept the
  // peak of 2,000 images within 5% of 100 images' instead of 6%, but at -j 2 the CPU-heavy chain
  // ran 6% slower: its threads shared the arena's lock, taken for every libvips strip buffer,
  // and its memory.
  mallopt(M_MMAP_THRESHOLD, 2 << 20);
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
  CLI::App app{"pixflow: batch image processing", "pixflow"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Every command's help");
  app.set_version_flag("--version", VersionText, "Print the versions of pixflow and its libraries");
  app.footer(
      "Examples:\n"
      "  pixflow convert photos/ -o thumbs/ --resize 320x --format 'webp[Q=80]'\n"
      "  pixflow convert photos/ -o out/ --mode processes --workers 4 --report run.json\n"
      "  pixflow convert photos/ -o out/ --shard 2/8    # the 2nd of 8 independent launches\n"
      "  pixflow info photo.jpg\n"
      "  pixflow filters\n"
      "  pixflow bench --quick --out bench/\n"
      "Each command's flags and examples: pixflow COMMAND --help. Exit status: 0 ok, 1 some "
      "inputs failed, 2 usage error.");
  const std::vector<pixflow::cli::Command> commands = {
      pixflow::cli::AddConvertCommand(app), pixflow::cli::AddInfoCommand(app),
      pixflow::cli::AddFiltersCommand(app), pixflow::cli::AddBenchCommand(app),
      pixflow::cli::AddReportCommand(app)};
  // Subcommands inherit the parent's footer when created; give each level its own examples.
  for (const pixflow::cli::Command& command : commands) {
    const char* examples = ExamplesFor(command.app->get_name());
    command.app->footer(examples);
    for (CLI::App* nested : command.app->get_subcommands({})) nested->footer(examples);
  }
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
