# tests/run.mk - the one way a test program is run: plainly, under valgrind,
# or rebuilt under ASan+UBSan (clang, or gcc: the other compiler's
# instrumentation).  Included by the top-level Makefile before the fragments.
ifndef LKPROTO_RUN_MK_INCLUDED
LKPROTO_RUN_MK_INCLUDED := 1

SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all

# $(call sanitized_make,CC,FOLDER): make again with CC under ASan+UBSan (no
# recovery), into $(BUILD)/FOLDER; the targets follow.
sanitized_make = $(MAKE) --no-print-directory CC=$(1) BUILD=$(BUILD)/$(2) SANITIZE="$(SANITIZE_FLAGS)"

# The recipe of one run mode: $(call test_run_MODE,NAME,PROGRAMS); the first
# failing program stops it.
test_run_plain = for t in $(2); do echo "== $$t"; $$t || exit 1; done
test_run_valgrind = for t in $(2); do echo "== valgrind $$t"; $(VALGRIND) $$t || exit 1; done
test_run_asan = $(call sanitized_make,clang,asan) $(1)-plain || exit 1
test_run_asan-gcc = $(call sanitized_make,gcc,asan-gcc) $(1)-plain || exit 1

# $(eval $(call test_suite,NAME,PROGRAMS,MODES)): the targets of a suite of
# test programs.  NAME runs MODES (some of: plain valgrind asan asan-gcc), in
# that order; NAME-plain, NAME-valgrind, NAME-asan and NAME-asan-gcc run one
# mode each (the sanitized ones make NAME-plain again in $(BUILD)/asan or
# $(BUILD)/asan-gcc).  Call it where PROGRAMS' names are defined.
define test_suite
$(1)-plain: $(2)
	@$$(call test_run_plain,$(1),$(2))
$(1)-valgrind: $$(STAMP_SETUP) $(2)
	@$$(call test_run_valgrind,$(1),$(2))
$(1)-asan $(1)-asan-gcc: $$(STAMP_SETUP)
	+@$$(call test_run_$$(patsubst $(1)-%,%,$$@),$(1),$(2))
$(1): $$(STAMP_SETUP) $(2)
	+@$$(foreach m,$(3),$$(call test_run_$$(m),$(1),$(2));) true
.PHONY: $(1) $(1)-plain $(1)-valgrind $(1)-asan $(1)-asan-gcc
endef

endif
