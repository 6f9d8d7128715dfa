/*
 * fuzz_validate.c - key and value validation (lkattrs/validate.h) against a
 * slow, obviously-correct reference: decode each code point, then apply the
 * rules of the header one by one.
 *
 * Input: byte 0 picks the limits, the rest is the text.  Properties: the
 * status and the offset of the first bad byte of lkattrs_validate_utf8(),
 * lkattrs_validate_key() and lkattrs_validate_value() equal the
 * reference's; the namespace check agrees with lkattrs_name_lookup(), and
 * never lets a client write a reserved name.
 */
#include <stdbool.h>

#include "fuzz_util.h"
#include "lkattrs/lkattrs.h"
#include "ref_text.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  uint8_t lb = fz_u8(&in);
  size_t n;
  const uint8_t *s = fz_rest(&in, &n);
  const char *t = (const char *)s;
  lkattrs_limits lim = LKATTRS_LIMITS_INIT;
  if (lb & 1) {
    lim.max_key_bytes = lb >> 1;
    lim.max_value_bytes = (lb >> 2) & 0x1F;
  }

  size_t off = 999, roff = 999;
  lkattrs_status st = lkattrs_validate_utf8(t, n, &off);
  lkattrs_status rst = ref_text(s, n, false, true, &roff);
  FUZZ_CHECK(st == rst);
  if (st != LKATTRS_OK) FUZZ_CHECK(off == roff);

  lkattrs_error_detail d;
  /* Key. */
  st = lkattrs_validate_key(t, n, &lim, &d);
  if (n == 0) {
    rst = LKATTRS_E_KEY_EMPTY;
  } else if (lim.max_key_bytes && n > lim.max_key_bytes) {
    rst = LKATTRS_E_KEY_TOO_LONG;
    roff = lim.max_key_bytes;
  } else {
    rst = ref_text(s, n, true, false, &roff);
  }
  FUZZ_CHECK(st == rst);
  FUZZ_CHECK(d.code == st);
  if (st != LKATTRS_OK && st != LKATTRS_E_KEY_EMPTY) FUZZ_CHECK(d.offset == roff);
  bool key_ok = st == LKATTRS_OK;

  /* Value. */
  st = lkattrs_validate_value(t, n, &lim, &d);
  if (lim.max_value_bytes && n > lim.max_value_bytes) {
    rst = LKATTRS_E_VALUE_TOO_LONG;
    roff = lim.max_value_bytes;
  } else {
    rst = ref_text(s, n, false, false, &roff);
  }
  FUZZ_CHECK(st == rst);
  if (st != LKATTRS_OK) FUZZ_CHECK(d.offset == roff && d.in_value);

  /* Namespaces: a client never writes a reserved name; SERVER anything. */
  lkattrs_name_info info;
  bool reserved = lkattrs_name_lookup(t, n, &info);
  lkattrs_status cst = lkattrs_check_namespace(LKATTRS_ORIGIN_CLIENT, t, n);
  bool prefixed = (n >= 4 && memcmp(t, "sip.", 4) == 0) ||
                  (n >= 8 && memcmp(t, "ingress.", 8) == 0) ||
                  (n >= 3 && memcmp(t, "lk.", 3) == 0);
  FUZZ_CHECK((cst == LKATTRS_E_RESERVED_NAME) == prefixed);
  FUZZ_CHECK(reserved == prefixed);
  lkattrs_status ast = lkattrs_check_namespace(LKATTRS_ORIGIN_AGENT, t, n);
  bool agent_own = n >= 9 && memcmp(t, "lk.agent.", 9) == 0;
  FUZZ_CHECK((ast == LKATTRS_E_RESERVED_NAME) == (prefixed && !agent_own));
  FUZZ_CHECK(lkattrs_check_namespace(LKATTRS_ORIGIN_SERVER, t, n) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_check_namespace(LKATTRS_ORIGIN_TRUSTED, t, n) == LKATTRS_OK);

  /* A key that validates can be stored and read back. */
  if (key_ok) {
    lkattrs_map *m = NULL;
    FUZZ_CHECK(lkattrs_map_new(NULL, 0, &m) == LKATTRS_OK);
    FUZZ_CHECK(lkattrs_map_set(m, t, n, "v", 1) == LKATTRS_OK);
    const char *v;
    FUZZ_CHECK(lkattrs_map_get(m, t, n, &v, NULL) == LKATTRS_OK);
    lkattrs_map_free(m);
  }
  return 0;
}
