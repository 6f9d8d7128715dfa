#!/usr/bin/env bash
# tests/packaging/check-depend.sh - header dependencies come from the
# compiler (-MMD -MP): touching a header rebuilds exactly the objects that
# include it, and nothing else.
#
# usage: check-depend.sh WORK_DIR   (run by `make check-depend`; MAKE from
#        the environment)
#
# Builds `make all` into a fresh BUILD folder, then for a libattrs private
# header, a public header and a generated header in turn: touches it, runs
# `make all` again and compares the objects rebuilt (their modification
# times) with those whose dependency file names the header, with one object
# known to include it and one known not to; then the same for headers of the
# test programs (hostile, fuzz harnesses).  A last `make all` must rebuild
# nothing.  Each header gets its modification time back afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$1
make=${MAKE:-make}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
build=$work/build
obj=$build/obj
fails=0
ok() { echo "check-depend: ok: $*"; }
bad() { echo "check-depend: FAIL: $*"; fails=$((fails + 1)); }

# header | an object that includes it | an object that does not
cases=(
  "libattrs/src/wire/prim.h|libattrs/src/wire/wire.o|libattrs/src/base/base.o"
  "libattrs/include/lkattrs/privacy.h|tools/lkproto/attrs.o|libattrs/src/wire/wire.o"
  "generated/protobuf-c/livekit_models.pb-c.h|generated/protobuf-c/livekit_rtc.pb-c.o|generated/protobuf-c/livekit_metrics.pb-c.o"
)

$make --no-print-directory -s all BUILD="$build" >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
ok "make all BUILD=$build ($(find "$obj" -name '*.o' | wc -l) objects)"

snapshot() { (cd "$obj" && find . -name '*.o' -printf '%P %T@\n' | LC_ALL=C sort); }
restore=()
trap 'for r in "${restore[@]}"; do touch -r "$work/mtime.${r//\//_}" "$r"; done' EXIT

for c in "${cases[@]}"; do
  IFS='|' read -r header includer other <<<"$c"
  [[ -f $header && -f $obj/$includer && -f $obj/$other ]] || { bad "$header: a file of the case is missing"; continue; }
  touch -r "$header" "$work/mtime.${header//\//_}"
  restore+=("$header")
  snapshot >"$work/before"
  sleep 0.05
  touch "$header"
  $make --no-print-directory -s all BUILD="$build" >"$work/rebuild.log" 2>&1 || { bad "$header: make all failed"; tail -10 "$work/rebuild.log"; continue; }
  snapshot >"$work/after"
  LC_ALL=C join "$work/before" "$work/after" | awk '$2 != $3 {print $1}' >"$work/rebuilt"
  # The objects whose dependency file (written by the compiler) names the
  # header, its paths made canonical (an include of "../wire/prim.h" is
  # written libattrs/src/state/../wire/prim.h).
  (cd "$obj" && find . -name '*.o.d' -printf '%P\n') | while read -r d; do
    sed 's/\\$//; s/^[^ ]*: *//; s/:$//' "$obj/$d" | tr ' ' '\n' | grep -v '^$' |
      xargs realpath -ms --relative-to="$PWD" >"$work/deps"
    if grep -qxF "$header" "$work/deps"; then echo "${d%.d}"; fi
  done | LC_ALL=C sort -u >"$work/expected"
  n=$(wc -l <"$work/rebuilt")
  if ! grep -qx "$includer" "$work/expected"; then
    bad "$header: no dependency file of $includer names it (is -MMD on its compile rule?)"
  elif diff -u --label "includes $header" --label "rebuilt" "$work/expected" "$work/rebuilt" >"$work/diff"; then
    ok "touch $header: rebuilt exactly the $n objects that include it"
  else
    bad "touch $header: rebuilt objects differ from those that include it:"; head -20 "$work/diff"
  fi
  grep -qx "$includer" "$work/rebuilt" && ok "  $includer rebuilt" || bad "  $includer not rebuilt"
  grep -qx "$other" "$work/rebuilt" && bad "  $other rebuilt (it does not include $header)" || ok "  $other not rebuilt"
done

# The test programs (hostile, fuzz harnesses) too: a header of the tests
# rebuilds the programs that include it and not the others.
# header | programs built (under BUILD) that include it | that do not | make variables
# (the fuzz harnesses are clang's)
progs=(
  "tests/hostile/hostile_util.h|tests/hostile|tests/alloc_adapters|"
  "tests/fuzz/ref_text.h|fuzzbin/fuzz_text.o fuzzbin/fuzz_validate.o|fuzzbin/fuzz_merge.o|CC=clang"
)
for c in "${progs[@]}"; do
  IFS='|' read -r header includers others vars <<<"$c"
  targets=$(printf "$build/%s " $includers $others)
  $make --no-print-directory -s $targets BUILD="$build" $vars >"$work/progs.log" 2>&1 ||
    { bad "$header: building $includers $others failed"; tail -10 "$work/progs.log"; continue; }
  touch -r "$header" "$work/mtime.${header//\//_}"
  restore+=("$header")
  stamp() { for f in $includers $others; do echo "$f $(find "$build/$f" -printf '%T@')"; done; }
  stamp >"$work/before"
  sleep 0.05
  touch "$header"
  $make --no-print-directory -s $targets BUILD="$build" $vars >"$work/progs.log" 2>&1 ||
    { bad "$header: rebuilding failed"; tail -10 "$work/progs.log"; continue; }
  stamp >"$work/after"
  rebuilt=$(LC_ALL=C join <(sort "$work/before") <(sort "$work/after") | awk '$2 != $3 {print $1}' | LC_ALL=C sort | xargs)
  want=$(printf '%s\n' $includers | LC_ALL=C sort | xargs)
  [[ $rebuilt == "$want" ]] && ok "touch $header: rebuilt exactly $want (not $others)" ||
    bad "touch $header: rebuilt '$rebuilt', expected '$want'"
done

# A source that moved: the dependency file of its object still names the old
# path (as one written before the move does); make must not stop on it.
d=$obj/tools/lktoken/token-cli.o.d
if [[ -f $d ]]; then
  printf '%s: \\\n  tools/old-place/token-cli.c tools/lktoken/token-cli.h\ntools/lktoken/token-cli.h:\n' \
    "$obj/tools/lktoken/token-cli.o" >"$d"
  if $make --no-print-directory -s all BUILD="$build" >"$work/moved.log" 2>&1; then
    ok "a dependency file naming a source that is gone does not stop make all"
  else
    bad "a dependency file naming a moved source stops make all:"; tail -3 "$work/moved.log"
  fi
else
  bad "$d is missing"
fi

snapshot >"$work/before"
$make --no-print-directory -s all BUILD="$build" >"$work/again.log" 2>&1
snapshot >"$work/after"
if cmp -s "$work/before" "$work/after"; then
  ok "a last make all rebuilds nothing"
else
  bad "a last make all rebuilt objects:"; diff "$work/before" "$work/after" | head
fi

if ((fails)); then
  echo "check-depend: $fails failure(s)"; exit 1
fi
echo "check-depend: all passed"
