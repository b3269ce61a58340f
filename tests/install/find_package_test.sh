#!/usr/bin/env bash
# Installs pixflow from the build tree into a scratch prefix, builds samples/example against it
# with find_package(pixflow), runs it on a sample and checks the thumbnail it writes.
#   find_package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$source/samples/example" -B "$work/example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/example" >/dev/null
"$work/example/thumbnail" "$source/samples/landscape.jpg" "$work/thumb.jpg"

width=$(vipsheader -f width "$work/thumb.jpg")
if [[ $width != 320 ]]; then
  echo "expected a 320-pixel-wide thumbnail, got '$width'"
  exit 1
fi
echo "find_package(pixflow) example: OK"
