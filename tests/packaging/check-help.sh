#!/usr/bin/env bash
# tests/packaging/check-help.sh - `--help` (and `-h`, `help`) of every
# installed tool (lkproto with each command, lktoken) and of every script a
# user runs (tools/*.sh, tools/derive-proto.py, tools/*.mjs): exit status 0,
# a usage text on standard output that names the options, nothing on
# standard error.  One line per offender, then a count; exit 1 if any.
#
# usage: tests/packaging/check-help.sh ROOT BIN_DIR WORK_DIR
#   ROOT     the source tree whose scripts are checked
#   BIN_DIR  the folder of the built lkproto and lktoken
#   WORK_DIR a scratch folder: each command runs there (a script that took
#            --help for an argument would write there, not in the tree)
set -uo pipefail
if [[ $# -ne 3 ]]; then
  echo "usage: tests/packaging/check-help.sh ROOT BIN_DIR WORK_DIR" >&2
  exit 2
fi
root=$(realpath "$1"); bin=$(realpath "$2"); work=$3
rm -rf "$work"; mkdir -p "$work/cwd"; work=$(realpath "$work")

fails=0 runs=0
# check LABEL 'WORD...' COMMAND...: COMMAND must exit 0, print `usage:` and
# every WORD on stdout, nothing on stderr.
check() {
  local label=$1 words=$2; shift 2
  runs=$((runs + 1))
  local rc=0
  (cd "$work/cwd" && timeout 30 "$@" </dev/null >"$work/out" 2>"$work/err") || rc=$?
  local why=()
  [[ $rc -eq 0 ]] || why+=("exit status $rc")
  grep -qi 'usage:' "$work/out" || why+=("no 'usage:' on stdout")
  [[ -s "$work/err" ]] && why+=("stderr: $(head -1 "$work/err")")
  local w
  for w in $words; do
    grep -qF -- "$w" "$work/out" || why+=("does not name '$w'")
  done
  if ((${#why[@]})); then
    fails=$((fails + 1))
    local IFS=';'
    echo "check-help: FAIL: $label: ${why[*]}"
  fi
}

lkp=$bin/lkproto lkt=$bin/lktoken
main='decode encode list attrs token --help --version lktoken'
for h in --help -h help; do check "lkproto $h" "$main" "$lkp" $h; done
tok='--api-key --secret-file --ttl --now --leeway --allow-missing-exp --raw --lines'
for h in --help -h; do
  check "lkproto decode $h" '--hex' "$lkp" decode $h
  check "lkproto encode $h" '--hex' "$lkp" encode $h
  check "lkproto list $h" 'list' "$lkp" list $h
  check "lkproto attrs $h" 'merge diff check names' "$lkp" attrs $h
  check "lkproto attrs merge $h" '--origin --max-key --max-size --no-namespaces --can-update-metadata' "$lkp" attrs merge $h
  check "lkproto attrs diff $h" 'OLD NEW' "$lkp" attrs diff $h
  check "lkproto attrs check $h" '--max-key --max-size' "$lkp" attrs check $h
  check "lkproto attrs names $h" 'names' "$lkp" attrs names $h
  check "lkproto token $h" "$tok lktoken" "$lkp" token $h
  check "lkproto token mint $h" "$tok" "$lkp" token mint $h
  check "lkproto token verify $h" "$tok" "$lkp" token verify $h
done
for c in decode encode list attrs token; do check "lkproto help $c" "$c" "$lkp" help $c; done
check "lkproto help attrs merge" '--origin' "$lkp" help attrs merge

for h in --help -h help; do check "lktoken $h" "$tok version --version lkproto" "$lkt" $h; done
for h in --help -h; do
  check "lktoken mint $h" "$tok" "$lkt" mint $h
  check "lktoken verify $h" "$tok" "$lkt" verify $h
done

for h in --help -h; do
  check "tools/generate.sh $h" 'OUT_DIR --list --help LKPROTO_OPTIONS_DIR' "$root/tools/generate.sh" $h
  check "tools/setup.sh $h" '--with-size --help' "$root/tools/setup.sh" $h
  check "tools/dev/size.sh $h" 'BUILD_DIR ARM_CC --help' "$root/tools/dev/size.sh" $h
  check "tools/check-build-deps.sh $h" '--generators CC --help' "$root/tools/check-build-deps.sh" $h
  check "tools/dev/nanopb-sizes.sh $h" 'OUT.md CC BUILD --help' "$root/tools/dev/nanopb-sizes.sh" $h
  check "tools/derive-proto.py $h" 'MODE SRC_DIR OUT_DIR protobuf-c nanopb --help' python3 "$root/tools/derive-proto.py" $h
  check "tools/dev/check-upstream.mjs $h" 'DESCRIPTOR_SET PREFIX --help' node "$root/tools/dev/check-upstream.mjs" $h
  check "tools/dev/nanopb-coverage.mjs $h" 'DESCRIPTOR_SET --list --help' node "$root/tools/dev/nanopb-coverage.mjs" $h
done

# Nothing may have been written by a --help (a script taking it for a path).
if [[ -n "$(ls -A "$work/cwd")" ]]; then
  fails=$((fails + 1))
  echo "check-help: FAIL: a --help wrote into the current folder: $(ls -A "$work/cwd" | tr '\n' ' ')"
fi
if compgen -G "$root/--help*" >/dev/null || compgen -G "$root/-h*" >/dev/null; then
  fails=$((fails + 1))
  echo "check-help: FAIL: a --help wrote into the tree ($root/--help...)"
fi

if ((fails)); then
  echo "check-help: $fails of $runs failed"
  exit 1
fi
echo "check-help: all $runs --help/-h/help invocations exit 0 with a usage text naming their options"
