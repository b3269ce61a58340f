// The flags of `pixflow convert` (DESIGN.md's CLI contract) and how they become the pipeline's
// ConvertSettings. Every check that can fail before the first image is made here, so a bad
// command line exits 2 before any work starts.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "pixflow/filters/status.h"
#include "pixflow/io/image_info.h"
#include "pixflow/pipeline/convert.h"

namespace pixflow::cli {

struct ConvertFlags {
  std::vector<std::string> inputs;
  std::string output;
  std::string format = "jpg";
  std::string name;  // empty: the default template
  std::vector<std::string> variants;
  std::string kernel = "lanczos3";
  int jobs = 0;
  int io_threads = 0;
  int max_in_flight = 0;
  bool overwrite = false;
  bool skip_existing = false;
  bool dry_run = false;
  std::string report;
  std::string progress = "auto";
  bool quiet = false;
  bool verbose = false;
  uint64_t max_pixels = io::kDefaultMaxPixels;
  std::string fail_on = "truncated";
  bool allow_untrusted = false;
  bool strip = false;
  std::string keep;  // empty: not given
  bool no_autorotate = false;
  std::string background;  // empty: white
  bool hidden = false;
  int io_latency_ms = 0;
  // --mode processes and sharding (convert_processes.h adds these flags).
  std::string mode = "threads";
  int workers = 0;
  double timeout = 0;
  int retries = 1;
  std::string worker_memory;  // empty: no cap
  std::string shard;          // "K/N"; empty: from the environment, or none
  int shard_count = 0;
  int worker_fd = -1;  // set only in a worker the supervisor spawned
  int worker_parent = 0;
};

// Adds the flags to `app`, writing into `flags`. The op flags are added too; read them back with
// OpsInOrder(*app).
void AddConvertFlags(CLI::App& app, ConvertFlags& flags);

// The settings the flags describe; kInvalidArgument saying which flag is wrong and why.
Result<pipeline::ConvertSettings> MakeConvertSettings(const CLI::App& app,
                                                      const ConvertFlags& flags);

}  // namespace pixflow::cli
