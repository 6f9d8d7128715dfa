/* engine.c - the update engine: sort/dedup, checks, plan, limits. */
#include "engine.h"

#include <string.h>

#include "../rules/rules.h"

/* ---- sorting (insertion sort for small inputs, else heapsort: no
 * recursion, no memory; ties broken by index so the last duplicate sorts
 * last) ---- */

static int tcmp(lkattrs__cmp_fn cmp, const void *ctx, uint32_t a, uint32_t b) {
  int c = cmp(ctx, a, b);
  return c ? c : (a < b ? -1 : a > b);
}

static void sift(uint32_t *v, size_t root, size_t n, lkattrs__cmp_fn cmp, const void *ctx) {
  for (;;) {
    size_t c = 2 * root + 1;
    if (c >= n) return;
    if (c + 1 < n && tcmp(cmp, ctx, v[c], v[c + 1]) < 0) c++;
    if (tcmp(cmp, ctx, v[root], v[c]) > 0) return;
    uint32_t t = v[root];
    v[root] = v[c];
    v[c] = t;
    root = c;
  }
}

size_t lkattrs__sort_dedup_by(uint32_t *v, size_t n, lkattrs__cmp_fn cmp, const void *ctx) {
  size_t i, w = 0;
#ifndef __OPTIMIZE_SIZE__
  if (n <= 16) { /* small updates, often sorted */
    for (i = 1; i < n; i++) {
      uint32_t t = v[i];
      size_t j = i;
      for (; j > 0 && tcmp(cmp, ctx, v[j - 1], t) > 0; j--) v[j] = v[j - 1];
      v[j] = t;
    }
  } else
#endif
  {
    for (i = n / 2; i-- > 0;) sift(v, i, n, cmp, ctx);
    for (i = n; i-- > 1;) {
      uint32_t t = v[0];
      v[0] = v[i];
      v[i] = t;
      sift(v, 0, i, cmp, ctx);
    }
  }
  for (i = 0; i < n; i++) {
    if (i + 1 < n && cmp(ctx, v[i], v[i + 1]) == 0) continue;
    v[w++] = v[i];
  }
  return w;
}

static int entry_cmp(const void *ctx, uint32_t a, uint32_t b) {
  const lkattrs_entry *arr = ctx;
  return lkattrs__keycmp(arr[a].key, arr[a].key_len, arr[b].key, arr[b].key_len);
}

size_t lkattrs__sort_dedup(const lkattrs_entry *arr, uint32_t *v, size_t n) {
  for (size_t i = 0; i < n; i++) v[i] = (uint32_t)i;
  return lkattrs__sort_dedup_by(v, n, entry_cmp, arr);
}

size_t lkattrs__drop_empty(const lkattrs_entry *arr, uint32_t *v, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    if (arr[v[i]].value_len) v[w++] = v[i];
  return w;
}

/* ---- checks ---- */

lkattrs_status lkattrs__check_sender(const lkattrs__policy *pol, lkattrs_error_detail *detail) {
  if ((unsigned)pol->origin > LKATTRS_ORIGIN_TRUSTED)
    return lkattrs__fail(detail, LKATTRS_E_INVALID_ARGUMENT, NULL, 0, LKATTRS_NO_INDEX, 0,
                         false, NULL);
  if (pol->origin <= LKATTRS_ORIGIN_AGENT && !pol->can_update_metadata)
    return lkattrs__fail(detail, LKATTRS_E_NOT_ALLOWED, NULL, 0, LKATTRS_NO_INDEX, 0, false,
                         LKATTRS__MSG("sender lacks can_update_metadata"));
  return LKATTRS_OK;
}

lkattrs_status lkattrs__check_entries(const lkattrs__sorted *u, size_t index_base,
                                      const lkattrs__policy *pol, lkattrs_error_detail *detail) {
  for (size_t i = 0; i < u->n; i++) {
    lkattrs_entry e;
    lkattrs__sorted_get(u, i, &e);
    lkattrs_status st = lkattrs__check_entry(&e, index_base + i, pol->limits, pol->origin,
                                             !pol->skip_namespace_rules, detail);
    if (st) return st;
  }
  return LKATTRS_OK;
}

lkattrs_status lkattrs__check_update(const lkattrs__sorted *u, const lkattrs__policy *pol,
                                     lkattrs_error_detail *detail) {
  lkattrs_status st = lkattrs__check_sender(pol, detail);
  return st ? st : lkattrs__check_entries(u, 0, pol, detail);
}

lkattrs_status lkattrs__check_limits(const lkattrs__plan *p, const lkattrs_limits *l,
                                     bool update, lkattrs_error_detail *detail) {
  if (update && l->max_update_bytes && p->upd_bytes > l->max_update_bytes)
    return lkattrs__fail(detail, LKATTRS_E_TOO_LARGE, NULL, 0, LKATTRS_NO_INDEX,
                         p->upd_bytes, false, LKATTRS__MSG("update exceeds max_update_bytes"));
  if (l->max_map_bytes && p->edit.live > l->max_map_bytes)
    return lkattrs__fail(detail, LKATTRS_E_TOO_LARGE, NULL, 0, LKATTRS_NO_INDEX, p->edit.live,
                         false, LKATTRS__MSG("resulting map exceeds max_map_bytes"));
  if (l->max_entries && p->edit.count > l->max_entries)
    return lkattrs__fail(detail, LKATTRS_E_TOO_MANY_ENTRIES, NULL, 0, LKATTRS_NO_INDEX,
                         p->edit.count, false, NULL);
  return LKATTRS_OK;
}

/* ---- plan ---- */

static bool map_find(const void *ctx, const char *key, size_t key_len, size_t lo, size_t hi,
                     size_t *pos, lkattrs_entry *e) {
  const lkattrs_map *m = ctx;
  if (!lkattrs__find(m, key, key_len, lo, hi, pos)) return false;
  lkattrs__entry(m, *pos, e);
  return true;
}

void lkattrs__map_store(const lkattrs_map *m, lkattrs__store *s) {
  s->ctx = m;
  s->count = lkattrs_map_count(m);
  s->live = lkattrs_map_bytes(m);
  s->keep_empty = (lkattrs_map_flags(m) & LKATTRS_MAP_UPDATE) != 0;
  s->find = map_find;
  s->rec_size = lkattrs__rec_size;
}

static const char empty[1] = "";

lkattrs_status lkattrs__plan_update(const lkattrs__store *s, const lkattrs__sorted *u,
                                    lkattrs__plan *p, lkattrs__op *ops,
                                    lkattrs__report_fn report, void *ctx) {
  size_t lo = 0;
  memset(p, 0, sizeof *p);
  p->edit.count = s->count;
  p->edit.live = s->live;
  for (size_t i = 0; i < u->n; i++) {
    lkattrs_entry e, old;
    size_t pos;
    lkattrs__sorted_get(u, i, &e);
    size_t rec = s->rec_size(e.key_len, e.value_len);
    if (rec == SIZE_MAX) return LKATTRS_E_NOSPACE;
    size_t kv = e.key_len + e.value_len;
    bool found = s->find(s->ctx, e.key, e.key_len, lo, s->count, &pos, &old);
    bool del = !e.value_len && !s->keep_empty;
    lo = found ? pos + 1 : pos;
    p->upd_bytes = lkattrs__add(p->upd_bytes, kv);
    if (found && old.value_len == e.value_len &&
        (e.value_len == 0 || memcmp(old.value, e.value, e.value_len) == 0))
      continue; /* the same value */
    if (!found && del) continue; /* deleting an absent key */
    if (ops) ops[p->changed] = (lkattrs__op){found ? (uint32_t)pos : LKATTRS__NONE,
                                             (uint32_t)pos, (uint32_t)i};
    p->changed++;
    if (found) {
      p->edit.live -= old.key_len + old.value_len;
      p->edit.dead_rec += s->rec_size(old.key_len, old.value_len);
      p->edit.count--;
    }
    if (del) {
      e.value = empty;
    } else {
      p->edit.live = lkattrs__add(p->edit.live, kv);
      p->edit.new_rec = lkattrs__add(p->edit.new_rec, rec);
      p->edit.count++;
    }
    if (report) report(ctx, &e);
  }
  return LKATTRS_OK;
}
