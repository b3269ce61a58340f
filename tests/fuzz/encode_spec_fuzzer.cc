// --format FMT[k=v,...] and --background: any text through ParseEncodeSpec and ParseBackground.
// A spec that parses must print (FormatEncodeSpec) as text that parses back to the same spec,
// and name a format that has a file suffix.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "pixflow/io/encoder.h"

namespace {

bool SameSpec(const pixflow::io::EncodeSpec& a, const pixflow::io::EncodeSpec& b) {
  return a.format == b.format && a.quality == b.quality && a.options == b.options &&
         a.background == b.background;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace io = pixflow::io;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const pixflow::Result<io::EncodeSpec> spec = io::ParseEncodeSpec(text);
  if (spec.ok()) {
    PIXFLOW_FUZZ_CHECK(spec->quality >= 0 && spec->quality <= 100);
    PIXFLOW_FUZZ_CHECK(io::SuffixForFormat(spec->format).ok());
    const std::string canonical = io::FormatEncodeSpec(*spec);
    const pixflow::Result<io::EncodeSpec> again = io::ParseEncodeSpec(canonical);
    PIXFLOW_FUZZ_CHECK(again.ok());
    PIXFLOW_FUZZ_CHECK(SameSpec(*spec, *again));
  } else {
    PIXFLOW_FUZZ_CHECK(!spec.status().message().empty());
  }
  const pixflow::Result<std::array<uint8_t, 3>> background = io::ParseBackground(text);
  PIXFLOW_FUZZ_CHECK(background.ok() || !background.status().message().empty());
  return 0;
}
