# Tool targets, included by the top-level Makefile.

##@ Demo and reports
DEMO := $(BUILD)/demo

$(DEMO)/demo: tools/dev/demo/demo.c $(LIBLKPROTO_A) $(LIBLKPROTO_NANOPB_A)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(PBC_CFLAGS) $(NPB_CFLAGS) $(DEPFLAGS) $< -o $@ \
	  $(LIBLKPROTO_A) $(LIBLKPROTO_NANOPB_A) $(PBC_LIBS) $(NPB_LIBS) $(SANITIZE) $(LDFLAGS)

$(DEMO)/participant.hex: tools/dev/demo/participant.mjs | $(STAMP_SETUP)
	@mkdir -p $(dir $@)
	node tools/dev/demo/participant.mjs >$@

## demo: encode a ParticipantInfo with LiveKit's JS, decode it with the protobuf-c and the nanopb code, side by side
demo: $(STAMP_SETUP) all $(LIBLKPROTO_A) $(LIBLKPROTO_NANOPB_A) $(DEMO)/demo $(DEMO)/participant.hex
	@$(DEMO)/demo $(DEMO)/participant.hex

## nanopb-sizes: rewrite docs/nanopb-sizes.md (the nanopb *_size macros and sizeof of the main structs)
nanopb-sizes: $(STAMP_BUILD_DEPS)
	@CC="$(CC)" bash tools/dev/nanopb-sizes.sh docs/nanopb-sizes.md

.PHONY: demo nanopb-sizes
