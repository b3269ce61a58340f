// Writing a file so that its final name holds either nothing (or the previous file) or the
// complete new contents: never a partial or zero-byte file, whatever happens part-way — an
// error, a full disk, a kill -9, a power cut after Commit returned.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "pixflow/filters/status.h"

namespace pixflow::io {

// Where the file system allows it (Linux O_TMPFILE: ext4, xfs, btrfs, tmpfs), the data goes to
// an unnamed file in the destination folder, which the kernel reclaims if the process dies
// before Commit, so a kill -9 leaves nothing behind at all. Elsewhere it goes to a hidden
// ".<name>.pixflow-XXXXXX" in the same folder, removed on every error path (a kill -9 can leave
// that one behind, never the final name). Commit flushes the data, puts it under the final name
// in one step (link or rename in the same folder), then flushes the folder so the name survives
// a power cut. Not copyable; movable. Destroying an uncommitted writer discards its data. One
// writer belongs to one thread at a time; writers of different files run concurrently.
class AtomicFileWriter {
 public:
  // What Commit does when the final name already exists.
  enum class Existing {
    kReplace,  // atomically replace it
    kKeep,     // fail (kIoError "already exists") and leave it untouched, without a race
  };

  // Where the data waits until Commit.
  enum class Staging {
    kAuto,        // an unnamed O_TMPFILE file where supported, else a hidden named file
    kHiddenFile,  // always the hidden named file (what file systems without O_TMPFILE get)
  };

  // Creates the staging file in `path`'s folder (which must exist). Errors name `path`.
  static Result<AtomicFileWriter> Open(const std::filesystem::path& path,
                                       Existing existing = Existing::kReplace,
                                       Staging staging = Staging::kAuto);

  AtomicFileWriter(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter& operator=(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter();

  // Appends `bytes`. After a failed Write the writer is discarded: later calls fail.
  Status Write(std::span<const uint8_t> bytes);
  // Makes the written bytes the file at `path`. Once only; on failure nothing is left behind.
  Status Commit();

  const std::filesystem::path& path() const { return path_; }

 private:
  AtomicFileWriter(std::filesystem::path path, Existing existing, int fd, std::string temp_path);
  Status Fail(const char* what);  // discards the data and returns kIoError naming path and errno
  void Discard();
  Status PlaceUnnamedFile();  // O_TMPFILE: link the open file under the final name
  Status PlaceNamedFile();    // fallback: rename or link the hidden file onto the final name

  std::filesystem::path path_;
  Existing existing_ = Existing::kReplace;
  int fd_ = -1;
  std::string temp_path_;  // the hidden file's name; empty for an unnamed (O_TMPFILE) file
};

// Open, Write, Commit in one call.
Status WriteFileAtomically(
    const std::filesystem::path& path, std::span<const uint8_t> bytes,
    AtomicFileWriter::Existing existing = AtomicFileWriter::Existing::kReplace);

}  // namespace pixflow::io
