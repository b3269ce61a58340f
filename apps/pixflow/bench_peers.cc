// Other tools making the thumbnail workload's outputs from the same inputs in the same run, run
// the way a script would run them: vipsthumbnail and `magick mogrify` take every file in one
// process; ImageMagick 6's `convert` and `gm convert` take one file each, so they are spawned
// once per image (that cost is part of using them).
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench.h"
#include "pixflow/io/codec.h"

namespace pixflow::cli::bench {
namespace {

std::optional<fs::path> OnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::stringstream folders(path);
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    if (folder.empty()) continue;
    const fs::path candidate = fs::path(folder) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
  }
  return std::nullopt;
}

// True when `args` runs, exits 0 and prints `banner` (a stand-in script named `convert` is not
// ImageMagick).
bool Answers(const std::vector<std::string>& args, const std::string& banner) {
  const fs::path log = fs::temp_directory_path() / fmt::format("pixflow-bench-probe-{}", getpid());
  Result<ChildExit> exit = RunChild(args, log, false);
  const std::string said = LogTail(log);
  std::error_code error;
  fs::remove(log, error);
  return exit.ok() && exit->code == 0 && said.find(banner) != std::string::npos;
}

std::vector<fs::path> InputFiles(const Workload& workload) {
  std::vector<fs::path> files;
  for (const std::string& input : workload.inputs) {
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(input, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (it->is_regular_file() && io::LooksLikeImage(it->path())) files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The command lines that make every thumbnail: one for the batch tools, one per file else.
std::vector<std::vector<std::string>> Commands(const Peer& peer, const std::vector<fs::path>& files,
                                               const fs::path& out) {
  const std::string box = fmt::format("{0}x{0}", kThumbnailSize);
  const std::string program = peer.program.string();
  std::vector<std::vector<std::string>> commands;
  if (peer.name == "vipsthumbnail") {
    std::vector<std::string> args = {program, "-s", box, "-o", (out / "%s.jpg[Q=80]").string()};
    for (const fs::path& file : files) args.push_back(file.string());
    commands.push_back(std::move(args));
  } else if (peer.name == "magick") {
    std::vector<std::string> args = {program, "mogrify",  "-path", out.string(), "-thumbnail",
                                     box,     "-quality", "80",    "-format",    "jpg"};
    for (const fs::path& file : files) args.push_back(file.string());
    commands.push_back(std::move(args));
  } else {
    for (const fs::path& file : files) {
      std::vector<std::string> args = {program};
      if (peer.name == "gm") args.push_back("convert");
      const fs::path output = out / file.filename().replace_extension(".jpg");
      args.insert(args.end(),
                  {file.string(), "-thumbnail", box, "-quality", "80", output.string()});
      commands.push_back(std::move(args));
    }
  }
  return commands;
}

}  // namespace

std::vector<Peer> FindPeers() {
  std::vector<Peer> peers;
  if (auto vips = OnPath("vipsthumbnail");
      vips && Answers({vips->string(), "--vips-version"}, "libvips")) {
    peers.push_back({"vipsthumbnail", *vips});
  }
  // ImageMagick 7 is `magick`; 6 only has `convert` (which 7 keeps as an alias).
  if (auto magick = OnPath("magick");
      magick && Answers({magick->string(), "-version"}, "ImageMagick")) {
    peers.push_back({"magick", *magick});
  } else if (auto convert = OnPath("convert");
             convert && Answers({convert->string(), "-version"}, "ImageMagick")) {
    peers.push_back({"convert", *convert});
  }
  if (auto gm = OnPath("gm"); gm && Answers({gm->string(), "version"}, "GraphicsMagick")) {
    peers.push_back({"gm", *gm});
  }
  return peers;
}

Result<Sample> RunPeer(const Peer& peer, const Workload& workload, const RunSettings& run) {
  const fs::path out = run.scratch / "out";
  PIXFLOW_RETURN_IF_ERROR(CleanFolder(out));
  const std::vector<fs::path> files = InputFiles(workload);
  const fs::path log = run.scratch / "peer.log";
  Sample sample;
  // A peer says nothing about single images.
  sample.latency_p50_ms = sample.latency_p95_ms = sample.latency_max_ms = kNotMeasured;
  sample.startup_ms = sample.overhead_ms = kNotMeasured;
  for (const std::vector<std::string>& args : Commands(peer, files, out)) {
    PIXFLOW_ASSIGN_OR_RETURN(const ChildExit exit, RunChild(args, log, false));
    if (exit.code != 0) {
      return Status(StatusCode::kIoError,
                    fmt::format("{} exited with {}: {}", peer.name, exit.code, LogTail(log)));
    }
    sample.wall_s += exit.wall_s;
    sample.cpu_s += exit.cpu_s;
    sample.peak_rss_mib =
        std::max(sample.peak_rss_mib, static_cast<double>(exit.max_rss_kib) / 1024);
  }
  std::error_code error;
  for (const fs::path& file : files) sample.bytes_read += fs::file_size(file, error);
  for (auto it = fs::directory_iterator(out, error); !error && it != fs::directory_iterator();
       it.increment(error)) {
    if (it->is_regular_file()) {
      ++sample.images;
      sample.bytes_written += it->file_size();
    }
  }
  return sample;
}

}  // namespace pixflow::cli::bench
