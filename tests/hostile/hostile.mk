# tests/hostile/hostile.mk - the catalogue of named hostile inputs
# (tests/hostile/hostile.c) and the allocation-failure tests of the adapters
# (tests/hostile/alloc_adapters.c).  Included by tests/tests.mk.
ifndef LKATTRS_HOSTILE_MK_INCLUDED
LKATTRS_HOSTILE_MK_INCLUDED := 1

HOSTILE_BIN := $(TESTBIN)/hostile
HOSTILE_ALLOC_BIN := $(TESTBIN)/alloc_adapters
HOSTILE_INC := -Itests/hostile -Itests/unit $(LKATTRS_CFLAGS) $(PBC_CFLAGS) $(NPB_CFLAGS) \
  $(LKJSON_CFLAGS)
HOSTILE_HDRS := $(wildcard tests/hostile/*.h tests/unit/*.h libattrs/include/lkattrs/*.h libjson/include/lkjson/*.h)

$(HOSTILE_BIN): tests/hostile/hostile.c $(LIBLKJSON_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A) $(HOSTILE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(HOSTILE_INC) $< -o $@ \
	  $(LIBLKJSON_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A) $(LKJSON_LIBS) $(SANITIZE) $(LDFLAGS)

$(HOSTILE_ALLOC_BIN): tests/hostile/alloc_adapters.c $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A) $(HOSTILE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(STRICT_CFLAGS) $(BASE_CFLAGS) $(HOSTILE_INC) $< -o $@ \
	  $(LIBLKATTRS_PBC_A) $(LIBLKATTRS_A) $(LIBLKPROTO_A) $(PBC_LIBS) $(SANITIZE) $(LDFLAGS)

check-hostile-plain: $(HOSTILE_BIN) $(HOSTILE_ALLOC_BIN)
	$(HOSTILE_BIN)
	$(HOSTILE_ALLOC_BIN)

##@ Tests
## check-hostile: the catalogue of named hostile inputs (hostile -v lists it) and the adapters' allocation failures, plain, under valgrind and under clang ASan+UBSan
check-hostile: $(STAMP_SETUP) $(HOSTILE_BIN) $(HOSTILE_ALLOC_BIN)
	$(HOSTILE_BIN)
	$(HOSTILE_ALLOC_BIN)
	$(VALGRIND) $(HOSTILE_BIN)
	$(VALGRIND) $(HOSTILE_ALLOC_BIN)
	@$(MAKE) --no-print-directory CC=clang BUILD=$(BUILD)/asan SANITIZE="$(SANITIZE_FLAGS)" check-hostile-plain

CHECKS += check-hostile
.PHONY: check-hostile check-hostile-plain
endif
