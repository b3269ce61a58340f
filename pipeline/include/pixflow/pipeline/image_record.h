// What happened to one input image: the unit of `--report` (one JSON object per line) and of
// the result a worker process sends back to its supervisor. Both executors produce the same
// records, so a report reads the same whichever strategy made it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pixflow/filters/status.h"

namespace pixflow::pipeline {

enum class ImageStatus {
  kConverted,  // every output written
  kPlanned,    // a dry run: every output planned from the header, nothing decoded or written
  kSkipped,    // every output already existed (--skip-existing)
  kFailed,     // some stage failed; `error` says which and why
  kCancelled,  // never started: the run was interrupted first
};
// "converted", "skipped", ...: the status as report files spell it.
const char* ImageStatusName(ImageStatus status);

// One file the image produced (or would produce, or found already there).
struct OutputRecord {
  std::string path;     // as written: the output folder joined with the rendered name
  std::string variant;  // fan-out label; empty with a single output
  std::string format;   // canonical encoder name, e.g. "jpg"
  int width = 0;
  int height = 0;
  uint64_t bytes = 0;       // 0 when not written
  bool existed = false;     // kept as it was (--skip-existing)
  friend bool operator==(const OutputRecord&, const OutputRecord&) = default;
};

// Milliseconds spent in each stage of this image (0 for stages it did not reach).
struct StageTimes {
  double read = 0;
  double decode = 0;
  double filter = 0;
  double encode = 0;
  double write = 0;
  double total() const { return read + decode + filter + encode + write; }
  StageTimes& operator+=(const StageTimes& other) {
    read += other.read;
    decode += other.decode;
    filter += other.filter;
    encode += other.encode;
    write += other.write;
    return *this;
  }
  friend bool operator==(const StageTimes&, const StageTimes&) = default;
};

struct ImageRecord {
  std::string input;     // the path as walked
  std::string relative;  // under its input folder
  ImageStatus status = ImageStatus::kConverted;
  std::string stage;  // where it failed: "read", "decode", "filter", "encode", "write"
  std::string error;  // the reason, naming the file; empty unless failed
  std::vector<std::string> warnings;  // codec complaints that did not fail the image
  uint64_t input_bytes = 0;
  std::string input_format;  // "jpeg", ...; empty if never read
  int input_width = 0;       // full size as displayed (after EXIF orientation)
  int input_height = 0;
  int input_channels = 0;  // as decoded: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
  int decoded_width = 0;  // what shrink-on-load delivered (0 when not decoded)
  int decoded_height = 0;
  std::vector<OutputRecord> outputs;
  StageTimes ms;
  // When the image entered its first stage and left its last, in ms since the run started
  // (RunSummary::clock_start_ms): latency = finished - started, waiting included.
  double started_ms = 0;
  double finished_ms = 0;
  // Filled by the process executor: which worker ran it, its pid, how many attempts it took and
  // the worker's peak resident memory in KiB. Left 0 by the threaded one.
  int worker = -1;
  int pid = 0;
  int attempts = 0;
  uint64_t worker_peak_rss_kib = 0;
  friend bool operator==(const ImageRecord&, const ImageRecord&) = default;

  // Marks the record failed at `stage`, keeping the first failure only.
  void Fail(std::string_view failed_stage, const Status& status);
  bool failed() const { return status == ImageStatus::kFailed; }
};

// One line of JSON, without the newline. Keys in a fixed order; paths as UTF-8 text.
std::string RecordToJson(const ImageRecord& record);
// Parses a line made by RecordToJson (for the process executor and `report merge`).
Result<ImageRecord> RecordFromJson(std::string_view line);

}  // namespace pixflow::pipeline
