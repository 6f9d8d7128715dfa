#!/usr/bin/env bash
# tests/packaging/check-regen.sh - a downstream project regenerates the C code
# with its own nanopb options and builds against it.
#
# usage: check-regen.sh WORK_DIR   (run by `make check-regen`; environment
#        from packaging.mk: MAKE CC VERSION)
#
#   1. Smaller bounds for a tiny device: identities and names of 31 bytes
#      instead of 255, at most 2 items in every bounded array; written to
#      WORK_DIR/options.
#   2. A Makefile that includes lkproto.mk with LKPROTO_REGENERATE=1,
#      LKPROTO_GENERATED and LKPROTO_OPTIONS_DIR regenerates into WORK_DIR/gen
#      and builds the consumer against it; the consumer checks that
#      ParticipantInfo.identity now holds 31 bytes, and decodes a message.
#   3. The regenerated code keeps the generators' version guards.
#   4. The pin check: a protoc of another version is refused, and accepted
#      with LKPROTO_NO_PIN=1 (which names it in the banners).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$1
make=${MAKE:-make}
rm -rf "$work"
mkdir -p "$work/options"
work=$(cd "$work" && pwd)
fails=0
ok() { echo "check-regen: ok: $*"; }
bad() { echo "check-regen: FAIL: $*"; fails=$((fails + 1)); }

# 1. Our own options: smaller bounds.
while IFS= read -r f; do   # same layout as protobufs/ (agent/*.options too)
  mkdir -p "$work/options/$(dirname "$f")"
  sed -E -e 's/max_length:255\b/max_length:31/g' -e 's/max_count:[0-9]+/max_count:2/g' "protobufs/$f" \
    >"$work/options/$f"
done < <(cd protobufs && find . -name '*.options' -printf '%P\n')
grep -q 'ParticipantInfo.identity *max_length:31' "$work/options/livekit_models.options" ||
  bad "the test's options do not shrink ParticipantInfo.identity"

# 2. Regenerate and build through the make fragment.
if $make --no-print-directory -s -C tests/consumers/vendor-make LKPROTO_DIR="$root" O="$work/build" \
     LKPROTO_GENERATED="$work/gen" LKPROTO_REGENERATE=1 LKPROTO_OPTIONS_DIR="$work/options" \
     CPPFLAGS=-DIDENTITY_CAP=31 CC="${CC:-cc}" -j2 >"$work/build.log" 2>&1 &&
   out=$("$work/build/consumer") && [[ $out == "consumer: ok $VERSION" ]]; then
  ok "regenerated with smaller nanopb options, consumer built with lkproto.mk: $out"
else
  cat "$work/build.log"; bad "regenerated consumer: ${out:-did not build}"
fi
small=$(sed -n 's/.*char identity\[\([0-9]*\)\];.*/\1/p' "$work/gen/nanopb/livekit_models.pb.h" | head -1)
big=$(sed -n 's/.*char identity\[\([0-9]*\)\];.*/\1/p' generated/nanopb/livekit_models.pb.h | head -1)
[[ $small == 32 && $big == 256 ]] && ok "ParticipantInfo.identity: char[$big] in generated/, char[$small] regenerated" ||
  bad "identity arrays: generated/ $big, regenerated $small"

# 3. Version guards kept.
n_npb=$(grep -L 'PB_PROTO_HEADER_VERSION != 40' "$work"/gen/nanopb/*.pb.h | wc -l)
n_pbc=$(grep -L 'PROTOBUF_C_MIN_COMPILER_VERSION' "$work"/gen/protobuf-c/*.pb-c.h | wc -l)
((n_npb == 0 && n_pbc == 0)) && ok "every regenerated header keeps its generator's version guard" ||
  bad "$n_npb nanopb and $n_pbc protobuf-c headers without a version guard"

# 4. The pin check, with a protoc that claims another version.
mkdir -p "$work/fakebin"
cat >"$work/fakebin/protoc" <<'EOF'
#!/bin/sh
if [ "$1" = "--version" ]; then echo "libprotoc 3.99.1"; exit 0; fi
exec /usr/bin/protoc "$@"
EOF
chmod +x "$work/fakebin/protoc"
if PROTOC=$work/fakebin/protoc LKPROTO_GENERATORS=nanopb bash tools/generate.sh "$work/pin" >"$work/pin.log" 2>&1; then
  bad "generate.sh accepted protoc 3.99.1 although the pin is another version"
elif grep -q "pinned version" "$work/pin.log"; then
  ok "generate.sh refuses an unpinned protoc: $(head -1 "$work/pin.log")"
else
  cat "$work/pin.log"; bad "generate.sh failed for another reason"
fi
if PROTOC=$work/fakebin/protoc LKPROTO_NO_PIN=1 LKPROTO_GENERATORS=nanopb bash tools/generate.sh "$work/pin" \
     >"$work/pin.log" 2>&1 && grep -q 'libprotoc 3.99.1' "$work/pin/nanopb/livekit_models.pb.h" &&
   [[ ! -e $work/pin/protobuf-c ]]; then
  ok "LKPROTO_NO_PIN=1 accepts it and names it in the banners; LKPROTO_GENERATORS=nanopb writes only nanopb/"
else
  cat "$work/pin.log"; bad "LKPROTO_NO_PIN=1 LKPROTO_GENERATORS=nanopb"
fi

((fails == 0)) || { echo "check-regen: $fails failed"; exit 1; }
echo "check-regen: all passed"
