/* wire_prim.c - protobuf wire primitives: varints, one field, walks over
 * nested messages, and the codec of one map entry (the one fast path). */
#include "prim.h"

#include <string.h>

#include "../base/base.h"

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

lkattrs_status lkattrs__wf_read_any(const unsigned char *b, size_t pos, size_t end,
                                    bool top, lkattrs__wf *f) {
  uint64_t tag, len;
  lkattrs_status st;
  lkattrs_status trunc = top ? LKATTRS_E_WIRE_TRUNCATED : LKATTRS_E_WIRE_MALFORMED;
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

lkattrs_status lkattrs__entry_decode(const unsigned char *b, size_t n, lkattrs_entry *e,
                                     size_t *bad) {
  if (lkattrs__entry_fast(b, n, e)) return LKATTRS_OK;
  size_t s = 0;
  e->key = e->value = none;
  e->key_len = e->value_len = 0;
  while (s < n) {
    lkattrs__wf f = {0, 0, 0, 0, 0, 0};
    lkattrs_status st = lkattrs__wf_read(b, s, n, false, &f);
    if (st == LKATTRS_OK && (f.no == 1 || f.no == 2) && f.wt != 2)
      st = LKATTRS_E_WIRE_MALFORMED;
    if (st) {
      *bad = f.start;
      return st;
    }
    if (f.no == 1) {
      e->key = (const char *)b + f.data;
      e->key_len = (size_t)f.v;
    } else if (f.no == 2) {
      e->value = (const char *)b + f.data;
      e->value_len = (size_t)f.v;
    }
    s = f.end;
  }
  return LKATTRS_OK;
}

void lkattrs__canonical_entry_any(const unsigned char *b, lkattrs_entry *e) {
  size_t len, i = 1 + lkattrs__get_varint(b + 1, &len) + 1; /* tag, length, 0x0A */
  i += lkattrs__get_varint(b + i, &e->key_len);
  e->key = (const char *)b + i;
  i += e->key_len + 1; /* the key, 0x12 */
  i += lkattrs__get_varint(b + i, &e->value_len);
  e->value = (const char *)b + i;
}

void lkattrs__entry_field_at(const unsigned char *b, lkattrs_entry *e) {
  lkattrs__wf f = {0, 0, 0, 0, 0, 0};
  size_t bad;
  /* The field is well-formed: its end bounds the read. */
  (void)lkattrs__wf_read(b, 0, (size_t)-1, true, &f);
  (void)lkattrs__entry_decode(b + f.data, (size_t)f.v, e, &bad);
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

/* ---- writing ---- */

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

size_t lkattrs__ld_len(uint32_t field, size_t len) {
  return lkattrs__add(lkattrs__varint_len((uint64_t)field << 3 | 2u) + lkattrs__varint_len(len),
                      len);
}

unsigned char *lkattrs__put_ld(unsigned char *p, uint32_t field, const void *d, size_t len) {
  p = lkattrs__put_varint(p, (uint64_t)field << 3 | 2u);
  p = lkattrs__put_varint(p, len);
  if (len) memcpy(p, d, len);
  return p + len;
}
