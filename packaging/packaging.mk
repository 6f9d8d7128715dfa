# packaging/packaging.mk - install, uninstall, the exported-symbol lists, the
# consumer tests, dist and the Debian packages.  Included last by the
# top-level Makefile (it uses the library lists of the other fragments).
ifndef LKPROTO_PACKAGING_MK_INCLUDED
LKPROTO_PACKAGING_MK_INCLUDED := 1

# ---------------------------------------------------------------------------
# GNU installation directories; override any of them on the command line,
# e.g. `make install prefix=/usr libdir=/usr/lib/x86_64-linux-gnu DESTDIR=/tmp/stage`.
prefix = /usr/local
exec_prefix = $(prefix)
bindir = $(exec_prefix)/bin
libdir = $(exec_prefix)/lib
includedir = $(prefix)/include
datarootdir = $(prefix)/share
mandir = $(datarootdir)/man
man1dir = $(mandir)/man1
pkgconfigdir = $(libdir)/pkgconfig
cmakedir = $(libdir)/cmake/lkproto
DESTDIR ?=

SIZEOF_VOID_P = $(shell echo | $(CC) -dM -E - | sed -n 's/^\#define __SIZEOF_POINTER__ //p')

# ---------------------------------------------------------------------------
# libattrs' protobuf-c adapter as a shared library too, when libattrs.mk
# builds its static one: the same objects (all built with -fPIC), linked to
# liblkattrs.so and liblkproto.so.  The nanopb adapter stays static, as the
# nanopb code does.
ifdef LIBLKATTRS_PBC_A
LIBLKATTRS_PROTOBUFC_SO := $(LIB)/liblkattrs-protobufc.so.$(LKATTRS_ABI_MAJOR)
$(LIBLKATTRS_PROTOBUFC_SO): $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_SO) $(LIBLKPROTO_SO) packaging/liblkattrs.map
	$(CC) $(SHLIB_LDFLAGS) -o $@ -Wl,--whole-archive $(LIBLKATTRS_PBC_A) -Wl,--no-whole-archive \
	  -L$(LIB) -l:$(notdir $(LIBLKATTRS_SO)) -l:$(notdir $(LIBLKPROTO_SO)) $(PBC_LIBS)
	@ln -sf $(notdir $@) $(LIB)/liblkattrs-protobufc.so
all: $(LIBLKATTRS_PROTOBUFC_SO)
endif

# What `make install` installs.  Another fragment adds to these lists.
PKG_STATIC_LIBS += $(LIBLKATTRS_A) $(LIBLKPROTO_A) $(LIBLKPROTO_NANOPB_A) \
  $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_NPB_A) $(LIBLKTOKEN_A)
PKG_SHARED_LIBS += $(LIBLKATTRS_SO) $(LIBLKPROTO_SO) $(LIBLKATTRS_PROTOBUFC_SO) $(LIBLKTOKEN_SO)
PKG_HEADER_DIRS += libattrs/include/lkattrs:lkattrs generated/protobuf-c:protobuf-c generated/nanopb:nanopb \
  $(if $(wildcard libtoken/include/lktoken),libtoken/include/lktoken:lktoken)
PKG_PROGRAMS += $(LKPROTO) $(LKTOKEN_BIN)
PKG_MAN1 += $(wildcard tools/lkproto/lkproto.1) $(if $(LKTOKEN_BIN),$(wildcard tools/lktoken/lktoken.1))

PKG_ENV = DESTDIR="$(DESTDIR)" prefix="$(prefix)" exec_prefix="$(exec_prefix)" bindir="$(bindir)" \
  libdir="$(libdir)" includedir="$(includedir)" mandir="$(mandir)" man1dir="$(man1dir)" \
  pkgconfigdir="$(pkgconfigdir)" cmakedir="$(cmakedir)" VERSION="$(VERSION)" \
  LKATTRS_ABI_MAJOR="$(LKATTRS_ABI_MAJOR)" LKPROTO_ABI_MAJOR="$(LKPROTO_ABI_MAJOR)" \
  LKTOKEN_ABI_MAJOR="$(or $(LKTOKEN_ABI_MAJOR),0)" SIZEOF_VOID_P="$(SIZEOF_VOID_P)" \
  LKJSON_ABI_MAJOR="$(or $(LKJSON_ABI_MAJOR),0)" \
  STATIC_LIBS="$(strip $(PKG_STATIC_LIBS))" SHARED_LIBS="$(strip $(PKG_SHARED_LIBS))" \
  PROGRAMS="$(strip $(PKG_PROGRAMS))" MAN1PAGES="$(strip $(PKG_MAN1))" \
  HEADER_DIRS="$(strip $(PKG_HEADER_DIRS))" WORK="$(BUILD)/packaging"

##@ Install and release
## install: install libraries, headers, lkproto and lktoken with their man pages, .pc and CMake files (prefix, libdir, ..., DESTDIR)
install: all $(PKG_STATIC_LIBS) $(PKG_SHARED_LIBS) $(PKG_PROGRAMS)
	@$(PKG_ENV) bash packaging/install.sh install

## uninstall: remove exactly what `make install` installed (same variables), and the project's empty folders
uninstall:
	@$(PKG_ENV) bash packaging/install.sh uninstall

## install-manifest: print every path `make install` creates (with the current variables)
install-manifest:
	@$(PKG_ENV) bash packaging/install.sh list

# The committed list of what `make install prefix=/usr/local` installs, for
# review of every change (check-install compares).
INSTALL_MANIFEST := packaging/abi/install-manifest.txt

# ---------------------------------------------------------------------------
# Exported symbols of the shared libraries, committed in packaging/abi/ and
# compared with `nm -D` by check-symbols.  `make update-symbols` rewrites them
# (and the install manifest) after a deliberate change of the ABI.
ABI_DIR := packaging/abi
SHLIBS_CHECKED := $(filter %.so.$(LKATTRS_ABI_MAJOR) %.so.$(LKPROTO_ABI_MAJOR) %.so.$(LKTOKEN_ABI_MAJOR) \
  %.so.$(LKJSON_ABI_MAJOR),$(PKG_SHARED_LIBS))

## update-symbols: rewrite packaging/abi/ (exported symbols, install manifest) from the built libraries; review the diff
update-symbols: $(STAMP_SETUP) $(SHLIBS_CHECKED)
	@mkdir -p $(ABI_DIR)
	@for so in $(SHLIBS_CHECKED); do \
	  bash tests/packaging/symbols.sh list $$so >$(ABI_DIR)/$$(basename $$so).symbols; \
	  echo "update-symbols: wrote $(ABI_DIR)/$$(basename $$so).symbols"; done
	@$(MAKE) --no-print-directory -s install-manifest prefix=/usr/local DESTDIR= >$(INSTALL_MANIFEST)
	@echo "update-symbols: wrote $(INSTALL_MANIFEST)"

## check-symbols: the symbols each shared library exports equal packaging/abi/*.symbols, with only our prefixes
check-symbols: $(STAMP_SETUP) $(SHLIBS_CHECKED)
	@bash tests/packaging/symbols.sh check $(ABI_DIR) $(SHLIBS_CHECKED)
	@bash tests/packaging/symbols.sh selftest $(ABI_DIR) $(LIBLKATTRS_SO)

# ---------------------------------------------------------------------------
# Consumer tests: small projects under tests/consumers/, built exactly as a
# user builds them.
PKGTEST := $(BUILD)/pkgtest
PKGTEST_ENV = MAKE="$(MAKE)" CC="$(CC)" BUILD="$(BUILD)" VERSION="$(VERSION)" \
  LKATTRS_ABI_MAJOR="$(LKATTRS_ABI_MAJOR)" LKPROTO_ABI_MAJOR="$(LKPROTO_ABI_MAJOR)" \
  LKTOKEN_ABI_MAJOR="$(LKTOKEN_ABI_MAJOR)" LKTOKEN_BIN="$(LKTOKEN_BIN)" LKPROTO_BIN="$(LKPROTO)" INSTALL_MANIFEST="$(INSTALL_MANIFEST)"

## check-install: install into a temporary DESTDIR; pkg-config and CMake consumers; SONAMEs; lkproto --version; uninstall leaves nothing
check-install: $(STAMP_SETUP) all
	@$(PKGTEST_ENV) bash tests/packaging/check-install.sh $(PKGTEST)/install

## check-version: the version agrees in version.h, the Makefile, the .pc files, the CMake version file, the libraries and lkproto
check-version: $(STAMP_SETUP) all
	@$(PKGTEST_ENV) bash tests/packaging/check-version.sh $(PKGTEST)/version

## check-vendor: a copy of the tree used through lkproto.mk, through CMake add_subdirectory, and with a bare cc line
check-vendor: $(STAMP_SETUP)
	@$(PKGTEST_ENV) bash tests/packaging/check-vendor.sh $(PKGTEST)/vendor

## check-consumers: a consumer of every installed library, four ways (pkg-config, CMake find_package shared and static, add_subdirectory, lkproto.mk): check-install and check-vendor, one install, then every library covered each way
check-consumers: $(STAMP_SETUP) all
	@$(PKGTEST_ENV) bash tests/packaging/check-consumers.sh $(PKGTEST)/consumers

## check-regen: regenerate the C code with other nanopb .options (smaller bounds) and build a consumer against it
check-regen: $(STAMP_SETUP)
	@$(PKGTEST_ENV) bash tests/packaging/check-regen.sh $(PKGTEST)/regen

## check-offline: make all, make install DESTDIR=..., make generate and make nanopb-sizes with the network cut (unshare -n) and fake apt-get/npm/sudo: no install, no setup; a missing header or generator names make setup
check-offline:
	@MAKE="$(MAKE)" bash tests/packaging/check-offline.sh $(PKGTEST)/offline

## check-depend: touching a libattrs private, a public and a generated header rebuilds exactly the objects that include it (-MMD -MP)
check-depend:
	@MAKE="$(MAKE)" bash tests/packaging/check-depend.sh $(PKGTEST)/depend

## check-sources: libattrs/, libtoken/, libjson/ and libproto/sources.list name every source and only existing files, and the Makefile, lkproto.mk and CMake read the same lists
check-sources:
	@MAKE="$(MAKE)" bash tests/packaging/check-sources.sh $(PKGTEST)/sources

# The Makefile's view of the lists (for check-sources): "LIBRARY KIND PATH" lines.
print-sources:
	@$(foreach k,$(LKATTRS_CORE_SRC),echo "libattrs src $(k)";) \
	 $(foreach k,$(LKATTRS_PROTOBUFC_SRC),echo "libattrs protobufc $(k)";) \
	 $(foreach k,$(LKATTRS_NANOPB_SRC),echo "libattrs nanopb $(k)";) \
	 $(foreach k,$(LKATTRS_INCLUDE),echo "libattrs include $(k)";) \
	 $(foreach k,$(LKATTRS_PRIVATE),echo "libattrs private $(k)";) \
	 $(foreach k,$(LKTOKEN_SRC),echo "libtoken src $(k)";) \
	 $(foreach k,$(LKTOKEN_INCLUDE),echo "libtoken include $(k)";) \
	 $(foreach k,$(LKTOKEN_PRIVATE),echo "libtoken private $(k)";) \
	 $(foreach k,$(LKTOKEN_LIBS),echo "libtoken lib $(k)";) \
	 $(foreach k,$(LKJSON_SRC),echo "libjson src $(k)";) \
	 $(foreach k,$(LKJSON_INCLUDE),echo "libjson include $(k)";) \
	 $(foreach k,$(LKJSON_PRIVATE),echo "libjson private $(k)";) \
	 $(foreach k,$(LKJSON_LIBS),echo "libjson lib $(k)";) true

# (check-consumers runs check-install and check-vendor.)
CHECKS += check-symbols check-version check-consumers check-regen check-offline check-depend check-sources
.PHONY: install uninstall install-manifest update-symbols check-symbols check-install check-consumers \
  check-version check-vendor check-regen check-offline check-depend check-sources print-sources

# ---------------------------------------------------------------------------
# Release tarball: exactly the files git tracks (as they are in the working
# tree), under lkproto-VERSION/.
DIST_NAME := lkproto-$(VERSION)
DIST_TAR := $(BUILD)/$(DIST_NAME).tar.gz

## dist: build/lkproto-VERSION.tar.gz from the files git tracks
dist:
	@bash packaging/dist.sh $(DIST_NAME) $(DIST_TAR)

## distcheck: unpack the tarball, build, run every test, install and uninstall into a temporary prefix, clean
distcheck: dist
	@MAKE="$(MAKE)" bash packaging/distcheck.sh $(DIST_TAR) $(DIST_NAME) $(BUILD)/distcheck

.PHONY: dist distcheck

# ---------------------------------------------------------------------------
# Debian packages from a staged install (dpkg-deb): liblkattrs0, liblkproto0,
# liblkattrs-protobufc0, liblktoken0, liblkproto-dev, lkproto-tools.
DEB_DIR := $(BUILD)/deb

## deb: the Debian packages in build/deb/ (runtime libraries, -dev, the tool), built from a staged install
deb: $(STAMP_SETUP) all
	@MAKE="$(MAKE)" VERSION="$(VERSION)" LKATTRS_ABI_MAJOR="$(LKATTRS_ABI_MAJOR)" \
	  LKPROTO_ABI_MAJOR="$(LKPROTO_ABI_MAJOR)" LKTOKEN_ABI_MAJOR="$(LKTOKEN_ABI_MAJOR)" bash packaging/deb.sh $(DEB_DIR)

## check-deb: (root) build the .debs, dpkg -i them, build and run a consumer against /usr, dpkg -r; not part of check
check-deb: deb
	@$(PKGTEST_ENV) bash tests/packaging/check-deb.sh $(DEB_DIR) $(PKGTEST)/deb

.PHONY: deb check-deb
endif
