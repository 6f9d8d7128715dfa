#!/usr/bin/env bash
# tools/dev/size.sh - flash and RAM used by libattrs on a Cortex-M4.
#
# 1. Every core source (libattrs/sources.list, "src" lines; the adapters are apart), compiled for
#    Cortex-M4 with -Os, without heap mode and without error strings:
#    flash (.text + .rodata + .data) and RAM (.data + .bss) per module and
#    in all, and the heap references of each object (undefined malloc,
#    calloc, realloc, free: there must be none).  Every function counted.
# 2. A constrained client as it links: tests/bench/firmware.c (validate,
#    fixed map, merge, diff, zero-copy reader, writer) linked with
#    --gc-sections; what it keeps of each libattrs module, from the link
#    map.
# 3. The nanopb signal path: the generated descriptor tables of
#    livekit_rtc/livekit_models for Cortex-M4, and sizeof the structs a
#    client decodes into (SignalResponse, ParticipantInfo).
#
# Needs the Debian packages gcc-arm-none-eabi and libnewlib-arm-none-eabi
# (`tools/setup.sh --with-size` installs them).
# usage: tools/dev/size.sh [BUILD_DIR]   (objects go to BUILD_DIR/size, default build)
set -euo pipefail
case "${1:-}" in
  -h | --help)
    cat <<'USAGE'
usage: tools/dev/size.sh [BUILD_DIR]
       tools/dev/size.sh --help | -h
  Flash and RAM of libattrs on a Cortex-M4 (-Os -mthumb, no heap, no error
  strings): each core module, the constrained client tests/bench/firmware.c
  as it links, the nanopb signal path.  Objects go to BUILD_DIR/size
  (default build, relative to the root of the tree).  `make size` runs it.
  Environment: ARM_CC, ARM_SIZE, ARM_NM (default arm-none-eabi-gcc, -size,
  -nm; `tools/setup.sh --with-size` installs them).
  --help, -h    print this text
USAGE
    exit 0 ;;
  -*) echo "size.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/../.."

CC=${ARM_CC:-arm-none-eabi-gcc}
SIZE=${ARM_SIZE:-arm-none-eabi-size}
NM=${ARM_NM:-arm-none-eabi-nm}
out="${1:-build}/size"
if ! command -v "$CC" >/dev/null || ! command -v "$SIZE" >/dev/null; then
  echo "size.sh: $CC not found; install gcc-arm-none-eabi libnewlib-arm-none-eabi" >&2
  exit 2
fi

arch=(-Os -mthumb -mcpu=cortex-m4 -ffunction-sections -fdata-sections)
strict=(-std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes -Werror)
flags=("${strict[@]}" "${arch[@]}" -DLKATTRS_NO_MALLOC -DLKATTRS_NO_ERRMSG
       -Ilibattrs/include -Ilibattrs/src)

# Section sums of one object or ELF: text rodata data bss.
sections() {
  "$SIZE" -A "$1" | awk '
    $1 ~ /^\.text/ || $1 ~ /^\.init$/ || $1 ~ /^\.fini$/ {t += $2}
    $1 ~ /^\.rodata/ || $1 ~ /^\.ARM\.exidx/ {r += $2}
    $1 ~ /^\.data/ {d += $2}
    $1 ~ /^\.bss/ {b += $2}
    END {printf "%d %d %d %d\n", t, r, d, b}'
}

mkdir -p "$out/core" "$out/fw" "$out/npb"
echo "== libattrs core, every function (Cortex-M4, -Os -mthumb, LKATTRS_NO_MALLOC, LKATTRS_NO_ERRMSG)"
printf '%-26s %7s %7s %6s %6s %7s %6s  %s\n' module text rodata data bss flash RAM heap
tt=0 tr=0 td=0 tb=0 heap_total=0
for src in $(sed -n 's/^src[[:space:]]\{1,\}//p' libattrs/sources.list); do   # the one list of the core
  name=$(basename "$src" .c)
  "$CC" "${flags[@]}" -c "$src" -o "$out/core/$name.o"
  read -r t r d b < <(sections "$out/core/$name.o")
  heap=$("$NM" -u "$out/core/$name.o" | awk '$2 ~ /^(malloc|calloc|realloc|free)$/ {print $2}' | tr '\n' ' ')
  [[ -n $heap ]] && heap_total=$((heap_total + 1))
  tt=$((tt + t)) tr=$((tr + r)) td=$((td + d)) tb=$((tb + b))
  printf '%-26s %7d %7d %6d %6d %7d %6d  %s\n' "$name.c" "$t" "$r" "$d" "$b" \
    $((t + r + d)) $((d + b)) "${heap:-none}"
done
printf '%-26s %7d %7d %6d %6d %7d %6d  %s\n' "total" "$tt" "$tr" "$td" "$tb" \
  $((tt + tr + td)) $((td + tb)) "$([[ $heap_total == 0 ]] && echo none || echo "$heap_total objects")"
echo "libattrs core, Cortex-M4 -Os: $((tt + tr + td)) bytes flash, $((td + tb)) bytes RAM"
if [[ $heap_total != 0 ]]; then
  echo "size.sh: heap references in the core" >&2
  exit 1
fi

# What a linked client keeps of each libattrs module: the sizes of the input
# sections of the link map (after the "Linker script and memory map" line),
# summed per object file.
kept() { # map_file object_dir
  awk -v dir="$2/" '
    function hex(s,   i, c, v) {
      v = 0; s = tolower(s); sub(/^0x/, "", s)
      for (i = 1; i <= length(s); i++) {c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c}
      return v
    }
    /^Linker script and memory map/ {on = 1; next}
    !on {next}
    /^ \.(text|rodata|data|bss)[^ ]*$/ {pending = $1; next}
    {
      sec = ""; size = ""; obj = ""
      if (pending != "" && $1 ~ /^0x/) {sec = pending; size = $2; obj = $3}
      else if ($1 ~ /^\.(text|rodata|data|bss)/ && $2 ~ /^0x/ && NF >= 4) {sec = $1; size = $3; obj = $4}
      pending = ""
      if (sec == "" || index(obj, dir) != 1) next
      n = obj; sub(/.*\//, "", n); sub(/\.o$/, ".c", n)
      v = hex(size)
      if (sec ~ /^\.bss/) ram[n] += v
      else { flash[n] += v; if (sec ~ /^\.data/) ram[n] += v }
      seen[n] = 1
    }
    END {for (n in seen) printf "%s %d %d\n", n, flash[n], ram[n]}' "$1" | sort
}

firmware() { # dir extra-flags...
  local dir=$1
  shift
  local objs=()
  local m
  for m in rules/validate rules/text rules/names storage/map engine/engine merge/patch \
           wire/wire wire/prim base/errors base/base; do
    "$CC" "${flags[@]}" "$@" -c "libattrs/src/$m.c" -o "$dir/${m#*/}.o"
    objs+=("$dir/${m#*/}.o")
  done
  "$CC" "${flags[@]}" "$@" -c tests/bench/firmware.c -o "$dir/main.o"
  "$CC" "${arch[@]}" --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections \
    -Wl,-Map="$dir/firmware.map" "$dir/main.o" "${objs[@]}" -o "$dir/firmware.elf"
}

report_fw() { # dir label
  local dir=$1 label=$2 total=0 ram=0
  echo
  echo "== $label"
  printf '%-26s %7s %6s\n' module flash RAM
  while read -r n f r; do
    printf '%-26s %7d %6d\n' "$n" "$f" "$r"
    total=$((total + f)) ram=$((ram + r))
  done < <(kept "$dir/firmware.map" "$dir" | grep -v '^main\.c ')
  printf '%-26s %7d %6d\n' "libattrs kept" "$total" "$ram"
  read -r t r d b < <(sections "$dir/firmware.elf")
  echo "whole firmware image (main, libattrs, newlib memcpy/memcmp/..., startup): $((t + r + d)) bytes flash, $((d + b)) bytes RAM (map storage included)"
  echo "$label: libattrs $total bytes flash"
}

firmware "$out/fw"
report_fw "$out/fw" "client firmware (tests/bench/firmware.c), --gc-sections"

# The nanopb signal path.
echo
echo "== nanopb signal path (generated code of livekit_rtc and livekit_models, Cortex-M4 -Os)"
# The nanopb runtime headers (architecture-independent) without the rest of
# the host's /usr/include.
mkdir -p "$out/npb/include"
for h in pb.h pb_common.h pb_decode.h pb_encode.h; do
  src=$(echo '#include <'"$h"'>' | cc -M -E -x c - 2>/dev/null | tr ' \\' '\n\n' | grep "/$h\$" | head -1)
  [[ -n $src ]] && cp "$src" "$out/npb/include/$h"
done
npb=(-std=c11 -Wall -Wno-missing-braces -Werror "${arch[@]}" -I"$out/npb/include" -Igenerated/nanopb)
nt=0
printf '%-34s %7s\n' file flash
for f in livekit_rtc livekit_models; do
  "$CC" "${npb[@]}" -c "generated/nanopb/$f.pb.c" -o "$out/npb/$f.o"
  read -r t r d b < <(sections "$out/npb/$f.o")
  printf '%-34s %7d\n' "generated/nanopb/$f.pb.c" $((t + r + d))
  nt=$((nt + t + r + d))
done
echo "descriptor tables, every message of both files (a linked client keeps only those it reaches): $nt bytes"
cat >"$out/npb/structs.c" <<'EOF'
#include "livekit_rtc.pb.h"
livekit_SignalResponse lk_size_signal_response;
livekit_ParticipantInfo lk_size_participant_info;
livekit_SignalRequest lk_size_signal_request;
EOF
"$CC" "${npb[@]}" -fno-common -c "$out/npb/structs.c" -o "$out/npb/structs.o"
"$NM" -S "$out/npb/structs.o" | awk '
  function hex(s,   i, c, v) {
    v = 0; s = tolower(s)
    for (i = 1; i <= length(s); i++) {c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c}
    return v
  }
  /lk_size_/ {n = $4; sub(/lk_size_/, "", n); printf "static RAM for one %-20s %7d bytes\n", n ":", hex($2)}'
echo "(the nanopb runtime, pb_decode.c + pb_common.c, is not in Debian's packages as source for"
echo " Cortex-M4 and is not counted here; nanopb documents 2-10 KB depending on options)"
