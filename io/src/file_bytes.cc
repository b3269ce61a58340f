#include "pixflow/io/file_bytes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "pixflow/filters/image.h"

namespace pixflow::io {
namespace {

Status ReadError(const std::filesystem::path& path, const char* what) {
  std::string message = path.string();
  message.append(": ").append(what).append(": ").append(std::strerror(errno));
  return Status(StatusCode::kIoError, std::move(message));
}

// Closes the descriptor on every path out.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

void FileBytes::Release::operator()(std::byte* p) const {
#if defined(__SANITIZE_ADDRESS__)
  std::free(p);
#else
  munmap(p, length);
#endif
}

Result<FileBytes> FileBytes::Allocate(size_t size) {
  // Whole pages, and at least one: an empty file still has a valid pointer.
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t length = std::max((size + page - 1) / page * page, page);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer guards heap blocks, not mappings: a read past the file's last byte is
  // caught there.
  auto* const p = static_cast<std::byte*>(std::malloc(std::max<size_t>(size, 1)));
#else
  // Populated as image buffers are: faulting the pages in one at a time costs fifteen times as
  // much on a virtual machine (pixflow/filters/image.cc).
  std::byte* const p = pixflow::internal::MapPopulated(length);
#endif
  if (p == nullptr) {
    return Status(StatusCode::kLimitExceeded,
                  "out of memory for " + std::to_string(size) + " bytes");
  }
  FileBytes bytes;
  bytes.buffer_ = std::unique_ptr<std::byte[], Release>(p, Release{length});
  bytes.size_ = size;
  return bytes;
}

Result<FileBytes> ReadFileBytes(const std::filesystem::path& path, uint64_t max_bytes) {
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) return ReadError(path, "cannot open");
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) return ReadError(path, "cannot stat");
  if (!S_ISREG(st.st_mode)) {
    return Status(StatusCode::kIoError, path.string() + ": not a regular file");
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  if (max_bytes != 0 && size > max_bytes) {
    return Status(StatusCode::kLimitExceeded, path.string() + ": " + std::to_string(size) +
                                                  " bytes, over the limit of " +
                                                  std::to_string(max_bytes));
  }
  Result<FileBytes> bytes = FileBytes::Allocate(size);
  if (!bytes.ok()) return bytes.status().WithContext(path.string());
  size_t done = 0;
  while (done < size) {
    const ssize_t got = ::read(file.get(), bytes->data() + done, size - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ReadError(path, "read failed");
    if (got == 0) {
      // The file shrank while being read (another program rewriting it): what was read is not
      // the file it said it was.
      return Status(StatusCode::kIoError, path.string() + ": file shrank while being read");
    }
    done += static_cast<size_t>(got);
  }
  return bytes;
}

}  // namespace pixflow::io
