# libtoken/libtoken.mk - liblktoken (LiveKit access tokens: HS256 JWT mint
# and verify with the attributes claim), its tests, and (tools/lktoken/cli.mk)
# its command-line tool.
# Included by the top-level Makefile after libattrs; include guard: safe to
# include twice (vendoring).  Needs libcrypto (OpenSSL) and jansson.
ifndef LKTOKEN_MK_INCLUDED
LKTOKEN_MK_INCLUDED := 1

# Sources, include folders and libraries: libtoken/sources.list, the one list
# (lkproto.mk and CMakeLists.txt read it too; sources_list: top-level Makefile).
LKTOKEN_LIST := libtoken/sources.list
LKTOKEN_SRC := $(call sources_list,$(LKTOKEN_LIST),src)
LKTOKEN_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(LKTOKEN_SRC))
LKTOKEN_INCLUDE := $(call sources_list,$(LKTOKEN_LIST),include)
LKTOKEN_PRIVATE := $(call sources_list,$(LKTOKEN_LIST),private)
LKTOKEN_CFLAGS := $(addprefix -I,$(LKTOKEN_INCLUDE)) $(LKATTRS_CFLAGS)
LKTOKEN_LIBS := $(call sources_list,$(LKTOKEN_LIST),lib)
LIBLKTOKEN_A := $(LIB)/liblktoken.a
# The shared library: its own ABI major (the SONAME liblktoken.so.N), the
# names of packaging/liblktoken.map exported (only what token.h marks
# LKTOKEN_API survives -fvisibility=hidden), linked to liblkattrs.so.
LKTOKEN_ABI_MAJOR := 0
LIBLKTOKEN_SO := $(LIB)/liblktoken.so.$(LKTOKEN_ABI_MAJOR)
LKTOKEN_TEST := $(TESTBIN)/test_token
LKTOKEN_TEST_CFLAGS := $(STRICT_CFLAGS) $(LKTOKEN_CFLAGS) -Itests/unit \
  $(addprefix -I,$(LKTOKEN_PRIVATE)) \
  -DLKTOKEN_MAKEFILE_VERSION=\"$(VERSION)\"

# Header dependencies: from the compiler (DEPFLAGS, top-level Makefile).
$(LKTOKEN_OBJ): $(OBJ)/%.o: %.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) -fvisibility=hidden $(LKTOKEN_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LIBLKTOKEN_A): $(LKTOKEN_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBLKTOKEN_SO): $(LKTOKEN_OBJ) $(LIBLKATTRS_SO) packaging/liblktoken.map
	@mkdir -p $(dir $@)
	$(CC) $(SHLIB_LDFLAGS) -o $@ $(LKTOKEN_OBJ) -L$(LIB) -l:$(notdir $(LIBLKATTRS_SO)) $(LKTOKEN_LIBS)
	@ln -sf $(notdir $@) $(LIB)/liblktoken.so

# The lktoken command-line tool and the token command line `lkproto token`
# shares: tools/lktoken/cli.mk (LKTOKEN_BIN, LKTOKEN_CLI_OBJ).
include tools/lktoken/cli.mk

$(LKTOKEN_TEST): tests/unit/test_token.c $(LIBLKTOKEN_A) $(LIBLKATTRS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LKTOKEN_TEST_CFLAGS) $(BASE_CFLAGS) $(DEPFLAGS) $< -o $@ \
	  $(LIBLKTOKEN_A) $(LIBLKATTRS_A) $(LKTOKEN_LIBS) -lcmocka $(SANITIZE) $(LDFLAGS)

all: $(LIBLKTOKEN_A) $(LIBLKTOKEN_SO) $(LKTOKEN_BIN)

# tools/setup.sh also installs tests/token's npm packages from its lock file.
$(STAMP_SETUP): tests/token/package.json tests/token/package-lock.json

clean: clean-token
clean-token:
	rm -rf $(TOKEN_NODE_MODULES)

##@ liblktoken
## lktoken: build liblktoken.a, liblktoken.so.0 and the lktoken command-line tool (build/bin/lktoken)
lktoken: $(LIBLKTOKEN_A) $(LIBLKTOKEN_SO) $(LKTOKEN_BIN)

## check-token: liblktoken unit tests (cmocka), then again under valgrind and under clang ASan+UBSan
$(eval $(call test_suite,check-token,$(LKTOKEN_TEST),plain valgrind asan))

TOKEN_NODE_MODULES := tests/token/node_modules
TOKEN_INTEROP_N ?= 200
TOKEN_INTEROP_SEED ?= 20240611

## check-token-interop: tokens minted by livekit-server-sdk 2.19.2 verify in C and C tokens verify in the SDK, every claim equal (seeded random sets)
check-token-interop: $(STAMP_SETUP) $(LKTOKEN_BIN)
	node tests/token/interop.mjs --bin $(LKTOKEN_BIN) --n $(TOKEN_INTEROP_N) --seed $(TOKEN_INTEROP_SEED)

CHECKS += check-token check-token-interop
.PHONY: lktoken clean-token check-token-interop
FUZZ_TOKEN_SECONDS ?= 60
## fuzz-token: fuzz the token verifier and the claims parser with libFuzzer (clang; FUZZ_TOKEN_SECONDS, default 60)
fuzz-token: $(STAMP_SETUP)
	@mkdir -p $(BUILD)/fuzz/token-corpus
	@$(MAKE) --no-print-directory CC=clang BUILD=$(BUILD)/fuzz SANITIZE="-fsanitize=fuzzer-no-link,address,undefined" $(BUILD)/fuzz/lib/liblktoken.a $(BUILD)/fuzz/lib/liblkattrs.a
	clang $(STRICT_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined $(LKTOKEN_CFLAGS) \
	  tests/fuzz/fuzz_token.c $(BUILD)/fuzz/lib/liblktoken.a $(BUILD)/fuzz/lib/liblkattrs.a \
	  $(LKTOKEN_LIBS) -o $(BUILD)/fuzz/fuzz_token
	$(BUILD)/fuzz/fuzz_token -max_total_time=$(FUZZ_TOKEN_SECONDS) -max_len=4096 $(BUILD)/fuzz/token-corpus
.PHONY: fuzz-token

endif
