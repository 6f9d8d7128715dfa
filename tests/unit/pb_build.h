/*
 * pb_build.h - a tiny protobuf byte builder for the wire tests (independent
 * of the library's writer, so that the two check each other).
 */
#ifndef LKATTRS_TEST_PB_BUILD_H
#define LKATTRS_TEST_PB_BUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  unsigned char b[1 << 17];
  size_t n;
} pbuf;

static inline void pb_raw(pbuf *p, const void *d, size_t n) {
  if (p->n + n > sizeof p->b) abort();
  if (n) memcpy(p->b + p->n, d, n);
  p->n += n;
}
static inline void pb_varint(pbuf *p, uint64_t v) {
  do {
    unsigned char c = (unsigned char)(v & 0x7F);
    v >>= 7;
    if (v) c |= 0x80;
    pb_raw(p, &c, 1);
  } while (v);
}
static inline void pb_tag(pbuf *p, uint32_t no, unsigned wt) { pb_varint(p, (uint64_t)no << 3 | wt); }
static inline void pb_bytes(pbuf *p, uint32_t no, const void *d, size_t n) {
  pb_tag(p, no, 2);
  pb_varint(p, n);
  pb_raw(p, d, n);
}
static inline void pb_str(pbuf *p, uint32_t no, const char *s) { pb_bytes(p, no, s, strlen(s)); }
static inline void pb_uint(pbuf *p, uint32_t no, uint64_t v) {
  pb_tag(p, no, 0);
  pb_varint(p, v);
}
/* A map entry {1: k, 2: v} as field no (lengths given: may hold NUL). */
static inline void pb_entry_n(pbuf *p, uint32_t no, const char *k, size_t kl,
                              const char *v, size_t vl) {
  pbuf e;
  e.n = 0;
  pb_bytes(&e, 1, k, kl);
  pb_bytes(&e, 2, v, vl);
  pb_bytes(p, no, e.b, e.n);
}
static inline void pb_entry(pbuf *p, uint32_t no, const char *k, const char *v) {
  pb_entry_n(p, no, k, strlen(k), v, strlen(v));
}
/* Append another builder as a length-delimited field. */
static inline void pb_sub(pbuf *p, uint32_t no, const pbuf *sub) { pb_bytes(p, no, sub->b, sub->n); }

#endif /* LKATTRS_TEST_PB_BUILD_H */
