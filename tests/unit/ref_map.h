/*
 * ref_map.h - a naive reference map for the property tests: an unsorted
 * array with linear search, sorted only for comparison.  Slow and obvious.
 */
#ifndef LKATTRS_TEST_REF_MAP_H
#define LKATTRS_TEST_REF_MAP_H

#include <stdlib.h>
#include <string.h>

#include "lkattrs/lkattrs.h"

#define REF_MAX 1024
#define REF_TEXT 64

typedef struct {
  char k[REF_TEXT], v[REF_TEXT];
  size_t kl, vl;
} ref_item;

typedef struct {
  ref_item it[REF_MAX];
  size_t n;
} ref_map;

static inline int ref_keycmp(const char *a, size_t al, const char *b, size_t bl) {
  int c = memcmp(a, b, al < bl ? al : bl);
  return c ? c : (al < bl ? -1 : al > bl);
}

static inline ref_item *ref_find(ref_map *r, const char *k, size_t kl) {
  for (size_t i = 0; i < r->n; i++)
    if (r->it[i].kl == kl && memcmp(r->it[i].k, k, kl) == 0) return &r->it[i];
  return NULL;
}

/* Apply one update entry with wire semantics ("" deletes); keep_empty
 * stores "" instead (update maps). */
static inline void ref_apply(ref_map *r, const lkattrs_entry *e, bool keep_empty) {
  ref_item *it = ref_find(r, e->key, e->key_len);
  if (e->value_len == 0 && !keep_empty) {
    if (it) *it = r->it[--r->n];
    return;
  }
  if (!it) {
    it = &r->it[r->n++];
    memcpy(it->k, e->key, e->key_len);
    it->kl = e->key_len;
  }
  memcpy(it->v, e->value, e->value_len);
  it->vl = e->value_len;
}

static inline int ref_item_cmp(const void *a, const void *b) {
  const ref_item *x = a, *y = b;
  return ref_keycmp(x->k, x->kl, y->k, y->kl);
}

/* True when m holds exactly r's pairs (and in canonical order). */
static inline bool ref_equal(ref_map *r, const lkattrs_map *m) {
  size_t bytes = 0;
  qsort(r->it, r->n, sizeof r->it[0], ref_item_cmp);
  if (lkattrs_map_count(m) != r->n) return false;
  for (size_t i = 0; i < r->n; i++) {
    lkattrs_entry e;
    if (lkattrs_map_at(m, i, &e) != LKATTRS_OK) return false;
    if (e.key_len != r->it[i].kl || memcmp(e.key, r->it[i].k, e.key_len) ||
        e.value_len != r->it[i].vl || memcmp(e.value, r->it[i].v, e.value_len) ||
        e.key[e.key_len] != 0 || e.value[e.value_len] != 0)
      return false;
    bytes += e.key_len + e.value_len;
  }
  return bytes == lkattrs_map_bytes(m);
}

#endif /* LKATTRS_TEST_REF_MAP_H */
