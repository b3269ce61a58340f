#include "pixflow/io/atomic_file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <utility>

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

// What a finished image gets, less the umask: what any program creating a file asks for.
constexpr mode_t kFileMode = 0666;

fs::path FolderOf(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : ".";
}

std::string ErrnoText() { return std::strerror(errno); }

// The hidden name beside `path` for a file being written: ".<name>.pixflow-" + `suffix`.
std::string HiddenName(const fs::path& path, const std::string& suffix) {
  std::string name(1, '.');
  name.append(path.filename().string()).append(".pixflow-").append(suffix);
  return (FolderOf(path) / name).string();
}

std::string RandomSuffix() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kDigits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string suffix(8, 'x');
  for (char& c : suffix) c = kDigits[rng() % (sizeof(kDigits) - 1)];
  return suffix;
}

// The process's umask, which umask(2) cannot read without changing it (a race with every other
// thread creating files); Linux lists it in /proc/self/status since 4.7. Without that line, the
// most common umask is assumed.
mode_t CurrentUmask() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Umask:", 0) == 0)
      return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
  }
  return 022;
}

std::string ProcFdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// Flushes the folder entry, so a rename or link survives a power cut.
void SyncFolder(const fs::path& folder) {
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace

Result<AtomicFileWriter> AtomicFileWriter::Open(const fs::path& path, Existing existing,
                                                Staging staging) {
  const fs::path folder = FolderOf(path);
  if (path.filename().empty()) {
    return Status(StatusCode::kIoError, path.string() + ": not a file name");
  }
  // An unnamed file needs /proc to be linked into place later.
  if (staging == Staging::kAuto && ::access("/proc/self/fd", X_OK) == 0) {
    const int fd = ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, kFileMode);
    if (fd >= 0) return AtomicFileWriter(path, existing, fd, "");
    // Anything but "this file system cannot" (a missing folder, no permission) is the answer.
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      return Status(StatusCode::kIoError, path.string() + ": cannot create a file in " +
                                              folder.string() + ": " + ErrnoText());
    }
  }
  std::string temp = HiddenName(path, "XXXXXX");
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    return Status(StatusCode::kIoError, path.string() + ": cannot create a file in " +
                                            folder.string() + ": " + ErrnoText());
  }
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  // mkstemp made it O_EXCL and 0600: no one else can read it while it is incomplete. Commit
  // gives it its final mode.
  return AtomicFileWriter(path, existing, fd, std::move(temp));
}

AtomicFileWriter::AtomicFileWriter(fs::path path, Existing existing, int fd, std::string temp_path)
    : path_(std::move(path)), existing_(existing), fd_(fd), temp_path_(std::move(temp_path)) {}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& other) noexcept
    : path_(std::move(other.path_)),
      existing_(other.existing_),
      fd_(std::exchange(other.fd_, -1)),
      temp_path_(std::exchange(other.temp_path_, {})) {}

AtomicFileWriter& AtomicFileWriter::operator=(AtomicFileWriter&& other) noexcept {
  if (this != &other) {
    Discard();
    path_ = std::move(other.path_);
    existing_ = other.existing_;
    fd_ = std::exchange(other.fd_, -1);
    temp_path_ = std::exchange(other.temp_path_, {});
  }
  return *this;
}

AtomicFileWriter::~AtomicFileWriter() { Discard(); }

void AtomicFileWriter::Discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  temp_path_.clear();
}

Status AtomicFileWriter::Fail(const char* what) {
  const Status status(StatusCode::kIoError, path_.string() + ": " + what + ": " + ErrnoText());
  Discard();
  return status;
}

Status AtomicFileWriter::Write(std::span<const uint8_t> bytes) {
  if (fd_ < 0) return Status(StatusCode::kIoError, path_.string() + ": write after failure");
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return Fail("write");
    }
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status AtomicFileWriter::PlaceUnnamedFile() {
  const std::string source = ProcFdPath(fd_);
  // A new name takes the file in one step; kKeep relies on link refusing an existing name.
  if (::linkat(AT_FDCWD, source.c_str(), AT_FDCWD, path_.c_str(), AT_SYMLINK_FOLLOW) == 0) {
    return Status::Ok();
  }
  if (errno != EEXIST) return Fail("link into place");
  if (existing_ == Existing::kKeep) {
    Discard();
    return Status(StatusCode::kIoError, path_.string() + ": already exists");
  }
  // Replacing: link under a hidden name, then rename over the old file (rename is atomic).
  // Only a crash between these two calls can leave the hidden name behind.
  temp_path_ = HiddenName(path_, RandomSuffix());
  if (::linkat(AT_FDCWD, source.c_str(), AT_FDCWD, temp_path_.c_str(), AT_SYMLINK_FOLLOW) != 0) {
    temp_path_.clear();
    return Fail("link into place");
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) return Fail("rename into place");
  temp_path_.clear();
  return Status::Ok();
}

Status AtomicFileWriter::PlaceNamedFile() {
  if (existing_ == Existing::kKeep) {
    // link refuses an existing name atomically, where a check-then-rename would race.
    if (::link(temp_path_.c_str(), path_.c_str()) != 0) {
      if (errno == EEXIST) {
        Discard();
        return Status(StatusCode::kIoError, path_.string() + ": already exists");
      }
      return Fail("link into place");
    }
    ::unlink(temp_path_.c_str());
  } else if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return Fail("rename into place");
  }
  temp_path_.clear();
  return Status::Ok();
}

Status AtomicFileWriter::Commit() {
  if (fd_ < 0) return Status(StatusCode::kIoError, path_.string() + ": commit after failure");
  // Data first: a name must never point at blocks that are not on disk yet.
  if (::fsync(fd_) != 0) return Fail("fsync");
  // The whole file is as readable as any the user creates (fchmod, unlike open, ignores the
  // umask). An unnamed file got that mode when it was opened, and no one could reach it since.
  if (!temp_path_.empty() && ::fchmod(fd_, kFileMode & ~CurrentUmask()) != 0) return Fail("chmod");
  const Status placed = temp_path_.empty() ? PlaceUnnamedFile() : PlaceNamedFile();
  if (!placed.ok()) return placed;
  // fsync has already reported any write-back error; closing after it cannot lose data.
  ::close(fd_);
  fd_ = -1;
  SyncFolder(FolderOf(path_));
  return Status::Ok();
}

Status WriteFileAtomically(const fs::path& path, std::span<const uint8_t> bytes,
                           AtomicFileWriter::Existing existing) {
  PIXFLOW_ASSIGN_OR_RETURN(AtomicFileWriter writer, AtomicFileWriter::Open(path, existing));
  PIXFLOW_RETURN_IF_ERROR(writer.Write(bytes));
  return writer.Commit();
}

}  // namespace pixflow::io
