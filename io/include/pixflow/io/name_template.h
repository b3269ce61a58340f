// Output names from a template (--name): `{dir}/{name}.{ext}` by default, where
//   {name}     the input's file name without its extension ("IMG_0042")
//   {ext}      the output format's extension, without the dot ("webp")
//   {dir}      the input's folder relative to its input folder ("2024/summer"; empty at the top)
//   {width}    the output's width in pixels
//   {height}   the output's height in pixels
//   {variant}  the fan-out label of this output ("320w"); empty when there is one output
// "{{" and "}}" are literal braces. A rendered name is relative to the output folder: empty
// path segments collapse (so an empty {dir} leaves no leading '/'), and it may not climb out.
// A parsed template is an immutable value: render it from any number of threads.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pixflow/filters/status.h"

namespace pixflow::io {

inline constexpr std::string_view kDefaultNameTemplate = "{dir}/{name}.{ext}";

struct NameFields {
  std::filesystem::path relative;  // the input's path under its input folder: {dir} and {name}
  std::string ext;                 // {ext}
  int width = 0;                   // {width}
  int height = 0;                  // {height}
  std::string variant;             // {variant}
};

class NameTemplate {
 public:
  // Checks the fields and the shape: kInvalidArgument for an unknown field, an
  // unmatched brace, or an absolute template.
  static Result<NameTemplate> Parse(std::string_view text);

  // The output path, relative to the output folder. kInvalidArgument when it renders empty or
  // would leave the output folder ("..").
  Result<std::filesystem::path> Render(const NameFields& fields) const;

  const std::string& text() const { return text_; }
  // Whether the name depends on the decoded size: such names are known only after decoding.
  bool uses_size() const { return uses_size_; }

 private:
  enum class Field { kLiteral, kName, kExt, kDir, kWidth, kHeight, kVariant };
  struct Piece {
    Field field;
    std::string literal;  // for kLiteral
  };

  std::string text_;
  std::vector<Piece> pieces_;
  bool uses_size_ = false;
};

// Parse and Render in one call.
Result<std::filesystem::path> RenderName(std::string_view name_template, const NameFields& fields);

}  // namespace pixflow::io
