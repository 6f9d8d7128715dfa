# libattrs/libattrs.mk - extra targets of libattrs (the size report and the
# generator adapters), included by the top-level Makefile.  Include guard:
# safe to include twice (vendoring).
ifndef LKATTRS_MK_INCLUDED
LKATTRS_MK_INCLUDED := 1

# ---------------------------------------------------------------------------
# Adapters: glue between the core and one generator's code, each in a static
# library of its own, so that the core (liblkattrs.a) never depends on a
# generator.  An adapter's user links the adapter library, the core, the
# schema's generated code and the generator's runtime, e.g.
#   -llkattrs-protobufc -llkattrs -llkproto -lprotobuf-c
#   -llkattrs-nanopb -llkattrs -llkproto-nanopb -lprotobuf-nanopb
LIBLKATTRS_PBC_A := $(LIB)/liblkattrs-protobufc.a
LIBLKATTRS_NPB_A := $(LIB)/liblkattrs-nanopb.a
# The adapters' sources: LKATTRS_PROTOBUFC_SRC and LKATTRS_NANOPB_SRC, from
# libattrs/sources.list (top-level Makefile).
LKATTRS_PROTOBUFC_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(LKATTRS_PROTOBUFC_SRC))
LKATTRS_NANOPB_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(LKATTRS_NANOPB_SRC))
# Header dependencies: from the compiler (DEPFLAGS, top-level Makefile).
$(LKATTRS_PROTOBUFC_OBJ): $(OBJ)/%.o: %.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(LKATTRS_VISIBILITY) $(LKATTRS_CFLAGS) $(PBC_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LKATTRS_NANOPB_OBJ): $(OBJ)/%.o: %.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(LKATTRS_VISIBILITY) $(LKATTRS_CFLAGS) $(NPB_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LIBLKATTRS_PBC_A): $(LKATTRS_PROTOBUFC_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBLKATTRS_NPB_A): $(LKATTRS_NANOPB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

# The top-level `all:` rule has already been read (its prerequisites were
# expanded then), so appending to LIBS_ALL alone would not reach it: the
# adapters are added to `all` with a rule of their own.
LIBS_ALL += $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_NPB_A)
all: $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_NPB_A)

##@ libattrs
## size: flash used by the libattrs core on Cortex-M4 (-Os, no malloc, no error strings); needs gcc-arm-none-eabi
size:
	@bash tools/setup.sh --with-size >/dev/null
	@bash tools/dev/size.sh $(BUILD)

.PHONY: size
endif
