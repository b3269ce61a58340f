#include "convert_flags.h"

#include <fmt/core.h>

#include <set>

#include "op_flags.h"
#include "pixflow/io/encoder.h"
#include "pixflow/io/name_template.h"

namespace pixflow::cli {
namespace {

// With several variants the default name keeps them apart: photo-w320.webp, photo-w1280.jpg.
constexpr std::string_view kDefaultVariantName = "{dir}/{name}-{variant}.{ext}";

Result<pipeline::OpList> ParseOps(const CLI::App& app, ResizeKernel kernel) {
  return pipeline::OpList::Parse(OpsInOrder(app), kernel);
}

// --background, when given, is the colour every output format flattens alpha onto.
Status ApplyBackground(const std::string& background, io::EncodeSpec& spec) {
  if (background.empty()) return Status::Ok();
  Result<std::array<uint8_t, 3>> colour = io::ParseBackground(background);
  if (!colour.ok()) return colour.status().WithContext("--background");
  spec.background = *colour;
  return Status::Ok();
}

Result<io::EncodeSpec> ParseFormat(const std::string& text, const std::string& background) {
  PIXFLOW_ASSIGN_OR_RETURN(io::EncodeSpec spec, io::ParseEncodeSpec(text));
  PIXFLOW_RETURN_IF_ERROR(ApplyBackground(background, spec));
  return spec;
}

Result<io::NameTemplate> ParseName(std::string_view text) {
  Result<io::NameTemplate> name = io::NameTemplate::Parse(text);
  if (!name.ok()) return name.status().WithContext("--name");
  return name;
}

// `--variant 'LABEL:--resize 320x --format webp[Q=75]'`: pipeline::ParseVariant reads it; the
// command's --format, --name, --kernel and --background are what it falls back on.
Result<pipeline::Variant> ParseVariant(const std::string& text, const ConvertFlags& flags,
                                       ResizeKernel kernel) {
  pipeline::VariantDefaults defaults;
  defaults.format = flags.format;
  defaults.name = flags.name.empty() ? std::string(kDefaultVariantName) : flags.name;
  defaults.kernel = kernel;
  PIXFLOW_ASSIGN_OR_RETURN(pipeline::Variant variant, pipeline::ParseVariant(text, defaults));
  PIXFLOW_RETURN_IF_ERROR(ApplyBackground(flags.background, variant.format));
  return variant;
}

Result<io::MetadataOptions> ParseMetadata(const ConvertFlags& flags, bool resizes) {
  if (flags.strip) return io::kStripMetadata;
  if (!flags.keep.empty()) return io::ParseKeepList(flags.keep);
  // Thumbnails and other resized copies are for the web: no metadata unless asked.
  if (resizes) return io::kStripMetadata;
  return io::MetadataOptions{};
}

}  // namespace

void AddConvertFlags(CLI::App& app, ConvertFlags& flags) {
  app.add_option("inputs", flags.inputs, "Image files and folders (folders are walked recursively)")
      ->required();
  app.add_option("-o,--output", flags.output, "Output folder (the input tree is kept below it)")
      ->required();
  AddOpFlags(app);
  app.add_option("--kernel", flags.kernel,
                 "Resize kernel: nearest, bilinear, bicubic, lanczos3, area")
      ->capture_default_str();
  app.add_option("--format", flags.format,
                 "Output format FMT[k=v,...]: jpg[Q=85,progressive], webp[Q=80,lossless], "
                 "png[compression=6], avif[Q=50], tif, gif, ... (`pixflow filters` lists keys)")
      ->capture_default_str();
  app.add_option("--name", flags.name,
                 "Output name template: {dir} {name} {ext} {width} {height} {variant} "
                 "(default {dir}/{name}.{ext}; with variants {dir}/{name}-{variant}.{ext})");
  app.add_option("--variant", flags.variants,
                 "Another output from the same decode: 'LABEL:OPS [--format F] [--name T]', "
                 "e.g. 'w320:--resize 320x --format webp[Q=75]'; repeat for each")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->expected(1);
  app.add_option("-j,--jobs", flags.jobs, "Compute threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--io-threads", flags.io_threads,
                 "Threads for file reads and writes (default: 2 per compute thread, 2-8)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-in-flight", flags.max_in_flight,
                 "Most images held in memory at once (default: compute + I/O threads)")
      ->check(CLI::NonNegativeNumber);
  CLI::Option* overwrite =
      app.add_flag("--overwrite", flags.overwrite, "Replace outputs that already exist");
  app.add_flag("--skip-existing", flags.skip_existing,
               "Leave outputs that already exist alone (the default)")
      ->excludes(overwrite);
  app.add_flag("-n,--dry-run", flags.dry_run,
               "Print what would be written (read headers only); write nothing");
  app.add_option("--report", flags.report,
                 "Write a JSON line per image (input, outputs, status, error, timings, sizes) "
                 "and a summary line to this file");
  app.add_option("--progress", flags.progress, "Progress bar: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_flag("-q,--quiet", flags.quiet, "Print errors only");
  app.add_flag("-v,--verbose", flags.verbose,
               "Print the thread counts, the in-flight bound and every image");
  app.add_option("--max-pixels", flags.max_pixels,
                 "Refuse images with more pixels than this, from the header (0: no limit)")
      ->capture_default_str();
  app.add_option("--fail-on", flags.fail_on,
                 "Fail an image on: none, truncated (data), error, warning")
      ->check(CLI::IsMember({"none", "truncated", "error", "warning"}))
      ->capture_default_str();
  app.add_flag("--allow-untrusted", flags.allow_untrusted,
               "Also read formats whose loaders are unsafe on hostile files (SVG, PDF, ...)");
  CLI::Option* strip = app.add_flag(
      "--strip", flags.strip, "Write no metadata (the default when resizing; else EXIF is kept)");
  app.add_option("--keep", flags.keep,
                 "Metadata to keep: icc, exif, or both comma-separated (ICC keeps the colour "
                 "space; without it pixels are converted to sRGB)")
      ->excludes(strip);
  app.add_flag("--no-autorotate", flags.no_autorotate,
               "Keep pixels as stored instead of applying the EXIF orientation");
  app.add_option("--background", flags.background,
                 "Colour alpha is flattened onto for formats without alpha (default white): "
                 "white, black, #rrggbb, r,g,b");
  app.add_flag("--hidden", flags.hidden, "Also convert hidden files and folders (.name)");
  app.add_option("--io-latency", flags.io_latency_ms,
                 "Wait this many ms before each file read, to model network storage")
      ->check(CLI::Range(0, 60000))
      ->group("Benchmarking");
}

Result<pipeline::ConvertSettings> MakeConvertSettings(const CLI::App& app,
                                                      const ConvertFlags& flags) {
  pipeline::ConvertSettings settings;
  settings.output_folder = flags.output;
  PIXFLOW_ASSIGN_OR_RETURN(const ResizeKernel kernel, ParseResizeKernel(flags.kernel));
  PIXFLOW_ASSIGN_OR_RETURN(settings.ops, ParseOps(app, kernel));
  bool resizes = settings.ops.HasResize();
  if (flags.variants.empty()) {
    pipeline::Variant only;
    PIXFLOW_ASSIGN_OR_RETURN(only.format, ParseFormat(flags.format, flags.background));
    PIXFLOW_ASSIGN_OR_RETURN(
        only.name, ParseName(flags.name.empty() ? io::kDefaultNameTemplate : flags.name));
    settings.variants.push_back(std::move(only));
  }
  std::set<std::string> labels;
  for (const std::string& text : flags.variants) {
    PIXFLOW_ASSIGN_OR_RETURN(pipeline::Variant variant, ParseVariant(text, flags, kernel));
    if (!labels.insert(variant.label).second) {
      return InvalidArgument("--variant: label '" + variant.label + "' is used twice");
    }
    resizes = resizes || variant.ops.HasResize();
    settings.variants.push_back(std::move(variant));
  }
  for (const pipeline::Variant& variant : settings.variants) {
    PIXFLOW_RETURN_IF_ERROR(io::CheckEncoderAvailable(variant.format.format));
  }
  PIXFLOW_ASSIGN_OR_RETURN(settings.decode.fail_on, io::ParseFailOn(flags.fail_on));
  PIXFLOW_ASSIGN_OR_RETURN(settings.decode.metadata, ParseMetadata(flags, resizes));
  settings.decode.autorotate = !flags.no_autorotate;
  settings.decode.limits.max_pixels = flags.max_pixels;
  settings.decode.limits.allow_untrusted = flags.allow_untrusted;
  settings.overwrite = flags.overwrite;
  settings.dry_run = flags.dry_run;
  settings.read_latency = std::chrono::milliseconds(flags.io_latency_ms);
  return settings;
}

}  // namespace pixflow::cli
