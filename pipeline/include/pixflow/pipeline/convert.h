// `pixflow convert` as a pipeline definition: the job list, and the stages one image goes
// through (read bytes -> decode -> filter chain -> fan-out -> encode -> write). Both executors
// run these same stages: the threaded one through ConvertRunner, the process one by calling
// ImageConverter::Convert in each worker, so their outputs are byte-identical.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pixflow/filters/resize.h"
#include "pixflow/filters/status.h"
#include "pixflow/io/decoder.h"
#include "pixflow/io/encoder.h"
#include "pixflow/io/file_bytes.h"
#include "pixflow/io/name_template.h"
#include "pixflow/io/walker.h"
#include "pixflow/pipeline/image_record.h"
#include "pixflow/pipeline/ops.h"
#include "pixflow/pipeline/threaded_executor.h"

namespace pixflow::pipeline {

// One output per image: the ops applied after the shared ones, its format and its file name.
// A run without --variant has exactly one, with an empty label and no ops of its own.
struct Variant {
  std::string label;  // {variant} in the name template
  OpList ops;
  io::EncodeSpec format;
  io::NameTemplate name;
};

// What a variant takes from the command line when it does not say otherwise.
struct VariantDefaults {
  std::string format = "jpg";  // the --format text
  std::string name;            // the --name template text
  ResizeKernel kernel = ResizeKernel::kLanczos3;
};

// Parses `--variant 'LABEL:--resize 320x --format webp[Q=75]'`: a label (letters, digits, '-',
// '_', '.'), a colon, then the variant's own ops and optionally its own --format and --name,
// split into words as a shell would ('single' or "double" quotes group; `--flag=value` works).
// The error quotes the text and says which word is wrong.
Result<Variant> ParseVariant(std::string_view text, const VariantDefaults& defaults);

struct ConvertSettings {
  std::filesystem::path output_folder;
  OpList ops;                     // applied once per image, before the fan-out
  std::vector<Variant> variants;  // at least one
  // Orientation, --fail-on, limits and metadata. The shrink-on-load target is chosen per image.
  io::DecodeOptions decode;
  bool overwrite = false;  // false: --skip-existing
  bool dry_run = false;    // plan every output from the headers; decode and write nothing
  // Added before every file read, to model network storage (`pixflow bench --io-latency`).
  std::chrono::milliseconds read_latency{0};
};

struct ConvertJob {
  io::InputFile input;
  // The output path of each variant, when names do not depend on the decoded size; else empty
  // (they are rendered after decoding).
  std::vector<std::string> outputs;
};

// The job list for `files` (taken over: a job list of 100,000 files should not exist twice).
// Two inputs (or two variants) that would write the same output are an error naming both,
// found here before anything runs, not a race at write time.
Result<std::vector<ConvertJob>> PlanConvertJobs(std::vector<io::InputFile> files,
                                                const ConvertSettings& settings);

// One image on its way through the stages.
struct JobWork {
  io::FileBytes bytes;                        // the input file, after Read
  std::vector<std::vector<uint8_t>> encoded;  // one per record.outputs, after Compute
  ImageRecord record;
};

// The stages of converting one image. Read and Write block on the file system; Compute is CPU
// work (it may run the filters in parallel in the caller's TBB arena). Each stage does nothing
// for an image that already failed or was skipped. Thread-safe: stages of different images run
// at once.
class ImageConverter {
 public:
  // `walk` lists the inputs, so that writing over one of them is refused.
  ImageConverter(const ConvertSettings& settings, const io::WalkResult& walk);

  // Reads the input file's bytes into `work` (blocking I/O).
  void Read(const ConvertJob& job, JobWork& work) const;
  // Decodes, runs each output's filter chain and encodes, into `work` (CPU only).
  // `images_waiting` counts the images queued behind this one. While they can keep every other
  // thread of the caller's arena busy, this image's filters run on this thread, taking the rows
  // straight from the decoder (FilterChain::Run(RowSource&)): the decoded image never exists
  // whole, which saves a trip through memory, and memory bandwidth is what threads running side
  // by side share. Otherwise the filters are split across the arena's threads, so that the last
  // images of a run, or one huge image, still use every core. The pixels are the same either way.
  void Compute(const ConvertJob& job, JobWork& work, size_t images_waiting = 0) const;
  // Writes each encoded output atomically under its planned name (blocking I/O).
  void Write(JobWork& work) const;
  // All three in order, for one image (the process executor's worker).
  ImageRecord Convert(const ConvertJob& job) const;

  const ConvertSettings& settings() const { return settings_; }

 private:
  bool AllOutputsExist(const ConvertJob& job) const;
  Status PlanOutputs(const ConvertJob& job, Size displayed, JobWork& work) const;
  bool ClaimedByThisRun(const std::filesystem::path& path) const;
  void DecodeAndEncode(JobWork& work, bool streamed) const;
  Status WriteOutput(const OutputRecord& output, std::span<const uint8_t> bytes) const;

  const ConvertSettings& settings_;
  const io::WalkResult& walk_;
  // Outputs written in this run, when names are rendered after decoding: a second image
  // rendering the same name fails instead of replacing the first one's output.
  mutable std::mutex claimed_mutex_;
  mutable std::set<std::filesystem::path> claimed_;
};

// Adapts the stages to the ThreadedExecutor. Each record goes to `sink` when its image is
// finished: serially, in finish order, so the sink needs no lock.
class ConvertRunner final : public JobRunner {
 public:
  using Sink = std::function<void(ImageRecord&&)>;
  using Clock = std::chrono::steady_clock;
  // Records' started_ms/finished_ms count from `start`.
  ConvertRunner(const ImageConverter& converter, std::span<const ConvertJob> jobs, Sink sink,
                Clock::time_point start = Clock::now());

  void Read(size_t job) override;
  void Compute(size_t job) override;
  void Write(size_t job) override;
  void Finish(size_t job) override;

 private:
  double SinceStartMs() const;

  const ImageConverter& converter_;
  std::span<const ConvertJob> jobs_;
  Sink sink_;
  Clock::time_point start_;
  // One slot per job; only jobs in flight hold anything, so memory follows the in-flight bound.
  std::vector<std::unique_ptr<JobWork>> work_;
  std::atomic<size_t> computed_{0};  // Compute calls begun
};

}  // namespace pixflow::pipeline
