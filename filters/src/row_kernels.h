// Row kernels shared by the convolution and resampling filters. Each is compiled for every SIMD
// target Highway supports and dispatched at run time to the best one the CPU has.
//
// Buffers of float are pixflow's own scratch and carry kFloatPad spare elements after `n`: the
// kernels may read and write up to the next whole vector there. Rows of uint8_t belong to images
// (possibly a caller's view), so those are read and written exactly [0, n).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace pixflow::kernels {

// Spare floats after the end of every float scratch row: one AVX-512 vector, rounded up to a
// cache line.
inline constexpr size_t kFloatPad = 16;

// A float scratch row of n (+ padding) elements, 64-byte aligned.
struct FloatRow {
  explicit FloatRow(size_t n = 0);
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }

 private:
  struct Free {
    void operator()(float* p) const;
  };
  std::unique_ptr<float[], Free> data_;
};

// dst[i] = float(src[i]); neither pointer need be aligned.
void U8ToF32(const uint8_t* src, size_t n, float* dst);
// dst[i] = saturate(round_half_even(src[i])), like OpenCV's saturate_cast<uchar>(float).
void F32ToU8(const float* src, size_t n, uint8_t* dst);
// dst[i] = sum over k < taps of weights[k] * rows[k][i].
void WeightedSumRows(const float* const* rows, const float* weights, int taps, size_t n,
                     float* dst);
// The same, rounded and saturated into uint8_t.
void WeightedSumRowsToU8(const float* const* rows, const float* weights, int taps, size_t n,
                         uint8_t* dst);
// dst[i] = sum over k < taps of weights[k] * src[i + k * step]: a horizontal convolution over an
// interleaved row with `step` = channels. `src` holds the left halo already, so it is read over
// [0, n + (taps - 1) * step) plus padding.
void HorizontalTaps(const float* src, const float* weights, int taps, int step, size_t n,
                    float* dst);

}  // namespace pixflow::kernels
