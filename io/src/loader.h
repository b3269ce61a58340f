// Choosing a libvips loader from the bytes and building it. Private to pixflow::io.
//
// The input is opened once as a VipsSource; the loader is chosen by sniffing that source and
// then reads the same source, so the bytes that were checked are the bytes that are decoded
// (no second open of the path, no window for the file to be swapped in between).
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "libvips.h"
#include "pixflow/filters/status.h"
#include "pixflow/io/image_info.h"

namespace pixflow::io::internal {

// A file or a buffer being decoded.
struct LoadInput {
  std::string name;                // used in every message
  std::filesystem::path path;      // empty for a buffer
  std::span<const uint8_t> bytes;  // a buffer's bytes; empty for a file
  VipsSourcePtr source;
};
// kIoError when the file is missing, a folder or unreadable; kDecodeError when it is empty.
Result<LoadInput> OpenFileInput(const std::filesystem::path& path);
Result<LoadInput> OpenMemoryInput(std::span<const uint8_t> bytes, const std::string& name);

struct Loader {
  std::string nickname;  // the libvips operation, e.g. "jpegload_source"
  std::string family;    // the nickname without variant, e.g. "jpegload"
  bool trusted = true;
  bool reads_source = true;  // false: a filename or buffer loader (formats with no source loader)
};

// The loader for the bytes, in libvips' priority order, ignoring any loader that would only go
// by the file name. Without allow_untrusted, untrusted loaders are skipped; when only untrusted
// ones recognise the bytes the result is kUnsupported naming the format and how to enable it.
// Bytes no loader recognises give kDecodeError (kUnsupported for HEIF/AVIF/JPEG XL when this
// libvips lacks their loader).
Result<Loader> FindLoader(LoadInput& input, bool allow_untrusted);

// Options passed to the loader. The defaults leave the loader's own (the first page, full size);
// reduced_load.h chooses the others.
struct LoadParameters {
  FailOn fail_on = FailOn::kTruncated;
  int jpeg_shrink = 1;          // jpegload: 1, 2, 4 or 8
  double scale = 1.0;           // webpload (below 1 only), svgload and pdfload (any)
  int page = 0;                 // tiffload: a level of a pyramid stored as pages
  int subifd = -1;              // tiffload: a level stored as a sub-IFD; -1 is the page itself
  bool heif_thumbnail = false;  // heifload: the stored thumbnail instead of the primary image
};

// Builds the loader, which reads the header only; pixels are decoded later, on demand, so a
// truncated file fails when its pixels are read, not here. Nothing may read or rewind
// input.source between this and the last pixel read.
Result<VipsImagePtr> OpenImage(LoadInput& input, const Loader& loader,
                               const LoadParameters& parameters);

// The bit depth the file stores, where libvips does not record it (a PNG's IHDR: 1, 2, 4, 8 or
// 16), or 0 when the header says nothing more than the decoded sample size. Call it before
// OpenImage: a built loader owns the source's read position until its pixels are read (PNM's
// loader maps the pixels from where its header parse left off), and this sniff rewinds it.
int StoredBitDepth(LoadInput& input);

// "jpeg", "png", "pnm", "heif", "svg", ... from a loader family ("ppmload" -> "pnm").
std::string FormatOfLoader(const std::string& family);

}  // namespace pixflow::io::internal
