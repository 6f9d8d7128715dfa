/*
 * base.h - what every layer of libattrs shares: error details, saturating
 * sizes, the key order, the default limits and allocator.  Never
 * installed; every non-static name is prefixed lkattrs__.
 */
#ifndef LKATTRS_BASE_H
#define LKATTRS_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lkattrs/errors.h"
#include "lkattrs/map.h"
#include "lkattrs/validate.h"

#ifdef LKATTRS_NO_ERRMSG
#define LKATTRS__MSG(s) ""
#else
#define LKATTRS__MSG(s) s
#endif

/* Fill *detail (when not NULL) and return code. */
lkattrs_status lkattrs__fail(lkattrs_error_detail *detail, lkattrs_status code,
                             const char *key, size_t key_len, size_t index,
                             size_t offset, bool in_value, const char *message);

/* lkattrs__fail() about no key and no entry, at offset off. */
static inline lkattrs_status lkattrs__fail_at(lkattrs_error_detail *detail, lkattrs_status code,
                                              size_t off) {
  return lkattrs__fail(detail, code, NULL, 0, LKATTRS_NO_INDEX, off, false, NULL);
}

/* Reset *detail (when not NULL) to the success state. */
void lkattrs__ok(lkattrs_error_detail *detail);

/* Saturating addition. */
size_t lkattrs__add(size_t a, size_t b);

/* Canonical order: memcmp over the common length, then shorter first.
 * Inline (it is the inner step of every sort and search), except in -Os
 * builds, where one copy in base.c keeps the code small. */
#ifdef __OPTIMIZE_SIZE__
int lkattrs__keycmp(const char *a, size_t alen, const char *b, size_t blen);
#else
static inline int lkattrs__keycmp(const char *a, size_t alen, const char *b, size_t blen) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !defined(__OPTIMIZE_SIZE__)
  /* Most keys compared differ in their first 8 bytes: one compare of
   * those, as big-endian numbers, orders them (left out of -Os builds). */
  if (alen >= 8 && blen >= 8) {
    uint64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
  }
#endif
  /* Most keys compared in a search differ in the first byte. */
  if (alen && blen && a[0] != b[0])
    return (unsigned char)a[0] < (unsigned char)b[0] ? -1 : 1;
  int c = memcmp(a, b, alen < blen ? alen : blen);
  if (c) return c;
  return alen < blen ? -1 : alen > blen;
}
#endif

/* limits, or the defaults when NULL. */
const lkattrs_limits *lkattrs__limits_or_default(const lkattrs_limits *limits);

/* The libc allocator (malloc/realloc/free), or NULL in a LKATTRS_NO_MALLOC
 * build; alc when alc is not NULL. */
const lkattrs_allocator *lkattrs__allocator_or_libc(const lkattrs_allocator *alc);

#endif /* LKATTRS_BASE_H */
