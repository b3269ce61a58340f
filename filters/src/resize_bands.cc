#include "resize_bands.h"

#include <algorithm>
#include <cstring>

#include "row_kernels.h"

namespace pixflow::resize {
void CopyBand(const Band& band) {
  const size_t bytes = band.output.row_elements();
  for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
    std::memcpy(band.OutputRow(y), band.InputRow(y), bytes);
  }
}

void NearestBand(const Band& band, const Tables& tables) {
  const int channels = band.input.channels();
  const bool same_width = band.input.width() == band.output.width();
  for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
    const uint8_t* src = band.InputRow(tables.nearest_y[static_cast<size_t>(y)]);
    if (same_width) {
      std::memcpy(band.OutputRow(y), src, band.output.row_elements());
    } else {
      GatherPixels(src, static_cast<size_t>(band.input.width()), tables.nearest_x.data(),
                   static_cast<size_t>(band.output.width()), channels, band.OutputRow(y));
    }
  }
}

void VerticalFirstBand(const Band& band, const Tables& tables, bool alpha) {
  const int channels = band.input.channels();
  const AxisWeights& ax = tables.x;
  const AxisWeights& ay = tables.y;
  const size_t in_elements = band.input.row_elements();
  const size_t out_elements = band.output.row_elements();
  std::vector<kernels::FloatRow> vertical;
  float* vertical_rows[kRowGroup];
  for (int r = 0; r < kRowGroup; ++r) {
    vertical.emplace_back(in_elements + kSourcePad);
    vertical_rows[r] = vertical.back().data();
  }
  kernels::FloatRow horizontal(ax.identity ? 0 : out_elements);
  std::vector<const uint8_t*> sources;
  std::vector<float> weights;
  for (int y0 = band.output_rows.begin; y0 < band.output_rows.end; y0 += kRowGroup) {
    // Up to kRowGroup output rows, over the union of the input rows they read.
    const int rows = std::min(kRowGroup, band.output_rows.end - y0);
    int lo = ay.first[static_cast<size_t>(y0)];
    int hi = lo;
    for (int y = y0; y < y0 + rows; ++y) {
      lo = std::min(lo, ay.first[static_cast<size_t>(y)]);
      hi = std::max(hi, ay.first[static_cast<size_t>(y)] + ay.count[static_cast<size_t>(y)]);
    }
    const int count = hi - lo;
    sources.resize(static_cast<size_t>(count));
    for (int u = 0; u < count; ++u) sources[static_cast<size_t>(u)] = band.InputRow(lo + u);
    weights.assign(static_cast<size_t>(rows) * count, 0.0f);
    for (int r = 0; r < rows; ++r) {
      const size_t o = static_cast<size_t>(y0 + r);
      const float* w = ay.Weights(y0 + r) + (ay.first[o] - ay.start[o]);
      std::copy_n(w, ay.count[o], weights.begin() + r * count + (ay.first[o] - lo));
    }
    VerticalRows(sources.data(), count, weights.data(), rows, in_elements, channels, alpha,
                 vertical_rows);
    for (int r = 0; r < rows; ++r) {
      const float* row = vertical_rows[r];
      if (!ax.identity) {
        HorizontalTaps(row, ax, tables.plan, channels, horizontal.data());
        row = horizontal.data();
      }
      StoreRow(row, out_elements, channels, alpha, band.OutputRow(y0 + r));
    }
  }
}

void HorizontalFirstBand(const Band& band, const Tables& tables, bool alpha) {
  const int channels = band.input.channels();
  const AxisWeights& ax = tables.x;
  const AxisWeights& ay = tables.y;
  const size_t in_elements = band.input.row_elements();
  const size_t out_elements = band.output.row_elements();
  // Input rows filtered horizontally, by input row index. One more slot than an output row
  // reads, so a row that is needed is never evicted to make room for another.
  const size_t slots = static_cast<size_t>(ay.taps) + 1;
  std::vector<kernels::FloatRow> ring;
  std::vector<int> ring_row(slots, -1);
  for (size_t s = 0; s < slots; ++s) ring.emplace_back(out_elements);
  kernels::FloatRow converted(ax.identity ? 0 : in_elements + kSourcePad);
  std::vector<const float*> rows(static_cast<size_t>(ay.taps));
  for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
    const size_t o = static_cast<size_t>(y);
    const int first = ay.first[o];
    const int count = ay.count[o];
    for (int k = 0; k < count; ++k) {
      const int j = first + k;
      size_t slot = std::find(ring_row.begin(), ring_row.end(), j) - ring_row.begin();
      if (slot == slots) {
        // A slot this output row does not read: an empty one, else the lowest row (rows are
        // needed in increasing order). There is one, since slots > count.
        for (size_t s = 0; s < slots; ++s) {
          if (ring_row[s] >= first && ring_row[s] < first + count) continue;
          if (slot == slots || ring_row[s] < ring_row[slot]) slot = s;
        }
        ring_row[slot] = j;
        if (ax.identity) {
          ConvertRow(band.InputRow(j), in_elements, channels, alpha, ring[slot].data());
        } else {
          ConvertRow(band.InputRow(j), in_elements, channels, alpha, converted.data());
          HorizontalTaps(converted.data(), ax, tables.plan, channels, ring[slot].data());
        }
      }
      rows[static_cast<size_t>(k)] = ring[slot].data();
    }
    const float* weights = ay.Weights(y) + (first - ay.start[o]);
    VerticalTapsToU8(rows.data(), weights, count, out_elements, channels, alpha, band.OutputRow(y));
  }
}

}  // namespace pixflow::resize
