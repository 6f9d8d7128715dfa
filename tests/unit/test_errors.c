/* test_errors.c - status codes, strings, and the LiveKit reason mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lkattrs/lkattrs.h"

static const struct {
  lkattrs_status status;
  int value;  /* pinned ABI value */
  int reason; /* RequestResponse.Reason */
} codes[] = {
    {LKATTRS_OK, 0, LKATTRS_REASON_OK},
    {LKATTRS_E_INVALID_ARGUMENT, 1, LKATTRS_REASON_UNCLASSIFIED_ERROR},
    {LKATTRS_E_NOMEM, 2, LKATTRS_REASON_UNCLASSIFIED_ERROR},
    {LKATTRS_E_NOSPACE, 3, LKATTRS_REASON_LIMIT_EXCEEDED},
    {LKATTRS_E_UNSUPPORTED, 4, LKATTRS_REASON_UNCLASSIFIED_ERROR},
    {LKATTRS_E_NOT_FOUND, 5, LKATTRS_REASON_NOT_FOUND},
    {LKATTRS_E_BUFFER_TOO_SMALL, 6, LKATTRS_REASON_UNCLASSIFIED_ERROR},
    {LKATTRS_E_KEY_EMPTY, 10, LKATTRS_REASON_INVALID_REQUEST},
    {LKATTRS_E_KEY_TOO_LONG, 11, LKATTRS_REASON_LIMIT_EXCEEDED},
    {LKATTRS_E_VALUE_TOO_LONG, 12, LKATTRS_REASON_LIMIT_EXCEEDED},
    {LKATTRS_E_UTF8, 13, LKATTRS_REASON_INVALID_REQUEST},
    {LKATTRS_E_NUL, 14, LKATTRS_REASON_INVALID_REQUEST},
    {LKATTRS_E_CONTROL_CHAR, 15, LKATTRS_REASON_INVALID_REQUEST},
    {LKATTRS_E_TOO_LARGE, 16, LKATTRS_REASON_LIMIT_EXCEEDED},
    {LKATTRS_E_TOO_MANY_ENTRIES, 17, LKATTRS_REASON_LIMIT_EXCEEDED},
    {LKATTRS_E_NOT_ALLOWED, 20, LKATTRS_REASON_NOT_ALLOWED},
    {LKATTRS_E_RESERVED_NAME, 21, LKATTRS_REASON_NOT_ALLOWED},
    {LKATTRS_E_WIRE_TRUNCATED, 30, LKATTRS_REASON_INVALID_REQUEST},
    {LKATTRS_E_WIRE_MALFORMED, 31, LKATTRS_REASON_INVALID_REQUEST},
};

static void test_pinned_values(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    assert_int_equal((int)codes[i].status, codes[i].value);
}

/* The Reason numbers of @livekit/protocol 1.52.1. */
static void test_reason_numbers(void **state) {
  (void)state;
  assert_int_equal(LKATTRS_REASON_OK, 0);
  assert_int_equal(LKATTRS_REASON_NOT_FOUND, 1);
  assert_int_equal(LKATTRS_REASON_NOT_ALLOWED, 2);
  assert_int_equal(LKATTRS_REASON_LIMIT_EXCEEDED, 3);
  assert_int_equal(LKATTRS_REASON_QUEUED, 4);
  assert_int_equal(LKATTRS_REASON_UNSUPPORTED_TYPE, 5);
  assert_int_equal(LKATTRS_REASON_UNCLASSIFIED_ERROR, 6);
  assert_int_equal(LKATTRS_REASON_INVALID_HANDLE, 7);
  assert_int_equal(LKATTRS_REASON_INVALID_NAME, 8);
  assert_int_equal(LKATTRS_REASON_DUPLICATE_HANDLE, 9);
  assert_int_equal(LKATTRS_REASON_DUPLICATE_NAME, 10);
  assert_int_equal(LKATTRS_REASON_INVALID_REQUEST, 11);
}

static void test_status_to_reason(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    assert_int_equal(lkattrs_status_to_reason(codes[i].status), codes[i].reason);
  assert_int_equal(lkattrs_status_to_reason((lkattrs_status)999),
                   LKATTRS_REASON_UNCLASSIFIED_ERROR);
}

static void test_strerror(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    const char *s = lkattrs_strerror(codes[i].status);
    assert_non_null(s);
#ifndef LKATTRS_NO_ERRMSG
    assert_true(strlen(s) > 0);
    assert_string_not_equal(s, "unknown error");
    for (size_t j = 0; j < i; j++) /* every code has its own text */
      assert_string_not_equal(s, lkattrs_strerror(codes[j].status));
#endif
  }
  assert_string_equal(lkattrs_strerror((lkattrs_status)999), "unknown error");
  assert_string_equal(lkattrs_strerror((lkattrs_status)-1), "unknown error");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pinned_values),
      cmocka_unit_test(test_reason_numbers),
      cmocka_unit_test(test_status_to_reason),
      cmocka_unit_test(test_strerror),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
