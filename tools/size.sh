#!/usr/bin/env bash
# tools/size.sh - flash used by the libattrs core on a Cortex-M4.
#
# Compiles every core source (libattrs/src/*.c except adapter_*.c) for
# Cortex-M4 with -Os, without heap mode and without error strings, and
# prints text+rodata+data per file and in total (arm-none-eabi-size).  The
# total counts every function; a firmware linking with --gc-sections keeps
# only what it calls.
#
# Needs the Debian packages gcc-arm-none-eabi and libnewlib-arm-none-eabi
# (`tools/setup.sh --with-size` installs them).
# usage: tools/size.sh [BUILD_DIR]   (objects go to BUILD_DIR/size, default build)
set -euo pipefail
cd "$(dirname "$0")/.."

CC=${ARM_CC:-arm-none-eabi-gcc}
SIZE=${ARM_SIZE:-arm-none-eabi-size}
out="${1:-build}/size"
if ! command -v "$CC" >/dev/null || ! command -v "$SIZE" >/dev/null; then
  echo "size.sh: $CC not found; install gcc-arm-none-eabi libnewlib-arm-none-eabi" >&2
  exit 2
fi

flags=(-std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes -Werror
       -Os -mthumb -mcpu=cortex-m4 -DLKATTRS_NO_MALLOC -DLKATTRS_NO_ERRMSG
       -ffunction-sections -fdata-sections -Ilibattrs/include -Ilibattrs/src)

mkdir -p "$out"
total=0
printf '%-28s %8s %8s %8s\n' file text data flash
for src in libattrs/src/*.c; do
  name=$(basename "$src" .c)
  [[ $name == adapter_* ]] && continue
  "$CC" "${flags[@]}" -c "$src" -o "$out/$name.o"
  # Berkeley format: text (code + rodata), data, bss, ...
  read -r text data _ < <("$SIZE" -B "$out/$name.o" | awk 'NR == 2 {print $1, $2, $3}')
  flash=$((text + data))
  total=$((total + flash))
  printf '%-28s %8d %8d %8d\n' "$src" "$text" "$data" "$flash"
done
echo "libattrs core, Cortex-M4 -Os: $total bytes flash"
