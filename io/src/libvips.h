// The one place that knows libvips' conventions: start-up, reference-counted handles, and how
// its error text is collected. Private to pixflow::io; nothing outside io/src includes it.
//
// Why a decode failed comes from two places, and pixflow decodes on several threads at once:
//  - libvips' error buffer, one process-wide string. It is taken right after the call that
//    failed with vips_error_buffer_copy(), which copies and clears under libvips' lock; nothing
//    clears it before a call (that would erase another thread's pending reason), and
//    vips_error_freeze()/thaw() are never used (a process-wide counter: freezing for one
//    thread's probe would drop another thread's real error). When two decodes fail at the same
//    instant, one message may carry both reasons and the other none.
//  - libvips warnings, where several codecs put their only explanation (libpng's "not enough
//    data", libnsgif's, libheif's). A warning is raised on the thread that hit it, and pixflow
//    decodes on the calling thread (it pulls pixels with vips_region_prepare and never asks
//    libvips to run a decode on its worker threads), so CodecMessages captures them per thread,
//    exactly. (Savers do run on a libvips write thread; encoders rarely warn, and their
//    failures still reach the error buffer.)
//  - some codecs also write to the error buffer when they succeed (libjpeg's warnings, libtiff's
//    complaints during a format sniff). Left there, that text would pile up (the buffer is a
//    fixed 10 kB) and resurface as the "reason" for some later, unrelated failure, so each
//    public io call clears the buffer when it ends (CodecMessages' destructor). The price is
//    the same race as above: a failure on another thread at that instant may lose its reason.
// Every Status also names the file and the operation itself, so the libvips text is the detail,
// never the identification: a message can lack a reason but cannot name the wrong file.
#pragma once

#include <vips/vips.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pixflow/filters/image.h"
#include "pixflow/filters/status.h"

namespace pixflow::io {
// Declared in codec.h; every entry point into libvips calls it first.
Status InitCodecs();
}  // namespace pixflow::io

namespace pixflow::io::internal {

struct GObjectUnref {
  void operator()(void* object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
using VipsImagePtr = std::unique_ptr<VipsImage, GObjectUnref>;
using VipsSourcePtr = std::unique_ptr<VipsSource, GObjectUnref>;
using VipsTargetPtr = std::unique_ptr<VipsTarget, GObjectUnref>;

// One public io call's view of libvips' messages: collects the warnings raised on this thread
// while it is alive, instead of printing them, and on leaving the outermost scope clears what
// the call left in the error buffer. Scopes nest; the innermost collects. Outside any scope
// warnings print as usual.
class CodecMessages {
 public:
  CodecMessages();
  ~CodecMessages();
  CodecMessages(const CodecMessages&) = delete;
  CodecMessages& operator=(const CodecMessages&) = delete;

  // Distinct warnings in the order raised, without libvips' per-tile echoes of an error.
  const std::vector<std::string>& warnings() const { return warnings_; }
  void Add(std::string warning);

 private:
  std::vector<std::string> warnings_;
  CodecMessages* outer_;
};

// The libvips reason for the last failure, cleared from the shared buffer: its most specific
// (last) line, followed by this thread's captured warnings when a scope is active; "no reason
// given" when there is neither.
std::string TakeVipsError();

// Status(code, "context: <libvips reason>").
Status VipsFailure(StatusCode code, const std::string& context);

// Routes libvips warnings to the active CodecMessages of the raising thread. Called once, by
// InitCodecs. (libvips asks libraries not to install log handlers; pixflow::io is the only
// libvips user in a pixflow process, and outside a capture scope it prints exactly as GLib would.)
void CaptureCodecWarnings();

// Loads libvips' format modules (HEIF, JPEG XL, ImageMagick, OpenSlide, PDF), which InitCodecs
// leaves out, once. True if they were left out at start, so that a lookup that missed before
// this call is worth repeating. A lookup whose answer a module could change calls it first, or
// after a miss; the answer is then the one a libvips started with its modules gives.
bool LoadModules();

// The operation class for a loader or saver nickname ("jpegload_source"), or nullptr. Loads the
// modules before it answers nullptr.
const VipsOperationClass* FindOperationClass(const char* nickname);

// Wraps 8-bit pixels as a VipsImage labelled B_W (1-2 channels) or sRGB (3-4 channels), without
// copying the image: `pixels` must outlive it. Packed rows are the image's memory; padded rows
// (an Image's) are copied a strip at a time as libvips asks for them, into its own small buffers.
VipsImagePtr WrapView(ConstView8 pixels);

}  // namespace pixflow::io::internal
