#!/usr/bin/env bash
# Makes check-wire-interop fail on purpose, to prove that it can: each of
# these tamperings, alone, must be reported by name.
#   1. a golden vector's bytes broken (a JoinRequest gets a dangling tag
#      byte): wire_golden must report that vector;
#   2. one truncation that LiveKit's JS accepts, marked as rejected, and
#   3. one that it rejects, marked as accepted: wire_golden must report the
#      cut, in each direction;
#   4. one of our updated ParticipantInfo replaced by the original (no
#      version bump, no change applied), and
#   5. one real change reported as "no change": wire-golden.mjs verify must
#      report the vector;
#   6. a ParticipantInfo vector given one more attribute whose key is a
#      control character (valid protobuf, not a valid attribute key):
#      wire_golden must report that the state does not load it.
# usage: wire-selftest.sh WIRE_GOLDEN GOLDEN_DIR WIRE_OUT_DIR SCRATCH_DIR
#   GOLDEN_DIR/vectors.txt, WIRE_OUT_DIR/cuts.txt and WIRE_OUT_DIR/updates.txt
#   are those of the check that just passed.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:?usage: wire-selftest.sh WIRE_GOLDEN GOLDEN_DIR WIRE_OUT_DIR SCRATCH_DIR}
golden=${2:?} out=${3:?} dir=${4:?}
rm -rf "$dir" && mkdir -p "$dir"
vectors=$golden/vectors.txt cuts=$out/cuts.txt updates=$out/updates.txt
ok=1
bad() { echo "wire-selftest: FAILED: $*"; ok=0; }

# expect_fail NAME REGEX CMD...: CMD must exit non-zero and print REGEX.
expect_fail() {
  local name=$1 re=$2
  shift 2
  if "$@" >"$dir/$name.out" 2>&1; then
    bad "$name: the tampered input passed"; return
  fi
  grep -qE "$re" "$dir/$name.out" || { cat "$dir/$name.out" | head -5; bad "$name: not reported as /$re/"; }
}

# 1. A broken vector.
id=$(awk '$2 == "livekit.JoinRequest" {print $1; exit}' "$vectors")
[[ -n $id ]] || { echo "wire-selftest: no JoinRequest vector"; exit 1; }
awk -v id="$id" '$1 == id {$3 = $3 "ff"} {print}' "$vectors" >"$dir/vectors-broken.txt"
cmp -s "$vectors" "$dir/vectors-broken.txt" && { echo "wire-selftest: mutation 1 did not apply"; exit 1; }
expect_fail vector "vector $id: protobuf-c does not decode it" \
  "$bin" "$dir/vectors-broken.txt" "$cuts" "$dir/updates-1.txt"

# 2, 3. A cut judged the other way, each direction.
for want in 1 0; do
  line=$(awk -v w="$want" '$3 == w {print NR; exit}' "$cuts")
  [[ -n $line ]] || { echo "wire-selftest: no cut with OK=$want"; exit 1; }
  read -r cid clen _ < <(sed -n "${line}p" "$cuts")
  awk -v l="$line" 'NR == l {$3 = 1 - $3} {print}' "$cuts" >"$dir/cuts-$want.txt"
  if [[ $want == 1 ]]; then re="vector $cid: cut at $clen: ours accepts, LiveKit's JS rejects"
  else re="vector $cid: cut at $clen: ours rejects, LiveKit's JS accepts"; fi
  expect_fail "cut-$want" "$re" "$bin" "$vectors" "$dir/cuts-$want.txt" "$dir/updates-$want.txt"
done

# 4, 5. Our updated ParticipantInfo tampered with.
line=$(awk '$4 != "-" {print NR; exit}' "$updates")
[[ -n $line ]] || { echo "wire-selftest: no changing update in $updates"; exit 1; }
uid=$(sed -n "${line}p" "$updates" | cut -d' ' -f1)
awk -v l="$line" 'NR == l {$4 = $2} {print}' "$updates" >"$dir/updates-stale.txt"
expect_fail stale-info "vector $uid: our ParticipantInfo differs in LiveKit's JS" \
  node tests/interop/wire-golden.mjs verify "$dir/updates-stale.txt"
awk -v l="$line" 'NR == l {$4 = "-"} {print}' "$updates" >"$dir/updates-nochange.txt"
expect_fail no-change "vector $uid: we saw no change, LiveKit's rules change it" \
  node tests/interop/wire-golden.mjs verify "$dir/updates-nochange.txt"

# 6. A stored ParticipantInfo the state must refuse.
id=$(awk '$2 == "livekit.ParticipantInfo" {print $1; exit}' "$vectors")
[[ -n $id ]] || { echo "wire-selftest: no ParticipantInfo vector"; exit 1; }
awk -v id="$id" '$1 == id {$3 = $3 "7a060a0101120176"} {print}' "$vectors" >"$dir/vectors-control.txt"
cmp -s "$vectors" "$dir/vectors-control.txt" && { echo "wire-selftest: mutation 6 did not apply"; exit 1; }
expect_fail load "vector $id: load refuses it" \
  "$bin" "$dir/vectors-control.txt" "$cuts" "$dir/updates-6.txt"

if ((ok)); then
  echo "wire-selftest: a broken vector, a cut judged either way, a stale and a missing update, a stored info the state must refuse are each reported (as they must be)"
else
  exit 1
fi
