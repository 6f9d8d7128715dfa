#!/usr/bin/env bash
# tests/bench/callgrind.sh - instructions per operation of the main paths,
# counted by valgrind's callgrind inside cg_loop() only (setup and warm-up
# left out), printed as a markdown table.  Stable on a busy machine.
# usage: tests/bench/callgrind.sh BENCH_BINARY OUT_DIR > table.md
set -euo pipefail
bench=$1
out=$2
mkdir -p "$out"

ir() { # path n k iters -> instructions per operation
  local f="$out/cg.$1.$2.$3"
  valgrind --tool=callgrind --callgrind-out-file="$f" --toggle-collect=cg_loop \
    "$bench" --one "$1" --n "$2" --k "$3" --iters "$4" >/dev/null 2>&1
  awk -v it="$4" '/^(summary|totals):/ {v = $2} END {printf "%.0f", v / it}' "$f"
}

echo "| path | n | k | instructions per operation | ratio |"
echo "|---|---:|---:|---:|---:|"
for n in 100 1000; do
  o=$(ir update-ours "$n" 10 100)
  p=$(ir update-pbc "$n" 10 100)
  echo "| update: ours (\`lkattrs_update_apply\`) | $n | 10 | $o | |"
  echo "| update: naive protobuf-c | $n | 10 | $p | protobuf-c / ours = $(awk -v a="$p" -v b="$o" 'BEGIN {printf "%.1f×", a / b}') |"
done
for n in 100 1000; do
  o=$(ir read-ours "$n" 1 100)
  p=$(ir read-pbc "$n" 1 100)
  echo "| read: ours (zero-copy reader, validated) | $n | – | $o | |"
  echo "| read: protobuf-c unpack + free | $n | – | $p | protobuf-c / ours = $(awk -v a="$p" -v b="$o" 'BEGIN {printf "%.1f×", a / b}') |"
done
for n in 10 10000; do
  m=$(ir merge "$n" 10 200)
  d=$(ir diff "$n" 10 20)
  echo "| merge, per changed key | $n | 10 | $((m / 10)) | |"
  echo "| diff, per changed key | $n | 10 | $((d / 10)) | |"
done
v=$(ir validate-attrs 1000 1 20)
echo "| validate 1000 attributes (keys + values, strlen included), per attribute | 1000 | – | $((v / 1000)) | |"
d=$(ir nanopb 100 1 50)
echo "| nanopb: decode a SignalResponse.update into the fixed map | 100 | – | $d | |"
