// Hostile files made byte by byte or with libvips (what pixflow's own encoder will not write):
// headers claiming huge sizes, a PNG with a bad CRC, 16-bit RGBA, CMYK JPEG, animations.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace pixflow::test {

// A PNG whose valid header (good CRCs) claims width x height RGB, with a token IDAT.
std::string PngClaiming(uint32_t width, uint32_t height);
// `jpeg` (baseline) with its SOF0 frame size replaced.
std::string JpegClaiming(std::string jpeg, uint16_t width, uint16_t height);
// `gif` with its logical screen and first image descriptor both claiming width x height.
std::string GifClaiming(std::string gif, uint16_t width, uint16_t height);
// A lossy (VP8) WebP with an extended (VP8X) header: the canvas and the frame header both
// claim width x height, at most 16383 x 16383 (VP8's 14 bits).
std::string WebpClaiming(std::string webp, uint32_t width, uint32_t height);
// `png` with one byte of its IDAT data changed, so that the chunk CRC no longer matches.
std::string WithBadIdatCrc(std::string png);

// The colours of ThreeFrameAnimation's frames: a decode of any frame but the first is told
// apart at once.
inline constexpr std::array<std::array<double, 3>, 3> kAnimationFrameColours = {
    {{220, 30, 30}, {30, 200, 30}, {30, 30, 220}}};

// With libvips: a 16-bit RGBA PNG; a CMYK JPEG; a 3-frame animation (".gif", ".webp", ".tif";
// ".png" keeps no pages and gives one tall image) whose frames are solid kAnimationFrameColours.
std::string Rgba16Png(int width, int height);
std::string CmykJpeg(int width, int height);
std::string ThreeFrameAnimation(const char* suffix, int width, int frame_height);

}  // namespace pixflow::test
