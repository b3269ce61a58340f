#!/usr/bin/env bash
# Builds the benchmark corpus of real photographs from Debian wallpaper packages.
#
#   tests/bench/corpus.sh [CACHE_DIR]      (default ${XDG_CACHE_HOME:-~/.cache}/pixflow-bench)
#
# Prints the corpus directory (CACHE_DIR/corpus-v1), which holds:
#   large/  12 baseline JPEGs of 8.0-8.7 MP (q92, 4:2:0 like a camera's), made from the photo
#           contest entries in lomiri-wallpapers-16.04/-20.04: 8 whole frames scaled to about
#           8.6 MP (picosdeeuropa, 8.0 MP, is only re-encoded) and 4 unscaled 3840x2160 centre
#           crops of the largest ones, so both camera-like and pixel-sharp detail is present.
#   small/  112 images of 0.3-2.6 MP, one in three PNG, the rest JPEG q80-q90: 4 variants
#           (widths 640/1024/1280/1600, alternately centre-cropped to 4:3) of 28 photographs
#           from mate-backgrounds, plasma-workspace-wallpapers and lomiri-wallpapers-16.04.
#   SOURCES  the source files, their packages and licences.
# The packages are fetched with `apt-get download` and unpacked with `dpkg-deb -x` inside the
# cache; nothing is installed. The outputs depend only on the packages and the vips version,
# and are built once: delete the directory to rebuild.
set -euo pipefail

cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/pixflow-bench}
corpus=$cache/corpus-v1
if [[ -f $corpus/.complete ]]; then
  echo "$corpus"
  exit 0
fi

packages=(lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 mate-backgrounds
          plasma-workspace-wallpapers)
debs=$cache/debs
root=$cache/packages
mkdir -p "$debs" "$root"
for package in "${packages[@]}"; do
  if ! compgen -G "$debs/${package}_*.deb" >/dev/null; then
    (cd "$debs" && apt-get download -q "$package" >&2)
  fi
  dpkg-deb -x "$debs/${package}"_*.deb "$root"
done

rm -rf "$corpus"
mkdir -p "$corpus/large" "$corpus/small"
lomiri=$root/usr/share/backgrounds
mate=$root/usr/share/backgrounds/mate/nature
plasma=$root/usr/share/wallpapers
sources=$corpus/SOURCES
echo "file <- source (package, licence from its debian/copyright)" >"$sources"

# width height of an image, from vipsheader's "WxH uchar, ..." line.
dims() { vipsheader "$1" | sed -E 's/^.*: ([0-9]+)x([0-9]+) .*$/\1 \2/'; }

# Camera-like JPEG: baseline, 4:2:0 chroma (libvips would keep 4:4:4 at Q >= 90).
camera_jpeg='[Q=92,subsample_mode=on,optimize_coding]'

# Whole frames, scaled so they hold about 8.6 MP; images already under 9 MP are only re-encoded.
large_whole=(
  "Bridge_by_Sander_Klootwijk.jpg lomiri-wallpapers-16.04 CC-BY-SA-4.0"
  "Dragonfly_by_Bolly.jpg lomiri-wallpapers-16.04 CC-BY-SA-4.0"
  "Wine_by_Jakkub_Mede.jpg lomiri-wallpapers-16.04 CC-BY-4.0"
  "picosdeeuropa_by_Aitzol_Berasategi.jpg lomiri-wallpapers-16.04 CC-BY-4.0"
  "seeding_by_Clements_Engelhardt.jpg lomiri-wallpapers-16.04 CC0-1.0"
  "sunset_by_Aitzol_Berasategi.jpg lomiri-wallpapers-16.04 CC-BY-4.0"
  "Infinite-Sea_by_Aury88.jpg lomiri-wallpapers-20.04 CC-BY-SA-3.0"
  "Kleiber_by_Lukas_Baubkus.jpg lomiri-wallpapers-20.04 CC-BY-SA-3.0"
)
for entry in "${large_whole[@]}"; do
  read -r name package licence <<<"$entry"
  read -r w h < <(dims "$lomiri/$name")
  out=$corpus/large/${name%%_by_*}.jpg
  scale=$(awk -v w="$w" -v h="$h" 'BEGIN { s = sqrt(8.6e6 / (w * h)); print (s < 1 ? s : 1) }')
  if [[ $scale == 1 ]]; then
    vips copy "$lomiri/$name" "$out$camera_jpeg"
  else
    vips resize "$lomiri/$name" "$out$camera_jpeg" "$scale"
  fi
  echo "large/${out##*/} <- $name scaled by $scale ($package, $licence)" >>"$sources"
done

# Unscaled 3840x2160 centre crops: full-resolution detail, as a sharper camera would give.
large_crops=(
  "Kleiber_by_Lukas_Baubkus.jpg lomiri-wallpapers-20.04 CC-BY-SA-3.0"
  "seeding_by_Clements_Engelhardt.jpg lomiri-wallpapers-16.04 CC0-1.0"
  "Infinite-Sea_by_Aury88.jpg lomiri-wallpapers-20.04 CC-BY-SA-3.0"
  "Dragonfly_by_Bolly.jpg lomiri-wallpapers-16.04 CC-BY-SA-4.0"
)
for entry in "${large_crops[@]}"; do
  read -r name package licence <<<"$entry"
  read -r w h < <(dims "$lomiri/$name")
  out=$corpus/large/${name%%_by_*}-crop.jpg
  left=$(((w - 3840) / 2))
  top=$(((h - 2160) / 2))
  vips crop "$lomiri/$name" "$out$camera_jpeg" "$left" "$top" 3840 2160
  echo "large/${out##*/} <- $name crop 3840x2160+$left+$top ($package, $licence)" >>"$sources"
done

small_sources=(
  "$mate/Aqua.jpg mate-backgrounds GPL-2+"
  "$mate/Blinds.jpg mate-backgrounds GPL-2+"
  "$mate/Dune.jpg mate-backgrounds GPL-2+"
  "$mate/FreshFlower.jpg mate-backgrounds GPL-2+"
  "$mate/Garden.jpg mate-backgrounds GPL-2+"
  "$mate/GreenMeadow.jpg mate-backgrounds GPL-2+"
  "$mate/LadyBird.jpg mate-backgrounds GPL-2+"
  "$mate/RainDrops.jpg mate-backgrounds GPL-2+"
  "$mate/Storm.jpg mate-backgrounds GPL-2+"
  "$mate/TwoWings.jpg mate-backgrounds GPL-2+"
  "$mate/Wood.jpg mate-backgrounds GPL-2+"
  "$mate/YellowFlower.jpg mate-backgrounds GPL-2+"
  "$plasma/Autumn/contents/images/2560x1600.jpg plasma-workspace-wallpapers GPL-2+"
  "$plasma/BytheWater/contents/images/2560x1600.jpg plasma-workspace-wallpapers GPL-2+"
  "$plasma/ColdRipple/contents/images/2560x1600.jpg plasma-workspace-wallpapers GPL-2+"
  "$plasma/ColorfulCups/contents/images/2560x1600.jpg plasma-workspace-wallpapers GPL-2+"
  "$plasma/DarkestHour/contents/images/2560x1600.jpg plasma-workspace-wallpapers GPL-2+"
  "$plasma/EveningGlow/contents/images/2560x1600.jpg plasma-workspace-wallpapers GPL-2+"
  "$plasma/FallenLeaf/contents/images/2560x1600.jpg plasma-workspace-wallpapers GPL-2+"
  "$plasma/Kite/contents/images/2560x1600.jpg plasma-workspace-wallpapers GPL-2+"
  "$plasma/OneStandsOut/contents/images/2560x1600.jpg plasma-workspace-wallpapers GPL-2+"
  "$plasma/Path/contents/images/2560x1600.jpg plasma-workspace-wallpapers GPL-2+"
  "$lomiri/aitzgorri_by_Aitzol_Berasategi.jpg lomiri-wallpapers-16.04 CC-BY-4.0"
  "$lomiri/life_by_Aitzol_Berasategi.jpg lomiri-wallpapers-16.04 CC-BY-4.0"
  "$lomiri/friends_by_Aitzol_Berasategi.jpg lomiri-wallpapers-16.04 CC-BY-4.0"
  "$lomiri/free_by_Peter_Nerlich.jpg lomiri-wallpapers-16.04 CC-BY-SA-4.0"
  "$lomiri/Picture_0B_by_freespace.jpg lomiri-wallpapers-16.04 CC-BY-4.0"
  "$lomiri/Picture_1A_by_freespace.jpg lomiri-wallpapers-16.04 CC-BY-4.0"
)
widths=(640 1024 1280 1600)
k=0
for entry in "${small_sources[@]}"; do
  read -r path package licence <<<"$entry"
  stem=${path#"$root"/usr/share/}
  stem=${stem//\//_}
  stem=${stem%.jpg}
  read -r w h < <(dims "$path")
  for v in 0 1 2 3; do
    width=${widths[v]}
    name=$(printf '%03d-%s' $((k * 4 + v)) "$stem")
    if (((k + v) % 3 == 0)); then
      out=$corpus/small/$name.png
      suffix='[compression=6]'
    else
      out=$corpus/small/$name.jpg
      suffix="[Q=$((80 + 5 * (v % 3))),optimize_coding]"
    fi
    input=$path
    how="scaled to ${width} wide"
    if ((v % 2 == 1)); then
      # Centre crop to 4:3 (or the widest 4:3 that fits) before scaling.
      cw=$w
      ch=$((w * 3 / 4))
      if ((ch > h)); then
        ch=$h
        cw=$((h * 4 / 3))
      fi
      vips crop "$path" "$corpus/crop.v" $(((w - cw) / 2)) $(((h - ch) / 2)) "$cw" "$ch"
      input=$corpus/crop.v
      how="4:3 centre crop $cw x $ch, $how"
    fi
    read -r iw _ < <(dims "$input")
    if ((width >= iw)); then
      width=$iw
      vips copy "$input" "$out$suffix"
    else
      vips resize "$input" "$out$suffix" "$(awk -v a="$width" -v b="$iw" 'BEGIN { print a / b }')"
    fi
    echo "small/${out##*/} <- ${path#"$root"} $how ($package, $licence)" >>"$sources"
  done
  k=$((k + 1))
done
rm -f "$corpus/crop.v"

touch "$corpus/.complete"
echo "$corpus"
