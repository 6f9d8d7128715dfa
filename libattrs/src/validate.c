/* validate.c - UTF-8, key, value and namespace rules. */
#include "lkattrs/validate.h"

#include <string.h>

#include "internal.h"
#include "lkattrs/names.h"

lkattrs_limits lkattrs_limits_default(void) {
  lkattrs_limits l = LKATTRS_LIMITS_INIT;
  return l;
}
size_t lkattrs_default_max_key_bytes(void) { return LKATTRS_DEFAULT_MAX_KEY_BYTES; }
size_t lkattrs_default_max_value_bytes(void) { return LKATTRS_DEFAULT_MAX_VALUE_BYTES; }
size_t lkattrs_default_max_total_bytes(void) { return LKATTRS_DEFAULT_MAX_TOTAL_BYTES; }
size_t lkattrs_default_max_entries(void) { return LKATTRS_DEFAULT_MAX_ENTRIES; }

/* Word-at-a-time ASCII screening.  A word is "clean" when no byte has the
 * high bit, no byte is 0 and, for keys, no byte is < 0x20 or 0x7F.  The
 * tests are exact for words without high bits, so a clean word needs no
 * further look; anything else goes through the byte loop. */
typedef size_t word;
#define ONES ((word)-1 / 0xFF)
#define HIGH (ONES * 0x80)

/* The bytes of w that fail the screen have their high bit set in the
 * result (0: clean).  The lowest flagged byte is always a real hit (the
 * borrows and carries of the tests only run upwards). */
static word word_bad(word w, bool key) {
  word bad = w & HIGH;
  if (key)
    bad |= ((w - ONES * 0x20) & ~w & HIGH) | ((w + ONES) & HIGH);
  else
    bad |= (w - ONES) & ~w & HIGH;
  return bad;
}

/* Offset of the first flagged byte of a bad word (0 when unknown). */
static size_t first_flagged(word bad) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return (size_t)__builtin_ctzll((unsigned long long)bad) / 8;
#else
  (void)bad;
  return 0;
#endif
}

lkattrs_status lkattrs__check_text(const char *str, size_t len, bool key,
                                   size_t *bad) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  lkattrs_status st = LKATTRS_OK;
  while (i < len) {
    word w, m;
    if (len - i >= sizeof(word)) {
      memcpy(&w, s + i, sizeof w);
      m = word_bad(w, key);
      if (!m) {
        i += sizeof w;
        continue;
      }
      i += first_flagged(m); /* clean bytes before it */
    } else {
      /* The tail: the last word of the text (its bytes before i are
       * checked already), or the tail padded with a clean byte. */
      if (len >= sizeof w) {
        memcpy(&w, s + len - sizeof w, sizeof w);
      } else {
        w = ONES * 0x61;
        memcpy(&w, s + i, len - i);
      }
      if (!word_bad(w, key)) {
        i = len;
        break;
      }
    }
    unsigned b = s[i];
    if (b < 0x80) {
      if (b == 0) {
        st = LKATTRS_E_NUL;
        break;
      }
      if (key && (b < 0x20 || b == 0x7F)) {
        st = LKATTRS_E_CONTROL_CHAR;
        break;
      }
      i++;
      continue;
    }
    /* Lead byte: number of continuation bytes and the range of the first
     * one (which excludes overlong forms, surrogates and > U+10FFFF). */
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    st = LKATTRS_E_UTF8;
    if (b < 0xC2) break; /* continuation byte, or overlong C0/C1 */
    if (b < 0xE0) {
      n = 1;
    } else if (b < 0xF0) {
      n = 2;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b < 0xF5) {
      n = 3;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      break;
    }
    if (len - i <= n || s[i + 1] < lo || s[i + 1] > hi) break;
    if (n > 1 && (s[i + 2] & 0xC0) != 0x80) break;
    if (n > 2 && (s[i + 3] & 0xC0) != 0x80) break;
    if (key && b == 0xC2 && s[i + 1] < 0xA0) { /* C1 control U+0080-U+009F */
      st = LKATTRS_E_CONTROL_CHAR;
      break;
    }
    st = LKATTRS_OK;
    i += n + 1;
  }
  if (bad) *bad = i;
  return i < len ? st : LKATTRS_OK;
}

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
  lkattrs_limits def = LKATTRS_LIMITS_INIT;
  lkattrs__ok(detail);
  return check(key, key_len, true, limits ? limits : &def, detail, key,
               key_len, LKATTRS_NO_INDEX);
}

lkattrs_status lkattrs_validate_value(const char *value, size_t value_len,
                                      const lkattrs_limits *limits,
                                      lkattrs_error_detail *detail) {
  lkattrs_limits def = LKATTRS_LIMITS_INIT;
  lkattrs__ok(detail);
  return check(value, value_len, false, limits ? limits : &def, detail, NULL,
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
  lkattrs_status st =
      check(e->key, e->key_len, true, limits, detail, e->key, e->key_len, index);
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
