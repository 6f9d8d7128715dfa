/* base.c - shared helpers of every layer: saturating sizes, the key order,
 * the libc allocator. */
#include "base.h"

#include <string.h>
#ifndef LKATTRS_NO_MALLOC
#include <stdlib.h>
#endif

size_t lkattrs__add(size_t a, size_t b) { return a + b < a ? (size_t)-1 : a + b; }

#ifdef __OPTIMIZE_SIZE__
int lkattrs__keycmp(const char *a, size_t alen, const char *b, size_t blen) {
  int c = memcmp(a, b, alen < blen ? alen : blen);
  if (c) return c;
  return alen < blen ? -1 : alen > blen;
}
#endif

#ifndef LKATTRS_NO_MALLOC
static void *libc_alloc(void *ctx, size_t size) {
  (void)ctx;
  return malloc(size);
}
static void *libc_realloc(void *ctx, void *p, size_t old, size_t size) {
  (void)ctx;
  (void)old;
  return realloc(p, size);
}
static void libc_free(void *ctx, void *p, size_t size) {
  (void)ctx;
  (void)size;
  free(p);
}
#endif

const lkattrs_allocator *lkattrs_libc_allocator(void) {
#ifndef LKATTRS_NO_MALLOC
  static const lkattrs_allocator libc = {libc_alloc, libc_realloc, libc_free, NULL};
  return &libc;
#else
  return NULL;
#endif
}

const lkattrs_allocator *lkattrs__allocator_or_libc(const lkattrs_allocator *alc) {
  return alc ? alc : lkattrs_libc_allocator();
}
