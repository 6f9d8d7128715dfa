/*
 * participant_model.h - an independent model of a participant state for
 * test_participant.c: a plain sorted array of attributes, the other fields
 * of the ParticipantInfo as raw bytes grouped by segment, and the canonical
 * encoding written with pb_build.h (not with the library's writer).  Slow
 * and obvious on purpose.  No cmocka here: plain functions.
 */
#ifndef LKATTRS_TEST_PARTICIPANT_MODEL_H
#define LKATTRS_TEST_PARTICIPANT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pb_build.h"

#define PM_MAX 192   /* attributes */
#define PM_TEXT 160  /* bytes of a key or value */
#define PM_FIELD 512 /* bytes of name, metadata */
#define PM_SEG 1024  /* bytes of one segment of other fields */

typedef struct {
  char k[PM_TEXT], v[PM_TEXT];
  size_t kl, vl;
} pm_item;

/* Segments of the fields kept as given: <5, 6..8, 11..14, >15. */
enum { PM_SEG0, PM_SEG1, PM_SEG2, PM_SEG3, PM_NSEG };

typedef struct {
  pm_item it[PM_MAX]; /* sorted bytewise, no empty value */
  size_t n;
  unsigned char seg[PM_NSEG][PM_SEG];
  size_t seg_len[PM_NSEG];
  char md[PM_FIELD], name[PM_FIELD];
  size_t md_len, name_len;
  uint32_t version;
} pmodel;

static inline int pm_keycmp(const char *a, size_t al, const char *b, size_t bl) {
  size_t m = al < bl ? al : bl;
  int c = m ? memcmp(a, b, m) : 0;
  return c ? c : (al < bl ? -1 : al > bl);
}

static inline void pm_init(pmodel *m) { memset(m, 0, sizeof *m); }

/* Index of key, or -1. */
static inline long pm_find(const pmodel *m, const char *k, size_t kl) {
  for (size_t i = 0; i < m->n; i++)
    if (m->it[i].kl == kl && (kl == 0 || memcmp(m->it[i].k, k, kl) == 0)) return (long)i;
  return -1;
}

/* Set key to value ("" deletes), keeping the array sorted. */
static inline void pm_set(pmodel *m, const char *k, size_t kl, const char *v, size_t vl) {
  long at = pm_find(m, k, kl);
  if (kl > PM_TEXT || vl > PM_TEXT) abort();
  if (vl == 0) {
    if (at >= 0) {
      memmove(&m->it[at], &m->it[at + 1], (m->n - (size_t)at - 1) * sizeof m->it[0]);
      m->n--;
    }
    return;
  }
  if (at < 0) {
    size_t pos = 0;
    if (m->n == PM_MAX) abort();
    while (pos < m->n && pm_keycmp(m->it[pos].k, m->it[pos].kl, k, kl) < 0) pos++;
    memmove(&m->it[pos + 1], &m->it[pos], (m->n - pos) * sizeof m->it[0]);
    m->n++;
    at = (long)pos;
    memcpy(m->it[at].k, k, kl);
    m->it[at].kl = kl;
  }
  memcpy(m->it[at].v, v, vl);
  m->it[at].vl = vl;
}

static inline void pm_clear_attrs(pmodel *m) { m->n = 0; }

static inline size_t pm_attrs_bytes(const pmodel *m) {
  size_t s = 0;
  for (size_t i = 0; i < m->n; i++) s += m->it[i].kl + m->it[i].vl;
  return s;
}

/* Which segment a field number goes to (-1: one of the four special ones). */
static inline int pm_seg_of(uint32_t no) {
  if (no < 5) return PM_SEG0;
  if (no == 5 || no == 9 || no == 10 || no == 15) return -1;
  if (no < 9) return PM_SEG1;
  if (no < 15) return PM_SEG2;
  return PM_SEG3;
}

/* Append raw field bytes to a segment. */
static inline void pm_seg_add(pmodel *m, int seg, const void *d, size_t n) {
  if (m->seg_len[seg] + n > PM_SEG) abort();
  memcpy(m->seg[seg] + m->seg_len[seg], d, n);
  m->seg_len[seg] += n;
}

static inline void pm_set_text(char *dst, size_t *dl, const char *s, size_t n) {
  if (n > PM_FIELD) abort();
  if (n) memcpy(dst, s, n);
  *dl = n;
}

/* The attribute entries alone, as field `no`, in key order. */
static inline void pm_encode_attrs(const pmodel *m, pbuf *out, uint32_t no) {
  for (size_t i = 0; i < m->n; i++)
    pb_entry_n(out, no, m->it[i].k, m->it[i].kl, m->it[i].v, m->it[i].vl);
}

/* The canonical ParticipantInfo: seg0, metadata, seg1, name, version,
 * seg2, attributes in key order, seg3. */
static inline void pm_encode(const pmodel *m, pbuf *out) {
  out->n = 0;
  pb_raw(out, m->seg[PM_SEG0], m->seg_len[PM_SEG0]);
  if (m->md_len) pb_bytes(out, 5, m->md, m->md_len);
  pb_raw(out, m->seg[PM_SEG1], m->seg_len[PM_SEG1]);
  if (m->name_len) pb_bytes(out, 9, m->name, m->name_len);
  if (m->version) pb_uint(out, 10, m->version);
  pb_raw(out, m->seg[PM_SEG2], m->seg_len[PM_SEG2]);
  pm_encode_attrs(m, out, 15);
  pb_raw(out, m->seg[PM_SEG3], m->seg_len[PM_SEG3]);
}

/* One difference between two models' attributes. */
typedef struct {
  const char *k, *ov, *nv;
  size_t kl, ol, nl;
  bool had_old, has_new;
} pm_change;

/* Every key whose value differs between a and b, in key order; returns the
 * count (out has room for a->n + b->n). */
static inline size_t pm_diff(const pmodel *a, const pmodel *b, pm_change *out) {
  size_t i = 0, j = 0, c = 0;
  while (i < a->n || j < b->n) {
    int cmp = i == a->n   ? 1
              : j == b->n ? -1
                          : pm_keycmp(a->it[i].k, a->it[i].kl, b->it[j].k, b->it[j].kl);
    pm_change ch;
    memset(&ch, 0, sizeof ch);
    if (cmp < 0) {
      ch.k = a->it[i].k, ch.kl = a->it[i].kl, ch.ov = a->it[i].v, ch.ol = a->it[i].vl;
      ch.had_old = true;
      i++;
    } else if (cmp > 0) {
      ch.k = b->it[j].k, ch.kl = b->it[j].kl, ch.nv = b->it[j].v, ch.nl = b->it[j].vl;
      ch.has_new = true;
      j++;
    } else {
      bool same = a->it[i].vl == b->it[j].vl &&
                  memcmp(a->it[i].v, b->it[j].v, a->it[i].vl) == 0;
      ch.k = a->it[i].k, ch.kl = a->it[i].kl;
      ch.ov = a->it[i].v, ch.ol = a->it[i].vl, ch.had_old = true;
      ch.nv = b->it[j].v, ch.nl = b->it[j].vl, ch.has_new = true;
      i++, j++;
      if (same) continue;
    }
    out[c++] = ch;
  }
  return c;
}

/* A RequestResponse {1 request_id, 2 reason, 3 message, 7 echo} (zero and
 * empty fields left out; echo NULL: none), optionally wrapped as
 * SignalResponse.request_response (22). */
static inline void pm_response(pbuf *out, uint32_t rid, int reason, const char *msg,
                               size_t msg_len, const pbuf *echo, bool envelope) {
  pbuf *b = (pbuf *)malloc(sizeof *b);
  if (!b) abort();
  b->n = 0;
  if (rid) pb_uint(b, 1, rid);
  if (reason) pb_uint(b, 2, (uint64_t)reason);
  if (msg_len) pb_bytes(b, 3, msg, msg_len);
  if (echo) pb_sub(b, 7, echo);
  out->n = 0;
  if (envelope) pb_sub(out, 22, b);
  else pb_raw(out, b->b, b->n);
  free(b);
}

#endif /* LKATTRS_TEST_PARTICIPANT_MODEL_H */
