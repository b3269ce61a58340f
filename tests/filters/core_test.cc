// Image ownership and layout, Status plumbing, the tiler's band plan and execution, and the
// shared SIMD row kernels against scalar references on every target.
#include <gtest/gtest.h>
#include <hwy/targets.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>
#include <vector>

#include "../../filters/src/row_kernels.h"
#include "pixflow/filters/filter.h"
#include "pixflow/filters/image.h"
#include "pixflow/filters/tiler.h"
#include "test_util.h"

namespace pixflow {
namespace {

TEST(Image, RowsAreAlignedAndStrideCoversTheRow) {
  for (Size size : test::AwkwardSizes()) {
    Result<Image8> image = Image8::Create(size);
    ASSERT_TRUE(image.ok());
    EXPECT_EQ(image->stride_bytes() % 64, 0);
    EXPECT_GE(static_cast<size_t>(image->stride_bytes()), image->view().row_elements());
    for (int y = 0; y < image->height(); ++y) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(image->Row(y)) % 64, 0u);
    }
  }
}

TEST(Image, CreateRejectsBadShapes) {
  EXPECT_EQ(Image8::Create(0, 5, 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Image8::Create(5, -1, 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Image8::Create(5, 5, 5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Image8::Create(5, 5, 0).status().code(), StatusCode::kInvalidArgument);
  const Status huge = Image8::Create(1 << 30, 1 << 30, 4).status();
  EXPECT_EQ(huge.code(), StatusCode::kLimitExceeded);
  EXPECT_NE(huge.message().find("too large"), std::string::npos) << huge.message();
}

TEST(Image, MoveTransfersOwnershipAndCopyOfIsDeep) {
  Image8 a = test::RandomImage(7, 5, 3);
  const uint8_t* pixels = a.Row(0);
  Image8 b = std::move(a);
  EXPECT_EQ(b.Row(0), pixels);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  Result<Image8> c = Image8::CopyOf(b.view());
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->Row(0), b.Row(0));
  EXPECT_TRUE(test::Identical(c->view(), b.view()));
  static_assert(!std::is_copy_constructible_v<Image8>);
}

// The cache is process-wide: each test starts with it empty, with no limit but the high-water
// mark, which SetBufferCacheLimit restarts from what is live (nothing, here).
class BufferCacheTest : public ::testing::Test {
 protected:
  static constexpr size_t kMiB = size_t{1} << 20;
  static constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();
  void SetUp() override {
    SetBufferCacheLimit(0);
    SetBufferCacheLimit(kNoLimit);
    ASSERT_EQ(GetBufferCacheStats().live_bytes, 0u);
  }
  void TearDown() override { SetBufferCacheLimit(kNoLimit); }
};

TEST_F(BufferCacheTest, AFreedLargeBufferIsReusedByTheNextImageOfAboutItsSize) {
  const BufferCacheStats before = GetBufferCacheStats();
  auto first = Image8::Create(1000, 1000, 3);  // 3 MB: cached when freed
  ASSERT_TRUE(first.ok());
  const uint8_t* pixels = first->Row(0);
  first = Image8::Create(4, 4, 1);  // frees the large buffer into the cache
  EXPECT_EQ(GetBufferCacheStats().cached_buffers, before.cached_buffers + 1);

  auto second = Image8::Create(990, 1000, 3);  // fits: the same buffer again
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->Row(0), pixels);
  const BufferCacheStats after = GetBufferCacheStats();
  EXPECT_EQ(after.reused, before.reused + 1);
  EXPECT_EQ(after.allocated, before.allocated + 1);
  EXPECT_EQ(after.cached_buffers, before.cached_buffers);
  // Reused memory behaves as fresh memory: every pixel can be written and read back.
  for (int y = 0; y < second->height(); ++y) std::fill_n(second->Row(y), 990 * 3, uint8_t{7});
  EXPECT_EQ(second->Row(999)[990 * 3 - 1], 7);
}

// Large images (mappings of their own) start on a page, smaller ones (heap blocks) on a
// row-alignment boundary; every row does.
TEST_F(BufferCacheTest, ImagesAreAlignedForVectorRows) {
  auto large = Image8::Create(1500, 1000, 3);
  auto small = Image8::Create(100, 100, 3);
  ASSERT_TRUE(large.ok() && small.ok());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large->Row(0)) % 4096, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small->Row(0)) % kRowAlignment, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small->Row(99)) % kRowAlignment, 0u);
}

// A resize's output is smaller than its input: the input's freed buffer serves it, whatever
// the ratio, and of two that fit the smaller one is handed out.
TEST_F(BufferCacheTest, TheSmallestKeptBufferThatFitsIsHandedOut) {
  const uint8_t* big_pixels = nullptr;
  const uint8_t* middle_pixels = nullptr;
  {
    auto big = Image8::Create(2400, 1000, 3);     // 7.2 MB: 8 MiB in whole 2 MiB units
    auto middle = Image8::Create(1000, 1000, 3);  // 3 MB: 4 MiB
    ASSERT_TRUE(big.ok() && middle.ok());
    big_pixels = big->Row(0);
    middle_pixels = middle->Row(0);
  }
  const BufferCacheStats before = GetBufferCacheStats();
  auto small = Image8::Create(800, 600, 3);  // 1.4 MB: fits both
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->Row(0), middle_pixels);
  auto large = Image8::Create(2000, 1000, 3);  // 6 MB: only the 8 MiB fits
  ASSERT_TRUE(large.ok());
  EXPECT_EQ(large->Row(0), big_pixels);
  EXPECT_EQ(GetBufferCacheStats().reused, before.reused + 2);
  EXPECT_EQ(GetBufferCacheStats().allocated, before.allocated);
}

// The cache adds nothing to peak memory: when an image needs more than any kept buffer and the
// kept ones plus the live ones would exceed the most that was ever live at once, kept buffers
// are freed first.
TEST_F(BufferCacheTest, KeptPlusLiveNeverExceedsTheMostLiveAtOnce) {
  { auto first = Image8::Create(1000, 1000, 3); }  // 4 MiB live once, then kept
  ASSERT_EQ(GetBufferCacheStats().cached_bytes, 4 * kMiB);
  ASSERT_EQ(GetBufferCacheStats().peak_live_bytes, 4 * kMiB);

  auto larger = Image8::Create(1800, 1000, 3);  // 5.4 MB, 6 MiB: 4 kept + 6 live > 6
  ASSERT_TRUE(larger.ok());
  BufferCacheStats stats = GetBufferCacheStats();
  EXPECT_EQ(stats.live_bytes, 6 * kMiB);
  EXPECT_EQ(stats.peak_live_bytes, 6 * kMiB);
  EXPECT_EQ(stats.cached_bytes, 0u);

  larger = Image8::Create(4, 4, 1);  // the 6 MiB kept: 6 <= 6
  stats = GetBufferCacheStats();
  EXPECT_EQ(stats.cached_bytes, 6 * kMiB);
  EXPECT_EQ(stats.live_bytes, 0u);
}

TEST_F(BufferCacheTest, ABufferNoImageHasTakenForSixteenAllocationsIsFreed) {
  {
    auto odd = Image8::Create(1000, 1000, 3);    // 4 MiB, then no image of that size again
    auto small = Image8::Create(1024, 1024, 1);  // 1 MiB
    ASSERT_TRUE(odd.ok() && small.ok());
  }
  ASSERT_EQ(GetBufferCacheStats().cached_buffers, 2u);
  for (int i = 0; i < 15; ++i) {
    auto image = Image8::Create(1024, 1024, 1);  // takes the 1 MiB, the smaller that fits
    ASSERT_TRUE(image.ok());
  }
  EXPECT_EQ(GetBufferCacheStats().cached_buffers, 2u);  // still within 16 allocations
  for (int i = 0; i < 2; ++i) {
    auto image = Image8::Create(1024, 1024, 1);
  }
  EXPECT_EQ(GetBufferCacheStats().cached_buffers, 1u);
  EXPECT_EQ(GetBufferCacheStats().cached_bytes, kMiB);
}

TEST_F(BufferCacheTest, TheLimitBoundsWhatIsHeldAndZeroTurnsItOff) {
  SetBufferCacheLimit(4 * kMiB);
  {
    auto one = Image8::Create(1024, 1024, 1);
    auto two = Image8::Create(1024, 1024, 2);
    auto three = Image8::Create(1024, 1024, 3);
    ASSERT_TRUE(one.ok() && two.ok() && three.ok());
  }  // freed 4 (3 MiB in whole 2 MiB units), 2, 1 MiB: keeping 2 drops the older 4; 1 fits
  EXPECT_EQ(GetBufferCacheStats().cached_bytes, 3 * kMiB);
  EXPECT_EQ(GetBufferCacheStats().cached_buffers, 2u);

  SetBufferCacheLimit(0);
  EXPECT_EQ(GetBufferCacheStats().cached_bytes, 0u);
  EXPECT_EQ(GetBufferCacheStats().cached_buffers, 0u);
  { auto image = Image8::Create(1024, 1024, 3); }
  EXPECT_EQ(GetBufferCacheStats().cached_buffers, 0u);
}

TEST_F(BufferCacheTest, ConcurrentImagesNeverShareABuffer) {
  // Threads allocate, fill with their own value, check and free images of a few sizes at once;
  // a buffer handed to two live images would show the other thread's value (and TSan a race).
  constexpr int kThreads = 4;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < 50; ++i) {
        auto image = Image8::Create(600 + 10 * ((t + i) % 3), 600, 3);
        if (!image.ok()) {
          ++wrong;
          return;
        }
        const auto value = static_cast<uint8_t>(t + 1);
        for (int y = 0; y < image->height(); ++y) {
          std::fill_n(image->Row(y), image->view().row_elements(), value);
        }
        std::this_thread::yield();
        for (int y = 0; y < image->height(); y += 37) {
          if (image->Row(y)[0] != value || image->Row(y)[image->width() * 3 - 1] != value) ++wrong;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(GetBufferCacheStats().reused, 0u);
}

TEST(ImageView, SubViewSharesPixelsAndMutableConvertsToConst) {
  Image8 image = test::RandomImage(10, 8, 4);
  View8 sub = image.view().Sub(3, 2, 4, 5);
  EXPECT_EQ(sub.Row(0), image.Row(2) + 3 * 4);
  EXPECT_EQ(sub.size(), (Size{4, 5, 4}));
  ConstView8 read_only = sub;
  EXPECT_EQ(read_only.Row(4), image.Row(6) + 12);
  static_assert(!std::is_convertible_v<ConstView8, View8>);
}

TEST(Status, ContextIsPrependedAndResultCarriesErrors) {
  Status s = Status(StatusCode::kDecodeError, "premature end of JPEG data").WithContext("a.jpg");
  EXPECT_EQ(s.message(), "a.jpg: premature end of JPEG data");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
  Result<int> r = InvalidArgument("nope");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "nope");
  auto twice = [](Result<int> in) -> Result<int> {
    PIXFLOW_ASSIGN_OR_RETURN(int v, std::move(in));
    return v * 2;
  };
  EXPECT_EQ(*twice(21), 42);
  EXPECT_EQ(twice(Status(StatusCode::kIoError, "disk")).status().code(), StatusCode::kIoError);
}

TEST(MapBorder, ReplicateAndReflect101) {
  EXPECT_EQ(MapBorder(-2, 5, Border::kReplicate), 0);
  EXPECT_EQ(MapBorder(7, 5, Border::kReplicate), 4);
  // gfedcb|abcdefgh|gfedcba
  EXPECT_EQ(MapBorder(-1, 5, Border::kReflect101), 1);
  EXPECT_EQ(MapBorder(-4, 5, Border::kReflect101), 4);
  EXPECT_EQ(MapBorder(5, 5, Border::kReflect101), 3);
  EXPECT_EQ(MapBorder(8, 5, Border::kReflect101), 0);
  // Halos wider than the image keep reflecting instead of running off the end.
  for (int i = -40; i < 40; ++i) {
    const int m = MapBorder(i, 3, Border::kReflect101);
    EXPECT_GE(m, 0);
    EXPECT_LT(m, 3);
  }
  EXPECT_EQ(MapBorder(-3, 1, Border::kReflect101), 0);
}

// A vertical box filter of radius r: small enough to check by hand, and it reads a halo.
class VerticalBox : public Filter {
 public:
  explicit VerticalBox(int radius) : radius_(radius) {}
  std::string Name() const override { return "vertical_box"; }
  Result<Size> OutputSize(Size input) const override { return input; }
  RowRange Footprint(RowRange out, Size) const override {
    return {out.begin - radius_, out.end + radius_};
  }
  void ProcessBand(const Band& band) const override {
    for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
      for (size_t i = 0; i < band.output.row_elements(); ++i) {
        int sum = 0;
        for (int k = -radius_; k <= radius_; ++k) sum += band.InputRow(y + k)[i];
        band.OutputRow(y)[i] = static_cast<uint8_t>(sum / (2 * radius_ + 1));
      }
    }
    std::lock_guard lock(mutex_);
    threads_.insert(std::this_thread::get_id());
    bands_.push_back(band.output_rows);
  }
  int radius_;
  mutable std::mutex mutex_;
  mutable std::set<std::thread::id> threads_;
  mutable std::vector<RowRange> bands_;
};

TEST(Tiler, BandsCoverTheOutputOnceAndIgnoreThreadCount) {
  VerticalBox box(3);
  for (int height : {1, 7, 8, 63, 64, 65, 500, 2160}) {
    const Size size{16, height, 1};
    const std::vector<RowRange> bands = PlanBands(box, size, size);
    ASSERT_FALSE(bands.empty());
    EXPECT_EQ(bands.front().begin, 0);
    EXPECT_EQ(bands.back().end, height);
    for (size_t i = 1; i < bands.size(); ++i) EXPECT_EQ(bands[i].begin, bands[i - 1].end);
    EXPECT_LE(bands.size(), 64u);
    // Each band is at least twice the halo unless the image is smaller than that.
    for (const RowRange& b : bands) {
      if (&b != &bands.back()) {
        EXPECT_GE(b.size(), std::min(height, 12));
      }
    }
  }
}

TEST(Tiler, ParallelRunEqualsSerialAndReadsOnlyTheFootprint) {
  Image8 input = test::RandomImage(33, 300, 3);
  VerticalBox box(4);
  Result<Image8> serial = ApplyFilter(box, input.view(), Execution::Serial());
  ASSERT_TRUE(serial.ok());
  EXPECT_EQ(box.threads_.size(), 1u);
  Result<Image8> parallel = ApplyFilter(box, input.view(), Execution::Parallel());
  ASSERT_TRUE(parallel.ok());
  EXPECT_TRUE(test::Identical(serial->view(), parallel->view()));
  // A direct computation with replicated edges.
  for (int y : {0, 1, 150, 299}) {
    int sum = 0;
    for (int k = -4; k <= 4; ++k) sum += input.Row(std::clamp(y + k, 0, 299))[5];
    EXPECT_EQ(serial->Row(y)[5], sum / 9) << "row " << y;
  }
}

TEST(Tiler, SerialExecutionStaysOnTheCallingThread) {
  Image8 input = test::RandomImage(8, 400, 1);
  VerticalBox box(1);
  ASSERT_TRUE(ApplyFilter(box, input.view(), Execution::Serial()).ok());
  ASSERT_EQ(box.threads_.size(), 1u);
  EXPECT_EQ(*box.threads_.begin(), std::this_thread::get_id());
  EXPECT_GT(box.bands_.size(), 1u);
}

TEST(Tiler, RespectsTheCallersArena) {
  Image8 input = test::RandomImage(8, 2000, 1);
  VerticalBox box(1);
  tbb::task_arena one_thread(1);
  one_thread.execute([&] { ASSERT_TRUE(ApplyFilter(box, input.view()).ok()); });
  EXPECT_EQ(box.threads_.size(), 1u);
}

TEST(Tiler, RejectsAWrongOutputShape) {
  Image8 input = test::RandomImage(8, 8, 3);
  Image8 output = test::RandomImage(8, 9, 3);
  VerticalBox box(1);
  const Status s = RunFilter(box, input.view(), output.view());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("vertical_box"), std::string::npos);
}

// ---- Shared row kernels vs scalar references, on every SIMD target --------------------------

std::vector<float> RandomFloats(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  uint32_t state = seed;
  for (float& f : v) {
    state = state * 1664525u + 1013904223u;
    f = static_cast<float>(state >> 8) / static_cast<float>(1u << 24) * 300.0f - 20.0f;
  }
  return v;
}

uint8_t ScalarRound(float v) {
  return static_cast<uint8_t>(std::clamp(std::nearbyint(v), 0.0f, 255.0f));
}

TEST(RowKernels, ConversionsMatchScalarOnEveryTarget) {
  test::ForEachTarget([](const std::string&) {
    for (size_t n : {1u, 3u, 15u, 16u, 17u, 63u, 64u, 65u, 1001u}) {
      std::vector<uint8_t> bytes(n);
      std::iota(bytes.begin(), bytes.end(), uint8_t{7});
      kernels::FloatRow f(n);
      kernels::U8ToF32(bytes.data(), n, f.data());
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(f.data()[i], static_cast<float>(bytes[i]));

      std::vector<float> values = RandomFloats(n, static_cast<uint32_t>(n));
      values[0] = 2.5f;  // half-way cases round to even, as OpenCV's cvRound does
      if (n > 1) values[1] = 3.5f;
      // Far out of range, including (32767, 33023] where Highway 1.0.3's DemoteTo wraps.
      if (n > 4) {
        values[2] = 32800.0f;
        values[3] = 33000.0f;
        values[4] = -40000.0f;
      }
      std::vector<uint8_t> out(n + 1, 0xAB);
      kernels::F32ToU8(values.data(), n, out.data());
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], ScalarRound(values[i])) << i;
      EXPECT_EQ(out[n], 0xAB) << "wrote past the end";
    }
  });
}

TEST(RowKernels, WeightedSumsMatchScalarOnEveryTarget) {
  test::ForEachTarget([](const std::string&) {
    for (size_t n : {1u, 5u, 16u, 33u, 257u}) {
      for (int taps : {1, 2, 5, 13}) {
        std::vector<kernels::FloatRow> rows;
        std::vector<const float*> pointers;
        for (int k = 0; k < taps; ++k) {
          rows.emplace_back(n);
          const std::vector<float> v = RandomFloats(n, static_cast<uint32_t>(k * 31 + n));
          std::copy(v.begin(), v.end(), rows.back().data());
          pointers.push_back(rows.back().data());
        }
        const std::vector<float> weights = RandomFloats(static_cast<size_t>(taps), 99);
        kernels::FloatRow sum(n);
        kernels::WeightedSumRows(pointers.data(), weights.data(), taps, n, sum.data());
        std::vector<uint8_t> bytes(n + 1, 0xCD);
        kernels::WeightedSumRowsToU8(pointers.data(), weights.data(), taps, n, bytes.data());
        for (size_t i = 0; i < n; ++i) {
          double expected = 0.0;
          for (int k = 0; k < taps; ++k) expected += double{weights[k]} * pointers[k][i];
          // float accumulation (FMA or not) vs double: relative error well under 1e-5.
          ASSERT_NEAR(sum.data()[i], expected, 1e-5 * (1.0 + std::abs(expected)) * taps);
          // The u8 form is exactly the rounded float sum of the same target.
          ASSERT_EQ(bytes[i], ScalarRound(sum.data()[i]))
              << "n=" << n << " i=" << i << " taps=" << taps << " sum=" << sum.data()[i];
        }
        EXPECT_EQ(bytes[n], 0xCD) << "wrote past the end";
      }
    }
  });
}

TEST(RowKernels, HorizontalTapsMatchScalarOnEveryTarget) {
  test::ForEachTarget([](const std::string&) {
    for (int step : {1, 3, 4}) {
      const size_t n = 97 * static_cast<size_t>(step);
      const int taps = 7;
      const size_t src_n = n + static_cast<size_t>((taps - 1) * step);
      kernels::FloatRow src(src_n);
      const std::vector<float> v = RandomFloats(src_n, 5);
      std::copy(v.begin(), v.end(), src.data());
      const std::vector<float> weights = RandomFloats(taps, 6);
      kernels::FloatRow dst(n);
      kernels::HorizontalTaps(src.data(), weights.data(), taps, step, n, dst.data());
      for (size_t i = 0; i < n; ++i) {
        double expected = 0.0;
        for (int k = 0; k < taps; ++k) expected += double{weights[k]} * src.data()[i + k * step];
        ASSERT_NEAR(dst.data()[i], expected, 1e-5 * (1.0 + std::abs(expected)) * taps);
      }
    }
  });
}

TEST(RowKernels, ForEachTargetReallySwitchesDispatch) {
  std::vector<std::string> seen;
  test::ForEachTarget([&](const std::string& name) { seen.push_back(name); });
  EXPECT_GE(seen.size(), 2u) << "this CPU and build should offer at least two SIMD targets";
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());
}

}  // namespace
}  // namespace pixflow
