// The supervisor <-> worker wire format of the process executor, over a stream socket:
//
//   frame   = u32 length (little-endian, of what follows) | u8 kind | field*
//   field   = u32 length | bytes
//
// Fields are raw bytes, so any file name (UTF-8 or not) crosses unchanged. Messages:
//   kReady  worker -> supervisor, once, when it is set up and waiting for input ids
//   kInputs supervisor -> worker, once: (device, inode) of every input, 16 bytes each, so the
//           worker refuses to write over an input exactly as the threaded run does
//   kJob    supervisor -> worker: input path, relative path, then each planned output path
//   kResult worker -> supervisor: the image's record (RecordToJson), the worker's peak RSS (KiB)
// One job at a time per worker: the supervisor sends the next only after the result.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "pixflow/filters/status.h"
#include "pixflow/pipeline/convert.h"

namespace pixflow::pipeline::wire {

enum class Kind : uint8_t { kReady = 1, kInputs = 2, kJob = 3, kResult = 4 };

struct Frame {
  Kind kind = Kind::kReady;
  std::vector<std::string> fields;
};

// A frame larger than this is a protocol error, not an allocation: a corrupt length from a
// dying worker must not make the supervisor allocate gigabytes.
inline constexpr uint32_t kMaxFrameBytes = 1u << 30;

std::string Encode(const Frame& frame);

// Takes the first whole frame off the front of `buffer` (bytes read so far); nullopt when it
// holds less than one frame. kInternal for a malformed one.
Result<std::optional<Frame>> TakeFrame(std::string& buffer);

// Blocking, for the worker, which has nothing else to do. Send never raises SIGPIPE.
Status Send(int fd, const Frame& frame);
// nullopt at end of file (the supervisor closed its end or died).
Result<std::optional<Frame>> Receive(int fd);

Frame JobFrame(const ConvertJob& job);
Result<ConvertJob> JobFromFrame(const Frame& frame);

using FileIds = std::set<std::pair<uint64_t, uint64_t>>;
Frame InputsFrame(const FileIds& ids);
Result<FileIds> InputsFromFrame(const Frame& frame);

}  // namespace pixflow::pipeline::wire
