#!/usr/bin/env bash
# tests/fuzz/coverage.sh BUILD TARGET... - source coverage of each target's
# committed corpus (and regressions): the replay harnesses built with
# clang's -fprofile-instr-generate -fcoverage-mapping (`make fuzz-coverage`)
# replay tests/fuzz/corpus/TARGET, and llvm-cov reports the lines and
# branches covered in the sources that target is about.
set -eu
build=$1
shift
sources() {
  case $1 in
    wire_reader) echo libattrs/src/wire/wire.c libattrs/src/wire/prim.c ;;
    participant) echo libattrs/src/state/*.c ;;
    validate) echo libattrs/src/rules/validate.c libattrs/src/rules/names.c ;;
    text) echo libattrs/src/rules/text.c ;;
    merge) echo libattrs/src/merge/patch.c libattrs/src/storage/map.c libattrs/src/engine/engine.c ;;
    pbc_signal) echo libattrs/adapters/protobufc.c ;;
    npb_signal) echo libattrs/adapters/nanopb.c ;;
    lkproto_decode) echo libjson/src/wire_decode.c libjson/src/json_out.c ;;
    lkproto_encode) echo libjson/src/json_in.c ;;
    json) echo libjson/src/json_in.c libjson/src/api.c ;;
    json_parse) echo libjson/src/json_parse.c ;;
    token) echo libtoken/src/jwt.c libtoken/src/claims.c libtoken/src/b64url.c ;;
  esac
}
printf '%-16s %-58s %8s %8s\n' target sources lines branches
for t in "$@"; do
  bin=$build/fuzzbin/fuzz_$t prof=$build/cov/$t
  rm -rf "$prof"
  mkdir -p "$prof"
  LLVM_PROFILE_FILE="$prof/%p.profraw" "$bin" tests/fuzz/corpus/"$t" tests/fuzz/regressions/"$t" >/dev/null
  llvm-profdata merge -sparse "$prof"/*.profraw -o "$prof/all.profdata"
  # shellcheck disable=SC2046
  total=$(llvm-cov report "$bin" -instr-profile="$prof/all.profdata" $(sources "$t") | grep '^TOTAL')
  # TOTAL regions missed cover functions missed cover lines missed cover branches missed cover
  lines=$(echo "$total" | awk '{print $10}')
  branches=$(echo "$total" | awk '{print $13}')
  printf '%-16s %-58s %8s %8s\n' "$t" "$(sources "$t")" "$lines" "$branches"
done
