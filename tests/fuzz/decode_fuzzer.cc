// Any bytes through the io layer as `pixflow convert` and `pixflow info` read a file: ReadInfo,
// then Decode with the CLI's defaults (untrusted loaders such as SVG and PDF blocked, a pixel
// limit, --fail-on truncated), the first byte choosing the other options a command line can set
// (--fail-on, --no-autorotate, --keep icc, a shrink-on-load target). The rest is the file.
//
// Checked besides the sanitizers: an error names the file; a refused loader or limit seen in the
// header is refused by Decode too; what decodes is 1-4 channels, at least 1x1, and readable.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "fuzz_check.h"
#include "pixflow/io/decoder.h"
#include "pixflow/io/image_info.h"

namespace {

using pixflow::StatusCode;
namespace io = pixflow::io;

// Far below the CLI's 268 MP default, so that one input costs milliseconds and the fuzzer's
// -rss_limit_mb is never reached by an honest image; the check itself is the same code.
constexpr uint64_t kFuzzMaxPixels = 4096 * 4096;
const std::string kName = "fuzz.img";

io::DecodeOptions OptionsFrom(uint8_t knobs) {
  io::DecodeOptions options;
  options.limits.max_pixels = kFuzzMaxPixels;
  options.fail_on = static_cast<io::FailOn>(knobs & 3);
  options.autorotate = (knobs & 4) == 0;
  options.metadata.keep_icc = (knobs & 8) != 0;
  if ((knobs & 0x30) != 0) {  // a thumbnail target: 16, 64 or 256 pixels wide
    options.min_width = 4 << (2 * ((knobs >> 4) & 3));
    options.min_height = (knobs & 0x40) != 0 ? options.min_width : 0;
  }
  return options;
}

bool NamesFile(const pixflow::Status& status) {
  return status.message().find(kName) != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const io::DecodeOptions options = OptionsFrom(data[0]);
  const std::span<const uint8_t> bytes(data + 1, size - 1);

  const pixflow::Result<io::ImageInfo> info = io::ReadInfo(bytes, kName, options.limits);
  if (!info.ok()) PIXFLOW_FUZZ_CHECK(NamesFile(info.status()));

  const pixflow::Result<io::DecodedImage> decoded = io::Decode(bytes, kName, options);
  if (!decoded.ok()) {
    const pixflow::Status& status = decoded.status();
    PIXFLOW_FUZZ_CHECK(NamesFile(status));
    PIXFLOW_FUZZ_CHECK(status.code() != StatusCode::kInternal);
    return 0;
  }
  // Whatever the header said must have allowed it.
  PIXFLOW_FUZZ_CHECK(info.ok());
  PIXFLOW_FUZZ_CHECK(info->trusted);
  PIXFLOW_FUZZ_CHECK(io::CheckLimits(*info, options.limits, kName).ok());

  const pixflow::Image8& pixels = decoded->pixels;
  PIXFLOW_FUZZ_CHECK(pixels.width() >= 1 && pixels.height() >= 1);
  PIXFLOW_FUZZ_CHECK(pixels.channels() >= 1 && pixels.channels() <= 4);
  // Read every byte, so ASan reports a buffer shorter than its declared shape.
  unsigned sum = 0;
  for (int y = 0; y < pixels.height(); ++y) {
    const uint8_t* row = pixels.Row(y);
    for (int x = 0; x < pixels.width() * pixels.channels(); ++x) sum += row[x];
  }
  asm volatile("" : : "r"(sum));  // keeps the reads: the sum itself means nothing
  return 0;
}
