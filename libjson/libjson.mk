# libjson/libjson.mk - liblkjson (LiveKit messages between binary protobuf
# and canonical proto3 JSON, in-process: libjson/include/lkjson/json.h).
# Included by the top-level Makefile before the lkproto tool (which is a thin
# user of it); include guard: safe to include twice (vendoring).  Needs the
# protobuf-c code of the schema (liblkproto) and libprotobuf-c.
ifndef LKJSON_MK_INCLUDED
LKJSON_MK_INCLUDED := 1

# Sources, include folders and libraries: libjson/sources.list, the one list
# (lkproto.mk and CMakeLists.txt read it too; sources_list: top-level Makefile).
LKJSON_LIST := libjson/sources.list
LKJSON_SRC := $(call sources_list,$(LKJSON_LIST),src)
LKJSON_INCLUDE := $(call sources_list,$(LKJSON_LIST),include)
LKJSON_PRIVATE := $(call sources_list,$(LKJSON_LIST),private)
LKJSON_CFLAGS := $(addprefix -I,$(LKJSON_INCLUDE))
LKJSON_LIBS := $(call sources_list,$(LKJSON_LIST),lib)
# The type table: every descriptor of generated/protobuf-c, sorted by name,
# written at build time (a new schema file needs no change here).
LKJSON_TYPES_C := $(BUILD)/gen/lkjson/types.c
LKJSON_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(LKJSON_SRC)) $(OBJ)/gen/lkjson/types.o
LKJSON_INTERNAL_CFLAGS := $(LKJSON_CFLAGS) $(addprefix -I,$(LKJSON_PRIVATE)) $(PBC_CFLAGS)
LIBLKJSON_A := $(LIB)/liblkjson.a
# The shared library: its own ABI major (the SONAME liblkjson.so.N), the
# names of packaging/liblkjson.map exported (only what json.h marks
# LKJSON_API survives -fvisibility=hidden), linked to liblkproto.so.
LKJSON_ABI_MAJOR := 0
LIBLKJSON_SO := $(LIB)/liblkjson.so.$(LKJSON_ABI_MAJOR)
PBC_HEADERS := $(sort $(shell find generated/protobuf-c -name '*.pb-c.h' 2>/dev/null))

$(LKJSON_TYPES_C): libjson/gen-types.sh $(PBC_HEADERS) $(PBC_SRC)
	@mkdir -p $(dir $@)
	bash libjson/gen-types.sh generated/protobuf-c > $@.tmp && mv $@.tmp $@

# Header dependencies (generated headers included): from the compiler
# (DEPFLAGS, top-level Makefile).
$(OBJ)/gen/lkjson/types.o: $(LKJSON_TYPES_C) | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) -fvisibility=hidden $(LKJSON_INTERNAL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OBJ)/libjson/%.o: libjson/%.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) -fvisibility=hidden $(LKJSON_INTERNAL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LIBLKJSON_A): $(LKJSON_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBLKJSON_SO): $(LKJSON_OBJ) $(LIBLKPROTO_SO) packaging/liblkjson.map
	@mkdir -p $(dir $@)
	$(CC) $(SHLIB_LDFLAGS) -o $@ $(LKJSON_OBJ) -L$(LIB) -l:$(notdir $(LIBLKPROTO_SO)) $(LKJSON_LIBS)
	@ln -sf $(notdir $@) $(LIB)/liblkjson.so

LIBS_ALL += $(LIBLKJSON_A) $(LIBLKJSON_SO)
all: $(LIBLKJSON_A) $(LIBLKJSON_SO)

# What `make install` installs (packaging/packaging.mk, included last, reads
# these lists): the libraries (lkjson.pc from packaging/lkjson.pc.in) and the
# header, as <lkjson/json.h> under $(includedir)/lkproto.
PKG_STATIC_LIBS += $(LIBLKJSON_A)
PKG_SHARED_LIBS += $(LIBLKJSON_SO)
PKG_HEADER_DIRS += libjson/include/lkjson:lkjson

# ---------------------------------------------------------------------------
# Tests: the cmocka unit tests of the API (libjson/tests/test_json.c; the
# counting allocator of tests/unit), and interop through lkproto's flags.
LKJSON_TEST := $(TESTBIN)/test_json
$(LKJSON_TEST): libjson/tests/test_json.c $(LIBLKJSON_A) $(LIBLKPROTO_A)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(LKJSON_CFLAGS) $(LKATTRS_CFLAGS) -Itests/unit \
	  -DLKJSON_MAKEFILE_VERSION=\"$(VERSION)\" $(DEPFLAGS) $< -o $@ \
	  $(LIBLKJSON_A) $(LIBLKPROTO_A) $(LKJSON_LIBS) -lcmocka -lpthread $(SANITIZE) $(LDFLAGS)

##@ liblkjson
## lkjson: build liblkjson.a and liblkjson.so.0 (binary <-> canonical JSON for every message)
lkjson: $(LIBLKJSON_A) $(LIBLKJSON_SO)

## check-json: liblkjson unit tests (cmocka: round trips, caller buffers, every allocation failing in turn, errors with paths, enums, options, types, threads), then under valgrind and under clang ASan+UBSan
check-json: $(STAMP_SETUP) $(LKJSON_TEST)
	$(LKJSON_TEST)
	$(VALGRIND) $(LKJSON_TEST)
	@$(MAKE) --no-print-directory CC=clang BUILD=$(BUILD)/asan SANITIZE="$(SANITIZE_FLAGS)" check-json-plain

check-json-plain: $(LKJSON_TEST)
	$(LKJSON_TEST)

LKJSON_INTEROP_PER_TYPE ?= 6
## check-json-interop: liblkjson's options against @livekit/protocol (through lkproto's flags): decode == toJson({emitDefaultValues, useProtoFieldName}) and back, encode --ignore-unknown == fromJson({ignoreUnknownFields}), random messages of every type
# $(BIN)/lkproto, not $(LKPROTO): tools/lkproto/cli.mk, which defines it, is read after this file.
check-json-interop: $(STAMP_SETUP) $(BIN)/lkproto
	node tests/lkproto/golden.mjs $(LKPROTO) --per-type $(LKJSON_INTEROP_PER_TYPE) --emit-defaults
	node tests/lkproto/golden.mjs $(LKPROTO) --per-type $(LKJSON_INTEROP_PER_TYPE) --proto-names
	node tests/lkproto/golden.mjs $(LKPROTO) --per-type $(LKJSON_INTEROP_PER_TYPE) --emit-defaults --proto-names
	node tests/lkproto/golden.mjs $(LKPROTO) --per-type $(LKJSON_INTEROP_PER_TYPE) --ignore-unknown

CHECKS += check-json check-json-interop
.PHONY: lkjson check-json check-json-plain check-json-interop
endif
