# The LiveKit protocol for C - top-level Makefile.
#
# `make help` lists the documented targets (lines with `## `).
# Everything is built under build/; `make clean` removes every file the
# build or the setup created, so `git status --ignored` is empty after it.

.DEFAULT_GOAL := all
SHELL := /bin/bash

# ---------------------------------------------------------------------------
# Version: one source of truth, read from the public header.
VERSION_H := libattrs/include/lkattrs/version.h
version_part = $(shell sed -n 's/^\#define LKATTRS_VERSION_$(1) \([0-9]*\)$$/\1/p' $(VERSION_H))
VERSION_MAJOR := $(call version_part,MAJOR)
VERSION_MINOR := $(call version_part,MINOR)
VERSION_PATCH := $(call version_part,PATCH)
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)
# ABI majors (the SONAMEs), kept apart from the release version: bump one on
# any incompatible change of that library's ABI (see README, "Versioning").
LKATTRS_ABI_MAJOR := $(shell sed -n 's/^\#define LKATTRS_ABI_MAJOR \([0-9]*\)$$/\1/p' $(VERSION_H))
LKPROTO_ABI_MAJOR := 0

# ---------------------------------------------------------------------------
# Toolchain and flags.
CC ?= cc
ifeq ($(origin CC),default)
CC := cc
endif
AR ?= ar
OPT ?= -O2 -g
# Our own code: the strict set from DEVELOPERS.md.
STRICT_CFLAGS := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion \
                 -Wstrict-prototypes -Werror
# Generated code: the generators' output is not ours to fix, so fewer warnings
# (still -Werror on everything that remains enabled).
GEN_CFLAGS := -std=c11 -Wall -Wno-missing-braces -Werror
SANITIZE ?=
EXTRA_CFLAGS ?=
BASE_CFLAGS = $(OPT) -fPIC $(SANITIZE) $(EXTRA_CFLAGS)
# Header dependencies from the compiler: every compile writes $@.d (the
# headers it read, generated ones included), read back below by -include, so
# that editing a header rebuilds exactly the objects that include it.
DEPFLAGS = -MMD -MP -MF $@.d -MT $@
LDFLAGS ?=

BUILD ?= build
OBJ := $(BUILD)/obj
LIB := $(BUILD)/lib
BIN := $(BUILD)/bin
TESTBIN := $(BUILD)/tests

NODE_MODULES := tests/interop/node_modules
STAMP_SETUP := $(BUILD)/.setup-done
# Building never installs anything and needs no network: instead of setup,
# the objects wait (order-only) for a cheap check that the build
# dependencies are there, which names `make setup` when one is missing.
STAMP_BUILD_DEPS := $(BUILD)/.build-deps-ok

# ---------------------------------------------------------------------------
##@ Setup
## setup: install missing build and test dependencies (Debian packages, pinned npm packages); no-op when all is there
setup: $(STAMP_SETUP)
$(STAMP_SETUP): tools/setup.sh tests/interop/package.json tests/interop/package-lock.json
	@bash tools/setup.sh
	@mkdir -p $(BUILD) && touch $@

# The headers and libraries `make all` needs (libprotobuf-c-dev,
# libnanopb-dev, libjansson-dev, libssl-dev) and the compiler; `make
# generate` checks its generators the same way (--generators), every time.
$(STAMP_BUILD_DEPS):
	@CC="$(CC)" bash tools/check-build-deps.sh
	@mkdir -p $(dir $@) && touch $@

# ---------------------------------------------------------------------------
# Generated code (committed under generated/).
PROTO_FILES := $(sort $(wildcard protobufs/*.proto protobufs/agent/*.proto protobufs/logger/*.proto))

##@ Generated code
## generate: rewrite generated/ from protobufs/ with the pinned generators
generate:
	@bash tools/check-build-deps.sh --generators
	@bash tools/generate.sh generated

## check-generated: fail if generated/ differs from what `make generate` writes
check-generated: $(STAMP_SETUP)
	@rm -rf $(BUILD)/regen && bash tools/generate.sh $(BUILD)/regen
	@if diff -r generated $(BUILD)/regen >$(BUILD)/regen.diff; then \
	  echo "check-generated: generated/ is up to date"; \
	else \
	  head -40 $(BUILD)/regen.diff; \
	  echo "check-generated: generated/ is stale; run 'make generate' and commit"; exit 1; \
	fi

# Shared libraries: a SONAME from the ABI major, only the names of the
# version script exported (packaging/*.map), no undefined symbols (except under
# sanitizers, whose runtimes are linked into the executable).
SHLIB_LDFLAGS = -shared -Wl,-soname,$(notdir $@) -Wl,--version-script=$(filter %.map,$^) \
  $(if $(SANITIZE),,-Wl,--no-undefined) $(SANITIZE) $(LDFLAGS)

# The generated-code libraries (liblkproto, liblkproto-nanopb): PBC_*, NPB_*,
# LIBLKPROTO_* (libproto/sources.list names the folder, generated/).
include libproto/libproto.mk

# ---------------------------------------------------------------------------
# libattrs: the hand-written attribute library.  Its core is libattrs/src/,
# one folder per layer (base, rules, storage, engine, merge, wire, state);
# the adapters (glue to a generator's code) live in libattrs/adapters/.
# Compiled with -fvisibility=hidden: only what the headers mark LKATTRS_API is
# exported from the shared library.  The sources and include folders are those
# of libattrs/sources.list, the one list (lkproto.mk and CMakeLists.txt read it too).
# $(call sources_list,FOLDER/sources.list,KIND): the PATHs of the lines "KIND
# PATH" of that list, read by the vendoring fragment's one parser
# (LKPROTO_LIST; lkproto.mk only defines variables).
include lkproto.mk
sources_list = $(call LKPROTO_LIST,$(patsubst %/sources.list,%,$(1)),$(2))
LKATTRS_LIST := libattrs/sources.list
LKATTRS_CORE_SRC := $(call sources_list,$(LKATTRS_LIST),src)
LKATTRS_PROTOBUFC_SRC := $(call sources_list,$(LKATTRS_LIST),protobufc)
LKATTRS_NANOPB_SRC := $(call sources_list,$(LKATTRS_LIST),nanopb)
LKATTRS_CORE_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(LKATTRS_CORE_SRC))
LKATTRS_INCLUDE := $(call sources_list,$(LKATTRS_LIST),include)
LKATTRS_PRIVATE := $(call sources_list,$(LKATTRS_LIST),private)
LKATTRS_CFLAGS := $(addprefix -I,$(LKATTRS_INCLUDE) $(LKATTRS_PRIVATE))
LKATTRS_VISIBILITY := -fvisibility=hidden
LIBLKATTRS_A := $(LIB)/liblkattrs.a
LIBLKATTRS_SO := $(LIB)/liblkattrs.so.$(LKATTRS_ABI_MAJOR)

$(OBJ)/libattrs/%.o: libattrs/%.c
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(LKATTRS_VISIBILITY) $(LKATTRS_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LIBLKATTRS_A): $(LKATTRS_CORE_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBLKATTRS_SO): $(LKATTRS_CORE_OBJ) packaging/liblkattrs.map
	@mkdir -p $(dir $@)
	$(CC) $(SHLIB_LDFLAGS) -o $@ $(LKATTRS_CORE_OBJ)
	@ln -sf $(notdir $@) $(LIB)/liblkattrs.so

##@ Build
LIBS_ALL := $(LIBLKPROTO_A) $(LIBLKPROTO_SO) $(LIBLKPROTO_NANOPB_A) $(LIBLKATTRS_A) $(LIBLKATTRS_SO)
## all: build every library and tool
all: $(LIBS_ALL)

# Fragments: each adds its targets, and its test targets to CHECKS.
CHECKS :=
# The plain/valgrind/ASan runs of test programs (test_suite, sanitized_make).
include tests/run.mk
-include tools/tools.mk
-include libjson/libjson.mk
-include tools/lkproto/cli.mk
-include libattrs/libattrs.mk
-include libtoken/libtoken.mk
-include tests/tests.mk
# Last: install, uninstall, symbols, consumers, dist, deb (uses the lists above).
include packaging/packaging.mk

##@ Tests
## check: run every test suite (generated code, schema, unit, interop, tools); ends with "check: N passed, M failed"
check: $(STAMP_SETUP)
	@MAKE="$(MAKE)" bash tests/run-suites.sh check-generated check-schema check-unit $(INTEROP_CHECKS) $(CHECKS)

## help: list the documented targets
help:
	@awk 'BEGIN{FS=": "} /^##@/ {printf "\n%s\n", substr($$0,5); next} /^## / {sub(/^## /,""); n=index($$0,":"); printf "  %-18s %s\n", substr($$0,1,n-1), substr($$0,n+2)}' $(MAKEFILE_LIST)

## clean: remove everything the build and the setup created (git status --ignored is empty afterwards)
clean:
	rm -rf $(BUILD) $(NODE_MODULES)

print-version:
	@echo $(VERSION)

# The header dependencies the compiler wrote (see DEPFLAGS); only under this
# build's own folders (not the nested builds, nor the consumer tests' copies).
# A file whose source (the first name after the target) is gone is left out:
# a source that moved leaves it behind, and its rule names the new path.
-include $(shell find $(OBJ) $(TESTBIN) $(BIN) $(BUILD)/demo -name '*.d' 2>/dev/null | xargs -r awk \
  'FNR == 1 { t = 0 } { for (i = 1; i <= NF; i++) { if (!t) { t = $$i ~ /:$$/; continue } \
   if ($$i == "\\") continue; ok = (getline l < $$i) >= 0; close($$i); if (ok) print FILENAME; nextfile } }')

.PHONY: all setup generate check check-generated help clean print-version
