/* patch.c - merge, join, diff, and the hide_phone_number filter. */
#include "lkattrs/patch.h"

#include <string.h>

#include "internal.h"
#include "lkattrs/names.h"

/* ---- sorting an update array (heapsort of indices: no recursion, no
 * extra memory; ties broken by index so the last duplicate sorts last) ---- */

static int ucmp(const lkattrs_entry *arr, uint32_t a, uint32_t b) {
  int c = lkattrs__keycmp(arr[a].key, arr[a].key_len, arr[b].key, arr[b].key_len);
  return c ? c : (a < b ? -1 : 1);
}

static void sift(const lkattrs_entry *arr, uint32_t *v, size_t root, size_t n) {
  for (;;) {
    size_t c = 2 * root + 1;
    if (c >= n) return;
    if (c + 1 < n && ucmp(arr, v[c], v[c + 1]) < 0) c++;
    if (ucmp(arr, v[root], v[c]) > 0) return;
    uint32_t t = v[root];
    v[root] = v[c];
    v[c] = t;
    root = c;
  }
}

/* Sort v[0..n) (indices into arr) and keep the last of each run of equal
 * keys; returns the new length. */
static size_t sort_dedup(const lkattrs_entry *arr, uint32_t *v, size_t n) {
  size_t i, w = 0;
  for (i = 0; i < n; i++) v[i] = (uint32_t)i;
#ifndef __OPTIMIZE_SIZE__
  if (n <= 16) { /* small updates, often sorted: insertion sort */
    for (i = 1; i < n; i++) {
      uint32_t t = v[i];
      size_t j = i;
      for (; j > 0 && ucmp(arr, v[j - 1], t) > 0; j--) v[j] = v[j - 1];
      v[j] = t;
    }
  } else
#endif
  {
    for (i = n / 2; i-- > 0;) sift(arr, v, i, n);
    for (i = n; i-- > 1;) {
      uint32_t t = v[0];
      v[0] = v[i];
      v[i] = t;
      sift(arr, v, 0, i);
    }
  }
  for (i = 0; i < n; i++) {
    const lkattrs_entry *a = &arr[v[i]], *b = &arr[v[i + 1 < n ? i + 1 : i]];
    if (i + 1 < n && !lkattrs__keycmp(a->key, a->key_len, b->key, b->key_len))
      continue;
    v[w++] = v[i];
  }
  return w;
}

/* ---- merge ---- */

static void report(void *ctx, const lkattrs_entry *e) {
  const lkattrs_merge_opts *o = ctx;
  o->on_change(o->change_ctx, e->key, e->key_len, e->value, e->value_len);
}

static bool sender_blocked(const lkattrs_merge_opts *o) {
  return o->origin <= LKATTRS_ORIGIN_AGENT && !o->can_update_metadata;
}

/* Permission (refused whatever the update holds) and per-entry rules. */
static lkattrs_status check_update(const lkattrs__upd *u, size_t n,
                                   const lkattrs_merge_opts *o,
                                   const lkattrs_limits *lim,
                                   lkattrs_error_detail *detail) {
  if ((unsigned)o->origin > LKATTRS_ORIGIN_TRUSTED)
    return lkattrs__fail(detail, LKATTRS_E_INVALID_ARGUMENT, NULL, 0,
                         LKATTRS_NO_INDEX, 0, false, NULL);
  if (sender_blocked(o))
    return lkattrs__fail(detail, LKATTRS_E_NOT_ALLOWED, NULL, 0,
                         LKATTRS_NO_INDEX, 0, false,
                         LKATTRS__MSG("sender lacks can_update_metadata"));
  for (size_t i = 0; i < n; i++) {
    lkattrs_entry e;
    lkattrs__upd_get(u, i, &e);
    lkattrs_status st = lkattrs__check_entry(&e, i, lim, o->origin,
                                             !o->skip_namespace_rules, detail);
    if (st) return st;
  }
  return LKATTRS_OK;
}

/* Limits on a planned result (max_update_bytes only when `upd`). */
static lkattrs_status check_limits(const lkattrs__plan *p,
                                   const lkattrs_limits *l, bool upd,
                                   lkattrs_error_detail *detail) {
  if (upd && l->max_update_bytes && p->upd_bytes > l->max_update_bytes)
    return lkattrs__fail(detail, LKATTRS_E_TOO_LARGE, NULL, 0, LKATTRS_NO_INDEX,
                         p->upd_bytes, false,
                         LKATTRS__MSG("update exceeds max_update_bytes"));
  if (l->max_map_bytes && p->live > l->max_map_bytes)
    return lkattrs__fail(detail, LKATTRS_E_TOO_LARGE, NULL, 0, LKATTRS_NO_INDEX,
                         p->live, false,
                         LKATTRS__MSG("resulting map exceeds max_map_bytes"));
  if (l->max_entries && p->count > l->max_entries)
    return lkattrs__fail(detail, LKATTRS_E_TOO_MANY_ENTRIES, NULL, 0,
                         LKATTRS_NO_INDEX, p->count, false, NULL);
  return LKATTRS_OK;
}

static lkattrs_status fail_plain(lkattrs_error_detail *detail,
                                 lkattrs_status st) {
  return st ? lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, 0, false, NULL)
            : st;
}

/* The sorted, deduplicated view of an update array, with scratch from m. */
static lkattrs_status sorted_view(lkattrs_map *m, const lkattrs_entry *arr,
                                  size_t n, lkattrs__upd *u, uint32_t **idx) {
  u->arr = arr;
  u->idx = NULL;
  u->src = NULL;
  u->n = n;
  *idx = NULL;
  if (n < 2) return LKATTRS_OK;
  lkattrs_status st = lkattrs__scratch(m, n, idx);
  if (st) {
    *idx = NULL;
    return st;
  }
  u->n = sort_dedup(arr, *idx, n);
  u->idx = *idx;
  return LKATTRS_OK;
}

/* The one path of merge and join: check the update, plan it against
 * `base`, make room in `out`, and only then copy base into out (when they
 * differ) and apply.  A join skips empty values, does not apply
 * max_update_bytes, and needs no grant for an empty update. */
static lkattrs_status run(lkattrs_map *out, const lkattrs_map *base,
                          lkattrs__upd *u, const lkattrs_merge_opts *opts,
                          bool join, size_t *changed,
                          lkattrs_error_detail *detail,
                          lkattrs__precommit_fn hook, void *hook_ctx,
                          uint32_t *given) {
  lkattrs_limits def = LKATTRS_LIMITS_INIT;
  const lkattrs_limits *lim = opts->limits ? opts->limits : &def;
  size_t raw_n = u->n;
  uint32_t *idx = NULL;
  lkattrs__plan p;
  lkattrs_status st = join && !raw_n ? LKATTRS_OK : check_update(u, raw_n, opts, lim, detail);
  if (!st && u->arr && given && raw_n > 1) { /* the caller's sort index */
    for (size_t i = 0; i < raw_n; i++) given[i] = (uint32_t)i;
    u->n = sort_dedup(u->arr, given, raw_n);
    u->idx = given;
  } else if (!st && u->arr) st = fail_plain(detail, sorted_view(out, u->arr, raw_n, u, &idx));
  else if (!st && u->wire && raw_n > 1)
    u->n = lkattrs__wire_sort_dedup(u->wire, (uint32_t *)(uintptr_t)u->idx, raw_n);
  if (!st && join) { /* skip the entries whose winning value is empty */
    size_t w = 0;
    for (size_t i = 0; i < u->n; i++) {
      lkattrs_entry e;
      lkattrs__upd_get(u, i, &e);
      if (!e.value_len) continue;
      if (idx) idx[w] = idx[i];
      w++;
    }
    u->n = w;
  }
  if (!st) st = fail_plain(detail, lkattrs__plan_update(base, u, &p, NULL, NULL));
  if (!st) st = check_limits(&p, lim, !join, detail);
  if (!st && out == base) {
    st = fail_plain(detail, lkattrs__reserve(out, p.count, p.new_rec, p.dead_rec));
    if (!st && hook) st = hook(hook_ctx, out, u, &p);
  } else if (!st) {
    /* Room for the copy of base, and for the result after a compaction. */
    size_t from = lkattrs__rec_bytes(base), to = from - p.dead_rec + p.new_rec;
    st = fail_plain(detail, lkattrs__reserve(out, p.count, from > to ? from : to,
                                             lkattrs__rec_bytes(out)));
    if (!st) lkattrs__copy_raw(out, base);
  }
  if (!st) {
    if (opts->on_change && !join)
      (void)lkattrs__plan_update(out, u, &p, report, (void *)(uintptr_t)opts);
    lkattrs__apply(out, u, &p);
    if (changed) *changed = p.changed;
  }
  lkattrs__scratch_free(out, idx, raw_n);
  return st;
}

lkattrs_status lkattrs_merge(lkattrs_map *map, const lkattrs_entry *update,
                             size_t count, const lkattrs_merge_opts *opts,
                             size_t *changed, lkattrs_error_detail *detail) {
  static const lkattrs_entry none[1];
  lkattrs__upd u = {update ? update : none, NULL, NULL, count, NULL};
  lkattrs__ok(detail);
  if (changed) *changed = 0;
  if (!map || !opts || (!update && count))
    return fail_plain(detail, LKATTRS_E_INVALID_ARGUMENT);
  return run(map, map, &u, opts, false, changed, detail, NULL, NULL, NULL);
}

lkattrs_status lkattrs_merge_map(lkattrs_map *map, const lkattrs_map *update,
                                 const lkattrs_merge_opts *opts,
                                 size_t *changed, lkattrs_error_detail *detail) {
  lkattrs__upd u = {NULL, NULL, update, lkattrs_map_count(update), NULL};
  lkattrs__ok(detail);
  if (changed) *changed = 0;
  if (!map || !update || !opts || map == update)
    return fail_plain(detail, LKATTRS_E_INVALID_ARGUMENT);
  return run(map, map, &u, opts, false, changed, detail, NULL, NULL, NULL);
}

lkattrs_status lkattrs__merge_wire(lkattrs_map *map, const unsigned char *wire,
                                   uint32_t *off, size_t n,
                                   const lkattrs_merge_opts *opts,
                                   lkattrs__precommit_fn hook, void *hook_ctx,
                                   size_t *changed, lkattrs_error_detail *detail) {
  lkattrs__upd u = {NULL, off, NULL, n, wire};
  lkattrs__ok(detail);
  if (changed) *changed = 0;
  if (!map || !opts || (!off && n)) return fail_plain(detail, LKATTRS_E_INVALID_ARGUMENT);
  return run(map, map, &u, opts, false, changed, detail, hook, hook_ctx, NULL);
}

lkattrs_status lkattrs__merge_entries(lkattrs_map *map, const lkattrs_entry *arr,
                                      uint32_t *idx, size_t n,
                                      const lkattrs_merge_opts *opts,
                                      lkattrs__precommit_fn hook, void *hook_ctx,
                                      lkattrs_error_detail *detail) {
  lkattrs__upd u = {arr, NULL, NULL, n, NULL};
  lkattrs__ok(detail);
  if (!map || !opts || (!arr && n) || (!idx && n > 1))
    return fail_plain(detail, LKATTRS_E_INVALID_ARGUMENT);
  return run(map, map, &u, opts, false, NULL, detail, hook, hook_ctx, idx);
}

/* ---- join ---- */

lkattrs_status lkattrs_join(const lkattrs_map *token_attrs,
                            const lkattrs_entry *join_attrs, size_t join_count,
                            bool can_update_metadata,
                            const lkattrs_limits *limits, lkattrs_map *out,
                            lkattrs_error_detail *detail) {
  lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
  o.can_update_metadata = can_update_metadata;
  o.limits = limits;
  return lkattrs_join_opts(token_attrs, join_attrs, join_count, &o, out, detail);
}

lkattrs_status lkattrs_join_opts(const lkattrs_map *token,
                                 const lkattrs_entry *join, size_t n,
                                 const lkattrs_merge_opts *opts,
                                 lkattrs_map *out,
                                 lkattrs_error_detail *detail) {
  lkattrs__upd u = {join, NULL, NULL, n, NULL};
  lkattrs__ok(detail);
  if (!token || !out || !opts || (!join && n) ||
      ((lkattrs_map_flags(token) | lkattrs_map_flags(out)) & LKATTRS_MAP_UPDATE))
    return fail_plain(detail, LKATTRS_E_INVALID_ARGUMENT);
  return run(out, token, &u, opts, true, NULL, detail, NULL, NULL, NULL);
}

/* ---- diff ---- */

typedef struct {
  lkattrs_entry *out;
  size_t cap, n, rec;
  lkattrs_map *map;
} diff_sink;

static void emit(diff_sink *s, const char *k, size_t klen, const char *v,
                 size_t vlen) {
  lkattrs_entry e = {k, klen, v, vlen};
  if (s->map) {
    s->map->ent[s->map->count++] = lkattrs__append(s->map, &e);
    s->map->live += klen + vlen;
  }
  if (s->out && s->n < s->cap) s->out[s->n] = e;
  s->n++;
  s->rec += LKATTRS__REC(klen, vlen);
}

static void diff_walk(const lkattrs_map *a, const lkattrs_map *b, diff_sink *s) {
  size_t i = 0, j = 0, na = lkattrs_map_count(a), nb = lkattrs_map_count(b);
  lkattrs_entry x, y;
  while (i < na || j < nb) {
    int c;
    if (i < na) lkattrs__entry(a, i, &x);
    if (j < nb) lkattrs__entry(b, j, &y);
    c = i == na ? 1 : j == nb ? -1 : lkattrs__keycmp(x.key, x.key_len, y.key, y.key_len);
    if (c < 0) {
      emit(s, x.key, x.key_len, x.key + x.key_len, 0); /* removed: "" */
      i++;
    } else {
      if (c > 0 || x.value_len != y.value_len ||
          memcmp(x.value, y.value, x.value_len) != 0)
        emit(s, y.key, y.key_len, y.value, y.value_len);
      i += c == 0;
      j++;
    }
  }
}

static bool plain(const lkattrs_map *m) {
  return m && !(lkattrs_map_flags(m) & LKATTRS_MAP_UPDATE);
}

lkattrs_status lkattrs_diff(const lkattrs_map *a, const lkattrs_map *b,
                            lkattrs_entry *out, size_t cap, size_t *count) {
  diff_sink s = {out, cap, 0, 0, NULL};
  if (count) *count = 0;
  if (!plain(a) || !plain(b) || !count) return LKATTRS_E_INVALID_ARGUMENT;
  diff_walk(a, b, &s);
  *count = s.n;
  return out && s.n > cap ? LKATTRS_E_NOSPACE : LKATTRS_OK;
}

lkattrs_status lkattrs_diff_map(const lkattrs_map *a, const lkattrs_map *b,
                                lkattrs_map *out) {
  diff_sink s = {NULL, 0, 0, 0, NULL};
  if (!plain(a) || !plain(b) || !out || out == a || out == b ||
      plain(out))
    return LKATTRS_E_INVALID_ARGUMENT;
  diff_walk(a, b, &s);
  lkattrs_status st = lkattrs__reserve(out, s.n, s.rec, lkattrs__rec_bytes(out));
  if (st) return st;
  lkattrs_map_clear(out);
  s.map = out;
  diff_walk(a, b, &s);
  return LKATTRS_OK;
}

/* ---- hide_phone_number ---- */

lkattrs_status lkattrs_hide_phone_number(lkattrs_map *dst,
                                         const lkattrs_map *src,
                                         size_t *removed) {
  size_t n = 0;
  if (removed) *removed = 0;
  if (!dst || !src) return LKATTRS_E_INVALID_ARGUMENT;
  lkattrs_status st = lkattrs_map_copy(dst, src);
  if (st) return st;
  for (size_t i = dst->count; i-- > 0;) {
    lkattrs_entry e;
    lkattrs__entry(dst, i, &e);
    if (lkattrs_name_hidden_by_phone_setting(e.key, e.key_len)) {
      lkattrs__remove(dst, i);
      n++;
    }
  }
  if (removed) *removed = n;
  return LKATTRS_OK;
}
