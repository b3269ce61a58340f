#include "pixflow/filters/image.h"

#include <cstdlib>
#include <limits>
#include <new>

namespace pixflow {

namespace internal {

void AlignedFree::operator()(void* p) const { std::free(p); }

std::unique_ptr<std::byte[], AlignedFree> AllocateAligned(size_t bytes) {
  // aligned_alloc wants a multiple of the alignment; 0 bytes still gets a valid pointer.
  const size_t rounded = (bytes + kRowAlignment - 1) / kRowAlignment * kRowAlignment;
  void* p = std::aligned_alloc(kRowAlignment, rounded == 0 ? kRowAlignment : rounded);
  return std::unique_ptr<std::byte[], AlignedFree>(static_cast<std::byte*>(p));
}

}  // namespace internal

Status CheckShape(Size size, const char* what) {
  if (size.width <= 0 || size.height <= 0) {
    return InvalidArgument(std::string(what) + " has no pixels (" + std::to_string(size.width) +
                           "x" + std::to_string(size.height) + ")");
  }
  if (size.channels < 1 || size.channels > kMaxChannels) {
    return InvalidArgument(std::string(what) + " has " + std::to_string(size.channels) +
                           " channels; pixflow handles 1 to 4");
  }
  // Keep every element index of a row and every byte offset of the image in range.
  constexpr int64_t kMaxElements = std::numeric_limits<int32_t>::max() / 2;
  if (static_cast<int64_t>(size.width) * size.channels > kMaxElements ||
      static_cast<int64_t>(size.height) > kMaxElements) {
    return Status(StatusCode::kLimitExceeded, std::string(what) + " is too large (" +
                                                  std::to_string(size.width) + "x" +
                                                  std::to_string(size.height) + ")");
  }
  return Status::Ok();
}

}  // namespace pixflow
