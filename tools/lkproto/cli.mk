# tools/lkproto/cli.mk - lkproto: the command-line tool (tools/lkproto/), included by the top-level
# Makefile.  Builds $(BIN)/lkproto; its tests are check-lkproto.
ifndef LKPROTO_CLI_MK_INCLUDED
LKPROTO_CLI_MK_INCLUDED := 1

LKPROTO := $(BIN)/lkproto
LKPROTO_SRC := $(sort $(wildcard tools/lkproto/*.c))
LKPROTO_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(LKPROTO_SRC)) $(OBJ)/gen/lkproto/types.o
LKPROTO_CFLAGS := $(PBC_CFLAGS) -Itools/lkproto -Ilibattrs/include -Itools/lktoken \
                  -DLKPROTO_VERSION=\"$(VERSION)\"
LKPROTO_LIBS := $(PBC_LIBS) -ljansson -lm
PBC_HEADERS := $(sort $(shell find generated/protobuf-c -name '*.pb-c.h' 2>/dev/null))

# The table of every message and enum descriptor, generated from the
# protobuf-c headers: a new schema file needs no change here.
$(BUILD)/gen/lkproto/types.c: tools/lkproto/gen-types.sh $(PBC_HEADERS)
	@mkdir -p $(dir $@)
	bash tools/lkproto/gen-types.sh generated/protobuf-c > $@.tmp && mv $@.tmp $@

# Header dependencies (generated headers included): from the compiler
# (DEPFLAGS, top-level Makefile).
$(OBJ)/gen/lkproto/types.o: $(BUILD)/gen/lkproto/types.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(LKPROTO_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OBJ)/tools/lkproto/%.o: tools/lkproto/%.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(LKPROTO_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LKPROTO): $(LKPROTO_OBJ) $(LIBLKPROTO_A) $(LIBLKATTRS_A)
	@mkdir -p $(dir $@)
	$(CC) $(SANITIZE) $(LDFLAGS) -o $@ $(LKPROTO_OBJ) $(LKPROTO_TOKEN_OBJ) $(LIBLKPROTO_A) \
	  $(LIBLKATTRS_A) $(LKPROTO_LIBS) $(LKPROTO_TOKEN_LIBS)

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
