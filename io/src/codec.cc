#include "pixflow/io/codec.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

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

Status WriteFileAtomically(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
  // Hidden, in the same folder (so rename is atomic), and unique per writer.
  std::string hidden_name = path.filename().string();
  hidden_name.insert(hidden_name.begin(), '.');
  hidden_name.append(".pixflow-XXXXXX");
  std::string temp = (folder / hidden_name).string();
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    return Status(StatusCode::kIoError, path.string() + ": cannot create a file in " +
                                            folder.string() + ": " + std::strerror(errno));
  }
  auto fail = [&](const char* what) {
    const Status status(StatusCode::kIoError,
                        path.string() + ": " + what + ": " + std::strerror(errno));
    ::close(fd);
    ::unlink(temp.c_str());
    return status;
  };
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write");
    written += static_cast<size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) return fail("chmod");
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    ::unlink(temp.c_str());
    return Status(StatusCode::kIoError, path.string() + ": close: " + std::strerror(errno));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const Status status(StatusCode::kIoError, path.string() + ": rename: " + std::strerror(errno));
    ::unlink(temp.c_str());
    return status;
  }
  // Make the rename itself durable.
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

}  // namespace pixflow::io
