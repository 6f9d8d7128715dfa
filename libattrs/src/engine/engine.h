/*
 * engine.h - the one update engine of libattrs, over decoded entries:
 * sort and deduplicate an update, check it (permission, key and value
 * rules, namespaces), plan it against a sorted store (a map, or a
 * participant state's index), and check the limits of the plan.  Applying
 * the plan is the store's own business.  Never installed; every name is
 * prefixed lkattrs__.
 */
#ifndef LKATTRS_ENGINE_H
#define LKATTRS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "../rules/rules.h"
#include "../storage/storage.h"

/* Sort the items v[0..n) (numbers in increasing input order: indices,
 * offsets) by cmp, ties broken by the item, and keep the last of each run
 * of equal keys; returns the new length.  cmp compares the keys of items a
 * and b.  No memory, no recursion. */
typedef int (*lkattrs__cmp_fn)(const void *ctx, uint32_t a, uint32_t b);
size_t lkattrs__sort_dedup_by(uint32_t *v, size_t n, lkattrs__cmp_fn cmp, const void *ctx);

/* The same over the keys of arr[0..n) (v filled here with 0..n-1). */
size_t lkattrs__sort_dedup(const lkattrs_entry *arr, uint32_t *v, size_t n);

/* Drop the entries with an empty value from a sorted index list; returns
 * the new length. */
size_t lkattrs__drop_empty(const lkattrs_entry *arr, uint32_t *v, size_t n);

/* Who sends an update and under which rules. */
typedef struct {
  lkattrs_origin origin;
  bool can_update_metadata;
  bool skip_namespace_rules;
  const lkattrs_limits *limits; /* never NULL here */
} lkattrs__policy;

/* The sender: a known origin (else INVALID_ARGUMENT), and the permission
 * (a CLIENT or AGENT without the grant: NOT_ALLOWED). */
lkattrs_status lkattrs__check_sender(const lkattrs__policy *pol, lkattrs_error_detail *detail);

/* Every entry of u (raw, wire order; detail->index is index_base + its
 * position) against the key, value and namespace rules. */
lkattrs_status lkattrs__check_entries(const lkattrs__sorted *u, size_t index_base,
                                      const lkattrs__policy *pol, lkattrs_error_detail *detail);

/* lkattrs__check_sender(), then lkattrs__check_entries() from index 0. */
lkattrs_status lkattrs__check_update(const lkattrs__sorted *u, const lkattrs__policy *pol,
                                     lkattrs_error_detail *detail);

/* A sorted store, as the planner sees it. */
typedef struct {
  const void *ctx;
  size_t count, live;
  bool keep_empty; /* an update map: "" is stored, not a deletion */
  /* Lower bound of key in [lo, hi): *pos; on a match true and *e set. */
  bool (*find)(const void *ctx, const char *key, size_t key_len, size_t lo, size_t hi,
               size_t *pos, lkattrs_entry *e);
  /* Bytes of storage of an entry (SIZE_MAX: cannot be stored). */
  size_t (*rec_size)(size_t key_len, size_t value_len);
} lkattrs__store;

/* The store of a map. */
void lkattrs__map_store(const lkattrs_map *m, lkattrs__store *s);

/* One change planned: entry `old` of the store is replaced or removed
 * (LKATTRS__NONE: none), at index position `at` (the lower bound), by
 * update entry `upd` (its position in the sorted update). */
#define LKATTRS__NONE UINT32_MAX
typedef struct {
  uint32_t old, at, upd;
} lkattrs__op;

/* What an update does. */
typedef struct {
  lkattrs__edit edit; /* count, live, bytes added and removed */
  size_t upd_bytes;   /* Σ key+value over the update (deleted: key only) */
  size_t changed;     /* entries whose value changes */
} lkattrs__plan;

/* Receives one change (value "" when removed). */
typedef void (*lkattrs__report_fn)(void *ctx, const lkattrs_entry *e);

/* Plan applying the sorted update u to the store: O(k log n).  ops (NULL,
 * or room for u->n) receives the changes in key order; report (NULL or
 * not) each change.  Errors: NOSPACE (an entry the store cannot hold). */
lkattrs_status lkattrs__plan_update(const lkattrs__store *s, const lkattrs__sorted *u,
                                    lkattrs__plan *p, lkattrs__op *ops,
                                    lkattrs__report_fn report, void *ctx);

/* The limits on a plan (max_update_bytes only when `update`): TOO_LARGE,
 * TOO_MANY_ENTRIES. */
lkattrs_status lkattrs__check_limits(const lkattrs__plan *p, const lkattrs_limits *l,
                                     bool update, lkattrs_error_detail *detail);

#endif /* LKATTRS_ENGINE_H */
