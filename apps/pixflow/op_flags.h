// The op flags (--resize, --blur, ...) of `pixflow convert` and of each --variant: one CLI11
// option per entry of pipeline::ListOps(), read back in command-line order.
#pragma once

#include <CLI/CLI.hpp>
#include <vector>

#include "pixflow/pipeline/ops.h"

namespace pixflow::cli {

// Adds every op as a repeatable option (or flag, for ops without a value) in group "Ops".
void AddOpFlags(CLI::App& app);

// The ops given on `app`'s command line, in the order given (repeats included).
std::vector<pipeline::OpText> OpsInOrder(const CLI::App& app);

}  // namespace pixflow::cli
