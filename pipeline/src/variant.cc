// `--variant 'LABEL:OPTIONS'`: parsed here rather than by the CLI's flag library, so that the
// text users hand over is checked by code the fuzzers reach (tests/fuzz/variant_fuzzer.cc) and
// the rules are one page: words split as a shell would, ops from the same table as the command
// line's, --format and --name at most once each.
#include <algorithm>
#include <cctype>
#include <optional>

#include "pixflow/pipeline/convert.h"

namespace pixflow::pipeline {
namespace {

bool ValidLabel(std::string_view label) {
  return !label.empty() && std::all_of(label.begin(), label.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

// Splits on unquoted whitespace; 'single' and "double" quotes group and are removed, as in a
// shell (no escapes, no expansion). An unclosed quote is an error, not a silent guess.
Result<std::vector<std::string>> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (const char c : text) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word.push_back(c);
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word.push_back(c);
      in_word = true;
    }
  }
  if (quote != 0) return InvalidArgument(std::string("unclosed ") + quote + " quote");
  if (in_word) words.push_back(std::move(word));
  return words;
}

const OpInfo* FindOp(std::string_view name) {
  const std::vector<OpInfo>& ops = ListOps();
  const auto found =
      std::find_if(ops.begin(), ops.end(), [&](const OpInfo& op) { return op.name == name; });
  return found == ops.end() ? nullptr : &*found;
}

// The words after the colon: ops in order, and the variant's own --format and --name.
struct VariantWords {
  std::vector<OpText> ops;
  std::optional<std::string> format;
  std::optional<std::string> name;
};

Result<VariantWords> ReadWords(const std::vector<std::string>& words) {
  VariantWords out;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word.size() < 3 || word.compare(0, 2, "--") != 0) {
      return InvalidArgument("unexpected '" + word + "' (options start with --)");
    }
    const size_t equals = word.find('=');
    const std::string flag = word.substr(2, equals == std::string::npos ? equals : equals - 2);
    const OpInfo* op = FindOp(flag);
    const bool takes_value = flag == "format" || flag == "name" || (op && !op->argument.empty());
    if (!takes_value && !op) return InvalidArgument("unknown option --" + flag);
    std::string value;
    if (equals != std::string::npos) {
      if (!takes_value) return InvalidArgument("--" + flag + " takes no value");
      value = word.substr(equals + 1);
    } else if (takes_value) {
      // A value may start with '-' (--brightness -10), but not with "--": that is the next flag.
      if (i + 1 == words.size() || words[i + 1].compare(0, 2, "--") == 0) {
        return InvalidArgument("--" + flag + " needs a value");
      }
      value = words[++i];
    }
    std::optional<std::string>* single = flag == "format" ? &out.format
                                         : flag == "name" ? &out.name
                                                          : nullptr;
    if (single == nullptr) {
      out.ops.push_back({flag, std::move(value)});
    } else if (single->has_value()) {
      return InvalidArgument("--" + flag + " is given twice");
    } else {
      *single = std::move(value);
    }
  }
  return out;
}

}  // namespace

Result<Variant> ParseVariant(std::string_view text, const VariantDefaults& defaults) {
  std::string context = "--variant '";
  context.append(text).append("'");
  const size_t colon = text.find(':');
  Variant variant;
  variant.label = std::string(text.substr(0, colon));
  if (colon == std::string_view::npos || !ValidLabel(variant.label)) {
    return InvalidArgument(context +
                           ": expected LABEL:OPTIONS, e.g. 'w320:--resize 320x --format webp' "
                           "(LABEL: letters, digits, '-', '_', '.')");
  }
  Result<std::vector<std::string>> split = SplitWords(text.substr(colon + 1));
  if (!split.ok()) return split.status().WithContext(context);
  Result<VariantWords> words = ReadWords(*split);
  if (!words.ok()) return words.status().WithContext(context);

  Result<OpList> ops = OpList::Parse(words->ops, defaults.kernel);
  if (!ops.ok()) return ops.status().WithContext(context);
  variant.ops = std::move(*ops);
  Result<io::EncodeSpec> format = io::ParseEncodeSpec(words->format.value_or(defaults.format));
  if (!format.ok()) return format.status().WithContext(context);
  variant.format = std::move(*format);
  Result<io::NameTemplate> name = io::NameTemplate::Parse(words->name.value_or(defaults.name));
  if (!name.ok()) return name.status().WithContext(context);
  variant.name = std::move(*name);
  return variant;
}

}  // namespace pixflow::pipeline
