# tests/packaging/help.mk - `--help` of every installed tool and user-facing
# script (included from tests/tests.mk).

## check-help: --help, -h (and help) of lkproto (each command), lktoken and every script a user runs under tools/: exit 0, a usage text on stdout naming the options, nothing written
check-help: $(LKPROTO) $(LKTOKEN_BIN)
	bash tests/packaging/check-help.sh . $(BIN) $(BUILD)/check-help

CHECKS += check-help
.PHONY: check-help
