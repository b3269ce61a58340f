// `pixflow filters`: every op `pixflow convert` accepts, with its argument, plus the resize
// kernels and the output formats with their keys. Printed from the same tables the parsers use,
// so the listing cannot drift from what is accepted.
#include <fmt/core.h>

#include <algorithm>
#include <string>

#include "command.h"
#include "pixflow/filters/resize.h"
#include "pixflow/io/encoder.h"
#include "pixflow/pipeline/ops.h"

namespace pixflow::cli {
namespace {

int RunFilters() {
  fmt::print("Ops (pixflow convert applies them in command-line order):\n");
  size_t width = 0;
  for (const pipeline::OpInfo& op : pipeline::ListOps()) {
    width = std::max(width, op.name.size() + op.argument.size() + 3);
  }
  for (const pipeline::OpInfo& op : pipeline::ListOps()) {
    std::string usage = "--" + op.name;
    if (!op.argument.empty()) usage.append(" ").append(op.argument);
    fmt::print("  {:<{}}  {}\n", usage, width, op.description);
  }
  fmt::print("\nResize kernels (--kernel):");
  for (const ResizeKernel kernel :
       {ResizeKernel::kNearest, ResizeKernel::kBilinear, ResizeKernel::kBicubic,
        ResizeKernel::kLanczos3, ResizeKernel::kArea}) {
    fmt::print(" {}", ResizeKernelName(kernel));
  }
  fmt::print("\n\nOutput formats (--format FMT[k=v,...]):\n");
  for (const std::string& format : io::EncodeFormats()) {
    const Result<std::string> keys = io::DescribeEncodeKeys(format);
    const Status available = io::CheckEncoderAvailable(format);
    fmt::print("  {:<5} {}{}\n", format, keys.ok() ? *keys : keys.status().message(),
               available.ok() ? "" : "  [not available: " + available.message() + "]");
  }
  return kExitOk;
}

}  // namespace

Command AddFiltersCommand(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand(
      "filters", "List every op of `pixflow convert` with its parameters, and the output formats");
  return {app, [] { return RunFilters(); }};
}

}  // namespace pixflow::cli
