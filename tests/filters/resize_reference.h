// The scalar reference the resize tests compare every SIMD target with: weights straight from
// the kernel definitions in double, every input pixel weighed, no shared code with the filter.
#pragma once

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "pixflow/filters/image.h"
#include "pixflow/filters/resize.h"

namespace pixflow::test {

inline double RefKernel(ResizeKernel kernel, double x) {
  const double ax = std::abs(x);
  switch (kernel) {
    case ResizeKernel::kBilinear:
      return std::max(0.0, 1.0 - ax);
    case ResizeKernel::kBicubic: {  // Keys, a = -0.5
      const double a = -0.5;
      if (ax < 1) return (a + 2) * ax * ax * ax - (a + 3) * ax * ax + 1;
      if (ax < 2) return a * ax * ax * ax - 5 * a * ax * ax + 8 * a * ax - 4 * a;
      return 0.0;
    }
    case ResizeKernel::kLanczos3: {
      if (ax >= 3) return 0.0;
      auto sinc = [](double t) {
        return t == 0.0 ? 1.0 : std::sin(std::numbers::pi * t) / (std::numbers::pi * t);
      };
      return sinc(x) * sinc(x / 3.0);
    }
    default:
      return 0.0;
  }
}

inline double RefRadius(ResizeKernel kernel) {
  return kernel == ResizeKernel::kBilinear ? 1.0 : kernel == ResizeKernel::kBicubic ? 2.0 : 3.0;
}

// One output's weights: input `first` onwards (the span between its first and last weight that
// is not negligible).
struct RefTaps {
  int first = 0;
  std::vector<double> w;
};

// Every input pixel is weighed (simple rather than fast), then the span is trimmed.
inline std::vector<RefTaps> RefWeights(ResizeKernel kernel, int in, int out) {
  std::vector<RefTaps> table(out);
  const double scale = static_cast<double>(in) / out;
  std::vector<double> dense(in);
  for (int o = 0; o < out; ++o) {
    if (kernel == ResizeKernel::kArea) {
      // The fraction of output pixel o's footprint [o * scale, (o + 1) * scale) that input
      // pixel i covers.
      const double a = o * scale, b = (o + 1) * scale;
      for (int i = 0; i < in; ++i) {
        dense[i] = std::max(0.0, std::min(b, i + 1.0) - std::max(a, 1.0 * i)) / scale;
      }
    } else {
      const double stretch = std::max(1.0, scale);
      const double center = (o + 0.5) * scale - 0.5;  // in input pixel indices
      for (int i = 0; i < in; ++i) {
        const double d = (i - center) / stretch;
        dense[i] = std::abs(d) < RefRadius(kernel) ? RefKernel(kernel, d) : 0.0;
      }
    }
    double sum = 0.0;
    for (double v : dense) sum += v;
    int lo = 0, hi = in;
    while (lo < hi && std::abs(dense[lo]) < 1e-12) ++lo;
    while (hi > lo && std::abs(dense[hi - 1]) < 1e-12) --hi;
    table[o].first = lo;
    for (int i = lo; i < hi; ++i) table[o].w.push_back(dense[i] / sum);
  }
  return table;
}

inline uint8_t RefRound(double v) {
  return static_cast<uint8_t>(std::clamp(std::nearbyint(v), 0.0, 255.0));
}

inline Image8 RefResize(ConstView8 in, int width, int height, ResizeKernel kernel,
                        bool alpha_aware) {
  // Same size is defined as a copy (with alpha, filtering would also clear the colour of fully
  // transparent pixels).
  if (width == in.width() && height == in.height()) return std::move(Image8::CopyOf(in).value());
  const int ch = in.channels();
  const bool alpha = alpha_aware && (ch == 2 || ch == 4);
  const auto wx = RefWeights(kernel, in.width(), width);
  const auto wy = RefWeights(kernel, in.height(), height);
  auto value = [&](int x, int y, int c) {
    const double v = in.Row(y)[x * ch + c];
    return alpha && c < ch - 1 ? v * in.Row(y)[x * ch + ch - 1] : v;
  };
  Image8 out = std::move(Image8::Create(width, height, ch).value());
  std::vector<double> column(static_cast<size_t>(in.width()) * ch);
  std::vector<double> px(ch);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < in.width(); ++x) {
      for (int c = 0; c < ch; ++c) {
        double s = 0.0;
        for (size_t j = 0; j < wy[y].w.size(); ++j) {
          s += wy[y].w[j] * value(x, wy[y].first + static_cast<int>(j), c);
        }
        column[x * ch + c] = s;
      }
    }
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < ch; ++c) {
        double s = 0.0;
        for (size_t i = 0; i < wx[x].w.size(); ++i) {
          s += wx[x].w[i] * column[(wx[x].first + i) * ch + c];
        }
        px[c] = s;
      }
      for (int c = 0; c < ch; ++c) {
        double v = px[c];
        // Colour over alpha; colour 0 where alpha rounds to 0 (0.5 rounds to even, 0).
        if (alpha && c < ch - 1) v = px[ch - 1] > 0.5 ? v / px[ch - 1] : 0.0;
        out.Row(y)[x * ch + c] = RefRound(v);
      }
    }
  }
  return out;
}

}  // namespace pixflow::test
