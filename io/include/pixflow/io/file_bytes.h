// Reading a whole file into memory: what the pipeline's read stage does on its I/O threads, so
// decoding (on the compute threads) never waits on the disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "pixflow/filters/status.h"

namespace pixflow::io {

// The file's bytes. kIoError naming the file and the system's reason (missing, a folder,
// unreadable, shorter than it said). Files over `max_bytes` are refused with kLimitExceeded
// before anything is read (0: no limit).
Result<std::vector<uint8_t>> ReadFileBytes(const std::filesystem::path& path,
                                           uint64_t max_bytes = 0);

}  // namespace pixflow::io
