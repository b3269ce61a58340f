// Sharding a job list across independent launches: `--shard K/N` keeps the K-th of N
// partitions, chosen by a stable hash of each input's relative path, so N launches on any
// machines that see the same files cover every file exactly once, whatever order their walks
// list them in and whatever their mtimes. K and N may come from the launcher's environment
// (Slurm, Kubernetes indexed Jobs, MPI) instead of the command line. Every function is
// thread-safe; the environment is read only through the lookup given (std::getenv by default).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pixflow/filters/status.h"

namespace pixflow::pipeline {

struct Shard {
  int index = 0;  // K, 0-based
  int count = 1;  // N
  friend bool operator==(const Shard&, const Shard&) = default;
};

// FNV-1a, 64 bits, over the bytes of `text`. Written out rather than std::hash, whose value may
// differ between standard libraries, builds and runs: shard membership must not.
uint64_t Fnv1a64(std::string_view text);

// The shard (0..count-1) `relative` belongs to: Fnv1a64 of its generic form ('/' separators, the
// bytes as stored) modulo `count`. The relative path, not the absolute one, so launches that
// mount the same tree at different places agree.
int ShardOf(const std::filesystem::path& relative, int count);

// "K/N" with 0 <= K < N; kInvalidArgument otherwise.
Result<Shard> ParseShard(std::string_view text);

// A shard and where it came from, for --verbose: "--shard", or the variables read, e.g.
// "SLURM_ARRAY_TASK_ID=5, SLURM_ARRAY_TASK_MIN=4, SLURM_ARRAY_TASK_COUNT=4".
struct ShardOrigin {
  Shard shard;
  std::string source;
};

// Reads a variable; returns nullptr when unset. std::getenv by default; tests pass a map.
using EnvironmentLookup = std::function<const char*(const char*)>;

// The shard the launcher's environment assigns, first found in this order:
//   1. Slurm job array: SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT (K = (ID - MIN) / STEP with
//      SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_STEP when set: --array=4-7 gives K 0..3);
//   2. srun tasks: SLURM_PROCID with SLURM_STEP_NUM_TASKS (set by srun for each task, unlike
//      SLURM_NTASKS, which a batch script also has without being one of several tasks);
//   3. Kubernetes indexed Job: JOB_COMPLETION_INDEX, with N from `shard_count` (--shard-count)
//      or JOB_COMPLETIONS: the Job controller sets only the index;
//   4. Open MPI: OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE;
//   5. PMI (MPICH, Intel MPI, srun --mpi=pmi2): PMI_RANK, PMI_SIZE.
// nullopt when none is set. kInvalidArgument naming the variables when one is set but malformed
// or incomplete (a launcher misconfigured must not silently convert everything N times).
// `shard_count` given without JOB_COMPLETION_INDEX is an error too.
Result<std::optional<ShardOrigin>> ShardFromEnvironment(
    int shard_count = 0, const EnvironmentLookup& lookup = [](const char* name) {
      return static_cast<const char*>(std::getenv(name));
    });

// `pattern` with every "{shard}" replaced by K (just `pattern` when it has none). N launches
// writing one report each use it: --report 'report-{shard}.json'.
std::string ExpandShardPattern(std::string_view pattern, const Shard& shard);

}  // namespace pixflow::pipeline
