#include "pixflow/pipeline/shard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace pixflow::pipeline {
namespace {

using Variables = std::map<std::string, std::string>;

Result<std::optional<ShardOrigin>> FromVariables(const Variables& variables, int shard_count = 0) {
  return ShardFromEnvironment(shard_count, [&](const char* name) -> const char* {
    const auto it = variables.find(name);
    return it == variables.end() ? nullptr : it->second.c_str();
  });
}

std::vector<std::string> SomePaths() {
  std::vector<std::string> paths;
  for (int i = 0; i < 1000; ++i) {
    paths.push_back("2024/" + std::to_string(i % 12) + "/IMG_" + std::to_string(i) + ".jpg");
  }
  return paths;
}

TEST(ShardTest, Fnv1aMatchesThePublishedVectors) {
  // From the FNV reference (Landon Curt Noll's test suite): the empty string and "a".
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(ShardTest, EveryPathIsInExactlyOneShardAndShardsAreBalanced) {
  const std::vector<std::string> paths = SomePaths();
  for (const int count : {1, 2, 3, 4, 7, 16}) {
    std::vector<int> sizes(count);
    for (const std::string& path : paths) {
      const int shard = ShardOf(path, count);
      ASSERT_GE(shard, 0);
      ASSERT_LT(shard, count);
      ++sizes[shard];
    }
    // Each path got one shard by construction; what can go wrong is the spread.
    for (const int size : sizes) EXPECT_GT(size, 1000 / count / 2) << count;
  }
}

TEST(ShardTest, MembershipDependsOnThePathOnlyNotOnOrder) {
  std::vector<std::string> paths = SomePaths();
  std::map<std::string, int> first;
  for (const std::string& path : paths) first[path] = ShardOf(path, 4);
  std::shuffle(paths.begin(), paths.end(), std::mt19937(7));
  for (const std::string& path : paths) EXPECT_EQ(ShardOf(path, 4), first[path]);
  // Fixed values: a change of hash would silently re-partition users' running batches.
  EXPECT_EQ(ShardOf("a.jpg", 4), static_cast<int>(Fnv1a64("a.jpg") % 4));
  EXPECT_EQ(ShardOf("2024/IMG_0001.jpg", 1000),
            static_cast<int>(Fnv1a64("2024/IMG_0001.jpg") % 1000));
}

TEST(ShardTest, ParsesKOfN) {
  ASSERT_TRUE(ParseShard("2/4").ok());
  EXPECT_EQ(*ParseShard("2/4"), (Shard{2, 4}));
  EXPECT_EQ(*ParseShard("0/1"), (Shard{0, 1}));
  for (const char* bad : {"4/4", "1/0", "-1/4", "2", "a/b", "2/4x", "", "/4", "2/"}) {
    EXPECT_FALSE(ParseShard(bad).ok()) << bad;
  }
}

TEST(ShardTest, NoLauncherMeansNoShard) {
  const auto shard = FromVariables({{"HOME", "/root"}});
  ASSERT_TRUE(shard.ok());
  EXPECT_FALSE(shard->has_value());
}

TEST(ShardTest, SlurmArrayMapsTaskIdsFromTheirMinimum) {
  auto shard = FromVariables({{"SLURM_ARRAY_TASK_ID", "2"},
                              {"SLURM_ARRAY_TASK_COUNT", "4"},
                              {"SLURM_ARRAY_TASK_MIN", "0"},
                              {"SLURM_PROCID", "0"}});
  ASSERT_TRUE(shard.ok() && shard->has_value());
  EXPECT_EQ((*shard)->shard, (Shard{2, 4}));
  EXPECT_NE((*shard)->source.find("SLURM_ARRAY_TASK_ID=2"), std::string::npos);
  // --array=4-7
  shard = FromVariables({{"SLURM_ARRAY_TASK_ID", "5"},
                         {"SLURM_ARRAY_TASK_COUNT", "4"},
                         {"SLURM_ARRAY_TASK_MIN", "4"}});
  EXPECT_EQ((*shard)->shard, (Shard{1, 4}));
  // --array=1-7:2 (1, 3, 5, 7)
  shard = FromVariables({{"SLURM_ARRAY_TASK_ID", "7"},
                         {"SLURM_ARRAY_TASK_COUNT", "4"},
                         {"SLURM_ARRAY_TASK_MIN", "1"},
                         {"SLURM_ARRAY_TASK_STEP", "2"}});
  EXPECT_EQ((*shard)->shard, (Shard{3, 4}));
  // --array=0,2,9: ids that no step maps onto 0..N-1
  EXPECT_FALSE(FromVariables({{"SLURM_ARRAY_TASK_ID", "9"}, {"SLURM_ARRAY_TASK_COUNT", "3"}}).ok());
  EXPECT_FALSE(FromVariables({{"SLURM_ARRAY_TASK_ID", "1"}}).ok());  // count missing
}

TEST(ShardTest, SrunTasks) {
  const auto shard =
      FromVariables({{"SLURM_PROCID", "3"}, {"SLURM_STEP_NUM_TASKS", "8"}, {"SLURM_NTASKS", "8"}});
  ASSERT_TRUE(shard.ok() && shard->has_value());
  EXPECT_EQ((*shard)->shard, (Shard{3, 8}));
  // A batch script has SLURM_PROCID and SLURM_NTASKS without being one of several tasks.
  const auto batch = FromVariables({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}});
  ASSERT_TRUE(batch.ok());
  EXPECT_FALSE(batch->has_value());
}

TEST(ShardTest, KubernetesIndexNeedsTheCompletionCount) {
  const Variables index = {{"JOB_COMPLETION_INDEX", "3"}};
  const auto missing = FromVariables(index);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--shard-count"), std::string::npos);
  const auto flag = FromVariables(index, 5);
  ASSERT_TRUE(flag.ok() && flag->has_value());
  EXPECT_EQ((*flag)->shard, (Shard{3, 5}));
  EXPECT_NE((*flag)->source.find("--shard-count=5"), std::string::npos);
  const auto variable = FromVariables({{"JOB_COMPLETION_INDEX", "3"}, {"JOB_COMPLETIONS", "4"}});
  EXPECT_EQ((*variable)->shard, (Shard{3, 4}));
  EXPECT_FALSE(FromVariables(index, 3).ok());            // index out of range
  EXPECT_FALSE(FromVariables({{"HOME", "/"}}, 3).ok());  // --shard-count with no index
}

TEST(ShardTest, MpiLaunchers) {
  const auto ompi = FromVariables({{"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "4"}});
  EXPECT_EQ((*ompi)->shard, (Shard{1, 4}));
  EXPECT_EQ((*ompi)->source, "OMPI_COMM_WORLD_RANK=1, OMPI_COMM_WORLD_SIZE=4");
  const auto pmi = FromVariables({{"PMI_RANK", "0"}, {"PMI_SIZE", "2"}});
  EXPECT_EQ((*pmi)->shard, (Shard{0, 2}));
  EXPECT_FALSE(FromVariables({{"PMI_RANK", "x"}, {"PMI_SIZE", "2"}}).ok());
  EXPECT_FALSE(FromVariables({{"OMPI_COMM_WORLD_RANK", "4"}, {"OMPI_COMM_WORLD_SIZE", "4"}}).ok());
}

TEST(ShardTest, ExpandsShardInReportNames) {
  EXPECT_EQ(ExpandShardPattern("r-{shard}.json", Shard{3, 4}), "r-3.json");
  EXPECT_EQ(ExpandShardPattern("{shard}/{shard}.json", Shard{1, 2}), "1/1.json");
  EXPECT_EQ(ExpandShardPattern("report.json", Shard{1, 2}), "report.json");
}

}  // namespace
}  // namespace pixflow::pipeline
