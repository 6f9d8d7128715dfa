#!/usr/bin/env bash
# tests/packaging/check-vendor.sh - a project that vendors a copy of this tree.
#
# usage: check-vendor.sh WORK_DIR   (run by `make check-vendor`; environment
#        from packaging.mk: MAKE CC VERSION)
#
# Copies the tree (what a git checkout or the release tarball holds, no
# build/) to WORK_DIR/lkproto, then builds and runs tests/consumers/consumer.c
#   1. from a Makefile that includes lkproto.mk (twice: the include guard),
#      tests/consumers/lktoken.c from LKPROTO_LKTOKEN_SRC/_CFLAGS/_LIBS and
#      tests/consumers/lkjson.c from LKPROTO_LKJSON_SRC/_GEN_TYPES;
#   2. from a CMake project that add_subdirectory()s the copy (consumer.c and
#      lktoken.c with lkproto::lktoken, lkjson.c with lkproto::lkjson), and again with LKPROTO_GENERATED_DIR
#      pointing at a nanopb-only regeneration (LKPROTO_GENERATORS=nanopb):
#      lkproto::protobuf-c is then left out with a message, not an error;
#   3. with the README's bare cc lines word for word (libattrs alone, and
#      everything; the sources named by libattrs/sources.list), and the libattrs
#      core alone with a bare line under the strict warnings, with gcc and clang.
# The copy is left untouched: nothing is written into it.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$1
make=${MAKE:-make}
cc=${CC:-cc}
export CC_BARE=$cc
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
if $make --no-print-directory -s -j2 -C tests/consumers/vendor-make LKPROTO_DIR="$copy" O="$work/make" CC="$cc" \
     lkjson >"$work/make-lkjson.log" 2>&1; then
  run "lkproto.mk vendored liblkjson (LKPROTO_LKJSON_SRC, _GEN_TYPES)" "$work/make/lkjson-consumer"
else
  cat "$work/make-lkjson.log"; bad "lkproto.mk vendored liblkjson build failed"
fi
if $make --no-print-directory -s -j2 -C tests/consumers/vendor-make LKPROTO_DIR="$copy" O="$work/make" CC="$cc" \
     adapters >"$work/make-adapters.log" 2>&1; then
  run "lkproto.mk vendored adapters (LKPROTO_LKATTRS_PROTOBUFC_SRC, _NANOPB_SRC)" "$work/make/adapters-consumer"
else
  cat "$work/make-adapters.log"; bad "lkproto.mk vendored adapters build failed"
fi

# 2. CMake add_subdirectory.
if cmake -S tests/consumers/vendor-cmake -B "$work/cmake" -DLKPROTO_SOURCE_DIR="$copy" \
     -DCMAKE_C_COMPILER="$cc" >"$work/cmake.log" 2>&1 &&
   cmake --build "$work/cmake" -j2 >>"$work/cmake.log" 2>&1; then
  run "CMake add_subdirectory build" "$work/cmake/consumer"
  run "CMake add_subdirectory build of lkproto::lktoken" "$work/cmake/lktoken-consumer"
  run "CMake add_subdirectory build of lkproto::lkjson" "$work/cmake/lkjson-consumer"
  run "CMake add_subdirectory build of lkproto::lkattrs-protobufc and -nanopb" "$work/cmake/adapters-consumer"
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
      run "CMake add_subdirectory, nanopb-only: lkproto::lkattrs-nanopb" "$work/cmake-nanopb/adapters-consumer"
    else
      bad "CMake with a nanopb-only LKPROTO_GENERATED_DIR said nothing about the missing protobuf-c code"
    fi
  else
    cat "$work/cmake-nanopb.log"; bad "CMake add_subdirectory with a nanopb-only LKPROTO_GENERATED_DIR failed"
  fi
else
  cat "$work/gen-nanopb.log"; bad "LKPROTO_GENERATORS=nanopb tools/generate.sh failed"
fi

# 3. Bare cc lines: the README's block ("Or no build system at all"), word for
#    word, from a project with the copy as third_party/lkproto and
#    tests/consumers/consumer.c as its app.c; cc is $CC with an output name
#    (and, for the first line, libattrs alone, the consumer's switches that
#    leave the generated code out).
bare=$work/bare
mkdir -p "$bare/third_party"
ln -s "$copy" "$bare/third_party/lkproto"
cp tests/consumers/consumer.c "$bare/app.c"
readme_bare=$(awk '/^Or no build system at all/ {s = 1} s && /^```sh/ {c = 1; next} c && /^```/ {exit} c {print}' README.md)
grep -q 'sources.list' <<<"$readme_bare" && ! grep -q 'src/\*\|adapters/\*' <<<"$readme_bare" &&
  ok "the README's bare cc lines read the sources from sources.list (no globs)" ||
  bad "the README's bare cc lines: $readme_bare"
if (cd "$bare" && n=0 && cc() {
      n=$((n + 1))
      if ((n == 1)); then command $CC_BARE "$@" -DNO_PROTOBUF_C -DNO_NANOPB -o alone
      else command $CC_BARE "$@" -o everything; fi
    } && eval "$readme_bare" && ((n == 2))) >"$work/bare.log" 2>&1; then
  run "the README's bare cc line, libattrs alone" "$bare/alone"
  run "the README's bare cc line, everything" "$bare/everything"
else
  cat "$work/bare.log"; bad "the README's bare cc lines failed"
fi

core=$(sed -n "s|^src  *|$copy/|p" "$copy/libattrs/sources.list")
for c in gcc clang; do
  if "$c" -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes -Werror -O2 \
       -I"$copy/libattrs/include" -DNO_PROTOBUF_C -DNO_NANOPB tests/consumers/consumer.c $core \
       -o "$work/core-$c" >"$work/core-$c.log" 2>&1; then
    run "bare $c line, libattrs core alone (libattrs/sources.list), strict warnings" "$work/core-$c"
  else
    cat "$work/core-$c.log"; bad "bare $c line (libattrs core) failed"
  fi
done

((fails == 0)) || { echo "check-vendor: $fails failed"; exit 1; }
echo "check-vendor: all passed"
