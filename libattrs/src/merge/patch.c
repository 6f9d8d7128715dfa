/* patch.c - merge, join, diff, and the hide_phone_number filter: the
 * public operations on maps, over the engine and the storage. */
#include "lkattrs/patch.h"

#include <string.h>

#include "../engine/engine.h"
#include "../rules/rules.h"
#include "lkattrs/names.h"
#include "../storage/storage.h"

static void report(void *ctx, const lkattrs_entry *e) {
  const lkattrs_merge_opts *o = ctx;
  o->on_change(o->change_ctx, e->key, e->key_len, e->value, e->value_len);
}

static lkattrs_status fail_plain(lkattrs_error_detail *detail, lkattrs_status st) {
  return st ? lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, 0, false, NULL) : st;
}

/* Room for the copy of base into out, and for the result after a
 * compaction. */
static lkattrs_status reserve_copy(lkattrs_map *out, const lkattrs_map *base,
                                   const lkattrs__plan *p) {
  size_t from = lkattrs__rec_total(base), to = from - p->edit.dead_rec + p->edit.new_rec;
  return lkattrs__refill_begin(out, p->edit.count > lkattrs_map_count(base)
                                        ? p->edit.count
                                        : lkattrs_map_count(base),
                               from > to ? from : to);
}

/* The one path of merge and join: check the update, sort it, plan it
 * against `base`, make room in `out`, and only then copy base into out
 * (when they differ) and apply.  A join skips empty values, does not apply
 * max_update_bytes, and needs no grant for an empty update. */
static lkattrs_status run(lkattrs_map *out, const lkattrs_map *base, lkattrs__sorted *u,
                          const lkattrs_merge_opts *opts, bool join, size_t *changed,
                          lkattrs_error_detail *detail) {
  const lkattrs_limits *lim = lkattrs__limits_or_default(opts->limits);
  lkattrs__policy pol = {opts->origin, opts->can_update_metadata, opts->skip_namespace_rules,
                         lim};
  size_t raw_n = u->n;
  uint32_t *idx = NULL;
  lkattrs__plan p;
  lkattrs__store s;
  lkattrs_status st = join && !raw_n ? LKATTRS_OK : lkattrs__check_update(u, &pol, detail);
  if (st) return st;
  if (u->arr && raw_n > 1) { /* sort the array through an index */
    if ((st = lkattrs__scratch(out, raw_n, &idx)) != LKATTRS_OK) return fail_plain(detail, st);
    u->n = lkattrs__sort_dedup(u->arr, idx, raw_n);
    u->idx = idx;
  }
  if (join && u->arr) u->n = u->idx ? lkattrs__drop_empty(u->arr, idx, u->n)
                                    : (u->n && u->arr[0].value_len ? u->n : 0);
  lkattrs__map_store(base, &s);
  st = fail_plain(detail, lkattrs__plan_update(&s, u, &p, NULL, NULL, NULL));
  if (!st) st = lkattrs__check_limits(&p, lim, !join, detail);
  if (!st && out == base) {
    st = fail_plain(detail, lkattrs__reserve_edit(out, &p.edit));
  } else if (!st) {
    /* Room for the copy of base and the result, then the copy. */
    if ((st = fail_plain(detail, reserve_copy(out, base, &p))) == LKATTRS_OK)
      for (size_t i = 0; i < lkattrs_map_count(base); i++) {
        lkattrs_entry e;
        lkattrs__entry(base, i, &e);
        lkattrs__refill_push(out, &e);
      }
  }
  if (!st) {
    if (opts->on_change && !join) {
      lkattrs__map_store(out, &s);
      (void)lkattrs__plan_update(&s, u, &p, NULL, report, (void *)(uintptr_t)opts);
    }
    lkattrs__apply(out, u, &p.edit);
    if (changed) *changed = p.changed;
  }
  lkattrs__scratch_free(out, idx, raw_n);
  return st;
}

lkattrs_status lkattrs_merge(lkattrs_map *map, const lkattrs_entry *update,
                             size_t count, const lkattrs_merge_opts *opts,
                             size_t *changed, lkattrs_error_detail *detail) {
  static const lkattrs_entry none[1];
  lkattrs__sorted u = {update ? update : none, NULL, NULL, count};
  lkattrs__ok(detail);
  if (changed) *changed = 0;
  if (!map || !opts || (!update && count))
    return fail_plain(detail, LKATTRS_E_INVALID_ARGUMENT);
  return run(map, map, &u, opts, false, changed, detail);
}

lkattrs_status lkattrs_merge_map(lkattrs_map *map, const lkattrs_map *update,
                                 const lkattrs_merge_opts *opts,
                                 size_t *changed, lkattrs_error_detail *detail) {
  lkattrs__sorted u = {NULL, NULL, update, lkattrs_map_count(update)};
  lkattrs__ok(detail);
  if (changed) *changed = 0;
  if (!map || !update || !opts || map == update)
    return fail_plain(detail, LKATTRS_E_INVALID_ARGUMENT);
  return run(map, map, &u, opts, false, changed, detail);
}

/* ---- join ---- */

lkattrs_status lkattrs_join(const lkattrs_map *token, const lkattrs_entry *join, size_t n,
                            const lkattrs_merge_opts *opts, lkattrs_map *out,
                            lkattrs_error_detail *detail) {
  static const lkattrs_entry none[1];
  static const lkattrs_merge_opts defaults = LKATTRS_MERGE_OPTS_INIT;
  lkattrs__sorted u = {join ? join : none, NULL, NULL, n};
  lkattrs__ok(detail);
  if (!opts) opts = &defaults;
  if (!token || !out || (!join && n) ||
      ((lkattrs_map_flags(token) | lkattrs_map_flags(out)) & LKATTRS_MAP_UPDATE))
    return fail_plain(detail, LKATTRS_E_INVALID_ARGUMENT);
  return run(out, token, &u, opts, true, NULL, detail);
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
  if (s->map) lkattrs__refill_push(s->map, &e);
  if (s->out && s->n < s->cap) s->out[s->n] = e;
  s->n++;
  s->rec = lkattrs__add(s->rec, lkattrs__rec_size(klen, vlen));
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
  return out && s.n > cap ? LKATTRS_E_BUFFER_TOO_SMALL : LKATTRS_OK;
}

lkattrs_status lkattrs_diff_map(const lkattrs_map *a, const lkattrs_map *b,
                                lkattrs_map *out) {
  diff_sink s = {NULL, 0, 0, 0, NULL};
  if (!plain(a) || !plain(b) || !out || out == a || out == b ||
      plain(out))
    return LKATTRS_E_INVALID_ARGUMENT;
  diff_walk(a, b, &s);
  lkattrs_status st = lkattrs__refill_begin(out, s.n, s.rec);
  if (st) return st;
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
  for (size_t i = lkattrs_map_count(dst); i-- > 0;) {
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
