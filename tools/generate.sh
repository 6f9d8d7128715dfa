#!/usr/bin/env bash
# Regenerate the C code of the schema.  `tools/generate.sh --help` prints the
# usage (the text of usage() below).
#
# `make generate` runs it with OUT_DIR=generated; `make check-generated` runs
# it into a scratch folder and compares.  The generators are run on derived
# copies of the schema (tools/derive-proto.py) and their versions must match
# tools/generator-versions.sh, so the output is byte for byte reproducible.
#
# Every path the caller gives (OUT_DIR, LKPROTO_OPTIONS_DIR, the programs when
# they contain a '/', WELL_KNOWN_INCLUDE, LKPROTO_WORK_DIR) is taken relative
# to the caller's folder; the script then works from the root of its tree.
#
# The banner on top of each file says how it was made: run from this tree's
# root (make generate, make check-generated) or into its generated/, with the
# options of protobufs/ and the pinned generators, it is the banner of the
# committed generated/; otherwise (a downstream project, LKPROTO_OPTIONS_DIR,
# LKPROTO_NO_PIN) it names the command that made the file.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tools/generate.sh [--] OUT_DIR
  Regenerates the C code of the schema in protobufs/: writes OUT_DIR/protobuf-c/
  (FILE.pb-c.c, FILE.pb-c.h) and OUT_DIR/nanopb/ (FILE.pb.c, FILE.pb.h), each
  replaced as a whole.  OUT_DIR, like every path below, is relative to the
  current folder.  `make generate` runs it with OUT_DIR=generated.

usage: tools/generate.sh --list
  Prints the generated files' names without their suffix (livekit_models,
  agent/livekit_agent_dev, google/protobuf/any, ...), one a line: FILE.pb-c.c
  and FILE.pb.c for each.  lkproto.mk uses it; no generator is needed.

usage: tools/generate.sh --help | -h
  Prints this text.

Environment (for downstream regeneration: your generators, your nanopb options):
  LKPROTO_OPTIONS_DIR=DIR  take the nanopb .options files from DIR instead of
                           protobufs/ (same layout: DIR/livekit_models.options,
                           DIR/agent/*.options, ...; a missing file means
                           nanopb's defaults: callbacks)
  LKPROTO_NO_PIN=1         accept any protoc / protoc-c / nanopb version (the
                           banners then name the versions used); the version
                           guards the generators write into their output stay,
                           and the C compiler enforces them
  LKPROTO_GENERATORS="protobuf-c nanopb"
                           generate only some of the two (default: both)
  PROTOC=PROG              protoc (default: protoc from PATH)
  PROTOC_C=PROG            protoc-c (default: protoc-c from PATH)
  NANOPB_GENERATOR=PROG    nanopb_generator.py, asked for nanopb's version
                           (default: from PATH)
  PROTOC_GEN_NANOPB=PROG   the nanopb protoc plugin
                           (default: /usr/bin/protoc-gen-nanopb)
  WELL_KNOWN_INCLUDE=DIR   where google/protobuf/*.proto are (/usr/include)
  LKPROTO_WORK_DIR=DIR     scratch folder (default: a temporary one)
  A program given with a '/' is a path (relative to the current folder); a
  bare name is looked up in PATH.

Outside this tree's own generated/ (or with LKPROTO_OPTIONS_DIR or
LKPROTO_NO_PIN) the banner of each file names the command that made it.
Exit status: 0 done, 1 a generator or check failed, 2 wrong usage.
USAGE
}
usage_error() {
  echo "generate: $*" >&2
  echo "usage: tools/generate.sh [--] OUT_DIR | --list | --help" >&2
  exit 2
}

list_only=
no_more_options=
args=()
for arg in "$@"; do
  if [[ -n $no_more_options ]]; then args+=("$arg"); continue; fi
  case $arg in
    -h | --help) usage; exit 0 ;;
    --list) list_only=1 ;;
    --) no_more_options=1 ;;
    -*) usage_error "unknown option '$arg' (tools/generate.sh --help prints the usage)" ;;
    *) args+=("$arg") ;;
  esac
done
if [[ -n $list_only ]]; then
  ((${#args[@]} == 0)) || usage_error "--list takes no OUT_DIR (got '${args[0]}')"
else
  ((${#args[@]} > 0)) || usage_error "no OUT_DIR given"
  ((${#args[@]} == 1)) || usage_error "one OUT_DIR only (got ${#args[@]}: ${args[*]})"
  out=${args[0]}
  [[ -n $out ]] || usage_error "OUT_DIR is empty"
fi

# Paths the caller gives are relative to the caller's folder: resolve them
# before the cd below.
caller=$PWD
caller_phys=$(pwd -P)
from_caller() { # a path the caller gave -> an absolute one
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$caller/$1" ;;
  esac
}
program() { # a program the caller gave: a path if it has a '/', else a name in PATH
  case $1 in
    */*) from_caller "$1" ;;
    *) printf '%s\n' "$1" ;;
  esac
}
script=$0
[[ $script == */* ]] || script=./$script # (bash generate.sh, from tools/)
script_dir=$(dirname -- "$script")
case $script_dir in # the tree's root, as the caller would name it (for the banners)
  .) tree_given=.. ;;
  tools) tree_given=. ;;
  */tools) tree_given=${script_dir%/tools} ;;
  *) tree_given=$script_dir/.. ;;
esac
cd "$script_dir/.."
root=$(pwd -P)
. tools/generator-versions.sh
[[ -n $tree_given ]] || tree_given=/

# Every file of the schema: livekit_*.proto and agent/*.proto (logger/ is
# dropped by derive-proto.py).
protos=$(cd protobufs && { ls livekit_*.proto; ls agent/*.proto 2>/dev/null || true; } | LC_ALL=C sort)
if [[ -n $list_only ]]; then
  for p in $WELL_KNOWN_PROTOS $protos; do echo "${p%.proto}"; done
  exit 0
fi

fail() { echo "generate: $*" >&2; exit 1; }

quote() { # a word for the shell, as short as it can be
  if [[ $1 =~ ^[A-Za-z0-9_./:=+,@%-]+$ ]]; then printf '%s' "$1"
  else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
# The command as the caller gave it, for the banners (before the programs
# are resolved below).
command=
for v in LKPROTO_OPTIONS_DIR LKPROTO_NO_PIN LKPROTO_GENERATORS PROTOC PROTOC_C NANOPB_GENERATOR \
         PROTOC_GEN_NANOPB WELL_KNOWN_INCLUDE; do
  if [[ -n ${!v:-} ]]; then command+="$v=$(quote "${!v}") "; fi
done

PROTOC=$(program "${PROTOC:-protoc}")
PROTOC_C=$(program "${PROTOC_C:-protoc-c}")
NANOPB_GENERATOR=$(program "${NANOPB_GENERATOR:-nanopb_generator.py}")
PROTOC_GEN_NANOPB=$(program "${PROTOC_GEN_NANOPB:-/usr/bin/protoc-gen-nanopb}")
generators=${LKPROTO_GENERATORS:-protobuf-c nanopb}
for g in $generators; do
  [[ $g == protobuf-c || $g == nanopb ]] || fail "LKPROTO_GENERATORS=$generators: '$g' is neither protobuf-c nor nanopb"
done
[[ -n ${generators// /} ]] || fail "LKPROTO_GENERATORS names no generator"
wkt_dir=$(from_caller "${WELL_KNOWN_INCLUDE:-/usr/include}")
options_dir=
if [[ -n ${LKPROTO_OPTIONS_DIR:-} ]]; then
  options_dir=$(from_caller "$LKPROTO_OPTIONS_DIR")
  [[ -d $options_dir ]] || fail "LKPROTO_OPTIONS_DIR=$LKPROTO_OPTIONS_DIR is not a folder (seen from $caller)"
  options_dir=$(cd "$options_dir" && pwd)
fi
if [[ -n ${LKPROTO_WORK_DIR:-} ]]; then
  work=$(from_caller "$LKPROTO_WORK_DIR")
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/lkproto-generate.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi

wants() { [[ " $generators " == *" $1 "* ]]; }
check_version() { # name, actual, pinned
  [[ "$2" == *"$3"* ]] || fail "$1 is '$2', the pinned version is '$3' (see tools/generator-versions.sh; LKPROTO_NO_PIN=1 accepts it)"
}
runnable() { # variable name, program
  command -v -- "$2" >/dev/null || fail "$1=${!1} cannot be run (not found)"
}
runnable PROTOC "$PROTOC"
v_protoc=$("$PROTOC" --version)
v_protoc_c='' v_nanopb=''
if wants protobuf-c; then
  runnable PROTOC_C "$PROTOC_C"
  v_protoc_c=$("$PROTOC_C" --version | sed -n 1p)
fi
if wants nanopb; then
  runnable NANOPB_GENERATOR "$NANOPB_GENERATOR"
  runnable PROTOC_GEN_NANOPB "$PROTOC_GEN_NANOPB"
  # protoc's --plugin wants a path, not a name in PATH
  PROTOC_GEN_NANOPB=$(command -v -- "$PROTOC_GEN_NANOPB")
  v_nanopb=$("$NANOPB_GENERATOR" --version 2>&1 | sed -n 1p)
fi
if [[ -n ${LKPROTO_NO_PIN:-} ]]; then
  # Name the versions actually used in the banners.
  PIN_PROTOC=$v_protoc
  wants nanopb && PIN_NANOPB=${v_nanopb#nanopb-}
  echo "generate: LKPROTO_NO_PIN: $v_protoc${v_protoc_c:+, $v_protoc_c}${v_nanopb:+, nanopb $PIN_NANOPB}" >&2
else
  check_version protoc "$v_protoc" "$PIN_PROTOC"
  wants protobuf-c && check_version protoc-c "$v_protoc_c" "$PIN_PROTOC_C"
  wants nanopb && check_version nanopb "$v_nanopb" "$PIN_NANOPB"
fi

mkdir -p -- "$(from_caller "$out")"
outabs=$(cd -- "$(from_caller "$out")" && pwd -P)

rm -rf "$work"/protobuf-c "$work"/nanopb
for mode in $generators; do
  python3 tools/derive-proto.py "$mode" protobufs "$work/$mode"
  if [[ $mode == nanopb && -n $options_dir ]]; then
    find "$work/$mode" -name '*.options' -delete
    # Same layout as protobufs/: agent/*.options, google/protobuf/*.options.
    ( cd "$options_dir" && find . -name '*.options' -print0 ) |
      while IFS= read -r -d '' o; do
        mkdir -p "$(dirname "$work/$mode/$o")"
        cp "$options_dir/$o" "$work/$mode/$o"
      done
  fi
  mkdir -p "$work/$mode/google/protobuf"
  for p in $WELL_KNOWN_PROTOS; do cp "$wkt_dir/$p" "$work/$mode/$p"; done
done

# Which banner: the one of the committed generated/ when this run is the
# project's own (from this tree's root or into its generated/, with the
# options of protobufs/ and the pinned generators: byte for byte what
# `make generate` writes); otherwise one that names the command that ran.
downstream=1
if [[ -z $options_dir && -z ${LKPROTO_NO_PIN:-} ]] &&
   [[ $outabs == "$root/generated" || $caller_phys == "$root" ]]; then
  downstream=
fi
comment_safe() { # no end of comment, no line break inside the banner
  local s=${1//\*\//*\\/}
  s=${s//$'\n'/?}
  printf '%s' "$s"
}
if [[ $out == -* ]]; then command+="$(quote "$script") -- $(quote "$out")"
else command+="$(quote "$script") $(quote "$out")"; fi
command=$(comment_safe "$command")
schema_given=$(comment_safe "${tree_given%/}/protobufs/")
[[ $tree_given == . ]] && schema_given=protobufs/
if [[ -n ${LKPROTO_OPTIONS_DIR:-} ]]; then
  npb_options="the nanopb options of $(comment_safe "$LKPROTO_OPTIONS_DIR")"
else
  npb_options="the nanopb options of $schema_given (the default)"
fi

# Put a banner on top of a generated file (generator, version, source).
banner() { # file, generator, source, options (nanopb) or ""
  local tmp="$1.tmp"
  {
    echo "/* lkproto: generated by $2 from $3 (tools/generate.sh)."
    if [[ -z $downstream ]]; then
      echo " * DO NOT EDIT: change the files in protobufs/ and run 'make generate'. */"
    else
      echo " * DO NOT EDIT: regenerated by tools/generate.sh from the schema in $schema_given${4:+ with $4};"
      echo " * rerun that command to change it:"
      echo " *   $command */"
    fi
    cat "$1"
  } >"$tmp"
  mv "$tmp" "$1"
}

for mode in $generators; do
  rm -rf "${outabs:?}/$mode"
  mkdir -p "$outabs/$mode"
done

if wants protobuf-c; then
  ( cd "$work/protobuf-c" && "$PROTOC_C" --c_out="$outabs/protobuf-c" $WELL_KNOWN_PROTOS $protos )
fi
if wants nanopb; then
  ( cd "$work/nanopb" && "$PROTOC" --plugin=protoc-gen-nanopb="$PROTOC_GEN_NANOPB" \
      --nanopb_out="$outabs/nanopb" $WELL_KNOWN_PROTOS $protos )
fi

# (Only the folders written now: an older OUT_DIR/protobuf-c/ left by a
# LKPROTO_GENERATORS=nanopb run keeps its one banner.)
written=()
for m in $generators; do written+=("$outabs/$m"); done
pc_version="protoc-c $(sed 's/^protobuf-c //' <<<"${v_protoc_c:-}") ($PIN_PROTOC)"
npb_version="nanopb $PIN_NANOPB ($PIN_PROTOC)"
while IFS= read -r f; do
  rel=${f#"$outabs/"}
  src=$(sed -E 's/\.(pb-c|pb)\.[ch]$/.proto/; s,^[^/]*/,,' <<<"$rel")
  case "$rel" in
    */google/*) src="$src (Debian libprotobuf-dev)" ;;
    *) src="protobufs/$src" ;;
  esac
  case "$rel" in
    protobuf-c/*) banner "$f" "$pc_version" "$src" "" ;;
    nanopb/*) banner "$f" "$npb_version" "$src" "$npb_options" ;;
  esac
done < <(find "${written[@]}" -type f \( -name '*.pb-c.[ch]' -o -name '*.pb.[ch]' \) | sort)
echo "generate: wrote" $(for m in $generators; do echo "$out/$m"; done)
