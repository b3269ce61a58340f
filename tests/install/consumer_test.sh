#!/usr/bin/env bash
# Builds samples/consumer against the installed package (find_package(pixflow)) and checks what
# each program writes:
#   1. filters only, configured where pkg-config cannot find libvips: it must configure and link
#      without libvips and OpenCV, and give exactly the pixels the installed CLI gives for the
#      same chain;
#   2. everything: the OpenCV interop example blurs its region as libvips' gaussblur does and
#      leaves the rest alone; the io thumbnail has the right size and the photo's brightness.
#   consumer_test.sh PREFIX SOURCE_DIR WORK_DIR
set -euo pipefail
prefix=$1
source=$2
work=$3
. "$source/tests/install/check.sh"
rm -rf "$work"
mkdir -p "$work/no-pkg-config"
build=$work/build
# Lossless copies of the sample, so libvips and OpenCV decode identical pixels.
vips copy "$source/samples/landscape.jpg" "$work/landscape.ppm"
vips copy "$source/samples/landscape.jpg" "$work/landscape.png"

echo "== filters only"
PKG_CONFIG_LIBDIR=$work/no-pkg-config \
  cmake -S "$source/samples/consumer" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCONSUMER_FILTERS_ONLY=ON >/dev/null
cmake --build "$build" >/dev/null
expect_no_vips_or_opencv "the consumer's CMake cache" "$(grep -Ei '^(VIPS|OpenCV)' "$build/CMakeCache.txt" || true)"
expect_no_vips_or_opencv "filter_ppm's link line" "$(ninja -C "$build" -t commands filter_ppm | tail -1)"
expect_no_vips_or_opencv "ldd filter_ppm" "$(ldd "$build/filter_ppm")"
grep -q libtbb <<<"$(ldd "$build/filter_ppm")" || fail "filter_ppm does not link oneTBB"

# 400x300: under 4x the 1600x1067 photo on one axis, so the CLI decodes it whole, as the
# program does (no box shrink-on-load), and the pixels can be compared exactly.
"$build/filter_ppm" "$work/landscape.ppm" "$work/grey.pgm" 400 300
expect_size "$work/grey.pgm" 400 300 1
"$prefix/bin/pixflow" convert "$work/landscape.ppm" -o "$work/cli" -q \
  --resize '400x300!' --sharpen 1 --grayscale --format png
expect_size "$work/cli/landscape.png" 400 300 1
expect_identical "$work/grey.pgm" "$work/cli/landscape.png"
expect_less "grey.pgm's standard deviation (not a flat image)" 20 "$(vips deviate "$work/grey.pgm")"

# The io component, asked for where libvips cannot be found, fails with a message that says so.
if PKG_CONFIG_LIBDIR=$work/no-pkg-config cmake -S "$source/samples/consumer" -B "$work/no-vips" \
  -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >"$work/no-vips.log" 2>&1; then
  fail "find_package(pixflow COMPONENTS io) succeeded without libvips"
fi
grep -q 'pixflow::io needs libvips' "$work/no-vips.log" ||
  fail "no libvips message: $(cat "$work/no-vips.log")"

echo "== OpenCV interop and io"
cmake "$build" -DCONSUMER_FILTERS_ONLY=OFF >/dev/null
cmake --build "$build" >/dev/null

"$build/opencv_blur_roi" "$work/landscape.png" "$work/blurred.png" 3
expect_size "$work/blurred.png" 1600 1067 3
# Outside the centre region (400,266 800x533) nothing changed: the rows above and below it.
vips extract_area "$work/blurred.png" "$work/out_top.v" 0 0 1600 266
vips extract_area "$work/landscape.png" "$work/in_top.v" 0 0 1600 266
expect_identical "$work/out_top.v" "$work/in_top.v"
vips extract_area "$work/blurred.png" "$work/out_bottom.v" 0 799 1600 268
vips extract_area "$work/landscape.png" "$work/in_bottom.v" 0 799 1600 268
expect_identical "$work/out_bottom.v" "$work/in_bottom.v"
# Inside it, the pixels are a Gaussian blur: libvips' own (float, untruncated) agrees within
# rounding away from the region's edges (pixflow reflects at the ROI border, libvips copies).
vips extract_area "$work/blurred.png" "$work/out_centre.v" 400 266 800 533
vips extract_area "$work/landscape.png" "$work/in_centre.v" 400 266 800 533
vips gaussblur "$work/in_centre.v" "$work/ref_centre.v" 3 --precision float --min-ampl 0.001
vips extract_area "$work/out_centre.v" "$work/out_inner.v" 20 20 760 493
vips extract_area "$work/ref_centre.v" "$work/ref_inner.v" 20 20 760 493
vips subtract "$work/out_inner.v" "$work/ref_inner.v" "$work/diff.v"
vips abs "$work/diff.v" "$work/absdiff.v"
expect_less "mean |pixflow blur - libvips gaussblur|" "$(vips avg "$work/absdiff.v")" 0.5
expect_less "max |pixflow blur - libvips gaussblur|" "$(vips max "$work/absdiff.v")" 2.5
# ... and it did change: the blurred region is not the input.
vips subtract "$work/out_centre.v" "$work/in_centre.v" "$work/change.v"
vips abs "$work/change.v" "$work/abschange.v"
expect_less "mean change inside the region" 1 "$(vips avg "$work/abschange.v")"

"$build/thumbnail" "$source/samples/landscape.jpg" "$work/thumb.jpg"
expect_size "$work/thumb.jpg" 320 213 3
expect_within "the thumbnail's mean" "$(vips avg "$work/thumb.jpg")" \
  "$(vips avg "$work/landscape.png")" 2
echo "consumer: OK"
