#include "libvips.h"

#include <dlfcn.h>
#include <gmodule.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>

#include "pixflow/filters/sanitizer.h"
#include "pixflow/io/codec.h"

namespace pixflow::io {

namespace {

// libvips' vips_init loads every format module it ships (HEIF, JPEG XL, ImageMagick, OpenSlide,
// PDF): 25-30 ms and 7 MiB of libraries on every start, which a batch of JPEG, PNG, WebP or TIFF
// files never uses. pixflow starts libvips without them and loads them the first time a lookup
// needs them (internal::LoadModules).
bool modules_deferred = false;

// The folder of the running libvips' modules: next to libvips.so, as libvips installs them.
std::string ModulesFolder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&vips_init), &info) == 0 || info.dli_fname == nullptr) {
    return "";
  }
  gchar* folder = g_path_get_dirname(info.dli_fname);
  std::string path = std::string(folder) + "/vips-modules-" + std::to_string(vips_version(0)) +
                     "." + std::to_string(vips_version(1));
  g_free(folder);
  return path;
}

}  // namespace

Status InitCodecs() {
  static const bool started = [] {
    // vips_init looks for its modules under $VIPSHOME. Unless the user set it, it names a
    // folder no module can be in while libvips starts (/dev/null is a file), and is unset
    // again after. (vips_init itself sets VIPSHOME when it is unset: changing the environment
    // here is no new hazard to threads that read it.)
    modules_deferred = g_getenv("VIPSHOME") == nullptr;
    if (modules_deferred) g_setenv("VIPSHOME", "/dev/null", TRUE);
    const bool failed = VIPS_INIT("pixflow") != 0;
    if (modules_deferred) g_unsetenv("VIPSHOME");
    if (failed) return false;
    // pixflow parallelises across images itself; libvips' own worker pool would oversubscribe.
    vips_concurrency_set(1);
    // Each image is decoded once; an operation cache would only hold memory.
    vips_cache_set_max(0);
    internal::CaptureCodecWarnings();
    return true;
  }();
  if (!started) {
    return Status(StatusCode::kInternal, "libvips failed to start: " + internal::TakeVipsError());
  }
  return Status::Ok();
}

namespace internal {
namespace {

thread_local CodecMessages* current_messages = nullptr;

void OnVipsWarning(const gchar* domain, GLogLevelFlags level, const gchar* message,
                   gpointer user_data) {
  if (current_messages != nullptr && message != nullptr) {
    current_messages->Add(message);
  } else {
    g_log_default_handler(domain, level, message, user_data);
  }
}

}  // namespace

CodecMessages::CodecMessages() : outer_(current_messages) { current_messages = this; }

CodecMessages::~CodecMessages() {
  current_messages = outer_;
  if (outer_ == nullptr) g_free(vips_error_buffer_copy());
}

void CodecMessages::Add(std::string warning) {
  // A warning may carry several lines (libjpeg's are echoed with the error buffer's contents).
  size_t start = 0;
  while (start < warning.size()) {
    const size_t end = std::min(warning.find('\n', start), warning.size());
    std::string line = warning.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    // libvips repeats an error once per tile it could not compute, and libjpeg's count of
    // warnings precedes the warnings themselves: the lines that say what went wrong remain.
    if (line.empty() || line.starts_with("error in tile") || line.starts_with("read gave ")) {
      continue;
    }
    if (std::find(warnings_.begin(), warnings_.end(), line) == warnings_.end()) {
      warnings_.push_back(std::move(line));
    }
  }
}

void CaptureCodecWarnings() {
  g_log_set_handler("VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING), OnVipsWarning,
                    nullptr);
}

std::string TakeVipsError() {
  char* text = vips_error_buffer_copy();
  std::string message = text ? text : "";
  g_free(text);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  // libvips stacks one line per layer; the last is the most specific reason.
  if (const size_t newline = message.rfind('\n'); newline != std::string::npos) {
    message.erase(0, newline + 1);
  }
  if (current_messages != nullptr) {
    for (const std::string& warning : current_messages->warnings()) {
      // libjpeg both warns and fails with the same words: say them once.
      if (message.find(warning) != std::string::npos) continue;
      message += message.empty() ? warning : " (" + warning + ")";
    }
  }
  return message.empty() ? "no reason given" : message;
}

Status VipsFailure(StatusCode code, const std::string& context) {
  return Status(code, context + ": " + TakeVipsError());
}

bool LoadModules() {
  if (!InitCodecs().ok()) return false;
  static std::once_flag once;
  std::call_once(once, [] {
    if (!modules_deferred) return;
    const std::string folder = ModulesFolder();
    GDir* dir = folder.empty() ? nullptr : g_dir_open(folder.c_str(), 0, nullptr);
    if (dir == nullptr) return;
    // As vips_init would: every shared object in the folder, whose g_module_check_init
    // registers its loaders and savers (and makes the module resident). One that fails to load
    // is left out, as vips_init leaves it out.
    while (const gchar* name = g_dir_read_name(dir)) {
      if (!g_str_has_suffix(name, "." G_MODULE_SUFFIX)) continue;
      gchar* path = g_build_filename(folder.c_str(), name, nullptr);
      g_module_open(path, G_MODULE_BIND_LAZY);
      g_free(path);
    }
    g_dir_close(dir);
    // vips_init blocks untrusted operations after loading its modules when asked to.
    if (g_getenv("VIPS_BLOCK_UNTRUSTED") != nullptr) vips_block_untrusted_set(TRUE);
  });
  return modules_deferred;
}

const VipsOperationClass* FindOperationClass(const char* nickname) {
  GType type = vips_type_find("VipsOperation", nickname);
  if (type == 0 && LoadModules()) type = vips_type_find("VipsOperation", nickname);
  if (type == 0) return nullptr;
  // Class structures live as long as the type system; the reference is never dropped.
  return VIPS_OPERATION_CLASS(g_type_class_ref(type));
}

VipsImagePtr WrapView(ConstView8 pixels) {
  const int width = pixels.width();
  const int height = pixels.height();
  const int channels = pixels.channels();
  const VipsInterpretation interpretation =
      channels <= 2 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
  const size_t row_bytes = pixels.row_elements();
  if (height == 1 || static_cast<size_t>(pixels.stride_bytes()) == row_bytes) {
    VipsImagePtr image(vips_image_new_from_memory(pixels.Row(0), row_bytes * height, width, height,
                                                  channels, VIPS_FORMAT_UCHAR));
    if (image) image->Type = interpretation;
    return image;
  }
  VipsImagePtr image(vips_image_new());
  vips_image_init_fields(image.get(), width, height, channels, VIPS_FORMAT_UCHAR, VIPS_CODING_NONE,
                         interpretation, 1.0, 1.0);
  if (vips_image_pipelinev(image.get(), VIPS_DEMAND_STYLE_THINSTRIP, nullptr) != 0) return nullptr;
  // The view travels with the image and is freed with it. libvips' workers read the pixels
  // (in `generate`), handed over through GLib's locks, which ThreadSanitizer does not see: the
  // annotations order the caller's writes before the reads, and the reads before whatever the
  // caller does once the image is gone.
  auto* source = new ConstView8(pixels);
  HappensBefore(source);
  g_object_set_data_full(G_OBJECT(image.get()), "pixflow-pixels", source, [](gpointer p) {
    HappensAfter(p);
    delete static_cast<ConstView8*>(p);
  });
  const auto generate = [](VipsRegion* out, void*, void* a, void*, gboolean*) -> int {
    HappensAfter(a);
    const auto& view = *static_cast<const ConstView8*>(a);
    const VipsRect& rect = out->valid;
    const size_t left = static_cast<size_t>(rect.left) * view.channels();
    const size_t bytes = static_cast<size_t>(rect.width) * view.channels();
    for (int y = rect.top; y < VIPS_RECT_BOTTOM(&rect); ++y) {
      std::memcpy(VIPS_REGION_ADDR(out, rect.left, y), view.Row(y) + left, bytes);
    }
    HappensBefore(a);
    return 0;
  };
  if (vips_image_generate(image.get(), nullptr, generate, nullptr, source, nullptr) != 0) {
    return nullptr;
  }
  return image;
}

}  // namespace internal
}  // namespace pixflow::io
