// Turning the INPUT arguments (files and folders) into the list of image files to convert, each
// with the path it keeps under the output folder. Walking reads the file system on the calling
// thread and shares no state, so separate walks may run at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "pixflow/filters/status.h"

namespace pixflow::io {

struct WalkOptions {
  bool include_hidden =
      false;  // names starting with '.' inside folders (given inputs always count)
  // Skip files whose first bytes no image loader recognises (LooksLikeImage), counting them,
  // unless their name says they are images (photo.jpg, scan.TIFF): a damaged or mislabelled
  // photo is listed, so the decoder reports it instead of the batch silently leaving it out.
  // Off, every regular file is listed and the decoder says what is wrong with it.
  bool sniff_images = true;
  // The output folder: when it lies inside an input folder it is not walked, so a second run
  // never converts the first run's outputs. Empty: none.
  std::filesystem::path output_folder;
};

// Plain strings, not std::filesystem::path: libstdc++ keeps a list of its components with every
// path (about 20 allocations and 800 bytes for the two of a typical file), and a batch holds
// one InputFile per file for the whole run.
struct InputFile {
  std::string path;      // absolute; symlinks are kept as named, not resolved
  std::string relative;  // under its input folder; the bare name for a file input
  friend bool operator==(const InputFile&, const InputFile&) = default;
};

struct WalkResult {
  // Inputs in the order given; within a folder, depth first with each folder's entries in
  // byte order of their names (element-wise path order). The same tree always gives the same
  // list. A file reachable both directly and through a symlinked folder is listed once, under
  // its direct path.
  std::vector<InputFile> files;
  int skipped_not_image = 0;         // regular files no image loader recognises
  int skipped_hidden = 0;            // hidden files and folders (each folder counts once)
  int skipped_repeated_folders = 0;  // folders reached again through a symlink (loops included)
  int skipped_output_folders = 0;    // the output folder, met inside an input folder
  int skipped_special = 0;           // FIFOs, sockets, devices
  // Unreadable folders, broken symlinks: reported, and the walk goes on without them.
  std::vector<Status> problems;
  // (device, inode) of every listed file, to refuse writing over one of them.
  std::set<std::pair<uint64_t, uint64_t>> input_ids;
};

// Walks `inputs` (files and folders, recursively, following symlinks). An input that does not
// exist or cannot be read is an error (kInvalidArgument naming it): the command line is wrong.
Result<WalkResult> WalkInputs(std::span<const std::filesystem::path> inputs,
                              const WalkOptions& options = {});

// kInvalidArgument when `output` is, or is a link to, one of the walk's input files. Call it
// right before writing `output`.
Status RefuseOverwritingInput(const WalkResult& walk, const std::filesystem::path& output);

}  // namespace pixflow::io
