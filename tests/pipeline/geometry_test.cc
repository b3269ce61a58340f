// --resize geometry: every ImageMagick form, resolved against landscape, portrait and square
// inputs, with ImageMagick's rounding; malformed text gives an error that names it.
#include "pixflow/pipeline/geometry.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pixflow::pipeline
