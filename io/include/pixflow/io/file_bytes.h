// Reading a whole file into memory: what the pipeline's read stage does on its I/O threads, so
// decoding (on the compute threads) never waits on the disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "pixflow/filters/status.h"

namespace pixflow::io {

// A file's bytes, in a mapping of their own: whole pages, made resident before the read, given
// back to the system when freed. Not the heap: files of 0.1 to 5 MB, a few in flight at a time,
// leave holes that glibc keeps, so a long batch held more memory than a short one. Not the image
// buffer cache either: its 2 MiB rounding suits pixels that filters sweep many times, not bytes
// read once front to back (docs/benchmarks/convert.md, session 9).
class FileBytes {
 public:
  FileBytes() = default;
  // Room for `size` bytes, uninitialised; kLimitExceeded when the memory is not there.
  static Result<FileBytes> Allocate(size_t size);

  uint8_t* data() { return reinterpret_cast<uint8_t*>(buffer_.get()); }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(buffer_.get()); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  operator std::span<const uint8_t>() const { return {data(), size_}; }  // NOLINT: a view

 private:
  struct Release {
    size_t length;  // of the mapping
    void operator()(std::byte* p) const;
  };
  std::unique_ptr<std::byte[], Release> buffer_;
  size_t size_ = 0;
};

// The file's bytes. kIoError naming the file and the system's reason (missing, a folder,
// unreadable, shorter than it said). Files over `max_bytes` are refused with kLimitExceeded
// before anything is read (0: no limit).
Result<FileBytes> ReadFileBytes(const std::filesystem::path& path, uint64_t max_bytes = 0);

}  // namespace pixflow::io
