# libproto/libproto.mk - the generated-code libraries: liblkproto (the
# protobuf-c code of the schema; shared, with a SONAME from the ABI major, and
# static) and liblkproto-nanopb (the nanopb code; static only, for embedded
# use).  Included by the top-level Makefile before libattrs (whose adapters
# and tests use these names).  The code itself is generator output under
# generated/ (libproto/sources.list names the folder; `make generate` writes
# it, `make check-generated` compares it); nothing here is hand-written C.
ifndef LKPROTO_LIBPROTO_MK_INCLUDED
LKPROTO_LIBPROTO_MK_INCLUDED := 1

# The folder and the runtime libraries: libproto/sources.list, the one list
# (lkproto.mk and CMakeLists.txt read it too), through lkproto.mk's parser.
include lkproto.mk
LIBPROTO_LIST := libproto
LIBPROTO_GENERATED := $(call LKPROTO_LIST,$(LIBPROTO_LIST),generated)
PBC_LIBS := $(call LKPROTO_LIST,$(LIBPROTO_LIST),pbc-lib)
NPB_LIBS := $(call LKPROTO_LIST,$(LIBPROTO_LIST),npb-lib)

PBC_SRC := $(sort $(shell find $(LIBPROTO_GENERATED)/protobuf-c -name '*.pb-c.c' 2>/dev/null))
NPB_SRC := $(sort $(shell find $(LIBPROTO_GENERATED)/nanopb -name '*.pb.c' 2>/dev/null))
PBC_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(PBC_SRC))
NPB_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(NPB_SRC))

PBC_CFLAGS := -I$(LIBPROTO_GENERATED)/protobuf-c
NPB_CFLAGS := -I$(LIBPROTO_GENERATED)/nanopb

# Generated code: GEN_CFLAGS (fewer warnings, top-level Makefile); header
# dependencies from the compiler (DEPFLAGS).
$(PBC_OBJ): $(OBJ)/%.o: %.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GEN_CFLAGS) $(BASE_CFLAGS) $(PBC_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(NPB_OBJ): $(OBJ)/%.o: %.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GEN_CFLAGS) $(BASE_CFLAGS) $(NPB_CFLAGS) $(DEPFLAGS) -c $< -o $@

LIBLKPROTO_A := $(LIB)/liblkproto.a
LIBLKPROTO_SO := $(LIB)/liblkproto.so.$(LKPROTO_ABI_MAJOR)
LIBLKPROTO_NANOPB_A := $(LIB)/liblkproto-nanopb.a

$(LIBLKPROTO_A): $(PBC_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

# SHLIB_LDFLAGS: top-level Makefile (SONAME, version script packaging/liblkproto.map).
$(LIBLKPROTO_SO): $(PBC_OBJ) packaging/liblkproto.map
	@mkdir -p $(dir $@)
	$(CC) $(SHLIB_LDFLAGS) -o $@ $(PBC_OBJ) $(PBC_LIBS)
	@ln -sf $(notdir $@) $(LIB)/liblkproto.so

$(LIBLKPROTO_NANOPB_A): $(NPB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

# The Makefile's view of libproto/sources.list (for check-sources).
print-sources-libproto:
	@echo "libproto generated $(LIBPROTO_GENERATED)"
	@$(foreach l,$(PBC_LIBS),echo "libproto pbc-lib $(l)";) $(foreach l,$(NPB_LIBS),echo "libproto npb-lib $(l)";) true
.PHONY: print-sources-libproto

endif
