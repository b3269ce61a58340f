#include "crafted_files.h"

#include <gtest/gtest.h>
#include <vips/vips.h>

#include <array>
#include <vector>

#include "pixflow/io/codec.h"

namespace pixflow::test {
namespace {

uint32_t Crc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const char c : bytes) {
    crc ^= static_cast<uint8_t>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void AppendBigEndian(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

void AppendPngChunk(std::string& out, const char* type, const std::string& data) {
  AppendBigEndian(out, static_cast<uint32_t>(data.size()));
  std::string typed(type, 4);
  typed.append(data);
  out.append(typed);
  AppendBigEndian(out, Crc32(typed));
}

void PutLittleEndian(std::string& bytes, size_t at, uint32_t value, int count) {
  for (int i = 0; i < count; ++i) bytes[at + i] = static_cast<char>(value >> (8 * i));
}

// Saves `image` (taken over) with `suffix`; empty on failure.
std::string Save(VipsImage* image, const char* suffix) {
  void* buffer = nullptr;
  size_t size = 0;
  std::string bytes;
  if (image != nullptr && vips_image_write_to_buffer(image, suffix, &buffer, &size, nullptr) == 0) {
    bytes.assign(static_cast<const char*>(buffer), size);
    g_free(buffer);
  }
  EXPECT_FALSE(bytes.empty()) << suffix << ": " << vips_error_buffer();
  vips_error_clear();
  if (image != nullptr) g_object_unref(image);
  return bytes;
}

// A `bands`-band gradient of `width` x `height` in `format`.
VipsImage* Gradient(int width, int height, int bands, VipsBandFormat format, double scale) {
  EXPECT_TRUE(io::InitCodecs().ok());
  VipsImage* xyz = nullptr;
  VipsImage* wide = nullptr;
  VipsImage* cast = nullptr;
  vips_xyz(&xyz, width, height, nullptr);  // two bands: x and y
  std::vector<VipsImage*> planes(static_cast<size_t>(bands), xyz);
  vips_bandjoin(planes.data(), &wide, bands, nullptr);
  g_object_unref(xyz);
  VipsImage* scaled = nullptr;
  vips_linear1(wide, &scaled, scale, 0, nullptr);
  g_object_unref(wide);
  VipsImage* trimmed = nullptr;
  vips_extract_band(scaled, &trimmed, 0, "n", bands, nullptr);
  g_object_unref(scaled);
  vips_cast(trimmed, &cast, format, nullptr);
  g_object_unref(trimmed);
  return cast;
}

}  // namespace

std::string PngClaiming(uint32_t width, uint32_t height) {
  std::string png("\x89PNG\r\n\x1A\n", 8);
  std::string ihdr;
  AppendBigEndian(ihdr, width);
  AppendBigEndian(ihdr, height);
  ihdr.append(std::string("\x08\x02\x00\x00\x00", 5));  // 8-bit RGB, no interlace
  AppendPngChunk(png, "IHDR", ihdr);
  AppendPngChunk(png, "IDAT", std::string("\x78\x9C\x03\x00\x00\x00\x00\x01", 8));
  AppendPngChunk(png, "IEND", "");
  return png;
}

std::string JpegClaiming(std::string jpeg, uint16_t width, uint16_t height) {
  const size_t sof = jpeg.find("\xFF\xC0");  // FF C0, length(2), precision(1), height, width
  EXPECT_NE(sof, std::string::npos) << "no baseline frame header";
  if (sof == std::string::npos) return jpeg;
  jpeg[sof + 5] = static_cast<char>(height >> 8), jpeg[sof + 6] = static_cast<char>(height);
  jpeg[sof + 7] = static_cast<char>(width >> 8), jpeg[sof + 8] = static_cast<char>(width);
  return jpeg;
}

std::string GifClaiming(std::string gif, uint16_t width, uint16_t height) {
  PutLittleEndian(gif, 6, width, 2);  // logical screen
  PutLittleEndian(gif, 8, height, 2);
  // Past the global colour table and the extension blocks to the first image descriptor:
  // separator 0x2C, then left, top, width, height.
  size_t descriptor = 13;
  const auto flags = static_cast<uint8_t>(gif[10]);
  if (flags & 0x80) descriptor += 3u << ((flags & 7) + 1);
  while (descriptor < gif.size() && gif[descriptor] == '\x21') {
    descriptor += 2;  // introducer and label, then sub-blocks until an empty one
    while (descriptor < gif.size() && gif[descriptor] != 0) {
      descriptor += static_cast<uint8_t>(gif[descriptor]) + 1u;
    }
    ++descriptor;
  }
  EXPECT_TRUE(descriptor + 9 < gif.size() && gif[descriptor] == '\x2C') << "no image descriptor";
  if (descriptor + 9 >= gif.size()) return gif;
  PutLittleEndian(gif, descriptor + 5, width, 2);
  PutLittleEndian(gif, descriptor + 7, height, 2);
  return gif;
}

std::string WebpClaiming(std::string webp, uint32_t width, uint32_t height) {
  EXPECT_EQ(webp.compare(12, 4, "VP8X"), 0) << "expected an extended WebP";
  PutLittleEndian(webp, 24, width - 1, 3);  // canvas width and height, minus one
  PutLittleEndian(webp, 27, height - 1, 3);
  const size_t frame = webp.find("\x9D\x01\x2A");  // VP8 key frame start code, then w, h
  EXPECT_NE(frame, std::string::npos);
  if (frame == std::string::npos) return webp;
  PutLittleEndian(webp, frame + 3, width, 2);
  PutLittleEndian(webp, frame + 5, height, 2);
  return webp;
}

std::string WithBadIdatCrc(std::string png) {
  const size_t idat = png.find("IDAT");
  EXPECT_NE(idat, std::string::npos);
  if (idat != std::string::npos) png[idat + 4 + 10] ^= 0x55;
  return png;
}

std::string Rgba16Png(int width, int height) {
  return Save(Gradient(width, height, 4, VIPS_FORMAT_USHORT, 997.0), ".png");
}

std::string CmykJpeg(int width, int height) {
  VipsImage* cmyk = nullptr;
  VipsImage* gradient = Gradient(width, height, 4, VIPS_FORMAT_UCHAR, 3.0);
  vips_copy(gradient, &cmyk, "interpretation", VIPS_INTERPRETATION_CMYK, nullptr);
  g_object_unref(gradient);
  return Save(cmyk, ".jpg");
}

std::string ThreeFrameAnimation(const char* suffix, int width, int frame_height) {
  EXPECT_TRUE(io::InitCodecs().ok());
  VipsImage* frames[3] = {};
  for (int i = 0; i < 3; ++i) {
    VipsImage* black = nullptr;
    double one[3] = {1, 1, 1};
    double offset[3] = {kAnimationFrameColours[i][0], kAnimationFrameColours[i][1],
                        kAnimationFrameColours[i][2]};
    vips_black(&black, width, frame_height, "bands", 3, nullptr);
    vips_linear(black, &frames[i], one, offset, 3, "uchar", TRUE, nullptr);
    g_object_unref(black);
  }
  VipsImage* joined = nullptr;
  vips_arrayjoin(frames, &joined, 3, "across", 1, nullptr);
  for (VipsImage* frame : frames) g_object_unref(frame);
  VipsImage* animation = nullptr;
  vips_copy(joined, &animation, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr);
  g_object_unref(joined);
  vips_image_set_int(animation, VIPS_META_PAGE_HEIGHT, frame_height);
  return Save(animation, suffix);
}

}  // namespace pixflow::test
