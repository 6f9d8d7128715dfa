/*
 * counting_alloc.h - a header-only lkattrs_allocator for the unit tests:
 * counts live blocks and bytes, checks the sizes passed back to realloc and
 * free, and fails the n-th allocating call (alloc or realloc) on request.
 */
#ifndef LKATTRS_TEST_COUNTING_ALLOC_H
#define LKATTRS_TEST_COUNTING_ALLOC_H

#include <stdlib.h>

#include "lkattrs/map.h"

typedef struct counting_alloc {
  size_t calls;      /* alloc + realloc calls so far */
  size_t fail_at;    /* 1-based call number to fail; 0 = never */
  size_t failures;   /* calls failed */
  long live_blocks;  /* blocks currently allocated */
  long live_bytes;   /* bytes currently allocated */
} counting_alloc;

/* Each block carries its size in front, to check what free/realloc get. */
static void *ca_alloc(void *ctx, size_t size) {
  counting_alloc *c = ctx;
  if (++c->calls == c->fail_at) {
    c->failures++;
    return NULL;
  }
  size_t *p = malloc(sizeof(size_t) + size);
  if (!p) return NULL;
  *p = size;
  c->live_blocks++;
  c->live_bytes += (long)size;
  return p + 1;
}

static void ca_free(void *ctx, void *ptr, size_t size) {
  counting_alloc *c = ctx;
  if (!ptr) return;
  size_t *p = (size_t *)ptr - 1;
  if (*p != size) abort(); /* the library passed a wrong size */
  c->live_blocks--;
  c->live_bytes -= (long)size;
  free(p);
}

static void *ca_realloc(void *ctx, void *ptr, size_t old, size_t size) {
  counting_alloc *c = ctx;
  if (!ptr) return ca_alloc(ctx, size);
  if (++c->calls == c->fail_at) {
    c->failures++;
    return NULL;
  }
  size_t *p = (size_t *)ptr - 1;
  if (*p != old) abort();
  size_t *q = realloc(p, sizeof(size_t) + size);
  if (!q) return NULL;
  *q = size;
  c->live_bytes += (long)size - (long)old;
  return q + 1;
}

static inline lkattrs_allocator counting_allocator(counting_alloc *c) {
  lkattrs_allocator a = {ca_alloc, ca_realloc, ca_free, c};
  return a;
}

#endif /* LKATTRS_TEST_COUNTING_ALLOC_H */
