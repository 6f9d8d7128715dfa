/*
 * ref_text.h - a reference for the text rules of lkattrs/validate.h,
 * written independently of libattrs (one code point at a time, no
 * tricks), for the tests and fuzz targets that check libattrs' fast
 * variants against it.
 */
#ifndef LKATTRS_TEST_REF_TEXT_H
#define LKATTRS_TEST_REF_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lkattrs/errors.h"

/* Decodes one code point at s[i..n): returns its length, or 0 when the
 * bytes there are not valid UTF-8 (overlong, surrogate, > U+10FFFF, lone
 * continuation, truncated). */
static inline size_t ref_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp) {
  unsigned b = s[i];
  size_t len;
  uint32_t c, min;
  if (b < 0x80) {
    *cp = b;
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    len = 2, c = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    len = 3, c = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    len = 4, c = b & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (n - i < len) return 0;
  for (size_t k = 1; k < len; k++) {
    if ((s[i + k] & 0xC0) != 0x80) return 0;
    c = c << 6 | (s[i + k] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return len;
}

/* The rules of lkattrs/validate.h, one code point at a time. */
static inline lkattrs_status ref_text(const unsigned char *s, size_t n, bool key,
                                      bool allow_nul, size_t *bad) {
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t len = ref_decode(s, n, i, &cp);
    *bad = i;
    if (!len) return LKATTRS_E_UTF8;
    if (cp == 0 && !allow_nul) return LKATTRS_E_NUL;
    if (key && cp != 0 && (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)))
      return LKATTRS_E_CONTROL_CHAR;
    i += len;
  }
  *bad = n;
  return LKATTRS_OK;
}

#endif /* LKATTRS_TEST_REF_TEXT_H */
