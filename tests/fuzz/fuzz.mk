# tests/fuzz/fuzz.mk - fuzz targets (libFuzzer, clang) for every entry point
# that reads untrusted input, and the replay of their committed corpora under
# ASan+UBSan inside `make check`.  Included by tests/tests.mk.
#
# One harness per file, tests/fuzz/fuzz_<target>.c; the same source is linked either with libFuzzer
# (build/fuzz/fuzzbin/fuzz_<target>) or with the plain main() of
# replay_main.c (build/asan/fuzzbin/fuzz_<target>).  Corpora:
# tests/fuzz/corpus/<target>/, crashes kept as tests/fuzz/regressions/<target>/.
ifndef LKATTRS_FUZZ_MK_INCLUDED
LKATTRS_FUZZ_MK_INCLUDED := 1

FUZZ_TARGETS := wire_reader participant validate text merge pbc_signal npb_signal \
                lkproto_decode lkproto_encode json json_parse token
FUZZ_TIME ?= 180
FUZZ_JOBS ?= 1

# ---- what every harness links (static archives: only what is used is pulled)
FUZZ_ARCHIVES := $(LIBLKJSON_A) $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_NPB_A) $(LIBLKTOKEN_A) \
  $(LIBLKATTRS_A) $(LIBLKPROTO_A) $(LIBLKPROTO_NANOPB_A)
FUZZ_SYSLIBS := $(PBC_LIBS) $(NPB_LIBS) -ljansson -lcrypto -lm
FUZZ_INC := -Itests/fuzz $(LKATTRS_CFLAGS) $(PBC_CFLAGS) $(NPB_CFLAGS) $(LKJSON_CFLAGS) \
  $(addprefix -I,$(LKJSON_PRIVATE)) -Ilibtoken/include
# Set by the callers below: the engine (libFuzzer, or the replay main()).
FUZZ_ENGINE ?=
FUZZ_LINK ?=
FUZZ_OUT := $(BUILD)/fuzzbin
FUZZ_BINS := $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_TARGETS))

# Each harness is compiled on its own (header dependencies from the compiler:
# DEPFLAGS, top-level Makefile, read back below), then linked with the engine.
FUZZ_COMPILE = $(CC) $(STRICT_CFLAGS) -O1 -g $(FUZZ_INC) $(FUZZ_LINK) $(DEPFLAGS) -c $< -o $@
$(FUZZ_OUT)/fuzz_%.o: tests/fuzz/fuzz_%.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_COMPILE)
$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/fuzz_%.o $(FUZZ_ARCHIVES) $(FUZZ_ENGINE)
	$(CC) $(STRICT_CFLAGS) -O1 -g $(FUZZ_LINK) $< $(FUZZ_ENGINE) -o $@ $(FUZZ_ARCHIVES) $(FUZZ_SYSLIBS)
.SECONDARY: $(addsuffix .o,$(FUZZ_BINS))
-include $(wildcard $(FUZZ_OUT)/*.d)

fuzz-bins: $(FUZZ_BINS)

# ---- libFuzzer builds (libraries instrumented with fuzzer-no-link).  No
# sanitizer recovers: a UBSan report is a crash, saved like any other.
FUZZ_BUILD := $(BUILD)/fuzz
fuzz-build: $(STAMP_SETUP)
	@$(MAKE) --no-print-directory CC=clang BUILD=$(FUZZ_BUILD) \
	  SANITIZE="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" OPT="-O1 -g" \
	  FUZZ_LINK="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all" fuzz-bins

##@ Fuzzing
## fuzz: run every fuzz target for FUZZ_TIME seconds (default 180; FUZZ_TARGETS="a b" for some, FUZZ_JOBS parallel), save new inputs into tests/fuzz/corpus/, crashes into tests/fuzz/regressions/
fuzz: fuzz-build
	@bash tests/fuzz/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME) $(FUZZ_JOBS) $(FUZZ_TARGETS)

## fuzz-<target>: run one fuzz target (make fuzz-merge FUZZ_TIME=600)
fuzz-%: fuzz-build
	@bash tests/fuzz/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME) 1 $*

FUZZ_MAX_FILE ?= 4096
## fuzz-minimise: rewrite each committed corpus as the smallest set of its files (up to FUZZ_MAX_FILE bytes each, default 4096) with the same coverage
fuzz-minimise: fuzz-build
	@bash tests/fuzz/minimise.sh $(FUZZ_BUILD) $(FUZZ_MAX_FILE) $(FUZZ_TARGETS)

## fuzz-coverage: line and branch coverage of each target's sources by its committed corpus (clang source coverage, llvm-cov)
fuzz-coverage: $(STAMP_SETUP)
	@$(MAKE) --no-print-directory CC=clang BUILD=$(BUILD)/fuzzcov OPT="-O0 -g" \
	  SANITIZE="-fprofile-instr-generate -fcoverage-mapping" \
	  FUZZ_ENGINE=tests/fuzz/replay_main.c FUZZ_LINK="-fprofile-instr-generate -fcoverage-mapping" fuzz-bins
	@bash tests/fuzz/coverage.sh $(BUILD)/fuzzcov $(FUZZ_TARGETS)

# ---- replay: the same harnesses with replay_main.c under clang ASan+UBSan
## check-fuzz-replay: replay every committed corpus file and regression through its harness under clang ASan+UBSan
check-fuzz-replay: $(STAMP_SETUP)
	+@$(call sanitized_make,clang,asan) FUZZ_ENGINE=tests/fuzz/replay_main.c FUZZ_LINK="$(SANITIZE_FLAGS)" fuzz-bins
	@set -e; for t in $(FUZZ_TARGETS); do \
	  $(BUILD)/asan/fuzzbin/fuzz_$$t tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t; done

CHECKS += check-fuzz-replay
.PHONY: fuzz fuzz-build fuzz-bins fuzz-minimise fuzz-coverage check-fuzz-replay
endif
