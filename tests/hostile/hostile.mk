# tests/hostile/hostile.mk - the catalogue of named hostile inputs
# (tests/hostile/hostile.c) and the allocation-failure tests of the adapters
# (tests/hostile/alloc_adapters.c).  Included by tests/tests.mk.
ifndef LKATTRS_HOSTILE_MK_INCLUDED
LKATTRS_HOSTILE_MK_INCLUDED := 1

HOSTILE_BIN := $(TESTBIN)/hostile
HOSTILE_ALLOC_BIN := $(TESTBIN)/alloc_adapters
HOSTILE_INC := -Itests/hostile -Itests/unit $(LKATTRS_CFLAGS) $(PBC_CFLAGS) $(NPB_CFLAGS) \
  $(LKJSON_CFLAGS)
# Header dependencies: from the compiler (DEPFLAGS, top-level Makefile).

$(HOSTILE_BIN): tests/hostile/hostile.c $(LIBLKJSON_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(HOSTILE_INC) $(DEPFLAGS) $< -o $@ \
	  $(LIBLKJSON_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A) $(LKJSON_LIBS) $(SANITIZE) $(LDFLAGS)

$(HOSTILE_ALLOC_BIN): tests/hostile/alloc_adapters.c $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(HOSTILE_INC) $(DEPFLAGS) $< -o $@ \
	  $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A) $(PBC_LIBS) $(SANITIZE) $(LDFLAGS)

##@ Tests
## check-hostile: the catalogue of named hostile inputs (hostile -v lists it) and the adapters' allocation failures, plain, under valgrind and under clang ASan+UBSan
$(eval $(call test_suite,check-hostile,$(HOSTILE_BIN) $(HOSTILE_ALLOC_BIN),plain valgrind asan))

CHECKS += check-hostile
endif
