#!/usr/bin/env bash
# packaging/distcheck.sh - prove the release tarball works on its own.
# usage: packaging/distcheck.sh TARBALL NAME WORK_DIR
#   Unpacks TARBALL into WORK_DIR (no git there), then in NAME/: make all,
#   make check, make install into a temporary prefix (no DESTDIR) and a
#   consumer built against it with pkg-config, make uninstall (nothing left),
#   make clean (the tree is exactly the tarball again).
set -euo pipefail
tarball=$(realpath "$1"); name=$2; work=$3
make=${MAKE:-make}
rm -rf "$work"; mkdir -p "$work"; work=$(cd "$work" && pwd)
tar -C "$work" -xzf "$tarball"
src=$work/$name
step() { echo "distcheck: == $*"; }
cd "$src"
(cd "$src" && find . -mindepth 1 | LC_ALL=C sort) >"$work/unpacked.txt"

step "make all"
$make -s all
step "make check"
$make check
prefix=$work/prefix
step "make install prefix=$prefix"
$make -s install prefix="$prefix" >/dev/null
out=$(cc -std=c11 $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags lkattrs lkproto lkproto-nanopb) \
  tests/consumers/consumer.c -o "$work/consumer" \
  $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --libs lkattrs lkproto lkproto-nanopb) &&
  LD_LIBRARY_PATH=$prefix/lib "$work/consumer")
echo "distcheck: installed consumer: $out"
step "make uninstall prefix=$prefix"
$make -s uninstall prefix="$prefix" >/dev/null
left=$(find "$prefix" \( -type f -o -type l \) 2>/dev/null)
[[ -z $left ]] || { echo "distcheck: left after uninstall:"; echo "$left"; exit 1; }
step "make clean"
$make -s clean >/dev/null
find . -mindepth 1 | LC_ALL=C sort >"$work/cleaned.txt"
diff -u "$work/unpacked.txt" "$work/cleaned.txt" || { echo "distcheck: make clean left a different tree"; exit 1; }
echo "distcheck: $(basename "$tarball") builds, passes make check, installs, uninstalls and cleans"
