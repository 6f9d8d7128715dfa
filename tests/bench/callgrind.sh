#!/usr/bin/env bash
# tests/bench/callgrind.sh - instructions per operation of the main paths,
# counted by valgrind's callgrind inside cg_loop() only (setup and warm-up
# left out).  Stable on a busy machine.
# usage: tests/bench/callgrind.sh BENCH_BINARY OUT_DIR > table.md
#   stdout: a markdown table (ours beside both protobuf-c servers);
#   OUT_DIR/ir.txt: the data `bench --callgrind` reads, one line each:
#     ir PATH N K INSTRUCTIONS_PER_OPERATION
#     fn PATH N K SELF_INSTRUCTIONS_PER_OPERATION FILE:FUNCTION   (highest first,
#        from callgrind_annotate; inlined code counted under its function)
set -euo pipefail
bench=$1
out=$2
mkdir -p "$out"
data="$out/ir.txt"
: >"$data"
# callgrind counts every byte that a `rep movsb` moves as one instruction,
# and glibc's memcpy uses rep movsb above a few KiB: ours (which copies its
# unchanged runs with memcpy) and the memcpy floor would be counted by bytes,
# not by work.  Keep glibc on its vector loops instead (timings, outside
# callgrind, are unaffected).
export GLIBC_TUNABLES=glibc.cpu.x86_rep_movsb_threshold=1099511627776

ir() { # path n k iters -> instructions per operation (and the profile into ir.txt)
  local f="$out/cg.$1.$2.$3"
  valgrind --tool=callgrind --callgrind-out-file="$f" --toggle-collect=cg_loop \
    "$bench" --one "$1" --n "$2" --k "$3" --iters "$4" >/dev/null 2>"$f.log" || {
    echo "callgrind.sh: bench --one $1 --n $2 --k $3 failed (see $f.log)" >&2
    exit 1
  }
  local v
  v=$(awk -v it="$4" '/^(summary|totals):/ {v = $2} END {printf "%.0f", v / it}' "$f")
  echo "ir $1 $2 $3 $v" >>"$data"
  callgrind_annotate --inclusive=no --threshold=99.9 --auto=no "$f" 2>/dev/null | awk \
    -v p="$1" -v n="$2" -v k="$3" -v it="$4" '
    /^-+$/ { sep++; next }
    sep == 6 && $1 ~ /^[0-9,]+$/ && $0 ~ /:/ {
      c = $1; gsub(",", "", c)
      s = $0; sub(/^ *[0-9,]+ *\( *[0-9.]+%\) */, "", s); sub(/ \[.*\]$/, "", s)
      fn = s; sub(/^.*:/, "", fn)
      sub(/'\''[0-9]+$/, "", fn)  # the recursion depth callgrind appends (name-quote-2)
      sub(/\.(part|isra|constprop|cold|lto_priv)[.0-9a-z_]*$/, "", fn)
      file = s; sub(/:[^:]*$/, "", file); sub(/^.*\//, "", file)
      if (!(fn in cost)) { order[++m] = fn; where[fn] = file }
      cost[fn] += c
    }
    END {
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
        if (cost[order[j]] > cost[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
      for (i = 1; i <= m; i++)
        printf "fn %s %s %s %.0f %s:%s\n", p, n, k, cost[order[i]] / it, where[order[i]], order[i]
    }' >>"$data"
  echo "$v"
}

x() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f×", a / b}'; }

echo "| path | n | k | instructions per operation | ratio |"
echo "|---|---:|---:|---:|---:|"
for n in 100 1000 10000; do
  case $n in 100) it=100 ;; 1000) it=40 ;; *) it=8 ;; esac
  o=$(ir update-ours "$n" 10 "$it")
  p=$(ir update-kept "$n" 10 "$it")
  s=$(ir update-stateless "$n" 10 $((it / 2)))
  m=$(ir update-memcpy "$n" 10 "$it")
  echo "| update: ours (\`lkattrs_participant_apply\`) | $n | 10 | $o | |"
  echo "| update: protobuf-c, kept ParticipantInfo | $n | 10 | $p | kept / ours = $(x "$p" "$o") |"
  echo "| update: protobuf-c, stateless | $n | 10 | $s | stateless / ours = $(x "$s" "$o") |"
  echo "| update: memcpy of ours' output | $n | 10 | $m | ours / memcpy = $(x "$o" "$m") |"
done
for n in 100 1000 10000; do
  case $n in 100) it=100 ;; 1000) it=20 ;; *) it=4 ;; esac
  o=$(ir read-ours "$n" 1 "$it")
  p=$(ir read-pbc "$n" 1 "$it")
  echo "| read: ours (zero-copy reader, validated) | $n | – | $o | |"
  echo "| read: protobuf-c unpack + free | $n | – | $p | protobuf-c / ours = $(x "$p" "$o") |"
done
mib=1048576
for t in utf8-ascii utf8-mixed value-ascii value-mixed; do
  v=$(ir "$t" $mib 1 3)
  echo "| validate 1 MiB ($t), per byte | $mib | – | $(awk -v v="$v" -v b=$mib 'BEGIN {printf "%.2f", v / b}') | |"
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
for m in participant webhook; do
  t=$(ir json-to-$m 1 1 40)
  f=$(ir json-from-$m 1 1 40)
  echo "| JSON: $m, binary → JSON (\`lkjson_to_json\`) | – | – | $t | |"
  echo "| JSON: $m, JSON → binary (\`lkjson_from_json\`) | – | – | $f | |"
done
