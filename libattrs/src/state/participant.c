/* participant.c - one participant's state: create, load, set_fields,
 * join, and the read views (the layout is described in state.h). */
#include "lkattrs/participant.h"

#include <string.h>

#include "../rules/rules.h"
#include "state.h"

/* LKATTRS_PARTICIPANT_FIXED_BYTES counts 12 bytes per change record and
 * an lkattrs_entry of 4 pointers. */
_Static_assert(sizeof(change_rec) == 12, "LKATTRS_PARTICIPANT_FIXED_BYTES out of date");
_Static_assert(sizeof(lkattrs_entry) == 4 * sizeof(void *),
               "LKATTRS_PARTICIPANT_FIXED_BYTES out of date");

/* ---- small helpers ---- */

/* Lower bound of key among entries [lo, hi) of buffer b. */
size_t lkattrs__state_lower_bound(const lkattrs_participant *p, unsigned b, const char *key,
                          size_t klen, size_t lo, size_t hi, bool *found) {
  const uint64_t *pre = p->pre[b], kp = key_prefix(key, klen);
  *found = false;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c;
    if (pre[mid] != kp) { /* the prefixes decide: no entry decoded */
      c = pre[mid] < kp ? -1 : 1;
    } else {
      lkattrs_entry e;
      entry_at(p, b, mid, &e);
      c = lkattrs__keycmp(e.key, e.key_len, key, klen);
    }
    if (c < 0) {
      lo = mid + 1;
    } else {
      if (c == 0) *found = true;
      hi = mid;
      if (c == 0) return mid;
    }
  }
  return lo;
}

static bool state_find(const void *ctx, const char *key, size_t key_len, size_t lo,
                       size_t hi, size_t *pos, lkattrs_entry *e) {
  const lkattrs_participant *p = ctx;
  bool found;
  *pos = lkattrs__state_lower_bound(p, p->cur, key, key_len, lo, hi, &found);
  if (found) entry_at(p, p->cur, *pos, e);
  return found;
}

static size_t state_rec_size(size_t key_len, size_t value_len) {
  return entry_bytes(key_len, value_len);
}

/* The current attributes as a store for the engine. */
void lkattrs__state_store(const lkattrs_participant *p, lkattrs__store *s) {
  s->ctx = p;
  s->count = p->n[p->cur];
  s->live = p->live;
  s->keep_empty = false;
  s->find = state_find;
  s->rec_size = state_rec_size;
}

/* ---- memory ---- */

#ifndef LKATTRS_NO_MALLOC
/* A block of `bytes` in place of `old` (old_bytes; NULL: none), whose
 * contents are not kept: allocated first, old freed only then.  NULL when
 * the allocator fails (old kept). */
static void *fresh_block(lkattrs_participant *p, void *old, size_t old_bytes, size_t bytes) {
  void *b = p->alc.alloc(p->alc.ctx, bytes);
  if (b && old) p->alc.free(p->alc.ctx, old, old_bytes);
  return b;
}

static size_t grown(size_t have, size_t need, size_t min) {
  size_t c = have > min ? have : min;
  while (c < need) c = c > ((size_t)-1) / 2 ? need : c * 2;
  return c;
}
#endif

/* Room in the next buffer (b) for an info of `len` bytes and `entries`
 * entries.  Contents of b are not kept. */
static lkattrs_status room_next(lkattrs_participant *p, unsigned b, size_t len,
                                size_t entries) {
  if (len > 0xFFFFFFF0u || entries >= 0xFFFFFFF0u) return LKATTRS_E_NOSPACE;
  if (p->fixed) {
    if (len > p->buf_cap[b] || entries + 1 > p->idx_cap[b]) return LKATTRS_E_NOSPACE;
    return LKATTRS_OK;
  }
#ifndef LKATTRS_NO_MALLOC
  if (len > p->buf_cap[b] || !p->buf[b]) {
    size_t c = grown(p->buf_cap[b], len, 240);
    unsigned char *nb = fresh_block(p, p->buf[b], p->buf_cap[b] + HEAD, c + HEAD);
    if (!nb) return LKATTRS_E_NOMEM;
    p->buf[b] = nb;
    p->buf_cap[b] = c;
  }
  if (entries + 1 > p->idx_cap[b]) { /* the prefixes, then the offsets: one block */
    size_t c = grown(p->idx_cap[b], entries + 1, 16);
    uint64_t *np = fresh_block(p, p->pre[b], p->idx_cap[b] * INDEX_SLOT, c * INDEX_SLOT);
    if (!np) return LKATTRS_E_NOMEM;
    p->pre[b] = np;
    p->idx[b] = (uint32_t *)(void *)(np + c);
    p->idx_cap[b] = c;
  }
  return LKATTRS_OK;
#else
  return LKATTRS_E_UNSUPPORTED;
#endif
}

/* Scratch for `n` decoded entries (and their sort index), and for `changes`
 * change records. */
lkattrs_status lkattrs__state_room_scratch(lkattrs_participant *p, size_t n, size_t changes) {
  if (n <= p->scap && changes <= p->chg_cap) return LKATTRS_OK;
  if (p->fixed || n >= 0xFFFFFFF0u || changes >= 0xFFFFFFF0u) return LKATTRS_E_NOSPACE;
#ifndef LKATTRS_NO_MALLOC
  if (n > p->scap) { /* both blocks or neither; their contents are not kept */
    size_t c = grown(p->scap, n, 16);
    lkattrs_entry *d = p->alc.alloc(p->alc.ctx, c * sizeof *d);
    uint32_t *s = d ? p->alc.alloc(p->alc.ctx, c * sizeof *s) : NULL;
    if (!s) {
      if (d) p->alc.free(p->alc.ctx, d, c * sizeof *d);
      return LKATTRS_E_NOMEM;
    }
    if (p->dec) p->alc.free(p->alc.ctx, p->dec, p->scap * sizeof *d);
    if (p->sidx) p->alc.free(p->alc.ctx, p->sidx, p->scap * sizeof *s);
    p->dec = d;
    p->sidx = s;
    p->scap = c;
  }
  if (changes > p->chg_cap) {
    size_t c = grown(p->chg_cap, changes, 16);
    change_rec *r = fresh_block(p, p->chg, p->chg_cap * sizeof *r, c * sizeof *r);
    if (!r) return LKATTRS_E_NOMEM;
    p->chg = r;
    p->chg_cap = c;
  }
  return LKATTRS_OK;
#else
  return LKATTRS_E_UNSUPPORTED;
#endif
}

/* The envelope headers of buffer cur, in front of the info. */
static void put_headers(lkattrs_participant *p) {
  unsigned char *info = info_of(p, p->cur);
  size_t len = info_len(p, p->cur);
  unsigned char t[12], *e;
  size_t pu_len = 1 + lkattrs__varint_len(len) + len;
  e = lkattrs__put_varint(t, LKATTRS_FIELD_SIGNAL_RESPONSE_UPDATE << 3 | 2u);
  e = lkattrs__put_varint(e, pu_len);
  size_t sr_n = (size_t)(e - t);
  e = lkattrs__put_varint(e, LKATTRS_FIELD_PARTICIPANT_UPDATE_PARTICIPANTS << 3 | 2u);
  e = lkattrs__put_varint(e, len);
  size_t all = (size_t)(e - t);
  memcpy(info - all, t, all);
  p->sr_off = HEAD - all;
  p->pu_off = HEAD - (all - sr_n);
}

static void commit(lkattrs_participant *p, unsigned next) {
  p->cur = next;
  put_headers(p);
}

/* ---- creating ---- */

static void init_empty(lkattrs_participant *p) {
  for (unsigned b = 0; b < 2; b++) {
    memset(p->off[b], 0, sizeof p->off[b]);
    p->n[b] = 0;
    if (p->idx[b]) p->idx[b][0] = 0;
  }
  p->cur = 0;
  p->live = 0;
  p->version = 0;
  p->nchg = 0;
  if (p->buf[0]) put_headers(p);
}

static size_t align8(size_t x) { return (x + 7u) & ~(size_t)7u; }

lkattrs_status lkattrs_participant_init_fixed(void *storage, size_t storage_bytes,
                                              const lkattrs_participant_caps *caps,
                                              lkattrs_participant **out) {
  if (out) *out = NULL;
  if (!storage || !caps || !out) return LKATTRS_E_INVALID_ARGUMENT;
  size_t upd = caps->max_update_entries ? caps->max_update_entries : caps->max_entries;
  if (caps->max_info_bytes > 0xFFFFFFF0u || caps->max_entries > 0x0FFFFFFFu ||
      upd > 0x0FFFFFFFu)
    return LKATTRS_E_INVALID_ARGUMENT;
  if (storage_bytes < LKATTRS_PARTICIPANT_FIXED_BYTES(caps->max_info_bytes,
                                                      caps->max_entries, upd))
    return LKATTRS_E_NOSPACE;
  uintptr_t base = (uintptr_t)storage, at = align8(base) - base;
  size_t chg = 2 * caps->max_entries > upd ? 2 * caps->max_entries : upd;
  size_t sz_p = align8(sizeof(lkattrs_participant));
  size_t sz_buf = align8(caps->max_info_bytes + HEAD);
  size_t sz_idx = align8((caps->max_entries + 1) * INDEX_SLOT);
  size_t sz_dec = align8(upd * sizeof(lkattrs_entry));
  size_t sz_sidx = align8(upd * sizeof(uint32_t));
  size_t sz_chg = align8(chg * sizeof(change_rec));
  size_t total = at + sz_p + 2 * sz_buf + 2 * sz_idx + sz_dec + sz_sidx + sz_chg;
  if (total > storage_bytes) return LKATTRS_E_NOSPACE; /* the macro's slack */
  unsigned char *s = (unsigned char *)storage + at;
  lkattrs_participant *p = (lkattrs_participant *)(void *)s;
  memset(p, 0, sizeof *p);
  s += sz_p;
  for (unsigned b = 0; b < 2; b++) {
    p->buf[b] = s;
    p->buf_cap[b] = caps->max_info_bytes;
    s += sz_buf;
  }
  for (unsigned b = 0; b < 2; b++) {
    p->pre[b] = (uint64_t *)(void *)s;
    p->idx[b] = (uint32_t *)(void *)(p->pre[b] + caps->max_entries + 1);
    p->idx_cap[b] = caps->max_entries + 1;
    s += sz_idx;
  }
  p->dec = (lkattrs_entry *)(void *)s;
  s += sz_dec;
  p->sidx = (uint32_t *)(void *)s;
  s += sz_sidx;
  p->chg = (change_rec *)(void *)s;
  p->scap = upd;
  p->chg_cap = chg;
  p->fixed = true;
  p->max_entries = caps->max_entries;
  init_empty(p);
  *out = p;
  return LKATTRS_OK;
}

lkattrs_status lkattrs_participant_new(const lkattrs_allocator *alc,
                                       lkattrs_participant **out) {
  if (out) *out = NULL;
  if (!out) return LKATTRS_E_INVALID_ARGUMENT;
#ifdef LKATTRS_NO_MALLOC
  (void)alc;
  return LKATTRS_E_UNSUPPORTED;
#else
  if (alc && (!alc->alloc || !alc->realloc || !alc->free)) return LKATTRS_E_INVALID_ARGUMENT;
  lkattrs_allocator a = *lkattrs__allocator_or_libc(alc);
  lkattrs_participant *p = a.alloc(a.ctx, sizeof *p);
  if (!p) return LKATTRS_E_NOMEM;
  memset(p, 0, sizeof *p);
  p->alc = a;
  /* The first buffer and index, so that the views always have a pointer. */
  p->buf[0] = a.alloc(a.ctx, HEAD);
  p->pre[0] = p->buf[0] ? a.alloc(a.ctx, INDEX_SLOT) : NULL;
  if (!p->pre[0]) {
    if (p->buf[0]) a.free(a.ctx, p->buf[0], HEAD);
    a.free(a.ctx, p, sizeof *p);
    return LKATTRS_E_NOMEM;
  }
  p->idx[0] = (uint32_t *)(void *)(p->pre[0] + 1);
  p->idx_cap[0] = 1;
  init_empty(p);
  *out = p;
  return LKATTRS_OK;
#endif
}

void lkattrs_participant_free(lkattrs_participant *p) {
  if (!p || p->fixed) return;
#ifndef LKATTRS_NO_MALLOC
  lkattrs_allocator a = p->alc;
  for (unsigned b = 0; b < 2; b++) {
    if (p->buf[b]) a.free(a.ctx, p->buf[b], p->buf_cap[b] + HEAD);
    if (p->pre[b]) a.free(a.ctx, p->pre[b], p->idx_cap[b] * INDEX_SLOT);
  }
  if (p->dec) a.free(a.ctx, p->dec, p->scap * sizeof *p->dec);
  if (p->sidx) a.free(a.ctx, p->sidx, p->scap * sizeof *p->sidx);
  if (p->chg) a.free(a.ctx, p->chg, p->chg_cap * sizeof *p->chg);
  a.free(a.ctx, p, sizeof *p);
#endif
}

/* ---- the fields of a caller's ParticipantInfo ---- */

/* Check msg's top level; sort its fields into parts; with `dec`, decode and
 * check the entries of field 15 into dec[0..cap) (counting beyond). */
static lkattrs_status scan_fields(const unsigned char *msg, size_t len, fields *f,
                                  lkattrs_entry *dec, size_t cap,
                                  lkattrs_error_detail *d) {
  size_t pos = 0;
  memset(f, 0, sizeof *f);
  f->msg = msg;
  f->len = len;
  while (pos < len) {
    lkattrs__wf w = {0, 0, 0, 0, 0, 0};
    lkattrs_status st = lkattrs__wf_read(msg, pos, len, true, &w);
    if (st) return lkattrs__fail_at(d, st, w.start);
    unsigned part = part_of(w.no);
    if ((part == P_MD || part == P_NAME || part == P_ATTRS) && w.wt != 2)
      return lkattrs__fail_at(d, LKATTRS_E_WIRE_MALFORMED, w.start);
    if (part == P_VER && w.wt != 0) return lkattrs__fail_at(d, LKATTRS_E_WIRE_MALFORMED, w.start);
    switch (part) {
      case P_MD:
        f->md = msg + w.data;
        f->md_len = (size_t)w.v;
        break;
      case P_NAME:
        f->name = msg + w.data;
        f->name_len = (size_t)w.v;
        break;
      case P_VER: f->version = (uint32_t)w.v; break;
      case P_ATTRS:
        if (dec) {
          lkattrs_entry e;
          size_t bad = 0;
          if ((st = lkattrs__entry_decode(msg + w.data, (size_t)w.v, &e, &bad)) != LKATTRS_OK)
            return lkattrs__fail(d, st, NULL, 0, f->entries, w.data + bad, false, NULL);
          if (!e.key_len)
            return lkattrs__fail(d, LKATTRS_E_KEY_EMPTY, e.key, 0, f->entries, w.data,
                                 false, NULL);
          for (int in_value = 0; in_value < 2; in_value++) {
            const char *t = in_value ? e.value : e.key;
            size_t tl = in_value ? e.value_len : e.key_len;
            if ((st = lkattrs__check_text(t, tl, !in_value, &bad)) != LKATTRS_OK)
              return lkattrs__fail(d, st, e.key, e.key_len, f->entries,
                                   (size_t)((const unsigned char *)t - msg) + bad,
                                   in_value != 0, NULL);
          }
          if (f->entries < cap) dec[f->entries] = e;
        }
        f->entries++;
        break;
      default: f->seg_bytes[part] += w.end - w.start;
    }
    pos = w.end;
  }
  return LKATTRS_OK;
}

/* Copy the fields of msg that belong to `part`, in order. */
static unsigned char *copy_part(unsigned char *o, const unsigned char *msg, size_t len,
                                unsigned part) {
  size_t pos = 0;
  while (pos < len) {
    lkattrs__wf w = {0, 0, 0, 0, 0, 0};
    (void)lkattrs__wf_read(msg, pos, len, true, &w); /* checked */
    if (part_of(w.no) == part) {
      memcpy(o, msg + w.start, w.end - w.start);
      o += w.end - w.start;
    }
    pos = w.end;
  }
  return o;
}

/* ---- writing a new info ---- */

static size_t seg_len(const lkattrs_participant *p, const lkattrs__state_plan *pl, unsigned part) {
  const size_t *o = p->off[p->cur];
  return pl->f ? pl->f->seg_bytes[part] : o[part] - part_start(o, part);
}

static size_t plan_len(const lkattrs_participant *p, const lkattrs__state_plan *pl) {
  size_t n = seg_len(p, pl, P_SEG0) + seg_len(p, pl, P_SEG1) + seg_len(p, pl, P_SEG2) +
             seg_len(p, pl, P_SEG3);
  if (pl->md_len) n += lkattrs__ld_len(LKATTRS_FIELD_PARTICIPANT_INFO_METADATA, pl->md_len);
  if (pl->name_len) n += lkattrs__ld_len(LKATTRS_FIELD_PARTICIPANT_INFO_NAME, pl->name_len);
  return n + version_bytes(pl->version) + pl->attrs_len;
}

/* Make room in the next buffer for the planned info. */
lkattrs_status lkattrs__state_plan_room(lkattrs_participant *p, const lkattrs__state_plan *pl,
                                lkattrs_error_detail *d) {
  if (p->fixed && pl->count > p->max_entries)
    return lkattrs__fail(d, LKATTRS_E_NOSPACE, NULL, 0, LKATTRS_NO_INDEX, pl->count, false,
                         LKATTRS__MSG("more attributes than the state's capacity"));
  size_t len = plan_len(p, pl);
  lkattrs_status st = room_next(p, p->cur ^ 1u, len, pl->count);
  if (st == LKATTRS_E_NOSPACE)
    return lkattrs__fail(d, st, NULL, 0, LKATTRS_NO_INDEX, len, false,
                         LKATTRS__MSG("the participant info would not fit the state"));
  return st ? lkattrs__fail_at(d, st, 0) : LKATTRS_OK;
}

/* Write one non-attribute part. */
static unsigned char *put_part(const lkattrs_participant *p, const lkattrs__state_plan *pl,
                               unsigned char *o, unsigned part) {
  switch (part) {
    case P_MD:
      return pl->md_len ? lkattrs__put_ld(o, LKATTRS_FIELD_PARTICIPANT_INFO_METADATA, pl->md, pl->md_len)
                        : o;
    case P_NAME:
      return pl->name_len
                 ? lkattrs__put_ld(o, LKATTRS_FIELD_PARTICIPANT_INFO_NAME, pl->name, pl->name_len)
                 : o;
    case P_VER:
      if (!pl->version) return o;
      *o++ = LKATTRS_FIELD_PARTICIPANT_INFO_VERSION << 3;
      return lkattrs__put_varint(o, pl->version);
    default:
      if (pl->f) return copy_part(o, pl->f->msg, pl->f->len, part);
      {
        const size_t *off = p->off[p->cur];
        size_t s = part_start(off, part), n = off[part] - s;
        if (n) memcpy(o, info_of(p, p->cur) + s, n);
        return o + n;
      }
  }
}

/* Write the planned info into the next buffer in one pass and make it the
 * current one.  Room has been made. */
void lkattrs__state_emit(lkattrs_participant *p, const lkattrs__state_plan *pl, lkattrs__attrs_fn fn, void *ctx) {
  unsigned next = p->cur ^ 1u;
  unsigned char *base = info_of(p, next), *o = base;
  for (unsigned part = 0; part < P_N; part++) {
    o = part == P_ATTRS ? fn(ctx, p, next, o) : put_part(p, pl, o, part);
    p->off[next][part] = (size_t)(o - base);
  }
  p->version = pl->version;
  commit(p, next);
}

/* The current metadata or name. */
void lkattrs__state_cur_text(const lkattrs_participant *p, unsigned part, const char **s,
                     size_t *n) {
  const size_t *off = p->off[p->cur];
  size_t st = part_start(off, part), end = off[part];
  *s = "";
  *n = 0;
  if (end > st) {
    lkattrs__wf w = {0, 0, 0, 0, 0, 0};
    (void)lkattrs__wf_read(info_of(p, p->cur), st, end, true, &w);
    *s = (const char *)info_of(p, p->cur) + w.data;
    *n = (size_t)w.v;
  }
}

/* ---- attributes kept (set_fields) ---- */

static unsigned char *copy_attrs(void *ctx, lkattrs_participant *p, unsigned next,
                                 unsigned char *at) {
  unsigned cur = p->cur;
  size_t n = p->n[cur], len = p->idx[cur][n];
  (void)ctx;
  if (len) memcpy(at, info_of(p, cur) + p->off[cur][P_SEG2], len);
  memcpy(p->idx[next], p->idx[cur], (n + 1) * sizeof(uint32_t));
  if (n) memcpy(p->pre[next], p->pre[cur], n * sizeof(uint64_t));
  p->n[next] = n;
  return at + len;
}

/* ---- a whole attribute list (load, join) ---- */

/* A sorted list without duplicates: arr[idx[0..n)]. */
typedef struct {
  const lkattrs_entry *arr;
  const uint32_t *idx;
  size_t n;
} sorted_list;

/* Two sorted lists merged, b winning on equal keys. */
typedef struct {
  const sorted_list *a, *b;
  size_t i, j;
} merge_it;

static const lkattrs_entry *merge_next(merge_it *m) {
  const lkattrs_entry *x = m->i < m->a->n ? &m->a->arr[m->a->idx[m->i]] : NULL;
  const lkattrs_entry *y = m->j < m->b->n ? &m->b->arr[m->b->idx[m->j]] : NULL;
  if (!x && !y) return NULL;
  int c = !x ? 1 : !y ? -1 : lkattrs__keycmp(x->key, x->key_len, y->key, y->key_len);
  if (c < 0) {
    m->i++;
    return x;
  }
  m->j++;
  if (c == 0) m->i++;
  return y;
}

static unsigned char *list_attrs(void *ctx, lkattrs_participant *p, unsigned next,
                                 unsigned char *at) {
  merge_it m = *(const merge_it *)ctx;
  const lkattrs_entry *e;
  uint32_t *idx = p->idx[next];
  uint64_t *pre = p->pre[next];
  unsigned char *o = at;
  size_t n = 0;
  while ((e = merge_next(&m)) != NULL) {
    pre[n] = key_prefix(e->key, e->key_len);
    idx[n++] = (uint32_t)(o - at);
    o = put_entry(o, e);
  }
  idx[n] = (uint32_t)(o - at);
  p->n[next] = n;
  return o;
}

/* The changes from the current attributes to the list (recorded into
 * p->chg when record; new_i is the position in the list).  Returns the
 * count. */
static size_t diff_list(lkattrs_participant *p, merge_it m, bool record) {
  size_t i = 0, j = 0, n = p->n[p->cur], c = 0;
  const lkattrs_entry *y = merge_next(&m);
  while (i < n || y) {
    lkattrs_entry x;
    int cmp = 1;
    if (i < n) {
      entry_at(p, p->cur, i, &x);
      cmp = y ? lkattrs__keycmp(x.key, x.key_len, y->key, y->key_len) : -1;
    }
    change_rec r = {NONE, NONE, 0};
    if (cmp < 0) {
      r.old = (uint32_t)i++;
    } else if (cmp > 0) {
      r.at = (uint32_t)j++;
      y = merge_next(&m);
    } else {
      bool eq = same_text(x.value, x.value_len, y->value, y->value_len);
      r.old = (uint32_t)i++;
      r.at = (uint32_t)j++;
      y = merge_next(&m);
      if (eq) continue;
    }
    if (record) p->chg[c] = r;
    c++;
  }
  return c;
}

/* Replace the attributes with the merge of a and b; the other fields with
 * f's (NULL: kept).  version_given: the version is f's; else it is bumped
 * when the attributes change.  limits (NULL: none) bound the result. */
static lkattrs_status replace_list(lkattrs_participant *p, const sorted_list *a,
                                   const sorted_list *b, const fields *f,
                                   const lkattrs_limits *limits,
                                   lkattrs_error_detail *d) {
  merge_it m = {a, b, 0, 0}, t = m;
  const lkattrs_entry *e;
  lkattrs__state_plan pl;
  size_t live = 0;
  lkattrs_status st;
  memset(&pl, 0, sizeof pl);
  while ((e = merge_next(&t)) != NULL) {
    pl.count++;
    live = lkattrs__add(live, e->key_len + e->value_len);
    pl.attrs_len = lkattrs__add(pl.attrs_len, entry_bytes(e->key_len, e->value_len));
  }
  if (limits && limits->max_map_bytes && live > limits->max_map_bytes)
    return lkattrs__fail(d, LKATTRS_E_TOO_LARGE, NULL, 0, LKATTRS_NO_INDEX, live, false,
                         LKATTRS__MSG("resulting map exceeds max_map_bytes"));
  if (limits && limits->max_entries && pl.count > limits->max_entries)
    return lkattrs__fail(d, LKATTRS_E_TOO_MANY_ENTRIES, NULL, 0, LKATTRS_NO_INDEX,
                         pl.count, false, NULL);
  size_t nchg = diff_list(p, m, false);
  pl.f = f;
  if (f) {
    pl.md = (const char *)f->md;
    pl.md_len = f->md_len;
    pl.name = (const char *)f->name;
    pl.name_len = f->name_len;
    pl.version = f->version;
  } else {
    lkattrs__state_cur_text(p, P_MD, &pl.md, &pl.md_len);
    lkattrs__state_cur_text(p, P_NAME, &pl.name, &pl.name_len);
    pl.version = p->version + (nchg ? 1u : 0u);
  }
  if (!f && !nchg) { /* nothing changes */
    p->nchg = 0;
    return LKATTRS_OK;
  }
  if ((st = lkattrs__state_room_scratch(p, 0, nchg)) != LKATTRS_OK) return lkattrs__fail_at(d, st, 0);
  if ((st = lkattrs__state_plan_room(p, &pl, d)) != LKATTRS_OK) return st;
  (void)diff_list(p, m, true);
  p->nchg = nchg;
  p->live = live;
  lkattrs__state_emit(p, &pl, list_attrs, &m);
  return LKATTRS_OK;
}

/* ---- load, set_fields ---- */

lkattrs_status lkattrs_participant_load(lkattrs_participant *p, const void *info,
                                        size_t len, lkattrs_error_detail *detail) {
  fields f;
  lkattrs_status st;
  lkattrs__ok(detail);
  if (p) p->nchg = 0; /* the changes of this call, none so far */
  if (!p || (!info && len)) return lkattrs__fail_at(detail, LKATTRS_E_INVALID_ARGUMENT, 0);
  if (!info) info = "";
  if (len > 0xFFFFFFF0u) return lkattrs__fail_at(detail, LKATTRS_E_NOSPACE, len);
  /* Count, make room, then decode and check. */
  if ((st = scan_fields(info, len, &f, NULL, 0, detail)) != LKATTRS_OK) return st;
  if ((st = lkattrs__state_room_scratch(p, f.entries, 0)) != LKATTRS_OK) return lkattrs__fail_at(detail, st, f.entries);
  if ((st = scan_fields(info, len, &f, p->dec, p->scap, detail)) != LKATTRS_OK) return st;
  size_t n = lkattrs__sort_dedup(p->dec, p->sidx, f.entries);
  sorted_list none = {NULL, NULL, 0}, all = {p->dec, p->sidx, lkattrs__drop_empty(p->dec, p->sidx, n)};
  return replace_list(p, &none, &all, &f, NULL, detail);
}

lkattrs_status lkattrs_participant_set_fields(lkattrs_participant *p, const void *info,
                                              size_t len, lkattrs_error_detail *detail) {
  fields f;
  lkattrs__state_plan pl;
  lkattrs_status st;
  lkattrs__ok(detail);
  if (p) p->nchg = 0; /* the changes of this call, none so far */
  if (!p || (!info && len)) return lkattrs__fail_at(detail, LKATTRS_E_INVALID_ARGUMENT, 0);
  if (!info) info = "";
  if ((st = scan_fields(info, len, &f, NULL, 0, detail)) != LKATTRS_OK) return st;
  memset(&pl, 0, sizeof pl);
  pl.f = &f;
  pl.md = (const char *)f.md;
  pl.md_len = f.md_len;
  pl.name = (const char *)f.name;
  pl.name_len = f.name_len;
  pl.version = f.version > p->version ? f.version : p->version + 1u;
  pl.count = p->n[p->cur];
  pl.attrs_len = p->idx[p->cur][pl.count];
  if ((st = lkattrs__state_plan_room(p, &pl, detail)) != LKATTRS_OK) return st;
  lkattrs__state_emit(p, &pl, copy_attrs, NULL);
  return LKATTRS_OK;
}

/* ---- join ---- */

/* Check, sort and apply token + join entries (join may be p->dec). */
static lkattrs_status join_entries(lkattrs_participant *p, const lkattrs_entry *token,
                                   size_t tc, const lkattrs_entry *join, size_t jc,
                                   const lkattrs_rules *rules, lkattrs_error_detail *d) {
  static const lkattrs_limits text_only = {0, 0, 0, 0, 0};
  static const lkattrs__policy trusted = {LKATTRS_ORIGIN_TRUSTED, true, true, &text_only};
  const lkattrs_limits *lim = lkattrs__limits_or_default(rules->limits);
  lkattrs__policy pol = {rules->origin, rules->can_update_metadata,
                         rules->skip_namespace_rules, lim};
  lkattrs__sorted tl = {token, NULL, NULL, tc}, jl = {join, NULL, NULL, jc};
  lkattrs_status st;
  if (jc && (st = lkattrs__check_sender(&pol, d)) != LKATTRS_OK) return st;
  if ((st = lkattrs__check_entries(&tl, 0, &trusted, d)) != LKATTRS_OK ||
      (st = lkattrs__check_entries(&jl, tc, &pol, d)) != LKATTRS_OK)
    return st;
  if (tc + jc < tc) return lkattrs__fail_at(d, LKATTRS_E_NOSPACE, 0);
  if ((st = lkattrs__state_room_scratch(p, tc + jc, 0)) != LKATTRS_OK) return lkattrs__fail_at(d, st, tc + jc);
  uint32_t *ti = p->sidx, *ji = tc + jc ? p->sidx + tc : NULL; /* no NULL + 0 */
  size_t nt = lkattrs__drop_empty(token, ti, lkattrs__sort_dedup(token, ti, tc));
  size_t nj = lkattrs__drop_empty(join, ji, lkattrs__sort_dedup(join, ji, jc));
  sorted_list a = {token, ti, nt}, b = {join, ji, nj};
  return replace_list(p, &a, &b, NULL, lim, d);
}

lkattrs_status lkattrs_participant_join(lkattrs_participant *p, const lkattrs_entry *token,
                                        size_t token_count, const lkattrs_entry *join,
                                        size_t join_count, const lkattrs_rules *rules,
                                        lkattrs_error_detail *detail) {
  static const lkattrs_rules defaults = LKATTRS_RULES_INIT;
  lkattrs__ok(detail);
  if (p) p->nchg = 0; /* the changes of this call, none so far */
  if (!rules) rules = &defaults;
  if (!p || (!token && token_count) || (!join && join_count) || !rules_ok(rules))
    return lkattrs__fail_at(detail, LKATTRS_E_INVALID_ARGUMENT, 0);
  return join_entries(p, token, token_count, join, join_count, rules, detail);
}

/* Decode the entries of map field `no` at the top level of msg into
 * p->dec; *count receives their number. */
static lkattrs_status decode_map(lkattrs_participant *p, const unsigned char *msg,
                                 size_t len, uint32_t no, size_t reserve, size_t *count,
                                 lkattrs_error_detail *d) {
  size_t pos = 0, n = 0;
  lkattrs_status st;
  for (int pass = 0; pass < 2; pass++) {
    pos = 0;
    n = 0;
    while (pos < len) {
      lkattrs__wf w = {0, 0, 0, 0, 0, 0};
      if ((st = lkattrs__wf_read(msg, pos, len, true, &w)) != LKATTRS_OK)
        return lkattrs__fail_at(d, st, w.start);
      if (w.no == no) {
        if (w.wt != 2) return lkattrs__fail_at(d, LKATTRS_E_WIRE_MALFORMED, w.start);
        if (pass) {
          size_t bad = 0;
          if (lkattrs__entry_decode(msg + w.data, (size_t)w.v, &p->dec[n], &bad) != LKATTRS_OK)
            return lkattrs__fail(d, LKATTRS_E_WIRE_MALFORMED, NULL, 0, n, w.data + bad, false,
                                 NULL);
        }
        n++;
      }
      pos = w.end;
    }
    if (!pass && (st = lkattrs__state_room_scratch(p, lkattrs__add(n, reserve), 0)) != LKATTRS_OK)
      return lkattrs__fail_at(d, st, n);
  }
  *count = n;
  return LKATTRS_OK;
}

lkattrs_status lkattrs_participant_join_request(lkattrs_participant *p,
                                                const lkattrs_entry *token,
                                                size_t token_count, const void *join_request,
                                                size_t len, const lkattrs_rules *rules,
                                                lkattrs_error_detail *detail) {
  static const lkattrs_rules defaults = LKATTRS_RULES_INIT;
  size_t jc = 0;
  lkattrs_status st;
  lkattrs__ok(detail);
  if (p) p->nchg = 0; /* the changes of this call, none so far */
  if (!rules) rules = &defaults;
  if (!p || (!token && token_count) || (!join_request && len) || !rules_ok(rules))
    return lkattrs__fail_at(detail, LKATTRS_E_INVALID_ARGUMENT, 0);
  if ((st = decode_map(p, join_request ? join_request : "", len,
                       LKATTRS_FIELD_JOIN_REQUEST_ATTRIBUTES, token_count, &jc, detail)) !=
      LKATTRS_OK)
    return st;
  return join_entries(p, token, token_count, p->dec, jc, rules, detail);
}

/* ---- reading ---- */

const unsigned char *lkattrs_participant_bytes(const lkattrs_participant *p,
                                               lkattrs_view view, size_t *len) {
  if (len) *len = 0;
  if (!p || !len) return NULL;
  const unsigned char *b = p->buf[p->cur];
  size_t n = info_len(p, p->cur);
  switch (view) {
    case LKATTRS_VIEW_PARTICIPANT_INFO: *len = n; return b + HEAD;
    case LKATTRS_VIEW_PARTICIPANT_UPDATE: *len = HEAD + n - p->pu_off; return b + p->pu_off;
    case LKATTRS_VIEW_SIGNAL_RESPONSE: *len = HEAD + n - p->sr_off; return b + p->sr_off;
    default: return NULL;
  }
}

size_t lkattrs_participant_count(const lkattrs_participant *p) {
  return p ? p->n[p->cur] : 0;
}
size_t lkattrs_participant_attrs_bytes(const lkattrs_participant *p) {
  return p ? p->live : 0;
}
uint32_t lkattrs_participant_version(const lkattrs_participant *p) {
  return p ? p->version : 0;
}

lkattrs_status lkattrs_participant_get(const lkattrs_participant *p, const char *key,
                                       size_t key_len, const char **value,
                                       size_t *value_len) {
  bool found;
  if (!p || (!key && key_len)) return LKATTRS_E_INVALID_ARGUMENT;
  size_t pos = lkattrs__state_lower_bound(p, p->cur, key ? key : "", key_len, 0, p->n[p->cur], &found);
  if (!found) return LKATTRS_E_NOT_FOUND;
  lkattrs_entry e;
  entry_at(p, p->cur, pos, &e);
  if (value) *value = e.value;
  if (value_len) *value_len = e.value_len;
  return LKATTRS_OK;
}

lkattrs_status lkattrs_participant_at(const lkattrs_participant *p, size_t index,
                                      lkattrs_entry *out) {
  if (!p || !out) return LKATTRS_E_INVALID_ARGUMENT;
  if (index >= p->n[p->cur]) return LKATTRS_E_NOT_FOUND;
  entry_at(p, p->cur, index, out);
  return LKATTRS_OK;
}

size_t lkattrs_participant_changes(const lkattrs_participant *p) { return p ? p->nchg : 0; }

lkattrs_status lkattrs_participant_change_at(const lkattrs_participant *p, size_t index,
                                             lkattrs_change *out) {
  static const char empty[1] = "";
  if (!p || !out) return LKATTRS_E_INVALID_ARGUMENT;
  if (index >= p->nchg) return LKATTRS_E_NOT_FOUND;
  change_rec r = p->chg[index];
  lkattrs_entry o = {empty, 0, empty, 0}, nw = {empty, 0, empty, 0};
  if (r.old != NONE) entry_at(p, p->cur ^ 1u, r.old, &o);
  if (r.at != NONE) entry_at(p, p->cur, r.at, &nw);
  out->key = r.at != NONE ? nw.key : o.key;
  out->key_len = r.at != NONE ? nw.key_len : o.key_len;
  out->old_value = o.value;
  out->old_len = o.value_len;
  out->new_value = nw.value;
  out->new_len = nw.value_len;
  out->had_old = r.old != NONE;
  out->has_new = r.at != NONE;
  return LKATTRS_OK;
}
