#include "pixflow/pipeline/convert.h"

#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <system_error>
#include <thread>
#include <utility>

#include "pixflow/filters/chain.h"
#include "pixflow/io/atomic_file_writer.h"
#include "pixflow/io/file_bytes.h"
#include "pixflow/io/image_info.h"

namespace pixflow::pipeline {
namespace {

namespace fs = std::filesystem;

// Milliseconds since construction.
class Stopwatch {
 public:
  double Ms() const {
    return std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_ = Clock::now();
};

// A RowSource that counts the time spent reading rows from another and keeps its failure.
class TimedRows final : public RowSource {
 public:
  explicit TimedRows(RowSource& rows) : rows_(rows) {}
  Size size() const override { return rows_.size(); }
  Status ReadRows(View8 out) override {
    const Stopwatch clock;
    Status read = rows_.ReadRows(out);
    ms_ += clock.Ms();
    if (!read.ok()) failure_ = read;
    return read;
  }
  double ms() const { return ms_; }
  const Status& failure() const { return failure_; }

 private:
  RowSource& rows_;
  double ms_ = 0;
  Status failure_;
};

bool NamesDependOnSize(const ConvertSettings& settings) {
  return std::any_of(settings.variants.begin(), settings.variants.end(),
                     [](const Variant& v) { return v.name.uses_size(); });
}

// `--name` renders relative to the output folder; {ext} is the format's file suffix.
Result<fs::path> OutputPath(const ConvertSettings& settings, const Variant& variant,
                            const io::InputFile& input, Size size) {
  PIXFLOW_ASSIGN_OR_RETURN(std::string suffix, io::SuffixForFormat(variant.format.format));
  io::NameFields fields;
  fields.relative = input.relative;
  fields.ext = suffix.substr(1);
  fields.width = size.width;
  fields.height = size.height;
  fields.variant = variant.label;
  PIXFLOW_ASSIGN_OR_RETURN(fs::path name, variant.name.Render(fields));
  return settings.output_folder / name;
}

// The size each variant's output will have, from the image's displayed size: the shared ops
// first, then the variant's own.
Result<std::vector<Size>> PlanSizes(const ConvertSettings& settings, Size displayed) {
  PIXFLOW_ASSIGN_OR_RETURN(FilterChain shared, settings.ops.BuildChain(displayed));
  PIXFLOW_ASSIGN_OR_RETURN(Size base, shared.OutputSize(displayed));
  std::vector<Size> sizes;
  for (const Variant& variant : settings.variants) {
    PIXFLOW_ASSIGN_OR_RETURN(FilterChain own, variant.ops.BuildChain(base));
    PIXFLOW_ASSIGN_OR_RETURN(Size size, own.OutputSize(base));
    sizes.push_back(size);
  }
  return sizes;
}

// The smallest decode that still lets every output be made exactly: what the shared ops
// shrink to when they start with a downscale; otherwise, with no shared ops, the largest of
// what each variant's leading downscale needs.
Size ShrinkTarget(const ConvertSettings& settings, Size displayed) {
  if (!settings.ops.empty()) return settings.ops.LeadingDownscale(displayed);
  Size target{0, 0};
  for (const Variant& variant : settings.variants) {
    const Size need = variant.ops.LeadingDownscale(displayed);
    target.width = std::max(target.width, need.width);
    target.height = std::max(target.height, need.height);
  }
  return target;
}

// True when `path` (canonical) is `folder` (canonical) or inside it.
bool IsWithin(const fs::path& path, const fs::path& folder) {
  const auto [end, ignored] = std::mismatch(folder.begin(), folder.end(), path.begin(), path.end());
  return end == folder.end();
}

// Refuses a folder for `output` that a symlink has taken out of the output folder: checked
// before it is created (so a dangerous link is never followed to make folders elsewhere) and
// after (a dangling link resolves only once its target exists). Someone racing to swap links
// in the output folder while the run writes is not defended against: they can write there.
Status RefuseEscapingOutputFolder(const fs::path& root, const fs::path& output, bool created) {
  std::error_code error;
  // Before: what cannot be resolved yet is left to create_directories to report.
  const auto resolve = [&](const fs::path& path) {
    return created ? fs::canonical(path, error) : fs::weakly_canonical(path, error);
  };
  const fs::path real_root = resolve(root);
  const fs::path folder = error ? fs::path() : resolve(output.parent_path());
  if (error && !created) return Status::Ok();
  if (error) return Status(StatusCode::kIoError, output.string() + ": " + error.message());
  if (IsWithin(folder, real_root)) return Status::Ok();
  std::string message = output.string();
  message.append(": refusing to write outside the output folder (a symlink leads to ")
      .append(folder.string())
      .append(")");
  return InvalidArgument(std::move(message));
}

Status Internal(const std::string& input, const std::string& what) {
  return Status(StatusCode::kInternal, input + ": " + what);
}

}  // namespace

Result<std::vector<ConvertJob>> PlanConvertJobs(std::vector<io::InputFile> files,
                                                const ConvertSettings& settings) {
  if (settings.variants.empty()) return InvalidArgument("convert: no output variant");
  std::vector<ConvertJob> jobs;
  jobs.reserve(files.size());
  const bool late_names = NamesDependOnSize(settings);
  // Every output path so far, and which input claimed it. Strings compare as paths do here:
  // NameTemplate::Render drops empty and "." segments.
  std::map<std::string, size_t> owners;
  for (io::InputFile& file : files) {
    ConvertJob job{std::move(file), {}};
    for (size_t v = 0; !late_names && v < settings.variants.size(); ++v) {
      PIXFLOW_ASSIGN_OR_RETURN(fs::path path,
                               OutputPath(settings, settings.variants[v], job.input, Size{0, 0}));
      const auto [it, inserted] = owners.emplace(path.string(), jobs.size());
      if (!inserted) {
        const ConvertJob& first = it->second == jobs.size() ? job : jobs[it->second];
        return InvalidArgument(first.input.path + " and " + job.input.path +
                               " would both be written to " + path.string() +
                               " (use --name with {ext} or {variant}, or convert them apart)");
      }
      job.outputs.push_back(path.string());
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

ImageConverter::ImageConverter(const ConvertSettings& settings, const io::WalkResult& walk)
    : settings_(settings), walk_(walk) {}

bool ImageConverter::AllOutputsExist(const ConvertJob& job) const {
  if (settings_.overwrite || job.outputs.empty()) return false;
  std::error_code error;
  return std::all_of(job.outputs.begin(), job.outputs.end(),
                     [&](const std::string& path) { return fs::exists(path, error); });
}

void ImageConverter::Read(const ConvertJob& job, JobWork& work) const {
  ImageRecord& record = work.record;
  record.input = job.input.path;
  record.relative = job.input.relative;
  if (AllOutputsExist(job)) {
    // Known before reading a byte: nothing to do. The outputs are listed as found.
    record.status = ImageStatus::kSkipped;
    for (size_t v = 0; v < job.outputs.size(); ++v) {
      OutputRecord output;
      output.path = job.outputs[v];
      output.variant = settings_.variants[v].label;
      output.format = settings_.variants[v].format.format;
      output.existed = true;
      record.outputs.push_back(std::move(output));
    }
    return;
  }
  if (settings_.dry_run) return;  // the header is read from the file in Compute
  const Stopwatch clock;
  if (settings_.read_latency.count() > 0) std::this_thread::sleep_for(settings_.read_latency);
  Result<io::FileBytes> bytes = io::ReadFileBytes(job.input.path);
  record.ms.read = clock.Ms();
  if (!bytes.ok()) return record.Fail("read", bytes.status());
  record.input_bytes = bytes->size();
  work.bytes = std::move(*bytes);
}

Status ImageConverter::PlanOutputs(const ConvertJob& job, Size displayed, JobWork& work) const {
  PIXFLOW_ASSIGN_OR_RETURN(std::vector<Size> sizes, PlanSizes(settings_, displayed));
  ImageRecord& record = work.record;
  bool all_exist = !settings_.overwrite;
  for (size_t v = 0; v < settings_.variants.size(); ++v) {
    const Variant& variant = settings_.variants[v];
    OutputRecord output;
    if (job.outputs.empty()) {
      PIXFLOW_ASSIGN_OR_RETURN(fs::path path, OutputPath(settings_, variant, job.input, sizes[v]));
      output.path = path.string();
    } else {
      output.path = job.outputs[v];
    }
    output.variant = variant.label;
    output.format = variant.format.format;
    output.width = sizes[v].width;
    output.height = sizes[v].height;
    std::error_code error;
    // A file this run wrote is a clash (WriteOutput refuses it), not an output to skip: the
    // outcome must not depend on which image got there first.
    output.existed =
        !settings_.overwrite && fs::exists(output.path, error) && !ClaimedByThisRun(output.path);
    all_exist = all_exist && output.existed;
    record.outputs.push_back(std::move(output));
  }
  // Names rendered from the size: only now is it known that every output is already there.
  if (all_exist) record.status = ImageStatus::kSkipped;
  return Status::Ok();
}

void ImageConverter::Compute(const ConvertJob& job, JobWork& work, size_t images_waiting) const {
  ImageRecord& record = work.record;
  if (record.failed() || record.status == ImageStatus::kSkipped) return;
  const Stopwatch header_clock;
  Result<io::ImageInfo> info =
      settings_.dry_run ? io::ReadInfo(job.input.path, settings_.decode.limits)
                        : io::ReadInfo(work.bytes, record.input, settings_.decode.limits);
  if (info.ok()) info = [&]() -> Result<io::ImageInfo> {
    PIXFLOW_RETURN_IF_ERROR(io::CheckLimits(*info, settings_.decode.limits, record.input));
    return info;
  }();
  record.ms.decode += header_clock.Ms();
  if (!info.ok()) return record.Fail("decode", info.status());
  const bool upright = settings_.decode.autorotate;
  const Size displayed{upright ? info->displayed_width() : info->width,
                       upright ? info->displayed_height() : info->height,
                       info->decoded_channels()};
  record.input_format = info->format;
  record.input_width = displayed.width;
  record.input_height = displayed.height;
  record.input_channels = displayed.channels;
  if (Status planned = PlanOutputs(job, displayed, work); !planned.ok()) {
    return record.Fail("filter", planned.WithContext(record.input));
  }
  if (record.status == ImageStatus::kSkipped) return;
  if (settings_.dry_run) {
    record.status = ImageStatus::kPlanned;
    return;
  }
  const size_t threads = static_cast<size_t>(tbb::this_task_arena::max_concurrency());
  DecodeAndEncode(work, images_waiting + 1 >= threads);
}

void ImageConverter::DecodeAndEncode(JobWork& work, bool streamed) const {
  ImageRecord& record = work.record;
  io::DecodeOptions options = settings_.decode;
  const Size full{record.input_width, record.input_height, record.input_channels};
  const Size target = ShrinkTarget(settings_, full);
  if (target.width < full.width || target.height < full.height) {
    options.min_width = target.width;
    options.min_height = target.height;
  }
  // The shared chain runs inside the decode, on the rows as they come (streamed) or on the
  // whole decoded image; time spent reading rows is the decode's, the rest the filters'.
  const Execution execution{!streamed};
  Size delivered;  // by the decoder, after any shrink-on-load
  Image8 base;     // the shared chain's output, or the decoded image when it is empty
  Size base_size;  // what the variants' geometry resolves against
  Status filter_failure;
  double filter_ms = 0;
  const auto run_shared = [&](RowSource& rows) -> Status {
    const Stopwatch clock;
    TimedRows timed_rows(rows);
    // Geometry resolves against the displayed full size, with the channels the decoder
    // delivers; the first resize takes whatever size shrink-on-load delivered.
    delivered = rows.size();
    const Size displayed{record.input_width, record.input_height, delivered.channels};
    bool identity = false;  // no shared ops: the variants see the image as displayed
    Result<Image8> done = [&]() -> Result<Image8> {
      PIXFLOW_ASSIGN_OR_RETURN(const FilterChain shared, settings_.ops.BuildChain(displayed));
      identity = shared.empty();
      if (streamed || shared.empty()) return shared.Run(timed_rows, execution);
      PIXFLOW_ASSIGN_OR_RETURN(Image8 whole, Image8::Create(rows.size()));
      PIXFLOW_RETURN_IF_ERROR(timed_rows.ReadRows(whole.view()));
      return shared.Run(std::as_const(whole).view(), execution);
    }();
    filter_ms = clock.Ms() - timed_rows.ms();
    if (!done.ok()) {
      if (timed_rows.failure().ok()) filter_failure = done.status();
      return done.status();
    }
    base = std::move(*done);
    base_size = identity ? displayed : base.size();
    return Status::Ok();
  };
  Stopwatch clock;
  Result<io::DecodedImage> decoded = io::Decode(work.bytes, record.input, options, run_shared);
  record.ms.decode += clock.Ms() - filter_ms;
  record.ms.filter += filter_ms;
  work.bytes = {};  // the decoded image replaces the file's bytes
  if (!filter_failure.ok()) return record.Fail("filter", filter_failure.WithContext(record.input));
  if (!decoded.ok()) return record.Fail("decode", decoded.status());
  record.warnings = std::move(decoded->warnings);
  record.decoded_width = delivered.width;
  record.decoded_height = delivered.height;
  work.encoded.resize(record.outputs.size());
  for (size_t v = 0; v < settings_.variants.size(); ++v) {
    const Variant& variant = settings_.variants[v];
    OutputRecord& output = record.outputs[v];
    if (output.existed) continue;
    clock = Stopwatch();
    Result<FilterChain> own = variant.ops.BuildChain(base_size);
    if (!own.ok()) return record.Fail("filter", own.status().WithContext(record.input));
    Image8 filtered;
    if (!own->empty()) {
      Result<Image8> done = own->Run(base.view(), execution);
      if (!done.ok()) return record.Fail("filter", done.status().WithContext(record.input));
      filtered = std::move(*done);
    }
    const ConstView8 pixels = own->empty() ? base.view() : std::as_const(filtered).view();
    record.ms.filter += clock.Ms();
    if (pixels.width() != output.width || pixels.height() != output.height) {
      return record.Fail("filter", Internal(record.input, "made a different size than planned"));
    }
    clock = Stopwatch();
    Result<io::EncodedImage> encoded =
        io::EncodeWithWarnings(pixels, variant.format, decoded->metadata);
    record.ms.encode += clock.Ms();
    if (!encoded.ok()) return record.Fail("encode", encoded.status().WithContext(record.input));
    for (std::string& warning : encoded->warnings) {
      record.warnings.push_back(output.path + ": " + std::move(warning));
    }
    work.encoded[v] = std::move(encoded->bytes);
  }
}

bool ImageConverter::ClaimedByThisRun(const fs::path& path) const {
  const std::lock_guard<std::mutex> lock(claimed_mutex_);
  return claimed_.contains(path);
}

Status ImageConverter::WriteOutput(const OutputRecord& output,
                                   std::span<const uint8_t> bytes) const {
  const fs::path path(output.path);
  PIXFLOW_RETURN_IF_ERROR(RefuseEscapingOutputFolder(settings_.output_folder, path, false));
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error) {
    return Status(StatusCode::kIoError,
                  path.parent_path().string() + ": cannot create folder: " + error.message());
  }
  PIXFLOW_RETURN_IF_ERROR(RefuseEscapingOutputFolder(settings_.output_folder, path, true));
  PIXFLOW_RETURN_IF_ERROR(io::RefuseOverwritingInput(walk_, path));
  // Names rendered before the run were checked for clashes by PlanConvertJobs; only names
  // rendered from the decoded size need claiming here.
  if (NamesDependOnSize(settings_)) {
    const std::lock_guard<std::mutex> lock(claimed_mutex_);
    if (!claimed_.insert(path).second) {
      return InvalidArgument(path.string() +
                             ": another image of this run was written there (add {name} or "
                             "{dir} to --name)");
    }
  }
  using Existing = io::AtomicFileWriter::Existing;
  return io::WriteFileAtomically(path, bytes,
                                 settings_.overwrite ? Existing::kReplace : Existing::kKeep);
}

void ImageConverter::Write(JobWork& work) const {
  ImageRecord& record = work.record;
  if (record.failed() || record.status != ImageStatus::kConverted) return;
  const Stopwatch clock;
  bool wrote_any = false;
  for (size_t v = 0; v < record.outputs.size(); ++v) {
    OutputRecord& output = record.outputs[v];
    if (output.existed) continue;
    const Status written = WriteOutput(output, work.encoded[v]);
    std::error_code error;
    if (!written.ok() && written.code() == StatusCode::kIoError && !settings_.overwrite &&
        fs::exists(output.path, error)) {
      // Another run into the same folder wrote it since Read looked: whole (it was written
      // atomically) and what --skip-existing keeps.
      output.existed = true;
      continue;
    }
    if (!written.ok()) {
      // The output's own error names the output; the input it came from leads.
      record.Fail("write", written.WithContext(record.input));
      break;
    }
    wrote_any = true;
    output.bytes = work.encoded[v].size();
    work.encoded[v] = {};
  }
  if (!record.failed() && !wrote_any) record.status = ImageStatus::kSkipped;
  record.ms.write = clock.Ms();
  work.encoded.clear();
}

ImageRecord ImageConverter::Convert(const ConvertJob& job) const {
  JobWork work;
  Read(job, work);
  Compute(job, work);
  Write(work);
  return std::move(work.record);
}

ConvertRunner::ConvertRunner(const ImageConverter& converter, std::span<const ConvertJob> jobs,
                             Sink sink, Clock::time_point start)
    : converter_(converter),
      jobs_(jobs),
      sink_(std::move(sink)),
      start_(start),
      work_(jobs.size()) {}

double ConvertRunner::SinceStartMs() const {
  return std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
}

void ConvertRunner::Read(size_t job) {
  work_[job] = std::make_unique<JobWork>();
  work_[job]->record.started_ms = SinceStartMs();
  converter_.Read(jobs_[job], *work_[job]);
}

void ConvertRunner::Compute(size_t job) {
  const size_t begun = computed_.fetch_add(1) + 1;
  converter_.Compute(jobs_[job], *work_[job], jobs_.size() - std::min(begun, jobs_.size()));
}

void ConvertRunner::Write(size_t job) { converter_.Write(*work_[job]); }

void ConvertRunner::Finish(size_t job) {
  std::unique_ptr<JobWork> work = std::move(work_[job]);
  work->record.finished_ms = SinceStartMs();
  sink_(std::move(work->record));
}

}  // namespace pixflow::pipeline
