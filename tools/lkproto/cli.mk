# tools/lkproto/cli.mk - lkproto: the command-line tool (tools/lkproto/), included by the top-level
# Makefile.  Builds $(BIN)/lkproto; its tests are check-lkproto.
ifndef LKPROTO_CLI_MK_INCLUDED
LKPROTO_CLI_MK_INCLUDED := 1

LKPROTO := $(BIN)/lkproto
LKPROTO_SRC := $(sort $(wildcard tools/lkproto/*.c))
LKPROTO_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(LKPROTO_SRC))
# The codec (decode, encode, list) is liblkjson (libjson/libjson.mk, read
# before this file); the tool only adds its command line.
LKPROTO_CFLAGS := $(LKJSON_CFLAGS) -Itools/lkproto -Ilibattrs/include -Itools/lktoken \
                  -DLKPROTO_VERSION=\"$(VERSION)\"
LKPROTO_LIBS := $(LKJSON_LIBS) -ljansson

# Header dependencies: from the compiler (DEPFLAGS, top-level Makefile).
$(OBJ)/tools/lkproto/%.o: tools/lkproto/%.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(LKPROTO_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LKPROTO): $(LKPROTO_OBJ) $(LIBLKJSON_A) $(LIBLKPROTO_A) $(LIBLKATTRS_A)
	@mkdir -p $(dir $@)
	$(CC) $(SANITIZE) $(LDFLAGS) -o $@ $(LKPROTO_OBJ) $(LKPROTO_TOKEN_OBJ) $(LIBLKJSON_A) \
	  $(LIBLKPROTO_A) $(LIBLKATTRS_A) $(LKPROTO_LIBS) $(LKPROTO_TOKEN_LIBS)

##@ lkproto
## lkproto: build the command-line tool build/bin/lkproto (decode, encode, list, attrs, token)
lkproto: $(LKPROTO)
all: $(LKPROTO)

## check-lkproto: lkproto against LiveKit's package: golden vectors of every type, wire edge cases, truncations, mutations, command line, attrs rules and diff vs livekit-client's rule, token mint/verify
check-lkproto: $(LKPROTO)
	bash tests/lkproto/cli.sh $(LKPROTO)
	node tests/lkproto/golden.mjs $(LKPROTO)
	node tests/lkproto/wire.mjs $(LKPROTO)
	node tests/lkproto/json.mjs $(LKPROTO)
	bash tests/lkproto/attrs.sh $(LKPROTO)
	bash tests/lkproto/token.sh $(LKPROTO) $(LKTOKEN_BIN)
	node tests/lkproto/attrs-diff.mjs $(LKPROTO)

CHECKS += check-lkproto
.PHONY: lkproto check-lkproto

endif
