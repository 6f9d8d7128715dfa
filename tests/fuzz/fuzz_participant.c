/*
 * fuzz_participant.c - the participant state (lkattrs/participant.h) under
 * random operation sequences, hostile update bytes and a hostile initial
 * ParticipantInfo, on a heap state (through an allocator that checks block
 * sizes and can fail) and a fixed state with small capacities side by
 * side.  After every operation each state is compared with a model kept
 * here: a sorted array of attributes plus the other fields, updated with
 * the documented semantics (the key, value and namespace rules through the
 * public lkattrs_validate_key/value and lkattrs_check_namespace; the wire
 * read by a parser of this file).
 *
 * Input: byte 0 configuration (bits 0-1 the fixed state's capacities, 2-4
 * its storage misalignment, 5 allocation failures), a u16-length initial
 * ParticipantInfo (loaded), then up to 64 operations, each an op byte
 * (bits 0-2 the operation, 3 structured input, 4 no detail / NULL for empty
 * input, 5-7 the allocation of the heap state that fails) and its
 * arguments:
 *   0-2  lkattrs_participant_apply (SIGNAL_REQUEST, PARTICIPANT_METADATA,
 *        PARTICIPANT_REQUEST): rules, limits and response bytes, then the
 *        update: u16-length raw bytes, or built from entries, name,
 *        metadata, request_id, arms and odd encodings (bit 3)
 *   3, 4 load, set_fields: a raw or built ParticipantInfo
 *   5    join: rules, limits, token and join entries
 *   6    join_request: rules, limits, token entries, a raw or built
 *        JoinRequest
 *   7    (bits 3-4) repeat the last apply; lkattrs_write_response; load or
 *        set_fields of the state's own bytes
 * Properties, on both states:
 *   - the status is the model's (a fixed state may answer NOSPACE where a
 *     capacity is exceeded, and must when the model accepts; the heap state
 *     NOMEM only when an allocation failed); detail->code is the status,
 *     detail->index the offending entry;
 *   - a refused or failed operation leaves the bytes byte-identical and
 *     the change list empty;
 *   - the bytes are exactly the model's canonical encoding, pass
 *     lkattrs_wire_check, and re-read with lkattrs_wire_next and
 *     lkattrs_wire_collect give the model's attributes in key order; count,
 *     attrs_bytes, version, at and get agree with the model;
 *   - the change list is the model's diff (key order, old and new values);
 *   - the PARTICIPANT_UPDATE and SIGNAL_RESPONSE views wrap the info bytes
 *     exactly, in place;
 *   - apply: the result fields (refused, changed, *_changed, attrs_changed,
 *     version, request_id, reason) agree; the response fits its buffer and
 *     decodes to {request_id, reason, message, echo} with the expected
 *     values, the echo (when asked for) holding the update's name,
 *     metadata, entries and request_id, never dropped from a buffer of
 *     LKATTRS_RESPONSE_MAX_BYTES; malformed updates get no response;
 *   - repeating an accepted update changes nothing and allocates nothing;
 *   - loading the state's own bytes changes nothing;
 *   - every block the heap state frees has the size it was allocated with,
 *     and all are freed (also when the constructor's allocations fail);
 *   - calls with bad arguments return INVALID_ARGUMENT and change nothing.
 * FUZZ_TRACE=1 in the environment prints each operation's status next to
 * the model's, and the responses.
 */
#include <stdbool.h>

#include "fuzz_util.h"
#include "lkattrs/lkattrs.h"

/* SignalRequest: the arm is the last of the oneof's fields.  1 (the
 * library's reading, protobuf's and LiveKit's Go decoder's): only the
 * schema's arms 1-8, 10-23 switch it, an unknown field is kept aside; 0:
 * any field other than 15 switches it (kept to compare the two readings). */
#ifndef STRICT_ONEOF
#define STRICT_ONEOF 1
#endif

#define ST(s) ((uint64_t)1 << (unsigned)(s))
#define WIRE_ERRS (ST(LKATTRS_E_WIRE_TRUNCATED) | ST(LKATTRS_E_WIRE_MALFORMED))
#define MAX_OPS 64

#define MSG_NOT_ALLOWED "does not have permission to update own metadata"
#define MSG_NAME "exceeds name length limit"
#define MSG_METADATA "exceeds metadata size limit"
#define MSG_ATTRIBUTES "exceeds attributes size limit"

/* A property that failed, said in words. */
#define FUZZ_FAIL(what)                                                        \
  do {                                                                         \
    fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, what); \
    abort();                                                                   \
  } while (0)

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  FUZZ_CHECK(p != NULL);
  return p;
}

/* ---- byte strings ---- */

typedef struct {
  const unsigned char *p;
  size_t n;
} span;

static const unsigned char nothing[1];

static span mk(const void *p, size_t n) {
  span s = {n ? (const unsigned char *)p : nothing, n};
  return s;
}

static bool eq(span a, span b) {
  return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static bool eq_text(span a, const char *p, size_t n) { return eq(a, mk(p, n)); }

static int keycmp(span a, span b) {
  size_t m = a.n < b.n ? a.n : b.n;
  int c = m ? memcmp(a.p, b.p, m) : 0;
  if (c) return c;
  return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

typedef struct {
  span k, v;
} kv;

static lkattrs_entry to_entry(kv e) {
  lkattrs_entry x = {(const char *)e.k.p, e.k.n, (const char *)e.v.p, e.v.n};
  return x;
}

/* Blocks that live until the end of the input, exactly sized (a read past
 * the end is an ASan report). */
typedef struct kept {
  struct kept *next;
} kept;
static kept *kept_list;

static span keep(const void *d, size_t n) {
  kept *k = xmalloc(sizeof *k + n);
  k->next = kept_list;
  kept_list = k;
  unsigned char *p = (unsigned char *)(k + 1);
  if (n) memcpy(p, d, n);
  return mk(p, n);
}

static void keep_free(void) {
  while (kept_list) {
    kept *k = kept_list;
    kept_list = k->next;
    free(k);
  }
}

/* A growing buffer (the encoder of the model and of built messages). */
typedef struct {
  unsigned char *p;
  size_t n, cap;
} bbuf;

static void bb_put(bbuf *b, const void *d, size_t n) {
  if (b->n + n > b->cap) {
    size_t c = b->cap ? b->cap : 256;
    while (c < b->n + n) c *= 2;
    unsigned char *q = realloc(b->p, c);
    FUZZ_CHECK(q != NULL);
    b->p = q;
    b->cap = c;
  }
  if (n) memcpy(b->p + b->n, d, n);
  b->n += n;
}

static void bb_u8(bbuf *b, unsigned c) {
  unsigned char x = (unsigned char)c;
  bb_put(b, &x, 1);
}

static void bb_varint(bbuf *b, uint64_t v) {
  while (v >= 0x80) {
    bb_u8(b, (unsigned)(v & 0x7F) | 0x80u);
    v >>= 7;
  }
  bb_u8(b, (unsigned)v);
}

static void bb_tag(bbuf *b, uint32_t no, unsigned wt) { bb_varint(b, (uint64_t)no << 3 | wt); }

static void bb_ld(bbuf *b, uint32_t no, span s) {
  bb_tag(b, no, 2);
  bb_varint(b, s.n);
  bb_put(b, s.p, s.n);
}

static size_t vlen(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

static size_t ldlen(uint32_t no, size_t n) { return vlen((uint64_t)no << 3 | 2u) + vlen(n) + n; }

/* ---- a protobuf reader of its own (the documented wire rules) ---- */

typedef struct {
  uint32_t no;
  unsigned wt;
  uint64_t v; /* varint value, or length */
  size_t start, data, end;
} pf;

/* A varint of at most 10 bytes, below 2^64, inside [*pos, end). */
static bool rd_varint(const unsigned char *b, size_t *pos, size_t end, uint64_t *v) {
  uint64_t x = 0;
  for (unsigned i = 0; i < 10; i++) {
    if (*pos >= end) return false;
    unsigned c = b[(*pos)++];
    if (i == 9 && c > 1) return false;
    x |= (uint64_t)(c & 0x7Fu) << (7 * i);
    if (!(c & 0x80u)) {
      *v = x;
      return true;
    }
  }
  return false;
}

/* 1: a field read; 0: the end of [*pos, end); -1: not valid protobuf. */
static int rd_field(const unsigned char *b, size_t *pos, size_t end, pf *f) {
  uint64_t tag;
  if (*pos >= end) return 0;
  f->start = *pos;
  if (!rd_varint(b, pos, end, &tag)) return -1;
  if ((tag >> 3) == 0 || (tag >> 3) > 536870911u) return -1;
  f->no = (uint32_t)(tag >> 3);
  f->wt = (unsigned)(tag & 7u);
  f->v = 0;
  switch (f->wt) {
    case 0:
      if (!rd_varint(b, pos, end, &f->v)) return -1;
      break;
    case 1:
      if (end - *pos < 8) return -1;
      *pos += 8;
      break;
    case 5:
      if (end - *pos < 4) return -1;
      *pos += 4;
      break;
    case 2:
      if (!rd_varint(b, pos, end, &f->v) || f->v > end - *pos) return -1;
      break;
    default: return -1;
  }
  f->data = f->wt == 2 ? *pos : f->start;
  if (f->wt == 2) *pos += (size_t)f->v;
  f->end = *pos;
  return 1;
}

/* A map entry {1: key, 2: value}: any order, unknown fields skipped, a
 * missing one "", the last occurrence wins. */
static bool rd_entry(const unsigned char *b, size_t s, size_t e, kv *out) {
  size_t pos = s;
  pf f;
  int r;
  out->k = out->v = mk(NULL, 0);
  while ((r = rd_field(b, &pos, e, &f)) == 1) {
    if (f.no != 1 && f.no != 2) continue;
    if (f.wt != 2) return false;
    if (f.no == 1) out->k = mk(b + f.data, (size_t)f.v);
    else out->v = mk(b + f.data, (size_t)f.v);
  }
  return r == 0;
}

/* ---- the model ---- */

typedef struct {
  span *other;         /* fields other than 5, 9, 10, 15, as given */
  unsigned char *oseg; /* their segment: 0 below 5, 1 6-8, 2 11-14, 3 above 15 */
  size_t no, ocap;
  span md, name;
  uint32_t version;
  kv *a; /* attributes, in key order */
  size_t n, acap;
} model;

static void m_init(model *m) {
  memset(m, 0, sizeof *m);
  m->md = m->name = mk(NULL, 0);
}

static void m_free(model *m) {
  free(m->other);
  free(m->oseg);
  free(m->a);
  m_init(m);
}

static void m_attrs_room(model *m, size_t n) {
  if (n <= m->acap) return;
  kv *a = realloc(m->a, n * sizeof *a);
  FUZZ_CHECK(a != NULL);
  m->a = a;
  m->acap = n;
}

static void m_set_attrs(model *m, const kv *a, size_t n) {
  m_attrs_room(m, n);
  if (n) memcpy(m->a, a, n * sizeof *a);
  m->n = n;
}

static void m_clear_other(model *m) { m->no = 0; }

static void m_add_other(model *m, span f, uint32_t no) {
  if (m->no == m->ocap) {
    size_t c = m->ocap ? m->ocap * 2 : 8;
    span *o = realloc(m->other, c * sizeof *o);
    FUZZ_CHECK(o != NULL);
    m->other = o;
    unsigned char *s = realloc(m->oseg, c);
    FUZZ_CHECK(s != NULL);
    m->oseg = s;
    m->ocap = c;
  }
  m->other[m->no] = f;
  m->oseg[m->no] = (unsigned char)(no < 5 ? 0 : no < 9 ? 1 : no < 15 ? 2 : 3);
  m->no++;
}

static void m_copy(model *d, const model *s) {
  m_clear_other(d);
  for (size_t i = 0; i < s->no; i++) {
    static const uint32_t seg_no[4] = {1, 6, 11, 16};
    m_add_other(d, s->other[i], seg_no[s->oseg[i]]);
  }
  d->md = s->md;
  d->name = s->name;
  d->version = s->version;
  m_set_attrs(d, s->a, s->n);
}

static size_t m_live(const kv *a, size_t n) {
  size_t t = 0;
  for (size_t i = 0; i < n; i++) t += a[i].k.n + a[i].v.n;
  return t;
}

static void put_other(const model *m, bbuf *o, unsigned seg) {
  for (size_t i = 0; i < m->no; i++)
    if (m->oseg[i] == seg) bb_put(o, m->other[i].p, m->other[i].n);
}

/* The canonical encoding (participant.h: "The bytes are canonical"). */
static void m_encode(const model *m, bbuf *o) {
  o->n = 0;
  put_other(m, o, 0);
  if (m->md.n) bb_ld(o, 5, m->md);
  put_other(m, o, 1);
  if (m->name.n) bb_ld(o, 9, m->name);
  if (m->version) {
    bb_tag(o, 10, 0);
    bb_varint(o, m->version);
  }
  put_other(m, o, 2);
  for (size_t i = 0; i < m->n; i++) {
    bb_tag(o, 15, 2);
    bb_varint(o, ldlen(1, m->a[i].k.n) + ldlen(2, m->a[i].v.n));
    bb_ld(o, 1, m->a[i].k);
    bb_ld(o, 2, m->a[i].v);
  }
  put_other(m, o, 3);
}

typedef struct {
  kv e;
  size_t i;
} kvi;

static int kvi_cmp(const void *x, const void *y) {
  const kvi *a = x, *b = y;
  int c = keycmp(a->e.k, b->e.k);
  if (c) return c;
  return a->i < b->i ? -1 : a->i > b->i ? 1 : 0;
}

/* e[0..n) in key order, the last entry of each key kept (and, with
 * drop_empty, left out when its value is ""), into out (n slots). */
static size_t sort_last(const kv *e, size_t n, kv *out, bool drop_empty) {
  if (!n) return 0;
  kvi *t = xmalloc(n * sizeof *t);
  for (size_t i = 0; i < n; i++) {
    t[i].e = e[i];
    t[i].i = i;
  }
  qsort(t, n, sizeof *t, kvi_cmp);
  size_t w = 0;
  for (size_t i = 0; i < n; i++) {
    if (i + 1 < n && keycmp(t[i].e.k, t[i + 1].e.k) == 0) continue;
    if (drop_empty && !t[i].e.v.n) continue;
    out[w++] = t[i].e;
  }
  free(t);
  return w;
}

/* a with the sorted update u applied ("" deletes; replace: b wins and
 * keeps "" values out too) into out (an + un slots). */
static size_t merge_sorted(const kv *a, size_t an, const kv *u, size_t un, kv *out) {
  size_t i = 0, j = 0, w = 0;
  while (i < an || j < un) {
    int c = i == an ? 1 : j == un ? -1 : keycmp(a[i].k, u[j].k);
    if (c < 0) {
      out[w++] = a[i++];
    } else {
      if (u[j].v.n) out[w++] = u[j];
      if (c == 0) i++;
      j++;
    }
  }
  return w;
}

typedef struct {
  span k, ov, nv;
  bool had, has;
} chg;

static size_t diff(const kv *a, size_t an, const kv *b, size_t bn, chg *out) {
  size_t i = 0, j = 0, w = 0;
  while (i < an || j < bn) {
    int c = i == an ? 1 : j == bn ? -1 : keycmp(a[i].k, b[j].k);
    chg d = {mk(NULL, 0), mk(NULL, 0), mk(NULL, 0), false, false};
    if (c < 0) {
      d.k = a[i].k;
      d.ov = a[i++].v;
      d.had = true;
    } else if (c > 0) {
      d.k = b[j].k;
      d.nv = b[j++].v;
      d.has = true;
    } else {
      if (eq(a[i].v, b[j].v)) {
        i++;
        j++;
        continue;
      }
      d.k = b[j].k;
      d.ov = a[i++].v;
      d.nv = b[j++].v;
      d.had = d.has = true;
    }
    out[w++] = d;
  }
  return w;
}

/* ---- what an operation should do ---- */

typedef struct {
  uint64_t allowed;     /* statuses accepted */
  lkattrs_status first; /* the model's verdict, capacities aside */
  uint64_t index_for;   /* statuses whose detail->index must be `index` */
  size_t index;
  const char *msg; /* apply: the response message with `first` */
  model next;      /* the state after success */
  chg *d;
  size_t nd;
  bool changed, name_changed, md_changed;
} expect;

static void x_init(expect *x) {
  memset(x, 0, sizeof *x);
  m_init(&x->next);
  x->index = LKATTRS_NO_INDEX;
}

static void x_free(expect *x) {
  m_free(&x->next);
  free(x->d);
  x->d = NULL;
}

static void x_fail(expect *x, lkattrs_status st) {
  x->first = st;
  x->allowed = st == LKATTRS_E_WIRE_MALFORMED ? WIRE_ERRS : ST(st);
}

/* Set the attributes of x->next (from cur), their diff and the count. */
static void x_attrs(expect *x, const model *cur, const kv *a, size_t n) {
  m_copy(&x->next, cur);
  m_set_attrs(&x->next, a, n);
  x->d = xmalloc((cur->n + n) * sizeof *x->d);
  x->nd = diff(cur->a, cur->n, a, n, x->d);
  x->first = LKATTRS_OK;
  x->allowed = ST(LKATTRS_OK);
}

/* ---- the two states ---- */

typedef struct {
  const char *name;
  lkattrs_participant *p;
  model m;
  bool fixed;
  size_t max_info, max_entries, upd_cap;
  bbuf snap, enc;
  bool apply_ok; /* the last operation was an accepted apply */
} side;

/* A fixed state answers NOSPACE where the operation needs more than its
 * capacities: more raw entries than max_update_entries (raw: the count is
 * known, the top-level structure being valid), or a result that does not
 * fit (when it writes). */
static void fixed_caps(const side *s, expect *x, bool raw_known, size_t raw, bool writes) {
  if (!s->fixed) return;
  bool ok = (x->allowed & ST(LKATTRS_OK)) != 0;
  if (raw_known && raw > s->upd_cap) {
    x->allowed = ok ? ST(LKATTRS_E_NOSPACE) : x->allowed | ST(LKATTRS_E_NOSPACE);
    return;
  }
  if (ok && writes) {
    bbuf b = {NULL, 0, 0};
    m_encode(&x->next, &b);
    if (b.n > s->max_info || x->next.n > s->max_entries) x->allowed = ST(LKATTRS_E_NOSPACE);
    free(b.p);
  }
}

/* ---- an allocator that checks sizes and fails on request ---- */

#define MAX_BLOCKS 64
static struct {
  void *p;
  size_t n;
} blocks[MAX_BLOCKS];
static size_t nblocks, allocs;
static long fail_at = -1; /* the allocation that fails (0: the next), -1: none */
static bool failed;

static void blk_add(void *p, size_t n) {
  FUZZ_CHECK(nblocks < MAX_BLOCKS);
  blocks[nblocks].p = p;
  blocks[nblocks].n = n;
  nblocks++;
}

static size_t blk_find(const void *p, size_t n) {
  for (size_t i = 0; i < nblocks; i++)
    if (blocks[i].p == p) {
      if (blocks[i].n != n)
        fprintf(stderr, "a block of %zu bytes given back as %zu bytes\n", blocks[i].n, n);
      FUZZ_CHECK(blocks[i].n == n); /* the size it was allocated with */
      return i;
    }
  FUZZ_FAIL("a block the allocator did not give");
  return 0;
}

static bool fail_now(void) {
  allocs++;
  if (fail_at < 0) return false;
  if (fail_at-- > 0) return false;
  failed = true;
  return true;
}

static void *t_alloc(void *ctx, size_t n) {
  (void)ctx;
  if (fail_now()) return NULL;
  void *p = xmalloc(n);
  blk_add(p, n);
  return p;
}

static void *t_realloc(void *ctx, void *old, size_t on, size_t nn) {
  (void)ctx;
  size_t i = blk_find(old, on);
  if (fail_now()) return NULL;
  void *p = realloc(old, nn ? nn : 1);
  FUZZ_CHECK(p != NULL);
  blocks[i].p = p;
  blocks[i].n = nn;
  return p;
}

static void t_free(void *ctx, void *p, size_t n) {
  (void)ctx;
  size_t i = blk_find(p, n);
  blocks[i] = blocks[--nblocks];
  free(p);
}

static const lkattrs_allocator talc = {t_alloc, t_realloc, t_free, NULL};

/* ---- checks of a state ---- */

static bool same_entry(lkattrs_entry e, kv m) {
  return eq_text(m.k, e.key, e.key_len) && eq_text(m.v, e.value, e.value_len);
}

static void check_state(side *s) {
  const model *m = &s->m;
  size_t len = 99, n = 0;
  const unsigned char *b = lkattrs_participant_bytes(s->p, LKATTRS_VIEW_PARTICIPANT_INFO, &len);
  FUZZ_CHECK(b != NULL);
  m_encode(m, &s->enc);
  if (len != s->enc.n || (len && memcmp(b, s->enc.p, len) != 0)) {
    fprintf(stderr, "%s: bytes (%zu) differ from the model's (%zu)\n", s->name, len, s->enc.n);
    FUZZ_FAIL("the state's bytes are the model's canonical encoding");
  }
  FUZZ_CHECK(lkattrs_wire_check(b, len, NULL) == LKATTRS_OK);

  /* Re-read with the zero-copy reader. */
  static const uint32_t p15[] = {LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES};
  lkattrs_wire_reader r;
  lkattrs_entry e;
  lkattrs_status st;
  FUZZ_CHECK(lkattrs_wire_reader_init(&r, b, len, p15, 1, 0) == LKATTRS_OK);
  while ((st = lkattrs_wire_next(&r, &e, NULL)) == LKATTRS_OK) {
    FUZZ_CHECK(n < m->n && same_entry(e, m->a[n]));
    n++;
  }
  FUZZ_CHECK(st == LKATTRS_E_NOT_FOUND && n == m->n);
  FUZZ_CHECK(lkattrs_wire_collect(b, len, p15, 1, 0, NULL, 0, &n, NULL) == LKATTRS_OK);
  FUZZ_CHECK(n == m->n);
  if (n) {
    lkattrs_entry *all = xmalloc(n * sizeof *all);
    FUZZ_CHECK(lkattrs_wire_collect(b, len, p15, 1, 0, all, n, &n, NULL) == LKATTRS_OK);
    for (size_t i = 0; i < n; i++) FUZZ_CHECK(same_entry(all[i], m->a[i]));
    free(all);
  }

  FUZZ_CHECK(lkattrs_participant_count(s->p) == m->n);
  FUZZ_CHECK(lkattrs_participant_attrs_bytes(s->p) == m_live(m->a, m->n));
  FUZZ_CHECK(lkattrs_participant_version(s->p) == m->version);
  for (size_t i = 0; i < m->n; i++) {
    const char *v = NULL;
    size_t vl = 0;
    FUZZ_CHECK(lkattrs_participant_at(s->p, i, &e) == LKATTRS_OK && same_entry(e, m->a[i]));
    FUZZ_CHECK(lkattrs_participant_get(s->p, (const char *)m->a[i].k.p, m->a[i].k.n, &v, &vl) ==
               LKATTRS_OK);
    FUZZ_CHECK(eq_text(m->a[i].v, v, vl));
  }
  FUZZ_CHECK(lkattrs_participant_at(s->p, m->n, &e) == LKATTRS_E_NOT_FOUND);
  FUZZ_CHECK(lkattrs_participant_get(s->p, "", 0, NULL, NULL) == LKATTRS_E_NOT_FOUND);

  /* The views: ParticipantUpdate {1: info}, SignalResponse {5: that}, in
   * place in front of the info. */
  size_t pl = 0, sl = 0;
  const unsigned char *pu = lkattrs_participant_bytes(s->p, LKATTRS_VIEW_PARTICIPANT_UPDATE, &pl);
  const unsigned char *sr = lkattrs_participant_bytes(s->p, LKATTRS_VIEW_SIGNAL_RESPONSE, &sl);
  FUZZ_CHECK(pu != NULL && sr != NULL);
  size_t ph = 1 + vlen(len), sh = 1 + vlen(pl);
  FUZZ_CHECK(pl == ph + len && sl == sh + pl);
  FUZZ_CHECK(pu + ph == b && sr + sh == pu);
  size_t pos = 0;
  pf f;
  FUZZ_CHECK(rd_field(pu, &pos, pl, &f) == 1 && f.no == 1 && f.wt == 2 && f.end == pl);
  pos = 0;
  FUZZ_CHECK(rd_field(sr, &pos, sl, &f) == 1 && f.no == 5 && f.wt == 2 && f.end == sl);
  size_t ul = 7;
  FUZZ_CHECK(lkattrs_participant_bytes(s->p, (lkattrs_view)3, &ul) == NULL && ul == 0);
}

static void check_changes(const side *s, const chg *d, size_t nd) {
  lkattrs_change c;
  FUZZ_CHECK(lkattrs_participant_changes(s->p) == nd);
  for (size_t i = 0; i < nd; i++) {
    FUZZ_CHECK(lkattrs_participant_change_at(s->p, i, &c) == LKATTRS_OK);
    FUZZ_CHECK(eq_text(d[i].k, c.key, c.key_len));
    FUZZ_CHECK(c.had_old == d[i].had && c.has_new == d[i].has);
    FUZZ_CHECK(eq_text(d[i].ov, c.old_value, c.old_len));
    FUZZ_CHECK(eq_text(d[i].nv, c.new_value, c.new_len));
    if (!d[i].has)
      FUZZ_CHECK(lkattrs_participant_get(s->p, (const char *)d[i].k.p, d[i].k.n, NULL, NULL) ==
                 LKATTRS_E_NOT_FOUND);
  }
  FUZZ_CHECK(lkattrs_participant_change_at(s->p, nd, &c) == LKATTRS_E_NOT_FOUND);
}

static unsigned op_no;
static bool trace; /* FUZZ_TRACE set: each operation's outcome on stderr */

/* Before an operation on s. */
static void begin(side *s, unsigned fail) {
  size_t len;
  const unsigned char *b = lkattrs_participant_bytes(s->p, LKATTRS_VIEW_PARTICIPANT_INFO, &len);
  s->snap.n = 0;
  bb_put(&s->snap, b, len);
  allocs = 0;
  failed = false;
  fail_at = !s->fixed && fail ? (long)fail - 1 : -1;
}

/* After it: the status against the model, then the state. */
static void settle(side *s, const expect *x, lkattrs_status st, const lkattrs_error_detail *det) {
  uint64_t allowed = x->allowed | (failed ? ST(LKATTRS_E_NOMEM) : 0);
  fail_at = -1;
  if (trace)
    fprintf(stderr, "%s, operation %u: status %d, the model's %d, allowed %#llx, %zu changes\n",
            s->name, op_no, (int)st, (int)x->first, (unsigned long long)allowed,
            lkattrs_participant_changes(s->p));
  if ((unsigned)st >= 64 || !(allowed & ST(st))) {
    fprintf(stderr, "%s, operation %u: status %d (%s), the model's %d, allowed %#llx\n", s->name,
            op_no, (int)st, lkattrs_strerror(st), (int)x->first, (unsigned long long)allowed);
    FUZZ_FAIL("the status is the model's");
  }
  if (det) {
    FUZZ_CHECK(det->code == st);
    if (x->index_for & ST(st)) {
      if (det->index != x->index)
        fprintf(stderr, "%s, operation %u: detail index %zu, expected %zu\n", s->name, op_no,
                det->index, x->index);
      FUZZ_CHECK(det->index == x->index);
    }
  }
  if (st == LKATTRS_OK) {
    m_copy(&s->m, &x->next);
    check_state(s);
    check_changes(s, x->d, x->nd);
  } else {
    size_t len;
    const unsigned char *b = lkattrs_participant_bytes(s->p, LKATTRS_VIEW_PARTICIPANT_INFO, &len);
    FUZZ_CHECK(len == s->snap.n && (len == 0 || memcmp(b, s->snap.p, len) == 0));
    check_state(s);
    FUZZ_CHECK(lkattrs_participant_changes(s->p) == 0);
  }
  s->apply_ok = false;
}

/* ---- input: text, entries, messages ---- */

typedef struct {
  const char *s;
  size_t n;
} word;
#define W(x) {x, sizeof(x) - 1}
static char long_text[300];
static const word dict[30] = {
    W(""),       W("a"),           W("b"),          W("c"),
    W("color"),  W("k"),           W("aa"),         W("ab"),
    W("lk.agent.state"), W("lk.agent.x"), W("lk.agent"), W("lk.x"),
    W("lk."),    W("sip.phoneNumber"), W("sip."),   W("ingress.y"),
    W("\xc3\xa9"), W("\xe2\x82\xac"), W("\xf0\x9f\x98\x80"), W("\xc0\x80"),
    W("\xed\xa0\x80"), W("\x80"), W("a\x00" "b"), W("\x01"),
    W("\x7f"),   W("\xc2\x85"),    W("b\xff"),      W("A"),
    W("x y"),    W("\xf4\x90\x80\x80")};

/* A text: a dictionary word (high bit), a long run, or raw input bytes. */
static span pick(fuzz_in *in) {
  uint8_t b = fz_u8(in);
  if (b & 0x80) {
    unsigned i = b & 0x1Fu;
    if (i == 30) return mk(long_text, 300);
    if (i == 31) return mk(long_text, 70 + (b & 0x40u));
    return mk(dict[i].s, dict[i].n);
  }
  size_t n = b < in->n ? b : in->n;
  span s = mk(in->p, n);
  in->p += n;
  in->n -= n;
  return s;
}

static size_t pick_list(fuzz_in *in, kv *e, size_t max) {
  size_t n = fz_u8(in) % (max + 1);
  for (size_t i = 0; i < n; i++) {
    e[i].k = pick(in);
    e[i].v = pick(in);
  }
  return n;
}

/* One map entry field `no` in one of four encodings (0: canonical). */
static void put_entry(bbuf *b, uint32_t no, kv e, unsigned style) {
  bbuf t = {NULL, 0, 0};
  switch (style & 3u) {
    case 0:
      bb_ld(&t, 1, e.k);
      bb_ld(&t, 2, e.v);
      break;
    case 1: /* value first */
      bb_ld(&t, 2, e.v);
      bb_ld(&t, 1, e.k);
      break;
    case 2: /* the key twice, no empty value, an unknown field */
      bb_ld(&t, 1, mk("zz", 2));
      bb_ld(&t, 1, e.k);
      if (e.v.n) bb_ld(&t, 2, e.v);
      bb_tag(&t, 3, 0);
      bb_varint(&t, 7);
      break;
    default: /* a key length of two bytes */
      bb_tag(&t, 1, 2);
      bb_u8(&t, (unsigned)(e.k.n & 0x7F) | 0x80u);
      bb_u8(&t, (unsigned)(e.k.n >> 7));
      bb_put(&t, e.k.p, e.k.n);
      bb_ld(&t, 2, e.v);
      break;
  }
  bb_ld(b, no, mk(t.p, t.n));
  free(t.p);
}

/* A raw message from the input, or a built one; kept exactly sized. */
static span raw_bytes(fuzz_in *in) {
  size_t n;
  const char *p = fz_bytes(in, 4096, &n);
  return keep(p, n);
}

static span build_update(fuzz_in *in, lkattrs_update_kind kind) {
  uint8_t fl = fz_u8(in);
  size_t n = fz_u8(in) % 12, split = 0;
  bbuf c = {NULL, 0, 0}, o = {NULL, 0, 0};
  uint32_t fmd = kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST ? 3 : 1;
  uint32_t fname = kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST ? 5 : 2;
  uint32_t fat = kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST ? 6 : 3;
  if (kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST) bb_ld(&c, 1, mk("room", 4));
  if (fl & 1) bb_ld(&c, fmd, pick(in));
  if (fl & 2) bb_ld(&c, fname, pick(in));
  for (size_t i = 0; i < n; i++) {
    kv e;
    if (i == n / 2) split = c.n;
    e.k = pick(in);
    e.v = pick(in);
    put_entry(&c, fat, e, (fl & 0x80) ? (unsigned)(i + fl) : 0);
  }
  if ((fl & 4) && kind != LKATTRS_UPDATE_PARTICIPANT_REQUEST) {
    uint8_t r = fz_u8(in);
    bb_tag(&c, 4, 0);
    bb_varint(&c, r == 255 ? 0xFFFFFFFFu : r == 254 ? 0x1FFFFFFFFull : r);
  }
  if (fl & 0x40) { /* an unknown field; UpdateParticipantRequest.permission */
    bb_tag(&c, kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST ? 4 : 9, 2);
    bb_varint(&c, 0);
  }
  if (kind != LKATTRS_UPDATE_SIGNAL_REQUEST) {
    if (fl & 8) bb_ld(&c, fmd, pick(in)); /* a second metadata: the last wins */
    span s = keep(c.p, c.n);
    free(c.p);
    return s;
  }
  if (fl & 0x10) { /* another arm first (ping) */
    bb_tag(&o, 14, 0);
    bb_varint(&o, 5);
  }
  if ((fl & 8) && split) {
    bb_ld(&o, 15, mk(c.p, split));
    bb_ld(&o, 15, mk(c.p + split, c.n - split));
  } else {
    bb_ld(&o, 15, mk(c.p, c.n));
  }
  if (fl & 0x20) { /* another arm last (ping_req): not an update */
    bb_tag(&o, 16, 2);
    bb_varint(&o, 0);
  }
  span s = keep(o.p, o.n);
  free(c.p);
  free(o.p);
  return s;
}

static span build_info(fuzz_in *in) {
  static const uint32_t vnos[8] = {3, 6, 7, 12, 13, 16, 18, 536870911};
  static const uint32_t lnos[8] = {1, 2, 4, 8, 11, 14, 17, 100};
  size_t n = fz_u8(in) % 16;
  bbuf b = {NULL, 0, 0};
  for (size_t i = 0; i < n; i++) {
    uint8_t t = fz_u8(in);
    kv e;
    switch (t % 10) {
      case 0:
      case 1:
      case 2:
      case 9:
        e.k = pick(in);
        e.v = t % 10 == 9 ? mk(NULL, 0) : pick(in);
        put_entry(&b, 15, e, (unsigned)t >> 4);
        break;
      case 3: bb_ld(&b, 5, pick(in)); break;
      case 4: bb_ld(&b, 9, pick(in)); break;
      case 5:
        bb_tag(&b, 10, 0);
        bb_varint(&b, (t & 0x10)   ? 0xFFFFFFFFu
                      : (t & 0x20) ? (uint64_t)1 << 32 | fz_u8(in)
                                   : fz_u8(in));
        break;
      case 6:
        bb_tag(&b, vnos[(t >> 4) & 7], 0);
        bb_varint(&b, fz_u8(in));
        break;
      case 7: bb_ld(&b, lnos[(t >> 4) & 7], pick(in)); break;
      default: {
        size_t k = (t & 0x10) ? 4 : 8;
        bb_tag(&b, (t & 0x10) ? 19 : 20, (t & 0x10) ? 5 : 1);
        for (size_t j = 0; j < k; j++) bb_u8(&b, fz_u8(in));
      }
    }
  }
  span s = keep(b.p, b.n);
  free(b.p);
  return s;
}

static span build_join_request(fuzz_in *in) {
  uint8_t fl = fz_u8(in);
  size_t n = fz_u8(in) % 10;
  bbuf b = {NULL, 0, 0};
  if (fl & 1) bb_ld(&b, 1, pick(in)); /* client_info: not read */
  if (fl & 2) bb_ld(&b, 3, pick(in)); /* metadata */
  for (size_t i = 0; i < n; i++) {
    kv e;
    e.k = pick(in);
    e.v = pick(in);
    put_entry(&b, 4, e, (fl & 0x80) ? (unsigned)(i + fl) : 0);
  }
  if (fl & 4) {
    bb_tag(&b, 7, 0);
    bb_varint(&b, 1);
  }
  span s = keep(b.p, b.n);
  free(b.p);
  return s;
}

/* ---- rules ---- */

static const lkattrs_limits unlimited = {0, 0, 0, 0, 0};

typedef struct {
  lkattrs_rules r;
  lkattrs_limits lim;
  bool null; /* pass NULL (LKATTRS_RULES_INIT) */
} rules_in;

static void read_rules(fuzz_in *in, rules_in *ri, uint8_t *rb) {
  static const lkattrs_rules init = LKATTRS_RULES_INIT;
  uint8_t r = fz_u8(in), l = fz_u8(in);
  *rb = r;
  memset(ri, 0, sizeof *ri);
  ri->r = init;
  ri->null = false;
  ri->r.origin = (lkattrs_origin)(r & 3);
  ri->r.can_update_metadata = (r & 4) != 0;
  ri->r.skip_namespace_rules = (r & 8) != 0;
  switch (r >> 6) {
    case 0: break; /* limits NULL: the defaults */
    case 1:
      ri->lim = unlimited;
      ri->r.limits = &ri->lim;
      ri->r.max_metadata_bytes = 0;
      break;
    case 2:
      ri->lim.max_key_bytes = l & 7u;
      ri->lim.max_value_bytes = (l >> 3) & 3u;
      ri->lim.max_update_bytes = l & 0x3Fu;
      ri->lim.max_map_bytes = (size_t)(l & 0x1Fu) * 3;
      ri->lim.max_entries = (l >> 2) & 7u;
      ri->r.limits = &ri->lim;
      ri->r.max_name_bytes = l & 3u;
      ri->r.max_metadata_bytes = (l >> 4) & 3u;
      break;
    default: ri->null = true;
  }
}

static const lkattrs_rules *rules_of(const rules_in *ri) { return ri->null ? NULL : &ri->r; }

static lkattrs_rules effective(const rules_in *ri, lkattrs_limits *lim) {
  static const lkattrs_rules init = LKATTRS_RULES_INIT;
  static const lkattrs_limits dl = LKATTRS_LIMITS_INIT;
  lkattrs_rules r = ri->null ? init : ri->r;
  *lim = r.limits ? *r.limits : dl;
  return r;
}

/* The entry rules of an update or a join: key, value, namespace. */
static lkattrs_status entry_rules(kv e, const lkattrs_limits *lim, const lkattrs_rules *r) {
  lkattrs_status st = lkattrs_validate_key((const char *)e.k.p, e.k.n, lim, NULL);
  if (!st) st = lkattrs_validate_value((const char *)e.v.p, e.v.n, lim, NULL);
  if (!st && !r->skip_namespace_rules)
    st = lkattrs_check_namespace(r->origin, (const char *)e.k.p, e.k.n);
  return st;
}

/* ---- apply ---- */

typedef struct {
  int err; /* 0: well-formed, 1: malformed, 2: not an update_metadata */
  span md, name;
  uint32_t rid;
  kv *e;
  span *pl; /* each entry's bytes, for the echo */
  size_t n, cap;
} upd;

static void upd_add(upd *u, kv e, span pl) {
  if (u->n == u->cap) {
    size_t c = u->cap ? u->cap * 2 : 16;
    kv *ne = realloc(u->e, c * sizeof *ne);
    FUZZ_CHECK(ne != NULL);
    u->e = ne;
    span *np = realloc(u->pl, c * sizeof *np);
    FUZZ_CHECK(np != NULL);
    u->pl = np;
    u->cap = c;
  }
  u->e[u->n] = e;
  u->pl[u->n] = pl;
  u->n++;
}

static void upd_free(upd *u) {
  free(u->e);
  free(u->pl);
  memset(u, 0, sizeof *u);
}

/* The fields of an UpdateParticipantMetadata (kinds 0, 1) or an
 * UpdateParticipantRequest (2) in b[s..e), added to u. */
static bool rd_upm(const unsigned char *b, size_t s, size_t e, lkattrs_update_kind kind, upd *u) {
  bool upr = kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST;
  uint32_t fmd = upr ? 3 : 1, fname = upr ? 5 : 2, fat = upr ? 6 : 3, frid = upr ? 0 : 4;
  size_t pos = s;
  pf f;
  int r;
  while ((r = rd_field(b, &pos, e, &f)) == 1) {
    if (f.no == fat) {
      kv x;
      if (f.wt != 2 || !rd_entry(b, f.data, f.end, &x)) return false;
      upd_add(u, x, mk(b + f.data, (size_t)f.v));
    } else if (f.no == fmd || f.no == fname) {
      if (f.wt != 2) return false;
      if (f.no == fmd) u->md = mk(b + f.data, (size_t)f.v);
      else u->name = mk(b + f.data, (size_t)f.v);
    } else if (frid && f.no == frid) {
      if (f.wt != 0) return false;
      u->rid = (uint32_t)f.v;
    }
  }
  return r == 0;
}

static bool is_arm(uint32_t no) {
#if STRICT_ONEOF
  return no >= 1 && no <= 23 && no != 9;
#else
  return no != 15;
#endif
}

static void parse_update(span m, lkattrs_update_kind kind, upd *u) {
  memset(u, 0, sizeof *u);
  u->md = u->name = mk(NULL, 0);
  if (kind != LKATTRS_UPDATE_SIGNAL_REQUEST) {
    if (!rd_upm(m.p, 0, m.n, kind, u)) u->err = 1;
    return;
  }
  /* SignalRequest: the arm is the last one; update_metadata is the merge
   * of its parts after the last other arm. */
  size_t pos = 0, from = 0;
  uint32_t arm = 0;
  pf f;
  int r;
  while ((r = rd_field(m.p, &pos, m.n, &f)) == 1) {
    if (f.no == 15) {
      if (f.wt != 2) break;
      arm = 15;
    } else if (is_arm(f.no)) {
      arm = f.no;
      from = f.end;
    }
  }
  if (r != 0) {
    u->err = 1;
    return;
  }
  if (arm != 15) {
    u->err = 2;
    return;
  }
  pos = from;
  while (rd_field(m.p, &pos, m.n, &f) == 1)
    if (f.no == 15 && !rd_upm(m.p, f.data, f.end, kind, u)) {
      u->err = 1;
      return;
    }
}

static void expect_apply(const side *s, const upd *u, const rules_in *ri, expect *x) {
  lkattrs_limits lim;
  lkattrs_rules r = effective(ri, &lim);
  const model *cur = &s->m;
  lkattrs_status st = LKATTRS_OK;
  x_init(x);
  if (u->err) {
    x_fail(x, u->err == 1 ? LKATTRS_E_WIRE_MALFORMED : LKATTRS_E_NOT_FOUND);
    return;
  }
  if (r.origin <= LKATTRS_ORIGIN_AGENT && !r.can_update_metadata) {
    st = LKATTRS_E_NOT_ALLOWED;
    x->msg = MSG_NOT_ALLOWED;
    goto refused;
  }
  for (int part = 0; part < 2; part++) {
    span t = part ? u->md : u->name;
    size_t max = part ? r.max_metadata_bytes : r.max_name_bytes;
    if ((st = lkattrs_validate_value((const char *)t.p, t.n, &unlimited, NULL)) != LKATTRS_OK)
      goto refused;
    if (max && t.n > max) {
      st = LKATTRS_E_TOO_LARGE;
      x->msg = part ? MSG_METADATA : MSG_NAME;
      goto refused;
    }
  }
  for (size_t i = 0; i < u->n; i++)
    if ((st = entry_rules(u->e[i], &lim, &r)) != LKATTRS_OK) {
      x->index = i;
      x->index_for = ST(st);
      goto refused;
    }
  {
    kv *srt = xmalloc(u->n * sizeof *srt), *res = xmalloc((u->n + cur->n) * sizeof *res);
    size_t k = sort_last(u->e, u->n, srt, false), ub = 0, n;
    for (size_t i = 0; i < k; i++) ub += srt[i].k.n + srt[i].v.n;
    n = merge_sorted(cur->a, cur->n, srt, k, res);
    if (lim.max_update_bytes && ub > lim.max_update_bytes) {
      st = LKATTRS_E_TOO_LARGE;
      x->msg = MSG_ATTRIBUTES;
    } else if (lim.max_map_bytes && m_live(res, n) > lim.max_map_bytes) {
      st = LKATTRS_E_TOO_LARGE;
      x->msg = MSG_ATTRIBUTES;
    } else if (lim.max_entries && n > lim.max_entries) {
      st = LKATTRS_E_TOO_MANY_ENTRIES;
    } else {
      x_attrs(x, cur, res, n);
    }
    free(srt);
    free(res);
    if (st) goto refused;
  }
  x->md_changed = u->md.n && !eq(u->md, cur->md);
  x->name_changed = u->name.n && !eq(u->name, cur->name);
  if (x->md_changed) x->next.md = u->md;
  if (x->name_changed) x->next.name = u->name;
  x->changed = x->nd || x->md_changed || x->name_changed;
  if (x->changed) x->next.version = cur->version + 1u;
  fixed_caps(s, x, true, u->n, x->changed);
  return;
refused:
  x_fail(x, st);
  fixed_caps(s, x, true, u->n, false);
}

static bool is_refusal(lkattrs_status st) {
  switch (st) {
    case LKATTRS_E_NOT_ALLOWED:
    case LKATTRS_E_RESERVED_NAME:
    case LKATTRS_E_KEY_EMPTY:
    case LKATTRS_E_KEY_TOO_LONG:
    case LKATTRS_E_VALUE_TOO_LONG:
    case LKATTRS_E_UTF8:
    case LKATTRS_E_NUL:
    case LKATTRS_E_CONTROL_CHAR:
    case LKATTRS_E_TOO_LARGE:
    case LKATTRS_E_TOO_MANY_ENTRIES:
    case LKATTRS_E_NOSPACE: return true;
    default: return false;
  }
}

/* A decoded RequestResponse. */
typedef struct {
  bool has_rid, has_reason, has_msg, has_echo;
  uint64_t rid, reason;
  span msg, echo;
} rresp;

static bool decode_resp(const unsigned char *b, size_t n, bool envelope, rresp *o) {
  size_t pos = 0, end = n;
  pf f;
  int r;
  memset(o, 0, sizeof *o);
  if (envelope) {
    if (rd_field(b, &pos, n, &f) != 1 || f.no != 22 || f.wt != 2 || f.end != n) return false;
    pos = f.data;
  }
  while ((r = rd_field(b, &pos, end, &f)) == 1) {
    bool *seen;
    switch (f.no) {
      case 1: seen = &o->has_rid; break;
      case 2: seen = &o->has_reason; break;
      case 3: seen = &o->has_msg; break;
      case 7: seen = &o->has_echo; break;
      default: return false;
    }
    if (*seen || f.wt != (f.no <= 2 ? 0u : 2u)) return false; /* each once */
    *seen = true;
    if (f.no == 1) o->rid = f.v;
    if (f.no == 2) o->reason = f.v;
    if (f.no == 3) o->msg = mk(b + f.data, (size_t)f.v);
    if (f.no == 7) o->echo = mk(b + f.data, (size_t)f.v);
  }
  /* zero and empty fields left out */
  return r == 0 && (!o->has_rid || o->rid) && (!o->has_reason || o->reason) &&
         (!o->has_msg || o->msg.n);
}

static void check_apply(const side *s, const expect *x, const upd *u, const rules_in *ri,
                        lkattrs_status st, const lkattrs_update_result *res,
                        const lkattrs_response_buf *rb, size_t ulen) {
  lkattrs_limits lim;
  lkattrs_rules r = effective(ri, &lim);
  bool refusal = is_refusal(st);
  bool want = rb && rb->data;
  FUZZ_CHECK(res->refused == refusal);
  if (st != LKATTRS_E_INVALID_ARGUMENT)
    FUZZ_CHECK(res->version == lkattrs_participant_version(s->p));
  if (st == LKATTRS_OK) {
    FUZZ_CHECK(res->changed == x->changed && res->attrs_changed == x->nd);
    FUZZ_CHECK(res->name_changed == x->name_changed && res->metadata_changed == x->md_changed);
    FUZZ_CHECK(res->reason == LKATTRS_REASON_OK);
    if (r.origin <= LKATTRS_ORIGIN_AGENT) FUZZ_CHECK(res->respond);
  } else {
    FUZZ_CHECK(!res->changed && !res->name_changed && !res->metadata_changed);
  }
  if (refusal) {
    FUZZ_CHECK(res->respond && res->reason == lkattrs_status_to_reason(st));
  }
  if (st == LKATTRS_OK || refusal) FUZZ_CHECK(res->request_id == u->rid);
  if (!want || !(st == LKATTRS_OK || refusal)) {
    /* no response: not wanted, or the message was dropped */
    FUZZ_CHECK(res->resp_len == 0 && !res->echo_dropped);
    return;
  }
  /* The response fits and decodes. */
  rresp d;
  if (trace) {
    fprintf(stderr, "  response (%zu bytes, echo %s):", res->resp_len,
            res->echo_dropped ? "dropped" : rb->echo ? "asked" : "not asked");
    for (size_t i = 0; i < res->resp_len; i++)
      fprintf(stderr, " %02x", ((const unsigned char *)rb->data)[i]);
    fprintf(stderr, "\n");
  }
  FUZZ_CHECK(res->resp_len <= rb->cap);
  FUZZ_CHECK(decode_resp(rb->data, res->resp_len, rb->envelope, &d));
  FUZZ_CHECK(d.has_rid == (u->rid != 0) && (!d.has_rid || d.rid == u->rid));
  int reason = st == LKATTRS_OK ? LKATTRS_REASON_OK : lkattrs_status_to_reason(st);
  FUZZ_CHECK(d.has_reason == (reason != 0) && (!d.has_reason || d.reason == (uint64_t)reason));
  if (st == LKATTRS_OK) {
    FUZZ_CHECK(!d.has_msg);
  } else {
    FUZZ_CHECK(d.has_msg);
    const char *m = st == LKATTRS_E_NOT_ALLOWED ? MSG_NOT_ALLOWED : st == x->first ? x->msg : NULL;
    if (m) FUZZ_CHECK(eq_text(d.msg, m, strlen(m)));
  }
  if (rb->echo && !res->echo_dropped) {
    /* the request: its name, metadata, entries and request_id (the
     * encoding is the library's: the message itself, or rebuilt) */
    upd back;
    FUZZ_CHECK(d.has_echo);
    parse_update(d.echo, LKATTRS_UPDATE_PARTICIPANT_METADATA, &back);
    FUZZ_CHECK(!back.err && eq(back.md, u->md) && eq(back.name, u->name) && back.rid == u->rid);
    FUZZ_CHECK(back.n == u->n);
    for (size_t i = 0; i < u->n; i++)
      FUZZ_CHECK(eq(back.e[i].k, u->e[i].k) && eq(back.e[i].v, u->e[i].v));
    upd_free(&back);
  } else {
    FUZZ_CHECK(!d.has_echo);
  }
  if (res->echo_dropped) { /* only when asked; never in a buffer of the maximum */
    FUZZ_CHECK(rb->echo);
    FUZZ_CHECK(rb->cap < lkattrs_response_max_bytes(ulen));
  }
}

/* The arguments of an apply, kept for a repeat. */
typedef struct {
  bool set;
  lkattrs_update_kind kind;
  rules_in ri;
  uint8_t rb, pb; /* rules byte (echo, envelope), response byte */
  span u;
  bool null_detail;
} apply_args;

static void run_apply(side *sides, const apply_args *a, unsigned fail, bool repeat) {
  upd u;
  rules_in ri = a->ri;
  if (ri.r.limits) ri.r.limits = &ri.lim;
  parse_update(a->u, a->kind, &u);
  for (int k = 0; k < 2; k++) {
    side *s = &sides[k];
    expect x;
    lkattrs_update_result res;
    lkattrs_error_detail det;
    lkattrs_response_buf rb = {NULL, 0, (a->rb & 0x10) != 0, (a->rb & 0x20) != 0};
    bool no_resp = false, idem = repeat && s->apply_ok;
    size_t cap = 0;
    switch (a->pb & 3u) {
      case 0:
        cap = lkattrs_response_max_bytes(a->u.n);
        FUZZ_CHECK(cap == LKATTRS_RESPONSE_MAX_BYTES(a->u.n));
        break;
      case 1: cap = LKATTRS_RESPONSE_MIN_BYTES; break;
      case 2: cap = LKATTRS_RESPONSE_MIN_BYTES - 1 + (size_t)(a->pb >> 2) * 3; break;
      default: no_resp = (a->pb & 4) != 0; break;
    }
    if (cap) {
      rb.data = xmalloc(cap);
      rb.cap = cap;
    }
    expect_apply(s, &u, &ri, &x);
    if (cap && cap < LKATTRS_RESPONSE_MIN_BYTES) x_fail(&x, LKATTRS_E_INVALID_ARGUMENT);
    if (idem) FUZZ_CHECK(x.allowed == ST(LKATTRS_OK) && !x.changed);
    begin(s, repeat ? 0 : fail);
    lkattrs_status st =
        lkattrs_participant_apply(s->p, a->u.n ? a->u.p : NULL, a->u.n, a->kind, rules_of(&ri),
                                  no_resp ? NULL : &rb, &res, a->null_detail ? NULL : &det);
    if (idem) FUZZ_CHECK(allocs == 0); /* the working size is reached */
    settle(s, &x, st, a->null_detail ? NULL : &det);
    check_apply(s, &x, &u, &ri, st, &res, no_resp ? NULL : &rb, a->u.n);
    s->apply_ok = st == LKATTRS_OK;
    free(rb.data);
    x_free(&x);
  }
  upd_free(&u);
}

/* ---- load, set_fields ---- */

static void expect_load(const side *s, span m, expect *x) {
  const model *cur = &s->m;
  model nx;
  size_t pos = 0, nent = 0;
  span *pl = xmalloc((m.n / 2 + 1) * sizeof *pl);
  kv *e = NULL;
  pf f;
  int r;
  x_init(x);
  m_init(&nx);
  while ((r = rd_field(m.p, &pos, m.n, &f)) == 1) {
    if (f.no == 5 || f.no == 9 || f.no == 15) {
      if (f.wt != 2) break;
      if (f.no == 5) nx.md = mk(m.p + f.data, (size_t)f.v);
      else if (f.no == 9) nx.name = mk(m.p + f.data, (size_t)f.v);
      else pl[nent++] = mk(m.p + f.data, (size_t)f.v);
    } else if (f.no == 10) {
      if (f.wt != 0) break;
      nx.version = (uint32_t)f.v;
    } else {
      m_add_other(&nx, mk(m.p + f.start, f.end - f.start), f.no);
    }
  }
  if (r != 0) {
    x_fail(x, LKATTRS_E_WIRE_MALFORMED);
  } else {
    e = xmalloc(nent * sizeof *e);
    for (size_t i = 0; i < nent && !x->allowed; i++) {
      uint64_t mask = 0;
      if (!rd_entry(pl[i].p, 0, pl[i].n, &e[i])) {
        mask = WIRE_ERRS;
        x->first = LKATTRS_E_WIRE_MALFORMED;
      } else {
        lkattrs_status ks =
            lkattrs_validate_key((const char *)e[i].k.p, e[i].k.n, &unlimited, NULL);
        lkattrs_status vs =
            lkattrs_validate_value((const char *)e[i].v.p, e[i].v.n, &unlimited, NULL);
        if (ks) mask |= ST(ks);
        if (vs) mask |= ST(vs);
        x->first = ks ? ks : vs;
      }
      if (mask) { /* the first bad entry: any of its faults */
        x->allowed = x->index_for = mask;
        x->index = i;
      }
    }
    if (!x->allowed) {
      kv *a = xmalloc(nent * sizeof *a);
      size_t n = sort_last(e, nent, a, true);
      x_attrs(x, cur, a, n); /* the diff from cur */
      m_set_attrs(&nx, a, n);
      m_copy(&x->next, &nx);
      free(a);
    }
    fixed_caps(s, x, true, nent, true);
  }
  free(e);
  m_free(&nx);
  free(pl);
}

static void expect_set_fields(const side *s, span m, expect *x) {
  const model *cur = &s->m;
  size_t pos = 0;
  uint32_t v = 0;
  pf f;
  int r;
  x_init(x);
  m_copy(&x->next, cur);
  m_clear_other(&x->next);
  x->next.md = x->next.name = mk(NULL, 0);
  while ((r = rd_field(m.p, &pos, m.n, &f)) == 1) {
    if (f.no == 5 || f.no == 9 || f.no == 15) {
      if (f.wt != 2) break;
      if (f.no == 5) x->next.md = mk(m.p + f.data, (size_t)f.v);
      if (f.no == 9) x->next.name = mk(m.p + f.data, (size_t)f.v);
    } else if (f.no == 10) {
      if (f.wt != 0) break;
      v = (uint32_t)f.v;
    } else {
      m_add_other(&x->next, mk(m.p + f.start, f.end - f.start), f.no);
    }
  }
  if (r != 0) {
    x_fail(x, LKATTRS_E_WIRE_MALFORMED);
    return;
  }
  x->next.version = v > cur->version ? v : cur->version + 1u;
  x->first = LKATTRS_OK;
  x->allowed = ST(LKATTRS_OK);
  fixed_caps(s, x, false, 0, true);
}

static void run_info_op(side *sides, span m, bool set, unsigned fail, bool null_detail) {
  for (int k = 0; k < 2; k++) {
    side *s = &sides[k];
    expect x;
    lkattrs_error_detail det;
    lkattrs_error_detail *dp = null_detail ? NULL : &det;
    if (set) expect_set_fields(s, m, &x);
    else expect_load(s, m, &x);
    begin(s, fail);
    const void *p = m.n || !null_detail ? m.p : NULL;
    lkattrs_status st = set ? lkattrs_participant_set_fields(s->p, p, m.n, dp)
                            : lkattrs_participant_load(s->p, p, m.n, dp);
    settle(s, &x, st, dp);
    x_free(&x);
  }
}

/* The state's own bytes, loaded again or given as its fields. */
static void run_own(side *sides, bool set) {
  for (int k = 0; k < 2; k++) {
    side *s = &sides[k];
    size_t len;
    const unsigned char *b = lkattrs_participant_bytes(s->p, LKATTRS_VIEW_PARTICIPANT_INFO, &len);
    span m = keep(b, len);
    expect x;
    lkattrs_error_detail det;
    if (set) expect_set_fields(s, m, &x);
    else expect_load(s, m, &x);
    if (!set && !(x.allowed & ST(LKATTRS_E_NOSPACE)))
      FUZZ_CHECK(x.allowed == ST(LKATTRS_OK) && x.nd == 0); /* the model agrees */
    begin(s, 0);
    lkattrs_status st = set ? lkattrs_participant_set_fields(s->p, m.p, m.n, &det)
                            : lkattrs_participant_load(s->p, m.p, m.n, &det);
    settle(s, &x, st, &det);
    x_free(&x);
  }
}

/* ---- join ---- */

static void expect_join(const side *s, const kv *tok, size_t tc, const kv *jn, size_t jc,
                        int jerr, size_t raw, const rules_in *ri, expect *x) {
  lkattrs_limits lim;
  lkattrs_rules r = effective(ri, &lim);
  const model *cur = &s->m;
  lkattrs_status st = LKATTRS_OK;
  x_init(x);
  if (jerr) {
    x_fail(x, LKATTRS_E_WIRE_MALFORMED);
    fixed_caps(s, x, jerr == 2, tc + raw, false);
    return;
  }
  if (jc && r.origin <= LKATTRS_ORIGIN_AGENT && !r.can_update_metadata) {
    st = LKATTRS_E_NOT_ALLOWED;
    goto refused;
  }
  for (size_t i = 0; i < tc + jc; i++) {
    if (i < tc) {
      st = lkattrs_validate_key((const char *)tok[i].k.p, tok[i].k.n, &unlimited, NULL);
      if (!st) st = lkattrs_validate_value((const char *)tok[i].v.p, tok[i].v.n, &unlimited, NULL);
    } else {
      st = entry_rules(jn[i - tc], &lim, &r);
    }
    if (st) {
      x->index = i;
      x->index_for = ST(st);
      goto refused;
    }
  }
  {
    kv *a = xmalloc(tc * sizeof *a), *b = xmalloc(jc * sizeof *b);
    kv *res = xmalloc((tc + jc) * sizeof *res);
    size_t na = sort_last(tok, tc, a, true), nb = sort_last(jn, jc, b, true);
    size_t n = merge_sorted(a, na, b, nb, res);
    if (lim.max_map_bytes && m_live(res, n) > lim.max_map_bytes) st = LKATTRS_E_TOO_LARGE;
    else if (lim.max_entries && n > lim.max_entries) st = LKATTRS_E_TOO_MANY_ENTRIES;
    else x_attrs(x, cur, res, n);
    free(a);
    free(b);
    free(res);
    if (st) goto refused;
  }
  if (x->nd) x->next.version = cur->version + 1u;
  fixed_caps(s, x, true, tc + jc, x->nd != 0);
  return;
refused:
  x_fail(x, st);
  fixed_caps(s, x, true, tc + jc, false);
}

/* JoinRequest.participant_attributes (4), *raw of them; returns 1 for a
 * malformed message, 2 for a malformed entry. */
static int parse_join_request(span m, upd *u, size_t *raw) {
  size_t pos = 0;
  pf f;
  int r;
  memset(u, 0, sizeof *u);
  *raw = 0;
  while ((r = rd_field(m.p, &pos, m.n, &f)) == 1) {
    if (f.no == 4 && f.wt != 2) return 1;
    if (f.no == 4) ++*raw;
  }
  if (r != 0) return 1;
  pos = 0;
  while (rd_field(m.p, &pos, m.n, &f) == 1)
    if (f.no == 4) {
      kv e;
      if (!rd_entry(m.p, f.data, f.end, &e)) return 2;
      upd_add(u, e, mk(NULL, 0));
    }
  return 0;
}

static void run_join(fuzz_in *in, side *sides, unsigned op, unsigned fail) {
  kv tok[8], jn[16];
  rules_in ri;
  uint8_t rb;
  upd u;
  span req = mk(NULL, 0);
  size_t jc = 0, raw = 0;
  int jerr = 0;
  bool request = (op & 7u) == 6, null_detail = (op & 0x10) != 0;
  read_rules(in, &ri, &rb);
  size_t tc = pick_list(in, tok, 8);
  memset(&u, 0, sizeof u);
  if (request) {
    req = (op & 8) ? build_join_request(in) : raw_bytes(in);
    jerr = parse_join_request(req, &u, &raw);
  } else {
    jc = pick_list(in, jn, 16);
  }
  lkattrs_entry te[8], je[16];
  for (size_t i = 0; i < tc; i++) te[i] = to_entry(tok[i]);
  for (size_t i = 0; i < jc; i++) je[i] = to_entry(jn[i]);
  for (int k = 0; k < 2; k++) {
    side *s = &sides[k];
    expect x;
    lkattrs_error_detail det;
    lkattrs_error_detail *dp = null_detail ? NULL : &det;
    lkattrs_status st;
    if (request) expect_join(s, tok, tc, u.e, u.n, jerr, raw, &ri, &x);
    else expect_join(s, tok, tc, jn, jc, 0, jc, &ri, &x);
    begin(s, fail);
    if (request)
      st = lkattrs_participant_join_request(s->p, tc ? te : NULL, tc, req.n ? req.p : NULL, req.n,
                                            rules_of(&ri), dp);
    else
      st = lkattrs_participant_join(s->p, tc ? te : NULL, tc, jc ? je : NULL, jc, rules_of(&ri),
                                    dp);
    settle(s, &x, st, dp);
    x_free(&x);
  }
  upd_free(&u);
}

/* ---- lkattrs_write_response ---- */

static void run_write_response(fuzz_in *in) {
  uint32_t rid = (uint32_t)fz_u16(in) << 16 | fz_u16(in);
  int reason = (int)fz_u8(in) - 2;
  size_t ml;
  const char *msg = fz_bytes(in, 300, &ml);
  uint8_t fl = fz_u8(in);
  bool env = (fl & 1) != 0;
  size_t cap = fz_u16(in) % 400, written = 12345;
  unsigned char *out = cap ? xmalloc(cap) : NULL;
  lkattrs_status st =
      lkattrs_write_response(rid, reason, ml || !(fl & 2) ? msg : NULL, ml, env, out, cap,
                             &written);
  if (reason < 0) {
    FUZZ_CHECK(st == LKATTRS_E_INVALID_ARGUMENT && written == 0);
    free(out);
    return;
  }
  size_t body = (rid ? 1 + vlen(rid) : 0) + (reason ? 1 + vlen((uint64_t)reason) : 0) +
                (ml ? ldlen(3, ml) : 0);
  size_t total = env ? ldlen(22, body) : body;
  FUZZ_CHECK(written == total);
  if (total > cap) {
    FUZZ_CHECK(st == LKATTRS_E_BUFFER_TOO_SMALL);
  } else {
    rresp d;
    FUZZ_CHECK(st == LKATTRS_OK);
    FUZZ_CHECK(decode_resp(out, total, env, &d));
    FUZZ_CHECK(d.has_rid == (rid != 0) && (!rid || d.rid == rid));
    FUZZ_CHECK(d.has_reason == (reason != 0) && (!reason || d.reason == (uint64_t)reason));
    FUZZ_CHECK(!d.has_echo && eq_text(d.msg, msg, ml));
  }
  free(out);
}

/* Calls with bad arguments: INVALID_ARGUMENT, the state as it was, no
 * change listed. */
static void check_bad_arguments(side *s) {
  static const lkattrs_entry one = {"k", 1, "v", 1};
  lkattrs_rules bad = LKATTRS_RULES_INIT;
  lkattrs_update_result res;
  lkattrs_error_detail det;
  lkattrs_entry e;
  lkattrs_change c;
  unsigned char small[8];
  lkattrs_response_buf rb = {small, sizeof small, true, false};
  bad.origin = (lkattrs_origin)7;
  begin(s, 0);
#define BAD(call)                                                   \
  do {                                                              \
    FUZZ_CHECK((call) == LKATTRS_E_INVALID_ARGUMENT);               \
    FUZZ_CHECK(lkattrs_participant_changes(s->p) == 0);             \
  } while (0)
  BAD(lkattrs_participant_load(s->p, NULL, 3, &det));
  BAD(lkattrs_participant_set_fields(s->p, NULL, 3, &det));
  BAD(lkattrs_participant_join(s->p, NULL, 1, NULL, 0, NULL, &det));
  BAD(lkattrs_participant_join(s->p, &one, 1, NULL, 1, NULL, &det));
  BAD(lkattrs_participant_join(s->p, NULL, 0, &one, 1, &bad, &det));
  BAD(lkattrs_participant_join_request(s->p, NULL, 1, NULL, 0, NULL, &det));
  BAD(lkattrs_participant_join_request(s->p, NULL, 0, NULL, 2, NULL, &det));
  BAD(lkattrs_participant_join_request(s->p, NULL, 0, NULL, 0, &bad, &det));
  BAD(lkattrs_participant_apply(s->p, NULL, 2, LKATTRS_UPDATE_SIGNAL_REQUEST, NULL, NULL, &res,
                                &det));
  BAD(lkattrs_participant_apply(s->p, "", 0, (lkattrs_update_kind)3, NULL, NULL, &res, &det));
  BAD(lkattrs_participant_apply(s->p, "", 0, LKATTRS_UPDATE_SIGNAL_REQUEST, &bad, NULL, &res,
                                &det));
  BAD(lkattrs_participant_apply(s->p, "", 0, LKATTRS_UPDATE_SIGNAL_REQUEST, NULL, &rb, &res,
                                &det));
  FUZZ_CHECK(res.resp_len == 0);
  BAD(lkattrs_participant_apply(s->p, "", 0, LKATTRS_UPDATE_SIGNAL_REQUEST, NULL, NULL, NULL,
                                &det));
  BAD(lkattrs_participant_get(s->p, NULL, 1, NULL, NULL));
  BAD(lkattrs_participant_at(s->p, 0, NULL));
  BAD(lkattrs_participant_change_at(s->p, 0, NULL));
#undef BAD
  FUZZ_CHECK(lkattrs_participant_get(NULL, "k", 1, NULL, NULL) == LKATTRS_E_INVALID_ARGUMENT);
  FUZZ_CHECK(lkattrs_participant_at(NULL, 0, &e) == LKATTRS_E_INVALID_ARGUMENT);
  FUZZ_CHECK(lkattrs_participant_change_at(NULL, 0, &c) == LKATTRS_E_INVALID_ARGUMENT);
  FUZZ_CHECK(lkattrs_participant_count(NULL) == 0 && lkattrs_participant_version(NULL) == 0);
  FUZZ_CHECK(lkattrs_participant_attrs_bytes(NULL) == 0 && lkattrs_participant_changes(NULL) == 0);
  size_t len;
  const unsigned char *b = lkattrs_participant_bytes(s->p, LKATTRS_VIEW_PARTICIPANT_INFO, &len);
  FUZZ_CHECK(len == s->snap.n && (len == 0 || memcmp(b, s->snap.p, len) == 0));
  check_state(s);
}

/* ---- the run ---- */

/* The fixed state's capacities: small, so that NOSPACE is reached. */
static const lkattrs_participant_caps presets[4] = {
    {64, 4, 0}, {256, 8, 16}, {1024, 32, 8}, {4096, 200, 400}};
#define STORE_BYTES (LKATTRS_PARTICIPANT_FIXED_BYTES(4096, 200, 400) + 8)
static unsigned char store[STORE_BYTES];

static void init_sides(side *sides, uint8_t cfg) {
  const lkattrs_participant_caps *caps = &presets[cfg & 3];
  size_t upd_cap = caps->max_update_entries ? caps->max_update_entries : caps->max_entries;
  size_t need = LKATTRS_PARTICIPANT_FIXED_BYTES(caps->max_info_bytes, caps->max_entries, upd_cap);
  unsigned char *at = store + ((cfg >> 2) & 7u); /* any alignment */
  lkattrs_participant *p = (lkattrs_participant *)(void *)store;
  memset(sides, 0, 2 * sizeof *sides);
  for (int k = 0; k < 2; k++) m_init(&sides[k].m);
  sides[0].name = "heap state";
  if (cfg & 0x20) /* each allocation of the constructor failing: NOMEM, nothing kept */
    for (long k = 0; k < 3; k++) {
      fail_at = k;
      failed = false;
      lkattrs_status st = lkattrs_participant_new(&talc, &sides[0].p);
      FUZZ_CHECK(failed ? st == LKATTRS_E_NOMEM : st == LKATTRS_OK);
      if (st == LKATTRS_OK) lkattrs_participant_free(sides[0].p);
      FUZZ_CHECK(nblocks == 0);
    }
  fail_at = -1;
  FUZZ_CHECK(lkattrs_participant_new(&talc, &sides[0].p) == LKATTRS_OK);
  sides[1].name = "fixed state";
  sides[1].fixed = true;
  sides[1].max_info = caps->max_info_bytes;
  sides[1].max_entries = caps->max_entries;
  sides[1].upd_cap = upd_cap;
  FUZZ_CHECK(need <= STORE_BYTES - 8);
  FUZZ_CHECK(lkattrs_participant_init_fixed(at, need - 1, caps, &p) == LKATTRS_E_NOSPACE);
  FUZZ_CHECK(lkattrs_participant_init_fixed(at, need, NULL, &p) == LKATTRS_E_INVALID_ARGUMENT);
  FUZZ_CHECK(lkattrs_participant_init_fixed(NULL, need, caps, &p) == LKATTRS_E_INVALID_ARGUMENT);
  if ((size_t)-1 > 0xFFFFFFFFu) { /* max_info_bytes must be below 4 GiB */
    lkattrs_participant_caps big = *caps;
    big.max_info_bytes = (size_t)0xFFFFFFFFu + 1;
    FUZZ_CHECK(lkattrs_participant_init_fixed(store, STORE_BYTES, &big, &p) ==
               LKATTRS_E_INVALID_ARGUMENT);
  }
  FUZZ_CHECK(lkattrs_participant_init_fixed(at, need, caps, &sides[1].p) == LKATTRS_OK);
  for (int k = 0; k < 2; k++) {
    check_state(&sides[k]);
    FUZZ_CHECK(lkattrs_participant_changes(sides[k].p) == 0);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  side sides[2];
  apply_args last;
  static int env = -1;
  if (env < 0) env = getenv("FUZZ_TRACE") != NULL;
  trace = env != 0;
  memset(long_text, 'x', sizeof long_text);
  memset(&last, 0, sizeof last);
  uint8_t cfg = fz_u8(&in);
  bool failures = (cfg & 0x20) != 0;
  init_sides(sides, cfg);
  FUZZ_CHECK(lkattrs_response_max_bytes((size_t)-1) == (size_t)-1);

  op_no = 0;
  run_info_op(sides, raw_bytes(&in), false, 0, false); /* the initial ParticipantInfo */
  while (in.n && op_no < MAX_OPS) {
    unsigned op = fz_u8(&in), fail = failures ? op >> 5 : 0;
    op_no++;
    switch (op & 7u) {
      case 0:
      case 1:
      case 2: {
        apply_args a;
        memset(&a, 0, sizeof a);
        a.set = true;
        a.kind = (lkattrs_update_kind)(op & 3u);
        read_rules(&in, &a.ri, &a.rb);
        a.pb = fz_u8(&in);
        a.u = (op & 8) ? build_update(&in, a.kind) : raw_bytes(&in);
        a.null_detail = (op & 0x10) != 0;
        last = a;
        run_apply(sides, &a, fail, false);
        break;
      }
      case 3:
      case 4:
        run_info_op(sides, (op & 8) ? build_info(&in) : raw_bytes(&in), (op & 7u) == 4, fail,
                    (op & 0x10) != 0);
        break;
      case 5:
      case 6: run_join(&in, sides, op, fail); break;
      default:
        switch ((op >> 3) & 3u) {
          case 0:
            if (last.set) run_apply(sides, &last, 0, true);
            break;
          case 1: run_write_response(&in); break;
          case 2: run_own(sides, false); break;
          default: run_own(sides, true); break;
        }
    }
  }

  for (int k = 0; k < 2; k++) check_bad_arguments(&sides[k]);
  lkattrs_participant_free(sides[0].p);
  FUZZ_CHECK(nblocks == 0); /* every block freed, with its size */
  lkattrs_participant_free(sides[1].p); /* abandoned: the storage is ours */
  for (int k = 0; k < 2; k++) {
    m_free(&sides[k].m);
    free(sides[k].snap.p);
    free(sides[k].enc.p);
  }
  keep_free();
  return 0;
}
