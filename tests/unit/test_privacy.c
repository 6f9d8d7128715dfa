/* test_privacy.c - the redacted rendering of a map for logs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "test_util.h"

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_redact(void **state) {
  (void)state;
  lkattrs_map *m = new_map(KV("sip.phoneNumber", "+15550100", "sip.trunkPhoneNumber", "+15550199",
                              "sip.hostname", "pbx.example.com", "sip.callID", "SCL_1",
                              "q\"\\", "tab\there"));
  char out[256];
  size_t need;
  assert_int_equal(lkattrs_redact_format(m, 0, out, sizeof out, &need), LKATTRS_OK);
  assert_string_equal(out, "{\"q\\\"\\\\\":\"tab\\u0009here\",\"sip.callID\":\"SCL_1\","
                           "\"sip.hostname\":\"***\",\"sip.phoneNumber\":\"***\","
                           "\"sip.trunkPhoneNumber\":\"***\"}");
  assert_int_equal(need, strlen(out) + 1);
  /* Exact size, one short. */
  assert_int_equal(lkattrs_redact_format(m, 0, out, need, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_redact_format(m, 0, out, need - 1, &need), LKATTRS_E_BUFFER_TOO_SMALL);
  assert_string_equal(out, "");
  assert_int_equal(lkattrs_redact_format(m, 0, NULL, 0, &need), LKATTRS_E_BUFFER_TOO_SMALL);
  /* Every value. */
  assert_int_equal(lkattrs_redact_format(m, LKATTRS_REDACT_ALL_VALUES, out, sizeof out, NULL), LKATTRS_OK);
  assert_null(strstr(out, "SCL_1"));
  assert_null(strstr(out, "tab"));
  /* Empty map, arguments. */
  lkattrs_map_clear(m);
  assert_int_equal(lkattrs_redact_format(m, 0, out, sizeof out, NULL), LKATTRS_OK);
  assert_string_equal(out, "{}");
  assert_int_equal(lkattrs_redact_format(NULL, 0, out, sizeof out, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_redact_format(m, 0x10, out, sizeof out, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_redact_format(m, 0, NULL, 4, NULL), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_map_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_redact)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
