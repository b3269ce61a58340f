// The output formats pixflow writes and the keys each accepts: one table, read by the spec
// parser (to validate) and the encoder (to translate keys to libvips saver properties).
// Private to pixflow::io.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "pixflow/filters/status.h"

namespace pixflow::io::internal {

enum class KeyKind { kInt, kDouble, kBool, kChoice };

struct EncodeKey {
  std::string_view key;       // as users write it
  std::string_view property;  // the libvips saver property it sets
  KeyKind kind;
  double min = 0;  // kInt, kDouble
  double max = 0;
  std::string_view choices;  // kChoice: "none|lzw|deflate"
};

struct OutputFormat {
  std::string_view name;     // canonical: "jpg"
  std::string_view aliases;  // "jpeg|jpe"
  std::string_view saver;    // "jpegsave_target"
  std::string_view suffix;   // ".jpg"
  bool has_alpha;            // false: alpha is flattened onto the background first
  std::span<const EncodeKey> keys;
  // Properties this format always sets, "name=value" separated by '|' ("compression=av1").
  std::string_view fixed;
};

std::span<const OutputFormat> OutputFormats();
// By canonical name or alias, case-insensitive; nullptr if unknown.
const OutputFormat* FindOutputFormat(std::string_view name);
// kInvalidArgument naming the format and listing every known one.
Status UnknownFormat(std::string_view name);
// The key's entry in `format`'s table, or nullptr.
const EncodeKey* FindKey(const OutputFormat& format, std::string_view key);
// Checks one key=value for `format`; on success returns the canonical value text.
Result<std::string> ValidateKey(const OutputFormat& format, std::string_view key,
                                std::string_view value);
// "Q (1-100), progressive (bool), ..." for `format`.
std::string DescribeKeys(const OutputFormat& format);

}  // namespace pixflow::io::internal
