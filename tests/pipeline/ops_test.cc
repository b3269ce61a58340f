// convert's op list: parsing and its errors, the chain each image gets, shrink-on-load targets,
// and that `pixflow filters` (ListOps) lists exactly what is accepted.
#include "pixflow/pipeline/ops.h"

#include <gtest/gtest.h>

#include <map>

#include "test_util.h"

namespace pixflow::pipeline {
namespace {

Result<OpList> Parse(std::vector<OpText> ops) { return OpList::Parse(ops); }

TEST(Ops, ChainFollowsCommandLineOrderAndResolvesGeometryPerImage) {
  Result<OpList> ops = Parse({{"resize", "800x"},
                              {"rotate", "90"},
                              {"crop", "100x50+10+20"},
                              {"sharpen", "1"},
                              {"grayscale", ""}});
  ASSERT_TRUE(ops.ok()) << ops.status().message();
  EXPECT_EQ(ops->Describe(),
            "--resize 800x --rotate 90 --crop 100x50+10+20 --sharpen 1 --grayscale");
  Result<FilterChain> chain = ops->BuildChain({1600, 1067, 3});
  ASSERT_TRUE(chain.ok()) << chain.status().message();
  EXPECT_EQ(chain->size(), 5u);
  EXPECT_EQ(*chain->OutputSize({1600, 1067, 3}), (Size{100, 50, 1}));
  // A portrait image gets its own resize.
  Result<FilterChain> portrait = ops->BuildChain({1067, 1600, 3});
  ASSERT_TRUE(portrait.ok());
  EXPECT_EQ(*portrait->PlanSizes({1067, 1600, 3}).value().begin(), (Size{800, 1200, 3}));
}

TEST(Ops, RunningTheChainProducesThoseSizes) {
  Result<OpList> ops = Parse({{"resize", "50%"}, {"flip", ""}, {"blur", "1.5"}});
  ASSERT_TRUE(ops.ok());
  Image8 image = test::SceneImage(300, 200, 3);
  Result<FilterChain> chain = ops->BuildChain(image.size());
  ASSERT_TRUE(chain.ok());
  Result<Image8> out = chain->Run(image.view());
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->size(), (Size{150, 100, 3}));
}

TEST(Ops, NoOpResizeAddsNoFilter) {
  Result<OpList> ops = Parse({{"resize", "800x600>"}});
  ASSERT_TRUE(ops.ok());
  Result<FilterChain> chain = ops->BuildChain({640, 480, 3});
  ASSERT_TRUE(chain.ok());
  EXPECT_TRUE(chain->empty());
}

TEST(Ops, LeadingDownscaleIsTheShrinkOnLoadTarget) {
  EXPECT_EQ(Parse({{"resize", "800x"}, {"blur", "1"}})->LeadingDownscale({3200, 2000, 3}),
            (Size{800, 500, 3}));
  EXPECT_EQ(Parse({{"resize", "50%"}, {"resize", "50%"}})->LeadingDownscale({400, 400, 3}),
            (Size{100, 100, 3}));
  // An enlargement, or an op before the resize, means the full image must be decoded.
  EXPECT_EQ(Parse({{"resize", "200%"}})->LeadingDownscale({400, 400, 3}), (Size{400, 400, 3}));
  EXPECT_EQ(Parse({{"crop", "10x10+0+0"}, {"resize", "5x"}})->LeadingDownscale({40, 40, 3}),
            (Size{40, 40, 3}));
  EXPECT_EQ(Parse({})->LeadingDownscale({40, 30, 3}), (Size{40, 30, 3}));
}

TEST(Ops, BadOpsNameTheFlagAndArgument) {
  const std::vector<std::pair<OpText, std::string>> cases = {
      {{"resize", "big"}, "--resize 'big'"},
      {{"rotate", "45"}, "--rotate '45'"},
      {{"blur", "-1"}, "--blur '-1'"},
      {{"blur", "abc"}, "--blur 'abc'"},
      {{"blur", ""}, "--blur needs a SIGMA"},
      {{"flip", "x"}, "--flip takes no value"},
      {{"median", "4"}, "--median '4'"},
      {{"crop", "10x"}, "--crop '10x'"},
      {{"frobnicate", ""}, "unknown op --frobnicate"}};
  for (const auto& [op, expected] : cases) {
    Result<OpList> ops = Parse({op});
    ASSERT_FALSE(ops.ok()) << op.name << " " << op.argument;
    EXPECT_NE(ops.status().message().find(expected), std::string::npos) << ops.status().message();
  }
}

TEST(Ops, CropIsClippedAndRefusedOutsideTheImage) {
  Result<OpList> ops = Parse({{"crop", "100x100+50+50"}});
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(*ops->BuildChain({120, 80, 3})->OutputSize({120, 80, 3}), (Size{70, 30, 3}));
  Result<FilterChain> outside = ops->BuildChain({40, 40, 3});
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.status().message().find("outside the 40x40 image"), std::string::npos);
  EXPECT_EQ(*Parse({{"crop", "10x20"}})->BuildChain({100, 100, 3})->OutputSize({100, 100, 3}),
            (Size{10, 20, 3}));
}

// A valid argument for each kind of value the ops take.
std::string SampleArgument(const std::string& kind) {
  static const std::map<std::string, std::string> kSamples = {
      {"", ""}, {"GEOMETRY", "10x"}, {"WxH+X+Y", "4x4+0+0"}, {"DEGREES", "90"}, {"SIZE", "3"}};
  auto it = kSamples.find(kind);
  return it == kSamples.end() ? std::string("1") : it->second;
}

TEST(Ops, EveryListedOpParses) {
  for (const OpInfo& info : ListOps()) {
    const std::string argument = SampleArgument(info.argument);
    Result<OpList> ops = Parse({{info.name, argument}});
    EXPECT_TRUE(ops.ok()) << info.name << ": " << ops.status().message();
    EXPECT_FALSE(info.description.empty()) << info.name;
    if (ops.ok()) {
      Image8 image = test::SceneImage(16, 12, 3);
      Result<FilterChain> chain = ops->BuildChain(image.size());
      ASSERT_TRUE(chain.ok()) << info.name << ": " << chain.status().message();
      EXPECT_TRUE(chain->Run(image.view()).ok()) << info.name;
    }
  }
}

}  // namespace
}  // namespace pixflow::pipeline
