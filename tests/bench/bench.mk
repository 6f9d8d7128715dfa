# tests/bench/bench.mk - make bench, make bench-callgrind and the smoke test
# of both benchmark programs (tests/bench/bench.c with bench.mjs, and the
# client firmware of make size, tests/bench/firmware.c, run on the host).
# Included by tests/tests.mk.

BENCH_OUT := $(BUILD)/bench
BENCH_BIN := $(BENCH_OUT)/bench
BENCH_FW := $(BENCH_OUT)/firmware
BENCH_LIBS := $(LIBLKATTRS_NPB_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A) $(LIBLKPROTO_NANOPB_A)
# Every allocation of the program and of the static libattrs is counted.
BENCH_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
# Runs of the report: repetitions and milliseconds per repetition.
BENCH_REPS ?= 7
BENCH_MS ?= 20

$(BENCH_BIN): tests/bench/bench.c $(BENCH_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) -Ilibattrs/include $(PBC_CFLAGS) $(NPB_CFLAGS) $< -o $@ \
	  $(BENCH_LIBS) $(PBC_LIBS) $(NPB_LIBS) -pthread $(BENCH_WRAP) $(SANITIZE) $(LDFLAGS)

$(BENCH_FW): tests/bench/firmware.c $(LIBLKATTRS_A)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) -Ilibattrs/include $< -o $@ $(LIBLKATTRS_A) \
	  $(SANITIZE) $(LDFLAGS)

##@ Benchmarks
## bench: libattrs vs protobuf-c vs LiveKit's JS (update, read, validation, merge/diff, nanopb); writes docs/performance.md
bench: $(STAMP_SETUP) $(BENCH_BIN)
	@$(BENCH_BIN) --inputs $(BENCH_OUT)/inputs.txt
	@echo "bench: callgrind (instruction counts)..."
	@bash tests/bench/callgrind.sh $(BENCH_BIN) $(BENCH_OUT)/cg >$(BENCH_OUT)/callgrind.md
	@echo "bench: LiveKit's JS..."
	@node tests/bench/bench.mjs $(BENCH_OUT)/inputs.txt --reps $(BENCH_REPS) --ms $(BENCH_MS) \
	  >$(BENCH_OUT)/js.txt
	@$(BENCH_BIN) --js $(BENCH_OUT)/js.txt --callgrind $(BENCH_OUT)/callgrind.md \
	  --reps $(BENCH_REPS) --ms $(BENCH_MS) --markdown docs/performance.md
	@echo "bench: wrote docs/performance.md"

## bench-callgrind: instructions per operation of the main paths (valgrind callgrind), stable on a busy machine
bench-callgrind: $(STAMP_SETUP) $(BENCH_BIN)
	@bash tests/bench/callgrind.sh $(BENCH_BIN) $(BENCH_OUT)/cg

## check-bench-smoke: both benchmark programs on tiny sizes: same bytes from ours, protobuf-c and LiveKit's JS, no allocation; the client firmware's results (never timings)
check-bench-smoke: $(STAMP_SETUP) $(BENCH_BIN) $(BENCH_FW)
	@$(BENCH_BIN) --smoke --inputs $(BENCH_OUT)/smoke-inputs.txt
	@node tests/bench/bench.mjs $(BENCH_OUT)/smoke-inputs.txt --smoke >$(BENCH_OUT)/smoke-js.txt
	@$(BENCH_BIN) --smoke --js $(BENCH_OUT)/smoke-js.txt >$(BENCH_OUT)/smoke.log
	@tail -1 $(BENCH_OUT)/smoke.log
	@$(BENCH_FW) && echo "check-bench-smoke: client firmware: validate, fixed map, reader, merge, diff, writer as expected"
	@for cc in gcc clang; do \
	  $$cc $(STRICT_CFLAGS) -O2 -Ilibattrs/include $(PBC_CFLAGS) $(NPB_CFLAGS) -fsyntax-only \
	    tests/bench/bench.c tests/bench/firmware.c || exit 1; \
	done; echo "check-bench-smoke: bench.c and firmware.c build with gcc and clang under the strict flags"

CHECKS += check-bench-smoke
.PHONY: bench bench-callgrind check-bench-smoke
