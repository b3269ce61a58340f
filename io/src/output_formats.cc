#include "output_formats.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace pixflow::io::internal {
namespace {

using enum KeyKind;

constexpr EncodeKey Int(std::string_view key, std::string_view property, int min, int max) {
  return {key, property, kInt, static_cast<double>(min), static_cast<double>(max), {}};
}
constexpr EncodeKey Real(std::string_view key, std::string_view property, double min, double max) {
  return {key, property, kDouble, min, max, {}};
}
constexpr EncodeKey Bool(std::string_view key, std::string_view property) {
  return {key, property, kBool, 0, 0, {}};
}
constexpr EncodeKey Choice(std::string_view key, std::string_view property,
                           std::string_view choices) {
  return {key, property, kChoice, 0, 0, choices};
}

// Ranges are libvips 8.14's own, so a value that passes here is one the saver accepts.
constexpr EncodeKey kJpegKeys[] = {
    Int("Q", "Q", 1, 100),
    Bool("progressive", "interlace"),
    Bool("optimize", "optimize-coding"),
    Choice("subsample", "subsample-mode", "auto|on|off"),
    // Smaller progressive files with a mozjpeg-built libvips; libjpeg-turbo (Debian's) ignores
    // it, and EncodeWithWarnings says so ("ignoring optimize_scans").
    Bool("optimize_scans", "optimize-scans"),
};
constexpr EncodeKey kPngKeys[] = {
    Int("compression", "compression", 0, 9),
    Bool("interlace", "interlace"),
    Bool("palette", "palette"),
    Int("Q", "Q", 1, 100),  // with palette: the quantiser's quality
    Int("effort", "effort", 1, 10),
};
constexpr EncodeKey kWebpKeys[] = {
    Int("Q", "Q", 1, 100),
    Bool("lossless", "lossless"),
    Bool("near_lossless", "near-lossless"),
    Int("alpha_q", "alpha-q", 0, 100),
    Int("effort", "effort", 0, 6),
    Bool("smart_subsample", "smart-subsample"),
};
constexpr EncodeKey kTiffKeys[] = {
    Choice("compression", "compression", "none|lzw|deflate|zstd|packbits|jpeg|webp"),
    Int("Q", "Q", 1, 100),  // for jpeg and webp compression
    Choice("predictor", "predictor", "none|horizontal"),
    Bool("tile", "tile"),
    Bool("pyramid", "pyramid"),
};
constexpr EncodeKey kGifKeys[] = {
    Int("effort", "effort", 1, 10),
    Real("dither", "dither", 0, 1),
    Int("bitdepth", "bitdepth", 1, 8),
    Bool("interlace", "interlace"),
};
constexpr EncodeKey kPnmKeys[] = {
    Bool("ascii", "ascii"),
};
constexpr EncodeKey kHeifKeys[] = {
    Int("Q", "Q", 1, 100),
    Bool("lossless", "lossless"),
    Int("effort", "effort", 0, 9),
    Choice("subsample", "subsample-mode", "auto|on|off"),
};
constexpr EncodeKey kJxlKeys[] = {
    Int("Q", "Q", 1, 100),
    Bool("lossless", "lossless"),
    Int("effort", "effort", 1, 9),
    Real("distance", "distance", 0, 15),
};

// bitdepth=8: heifsave's default is 12 bits, which would make 8-bit sources larger and slower.
constexpr OutputFormat kFormats[] = {
    {"jpg", "jpeg|jpe", "jpegsave_target", ".jpg", false, kJpegKeys, ""},
    {"png", "", "pngsave_target", ".png", true, kPngKeys, ""},
    {"webp", "", "webpsave_target", ".webp", true, kWebpKeys, ""},
    {"tif", "tiff", "tiffsave_target", ".tif", true, kTiffKeys, ""},
    {"gif", "", "gifsave_target", ".gif", true, kGifKeys, ""},
    {"pnm", "ppm|pgm", "ppmsave_target", ".pnm", false, kPnmKeys, ""},
    {"avif", "", "heifsave_target", ".avif", true, kHeifKeys, "compression=av1|bitdepth=8"},
    {"heif", "heic", "heifsave_target", ".heic", true, kHeifKeys, "compression=hevc|bitdepth=8"},
    {"jxl", "", "jxlsave_target", ".jxl", true, kJxlKeys, ""},
};

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool InList(std::string_view list, std::string_view item) {
  while (!list.empty()) {
    const size_t bar = list.find('|');
    if (list.substr(0, bar) == item) return true;
    list = bar == std::string_view::npos ? std::string_view() : list.substr(bar + 1);
  }
  return false;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

std::string Range(const EncodeKey& key) {
  switch (key.kind) {
    case kInt:
    case kDouble: return Number(key.min) + "-" + Number(key.max);
    case kBool: return "bool";
    case kChoice: return std::string(key.choices);
  }
  return "";
}

Result<std::string> CheckNumber(const OutputFormat& format, const EncodeKey& key,
                                std::string_view value) {
  double number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  const bool integral = key.kind != kInt || number == std::floor(number);
  if (error != std::errc() || end != value.data() + value.size() || !integral || number < key.min ||
      number > key.max) {
    return InvalidArgument(std::string(format.name) + ": " + std::string(key.key) + "=" +
                           std::string(value) + " is out of range (" + Range(key) + ")");
  }
  return key.kind == kInt ? std::to_string(static_cast<long>(number)) : Number(number);
}

}  // namespace

std::span<const OutputFormat> OutputFormats() { return kFormats; }

const OutputFormat* FindOutputFormat(std::string_view name) {
  const std::string lower = Lower(name);
  for (const OutputFormat& format : kFormats) {
    if (format.name == lower || InList(format.aliases, lower)) return &format;
  }
  return nullptr;
}

Status UnknownFormat(std::string_view name) {
  std::string known;
  for (const OutputFormat& format : kFormats) {
    if (!known.empty()) known += ", ";
    known += format.name;
  }
  return InvalidArgument("unknown output format '" + std::string(name) + "' (known: " + known +
                         ")");
}

const EncodeKey* FindKey(const OutputFormat& format, std::string_view key) {
  for (const EncodeKey& entry : format.keys) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

Result<std::string> ValidateKey(const OutputFormat& format, std::string_view key,
                                std::string_view value) {
  const EncodeKey* found = FindKey(format, key);
  if (found == nullptr) {
    return InvalidArgument(std::string(format.name) + ": unknown option '" + std::string(key) +
                           "' (" + std::string(format.name) + " takes " + DescribeKeys(format) +
                           ")");
  }
  switch (found->kind) {
    case kInt:
    case kDouble: return CheckNumber(format, *found, value);
    case kBool: {
      const std::string lower = Lower(value);
      if (InList("true|1|yes|on", lower)) return std::string("true");
      if (InList("false|0|no|off", lower)) return std::string("false");
      return InvalidArgument(std::string(format.name) + ": " + std::string(key) + "=" +
                             std::string(value) + " is not a boolean (true or false)");
    }
    case kChoice:
      if (InList(found->choices, value)) return std::string(value);
      return InvalidArgument(std::string(format.name) + ": " + std::string(key) + "=" +
                             std::string(value) + " is not one of " + std::string(found->choices));
  }
  return Status(StatusCode::kInternal, "encode key with no kind");
}

std::string DescribeKeys(const OutputFormat& format) {
  if (format.keys.empty()) return "no options";
  std::string text;
  for (const EncodeKey& key : format.keys) {
    if (!text.empty()) text += ", ";
    text.append(key.key).append(" (").append(Range(key)).append(")");
  }
  return text;
}

}  // namespace pixflow::io::internal
