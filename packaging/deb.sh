#!/usr/bin/env bash
# packaging/deb.sh - Debian packages from a staged install (dpkg-deb), split
# as Debian splits a library:
#   liblkattrs0      libattrs runtime            /usr/lib/<triplet>/liblkattrs.so.0
#   liblkproto0      protobuf-c code runtime     /usr/lib/<triplet>/liblkproto.so.0
#   liblkattrs-protobufc0   libattrs' protobuf-c adapter (when the tree has it)
#   liblktoken0      access tokens runtime (when the tree has it)
#                                                 /usr/lib/<triplet>/liblktoken.so.0
#   liblkproto-dev   headers, static libraries, .so links, .pc, CMake package
#   lkproto-tools    lkproto, lktoken (and the other programs) with their man
#                    pages (lkproto.1, lktoken.1)
# Runtime dependencies come from dpkg-shlibdeps; each runtime package ships a
# shlibs file and an ldconfig trigger.  Target: Debian 12 (bookworm), the
# architecture of this machine.
#
# usage: packaging/deb.sh OUT_DIR   (run by `make deb`; environment: MAKE
#        VERSION LKATTRS_ABI_MAJOR LKPROTO_ABI_MAJOR [LKTOKEN_ABI_MAJOR]; DEB_REVISION (default 1),
#        DEB_MAINTAINER)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: deb.sh OUT_DIR}
make=${MAKE:-make}
: "${VERSION:?}" "${LKATTRS_ABI_MAJOR:?}" "${LKPROTO_ABI_MAJOR:?}"
rev=${DEB_REVISION:-1}
debver=$VERSION-$rev
maint=${DEB_MAINTAINER:-lkproto developers <lkproto-dev@example.invalid>}
arch=$(dpkg --print-architecture)
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
lib=usr/lib/$triplet

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$out/stage
$make --no-print-directory -s install DESTDIR="$stage" prefix=/usr libdir="/$lib" >/dev/null

# Move a path (relative to the stage) into a package's root.
take() { # package, path...
  local p=$1 f; shift
  for f in "$@"; do
    mkdir -p "$out/$p/$(dirname "$f")"
    mv "$stage/$f" "$out/$p/$f"
  done
}

attrs_so=liblkattrs.so.$LKATTRS_ABI_MAJOR
proto_so=liblkproto.so.$LKPROTO_ABI_MAJOR
adapter_so=liblkattrs-protobufc.so.$LKATTRS_ABI_MAJOR
token_major=${LKTOKEN_ABI_MAJOR:-0}
token_so=liblktoken.so.$token_major
pkgs=(liblkattrs$LKATTRS_ABI_MAJOR liblkproto$LKPROTO_ABI_MAJOR)
take liblkattrs$LKATTRS_ABI_MAJOR "$lib/$attrs_so"
take liblkproto$LKPROTO_ABI_MAJOR "$lib/$proto_so"
if [[ -e $stage/$lib/$adapter_so ]]; then
  pkgs+=(liblkattrs-protobufc$LKATTRS_ABI_MAJOR)
  take liblkattrs-protobufc$LKATTRS_ABI_MAJOR "$lib/$adapter_so"
fi
if [[ -e $stage/$lib/$token_so ]]; then
  pkgs+=(liblktoken$token_major)
  take liblktoken$token_major "$lib/$token_so"
fi
tools=()
if [[ -d $stage/usr/bin ]]; then
  tools=(lkproto-tools)
  take lkproto-tools usr/bin
  [[ -d $stage/usr/share/man ]] && take lkproto-tools usr/share/man
fi
# Everything else is for developers.
mkdir -p "$out/liblkproto-dev"
(cd "$stage" && tar -cf - .) | (cd "$out/liblkproto-dev" && tar -xf -)
rm -rf "$stage"
pkgs+=(liblkproto-dev "${tools[@]}")

# dpkg-shlibdeps wants a debian/control, and our own libraries' shlibs.
src=$out/src
mkdir -p "$src/debian"
{
  echo "Source: lkproto"; echo
  for p in "${pkgs[@]}"; do echo "Package: $p"; echo "Architecture: any"; echo; done
} >"$src/debian/control"
{
  echo "liblkattrs $LKATTRS_ABI_MAJOR liblkattrs$LKATTRS_ABI_MAJOR (>= $VERSION)"
  echo "liblkproto $LKPROTO_ABI_MAJOR liblkproto$LKPROTO_ABI_MAJOR (>= $VERSION)"
  echo "liblkattrs-protobufc $LKATTRS_ABI_MAJOR liblkattrs-protobufc$LKATTRS_ABI_MAJOR (>= $VERSION)"
  echo "liblktoken $token_major liblktoken$token_major (>= $VERSION)"
} >"$src/debian/shlibs.local"
shlibdeps() { # package -> Depends from its ELF files
  local files
  files=$(find "$out/$1" -type f \( -name '*.so.*' -o -perm -u+x \) -exec sh -c 'head -c4 "$1" | grep -q ELF' _ {} \; -print)
  [[ -n $files ]] || return 0
  (cd "$src" && dpkg-shlibdeps -O -S"$out/$1" -l"$out/liblkattrs$LKATTRS_ABI_MAJOR/$lib" \
     -l"$out/liblkproto$LKPROTO_ABI_MAJOR/$lib" $files 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}

desc_liblkattrs="LiveKit participant attributes for C - runtime
 libattrs keeps, checks, merges and diffs LiveKit participant attributes
 (reserved names, validation, size limits, atomic merge, minimal diff).
 This package holds the shared library."
desc_liblkproto="LiveKit protocol messages for C (protobuf-c) - runtime
 LiveKit's real-time protocol schema, wire-identical to LiveKit's own,
 compiled to C with protobuf-c.  This package holds the shared library."
desc_adapter="LiveKit participant attributes for C - protobuf-c adapter runtime
 Glue between libattrs and the protobuf-c messages of LiveKit's protocol.
 This package holds the shared library."
desc_token="LiveKit access tokens for C - runtime
 liblktoken mints and verifies LiveKit access tokens (HS256 JWTs,
 interchangeable with livekit-server-sdk) with the attributes claim checked
 by the libattrs rules.  This package holds the shared library."
desc_dev="LiveKit protocol and participant attributes for C - development files
 Headers (under /usr/include/lkproto), static libraries (liblkattrs,
 liblkproto, liblkproto-nanopb for microcontrollers, ...), pkg-config files
 (lkattrs, lkproto, lkproto-nanopb, ...) and the CMake package
 (find_package(lkproto))."
desc_tools="LiveKit protocol for C - command-line tools
 lkproto converts any LiveKit message between binary or hex and canonical
 JSON, and applies LiveKit's attribute rules (merge, diff, check) in a shell;
 lktoken mints and verifies LiveKit access tokens."

for p in "${pkgs[@]}"; do
  root=$out/$p
  mkdir -p "$root/DEBIAN" "$root/usr/share/doc/$p"
  gzip -9n <CHANGELOG.md >"$root/usr/share/doc/$p/changelog.gz"
  depends=$(shlibdeps "$p")
  case $p in
    liblkattrs[0-9]*) section=libs; ma=same; desc=$desc_liblkattrs
      echo "liblkattrs $LKATTRS_ABI_MAJOR $p (>= $VERSION)" >"$root/DEBIAN/shlibs" ;;
    liblkproto[0-9]*) section=libs; ma=same; desc=$desc_liblkproto
      echo "liblkproto $LKPROTO_ABI_MAJOR $p (>= $VERSION)" >"$root/DEBIAN/shlibs" ;;
    liblkattrs-protobufc*) section=libs; ma=same; desc=$desc_adapter
      echo "liblkattrs-protobufc $LKATTRS_ABI_MAJOR $p (>= $VERSION)" >"$root/DEBIAN/shlibs" ;;
    liblktoken[0-9]*) section=libs; ma=same; desc=$desc_token
      echo "liblktoken $token_major $p (>= $VERSION)" >"$root/DEBIAN/shlibs" ;;
    liblkproto-dev) section=libdevel; ma=same; desc=$desc_dev
      depends="liblkattrs$LKATTRS_ABI_MAJOR (= $debver), liblkproto$LKPROTO_ABI_MAJOR (= $debver)"
      [[ " ${pkgs[*]} " == *" liblkattrs-protobufc"* ]] && depends+=", liblkattrs-protobufc$LKATTRS_ABI_MAJOR (= $debver)"
      [[ " ${pkgs[*]} " == *" liblktoken$token_major "* ]] && depends+=", liblktoken$token_major (= $debver)"
      depends+=", libprotobuf-c-dev, libnanopb-dev"
      [[ -e $root/$lib/liblktoken.a ]] && depends+=", libjansson-dev, libssl-dev" ;;
    lkproto-tools) section=utils; ma=foreign; desc=$desc_tools ;;
  esac
  if [[ $section == libs ]]; then echo "activate-noawait ldconfig" >"$root/DEBIAN/triggers"; fi
  (cd "$root" && find usr -type f -printf '%P\n' | LC_ALL=C sort | sed 's|^|usr/|' | xargs -r md5sum) >"$root/DEBIAN/md5sums"
  {
    echo "Package: $p"
    echo "Source: lkproto"
    echo "Version: $debver"
    echo "Architecture: $arch"
    echo "Maintainer: $maint"
    echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)"
    [[ -n $depends ]] && echo "Depends: $depends"
    echo "Multi-Arch: $ma"
    echo "Section: $section"
    echo "Priority: optional"
    echo "Description: $desc"
  } >"$root/DEBIAN/control"
  find "$root" -type d -exec chmod 755 {} +
  dpkg-deb --root-owner-group -Zxz --build "$root" "$out/${p}_${debver}_$arch.deb" >/dev/null
  echo "deb: $out/${p}_${debver}_$arch.deb${depends:+ (Depends: $depends)}"
done
