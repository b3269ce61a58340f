#include "pixflow/pipeline/shard.h"

#include <charconv>
#include <limits>

namespace pixflow::pipeline {
namespace {

// The whole of `text` as a non-negative int.
std::optional<int> ParseCount(std::string_view text) {
  int value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// A variable read for the shard, remembered for the message that says where K/N came from.
class Reader {
 public:
  explicit Reader(const EnvironmentLookup& lookup) : lookup_(lookup) {}

  bool Has(const char* name) const { return lookup_(name) != nullptr; }

  // The value as an int; an error naming the variable when it is not one.
  Result<int> Int(const char* name) {
    const char* value = lookup_(name);
    if (value == nullptr) return InvalidArgument(std::string(name) + " is not set");
    const std::optional<int> parsed = ParseCount(value);
    if (!parsed) {
      return InvalidArgument(std::string(name) + "='" + value + "' is not a non-negative number");
    }
    if (!source_.empty()) source_ += ", ";
    source_.append(name).append("=").append(value);
    return *parsed;
  }

  // The shard read, checked; the error names every variable read.
  Result<ShardOrigin> Done(int index, int count) {
    if (count <= 0 || index < 0 || index >= count) {
      return InvalidArgument("shard from the environment is out of range (" + source_ +
                             "): need 0 <= K < N");
    }
    return ShardOrigin{Shard{index, count}, source_};
  }

 private:
  const EnvironmentLookup& lookup_;
  std::string source_;
};

Result<ShardOrigin> FromSlurmArray(Reader& env) {
  PIXFLOW_ASSIGN_OR_RETURN(const int id, env.Int("SLURM_ARRAY_TASK_ID"));
  PIXFLOW_ASSIGN_OR_RETURN(const int count, env.Int("SLURM_ARRAY_TASK_COUNT"));
  int min = 0, step = 1;
  if (env.Has("SLURM_ARRAY_TASK_MIN")) {
    PIXFLOW_ASSIGN_OR_RETURN(min, env.Int("SLURM_ARRAY_TASK_MIN"));
  }
  if (env.Has("SLURM_ARRAY_TASK_STEP")) {
    PIXFLOW_ASSIGN_OR_RETURN(step, env.Int("SLURM_ARRAY_TASK_STEP"));
  }
  // An array with gaps (--array=0,2,7) has no step that maps ids onto 0..N-1.
  if (step <= 0 || id < min || (id - min) % step != 0) {
    return env.Done(-1, count);
  }
  return env.Done((id - min) / step, count);
}

Result<ShardOrigin> FromPair(Reader& env, const char* index_name, const char* count_name) {
  PIXFLOW_ASSIGN_OR_RETURN(const int index, env.Int(index_name));
  PIXFLOW_ASSIGN_OR_RETURN(const int count, env.Int(count_name));
  return env.Done(index, count);
}

Result<ShardOrigin> FromKubernetes(Reader& env, int shard_count) {
  PIXFLOW_ASSIGN_OR_RETURN(const int index, env.Int("JOB_COMPLETION_INDEX"));
  if (shard_count > 0) {
    Result<ShardOrigin> origin = env.Done(index, shard_count);
    if (origin.ok()) origin->source += ", --shard-count=" + std::to_string(shard_count);
    return origin;
  }
  if (!env.Has("JOB_COMPLETIONS")) {
    return InvalidArgument(
        "JOB_COMPLETION_INDEX is set (a Kubernetes indexed Job) but the number of completions "
        "is not: pass --shard-count N (the Job's spec.completions) or set JOB_COMPLETIONS");
  }
  PIXFLOW_ASSIGN_OR_RETURN(const int count, env.Int("JOB_COMPLETIONS"));
  return env.Done(index, count);
}

}  // namespace

uint64_t Fnv1a64(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV offset basis
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;  // FNV prime
  }
  return hash;
}

int ShardOf(const std::filesystem::path& relative, int count) {
  if (count <= 1) return 0;
  return static_cast<int>(Fnv1a64(relative.generic_string()) % static_cast<uint64_t>(count));
}

Result<Shard> ParseShard(std::string_view text) {
  const size_t slash = text.find('/');
  const std::optional<int> index =
      slash == std::string_view::npos ? std::nullopt : ParseCount(text.substr(0, slash));
  const std::optional<int> count =
      slash == std::string_view::npos ? std::nullopt : ParseCount(text.substr(slash + 1));
  if (!index || !count || *count == 0 || *index >= *count) {
    return InvalidArgument("--shard '" + std::string(text) +
                           "': expected K/N with 0 <= K < N, e.g. 0/4 for the first of 4");
  }
  return Shard{*index, *count};
}

Result<std::optional<ShardOrigin>> ShardFromEnvironment(int shard_count,
                                                        const EnvironmentLookup& lookup) {
  Reader env(lookup);
  std::optional<Result<ShardOrigin>> found;
  if (env.Has("SLURM_ARRAY_TASK_ID")) {
    found = FromSlurmArray(env);
  } else if (env.Has("SLURM_PROCID") && env.Has("SLURM_STEP_NUM_TASKS")) {
    found = FromPair(env, "SLURM_PROCID", "SLURM_STEP_NUM_TASKS");
  } else if (env.Has("JOB_COMPLETION_INDEX")) {
    found = FromKubernetes(env, shard_count);
  } else if (env.Has("OMPI_COMM_WORLD_RANK")) {
    found = FromPair(env, "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE");
  } else if (env.Has("PMI_RANK")) {
    found = FromPair(env, "PMI_RANK", "PMI_SIZE");
  }
  if (shard_count > 0 && !env.Has("JOB_COMPLETION_INDEX")) {
    return InvalidArgument(
        "--shard-count is the completion count of a Kubernetes indexed Job; "
        "JOB_COMPLETION_INDEX is not set (use --shard K/N to choose a shard by hand)");
  }
  if (!found) return std::optional<ShardOrigin>();
  if (!found->ok()) return found->status();
  return std::optional<ShardOrigin>(std::move(**found));
}

std::string ExpandShardPattern(std::string_view pattern, const Shard& shard) {
  static constexpr std::string_view kField = "{shard}";
  std::string out;
  size_t at = 0;
  for (size_t found = pattern.find(kField); found != std::string_view::npos;
       found = pattern.find(kField, at)) {
    out.append(pattern.substr(at, found - at)).append(std::to_string(shard.index));
    at = found + kField.size();
  }
  out.append(pattern.substr(at));
  return out;
}

}  // namespace pixflow::pipeline
