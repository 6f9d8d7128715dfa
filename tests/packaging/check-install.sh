#!/usr/bin/env bash
# tests/packaging/check-install.sh - `make install` as a user meets it.
#
# usage: check-install.sh WORK_DIR   (run by `make check-install`; environment
#        from packaging.mk: MAKE CC VERSION LKATTRS_ABI_MAJOR LKPROTO_ABI_MAJOR
#        LKPROTO_BIN LKTOKEN_BIN INSTALL_MANIFEST)
#
# Installs into WORK_DIR/stage (DESTDIR, default prefix /usr/local), then:
#   - the installed files are exactly the committed manifest;
#   - `pkg-config --validate` accepts every .pc;
#   - each shared library has the SONAME of its ABI major, and its dev symlink;
#   - a consumer built with `pkg-config --cflags --libs` runs, linked to the
#     installed shared libraries;
#   - a consumer built with CMake find_package() runs (shared and static);
#   - consumers of libattrs' adapters (pkg-config, CMake shared and static);
#   - liblktoken consumers (pkg-config shared and --static, CMake
#     lkproto::lktoken shared and static) link and run;
#   - liblkjson consumers (pkg-config shared and --static, CMake
#     lkproto::lkjson) link and run;
#   - the installed lktoken has its man page;
#   - the installed lkproto prints the version (when the tool is built);
#   - `make uninstall` leaves nothing behind, and keeps files it did not install.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$1
make=${MAKE:-make}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
stage=$work/stage
prefix=/usr/local
libdir=$stage$prefix/lib
fails=0
ok() { echo "check-install: ok: $*"; }
bad() { echo "check-install: FAIL: $*"; fails=$((fails + 1)); }

# A file that is not ours, in a folder install also uses: it must survive.
mkdir -p "$stage$prefix/include" && echo '/* not ours */' >"$stage$prefix/include/other.h"

$make --no-print-directory -s install DESTDIR="$stage" prefix=$prefix >"$work/install.log"
ok "make install DESTDIR=$stage ($(grep -c installed "$work/install.log") files)"

# --- manifest -------------------------------------------------------------------
(cd "$stage" && find . \( -type f -o -type l \) ! -name other.h -printf '/%P\n' | LC_ALL=C sort) >"$work/installed.txt"
LC_ALL=C sort "$INSTALL_MANIFEST" >"$work/manifest.txt"
if diff -u --label "$INSTALL_MANIFEST (committed)" --label "installed" "$work/manifest.txt" "$work/installed.txt"; then
  ok "installed files = $INSTALL_MANIFEST ($(wc -l <"$work/installed.txt") paths)"
else
  bad "installed files differ from $INSTALL_MANIFEST (- committed, + installed): run 'make update-symbols' after a deliberate change, review, commit"
fi

# --- pkg-config -----------------------------------------------------------------
export PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage
for pc in "$libdir"/pkgconfig/*.pc; do
  name=$(basename "$pc" .pc)
  if pkg-config --validate "$pc" && [[ $(pkg-config --modversion "$name") == "$VERSION" ]]; then
    ok "pkg-config --validate $name.pc, version $VERSION"
  else
    bad "$name.pc: invalid or not version $VERSION"
  fi
done

# --- SONAMEs --------------------------------------------------------------------
for so in liblkattrs.so."$LKATTRS_ABI_MAJOR" liblkproto.so."$LKPROTO_ABI_MAJOR" \
          $(cd "$libdir" && ls liblkattrs-*.so.* liblktoken.so.* liblkjson.so.* 2>/dev/null); do
  soname=$(readelf -d "$libdir/$so" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
  link=$(readlink "$libdir/${so%%.so.*}.so" || true)
  if [[ $soname == "$so" && $link == "$so" ]]; then
    ok "$so: SONAME $soname, ${so%%.so.*}.so -> $link"
  else
    bad "$so: SONAME '$soname', ${so%%.so.*}.so -> '$link'"
  fi
done

# --- a consumer built with pkg-config -------------------------------------------
mkdir -p "$work/pkg-config"
if $make --no-print-directory -s -C tests/consumers/pkg-config O="$work/pkg-config" CC="${CC:-cc}" >"$work/pkg-config.log" 2>&1 &&
   out=$(LD_LIBRARY_PATH=$libdir "$work/pkg-config/consumer") &&
   [[ $out == "consumer: ok $VERSION" ]]; then
  ok "pkg-config consumer: $(pkg-config --libs lkattrs lkproto lkproto-nanopb | sed "s|$stage||g"): $out"
else
  cat "$work/pkg-config.log"; bad "pkg-config consumer did not build or run (${out:-no output})"
fi
# It runs with the installed shared libraries, not copies from build/.
resolved=$(LD_LIBRARY_PATH=$libdir ldd "$work/pkg-config/consumer" 2>/dev/null | awk '/liblk/ {print $3}')
if [[ -n $resolved ]] && ! grep -qv "^$libdir/" <<<"$resolved"; then
  ok "pkg-config consumer links $(echo $resolved | sed "s|$libdir/||g") from the staged libdir"
else
  bad "pkg-config consumer resolves: $resolved"
fi
# libattrs' adapters with pkg-config (lkattrs-protobufc shared, lkattrs-nanopb static).
if $make --no-print-directory -s -C tests/consumers/pkg-config O="$work/pkg-config" CC="${CC:-cc}" adapters \
     >"$work/pkg-config-adapters.log" 2>&1 &&
   out=$(LD_LIBRARY_PATH=$libdir "$work/pkg-config/adapters-consumer") && [[ $out == "consumer: ok $VERSION" ]]; then
  needed=$(readelf -d "$work/pkg-config/adapters-consumer" | sed -n 's/.*Shared library: \[\(liblk[^]]*\)\]/\1/p' | xargs)
  [[ $needed == *liblkattrs-protobufc.so.* ]] &&
    ok "pkg-config adapters consumer (lkattrs-protobufc lkattrs-nanopb; NEEDED: $needed): $out" ||
    bad "pkg-config adapters consumer links '$needed'"
else
  cat "$work/pkg-config-adapters.log"; bad "pkg-config adapters consumer did not build or run (${out:-no output})"
fi
# liblktoken with pkg-config: shared (lktoken.pc names lkattrs), and static
# (--static adds jansson and libcrypto from Requires.private).
if [[ -e $libdir/liblktoken.a ]]; then
  if $make --no-print-directory -s -C tests/consumers/pkg-config O="$work/pkg-config" CC="${CC:-cc}" lktoken \
       >"$work/pkg-config-lktoken.log" 2>&1; then
    for v in lktoken-consumer lktoken-consumer-static; do
      needed=$(readelf -d "$work/pkg-config/$v" | sed -n 's/.*Shared library: \[\(liblk[^]]*\)\]/\1/p' | xargs)
      if out=$(LD_LIBRARY_PATH=$libdir "$work/pkg-config/$v") && [[ $out == "consumer: ok $VERSION" ]] &&
         { [[ $v == *-static && -z $needed ]] || [[ $v != *-static && $needed == *liblktoken.so.* ]]; }; then
        ok "pkg-config lktoken consumer${v#lktoken-consumer} (NEEDED: ${needed:-none of ours}): $out"
      else
        bad "pkg-config lktoken consumer${v#lktoken-consumer}: NEEDED '$needed', output ${out:-none}"
      fi
    done
  else
    cat "$work/pkg-config-lktoken.log"; bad "pkg-config lktoken consumers did not build"
  fi
fi
# liblkjson with pkg-config: shared (lkjson.pc, liblkproto private), and static
# (--static: liblkproto, libprotobuf-c, jansson).
if [[ -e $libdir/liblkjson.a ]]; then
  if $make --no-print-directory -s -C tests/consumers/pkg-config O="$work/pkg-config" CC="${CC:-cc}" lkjson \
       >"$work/pkg-config-lkjson.log" 2>&1; then
    for v in lkjson-consumer lkjson-consumer-static; do
      needed=$(readelf -d "$work/pkg-config/$v" | sed -n 's/.*Shared library: \[\(liblk[^]]*\)\]/\1/p' | xargs)
      if out=$(LD_LIBRARY_PATH=$libdir "$work/pkg-config/$v") && [[ $out == "consumer: ok $VERSION" ]] &&
         { [[ $v == *-static && -z $needed ]] || [[ $v != *-static && $needed == *liblkjson.so.* ]]; }; then
        ok "pkg-config lkjson consumer${v#lkjson-consumer} (NEEDED: ${needed:-none of ours}): $out"
      else
        bad "pkg-config lkjson consumer${v#lkjson-consumer}: NEEDED '$needed', output ${out:-none}"
      fi
    done
  else
    cat "$work/pkg-config-lkjson.log"; bad "pkg-config lkjson consumers did not build"
  fi
fi

unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# --- a consumer built with CMake find_package -----------------------------------
for variant in shared static; do
  b=$work/cmake-$variant
  static=OFF; [[ $variant == static ]] && static=ON
  if cmake -S tests/consumers/cmake -B "$b" -DCMAKE_PREFIX_PATH="$stage$prefix" \
        -DCMAKE_C_COMPILER="${CC:-cc}" -DLKPROTO_WANT_VERSION="$VERSION" \
        -DLKPROTO_USE_STATIC_LIBS=$static >"$b.log" 2>&1 &&
     cmake --build "$b" >>"$b.log" 2>&1 &&
     out=$(LD_LIBRARY_PATH=$libdir "$b/consumer") && [[ $out == "consumer: ok $VERSION" ]]; then
    needed=$(readelf -d "$b/consumer" | sed -n 's/.*Shared library: \[\(liblk[^]]*\)\]/\1/p' | xargs)
    if [[ $variant == shared && $needed == *liblkattrs.so.* && $needed == *liblkproto.so.* ]] ||
       [[ $variant == static && -z $needed ]]; then
      ok "CMake find_package($VERSION) consumer, $variant libraries (NEEDED: ${needed:-none of ours}): $out"
    else
      bad "CMake $variant consumer links '$needed'"
    fi
  else
    cat "$b.log"; bad "CMake find_package consumer ($variant) did not build or run"
  fi
done

# The adapters' consumer of the same CMake projects (lkproto::lkattrs-protobufc, lkproto::lkattrs-nanopb).
for variant in shared static; do
  b=$work/cmake-$variant
  if out=$(LD_LIBRARY_PATH=$libdir "$b/adapters-consumer") && [[ $out == "consumer: ok $VERSION" ]]; then
    needed=$(readelf -d "$b/adapters-consumer" | sed -n 's/.*Shared library: \[\(liblk[^]]*\)\]/\1/p' | xargs)
    if [[ $variant == shared && $needed == *liblkattrs-protobufc.so.* ]] || [[ $variant == static && -z $needed ]]; then
      ok "CMake find_package adapters consumer, $variant (NEEDED: ${needed:-none of ours}): $out"
    else
      bad "CMake $variant adapters consumer links '$needed'"
    fi
  else
    bad "CMake find_package adapters consumer ($variant) did not run (${out:-no output})"
  fi
done

# --- a consumer of lkproto::lktoken alone (its dependencies come with it) -------
if [[ -e $libdir/liblktoken.a ]]; then
  for variant in shared static; do
    b=$work/cmake-lktoken-$variant
    static=OFF; [[ $variant == static ]] && static=ON
    if cmake -S tests/consumers/cmake-lktoken -B "$b" -DCMAKE_PREFIX_PATH="$stage$prefix" \
          -DCMAKE_C_COMPILER="${CC:-cc}" -DLKPROTO_WANT_VERSION="$VERSION" \
          -DLKPROTO_USE_STATIC_LIBS=$static >"$b.log" 2>&1 &&
       cmake --build "$b" >>"$b.log" 2>&1 &&
       out=$(LD_LIBRARY_PATH=$libdir "$b/lktoken-consumer") && [[ $out == "consumer: ok $VERSION" ]]; then
      needed=$(readelf -d "$b/lktoken-consumer" | sed -n 's/.*Shared library: \[\(liblk[^]]*\)\]/\1/p' | xargs)
      if [[ $variant == shared && $needed == *liblktoken.so.* ]] || [[ $variant == static && -z $needed ]]; then
        ok "CMake find_package consumer of lkproto::lktoken, $variant (NEEDED: ${needed:-none of ours}): $out"
      else
        bad "CMake lktoken $variant consumer links '$needed'"
      fi
    else
      cat "$b.log"; bad "CMake find_package consumer of lkproto::lktoken ($variant) did not build or run"
    fi
  done
else
  echo "check-install: note: liblktoken is not built in this tree; not checked"
fi

# --- a consumer of lkproto::lkjson alone (its dependencies come with it) --------
if [[ -e $libdir/liblkjson.a ]]; then
  for variant in shared static; do
    b=$work/cmake-lkjson-$variant
    static=OFF; [[ $variant == static ]] && static=ON
    if cmake -S tests/consumers/cmake-lkjson -B "$b" -DCMAKE_PREFIX_PATH="$stage$prefix" \
          -DCMAKE_C_COMPILER="${CC:-cc}" -DLKPROTO_WANT_VERSION="$VERSION" \
          -DLKPROTO_USE_STATIC_LIBS=$static >"$b.log" 2>&1 &&
       cmake --build "$b" >>"$b.log" 2>&1 &&
       out=$(LD_LIBRARY_PATH=$libdir "$b/lkjson-consumer") && [[ $out == "consumer: ok $VERSION" ]]; then
      needed=$(readelf -d "$b/lkjson-consumer" | sed -n 's/.*Shared library: \[\(liblk[^]]*\)\]/\1/p' | xargs)
      if [[ $variant == shared && $needed == *liblkjson.so.* ]] || [[ $variant == static && -z $needed ]]; then
        ok "CMake find_package consumer of lkproto::lkjson, $variant (NEEDED: ${needed:-none of ours}): $out"
      else
        bad "CMake lkjson $variant consumer links '$needed'"
      fi
    else
      cat "$b.log"; bad "CMake find_package consumer of lkproto::lkjson ($variant) did not build or run"
    fi
  done
fi

# --- the tool -------------------------------------------------------------------
if [[ -n ${LKPROTO_BIN:-} && -x $stage$prefix/bin/lkproto ]]; then
  v=$("$stage$prefix/bin/lkproto" --version 2>&1 || true)
  if [[ $v == *"$VERSION"* ]]; then ok "installed lkproto --version: $v"; else bad "lkproto --version: '$v'"; fi
  page=$stage$prefix/share/man/man1/lkproto.1
  if [[ -f tools/lkproto/lkproto.1 && ! -f $page ]]; then
    bad "lkproto.1 not installed"
  elif [[ -f $page ]] && command -v man >/dev/null; then
    if man -l "$page" >/dev/null 2>&1 </dev/null; then ok "lkproto.1 installed and readable by man"
    else bad "lkproto.1 is not readable by man -l"; fi
  fi
else
  echo "check-install: note: lkproto is not built in this tree; not checked"
fi
if [[ -n ${LKTOKEN_BIN:-} && -x $stage$prefix/bin/lktoken ]]; then
  page=$stage$prefix/share/man/man1/lktoken.1
  if [[ ! -f $page ]]; then
    bad "bin/lktoken is installed, share/man/man1/lktoken.1 is not"
  elif command -v man >/dev/null; then
    if man -l "$page" >/dev/null 2>&1 </dev/null; then ok "lktoken.1 installed and readable by man"
    else bad "lktoken.1 is not readable by man -l"; fi
  else
    ok "lktoken.1 installed"
  fi
fi

# --- uninstall ------------------------------------------------------------------
$make --no-print-directory -s uninstall DESTDIR="$stage" prefix=$prefix >"$work/uninstall.log"
left=$(cd "$stage" && find . \( -type f -o -type l \) ! -path ./usr/local/include/other.h -printf '/%P\n')
# Folders that may stay: the standard ones (GNU layout), never ours.
dirs=$(cd "$stage" && find . -mindepth 1 -type d -printf '/%P\n' | grep -Evx \
  '/usr|/usr/local|/usr/local/(bin|lib|include|share|share/man|share/man/man1|lib/pkgconfig)' || true)
if [[ -z $left && -z $dirs && -f $stage$prefix/include/other.h ]]; then
  ok "make uninstall removed everything it installed, kept include/other.h"
else
  bad "after make uninstall: files: ${left:-none}; folders: ${dirs:-none}"
fi

((fails == 0)) || { echo "check-install: $fails failed"; exit 1; }
echo "check-install: all passed"
