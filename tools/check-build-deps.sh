#!/usr/bin/env bash
# tools/check-build-deps.sh - are the build dependencies of `make all` (or
# the generators of `make generate`) there?
#
# usage: CC=cc tools/check-build-deps.sh   (run once per build folder by the
#        top-level Makefile, before the first object is compiled)
#        tools/check-build-deps.sh --generators   (run by `make generate`)
#
# Checks the compiler, the headers and the libraries the libraries and tools
# are built with (or the generators), and installs nothing: when one is
# missing it says which (and its Debian package) and names `make setup`,
# which installs it.
set -uo pipefail
usage() {
  cat <<'EOF'
usage: [CC=cc] tools/check-build-deps.sh [--generators]
  Checks that what a build needs is installed, installs nothing; when one is
  missing, names it, its Debian package and `make setup`, and exits 1.
  (no option)    the compiler CC, and the headers and libraries of `make all`
                 (protobuf-c, nanopb, jansson, OpenSSL libcrypto)
  --generators   the generators of `make generate` (python3, protoc, protoc-c,
                 nanopb_generator.py, protoc-gen-nanopb, the well-known
                 .proto files), as tools/generate.sh finds them: PROTOC,
                 PROTOC_C, NANOPB_GENERATOR, PROTOC_GEN_NANOPB and
                 WELL_KNOWN_INCLUDE are honoured
  -h, --help     this text
EOF
}
missing=()
case ${1:-} in
  -h | --help) usage; exit 0 ;;
  --generators)
    # program  Debian package
    gens=(
      "python3 python3"
      "${PROTOC:-protoc} protobuf-compiler"
      "${PROTOC_C:-protoc-c} protobuf-c-compiler"
      "${NANOPB_GENERATOR:-nanopb_generator.py} nanopb"
      "${PROTOC_GEN_NANOPB:-/usr/bin/protoc-gen-nanopb} nanopb"
    )
    for g in "${gens[@]}"; do
      read -r prog pkg <<<"$g"
      command -v -- "$prog" >/dev/null 2>&1 || missing+=("$pkg ($prog)")
    done
    wkt=${WELL_KNOWN_INCLUDE:-/usr/include}/google/protobuf/timestamp.proto
    [[ -f $wkt ]] || missing+=("libprotobuf-dev ($wkt)")
    if ((${#missing[@]})); then
      echo "make: missing generators: ${missing[*]}" >&2
      echo "make: run 'make setup' first: it installs them (generating never installs anything)." >&2
      exit 1
    fi
    exit 0 ;;
  "") ;;
  *) echo "check-build-deps.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
esac
cc=${CC:-cc}

if ! command -v "${cc%% *}" >/dev/null 2>&1; then
  echo "make: the C compiler '$cc' is not installed." >&2
  echo "make: run 'make setup' first (it installs the build dependencies), or set CC." >&2
  exit 1
fi

# header  library  Debian package
deps=(
  "protobuf-c/protobuf-c.h protobuf-c libprotobuf-c-dev"
  "pb.h protobuf-nanopb libnanopb-dev"
  "jansson.h jansson libjansson-dev"
  "openssl/hmac.h crypto libssl-dev"
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in "${deps[@]}"; do
  read -r header lib pkg <<<"$d"
  printf '#include <%s>\nint main(void) { return 0; }\n' "$header" >"$tmp/t.c"
  if ! $cc -c "$tmp/t.c" -o "$tmp/t.o" >/dev/null 2>&1; then
    missing+=("$pkg (<$header>)")
  elif ! $cc "$tmp/t.o" -o "$tmp/t" "-l$lib" >/dev/null 2>&1; then
    missing+=("$pkg (-l$lib)")
  fi
done

if ((${#missing[@]})); then
  echo "make: missing build dependencies: ${missing[*]}" >&2
  echo "make: run 'make setup' first: it installs them (building never installs anything)." >&2
  exit 1
fi
