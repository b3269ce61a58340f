#include "loader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <system_error>

namespace pixflow::io::internal {
namespace {

namespace fs = std::filesystem;

// The loaders pixflow runs on files it has not vetted: the formats issue #4 asks for, whose
// libraries are fuzzed and used on hostile input everywhere. libvips 8.14 marks its own PNM
// parser untrusted; pixflow trusts it because PNM is one of those formats, its parser is a few
// hundred lines of header reading, and the corrupt-input tests cover it. Everything else
// (SVG, PDF, ImageMagick, JPEG XL, JPEG 2000, OpenSlide, FITS, EXR, Analyze, Matlab, CSV, matrix,
// vips, Radiance) needs allow_untrusted. An allowlist, so a loader added by a future libvips is
// untrusted until someone decides otherwise.
constexpr std::array<std::string_view, 7> kTrustedFamilies = {
    "jpegload", "pngload", "webpload", "tiffload", "gifload", "heifload", "ppmload"};

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string FamilyOf(std::string_view nickname) {
  for (std::string_view variant : {"_source", "_buffer"}) {
    if (EndsWith(nickname, variant)) return std::string(nickname.substr(0, nickname.size() - 7));
  }
  return std::string(nickname);
}

bool IsTrusted(const std::string& family) {
  return std::find(kTrustedFamilies.begin(), kTrustedFamilies.end(), family) !=
         kTrustedFamilies.end();
}

// What one pass over libvips' loaders found: the first loader allowed to run, and the first
// that recognised the bytes but is not allowed (to explain a refusal).
struct LoaderSearch {
  LoadInput* input = nullptr;
  bool allow_untrusted = false;
  bool sources = true;  // this pass tries source loaders; the other, file or buffer loaders
  const VipsObjectClass* allowed = nullptr;
  const VipsObjectClass* blocked = nullptr;
};

bool Recognises(const VipsForeignLoadClass* loader, std::string_view nickname, LoadInput& input,
                bool sources) {
  if (sources) {
    if (!EndsWith(nickname, "_source") || loader->is_a_source == nullptr) return false;
    // An earlier loader's sniff may have read rather than peeked: always rewind.
    if (vips_source_rewind(input.source.get()) != 0) return false;
    return loader->is_a_source(input.source.get()) != 0;
  }
  // Loaders without an is_a test would go by the file name alone: never used.
  if (input.path.empty()) {
    return EndsWith(nickname, "_buffer") && loader->is_a_buffer != nullptr &&
           loader->is_a_buffer(input.bytes.data(), input.bytes.size()) != 0;
  }
  return !EndsWith(nickname, "_buffer") && !EndsWith(nickname, "_source") &&
         loader->is_a != nullptr && loader->is_a(input.path.c_str()) != 0;
}

void* TryLoader(void* item, void* search_pointer, void* /*unused*/) {
  auto* search = static_cast<LoaderSearch*>(search_pointer);
  const auto* object_class = static_cast<const VipsObjectClass*>(item);
  const auto* operation_class = static_cast<const VipsOperationClass*>(item);
  const std::string_view nickname = object_class->nickname;
  // Blocked in this process by libvips itself (VIPS_BLOCK_UNTRUSTED): as if absent.
  if (operation_class->flags & VIPS_OPERATION_BLOCKED) return nullptr;
  if (!Recognises(static_cast<const VipsForeignLoadClass*>(item), nickname, *search->input,
                  search->sources)) {
    return nullptr;
  }
  if (search->allow_untrusted || IsTrusted(FamilyOf(nickname))) {
    search->allowed = object_class;
    return item;  // stops the search: libvips orders loaders by priority
  }
  if (search->blocked == nullptr) search->blocked = object_class;
  return nullptr;
}

bool HasLoader(const char* nickname) { return FindOperationClass(nickname) != nullptr; }

// The first bytes of the input (at most `size`), for signatures and messages.
std::string Head(LoadInput& input, size_t size = 16) {
  unsigned char* head = nullptr;
  vips_source_rewind(input.source.get());
  const gint64 length = vips_source_sniff_at_most(input.source.get(), &head, size);
  return length > 0 ? std::string(reinterpret_cast<const char*>(head), static_cast<size_t>(length))
                    : std::string();
}

// The trusted format whose signature the bytes start with, or "". A file with one of these
// signatures that its loader's own sniff rejects (libtiff cannot open a TIFF whose directory is
// cut off) is a damaged file of that format, not an unknown one for ImageMagick to try.
std::string_view TrustedSignature(std::string_view bytes) {
  auto starts = [&](std::string_view magic, size_t at = 0) {
    return bytes.size() >= at + magic.size() && bytes.substr(at, magic.size()) == magic;
  };
  if (starts("\xFF\xD8\xFF")) return "JPEG";
  if (starts("\x89PNG\r\n\x1A\n")) return "PNG";
  if (starts("GIF87a") || starts("GIF89a")) return "GIF";
  if (starts("RIFF") && starts("WEBP", 8)) return "WebP";
  if (starts(std::string_view("II*\0", 4)) || starts(std::string_view("MM\0*", 4))) return "TIFF";
  if (bytes.size() >= 3 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '6' &&
      std::isspace(static_cast<unsigned char>(bytes[2]))) {
    return "PNM";
  }
  return "";
}

// A specific reason for bytes no allowed loader took.
Status Unrecognised(LoadInput& input) {
  const std::string head = Head(input);
  const std::string_view bytes = head;
  if (bytes.size() >= 12 && bytes.substr(4, 4) == "ftyp") {
    const std::string_view brand = bytes.substr(8, 4);
    const bool heif_brand = brand == "heic" || brand == "heix" || brand == "mif1" ||
                            brand == "msf1" || brand == "avif" || brand == "avis" ||
                            brand == "hevc" || brand == "heim";
    if (heif_brand && !HasLoader("heifload_source")) {
      return Unsupported(input.name + ": HEIF/AVIF is not supported by this libvips (no heifload)");
    }
  }
  const bool jxl = (bytes.size() >= 2 && bytes.substr(0, 2) == "\xFF\x0A") ||
                   (bytes.size() >= 8 && bytes.substr(4, 4) == "JXL ");
  if (jxl && !HasLoader("jxlload_source")) {
    return Unsupported(input.name + ": JPEG XL is not supported by this libvips (no jxlload)");
  }
  std::string hex;
  for (size_t i = 0; i < std::min<size_t>(bytes.size(), 8); ++i) {
    char byte[4];
    std::snprintf(byte, sizeof(byte), "%02x ", static_cast<unsigned char>(bytes[i]));
    hex += byte;
  }
  if (!hex.empty()) hex.pop_back();
  return Status(StatusCode::kDecodeError,
                input.name + ": not a recognised image format (starts with " + hex + ")");
}

Status Blocked(const LoadInput& input, const VipsObjectClass* loader) {
  const std::string family = FamilyOf(loader->nickname);
  std::string format = FormatOfLoader(family);
  std::transform(format.begin(), format.end(), format.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return Unsupported(input.name + ": " + format + " input is blocked: libvips' " + family +
                     " is not safe on untrusted files (--allow-untrusted enables it)");
}

}  // namespace

Result<LoadInput> OpenFileInput(const fs::path& path) {
  PIXFLOW_RETURN_IF_ERROR(InitCodecs());
  LoadInput input;
  input.name = path.string();
  input.path = path;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (status.type() == fs::file_type::not_found) {
    return Status(StatusCode::kIoError, input.name + ": no such file");
  }
  if (error) return Status(StatusCode::kIoError, input.name + ": cannot read: " + error.message());
  if (fs::is_directory(status)) {
    return Status(StatusCode::kIoError, input.name + ": is a folder, not an image file");
  }
  // A FIFO or device could block or never end; image files are regular files.
  if (!fs::is_regular_file(status)) {
    return Status(StatusCode::kIoError, input.name + ": not a regular file");
  }
  if (fs::file_size(path, error) == 0 && !error) {
    return Status(StatusCode::kDecodeError, input.name + ": empty file (0 bytes)");
  }
  input.source.reset(vips_source_new_from_file(input.name.c_str()));
  if (!input.source) return VipsFailure(StatusCode::kIoError, input.name + ": cannot read");
  return input;
}

Result<LoadInput> OpenMemoryInput(std::span<const uint8_t> bytes, const std::string& name) {
  PIXFLOW_RETURN_IF_ERROR(InitCodecs());
  if (bytes.empty()) return Status(StatusCode::kDecodeError, name + ": empty file (0 bytes)");
  LoadInput input;
  input.name = name;
  input.bytes = bytes;
  input.source.reset(vips_source_new_from_memory(bytes.data(), bytes.size()));
  if (!input.source) return VipsFailure(StatusCode::kInternal, name + ": cannot wrap bytes");
  return input;
}

namespace {

// Searches the registered loaders for one that takes `input`.
LoaderSearch SearchLoaders(LoadInput& input, bool allow_untrusted) {
  LoaderSearch search{&input, allow_untrusted, /*sources=*/true};
  vips_foreign_map("VipsForeignLoad", TryLoader, &search, nullptr);
  // Formats with no source loader (ImageMagick's, OpenSlide's, ...) are all untrusted; look for
  // them only when nothing else took the bytes, so the message can name the format.
  if (search.allowed == nullptr) {
    const VipsObjectClass* blocked_source = search.blocked;
    search.sources = false;
    search.blocked = nullptr;
    vips_foreign_map("VipsForeignLoad", TryLoader, &search, nullptr);
    if (blocked_source != nullptr) search.blocked = blocked_source;
  }
  return search;
}

}  // namespace

Result<Loader> FindLoader(LoadInput& input, bool allow_untrusted) {
  // The modules' loaders all take formats no built-in one takes, except the untrusted ones:
  // OpenSlide outranks the TIFF loader. So a trusted search that a built-in loader answers
  // gets the answer it would get with the modules; any other search needs them.
  if (allow_untrusted) LoadModules();
  LoaderSearch search = SearchLoaders(input, allow_untrusted);
  if (search.allowed == nullptr && LoadModules()) search = SearchLoaders(input, allow_untrusted);
  vips_source_rewind(input.source.get());
  if (search.allowed == nullptr) {
    if (const std::string_view format = TrustedSignature(Head(input)); !format.empty()) {
      return Status(StatusCode::kDecodeError, input.name + ": damaged " + std::string(format) +
                                                  " file: its header cannot be read");
    }
    return search.blocked != nullptr ? Blocked(input, search.blocked) : Unrecognised(input);
  }
  Loader loader;
  loader.nickname = search.allowed->nickname;
  loader.family = FamilyOf(loader.nickname);
  loader.trusted = IsTrusted(loader.family);
  loader.reads_source = EndsWith(loader.nickname, "_source");
  return loader;
}

Result<VipsImagePtr> OpenImage(LoadInput& input, const Loader& loader,
                               const LoadParameters& parameters) {
  VipsOperation* operation = vips_operation_new(loader.nickname.c_str());
  if (operation == nullptr) return VipsFailure(StatusCode::kInternal, input.name);
  VipsObject* object = VIPS_OBJECT(operation);
  if (loader.reads_source) {
    vips_source_rewind(input.source.get());
    vips_object_set(object, "source", input.source.get(), nullptr);
  } else if (!input.path.empty()) {
    vips_object_set(object, "filename", input.path.c_str(), nullptr);
  } else {
    VipsBlob* blob = vips_blob_new(nullptr, input.bytes.data(), input.bytes.size());
    vips_object_set(object, "buffer", blob, nullptr);
    vips_area_unref(VIPS_AREA(blob));
  }
  // Pixels are read top to bottom once; libvips can then stream instead of caching them all.
  vips_object_set(object, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                  static_cast<int>(parameters.fail_on), nullptr);
  if (parameters.jpeg_shrink > 1) {
    vips_object_set(object, "shrink", parameters.jpeg_shrink, nullptr);
  }
  if (parameters.scale != 1.0) vips_object_set(object, "scale", parameters.scale, nullptr);
  if (parameters.page > 0) vips_object_set(object, "page", parameters.page, nullptr);
  if (parameters.subifd >= 0) vips_object_set(object, "subifd", parameters.subifd, nullptr);
  if (parameters.heif_thumbnail) vips_object_set(object, "thumbnail", TRUE, nullptr);

  if (vips_cache_operation_buildp(&operation) != 0) {
    vips_object_unref_outputs(VIPS_OBJECT(operation));
    g_object_unref(operation);
    return VipsFailure(StatusCode::kDecodeError, input.name);
  }
  VipsImage* out = nullptr;
  g_object_get(operation, "out", &out, nullptr);  // a new reference, owned below
  vips_object_unref_outputs(VIPS_OBJECT(operation));
  g_object_unref(operation);
  return VipsImagePtr(out);
}

int StoredBitDepth(LoadInput& input) {
  // Signature (8), IHDR length and type (8), width and height (8), then the bit depth.
  const std::string head = Head(input, 25);
  vips_source_rewind(input.source.get());
  if (head.size() < 25 || TrustedSignature(head) != "PNG" || head.compare(12, 4, "IHDR") != 0) {
    return 0;
  }
  return static_cast<unsigned char>(head[24]);
}

std::string FormatOfLoader(const std::string& family) {
  if (family == "ppmload") return "pnm";
  if (family == "openexrload") return "exr";
  return EndsWith(family, "load") ? family.substr(0, family.size() - 4) : family;
}

}  // namespace pixflow::io::internal
