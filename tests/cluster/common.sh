# Shared by the cluster tests (sourced): a generated input folder and the check that a sharded
# run converted every file exactly once.
#   make_inputs DIR COUNT   copies real photographs into DIR under nested names
#   check_exactly_once PIXFLOW IN OUT REPORT...   outputs, per-shard reports and merged report
set -euo pipefail

REAL_IMAGES=${PIXFLOW_REAL_IMAGES_DIR:-/usr/share/doc/opencv-doc/examples/data}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

make_inputs() {
  local dir=$1 count=$2 i=0
  local photos=("$REAL_IMAGES"/*.jpg)
  ((${#photos[@]} > 0)) || fail "no photographs in $REAL_IMAGES (install opencv-doc)"
  while ((i < count)); do
    local sub="$dir/set$((i % 3))/$((i % 2))"
    mkdir -p "$sub"
    cp "${photos[i % ${#photos[@]}]}" "$sub/img$i.jpg"
    i=$((i + 1))
  done
}

# Every input has its output, every shard report lists disjoint inputs whose union is all of
# them, and `pixflow report merge` agrees (it exits 1 on an input seen twice).
check_exactly_once() {
  local pixflow=$1 in=$2 out=$3
  shift 3
  local reports=("$@")
  local expected written listed unique
  expected=$(find "$in" -type f | wc -l)
  written=$(find "$out" -type f -name '*.jpg' | wc -l)
  ((written == expected)) || fail "$written outputs for $expected inputs"
  while IFS= read -r input; do
    local rel=${input#"$in"/}
    [[ -s "$out/$rel" ]] || fail "no output for $rel"
  done < <(find "$in" -type f)
  listed=$(cat "${reports[@]}" | grep -c '"status":"converted"' || true)
  unique=$(cat "${reports[@]}" | grep -o '"input":"[^"]*"' | sort -u | wc -l)
  ((listed == expected)) || fail "the shard reports list $listed converted images, expected $expected"
  ((unique == expected)) || fail "the shard reports name $unique distinct inputs, expected $expected"
  "$pixflow" report merge "${reports[@]}" -o "$out.merged.json" >"$out.merge.txt" ||
    fail "report merge exited $?: $(cat "$out.merge.txt")"
  grep -q "^${#reports[@]} reports: $expected images, $expected converted" "$out.merge.txt" ||
    fail "merged summary: $(cat "$out.merge.txt")"
  grep -q "\"images\":$expected,\"converted\":$expected," "$out.merged.json" ||
    fail "merged report summary: $(tail -1 "$out.merged.json")"
}
