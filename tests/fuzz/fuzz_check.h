// What every fuzzer here does when a property it checks does not hold: say which, and abort, so
// libFuzzer saves the input as a crash artifact exactly as it does for a sanitizer report.
#pragma once

#include <cstdio>
#include <cstdlib>

#define PIXFLOW_FUZZ_CHECK(condition)                                                         \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)
