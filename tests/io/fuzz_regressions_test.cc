// Inputs tests/fuzz's decode_fuzzer stopped on, replayed through Decode and ReadInfo as the
// fuzzer fed them (its first byte chooses the options; 0 is the CLI's defaults). Each must end
// in a clean error naming the file; under ASan, with no leak but the third-party ones listed in
// tests/lsan_suppressions.txt.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "pixflow/io/decoder.h"
#include "pixflow/io/image_info.h"

namespace pixflow::io {
namespace {

std::vector<uint8_t> Regression(const std::string& name) {
  std::ifstream file(std::string(PIXFLOW_FUZZ_REGRESSIONS_DIR) + "/decode_fuzzer/" + name,
                     std::ios::binary);
  EXPECT_TRUE(file.good()) << name;
  return {std::istreambuf_iterator<char>(file), {}};
}

// libheif handed libdav1d an empty chunk of this corrupt AVIF, and libdav1d leaked 40 bytes.
TEST(DecodeFuzzRegressions, AvifWithAnEmptyAv1ChunkIsADecodeError) {
  const std::vector<uint8_t> input = Regression("avif-empty-av1-chunk");
  ASSERT_EQ(input.size(), 655u);
  ASSERT_EQ(input[0], 0) << "the fuzzer's option byte: the CLI's defaults";
  const std::span<const uint8_t> bytes(input.data() + 1, input.size() - 1);

  Result<ImageInfo> info = ReadInfo(bytes, "fuzz.avif");
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->format, "avif");

  Result<DecodedImage> decoded = Decode(bytes, "fuzz.avif");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kDecodeError) << decoded.status().message();
  EXPECT_EQ(decoded.status().message().rfind("fuzz.avif: ", 0), 0u) << decoded.status().message();
}

}  // namespace
}  // namespace pixflow::io
