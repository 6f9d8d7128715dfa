/* validate.c - UTF-8, key, value and namespace rules. */
#include "lkattrs/validate.h"

#include <string.h>

#include "rules.h"
#include "text.h"
#include "lkattrs/names.h"

const lkattrs_limits *lkattrs__limits_or_default(const lkattrs_limits *limits) {
  static const lkattrs_limits defaults = LKATTRS_LIMITS_INIT;
  return limits ? limits : &defaults;
}

lkattrs_limits lkattrs_limits_default(void) {
  lkattrs_limits l = LKATTRS_LIMITS_INIT;
  return l;
}

/* lkattrs__check_text(), the text rules themselves: text.c. */

lkattrs_status lkattrs_validate_utf8(const char *s, size_t len,
                                     size_t *bad_offset) {
  size_t off = 0;
  if (!s && len) return LKATTRS_E_INVALID_ARGUMENT;
  /* As a value, then forgive U+0000 (which is valid UTF-8). */
  for (;;) {
    size_t o;
    lkattrs_status st = lkattrs__check_text(s + off, len - off, false, &o);
    if (st != LKATTRS_E_NUL) {
      if (bad_offset) *bad_offset = off + o;
      return st;
    }
    off += o + 1;
  }
}

static lkattrs_status check(const char *p, size_t len, bool key,
                            const lkattrs_limits *limits,
                            lkattrs_error_detail *detail, const char *k,
                            size_t klen, size_t index) {
  size_t max = key ? limits->max_key_bytes : limits->max_value_bytes;
  size_t off = 0;
  lkattrs_status st;
  if (!p && len) {
    st = LKATTRS_E_INVALID_ARGUMENT;
  } else if (key && len == 0) {
    st = LKATTRS_E_KEY_EMPTY;
  } else if (max && len > max) {
    st = key ? LKATTRS_E_KEY_TOO_LONG : LKATTRS_E_VALUE_TOO_LONG;
    off = max;
  } else {
    st = lkattrs__check_text(p, len, key, &off);
  }
  if (st != LKATTRS_OK)
    return lkattrs__fail(detail, st, k, klen, index, off, !key, NULL);
  return LKATTRS_OK;
}

lkattrs_status lkattrs_validate_key(const char *key, size_t key_len,
                                    const lkattrs_limits *limits,
                                    lkattrs_error_detail *detail) {
  lkattrs__ok(detail);
  return check(key, key_len, true, lkattrs__limits_or_default(limits), detail, key,
               key_len, LKATTRS_NO_INDEX);
}

lkattrs_status lkattrs_validate_value(const char *value, size_t value_len,
                                      const lkattrs_limits *limits,
                                      lkattrs_error_detail *detail) {
  lkattrs__ok(detail);
  return check(value, value_len, false, lkattrs__limits_or_default(limits), detail, NULL,
               0, LKATTRS_NO_INDEX);
}

static bool has_prefix(const char *key, size_t key_len, const char *p, size_t n) {
  return key_len >= n && memcmp(key, p, n) == 0;
}
#define PREFIX(key, len, lit) has_prefix(key, len, lit, sizeof(lit) - 1)

/* Every reserved name lies under one of the reserved prefixes, and the
 * names an agent owns are exactly those under lk.agent. (names.c; a unit
 * test checks it), so the rule needs no table: a client or agent
 * firmware does not link the names. */
lkattrs_status lkattrs_check_namespace(lkattrs_origin origin, const char *key,
                                       size_t key_len) {
  if (!key && key_len) return LKATTRS_E_INVALID_ARGUMENT;
  switch (origin) {
    case LKATTRS_ORIGIN_SERVER:
    case LKATTRS_ORIGIN_TRUSTED: return LKATTRS_OK;
    case LKATTRS_ORIGIN_CLIENT:
    case LKATTRS_ORIGIN_AGENT:
      if (!PREFIX(key, key_len, LKATTRS_PREFIX_SIP) &&
          !PREFIX(key, key_len, LKATTRS_PREFIX_INGRESS) &&
          !PREFIX(key, key_len, LKATTRS_PREFIX_LIVEKIT))
        return LKATTRS_OK;
      if (origin == LKATTRS_ORIGIN_AGENT && PREFIX(key, key_len, LKATTRS_PREFIX_AGENT))
        return LKATTRS_OK;
      return LKATTRS_E_RESERVED_NAME;
  }
  return LKATTRS_E_INVALID_ARGUMENT;
}

lkattrs_status lkattrs__check_entry(const lkattrs_entry *e, size_t index,
                                    const lkattrs_limits *limits,
                                    lkattrs_origin origin, bool namespaces,
                                    lkattrs_error_detail *detail) {
  lkattrs_status st;
  /* The usual entry, decided without a call: within the limits, a short
   * clean key, and a value that is empty or short and clean.  Anything
   * else (an error included) takes the full path, which says why. */
  if (e->key_len && (!limits->max_key_bytes || e->key_len <= limits->max_key_bytes) &&
      (!limits->max_value_bytes || e->value_len <= limits->max_value_bytes) &&
      lkattrs__text_clean(e->key, e->key_len, true) &&
      (!e->value_len || lkattrs__text_clean(e->value, e->value_len, false)) &&
      (!namespaces || lkattrs_check_namespace(origin, e->key, e->key_len) == LKATTRS_OK))
    return LKATTRS_OK;
  st = check(e->key, e->key_len, true, limits, detail, e->key, e->key_len, index);
  if (st == LKATTRS_OK)
    st = check(e->value, e->value_len, false, limits, detail, e->key,
               e->key_len, index);
  if (st == LKATTRS_OK && namespaces) {
    st = lkattrs_check_namespace(origin, e->key, e->key_len);
    if (st != LKATTRS_OK)
      return lkattrs__fail(detail, st, e->key, e->key_len, index, 0, false,
                           LKATTRS__MSG("this sender may not write a reserved name"));
  }
  return st;
}
