#!/usr/bin/env bash
# tests/packaging/check-consumers.sh - a consumer for every installed library,
# four ways: pkg-config, CMake find_package (shared and static),
# add_subdirectory, and the make fragment lkproto.mk.  Each one links and runs.
#
# usage: check-consumers.sh WORK_DIR   (run by `make check-consumers`;
#        environment from packaging.mk, as for check-install and check-vendor)
#
# Runs check-install.sh (one staged install: its pkg-config and CMake
# consumers) and check-vendor.sh (a copy of the tree: add_subdirectory and
# lkproto.mk consumers); each builds and runs its consumers and fails on any
# that does not link, run or print "consumer: ok VERSION".  Then it checks
# coverage: for every library the install manifest installs (lib/lib*.a),
# each way has a consumer program that uses it, seen by a function of that
# library in the program (defined in it when linked statically, imported when
# linked to the shared library).  A library this script knows no function of
# fails: name one in `uses` below.
set -uo pipefail
cd "$(dirname "$0")/../.."
work=$1
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
fails=0 passed=0
ok() { echo "check-consumers: ok: $*"; passed=$((passed + 1)); }
bad() { echo "check-consumers: FAIL: $*"; fails=$((fails + 1)); }

for t in install vendor; do
  if bash "tests/packaging/check-$t.sh" "$work/$t" >"$work/$t.log" 2>&1; then
    ok "check-$t: $(grep -c ': ok: ' "$work/$t.log") checks passed ($(tail -1 "$work/$t.log"))"
  else
    grep -E 'FAIL|error' "$work/$t.log" | head -20; bad "check-$t failed (log: $work/$t.log)"
  fi
done

# A function each library defines, called by its consumer programs.
declare -A uses=(
  [liblkattrs]=lkattrs_version_string
  [liblkattrs-protobufc]=lkattrs_pbc_participant_info_set
  [liblkattrs-nanopb]=lkattrs_npb_reader_init
  [liblkproto]=livekit__participant_info__pack
  [liblkproto-nanopb]=livekit_ParticipantInfo_msg
  [liblktoken]=lktoken_mint
  [liblkjson]=lkjson_from_json
)
# way | folders (globs) of its consumer programs
ways=(
  "pkg-config|$work/install/pkg-config"
  "CMake find_package, shared|$work/install/cmake-shared $work/install/cmake-*-shared"
  "CMake find_package, static|$work/install/cmake-static $work/install/cmake-*-static"
  "CMake add_subdirectory|$work/vendor/cmake"
  "lkproto.mk|$work/vendor/make"
)
libs=$(sed -n 's|^/usr/local/lib/\(lib[^/]*\)\.a$|\1|p' "${INSTALL_MANIFEST:-packaging/abi/install-manifest.txt}" | sort)
[[ -n $libs ]] || bad "no library in ${INSTALL_MANIFEST:-packaging/abi/install-manifest.txt}"
for w in "${ways[@]}"; do
  IFS='|' read -r way dirs <<<"$w"
  # The symbols of every program of this way (defined and imported).
  # shellcheck disable=SC2086  # the globs
  progs=$(find $dirs -maxdepth 1 -type f -executable 2>/dev/null | sort)
  syms=$(for p in $progs; do nm "$p" 2>/dev/null; nm -D "$p" 2>/dev/null; done | awk '{print $NF}' | sort -u)
  missing=()
  for lib in $libs; do
    sym=${uses[$lib]:-}
    if [[ -z $sym ]]; then
      missing+=("$lib (no function of it known to check-consumers.sh)")
    elif ! grep -qxF "$sym" <<<"$syms"; then
      missing+=("$lib")
    fi
  done
  if ((${#missing[@]})); then
    bad "$way: no consumer of ${missing[*]} (programs: $(echo $progs | sed "s|$work/||g"))"
  else
    ok "$way: a consumer of each of $(echo $libs) ($(wc -w <<<"$progs") programs)"
  fi
done

echo "check-consumers: $passed passed, $fails failed"
((fails == 0))
