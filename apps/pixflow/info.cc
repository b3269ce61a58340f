// `pixflow info FILE...`: what each file's header says, read without decoding a pixel, and
// whether the file passes the limits a conversion would apply. --json for scripts.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.h"
#include "pixflow/io/image_info.h"

namespace pixflow::cli {
namespace {

struct InfoFlags {
  std::vector<std::string> files;
  bool json = false;
  io::DecodeLimits limits;
};

std::string Describe(const io::ImageInfo& info, const Status& verdict) {
  std::string size = fmt::format("{}x{}", info.width, info.height);
  if (info.orientation >= 5) {
    size += fmt::format(" (displayed {}x{})", info.displayed_width(), info.displayed_height());
  }
  return fmt::format("{}{}, {}, {} band{}{}, {}-bit, {}, orientation {}, {}, {} frame{}, limits {}",
                     info.format, info.trusted ? "" : " (untrusted)", size, info.bands,
                     info.bands == 1 ? "" : "s", info.has_alpha ? " with alpha" : "",
                     info.bit_depth, info.color_space, info.orientation,
                     info.has_icc ? "ICC profile" : "no ICC profile", info.frames,
                     info.frames == 1 ? "" : "s", verdict.ok() ? "ok" : "exceeded");
}

nlohmann::ordered_json ToJson(const std::string& file, const io::ImageInfo& info,
                              const Status& verdict) {
  return {{"file", file},
          {"format", info.format},
          {"loader", info.loader},
          {"trusted", info.trusted},
          {"width", info.width},
          {"height", info.height},
          {"displayed_width", info.displayed_width()},
          {"displayed_height", info.displayed_height()},
          {"bands", info.bands},
          {"bit_depth", info.bit_depth},
          {"color_space", info.color_space},
          {"orientation", info.orientation},
          {"icc", info.has_icc},
          {"alpha", info.has_alpha},
          {"frames", info.frames},
          {"within_limits", verdict.ok()},
          {"limits", verdict.ok() ? "ok" : verdict.message()}};
}

int RunInfo(const InfoFlags& flags) {
  // Keys keep the order written here, the order a reader expects.
  nlohmann::ordered_json report = nlohmann::ordered_json::array();
  int unreadable = 0;
  for (const std::string& file : flags.files) {
    const Result<io::ImageInfo> info = io::ReadInfo(file, flags.limits);
    if (!info.ok()) {
      ++unreadable;
      fmt::print(stderr, "pixflow info: {}\n", info.status().message());
      if (flags.json) {
        report.push_back({{"file", file},
                          {"error", info.status().message()},
                          {"code", StatusCodeName(info.status().code())}});
      }
      continue;
    }
    const Status verdict = io::CheckLimits(*info, flags.limits, file);
    if (flags.json) {
      report.push_back(ToJson(file, *info, verdict));
    } else {
      fmt::print("{}: {}\n", file, Describe(*info, verdict));
      if (!verdict.ok()) fmt::print("  {}\n", verdict.message());
    }
  }
  if (flags.json) fmt::print("{}\n", report.dump(2));
  return unreadable == 0 ? kExitOk : kExitSomeFailed;
}

}  // namespace

Command AddInfoCommand(CLI::App& parent) {
  auto flags = std::make_shared<InfoFlags>();
  CLI::App* app = parent.add_subcommand(
      "info",
      "Print each file's format, size, bands, bit depth, colour space, orientation, "
      "ICC profile, frames and limits verdict, from its header");
  app->add_option("files", flags->files, "Image files")->required();
  app->add_flag("--json", flags->json, "Print one JSON array, an object per file");
  app->add_option("--max-pixels", flags->limits.max_pixels,
                  "Pixel limit the verdict is checked against (0: none)")
      ->capture_default_str();
  app->add_flag("--allow-untrusted", flags->limits.allow_untrusted,
                "Also read formats whose loaders are unsafe on untrusted files (SVG, PDF, ...)");
  return {app, [flags] { return RunInfo(*flags); }};
}

}  // namespace pixflow::cli
