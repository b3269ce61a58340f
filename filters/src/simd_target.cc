#include "pixflow/filters/simd_target.h"

#include <hwy/highway.h>
#include <hwy/targets.h>

namespace pixflow {

std::string SimdTargetName() {
  // HWY_DYNAMIC_DISPATCH calls the best compiled target the CPU supports; targets are bits
  // ordered best first (lowest bit), and HWY_TARGETS here is the set the kernels were built
  // for (this file gets the library's compile definitions, HWY_WANT_AVX3_DL included).
  const int64_t usable = hwy::SupportedTargets() & HWY_TARGETS;
  if (usable == 0) return hwy::TargetName(HWY_STATIC_TARGET);
  return hwy::TargetName(usable & -usable);
}

std::string HighwayVersion() {
  std::string version = std::to_string(HWY_MAJOR);
  version.append(".").append(std::to_string(HWY_MINOR));
  version.append(".").append(std::to_string(HWY_PATCH));
  return version;
}

}  // namespace pixflow
