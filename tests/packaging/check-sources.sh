#!/usr/bin/env bash
# tests/packaging/check-sources.sh - the one list of sources per library.
#
# usage: check-sources.sh WORK_DIR   (run by `make check-sources`; MAKE from
#        packaging.mk)
#
# libattrs/, libtoken/ and libjson/sources.list ("KIND PATH" lines) are the
# one list of each library's sources, include folders and libraries (and
# libproto/sources.list, of the generated code: section 3).  Fails
#   1. when a .c under libattrs/src, libattrs/adapters, libtoken/src or libjson/src is not
#      named by its list, when a list names a missing file or folder, names a
#      path twice, or has a line of an unknown kind;
#   2. when the views of the lists differ: the Makefile's (make print-sources),
#      the vendoring fragment's (lkproto.mk included by a scratch Makefile) and
#      CMake's (the targets' SOURCES and include folders, from a scratch
#      project that add_subdirectory()s the tree).
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
work=$1
make=${MAKE:-make}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
fails=0
ok() { echo "check-sources: ok: $*"; }
bad() { echo "check-sources: FAIL: $*"; fails=$((fails + 1)); }

# The lists themselves, as "LIBRARY KIND PATH" lines (comments and blank lines
# dropped).
declare -A kinds=([libattrs]="src protobufc nanopb include private" [libtoken]="src include private lib"
                  [libjson]="src include private lib")
declare -A globs=([libattrs]="libattrs/src/*/*.c libattrs/adapters/*.c" [libtoken]="libtoken/src/*.c"
                  [libjson]="libjson/src/*.c")
: >"$work/list"
for lib in libattrs libtoken libjson; do
  f=$lib/sources.list
  n=0
  while read -r kind path rest; do
    [[ -z $kind || $kind == \#* ]] && continue
    n=$((n + 1))
    if [[ -n $rest || -z $path ]]; then bad "$f: not a \"KIND PATH\" line: $kind $path $rest"; continue; fi
    [[ " ${kinds[$lib]} " == *" $kind "* ]] || bad "$f: unknown kind '$kind' (known: ${kinds[$lib]})"
    case $kind in
      src | protobufc | nanopb) [[ -f $path ]] || bad "$f names a missing file: $path" ;;
      include | private) [[ -d $path ]] || bad "$f names a missing folder: $path" ;;
    esac
    echo "$lib $kind $path" >>"$work/list"
  done <"$f"
  dups=$(grep "^$lib " "$work/list" | awk '{print $3}' | sort | uniq -d)
  [[ -z $dups ]] || bad "$f names twice: $dups"
  # shellcheck disable=SC2086  # the globs
  for c in ${globs[$lib]}; do
    [[ -e $c ]] || continue
    grep -qxE "$lib (src|protobufc|nanopb) $c" "$work/list" || bad "$c is not named by $f"
  done
  ok "$f: $n entries, every named path exists, every source of ${globs[$lib]} named"
done

# What a view should show: the list's lines of these kinds, sorted.
expect() { grep -E "^[a-z]+ ($1) " "$work/list" | sort; }
compare() { # label, file with the view, kinds
  if diff <(expect "$3") <(sort "$2") >"$2.diff"; then
    ok "$1 reads the lists ($(wc -l <"$2") entries)"
  else
    bad "$1 does not read the lists (< list, > $1):"; cat "$2.diff"
  fi
}

# 2a. The Makefile.
"$make" --no-print-directory -s BUILD="$work/build" print-sources >"$work/make" 2>"$work/make.err" ||
  { cat "$work/make.err"; bad "make print-sources failed"; }
compare "the Makefile" "$work/make" "src|protobufc|nanopb|include|private|lib"

# 2b. lkproto.mk (no private folders: a vendoring project needs none).
cat >"$work/vendor.mk" <<EOF
LKPROTO_DIR := $top
include \$(LKPROTO_DIR)/lkproto.mk
show = \$(foreach p,\$(patsubst -I%,%,\$(1)),echo "\$(2) \$(patsubst $top/%,%,\$(p))";)
print:
	@\$(call show,\$(LKPROTO_LKATTRS_SRC),libattrs src) \\
	 \$(call show,\$(LKPROTO_LKATTRS_PROTOBUFC_SRC),libattrs protobufc) \\
	 \$(call show,\$(LKPROTO_LKATTRS_NANOPB_SRC),libattrs nanopb) \\
	 \$(call show,\$(LKPROTO_LKATTRS_CFLAGS),libattrs include) \\
	 \$(call show,\$(LKPROTO_LKTOKEN_SRC),libtoken src) \\
	 \$(call show,\$(filter-out \$(LKPROTO_LKATTRS_CFLAGS),\$(LKPROTO_LKTOKEN_CFLAGS)),libtoken include) \\
	 \$(call show,\$(LKPROTO_LKTOKEN_LIBS),libtoken lib) \\
	 \$(call show,\$(LKPROTO_LKJSON_SRC),libjson src) \\
	 \$(call show,\$(LKPROTO_LKJSON_CFLAGS),libjson include) \\
	 \$(call show,\$(LKPROTO_LKJSON_LIBS),libjson lib) true
EOF
"$make" --no-print-directory -s -f "$work/vendor.mk" print >"$work/vendor" 2>"$work/vendor.err" ||
  { cat "$work/vendor.err"; bad "lkproto.mk: printing its variables failed"; }
compare "lkproto.mk" "$work/vendor" "src|protobufc|nanopb|include|lib"

# 2c. CMake (libraries are found by CMake, not listed: no lib lines).
mkdir -p "$work/cmake-src"
cat >"$work/cmake-src/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.13)
project(check_sources C)
add_subdirectory("$top" lkproto)
function(show lib kind target prop)
  if(TARGET \${target})
    get_target_property(_v \${target} \${prop})
    get_target_property(_pub \${target} INTERFACE_INCLUDE_DIRECTORIES)
    foreach(_p \${_v})
      if(kind STREQUAL "private" AND _p IN_LIST _pub)
        continue()
      endif()
      file(RELATIVE_PATH _r "$top" "\${_p}")
      file(APPEND "$work/cmake" "\${lib} \${kind} \${_r}\n")
    endforeach()
  else()
    file(APPEND "$work/cmake" "no target \${target}\n")
  endif()
endfunction()
file(WRITE "$work/cmake" "")
show(libattrs src lkproto_lkattrs SOURCES)
show(libattrs protobufc lkproto_lkattrs_protobufc SOURCES)
show(libattrs nanopb lkproto_lkattrs_nanopb SOURCES)
show(libattrs include lkproto_lkattrs INTERFACE_INCLUDE_DIRECTORIES)
show(libattrs private lkproto_lkattrs INCLUDE_DIRECTORIES)
show(libtoken src lkproto_lktoken SOURCES)
show(libtoken include lkproto_lktoken INTERFACE_INCLUDE_DIRECTORIES)
show(libtoken private lkproto_lktoken INCLUDE_DIRECTORIES)
show(libjson src lkproto_lkjson SOURCES)
show(libjson include lkproto_lkjson INTERFACE_INCLUDE_DIRECTORIES)
show(libjson private lkproto_lkjson INCLUDE_DIRECTORIES)
EOF
if cmake -S "$work/cmake-src" -B "$work/cmake-build" >"$work/cmake.log" 2>&1; then
  # INCLUDE_DIRECTORIES of lktoken may also hold jansson's folder (outside the
  # tree); lkjson's SOURCES also hold its type table, generated in the build
  # folder (not a list entry).
  grep -v -e ' \.\./' -e "^libjson src ${work#"$top"/}/cmake-build/" "$work/cmake" >"$work/cmake.in-tree" || true
  compare "CMakeLists.txt" "$work/cmake.in-tree" "src|protobufc|nanopb|include|private"
else
  cat "$work/cmake.log"; bad "cmake configure of a project that add_subdirectory()s the tree failed"
fi

# 3. libproto/sources.list: the generated-code libraries.  Their files are
#    many and change with the schema, so the list names their folder
#    ("generated DIR", which must hold protobuf-c/ or nanopb/ code) and the
#    runtimes ("pbc-lib", "npb-lib"); the Makefile (make print-sources-libproto),
#    lkproto.mk (LKPROTO_GENERATED, LKPROTO_PBC_LIBS, LKPROTO_NPB_LIBS) and
#    CMake (LKPROTO_GENERATED_DIR's default) read it.
lp=libproto/sources.list
: >"$work/libproto.list"
while read -r kind path rest; do
  [[ -z $kind || $kind == \#* ]] && continue
  if [[ -n $rest || -z $path ]]; then bad "$lp: not a \"KIND PATH\" line: $kind $path $rest"; continue; fi
  case $kind in
    generated) [[ -d $path/protobuf-c || -d $path/nanopb ]] ||
      bad "$lp names a folder without protobuf-c/ or nanopb/ generated code: $path" ;;
    pbc-lib | npb-lib) ;;
    *) bad "$lp: unknown kind '$kind' (known: generated pbc-lib npb-lib)" ;;
  esac
  echo "libproto $kind $path" >>"$work/libproto.list"
done <"$lp"
[[ $(grep -c ' generated ' "$work/libproto.list") == 1 ]] || bad "$lp must name one generated folder"
ok "$lp: $(wc -l <"$work/libproto.list") entries, the generated folder has code"
lp_compare() { # label, file with the view, kinds
  if diff <(grep -E "^libproto ($3) " "$work/libproto.list" | sort) <(sort "$2") >"$2.diff"; then
    ok "$1 reads $lp ($(wc -l <"$2") entries)"
  else
    bad "$1 does not read $lp (< list, > $1):"; cat "$2.diff"
  fi
}
"$make" --no-print-directory -s BUILD="$work/build" print-sources-libproto >"$work/make-libproto" 2>&1 ||
  bad "make print-sources-libproto failed"
lp_compare "the Makefile" "$work/make-libproto" "generated|pbc-lib|npb-lib"
cat >"$work/vendor-libproto.mk" <<EOF
LKPROTO_DIR := $top
include \$(LKPROTO_DIR)/lkproto.mk
print:
	@echo "libproto generated \$(patsubst $top/%,%,\$(LKPROTO_GENERATED))"
	@\$(foreach l,\$(LKPROTO_PBC_LIBS),echo "libproto pbc-lib \$(l)";) \$(foreach l,\$(LKPROTO_NPB_LIBS),echo "libproto npb-lib \$(l)";) true
EOF
"$make" --no-print-directory -s -f "$work/vendor-libproto.mk" print >"$work/vendor-libproto" 2>&1 ||
  bad "lkproto.mk: printing LKPROTO_GENERATED failed"
lp_compare "lkproto.mk" "$work/vendor-libproto" "generated|pbc-lib|npb-lib"
g=$(sed -n 's|^LKPROTO_GENERATED_DIR:PATH=||p' "$work/cmake-build/CMakeCache.txt" 2>/dev/null)
echo "libproto generated $(realpath -ms --relative-to="$top" "${g:-/nowhere}")" >"$work/cmake-libproto"
lp_compare "CMakeLists.txt" "$work/cmake-libproto" "generated"

((fails == 0)) || { echo "check-sources: $fails failed"; exit 1; }
echo "check-sources: all passed"
