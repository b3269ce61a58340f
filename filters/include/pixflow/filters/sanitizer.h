// Happens-before annotations for ThreadSanitizer. Debian's oneTBB is not built with TSan, so the
// synchronisation inside libtbb.so (task hand-offs, serial nodes, joins) is invisible to it and
// it would report every hand-off as a race. pixflow annotates the orderings it relies on — and
// documents — at the points where it hands work to TBB and takes it back; everything else is
// still checked. Without -fsanitize=thread these compile to nothing.
#pragma once

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace pixflow {

// Everything this thread did before HappensBefore(x) is visible after a later HappensAfter(x).
inline void HappensBefore([[maybe_unused]] const void* sync) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(const_cast<void*>(sync));
#endif
}
inline void HappensAfter([[maybe_unused]] const void* sync) {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(const_cast<void*>(sync));
#endif
}

}  // namespace pixflow
