#!/usr/bin/env bash
# tests/packaging/check-vendor.sh - a project that vendors a copy of this tree.
#
# usage: check-vendor.sh WORK_DIR   (run by `make check-vendor`; environment
#        from packaging.mk: MAKE CC VERSION)
#
# Copies the tree (what a git checkout or the release tarball holds, no
# build/) to WORK_DIR/lkproto, then builds and runs tests/consumers/consumer.c
#   1. from a Makefile that includes lkproto.mk (twice: the include guard),
#      and tests/consumers/lktoken.c from LKPROTO_LKTOKEN_SRC/_CFLAGS/_LIBS;
#   2. from a CMake project that add_subdirectory()s the copy (consumer.c and
#      lktoken.c with lkproto::lktoken), and again with LKPROTO_GENERATED_DIR
#      pointing at a nanopb-only regeneration (LKPROTO_GENERATORS=nanopb):
#      lkproto::protobuf-c is then left out with a message, not an error;
#   3. with one bare cc line (everything), and the libattrs core alone with a
#      bare line under the strict warnings, with gcc and clang.
# The copy is left untouched: nothing is written into it.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$1
make=${MAKE:-make}
cc=${CC:-cc}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
fails=0
ok() { echo "check-vendor: ok: $*"; }
bad() { echo "check-vendor: FAIL: $*"; fails=$((fails + 1)); }
run() { # label, program
  local out
  if out=$("$2") && [[ $out == "consumer: ok $VERSION" ]]; then ok "$1: $out"; else bad "$1: ${out:-no output}"; fi
}

copy=$work/lkproto
mkdir -p "$copy"
tar -C . --exclude=./build --exclude='./build-*' --exclude=./.git --exclude=node_modules -cf - . | tar -C "$copy" -xf -
chmod -R a-w "$copy"   # a vendored copy may be read-only: nothing may write into it
trap 'chmod -R u+w "$copy"' EXIT

# 1. The make fragment.
if $make --no-print-directory -s -j2 -C tests/consumers/vendor-make LKPROTO_DIR="$copy" O="$work/make" CC="$cc" \
     >"$work/make.log" 2>&1; then
  run "lkproto.mk vendored build" "$work/make/consumer"
else
  cat "$work/make.log"; bad "lkproto.mk vendored build failed"
fi
if $make --no-print-directory -s -j2 -C tests/consumers/vendor-make LKPROTO_DIR="$copy" O="$work/make" CC="$cc" \
     lktoken >"$work/make-lktoken.log" 2>&1; then
  run "lkproto.mk vendored liblktoken (LKPROTO_LKTOKEN_SRC)" "$work/make/lktoken-consumer"
else
  cat "$work/make-lktoken.log"; bad "lkproto.mk vendored liblktoken build failed"
fi

# 2. CMake add_subdirectory.
if cmake -S tests/consumers/vendor-cmake -B "$work/cmake" -DLKPROTO_SOURCE_DIR="$copy" \
     -DCMAKE_C_COMPILER="$cc" >"$work/cmake.log" 2>&1 &&
   cmake --build "$work/cmake" -j2 >>"$work/cmake.log" 2>&1; then
  run "CMake add_subdirectory build" "$work/cmake/consumer"
  run "CMake add_subdirectory build of lkproto::lktoken" "$work/cmake/lktoken-consumer"
else
  cat "$work/cmake.log"; bad "CMake add_subdirectory build failed"
fi

# 2b. CMake with a nanopb-only regeneration of the code.
if LKPROTO_GENERATORS=nanopb bash "$copy/tools/generate.sh" "$work/gen-nanopb" >"$work/gen-nanopb.log" 2>&1 &&
   [[ -d $work/gen-nanopb/nanopb && ! -e $work/gen-nanopb/protobuf-c ]]; then
  if cmake -S tests/consumers/vendor-cmake -B "$work/cmake-nanopb" -DLKPROTO_SOURCE_DIR="$copy" \
       -DLKPROTO_GENERATED_DIR="$work/gen-nanopb" -DCONSUMER_NANOPB_ONLY=ON \
       -DCMAKE_C_COMPILER="$cc" >"$work/cmake-nanopb.log" 2>&1 &&
     cmake --build "$work/cmake-nanopb" -j2 >>"$work/cmake-nanopb.log" 2>&1; then
    if grep -q "lkproto: no protobuf-c code in" "$work/cmake-nanopb.log"; then
      run "CMake add_subdirectory, nanopb-only LKPROTO_GENERATED_DIR (protobuf-c skipped with a message)" \
        "$work/cmake-nanopb/consumer"
    else
      bad "CMake with a nanopb-only LKPROTO_GENERATED_DIR said nothing about the missing protobuf-c code"
    fi
  else
    cat "$work/cmake-nanopb.log"; bad "CMake add_subdirectory with a nanopb-only LKPROTO_GENERATED_DIR failed"
  fi
else
  cat "$work/gen-nanopb.log"; bad "LKPROTO_GENERATORS=nanopb tools/generate.sh failed"
fi

# 3. Bare cc lines, as the README shows them.
(
  cd "$work"
  L=lkproto
  ln -sfn "$copy" "$L" 2>/dev/null || true
  "$cc" -std=c11 -O2 -I$L/libattrs/include -I$L/generated/protobuf-c -I$L/generated/nanopb \
    "$OLDPWD/tests/consumers/consumer.c" $L/libattrs/src/*/*.c $L/libattrs/adapters/*.c \
    $(find $L/generated/ -name '*.c') \
    -lprotobuf-c -lprotobuf-nanopb -o bare
) >"$work/bare.log" 2>&1 && run "bare cc line (libattrs + both generated codes)" "$work/bare" ||
  { cat "$work/bare.log"; bad "bare cc line failed"; }

core=$(ls "$copy"/libattrs/src/*/*.c)
for c in gcc clang; do
  if "$c" -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes -Werror -O2 \
       -I"$copy/libattrs/include" -DNO_PROTOBUF_C -DNO_NANOPB tests/consumers/consumer.c $core \
       -o "$work/core-$c" >"$work/core-$c.log" 2>&1; then
    run "bare $c line, libattrs core alone, strict warnings" "$work/core-$c"
  else
    cat "$work/core-$c.log"; bad "bare $c line (libattrs core) failed"
  fi
done

((fails == 0)) || { echo "check-vendor: $fails failed"; exit 1; }
echo "check-vendor: all passed"
