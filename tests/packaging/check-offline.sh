#!/usr/bin/env bash
# tests/packaging/check-offline.sh - building and installing have no side
# effects: `make all` and `make install DESTDIR=...` install no system or npm
# package and need no network.
#
# usage: check-offline.sh WORK_DIR   (run by `make check-offline`; MAKE from
#        the environment)
#
# Builds into a fresh BUILD folder with the network cut (unshare -n; when
# this machine refuses it, unshare -rn), and with apt-get, apt, dpkg-query,
# npm, npx, node, sudo, curl and wget replaced by scripts that fail loudly
# and leave a trace: any call of one of them (tools/setup.sh calls them) fails
# the check, as does a setup stamp in the build folder.  Then `make generate`
# and `make nanopb-sizes` the same way, in a copy of the tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$1
make=${MAKE:-make}
rm -rf "$work"
mkdir -p "$work/fake-bin"
work=$(cd "$work" && pwd)
fails=0
ok() { echo "check-offline: ok: $*"; }
bad() { echo "check-offline: FAIL: $*"; fails=$((fails + 1)); }

for tool in apt-get apt dpkg-query npm npx node sudo curl wget; do
  cat >"$work/fake-bin/$tool" <<FAKE
#!/bin/sh
echo "check-offline: $tool \$* was called by the build" >>"$work/invoked.log"
echo "check-offline: $tool must not be called by make all / make install" >&2
exit 97
FAKE
  chmod +x "$work/fake-bin/$tool"
done

netns=()
if unshare -n true 2>/dev/null; then
  netns=(unshare -n)
elif unshare -rn true 2>/dev/null; then
  netns=(unshare -rn)
else
  echo "check-offline: note: unshare refused here; the network stays, the fake tools still prove no install"
fi

run() { # log name, make arguments...
  local log=$1; shift
  if "${netns[@]}" env PATH="$work/fake-bin:$PATH" $make --no-print-directory -s "$@" >"$work/$log" 2>&1; then
    return 0
  else
    tail -20 "$work/$log"; return 1
  fi
}

build=$work/build
if run all.log all BUILD="$build"; then
  ok "make all BUILD=$build (${netns[*]:-no unshare}, fake apt-get/npm/sudo first in PATH)"
else
  bad "make all failed offline"
fi
if run install.log install BUILD="$build" DESTDIR="$work/stage" prefix=/usr/local; then
  ok "make install DESTDIR=$work/stage ($(find "$work/stage" -type f | wc -l) files)"
else
  bad "make install failed offline"
fi
if [[ -s $work/invoked.log ]]; then
  bad "the build called installers:"; sed 's/^/    /' "$work/invoked.log"
else
  ok "no apt-get, dpkg-query, npm, node, sudo, curl or wget was called"
fi
if [[ -e $build/.setup-done ]] || grep -q '^setup:' "$work/all.log" "$work/install.log"; then
  bad "tools/setup.sh ran during make all / make install"
else
  ok "tools/setup.sh did not run"
fi
[[ -f $work/stage/usr/local/lib/liblkattrs.a ]] && ok "the staged install has liblkattrs.a" || bad "liblkattrs.a not installed"

# Regenerating has no side effects either: `make generate` and `make
# nanopb-sizes`, in a copy of the tree (they rewrite generated/ and
# docs/nanopb-sizes.md), check their programs instead of running setup.
copy=$work/tree
mkdir -p "$copy"
tar -C . --exclude=./build --exclude='./build-*' --exclude=./.git --exclude=node_modules -cf - . | tar -C "$copy" -xf -
: >"$work/invoked.log"
if run generate.log -C "$copy" generate nanopb-sizes BUILD="$work/gen-build"; then
  ok "make generate nanopb-sizes offline, in a copy of the tree"
else
  bad "make generate nanopb-sizes failed offline"
fi
if [[ -s $work/invoked.log || -e $work/gen-build/.setup-done ]] || grep -q '^setup:' "$work/generate.log"; then
  bad "make generate / nanopb-sizes called installers or ran setup:"; sed 's/^/    /' "$work/invoked.log"
else
  ok "make generate / nanopb-sizes called no installer and did not run setup"
fi
diff -r generated "$copy/generated" >/dev/null && ok "the copy's generated/ is still generated/ byte for byte" ||
  bad "make generate in the copy wrote something else than generated/"
if env PATH="$work/fake-bin:$PATH" PROTOC="$work/no-such-protoc" $make --no-print-directory -s -C "$copy" generate \
     BUILD="$work/gen-build" >"$work/nogen.log" 2>&1; then
  bad "make generate succeeded without protoc"
elif grep -q "make setup" "$work/nogen.log" && [[ ! -s $work/invoked.log ]]; then
  ok "a missing generator: make generate fails naming 'make setup' ($(grep -m1 'missing' "$work/nogen.log"))"
else
  bad "a missing generator: no message naming 'make setup'"; tail -5 "$work/nogen.log"
fi

# A missing dependency: a clear message naming `make setup`, not an install.
if env PATH="$work/fake-bin:$PATH" $make --no-print-directory -s all BUILD="$work/nodeps" \
     CC="cc --sysroot=$work/no-such-root" >"$work/nodeps.log" 2>&1; then
  bad "make all succeeded with no headers"
elif grep -q "make setup" "$work/nodeps.log" && [[ ! -s $work/invoked.log ]]; then
  ok "missing headers: make fails naming 'make setup' ($(grep -m1 'missing' "$work/nodeps.log"))"
else
  bad "missing headers: no message naming 'make setup'"; tail -5 "$work/nodeps.log"
fi

if ((fails)); then
  echo "check-offline: $fails failure(s)"; exit 1
fi
echo "check-offline: all passed"
