#!/usr/bin/env bash
# Makes the schema conformance check fail on purpose, to prove that it can:
# a copy of protobufs/ with one field renumbered and one proto3 `optional`
# dropped must be reported, naming both differences.
# usage: schema-selftest.sh SCRATCH_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:?usage: schema-selftest.sh SCRATCH_DIR}
rm -rf "$dir" && mkdir -p "$dir/protos"
cp -r protobufs/. "$dir/protos/"
models="$dir/protos/livekit_models.proto"
# ParticipantInfo.attributes 15 -> 99, and DataTrackInfo.frame_encoding loses `optional`.
sed -i -E 's/^(\s*map<string, string> attributes = )15\b/\199/' "$models"
sed -i -E '0,/^\s*optional DataTrackFrameEncoding frame_encoding/s/optional (DataTrackFrameEncoding frame_encoding)/\1/' "$models"
cmp -s protobufs/livekit_models.proto "$models" && { echo "schema-selftest: mutation did not apply"; exit 1; }
(cd "$dir/protos" && protoc -I. --include_imports --descriptor_set_out=../broken.binpb livekit_models.proto 2>/dev/null)
if node tests/interop/schema-conformance.mjs "$dir/broken.binpb" livekit_models.proto >"$dir/out.txt"; then
  echo "schema-selftest: FAILED: a broken schema was reported identical"; exit 1
fi
ok=1
grep -q 'ParticipantInfo: field 15 (attributes) missing' "$dir/out.txt" || ok=0
grep -q 'ParticipantInfo: field 99 (attributes) is extra' "$dir/out.txt" || ok=0
grep -q 'DataTrackInfo: field 5 (frame_encoding): optional is false, LiveKit has true' "$dir/out.txt" || ok=0
if ((ok)); then
  echo "schema-selftest: a renumbered field and a dropped optional are both reported (as they must be)"
else
  cat "$dir/out.txt"; echo "schema-selftest: FAILED: the differences were not named"; exit 1
fi
