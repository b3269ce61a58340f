// SVG and PDF with a target size render at the scale that covers it, larger than their natural
// size as well as smaller, so the edges stay sharp instead of being enlarged from a small raster.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "pixflow/io/codec.h"

namespace pixflow::io {
namespace {

// 40x20 user units: white, with a black bar over x = 10..20.
constexpr std::string_view kBarSvg =
    R"(<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">)"
    R"(<rect width="40" height="20" fill="white"/>)"
    R"(<rect x="10" width="10" height="20" fill="black"/></svg>)";

std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// A one-page PDF, `width` x `height` points, whose page draws `content`; the cross-reference
// offsets are exact, so poppler reads it without repairing anything.
std::string OnePagePdf(int width, int height, std::string_view content) {
  std::vector<std::string> objects(4);
  objects[0] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[1] = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
  objects[2]
      .append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ")
      .append(std::to_string(width))
      .append(" ")
      .append(std::to_string(height))
      .append("] /Contents 4 0 R >>");
  objects[3]
      .append("<< /Length ")
      .append(std::to_string(content.size()))
      .append(" >>\nstream\n")
      .append(content)
      .append("\nendstream");
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf.append(std::to_string(i + 1)).append(" 0 obj\n").append(objects[i]).append("\nendobj\n");
  }
  const size_t xref = pdf.size();
  pdf.append("xref\n0 5\n0000000000 65535 f \n");
  for (const size_t offset : offsets) {
    char line[24];
    std::snprintf(line, sizeof(line), "%010zu 00000 n \n", offset);
    pdf.append(line);
  }
  pdf.append("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n")
      .append(std::to_string(xref))
      .append("\n%%EOF\n");
  return pdf;
}

Result<DecodedImage> Render(std::string_view file, const std::string& name, int min_width,
                            int min_height, DecodeLimits limits = {}) {
  DecodeOptions options;
  options.min_width = min_width;
  options.min_height = min_height;
  options.limits = limits;
  options.limits.allow_untrusted = true;  // libvips' SVG and PDF loaders are untrusted
  return Decode(Bytes(file), name, options);
}

// How many pixels of row `y` are neither black nor white: an edge enlarged from a small raster
// spreads over several; one drawn at the final size has none when it falls on a pixel boundary.
int GreyPixels(const Image8& image, int y) {
  int grey = 0;
  for (int x = 0; x < image.width(); ++x) {
    const uint8_t red = image.Row(y)[x * image.channels()];
    grey += red > 8 && red < 247;
  }
  return grey;
}

TEST(VectorRenderTest, SvgRendersAtTheScaleThatCoversTheTarget) {
  struct Case {
    int min_width, min_height, width, height;  // height -1: within a pixel of width / 2
  };
  for (const Case& c : {Case{0, 0, 40, 20}, Case{400, 0, 400, 200}, Case{400, 150, 400, 200},
                        Case{0, 300, 600, 300}, Case{20, 0, 20, 10}, Case{0, 7, 14, 7},
                        Case{401, 0, 401, -1}, Case{333, 0, 333, -1}}) {
    SCOPED_TRACE("target " + std::to_string(c.min_width) + "x" + std::to_string(c.min_height));
    const Result<DecodedImage> svg = Render(kBarSvg, "bar.svg", c.min_width, c.min_height);
    ASSERT_TRUE(svg.ok()) << svg.status().message();
    EXPECT_EQ(svg->pixels.width(), c.width);
    if (c.height >= 0) {
      EXPECT_EQ(svg->pixels.height(), c.height);
    } else {
      EXPECT_NEAR(svg->pixels.height(), c.width / 2.0, 1.0);
    }
    EXPECT_EQ(svg->info.width, 40);  // the header still describes the file
  }
}

TEST(VectorRenderTest, SvgScaledUpKeepsItsEdgesSharp) {
  const Result<DecodedImage> svg = Render(kBarSvg, "bar.svg", 400, 0);
  ASSERT_TRUE(svg.ok()) << svg.status().message();
  ASSERT_EQ(svg->pixels.width(), 400);
  const Image8& image = svg->pixels;
  const int c = image.channels();
  for (const int y : {0, 100, 199}) {
    EXPECT_EQ(GreyPixels(image, y), 0) << "row " << y;
    // The bar covers x = 100..199 exactly.
    EXPECT_GE(image.Row(y)[99 * c], 247);
    EXPECT_LE(image.Row(y)[100 * c], 8);
    EXPECT_LE(image.Row(y)[199 * c], 8);
    EXPECT_GE(image.Row(y)[200 * c], 247);
  }
}

TEST(VectorRenderTest, TheSizeLimitAppliesToTheRenderedSize) {
  DecodeLimits limits;
  limits.max_pixels = 100 * 100;
  EXPECT_TRUE(Render(kBarSvg, "bar.svg", 0, 0, limits).ok());  // 40x20 as drawn
  const Result<DecodedImage> large = Render(kBarSvg, "bar.svg", 400, 0, limits);
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.status().code(), StatusCode::kLimitExceeded);
  EXPECT_NE(large.status().message().find("400x200"), std::string::npos)
      << large.status().message();
}

TEST(VectorRenderTest, PdfRendersAtTheScaleThatCoversTheTarget) {
  // 200x100 points, black over the left half.
  const std::string pdf = OnePagePdf(200, 100, "0 0 0 rg 0 0 100 100 re f");
  const Result<DecodedImage> natural = Render(pdf, "half.pdf", 0, 0);
  ASSERT_TRUE(natural.ok()) << natural.status().message();
  EXPECT_EQ(natural->pixels.width(), 200);  // 72 dpi: one pixel per point
  EXPECT_EQ(natural->pixels.height(), 100);
  for (const auto& [min_width, min_height, width, height] :
       {std::tuple{800, 0, 800, 400}, std::tuple{0, 50, 100, 50}, std::tuple{500, 300, 600, 300}}) {
    SCOPED_TRACE("target " + std::to_string(min_width) + "x" + std::to_string(min_height));
    const Result<DecodedImage> page = Render(pdf, "half.pdf", min_width, min_height);
    ASSERT_TRUE(page.ok()) << page.status().message();
    ASSERT_EQ(page->pixels.width(), width);
    ASSERT_EQ(page->pixels.height(), height);
    const Image8& image = page->pixels;
    const int y = height / 2;
    EXPECT_EQ(GreyPixels(image, y), 0);
    EXPECT_LE(image.Row(y)[(width / 2 - 1) * image.channels()], 8);
    EXPECT_GE(image.Row(y)[(width / 2) * image.channels()], 247);
  }
}

}  // namespace
}  // namespace pixflow::io
