#!/usr/bin/env bash
# Breaking-change guard between our own releases: `buf breaking` with the
# WIRE_JSON rules (wire format and JSON names) of protobufs/ against the
# protobufs/ of a git ref.
#
# usage: tests/schema/breaking.sh BUF SCRATCH_DIR [REF]
#   REF: a tag, branch or commit; default: the last release tag
#   (`git describe --tags --abbrev=0`), or, before any tag, the first commit
#   that has protobufs/.  Outside a git checkout (a release tarball) it says
#   so and passes.
#   --selftest as REF: break a copy of protobufs/ on purpose (renumber
#   ParticipantInfo.attributes, change the JSON name of a field) and require
#   buf to report both.
set -uo pipefail
cd "$(dirname "$0")/../.."
buf=${1:?usage: breaking.sh BUF SCRATCH_DIR [REF]}
scratch=${2:?usage: breaking.sh BUF SCRATCH_DIR [REF]}
ref=${3:-}
buf=$(cd "$(dirname "$buf")" && pwd)/$(basename "$buf")
config='{"version":"v2","breaking":{"use":["WIRE_JSON"]}}'
rm -rf "$scratch" && mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
nfiles=$(find protobufs -name '*.proto' | wc -l)

run_buf() { # dir-to-check against-dir
  (cd "$1" && "$buf" breaking . --against "$2" --config "$config" --against-config "$config")
}

if [[ $ref == --selftest ]]; then
  cp -r protobufs "$scratch/broken"
  sed -i -E 's/^(\s*map<string, string> attributes = )15\b/\199/' "$scratch/broken/livekit_models.proto"
  sed -i -E '0,/^(\s*)string sid = 1 \[\(logger.name\) = "participantID"\];/s//\1string sid = 1 [json_name = "sidX"];/' \
    "$scratch/broken/livekit_models.proto"
  run_buf "$scratch/broken" "$PWD/protobufs" >"$scratch/out.txt" 2>&1
  status=$?
  ok=1
  [[ $status -ne 0 ]] || ok=0
  grep -q 'field "15" with name "attributes" on message "ParticipantInfo" was deleted' "$scratch/out.txt" || ok=0
  grep -q 'json_name' "$scratch/out.txt" || grep -qi 'JSON name' "$scratch/out.txt" || ok=0
  if ((ok)); then
    echo "check-breaking selftest: a renumbered field and a changed JSON name are both reported ($(wc -l <"$scratch/out.txt") lines, exit $status)"
    exit 0
  fi
  cat "$scratch/out.txt"; echo "check-breaking selftest: FAILED: buf did not report the broken copy"; exit 1
fi

# A release tarball unpacked inside some other checkout is not ours to compare.
if [[ "$(git rev-parse --show-toplevel 2>/dev/null)" != "$PWD" ]]; then
  echo "check-breaking: not a git checkout, nothing to compare with (skipped)"; exit 0
fi
if [[ -z $ref ]]; then
  ref=$(git describe --tags --abbrev=0 2>/dev/null || true)
  what="last release tag"
  if [[ -z $ref ]]; then
    ref=$(git log --reverse --format=%H -- protobufs | head -1)
    what="no tag yet: first commit with protobufs/"
  fi
else
  what="AGAINST"
fi
sha=$(git rev-parse --verify -q "$ref^{commit}") || { echo "check-breaking: '$ref' is not a git ref"; exit 2; }
git archive "$sha" protobufs | tar -x -C "$scratch" || { echo "check-breaking: $ref has no protobufs/"; exit 2; }
if run_buf protobufs "$scratch/protobufs" >"$scratch/out.txt" 2>&1; then
  [[ $ref == "$sha" ]] && ref=${sha:0:12}
  echo "check-breaking: protobufs/ ($nfiles files) vs $ref ($what): 0 breaking changes (buf breaking, WIRE_JSON rules)"
else
  cat "$scratch/out.txt"
  echo "check-breaking: protobufs/ vs $ref ($what, ${sha:0:12}): $(grep -c . "$scratch/out.txt") breaking changes (buf breaking, WIRE_JSON rules)"
  exit 1
fi
