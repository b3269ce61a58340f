// Parsing and printing "fmt[k=v,...]" encode specs, and --background colours.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "output_formats.h"
#include "pixflow/io/encoder.h"

namespace pixflow::io {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// Adds one "k=v" or bare "k" to `spec`.
Status AddOption(const internal::OutputFormat& format, std::string_view item, EncodeSpec& spec) {
  const size_t equals = item.find('=');
  const std::string_view key = Trim(item.substr(0, equals));
  const bool bare = equals == std::string_view::npos;
  const std::string_view value = bare ? std::string_view("true") : Trim(item.substr(equals + 1));
  if (key.empty()) {
    return InvalidArgument(std::string(format.name) + ": an option has no name ('" +
                           std::string(item) + "')");
  }
  const bool duplicate = (key == "Q" && spec.quality != 0) ||
                         std::any_of(spec.options.begin(), spec.options.end(),
                                     [&](const EncodeOption& option) { return option.key == key; });
  if (duplicate) {
    return InvalidArgument(std::string(format.name) + ": option '" + std::string(key) +
                           "' is given twice");
  }
  const internal::EncodeKey* entry = internal::FindKey(format, key);
  if (bare && entry != nullptr && entry->kind != internal::KeyKind::kBool) {
    return InvalidArgument(std::string(format.name) + ": option '" + std::string(key) +
                           "' needs a value (" + std::string(key) + "=...)");
  }
  PIXFLOW_ASSIGN_OR_RETURN(std::string canonical, internal::ValidateKey(format, key, value));
  if (key == "Q") {
    spec.quality = std::stoi(canonical);
  } else {
    spec.options.push_back({std::string(key), std::move(canonical)});
  }
  return Status::Ok();
}

}  // namespace

Result<EncodeSpec> ParseEncodeSpec(std::string_view text) {
  text = Trim(text);
  const size_t open = text.find('[');
  const std::string_view name = Trim(text.substr(0, open));
  const internal::OutputFormat* format = internal::FindOutputFormat(name);
  if (format == nullptr) return internal::UnknownFormat(name);
  EncodeSpec spec;
  spec.format = std::string(format->name);
  if (open == std::string_view::npos) return spec;
  if (text.back() != ']' || text.find('[', open + 1) != std::string_view::npos ||
      text.find(']') != text.size() - 1) {
    return InvalidArgument(std::string("'").append(text) +
                           "': options go in one pair of brackets at the end, e.g. jpg[Q=85]");
  }
  std::string_view list = text.substr(open + 1, text.size() - open - 2);
  while (!Trim(list).empty()) {
    const size_t comma = list.find(',');
    PIXFLOW_RETURN_IF_ERROR(AddOption(*format, list.substr(0, comma), spec));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return spec;
}

std::string FormatEncodeSpec(const EncodeSpec& spec) {
  std::string text;
  if (spec.quality > 0) text += "Q=" + std::to_string(spec.quality);
  for (const EncodeOption& option : spec.options) {
    if (!text.empty()) text += ',';
    text.append(option.key).append("=").append(option.value);
  }
  return text.empty() ? spec.format : spec.format + "[" + text + "]";
}

Result<std::string> DescribeEncodeKeys(std::string_view format) {
  const internal::OutputFormat* found = internal::FindOutputFormat(format);
  if (found == nullptr) return internal::UnknownFormat(format);
  return internal::DescribeKeys(*found);
}

std::vector<std::string> EncodeFormats() {
  std::vector<std::string> names;
  for (const internal::OutputFormat& format : internal::OutputFormats()) {
    names.emplace_back(format.name);
  }
  return names;
}

Result<std::string> SuffixForFormat(const std::string& format) {
  const internal::OutputFormat* found = internal::FindOutputFormat(format);
  if (found == nullptr) return internal::UnknownFormat(format);
  return std::string(found->suffix);
}

Result<std::array<uint8_t, 3>> ParseBackground(std::string_view text) {
  const std::string_view original = text;
  auto bad = [&] {
    return InvalidArgument(std::string("--background: '").append(original) +
                           "' is not a colour (white, black, #rrggbb, #rgb, r,g,b or 0-255)");
  };
  text = Trim(text);
  if (text == "white") return std::array<uint8_t, 3>{255, 255, 255};
  if (text == "black") return std::array<uint8_t, 3>{0, 0, 0};
  std::array<int, 3> channels{};
  if (!text.empty() && text.front() == '#') {
    const std::string_view hex = text.substr(1);
    if (hex.size() != 3 && hex.size() != 6) return bad();
    const size_t digits = hex.size() / 3;
    for (size_t c = 0; c < 3; ++c) {
      const std::string_view part = hex.substr(c * digits, digits);
      const auto [end, error] =
          std::from_chars(part.data(), part.data() + part.size(), channels[c], 16);
      if (error != std::errc() || end != part.data() + part.size()) return bad();
      if (digits == 1) channels[c] *= 17;  // #abc is #aabbcc
    }
  } else {
    size_t count = 0;
    while (true) {
      const size_t comma = text.find(',');
      const std::string_view part = Trim(text.substr(0, comma));
      if (count == 3) return bad();
      const auto [end, error] =
          std::from_chars(part.data(), part.data() + part.size(), channels[count]);
      if (part.empty() || error != std::errc() || end != part.data() + part.size() ||
          channels[count] < 0 || channels[count] > 255) {
        return bad();
      }
      ++count;
      if (comma == std::string_view::npos) break;
      text = text.substr(comma + 1);
    }
    if (count == 1) channels = {channels[0], channels[0], channels[0]};
    if (count == 2) return bad();
  }
  return std::array<uint8_t, 3>{static_cast<uint8_t>(channels[0]),
                                static_cast<uint8_t>(channels[1]),
                                static_cast<uint8_t>(channels[2])};
}

}  // namespace pixflow::io
