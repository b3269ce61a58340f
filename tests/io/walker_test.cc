// The folder walker: files and folders as inputs, recursion, deterministic order, relative
// paths, hidden files, symlink loops, non-images, the output folder inside an input folder, and
// refusing to write over an input.
#include "pixflow/io/walker.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pixflow/io/codec.h"
#include "test_util.h"

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

class WalkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("pixflow_walk_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    const Image8 image = test::SceneImage(8, 8, 3);
    png_ = *Encode(image.view(), {"png", 0});
    jpeg_ = *Encode(image.view(), {"jpg", 80});
    // Made in an order unlike the expected one, so sorting is what makes the order.
    Image("photos/zebra.png");
    Image("photos/2024/summer/beach.jpg");
    Image("photos/2024/b.jpg");
    Image("photos/a.jpg");
    Image("photos/2024/a.png");
    Image("photos/.hidden.jpg");
    Image("photos/.cache/thumb.jpg");
    Text("photos/notes.txt");
    Text("photos/2024/readme.md");
    Image("photos/out/previous_result.jpg");  // an output folder inside the input folder
    fs::create_symlink(root_ / "photos", root_ / "photos/2024/loop");  // back to an ancestor
    fs::create_symlink("2024/summer", root_ / "photos/summer_again");  // a folder seen twice
    fs::create_symlink("nowhere.jpg", root_ / "photos/broken.jpg");
    Image("single/one.webp.png");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Image(const std::string& relative) {
    Write(relative, relative.ends_with(".jpg") ? jpeg_ : png_);
  }
  void Text(const std::string& relative) {
    const std::string text = "not an image\n";
    Write(relative, std::vector<uint8_t>(text.begin(), text.end()));
  }
  void Write(const std::string& relative, const std::vector<uint8_t>& bytes) {
    const fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }

  static std::vector<std::string> Relatives(const WalkResult& walk) {
    std::vector<std::string> relatives;
    for (const InputFile& file : walk.files) relatives.push_back(file.relative);
    return relatives;
  }

  WalkResult Walk(std::vector<fs::path> inputs, WalkOptions options = {}) {
    if (options.output_folder.empty()) options.output_folder = root_ / "photos/out";
    Result<WalkResult> walk = WalkInputs(inputs, options);
    EXPECT_TRUE(walk.ok()) << walk.status().message();
    return walk.ok() ? std::move(walk).value() : WalkResult{};
  }

  fs::path root_;
  std::vector<uint8_t> png_, jpeg_;
};

TEST_F(WalkerTest, FolderTreeIsListedInAFixedOrderWithRelativePaths) {
  const WalkResult walk = Walk({root_ / "photos", root_ / "single/one.webp.png"});
  EXPECT_EQ(Relatives(walk),
            (std::vector<std::string>{"2024/a.png", "2024/b.jpg", "2024/summer/beach.jpg", "a.jpg",
                                      "zebra.png", "one.webp.png"}));
  EXPECT_EQ(walk.files.front().path, root_ / "photos/2024/a.png");
  EXPECT_TRUE(fs::path(walk.files.front().path).is_absolute());
  EXPECT_EQ(walk.skipped_not_image, 2);         // notes.txt, readme.md
  EXPECT_EQ(walk.skipped_hidden, 2);            // .hidden.jpg, .cache/
  EXPECT_EQ(walk.skipped_repeated_folders, 2);  // 2024/loop -> photos, summer_again -> summer
  EXPECT_EQ(walk.skipped_output_folders, 1);    // out/
  ASSERT_EQ(walk.problems.size(), 1u);
  EXPECT_NE(walk.problems[0].message().find("broken.jpg: broken symlink"), std::string::npos)
      << walk.problems[0].message();
  // The same tree, walked again, gives the same list.
  EXPECT_EQ(Walk({root_ / "photos", root_ / "single/one.webp.png"}).files, walk.files);
}

// Folders reached through a symlink are walked after the real ones; the list is then put in
// path order one name at a time: "a/x" before "a-b/y", though '-' sorts before '/'.
TEST_F(WalkerTest, FilesFromLinkedFoldersAreOrderedNameByName) {
  Image("sets/a/x.png");
  Image("elsewhere/y.png");
  fs::create_symlink(root_ / "elsewhere", root_ / "sets/a-b");
  EXPECT_EQ(Relatives(Walk({root_ / "sets"})), (std::vector<std::string>{"a/x.png", "a-b/y.png"}));
}

// A file named as an image is listed whatever its bytes, so the decoder reports it; only files
// with other names are skipped quietly when no loader recognises them.
TEST_F(WalkerTest, FilesNamedAsImagesAreListedEvenWhenUnrecognised) {
  Text("damaged/holiday.jpg");
  Write("damaged/empty.PNG", {});
  Text("damaged/notes.txt");
  Image("damaged/fine.png");
  const WalkResult walk = Walk({root_ / "damaged"});
  EXPECT_EQ(Relatives(walk), (std::vector<std::string>{"empty.PNG", "fine.png", "holiday.jpg"}));
  EXPECT_EQ(walk.skipped_not_image, 1);  // notes.txt
}

TEST_F(WalkerTest, HiddenFilesCanBeIncluded) {
  WalkOptions options;
  options.include_hidden = true;
  const WalkResult walk = Walk({root_ / "photos"}, options);
  EXPECT_EQ(Relatives(walk),
            (std::vector<std::string>{".cache/thumb.jpg", ".hidden.jpg", "2024/a.png", "2024/b.jpg",
                                      "2024/summer/beach.jpg", "a.jpg", "zebra.png"}));
  EXPECT_EQ(walk.skipped_hidden, 0);
}

TEST_F(WalkerTest, WithoutSniffingEveryRegularFileIsListed) {
  WalkOptions options;
  options.sniff_images = false;
  const WalkResult walk = Walk({root_ / "photos/2024"}, options);
  // loop/ leads up to photos/, which is not inside this input: its files are listed under
  // loop/, once, and its own way back down (2024/, summer_again/) is not walked again.
  // summer/ keeps its real path although "loop" sorts before it.
  EXPECT_EQ(Relatives(walk),
            (std::vector<std::string>{"a.png", "b.jpg", "loop/a.jpg", "loop/notes.txt",
                                      "loop/zebra.png", "readme.md", "summer/beach.jpg"}));
  EXPECT_EQ(walk.skipped_not_image, 0);
  EXPECT_EQ(walk.skipped_repeated_folders, 2);
}

TEST_F(WalkerTest, AnOutputFolderOutsideTheInputsChangesNothing) {
  WalkOptions options;
  options.output_folder = root_ / "elsewhere";
  const WalkResult walk = Walk({root_ / "photos"}, options);
  EXPECT_EQ(walk.skipped_output_folders, 0);
  EXPECT_EQ(Relatives(walk).size(), 6u) << "out/previous_result.jpg is an input now";
}

TEST_F(WalkerTest, GivenInputsMustExist) {
  const std::vector<fs::path> inputs = {root_ / "photos", root_ / "missing"};
  Result<WalkResult> walk = WalkInputs(inputs);
  ASSERT_FALSE(walk.ok());
  EXPECT_EQ(walk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(walk.status().message().find("missing: no such file or folder"), std::string::npos)
      << walk.status().message();
}

TEST_F(WalkerTest, AHiddenInputGivenByNameIsWalked) {
  const WalkResult walk = Walk({root_ / "photos/.cache"});
  EXPECT_EQ(Relatives(walk), std::vector<std::string>{"thumb.jpg"});
}

TEST_F(WalkerTest, WritingOverAnInputIsRefused) {
  const WalkResult walk = Walk({root_ / "photos"});
  const Status same = RefuseOverwritingInput(walk, root_ / "photos/a.jpg");
  EXPECT_EQ(same.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(same.message().find("refusing to write over an input file"), std::string::npos);
  // The same file under another name: a hard link or a symlink.
  fs::create_hard_link(root_ / "photos/a.jpg", root_ / "hard_link.jpg");
  fs::create_symlink(root_ / "photos/zebra.png", root_ / "soft_link.png");
  EXPECT_FALSE(RefuseOverwritingInput(walk, root_ / "hard_link.jpg").ok());
  EXPECT_FALSE(RefuseOverwritingInput(walk, root_ / "soft_link.png").ok());
  EXPECT_TRUE(RefuseOverwritingInput(walk, root_ / "photos/out/a.jpg").ok());
  EXPECT_TRUE(RefuseOverwritingInput(walk, root_ / "photos/notes.txt").ok()) << "not an input";
}

}  // namespace
}  // namespace pixflow::io
