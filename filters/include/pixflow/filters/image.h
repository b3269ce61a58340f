// Image<T> owns pixels; ImageView<T> borrows them. Pixels are interleaved (RGBRGB...), 1-4
// channels; 8-bit is the interchange format between layers. Owned rows start on 64-byte
// boundaries so every row is aligned for the widest vector and no two threads writing different
// rows share a cache line. Neither type synchronises: threads may write disjoint rows of one
// image at once (the tiler's bands do), and read an image nobody writes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "pixflow/filters/status.h"

namespace pixflow {

inline constexpr size_t kRowAlignment = 64;
inline constexpr int kMaxChannels = 4;

struct Size {
  int width = 0;
  int height = 0;
  int channels = 0;
  friend bool operator==(const Size&, const Size&) = default;
};

template <typename T>
class ImageView {
 public:
  using value_type = T;

  ImageView() = default;
  ImageView(T* data, int width, int height, int channels, ptrdiff_t stride_bytes)
      : data_(data), width_(width), height_(height), channels_(channels), stride_(stride_bytes) {}
  // Tightly packed rows.
  ImageView(T* data, int width, int height, int channels)
      : ImageView(data, width, height, channels,
                  static_cast<ptrdiff_t>(width) * channels * static_cast<ptrdiff_t>(sizeof(T))) {}

  // A mutable view converts to a read-only one, never the reverse.
  template <typename U,
            typename = std::enable_if_t<std::is_same_v<const U, T> && !std::is_same_v<U, T>>>
  ImageView(const ImageView<U>& other)  // NOLINT(google-explicit-constructor)
      : ImageView(other.data(), other.width(), other.height(), other.channels(),
                  other.stride_bytes()) {}

  T* data() const { return data_; }
  int width() const { return width_; }
  int height() const { return height_; }
  int channels() const { return channels_; }
  ptrdiff_t stride_bytes() const { return stride_; }
  Size size() const { return {width_, height_, channels_}; }
  bool empty() const { return width_ <= 0 || height_ <= 0; }
  // Number of T values in one row of pixels (width * channels).
  size_t row_elements() const { return static_cast<size_t>(width_) * channels_; }

  // The first pixel of row y, 0 <= y < height (not checked).
  T* Row(int y) const {
    using Byte = std::conditional_t<std::is_const_v<T>, const std::byte, std::byte>;
    return reinterpret_cast<T*>(reinterpret_cast<Byte*>(data_) + y * stride_);
  }

  // The rectangle [x, x+w) x [y, y+h); shares the pixels. The caller keeps it inside the image.
  ImageView Sub(int x, int y, int w, int h) const {
    return ImageView(Row(y) + static_cast<ptrdiff_t>(x) * channels_, w, h, channels_, stride_);
  }
  ImageView Rows(int y0, int y1) const { return Sub(0, y0, width_, y1 - y0); }

 private:
  T* data_ = nullptr;
  int width_ = 0;
  int height_ = 0;
  int channels_ = 0;
  ptrdiff_t stride_ = 0;
};

namespace internal {
// Returns a buffer of `capacity` bytes to the buffer cache, or to the heap.
struct AlignedFree {
  size_t capacity = 0;
  void operator()(void* p) const;
};
// 64-byte aligned, uninitialised, possibly recycled; nullptr when the allocation fails.
std::unique_ptr<std::byte[], AlignedFree> AllocateAligned(size_t bytes);
// A private anonymous mapping of `bytes` (whole pages), resident before its first write;
// nullptr when the system has no memory for it. munmap frees it.
std::byte* MapPopulated(size_t bytes);
}  // namespace internal

// Large pixel buffers (1 MiB and up) that Images free are kept and handed to the next Image that
// needs no more (the smallest that fits). What is kept plus what is live never exceeds the most
// that was live at once, so the cache adds nothing to peak memory; a buffer that 16 large
// allocations in a row passed over is freed. A batch allocates the same few sizes image after
// image; a fresh large allocation is a new mapping whose every page the kernel zeroes on first
// touch, which cost a third of `pixflow convert`'s CPU before this cache, and more at two
// threads, which compete for memory bandwidth.
struct BufferCacheStats {
  size_t cached_bytes = 0;  // held for reuse now
  size_t cached_buffers = 0;
  size_t live_bytes = 0;       // large buffers in Images now
  size_t peak_live_bytes = 0;  // the most live at once since the last SetBufferCacheLimit
  uint64_t reused = 0;         // large allocations served from the cache
  uint64_t allocated = 0;      // large allocations the heap served
};
// Thread-safe; a snapshot.
BufferCacheStats GetBufferCacheStats();
// Bounds what the cache holds further (by default only the high-water mark bounds it); 0 turns it
// off and frees what it holds. Either way the high-water mark starts again from what is live now.
// A program that goes idle after a batch can call it with 0. Thread-safe.
void SetBufferCacheLimit(size_t bytes);

// Move-only owner of an aligned pixel buffer.
template <typename T>
class Image {
 public:
  Image() = default;
  // A moved-from Image is empty, not a view of pixels it no longer owns.
  Image(Image&& other) noexcept
      : buffer_(std::move(other.buffer_)), view_(std::exchange(other.view_, {})) {}
  Image& operator=(Image&& other) noexcept {
    buffer_ = std::move(other.buffer_);
    view_ = std::exchange(other.view_, {});
    return *this;
  }
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  // Uninitialised pixels. Fails (rather than throwing) on a bad shape or when memory runs out.
  static Result<Image> Create(int width, int height, int channels);
  static Result<Image> Create(Size size) { return Create(size.width, size.height, size.channels); }
  // A deep copy of `view` with aligned rows.
  static Result<Image> CopyOf(ImageView<const T> view);

  ImageView<T> view() { return view_; }
  ImageView<const T> view() const { return view_; }
  T* Row(int y) { return view_.Row(y); }
  const T* Row(int y) const { return view_.Row(y); }
  int width() const { return view_.width(); }
  int height() const { return view_.height(); }
  int channels() const { return view_.channels(); }
  ptrdiff_t stride_bytes() const { return view_.stride_bytes(); }
  Size size() const { return view_.size(); }
  bool empty() const { return view_.empty(); }

 private:
  std::unique_ptr<std::byte[], internal::AlignedFree> buffer_;
  ImageView<T> view_;
};

// Checks what every filter entry point checks: both shapes are non-empty and have 1-4 channels.
Status CheckShape(Size size, const char* what);

template <typename T>
Result<Image<T>> Image<T>::Create(int width, int height, int channels) {
  PIXFLOW_RETURN_IF_ERROR(CheckShape({width, height, channels}, "image"));
  const size_t row_bytes = static_cast<size_t>(width) * channels * sizeof(T);
  const size_t stride = (row_bytes + kRowAlignment - 1) / kRowAlignment * kRowAlignment;
  Image image;
  image.buffer_ = internal::AllocateAligned(stride * static_cast<size_t>(height));
  if (!image.buffer_) {
    return Status(StatusCode::kLimitExceeded, "out of memory allocating a " +
                                                  std::to_string(width) + "x" +
                                                  std::to_string(height) + " image");
  }
  image.view_ = ImageView<T>(reinterpret_cast<T*>(image.buffer_.get()), width, height, channels,
                             static_cast<ptrdiff_t>(stride));
  return image;
}

template <typename T>
Result<Image<T>> Image<T>::CopyOf(ImageView<const T> view) {
  PIXFLOW_ASSIGN_OR_RETURN(Image image, Create(view.size()));
  const size_t row_bytes = view.row_elements() * sizeof(T);
  for (int y = 0; y < view.height(); ++y) {
    std::copy_n(reinterpret_cast<const std::byte*>(view.Row(y)), row_bytes,
                reinterpret_cast<std::byte*>(image.Row(y)));
  }
  return image;
}

using Image8 = Image<uint8_t>;
using View8 = ImageView<uint8_t>;
using ConstView8 = ImageView<const uint8_t>;

}  // namespace pixflow
