/* test_version.c - the version macros, the linked library's version and the
 * Makefile's (passed as LKATTRS_MAKEFILE_VERSION) all agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lkattrs/lkattrs.h"

#ifndef LKATTRS_MAKEFILE_VERSION
#error "build with -DLKATTRS_MAKEFILE_VERSION=\"x.y.z\" (tests/tests.mk does)"
#endif

static void test_macros(void **state) {
  char buf[64];
  (void)state;
  snprintf(buf, sizeof buf, "%d.%d.%d", LKATTRS_VERSION_MAJOR,
           LKATTRS_VERSION_MINOR, LKATTRS_VERSION_PATCH);
  assert_string_equal(buf, LKATTRS_VERSION_STRING);
  assert_int_equal(LKATTRS_VERSION_NUMBER, LKATTRS_VERSION_MAJOR * 10000 +
                                               LKATTRS_VERSION_MINOR * 100 +
                                               LKATTRS_VERSION_PATCH);
#if LKATTRS_VERSION_NUMBER < 100 && LKATTRS_VERSION_MAJOR != 0
#error "LKATTRS_VERSION_NUMBER must work in #if"
#endif
}

static void test_library_matches_headers(void **state) {
  (void)state;
  assert_string_equal(lkattrs_version_string(), LKATTRS_VERSION_STRING);
  assert_int_equal(lkattrs_version_number(), LKATTRS_VERSION_NUMBER);
  assert_int_equal(lkattrs_version_number() / 10000, LKATTRS_VERSION_MAJOR);
  assert_int_equal(lkattrs_version_number() / 100 % 100, LKATTRS_VERSION_MINOR);
  assert_int_equal(lkattrs_version_number() % 100, LKATTRS_VERSION_PATCH);
}

static void test_makefile_matches(void **state) {
  (void)state;
  assert_string_equal(LKATTRS_MAKEFILE_VERSION, LKATTRS_VERSION_STRING);
  assert_string_equal(LKATTRS_MAKEFILE_VERSION, lkattrs_version_string());
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_macros),
      cmocka_unit_test(test_library_matches_headers),
      cmocka_unit_test(test_makefile_matches),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
