# Test targets, included by the top-level Makefile.

# ---------------------------------------------------------------------------
# cmocka unit tests: one file per module, tests/unit/test_<module>.c, each
# linked with the libattrs core; test_token.c is liblktoken's (linked with it
# and run by check-token: libtoken/libtoken.mk).
UNIT_SRC := $(filter-out tests/unit/test_token.c,$(sort $(wildcard tests/unit/test_*.c)))
UNIT_BIN := $(patsubst tests/unit/%.c,$(TESTBIN)/%,$(UNIT_SRC))
UNIT_CFLAGS := $(STRICT_CFLAGS) $(LKATTRS_CFLAGS) -Itests/unit -DLKATTRS_MAKEFILE_VERSION=\"$(VERSION)\"

$(TESTBIN)/test_%: tests/unit/test_%.c $(LIBLKATTRS_A)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) $(BASE_CFLAGS) $(DEPFLAGS) $< -o $@ $(LIBLKATTRS_A) -lcmocka $(SANITIZE) $(LDFLAGS)


## check-unit: run the cmocka unit tests of libattrs
## check-unit-asan: the unit tests built with clang under ASan+UBSan
## check-unit-asan-gcc: the unit tests built with gcc under ASan+UBSan (the other compiler's instrumentation)
## check-unit-valgrind: the unit tests under valgrind (memory errors and leaks fail)
# (tests/run.mk; check-unit itself runs them plainly, make check also runs
# the three other modes, each a suite of its own)
$(eval $(call test_suite,check-unit,$(UNIT_BIN),plain))
CHECKS += check-unit-asan check-unit-asan-gcc check-unit-valgrind

# ---------------------------------------------------------------------------
# Schema conformance: protobufs/ compiled by protoc, compared field by field
# with the schema rebuilt from @livekit/protocol's runtime reflection.
CORE_PROTOS := livekit_metrics.proto livekit_models.proto livekit_rtc.proto \
  livekit_room.proto livekit_egress.proto livekit_ingress.proto livekit_agent.proto \
  livekit_agent_dispatch.proto livekit_sip.proto livekit_webhook.proto
# Every LiveKit file of protobufs/ (the core ones above, the rest of the 25
# files of @livekit/protocol 1.52.1 incl. agent/); logger/ comes as an import.
ALL_PROTOS := $(sort $(patsubst protobufs/%,%,$(wildcard protobufs/livekit_*.proto protobufs/agent/*.proto)))
SCHEMA_SET := $(BUILD)/schema/protobufs.binpb

$(SCHEMA_SET): $(PROTO_FILES)
	@mkdir -p $(dir $@)
	protoc -Iprotobufs --include_imports --descriptor_set_out=$@ $(addprefix protobufs/,$(ALL_PROTOS))

## check-schema: compare protobufs/ with @livekit/protocol 1.52.1 (the core files, then all 25), then prove the comparison can fail
check-schema: $(STAMP_SETUP) $(SCHEMA_SET)
	node tests/interop/schema-conformance.mjs $(SCHEMA_SET) $(CORE_PROTOS)
	node tests/interop/schema-conformance.mjs --label 'whole schema (all files)' $(SCHEMA_SET) --all
	bash tests/interop/schema-selftest.sh $(BUILD)/schema/selftest

-include tests/interop/wire.mk
-include tests/interop/interop.mk
-include tests/schema/schema.mk
-include tests/fuzz/fuzz.mk
-include tests/hostile/hostile.mk
-include tests/packaging/help.mk

.PHONY: check-schema

# ---------------------------------------------------------------------------
# The tool and the interop programs again, built with clang under ASan+UBSan:
# lkproto over every message type, the generated-code golden vectors, the
# wire module against LiveKit's JS, and the example.
## check-sanitized: lkproto, golden vectors, wire interop and the example under clang ASan+UBSan
check-sanitized: $(STAMP_SETUP)
	+@$(call sanitized_make,clang,asan) check-lkproto check-golden check-edge-cases check-wire-interop check-example

CHECKS += check-sanitized
.PHONY: check-sanitized

# Benchmarks (make bench, bench-callgrind) and their smoke test.
-include tests/bench/bench.mk
