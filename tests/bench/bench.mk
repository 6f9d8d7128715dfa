# tests/bench/bench.mk - make bench, make bench-callgrind and the smoke test
# of both benchmark programs (tests/bench/bench.c with bench.mjs, and the
# client firmware of make size, tests/bench/firmware.c, run on the host).
# Included by tests/tests.mk.

BENCH_OUT := $(BUILD)/bench
# Header dependencies from the compiler (DEPFLAGS, top-level Makefile).
-include $(wildcard $(BENCH_OUT)/*.d)
BENCH_BIN := $(BENCH_OUT)/bench
BENCH_FW := $(BENCH_OUT)/firmware
BENCH_LIBS := $(LIBLKATTRS_NPB_A) $(LIBLKATTRS_A) $(LIBLKJSON_A) $(LIBLKPROTO_A) $(LIBLKPROTO_NANOPB_A)
# protobuf-c's runtime linked statically when its archive is there, as
# libattrs is: no PLT calls on either side, and callgrind sees the names of
# its internal functions (the profiles of docs/performance.md).
BENCH_PBC_A := $(shell $(CC) -print-file-name=libprotobuf-c.a)
BENCH_PBC_LIBS := $(if $(filter /%,$(BENCH_PBC_A)),$(BENCH_PBC_A),$(PBC_LIBS))
# Every allocation of the program and of the static libraries is counted.
BENCH_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
# Runs of the report: repetitions and milliseconds per repetition.
BENCH_REPS ?= 7
BENCH_MS ?= 20

$(BENCH_BIN): tests/bench/bench.c $(BENCH_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) -Ilibattrs/include $(LKJSON_CFLAGS) $(PBC_CFLAGS) $(NPB_CFLAGS) $(DEPFLAGS) $< -o $@ \
	  $(BENCH_LIBS) $(BENCH_PBC_LIBS) $(NPB_LIBS) -lm -pthread $(BENCH_WRAP) $(SANITIZE) $(LDFLAGS)

$(BENCH_FW): tests/bench/firmware.c $(LIBLKATTRS_A)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) -Ilibattrs/include $(DEPFLAGS) $< -o $@ $(LIBLKATTRS_A) \
	  $(SANITIZE) $(LDFLAGS)

##@ Benchmarks
## bench: libattrs vs two protobuf-c servers, memcpy and LiveKit's JS (update, read, validation, merge/diff, nanopb), liblkjson vs LiveKit's toJson/fromJson, with callgrind counts and the issues' targets; writes docs/performance.md
bench: $(STAMP_SETUP) $(BENCH_BIN)
	@$(BENCH_BIN) --inputs $(BENCH_OUT)/inputs.txt
	@echo "bench: callgrind (instruction counts)..."
	@bash tests/bench/callgrind.sh $(BENCH_BIN) $(BENCH_OUT)/cg >$(BENCH_OUT)/callgrind.md
	@echo "bench: LiveKit's JS..."
	@node tests/bench/bench.mjs $(BENCH_OUT)/inputs.txt --reps $(BENCH_REPS) --ms $(BENCH_MS) \
	  >$(BENCH_OUT)/js.txt
	@$(BENCH_BIN) --js $(BENCH_OUT)/js.txt --callgrind $(BENCH_OUT)/cg/ir.txt \
	  --reps $(BENCH_REPS) --ms $(BENCH_MS) --markdown docs/performance.md
	@echo "bench: wrote docs/performance.md"

## bench-callgrind: instructions per operation of the main paths (valgrind callgrind), ours beside both protobuf-c servers; stable on a busy machine
bench-callgrind: $(STAMP_SETUP) $(BENCH_BIN)
	@bash tests/bench/callgrind.sh $(BENCH_BIN) $(BENCH_OUT)/cg

## check-bench-smoke: both benchmark programs on tiny sizes: same bytes from ours, both protobuf-c servers and LiveKit's JS, same attributes from both readers, no allocation on our update path; the client firmware's results (never timings)
check-bench-smoke: $(STAMP_SETUP) $(BENCH_BIN) $(BENCH_FW)
	@$(BENCH_BIN) --smoke --inputs $(BENCH_OUT)/smoke-inputs.txt
	@node tests/bench/bench.mjs $(BENCH_OUT)/smoke-inputs.txt --smoke >$(BENCH_OUT)/smoke-js.txt
	@$(BENCH_BIN) --smoke --js $(BENCH_OUT)/smoke-js.txt >$(BENCH_OUT)/smoke.log
	@tail -1 $(BENCH_OUT)/smoke.log
	@$(BENCH_FW) && echo "check-bench-smoke: client firmware: validate, fixed map, reader, merge, diff, writer as expected"
	@for cc in gcc clang; do \
	  $$cc $(STRICT_CFLAGS) -O2 -Ilibattrs/include $(LKJSON_CFLAGS) $(PBC_CFLAGS) $(NPB_CFLAGS) -fsyntax-only \
	    tests/bench/bench.c tests/bench/firmware.c || exit 1; \
	done; echo "check-bench-smoke: bench.c and firmware.c build with gcc and clang under the strict flags"

CHECKS += check-bench-smoke
.PHONY: bench bench-callgrind check-bench-smoke
