# Schema tracking: protobufs/ against any published @livekit/protocol
# (check-upstream) and against our own earlier releases (check-breaking).
# Included by tests/tests.mk.

BUF := tools/buf/node_modules/.bin/buf
# tools/setup.sh installs the pinned buf CLI from tools/buf's lock file.
$(STAMP_SETUP): tools/buf/package.json tools/buf/package-lock.json

clean: clean-buf
clean-buf:
	rm -rf tools/buf/node_modules

# A published @livekit/protocol, installed once into build/upstream/X with
# the runtime our reflection code reads (the v1 one).
UPSTREAM_DIR := $(BUILD)/upstream
$(UPSTREAM_DIR)/%/.installed:
	@mkdir -p $(dir $@)
	npm install --prefix $(UPSTREAM_DIR)/$* --no-audit --no-fund --loglevel=error \
	  @livekit/protocol@$* @bufbuild/protobuf@1.10.1 >/dev/null
	@touch $@

# `make check-upstream VERSION=x.y.z` (VERSION given on the command line;
# UPSTREAM_VERSION=x.y.z does the same without shadowing the project version).
UPSTREAM_VERSION ?= $(if $(filter command line,$(origin VERSION)),$(VERSION))
UPSTREAM_TEST_VERSION := 1.42.2

##@ Schema tracking
## check-upstream: VERSION=x.y.z: list how protobufs/ differs from that @livekit/protocol (added, removed, renumbered, retyped...)
check-upstream: $(STAMP_SETUP) $(SCHEMA_SET)
	@if [ -z "$(UPSTREAM_VERSION)" ]; then echo "check-upstream: give the version: make check-upstream VERSION=x.y.z"; exit 2; fi
	@$(MAKE) --no-print-directory $(UPSTREAM_DIR)/$(UPSTREAM_VERSION)/.installed
	node tools/dev/check-upstream.mjs $(SCHEMA_SET) $(UPSTREAM_DIR)/$(UPSTREAM_VERSION)

## check-upstream-test: check-upstream against 1.52.1 (no difference) and 1.42.2 (known differences reported)
check-upstream-test: $(STAMP_SETUP) $(SCHEMA_SET) $(UPSTREAM_DIR)/$(UPSTREAM_TEST_VERSION)/.installed
	bash tests/schema/upstream.sh $(SCHEMA_SET) $(UPSTREAM_DIR)/$(UPSTREAM_TEST_VERSION)

## check-breaking: buf breaking (WIRE_JSON) of protobufs/ against the last release tag, or AGAINST=ref
check-breaking: $(STAMP_SETUP)
	bash tests/schema/breaking.sh $(BUF) $(BUILD)/breaking/selftest --selftest
	bash tests/schema/breaking.sh $(BUF) $(BUILD)/breaking/against $(AGAINST)

CHECKS += check-upstream-test check-breaking
.PHONY: check-upstream check-upstream-test check-breaking clean-buf
