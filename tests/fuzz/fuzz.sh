#!/usr/bin/env bash
# tests/fuzz/fuzz.sh BUILD SECONDS JOBS TARGET... - run each libFuzzer target
# for SECONDS (JOBS targets at a time), then:
#   - merge what it found into tests/fuzz/corpus/TARGET (-merge=1: only
#     inputs that add coverage are kept);
#   - copy each crash, leak, timeout or out-of-memory input to
#     tests/fuzz/regressions/TARGET/ (rename it after the bug once fixed);
#   - print executions, coverage and features per target, also appended to
#     BUILD/fuzz-stats.txt (the figures of docs/security.md).
# Exit status 1 when any target found something.
set -u
build=$1 secs=$2 jobs=$3
shift 3
stats=$build/fuzz-stats.txt
mkdir -p "$build"

run_one() {
  local t=$1 bin=$build/fuzzbin/fuzz_$1
  local corpus=tests/fuzz/corpus/$t new=$build/new/$t art=$build/artifacts/$t/
  local log=$build/logs/$t.log
  rm -rf "$art"
  mkdir -p "$corpus" "$new" "$art" "$(dirname "$log")"
  local dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$art" "${dict[@]}" "$new" "$corpus" \
    >"$log" 2>&1
  local rc=$?
  # Keep only what adds coverage to the committed corpus.
  "$bin" -merge=1 "$corpus" "$new" >>"$log" 2>&1 || true
  local found=0 f
  for f in "$art"*; do
    [ -f "$f" ] || continue
    mkdir -p "tests/fuzz/regressions/$t"
    cp "$f" "tests/fuzz/regressions/$t/"
    echo "fuzz $t: FOUND $(basename "$f") -> tests/fuzz/regressions/$t/ (see $log)"
    found=1
  done
  local execs cov ft
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  local files
  files=$(find "$corpus" -type f | wc -l)
  local line
  line=$(printf '%-16s %6ss %12s execs  cov %6s  ft %6s  corpus %5s files  exit %s' \
    "$t" "$secs" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$files" "$rc")
  echo "$line"
  echo "$(date -u +%Y-%m-%dT%H:%MZ) $line" >>"$stats"
  [ $found = 0 ] && [ $rc = 0 ]
}

status=0
running=0
for t in "$@"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1 # the first to finish frees a slot
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
