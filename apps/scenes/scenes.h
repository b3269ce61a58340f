// Procedural scenes with the content image filters are judged on (smooth gradients, hard edges,
// fine texture that aliases when resampled badly, small text-like strokes), owned outright by
// the project. pixflow-make-samples renders samples/ from them; `pixflow bench --synthetic`
// renders its corpus from them, one seed per image so no two images are alike.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "pixflow/filters/image.h"

namespace pixflow::scenes {

// Calls `shade(x, y, px)` for every pixel; px holds `channels` floats in 0..255 (rounded and
// clamped into the image).
Image8 Render(int width, int height, int channels,
              const std::function<void(int x, int y, float* px)>& shade);

float Smoothstep(float e0, float e1, float v);

// Value noise: a 256x256 lattice of random values from `seed`, bilinearly interpolated, summed
// over octaves. Deterministic: the same seed gives the same values on every machine.
class Noise {
 public:
  explicit Noise(uint32_t seed);
  float operator()(float x, float y, int octaves) const;

 private:
  float At(int x, int y) const { return lattice_[(x & 255) + 256 * (y & 255)]; }
  float Lattice(float x, float y) const;
  std::array<float, 256 * 256> lattice_;
};

// A landscape: sky gradient, a sun, two mountain ridges with a snow line, a textured meadow and
// a signpost with text-like strokes. The seed shapes the ridges and the textures; seed 7 is the
// one samples/landscape.jpg was made with.
Image8 Landscape(int width, int height, uint32_t seed = 7);

}  // namespace pixflow::scenes
