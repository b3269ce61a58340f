#include "op_flags.h"

#include <map>
#include <string>

namespace pixflow::cli {
namespace {

// Ops are told apart from the command's other options by this group name.
constexpr const char* kOpGroup = "Ops (applied in command-line order)";

}  // namespace

void AddOpFlags(CLI::App& app) {
  for (const pipeline::OpInfo& op : pipeline::ListOps()) {
    const std::string flag = "--" + op.name;
    if (op.argument.empty()) {
      app.add_flag(flag, op.description)->group(kOpGroup);
    } else {
      app.add_option(flag, op.description)
          ->type_name(op.argument)
          ->expected(1)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
          ->group(kOpGroup);
    }
  }
}

std::vector<pipeline::OpText> OpsInOrder(const CLI::App& app) {
  std::vector<pipeline::OpText> ops;
  std::map<const CLI::Option*, size_t> used;  // values taken so far from each option
  for (const CLI::Option* option : app.parse_order()) {
    if (option->get_group() != kOpGroup) continue;
    pipeline::OpText op{option->get_lnames().front(), ""};
    const std::vector<std::string>& values = option->results();
    // A flag (expects no value) still records a result per use in CLI11; it is not an argument.
    if (option->get_expected_max() != 0) {
      const size_t index = used[option]++;
      if (index < values.size()) op.argument = values[index];
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

}  // namespace pixflow::cli
