#!/usr/bin/env bash
# tools/check-build-deps.sh - are the build dependencies of `make all` there?
#
# usage: CC=cc tools/check-build-deps.sh   (run once per build folder by the
#        top-level Makefile, before the first object is compiled)
#
# Checks the compiler, the headers and the libraries the libraries and tools
# are built with, and installs nothing: when one is missing it says which
# (and its Debian package) and names `make setup`, which installs it.
set -uo pipefail
cc=${CC:-cc}
missing=()

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
