// --resize GEOMETRY: any text through ParseGeometry, and every geometry it accepts resolved
// against image sizes from 1x1 to the largest a file may declare under the default pixel limit,
// so an accepted geometry can never produce a side that overflows an int (UBSan checks the
// double -> int conversions).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "pixflow/pipeline/geometry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using pixflow::Size;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const pixflow::Result<pixflow::pipeline::Geometry> geometry =
      pixflow::pipeline::ParseGeometry(text);
  if (!geometry.ok()) {
    PIXFLOW_FUZZ_CHECK(!geometry.status().message().empty());
    return 0;
  }
  PIXFLOW_FUZZ_CHECK(geometry->text == text);
  constexpr Size kInputs[] = {{1, 1, 3},         {640, 480, 3},     {1, 20000, 1},
                              {20000, 1, 4},     {16384, 16383, 3}, {1, 268402689, 3},
                              {268402689, 1, 3}, {65535, 4095, 2}};
  for (const Size input : kInputs) {
    const Size output = geometry->Resolve(input);
    PIXFLOW_FUZZ_CHECK(output.width >= 1 && output.height >= 1);
    PIXFLOW_FUZZ_CHECK(output.channels == input.channels);
  }
  return 0;
}
