#include "reduced_load.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <utility>

namespace pixflow::io::internal {
namespace {

// The target in the file's stored axes; 0 leaves an axis free.
struct Target {
  int width = 0;
  int height = 0;
  bool CoveredBy(int w, int h) const { return w >= width && h >= height; }
};

struct Size2 {
  int width = 0;
  int height = 0;
};

// The size a loader would produce with these parameters, read from the header alone; nullopt
// when it cannot be read (the reason is dropped: the caller falls back to a load that can).
std::optional<Size2> ProbeSize(LoadInput& input, const Loader& loader,
                               const LoadParameters& parameters, int* bands = nullptr) {
  Result<VipsImagePtr> probe = OpenImage(input, loader, parameters);
  if (!probe.ok()) return std::nullopt;
  VipsImage* image = probe->get();
  if (bands != nullptr) *bands = vips_image_get_bands(image);
  return Size2{vips_image_get_width(image), vips_image_get_page_height(image)};
}

// The largest DCT scale whose output still covers the target. libvips 8.14 rounds the scaled
// size down (1801 px / 4 -> 450), so the test is on the floor.
int JpegShrinkFor(const ImageInfo& info, Target target) {
  for (const int shrink : {8, 4, 2}) {
    if (target.CoveredBy(info.width / shrink, info.height / shrink) && info.width / shrink >= 1 &&
        info.height / shrink >= 1) {
      return shrink;
    }
  }
  return 1;
}

// WebP decodes at any scale; libvips rounds the scaled size to nearest, so nudge the scale up
// until both axes cover the target after rounding.
double WebpScaleFor(const ImageInfo& info, Target target) {
  const double w = info.width, h = info.height;
  double scale = std::max(target.width / w, target.height / h);
  if (scale <= 0.0 || scale >= 1.0) return 1.0;
  while (std::lrint(w * scale) < target.width || std::lrint(h * scale) < target.height ||
         std::lrint(std::min(w, h) * scale) < 1) {
    scale = std::nextafter(scale, 2.0) + 0.25 / std::max(w, h);
  }
  return std::min(scale, 1.0);
}

// SVG and PDF render at any scale (svgload accepts 0.001-100000). The rendered size is the
// natural size, a real number, times the scale, rounded; the header gives only the rounded
// natural size, so the scale computed from it is checked by reading the header at that scale
// and raised while an axis falls short (once, in practice: a fraction of a pixel).
double VectorScaleFor(LoadInput& input, const Loader& loader, const LoadParameters& base,
                      const ImageInfo& info, Target target) {
  const double natural = std::max(info.width, info.height);
  double scale = std::max(static_cast<double>(target.width) / info.width,
                          static_cast<double>(target.height) / info.height);
  for (int attempt = 0; attempt < 4; ++attempt) {
    scale = std::clamp(scale, 0.001, 100000.0);
    LoadParameters trial = base;
    trial.scale = scale;
    const std::optional<Size2> size = ProbeSize(input, loader, trial);
    if (!size) return 1.0;
    if (target.CoveredBy(size->width, size->height) || scale == 100000.0) return scale;
    scale *= std::max(static_cast<double>(target.width) / std::max(1, size->width),
                      static_cast<double>(target.height) / std::max(1, size->height));
    scale += 0.25 / natural;  // a quarter pixel more on the longer axis
  }
  return scale;
}

// A pyramid level is half the level above it, within a pixel either way (writers round odd
// sizes up or down), with the same bands: an unrelated page of a multi-page file is not one.
bool IsHalfOf(Size2 level, Size2 above) {
  return std::abs(2 * level.width - above.width) <= 2 &&
         std::abs(2 * level.height - above.height) <= 2 && level.width >= 1 && level.height >= 1;
}

// Levels deeper than this would be under a pixel for any image libvips can open.
constexpr int kMaxLevels = 30;

// The smallest level of a TIFF pyramid that covers the target, the levels being sub-IFDs of
// the first page (by_subifd) or the pages after it. nullopt when the first candidate is no half
// of the page: the file is not a pyramid of that kind. The walk stops at the first level that
// falls short of the target, so a deep pyramid costs only the headers above that.
std::optional<LoadParameters> PyramidLevel(LoadInput& input, const Loader& loader,
                                           const LoadParameters& base, const ImageInfo& info,
                                           Target target, bool by_subifd, int candidates) {
  LoadParameters best = base;
  Size2 above{info.width, info.height};
  for (int i = 0; i < std::min(candidates, kMaxLevels); ++i) {
    LoadParameters level = base;
    if (by_subifd) {
      level.subifd = i;
    } else {
      level.page = i + 1;
    }
    int bands = 0;
    const std::optional<Size2> size = ProbeSize(input, loader, level, &bands);
    if (!size || !IsHalfOf(*size, above) || bands != info.bands) {
      if (i == 0) return std::nullopt;
      break;
    }
    if (!target.CoveredBy(size->width, size->height)) break;
    best = level;
    above = *size;
  }
  return best;
}

// Sub-IFD pyramids first, as libvips' thumbnail does: they are read from the first page alone.
LoadParameters TiffLevel(LoadInput& input, const Loader& loader, const LoadParameters& base,
                         const ImageInfo& info, Target target, int subifds) {
  if (subifds > 0) {
    if (auto level = PyramidLevel(input, loader, base, info, target, true, subifds)) {
      return *level;
    }
  }
  if (info.frames > 1) {
    if (auto level = PyramidLevel(input, loader, base, info, target, false, info.frames - 1)) {
      return *level;
    }
  }
  return base;
}

// HEIF's stored thumbnail, when it covers the target and has the primary image's shape. With no
// thumbnail heifload's `thumbnail` loads the primary image, which the size comparison rejects.
LoadParameters HeifThumbnail(LoadInput& input, const Loader& loader, const LoadParameters& base,
                             const ImageInfo& info, Target target) {
  LoadParameters thumbnail = base;
  thumbnail.heif_thumbnail = true;
  const std::optional<Size2> size = ProbeSize(input, loader, thumbnail);
  if (!size || size->width >= info.width || !target.CoveredBy(size->width, size->height)) {
    return base;
  }
  // Within a pixel of the primary's aspect ratio: a thumbnail cropped differently would distort.
  const double expected_height = static_cast<double>(size->width) * info.height / info.width;
  return std::abs(size->height - expected_height) <= 1.0 ? thumbnail : base;
}

// The target in the stored axes: orientations 5-8 swap them when the pixels are autorotated.
Target StoredTarget(const ImageInfo& info, const DecodeOptions& options) {
  const bool swap = options.autorotate && info.orientation >= 5;
  return {std::max(0, swap ? options.min_height : options.min_width),
          std::max(0, swap ? options.min_width : options.min_height)};
}

}  // namespace

LoadParameters ChooseReducedLoad(LoadInput& input, const Loader& loader, VipsImagePtr header,
                                 const ImageInfo& info, const DecodeOptions& options) {
  LoadParameters parameters{options.fail_on};
  if (options.min_width <= 0 && options.min_height <= 0) return parameters;
  const Target target = StoredTarget(info, options);
  const int subifds = vips_image_get_n_subifds(header.get());
  header.reset();  // every probe below rebuilds a loader on the same source

  if (loader.family == "jpegload") {
    parameters.jpeg_shrink = JpegShrinkFor(info, target);
  } else if (loader.family == "webpload") {
    parameters.scale = WebpScaleFor(info, target);
  } else if (loader.family == "tiffload") {
    parameters = TiffLevel(input, loader, parameters, info, target, subifds);
  } else if (loader.family == "heifload") {
    parameters = HeifThumbnail(input, loader, parameters, info, target);
  } else if (loader.family == "svgload" || loader.family == "pdfload") {
    parameters.scale = VectorScaleFor(input, loader, parameters, info, target);
  }
  return parameters;
}

int BoxShrinkFactor(VipsImage* image, const ImageInfo& info, const DecodeOptions& options) {
  const Target target = StoredTarget(info, options);
  if (!options.box_shrink || (target.width <= 0 && target.height <= 0)) return 1;
  // Averaging colour without its alpha would bleed the colour of transparent pixels; a strip of
  // pages would mix neighbouring frames. Both are left to the caller's resize.
  const int width = vips_image_get_width(image);
  const int height = vips_image_get_height(image);
  if (vips_image_hasalpha(image) || vips_image_get_page_height(image) != height) return 1;
  // Both axes keep a pixel at least, whichever the target constrains.
  int factor = std::min({kMaxBoxShrink, width, height});
  if (target.width > 0) factor = std::min(factor, width / (kResidualReduction * target.width));
  if (target.height > 0) factor = std::min(factor, height / (kResidualReduction * target.height));
  return std::max(factor, 1);
}

}  // namespace pixflow::io::internal
