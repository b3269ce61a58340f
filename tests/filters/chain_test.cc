// FilterChain: shapes are planned before any pixel is touched, errors name the failing filter,
// and running the chain equals applying the filters one by one.
#include "pixflow/filters/chain.h"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <functional>

#include "pixflow/filters/color.h"
#include "pixflow/filters/convolve.h"
#include "pixflow/filters/geometry.h"
#include "pixflow/filters/median.h"
#include "pixflow/filters/resize.h"
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

// Applies the chain's filters one whole image at a time: the reference for streaming.
Image8 StepByStep(const FilterChain& chain, ConstView8 input) {
  Result<Image8> copy = Image8::CopyOf(input);
  Image8 current = std::move(*copy);
  for (size_t i = 0; i < chain.size(); ++i) {
    Result<Image8> next = ApplyFilter(chain[i], std::as_const(current).view(), Execution::Serial());
    EXPECT_TRUE(next.ok()) << next.status().message();
    current = std::move(*next);
  }
  return current;
}

// Streaming cuts the output into chunks by thread count and steps, with windows that keep rows
// between steps. Every row must still come out exactly as filter-by-filter application makes it:
// for shrinking, enlarging and cropping (footprints that run faster or slower than the output),
// a flip (a footprint that runs backwards), a rotation (one that spans the whole input, so it
// runs alone) and the neighbourhood filters, on a smooth scene and on random pixels. (Not a real
// photograph: this test runs under TSan, and cv::imread's GDAL plugin trips its deadlock check.)
using NamedChains = std::vector<std::pair<std::string, std::function<FilterChain()>>>;

NamedChains StreamingChains() {
  return {
      {"shrink, sharpen, blur",
       [] {
         FilterChain c;
         c.Add(MakeResize(401, 301)).Add(MakeUnsharpMask(1.0)).Add(MakeGaussianBlur(1.5));
         return c;
       }},
      {"blur, enlarge, median, gamma",
       [] {
         FilterChain c;
         c.Add(MakeGaussianBlur(2.0))
             .Add(MakeResize(700, 900))
             .Add(MakeMedian(5))
             .Add(MakeGamma(1.8));
         return c;
       }},
      {"crop, flip, convolve, shrink hard",
       [] {
         FilterChain c;
         c.Add(MakeCrop(13, 29, 450, 330))
             .Add(MakeFlip())
             .Add(MakeSeparableConvolve({0.25f, 0.5f, 0.25f},
                                        {0.0625f, 0.25f, 0.375f, 0.25f, 0.0625f}))
             .Add(MakeResize(90, 37));
         return c;
       }},
      {"sharpen, rotate 90, blur, flop",
       [] {
         FilterChain c;
         c.Add(MakeUnsharpMask(2.0, 1.5))
             .Add(MakeRotate(90))
             .Add(MakeGaussianBlur(1.0))
             .Add(MakeFlop());
         return c;
       }},
      {"crop the bottom, shrink",
       [] {
         FilterChain c;
         c.Add(MakeCrop(40, 300, 300, 200)).Add(MakeResize(100, 67));
         return c;
       }},
  };
}

std::vector<Image8> StreamingInputs() {
  std::vector<Image8> inputs;
  inputs.push_back(test::SceneImage(512, 512, 3));
  inputs.push_back(test::RandomImage(517, 389, 4, 11));
  inputs.push_back(test::RandomImage(64, 5, 1, 12));
  return inputs;
}

TEST(FilterChain, StreamingMakesTheSamePixelsAsFilterByFilter) {
  const NamedChains chains = StreamingChains();
  const std::vector<Image8> inputs = StreamingInputs();
  for (const auto& [name, make] : chains) {
    const FilterChain chain = make();
    for (const Image8& input : inputs) {
      if (!chain.OutputSize(input.size()).ok()) continue;  // a crop larger than the input
      SCOPED_TRACE(name + " on " + std::to_string(input.width()) + "x" +
                   std::to_string(input.height()));
      const Image8 expected = StepByStep(chain, input.view());
      Result<Image8> serial = chain.Run(input.view(), Execution::Serial());
      ASSERT_TRUE(serial.ok()) << serial.status().message();
      EXPECT_TRUE(test::Identical(serial->view(), expected.view()));
      for (const int threads : {1, 3, 8}) {
        tbb::task_arena arena(threads);
        Result<Image8> parallel = arena.execute([&] { return chain.Run(input.view()); });
        ASSERT_TRUE(parallel.ok()) << parallel.status().message();
        EXPECT_TRUE(test::Identical(parallel->view(), expected.view())) << threads << " threads";
      }
    }
  }
}

TEST(FilterChain, OnlyFiltersThatReadFewRowsStream) {
  const Size photo{640, 480, 3};
  EXPECT_TRUE(ReadsFewRows(*MakeGaussianBlur(3.0), photo));
  EXPECT_TRUE(ReadsFewRows(*MakeResize(160, 120), photo));
  EXPECT_TRUE(ReadsFewRows(*MakeFlip(), photo));
  EXPECT_FALSE(ReadsFewRows(*MakeRotate(90), photo));
  EXPECT_FALSE(ReadsFewRows(*MakeTranspose(), photo));
  EXPECT_FALSE(ReadsFewRows(*MakeResize(640, 2), photo));  // each row reads over a quarter
}

TEST(FilterChain, OnlyFiltersThatReadDownwardsTakeDecodedRows) {
  const Size photo{640, 480, 3};
  EXPECT_TRUE(ReadsInOrder(*MakeResize(160, 120), photo));
  EXPECT_TRUE(ReadsInOrder(*MakeCrop(10, 200, 100, 100), photo));
  EXPECT_TRUE(ReadsInOrder(*MakeGaussianBlur(3.0), photo));
  EXPECT_TRUE(ReadsInOrder(*MakeFlop(), photo));
  EXPECT_FALSE(ReadsInOrder(*MakeFlip(), photo));
  EXPECT_FALSE(ReadsInOrder(*MakeRotate(180), photo));
}

// An image's rows handed out top to bottom, as a decoder hands them: counts what was read, and
// fails from row `fail_at` on.
class ImageRows : public RowSource {
 public:
  explicit ImageRows(ConstView8 image, int fail_at = -1) : image_(image), fail_at_(fail_at) {}
  Size size() const override { return image_.size(); }
  Status ReadRows(View8 out) override {
    EXPECT_LE(next_ + out.height(), image_.height()) << "read past the last row";
    if (fail_at_ >= 0 && next_ + out.height() > fail_at_) {
      return Status(StatusCode::kDecodeError, "photo.jpg: premature end of data");
    }
    for (int y = 0; y < out.height(); ++y) {
      std::copy_n(image_.Row(next_ + y), image_.row_elements(), out.Row(y));
    }
    next_ += out.height();
    return Status::Ok();
  }
  int read() const { return next_; }

 private:
  ConstView8 image_;
  int fail_at_;
  int next_ = 0;
};

// From rows that arrive once, top to bottom, every chain makes what filter-by-filter application
// makes: its head streams from the source (up to a flip or a rotation, which need the whole
// input first), and rows below the last one the output needs are never read.
TEST(FilterChain, DecodedRowsMakeTheSamePixelsAsAWholeImage) {
  for (const auto& [name, make] : StreamingChains()) {
    const FilterChain chain = make();
    for (const Image8& input : StreamingInputs()) {
      if (!chain.OutputSize(input.size()).ok()) continue;
      SCOPED_TRACE(name + " on " + std::to_string(input.width()) + "x" +
                   std::to_string(input.height()));
      ImageRows rows(input.view());
      Result<Image8> streamed = chain.Run(rows);
      ASSERT_TRUE(streamed.ok()) << streamed.status().message();
      EXPECT_TRUE(test::Identical(streamed->view(), StepByStep(chain, input.view()).view()));
    }
  }
  const Image8 photo = test::SceneImage(512, 512, 3);
  FilterChain top;
  top.Add(MakeCrop(0, 0, 512, 100)).Add(MakeGaussianBlur(1.0));
  ImageRows rows(photo.view());
  ASSERT_TRUE(top.Run(rows).ok());
  EXPECT_EQ(rows.read(), 100) << "rows below the crop are not decoded";
  ImageRows all(photo.view());
  ASSERT_TRUE(FilterChain().Run(all).ok());
  EXPECT_EQ(all.read(), 512);
}

// A decode error in the middle of the image comes out of Run as the source said it.
TEST(FilterChain, ASourceErrorIsReturnedAsItIs) {
  const Image8 photo = test::SceneImage(300, 400, 3);
  FilterChain streams;
  streams.Add(MakeResize(150, 200)).Add(MakeUnsharpMask(1.0));
  FilterChain whole_first;
  whole_first.Add(MakeFlip()).Add(MakeGaussianBlur(1.0));
  for (const FilterChain* chain : {&streams, &whole_first}) {
    ImageRows rows(photo.view(), 250);
    Result<Image8> out = chain->Run(rows);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), StatusCode::kDecodeError);
    EXPECT_EQ(out.status().message(), "photo.jpg: premature end of data");
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
