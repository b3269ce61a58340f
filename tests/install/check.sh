# shellcheck shell=bash
# Assertions shared by the install tests (sourced). Images are compared with the vips CLI.
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
  [[ $2 == "$3" ]] || fail "$1: expected '$3', got '$2'"
}
# expect_size IMAGE WIDTH HEIGHT BANDS
expect_size() {
  local got
  got="$(vipsheader -f width "$1")x$(vipsheader -f height "$1")x$(vipsheader -f bands "$1")"
  expect_eq "$1 size" "$got" "$2x$3x$4"
}
# expect_identical A B: same size and every pixel equal.
expect_identical() {
  local scratch
  scratch=$(mktemp --suffix=.v)
  vips relational "$1" "$2" "$scratch" equal
  local min
  min=$(vips min "$scratch")
  rm -f "$scratch"
  awk -v m="$min" 'BEGIN { exit !(m == 255) }' ||
    fail "pixels of $1 vs $2 differ (min of the equality mask: $min)"
}
# expect_no_vips_or_opencv WHAT TEXT: TEXT names neither libvips nor OpenCV.
expect_no_vips_or_opencv() {
  local hits
  hits=$(grep -Eio '[^ ]*(vips|opencv)[^ ]*' <<<"$2" || true)
  [[ -z $hits ]] || fail "$1 names libvips or OpenCV: $(head -3 <<<"$hits" | tr '\n' ' ')"
}
# expect_within WHAT A B TOLERANCE: |A - B| <= TOLERANCE (decimals).
expect_within() {
  awk -v a="$2" -v b="$3" -v t="$4" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }' ||
    fail "$1: $2 and $3 differ by more than $4"
}
# expect_less WHAT A B: A < B (decimals).
expect_less() {
  awk -v a="$2" -v b="$3" 'BEGIN { exit !(a < b) }' || fail "$1: expected $2 < $3"
}
