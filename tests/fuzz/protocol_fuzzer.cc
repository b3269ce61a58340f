// The worker protocol, from the side that reads what another process wrote: the bytes are a
// stream of frames as the supervisor takes them from a worker (TakeFrame on what has arrived,
// then the kResult fields through RecordFromJson) and as a worker reads them from the
// supervisor (Receive on a pipe, then JobFromFrame / InputsFromFrame). A frame that decodes
// must encode back to the bytes it came from.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "fuzz_check.h"
#include "pixflow/pipeline/image_record.h"
#include "process_protocol.h"

namespace {

namespace wire = pixflow::pipeline::wire;

// What either side does with a frame it has taken off the stream.
void Interpret(const wire::Frame& frame) {
  switch (frame.kind) {
    case wire::Kind::kJob:
      (void)wire::JobFromFrame(frame);
      break;
    case wire::Kind::kInputs:
      (void)wire::InputsFromFrame(frame);
      break;
    case wire::Kind::kResult:
      if (frame.fields.size() == 2) {
        (void)pixflow::pipeline::RecordFromJson(frame.fields[0]);
        (void)std::strtoull(frame.fields[1].c_str(), nullptr, 10);
      }
      break;
    default:
      break;
  }
}

// The supervisor's way: bytes arrive in pieces; each whole frame is taken off the front.
void TakeAll(const std::string& stream) {
  std::string buffer;
  size_t at = 0;
  while (at < stream.size()) {
    // Pieces of 1 to 64 bytes, sized by the data itself, so frames straddle reads.
    const size_t piece =
        std::min<size_t>(stream.size() - at, 1 + static_cast<unsigned char>(stream[at]) % 64);
    buffer.append(stream, at, piece);
    at += piece;
    for (;;) {
      const std::string before = buffer;
      pixflow::Result<std::optional<wire::Frame>> frame = wire::TakeFrame(buffer);
      if (!frame.ok()) return;  // the supervisor drops the worker
      if (!frame->has_value()) break;
      const std::string encoded = wire::Encode(**frame);
      PIXFLOW_FUZZ_CHECK(encoded.size() == before.size() - buffer.size());
      PIXFLOW_FUZZ_CHECK(before.compare(0, encoded.size(), encoded) == 0);
      Interpret(**frame);
    }
  }
}

// The worker's way: blocking reads from a pipe the whole stream was written into.
void ReceiveAll(const std::string& stream) {
  int fds[2];
  PIXFLOW_FUZZ_CHECK(::pipe(fds) == 0);
  // libFuzzer's -max_len keeps inputs far below a pipe's 64 KiB buffer, so this never blocks.
  PIXFLOW_FUZZ_CHECK(::write(fds[1], stream.data(), stream.size()) ==
                     static_cast<ssize_t>(stream.size()));
  ::close(fds[1]);
  for (;;) {
    pixflow::Result<std::optional<wire::Frame>> frame = wire::Receive(fds[0]);
    if (!frame.ok() || !frame->has_value()) break;
    Interpret(**frame);
  }
  ::close(fds[0]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 32768) return 0;
  const std::string stream(reinterpret_cast<const char*>(data), size);
  TakeAll(stream);
  ReceiveAll(stream);
  return 0;
}
