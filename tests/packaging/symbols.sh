#!/usr/bin/env bash
# tests/packaging/symbols.sh - the exported symbols of our shared libraries.
#
# usage: symbols.sh list LIB.so.N            print "NAME TYPE" per exported symbol
#        symbols.sh check ABI_DIR LIB.so.N...  compare with ABI_DIR/LIB.so.N.symbols
#
# check fails, with a diff, when a library exports anything else than its
# committed list (added or removed names, a function turned into data), or a
# name outside our prefixes: lkattrs_ / lktoken_ / lkjson_ for the hand-written
# libraries, livekit__ / google__ / logger__ for the generated code.  It also
# fails when a public lkattrs_ (lktoken_) function declared in a header is not
# exported by liblkattrs.so (liblktoken.so).
# After a deliberate change: `make update-symbols` and review the diff.
set -euo pipefail

list() { # lib: defined dynamic symbols, without versions, sorted
  nm -D --defined-only --format=posix "$1" | awk '{sub(/@.*/, "", $1); print $1, $2}' | LC_ALL=C sort -u
}

prefixes() { # lib basename -> allowed-name regex
  case "$1" in
    liblkproto.so.*) echo '^(livekit__|google__|logger__)' ;;
    liblktoken.so.*) echo '^lktoken_' ;;
    liblkjson.so.*) echo '^lkjson_[a-z]' ;;
    *) echo '^lkattrs_' ;;
  esac
}

case "${1:-}" in
  list) list "$2" ;;
  selftest) # ABI_DIR LIB: the check must fail on a list with one symbol less and one more
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    name=$(basename "$3")
    sed '1d' "$2/$name.symbols" >"$tmp/$name.symbols"; echo "lkattrs_zz_not_there T" >>"$tmp/$name.symbols"
    if bash "$0" check "$tmp" "$3" >"$tmp/out" 2>&1; then
      echo "check-symbols: FAIL: the check accepted a tampered list"; exit 1
    fi
    grep -q '^+'"$(sed -n 1p "$2/$name.symbols")" "$tmp/out" && grep -q '^-lkattrs_zz_not_there' "$tmp/out" ||
      { cat "$tmp/out"; echo "check-symbols: FAIL: the diff does not name the tampered symbols"; exit 1; }
    echo "check-symbols: ok: a tampered list of $name is refused, with both names in the diff" ;;
  check)
    dir=$2; shift 2
    status=0
    for so in "$@"; do
      name=$(basename "$so")
      want=$dir/$name.symbols
      got=$(list "$so")
      bad=$(awk '{print $1}' <<<"$got" | grep -Ev "$(prefixes "$name")" || true)
      if [[ -n $bad ]]; then
        echo "check-symbols: $name exports names outside its prefixes:"; sed 's/^/  /' <<<"$bad"
        status=1
      fi
      if [[ ! -f $want ]]; then
        echo "check-symbols: $want is missing; run 'make update-symbols' and commit it"; status=1
      elif ! diff -u --label "$want (committed)" --label "$name (built)" "$want" - <<<"$got"; then
        if diff "$want" - <<<"$got" | grep -q '^<'; then
          echo "check-symbols: $name: symbols REMOVED or changed (- lines): that breaks the ABI."
          echo "  Either restore them, or bump the ABI major (LKATTRS_ABI_MAJOR in"
          echo "  libattrs/include/lkattrs/version.h; LKPROTO_ABI_MAJOR in the Makefile)."
        else
          echo "check-symbols: $name: symbols added (+ lines): a compatible change."
        fi
        echo "  Run 'make update-symbols', review the diff of packaging/abi/ and commit it."
        status=1
      else
        echo "check-symbols: $name: $(wc -l <<<"$got") symbols, as committed"
      fi
      # Every function a public header of libattrs declares is exported.
      if [[ $name == liblkattrs.so.* ]]; then
        root=$(cd "$(dirname "$0")/../.." && pwd)
        declared=$(cat "$root"/libattrs/include/lkattrs/*.h | tr '\n' ' ' |
          { grep -oE 'LKATTRS_API[^;{]*[ *](lkattrs_[a-z0-9_]+)[[:space:]]*\(' || true; } |
          { grep -oE 'lkattrs_[a-z0-9_]+[[:space:]]*\($' || true; } | tr -d '( ' | LC_ALL=C sort -u)
        core_missing=$(comm -23 <(echo "$declared") <(awk '{print $1}' <<<"$got" | LC_ALL=C sort -u) || true)
        # Adapter headers declare functions of the adapter libraries.
        adapters=$(grep -lE '^#include.*(\.pb-c\.h|\.pb\.h|<pb)' "$root"/libattrs/include/lkattrs/*.h 2>/dev/null || true)
        if [[ -n $adapters ]]; then
          adapter_fns=$(cat $adapters | tr '\n' ' ' | { grep -oE 'lkattrs_[a-z0-9_]+[[:space:]]*\(' || true; } | tr -d '( ' | sort -u)
          core_missing=$(comm -23 <(echo "$core_missing") <(echo "$adapter_fns"))
        fi
        if [[ -n $core_missing ]]; then
          echo "check-symbols: declared LKATTRS_API in libattrs/include but not exported by $name:"
          sed 's/^/  /' <<<"$core_missing"; status=1
        fi
      fi
      # Every function the public header of liblktoken declares is exported.
      if [[ $name == liblktoken.so.* ]]; then
        root=$(cd "$(dirname "$0")/../.." && pwd)
        declared=$(cat "$root"/libtoken/include/lktoken/*.h | tr '\n' ' ' |
          { grep -oE 'LKTOKEN_API[^;{]*[ *](lktoken_[a-z0-9_]+)[[:space:]]*\(' || true; } |
          { grep -oE 'lktoken_[a-z0-9_]+[[:space:]]*\($' || true; } | tr -d '( ' | LC_ALL=C sort -u)
        missing=$(comm -23 <(echo "$declared") <(awk '{print $1}' <<<"$got" | LC_ALL=C sort -u) || true)
        if [[ -z $declared ]]; then
          echo "check-symbols: no LKTOKEN_API function found in libtoken/include/lktoken/"; status=1
        elif [[ -n $missing ]]; then
          echo "check-symbols: declared LKTOKEN_API in libtoken/include but not exported by $name:"
          sed 's/^/  /' <<<"$missing"; status=1
        fi
      fi
      # Every function the public header of liblkjson declares is exported.
      if [[ $name == liblkjson.so.* ]]; then
        root=$(cd "$(dirname "$0")/../.." && pwd)
        declared=$(cat "$root"/libjson/include/lkjson/*.h | tr '\n' ' ' |
          { grep -oE 'LKJSON_API[^;{]*[ *](lkjson_[a-z0-9_]+)[[:space:]]*\(' || true; } |
          { grep -oE 'lkjson_[a-z0-9_]+[[:space:]]*\($' || true; } | tr -d '( ' | LC_ALL=C sort -u)
        missing=$(comm -23 <(echo "$declared") <(awk '{print $1}' <<<"$got" | LC_ALL=C sort -u) || true)
        if [[ -z $declared ]]; then
          echo "check-symbols: no LKJSON_API function found in libjson/include/lkjson/"; status=1
        elif [[ -n $missing ]]; then
          echo "check-symbols: declared LKJSON_API in libjson/include but not exported by $name:"
          sed 's/^/  /' <<<"$missing"; status=1
        fi
      fi
    done
    exit $status ;;
  *) echo "usage: symbols.sh list LIB | check ABI_DIR LIB..." >&2; exit 2 ;;
esac
