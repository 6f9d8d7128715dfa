#!/usr/bin/env bash
# packaging/install.sh - install, uninstall or list the files of the package.
#
# usage: packaging/install.sh install|uninstall|list
#
# Driven by `make install`, `make uninstall` and `make install-manifest`
# (packaging/packaging.mk), which pass everything in the environment:
#   DESTDIR prefix exec_prefix bindir libdir includedir mandir man1dir
#   pkgconfigdir cmakedir        GNU directory variables (DESTDIR may be empty)
#   VERSION                      release version (from lkattrs/version.h)
#   LKATTRS_ABI_MAJOR LKPROTO_ABI_MAJOR LKTOKEN_ABI_MAJOR LKJSON_ABI_MAJOR SIZEOF_VOID_P
#                                for the CMake files
#   STATIC_LIBS                  built static libraries (paths)
#   SHARED_LIBS                  built shared libraries, named by their SONAME
#   PROGRAMS  MAN1PAGES          programs and section-1 man pages
#   HEADER_DIRS                  "SRC_DIR:SUBDIR" pairs: the *.h under SRC_DIR
#                                go to $includedir/lkproto/SUBDIR/
#   WORK                         scratch folder for the .pc and CMake files
#
# Every library libNAME gets $pkgconfigdir/NAME.pc from packaging/NAME.pc.in.
# `list` prints every path `install` creates (files and symlinks), one a line,
# without DESTDIR: `uninstall` removes exactly those, then the folders of the
# project ($includedir/lkproto, $cmakedir) when they are left empty.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:?usage: packaging/install.sh install|uninstall|list}
: "${prefix:?}" "${exec_prefix:?}" "${bindir:?}" "${libdir:?}" "${includedir:?}"
: "${man1dir:?}" "${pkgconfigdir:?}" "${cmakedir:?}" "${VERSION:?}" "${WORK:?}"
DESTDIR=${DESTDIR:-}
pkgincludedir=$includedir/lkproto

fail() { echo "install.sh: $*" >&2; exit 1; }

# --- what is installed: "KIND SOURCE DEST" lines -----------------------------
# KIND: file644, file755, link (SOURCE is the link's target), gen (SOURCE is a
# file made below in $WORK).
plan() {
  local f d src sub name
  for f in ${STATIC_LIBS:-}; do echo "file644 $f $libdir/$(basename "$f")"; done
  for f in ${SHARED_LIBS:-}; do
    name=$(basename "$f")
    echo "file755 $f $libdir/$name"
    echo "link $name $libdir/${name%%.so.*}.so"
  done
  for f in ${STATIC_LIBS:-} ${SHARED_LIBS:-}; do
    name=$(basename "$f"); name=${name#lib}; name=${name%%.*}
    echo "gen $name.pc $pkgconfigdir/$name.pc"
  done | sort -u
  for d in ${HEADER_DIRS:-}; do
    src=${d%%:*}; sub=${d#*:}
    [[ -d $src ]] || fail "header folder $src is missing"
    while IFS= read -r f; do
      echo "file644 $src/$f $pkgincludedir/$sub/$f"
    done < <(cd "$src" && find . -name '*.h' -printf '%P\n' | LC_ALL=C sort)
  done
  for f in ${PROGRAMS:-}; do echo "file755 $f $bindir/$(basename "$f")"; done
  for f in ${MAN1PAGES:-}; do echo "file644 $f $man1dir/$(basename "$f")"; done
  echo "gen lkprotoConfig.cmake $cmakedir/lkprotoConfig.cmake"
  echo "gen lkprotoConfigVersion.cmake $cmakedir/lkprotoConfigVersion.cmake"
}

# --- the generated text files ------------------------------------------------
# A directory below $prefix is written as ${prefix}/... in the .pc files, so
# `pkg-config --define-prefix` and sysroots work.
pcdir() { # path
  case "$1" in
    "$prefix"/*) printf '${prefix}/%s' "${1#"$prefix"/}" ;;
    *) printf '%s' "$1" ;;
  esac
}
relpath() { # from-dir to-path
  realpath -m --relative-to="$1" "$2"
}

generate() {
  mkdir -p "$WORK"
  local name in
  while read -r kind src _; do
    [[ $kind == gen ]] || continue
    case "$src" in
      *.pc)
        name=${src%.pc}
        in=packaging/$name.pc.in
        [[ -f $in ]] || fail "lib$name is built but $in is missing: write it"
        sed -e "s|@prefix@|$prefix|g" \
            -e "s|@exec_prefix@|$(pcdir "$exec_prefix")|g" \
            -e "s|@libdir@|$(pcdir "$libdir")|g" \
            -e "s|@includedir@|$(pcdir "$includedir")|g" \
            -e "s|@VERSION@|$VERSION|g" "$in" >"$WORK/$src" ;;
      *.cmake)
        sed -e "s|@VERSION@|$VERSION|g" \
            -e "s|@LKATTRS_ABI_MAJOR@|${LKATTRS_ABI_MAJOR:?}|g" \
            -e "s|@LKPROTO_ABI_MAJOR@|${LKPROTO_ABI_MAJOR:?}|g" \
            -e "s|@LKTOKEN_ABI_MAJOR@|${LKTOKEN_ABI_MAJOR:-0}|g" \
            -e "s|@LKJSON_ABI_MAJOR@|${LKJSON_ABI_MAJOR:-0}|g" \
            -e "s|@SIZEOF_VOID_P@|${SIZEOF_VOID_P:?}|g" \
            -e "s|@REL_LIBDIR@|$(relpath "$cmakedir" "$libdir")|g" \
            -e "s|@REL_INCLUDEDIR@|$(relpath "$cmakedir" "$includedir")|g" \
            "packaging/$src.in" >"$WORK/$src" ;;
    esac
  done < <(plan)
}

case "$mode" in
  list)
    plan | awk '{print $3}' ;;
  install)
    generate
    while read -r kind src dest; do
      d=$DESTDIR$dest
      mkdir -p "$(dirname "$d")"
      case $kind in
        file644) install -m 644 "$src" "$d" ;;
        file755) install -m 755 "$src" "$d" ;;
        gen) install -m 644 "$WORK/$src" "$d" ;;
        link) ln -sfn "$src" "$d" ;;
      esac
      echo "  installed $d"
    done < <(plan) ;;
  uninstall)
    while read -r _ _ dest; do
      d=$DESTDIR$dest
      if [[ -e $d || -L $d ]]; then rm -f "$d"; echo "  removed $d"; fi
    done < <(plan)
    # The project's own folders, when nothing else is left in them.
    for d in "$DESTDIR$pkgincludedir" "$DESTDIR$cmakedir"; do
      if [[ -d $d ]]; then
        find "$d" -depth -type d -print0 | xargs -0 -r rmdir --ignore-fail-on-non-empty 2>/dev/null || true
      fi
    done
    # Parents of $cmakedir that only it used (e.g. lib/cmake).
    d=$(dirname "$DESTDIR$cmakedir")
    [[ -d $d ]] && rmdir --ignore-fail-on-non-empty "$d"
    true ;;
  *) fail "unknown mode $mode" ;;
esac
