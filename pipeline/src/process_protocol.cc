#include "process_protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pixflow::pipeline::wire {
namespace {

void PutU32(std::string& out, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

void PutU64(std::string& out, uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

uint64_t GetLittleEndian(const char* bytes, int count) {
  uint64_t value = 0;
  for (int i = count - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

Status Malformed(const char* what) {
  return Status(StatusCode::kInternal, std::string("worker protocol: ") + what);
}

Status SystemError(const char* what) {
  std::string message = "worker protocol: ";
  message.append(what).append(": ").append(std::strerror(errno));
  return Status(StatusCode::kIoError, std::move(message));
}

// Reads exactly `size` bytes; false at end of file before the first byte.
Result<bool> ReadExactly(int fd, char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SystemError("read");
    if (n == 0) {
      if (done == 0) return false;
      return Malformed("connection closed inside a frame");
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string Encode(const Frame& frame) {
  std::string body(1, static_cast<char>(frame.kind));
  for (const std::string& field : frame.fields) {
    PutU32(body, static_cast<uint32_t>(field.size()));
    body.append(field);
  }
  std::string out;
  out.reserve(4 + body.size());
  PutU32(out, static_cast<uint32_t>(body.size()));
  out.append(body);
  return out;
}

Result<std::optional<Frame>> TakeFrame(std::string& buffer) {
  if (buffer.size() < 4) return std::optional<Frame>();
  const uint64_t length = GetLittleEndian(buffer.data(), 4);
  if (length == 0 || length > kMaxFrameBytes) return Malformed("bad frame length");
  if (buffer.size() < 4 + length) return std::optional<Frame>();
  Frame frame;
  frame.kind = static_cast<Kind>(buffer[4]);
  size_t at = 5;
  const size_t end = 4 + length;
  while (at < end) {
    if (end - at < 4) return Malformed("truncated field length");
    const uint64_t size = GetLittleEndian(buffer.data() + at, 4);
    at += 4;
    if (end - at < size) return Malformed("field longer than its frame");
    frame.fields.emplace_back(buffer.data() + at, size);
    at += size;
  }
  buffer.erase(0, end);
  return std::optional<Frame>(std::move(frame));
}

Status Send(int fd, const Frame& frame) {
  const std::string bytes = Encode(frame);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SystemError("send");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<std::optional<Frame>> Receive(int fd) {
  char header[4];
  PIXFLOW_ASSIGN_OR_RETURN(const bool got, ReadExactly(fd, header, sizeof header));
  if (!got) return std::optional<Frame>();
  const uint64_t length = GetLittleEndian(header, 4);
  if (length == 0 || length > kMaxFrameBytes) return Malformed("bad frame length");
  // The body grows as it arrives, a chunk at a time: a corrupt length costs the bytes the peer
  // actually sent, not the up-to-1-GiB allocation it claims (found by tests/fuzz/protocol_fuzzer).
  constexpr size_t kChunkBytes = 64 << 10;  // a pipe's whole buffer per read at most
  std::string buffer(header, sizeof header);
  while (buffer.size() < 4 + length) {
    const size_t at = buffer.size();
    const size_t chunk = std::min<size_t>(kChunkBytes, 4 + length - at);
    buffer.resize(at + chunk);
    PIXFLOW_ASSIGN_OR_RETURN(const bool arrived, ReadExactly(fd, buffer.data() + at, chunk));
    if (!arrived) return Malformed("connection closed inside a frame");
  }
  PIXFLOW_ASSIGN_OR_RETURN(std::optional<Frame> frame, TakeFrame(buffer));
  return frame;
}

Frame JobFrame(const ConvertJob& job) {
  Frame frame{Kind::kJob, {job.input.path, job.input.relative}};
  frame.fields.insert(frame.fields.end(), job.outputs.begin(), job.outputs.end());
  return frame;
}

Result<ConvertJob> JobFromFrame(const Frame& frame) {
  if (frame.kind != Kind::kJob || frame.fields.size() < 2) return Malformed("expected a job");
  ConvertJob job;
  job.input.path = frame.fields[0];
  job.input.relative = frame.fields[1];
  job.outputs.assign(frame.fields.begin() + 2, frame.fields.end());
  return job;
}

Frame InputsFrame(const FileIds& ids) {
  std::string packed;
  packed.reserve(16 * ids.size());
  for (const auto& [device, inode] : ids) {
    PutU64(packed, device);
    PutU64(packed, inode);
  }
  return Frame{Kind::kInputs, {std::move(packed)}};
}

Result<FileIds> InputsFromFrame(const Frame& frame) {
  if (frame.kind != Kind::kInputs || frame.fields.size() != 1 || frame.fields[0].size() % 16 != 0) {
    return Malformed("expected the input ids");
  }
  FileIds ids;
  const std::string& packed = frame.fields[0];
  for (size_t at = 0; at < packed.size(); at += 16) {
    ids.emplace(GetLittleEndian(packed.data() + at, 8), GetLittleEndian(packed.data() + at + 8, 8));
  }
  return ids;
}

}  // namespace pixflow::pipeline::wire
