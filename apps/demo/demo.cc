// pixflow-demo: runs a filter chain over every image in a folder tree and writes the results,
// keeping the tree. It stands in for `pixflow convert` until that command exists.
//   pixflow-demo INPUT_DIR OUTPUT_DIR
// Each image is shrunk to fit 640 pixels wide (Lanczos3, never enlarged), lightly sharpened and
// written as JPEG (PNG when it has an alpha channel). Non-image files are skipped and counted;
// an image that fails is reported with its reason and the rest still run. Exit: 0 all converted,
// 1 some failed, 2 usage error.
#include <fmt/core.h>
#include <tbb/info.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <vector>

#include "pixflow/filters/chain.h"
#include "pixflow/filters/convolve.h"
#include "pixflow/filters/resize.h"
#include "pixflow/io/codec.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMaxWidth = 640;

pixflow::FilterChain ChainFor(pixflow::Size size) {
  pixflow::FilterChain chain;
  if (size.width > kMaxWidth) {
    const int height = std::max(1, static_cast<int>(std::lround(static_cast<double>(size.height) *
                                                                kMaxWidth / size.width)));
    chain.Add(pixflow::MakeResize(kMaxWidth, height, {pixflow::ResizeKernel::kLanczos3}));
  }
  chain.Add(pixflow::MakeUnsharpMask(/*sigma=*/0.8, /*amount=*/0.5));
  return chain;
}

// Decodes, filters, encodes and writes one file; returns the line to print or the error.
pixflow::Result<std::string> ConvertOne(const fs::path& input, const fs::path& relative,
                                        const fs::path& out_dir) {
  const auto start = Clock::now();
  PIXFLOW_ASSIGN_OR_RETURN(pixflow::Image8 image, pixflow::io::DecodeFile(input));
  const pixflow::FilterChain chain = ChainFor(image.size());
  auto filtered = chain.Run(image.view());
  if (!filtered.ok()) return filtered.status().WithContext(input.string());
  const bool alpha = filtered->channels() == 2 || filtered->channels() == 4;
  const pixflow::io::EncodeOptions encode{alpha ? "png" : "jpg", alpha ? 0 : 85};
  PIXFLOW_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                           pixflow::io::Encode(filtered->view(), encode));
  fs::path output = out_dir / relative;
  output.replace_extension(alpha ? ".png" : ".jpg");
  std::error_code error;
  fs::create_directories(output.parent_path(), error);
  if (error) {
    return pixflow::Status(pixflow::StatusCode::kIoError,
                           output.parent_path().string() + ": " + error.message());
  }
  PIXFLOW_RETURN_IF_ERROR(pixflow::io::WriteFileAtomically(output, bytes));
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return fmt::format("{} {}x{} -> {} {}x{}  [{}]  {:.1f} ms", input.string(), image.width(),
                     image.height(), output.string(), filtered->width(), filtered->height(),
                     chain.Describe(), ms);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    fmt::print(stderr, "usage: pixflow-demo INPUT_DIR OUTPUT_DIR\n");
    return 2;
  }
  const fs::path in_dir = argv[1], out_dir = argv[2];
  std::error_code error;
  if (!fs::is_directory(in_dir, error)) {
    fmt::print(stderr, "pixflow-demo: {} is not a folder\n", in_dir.string());
    return 2;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(in_dir, error)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // deterministic order, whatever the file system does

  const auto start = Clock::now();
  int converted = 0, skipped = 0, failed = 0;
  for (const fs::path& file : files) {
    if (!pixflow::io::LooksLikeImage(file)) {
      ++skipped;
      continue;
    }
    pixflow::Result<std::string> line = ConvertOne(file, fs::relative(file, in_dir), out_dir);
    if (line.ok()) {
      ++converted;
      fmt::print("{}\n", *line);
    } else {
      ++failed;
      fmt::print(stderr, "error: {}\n", line.status().message());
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  fmt::print(
      "{} converted, {} failed, {} skipped (not images) in {:.2f} s using {} threads; "
      "results in {}/\n",
      converted, failed, skipped, seconds, tbb::info::default_concurrency(), out_dir.string());
  return failed == 0 ? 0 : 1;
}
