# libattrs on the wire (lkattrs/wire.h, lkattrs/participant.h, the adapters)
# against protobuf-c and LiveKit's JS, and the attribute-update example.
# Included by tests/tests.mk (before interop.mk: only names defined by the
# top-level Makefile are used in prerequisites here).

WIRE_OUT := $(BUILD)/wire
WIRE_GOLDEN := $(BUILD)/golden
EXAMPLE_DIR := examples/attribute-update
EXAMPLE_BIN := $(BIN)/attribute-update
EXAMPLE_SRC := $(sort $(wildcard $(EXAMPLE_DIR)/*.c))
EXAMPLE_LIBS := $(LIBLKATTRS_NPB_A) $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A) \
                $(LIBLKPROTO_NANOPB_A)
EXAMPLE_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(EXAMPLE_SRC))
WIRE_CFLAGS = $(STRICT_CFLAGS) $(BASE_CFLAGS) -Ilibattrs/include
# Header dependencies: from the compiler (DEPFLAGS, top-level Makefile); the
# example's files are compiled one by one, each with its own $@.d.

$(EXAMPLE_OBJ): $(OBJ)/%.o: %.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(WIRE_CFLAGS) $(PBC_CFLAGS) $(NPB_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(EXAMPLE_BIN): $(EXAMPLE_OBJ) $(EXAMPLE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(SANITIZE) $(LDFLAGS) $(EXAMPLE_OBJ) -o $@ $(EXAMPLE_LIBS) $(PBC_LIBS) $(NPB_LIBS)

$(TESTBIN)/wire_golden: tests/interop/wire_golden.c $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A)
	@mkdir -p $(dir $@)
	$(CC) $(WIRE_CFLAGS) -Itests/interop $(PBC_CFLAGS) $(DEPFLAGS) $< -o $@ $(LIBLKATTRS_PBC_A) \
	  $(LIBLKATTRS_A) $(LIBLKPROTO_A) $(PBC_LIBS) $(SANITIZE) $(LDFLAGS)

# The adapters' own unit tests (cmocka; the counting allocator and helpers
# of tests/unit).
ADAPTER_TESTS := $(TESTBIN)/test_adapter_protobufc $(TESTBIN)/test_adapter_nanopb

$(TESTBIN)/test_adapter_protobufc: tests/interop/test_adapter_protobufc.c \
                                   $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A)
	@mkdir -p $(dir $@)
	$(CC) $(WIRE_CFLAGS) -Itests/unit $(PBC_CFLAGS) $(DEPFLAGS) $< -o $@ $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_A) \
	  $(LIBLKPROTO_A) $(PBC_LIBS) -lcmocka $(SANITIZE) $(LDFLAGS)

$(TESTBIN)/test_adapter_nanopb: tests/interop/test_adapter_nanopb.c \
                                $(LIBLKATTRS_NPB_A) $(LIBLKATTRS_A) $(LIBLKPROTO_NANOPB_A)
	@mkdir -p $(dir $@)
	$(CC) $(WIRE_CFLAGS) -Itests/unit $(NPB_CFLAGS) $(DEPFLAGS) $< -o $@ $(LIBLKATTRS_NPB_A) $(LIBLKATTRS_A) \
	  $(LIBLKPROTO_NANOPB_A) $(NPB_LIBS) -lcmocka $(SANITIZE) $(LDFLAGS)

##@ libattrs on the wire
## check-adapters: unit tests of the protobuf-c and nanopb adapters (every attribute-carrying message, round trips, refusals, allocation failures, full maps, routing), plain, under valgrind and under clang ASan+UBSan
$(eval $(call test_suite,check-adapters,$(ADAPTER_TESTS),plain valgrind asan))

## check-wire-interop: the wire reader, participant state (load, views, updates, responses) and protobuf-c adapter vs protobuf-c and LiveKit's JS on the golden vectors and their truncations, then tampered vectors, cuts and outputs must be reported
# Under a sanitizer build the programs run as they are (valgrind and ASan do not mix).
WIRE_RUN = $(if $(SANITIZE),,$(VALGRIND))

check-wire-interop: $(STAMP_SETUP) $(WIRE_GOLDEN)/vectors.txt $(TESTBIN)/wire_golden
	@mkdir -p $(WIRE_OUT)
	node tests/interop/wire-golden.mjs cuts $(WIRE_GOLDEN) $(WIRE_OUT)/cuts.txt
	$(WIRE_RUN) $(TESTBIN)/wire_golden $(WIRE_GOLDEN)/vectors.txt $(WIRE_OUT)/cuts.txt $(WIRE_OUT)/updates.txt
	node tests/interop/wire-golden.mjs verify $(WIRE_OUT)/updates.txt
	bash tests/interop/wire-selftest.sh $(TESTBIN)/wire_golden $(WIRE_GOLDEN) $(WIRE_OUT) $(WIRE_OUT)/selftest

## check-example: run examples/attribute-update; LiveKit's JS decodes each of its messages, and it accepts LiveKit's own (also under valgrind)
check-example: $(STAMP_SETUP) $(EXAMPLE_BIN)
	@mkdir -p $(WIRE_OUT)
	$(WIRE_RUN) $(EXAMPLE_BIN) --dump $(WIRE_OUT)/example-ours.txt >$(WIRE_OUT)/example.log
	node tests/interop/wire-example.mjs $(WIRE_OUT)/example-ours.txt $(WIRE_OUT)/example-livekit.txt
	$(WIRE_RUN) $(EXAMPLE_BIN) --accept $(WIRE_OUT)/example-livekit.txt | tail -1

## example: build and run the attribute-update example (client on nanopb, server on libattrs' participant state)
example: $(EXAMPLE_BIN)
	@$(EXAMPLE_BIN)

CHECKS += check-wire-interop check-example check-adapters
.PHONY: check-wire-interop check-example example check-adapters
