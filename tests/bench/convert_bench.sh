#!/usr/bin/env bash
# Times `pixflow convert` against vipsthumbnail and sharp in one run, on the same real photos.
#
#   tests/bench/convert_bench.sh [--quick] [PIXFLOW_BINARY]
#
#   PIXFLOW_BINARY  default $PIXFLOW, else build/release/apps/pixflow; if it is missing or has
#                   no `convert` subcommand, pixflow's rows are skipped with a message.
#   --quick         3 timed rounds instead of 5, and a 500-image RSS run instead of 2,000.
#   PIXFLOW_BENCH_CACHE  where the corpus, sharp and the helper programs are kept
#                   (default ${XDG_CACHE_HOME:-~/.cache}/pixflow-bench); built on first use.
#   PIXFLOW_BENCH_MAX_FOREIGN  the most CPU other processes may use during a run that counts,
#                   as a share of all cores (default 0.10); see "Load" below.
#
# Needs: apt-get (for the corpus packages), libvips-tools, libvips-dev, libturbojpeg0-dev, gcc,
# node >= 18 with npm (sharp is installed into the cache, never into the repository).
#
# What it measures (docs/benchmarks/convert.md has the method and the results):
#  1. large: 12 photos of 8-9 MP -> 800 px wide JPEG Q85, metadata stripped;
#     small: 112 photos of 0.3-2.5 MP, JPEG and PNG -> 256 px wide.
#     Tools: pixflow, vipsthumbnail as one process (as people run it), vipsthumbnail as one
#     process per core (xargs -P), sharp with 2 images in flight.
#  2. PSNR of pixflow's and sharp's thumbnails against vipsthumbnail's, and of an unfiltered
#     nearest-neighbour decimation as a control that shows what the metric punishes.
#  3. The libjpeg-turbo decode floor of the large set (decode_floor.c, all cores) with DCT
#     scaling chosen per file as pixflow and sharp choose it (the smallest scale still >= 800 px
#     wide: 1/4 or 1/2 here) and as vipsthumbnail 8.14 does (>= 1600 px: 1/2 or 1/1).
#  4. pixflow -j 1 vs -j $(nproc) on a CPU-heavy chain (resize 3000x + sharpen + blur).
#  5. pixflow's peak RSS on 100 vs 2,000 small images (symlinks to the small set).
#
# Timing: the tools of a group run in interleaved rounds (a warm-up round, then timed ones),
# each into an emptied folder, so a change of load hits every tool alike. Per run, GNU time
# gives wall time, CPU time and peak RSS; the reported figure is the run of median wall time.
# Load: before each run the script waits (up to 10 s) for the machine to be idle, and
# /proc/stat says how much CPU other processes took during the run; runs where that exceeds
# PIXFLOW_BENCH_MAX_FOREIGN are repeated (up to 3 times as many rounds), and the report says
# how many runs were clean.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
reps=5
rss_images=2000
pixflow=${PIXFLOW:-$repo/build/release/apps/pixflow}
for arg in "$@"; do
  case $arg in
    --quick) reps=3 rss_images=500 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) pixflow=$arg ;;
  esac
done
cache=${PIXFLOW_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pixflow-bench}
max_foreign=${PIXFLOW_BENCH_MAX_FOREIGN:-0.10}
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
: >"$work/timings"

# --- Timing -------------------------------------------------------------------------------
# Busy and total jiffies of all cores since boot.
cpu_jiffies() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }

# Waits until other processes use under max_foreign of the machine over half a second, for at
# most 10 s (a build next door can keep a machine busy for an hour).
wait_idle() {
  local deadline=$((SECONDS + 10)) b0 t0 b1 t1
  while ((SECONDS < deadline)); do
    read -r b0 t0 < <(cpu_jiffies)
    sleep 0.5
    read -r b1 t1 < <(cpu_jiffies)
    awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v m="$max_foreign" 'BEGIN { exit !(b <= m * t) }' &&
      return 0
    sleep 1
  done
  return 0
}

labels=()
declare -A command outdir expected
# job LABEL OUT_DIR EXPECTED_FILES COMMAND...: one tool run of the current group.
job() {
  labels+=("$1")
  outdir[$1]=$2
  expected[$1]=$3
  shift 3
  command[${labels[-1]}]=$(printf '%q ' "$@")
}

# One run of a job; appends "wall cpu rss_kb foreign" to $work/runs-LABEL unless warm_up.
run_once() {
  local label=$1 warm_up=$2 out=${outdir[$1]} b0 t0 b1 t1
  rm -rf "$out"
  mkdir -p "$out"
  wait_idle
  read -r b0 t0 < <(cpu_jiffies)
  if ! eval "/usr/bin/time -f '%e %U %S %M' -o '$work/time' ${command[$label]}" \
    >"$work/log-$label" 2>&1; then
    log "$label failed:"
    tail -5 "$work/log-$label" >&2
    return 1
  fi
  read -r b1 t1 < <(cpu_jiffies)
  local made
  made=$(find "$out" -type f | wc -l)
  if ((made != expected[$label])); then
    log "$label wrote $made files, expected ${expected[$label]}"
    return 1
  fi
  ((warm_up)) && return 0
  # Foreign load: CPU the machine spent beyond this run's own, as a share of all cores.
  awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v c="$cores" \
    '{ cpu = $2 + $3; f = t > 0 ? (b / hz - cpu) / (t / hz) : 0;
       printf "%s %.2f %d %.2f\n", $1, cpu, $4, f < 0 ? 0 : f }' "$work/time" \
    >>"$work/runs-${label}"
}

clean_runs() { awk -v m="$max_foreign" '$4 <= m' "$work/runs-$1" | wc -l; }

# Runs the jobs of the group in interleaved rounds, then records each job's median clean run
# as "LABEL wall cpu rss_kb foreign clean_runs all_runs" in $work/timings.
run_group() {
  local label round
  for label in "${labels[@]}"; do
    : >"$work/runs-$label"
    run_once "$label" 1
  done
  for ((round = 0; round < 3 * reps; ++round)); do
    local missing=0
    for label in "${labels[@]}"; do
      if (($(clean_runs "$label") < reps)); then
        run_once "$label" 0
        missing=1
      fi
    done
    ((missing)) || break
  done
  for label in "${labels[@]}"; do
    local runs=$work/runs-$label
    # Median of the clean runs, or of all of them if too few were clean.
    if (($(clean_runs "$label") * 2 < reps)); then
      log "$label: too few runs under ${max_foreign} foreign load; using all runs"
      cp "$runs" "$runs.used"
    else
      awk -v m="$max_foreign" '$4 <= m' "$runs" >"$runs.used"
    fi
    sort -g "$runs.used" |
      awk -v l="$label" -v c="$(clean_runs "$label")" -v a="$(wc -l <"$runs")" \
        '{ r[NR] = $0 } END { print l, r[int((NR + 1) / 2)], c, a }' >>"$work/timings"
    log "$label: $(tail -1 "$work/timings" | cut -d' ' -f2-)" \
      "(wall s, cpu s, peak RSS KB, foreign load, clean runs, runs)"
  done
  labels=()
}

# --- Helpers ----------------------------------------------------------------------------
# Sum of width*height/1e6 over the images of a folder.
megapixels() {
  local f
  for f in "$1"/*; do
    vipsheader "$f"
  done | sed -E 's/^.*: ([0-9]+)x([0-9]+) .*$/\1 \2/' |
    awk '{ s += $1 * $2 } END { printf "%.2f", s / 1e6 }'
}

# SIZE OUT_DIR FILE...: the files as $cores chunks, one vipsthumbnail process each, in
# parallel: the most a shell user can get out of vipsthumbnail on this machine.
cat >"$work/vipsthumbnail-parallel" <<EOF
#!/usr/bin/env bash
set -euo pipefail
size=\$1 out=\$2
shift 2
printf '%s\0' "\$@" |
  xargs -0 -n \$(((\$# + $cores - 1) / $cores)) -P $cores \
    vipsthumbnail --size "\$size" -o "\$out/%s.jpg[Q=85,strip]"
EOF
chmod +x "$work/vipsthumbnail-parallel"

# --- 1 + 2: the two folders --------------------------------------------------------------
declare -A set_mp set_files set_width=([large]=800 [small]=256)
for set in large small; do
  input=$corpus/$set
  width=${set_width[$set]}
  mapfile -t files < <(find "$input" -maxdepth 1 -type f | sort)
  set_files[$set]=${#files[@]}
  set_mp[$set]=$(megapixels "$input")
  log "$set: ${#files[@]} images, ${set_mp[$set]} MP -> ${width} px wide"
  job "vipsthumbnail-$set" "$work/vipsthumbnail-$set" "${#files[@]}" \
    vipsthumbnail --size "${width}x" -o "$work/vipsthumbnail-$set/%s.jpg[Q=85,strip]" \
    "${files[@]}"
  job "vipsthumbnail-x$cores-$set" "$work/vipsthumbnail-x$cores-$set" "${#files[@]}" \
    "$work/vipsthumbnail-parallel" "${width}x" "$work/vipsthumbnail-x$cores-$set" "${files[@]}"
  job "sharp-$set" "$work/sharp-$set" "${#files[@]}" \
    node "$here/sharp_thumbs.mjs" "$input" "$work/sharp-$set" "$width" 85 2
  if ((have_pixflow)); then
    job "pixflow-$set" "$work/pixflow-$set" "${#files[@]}" \
      "$pixflow" convert "$input" -o "$work/pixflow-$set" --resize "${width}x" \
      --format 'jpg[Q=85]' --strip -q --overwrite
  fi
done
run_group

for set in large small; do
  # Control for the PSNR threshold: decimation without any filter.
  mkdir -p "$work/nearest-$set"
  for f in "$corpus/$set"/*; do
    read -r w _ < <(vipsheader "$f" | sed -E 's/^.*: ([0-9]+)x([0-9]+) .*$/\1 \2/')
    name=${f##*/}
    vips resize "$f" "$work/nearest-$set/${name%.*}.jpg[Q=85,strip]" \
      "$(awk -v a="${set_width[$set]}" -v b="$w" 'BEGIN { print a / b }')" --kernel nearest
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
# -w 800: pixflow's and sharp's shrink-on-load rule; -w 1600: vipsthumbnail 8.14's.
for rule in "-w 800" "-w 1600"; do
  wait_idle
  # shellcheck disable=SC2086  # the rule is an option and its value.
  "$cache/bin/decode_floor" -j "$cores" $rule -t 3 "$corpus"/large/*.jpg |
    tee -a "$work/floor" >&2
done

# --- 4 + 5: pixflow only -----------------------------------------------------------------
if ((have_pixflow)); then
  chain=(--resize 3000x --sharpen 1 --blur 1.5 --format 'jpg[Q=85]' -q --overwrite)
  for j in 1 "$cores"; do
    job "pixflow-chain-j$j" "$work/chain-j$j" "${set_files[large]}" \
      "$pixflow" convert "$corpus/large" -o "$work/chain-j$j" "${chain[@]}" -j "$j"
  done
  run_group

  small=("$corpus"/small/*)
  for count in 100 "$rss_images"; do
    dir=$work/rss-in-$count
    mkdir -p "$dir"
    for ((i = 0; i < count; ++i)); do
      f=${small[i % ${#small[@]}]}
      ln -s "$f" "$dir/$(printf '%05d' "$i")-${f##*/}"
    done
    job "pixflow-rss-$count" "$work/rss-out-$count" "$count" \
      "$pixflow" convert "$dir" -o "$work/rss-out-$count" --resize 256x \
      --format 'jpg[Q=85]' --strip -q --overwrite
  done
  run_group
fi

# --- Report --------------------------------------------------------------------------------
field() { awk -v l="$1" -v f="$2" '$1 == l { print $f }' "$work/timings"; }
echo "## convert_bench: $(date -u +%F), $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
  "$cores cores, vips $(vips --version | cut -d- -f2), sharp $sharp_version" \
  "(libvips $(node -e 'console.log(require("sharp").versions.vips)')), node $(node --version);" \
  "median of $reps runs with under $max_foreign foreign load"
for set in large small; do
  echo
  echo "### $set: ${set_files[$set]} images, ${set_mp[$set]} MP -> ${set_width[$set]} px wide"
  echo
  echo "| tool | wall s | MP/s | CPU s | peak RSS MiB | clean runs | PSNR vs vipsthumbnail: mean / min dB |"
  echo "|---|---:|---:|---:|---:|---:|---|"
  for tool in vipsthumbnail "vipsthumbnail-x$cores" sharp pixflow; do
    label=$tool-$set
    [[ -n $(field "$label" 2) ]] || continue
    psnr="reference"
    if [[ -f $work/psnr-$label ]]; then
      psnr=$(tail -1 "$work/psnr-$label" | awk '{ print $5 " / " $7 " " $8 }')
    fi
    awk -v l="$label" -v t="$tool" -v mp="${set_mp[$set]}" -v p="$psnr" '$1 == l {
      printf "| %s | %.2f | %.0f | %.2f | %.0f | %d/%d | %s |\n", t, $2, mp / $2, $3, $4 / 1024,
        $6, $7, p }' "$work/timings"
  done
  psnr=$(tail -1 "$work/psnr-nearest-$set" | awk '{ print $5 " / " $7 " " $8 }')
  echo "| control: nearest neighbour, no filter | | | | | | $psnr |"
done
echo
echo "### libjpeg-turbo decode floor, large set, $cores threads"
echo
echo "Share of the floor reached = floor / tool, by wall time and by CPU time" \
  "(vipsthumbnail-x$cores, sharp, pixflow)."
echo
echo "| DCT scale rule | floor wall s | MP/s | floor CPU s | share by wall | share by CPU |"
echo "|---|---:|---:|---:|---|---|"
while read -r _ _ _ _ _ scale _ _ _ _ _ seconds _ mps _ cpu; do
  by_wall="" by_cpu=""
  for tool in "vipsthumbnail-x$cores" sharp pixflow; do
    wall=$(field "$tool-large" 2)
    tool_cpu=$(field "$tool-large" 3)
    share="-" cpu_share="-"
    if [[ -n $wall ]]; then
      share=$(awk -v f="$seconds" -v w="$wall" 'BEGIN { printf "%.0f%%", 100 * f / w }')
      cpu_share=$(awk -v f="$cpu" -v w="$tool_cpu" 'BEGIN { printf "%.0f%%", 100 * f / w }')
    fi
    by_wall+="${by_wall:+, }$share"
    by_cpu+="${by_cpu:+, }$cpu_share"
  done
  echo "| $scale | $seconds | $mps | $cpu | $by_wall | $by_cpu |"
done <"$work/floor"
echo
if ((have_pixflow)); then
  awk -v c="$cores" '$1 == "pixflow-chain-j1" { one = $2; oc = $3 } $1 == "pixflow-chain-j" c { all = $2; ac = $3 }
    END { printf "CPU-heavy chain (large set, resize 3000x + sharpen 1 + blur 1.5): -j 1 %.2f s (CPU %.2f s), -j %d %.2f s (CPU %.2f s): %.2fx\n", one, oc, c, all, ac, one / all }' \
    "$work/timings"
  echo
  awk -v n="$rss_images" '$1 == "pixflow-rss-100" { a = $4 } $1 == "pixflow-rss-" n { b = $4 }
    END { printf "Peak RSS, small images to 256 px: 100 images %.1f MiB, %d images %.1f MiB (%+.1f%%)\n", a / 1024, n, b / 1024, 100 * (b - a) / a }' \
    "$work/timings"
else
  echo "pixflow: skipped (no binary with a convert subcommand at $pixflow)"
fi
echo
echo "Every run, per-image PSNR and the tools' logs: $work"
