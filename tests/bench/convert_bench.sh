#!/usr/bin/env bash
# Times `pixflow convert` against vipsthumbnail and sharp in one run, on the same real photos.
#
#   tests/bench/convert_bench.sh [--quick] [PIXFLOW_BINARY]
#
#   PIXFLOW_BINARY  default $PIXFLOW, else build/release/apps/pixflow/pixflow; if it is missing
#                   or has no `convert` subcommand, pixflow's rows are skipped with a message.
#   --quick         1 timed repetition instead of 5, and a 500-image RSS run instead of 2,000.
#   PIXFLOW_BENCH_CACHE  where the corpus, sharp and the helper programs are kept
#                   (default ${XDG_CACHE_HOME:-~/.cache}/pixflow-bench); built on first use.
#
# Needs: apt-get (for the corpus packages), libvips-tools, libvips-dev, libturbojpeg0-dev, gcc,
# node >= 18 with npm (sharp is installed into the cache, never into the repository).
#
# What it measures (docs/benchmarks/convert.md has the method and the results):
#  1. large: 12 photos of 8-9 MP -> 800 px wide JPEG Q85, metadata stripped;
#     small: 112 photos of 0.3-2.6 MP, JPEG and PNG -> 256 px wide.
#     Each tool: one warm-up run, then REPS timed runs into an emptied folder; the median wall
#     time is reported with its CPU time and peak RSS (GNU time), and MP/s of input.
#  2. PSNR of pixflow's and sharp's thumbnails against vipsthumbnail's, and of an unfiltered
#     nearest-neighbour decimation as a control that shows what the metric punishes.
#  3. The libjpeg-turbo decode floor of the large set (decode_floor.c, all cores) at the DCT
#     scales 1/2 (what vipsthumbnail 8.14 decodes at for this reduction) and 1/4 (sharp's).
#  4. pixflow -j 1 vs -j $(nproc) on a CPU-heavy chain (resize 3000x + sharpen + blur).
#  5. pixflow's peak RSS on 100 vs 2,000 small images (symlinks to the small set).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
reps=5
rss_images=2000
pixflow=${PIXFLOW:-$repo/build/release/apps/pixflow/pixflow}
for arg in "$@"; do
  case $arg in
    --quick) reps=1 rss_images=500 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) pixflow=$arg ;;
  esac
done
cache=${PIXFLOW_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pixflow-bench}
cores=$(nproc)
sharp_version=0.35.5

log() { echo "[convert_bench] $*" >&2; }

# --- Preparation: corpus, sharp, helper programs -----------------------------------------
corpus=$("$here/corpus.sh" "$cache")

if [[ ! -f $cache/node/node_modules/sharp/package.json ]]; then
  log "installing sharp@$sharp_version into $cache/node"
  mkdir -p "$cache/node"
  npm install --prefix "$cache/node" --no-audit --no-fund --no-save "sharp@$sharp_version" >&2
fi
export NODE_PATH=$cache/node/node_modules

mkdir -p "$cache/bin"
build_helper() {  # name, extra compiler flags...
  local name=$1
  shift
  if [[ ! -x $cache/bin/$name || $here/$name.c -nt $cache/bin/$name ]]; then
    gcc -O2 -Wall -Wextra -Werror -o "$cache/bin/$name" "$here/$name.c" "$@"
  fi
}
build_helper decode_floor -lturbojpeg -lpthread
# shellcheck disable=SC2046  # pkg-config prints several words on purpose.
build_helper psnr $(pkg-config --cflags --libs vips) -lm

have_pixflow=1
if [[ ! -x $pixflow ]]; then
  log "SKIPPING pixflow: no binary at $pixflow (build it, or pass its path)"
  have_pixflow=0
elif ! "$pixflow" convert --help >/dev/null 2>&1; then
  log "SKIPPING pixflow: $pixflow has no 'convert' subcommand yet"
  have_pixflow=0
fi

work=$cache/work
rm -rf "$work"
mkdir -p "$work"

# --- Helpers ----------------------------------------------------------------------------
# Sum of width*height/1e6 over the images of a folder.
megapixels() {
  local f
  for f in "$1"/*; do
    vipsheader "$f"
  done | sed -E 's/^.*: ([0-9]+)x([0-9]+) .*$/\1 \2/' |
    awk '{ s += $1 * $2 } END { printf "%.2f", s / 1e6 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# timed LABEL OUT_DIR EXPECTED_FILES COMMAND...: one warm-up run, then $reps timed runs, each
# into an emptied OUT_DIR. Appends "LABEL wall user+sys rss_kb" (the median run's) to
# $work/timings and leaves the last run's output in OUT_DIR.
timed() {
  local label=$1 out=$2 expected=$3
  shift 3
  local rep runs=$work/runs-$label
  : >"$runs"
  for ((rep = 0; rep <= reps; ++rep)); do
    rm -rf "$out"
    mkdir -p "$out"

    if ! /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >"$work/log-$label" 2>&1; then
      log "$label failed:"
      tail -5 "$work/log-$label" >&2
      return 1
    fi
    local made
    made=$(find "$out" -type f | wc -l)
    if ((made != expected)); then
      log "$label wrote $made files, expected $expected"
      return 1
    fi
    ((rep == 0)) || awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 }' "$work/time" >>"$runs"
  done
  local wall
  wall=$(awk '{ print $1 }' "$runs" | median)
  awk -v label="$label" -v wall="$wall" '$1 == wall { print label, $0; exit }' "$runs" \
    >>"$work/timings"
  log "$label: $(tail -1 "$work/timings" | cut -d' ' -f2-) (wall s, cpu s, peak RSS KB)"
}

# Writes FILE_LIST's files as $cores chunks of one vipsthumbnail process each, in parallel:
# the most a shell user can get out of vipsthumbnail on this machine.
vipsthumbnail_parallel() {
  local size=$1 out=$2
  shift 2
  printf '%s\0' "$@" |
    xargs -0 -n $(((${#} + cores - 1) / cores)) -P "$cores" \
      vipsthumbnail --size "$size" -o "$out/%s.jpg[Q=85,strip]"
}

# --- 1 + 2: the two folders --------------------------------------------------------------
: >"$work/timings"
declare -A set_mp set_files
for set in large small; do
  input=$corpus/$set
  width=800
  [[ $set == small ]] && width=256
  mapfile -t files < <(find "$input" -maxdepth 1 -type f | sort)
  set_files[$set]=${#files[@]}
  set_mp[$set]=$(megapixels "$input")
  log "$set: ${#files[@]} images, ${set_mp[$set]} MP -> ${width} px wide"

  timed "vipsthumbnail-$set" "$work/vipsthumbnail-$set" "${#files[@]}" \
    vipsthumbnail --size "${width}x" -o "$work/vipsthumbnail-$set/%s.jpg[Q=85,strip]" \
    "${files[@]}"
  timed "vipsthumbnail-x$cores-$set" "$work/vipsthumbnail-x$cores-$set" "${#files[@]}" \
    bash -c "$(declare -f vipsthumbnail_parallel); cores=$cores; vipsthumbnail_parallel \"\$@\"" \
    _ "${width}x" "$work/vipsthumbnail-x$cores-$set" "${files[@]}"
  timed "sharp-$set" "$work/sharp-$set" "${#files[@]}" \
    node "$here/sharp_thumbs.mjs" "$input" "$work/sharp-$set" "$width" 85 2
  if ((have_pixflow)); then
    timed "pixflow-$set" "$work/pixflow-$set" "${#files[@]}" \
      "$pixflow" convert "$input" -o "$work/pixflow-$set" --resize "${width}x" \
      --format 'jpg[Q=85]' --strip -q --overwrite
  fi

  # Control for the PSNR threshold: decimation without any filter.
  mkdir -p "$work/nearest-$set"
  for f in "${files[@]}"; do
    read -r w _ < <(vipsheader "$f" | sed -E 's/^.*: ([0-9]+)x([0-9]+) .*$/\1 \2/')
    name=${f##*/}
    vips resize "$f" "$work/nearest-$set/${name%.*}.jpg[Q=85,strip]" \
      "$(awk -v a="$width" -v b="$w" 'BEGIN { print a / b }')" --kernel nearest
  done
  for tool in sharp pixflow nearest; do
    [[ -d $work/$tool-$set ]] || continue
    "$cache/bin/psnr" "$work/vipsthumbnail-$set" "$work/$tool-$set" >"$work/psnr-$tool-$set" ||
      log "psnr of $tool-$set: some images missing or unreadable"
    log "psnr $tool-$set vs vipsthumbnail: $(tail -1 "$work/psnr-$tool-$set")"
  done
done

# --- 3: decode floor -----------------------------------------------------------------------
: >"$work/floor"
for scale in 1/2 1/4; do
  "$cache/bin/decode_floor" -j "$cores" -s "$scale" -t 3 "$corpus"/large/*.jpg |
    tee -a "$work/floor" >&2
done

# --- 4 + 5: pixflow only -----------------------------------------------------------------
if ((have_pixflow)); then
  chain=(--resize 3000x --sharpen 1 --blur 1.5 --format 'jpg[Q=85]' -q --overwrite)
  for j in 1 "$cores"; do
    timed "pixflow-chain-j$j" "$work/chain-j$j" "${set_files[large]}" \
      "$pixflow" convert "$corpus/large" -o "$work/chain-j$j" "${chain[@]}" -j "$j"
  done

  small=("$corpus"/small/*)
  for count in 100 "$rss_images"; do
    dir=$work/rss-in-$count
    mkdir -p "$dir"
    for ((i = 0; i < count; ++i)); do
      f=${small[i % ${#small[@]}]}
      name=${f##*/}
      ln -s "$f" "$dir/$(printf '%05d' "$i")-$name"
    done
    timed "pixflow-rss-$count" "$work/rss-out-$count" "$count" \
      "$pixflow" convert "$dir" -o "$work/rss-out-$count" --resize 256x \
      --format 'jpg[Q=85]' --strip -q --overwrite
  done
fi

# --- Report --------------------------------------------------------------------------------
field() { awk -v l="$1" -v f="$2" '$1 == l { print $f }' "$work/timings"; }
echo
echo "## convert_bench: $(date -u +%F), $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
  "$cores cores, vips $(vips --version | cut -d- -f2), sharp $sharp_version" \
  "(libvips $(node -e 'console.log(require("sharp").versions.vips)')), node $(node --version)," \
  "load average at start $(cut -d' ' -f1-3 /proc/loadavg), median of $reps"
for set in large small; do
  echo
  echo "### $set: ${set_files[$set]} images, ${set_mp[$set]} MP"
  echo
  echo "| tool | wall s | MP/s | CPU s | peak RSS MiB | PSNR vs vipsthumbnail: mean / min dB |"
  echo "|---|---:|---:|---:|---:|---|"
  for tool in vipsthumbnail "vipsthumbnail-x$cores" sharp pixflow; do
    wall=$(field "$tool-$set" 2)
    [[ -n $wall ]] || continue
    psnr="reference"
    if [[ -f $work/psnr-$tool-$set ]]; then
      psnr=$(tail -1 "$work/psnr-$tool-$set" | awk '{ print $5 " / " $7 " " $8 }')
    fi
    awk -v t="$tool" -v w="$wall" -v mp="${set_mp[$set]}" -v c="$(field "$tool-$set" 3)" \
      -v r="$(field "$tool-$set" 4)" -v p="$psnr" \
      'BEGIN { printf "| %s | %.2f | %.0f | %.2f | %.0f | %s |\n", t, w, mp / w, c, r / 1024, p }'
  done
  psnr=$(tail -1 "$work/psnr-nearest-$set" | awk '{ print $5 " / " $7 " " $8 }')
  echo "| control: nearest neighbour (vips resize --kernel nearest) | | | | | $psnr |"
done
echo
echo "### libjpeg-turbo decode floor, large set, $cores threads"
echo
echo "| DCT scale | floor s | MP/s | share of floor reached by: vipsthumbnail-x$cores, sharp, pixflow |"
echo "|---|---:|---:|---|"
while read -r _ _ _ _ _ scale _ _ _ _ _ seconds _ mps; do
  shares=""
  for tool in "vipsthumbnail-x$cores" sharp pixflow; do
    wall=$(field "$tool-large" 2)
    share="-"
    [[ -n $wall ]] && share=$(awk -v f="$seconds" -v w="$wall" 'BEGIN { printf "%.0f%%", 100 * f / w }')
    shares+="${shares:+, }$share"
  done
  echo "| $scale | $seconds | $mps | $shares |"
done <"$work/floor"
if ((have_pixflow)); then
  echo
  awk -v c="$cores" '$1 == "pixflow-chain-j1" { one = $2 } $1 == "pixflow-chain-j" c { all = $2 }
    END { printf "CPU-heavy chain (large set, resize 3000x + sharpen 1 + blur 1.5): -j 1 %.2f s, -j %d %.2f s, speed-up %.2fx\n", one, c, all, one / all }' \
    "$work/timings"
  awk -v n="$rss_images" '$1 == "pixflow-rss-100" { a = $4 } $1 == "pixflow-rss-" n { b = $4 }
    END { printf "Peak RSS: 100 images %.0f MiB, %d images %.0f MiB (%+.1f%%)\n", a / 1024, n, b / 1024, 100 * (b - a) / a }' \
    "$work/timings"
else
  echo
  echo "pixflow: skipped (no binary with a convert subcommand at $pixflow)"
fi
echo
echo "Raw timings and per-image PSNR: $work"
