// The worker protocol's reading side on bytes it did not write: frames round-trip, a stream cut
// anywhere is an error rather than a hang or a crash, and a corrupt length costs only the bytes
// that actually arrived.
#include "process_protocol.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

namespace pixflow::pipeline::wire {
namespace {

// Writes `bytes` into a pipe and closes its writing end: Receive sees them, then end of file.
class PipeOf {
 public:
  explicit PipeOf(const std::string& bytes) {
    EXPECT_EQ(::pipe(fds_), 0);
    EXPECT_LT(bytes.size(), 65536u) << "must fit the pipe's buffer";
    EXPECT_EQ(::write(fds_[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fds_[1]);
  }
  ~PipeOf() { ::close(fds_[0]); }
  int fd() const { return fds_[0]; }

 private:
  int fds_[2] = {-1, -1};
};

long PeakRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(ProcessProtocol, FramesRoundTripThroughReceiveAndTakeFrame) {
  const Frame job{Kind::kJob, {"/in/a b.jpg", "a b.jpg", std::string("\xff\0out", 5)}};
  std::string stream = Encode(Frame{Kind::kReady, {}}) + Encode(job);
  PipeOf pipe(stream);
  Result<std::optional<Frame>> ready = Receive(pipe.fd());
  ASSERT_TRUE(ready.ok() && ready->has_value());
  EXPECT_EQ((*ready)->kind, Kind::kReady);
  Result<std::optional<Frame>> received = Receive(pipe.fd());
  ASSERT_TRUE(received.ok() && received->has_value());
  EXPECT_EQ((*received)->fields, job.fields);
  Result<std::optional<Frame>> end = Receive(pipe.fd());
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());

  // TakeFrame waits for the whole frame, then takes exactly it.
  std::string partial = stream.substr(0, stream.size() - 1);
  Result<std::optional<Frame>> first = TakeFrame(partial);
  ASSERT_TRUE(first.ok() && first->has_value());
  Result<std::optional<Frame>> incomplete = TakeFrame(partial);
  ASSERT_TRUE(incomplete.ok());
  EXPECT_FALSE(incomplete->has_value());
}

// tests/fuzz/regressions/protocol_fuzzer/frame-claiming-573-MB, found by the protocol fuzzer:
// a ready frame, an inputs frame, then a header claiming 573,321,274 bytes followed by 613.
// Receive used to allocate (and zero) the claimed size before reading a byte of it.
TEST(ProcessProtocol, ACorruptLengthCostsOnlyTheBytesThatArrived) {
  std::ifstream file(PIXFLOW_FUZZ_REGRESSIONS_DIR "/protocol_fuzzer/frame-claiming-573-MB",
                     std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(file), {}};
  ASSERT_EQ(bytes.size(), 663u);
  const long before = PeakRssKib();
  PipeOf pipe(bytes);
  Result<std::optional<Frame>> ready = Receive(pipe.fd());
  ASSERT_TRUE(ready.ok() && ready->has_value());
  Result<std::optional<Frame>> inputs = Receive(pipe.fd());
  ASSERT_TRUE(inputs.ok() && inputs->has_value());
  Result<std::optional<Frame>> corrupt = Receive(pipe.fd());
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().code(), StatusCode::kInternal);
  EXPECT_NE(corrupt.status().message().find("connection closed inside a frame"), std::string::npos)
      << corrupt.status().message();
  EXPECT_LT(PeakRssKib() - before, 64 * 1024) << "KiB of peak RSS for a 663-byte stream";

  // The supervisor's side waits for the rest, holding only what arrived.
  std::string buffer = bytes;
  ASSERT_TRUE(TakeFrame(buffer).ok());
  ASSERT_TRUE(TakeFrame(buffer).ok());
  Result<std::optional<Frame>> waiting = TakeFrame(buffer);
  ASSERT_TRUE(waiting.ok());
  EXPECT_FALSE(waiting->has_value());
  EXPECT_EQ(buffer.size(), 663u - 46u);
}

TEST(ProcessProtocol, MalformedFramesAreErrors) {
  const std::string cases[] = {
      std::string("\0\0\0\0", 4),                // zero length
      std::string("\xff\xff\xff\xff\3", 5),      // over kMaxFrameBytes
      std::string("\4\0\0\0\3\2\0\0", 8),        // a field length cut short
      std::string("\6\0\0\0\3\x09\0\0\0x", 10),  // a field longer than its frame
  };
  for (const std::string& bad : cases) {
    std::string buffer = bad;
    EXPECT_FALSE(TakeFrame(buffer).ok());
  }
}

}  // namespace
}  // namespace pixflow::pipeline::wire
