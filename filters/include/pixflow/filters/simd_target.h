// Which SIMD code the filters run on this CPU: Highway dispatches each kernel at run time to the
// best target the CPU supports among those the library was compiled for. Benchmarks record it,
// since the same binary is several times faster on AVX-512 than on SSE4. Both functions are
// thread-safe.
#pragma once

#include <string>

namespace pixflow {

// The target's Highway name, e.g. "AVX2", "AVX3", "AVX3_DL", "SSE4", "NEON", "EMU128".
std::string SimdTargetName();
// The Highway version the filters were compiled against, e.g. "1.0.3".
std::string HighwayVersion();

}  // namespace pixflow
