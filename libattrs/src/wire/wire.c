/* wire.c - attribute maps on the protobuf wire: writer and zero-copy reader. */
#include "lkattrs/wire.h"
#include "lkattrs/wire_unstable.h"

#include <string.h>

#include "../engine/engine.h"
#include "../rules/rules.h"
#include "../storage/storage.h"
#include "prim.h"

#define KNOWN_FLAGS (LKATTRS_WIRE_RAW | LKATTRS_WIRE_ALLOW_NUL)

static bool path_ok(const uint32_t *path, size_t depth) {
  if (!path || depth == 0 || depth > LKATTRS_WIRE_MAX_DEPTH) return false;
  for (size_t i = 0; i < depth; i++)
    if (path[i] == 0 || path[i] > LKATTRS_WIRE_MAX_FIELD) return false;
  return true;
}

lkattrs_status lkattrs_wire_reader_init(lkattrs_wire_reader *r, const void *msg,
                                        size_t len, const uint32_t *path,
                                        size_t depth, unsigned flags) {
  if (!r) return LKATTRS_E_INVALID_ARGUMENT;
  if ((!msg && len) || !path_ok(path, depth) || (flags & ~KNOWN_FLAGS)) {
    memset(r, 0, sizeof *r);
    r->status = LKATTRS_E_INVALID_ARGUMENT;
    return LKATTRS_E_INVALID_ARGUMENT;
  }
  lkattrs__walk_init(r, msg, len, path, depth);
  r->flags = flags;
  return LKATTRS_OK;
}

static lkattrs_status text_check(const lkattrs_wire_reader *r,
                                 const lkattrs_entry *e,
                                 lkattrs_error_detail *detail) {
  if (r->flags & LKATTRS_WIRE_RAW) return LKATTRS_OK;
  for (int part = 0; part < 2; part++) {
    const char *s = part ? e->value : e->key;
    size_t n = part ? e->value_len : e->key_len, bad = 0;
    lkattrs_status st = (r->flags & LKATTRS_WIRE_ALLOW_NUL)
                            ? lkattrs_validate_utf8(s, n, &bad)
                            : lkattrs__check_text(s, n, false, &bad);
    if (st)
      return lkattrs__fail(detail, st, e->key, e->key_len, r->index,
                           (size_t)((const unsigned char *)s - r->msg) + bad,
                           part != 0, NULL);
  }
  return LKATTRS_OK;
}

/* The next entry with its field (f->start: offset of the entry field). */
static lkattrs_status next_entry(lkattrs_wire_reader *r, lkattrs__wf *f,
                                 lkattrs_entry *out,
                                 lkattrs_error_detail *detail) {
  size_t bad = 0;
  lkattrs_status st;
  if (r->status) {
    size_t at = r->status == LKATTRS_E_NOT_FOUND ? r->len : r->pos;
    return lkattrs__fail(detail, r->status, NULL, 0, LKATTRS_NO_INDEX, at,
                         false, NULL);
  }
  for (;;) {
    st = lkattrs__walk_next(r, r->depth - 1, f, &bad);
    if (st == LKATTRS_E_NOT_FOUND) {
      r->status = st;
      return lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, r->len,
                           false, LKATTRS__MSG("end of the map"));
    }
    if (!st && f->no != r->path[r->depth - 1]) continue;
    if (!st && f->wt != 2) {
      st = LKATTRS_E_WIRE_MALFORMED;
      bad = f->start;
    }
    if (st) {
      r->status = st;
      r->pos = bad;
      return lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, bad, false,
                           NULL);
    }
    st = lkattrs__entry_decode(r->msg + f->data, f->end - f->data, out, &bad);
    if (st) bad += f->data;
    if (!st) st = text_check(r, out, detail);
    else (void)lkattrs__fail(detail, st, NULL, 0, r->index, bad, false, NULL);
    if (st) {
      r->status = st;
      r->pos = bad;
      return st;
    }
    r->index++;
    lkattrs__ok(detail);
    return LKATTRS_OK;
  }
}

lkattrs_status lkattrs_wire_next(lkattrs_wire_reader *r, lkattrs_entry *out,
                                 lkattrs_error_detail *detail) {
  lkattrs__wf f = {0, 0, 0, 0, 0, 0};
  lkattrs_entry tmp;
  if (!r) return lkattrs__fail(detail, LKATTRS_E_INVALID_ARGUMENT, NULL, 0,
                               LKATTRS_NO_INDEX, 0, false, NULL);
  return next_entry(r, &f, out ? out : &tmp, detail);
}

lkattrs_status lkattrs_wire_collect(const void *msg, size_t len,
                                    const uint32_t *path, size_t depth,
                                    unsigned flags, lkattrs_entry *out,
                                    size_t cap, size_t *count,
                                    lkattrs_error_detail *detail) {
  lkattrs_wire_reader r;
  lkattrs_entry e;
  lkattrs_status st;
  size_t n = 0;
  if (count) *count = 0;
  if (!count || lkattrs_wire_reader_init(&r, msg, len, path, depth, flags))
    return lkattrs__fail(detail, LKATTRS_E_INVALID_ARGUMENT, NULL, 0,
                         LKATTRS_NO_INDEX, 0, false, NULL);
  while ((st = lkattrs_wire_next(&r, &e, detail)) == LKATTRS_OK) {
    if (out && n < cap) out[n] = e;
    n++;
  }
  if (st != LKATTRS_E_NOT_FOUND) return st;
  *count = n;
  if (out && n > cap)
    return lkattrs__fail(detail, LKATTRS_E_BUFFER_TOO_SMALL, NULL, 0, LKATTRS_NO_INDEX,
                         n, false, NULL);
  lkattrs__ok(detail);
  return LKATTRS_OK;
}

lkattrs_status lkattrs_wire_find(const void *msg, size_t len,
                                 const uint32_t *path, size_t depth,
                                 lkattrs_wire_field *out,
                                 lkattrs_error_detail *detail) {
  lkattrs_wire_reader r;
  lkattrs__wf f = {0, 0, 0, 0, 0, 0};
  size_t bad = 0;
  bool found = false;
  lkattrs_status st;
  if (!out || (!msg && len) || !path_ok(path, depth))
    return lkattrs__fail(detail, LKATTRS_E_INVALID_ARGUMENT, NULL, 0,
                         LKATTRS_NO_INDEX, 0, false, NULL);
  memset(out, 0, sizeof *out);
  lkattrs__walk_init(&r, msg, len, path, depth);
  while ((st = lkattrs__walk_next(&r, depth - 1, &f, &bad)) == LKATTRS_OK) {
    if (f.no != path[depth - 1]) continue;
    found = true;
    out->number = f.no;
    out->wire_type = f.wt;
    out->value = f.v;
    out->data = f.wt == 2 ? r.msg + f.data : NULL;
    out->len = f.wt == 2 ? (size_t)f.v : 0;
    out->offset = f.start;
  }
  if (st != LKATTRS_E_NOT_FOUND)
    return lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, bad, false, NULL);
  if (!found)
    return lkattrs__fail(detail, LKATTRS_E_NOT_FOUND, NULL, 0, LKATTRS_NO_INDEX,
                         len, false, NULL);
  lkattrs__ok(detail);
  return LKATTRS_OK;
}

lkattrs_status lkattrs_wire_check(const void *msg, size_t len,
                                  lkattrs_error_detail *detail) {
  lkattrs_wire_reader r;
  lkattrs__wf f = {0, 0, 0, 0, 0, 0};
  size_t bad = 0;
  lkattrs_status st;
  uint32_t unused = 1;
  if (!msg && len)
    return lkattrs__fail(detail, LKATTRS_E_INVALID_ARGUMENT, NULL, 0,
                         LKATTRS_NO_INDEX, 0, false, NULL);
  lkattrs__walk_init(&r, msg, len, &unused, 1);
  while ((st = lkattrs__walk_next(&r, 0, &f, &bad)) == LKATTRS_OK) {
  }
  if (st != LKATTRS_E_NOT_FOUND)
    return lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, bad, false, NULL);
  lkattrs__ok(detail);
  return LKATTRS_OK;
}

lkattrs_status lkattrs_wire_parse_entry(const void *entry, size_t len,
                                        unsigned flags, lkattrs_entry *out,
                                        lkattrs_error_detail *detail) {
  lkattrs_wire_reader r;
  size_t bad = 0;
  uint32_t unused = 1;
  if (!out || (!entry && len) || (flags & ~KNOWN_FLAGS))
    return lkattrs__fail(detail, LKATTRS_E_INVALID_ARGUMENT, NULL, 0,
                         LKATTRS_NO_INDEX, 0, false, NULL);
  lkattrs_status st = lkattrs__entry_decode(entry, len, out, &bad);
  if (st == LKATTRS_E_WIRE_MALFORMED && bad < len) {
    /* A field cut short at the end of the entry is a truncation here. */
    lkattrs__wf f = {0, 0, 0, 0, 0, 0};
    if (lkattrs__wf_read(entry, bad, len, true, &f) == LKATTRS_E_WIRE_TRUNCATED)
      st = LKATTRS_E_WIRE_TRUNCATED;
  }
  if (st)
    return lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, bad, false, NULL);
  lkattrs__walk_init(&r, entry, len, &unused, 1);
  r.flags = flags;
  r.index = LKATTRS_NO_INDEX;
  st = text_check(&r, out, detail);
  if (!st) lkattrs__ok(detail);
  return st;
}

/* ---- reading into a map ---- */

/* Keys of two checked entry fields at offsets a and b of the message. */
static int offset_cmp(const void *ctx, uint32_t a, uint32_t b) {
  const unsigned char *w = ctx;
  lkattrs_entry x, y;
  lkattrs__entry_field_at(w + a, &x);
  lkattrs__entry_field_at(w + b, &y);
  return lkattrs__keycmp(x.key, x.key_len, y.key, y.key_len);
}

lkattrs_status lkattrs_wire_read_map(const void *msg, size_t len,
                                     const uint32_t *path, size_t depth,
                                     lkattrs_map *map, lkattrs_error_detail *detail) {
  lkattrs_wire_reader r;
  lkattrs__wf f = {0, 0, 0, 0, 0, 0};
  lkattrs_entry e;
  lkattrs_status st;
  size_t n = 0, i, cnt = 0, rec = 0, bad;
  uint32_t *idx = NULL;
  if (!map || lkattrs_wire_reader_init(&r, msg, len, path, depth, 0))
    return lkattrs__fail(detail, LKATTRS_E_INVALID_ARGUMENT, NULL, 0,
                         LKATTRS_NO_INDEX, 0, false, NULL);
  /* Pass 1: check everything, count the entries. */
  while ((st = next_entry(&r, &f, &e, detail)) == LKATTRS_OK) {
    size_t koff = (size_t)((const unsigned char *)e.key - r.msg);
    if (!e.key_len)
      return lkattrs__fail(detail, LKATTRS_E_KEY_EMPTY, e.key, 0, n, 0, false,
                           NULL);
    if ((st = lkattrs__check_text(e.key, e.key_len, true, &bad)) != LKATTRS_OK)
      return lkattrs__fail(detail, st, e.key, e.key_len, n, koff + bad, false,
                           NULL);
    if (lkattrs__rec_size(e.key_len, e.value_len) == SIZE_MAX || f.start > 0xFFFFFFFFu)
      return lkattrs__fail(detail, LKATTRS_E_NOSPACE, e.key, e.key_len, n, 0,
                           false, NULL);
    n++;
  }
  if (st != LKATTRS_E_NOT_FOUND) return st;
  /* Pass 2: the entries sorted (by their offsets), the last of each key. */
  size_t u = 0;
  if (n) {
    st = lkattrs__scratch(map, n, &idx);
    if (st) {
      if (st == LKATTRS_E_NOSPACE) idx = NULL;
      return lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, n, false,
                           NULL);
    }
    lkattrs__walk_init(&r, msg, len, path, depth);
    r.flags = LKATTRS_WIRE_RAW;
    for (i = 0; next_entry(&r, &f, &e, NULL) == LKATTRS_OK; i++) idx[i] = (uint32_t)f.start;
    u = lkattrs__sort_dedup_by(idx, n, offset_cmp, msg);
  }
  bool keep_empty = (lkattrs_map_flags(map) & LKATTRS_MAP_UPDATE) != 0;
  for (i = 0; i < u; i++) {
    lkattrs__entry_field_at((const unsigned char *)msg + idx[i], &e);
    if (!e.value_len && !keep_empty) continue;
    cnt++;
    rec = lkattrs__add(rec, lkattrs__rec_size(e.key_len, e.value_len));
  }
  st = lkattrs__refill_begin(map, cnt, rec);
  if (!st)
    for (i = 0; i < u; i++) {
      lkattrs__entry_field_at((const unsigned char *)msg + idx[i], &e);
      if (!e.value_len && !keep_empty) continue;
      lkattrs__refill_push(map, &e);
    }
  lkattrs__scratch_free(map, idx, n);
  if (st)
    return lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, 0, false, NULL);
  lkattrs__ok(detail);
  return LKATTRS_OK;
}

size_t lkattrs_wire_header_size(uint32_t field, size_t len) {
  return lkattrs__varint_len((uint64_t)field << 3 | 2) + lkattrs__varint_len(len);
}

size_t lkattrs_wire_put_header(void *out, uint32_t field, size_t len) {
  unsigned char *p = lkattrs__put_varint(out, (uint64_t)field << 3 | 2);
  return (size_t)(lkattrs__put_varint(p, len) - (unsigned char *)out);
}

static bool field_ok(uint32_t f) { return f && f <= LKATTRS_WIRE_MAX_FIELD; }

/* Entry i of a map or of an array. */
static void src_get(const lkattrs_map *m, const lkattrs_entry *arr, size_t i,
                    lkattrs_entry *e) {
  if (m)
    lkattrs__entry(m, i, e);
  else
    *e = arr[i];
}

static size_t src_size(const lkattrs_map *m, const lkattrs_entry *arr,
                       size_t n, uint32_t field) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    lkattrs_entry e;
    src_get(m, arr, i, &e);
    total = lkattrs__add(total, lkattrs__entry_field_len(field, e.key_len, e.value_len));
  }
  return total;
}

static lkattrs_status src_write(const lkattrs_map *m, const lkattrs_entry *arr,
                                size_t n, uint32_t field, void *out, size_t cap,
                                size_t *written) {
  if (written) *written = 0;
  if (!written || !field_ok(field) || (!out && cap)) return LKATTRS_E_INVALID_ARGUMENT;
  if (!m)
    for (size_t i = 0; i < n; i++)
      if ((!arr[i].key && arr[i].key_len) || (!arr[i].value && arr[i].value_len))
        return LKATTRS_E_INVALID_ARGUMENT;
  size_t need = src_size(m, arr, n, field);
  if (need > cap) {
    *written = need;
    return LKATTRS_E_BUFFER_TOO_SMALL;
  }
  unsigned char *p = out;
  for (size_t i = 0; i < n; i++) {
    lkattrs_entry e;
    src_get(m, arr, i, &e);
    p = lkattrs__put_entry(p, field, &e);
  }
  *written = need;
  return LKATTRS_OK;
}

lkattrs_status lkattrs_wire_map_size(const lkattrs_map *map, uint32_t field,
                                     size_t *size) {
  if (size) *size = 0;
  if (!map || !size || !field_ok(field)) return LKATTRS_E_INVALID_ARGUMENT;
  *size = src_size(map, NULL, lkattrs_map_count(map), field);
  return LKATTRS_OK;
}

lkattrs_status lkattrs_wire_write_map(const lkattrs_map *map, uint32_t field,
                                      void *out, size_t cap, size_t *written) {
  if (!map) {
    if (written) *written = 0;
    return LKATTRS_E_INVALID_ARGUMENT;
  }
  return src_write(map, NULL, lkattrs_map_count(map), field, out, cap, written);
}

lkattrs_status lkattrs_wire_entries_size(const lkattrs_entry *entries, size_t n,
                                         uint32_t field, size_t *size) {
  if (size) *size = 0;
  if (!size || (!entries && n) || !field_ok(field)) return LKATTRS_E_INVALID_ARGUMENT;
  *size = src_size(NULL, entries, n, field);
  return LKATTRS_OK;
}

lkattrs_status lkattrs_wire_write_entries(const lkattrs_entry *entries, size_t n,
                                          uint32_t field, void *out, size_t cap,
                                          size_t *written) {
  if (!entries && n) {
    if (written) *written = 0;
    return LKATTRS_E_INVALID_ARGUMENT;
  }
  return src_write(NULL, entries, n, field, out, cap, written);
}

lkattrs_status lkattrs_wire_encode_map(const lkattrs_map *map, uint32_t field,
                                       const lkattrs_allocator *alc,
                                       unsigned char **out, size_t *len) {
  size_t need, n;
  lkattrs_status st;
  if (out) *out = NULL;
  if (len) *len = 0;
  if (!out || !len) return LKATTRS_E_INVALID_ARGUMENT;
  if ((st = lkattrs_wire_map_size(map, field, &need)) != LKATTRS_OK) return st;
  if (alc && (!alc->alloc || !alc->free)) return LKATTRS_E_INVALID_ARGUMENT;
  if (!need) return LKATTRS_OK;
  if (!(alc = lkattrs__allocator_or_libc(alc))) return LKATTRS_E_UNSUPPORTED;
  unsigned char *p = alc->alloc(alc->ctx, need);
  if (!p) return LKATTRS_E_NOMEM;
  st = lkattrs_wire_write_map(map, field, p, need, &n);
  (void)st; /* cannot fail: sized above */
  *out = p;
  *len = n;
  return LKATTRS_OK;
}
