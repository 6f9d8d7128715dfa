/*
 * wire_prim.h - the protobuf wire primitives of libattrs: varints, tags,
 * one field, a walk over nested messages, and the codec of one map entry
 * {1: key, 2: value}, whose fast path for the usual layout (one-byte tags
 * and lengths) lives here and nowhere else.  No schema, no allocation.
 * Never installed; every name is prefixed lkattrs__.
 */
#ifndef LKATTRS_WIRE_PRIM_H
#define LKATTRS_WIRE_PRIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "lkattrs/errors.h"
#include "lkattrs/map.h"
#include "lkattrs/wire.h"

/* Fast paths for the common encodings (same results); -Os builds leave
 * them out for smaller code. */
#ifndef LKATTRS_FAST
#ifdef __OPTIMIZE_SIZE__
#define LKATTRS_FAST 0
#else
#define LKATTRS_FAST 1
#endif
#endif

/* One field: number, wire type, value (varint / fixed / length), offsets of
 * its tag, of its value (after the length prefix) and of its end. */
typedef struct {
  uint32_t no;
  unsigned wt;
  uint64_t v;
  size_t start, data, end;
} lkattrs__wf;

/* Read the field at b[pos..end).  top: end is the end of the input (a field
 * running past it is TRUNCATED; otherwise MALFORMED).  f->start is set even
 * on error.  lkattrs__wf_read() is inline for the usual layout (a one-byte
 * tag of a varint or length-delimited field with a one-byte value or
 * length: fields 1..15, lengths below 128) and calls lkattrs__wf_read_any()
 * for the rest; both give the same result. */
lkattrs_status lkattrs__wf_read_any(const unsigned char *b, size_t pos, size_t end,
                                    bool top, lkattrs__wf *f);

static inline lkattrs_status lkattrs__wf_read(const unsigned char *b, size_t pos, size_t end,
                                              bool top, lkattrs__wf *f) {
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
      if (v > end - pos - 2) return top ? LKATTRS_E_WIRE_TRUNCATED : LKATTRS_E_WIRE_MALFORMED;
      f->data = pos + 2;
      f->end = pos + 2 + v;
      return LKATTRS_OK;
    }
  }
#endif
  return lkattrs__wf_read_any(b, pos, end, top, f);
}

/* Walk every field inside every occurrence of the sub-message path
 * r->path[0..prefix) (prefix 0: the top level), checking the structure of
 * each level on the way.  Returns OK with *f, NOT_FOUND at the end, or a
 * wire error with *bad at the offending field. */
void lkattrs__walk_init(lkattrs_wire_reader *r, const void *msg, size_t len,
                        const uint32_t *path, size_t depth);
lkattrs_status lkattrs__walk_next(lkattrs_wire_reader *r, size_t prefix,
                                  lkattrs__wf *f, size_t *bad);

/* The layout every encoder writes for short entries, and the one fast path
 * of libattrs for it: the entry message b[0..n) is exactly {1: key, 2:
 * value} with one-byte lengths.  True with *e set; false (e untouched)
 * for any other layout, valid or not.  Compiled out (always false) when
 * LKATTRS_FAST is 0. */
static inline bool lkattrs__entry_fast(const unsigned char *b, size_t n, lkattrs_entry *e) {
#if LKATTRS_FAST
  if (n >= 4 && n < 0x80 && b[0] == 0x0A && b[1] + 4u <= n && b[2 + b[1]] == 0x12 &&
      b[1] + b[3 + b[1]] + 4u == n) {
    e->key = (const char *)b + 2;
    e->key_len = b[1];
    e->value = (const char *)b + 4 + b[1];
    e->value_len = b[3 + b[1]];
    return true;
  }
#else
  (void)b;
  (void)n;
  (void)e;
#endif
  return false;
}

/* The key and value of the entry message b[0..n) (the bytes inside the
 * length prefix): fields in any order, unknown ones skipped, a missing key
 * or value "", the last of a repeated one kept.  *bad: offset of a bad
 * field (MALFORMED).  No text check. */
lkattrs_status lkattrs__entry_decode(const unsigned char *b, size_t n, lkattrs_entry *e,
                                     size_t *bad);

/* The key and value of the well-formed entry field (tag, length, entry)
 * at b: one already checked, fields in any order. */
void lkattrs__entry_field_at(const unsigned char *b, lkattrs_entry *e);

/* The same for an entry field the library wrote itself (canonical: tag,
 * length, then exactly {1: key, 2: value} with minimal varints): inline,
 * no parsing beyond the varints. */
static inline size_t lkattrs__get_varint(const unsigned char *b, size_t *v) {
  size_t x = 0, i = 0;
  unsigned shift = 0;
  for (;;) {
    unsigned c = b[i++];
    x |= (size_t)(c & 0x7Fu) << shift;
    if (!(c & 0x80u)) break;
    shift += 7;
  }
  *v = x;
  return i;
}

void lkattrs__canonical_entry_any(const unsigned char *b, lkattrs_entry *e);

static inline void lkattrs__canonical_entry_at(const unsigned char *b, lkattrs_entry *e) {
  if (b[1] < 0x80 && lkattrs__entry_fast(b + 2, b[1], e)) return; /* one-byte length */
  lkattrs__canonical_entry_any(b, e);
}

/* Writing. */
size_t lkattrs__varint_len(uint64_t v);
unsigned char *lkattrs__put_varint(unsigned char *p, uint64_t v);
/* A length-delimited field: its size, and writing it. */
size_t lkattrs__ld_len(uint32_t field, size_t len);
unsigned char *lkattrs__put_ld(unsigned char *p, uint32_t field, const void *d, size_t len);
/* Bytes of an entry {1: key, 2: value} without / with its tag and length
 * (saturating). */
size_t lkattrs__entry_len(size_t klen, size_t vlen);
/* Inline: the one-byte case is the usual one. */
static inline size_t lkattrs__entry_field_len(uint32_t field, size_t klen, size_t vlen) {
#if LKATTRS_FAST
  if (field < 16 && klen < 124 && vlen < 124 - klen) return klen + vlen + 6; /* one-byte lengths */
#endif
  size_t n = lkattrs__entry_len(klen, vlen);
  return lkattrs__add(lkattrs__varint_len((uint64_t)field << 3 | 2) + lkattrs__varint_len(n), n);
}

unsigned char *lkattrs__put_entry(unsigned char *p, uint32_t field,
                                  const lkattrs_entry *e);

#endif /* LKATTRS_WIRE_PRIM_H */
