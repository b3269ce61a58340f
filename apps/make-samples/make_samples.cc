// Writes pixflow's sample images: procedural scenes the project owns outright, with the content
// filters are judged on (smooth gradients, hard edges, fine periodic detail that aliases when
// resampled badly, text-like strokes, an alpha channel, a grey image). The landscape lives in
// apps/scenes, shared with `pixflow bench`.
//   pixflow-make-samples OUTDIR
// The images in samples/ were made by this program; it is deterministic.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "pixflow/io/codec.h"
#include "scenes/scenes.h"

namespace {

using pixflow::Image8;
using pixflow::scenes::Landscape;
using pixflow::scenes::Noise;
using pixflow::scenes::Render;
using pixflow::scenes::Smoothstep;

struct Rgb {
  float r, g, b;
};

// A test chart: colour bars, a zone plate (every spatial frequency: aliasing shows as moire),
// a checkerboard, fine lines of 1 and 2 pixels, and a grey ramp.
Image8 Chart(int width, int height) {
  return Render(width, height, 3, [&](int x, int y, float* px) {
    const float u = static_cast<float>(x) / static_cast<float>(width),
                v = static_cast<float>(y) / static_cast<float>(height);
    static const Rgb kBars[] = {{235, 235, 235}, {235, 235, 16}, {16, 235, 235}, {16, 235, 16},
                                {235, 16, 235},  {235, 16, 16},  {16, 16, 235},  {16, 16, 16}};
    Rgb c{};
    if (v < 0.25f) {
      c = kBars[std::min(7, static_cast<int>(u * 8))];
    } else if (u < 0.5f && v < 0.85f) {
      const float dx = static_cast<float>(x) - static_cast<float>(width) * 0.25f;
      const float dy = static_cast<float>(y) - static_cast<float>(height) * 0.55f;
      const float g = 127.5f + 127.5f * std::cos((dx * dx + dy * dy) * 3.14159f /
                                                 (static_cast<float>(width) * 0.75f));
      // Local frequency r / (0.75 w) stays under Nyquist across the plate: the source itself
      // does not alias, so any moire in a resized copy is the resampler's.
      c = {g, g, g};
    } else if (v < 0.55f) {
      const bool dark = ((x / 8) + (y / 8)) % 2;
      c = dark ? Rgb{30, 30, 30} : Rgb{220, 220, 220};
    } else if (v < 0.85f) {
      const bool line = (x % 6 == 0) || (x % 11 < 2 && y % 3 == 0);
      c = line ? Rgb{0, 0, 0} : Rgb{250, 250, 250};
    } else {
      c = {255 * u, 255 * u, 255 * u};
    }
    px[0] = c.r, px[1] = c.g, px[2] = c.b;
  });
}

// A logo on a transparent background: soft-edged shapes, a hole, semi-transparent shadow.
Image8 Logo(int size) {
  return Render(size, size, 4, [&](int x, int y, float* px) {
    const float u = (static_cast<float>(x) + 0.5f) / static_cast<float>(size) - 0.5f;
    const float v = (static_cast<float>(y) + 0.5f) / static_cast<float>(size) - 0.5f;
    const float r = std::hypot(u, v);
    const float ring = Smoothstep(0.42f, 0.40f, r) * Smoothstep(0.22f, 0.24f, r);
    const float shadow = 0.35f * Smoothstep(0.46f, 0.38f, std::hypot(u - 0.03f, v - 0.03f));
    const float bar = (std::fabs(v) < 0.06f && std::fabs(u) < 0.3f) ? 1.0f : 0.0f;
    const float alpha = std::max({ring, bar, shadow});
    const float hue = std::atan2(v, u) / 6.2832f + 0.5f;
    const bool solid = ring > shadow || bar > 0;
    px[0] = solid ? 255 * hue : 0;
    px[1] = solid ? 160 - 100 * hue : 0;
    px[2] = solid ? (bar > 0 ? 240 : 80 + 120 * (1 - hue)) : 0;
    px[3] = 255 * alpha;
  });
}

// A grey study: vertical gradient, shaded spheres, thin bright circles.
Image8 GreyStudy(int width, int height) {
  const Noise noise(3);
  return Render(width, height, 1, [&](int x, int y, float* px) {
    const float u = static_cast<float>(x) / static_cast<float>(width),
                v = static_cast<float>(y) / static_cast<float>(height);
    float g = 40 + 120 * v + 20 * noise(u * 30, v * 30, 3);
    for (int i = 0; i < 3; ++i) {
      const float fi = static_cast<float>(i);
      const float cx = 0.25f + 0.25f * fi, cy = 0.3f + 0.2f * fi, rad = 0.12f;
      const float d =
          std::hypot(u - cx, (v - cy) * static_cast<float>(height) / static_cast<float>(width));
      if (d < rad)
        g = 60 + 190 * std::sqrt(1 - (d / rad) * (d / rad)) * (1 - 0.5f * (u - cx + rad) / rad);
      if (std::fabs(d - rad * 1.3f) < 0.002f) g = 250;
    }
    px[0] = g;
  });
}

bool Save(const Image8& image, const std::filesystem::path& path, const std::string& format,
          int quality) {
  auto bytes = pixflow::io::Encode(image.view(), {format, quality});
  if (!bytes.ok()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), bytes.status().message().c_str());
    return false;
  }
  std::filesystem::create_directories(path.parent_path());
  const pixflow::Status status = pixflow::io::WriteFileAtomically(path, *bytes);
  if (!status.ok()) std::fprintf(stderr, "%s\n", status.message().c_str());
  std::printf("wrote %s (%dx%d, %d channels)\n", path.c_str(), image.width(), image.height(),
              image.channels());
  return status.ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: pixflow-make-samples OUTDIR\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  bool ok = true;
  ok &= Save(Landscape(1600, 1067), out / "landscape.jpg", "jpg", 90);
  ok &= Save(Chart(800, 600), out / "chart.png", "png", 0);
  ok &= Save(Logo(512), out / "logo.png", "png", 0);
  ok &= Save(GreyStudy(600, 800), out / "studies" / "grey_study.png", "png", 0);
  ok &= Save(Landscape(640, 427), out / "studies" / "small_landscape.webp", "webp", 85);
  return ok ? 0 : 1;
}
