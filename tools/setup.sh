#!/usr/bin/env bash
# Install every build and test dependency that is missing, and nothing else.
#
# usage: tools/setup.sh [--with-size]
#   Debian packages come from apt-get (run as root, or with sudo available);
#   the npm packages of the interop tests come from tests/interop/package.json
#   and tests/token/package.json, each with its lock file (npm ci).  When
#   everything is present it changes nothing.
#   --with-size also installs the Cortex-M4 cross compiler used by `make size`.
set -euo pipefail
usage() {
  cat <<'USAGE'
usage: tools/setup.sh [--with-size]
       tools/setup.sh --help | -h
  Installs every build and test dependency that is missing, and nothing else:
  Debian packages with apt-get (as root, or with sudo), the npm packages of
  tests/interop, tests/token and tools/buf from their lock files (npm ci).
  When everything is present it changes nothing.  `make setup` runs it.
  --with-size   also the Cortex-M4 cross compiler of `make size`
                (gcc-arm-none-eabi, libnewlib-arm-none-eabi)
  --help, -h    print this text
USAGE
}
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "" | --with-size) ;;
  *) echo "setup.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."

packages=(
  make gcc clang pkg-config python3 valgrind
  protobuf-compiler libprotobuf-dev          # protoc and the well-known .proto files
  protobuf-c-compiler libprotobuf-c-dev      # protoc-c and the protobuf-c runtime
  nanopb libnanopb-dev                       # nanopb generator and runtime
  libcmocka-dev                              # unit tests
  cmake dpkg-dev                             # consumer tests (find_package, add_subdirectory), make deb
  libssl-dev                                 # liblktoken: HMAC-SHA256 (OpenSSL libcrypto)
  libjansson-dev                             # lkproto's JSON reader, liblktoken's JSON
  libclang-rt-14-dev llvm                    # clang's ASan/UBSan runtimes and libFuzzer; llvm-cov (make fuzz-coverage)
  nodejs npm                                 # interop tests (LiveKit's npm packages)
)
if [[ "${1:-}" == "--with-size" ]]; then
  packages+=(gcc-arm-none-eabi libnewlib-arm-none-eabi)
fi

missing=()
for p in "${packages[@]}"; do
  # node and npm may come from elsewhere than Debian (for example nodesource).
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages: all present"
fi

# npm packages, each folder exactly as its lock file says (npm ci); a stamp
# (a copy of the lock) makes a second run a no-op.
npm_install() { # folder, what it is for
  local dir=$1 lock=$1/package-lock.json stamp=$1/node_modules/.lkproto-lock
  if [[ -f "$stamp" ]] && cmp -s "$lock" "$stamp"; then
    echo "setup: npm packages ($dir, $2): all present"
  else
    echo "setup: installing npm packages from $lock ($2)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$lock" "$stamp"
  fi
}
npm_install tests/interop "LiveKit's @livekit/protocol, the reference of the interop tests"
npm_install tests/token "livekit-server-sdk, the reference of the token tests"
npm_install tools/buf "the buf CLI of make check-breaking"
