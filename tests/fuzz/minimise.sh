#!/usr/bin/env bash
# tests/fuzz/minimise.sh BUILD MAX_BYTES TARGET... - rewrite each committed
# corpus tests/fuzz/corpus/TARGET as the smallest set of its files (of at most
# MAX_BYTES each) that keeps all of its coverage features (libFuzzer
# -merge=1 into an empty folder), and print the sizes before and after.
set -eu
build=$1 max=$2
shift 2
for t in "$@"; do
  corpus=tests/fuzz/corpus/$t
  [ -d "$corpus" ] || continue
  small=$build/minimise/$t-in fresh=$build/minimise/$t-out
  rm -rf "$small" "$fresh"
  mkdir -p "$small" "$fresh"
  find "$corpus" -type f -size -"$((max + 1))"c -exec cp {} "$small/" \;
  before=$(du -sb "$corpus" | cut -f1)
  "$build/fuzzbin/fuzz_$t" -merge=1 "$fresh" "$small" >"$build/minimise/$t.log" 2>&1
  rm -rf "$corpus"
  mkdir -p "$corpus"
  cp "$fresh"/* "$corpus/" 2>/dev/null || true
  printf '%-16s %8s -> %8s bytes, %5s files\n' "$t" "$before" "$(du -sb "$corpus" | cut -f1)" \
    "$(find "$corpus" -type f | wc -l)"
done
