#include "resize_bands.h"

#include <algorithm>
#include <cstring>

#include "row_kernels.h"

namespace pixflow::resize {
namespace {

// One input row, as float (premultiplied by alpha when `alpha`), into dst.
void ConvertRow(const uint8_t* row, size_t n, int channels, bool alpha, float* dst) {
  constexpr float kOne = 1.0f;
  if (alpha) {
    VerticalTapsPremultiplied(&row, &kOne, 1, n, channels, dst);
  } else {
    VerticalTaps(&row, &kOne, 1, n, dst);
  }
}

}  // namespace

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
  kernels::FloatRow vertical(in_elements + kSourcePad);
  kernels::FloatRow horizontal(ax.identity ? 0 : out_elements);
  std::vector<const uint8_t*> rows(static_cast<size_t>(ay.taps));
  for (int y = band.output_rows.begin; y < band.output_rows.end; ++y) {
    const size_t o = static_cast<size_t>(y);
    const int first = ay.first[o];
    const int count = ay.count[o];
    for (int k = 0; k < count; ++k) rows[static_cast<size_t>(k)] = band.InputRow(first + k);
    const float* weights = ay.Weights(y) + (first - ay.start[o]);
    if (alpha) {
      VerticalTapsPremultiplied(rows.data(), weights, count, in_elements, channels,
                                vertical.data());
    } else {
      VerticalTaps(rows.data(), weights, count, in_elements, vertical.data());
    }
    const float* row = vertical.data();
    if (!ax.identity) {
      HorizontalTaps(vertical.data(), ax, tables.plan, channels, horizontal.data());
      row = horizontal.data();
    }
    StoreRow(row, out_elements, channels, alpha, band.OutputRow(y));
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
