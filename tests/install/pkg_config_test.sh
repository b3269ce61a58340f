#!/usr/bin/env bash
# Builds one-file programs with the installed pkg-config files and no CMake:
#   g++ -std=c++20 filter_ppm.cc $(pkg-config --cflags --static --libs pixflow-filters)
#   g++ -std=c++20 thumbnail.cc  $(pkg-config --cflags --libs pixflow-io)
# checks the modules' versions, paths and link lines (pixflow-filters must not name libvips or
# OpenCV), and runs both programs.
#   pkg_config_test.sh PREFIX SOURCE_DIR WORK_DIR VERSION
set -euo pipefail
prefix=$1
source=$2
work=$3
version=$4
. "$source/tests/install/check.sh"
rm -rf "$work"
mkdir -p "$work"

pc=$(find "$prefix" -name pixflow-filters.pc)
[[ -n $pc ]] || fail "no pixflow-filters.pc under $prefix"
export PKG_CONFIG_PATH=${pc%/*}
for module in pixflow-filters pixflow-io pixflow-pipeline pixflow; do
  pkg-config --print-errors --exists "$module"
  expect_eq "$module's version" "$(pkg-config --modversion "$module")" "$version"
done
# The prefix is found from the .pc file's own folder, so the scratch prefix is the one named.
expect_eq "includedir" "$(realpath "$(pkg-config --variable=includedir pixflow-filters)")" \
  "$(realpath "$prefix/include")"

filters_libs=$(pkg-config --static --libs pixflow-filters)
expect_no_vips_or_opencv "pkg-config --static --libs pixflow-filters" "$filters_libs"
for lib in -lpixflow_filters -ltbb -lhwy; do
  grep -qw -- "$lib" <<<"$filters_libs" || fail "pixflow-filters' libs lack $lib: $filters_libs"
done
all_libs=$(pkg-config --libs pixflow)
grep -Eq -- '-lpixflow_pipeline.*-lpixflow_io.*-lpixflow_filters' <<<"$all_libs" ||
  fail "pixflow's libs are not in link order: $all_libs"
grep -qw -- -lvips <<<"$all_libs" || fail "pixflow's libs lack -lvips: $all_libs"

# shellcheck disable=SC2046  # pkg-config's output is a list of flags
g++ -std=c++20 -O2 "$source/samples/consumer/filter_ppm.cc" -o "$work/filter_ppm" \
  $(pkg-config --cflags --static --libs pixflow-filters)
expect_no_vips_or_opencv "ldd filter_ppm" "$(ldd "$work/filter_ppm")"
vips copy "$source/samples/landscape.jpg" "$work/landscape.ppm"
# 400x300: under 4x the 1600x1067 photo on one axis, so the CLI decodes it whole, as the
# program does (no box shrink-on-load), and the pixels can be compared exactly.
"$work/filter_ppm" "$work/landscape.ppm" "$work/grey.pgm" 400 300
expect_size "$work/grey.pgm" 400 300 1
"$prefix/bin/pixflow" convert "$work/landscape.ppm" -o "$work/cli" -q \
  --resize '400x300!' --sharpen 1 --grayscale --format png
expect_identical "$work/grey.pgm" "$work/cli/landscape.png"

# shellcheck disable=SC2046
g++ -std=c++20 -O2 "$source/samples/consumer/thumbnail.cc" -o "$work/thumbnail" \
  $(pkg-config --cflags --libs pixflow-io)
"$work/thumbnail" "$source/samples/landscape.jpg" "$work/thumb.jpg"
expect_size "$work/thumb.jpg" 320 213 3
echo "pkg-config: OK"
