#!/usr/bin/env bash
# tests/packaging/check-version.sh - one version everywhere.
#
# usage: check-version.sh WORK_DIR   (run by `make check-version`; environment
#        from packaging.mk: MAKE CC BUILD VERSION LKATTRS_ABI_MAJOR LKPROTO_BIN)
#
# The release version of lkattrs/version.h (the one source of truth) must be
# what the Makefile computes, what every installed .pc says, what the CMake
# version file accepts exactly (and what it refuses: another major, another
# minor while the major is 0, a newer version), what the linked shared
# library reports (lkattrs_version_string/number), what liblktoken.so and
# lktoken/token.h say, what lkproto --version
# prints, and what CMakeLists.txt (add_subdirectory) reads.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$1
make=${MAKE:-make}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
fails=0
ok() { echo "check-version: ok: $*"; }
bad() { echo "check-version: FAIL: $*"; fails=$((fails + 1)); }

h=libattrs/include/lkattrs/version.h
part() { sed -n "s/^#define LKATTRS_$1 \([0-9]*\)$/\1/p" "$h"; }
hv=$(part VERSION_MAJOR).$(part VERSION_MINOR).$(part VERSION_PATCH)
IFS=. read -r major minor patch <<<"$hv"
[[ $hv == "$VERSION" ]] && ok "version.h $hv = Makefile $VERSION" || bad "version.h $hv, Makefile $VERSION"
[[ $(part ABI_MAJOR) == "$LKATTRS_ABI_MAJOR" ]] && ok "LKATTRS_ABI_MAJOR $LKATTRS_ABI_MAJOR = Makefile" ||
  bad "LKATTRS_ABI_MAJOR $(part ABI_MAJOR), Makefile $LKATTRS_ABI_MAJOR"

# The installed .pc and CMake files.
stage=$work/stage
$make --no-print-directory -s install DESTDIR="$stage" prefix=/usr >/dev/null
for pc in "$stage"/usr/lib/pkgconfig/*.pc; do
  v=$(PKG_CONFIG_PATH=$stage/usr/lib/pkgconfig pkg-config --modversion "$(basename "$pc" .pc)")
  [[ $v == "$VERSION" ]] && ok "$(basename "$pc"): $v" || bad "$(basename "$pc"): $v"
done
vf=$stage/usr/lib/cmake/lkproto/lkprotoConfigVersion.cmake
printf 'include("%s")\nmessage("${PACKAGE_VERSION_COMPATIBLE} ${PACKAGE_VERSION_EXACT}")\n' "$vf" >"$work/ask.cmake"
ask() { # version -> "COMPATIBLE EXACT" as the version file answers
  local v=$1 M m
  IFS=. read -r M m _ <<<"$v"
  cmake -DPACKAGE_FIND_VERSION="$v" -DPACKAGE_FIND_VERSION_MAJOR="$M" -DPACKAGE_FIND_VERSION_MINOR="${m:-0}" \
    -DPACKAGE_FIND_VERSION_COUNT="$(tr . '\n' <<<"$v" | wc -l)" -DCMAKE_SIZEOF_VOID_P="$(getconf LONG_BIT | sed 's/64/8/;s/32/4/')" \
    -P "$work/ask.cmake" 2>&1
}
expect() { # version, expected answer
  local got; got=$(ask "$1")
  [[ $got == "$2"* ]] && ok "lkprotoConfigVersion.cmake: find_package(lkproto $1) -> $got" ||
    bad "lkprotoConfigVersion.cmake: find_package(lkproto $1) -> '$got', expected '$2'"
}
expect "$VERSION" "TRUE TRUE"
expect "$((major + 1)).0" "FALSE"
expect "$major.$minor.$((patch + 1))" "FALSE"
if ((major == 0)); then expect "0.$((minor + 1))" "FALSE"; fi
if ((patch > 0 || minor > 0)); then expect "$major.0" "$( ((major == 0 && minor > 0)) && echo FALSE || echo TRUE)"; fi

# The linked library.
cat >"$work/v.c" <<'EOF'
#include <stdio.h>
#include <lkattrs/info.h>
int main(void) {
  unsigned n = lkattrs_version_number();
  printf("%s %u %u.%u.%u\n", lkattrs_version_string(), n, n / 10000, n / 100 % 100, n % 100);
  return 0;
}
EOF
lib=$stage/usr/lib
"${CC:-cc}" -std=c11 -Wall -Werror -I"$stage/usr/include/lkproto" "$work/v.c" -o "$work/v" -L"$lib" -llkattrs
got=$(LD_LIBRARY_PATH=$lib "$work/v")
want="$VERSION $((major * 10000 + minor * 100 + patch)) $VERSION"
[[ $got == "$want" ]] && ok "liblkattrs.so: $got" || bad "liblkattrs.so reports '$got', expected '$want'"

# The linked liblktoken.so, and the version its header states.
if [[ -e $lib/liblktoken.so ]]; then
  cat >"$work/t.c" <<'EOF2'
#include <stdio.h>
#include <lktoken/token.h>
int main(void) { printf("%s %s\n", lktoken_version_string(), LKTOKEN_VERSION_STRING); return 0; }
EOF2
  if "${CC:-cc}" -std=c11 -Wall -Werror -I"$stage/usr/include/lkproto" "$work/t.c" -o "$work/t" -L"$lib" -llktoken \
       -llkattrs 2>"$work/t.log"; then
    got=$(LD_LIBRARY_PATH=$lib "$work/t")
    [[ $got == "$VERSION $VERSION" ]] && ok "liblktoken.so and lktoken/token.h: $VERSION" ||
      bad "liblktoken.so / LKTOKEN_VERSION_STRING report '$got', expected '$VERSION $VERSION'"
  else
    cat "$work/t.log"; bad "could not link against the installed liblktoken.so"
  fi
fi

# The linked liblkjson.so, and the version its header states.
if [[ -e $lib/liblkjson.so ]]; then
  cat >"$work/j.c" <<'EOF2'
#include <stdio.h>
#include <lkjson/json.h>
int main(void) { printf("%s %s\n", lkjson_version_string(), LKJSON_VERSION_STRING); return 0; }
EOF2
  if "${CC:-cc}" -std=c11 -Wall -Werror -I"$stage/usr/include/lkproto" "$work/j.c" -o "$work/j" -L"$lib" -llkjson -llkproto \
       2>"$work/j.log"; then
    got=$(LD_LIBRARY_PATH=$lib "$work/j")
    [[ $got == "$VERSION $VERSION" ]] && ok "liblkjson.so and lkjson/json.h: $VERSION" ||
      bad "liblkjson.so / LKJSON_VERSION_STRING report '$got', expected '$VERSION $VERSION'"
  else
    cat "$work/j.log"; bad "could not link against the installed liblkjson.so"
  fi
fi

# The tool.
if [[ -n ${LKPROTO_BIN:-} && -x ${LKPROTO_BIN} ]]; then
  v=$("$LKPROTO_BIN" --version 2>&1 || true)
  [[ $v == "lkproto $VERSION"* ]] && ok "lkproto --version: $v" || bad "lkproto --version: '$v'"
fi

# CMakeLists.txt (add_subdirectory) reads the same header.
if cmake -S . -B "$work/cmake" -DLKPROTO_PROTOBUF_C=OFF -DLKPROTO_NANOPB=OFF >"$work/cmake.log" 2>&1; then
  v=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$work/cmake/CMakeCache.txt")
  [[ $v == "$VERSION" ]] && ok "CMakeLists.txt project version: $v" || bad "CMakeLists.txt project version: '$v'"
else
  cat "$work/cmake.log"; bad "cmake could not configure CMakeLists.txt"
fi

((fails == 0)) || { echo "check-version: $fails failed"; exit 1; }
echo "check-version: all passed"
