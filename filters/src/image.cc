#include "pixflow/filters/image.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <new>
#include <vector>

namespace pixflow {

namespace {

constexpr size_t kMinCachedBytes = size_t{1} << 20;
constexpr size_t kHugePageBytes = size_t{2} << 20;
// A batch image takes about five large buffers (decode, each filter, the encoder's copy); 16
// allocations cover the images in flight.
constexpr uint64_t kMaxIdleAllocations = 16;

// Freed large buffers, oldest first. One mutex: it is taken once per image allocation, never per
// pixel, so it is not contended.
//
// What it holds plus what is live never exceeds the most that was live at once (the high-water
// mark): a buffer is only kept while the process could need that much again, so the cache adds
// nothing to peak memory. Within that bound any kept buffer that is large enough is handed out
// (the smallest one): its pages are resident whether it waits here or is used, and using it
// spares the kernel zeroing a fresh mapping, which at two threads competes for memory bandwidth.
class BufferCache {
 public:
  // The smallest kept buffer of at least `bytes`, removed from the cache; nullptr if none, and
  // then the caller allocates `bytes` itself (and calls Unreserve if that fails).
  std::byte* Take(size_t bytes, size_t& capacity) {
    std::byte* found = nullptr;
    std::vector<std::byte*> dropped;
    {
      const std::lock_guard lock(mutex_);
      ++clock_;
      auto best = entries_.end();
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->capacity >= bytes && (best == entries_.end() || it->capacity < best->capacity)) {
          best = it;
        }
      }
      if (best == entries_.end()) {
        ++stats_.allocated;
        stats_.live_bytes += bytes;
        stats_.peak_live_bytes = std::max(stats_.peak_live_bytes, stats_.live_bytes);
      } else {
        ++stats_.reused;
        found = best->data;
        capacity = best->capacity;
        stats_.cached_bytes -= capacity;
        stats_.live_bytes += capacity;
        entries_.erase(best);
      }
      dropped = DropOldest();
    }
    for (std::byte* d : dropped) std::free(d);
    return found;
  }

  // The heap could not allocate the `bytes` that Take left to the caller.
  void Unreserve(size_t bytes) {
    const std::lock_guard lock(mutex_);
    stats_.live_bytes -= bytes;
  }

  // Keeps `p` for reuse, dropping the oldest buffers over the bounds; false if the caller must
  // free `p` itself.
  bool Keep(std::byte* p, size_t capacity) {
    if (capacity < kMinCachedBytes) return false;
    std::vector<std::byte*> dropped;
    {
      const std::lock_guard lock(mutex_);
      stats_.live_bytes -= capacity;
      if (capacity > limit_) return false;
      entries_.push_back({p, capacity, clock_});
      stats_.cached_bytes += capacity;
      dropped = DropOldest();
    }
    for (std::byte* d : dropped) std::free(d);
    return true;
  }

  void SetLimit(size_t bytes) {
    std::vector<std::byte*> dropped;
    {
      const std::lock_guard lock(mutex_);
      limit_ = bytes;
      dropped = DropOldest();
      stats_.peak_live_bytes = stats_.live_bytes;
    }
    for (std::byte* d : dropped) std::free(d);
  }

  BufferCacheStats Stats() {
    const std::lock_guard lock(mutex_);
    BufferCacheStats stats = stats_;
    stats.cached_buffers = entries_.size();
    return stats;
  }

 private:
  struct Entry {
    std::byte* data;
    size_t capacity;
    uint64_t kept_at;  // clock_ when it was freed
  };

  // Frees from the oldest end while the held total is over the limit or over the high-water
  // mark, and any buffer passed over by kMaxIdleAllocations large allocations: it fits no image
  // of this batch any more (its sizes moved on), so a long run holds no more than a short one.
  std::vector<std::byte*> DropOldest() {
    std::vector<std::byte*> dropped;
    while (!entries_.empty() && (stats_.cached_bytes > limit_ ||
                                 stats_.cached_bytes + stats_.live_bytes > stats_.peak_live_bytes ||
                                 clock_ - entries_.front().kept_at > kMaxIdleAllocations)) {
      dropped.push_back(entries_.front().data);
      stats_.cached_bytes -= entries_.front().capacity;
      entries_.erase(entries_.begin());
    }
    return dropped;
  }

  std::mutex mutex_;
  std::vector<Entry> entries_;  // in the order they were freed
  uint64_t clock_ = 0;          // large allocations asked for so far
  size_t limit_ = std::numeric_limits<size_t>::max();
  BufferCacheStats stats_;
};

// Never destroyed: an Image may be freed during static destruction, after a static cache would be.
BufferCache& Cache() {
  static auto* cache = new BufferCache;
  return *cache;
}

}  // namespace

namespace internal {

void AlignedFree::operator()(void* p) const {
  if (!Cache().Keep(static_cast<std::byte*>(p), capacity)) std::free(p);
}

std::unique_ptr<std::byte[], AlignedFree> AllocateAligned(size_t bytes) {
  // Buffers of a huge page or more are whole huge pages, so the kernel can back them with 2 MiB
  // pages: a 24 MB image is then 12 page faults instead of 6,000, and faults, not zeroing, were
  // a third of a large-photo run's time. Smaller ones are whole rows' alignment;
  // aligned_alloc wants a multiple of the alignment, and 0 bytes still gets a valid pointer.
  const size_t alignment = bytes >= kHugePageBytes ? kHugePageBytes : kRowAlignment;
  const size_t rounded = std::max((bytes + alignment - 1) / alignment * alignment, alignment);
  if (rounded >= kMinCachedBytes) {
    size_t capacity = 0;
    if (std::byte* p = Cache().Take(rounded, capacity)) {
      return std::unique_ptr<std::byte[], AlignedFree>(p, AlignedFree{capacity});
    }
  }
  void* p = std::aligned_alloc(alignment, rounded);
  if (p == nullptr && rounded >= kMinCachedBytes) Cache().Unreserve(rounded);
  // Advice only: where transparent huge pages are off, the buffer gets small pages as before.
  if (p != nullptr && alignment == kHugePageBytes) madvise(p, rounded, MADV_HUGEPAGE);
  return std::unique_ptr<std::byte[], AlignedFree>(static_cast<std::byte*>(p),
                                                   AlignedFree{rounded});
}

}  // namespace internal

BufferCacheStats GetBufferCacheStats() { return Cache().Stats(); }

void SetBufferCacheLimit(size_t bytes) { Cache().SetLimit(bytes); }

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
