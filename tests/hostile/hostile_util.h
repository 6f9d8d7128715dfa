/*
 * hostile_util.h - helpers of the hostile-input catalogue (hostile.c): a
 * growable protobuf byte builder independent of the library's writer, an
 * exact-size copy (so that ASan and valgrind see a read one byte past the
 * input), a clock, and CHECK, which records the first failed expectation of
 * a case instead of aborting.
 */
#ifndef LKATTRS_HOSTILE_UTIL_H
#define LKATTRS_HOSTILE_UTIL_H

#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The first failed expectation of the running case (NULL: none). */
static char hostile_why[512];
static bool hostile_failed;

#define CHECK(cond)                                                               \
  do {                                                                            \
    if (!(cond)) {                                                                \
      if (!hostile_failed)                                                        \
        snprintf(hostile_why, sizeof hostile_why, "%s:%d: %s", __FILE__, __LINE__, \
                 #cond);                                                          \
      hostile_failed = true;                                                      \
      return;                                                                     \
    }                                                                             \
  } while (0)

/* ---- a growable byte builder ---- */
typedef struct hb {
  unsigned char *b;
  size_t n, cap;
} hb;

static void hb_raw(hb *p, const void *d, size_t n) {
  if (p->n + n > p->cap) {
    size_t cap = p->cap ? p->cap : 256;
    while (cap < p->n + n) cap *= 2;
    unsigned char *nb = realloc(p->b, cap);
    if (!nb) abort();
    p->b = nb;
    p->cap = cap;
  }
  if (n) memcpy(p->b + p->n, d, n);
  p->n += n;
}
static void hb_byte(hb *p, unsigned c) {
  unsigned char b = (unsigned char)c;
  hb_raw(p, &b, 1);
}
static void hb_varint(hb *p, uint64_t v) {
  do {
    unsigned c = (unsigned)(v & 0x7F);
    v >>= 7;
    hb_byte(p, v ? c | 0x80 : c);
  } while (v);
}
static void hb_tag(hb *p, uint32_t no, unsigned wt) { hb_varint(p, (uint64_t)no << 3 | wt); }
static void hb_bytes(hb *p, uint32_t no, const void *d, size_t n) {
  hb_tag(p, no, 2);
  hb_varint(p, n);
  hb_raw(p, d, n);
}
static void hb_sub(hb *p, uint32_t no, const hb *sub) { hb_bytes(p, no, sub->b, sub->n); }
static void hb_entry_n(hb *p, uint32_t no, const char *k, size_t kl, const char *v, size_t vl) {
  hb e = {0};
  hb_bytes(&e, 1, k, kl);
  hb_bytes(&e, 2, v, vl);
  hb_sub(p, no, &e);
  free(e.b);
}
static void hb_entry(hb *p, uint32_t no, const char *k, const char *v) {
  hb_entry_n(p, no, k, strlen(k), v, strlen(v));
}
static void hb_free(hb *p) {
  free(p->b);
  p->b = NULL;
  p->n = p->cap = 0;
}
/* Hex text into a builder. */
static void hb_hex(hb *p, const char *hex) {
  for (; hex[0] && hex[1]; hex += 2) {
    unsigned v;
    if (sscanf(hex, "%2x", &v) != 1) abort();
    hb_byte(p, v);
  }
}

/* An exact-size heap copy of [d, d+n): a read past the end is caught. */
static unsigned char *exact(const void *d, size_t n) {
  unsigned char *c = malloc(n ? n : 1);
  if (!c) abort();
  if (n) memcpy(c, d, n);
  return c;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif /* LKATTRS_HOSTILE_UTIL_H */
