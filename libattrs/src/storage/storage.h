/*
 * storage.h - the attribute map's storage, as the layers above see it.
 * Only map.c knows struct lkattrs_map; the engine, merge/diff and the wire
 * module store and read entries through these functions.  Never installed;
 * every name is prefixed lkattrs__.
 */
#ifndef LKATTRS_STORAGE_H
#define LKATTRS_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "lkattrs/map.h"

/* Entry i of m (0 <= i < count), views into m. */
void lkattrs__entry(const lkattrs_map *m, size_t i, lkattrs_entry *e);

/* Lower bound of key in entries [lo, hi): sets *pos, returns true on a
 * match.  O(log n). */
bool lkattrs__find(const lkattrs_map *m, const char *key, size_t key_len,
                   size_t lo, size_t hi, size_t *pos);

/* A sorted update without duplicate keys: entry i is arr[idx ? idx[i] :
 * i], or entry i of the map src when arr is NULL. */
typedef struct {
  const lkattrs_entry *arr;
  const uint32_t *idx;
  const lkattrs_map *src;
  size_t n;
} lkattrs__sorted;

void lkattrs__sorted_get(const lkattrs__sorted *u, size_t i, lkattrs_entry *e);

/* Storage bytes of an entry, or SIZE_MAX when it cannot be stored (a key
 * or value of 2 GiB or more). */
size_t lkattrs__rec_size(size_t key_len, size_t value_len);

/* Storage bytes of m's entries (Σ lkattrs__rec_size()).  O(1). */
size_t lkattrs__rec_total(const lkattrs_map *m);

/* What applying a sorted update to a map does to its storage: the
 * resulting entries and Σ key+value, the bytes of the records added and of
 * those that die. */
typedef struct {
  size_t count, live, new_rec, dead_rec;
} lkattrs__edit;

/* Make room for the edit (never changes the contents).  OK, NOSPACE
 * (fixed storage), NOMEM. */
lkattrs_status lkattrs__reserve_edit(lkattrs_map *m, const lkattrs__edit *e);

/* Apply u to m as planned in e; lkattrs__reserve_edit(m, e) succeeded.
 * Cannot fail. */
void lkattrs__apply(lkattrs_map *m, const lkattrs__sorted *u, const lkattrs__edit *e);

/* Replace the contents in bulk, in key order: lkattrs__refill_begin()
 * makes room for count entries of rec_bytes storage bytes (OK, NOSPACE,
 * NOMEM: contents unchanged) and empties m; then lkattrs__refill_push()
 * appends each entry, in strictly increasing key order. */
lkattrs_status lkattrs__refill_begin(lkattrs_map *m, size_t count, size_t rec_bytes);
void lkattrs__refill_push(lkattrs_map *m, const lkattrs_entry *e);

/* Remove entry i (never allocates). */
void lkattrs__remove(lkattrs_map *m, size_t i);

/* A sort index of n slots: a fixed map's scratch (n <= its capacity, else
 * NOSPACE), or a block from a heap map's allocator (NOMEM). */
lkattrs_status lkattrs__scratch(lkattrs_map *m, size_t n, uint32_t **out);
void lkattrs__scratch_free(lkattrs_map *m, uint32_t *p, size_t n);

#endif /* LKATTRS_STORAGE_H */
