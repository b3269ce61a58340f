// Output name templates: fields, the default, and the names that must be refused.
#include "pixflow/io/name_template.h"

#include <gtest/gtest.h>

namespace pixflow::io {
namespace {

namespace fs = std::filesystem;

NameFields Fields(const char* relative) { return {relative, "webp", 320, 213, "320w"}; }

std::string Render(std::string_view name_template, const NameFields& fields) {
  Result<fs::path> path = RenderName(name_template, fields);
  EXPECT_TRUE(path.ok()) << path.status().message();
  return path.ok() ? path->string() : "";
}

std::string ErrorOf(std::string_view name_template, const NameFields& fields) {
  Result<fs::path> path = RenderName(name_template, fields);
  EXPECT_FALSE(path.ok()) << name_template << " rendered " << path->string();
  if (path.ok()) return "";
  EXPECT_EQ(path.status().code(), StatusCode::kInvalidArgument);
  return path.status().message();
}

TEST(NameTemplateTest, TheDefaultKeepsTheTreeAndChangesTheExtension) {
  EXPECT_EQ(Render(kDefaultNameTemplate, Fields("2024/summer/IMG_0042.JPG")),
            "2024/summer/IMG_0042.webp");
  // At the top of the tree {dir} is empty and leaves no leading '/'.
  EXPECT_EQ(Render(kDefaultNameTemplate, Fields("a.jpg")), "a.webp");
  // Only the last extension is the input's format.
  EXPECT_EQ(Render(kDefaultNameTemplate, Fields("archive.tar.png")), "archive.tar.webp");
}

TEST(NameTemplateTest, EveryFieldRenders) {
  EXPECT_EQ(Render("{dir}/{name}-{variant}-{width}x{height}.{ext}", Fields("x/photo.jpg")),
            "x/photo-320w-320x213.webp");
  EXPECT_EQ(Render("{variant}/{dir}/{name}.{ext}", Fields("photo.jpg")), "320w/photo.webp");
  EXPECT_EQ(Render("thumbs//{name}.{ext}", Fields("photo.jpg")), "thumbs/photo.webp");
  EXPECT_EQ(Render("{{{name}}}.{ext}", Fields("photo.jpg")), "{photo}.webp");
}

TEST(NameTemplateTest, SizeDependenceIsKnownBeforeRendering) {
  EXPECT_TRUE(NameTemplate::Parse("{name}_{width}.{ext}")->uses_size());
  EXPECT_TRUE(NameTemplate::Parse("{height}/{name}.{ext}")->uses_size());
  EXPECT_FALSE(NameTemplate::Parse(kDefaultNameTemplate)->uses_size());
}

TEST(NameTemplateTest, MalformedTemplatesAreRefused) {
  const NameFields fields = Fields("a.jpg");
  EXPECT_NE(ErrorOf("{nme}.{ext}", fields).find("unknown field {nme}"), std::string::npos);
  EXPECT_NE(ErrorOf("{name.{ext}", fields).find("unknown field"), std::string::npos);
  EXPECT_NE(ErrorOf("{name}.{ext", fields).find("unmatched '{'"), std::string::npos);
  EXPECT_NE(ErrorOf("name}.jpg", fields).find("unmatched '}'"), std::string::npos);
  EXPECT_NE(ErrorOf("/tmp/{name}.{ext}", fields).find("relative to the output folder"),
            std::string::npos);
  EXPECT_NE(ErrorOf("", fields).find("empty"), std::string::npos);
}

TEST(NameTemplateTest, NamesThatLeaveTheOutputFolderOrAreNotFilesAreRefused) {
  EXPECT_NE(ErrorOf("../{name}.{ext}", Fields("a.jpg")).find("leaves the output folder"),
            std::string::npos);
  NameFields climbing = Fields("a.jpg");
  climbing.variant = "../../etc";
  EXPECT_NE(ErrorOf("{variant}/{name}.{ext}", climbing).find("leaves the output folder"),
            std::string::npos);
  NameFields no_variant = Fields("a.jpg");
  no_variant.variant.clear();
  EXPECT_NE(ErrorOf("{variant}", no_variant).find("not a file name"), std::string::npos);
  EXPECT_NE(ErrorOf("{dir}/", Fields("x/a.jpg")).find("not a file name"), std::string::npos);
}

}  // namespace
}  // namespace pixflow::io
