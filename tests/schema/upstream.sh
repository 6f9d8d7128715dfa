#!/usr/bin/env bash
# Tests tools/dev/check-upstream.mjs: against the pinned @livekit/protocol 1.52.1
# (tests/interop/node_modules) it must report no difference and exit 0;
# against 1.42.2 it must exit 1 and report differences that were checked by
# hand in that version's generated code (src/gen/*_pb.js), one of each kind.
#
# usage: tests/schema/upstream.sh DESCRIPTOR_SET PREFIX_1_42_2
set -uo pipefail
cd "$(dirname "$0")/../.."
set_path=${1:?usage: upstream.sh DESCRIPTOR_SET PREFIX}
old=${2:?usage: upstream.sh DESCRIPTOR_SET PREFIX}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fails=0 n=0

n=$((n + 1))
if ! node tools/dev/check-upstream.mjs "$set_path" tests/interop >"$out"; then
  fails=$((fails + 1)); echo "FAIL: protobufs/ differs from the pinned 1.52.1:"; cat "$out"
elif ! grep -q '^check-upstream: 0 differences$' "$out"; then
  fails=$((fails + 1)); echo "FAIL: no '0 differences' against the pinned 1.52.1"; cat "$out"
fi

node tools/dev/check-upstream.mjs "$set_path" "$old" >"$out"
status=$?
n=$((n + 1))
if [[ $status -ne 1 ]]; then fails=$((fails + 1)); echo "FAIL: exit $status against 1.42.2 (want 1)"; fi

# Facts of 1.42.2 (its src/gen/*_pb.js), each a different kind of line.
while IFS= read -r want; do
  [[ -z $want ]] && continue
  n=$((n + 1))
  grep -qxF -- "$want" "$out" || { fails=$((fails + 1)); echo "FAIL: not reported: '$want'"; }
done <<'LINES'
check-upstream: protobufs/ (25 files, 548 messages, 97 enums) vs @livekit/protocol 1.42.2 (17 files, 311 messages, 67 enums)
  protobufs/agent/livekit_agent_session.proto
  protobufs/livekit_agentdb.proto
  message livekit.AgentDB (livekit_agentdb.proto)
  enum livekit.ConnectorType (livekit_connector.proto)
  livekit.MetricsRecordingHeader.enable_user_data_training = 2: optional bool
  livekit.ConnectWhatsAppCallRequest.whatsapp_phone_number_id = 1: string
  livekit.ConnectWhatsAppCallRequest.whatsapp_call_id: 1 -> 3 (3 is wait_until_answered in protobufs/)
  livekit.ConnectWhatsAppCallRequest.sdp: 2 -> 4
  livekit.ListPhoneNumbersRequest field 2: statuses -> status
  livekit.ListPhoneNumbersRequest.status = 2: repeated livekit.PhoneNumberStatus -> livekit.PhoneNumberStatus
  livekit.GetPhoneNumberRequest.id = 1: optional string -> string
LINES
# Nothing that is the same in both may be reported: ParticipantInfo is.
n=$((n + 1))
if grep -q 'livekit\.ParticipantInfo\.attributes' "$out"; then
  fails=$((fails + 1)); echo "FAIL: ParticipantInfo.attributes reported although unchanged"
fi
summary=$(tail -1 "$out")
if ((fails)); then
  echo "check-upstream test: $fails of $n checks failed"; exit 1
fi
echo "check-upstream test: $n checks passed (1.52.1: 0 differences; 1.42.2: ${summary#check-upstream: })"
