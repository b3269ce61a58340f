#!/usr/bin/env bash
# Builds the .deb with `cpack -G DEB` from the build folder and checks it without installing it
# on this machine: its control fields (Depends is exactly the shared libraries the installed
# binary links: libvips42, libtbb12, libhwy1; OpenCV only if pixflow linked it), its file list,
# that no CMake or pkg-config file names the build or source folder, and that the extracted pixflow runs, its man page has the
# examples and its pkg-config files find their own prefix.
#   deb_test.sh BUILD_DIR SOURCE_DIR WORK_DIR VERSION
set -euo pipefail
build=$1
source=$2
work=$3
version=$4
. "$source/tests/install/check.sh"
rm -rf "$work"
mkdir -p "$work"

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" ||
  fail "cpack: $(cat "$work/cpack.log")"
deb=$work/pixflow_${version}_$(dpkg --print-architecture).deb
[[ -f $deb ]] || fail "no $deb; cpack made: $(ls "$work")"

expect_eq "Package" "$(dpkg-deb -f "$deb" Package)" pixflow
expect_eq "Version" "$(dpkg-deb -f "$deb" Version)" "$version"
depends=$(dpkg-deb -f "$deb" Depends)
linked=$(ldd "$build/apps/pixflow")
for lib in libvips libtbb libhwy libopencv; do
  # Debian names the package after the soname: libvips.so.42 -> libvips42, libtbb.so.12 -> libtbb12.
  in_ldd=$(grep -Eo "${lib}[a-z_0-9]*\.so\.[0-9]+" <<<"$linked" | head -1 || true)
  if [[ -n $in_ldd ]]; then
    package=$(sed -E 's/\.so\.([0-9]+)$/\1/; s/_/-/g' <<<"$in_ldd")
    grep -Eq "(^|, )$package( |,|$)" <<<"$depends" ||
      fail "pixflow links $in_ldd but Depends lacks $package: $depends"
  elif grep -q "$lib" <<<"$depends"; then
    fail "Depends names $lib, which pixflow does not link: $depends"
  fi
done
for package in libvips42 libtbb12 libhwy1; do
  grep -q "$package" <<<"$depends" || fail "Depends lacks $package: $depends"
done

files=$(dpkg-deb -c "$deb" | awk '{ print $NF }')
for file in usr/bin/pixflow usr/share/man/man1/pixflow.1.gz usr/share/doc/pixflow/library.md \
  usr/lib/libpixflow_filters.a usr/lib/libpixflow_io.a usr/lib/libpixflow_pipeline.a \
  usr/lib/cmake/pixflow/pixflowConfig.cmake usr/lib/cmake/pixflow/pixflowConfigVersion.cmake \
  usr/lib/cmake/pixflow/pixflow-filters-targets.cmake usr/lib/pkgconfig/pixflow-filters.pc \
  usr/lib/pkgconfig/pixflow.pc usr/include/pixflow/filters/chain.h \
  usr/include/pixflow/io/opencv.h usr/include/pixflow/pipeline/convert.h; do
  grep -qx "\./$file" <<<"$files" || fail "the package lacks /$file"
done
outside=$(grep -v '^\./usr/' <<<"$files" | grep -vx '\./' || true)
[[ -z $outside ]] || fail "files outside /usr: $outside"

dpkg-deb -x "$deb" "$work/root"
# The CMake and pkg-config files must name only installed paths.
leaks=$(grep -rl -e "$(realpath "$build")" -e "$(realpath "$source")" \
  "$work/root/usr/lib/cmake" "$work/root/usr/lib/pkgconfig" || true)
[[ -z $leaks ]] || fail "files name the build or source folder: $leaks"
version_text=$("$work/root/usr/bin/pixflow" --version)
expect_eq "the extracted pixflow --version" "${version_text%%$'\n'*}" "pixflow $version"
grep -q '^\.SH EXAMPLES' <<<"$(gzip -dc "$work/root/usr/share/man/man1/pixflow.1.gz")" ||
  fail "the man page has no EXAMPLES section"
expect_eq "the extracted pixflow-filters.pc's includedir" \
  "$(realpath "$(PKG_CONFIG_PATH=$work/root/usr/lib/pkgconfig pkg-config \
    --variable=includedir pixflow-filters)")" "$(realpath "$work/root/usr/include")"
echo "deb: $(basename "$deb") OK; Depends: $depends"
