#include "scenes.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

namespace pixflow::scenes {
namespace {

struct Rgb {
  float r, g, b;
};

}  // namespace

Image8 Render(int width, int height, int channels,
              const std::function<void(int x, int y, float* px)>& shade) {
  Image8 image = std::move(Image8::Create(width, height, channels).value());
  float px[4];
  for (int y = 0; y < height; ++y) {
    uint8_t* row = image.Row(y);
    for (int x = 0; x < width; ++x) {
      shade(x, y, px);
      for (int c = 0; c < channels; ++c) {
        row[x * channels + c] = static_cast<uint8_t>(std::clamp(std::lround(px[c]), 0L, 255L));
      }
    }
  }
  return image;
}

float Smoothstep(float e0, float e1, float v) {
  const float t = std::clamp((v - e0) / (e1 - e0), 0.0f, 1.0f);
  return t * t * (3 - 2 * t);
}

Noise::Noise(uint32_t seed) {
  std::mt19937 rng(seed);
  for (float& v : lattice_) v = std::uniform_real_distribution<float>(0, 1)(rng);
}

float Noise::operator()(float x, float y, int octaves) const {
  float sum = 0, amplitude = 0.5f;
  for (int o = 0; o < octaves; ++o, x *= 2.03f, y *= 2.03f, amplitude *= 0.5f) {
    sum += amplitude * Lattice(x, y);
  }
  return sum;
}

float Noise::Lattice(float x, float y) const {
  const float fx0 = std::floor(x), fy0 = std::floor(y);
  const int x0 = static_cast<int>(fx0), y0 = static_cast<int>(fy0);
  const float fx = Smoothstep(0, 1, x - fx0), fy = Smoothstep(0, 1, y - fy0);
  const float top = At(x0, y0) + (At(x0 + 1, y0) - At(x0, y0)) * fx;
  const float bottom = At(x0, y0 + 1) + (At(x0 + 1, y0 + 1) - At(x0, y0 + 1)) * fx;
  return top + (bottom - top) * fy;
}

Image8 Landscape(int width, int height, uint32_t seed) {
  const Noise noise(seed);
  return Render(width, height, 3, [&](int x, int y, float* px) {
    const float u = static_cast<float>(x) / static_cast<float>(width),
                v = static_cast<float>(y) / static_cast<float>(height);
    Rgb c{70 + 90 * v, 120 + 80 * v, 230 - 40 * v};  // sky
    const float aspect = static_cast<float>(width) / static_cast<float>(height);
    const float sun = std::hypot((u - 0.75f) * aspect, v - 0.22f);
    const float glow = std::exp(-sun * 9.0f);
    c = {c.r + 120 * glow, c.g + 100 * glow, c.b + 30 * glow};
    if (sun < 0.06f) c = {255, 240, 190};
    const float ridge1 = 0.45f + 0.12f * noise(u * 3, 0.5f, 5);
    const float ridge2 = 0.58f + 0.08f * noise(u * 5 + 11, 2.5f, 6);
    if (v > ridge1) {
      const float t = noise(u * 40, v * 40, 3);
      c = {90 + 40 * t, 95 + 40 * t, 120 + 30 * t};
      if (v < ridge1 + 0.03f) c = {235, 238, 245};  // snow line: a hard bright edge
    }
    if (v > ridge2) {
      const float grass = noise(u * 120, v * 240, 4);  // fine texture that aliases if point-sampled
      c = {50 + 60 * grass, 110 + 80 * grass * (1.2f - v), 40 + 30 * grass};
    }
    // Signpost: a board with rows of short dark strokes, like small text.
    if (u > 0.12f && u < 0.3f && v > 0.66f && v < 0.78f) {
      c = {205, 180, 140};
      const int line = static_cast<int>((v - 0.67f) * static_cast<float>(height) / 9.0f);
      const int glyph = static_cast<int>((u - 0.13f) * static_cast<float>(width) / 7.0f);
      const bool in_line = static_cast<int>((v - 0.67f) * static_cast<float>(height)) % 9 < 6;
      if (in_line && u < 0.29f && v < 0.77f && (glyph * 7 + line * 3) % 5 != 0 &&
          static_cast<int>((u - 0.13f) * static_cast<float>(width)) % 7 < 4) {
        c = {40, 30, 25};
      }
    }
    if (u > 0.2f && u < 0.215f && v >= 0.78f && v < 0.9f) c = {90, 60, 40};
    px[0] = c.r, px[1] = c.g, px[2] = c.b;
  });
}

}  // namespace pixflow::scenes
