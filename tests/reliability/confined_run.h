// Running pixflow under conditions a test cannot set for itself without affecting every other
// test in the binary: a file-size limit (RLIMIT_FSIZE, the portable stand-in for a full disk),
// another user (root ignores folder permissions) and another umask.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pixflow_process.h"

namespace pixflow::test {

struct Confinement {
  uint64_t max_file_bytes = 0;  // RLIMIT_FSIZE; 0: unchanged
  bool as_nobody = false;       // drop to uid/gid 65534 first (only when running as root)
  std::optional<mode_t> umask;  // the child's umask; unset: inherited
};

// Runs `pixflow args...` confined, with stdout and stderr through files in `scratch`, and
// waits for it.
ProcessResult RunPixflowConfined(const std::vector<std::string>& args, const Confinement& limits,
                                 const std::filesystem::path& scratch);

}  // namespace pixflow::test
