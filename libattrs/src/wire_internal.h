/*
 * wire_internal.h - protobuf wire helpers shared by wire.c and update.c.
 * Never installed; every name is prefixed lkattrs__.
 */
#ifndef LKATTRS_WIRE_INTERNAL_H
#define LKATTRS_WIRE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lkattrs/wire.h"

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
 * on error. */
lkattrs_status lkattrs__wf_read(const unsigned char *b, size_t pos, size_t end,
                                bool top, lkattrs__wf *f);

/* Walk every field inside every occurrence of the sub-message path
 * r->path[0..prefix) (prefix 0: the top level), checking the structure of
 * each level on the way.  Returns OK with *f, NOT_FOUND at the end, or a
 * wire error with *bad at the offending field. */
void lkattrs__walk_init(lkattrs_wire_reader *r, const void *msg, size_t len,
                        const uint32_t *path, size_t depth);
lkattrs_status lkattrs__walk_next(lkattrs_wire_reader *r, size_t prefix,
                                  lkattrs__wf *f, size_t *bad);

/* Writing. */
size_t lkattrs__varint_len(uint64_t v);
unsigned char *lkattrs__put_varint(unsigned char *p, uint64_t v);
/* Bytes of an entry {1: key, 2: value} without / with its tag and length. */
size_t lkattrs__entry_len(size_t klen, size_t vlen);
size_t lkattrs__entry_field_len(uint32_t field, size_t klen, size_t vlen);
unsigned char *lkattrs__put_entry(unsigned char *p, uint32_t field,
                                  const lkattrs_entry *e);

#endif /* LKATTRS_WIRE_INTERNAL_H */
