/* wire.c - attribute maps on the protobuf wire: writer and zero-copy reader. */
#include "lkattrs/wire.h"

#include <string.h>
#ifndef LKATTRS_NO_MALLOC
#include <stdlib.h>
#endif

#include "internal.h"
#include "wire_internal.h"

/* Fast paths for the common encodings (same results); -Os builds leave
 * them out for smaller code. */
#ifndef LKATTRS_FAST
#ifdef __OPTIMIZE_SIZE__
#define LKATTRS_FAST 0
#else
#define LKATTRS_FAST 1
#endif
#endif

#define KNOWN_FLAGS (LKATTRS_WIRE_RAW | LKATTRS_WIRE_ALLOW_NUL)

static const char none[1] = "";

/* ---- low-level reading ---- */

static lkattrs_status varint(const unsigned char *b, size_t *pos, size_t end,
                             uint64_t *v) {
  uint64_t x = 0;
  for (unsigned i = 0; i < 10; i++) {
    if (*pos >= end) return LKATTRS_E_WIRE_TRUNCATED;
    unsigned c = b[(*pos)++];
    if (i == 9 && c > 1) return LKATTRS_E_WIRE_MALFORMED;
    x |= (uint64_t)(c & 0x7Fu) << (7 * i);
    if (!(c & 0x80u)) {
      *v = x;
      return LKATTRS_OK;
    }
  }
  return LKATTRS_E_WIRE_MALFORMED; /* not reached: the 10th byte is <= 1 */
}

lkattrs_status lkattrs__wf_read(const unsigned char *b, size_t pos, size_t end,
                                bool top, lkattrs__wf *f) {
  uint64_t tag, len;
  lkattrs_status st;
  lkattrs_status trunc = top ? LKATTRS_E_WIRE_TRUNCATED : LKATTRS_E_WIRE_MALFORMED;
  /* Fast path: a one-byte tag of a varint or length-delimited field with a
   * one-byte value or length (fields 1..15, lengths below 128: the entries
   * of an attribute map).  Same result as the general path below. */
#if LKATTRS_FAST
  if (pos < end && end - pos >= 2) {
    unsigned t = b[pos], v = b[pos + 1];
    if (t >= 8 && t < 0x80 && v < 0x80 && ((t & 7u) == 0 || (t & 7u) == 2)) {
      f->start = pos;
      f->no = t >> 3;
      f->wt = t & 7u;
      f->v = v;
      if (!(t & 7u)) {
        f->data = pos + 1;
        f->end = pos + 2;
        return LKATTRS_OK;
      }
      if (v > end - pos - 2) return trunc;
      f->data = pos + 2;
      f->end = pos + 2 + v;
      return LKATTRS_OK;
    }
  }
#endif
  f->start = pos;
  f->v = 0;
  st = varint(b, &pos, end, &tag);
  if (st) return st == LKATTRS_E_WIRE_TRUNCATED ? trunc : st;
  if (tag > 0xFFFFFFFFu || (tag >> 3) == 0) return LKATTRS_E_WIRE_MALFORMED;
  f->no = (uint32_t)(tag >> 3);
  f->wt = (unsigned)(tag & 7u);
  f->data = pos;
  switch (f->wt) {
    case 0:
      st = varint(b, &pos, end, &f->v);
      if (st) return st == LKATTRS_E_WIRE_TRUNCATED ? trunc : st;
      break;
    case 1:
    case 5: {
      size_t n = f->wt == 1 ? 8 : 4;
      if (end - pos < n) return trunc;
      for (size_t i = n; i-- > 0;) f->v = f->v << 8 | b[pos + i];
      pos += n;
      break;
    }
    case 2:
      st = varint(b, &pos, end, &len);
      if (st) return st == LKATTRS_E_WIRE_TRUNCATED ? trunc : st;
      if (len > end - pos) return trunc;
      f->data = pos;
      f->v = len;
      pos += (size_t)len;
      break;
    default: return LKATTRS_E_WIRE_MALFORMED; /* groups (3, 4), 6, 7 */
  }
  f->end = pos;
  return LKATTRS_OK;
}

/* Key and value of the entry in b[s..e); *bad: offset of a bad field. */
static lkattrs_status entry_parse(const unsigned char *b, size_t s, size_t e,
                                  lkattrs_entry *out, size_t *bad) {
  out->key = out->value = none;
  out->key_len = out->value_len = 0;
  while (s < e) {
    lkattrs__wf f;
    lkattrs_status st = lkattrs__wf_read(b, s, e, false, &f);
    if (st == LKATTRS_OK && (f.no == 1 || f.no == 2) && f.wt != 2)
      st = LKATTRS_E_WIRE_MALFORMED;
    if (st) {
      *bad = f.start;
      return st;
    }
    if (f.no == 1) {
      out->key = (const char *)b + f.data;
      out->key_len = (size_t)f.v;
    } else if (f.no == 2) {
      out->value = (const char *)b + f.data;
      out->value_len = (size_t)f.v;
    }
    s = f.end;
  }
  return LKATTRS_OK;
}

void lkattrs__wire_entry(const unsigned char *wire, uint32_t off,
                         lkattrs_entry *e) {
  lkattrs__wf f;
  size_t bad;
#if LKATTRS_FAST
  const unsigned char *b = wire + off;
  /* Fast path: the layout every encoder writes for short entries, a
   * one-byte tag and length, then exactly {1: key, 2: value} with one-byte
   * lengths.  Anything else takes the general path. */
  if (b[0] < 0x80 && b[1] < 0x80 && b[1] >= 4 && b[2] == 0x0A && b[3] < 0x80 &&
      b[3] + 4u <= b[1] && b[4 + b[3]] == 0x12 && b[5 + b[3]] < 0x80 &&
      b[3] + b[5 + b[3]] + 4u == b[1]) {
    e->key = (const char *)b + 4;
    e->key_len = b[3];
    e->value = (const char *)b + 6 + b[3];
    e->value_len = b[5 + b[3]];
    return;
  }
#endif
  /* The message was checked: the field and the entry are well-formed. */
  (void)lkattrs__wf_read(wire, off, (size_t)-1, true, &f);
  (void)entry_parse(wire, f.data, f.end, e, &bad);
}

/* ---- sorting entry offsets ---- */

static int ocmp(const unsigned char *w, uint32_t a, uint32_t b) {
  lkattrs_entry x, y;
  lkattrs__wire_entry(w, a, &x);
  lkattrs__wire_entry(w, b, &y);
  int c = lkattrs__keycmp(x.key, x.key_len, y.key, y.key_len);
  return c ? c : (a < b ? -1 : a > b);
}

static void osift(const unsigned char *w, uint32_t *v, size_t root, size_t n) {
  for (;;) {
    size_t c = 2 * root + 1;
    if (c >= n) return;
    if (c + 1 < n && ocmp(w, v[c], v[c + 1]) < 0) c++;
    if (ocmp(w, v[root], v[c]) > 0) return;
    uint32_t t = v[root];
    v[root] = v[c];
    v[c] = t;
    root = c;
  }
}

/* Below this many entries, insertion sort (fewer comparisons on the small,
 * often already sorted updates; still no memory, no recursion). */
#define SMALL_SORT 16

size_t lkattrs__wire_sort_dedup(const unsigned char *w, uint32_t *v, size_t n) {
  size_t i, out = 0;
  if (n <= SMALL_SORT) {
    for (i = 1; i < n; i++) {
      uint32_t t = v[i];
      size_t j = i;
      lkattrs_entry x, y;
      lkattrs__wire_entry(w, t, &y); /* decoded once per insertion */
      for (; j > 0; j--) {
        lkattrs__wire_entry(w, v[j - 1], &x);
        int c = lkattrs__keycmp(x.key, x.key_len, y.key, y.key_len);
        if (c < 0 || (c == 0 && v[j - 1] < t)) break;
        v[j] = v[j - 1];
      }
      v[j] = t;
    }
  } else {
    for (i = n / 2; i-- > 0;) osift(w, v, i, n);
    for (i = n; i-- > 1;) {
      uint32_t t = v[0];
      v[0] = v[i];
      v[i] = t;
      osift(w, v, 0, i);
    }
  }
  /* Keep the last of each run of equal keys (each entry decoded once). */
  lkattrs_entry a, b;
  if (n) lkattrs__wire_entry(w, v[0], &a);
  for (i = 0; i < n; i++) {
    if (i + 1 < n) {
      lkattrs__wire_entry(w, v[i + 1], &b);
      bool dup = !lkattrs__keycmp(a.key, a.key_len, b.key, b.key_len);
      a = b;
      if (dup) continue;
    }
    v[out++] = v[i];
  }
  return out;
}

/* ---- walking ---- */

void lkattrs__walk_init(lkattrs_wire_reader *r, const void *msg, size_t len,
                        const uint32_t *path, size_t depth) {
  memset(r, 0, sizeof *r);
  r->msg = msg;
  r->len = len;
  for (size_t i = 0; i < depth; i++) r->path[i] = path[i];
  r->depth = depth;
  r->end[0] = len;
}

lkattrs_status lkattrs__walk_next(lkattrs_wire_reader *r, size_t prefix,
                                  lkattrs__wf *f, size_t *bad) {
  for (;;) {
    if (r->pos >= r->end[r->level]) {
      if (r->level == 0) return LKATTRS_E_NOT_FOUND;
      r->level--;
      continue;
    }
    lkattrs_status st = lkattrs__wf_read(r->msg, r->pos, r->end[r->level],
                                         r->level == 0, f);
    if (st) {
      *bad = f->start;
      return st;
    }
    r->pos = f->end;
    if (r->level == prefix) return LKATTRS_OK;
    if (f->no == r->path[r->level]) {
      if (f->wt != 2) {
        *bad = f->start;
        return LKATTRS_E_WIRE_MALFORMED;
      }
      r->level++;
      r->end[r->level] = f->end;
      r->pos = f->data;
    }
  }
}

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
#if LKATTRS_FAST
    const unsigned char *b = r->msg + f->data;
    size_t L = f->end - f->data;
    /* Fast path: exactly {1: key, 2: value} with one-byte lengths (what
     * every encoder writes for short entries); else the general parse. */
    if (L >= 4 && L < 0x80 && b[0] == 0x0A && b[1] + 4u <= L && b[2 + b[1]] == 0x12 &&
        b[1] + b[3 + b[1]] + 4u == L) {
      out->key = (const char *)b + 2;
      out->key_len = b[1];
      out->value = (const char *)b + 4 + b[1];
      out->value_len = b[3 + b[1]];
      st = LKATTRS_OK;
    } else
#endif
    {
      st = entry_parse(r->msg, f->data, f->end, out, &bad);
    }
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
  lkattrs__wf f;
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
    return lkattrs__fail(detail, LKATTRS_E_NOSPACE, NULL, 0, LKATTRS_NO_INDEX,
                         n, false, NULL);
  lkattrs__ok(detail);
  return LKATTRS_OK;
}

lkattrs_status lkattrs_wire_find(const void *msg, size_t len,
                                 const uint32_t *path, size_t depth,
                                 lkattrs_wire_field *out,
                                 lkattrs_error_detail *detail) {
  lkattrs_wire_reader r;
  lkattrs__wf f;
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
  lkattrs__wf f;
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
  lkattrs_status st = entry_parse(entry, 0, len, out, &bad);
  if (st == LKATTRS_E_WIRE_MALFORMED && bad < len) {
    /* A field cut short at the end of the entry is a truncation here. */
    lkattrs__wf f;
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

lkattrs_status lkattrs_wire_read_map(const void *msg, size_t len,
                                     const uint32_t *path, size_t depth,
                                     unsigned flags, lkattrs_map *map,
                                     lkattrs_error_detail *detail) {
  lkattrs_wire_reader r;
  lkattrs__wf f;
  lkattrs_entry e;
  lkattrs_status st;
  size_t n = 0, i, cnt = 0, rec = 0, bad;
  uint32_t *idx = NULL;
  if (!map || flags || lkattrs_wire_reader_init(&r, msg, len, path, depth, 0))
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
    if (e.key_len >= LKATTRS__DEAD || e.value_len >= LKATTRS__DEAD ||
        f.start > 0xFFFFFFFFu)
      return lkattrs__fail(detail, LKATTRS_E_NOSPACE, e.key, e.key_len, n, 0,
                           false, NULL);
    n++;
  }
  if (st != LKATTRS_E_NOT_FOUND) return st;
  /* Pass 2: the entry offsets, sorted, the last of each key kept. */
  if (n) {
    st = lkattrs__scratch(map, n, &idx);
    if (st) {
      if (st == LKATTRS_E_NOSPACE) idx = NULL;
      return lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, n, false,
                           NULL);
    }
    lkattrs__walk_init(&r, msg, len, path, depth);
    r.flags = LKATTRS_WIRE_RAW;
    for (i = 0; next_entry(&r, &f, &e, NULL) == LKATTRS_OK; i++)
      idx[i] = (uint32_t)f.start;
  }
  size_t u = n ? lkattrs__wire_sort_dedup(r.msg, idx, n) : 0;
  bool keep_empty = (lkattrs_map_flags(map) & LKATTRS_MAP_UPDATE) != 0;
  for (i = 0; i < u; i++) {
    lkattrs__wire_entry(r.msg, idx[i], &e);
    if (!e.value_len && !keep_empty) continue;
    cnt++;
    rec = lkattrs__add(rec, LKATTRS__REC(e.key_len, e.value_len));
  }
  st = lkattrs__reserve(map, cnt, rec, lkattrs__rec_bytes(map));
  if (!st) {
    lkattrs_map_clear(map);
    for (i = 0; i < u; i++) {
      lkattrs__wire_entry(r.msg, idx[i], &e);
      if (!e.value_len && !keep_empty) continue;
      map->ent[map->count++] = lkattrs__append(map, &e);
      map->live += e.key_len + e.value_len;
    }
  }
  lkattrs__scratch_free(map, idx, n);
  if (st)
    return lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, 0, false, NULL);
  lkattrs__ok(detail);
  return LKATTRS_OK;
}

/* ---- writer ---- */

size_t lkattrs__varint_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

unsigned char *lkattrs__put_varint(unsigned char *p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *p++ = (unsigned char)v;
  return p;
}

/* Sizes saturate at SIZE_MAX (lkattrs__add): lengths whose sum would wrap
 * (a caller's lengths, as on a 32-bit machine) never give a small size. */
size_t lkattrs__entry_len(size_t klen, size_t vlen) {
  size_t fixed = 2 + lkattrs__varint_len(klen) + lkattrs__varint_len(vlen);
  return lkattrs__add(lkattrs__add(fixed, klen), vlen);
}

size_t lkattrs__entry_field_len(uint32_t field, size_t klen, size_t vlen) {
#if LKATTRS_FAST
  if (field < 16 && klen < 124 && vlen < 124 - klen) return klen + vlen + 6; /* one-byte lengths */
#endif
  size_t n = lkattrs__entry_len(klen, vlen);
  return lkattrs__add(lkattrs__varint_len((uint64_t)field << 3 | 2) + lkattrs__varint_len(n), n);
}

unsigned char *lkattrs__put_entry(unsigned char *p, uint32_t field,
                                  const lkattrs_entry *e) {
#if LKATTRS_FAST
  if (field < 16 && e->key_len < 124 && e->value_len < 124 - e->key_len) { /* one-byte lengths */
    *p++ = (unsigned char)(field << 3 | 2);
    *p++ = (unsigned char)(4 + e->key_len + e->value_len);
    *p++ = 0x0A;
    *p++ = (unsigned char)e->key_len;
    if (e->key_len) memcpy(p, e->key, e->key_len);
    p += e->key_len;
    *p++ = 0x12;
    *p++ = (unsigned char)e->value_len;
    if (e->value_len) memcpy(p, e->value, e->value_len);
    return p + e->value_len;
  }
#endif
  p = lkattrs__put_varint(p, (uint64_t)field << 3 | 2);
  p = lkattrs__put_varint(p, lkattrs__entry_len(e->key_len, e->value_len));
  *p++ = 0x0A;
  p = lkattrs__put_varint(p, e->key_len);
  if (e->key_len) memcpy(p, e->key, e->key_len);
  p += e->key_len;
  *p++ = 0x12;
  p = lkattrs__put_varint(p, e->value_len);
  if (e->value_len) memcpy(p, e->value, e->value_len);
  return p + e->value_len;
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
  *size = src_size(map, NULL, map->count, field);
  return LKATTRS_OK;
}

lkattrs_status lkattrs_wire_write_map(const lkattrs_map *map, uint32_t field,
                                      void *out, size_t cap, size_t *written) {
  if (!map) {
    if (written) *written = 0;
    return LKATTRS_E_INVALID_ARGUMENT;
  }
  return src_write(map, NULL, map->count, field, out, cap, written);
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
  unsigned char *p;
  if (alc) {
    p = alc->alloc(alc->ctx, need);
  } else {
#ifdef LKATTRS_NO_MALLOC
    return LKATTRS_E_UNSUPPORTED;
#else
    p = malloc(need);
#endif
  }
  if (!p) return LKATTRS_E_NOMEM;
  st = lkattrs_wire_write_map(map, field, p, need, &n);
  (void)st; /* cannot fail: sized above */
  *out = p;
  *len = n;
  return LKATTRS_OK;
}
