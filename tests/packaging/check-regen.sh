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
#   5. --help / -h print the usage and exit 0; an unknown option or a missing
#      OUT_DIR is an error (exit 2), never a folder.
#   6. Paths are the caller's: from a project outside the tree (which vendors
#      it as third_party/lkproto), the README's command word for word, relative
#      and absolute option folders, nanopb only and protobuf-c only, relative
#      programs, include and work folders.
#   7. The banners: downstream output names the command that made it (and
#      rerunning that command gives the same files); a run from the tree's
#      root with its own options is byte for byte generated/.
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

# 5. The command line.
outside=$(mktemp -d "${TMPDIR:-/tmp}/lkproto-regen-outside.XXXXXX")
trap 'rm -rf "$outside"' EXIT
[[ $outside != "$root"/* ]] || bad "the scratch project $outside is inside the tree"
for h in --help -h; do
  if (cd "$outside" && "$root/tools/generate.sh" "$h") >"$work/help.out" 2>"$work/help.err"; then
    missing=
    for w in usage: OUT_DIR --list LKPROTO_OPTIONS_DIR LKPROTO_NO_PIN LKPROTO_GENERATORS PROTOC= PROTOC_C \
             NANOPB_GENERATOR PROTOC_GEN_NANOPB; do
      grep -q -- "$w" "$work/help.out" || missing+=" $w"
    done
    [[ -z $missing && ! -s $work/help.err && ! -e $outside/$h ]] &&
      ok "generate.sh $h prints the usage and exits 0" ||
      bad "generate.sh $h: usage without$missing; stderr: $(head -1 "$work/help.err")"
  else
    bad "generate.sh $h exits $? ($(head -1 "$work/help.err"))"
  fi
done
for o in --bogus -x; do
  rc=0; (cd "$outside" && "$root/tools/generate.sh" "$o" out) >"$work/opt.out" 2>&1 || rc=$?
  ((rc == 2)) && grep -q "unknown option '$o'" "$work/opt.out" && [[ ! -e $outside/$o && ! -e $outside/out ]] &&
    ok "generate.sh $o: exit 2, $(head -1 "$work/opt.out")" || bad "generate.sh $o: exit $rc, $(head -1 "$work/opt.out")"
done
rc=0; (cd "$outside" && "$root/tools/generate.sh") >"$work/opt.out" 2>&1 || rc=$?
((rc == 2)) && grep -q usage "$work/opt.out" && ok "generate.sh without OUT_DIR: exit 2 with the usage" ||
  bad "generate.sh without OUT_DIR: exit $rc, $(head -1 "$work/opt.out")"
[[ $(cd "$outside" && "$root/tools/generate.sh" --list | sed -n 1p) == google/protobuf/any ]] &&
  ok "generate.sh --list still lists the files" || bad "generate.sh --list"

# 6. A project outside the tree: third_party/lkproto is the tree, my-options
#    its options (the smaller bounds of 1.), bin/ its programs.
down=$outside/down
mkdir -p "$down/third_party" "$down/bin" "$down/wkt/google/protobuf"
ln -s "$root" "$down/third_party/lkproto"
cp -r "$work/options" "$down/my-options"
printf '#!/bin/sh\nexec protoc "$@"\n' >"$down/bin/protoc" && chmod +x "$down/bin/protoc"
ln -s "$(command -v protoc-gen-nanopb || echo /usr/bin/protoc-gen-nanopb)" "$down/bin/protoc-gen-nanopb"
cp /usr/include/google/protobuf/{any,duration,struct,timestamp}.proto "$down/wkt/google/protobuf/"
identity() { sed -n 's/.*char identity\[\([0-9]*\)\];.*/\1/p' "$1" | head -1; }
drop_banner() { # a generated file without the lkproto banner (up to the first */)
  sed '1,/\*\//d' "$1"
}
same_but_banners() { # dir1, dir2
  local f rel
  [[ $(cd "$1" && find . -type f | sort) == $(cd "$2" && find . -type f | sort) ]] || return 1
  while IFS= read -r rel; do
    cmp -s <(drop_banner "$1/$rel") <(drop_banner "$2/$rel") || return 1
  done < <(cd "$1" && find . -type f | sort)
}
regen() { # name, command...: run from $down, log to $work/NAME.log
  local name=$1; shift
  (cd "$down" && env "$@") >"$work/$name.log" 2>&1
}

#    a. The README's command, word for word.
readme_cmd=$(awk '/^### Regenerate the C code in your build/ {s = 1} s && /^```sh/ {c = 1; next}
                  c && /^```/ {exit} c {print}' README.md)
readme_line=$(sed -z 's/ *\\\n */ /g; s/\n$//' <<<"$readme_cmd")
[[ $readme_line == *third_party/lkproto/tools/generate.sh* ]] || bad "the README's command: '$readme_line'"
readme_out=$(sed -E 's/.* //' <<<"$readme_line")
if (cd "$down" && bash -c "$readme_cmd") >"$work/readme.log" 2>&1 &&
   [[ $(identity "$down/$readme_out/nanopb/livekit_models.pb.h") == 32 && ! -e $down/$readme_out/protobuf-c ]]; then
  ok "the README's command, from a project outside the tree: $readme_line"
else
  cat "$work/readme.log"; bad "the README's command from $down: $readme_line"
fi
#    b. Absolute options folder, nanopb only, absolute script, relative OUT_DIR.
if regen abs-npb LKPROTO_OPTIONS_DIR="$down/my-options" LKPROTO_GENERATORS=nanopb "$root/tools/generate.sh" gen-abs &&
   [[ $(identity "$down/gen-abs/nanopb/livekit_models.pb.h") == 32 && ! -e $down/gen-abs/protobuf-c ]]; then
  ok "absolute LKPROTO_OPTIONS_DIR, nanopb only, into a relative OUT_DIR"
else
  cat "$work/abs-npb.log"; bad "absolute LKPROTO_OPTIONS_DIR, nanopb only"
fi
#    c. Relative options folder, protobuf-c only (which the nanopb options do not touch).
if regen rel-pbc LKPROTO_OPTIONS_DIR=my-options LKPROTO_GENERATORS=protobuf-c third_party/lkproto/tools/generate.sh gen-rel-pbc &&
   [[ ! -e $down/gen-rel-pbc/nanopb ]] && same_but_banners "$down/gen-rel-pbc/protobuf-c" generated/protobuf-c; then
  ok "relative LKPROTO_OPTIONS_DIR, protobuf-c only: generated/protobuf-c but for the banners"
else
  cat "$work/rel-pbc.log"; bad "relative LKPROTO_OPTIONS_DIR, protobuf-c only"
fi
#    d. Absolute options folder, protobuf-c only, absolute OUT_DIR.
if regen abs-pbc LKPROTO_OPTIONS_DIR="$down/my-options" LKPROTO_GENERATORS=protobuf-c third_party/lkproto/tools/generate.sh "$down/gen-abs-pbc" &&
   [[ ! -e $down/gen-abs-pbc/nanopb ]] && same_but_banners "$down/gen-abs-pbc/protobuf-c" generated/protobuf-c; then
  ok "absolute LKPROTO_OPTIONS_DIR, protobuf-c only, absolute OUT_DIR"
else
  cat "$work/abs-pbc.log"; bad "absolute LKPROTO_OPTIONS_DIR, protobuf-c only"
fi
#    e. Relative programs, include and work folders, the tree's own options.
if regen progs PROTOC=bin/protoc PROTOC_GEN_NANOPB=bin/protoc-gen-nanopb WELL_KNOWN_INCLUDE=wkt LKPROTO_WORK_DIR=scratch \
     LKPROTO_GENERATORS=nanopb third_party/lkproto/tools/generate.sh gen-progs &&
   [[ -d $down/scratch/nanopb ]] && same_but_banners "$down/gen-progs/nanopb" generated/nanopb; then
  ok "relative PROTOC, PROTOC_GEN_NANOPB, WELL_KNOWN_INCLUDE, LKPROTO_WORK_DIR: generated/nanopb but for the banners"
else
  cat "$work/progs.log"; bad "relative PROTOC, PROTOC_GEN_NANOPB, WELL_KNOWN_INCLUDE, LKPROTO_WORK_DIR"
fi
#    f. A missing options folder is named as the caller gave it.
if regen missing LKPROTO_OPTIONS_DIR=no-such-options third_party/lkproto/tools/generate.sh gen-missing; then
  bad "a missing LKPROTO_OPTIONS_DIR was accepted"
elif grep -q 'LKPROTO_OPTIONS_DIR=no-such-options is not a folder' "$work/missing.log" && [[ ! -e $down/gen-missing ]]; then
  ok "a missing LKPROTO_OPTIONS_DIR: $(head -1 "$work/missing.log")"
else
  cat "$work/missing.log"; bad "a missing LKPROTO_OPTIONS_DIR"
fi

# 7. Banners.
banner_bad() { # dir, text every banner must have: the files whose banner lacks it or says 'make generate'
  local f files
  files=$(find "$1" -type f -name '*.pb*.[ch]' 2>/dev/null)
  [[ -n $files ]] || { echo "(no files in $1)"; return 0; }
  while IFS= read -r f; do
    if sed -n '1,/\*\//p' "$f" | grep -q "make generate" || ! sed -n '1,/\*\//p' "$f" | grep -qF -- "$2"; then
      echo "$f"
    fi
  done <<<"$files"
}
n=$(banner_bad "$work/gen/nanopb" "with the nanopb options of $work/options;" | wc -l)
m=$(banner_bad "$work/gen/protobuf-c" "LKPROTO_OPTIONS_DIR=$work/options " | wc -l)
((n == 0 && m == 0)) && ok "the banners of lkproto.mk's regeneration name its options folder and its command" ||
  bad "$n nanopb and $m protobuf-c files regenerated by lkproto.mk with a wrong banner, e.g. $(banner_bad "$work/gen/nanopb" "with the nanopb options of $work/options;" | head -1)"
n=$(banner_bad "$down/$readme_out" " *   $readme_line */" | wc -l)
((n == 0)) && ok "the banners of the README's command name it: $(sed -n 2p "$down/$readme_out/nanopb/livekit_models.pb.h")" ||
  bad "$n files of the README's command with a wrong banner: $(sed -n 2,4p "$down/$readme_out/nanopb/livekit_models.pb.h")"
n=$(banner_bad "$down/gen-progs" "rerun that command" | wc -l)
((n == 0)) && ok "a downstream run with the tree's own options does not say 'make generate' either" ||
  bad "$n files of a downstream run say 'make generate'"
#    Rerunning the command a banner names gives the same files.
rerun=$(sed -n '1,/\*\//p' "$down/$readme_out/nanopb/livekit_models.pb.h" 2>/dev/null | sed -n 's/^ \*   \(.*\) \*\/$/\1/p' || true)
if [[ -n $rerun ]] && cp -r "$down/$readme_out" "$work/readme-first" && (cd "$down" && bash -c "$rerun") >"$work/rerun.log" 2>&1 &&
   diff -r "$work/readme-first" "$down/$readme_out" >/dev/null; then
  ok "rerunning the command of the banner gives the same files"
else
  cat "$work/rerun.log" 2>/dev/null || true; bad "rerunning the banner's command '$rerun'"
fi
#    The tree's own run (what check-generated does) keeps the banner of generated/.
if bash tools/generate.sh "$work/own" >"$work/own.log" 2>&1 && diff -r generated "$work/own" >/dev/null; then
  ok "from the tree's root with its own options: generated/ byte for byte"
else
  cat "$work/own.log"; bad "a run from the tree's root differs from generated/"
fi

((fails == 0)) || { echo "check-regen: $fails failed"; exit 1; }
echo "check-regen: all passed"
