// What the `pixflow convert` end-to-end tests share: a scratch folder per test, real photos
// copied into it, and ways to look at what a run left behind (every file, sizes, pixels, the
// JSON-lines report).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pixflow/io/codec.h"
#include "pixflow/pipeline/ops.h"
#include "pixflow_process.h"
#include "test_util.h"

namespace pixflow::test {

namespace fs = std::filesystem;

class ConvertCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pixflow_convert_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    // A test may have taken write permission away from a folder; give it back to clean up.
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(dir_, error);
         it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (it->is_directory()) fs::permissions(it->path(), fs::perms::owner_all, error);
    }
    fs::remove_all(dir_, error);
  }

  // Under the scratch folder.
  fs::path At(const std::string& relative) const { return dir_ / relative; }
  std::string Arg(const std::string& relative) const { return At(relative).string(); }

  static fs::path Photo(const std::string& name) {
    const fs::path samples = PIXFLOW_SAMPLES_DIR;
    if (fs::exists(samples / name)) return samples / name;
    return fs::path(PIXFLOW_REAL_IMAGES_DIR) / name;
  }
  // Copies a real photo (from samples/ or the opencv-doc folder) to `relative`.
  fs::path CopyPhoto(const std::string& name, const std::string& relative) const {
    const fs::path to = At(relative);
    fs::create_directories(to.parent_path());
    EXPECT_TRUE(fs::copy_file(Photo(name), to, fs::copy_options::overwrite_existing)) << name;
    return to;
  }
  fs::path WriteFile(const std::string& relative, std::string_view bytes) const {
    const fs::path to = At(relative);
    fs::create_directories(to.parent_path());
    std::ofstream(to, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return to;
  }
  // A `width`x`height` window of a real photo, written losslessly as PNG.
  fs::path WritePhotoCrop(const std::string& name, int width, int height,
                          const std::string& relative) const {
    const Image8 photo = RealImage(name, 3);
    Result<std::vector<uint8_t>> png = io::Encode(photo.view().Sub(0, 0, width, height), {"png"});
    EXPECT_TRUE(png.ok()) << png.status().message();
    return WriteFile(relative,
                     std::string_view(reinterpret_cast<const char*>(png->data()), png->size()));
  }

  // Every entry under `root`, hidden ones included, relative; folders end in '/'.
  static std::set<std::string> Tree(const fs::path& root) {
    std::set<std::string> entries;
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(root, error);
         it != fs::recursive_directory_iterator(); it.increment(error)) {
      std::string name = fs::relative(it->path(), root).string();
      if (it->is_directory()) name += '/';
      entries.insert(std::move(name));
    }
    return entries;
  }
  // Regular files only, relative to `root`.
  static std::set<std::string> Files(const fs::path& root) {
    std::set<std::string> files;
    for (const std::string& entry : Tree(root)) {
      if (entry.back() != '/') files.insert(entry);
    }
    return files;
  }

  // Width, height and bands from the header.
  static Size SizeOf(const fs::path& path) {
    Result<io::ImageInfo> info = io::ReadInfo(path);
    EXPECT_TRUE(info.ok()) << info.status().message();
    if (!info.ok()) return {};
    return {info->width, info->height, info->bands};
  }
  static std::string FormatOf(const fs::path& path) {
    Result<io::ImageInfo> info = io::ReadInfo(path);
    return info.ok() ? info->format : info.status().message();
  }
  static Image8 Pixels(const fs::path& path) {
    Result<io::DecodedImage> decoded = io::Decode(path);
    EXPECT_TRUE(decoded.ok()) << decoded.status().message();
    return decoded.ok() ? std::move(decoded->pixels) : Image8();
  }
  // What the library makes of `input` with `ops`, decoded with `options`: the reference the
  // CLI's output is compared with. Geometry resolves against the full displayed size, as in
  // the pipeline, whatever size the decode delivered.
  static Image8 LibraryResult(const fs::path& input, const std::vector<pipeline::OpText>& ops,
                              const io::DecodeOptions& options = {}) {
    Result<io::DecodedImage> decoded = io::Decode(input, options);
    EXPECT_TRUE(decoded.ok()) << decoded.status().message();
    Result<pipeline::OpList> list = pipeline::OpList::Parse(ops);
    EXPECT_TRUE(list.ok()) << list.status().message();
    if (!decoded.ok() || !list.ok()) return Image8();
    const Size full{decoded->info.displayed_width(), decoded->info.displayed_height(),
                    decoded->pixels.channels()};
    Result<FilterChain> chain = list->BuildChain(full);
    EXPECT_TRUE(chain.ok()) << chain.status().message();
    Result<Image8> out = chain->Run(std::as_const(decoded->pixels).view());
    EXPECT_TRUE(out.ok()) << out.status().message();
    return out.ok() ? std::move(*out) : Image8();
  }

  static std::string ReadText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // A --report file: one parsed object per line.
  static std::vector<nlohmann::json> ReadReport(const fs::path& path) {
    std::vector<nlohmann::json> lines;
    std::istringstream text(ReadText(path));
    for (std::string line; std::getline(text, line);) {
      lines.push_back(nlohmann::json::parse(line));
    }
    return lines;
  }
  // The image record for `input` in a report, or null.
  static nlohmann::json RecordFor(const std::vector<nlohmann::json>& report,
                                  const fs::path& input) {
    for (const nlohmann::json& line : report) {
      if (line.contains("input") && line["input"] == input.string()) return line;
    }
    return nullptr;
  }

  fs::path dir_;
};

inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace pixflow::test
