#!/usr/bin/env bash
# --mode processes against --mode threads at the same total core count, on a CPU-bound chain
# over large photographs; results go to docs/benchmarks/processes.md by hand.
#   tests/bench/processes_bench.sh PIXFLOW [CORES] [REPEATS]
# Prints, per configuration, the median wall time of REPEATS runs, throughput, and peak memory
# (the threads process; the supervisor plus every worker); then the start-up cost of a worker:
# the extra wall time of --mode processes over --mode threads on one tiny image (spawn, libvips
# and TBB start-up, the handshake, one job round trip).
set -euo pipefail
pixflow=$(realpath "$1")
cores=${2:-$(nproc)}
repeats=${3:-5}
photos=${PIXFLOW_REAL_IMAGES_DIR:-/usr/share/doc/opencv-doc/examples/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 16 photographs of 8 MP (3264x2448), made from the real ones by upscaling: large enough that
# decode, filters and encode dominate, not process start-up.
mkdir -p "$work/src" "$work/big"
i=0
for name in baboon fruits building home apple butterfly board aero1; do
  cp "$photos/$name.jpg" "$work/src/$name.jpg"
done
"$pixflow" convert "$work/src" -o "$work/big" --resize '3264x2448!' --format 'jpg[Q=92]' -q
for f in "$work"/big/*.jpg; do cp "$f" "${f%.jpg}-2.jpg"; done
chain=(--blur 2 --resize 2000x --sharpen 1 --format 'jpg[Q=85]')

field() { grep -o "\"$1\":[0-9.e+-]*" "$2" | tail -1 | cut -d: -f2; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# One run; appends "wall peak_rss worker_peak" (seconds, KiB, KiB) to the file named $1.
once() {
  local into=$1
  shift
  rm -rf "$work/out"
  "$pixflow" convert "$work/big" -o "$work/out" "${chain[@]}" "$@" -q --report "$work/r.json"
  local worker
  worker=$(grep -o '"peak_rss_kib":[0-9]*}' "$work/r.json" | tr -dc '0-9\n' | sort -n | tail -1 || true)
  echo "$(field wall_seconds "$work/r.json") $(field peak_rss_kib "$work/r.json") ${worker:-0}" >>"$into"
}

row() {  # label, results file
  local wall mem worker
  wall=$(cut -d' ' -f1 "$2" | median)
  mem=$(cut -d' ' -f2 "$2" | median)
  worker=$(cut -d' ' -f3 "$2" | median)
  printf '| %s | %.2f | %.2f | %.0f | %s |\n' "$1" "$wall" "$(echo "16 / $wall" | bc -l)" \
    "$(echo "$mem / 1024" | bc -l)" "$( ((worker > 0)) && echo "$((worker / 1024)) MB" || echo -)"
}

configs=("threads -j $cores|--mode threads -j $cores"
  "processes --workers $cores -j 1|--mode processes --workers $cores -j 1")
((cores > 1)) && configs+=("processes --workers 1 -j $cores|--mode processes --workers 1 -j $cores")
# Interleaved, so a neighbour's load falls on every configuration alike.
for r in $(seq "$repeats"); do
  for i in "${!configs[@]}"; do
    # shellcheck disable=SC2086
    once "$work/results$i" ${configs[i]#*|}
  done
done

echo "cores: $cores; 16 images of 3264x2448; chain: ${chain[*]}; median of $repeats, interleaved"
echo
echo "| configuration | wall s | images/s | peak RSS MB (all processes) | worker peak RSS |"
echo "|---|---|---|---|---|"
for i in "${!configs[@]}"; do row "${configs[i]%%|*}" "$work/results$i"; done

# Start-up: one 64x64 image, so the run is nearly all overhead.
"$pixflow" convert "$work/src/baboon.jpg" -o "$work/tiny" --resize 64x64 -q
startup() {
  local walls=() r
  for r in $(seq 9); do
    rm -rf "$work/t"
    "$pixflow" convert "$work/tiny/baboon.jpg" -o "$work/t" -q --report "$work/t.json" "$@"
    walls+=("$(field wall_seconds "$work/t.json")")
  done
  printf '%s\n' "${walls[@]}" | median
}
threads_ms=$(echo "$(startup --mode threads -j 1) * 1000" | bc -l)
processes_ms=$(echo "$(startup --mode processes --workers 1 -j 1) * 1000" | bc -l)
echo
printf 'one tiny image: threads %.1f ms, processes (1 worker) %.1f ms: start-up cost %.1f ms per worker\n' \
  "$threads_ms" "$processes_ms" "$(echo "$processes_ms - $threads_ms" | bc -l)"
