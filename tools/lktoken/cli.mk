# tools/lktoken/cli.mk - lktoken, the command-line tool of liblktoken (mint,
# verify), and the token command line it shares with `lkproto token`
# (token-cli.c, not installed).  Included by libtoken/libtoken.mk, where the
# library's names are defined.  Builds $(BIN)/lktoken.
ifndef LKTOKEN_CLI_MK_INCLUDED
LKTOKEN_CLI_MK_INCLUDED := 1

LKTOKEN_BIN := $(BIN)/lktoken
LKTOKEN_CLI_OBJ := $(OBJ)/tools/lktoken/token-cli.o

# Header dependencies: from the compiler (DEPFLAGS, top-level Makefile).
$(LKTOKEN_CLI_OBJ): $(OBJ)/%.o: %.c | $(STAMP_BUILD_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(LKTOKEN_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LKTOKEN_BIN): tools/lktoken/lktoken-cli.c $(LKTOKEN_CLI_OBJ) $(LIBLKTOKEN_A) $(LIBLKATTRS_A)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(LKTOKEN_CFLAGS) -Itools/lktoken $(DEPFLAGS) $< -o $@ \
	  $(LKTOKEN_CLI_OBJ) $(LIBLKTOKEN_A) $(LIBLKATTRS_A) $(LKTOKEN_LIBS) $(SANITIZE) $(LDFLAGS)

# `lkproto token mint|verify` (tools/lkproto/cli.mk, read before this
# file: its link line uses these deferred variables; the prerequisites are
# added here, where the names are defined).
LKPROTO_TOKEN_OBJ = $(LKTOKEN_CLI_OBJ) $(LIBLKTOKEN_A)
LKPROTO_TOKEN_LIBS = -lcrypto
$(LKPROTO): $(LKTOKEN_CLI_OBJ) $(LIBLKTOKEN_A)
# tests/lkproto/token.sh compares `lkproto token` with lktoken.
check-lkproto: $(LKTOKEN_BIN)

endif
