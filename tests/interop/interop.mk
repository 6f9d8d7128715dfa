# Interop tests: the generated C code against LiveKit's own JS code
# (@livekit/protocol, installed by `make setup`).  Included by tests/tests.mk.
#
# INTEROP_RUN prefixes every C test program, e.g.
#   make check-golden INTEROP_RUN="valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all"

INTEROP := $(BUILD)/interop
GOLDEN := $(BUILD)/golden
INTEROP_RUN ?=
INTEROP_CFLAGS = $(STRICT_CFLAGS) $(BASE_CFLAGS) -I$(INTEROP) -Itests/interop
GEN_HEADERS := $(sort $(shell find generated -name '*.pb-c.h' -o -name '*.pb.h' 2>/dev/null))
# Header dependencies of the programs: from the compiler (DEPFLAGS, top-level
# Makefile); the generated tables are prerequisites (they must exist first).

# Message lookup tables (name -> descriptor, sizeof) from the generated headers.
$(INTEROP)/npb_table.h: tests/interop/gen-tables.sh $(GEN_HEADERS)
	@bash tests/interop/gen-tables.sh $(INTEROP)
$(INTEROP)/pbc_table.h: $(INTEROP)/npb_table.h

$(TESTBIN)/golden_protobufc: tests/interop/golden_protobufc.c $(INTEROP)/pbc_table.h $(LIBLKPROTO_A)
	@mkdir -p $(dir $@)
	$(CC) $(INTEROP_CFLAGS) $(PBC_CFLAGS) $(DEPFLAGS) $< -o $@ $(LIBLKPROTO_A) $(PBC_LIBS) $(SANITIZE) $(LDFLAGS)

$(TESTBIN)/golden_nanopb: tests/interop/golden_nanopb.c $(INTEROP)/npb_table.h $(LIBLKPROTO_NANOPB_A)
	@mkdir -p $(dir $@)
	$(CC) $(INTEROP_CFLAGS) $(NPB_CFLAGS) $(DEPFLAGS) $< -o $@ $(LIBLKPROTO_NANOPB_A) $(NPB_LIBS) $(SANITIZE) $(LDFLAGS)

$(TESTBIN)/interop_edge_cases: tests/interop/test_edge_cases.c $(LIBLKPROTO_A) $(LIBLKPROTO_NANOPB_A)
	@mkdir -p $(dir $@)
	$(CC) $(INTEROP_CFLAGS) $(PBC_CFLAGS) $(NPB_CFLAGS) $(DEPFLAGS) $< -o $@ $(LIBLKPROTO_A) $(LIBLKPROTO_NANOPB_A) $(PBC_LIBS) $(NPB_LIBS) -lcmocka $(SANITIZE) $(LDFLAGS)

$(GOLDEN)/vectors.txt: tests/interop/golden.mjs tests/interop/reflect.mjs | $(STAMP_SETUP)
	node tests/interop/golden.mjs gen $(GOLDEN)

##@ Interop (LiveKit's JS as the reference)
## check-nanopb-coverage: every string/bytes/repeated/map field on the signal path has a nanopb bound or an explicit callback; no FT_POINTER
check-nanopb-coverage: $(STAMP_SETUP) $(SCHEMA_SET)
	node tools/dev/nanopb-coverage.mjs $(SCHEMA_SET)

## check-golden: 400 seeded random messages from LiveKit's JS, decoded and re-encoded by protobuf-c and nanopb, read back equal by the JS
check-golden: $(STAMP_SETUP) $(GOLDEN)/vectors.txt $(TESTBIN)/golden_protobufc $(TESTBIN)/golden_nanopb
	$(INTEROP_RUN) $(TESTBIN)/golden_protobufc $(GOLDEN)/vectors.txt >$(GOLDEN)/protobuf-c.out
	$(INTEROP_RUN) $(TESTBIN)/golden_nanopb $(GOLDEN)/vectors.txt >$(GOLDEN)/nanopb.out
	node tests/interop/golden.mjs verify $(GOLDEN) protobuf-c $(GOLDEN)/protobuf-c.out nanopb $(GOLDEN)/nanopb.out

## check-edge-cases: hand-built wire edge cases (duplicate keys, unknown fields, NUL, bad UTF-8...) in protobuf-c, nanopb and LiveKit's JS
check-edge-cases: $(STAMP_SETUP) $(TESTBIN)/interop_edge_cases
	$(INTEROP_RUN) $(TESTBIN)/interop_edge_cases tests/interop/vectors/edge-cases.txt
	node tests/interop/edge-cases.mjs

INTEROP_CHECKS += check-nanopb-coverage check-golden check-edge-cases

.PHONY: check-nanopb-coverage check-golden check-edge-cases
