#!/usr/bin/env bash
# tests/packaging/check-deb.sh - the Debian packages install and remove cleanly.
#
# usage: check-deb.sh DEB_DIR WORK_DIR   (run by `make check-deb`, as root: it
#        installs into /usr with dpkg and removes again; environment from
#        packaging.mk: VERSION)
#
#   1. dpkg -i every package of DEB_DIR (none of them may be installed before);
#   2. a consumer built with plain `pkg-config --cflags --libs` and one with
#      CMake find_package(lkproto), no paths given, run against /usr;
#      `lkproto --version` and `man lkproto` from the tools package;
#   3. dpkg --purge every package: none of their files is left, nor
#      /usr/include/lkproto, nor the CMake folder; ldconfig forgets the libraries.
set -euo pipefail
cd "$(dirname "$0")/../.."
debs=$1 work=$2
[[ $(id -u) -eq 0 ]] || { echo "check-deb: needs root (dpkg -i / dpkg --purge)"; exit 1; }
rm -rf "$work"; mkdir -p "$work"; work=$(cd "$work" && pwd)
fails=0
ok() { echo "check-deb: ok: $*"; }
bad() { echo "check-deb: FAIL: $*"; fails=$((fails + 1)); }

files=("$debs"/*.deb)
pkgs=()
for d in "${files[@]}"; do pkgs+=("$(dpkg-deb -f "$d" Package)"); done
for p in "${pkgs[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok'; then
    echo "check-deb: $p is already installed on this machine; remove it first"; exit 1
  fi
done
[[ ! -e /usr/include/lkproto ]] || { echo "check-deb: /usr/include/lkproto exists (a make install into /usr?)"; exit 1; }

# 1. install
dpkg -i "${files[@]}" >"$work/dpkg-i.log" 2>&1 || { cat "$work/dpkg-i.log"; bad "dpkg -i failed"; }
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" | grep -q 'install ok installed' && ok "installed $p $(dpkg-query -W -f='${Version}' "$p")" ||
    bad "$p not installed"
done
# The packages do not overlap and hold everything the staged install has.
dpkg -L "${pkgs[@]}" | while read -r f; do if [[ ! -d $f || -L $f ]]; then echo "$f"; fi; done |
  sort >"$work/owned.txt"
ok "$(wc -l <"$work/owned.txt") files owned by ${pkgs[*]}"

# 2. consumers against /usr
if cc -std=c11 -Wall -Werror $(pkg-config --cflags lkattrs lkproto lkproto-nanopb) tests/consumers/consumer.c \
     -o "$work/pc-consumer" $(pkg-config --libs lkattrs lkproto lkproto-nanopb) 2>"$work/pc.log" &&
   out=$("$work/pc-consumer") && [[ $out == "consumer: ok $VERSION" ]]; then
  ok "pkg-config consumer against /usr: $out"
else
  cat "$work/pc.log"; bad "pkg-config consumer against /usr"
fi
if cmake -S tests/consumers/cmake -B "$work/cmake" -DLKPROTO_WANT_VERSION="$VERSION" >"$work/cmake.log" 2>&1 &&
   cmake --build "$work/cmake" >>"$work/cmake.log" 2>&1 && out=$("$work/cmake/consumer") &&
   [[ $out == "consumer: ok $VERSION" ]]; then
  ok "CMake find_package consumer against /usr: $out"
else
  cat "$work/cmake.log"; bad "CMake find_package consumer against /usr"
fi
if [[ " ${pkgs[*]} " == *" lkproto-tools "* ]]; then
  v=$(lkproto --version 2>&1 || true)
  [[ $v == *"$VERSION"* ]] && ok "/usr/bin/lkproto --version: $v" || bad "lkproto --version: '$v'"
  man -w lkproto >/dev/null 2>&1 && ok "man lkproto: $(man -w lkproto)" || bad "man lkproto"
fi

# 3. remove
dpkg --purge "${pkgs[@]}" >"$work/dpkg-r.log" 2>&1 || { cat "$work/dpkg-r.log"; bad "dpkg --purge failed"; }
left=$(while read -r f; do if [[ -e $f || -L $f ]]; then echo "$f"; fi; done <"$work/owned.txt")
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for d in /usr/include/lkproto "/usr/lib/$triplet/cmake/lkproto"; do if [[ -e $d ]]; then left+=" $d"; fi; done
if ldconfig -p | grep -q 'liblkattrs\|liblkproto\|liblktoken'; then left+=" (ldconfig still lists our libraries)"; fi
[[ -z $left ]] && ok "dpkg --purge removed everything" || bad "left after dpkg --purge: $left"

((fails == 0)) || { echo "check-deb: $fails failed"; exit 1; }
echo "check-deb: all passed"
