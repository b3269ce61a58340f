#include "pixflow/io/codec.h"

#include "libvips.h"
#include "loader.h"

namespace pixflow::io {

bool LooksLikeImage(const std::filesystem::path& path) {
  internal::CodecMessages messages;  // a sniff that fails is an answer, not something to print
  Result<internal::LoadInput> input = internal::OpenFileInput(path);
  if (!input.ok()) return false;
  Result<internal::Loader> loader = internal::FindLoader(*input, /*allow_untrusted=*/true);
  return loader.ok() && loader->family != "csvload" && loader->family != "matrixload";
}

Result<Image8> DecodeFile(const std::filesystem::path& path) {
  PIXFLOW_ASSIGN_OR_RETURN(DecodedImage decoded, Decode(path));
  return std::move(decoded.pixels);
}

Result<Image8> DecodeBuffer(std::span<const uint8_t> bytes, const std::string& name) {
  PIXFLOW_ASSIGN_OR_RETURN(DecodedImage decoded, Decode(bytes, name));
  return std::move(decoded.pixels);
}

}  // namespace pixflow::io
