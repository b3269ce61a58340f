// The bench's workloads and the images they read. The synthetic corpus is procedural landscapes
// (apps/scenes: gradients, hard edges, fine texture, text-like strokes), one seed per image, so
// JPEG sizes and decode costs are those of photographs rather than of flat noise or flat
// colour. It is generated once per (count, size) and cached: a 24-image corpus takes tens of
// seconds to render on 2 cores, more than a quick bench run.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "bench.h"
#include "pixflow/io/codec.h"
#include "scenes/scenes.h"

namespace pixflow::cli::bench {
namespace {

// Bump when the generated images change, so old caches are not reused.
constexpr int kCorpusVersion = 1;

fs::path CacheRoot() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg != '\0') return fs::path(xdg) / "pixflow" / "bench";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return fs::path(home) / ".cache" / "pixflow" / "bench";
  return fs::temp_directory_path() / "pixflow-bench-cache";
}

struct ImageToMake {
  fs::path path;
  int width;
  int height;
  uint32_t seed;
  int quality;
};

Status MakeImage(const ImageToMake& image) {
  const Image8 pixels = scenes::Landscape(image.width, image.height, image.seed);
  PIXFLOW_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                           io::Encode(pixels.view(), {"jpg", image.quality}));
  return io::WriteFileAtomically(image.path, bytes);
}

// Renders every image on every core; the first failure is returned.
Status MakeImages(const std::vector<ImageToMake>& images) {
  std::atomic<size_t> next{0};
  std::mutex mutex;
  Status first = Status::Ok();
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < images.size(); i = next++) {
        Status made = MakeImage(images[i]);
        const std::lock_guard lock(mutex);
        if (!made.ok() && first.ok()) first = std::move(made);
      }
    });
  }
  for (std::thread& thread : pool) thread.join();
  return first;
}

Result<Corpus> SyntheticCorpus(const CorpusOptions& options) {
  const int small_width = std::max(64, options.width / 8);
  const int small_height = std::max(64, options.height / 8);
  const int small_count = options.synthetic * options.small_per_large;
  Corpus corpus;
  corpus.large_count = static_cast<size_t>(options.synthetic);
  corpus.small_count = static_cast<size_t>(small_count);
  corpus.description = fmt::format(
      "{} synthetic {}x{} JPEG landscapes (Q90) and {} small {}x{} ones (Q85)", options.synthetic,
      options.width, options.height, small_count, small_width, small_height);
  const fs::path folder =
      CacheRoot() / fmt::format("landscapes-v{}-{}x{}-{}-small{}", kCorpusVersion, options.width,
                                options.height, options.synthetic, small_count);
  corpus.large = folder / "large";
  corpus.small = folder / "small";
  const fs::path complete = folder / "complete";
  if (fs::exists(complete)) return corpus;

  // Made in a private folder and renamed into place, so a bench interrupted half-way (or two
  // running at once) never leaves a partial corpus that looks complete.
  std::error_code error;
  const fs::path staging = folder.string() + fmt::format(".tmp-{}", ::getpid());
  fs::remove_all(staging, error);
  std::vector<ImageToMake> images;
  for (int i = 0; i < options.synthetic; ++i) {
    images.push_back({staging / "large" / fmt::format("photo-{:04}.jpg", i + 1), options.width,
                      options.height, static_cast<uint32_t>(1000 + i), 90});
  }
  for (int i = 0; i < small_count; ++i) {
    images.push_back({staging / "small" / fmt::format("small-{:04}.jpg", i + 1), small_width,
                      small_height, static_cast<uint32_t>(5000 + i), 85});
  }
  fs::create_directories(staging / "large", error);
  fs::create_directories(staging / "small", error);
  if (error) return Status(StatusCode::kIoError, staging.string() + ": " + error.message());
  fmt::print(stderr, "pixflow bench: generating {} in {} (once)\n", corpus.description,
             folder.string());
  PIXFLOW_RETURN_IF_ERROR(MakeImages(images));
  PIXFLOW_RETURN_IF_ERROR(io::WriteFileAtomically(staging / "complete", {}));
  fs::remove_all(folder, error);
  fs::rename(staging, folder, error);
  if (error && !fs::exists(complete)) {
    return Status(StatusCode::kIoError, folder.string() + ": " + error.message());
  }
  fs::remove_all(staging, error);
  return corpus;
}

Result<Corpus> FolderCorpus(const std::string& folder) {
  std::error_code error;
  if (!fs::is_directory(folder, error))
    return InvalidArgument("--images " + folder + ": not a folder");
  size_t count = 0;
  for (auto it = fs::recursive_directory_iterator(folder, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file() && io::LooksLikeImage(it->path())) ++count;
  }
  if (error) return Status(StatusCode::kIoError, folder + ": " + error.message());
  if (count == 0) return InvalidArgument("--images " + folder + ": no images in it");
  Corpus corpus;
  corpus.large = corpus.small = folder;
  corpus.large_count = corpus.small_count = count;
  corpus.description = fmt::format("{} images from {}", count, folder);
  return corpus;
}

}  // namespace

Result<Corpus> PrepareCorpus(const CorpusOptions& options) {
  if (!options.images.empty()) return FolderCorpus(options.images);
  if (options.synthetic < 1 || options.width < 16 || options.height < 16) {
    return InvalidArgument("--synthetic N --size WxH: need N >= 1 and a size of at least 16x16");
  }
  return SyntheticCorpus(options);
}

const std::vector<std::string>& WorkloadNames() {
  static const std::vector<std::string> kNames = {"thumbnail", "cpu", "io", "mixed"};
  return kNames;
}

Result<Workload> MakeWorkload(const std::string& name, const Corpus& corpus, int io_latency_ms) {
  Workload w;
  w.name = name;
  const std::string large = corpus.large.string(), small = corpus.small.string();
  if (name == "thumbnail") {
    // Decode-bound: shrink-on-load does most of the work, the encode is tiny.
    w.description = "decode-bound: every large image to a 256x256 JPEG thumbnail";
    w.inputs = {large};
    w.ops = {"--resize", fmt::format("{0}x{0}", kThumbnailSize), "--format", "jpg[Q=80]"};
    w.images = corpus.large_count;
  } else if (name == "cpu") {
    // CPU-bound: full-size pixels through a resampler and three convolutions.
    w.description = "CPU-bound: full-size resize to 90%, blur 1.5, sharpen 1, median 3x3, JPEG";
    w.inputs = {large};
    w.ops = {"--resize", "90%",      "--blur", "1.5",      "--sharpen",
             "1",        "--median", "3",      "--format", "jpg[Q=90]"};
    w.images = corpus.large_count;
  } else if (name == "io") {
    w.description = fmt::format(
        "I/O-bound: many small files halved, with {} ms added to every file read (network "
        "storage)",
        io_latency_ms);
    w.inputs = {small};
    w.ops = {"--resize", "50%", "--format", "jpg[Q=80]"};
    w.io_latency_ms = io_latency_ms;
    w.images = corpus.small_count;
  } else if (name == "mixed") {
    w.description = fmt::format(
        "mixed: large and small files, two outputs each (320 px wide; at most 1280 px, "
        "sharpened), {} ms per read",
        io_latency_ms / 2);
    w.inputs = {large};
    w.images = corpus.large_count;
    if (small != large) {
      w.inputs.push_back(small);
      w.images += corpus.small_count;
    }
    w.ops = {"--variant", "w320:--resize 320x", "--variant",
             "w1280:--resize 1280x1280> --sharpen 0.5"};
    w.io_latency_ms = io_latency_ms / 2;
    w.outputs_per_image = 2;
  } else {
    return InvalidArgument("--workloads: unknown workload '" + name +
                           "' (thumbnail, cpu, io, mixed)");
  }
  return w;
}

}  // namespace pixflow::cli::bench
