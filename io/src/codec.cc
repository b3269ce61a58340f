#include "pixflow/io/codec.h"

#include <fcntl.h>
#include <unistd.h>
#include <vips/vips.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

namespace pixflow::io {
namespace {

struct GObjectUnref {
  void operator()(void* p) const { g_object_unref(p); }
};
using VipsImagePtr = std::unique_ptr<VipsImage, GObjectUnref>;

// libvips keeps its error text in a process-wide buffer; take it and clear it.
std::string TakeVipsError() {
  char* text = vips_error_buffer_copy();
  std::string message = text ? text : "";
  g_free(text);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  // Keep the last line: the most specific reason.
  if (const size_t nl = message.rfind('\n'); nl != std::string::npos) message.erase(0, nl + 1);
  return message.empty() ? "unknown libvips error" : message;
}

Status VipsFailure(StatusCode code, const std::string& context) {
  return Status(code, context + ": " + TakeVipsError());
}

// Orientation applied, 8-bit, sRGB or grey, 1-4 bands: what the filters take.
Result<Image8> ToInterchange(VipsImage* decoded, const std::string& name) {
  VipsImage* step = nullptr;
  if (vips_autorot(decoded, &step, nullptr)) return VipsFailure(StatusCode::kDecodeError, name);
  VipsImagePtr rotated(step);
  const bool grey = vips_image_guess_interpretation(rotated.get()) == VIPS_INTERPRETATION_B_W ||
                    vips_image_guess_interpretation(rotated.get()) == VIPS_INTERPRETATION_GREY16;
  if (vips_colourspace(rotated.get(), &step,
                       grey ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB, nullptr)) {
    return VipsFailure(StatusCode::kDecodeError, name);
  }
  VipsImagePtr converted(step);
  if (vips_cast_uchar(converted.get(), &step, nullptr)) {
    return VipsFailure(StatusCode::kDecodeError, name);
  }
  VipsImagePtr bytes(step);
  const int bands = vips_image_get_bands(bytes.get());
  if (bands < 1 || bands > kMaxChannels) {
    return Status(StatusCode::kUnsupported,
                  name + ": " + std::to_string(bands) + " bands; pixflow handles 1 to 4");
  }
  PIXFLOW_ASSIGN_OR_RETURN(Image8 image, Image8::Create(vips_image_get_width(bytes.get()),
                                                        vips_image_get_height(bytes.get()), bands));
  size_t size = 0;
  // Decoding happens here (libvips is lazy), so truncated or corrupt data fails here.
  void* memory = vips_image_write_to_memory(bytes.get(), &size);
  if (memory == nullptr) return VipsFailure(StatusCode::kDecodeError, name);
  const size_t row_bytes = image.view().row_elements();
  for (int y = 0; y < image.height(); ++y) {
    std::memcpy(image.Row(y), static_cast<const uint8_t*>(memory) + row_bytes * y, row_bytes);
  }
  g_free(memory);
  return image;
}

}  // namespace

Status InitCodecs() {
  static const bool started = [] {
    if (VIPS_INIT("pixflow")) return false;
    // pixflow parallelises across images itself; libvips' own worker pool would oversubscribe.
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    return true;
  }();
  if (!started) return Status(StatusCode::kInternal, "libvips failed to start: " + TakeVipsError());
  return Status::Ok();
}

bool LooksLikeImage(const std::filesystem::path& path) {
  if (!InitCodecs().ok()) return false;
  const bool known = vips_foreign_find_load(path.c_str()) != nullptr;
  if (!known) vips_error_clear();  // "not a known file format" is the answer, not an error
  return known;
}

Result<Image8> DecodeFile(const std::filesystem::path& path) {
  PIXFLOW_RETURN_IF_ERROR(InitCodecs());
  const std::string name = path.string();
  // new_from_file sniffs the bytes to choose the loader; the extension plays no part.
  VipsImagePtr decoded(vips_image_new_from_file(name.c_str(), "access", VIPS_ACCESS_SEQUENTIAL,
                                                "fail_on", VIPS_FAIL_ON_TRUNCATED, nullptr));
  if (!decoded) return VipsFailure(StatusCode::kDecodeError, name);
  return ToInterchange(decoded.get(), name);
}

Result<Image8> DecodeBuffer(std::span<const uint8_t> bytes, const std::string& name) {
  PIXFLOW_RETURN_IF_ERROR(InitCodecs());
  VipsImagePtr decoded(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access",
                                                  VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                                  VIPS_FAIL_ON_TRUNCATED, nullptr));
  if (!decoded) return VipsFailure(StatusCode::kDecodeError, name);
  return ToInterchange(decoded.get(), name);
}

Result<std::string> SuffixForFormat(const std::string& format) {
  if (format == "jpg" || format == "jpeg") return std::string(".jpg");
  if (format == "png") return std::string(".png");
  if (format == "webp") return std::string(".webp");
  if (format == "tif" || format == "tiff") return std::string(".tif");
  if (format == "gif") return std::string(".gif");
  return InvalidArgument("unknown output format '" + format +
                         "' (known: jpg, png, webp, tif, gif)");
}

Result<std::vector<uint8_t>> Encode(ConstView8 image, const EncodeOptions& options) {
  PIXFLOW_RETURN_IF_ERROR(InitCodecs());
  PIXFLOW_RETURN_IF_ERROR(CheckShape(image.size(), "image"));
  PIXFLOW_ASSIGN_OR_RETURN(std::string suffix, SuffixForFormat(options.format));
  if (options.quality < 0 || options.quality > 100) {
    return InvalidArgument("quality must be 1-100 (got " + std::to_string(options.quality) + ")");
  }
  // libvips wants contiguous rows; Image rows are padded to 64 bytes.
  const size_t row_bytes = image.row_elements();
  std::vector<uint8_t> packed(row_bytes * image.height());
  for (int y = 0; y < image.height(); ++y) {
    std::memcpy(packed.data() + row_bytes * y, image.Row(y), row_bytes);
  }
  VipsImagePtr wrapped(vips_image_new_from_memory(packed.data(), packed.size(), image.width(),
                                                  image.height(), image.channels(),
                                                  VIPS_FORMAT_UCHAR));
  if (!wrapped) return VipsFailure(StatusCode::kInternal, "encode");
  const VipsInterpretation interpretation =
      image.channels() <= 2 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
  wrapped->Type = interpretation;
  void* buffer = nullptr;
  size_t size = 0;
  if (options.quality > 0 && suffix != ".png" && suffix != ".gif") {
    suffix += "[Q=" + std::to_string(options.quality) + "]";
  }
  if (vips_image_write_to_buffer(wrapped.get(), suffix.c_str(), &buffer, &size, nullptr)) {
    return VipsFailure(StatusCode::kInternal, "encode " + options.format);
  }
  std::vector<uint8_t> out(static_cast<const uint8_t*>(buffer),
                           static_cast<const uint8_t*>(buffer) + size);
  g_free(buffer);
  return out;
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
