#include "pixflow/io/name_template.h"

#include <algorithm>
#include <array>
#include <utility>

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

}  // namespace

Result<NameTemplate> NameTemplate::Parse(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, Field>, 6> kFields = {{
      {"name", Field::kName},
      {"ext", Field::kExt},
      {"dir", Field::kDir},
      {"width", Field::kWidth},
      {"height", Field::kHeight},
      {"variant", Field::kVariant},
  }};
  auto error = [&](const std::string& why) {
    return InvalidArgument("--name '" + std::string(text) + "': " + why);
  };
  NameTemplate result;
  result.text_ = std::string(text);
  std::string literal;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;  // "{{" or "}}"
      ++i;
      continue;
    }
    if (c == '}') return error("unmatched '}' (write '}}' for a literal brace)");
    if (c != '{') {
      literal += c;
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == std::string_view::npos) {
      return error("unmatched '{' (write '{{' for a literal brace)");
    }
    const std::string_view name = text.substr(i + 1, close - i - 1);
    const auto found = std::find_if(kFields.begin(), kFields.end(),
                                    [&](const auto& field) { return field.first == name; });
    if (found == kFields.end()) {
      return error("unknown field {" + std::string(name) +
                   "} (known: {name}, {ext}, {dir}, {width}, {height}, {variant})");
    }
    if (!literal.empty()) result.pieces_.push_back({Field::kLiteral, std::exchange(literal, {})});
    result.pieces_.push_back({found->second, {}});
    result.uses_size_ |= found->second == Field::kWidth || found->second == Field::kHeight;
    i = close;
  }
  if (!literal.empty()) result.pieces_.push_back({Field::kLiteral, std::move(literal)});
  if (!text.empty() && text.front() == '/') {
    return error("names are relative to the output folder; it may not start with '/'");
  }
  if (result.pieces_.empty()) return error("empty");
  return result;
}

Result<fs::path> NameTemplate::Render(const NameFields& fields) const {
  std::string rendered;
  for (const Piece& piece : pieces_) {
    switch (piece.field) {
      case Field::kLiteral: rendered += piece.literal; break;
      case Field::kName: rendered += fields.relative.stem().string(); break;
      case Field::kExt: rendered += fields.ext; break;
      case Field::kDir: rendered += fields.relative.parent_path().string(); break;
      case Field::kWidth: rendered += std::to_string(fields.width); break;
      case Field::kHeight: rendered += std::to_string(fields.height); break;
      case Field::kVariant: rendered += fields.variant; break;
    }
  }
  // Rebuild from the non-empty segments: "/a.jpg" (empty {dir}) is "a.jpg", "x//y" is "x/y".
  fs::path path;
  for (const fs::path& segment : fs::path(rendered)) {
    const std::string text = segment.string();
    if (text.empty() || text == "/" || text == ".") continue;
    if (text == "..") {
      return InvalidArgument("--name '" + text_ + "' renders '" + rendered +
                             "', which leaves the output folder");
    }
    path /= segment;
  }
  if (path.empty() || rendered.back() == '/') {
    return InvalidArgument("--name '" + text_ + "' renders '" + rendered +
                           "', which is not a file name");
  }
  return path;
}

Result<fs::path> RenderName(std::string_view name_template, const NameFields& fields) {
  PIXFLOW_ASSIGN_OR_RETURN(NameTemplate parsed, NameTemplate::Parse(name_template));
  return parsed.Render(fields);
}

}  // namespace pixflow::io
