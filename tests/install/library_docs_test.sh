#!/usr/bin/env bash
# Every ```cpp block of docs/library.md is a complete program: extracts each one, builds it
# against the installed package (pixflow::pipeline or pixflow::io when it includes one of their
# headers, else pixflow::filters alone) with assertions on (no NDEBUG), and runs it; each must
# exit 0.
#   library_docs_test.sh PREFIX SOURCE_DIR WORK_DIR
set -euo pipefail
prefix=$1
source=$2
work=$3
. "$source/tests/install/check.sh"
rm -rf "$work"
mkdir -p "$work/src"

awk -v dir="$work/src" '
  /^```cpp$/ { n++; file = sprintf("%s/snippet%d.cc", dir, n); next }
  /^```/ && file { close(file); file = ""; next }
  file { print > file }
' "$source/docs/library.md"
snippets=("$work"/src/snippet*.cc)
[[ -e ${snippets[0]} ]] || fail "docs/library.md has no cpp blocks"

{
  echo 'cmake_minimum_required(VERSION 3.25)'
  echo 'project(library_docs LANGUAGES CXX)'
  echo 'find_package(pixflow 0.1 REQUIRED COMPONENTS filters io pipeline)'
  for snippet in "${snippets[@]}"; do
    name=$(basename "$snippet" .cc)
    layer=filters
    grep -q '#include <pixflow/io/' "$snippet" && layer=io
    grep -q '#include <pixflow/pipeline/' "$snippet" && layer=pipeline
    echo "add_executable($name src/$name.cc)"
    echo "target_link_libraries($name PRIVATE pixflow::$layer)"
  done
} >"$work/CMakeLists.txt"
# No CMAKE_BUILD_TYPE: no -DNDEBUG, so the snippets' asserts are checked.
cmake -S "$work" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/build" >/dev/null
for snippet in "${snippets[@]}"; do
  name=$(basename "$snippet" .cc)
  "$work/build/$name" >/dev/null || fail "docs/library.md's $name (src/$name.cc) exited $?"
  echo "$name: OK"
done
echo "library docs: ${#snippets[@]} snippets OK"
