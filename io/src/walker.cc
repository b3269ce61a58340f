#include "pixflow/io/walker.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>

#include "pixflow/io/codec.h"

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;
using FileId = std::pair<uint64_t, uint64_t>;

// The identity of what `path` names, following symlinks; nullopt if it cannot be stat'ed.
std::optional<FileId> IdOf(const fs::path& path, struct stat* info = nullptr) {
  struct stat local {};
  struct stat& st = info != nullptr ? *info : local;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

// Suffixes of the image formats people keep photos in (any case).
bool NamedLikeImage(const fs::path& path) {
  static constexpr std::string_view kSuffixes[] = {
      ".jpg",  ".jpeg", ".jpe",  ".jfif", ".png", ".webp", ".gif", ".tif", ".tiff",
      ".heic", ".heif", ".avif", ".jxl",  ".bmp", ".pnm",  ".ppm", ".pgm", ".pbm"};
  std::string suffix = path.extension().string();
  std::transform(suffix.begin(), suffix.end(), suffix.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(std::begin(kSuffixes), std::end(kSuffixes), suffix) != std::end(kSuffixes);
}

// Whether relative path `a` sorts before `b` the way std::filesystem::path compares them, one
// name at a time: the separator sorts before every character a name can hold ("a/b" before
// "a-b"), and a path before the longer ones it starts ("a" before "a/b").
bool ElementwiseLess(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto rank = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c) + 1; };
    return rank(x) < rank(y);
  });
}

bool IsHidden(const fs::path& name) {
  const std::string text = name.string();
  return text.size() > 1 && text[0] == '.' && text != "..";
}

// Real folders are walked first and folders reached through symlinks afterwards, so a file
// reachable both ways is listed under its real path whatever the names sort to; every folder
// is walked at most once, which is also what makes symlink loops harmless.
class Walker {
 public:
  Walker(const WalkOptions& options, WalkResult& result) : options_(options), result_(result) {
    if (!options.output_folder.empty()) output_id_ = IdOf(options.output_folder);
  }

  // Adds a file under `relative` (sniffed first, when asked).
  void AddFile(const fs::path& path, const fs::path& relative, const FileId& id) {
    if (options_.sniff_images && !NamedLikeImage(path) && !LooksLikeImage(path)) {
      ++result_.skipped_not_image;
      return;
    }
    result_.files.push_back({path.string(), relative.string()});
    result_.input_ids.insert(id);
  }

  // Walks the input folder `folder` (absolute), then the symlinked folders found in it.
  void WalkInputFolder(const fs::path& folder, const FileId& id) {
    const size_t first = result_.files.size();
    WalkFolder(folder, fs::path(), id);
    // Deferred symlinked folders may add more; each is walked once, in the order found.
    for (size_t i = 0; i < linked_.size(); ++i) {
      const Linked link = linked_[i];
      WalkFolder(link.path, link.relative, link.id);
    }
    linked_.clear();
    // Depth first, each folder's entries in byte order of their names: element-wise path order.
    std::sort(result_.files.begin() + static_cast<ptrdiff_t>(first), result_.files.end(),
              [](const InputFile& a, const InputFile& b) {
                return ElementwiseLess(a.relative, b.relative);
              });
  }

 private:
  struct Linked {
    fs::path path;
    fs::path relative;
    FileId id;
  };

  void WalkFolder(const fs::path& folder, const fs::path& relative, const FileId& id) {
    if (!visited_.insert(id).second) {
      ++result_.skipped_repeated_folders;
      return;
    }
    if (output_id_ && id == *output_id_) {
      ++result_.skipped_output_folders;
      return;
    }
    std::error_code error;
    std::vector<fs::path> names;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
      names.push_back(it->path().filename());
    }
    if (error) {
      result_.problems.push_back(
          Status(StatusCode::kIoError, folder.string() + ": cannot list: " + error.message()));
      return;
    }
    // Sorted so that the problems and counts come out in a fixed order too.
    std::sort(names.begin(), names.end());
    for (const fs::path& name : names) VisitEntry(folder / name, relative / name, name);
  }

  void VisitEntry(const fs::path& path, const fs::path& relative, const fs::path& name) {
    if (!options_.include_hidden && IsHidden(name)) {
      ++result_.skipped_hidden;
      return;
    }
    struct stat info {};
    const std::optional<FileId> id = IdOf(path, &info);
    if (!id) {
      const std::string why = errno == ENOENT ? "broken symlink" : std::strerror(errno);
      result_.problems.push_back(Status(StatusCode::kIoError, path.string() + ": " + why));
      return;
    }
    if (S_ISDIR(info.st_mode)) {
      std::error_code error;
      if (fs::is_symlink(path, error)) {
        linked_.push_back({path, relative, *id});
      } else {
        WalkFolder(path, relative, *id);
      }
    } else if (S_ISREG(info.st_mode)) {
      AddFile(path, relative, *id);
    } else {
      ++result_.skipped_special;
    }
  }

  const WalkOptions& options_;
  WalkResult& result_;
  std::optional<FileId> output_id_;
  std::set<FileId> visited_;    // folders walked so far, across all inputs
  std::vector<Linked> linked_;  // symlinked folders waiting for the real ones to be walked
};

}  // namespace

Result<WalkResult> WalkInputs(std::span<const fs::path> inputs, const WalkOptions& options) {
  WalkResult result;
  Walker walker(options, result);
  for (const fs::path& input : inputs) {
    std::error_code error;
    const fs::path absolute = fs::absolute(input, error).lexically_normal();
    struct stat info {};
    const std::optional<FileId> id = IdOf(absolute, &info);
    if (error || !id) {
      return InvalidArgument(input.string() + ": " +
                             (errno == ENOENT ? "no such file or folder" : std::strerror(errno)));
    }
    if (S_ISDIR(info.st_mode)) {
      walker.WalkInputFolder(absolute, *id);
    } else if (S_ISREG(info.st_mode)) {
      walker.AddFile(absolute, absolute.filename(), *id);
    } else {
      return InvalidArgument(input.string() + ": not a file or folder");
    }
  }
  return result;
}

Status RefuseOverwritingInput(const WalkResult& walk, const fs::path& output) {
  const std::optional<FileId> id = IdOf(output);
  if (id && walk.input_ids.count(*id) != 0) {
    return InvalidArgument(output.string() + ": refusing to write over an input file");
  }
  return Status::Ok();
}

}  // namespace pixflow::io
