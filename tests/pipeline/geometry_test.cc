// --resize geometry: every ImageMagick form, resolved against landscape, portrait and square
// inputs, with ImageMagick's rounding; malformed text gives an error that names it.
#include "pixflow/pipeline/geometry.h"

#include <gtest/gtest.h>

#include <limits>

#include "pixflow/pipeline/ops.h"

namespace pixflow::pipeline {
namespace {

Size Resolve(const char* text, int w, int h) {
  Result<Geometry> g = ParseGeometry(text);
  EXPECT_TRUE(g.ok()) << text << ": " << g.status().message();
  if (!g.ok()) return {};
  return g->Resolve({w, h, 3});
}

TEST(Geometry, WidthOrHeightOnlyKeepsAspect) {
  EXPECT_EQ(Resolve("800x", 1600, 1067), (Size{800, 534, 3}));  // 533.5 rounds up, as in IM
  EXPECT_EQ(Resolve("x600", 1600, 1067), (Size{900, 600, 3}));  // 899.7
  EXPECT_EQ(Resolve("800x", 400, 300), (Size{800, 600, 3}));    // enlarges when asked
  EXPECT_EQ(Resolve("10x", 4000, 100), (Size{10, 1, 3}));       // never below 1
}

TEST(Geometry, FitCoverExact) {
  EXPECT_EQ(Resolve("800x600", 1600, 1067), (Size{800, 534, 3}));
  EXPECT_EQ(Resolve("800x600", 1067, 1600), (Size{400, 600, 3}));  // portrait: height binds
  EXPECT_EQ(Resolve("800x600^", 1600, 1067), (Size{900, 600, 3}));
  EXPECT_EQ(Resolve("800x600^", 1067, 1600), (Size{800, 1200, 3}));
  EXPECT_EQ(Resolve("800x600!", 1600, 1067), (Size{800, 600, 3}));
  EXPECT_EQ(Resolve("300x300", 1000, 1000), (Size{300, 300, 3}));
}

TEST(Geometry, ShrinkOnlyAndEnlargeOnly) {
  EXPECT_EQ(Resolve("800x600>", 1600, 1067), (Size{800, 534, 3}));
  EXPECT_EQ(Resolve("800x600>", 640, 480), (Size{640, 480, 3}));  // already fits: unchanged
  EXPECT_EQ(Resolve("800x600<", 640, 480), (Size{800, 600, 3}));
  EXPECT_EQ(Resolve("800x600<", 1600, 1067), (Size{1600, 1067, 3}));
}

TEST(Geometry, Percentages) {
  EXPECT_EQ(Resolve("50%", 1600, 1067), (Size{800, 534, 3}));
  EXPECT_EQ(Resolve("200%", 3, 2), (Size{6, 4, 3}));
  EXPECT_EQ(Resolve("50x25%", 1600, 1000), (Size{800, 250, 3}));
  EXPECT_EQ(Resolve("12.5%", 800, 800), (Size{100, 100, 3}));
}

TEST(Geometry, MalformedTextIsRejectedWithItsName) {
  for (const char* bad : {"", "x", "800", "axb", "800x600x", "-5x", "0x0", "0x10", "800x^", "%",
                          "0%", "x600!", "70000x", "12..5%", "800x600^^"}) {
    Result<Geometry> g = ParseGeometry(bad);
    EXPECT_FALSE(g.ok()) << "'" << bad << "' was accepted";
    if (!g.ok()) {
      EXPECT_NE(g.status().message().find(std::string("'") + bad + "'"), std::string::npos)
          << g.status().message();
    }
  }
}

// tests/fuzz/regressions/geometry_fuzzer: a side that follows the aspect ratio of a long, thin
// image, or a huge percentage, overflowed the double -> int conversion (undefined behaviour).
// It now stops at INT_MAX, and the resize op refuses that size with an error.
TEST(Geometry, SidesBeyondAnIntStopAtItsMaximumAndTheResizeRefusesThem) {
  constexpr int kMax = std::numeric_limits<int>::max();
  EXPECT_EQ(Resolve("x600", 268402689, 1), (Size{kMax, 600, 3}));
  EXPECT_EQ(Resolve("800x", 1, 268402689), (Size{800, kMax, 3}));
  EXPECT_EQ(Resolve("x600", 10000000, 1), (Size{kMax, 600, 3}));
  EXPECT_EQ(Resolve("1e300%", 2, 2), (Size{kMax, kMax, 3}));
  EXPECT_EQ(Resolve("800x600^", 1, 10000000), (Size{800, kMax, 3}));

  Result<OpList> ops = OpList::Parse({{"resize", "x600"}});
  ASSERT_TRUE(ops.ok()) << ops.status().message();
  Result<FilterChain> chain = ops->BuildChain({10000000, 1, 3});
  ASSERT_FALSE(chain.ok());
  EXPECT_NE(chain.status().message().find("65535"), std::string::npos) << chain.status().message();
}

}  // namespace
}  // namespace pixflow::pipeline
