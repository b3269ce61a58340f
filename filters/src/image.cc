#include "pixflow/filters/image.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <new>
#include <vector>

namespace pixflow {

namespace {

constexpr size_t kMinCachedBytes = size_t{1} << 20;
// Large buffers come in whole units of this: images of nearly the same size (a batch's photos)
// then fit each other's freed buffers.
constexpr size_t kCacheUnitBytes = size_t{2} << 20;
constexpr size_t kPageBytes = 4096;
// Made resident this much at a time (see MapPopulated).
constexpr size_t kPopulateBytes = size_t{2} << 20;
#ifdef MADV_POPULATE_WRITE
constexpr int kPopulateWrite = MADV_POPULATE_WRITE;
#else
constexpr int kPopulateWrite = 23;  // Linux 5.14; older C libraries lack the name
#endif
// A batch image takes a few large buffers (the decoded image, each chain's output, an
// orientation's packed rows); 16 allocations cover the images in flight.
constexpr uint64_t kMaxIdleAllocations = 16;

// Frees what AllocateAligned returned, given its capacity.
void Release(std::byte* p, [[maybe_unused]] size_t capacity) {
  if (p == nullptr) return;
#if !defined(__SANITIZE_ADDRESS__)
  if (capacity >= kMinCachedBytes) {
    munmap(p, capacity);
    return;
  }
#endif
  std::free(p);
}

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
    std::vector<Entry> dropped;
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
    for (const Entry& d : dropped) Release(d.data, d.capacity);
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
    std::vector<Entry> dropped;
    {
      const std::lock_guard lock(mutex_);
      stats_.live_bytes -= capacity;
      if (capacity > limit_) return false;
      entries_.push_back({p, capacity, clock_});
      stats_.cached_bytes += capacity;
      dropped = DropOldest();
    }
    for (const Entry& d : dropped) Release(d.data, d.capacity);
    return true;
  }

  void SetLimit(size_t bytes) {
    std::vector<Entry> dropped;
    {
      const std::lock_guard lock(mutex_);
      limit_ = bytes;
      dropped = DropOldest();
      stats_.peak_live_bytes = stats_.live_bytes;
    }
    for (const Entry& d : dropped) Release(d.data, d.capacity);
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
  std::vector<Entry> DropOldest() {
    std::vector<Entry> dropped;
    while (!entries_.empty() && (stats_.cached_bytes > limit_ ||
                                 stats_.cached_bytes + stats_.live_bytes > stats_.peak_live_bytes ||
                                 clock_ - entries_.front().kept_at > kMaxIdleAllocations)) {
      dropped.push_back(entries_.front());
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
  if (!Cache().Keep(static_cast<std::byte*>(p), capacity))
    Release(static_cast<std::byte*>(p), capacity);
}

std::unique_ptr<std::byte[], AlignedFree> AllocateAligned(size_t bytes) {
  // Large buffers are mappings of their own, so that freeing one gives the memory back to the
  // system at once (a heap would keep it, and a long run would hold more than a short one);
  // smaller ones whole rows' alignment from the heap (aligned_alloc wants a multiple of the
  // alignment, and 0 bytes still gets a valid pointer).
  if (bytes >= kMinCachedBytes) {
    const size_t unit = bytes >= kCacheUnitBytes ? kCacheUnitBytes : kPageBytes;
    const size_t rounded = (bytes + unit - 1) / unit * unit;
    size_t capacity = 0;
    std::byte* p = Cache().Take(rounded, capacity);
    if (p == nullptr) {
#if defined(__SANITIZE_ADDRESS__)
      // AddressSanitizer guards heap blocks, not mappings: keep its overflow checks on images.
      p = static_cast<std::byte*>(std::aligned_alloc(kPageBytes, rounded));
#else
      p = MapPopulated(rounded);
#endif
      capacity = rounded;
      if (p == nullptr) Cache().Unreserve(rounded);
    }
    return std::unique_ptr<std::byte[], AlignedFree>(p, AlignedFree{capacity});
  }
  const size_t rounded =
      std::max((bytes + kRowAlignment - 1) / kRowAlignment * kRowAlignment, kRowAlignment);
  return std::unique_ptr<std::byte[], AlignedFree>(
      static_cast<std::byte*>(std::aligned_alloc(kRowAlignment, rounded)), AlignedFree{rounded});
}

std::byte* MapPopulated(size_t bytes) {
  void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) return nullptr;
  auto* const p = static_cast<std::byte*>(mapped);
  // Resident in a few calls, not a fault per page: faulting them in one at a time cost 10.9 us
  // a page on a virtual machine seen here, against 0.7 us populated (docs/benchmarks/
  // convert.md). In pieces, because populating holds the process's memory-map lock: every
  // other thread's mmap, munmap, mprotect or brk waited for a whole image's populate, up to
  // 40 ms on the VM measured. Advice: a kernel before 5.14 faults the pages in on first touch.
  // Small pages, not transparent huge ones: on a VM whose host takes freed guest memory back
  // (free page reporting), each huge page is memory the host must fault in anew, 2-3 ms per
  // 2 MiB there against 0.3-0.5 ms for small pages the guest had just freed.
  for (size_t done = 0; done < bytes; done += kPopulateBytes) {
    madvise(p + done, std::min(kPopulateBytes, bytes - done), kPopulateWrite);
  }
  return p;
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
