// FilterChain: shapes are planned before any pixel is touched, errors name the failing filter,
// and running the chain equals applying the filters one by one.
#include "pixflow/filters/chain.h"

#include <gtest/gtest.h>

#include <atomic>

#include "test_util.h"

namespace pixflow {
namespace {

std::atomic<int> g_bands_processed{0};

// Adds a constant (saturating); a point op.
class AddConstant : public Filter {
 public:
  explicit AddConstant(int delta) : delta_(delta) {}
  std::string Name() const override { return "add(" + std::to_string(delta_) + ")"; }
  Result<Size> OutputSize(Size input) const override { return input; }
  RowRange Footprint(RowRange out, Size) const override { return out; }
  void ProcessBand(const Band& band) const override {
    ++g_bands_processed;
    for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
      const uint8_t* in = band.InputRow(y);
      uint8_t* out = band.OutputRow(y);
      for (size_t i = 0; i < band.output.row_elements(); ++i) {
        out[i] = static_cast<uint8_t>(std::clamp(in[i] + delta_, 0, 255));
      }
    }
  }

 private:
  int delta_;
};

// Keeps the left `width` columns; fails on narrower inputs.
class KeepLeft : public Filter {
 public:
  explicit KeepLeft(int width) : width_(width) {}
  std::string Name() const override { return "keep_left(" + std::to_string(width_) + ")"; }
  Result<Size> OutputSize(Size input) const override {
    if (width_ > input.width) return InvalidArgument("wider than the input");
    return Size{width_, input.height, input.channels};
  }
  RowRange Footprint(RowRange out, Size) const override { return out; }
  void ProcessBand(const Band& band) const override {
    ++g_bands_processed;
    for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
      std::copy_n(band.InputRow(y), band.output.row_elements(), band.OutputRow(y));
    }
  }

 private:
  int width_;
};

TEST(FilterChain, PlansSizesAndDescribesItself) {
  FilterChain chain;
  EXPECT_EQ(chain.Describe(), "identity");
  chain.Add(std::make_unique<AddConstant>(5)).Add(std::make_unique<KeepLeft>(10));
  EXPECT_EQ(chain.Describe(), "add(5) | keep_left(10)");
  Result<std::vector<Size>> sizes = chain.PlanSizes({40, 30, 3});
  ASSERT_TRUE(sizes.ok());
  EXPECT_EQ(*sizes, (std::vector<Size>{{40, 30, 3}, {10, 30, 3}}));
  EXPECT_EQ(*chain.OutputSize({40, 30, 3}), (Size{10, 30, 3}));
}

TEST(FilterChain, ABadStepFailsBeforeAnyPixelIsProcessed) {
  FilterChain chain;
  chain.Add(std::make_unique<AddConstant>(1)).Add(std::make_unique<KeepLeft>(100));
  Image8 input = test::RandomImage(20, 20, 1);
  g_bands_processed = 0;
  Result<Image8> out = chain.Run(input.view());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "keep_left(100): wider than the input");
  EXPECT_EQ(g_bands_processed.load(), 0);
  EXPECT_FALSE(chain.OutputSize({0, 5, 3}).ok());
}

TEST(FilterChain, RunEqualsStepByStepAndSerialEqualsParallel) {
  FilterChain chain;
  chain.Add(std::make_unique<AddConstant>(40))
      .Add(std::make_unique<KeepLeft>(17))
      .Add(std::make_unique<AddConstant>(-90));
  Image8 input = test::RandomImage(31, 257, 3, 7);
  Result<Image8> parallel = chain.Run(input.view());
  Result<Image8> serial = chain.Run(input.view(), Execution::Serial());
  ASSERT_TRUE(parallel.ok());
  ASSERT_TRUE(serial.ok());
  EXPECT_TRUE(test::Identical(parallel->view(), serial->view()));
  for (int y = 0; y < 257; y += 32) {
    for (int i = 0; i < 17 * 3; ++i) {
      const int expected = std::max(0, std::min(255, input.Row(y)[i] + 40) - 90);
      ASSERT_EQ(parallel->Row(y)[i], expected);
    }
  }
}

TEST(FilterChain, EmptyChainCopiesTheInput) {
  Image8 input = test::RandomImage(5, 4, 4);
  Result<Image8> out = FilterChain().Run(input.view());
  ASSERT_TRUE(out.ok());
  EXPECT_NE(out->Row(0), input.Row(0));
  EXPECT_TRUE(test::Identical(out->view(), input.view()));
}

}  // namespace
}  // namespace pixflow
