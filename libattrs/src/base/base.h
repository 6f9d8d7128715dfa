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
#include "lkattrs/types.h"

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

/* A key's first 8 bytes as a big-endian number, zero-padded.  When the
 * prefixes of two keys differ, they order the keys as lkattrs__keycmp()
 * does; when they are equal and one key is at most 8 bytes long, the
 * shorter key is the smaller (or the keys are equal). */
static inline uint64_t lkattrs__key_prefix(const char *k, size_t n) {
  const unsigned char *b = (const unsigned char *)k;
  uint64_t v = 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n >= 8) {
    memcpy(&v, b, 8);
    return __builtin_bswap64(v);
  }
#endif
  size_t m = n < 8 ? n : 8;
  for (size_t i = 0; i < m; i++) v = v << 8 | b[i];
  return m ? v << (8 * (8 - m)) : 0; /* (m = 0 would shift by 64) */
}

/* Canonical order: memcmp over the common length, then shorter first.
 * Inline (it is the inner step of every sort and search), except in -Os
 * builds, where one copy in base.c keeps the code small. */
#ifdef __OPTIMIZE_SIZE__
int lkattrs__keycmp(const char *a, size_t alen, const char *b, size_t blen);
#else
static inline int lkattrs__keycmp(const char *a, size_t alen, const char *b, size_t blen) {
  /* Most keys compared differ in their first 8 bytes. */
  uint64_t x = lkattrs__key_prefix(a, alen), y = lkattrs__key_prefix(b, blen);
  if (x != y) return x < y ? -1 : 1;
  if (alen > 8 && blen > 8) {
    int c = memcmp(a + 8, b + 8, (alen < blen ? alen : blen) - 8);
    if (c) return c;
  }
  return alen < blen ? -1 : alen > blen;
}
#endif

/* The libc allocator (malloc/realloc/free), or NULL in a LKATTRS_NO_MALLOC
 * build; alc when alc is not NULL. */
const lkattrs_allocator *lkattrs__allocator_or_libc(const lkattrs_allocator *alc);

#endif /* LKATTRS_BASE_H */
