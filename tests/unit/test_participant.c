/* test_participant.c - the participant state (lkattrs/participant.h):
 * creation, views, load, set_fields, join, join_request, apply (the three
 * update kinds, rules, limits, responses), the change list, fixed
 * capacities, atomicity, allocation failures, and a property test against
 * an independent model (participant_model.h) on heap and fixed states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counting_alloc.h"
#include "participant_model.h"
#include "pb_build.h"
#include "test_util.h"

/* ---- shared buffers (allocated once: pbuf is 128 KiB) ---- */

typedef struct {
  pbuf in, upd, exp, exp2, tmp, echo;
  pmodel m, m_old;
  unsigned char resp[1 << 17];
  pm_change chg[2 * PM_MAX];
} bufs_t;

static bufs_t *B;

static int setup(void **state) {
  (void)state;
  B = calloc(1, sizeof *B);
  return B ? 0 : -1;
}
static int teardown(void **state) {
  (void)state;
  free(B);
  return 0;
}

/* ---- helpers ---- */

static lkattrs_participant *heap_state(void) {
  lkattrs_participant *p = NULL;
  assert_int_equal(lkattrs_participant_new(NULL, &p), LKATTRS_OK);
  assert_non_null(p);
  return p;
}

/* A fixed state in `storage` (at least FIXED_BYTES for caps). */
static lkattrs_participant *fixed_state(void *storage, size_t bytes, size_t info,
                                        size_t entries, size_t upd) {
  lkattrs_participant_caps caps = {info, entries, upd};
  lkattrs_participant *p = NULL;
  assert_int_equal(lkattrs_participant_init_fixed(storage, bytes, &caps, &p), LKATTRS_OK);
  assert_non_null(p);
  return p;
}

/* The bare ParticipantInfo bytes. */
static const unsigned char *info_bytes(const lkattrs_participant *p, size_t *n) {
  const unsigned char *b = lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_INFO, n);
  assert_non_null(b);
  return b;
}

/* Assertions reported at the caller's line (helpers take file, line). */
#define AI(a, b)                                                           \
  _assert_int_equal(cast_to_largest_integral_type(a),                      \
                    cast_to_largest_integral_type(b), file, line)
#define AM(a, b, n) _assert_memory_equal((a), (b), (n), file, line)
#define AT(c) _assert_true(cast_to_largest_integral_type(c), #c, file, line)
#define AT_LINE const char *file, int line

static void assert_bytes_(const lkattrs_participant *p, const pbuf *want, AT_LINE) {
  size_t n = 0;
  const unsigned char *b = lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_INFO, &n);
  AT(b != NULL);
  AI(n, want->n);
  if (n) AM(b, want->b, n);
}
#define assert_bytes(p, want) assert_bytes_((p), (want), __FILE__, __LINE__)

/* A copy of everything observable about a state. */
typedef struct {
  unsigned char *b;
  size_t n, count, attrs;
  uint32_t version;
} snap;

static snap snap_take(const lkattrs_participant *p) {
  snap s;
  const unsigned char *b = info_bytes(p, &s.n);
  s.b = malloc(s.n + 1);
  assert_non_null(s.b);
  if (s.n) memcpy(s.b, b, s.n);
  s.count = lkattrs_participant_count(p);
  s.attrs = lkattrs_participant_attrs_bytes(p);
  s.version = lkattrs_participant_version(p);
  return s;
}

/* The state is exactly as in s (then s is released). */
static void snap_check_(const lkattrs_participant *p, snap *s, AT_LINE) {
  size_t n = 0;
  const unsigned char *b = lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_INFO, &n);
  AT(b != NULL);
  AI(n, s->n);
  if (n) AM(b, s->b, n);
  AI(lkattrs_participant_count(p), s->count);
  AI(lkattrs_participant_attrs_bytes(p), s->attrs);
  AI(lkattrs_participant_version(p), s->version);
  free(s->b);
  s->b = NULL;
}
#define snap_check(p, s) snap_check_((p), (s), __FILE__, __LINE__)

/* The state equals the model: bytes (the model's own canonical encoding),
 * count, attrs_bytes, version, every entry by index and by key. */
static void check_model_(const lkattrs_participant *p, const pmodel *m, AT_LINE) {
  pm_encode(m, &B->exp);
  assert_bytes_(p, &B->exp, file, line);
  AI(lkattrs_participant_count(p), m->n);
  AI(lkattrs_participant_attrs_bytes(p), pm_attrs_bytes(m));
  AI(lkattrs_participant_version(p), m->version);
  for (size_t i = 0; i < m->n; i++) {
    lkattrs_entry e;
    const char *v = NULL;
    size_t vl = 0;
    AI(lkattrs_participant_at(p, i, &e), LKATTRS_OK);
    AI(e.key_len, m->it[i].kl);
    AM(e.key, m->it[i].k, e.key_len);
    AI(e.value_len, m->it[i].vl);
    AM(e.value, m->it[i].v, e.value_len);
    AI(lkattrs_participant_get(p, m->it[i].k, m->it[i].kl, &v, &vl), LKATTRS_OK);
    AI(vl, m->it[i].vl);
    AM(v, m->it[i].v, vl);
  }
  lkattrs_entry e;
  AI(lkattrs_participant_at(p, m->n, &e), LKATTRS_E_NOT_FOUND);
}
#define check_model(p, m) check_model_((p), (m), __FILE__, __LINE__)

/* The change list equals the model's diff from a to b. */
static void check_changes_(const lkattrs_participant *p, const pmodel *a, const pmodel *b,
                           AT_LINE) {
  size_t n = pm_diff(a, b, B->chg);
  AI(lkattrs_participant_changes(p), n);
  for (size_t i = 0; i < n; i++) {
    lkattrs_change c;
    const pm_change *w = &B->chg[i];
    AI(lkattrs_participant_change_at(p, i, &c), LKATTRS_OK);
    AI(c.key_len, w->kl);
    AM(c.key, w->k, w->kl);
    AI(c.had_old, w->had_old);
    AI(c.has_new, w->has_new);
    AI(c.old_len, w->ol);
    if (w->ol) AM(c.old_value, w->ov, w->ol);
    AI(c.new_len, w->nl);
    if (w->nl) AM(c.new_value, w->nv, w->nl);
    AT(c.old_value != NULL);
    AT(c.new_value != NULL);
  }
  lkattrs_change c;
  AI(lkattrs_participant_change_at(p, n, &c), LKATTRS_E_NOT_FOUND);
}
#define check_changes(p, a, b) check_changes_((p), (a), (b), __FILE__, __LINE__)

/* Model shortcuts. */
static void mset(pmodel *m, const char *k, const char *v) { pm_set(m, k, strlen(k), v, strlen(v)); }
static void mname(pmodel *m, const char *s) { pm_set_text(m->name, &m->name_len, s, strlen(s)); }
static void mmd(pmodel *m, const char *s) { pm_set_text(m->md, &m->md_len, s, strlen(s)); }
/* Append an encoded field to the model's segment for its number. */
static void mseg_str(pmodel *m, uint32_t no, const char *s) {
  pbuf *t = &B->tmp;
  t->n = 0;
  pb_str(t, no, s);
  pm_seg_add(m, pm_seg_of(no), t->b, t->n);
}
static void mseg_uint(pmodel *m, uint32_t no, uint64_t v) {
  pbuf *t = &B->tmp;
  t->n = 0;
  pb_uint(t, no, v);
  pm_seg_add(m, pm_seg_of(no), t->b, t->n);
}

/* The typical other fields of a ParticipantInfo, into both the message
 * (in field order, as LiveKit writes it, without 5/9/10/15) and the model. */
static void typical_fields(pbuf *msg, pmodel *m, int seg) {
  if (seg == PM_SEG0) {
    pb_str(msg, 1, "PA_abcdefghijkl");
    pb_str(msg, 2, "alice");
    pb_uint(msg, 3, 2);
    if (m) mseg_str(m, 1, "PA_abcdefghijkl"), mseg_str(m, 2, "alice"), mseg_uint(m, 3, 2);
  } else if (seg == PM_SEG1) {
    pb_uint(msg, 6, 1700000000);
    if (m) mseg_uint(m, 6, 1700000000);
  } else if (seg == PM_SEG2) {
    pb_str(msg, 12, "eu-west");
    if (m) mseg_str(m, 12, "eu-west");
  } else {
    pb_uint(msg, 20, UINT64_MAX); /* client_protocol = -1: 10 bytes */
    if (m) mseg_uint(m, 20, UINT64_MAX);
  }
}

/* ---- creation, empty state, views ---- */

static void test_create(void **state) {
  (void)state;
  lkattrs_participant *p = (lkattrs_participant *)&p, *q;
  lkattrs_participant_caps caps = {256, 8, 0};
  size_t need = LKATTRS_PARTICIPANT_FIXED_BYTES(256, 8, 8);
  unsigned char *storage = malloc(need + 16);
  assert_non_null(storage);

  /* Arguments. */
  assert_int_equal(lkattrs_participant_init_fixed(NULL, need, &caps, &p),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_null(p);
  assert_int_equal(lkattrs_participant_init_fixed(storage, need, NULL, &p),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_init_fixed(storage, need, &caps, NULL),
                   LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_participant_caps huge = {SIZE_MAX, 8, 0};
  assert_int_equal(lkattrs_participant_init_fixed(storage, need, &huge, &p),
                   LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_participant_caps huge2 = {256, SIZE_MAX / 2, 0};
  assert_int_equal(lkattrs_participant_init_fixed(storage, need, &huge2, &p),
                   LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_participant_caps huge3 = {256, 8, SIZE_MAX / 2};
  assert_int_equal(lkattrs_participant_init_fixed(storage, need, &huge3, &p),
                   LKATTRS_E_INVALID_ARGUMENT);
  /* Too small by one byte: NOSPACE.  Exactly the size: OK at any
   * alignment. */
  assert_int_equal(lkattrs_participant_init_fixed(storage, need - 1, &caps, &p),
                   LKATTRS_E_NOSPACE);
  assert_null(p);
  for (size_t shift = 0; shift < 16; shift++) {
    p = NULL;
    assert_int_equal(lkattrs_participant_init_fixed(storage + shift, need, &caps, &p),
                     LKATTRS_OK);
    assert_non_null(p);
    assert_true((unsigned char *)p >= storage + shift &&
                (unsigned char *)p < storage + shift + need);
    assert_int_equal(lkattrs_participant_count(p), 0);
    assert_int_equal(lkattrs_participant_version(p), 0);
    assert_int_equal(lkattrs_participant_attrs_bytes(p), 0);
    assert_int_equal(lkattrs_participant_changes(p), 0);
    size_t n = 99;
    assert_non_null(lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_INFO, &n));
    assert_int_equal(n, 0);
    /* It holds up to its capacities. */
    lkattrs_entry e8[8];
    char keys[8][2];
    for (size_t i = 0; i < 8; i++) {
      keys[i][0] = (char)('a' + i);
      keys[i][1] = 0;
      e8[i] = E(keys[i], "v");
    }
    assert_int_equal(lkattrs_participant_join(p, e8, 8, NULL, 0, NULL, NULL), LKATTRS_OK);
    assert_int_equal(lkattrs_participant_count(p), 8);
    lkattrs_participant_free(p); /* a fixed state: abandoned, nothing freed */
  }
  /* max_update_entries 0 means max_entries: the macro with 8 fits. */
  lkattrs_participant_caps c0 = {256, 8, 0}, c8 = {256, 8, 8};
  assert_int_equal(lkattrs_participant_init_fixed(storage, need, &c0, &p), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_init_fixed(storage, need, &c8, &p), LKATTRS_OK);
  lkattrs_participant_caps c9 = {256, 8, 9};
  assert_int_equal(lkattrs_participant_init_fixed(storage, need, &c9, &p), LKATTRS_E_NOSPACE);
  /* Zero capacities: an empty state that holds nothing. */
  lkattrs_participant_caps cz = {0, 0, 0};
  assert_int_equal(lkattrs_participant_init_fixed(storage, LKATTRS_PARTICIPANT_FIXED_BYTES(0, 0, 0),
                                                  &cz, &p),
                   LKATTRS_OK);
  size_t n = 1;
  assert_non_null(lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_INFO, &n));
  assert_int_equal(n, 0);
  lkattrs_entry one = E("a", "1");
  assert_int_equal(lkattrs_participant_join(p, &one, 1, NULL, 0, NULL, NULL), LKATTRS_E_NOSPACE);
  assert_int_equal(lkattrs_participant_count(p), 0);

  /* Heap. */
  assert_int_equal(lkattrs_participant_new(NULL, NULL), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_allocator bad = {NULL, NULL, NULL, NULL};
  q = (lkattrs_participant *)&q;
  assert_int_equal(lkattrs_participant_new(&bad, &q), LKATTRS_E_INVALID_ARGUMENT);
  assert_null(q);
  q = heap_state();
  assert_int_equal(lkattrs_participant_count(q), 0);
  assert_int_equal(lkattrs_participant_version(q), 0);
  assert_non_null(lkattrs_participant_bytes(q, LKATTRS_VIEW_PARTICIPANT_INFO, &n));
  assert_int_equal(n, 0);
  lkattrs_participant_free(q);
  lkattrs_participant_free(NULL);
  /* The libc allocator given explicitly. */
  assert_int_equal(lkattrs_participant_new(lkattrs_libc_allocator(), &q), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_join(q, &one, 1, NULL, 0, NULL, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_count(q), 1);
  lkattrs_participant_free(q);
  free(storage);
}

/* lkattrs_participant_new under allocation failure: NOMEM, *out NULL, no
 * leak, whichever allocation fails. */
static void test_new_nomem(void **state) {
  (void)state;
  counting_alloc ca = {0};
  lkattrs_allocator a = counting_allocator(&ca);
  size_t failures = 0;
  for (size_t at = 1; at < 100; at++) {
    lkattrs_participant *p = (lkattrs_participant *)&p;
    ca.calls = 0;
    ca.fail_at = at;
    lkattrs_status st = lkattrs_participant_new(&a, &p);
    if (st == LKATTRS_OK) {
      assert_non_null(p);
      lkattrs_participant_free(p);
      break;
    }
    assert_int_equal(st, LKATTRS_E_NOMEM);
    assert_null(p);
    assert_int_equal(ca.live_blocks, 0);
    failures++;
  }
  assert_true(failures >= 1);
  assert_int_equal(ca.live_blocks, 0);
  assert_int_equal(ca.live_bytes, 0);
}

/* The three views of a state, for empty and for long infos (lengths of 1,
 * 2 and 3 varint bytes). */
static void check_views(const lkattrs_participant *p) {
  size_t n = 0, pn = 0, sn = 0;
  const unsigned char *info = info_bytes(p, &n);
  const unsigned char *pu = lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_UPDATE, &pn);
  const unsigned char *sr = lkattrs_participant_bytes(p, LKATTRS_VIEW_SIGNAL_RESPONSE, &sn);
  assert_non_null(pu);
  assert_non_null(sr);
  static pbuf vpu, vsr; /* own buffers: the callers' stay intact */
  vpu.n = 0;
  pb_bytes(&vpu, 1, info, n); /* ParticipantUpdate {1: info} */
  assert_int_equal(pn, vpu.n);
  assert_memory_equal(pu, vpu.b, pn);
  vsr.n = 0;
  pb_sub(&vsr, 5, &vpu); /* SignalResponse {5: ParticipantUpdate} */
  assert_int_equal(sn, vsr.n);
  assert_memory_equal(sr, vsr.b, sn);
}

static void test_views(void **state) {
  (void)state;
  static unsigned char storage[LKATTRS_PARTICIPANT_FIXED_BYTES(40000, 4, 4)];
  lkattrs_participant *hp = heap_state();
  lkattrs_participant *fp = fixed_state(storage, sizeof storage, 40000, 4, 4);
  lkattrs_participant *ps[2] = {hp, fp};
  /* 0 last here; 0 first: test_empty_first_write. */
  static const size_t sizes[] = {1, 100, 126, 127, 128, 200, 16000, 16383, 16384, 17000, 39000, 0};
  static char md[40000];
  memset(md, 'm', sizeof md);
  for (size_t w = 0; w < 2; w++) {
    lkattrs_participant *p = ps[w];
    size_t n = 7;
    /* Empty: {0a 00} and {2a 02 0a 00}. */
    const unsigned char *pu = lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_UPDATE, &n);
    assert_int_equal(n, 2);
    assert_memory_equal(pu, "\x0a\x00", 2);
    const unsigned char *sr = lkattrs_participant_bytes(p, LKATTRS_VIEW_SIGNAL_RESPONSE, &n);
    assert_int_equal(n, 4);
    assert_memory_equal(sr, "\x2a\x02\x0a\x00", 4);
    /* Unknown view, NULL state. */
    n = 7;
    assert_null(lkattrs_participant_bytes(p, (lkattrs_view)3, &n));
    assert_int_equal(n, 0);
    n = 7;
    assert_null(lkattrs_participant_bytes(NULL, LKATTRS_VIEW_PARTICIPANT_INFO, &n));
    assert_int_equal(n, 0);
    for (size_t s = 0; s < ARRAY_LEN(sizes); s++) {
      /* An info of about sizes[s] bytes: metadata only. */
      pbuf *in = &B->in;
      in->n = 0;
      if (sizes[s]) pb_bytes(in, 5, md, sizes[s]);
      assert_int_equal(lkattrs_participant_load(p, in->b, in->n, NULL), LKATTRS_OK);
      assert_bytes(p, in);
      check_views(p);
    }
    /* After each kind of operation, the views follow. */
    lkattrs_entry e = E("k", "v");
    assert_int_equal(lkattrs_participant_join(p, &e, 1, NULL, 0, NULL, NULL), LKATTRS_OK);
    check_views(p);
    B->in.n = 0;
    pb_str(&B->in, 9, "Name");
    assert_int_equal(lkattrs_participant_set_fields(p, B->in.b, B->in.n, NULL), LKATTRS_OK);
    check_views(p);
  }
  lkattrs_participant_free(hp);
}

/* The read accessors: NULL and out-of-range arguments. */
static void test_reads(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  lkattrs_entry tok[] = {E("b", "2"), E("a", "1"), E("ab", "\xc3\xa9")};
  assert_int_equal(lkattrs_participant_join(p, tok, 3, NULL, 0, NULL, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_count(NULL), 0);
  assert_int_equal(lkattrs_participant_attrs_bytes(NULL), 0);
  assert_int_equal(lkattrs_participant_version(NULL), 0);
  assert_int_equal(lkattrs_participant_changes(NULL), 0);
  assert_int_equal(lkattrs_participant_count(p), 3);
  assert_int_equal(lkattrs_participant_attrs_bytes(p), 1 + 1 + 1 + 1 + 2 + 2);
  assert_int_equal(lkattrs_participant_version(p), 1);
  const char *v = NULL;
  size_t vl = 0;
  assert_int_equal(lkattrs_participant_get(p, "ab", 2, &v, &vl), LKATTRS_OK);
  assert_int_equal(vl, 2);
  assert_memory_equal(v, "\xc3\xa9", 2);
  assert_int_equal(lkattrs_participant_get(p, "ab", 2, NULL, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_get(p, "abc", 1, NULL, &vl), LKATTRS_OK); /* "a" */
  assert_int_equal(vl, 1);
  assert_int_equal(lkattrs_participant_get(p, "abc", 3, &v, &vl), LKATTRS_E_NOT_FOUND);
  assert_int_equal(lkattrs_participant_get(p, "", 0, &v, &vl), LKATTRS_E_NOT_FOUND);
  assert_int_equal(lkattrs_participant_get(p, NULL, 0, &v, &vl), LKATTRS_E_NOT_FOUND);
  assert_int_equal(lkattrs_participant_get(p, NULL, 1, &v, &vl), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_get(NULL, "a", 1, &v, &vl), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_entry e;
  assert_int_equal(lkattrs_participant_at(p, 0, &e), LKATTRS_OK);
  assert_int_equal(e.key_len, 1);
  assert_memory_equal(e.key, "a", 1);
  assert_int_equal(lkattrs_participant_at(p, 1, &e), LKATTRS_OK);
  assert_memory_equal(e.key, "ab", 2); /* a prefix sorts first */
  assert_int_equal(lkattrs_participant_at(p, 2, &e), LKATTRS_OK);
  assert_memory_equal(e.key, "b", 1);
  assert_int_equal(lkattrs_participant_at(p, 3, &e), LKATTRS_E_NOT_FOUND);
  assert_int_equal(lkattrs_participant_at(p, SIZE_MAX, &e), LKATTRS_E_NOT_FOUND);
  assert_int_equal(lkattrs_participant_at(p, 0, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_at(NULL, 0, &e), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_change c;
  assert_int_equal(lkattrs_participant_changes(p), 3);
  assert_int_equal(lkattrs_participant_change_at(p, 0, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_change_at(NULL, 0, &c), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_change_at(p, 3, &c), LKATTRS_E_NOT_FOUND);
  assert_int_equal(lkattrs_participant_change_at(p, 2, &c), LKATTRS_OK);
  assert_int_equal(c.key_len, 1);
  assert_memory_equal(c.key, "b", 1);
  assert_false(c.had_old);
  assert_true(c.has_new);
  assert_int_equal(c.old_len, 0);
  assert_int_equal(c.new_len, 1);
  assert_memory_equal(c.new_value, "2", 1);
  lkattrs_participant_free(p);
}

/* ---- load ---- */

static void test_load(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  pmodel *m = &B->m;
  pbuf *in = &B->in;
  lkattrs_error_detail d;

  /* Fields out of order, attributes unsorted, split, duplicated, with an
   * empty value; metadata, name and version in the middle. */
  pm_init(m);
  in->n = 0;
  pb_uint(in, 20, 3);
  pb_entry(in, 15, "b", "2");
  pb_str(in, 1, "PA_x");
  pb_entry(in, 15, "\xc3\xa9t\xc3\xa9", "summer");
  pb_str(in, 9, "Alice");
  pb_entry(in, 15, "c", "");
  pb_str(in, 5, "meta");
  pb_entry(in, 15, "b", "3");
  pb_uint(in, 10, 7);
  pb_bytes(in, 11, "\x10\x01", 2);
  pb_str(in, 2, "alice");
  pb_uint(in, 16, 1);
  pb_entry(in, 15, "a", "1");
  pb_entry(in, 15, "ab", "x");
  pb_entry(in, 15, "ab", ""); /* the last one wins: absent */
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, &d), LKATTRS_OK);
  assert_int_equal(d.code, LKATTRS_OK);
  /* Expected: seg0 {1, 2} as given, 5, 9, 10, seg2 {11}, 15 sorted, seg3
   * {20, 16} as given. */
  pbuf *x = &B->exp2;
  x->n = 0;
  pb_str(x, 1, "PA_x");
  pb_str(x, 2, "alice");
  pb_str(x, 5, "meta");
  pb_str(x, 9, "Alice");
  pb_uint(x, 10, 7);
  pb_bytes(x, 11, "\x10\x01", 2);
  pb_entry(x, 15, "a", "1");
  pb_entry(x, 15, "b", "3");
  pb_entry(x, 15, "\xc3\xa9t\xc3\xa9", "summer");
  pb_uint(x, 20, 3);
  pb_uint(x, 16, 1);
  assert_bytes(p, x);
  /* The same through the model. */
  mseg_str(m, 1, "PA_x");
  mseg_str(m, 2, "alice");
  mmd(m, "meta");
  mname(m, "Alice");
  m->version = 7;
  pm_seg_add(m, PM_SEG2, "\x5a\x02\x10\x01", 4);
  mseg_uint(m, 20, 3);
  mseg_uint(m, 16, 1);
  mset(m, "b", "3");
  mset(m, "a", "1");
  mset(m, "\xc3\xa9t\xc3\xa9", "summer");
  check_model(p, m);
  pm_init(&B->m_old);
  check_changes(p, &B->m_old, m);
  check_views(p);

  /* Loading the canonical bytes again: the same state, no change. */
  memcpy(B->tmp.b, x->b, x->n);
  assert_int_equal(lkattrs_participant_load(p, B->tmp.b, x->n, NULL), LKATTRS_OK);
  check_model(p, m);
  assert_int_equal(lkattrs_participant_changes(p), 0);

  /* Another info: changes old -> new with both values. */
  B->m_old = *m;
  in->n = 0;
  pb_entry(in, 15, "b", "4");
  pb_entry(in, 15, "z", "26");
  pb_entry(in, 15, "a", "1");
  pb_str(in, 5, "");   /* empty metadata: left out */
  pb_uint(in, 10, 0);  /* version 0: left out */
  pb_str(in, 9, "B");
  pb_str(in, 9, "Bob"); /* the last one wins */
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, NULL), LKATTRS_OK);
  pm_init(m);
  mset(m, "a", "1");
  mset(m, "b", "4");
  mset(m, "z", "26");
  mname(m, "Bob");
  check_model(p, m);
  check_changes(p, &B->m_old, m);
  assert_int_equal(lkattrs_participant_changes(p), 3); /* b, z, \xc3\xa9t\xc3\xa9 */

  /* Empty: NULL with 0 and "" with 0. */
  B->m_old = *m;
  assert_int_equal(lkattrs_participant_load(p, NULL, 0, NULL), LKATTRS_OK);
  pm_init(m);
  check_model(p, m);
  check_changes(p, &B->m_old, m);
  assert_int_equal(lkattrs_participant_load(p, "", 0, NULL), LKATTRS_OK);
  check_model(p, m);
  assert_int_equal(lkattrs_participant_changes(p), 0);

  /* Entry details: fields in any order, missing value, unknown field,
   * repeated key field, non-minimal length. */
  in->n = 0;
  pb_bytes(in, 15, "\x12\x01v\x0a\x01k", 6);               /* value first */
  pb_bytes(in, 15, "\x0a\x02k2", 4);                        /* no value: "" */
  pb_bytes(in, 15, "\x0a\x02k3\x18\x05\x12\x01w", 9);       /* unknown field 3 */
  pb_bytes(in, 15, "\x0a\x01x\x0a\x02k4\x12\x01u", 10);     /* key repeated: last */
  pb_raw(in, "\x7a\x86\x00", 3);        /* length 6 in two bytes */
  pb_raw(in, "\x0a\x02k5\x12\x00", 6); /* value "": absent */
  pb_entry(in, 15, "k6", "6");
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, NULL), LKATTRS_OK);
  pm_init(m);
  mset(m, "k", "v");
  mset(m, "k3", "w");
  mset(m, "k4", "u");
  mset(m, "k6", "6");
  check_model(p, m);

  /* A version above 32 bits is cut to uint32 (protobuf's rule), then
   * written canonically. */
  in->n = 0;
  pb_uint(in, 10, ((uint64_t)1 << 32) + 5);
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_version(p), 5);
  B->exp2.n = 0;
  pb_uint(&B->exp2, 10, 5);
  assert_bytes(p, &B->exp2);

  /* Arguments. */
  snap s = snap_take(p);
  assert_int_equal(lkattrs_participant_load(NULL, in->b, in->n, &d), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(d.code, LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_load(p, NULL, 1, &d), LKATTRS_E_INVALID_ARGUMENT);
  snap_check(p, &s);
  lkattrs_participant_free(p);
}

/* ---- set_fields ---- */

static void test_set_fields(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  pmodel *m = &B->m;
  pbuf *in = &B->in;
  lkattrs_error_detail d;

  /* Start: attributes {a:1, b:2}, version 5. */
  pm_init(m);
  in->n = 0;
  typical_fields(in, m, PM_SEG0);
  pb_str(in, 9, "Old");
  pb_uint(in, 10, 5);
  pb_entry(in, 15, "b", "2");
  pb_entry(in, 15, "a", "1");
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, NULL), LKATTRS_OK);
  mname(m, "Old");
  m->version = 5;
  mset(m, "a", "1");
  mset(m, "b", "2");
  check_model(p, m);

  /* New fields, an older version, attributes in the message (ignored, an
   * invalid entry too): every field replaced, attributes kept, version 6. */
  pm_init(&B->m_old);
  *m = B->m_old;
  mset(m, "a", "1");
  mset(m, "b", "2");
  in->n = 0;
  typical_fields(in, m, PM_SEG0);
  pb_str(in, 5, "md1");
  typical_fields(in, m, PM_SEG1);
  pb_str(in, 9, "New");
  pb_uint(in, 10, 3);
  typical_fields(in, m, PM_SEG2);
  pb_entry(in, 15, "x", "y");
  pb_entry(in, 15, "", "empty key");
  typical_fields(in, m, PM_SEG3);
  assert_int_equal(lkattrs_participant_set_fields(p, in->b, in->n, &d), LKATTRS_OK);
  assert_int_equal(d.code, LKATTRS_OK);
  mmd(m, "md1");
  mname(m, "New");
  m->version = 6;
  check_model(p, m);
  assert_int_equal(lkattrs_participant_changes(p), 0);
  check_views(p);

  /* A greater version is taken; an equal one is not. */
  in->n = 0;
  pb_uint(in, 10, 9);
  assert_int_equal(lkattrs_participant_set_fields(p, in->b, in->n, NULL), LKATTRS_OK);
  pm_init(m);
  mset(m, "a", "1");
  mset(m, "b", "2");
  m->version = 9;
  check_model(p, m);
  assert_int_equal(lkattrs_participant_set_fields(p, in->b, in->n, NULL), LKATTRS_OK);
  m->version = 10;
  check_model(p, m);
  /* No version, the same fields: still a newer version. */
  assert_int_equal(lkattrs_participant_set_fields(p, NULL, 0, NULL), LKATTRS_OK);
  m->version = 11;
  check_model(p, m);
  assert_int_equal(lkattrs_participant_set_fields(p, "", 0, NULL), LKATTRS_OK);
  m->version = 12;
  check_model(p, m);
  /* The last of a repeated field wins; an empty one is left out. */
  in->n = 0;
  pb_str(in, 9, "N1");
  pb_str(in, 5, "M1");
  pb_str(in, 9, "N2");
  pb_str(in, 5, "");
  pb_uint(in, 10, 100);
  pb_uint(in, 10, 50);
  assert_int_equal(lkattrs_participant_set_fields(p, in->b, in->n, NULL), LKATTRS_OK);
  mname(m, "N2");
  m->version = 50;
  check_model(p, m);

  /* Errors: the state unchanged, detail->offset in info. */
  snap s = snap_take(p);
  in->n = 0;
  pb_str(in, 1, "PA");
  pb_str(in, 9, "Name");
  assert_int_equal(lkattrs_participant_set_fields(p, in->b, in->n - 1, &d),
                   LKATTRS_E_WIRE_TRUNCATED);
  assert_int_equal(d.code, LKATTRS_E_WIRE_TRUNCATED);
  assert_int_equal(d.offset, 4);
  snap_check(p, &s);
  s = snap_take(p);
  in->n = 0;
  pb_str(in, 1, "PA");
  pb_uint(in, 5, 1); /* metadata as a varint */
  assert_int_equal(lkattrs_participant_set_fields(p, in->b, in->n, &d), LKATTRS_E_WIRE_MALFORMED);
  assert_int_equal(d.offset, 4);
  in->n = 0;
  pb_str(in, 10, "x"); /* version as bytes */
  assert_int_equal(lkattrs_participant_set_fields(p, in->b, in->n, &d), LKATTRS_E_WIRE_MALFORMED);
  assert_int_equal(d.offset, 0);
  in->n = 0;
  pb_uint(in, 9, 1); /* name as a varint */
  assert_int_equal(lkattrs_participant_set_fields(p, in->b, in->n, &d), LKATTRS_E_WIRE_MALFORMED);
  unsigned char grp[] = {0x0b, 0x00}; /* wire type 3 */
  assert_int_equal(lkattrs_participant_set_fields(p, grp, sizeof grp, &d), LKATTRS_E_WIRE_MALFORMED);
  unsigned char f0[] = {0x00, 0x01}; /* field 0 */
  assert_int_equal(lkattrs_participant_set_fields(p, f0, sizeof f0, &d), LKATTRS_E_WIRE_MALFORMED);
  assert_int_equal(lkattrs_participant_set_fields(NULL, f0, 0, &d), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_set_fields(p, NULL, 3, &d), LKATTRS_E_INVALID_ARGUMENT);
  snap_check(p, &s);
  lkattrs_participant_free(p);
}

/* An empty info as the first write of a fresh heap state (its second
 * buffer not yet allocated): the documented "NULL with 0: empty".  (Once
 * a crash: a write through a NULL buffer.) */
static void test_empty_first_write(void **state) {
  (void)state;
  pmodel *m = &B->m;
  pm_init(m);
  lkattrs_participant *p = heap_state();
  assert_int_equal(lkattrs_participant_load(p, NULL, 0, NULL), LKATTRS_OK);
  check_model(p, m);
  check_views(p);
  lkattrs_participant_free(p);
  p = heap_state();
  assert_int_equal(lkattrs_participant_set_fields(p, NULL, 0, NULL), LKATTRS_OK);
  m->version = 1;
  check_model(p, m);
  check_views(p);
  lkattrs_participant_free(p);
}

/* ---- join ---- */

static lkattrs_rules client_rules(bool grant) {
  lkattrs_rules r = LKATTRS_RULES_INIT;
  r.can_update_metadata = grant;
  return r;
}

static lkattrs_rules origin_rules(lkattrs_origin o, bool grant) {
  lkattrs_rules r = LKATTRS_RULES_INIT;
  r.origin = o;
  r.can_update_metadata = grant;
  return r;
}

static void test_join(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  pmodel *m = &B->m, *old = &B->m_old;
  lkattrs_error_detail d;
  lkattrs_rules grant = client_rules(true);

  /* The documented example: token {a:0, b:1} + join {b:2, c:3}. */
  pm_init(m);
  pm_init(old);
  lkattrs_entry tok[] = {E("a", "0"), E("b", "1")};
  lkattrs_entry jn[] = {E("b", "2"), E("c", "3")};
  assert_int_equal(lkattrs_participant_join(p, tok, 2, jn, 2, &grant, &d), LKATTRS_OK);
  assert_int_equal(d.code, LKATTRS_OK);
  mset(m, "a", "0");
  mset(m, "b", "2");
  mset(m, "c", "3");
  m->version = 1;
  check_model(p, m);
  check_changes(p, old, m);

  /* The other fields are kept, the previous attributes replaced. */
  pbuf *in = &B->in;
  in->n = 0;
  pm_init(m);
  typical_fields(in, m, PM_SEG0);
  pb_str(in, 9, "Alice");
  pb_uint(in, 10, 41);
  pb_entry(in, 15, "x", "1");
  pb_entry(in, 15, "b", "old");
  typical_fields(in, m, PM_SEG3);
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, NULL), LKATTRS_OK);
  mname(m, "Alice");
  m->version = 41;
  mset(m, "x", "1");
  mset(m, "b", "old");
  check_model(p, m);
  *old = *m;
  assert_int_equal(lkattrs_participant_join(p, tok, 2, jn, 2, &grant, NULL), LKATTRS_OK);
  pm_clear_attrs(m);
  mset(m, "a", "0");
  mset(m, "b", "2");
  mset(m, "c", "3");
  m->version = 42;
  check_model(p, m);
  check_changes(p, old, m); /* x removed, b changed, a and c added */
  assert_int_equal(lkattrs_participant_changes(p), 4);

  /* The same join again: nothing changes, the version is kept. */
  assert_int_equal(lkattrs_participant_join(p, tok, 2, jn, 2, &grant, NULL), LKATTRS_OK);
  check_model(p, m);
  assert_int_equal(lkattrs_participant_changes(p), 0);

  /* Empty values are skipped (token and join), duplicates last-wins, the
   * winning value decides: {b: x, b: ""} in the join keeps the token's b. */
  *old = *m;
  lkattrs_entry tok2[] = {E("e", ""), E("t", "1"), E("b", "t"), E("d", "1"), E("d", "2")};
  lkattrs_entry jn2[] = {E("t", ""), E("c", "x"), E("b", "x"), E("c", "y"), E("b", ""),
                         E("n", "")};
  assert_int_equal(lkattrs_participant_join(p, tok2, ARRAY_LEN(tok2), jn2, ARRAY_LEN(jn2),
                                            &grant, NULL),
                   LKATTRS_OK);
  pm_clear_attrs(m);
  mset(m, "b", "t");
  mset(m, "c", "y");
  mset(m, "d", "2");
  mset(m, "t", "1");
  m->version = 43;
  check_model(p, m);
  check_changes(p, old, m);

  /* Token only, nothing: the attributes become empty. */
  *old = *m;
  assert_int_equal(lkattrs_participant_join(p, NULL, 0, NULL, 0, NULL, NULL), LKATTRS_OK);
  pm_clear_attrs(m);
  m->version = 44;
  check_model(p, m);
  check_changes(p, old, m);
  assert_int_equal(lkattrs_participant_changes(p), 4);
  assert_int_equal(lkattrs_participant_join(p, NULL, 0, NULL, 0, NULL, NULL), LKATTRS_OK);
  check_model(p, m);
  assert_int_equal(lkattrs_participant_changes(p), 0);
  lkattrs_participant_free(p);
}

/* A join refused: the status, detail, and the state unchanged. */
static void join_refused(lkattrs_participant *p, const lkattrs_entry *tok, size_t tc,
                         const lkattrs_entry *jn, size_t jc, const lkattrs_rules *r,
                         lkattrs_status want, size_t index) {
  snap s = snap_take(p);
  lkattrs_error_detail d;
  assert_int_equal(lkattrs_participant_join(p, tok, tc, jn, jc, r, &d), want);
  assert_int_equal(d.code, want);
  assert_int_equal(d.index, index);
  assert_non_null(d.message);
  snap_check(p, &s);
}

static void test_join_rules(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  lkattrs_rules none = client_rules(false), grant = client_rules(true);
  lkattrs_entry base[] = {E("keep", "1")};
  assert_int_equal(lkattrs_participant_join(p, base, 1, NULL, 0, &none, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_version(p), 1);

  /* Permission: join entries need the grant (CLIENT, AGENT); the token
   * alone does not; SERVER and TRUSTED never do. */
  lkattrs_entry tok[] = {E("sip.callID", "c1"), E("lk.agent.state", "idle"),
                         E("ingress.ingressID", "i")};
  lkattrs_entry jn[] = {E("x", "1")};
  join_refused(p, tok, 3, jn, 1, &none, LKATTRS_E_NOT_ALLOWED, LKATTRS_NO_INDEX);
  join_refused(p, tok, 3, jn, 1, NULL, LKATTRS_E_NOT_ALLOWED, LKATTRS_NO_INDEX);
  lkattrs_rules agent = origin_rules(LKATTRS_ORIGIN_AGENT, false);
  join_refused(p, tok, 3, jn, 1, &agent, LKATTRS_E_NOT_ALLOWED, LKATTRS_NO_INDEX);
  /* The token may hold reserved names even for a client without grant. */
  assert_int_equal(lkattrs_participant_join(p, tok, 3, NULL, 0, &none, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_count(p), 3);
  lkattrs_rules srv = origin_rules(LKATTRS_ORIGIN_SERVER, false);
  lkattrs_rules trusted = origin_rules(LKATTRS_ORIGIN_TRUSTED, false);
  assert_int_equal(lkattrs_participant_join(p, NULL, 0, jn, 1, &srv, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_count(p), 1);
  lkattrs_entry jn2[] = {E("y", "2")};
  assert_int_equal(lkattrs_participant_join(p, NULL, 0, jn2, 1, &trusted, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_get(p, "y", 1, NULL, NULL), LKATTRS_OK);

  /* Namespaces: on the join entries only; detail->index counts the token
   * entries first. */
  lkattrs_entry rj[] = {E("ok", "1"), E("sip.phoneNumber", "+1555")};
  join_refused(p, tok, 3, rj, 2, &grant, LKATTRS_E_RESERVED_NAME, 4);
  {
    lkattrs_error_detail d;
    snap s = snap_take(p);
    assert_int_equal(lkattrs_participant_join(p, tok, 3, rj, 2, &grant, &d),
                     LKATTRS_E_RESERVED_NAME);
    assert_int_equal(d.key_len, 15);
    assert_ptr_equal(d.key, rj[1].key);
    snap_check(p, &s);
  }
  lkattrs_entry lkj[] = {E("lk.agent.state", "thinking")};
  join_refused(p, NULL, 0, lkj, 1, &grant, LKATTRS_E_RESERVED_NAME, 0);
  lkattrs_rules agent_g = origin_rules(LKATTRS_ORIGIN_AGENT, true);
  assert_int_equal(lkattrs_participant_join(p, NULL, 0, lkj, 1, &agent_g, NULL), LKATTRS_OK);
  lkattrs_entry lkx[] = {E("lk.other", "x")};
  join_refused(p, NULL, 0, lkx, 1, &agent_g, LKATTRS_E_RESERVED_NAME, 0);
  lkattrs_entry ing[] = {E("a", "1"), E("ingress.resourceID", "r")};
  join_refused(p, tok, 1, ing, 2, &agent_g, LKATTRS_E_RESERVED_NAME, 2);
  lkattrs_rules skip = grant;
  skip.skip_namespace_rules = true;
  assert_int_equal(lkattrs_participant_join(p, tok, 3, rj, 2, &skip, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_count(p), 5);
  srv.can_update_metadata = false;
  assert_int_equal(lkattrs_participant_join(p, NULL, 0, rj, 2, &srv, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_count(p), 2);

  /* Text rules: on the token entries too; the first bad entry is named. */
  lkattrs_entry t_empty[] = {E("a", "1"), E("", "x")};
  join_refused(p, t_empty, 2, NULL, 0, &grant, LKATTRS_E_KEY_EMPTY, 1);
  lkattrs_entry t_ctl[] = {E("k\x01", "x")};
  join_refused(p, t_ctl, 1, NULL, 0, &grant, LKATTRS_E_CONTROL_CHAR, 0);
  lkattrs_entry t_c1[] = {E("k\xc2\x85", "x")}; /* U+0085, a C1 control */
  join_refused(p, t_c1, 1, NULL, 0, &grant, LKATTRS_E_CONTROL_CHAR, 0);
  lkattrs_entry t_utf[] = {E("k", "\xff")};
  join_refused(p, t_utf, 1, NULL, 0, &grant, LKATTRS_E_UTF8, 0);
  lkattrs_entry t_nul[] = {{"k", 1, "a\0b", 3}};
  join_refused(p, t_nul, 1, NULL, 0, &grant, LKATTRS_E_NUL, 0);
  lkattrs_entry t_keynul[] = {{"k\0", 2, "v", 1}};
  join_refused(p, t_keynul, 1, NULL, 0, &grant, LKATTRS_E_NUL, 0);
  lkattrs_entry j_over[] = {E("k", "v"), E("\xc0\x80", "overlong")};
  join_refused(p, tok, 3, j_over, 2, &grant, LKATTRS_E_UTF8, 4);
  lkattrs_entry j_sur[] = {E("\xed\xa0\x80", "surrogate")};
  join_refused(p, NULL, 0, j_sur, 1, &grant, LKATTRS_E_UTF8, 0);
  lkattrs_entry j_empty[] = {E("", "")};
  join_refused(p, NULL, 0, j_empty, 1, &grant, LKATTRS_E_KEY_EMPTY, 0);
  /* Values may hold other control characters. */
  lkattrs_entry ctl_val[] = {E("tab", "a\tb\x01")};
  assert_int_equal(lkattrs_participant_join(p, NULL, 0, ctl_val, 1, &grant, NULL), LKATTRS_OK);

  /* Limits: the key length on join entries (not on the trusted token),
   * the resulting map (token + join), never max_update_bytes. */
  static char longkey[301];
  memset(longkey, 'k', 300);
  lkattrs_entry lk_tok[] = {E(longkey, "v")};
  assert_int_equal(lkattrs_participant_join(p, lk_tok, 1, NULL, 0, &grant, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_count(p), 1);
  lkattrs_entry lk_j[] = {E("a", "1"), E(longkey, "v")};
  join_refused(p, NULL, 0, lk_j, 2, &grant, LKATTRS_E_KEY_TOO_LONG, 1);
  lkattrs_limits lim = LKATTRS_LIMITS_INIT;
  lim.max_key_bytes = 2;
  lim.max_value_bytes = 3;
  lim.max_update_bytes = 1;
  lim.max_map_bytes = 10;
  lim.max_entries = 3;
  lkattrs_rules lr = grant;
  lr.limits = &lim;
  lkattrs_entry l_key[] = {E("abc", "1")};
  join_refused(p, NULL, 0, l_key, 1, &lr, LKATTRS_E_KEY_TOO_LONG, 0);
  lkattrs_entry l_val[] = {E("ab", "1234")};
  join_refused(p, NULL, 0, l_val, 1, &lr, LKATTRS_E_VALUE_TOO_LONG, 0);
  /* Σ = 10: fits exactly (max_update_bytes 1 is not applied). */
  lkattrs_entry t10[] = {E("tokenkey", "v")};
  lkattrs_entry j10[] = {E("j", "")};
  assert_int_equal(lkattrs_participant_join(p, t10, 1, j10, 1, &lr, NULL), LKATTRS_OK);
  lkattrs_entry t11[] = {E("tokenkey", "v"), E("t", "")};
  lkattrs_entry j11[] = {E("a", "1")};
  join_refused(p, t11, 2, j11, 1, &lr, LKATTRS_E_TOO_LARGE, LKATTRS_NO_INDEX);
  /* The token overlaid: "tokenkey" replaced by a shorter value fits. */
  lkattrs_entry t12[] = {E("tokenke", "vv"), E("a", "9")};
  lkattrs_entry j12[] = {E("a", "1")};
  assert_int_equal(lkattrs_participant_join(p, t12, 2, j12, 1, &lr, NULL), LKATTRS_E_TOO_LARGE);
  lkattrs_entry t13[] = {E("tokenk", "vv"), E("a", "9")};
  assert_int_equal(lkattrs_participant_join(p, t13, 2, j12, 1, &lr, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_attrs_bytes(p), 10);
  lkattrs_entry t4[] = {E("a", "1"), E("b", "1"), E("c", "1")};
  lkattrs_entry j4[] = {E("d", "1")};
  join_refused(p, t4, 3, j4, 1, &lr, LKATTRS_E_TOO_MANY_ENTRIES, LKATTRS_NO_INDEX);
  lkattrs_entry j4b[] = {E("c", "2")};
  assert_int_equal(lkattrs_participant_join(p, t4, 3, j4b, 1, &lr, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_count(p), 3);
  /* Default limits: 65536 bytes. */
  static char big[65536];
  memset(big, 'v', sizeof big);
  lkattrs_entry tbig[] = {{"k", 1, big, 65535}};
  assert_int_equal(lkattrs_participant_join(p, tbig, 1, NULL, 0, &grant, NULL), LKATTRS_OK);
  lkattrs_entry tbig2[] = {{"k", 1, big, 65536}};
  join_refused(p, tbig2, 1, NULL, 0, &grant, LKATTRS_E_TOO_LARGE, LKATTRS_NO_INDEX);

  /* Arguments. */
  join_refused(p, NULL, 1, NULL, 0, &grant, LKATTRS_E_INVALID_ARGUMENT, LKATTRS_NO_INDEX);
  join_refused(p, NULL, 0, NULL, 1, &grant, LKATTRS_E_INVALID_ARGUMENT, LKATTRS_NO_INDEX);
  lkattrs_rules bad = grant;
  bad.origin = (lkattrs_origin)4;
  join_refused(p, t4, 1, NULL, 0, &bad, LKATTRS_E_INVALID_ARGUMENT, LKATTRS_NO_INDEX);
  assert_int_equal(lkattrs_participant_join(NULL, t4, 1, NULL, 0, NULL, NULL),
                   LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_participant_free(p);
}

static void test_join_request(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  pmodel *m = &B->m, *old = &B->m_old;
  lkattrs_rules grant = client_rules(true), none = client_rules(false);
  lkattrs_error_detail d;
  pbuf *jr = &B->upd;

  /* A JoinRequest with other fields around its attributes. */
  jr->n = 0;
  pb_bytes(jr, 1, "\x08\x03\x12\x03" "1.0", 7); /* client_info */
  pb_str(jr, 3, "join metadata");
  pb_entry(jr, 4, "a", "1");
  pb_entry(jr, 4, "b", "");
  pb_bytes(jr, 5, "\x0a\x02t1", 4);
  pb_entry(jr, 4, "c", "3");
  pb_entry(jr, 4, "\xf0\x9f\x98\x80", "\xe2\x82\xac");
  pb_uint(jr, 7, 1);
  lkattrs_entry tok[] = {E("t", "1"), E("a", "0"), E("b", "2")};
  pm_init(m);
  pm_init(old);
  assert_int_equal(lkattrs_participant_join_request(p, tok, 3, jr->b, jr->n, &grant, &d),
                   LKATTRS_OK);
  assert_int_equal(d.code, LKATTRS_OK);
  mset(m, "a", "1");
  mset(m, "b", "2");
  mset(m, "c", "3");
  mset(m, "t", "1");
  mset(m, "\xf0\x9f\x98\x80", "\xe2\x82\xac");
  m->version = 1;
  check_model(p, m);
  check_changes(p, old, m);
  /* None (NULL with 0, or no field 4): the token alone, no grant needed. */
  *old = *m;
  assert_int_equal(lkattrs_participant_join_request(p, tok, 3, NULL, 0, &none, NULL), LKATTRS_OK);
  pm_clear_attrs(m);
  mset(m, "a", "0");
  mset(m, "b", "2");
  mset(m, "t", "1");
  m->version = 2;
  check_model(p, m);
  check_changes(p, old, m);
  B->in.n = 0;
  pb_str(&B->in, 3, "md");
  pb_uint(&B->in, 7, 1);
  assert_int_equal(lkattrs_participant_join_request(p, tok, 3, B->in.b, B->in.n, &none, NULL),
                   LKATTRS_OK);
  check_model(p, m);
  assert_int_equal(lkattrs_participant_changes(p), 0);

  /* Refusals and errors: the state unchanged. */
  snap s = snap_take(p);
  assert_int_equal(lkattrs_participant_join_request(p, tok, 3, jr->b, jr->n, &none, &d),
                   LKATTRS_E_NOT_ALLOWED);
  assert_int_equal(lkattrs_participant_join_request(p, tok, 3, jr->b, jr->n - 1, &grant, &d),
                   LKATTRS_E_WIRE_TRUNCATED);
  assert_int_equal(d.code, LKATTRS_E_WIRE_TRUNCATED);
  assert_int_equal(d.offset, jr->n - 2); /* the tag of field 7 */
  B->in.n = 0;
  pb_str(&B->in, 3, "md");
  pb_uint(&B->in, 4, 1); /* the attributes as a varint */
  assert_int_equal(lkattrs_participant_join_request(p, tok, 3, B->in.b, B->in.n, &grant, &d),
                   LKATTRS_E_WIRE_MALFORMED);
  assert_int_equal(d.offset, 4);
  B->in.n = 0;
  pb_str(&B->in, 3, "md");
  pb_bytes(&B->in, 4, "\x0a\x01k\x08\x01", 5); /* a varint field 1 inside the entry */
  assert_int_equal(lkattrs_participant_join_request(p, tok, 3, B->in.b, B->in.n, &grant, &d),
                   LKATTRS_E_WIRE_MALFORMED);
  assert_true(d.offset >= 6 && d.offset < B->in.n);
  B->in.n = 0;
  pb_entry(&B->in, 4, "ok", "1");
  pb_entry(&B->in, 4, "sip.trunkID", "t");
  assert_int_equal(lkattrs_participant_join_request(p, tok, 3, B->in.b, B->in.n, &grant, &d),
                   LKATTRS_E_RESERVED_NAME);
  assert_int_equal(d.index, 4);
  assert_int_equal(d.key_len, 11);
  assert_memory_equal(d.key, "sip.trunkID", 11);
  assert_true((const unsigned char *)d.key > B->in.b &&
              (const unsigned char *)d.key < B->in.b + B->in.n);
  B->in.n = 0;
  pb_entry(&B->in, 4, "k\x7f", "1");
  assert_int_equal(lkattrs_participant_join_request(p, NULL, 0, B->in.b, B->in.n, &grant, &d),
                   LKATTRS_E_CONTROL_CHAR);
  assert_int_equal(d.index, 0);
  B->in.n = 0;
  pb_entry(&B->in, 4, "k", "\xe2\x82");
  assert_int_equal(lkattrs_participant_join_request(p, tok, 1, B->in.b, B->in.n, &grant, &d),
                   LKATTRS_E_UTF8);
  assert_int_equal(d.index, 1);
  assert_int_equal(lkattrs_participant_join_request(p, tok, 3, NULL, 1, &grant, &d),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_join_request(p, NULL, 1, jr->b, jr->n, &grant, &d),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_join_request(NULL, NULL, 0, jr->b, jr->n, &grant, &d),
                   LKATTRS_E_INVALID_ARGUMENT);
  snap_check(p, &s);
  /* With skip_namespace_rules the reserved name goes through. */
  B->in.n = 0;
  pb_entry(&B->in, 4, "sip.trunkID", "t");
  grant.skip_namespace_rules = true;
  assert_int_equal(lkattrs_participant_join_request(p, NULL, 0, B->in.b, B->in.n, &grant, NULL),
                   LKATTRS_OK);
  pm_clear_attrs(m);
  mset(m, "sip.trunkID", "t");
  m->version = 3;
  check_model(p, m);
  lkattrs_participant_free(p);
}

/* ---- apply ---- */

/* An update's contents (the builder writes md, name, entries, rid in this
 * order, each only when set). */
typedef struct {
  const char *md, *name;
  const lkattrs_entry *e;
  size_t n;
  uint32_t rid;
} pupd;

/* UpdateParticipantMetadata {1 md, 2 name, 3 entries, 4 request_id}: the
 * body of kinds 0 and 1, and the echo of every kind. */
static void build_body(pbuf *p, const pupd *u, bool with_rid) {
  p->n = 0;
  if (u->md && *u->md) pb_str(p, 1, u->md);
  if (u->name && *u->name) pb_str(p, 2, u->name);
  for (size_t k = 0; k < u->n; k++)
    pb_entry_n(p, 3, u->e[k].key, u->e[k].key_len, u->e[k].value, u->e[k].value_len);
  if (with_rid && u->rid) pb_uint(p, 4, u->rid);
}

/* The update message of `kind`. */
static void build_update(pbuf *p, const pupd *u, lkattrs_update_kind kind) {
  if (kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST) {
    /* UpdateParticipantRequest {1 room, 2 identity, 3 md, 4 permission,
     * 5 name, 6 attributes}. */
    p->n = 0;
    pb_str(p, 1, "room");
    pb_str(p, 2, "alice");
    if (u->md && *u->md) pb_str(p, 3, u->md);
    pb_bytes(p, 4, "\x10\x01", 2);
    if (u->name && *u->name) pb_str(p, 5, u->name);
    for (size_t k = 0; k < u->n; k++)
      pb_entry_n(p, 6, u->e[k].key, u->e[k].key_len, u->e[k].value, u->e[k].value_len);
    return;
  }
  if (kind == LKATTRS_UPDATE_PARTICIPANT_METADATA) {
    build_body(p, u, true);
    return;
  }
  build_body(&B->tmp, u, true);
  p->n = 0;
  pb_sub(p, 15, &B->tmp); /* SignalRequest {15: update_metadata} */
}

/* The echo of u (request_id only for kinds 0 and 1). */
static const pbuf *echo_of(const pupd *u, lkattrs_update_kind kind) {
  build_body(&B->echo, u, kind != LKATTRS_UPDATE_PARTICIPANT_REQUEST);
  return &B->echo;
}

/* LiveKit's message for a refusal. */
static const char *refusal_msg(lkattrs_status st, int what /* 0 attrs, 1 name, 2 md */) {
  if (st == LKATTRS_E_NOT_ALLOWED) return "does not have permission to update own metadata";
  if (st == LKATTRS_E_TOO_LARGE)
    return what == 1 ? "exceeds name length limit"
           : what == 2 ? "exceeds metadata size limit"
                       : "exceeds attributes size limit";
  return lkattrs_strerror(st);
}

/* The expected response into B->exp2. */
static const pbuf *want_response(const pupd *u, lkattrs_update_kind kind, lkattrs_status st,
                                 int what, bool echo, bool envelope) {
  const char *msg = st == LKATTRS_OK ? "" : refusal_msg(st, what);
  size_t ml = strlen(msg);
  if (ml > 127) ml = 127;
  uint32_t rid = kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST ? 0 : u->rid;
  pm_response(&B->exp2, rid, lkattrs_status_to_reason(st), msg, ml,
              echo ? echo_of(u, kind) : NULL, envelope);
  return &B->exp2;
}

static lkattrs_response_buf full_resp(bool echo, bool envelope) {
  lkattrs_response_buf rb = {B->resp, sizeof B->resp, echo, envelope};
  return rb;
}

static void assert_resp_(const lkattrs_update_result *r, const pbuf *want, AT_LINE) {
  AI(r->resp_len, want->n);
  if (want->n) AM(B->resp, want->b, want->n);
}
#define assert_resp(r, want) assert_resp_((r), (want), __FILE__, __LINE__)

/* Apply u (built as `kind`) and expect a refusal st: the result, the
 * response (echo and envelope as asked) and the state unchanged. */
static void apply_refused_(lkattrs_participant *p, const pupd *u, lkattrs_update_kind kind,
                           const lkattrs_rules *rules, lkattrs_status st, int what, AT_LINE) {
  static const bool modes[][2] = {{true, false}, {false, true}, {true, true}};
  for (size_t md = 0; md < ARRAY_LEN(modes); md++) {
    snap sn = snap_take(p);
    build_update(&B->upd, u, kind);
    lkattrs_response_buf rb = full_resp(modes[md][0], modes[md][1]);
    lkattrs_update_result r;
    lkattrs_error_detail d;
    AI(lkattrs_participant_apply(p, B->upd.b, B->upd.n, kind, rules, &rb, &r, &d), st);
    AI(d.code, st);
    AT(r.refused);
    AT(!r.changed);
    AT(r.respond);
    AT(!r.echo_dropped);
    AT(!r.name_changed && !r.metadata_changed);
    AI(r.attrs_changed, 0);
    AI(r.reason, lkattrs_status_to_reason(st));
    AI(r.version, sn.version);
    AI(r.request_id, kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST ? 0 : u->rid);
    AI(lkattrs_participant_changes(p), 0);
    const pbuf *w = want_response(u, kind, st, what, modes[md][0], modes[md][1]);
    assert_resp_(&r, w, file, line);
    snap_check_(p, &sn, file, line);
    /* No response buffer: the same refusal, nothing written. */
    sn = snap_take(p);
    AI(lkattrs_participant_apply(p, B->upd.b, B->upd.n, kind, rules, NULL, &r, NULL), st);
    AT(r.refused);
    AI(r.resp_len, 0);
    snap_check_(p, &sn, file, line);
  }
}
#define apply_refused(p, u, kind, rules, st, what) \
  apply_refused_((p), (u), (kind), (rules), (st), (what), __FILE__, __LINE__)

/* Apply u and expect OK: model m_old -> m; response checked. */
static void apply_ok_(lkattrs_participant *p, const pupd *u, lkattrs_update_kind kind,
                      const lkattrs_rules *rules, const pmodel *before, const pmodel *after,
                      bool name_changed, bool md_changed, AT_LINE) {
  build_update(&B->upd, u, kind);
  lkattrs_response_buf rb = full_resp(true, false);
  lkattrs_update_result r;
  lkattrs_error_detail d;
  AI(lkattrs_participant_apply(p, B->upd.b, B->upd.n, kind, rules, &rb, &r, &d), LKATTRS_OK);
  AI(d.code, LKATTRS_OK);
  size_t nchg = pm_diff(before, after, B->chg);
  AT(!r.refused);
  AI(r.attrs_changed, nchg);
  AI(r.name_changed, name_changed);
  AI(r.metadata_changed, md_changed);
  AI(r.changed, nchg || name_changed || md_changed);
  AI(r.version, after->version);
  AI(r.reason, LKATTRS_REASON_OK);
  AT(!r.echo_dropped);
  uint32_t rid = kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST ? 0 : u->rid;
  AI(r.request_id, rid);
  lkattrs_origin o = rules ? rules->origin : LKATTRS_ORIGIN_CLIENT;
  AI(r.respond, o <= LKATTRS_ORIGIN_AGENT || rid != 0);
  assert_resp_(&r, want_response(u, kind, LKATTRS_OK, 0, true, false), file, line);
  check_model_(p, after, file, line);
  check_changes_(p, before, after, file, line);
}
#define apply_ok(p, u, kind, rules, before, after, nc, mc) \
  apply_ok_((p), (u), (kind), (rules), (before), (after), (nc), (mc), __FILE__, __LINE__)

/* A state with the typical fields, name, metadata, version and attrs. */
static void load_typical(lkattrs_participant *p, pmodel *m, const char *name, const char *md,
                         uint32_t version, const char *const *kv) {
  pm_init(m);
  pbuf *in = &B->in;
  in->n = 0;
  typical_fields(in, m, PM_SEG0);
  if (md) pb_str(in, 5, md), mmd(m, md);
  typical_fields(in, m, PM_SEG1);
  if (name) pb_str(in, 9, name), mname(m, name);
  if (version) pb_uint(in, 10, version);
  m->version = version;
  typical_fields(in, m, PM_SEG2);
  for (; kv && kv[0]; kv += 2) {
    pb_entry(in, 15, kv[0], kv[1]);
    mset(m, kv[0], kv[1]);
  }
  typical_fields(in, m, PM_SEG3);
  pb_uint(in, 99, 5); /* an unknown field */
  mseg_uint(m, 99, 5);
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, NULL), LKATTRS_OK);
  check_model(p, m);
}

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_apply_basic(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  pmodel *m = &B->m, *old = &B->m_old;
  lkattrs_rules grant = client_rules(true);
  load_typical(p, m, "Alice", "meta", 7, KV("a", "1", "b", "2", "c", "3"));

  for (int kind = 0; kind < 3; kind++) {
    lkattrs_update_kind k = (lkattrs_update_kind)kind;
    lkattrs_rules rules = grant;
    if (k == LKATTRS_UPDATE_PARTICIPANT_REQUEST) rules = origin_rules(LKATTRS_ORIGIN_SERVER, false);
    load_typical(p, m, "Alice", "meta", 7, KV("a", "1", "b", "2", "c", "3"));
    /* Set, delete, a duplicate resolving to the same value, delete absent. */
    lkattrs_entry up[] = {E("d", "4"), E("b", ""), E("a", "9"), E("a", "1"), E("zz", "")};
    pupd u = {NULL, NULL, up, ARRAY_LEN(up), 42};
    *old = *m;
    mset(m, "d", "4");
    mset(m, "b", "");
    m->version = 8;
    apply_ok(p, &u, k, &rules, old, m, false, false);
    assert_int_equal(lkattrs_participant_changes(p), 2);
    {
      lkattrs_change c;
      assert_int_equal(lkattrs_participant_change_at(p, 0, &c), LKATTRS_OK);
      assert_memory_equal(c.key, "b", 1);
      assert_true(c.had_old && !c.has_new);
      assert_int_equal(c.old_len, 1);
      assert_memory_equal(c.old_value, "2", 1);
      assert_int_equal(c.new_len, 0);
    }
    check_views(p);
    /* The same again: a no-op, no version bump, answered all the same. */
    *old = *m;
    apply_ok(p, &u, k, &rules, old, m, false, false);
    assert_int_equal(lkattrs_participant_changes(p), 0);
    /* An empty update: a no-op. */
    pupd e0 = {NULL, NULL, NULL, 0, 3};
    apply_ok(p, &e0, k, &rules, old, m, false, false);
    /* Replacing values; a key that prefixes others; non-ASCII keys. */
    lkattrs_entry up2[] = {E("c", "33"), E("\xc3\xa9", "\xe2\x82\xac"), E("ab", "x"),
                           E("a", "")};
    pupd u2 = {NULL, NULL, up2, ARRAY_LEN(up2), 0};
    mset(m, "c", "33");
    mset(m, "\xc3\xa9", "\xe2\x82\xac");
    mset(m, "ab", "x");
    mset(m, "a", "");
    m->version = 9;
    apply_ok(p, &u2, k, &rules, old, m, false, false);
  }
  lkattrs_participant_free(p);
}

static void test_apply_refusals(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  pmodel *m = &B->m;
  load_typical(p, m, "Alice", "meta", 3, KV("a", "1", "keep", "k"));
  lkattrs_rules none = client_rules(false), grant = client_rules(true);
  lkattrs_entry x1[] = {E("x", "1")};
  pupd u = {NULL, NULL, x1, 1, 5};
  for (int kind = 0; kind < 3; kind++) {
    lkattrs_update_kind k = (lkattrs_update_kind)kind;
    /* No grant: NOT_ALLOWED whatever the update holds, even nothing. */
    apply_refused(p, &u, k, &none, LKATTRS_E_NOT_ALLOWED, 0);
    apply_refused(p, &u, k, NULL, LKATTRS_E_NOT_ALLOWED, 0);
    lkattrs_rules agent = origin_rules(LKATTRS_ORIGIN_AGENT, false);
    apply_refused(p, &u, k, &agent, LKATTRS_E_NOT_ALLOWED, 0);
    pupd empty = {NULL, NULL, NULL, 0, 6};
    apply_refused(p, &empty, k, &none, LKATTRS_E_NOT_ALLOWED, 0);
    /* Entry rules: the first bad entry in wire order. */
    lkattrs_entry res[] = {E("ok", "1"), E("sip.phoneNumber", "+1555"), E("", "x")};
    pupd ur = {NULL, NULL, res, 3, 7};
    apply_refused(p, &ur, k, &grant, LKATTRS_E_RESERVED_NAME, 0);
    lkattrs_entry bad[][1] = {{E("", "v")},          {E("k\x1f", "v")},
                              {E("k\x7f", "v")},     {E("\xc2\x9f", "v")},
                              {E("\xff", "v")},      {E("k", "\xc3")},
                              {{"k", 1, "a\0b", 3}}, {{"\0", 1, "v", 1}},
                              {E("lk.agent.state", "x")}, {E("ingress.x", "x")},
                              {E("lk.", "x")},       {E("sip.", "x")}};
    lkattrs_status want[] = {LKATTRS_E_KEY_EMPTY,     LKATTRS_E_CONTROL_CHAR,
                             LKATTRS_E_CONTROL_CHAR,  LKATTRS_E_CONTROL_CHAR,
                             LKATTRS_E_UTF8,          LKATTRS_E_UTF8,
                             LKATTRS_E_NUL,           LKATTRS_E_NUL,
                             LKATTRS_E_RESERVED_NAME, LKATTRS_E_RESERVED_NAME,
                             LKATTRS_E_RESERVED_NAME, LKATTRS_E_RESERVED_NAME};
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
      lkattrs_entry two[2] = {E("fine", "1"), bad[i][0]};
      pupd ub = {NULL, NULL, two, 2, (uint32_t)(100 + i)};
      apply_refused(p, &ub, k, &grant, want[i], 0);
      /* detail: the entry, the key as a view into the update. */
      build_update(&B->upd, &ub, k);
      lkattrs_update_result r;
      lkattrs_error_detail d;
      assert_int_equal(lkattrs_participant_apply(p, B->upd.b, B->upd.n, k, &grant, NULL, &r, &d),
                       want[i]);
      assert_int_equal(d.index, 1);
      assert_int_equal(d.key_len, bad[i][0].key_len);
      if (d.key_len)
        assert_true((const unsigned char *)d.key > B->upd.b &&
                    (const unsigned char *)d.key + d.key_len <= B->upd.b + B->upd.n);
    }
    /* A delete of a reserved name is refused too (the key is checked). */
    lkattrs_entry delres[] = {E("sip.callID", "")};
    pupd ud = {NULL, NULL, delres, 1, 9};
    apply_refused(p, &ud, k, &grant, LKATTRS_E_RESERVED_NAME, 0);
    /* The agent may write lk.agent.*, not the rest of lk. */
    lkattrs_rules ag = origin_rules(LKATTRS_ORIGIN_AGENT, true);
    lkattrs_entry lkx[] = {E("lk.agent.state", "x"), E("lk.other", "y")};
    pupd ul = {NULL, NULL, lkx, 2, 10};
    apply_refused(p, &ul, k, &ag, LKATTRS_E_RESERVED_NAME, 0);
    /* Key length (default 256), value length, the update and the map. */
    static char k257[258];
    memset(k257, 'k', 257);
    lkattrs_entry kl[] = {E(k257, "v")};
    pupd ukl = {NULL, NULL, kl, 1, 11};
    apply_refused(p, &ukl, k, &grant, LKATTRS_E_KEY_TOO_LONG, 0);
    lkattrs_limits lim = LKATTRS_LIMITS_INIT;
    lim.max_value_bytes = 3;
    lim.max_update_bytes = 6;
    lim.max_map_bytes = 12; /* the state holds a:1 keep:k = 7 */
    lim.max_entries = 3;
    lkattrs_rules lr = grant;
    lr.limits = &lim;
    lkattrs_entry vl[] = {E("v", "1234")};
    pupd uvl = {NULL, NULL, vl, 1, 12};
    apply_refused(p, &uvl, k, &lr, LKATTRS_E_VALUE_TOO_LONG, 0);
    lkattrs_entry ub7[] = {E("abc", "1234")};
    pupd uu = {NULL, NULL, ub7, 1, 13};
    lim.max_value_bytes = 0;
    apply_refused(p, &uu, k, &lr, LKATTRS_E_TOO_LARGE, 0);
    /* A deleted entry counts its key; a no-op entry counts too. */
    lkattrs_entry del7[] = {E("abcdefg", "")};
    pupd udel = {NULL, NULL, del7, 1, 14};
    apply_refused(p, &udel, k, &lr, LKATTRS_E_TOO_LARGE, 0);
    lkattrs_entry noop7[] = {E("keep", "k"), E("a", "1"), E("q", "")};
    pupd unoop = {NULL, NULL, noop7, 3, 15};
    apply_refused(p, &unoop, k, &lr, LKATTRS_E_TOO_LARGE, 0);
    /* The map: 7 + 6 = 13 > 12. */
    lkattrs_entry big[] = {E("bb", "1234")};
    pupd ubig = {NULL, NULL, big, 1, 16};
    apply_refused(p, &ubig, k, &lr, LKATTRS_E_TOO_LARGE, 0);
    lkattrs_entry four[] = {E("b", "1"), E("c", "1")};
    pupd ufour = {NULL, NULL, four, 2, 17};
    apply_refused(p, &ufour, k, &lr, LKATTRS_E_TOO_MANY_ENTRIES, 0);
    /* Not refused: duplicates resolved before the update's size (the
     * last one wins); exactly at each limit; a delete making room. */
    pmodel *old = &B->m_old;
    lkattrs_entry dup[] = {E("x", "0123456789"), E("x", "1234")};
    pupd udup = {NULL, NULL, dup, 2, 18};
    *old = *m;
    mset(m, "x", "1234"); /* the map: 12 */
    m->version++;
    apply_ok(p, &udup, k, &lr, old, m, false, false);
    lkattrs_entry swap[] = {E("x", ""), E("b", "1"), E("c", "")};
    pupd uswap = {NULL, NULL, swap, 3, 19};
    *old = *m;
    mset(m, "x", "");
    mset(m, "b", "1");
    m->version++;
    apply_ok(p, &uswap, k, &lr, old, m, false, false);
    lkattrs_entry fill[] = {E("c", "123")}; /* 7 + 2 + 4 = 13: too large */
    pupd ufill = {NULL, NULL, fill, 1, 20};
    apply_refused(p, &ufill, k, &lr, LKATTRS_E_TOO_LARGE, 0);
    lkattrs_entry fill2[] = {E("c", "12")}; /* 12: fits, 4 entries: too many */
    pupd ufill2 = {NULL, NULL, fill2, 1, 21};
    apply_refused(p, &ufill2, k, &lr, LKATTRS_E_TOO_MANY_ENTRIES, 0);
    lkattrs_entry fill3[] = {E("b", ""), E("c", "12")};
    pupd ufill3 = {NULL, NULL, fill3, 2, 22};
    *old = *m;
    mset(m, "b", "");
    mset(m, "c", "12");
    m->version++;
    apply_ok(p, &ufill3, k, &lr, old, m, false, false);
    /* Back to the start for the next kind. */
    load_typical(p, m, "Alice", "meta", 3, KV("a", "1", "keep", "k"));
    /* skip_namespace_rules; SERVER and TRUSTED may write anything. */
    lkattrs_rules skip = grant;
    skip.skip_namespace_rules = true;
    pupd ur2 = {NULL, NULL, res, 2, 23};
    *old = *m;
    mset(m, "ok", "1");
    mset(m, "sip.phoneNumber", "+1555");
    m->version++;
    apply_ok(p, &ur2, k, &skip, old, m, false, false);
    lkattrs_entry srv[] = {E("sip.phoneNumber", ""), E("lk.x", "1"), E("ingress.y", "2")};
    pupd us = {NULL, NULL, srv, 3, 0};
    for (int o = LKATTRS_ORIGIN_SERVER; o <= LKATTRS_ORIGIN_TRUSTED; o++) {
      lkattrs_rules ro = origin_rules((lkattrs_origin)o, false);
      *old = *m;
      mset(m, "sip.phoneNumber", "");
      mset(m, "lk.x", "1");
      mset(m, "ingress.y", "2");
      if (pm_diff(old, m, B->chg)) m->version++;
      apply_ok(p, &us, k, &ro, old, m, false, false);
    }
    load_typical(p, m, "Alice", "meta", 3, KV("a", "1", "keep", "k"));
  }
  lkattrs_participant_free(p);
}

static void test_apply_name_metadata(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  pmodel *m = &B->m, *old = &B->m_old;
  lkattrs_rules grant = client_rules(true);
  for (int kind = 0; kind < 3; kind++) {
    lkattrs_update_kind k = (lkattrs_update_kind)kind;
    load_typical(p, m, "Old", "m0", 1, KV("a", "1"));
    /* A new name, the same metadata: only the name changes. */
    pupd u = {"m0", "New", NULL, 0, 1};
    *old = *m;
    mname(m, "New");
    m->version = 2;
    apply_ok(p, &u, k, &grant, old, m, true, false);
    assert_int_equal(lkattrs_participant_changes(p), 0);
    /* The same again: nothing. */
    apply_ok(p, &u, k, &grant, old, m, false, false);
    /* Empty name and metadata replace nothing. */
    lkattrs_entry b2[] = {E("b", "2")};
    pupd u2 = {"", "", b2, 1, 2};
    mset(m, "b", "2");
    m->version = 3;
    apply_ok(p, &u2, k, &grant, old, m, false, false);
    /* Metadata with control characters (allowed), and attributes. */
    *old = *m;
    lkattrs_entry b3[] = {E("b", "3")};
    pupd u3 = {"line1\nline2\t\x01", NULL, b3, 1, 3};
    mmd(m, "line1\nline2\t\x01");
    mset(m, "b", "3");
    m->version = 4;
    apply_ok(p, &u3, k, &grant, old, m, false, true);
    /* On a participant without name or metadata. */
    load_typical(p, m, NULL, NULL, 0, NULL);
    *old = *m;
    pupd u4 = {"\xe2\x82\xac md", "\xc3\xa9lise", NULL, 0, 4};
    mmd(m, "\xe2\x82\xac md");
    mname(m, "\xc3\xa9lise");
    m->version = 1;
    apply_ok(p, &u4, k, &grant, old, m, true, true);
    check_views(p);

    /* Text rules: NUL, bad UTF-8 (detail in_value, offset in the update). */
    lkattrs_entry ok1[] = {E("z", "1")};
    static const char *const bad_text[] = {"a\xff", "\xe2\x82", "\xed\xbf\xbf", "\xf4\x90\x80\x80"};
    for (size_t i = 0; i < ARRAY_LEN(bad_text); i++) {
      pupd un = {NULL, bad_text[i], ok1, 1, 5};
      apply_refused(p, &un, k, &grant, LKATTRS_E_UTF8, 0);
      pupd um = {bad_text[i], NULL, ok1, 1, 5};
      apply_refused(p, &um, k, &grant, LKATTRS_E_UTF8, 0);
    }
    /* NUL: built by hand (the builder takes C strings). */
    {
      B->upd.n = 0;
      pbuf *body = &B->tmp;
      body->n = 0;
      uint32_t nf = k == LKATTRS_UPDATE_PARTICIPANT_REQUEST ? 5 : 2;
      pb_bytes(body, nf, "ab\0c", 4);
      if (k == LKATTRS_UPDATE_SIGNAL_REQUEST) pb_sub(&B->upd, 15, body);
      else pb_raw(&B->upd, body->b, body->n);
      snap sn = snap_take(p);
      lkattrs_update_result r;
      lkattrs_error_detail d;
      assert_int_equal(lkattrs_participant_apply(p, B->upd.b, B->upd.n, k, &grant, NULL, &r, &d),
                       LKATTRS_E_NUL);
      assert_true(r.refused);
      assert_int_equal(r.reason, LKATTRS_REASON_INVALID_REQUEST);
      assert_true(d.in_value);
      assert_int_equal(B->upd.b[d.offset], 0); /* the offset of the U+0000 */
      snap_check(p, &sn);
    }
    /* Limits: name (0: unlimited), metadata; name checked first. */
    lkattrs_rules lr = grant;
    lr.max_name_bytes = 3;
    lr.max_metadata_bytes = 4;
    pupd n4 = {NULL, "abcd", NULL, 0, 6};
    apply_refused(p, &n4, k, &lr, LKATTRS_E_TOO_LARGE, 1);
    pupd m5 = {"abcde", NULL, NULL, 0, 7};
    apply_refused(p, &m5, k, &lr, LKATTRS_E_TOO_LARGE, 2);
    pupd both = {"abcde", "abcd", NULL, 0, 8};
    apply_refused(p, &both, k, &lr, LKATTRS_E_TOO_LARGE, 1);
    pupd nbad = {"abcde", "a\xff", NULL, 0, 8};
    apply_refused(p, &nbad, k, &lr, LKATTRS_E_UTF8, 0);
    /* Name and metadata are checked before the attributes. */
    lkattrs_entry resv[] = {E("sip.callID", "1")};
    pupd nres = {NULL, "abcd", resv, 1, 9};
    apply_refused(p, &nres, k, &lr, LKATTRS_E_TOO_LARGE, 1);
    /* Exactly at the limits: fine. */
    pupd at = {"abcd", "abc", NULL, 0, 10};
    *old = *m;
    mmd(m, "abcd");
    mname(m, "abc");
    m->version++;
    apply_ok(p, &at, k, &lr, old, m, true, true);
    /* The default metadata limit, 524288 bytes (built by hand: longer
     * than a pbuf). */
    if (k == LKATTRS_UPDATE_PARTICIPANT_METADATA) {
      size_t cap = 524300;
      unsigned char *msg = malloc(cap);
      assert_non_null(msg);
      for (size_t extra = 0; extra < 2; extra++) {
        size_t len = 524288 + extra, n = 0;
        msg[n++] = 0x0a;
        for (size_t v = len; v >= 0x80; v >>= 7) msg[n++] = (unsigned char)(v | 0x80);
        msg[n++] = (unsigned char)(len >> 14);
        memset(msg + n, 'm', len);
        n += len;
        lkattrs_update_result r;
        lkattrs_rules dr = grant; /* LKATTRS_RULES_INIT: the default */
        snap sn = snap_take(p);
        lkattrs_status st = lkattrs_participant_apply(p, msg, n, k, &dr, NULL, &r, NULL);
        if (extra) {
          assert_int_equal(st, LKATTRS_E_TOO_LARGE);
          snap_check(p, &sn);
        } else {
          free(sn.b);
          assert_int_equal(st, LKATTRS_OK);
          assert_true(r.metadata_changed);
          size_t il = 0;
          (void)info_bytes(p, &il);
          assert_true(il > len);
        }
      }
      free(msg);
    }
  }
  lkattrs_participant_free(p);
}

/* A message that is dropped (wire errors, NOT_FOUND): the status, no
 * response, not a refusal, the state unchanged. */
static void apply_dropped_(lkattrs_participant *p, const void *msg, size_t len,
                           lkattrs_update_kind kind, lkattrs_status st, size_t offset, AT_LINE) {
  snap sn = snap_take(p);
  lkattrs_rules grant = client_rules(true);
  lkattrs_response_buf rb = full_resp(true, true);
  lkattrs_update_result r;
  lkattrs_error_detail d;
  AI(lkattrs_participant_apply(p, msg, len, kind, &grant, &rb, &r, &d), st);
  AI(d.code, st);
  if (offset != SIZE_MAX) AI(d.offset, offset);
  AI(r.resp_len, 0);
  AT(!r.refused);
  AT(!r.changed);
  AI(r.version, sn.version);
  AI(lkattrs_participant_changes(p), 0);
  snap_check_(p, &sn, file, line);
}
#define apply_dropped(p, msg, len, kind, st, offset) \
  apply_dropped_((p), (msg), (len), (kind), (st), (offset), __FILE__, __LINE__)

static void test_apply_kinds(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  pmodel *m = &B->m, *old = &B->m_old;
  lkattrs_rules grant = client_rules(true);
  lkattrs_update_result r;
  lkattrs_response_buf rb = full_resp(true, false);
  pbuf *q = &B->upd;
  load_typical(p, m, "N", NULL, 1, KV("a", "1"));

  /* Server API: UpdateParticipantRequest, reserved names allowed, no
   * response wanted (no request_id), the echo renumbered. */
  lkattrs_entry up[] = {E("sip.callStatus", "active"), E("a", "")};
  pupd u = {"new md", "Server Name", up, 2, 0};
  lkattrs_rules srv = origin_rules(LKATTRS_ORIGIN_SERVER, false);
  *old = *m;
  mset(m, "sip.callStatus", "active");
  mset(m, "a", "");
  mmd(m, "new md");
  mname(m, "Server Name");
  m->version = 2;
  apply_ok(p, &u, LKATTRS_UPDATE_PARTICIPANT_REQUEST, &srv, old, m, true, true);
  /* Its echo: {1 md, 2 name, 3 entries} (room, identity, permission left
   * out). */
  build_update(q, &u, LKATTRS_UPDATE_PARTICIPANT_REQUEST);
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_PARTICIPANT_REQUEST,
                                             &srv, &rb, &r, NULL),
                   LKATTRS_OK);
  assert_false(r.respond);
  assert_false(r.changed);
  B->tmp.n = 0;
  pb_str(&B->tmp, 1, "new md");
  pb_str(&B->tmp, 2, "Server Name");
  pb_entry(&B->tmp, 3, "sip.callStatus", "active");
  pb_entry(&B->tmp, 3, "a", "");
  B->exp2.n = 0;
  pb_sub(&B->exp2, 7, &B->tmp);
  assert_resp(&r, &B->exp2);
  /* request_id, a field of UpdateParticipantMetadata only, is not read
   * from an UpdateParticipantRequest (its field 4 is the permission). */
  assert_int_equal(r.request_id, 0);

  /* Bare UpdateParticipantMetadata with the envelope, no echo:
   * SignalResponse{request_response: {request_id: 11}}. */
  lkattrs_entry kv[] = {E("k", "v")};
  pupd u2 = {NULL, NULL, kv, 1, 11};
  build_update(q, &u2, LKATTRS_UPDATE_PARTICIPANT_METADATA);
  lkattrs_response_buf env = full_resp(false, true);
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_PARTICIPANT_METADATA,
                                             &grant, &env, &r, NULL),
                   LKATTRS_OK);
  assert_true(r.changed);
  assert_true(r.respond);
  static const unsigned char want_env[] = {0xb2, 0x01, 0x02, 0x08, 0x0b};
  assert_int_equal(r.resp_len, sizeof want_env);
  assert_memory_equal(B->resp, want_env, sizeof want_env);
  /* Envelope and echo. */
  *old = *m;
  mset(m, "k", "v");
  m->version = 3;
  check_model(p, m);
  build_update(q, &u2, LKATTRS_UPDATE_SIGNAL_REQUEST);
  lkattrs_response_buf both = full_resp(true, true);
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant,
                                             &both, &r, NULL),
                   LKATTRS_OK);
  assert_resp(&r, want_response(&u2, LKATTRS_UPDATE_SIGNAL_REQUEST, LKATTRS_OK, 0, true, true));
  /* A request_id of 2^32-1 (5 varint bytes); one above 32 bits is cut to
   * uint32 as protobuf does. */
  q->n = 0;
  pb_entry(q, 3, "k", "w");
  pb_uint(q, 4, UINT32_MAX);
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_PARTICIPANT_METADATA,
                                             &grant, &rb, &r, NULL),
                   LKATTRS_OK);
  assert_int_equal(r.request_id, UINT32_MAX);
  B->tmp.n = 0;
  pb_uint(&B->tmp, 1, UINT32_MAX);
  pb_sub(&B->tmp, 7, q);
  assert_resp(&r, &B->tmp);
  q->n = 0;
  pb_uint(q, 4, ((uint64_t)1 << 32) + 9);
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_PARTICIPANT_METADATA,
                                             &grant, &rb, &r, NULL),
                   LKATTRS_OK);
  assert_int_equal(r.request_id, 9);

  /* Unknown fields inside the update are skipped; the echo of an
   * UpdateParticipantMetadata is the message as received. */
  q->n = 0;
  pb_uint(q, 9, 1);
  pb_entry(q, 3, "k", "u");
  pb_str(q, 100, "x");
  pb_uint(q, 4, 77);
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_PARTICIPANT_METADATA,
                                             &grant, &rb, &r, NULL),
                   LKATTRS_OK);
  assert_true(r.changed);
  assert_int_equal(r.request_id, 77);
  B->tmp.n = 0;
  pb_uint(&B->tmp, 1, 77);
  pb_sub(&B->tmp, 7, q);
  assert_resp(&r, &B->tmp);
  mset(m, "k", "u");
  m->version = 5;
  check_model(p, m);

  /* SignalRequest: the arm is the last field.  Another arm last:
   * NOT_FOUND; an empty message: NOT_FOUND. */
  q->n = 0;
  pb_uint(q, 14, 12345); /* ping */
  apply_dropped(p, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST, LKATTRS_E_NOT_FOUND, SIZE_MAX);
  build_body(&B->tmp, &u2, true);
  q->n = 0;
  pb_sub(q, 15, &B->tmp);
  pb_uint(q, 14, 12345);
  apply_dropped(p, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST, LKATTRS_E_NOT_FOUND, SIZE_MAX);
  apply_dropped(p, NULL, 0, LKATTRS_UPDATE_SIGNAL_REQUEST, LKATTRS_E_NOT_FOUND, SIZE_MAX);
  apply_dropped(p, "", 0, LKATTRS_UPDATE_SIGNAL_REQUEST, LKATTRS_E_NOT_FOUND, SIZE_MAX);
  /* update_metadata after another arm: only the parts after it count;
   * two consecutive parts merge (as protobuf merges a message field). */
  {
    lkattrs_entry e1[] = {E("first", "1")}, e2[] = {E("second", "2")}, e3[] = {E("third", "3")};
    pupd p1 = {"md1", NULL, e1, 1, 1}, p2 = {NULL, "nm2", e2, 1, 0}, p3 = {NULL, NULL, e3, 1, 99};
    q->n = 0;
    build_body(&B->tmp, &p1, true);
    pb_sub(q, 15, &B->tmp);
    pb_uint(q, 14, 1);
    build_body(&B->tmp, &p2, true);
    pb_sub(q, 15, &B->tmp);
    build_body(&B->tmp, &p3, true);
    pb_sub(q, 15, &B->tmp);
    *old = *m;
    assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST,
                                               &grant, &rb, &r, NULL),
                     LKATTRS_OK);
    mset(m, "second", "2");
    mset(m, "third", "3");
    mname(m, "nm2");
    m->version = 6;
    check_model(p, m);
    check_changes(p, old, m);
    assert_int_equal(r.request_id, 99);
    assert_true(r.name_changed);
    assert_false(r.metadata_changed);
    /* The echo: the parts that count, concatenated as received. */
    B->echo.n = 0;
    build_body(&B->tmp, &p2, true);
    pb_raw(&B->echo, B->tmp.b, B->tmp.n);
    build_body(&B->tmp, &p3, true);
    pb_raw(&B->echo, B->tmp.b, B->tmp.n);
    pm_response(&B->exp2, 99, 0, "", 0, &B->echo, false);
    assert_resp(&r, &B->exp2);
  }
  /* A repeated metadata or name field: the last one counts. */
  q->n = 0;
  pb_str(q, 2, "first name");
  pb_str(q, 1, "first md");
  pb_str(q, 2, "last name");
  pb_str(q, 1, "last md");
  *old = *m;
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_PARTICIPANT_METADATA,
                                             &grant, &rb, &r, NULL),
                   LKATTRS_OK);
  mname(m, "last name");
  mmd(m, "last md");
  m->version = 7;
  check_model(p, m);
  B->tmp.n = 0;
  pb_sub(&B->tmp, 7, q); /* the echo: as received */
  assert_resp(&r, &B->tmp);

  /* Malformed messages are dropped: no response. */
  build_update(q, &u2, LKATTRS_UPDATE_SIGNAL_REQUEST);
  apply_dropped(p, q->b, q->n - 1, LKATTRS_UPDATE_SIGNAL_REQUEST, LKATTRS_E_WIRE_TRUNCATED, 0);
  static const unsigned char key_varint[] = {0x7a, 0x04, 0x1a, 0x02, 0x08, 0x01};
  apply_dropped(p, key_varint, sizeof key_varint, LKATTRS_UPDATE_SIGNAL_REQUEST,
                LKATTRS_E_WIRE_MALFORMED, 4);
  apply_dropped(p, key_varint + 2, 4, LKATTRS_UPDATE_PARTICIPANT_METADATA,
                LKATTRS_E_WIRE_MALFORMED, 2);
  static const unsigned char arm_varint[] = {0x78, 0x01}; /* field 15 as a varint */
  apply_dropped(p, arm_varint, 2, LKATTRS_UPDATE_SIGNAL_REQUEST, LKATTRS_E_WIRE_MALFORMED, 0);
  /* Inside the arm a field running past its end is malformed (the
   * message itself is not cut). */
  static const unsigned char inner_long[] = {0x7a, 0x02, 0x0a, 0x05, 0x00, 0x00, 0x00, 0x00};
  apply_dropped(p, inner_long, sizeof inner_long, LKATTRS_UPDATE_SIGNAL_REQUEST,
                LKATTRS_E_WIRE_MALFORMED, SIZE_MAX);
  static const unsigned char md_varint[] = {0x08, 0x01};
  apply_dropped(p, md_varint, 2, LKATTRS_UPDATE_PARTICIPANT_METADATA, LKATTRS_E_WIRE_MALFORMED, 0);
  static const unsigned char name_varint[] = {0x28, 0x01};
  apply_dropped(p, name_varint, 2, LKATTRS_UPDATE_PARTICIPANT_REQUEST, LKATTRS_E_WIRE_MALFORMED, 0);
  static const unsigned char attrs_varint[] = {0x30, 0x01};
  apply_dropped(p, attrs_varint, 2, LKATTRS_UPDATE_PARTICIPANT_REQUEST, LKATTRS_E_WIRE_MALFORMED, 0);
  static const unsigned char rid_bytes[] = {0x22, 0x00};
  apply_dropped(p, rid_bytes, 2, LKATTRS_UPDATE_PARTICIPANT_METADATA, LKATTRS_E_WIRE_MALFORMED, 0);
  static const unsigned char group[] = {0x0a, 0x00, 0x0b};
  apply_dropped(p, group, 3, LKATTRS_UPDATE_PARTICIPANT_METADATA, LKATTRS_E_WIRE_MALFORMED, 2);
  static const unsigned char long_varint[] = {0x20, 0xff, 0xff, 0xff, 0xff, 0xff,
                                              0xff, 0xff, 0xff, 0xff, 0x7f};
  apply_dropped(p, long_varint, sizeof long_varint, LKATTRS_UPDATE_PARTICIPANT_METADATA,
                LKATTRS_E_WIRE_MALFORMED, 0);
  /* A malformed message is dropped before the permission is looked at. */
  {
    lkattrs_rules none = client_rules(false);
    snap sn = snap_take(p);
    assert_int_equal(lkattrs_participant_apply(p, md_varint, 2, LKATTRS_UPDATE_PARTICIPANT_METADATA,
                                               &none, &rb, &r, NULL),
                     LKATTRS_E_WIRE_MALFORMED);
    assert_false(r.refused);
    assert_int_equal(r.resp_len, 0);
    snap_check(p, &sn);
  }

  /* Arguments. */
  build_update(q, &u2, LKATTRS_UPDATE_SIGNAL_REQUEST);
  snap sn = snap_take(p);
  lkattrs_error_detail d;
  assert_int_equal(lkattrs_participant_apply(NULL, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST,
                                             &grant, &rb, &r, &d),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(d.code, LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant,
                                             &rb, NULL, &d),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_apply(p, NULL, 3, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant,
                                             &rb, &r, &d),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, (lkattrs_update_kind)3, &grant, &rb,
                                             &r, &d),
                   LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_rules bad = grant;
  bad.origin = (lkattrs_origin)7;
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST, &bad,
                                             &rb, &r, &d),
                   LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_response_buf small = {B->resp, LKATTRS_RESPONSE_MIN_BYTES - 1, true, false};
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant,
                                             &small, &r, &d),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(r.resp_len, 0);
  snap_check(p, &sn);
  /* No response wanted: resp NULL, or resp->data NULL (any cap). */
  lkattrs_response_buf nodata = {NULL, 0, true, true};
  *old = *m;
  assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant,
                                             &nodata, &r, NULL),
                   LKATTRS_OK);
  assert_int_equal(r.resp_len, 0);
  assert_true(r.changed);
  mset(m, "k", "v");
  m->version = 8;
  check_model(p, m);
  lkattrs_participant_free(p);
}

/* The version wraps to 0 (and is then left out of the bytes). */
static void test_apply_version_wrap(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  pmodel *m = &B->m, *old = &B->m_old;
  lkattrs_rules grant = client_rules(true);
  load_typical(p, m, "N", NULL, UINT32_MAX, KV("a", "1"));
  lkattrs_entry up[] = {E("a", "2")};
  pupd u = {NULL, NULL, up, 1, 1};
  *old = *m;
  mset(m, "a", "2");
  m->version = 0;
  apply_ok(p, &u, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant, old, m, false, false);
  *old = *m;
  mset(m, "a", "3");
  m->version = 1;
  lkattrs_entry up2[] = {E("a", "3")};
  pupd u2 = {NULL, NULL, up2, 1, 2};
  apply_ok(p, &u2, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant, old, m, false, false);
  lkattrs_participant_free(p);
}

/* ---- the response buffer ---- */

static void test_response_buffers(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  pmodel *m = &B->m;
  lkattrs_rules grant = client_rules(true), none = client_rules(false);
  lkattrs_update_result r;
  pbuf *q = &B->upd;
  load_typical(p, m, "N", NULL, 1, KV("a", "1"));
  static char longv[400];
  memset(longv, 'v', sizeof longv - 1);
  lkattrs_entry up[] = {E("k", longv)};
  pupd u = {NULL, NULL, up, 1, 1234};
  for (int env = 0; env < 2; env++) {
    for (int refused = 0; refused < 2; refused++) {
      const lkattrs_rules *rules = refused ? &none : &grant;
      lkattrs_status st = refused ? LKATTRS_E_NOT_ALLOWED : LKATTRS_OK;
      build_update(q, &u, LKATTRS_UPDATE_SIGNAL_REQUEST);
      size_t full = want_response(&u, LKATTRS_UPDATE_SIGNAL_REQUEST, st, 0, true, env)->n;
      size_t bare = want_response(&u, LKATTRS_UPDATE_SIGNAL_REQUEST, st, 0, false, env)->n;
      assert_true(full > LKATTRS_RESPONSE_MIN_BYTES);
      assert_true(bare <= LKATTRS_RESPONSE_MIN_BYTES);
      assert_true(full <= LKATTRS_RESPONSE_MAX_BYTES(q->n));
      size_t cs[] = {LKATTRS_RESPONSE_MIN_BYTES, LKATTRS_RESPONSE_MIN_BYTES + 1, full - 1, full,
                     LKATTRS_RESPONSE_MAX_BYTES(q->n)};
      for (size_t c = 0; c < ARRAY_LEN(cs); c++) {
        /* A fresh state each time so that each apply changes something. */
        load_typical(p, m, "N", NULL, 1, KV("a", "1"));
        lkattrs_response_buf rb = {B->resp, cs[c], true, env != 0};
        memset(B->resp, 0xEE, cs[c] + 1);
        assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST,
                                                   rules, &rb, &r, NULL),
                         st);
        bool dropped = cs[c] < full;
        assert_int_equal(r.echo_dropped, dropped);
        assert_int_equal(r.refused, refused);
        assert_int_equal(r.changed, !refused);
        assert_resp(&r, want_response(&u, LKATTRS_UPDATE_SIGNAL_REQUEST, st, 0, !dropped, env));
        assert_true(r.resp_len <= cs[c]);
        assert_int_equal(B->resp[cs[c]], 0xEE); /* nothing written past cap */
      }
    }
  }
  /* LKATTRS_RESPONSE_MAX_BYTES(len) holds every response: big updates of
   * every kind, refused with the longest message or not. */
  static char bigmd[60000];
  memset(bigmd, 'x', sizeof bigmd - 1);
  lkattrs_entry many[40];
  char keys[40][8];
  for (size_t i = 0; i < 40; i++) {
    snprintf(keys[i], sizeof keys[i], "k%zu", i);
    many[i] = E(keys[i], i % 3 ? "v" : "");
  }
  pupd bigs[] = {{bigmd, "name", many, 40, UINT32_MAX}, {NULL, NULL, NULL, 0, 0},
                 {NULL, NULL, NULL, 0, UINT32_MAX}, {NULL, bigmd + 59000, many, 1, 1}};
  lkattrs_rules srv = origin_rules(LKATTRS_ORIGIN_SERVER, false);
  lkattrs_rules lim1 = grant;
  lim1.max_name_bytes = 1;
  const lkattrs_rules *rs[] = {&grant, &none, &lim1, &srv};
  for (size_t b = 0; b < ARRAY_LEN(bigs); b++)
    for (int kind = 0; kind < 3; kind++)
      for (size_t ri = 0; ri < ARRAY_LEN(rs); ri++)
        for (int env = 0; env < 2; env++) {
          lkattrs_update_kind k = (lkattrs_update_kind)kind;
          build_update(q, &bigs[b], k);
          size_t cap = LKATTRS_RESPONSE_MAX_BYTES(q->n);
          assert_int_equal(lkattrs_response_max_bytes(q->n), cap);
          lkattrs_response_buf rb = {B->resp, cap, true, env != 0};
          lkattrs_status st =
              lkattrs_participant_apply(p, q->b, q->n, k, rs[ri], &rb, &r, NULL);
          assert_true(st == LKATTRS_OK || r.refused);
          assert_false(r.echo_dropped);
          assert_true(r.resp_len > 0 && r.resp_len <= cap);
        }
  assert_int_equal(lkattrs_response_max_bytes(0), LKATTRS_RESPONSE_MIN_BYTES + 16u);
  assert_int_equal(lkattrs_response_max_bytes(SIZE_MAX), SIZE_MAX);
  assert_int_equal(lkattrs_response_max_bytes(SIZE_MAX - 100), SIZE_MAX);
  lkattrs_participant_free(p);
}

static void test_write_response(void **state) {
  (void)state;
  unsigned char out[512];
  size_t n = 99;
  /* SignalResponse{request_response: {request_id: 11}}. */
  assert_int_equal(lkattrs_write_response(11, 0, NULL, 0, true, out, sizeof out, &n), LKATTRS_OK);
  assert_int_equal(n, 5);
  assert_memory_equal(out, "\xb2\x01\x02\x08\x0b", 5);
  /* Every field, bare and wrapped; compared with the builder. */
  static const char longmsg[] =
      "a message longer than one hundred and twenty-seven bytes, to check that the caller's own"
      " message is written whole, not cut at LiveKit's 127 bytes";
  struct {
    uint32_t rid;
    int reason;
    const char *msg;
  } cases[] = {{0, 0, ""},
               {1, LKATTRS_REASON_NOT_ALLOWED, "no"},
               {UINT32_MAX, LKATTRS_REASON_INVALID_REQUEST, ""},
               {0, LKATTRS_REASON_LIMIT_EXCEEDED, "exceeds attributes size limit"},
               {300, 0, longmsg}};
  for (size_t i = 0; i < ARRAY_LEN(cases); i++)
    for (int env = 0; env < 2; env++) {
      size_t ml = strlen(cases[i].msg);
      pm_response(&B->exp, cases[i].rid, cases[i].reason, cases[i].msg, ml, NULL, env);
      memset(out, 0xEE, sizeof out);
      assert_int_equal(lkattrs_write_response(cases[i].rid, cases[i].reason, ml ? cases[i].msg : NULL,
                                              ml, env, out, sizeof out, &n),
                       LKATTRS_OK);
      assert_int_equal(n, B->exp.n);
      if (n) assert_memory_equal(out, B->exp.b, n);
      /* Exactly the size: fine; one byte less: BUFFER_TOO_SMALL with the
       * size needed, nothing written. */
      assert_int_equal(lkattrs_write_response(cases[i].rid, cases[i].reason, cases[i].msg, ml, env,
                                              out, B->exp.n, &n),
                       LKATTRS_OK);
      if (B->exp.n) {
        memset(out, 0xEE, sizeof out);
        assert_int_equal(lkattrs_write_response(cases[i].rid, cases[i].reason, cases[i].msg, ml,
                                                env, out, B->exp.n - 1, &n),
                         LKATTRS_E_BUFFER_TOO_SMALL);
        assert_int_equal(n, B->exp.n);
        assert_int_equal(out[0], 0xEE);
      }
    }
  /* {1: 11, 2: 3, 3: "x"} needs 7 bytes. */
  assert_int_equal(lkattrs_write_response(11, 3, "x", 1, false, out, 2, &n),
                   LKATTRS_E_BUFFER_TOO_SMALL);
  assert_int_equal(n, 7);
  /* Nothing to write: out may be NULL with cap 0. */
  assert_int_equal(lkattrs_write_response(0, 0, NULL, 0, false, NULL, 0, &n), LKATTRS_OK);
  assert_int_equal(n, 0);
  assert_int_equal(lkattrs_write_response(1, 0, NULL, 0, false, NULL, 0, &n),
                   LKATTRS_E_BUFFER_TOO_SMALL);
  assert_int_equal(n, 2);
  /* Arguments. */
  assert_int_equal(lkattrs_write_response(1, 0, NULL, 0, false, out, sizeof out, NULL),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_write_response(1, 0, NULL, 3, false, out, sizeof out, &n),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_write_response(1, 0, NULL, 0, false, NULL, 10, &n),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_write_response(1, -1, NULL, 0, false, out, sizeof out, &n),
                   LKATTRS_E_INVALID_ARGUMENT);
}

/* ---- fixed capacities ---- */

static void test_fixed_capacities(void **state) {
  (void)state;
  /* 4 attributes, 6 update entries, 200 bytes of info. */
  static unsigned char storage[LKATTRS_PARTICIPANT_FIXED_BYTES(200, 4, 6)];
  lkattrs_participant *p = fixed_state(storage, sizeof storage, 200, 4, 6);
  pmodel *m = &B->m, *old = &B->m_old;
  lkattrs_rules grant = client_rules(true), none = client_rules(false);
  lkattrs_error_detail d;
  pbuf *in = &B->in;
  load_typical(p, m, "N", NULL, 1, KV("a", "1", "b", "2"));

  /* apply: more raw entries than max_update_entries (duplicates count):
   * NOSPACE, a refusal with LIMIT_EXCEEDED; after the permission. */
  lkattrs_entry seven[] = {E("a", "1"), E("a", "1"), E("a", "1"), E("a", "1"),
                           E("a", "1"), E("a", "1"), E("a", "1")};
  pupd u7 = {NULL, NULL, seven, 7, 1};
  for (int kind = 0; kind < 3; kind++) {
    lkattrs_update_kind k = (lkattrs_update_kind)kind;
    apply_refused(p, &u7, k, &grant, LKATTRS_E_NOSPACE, 0);
    apply_refused(p, &u7, k, &none, LKATTRS_E_NOT_ALLOWED, 0);
    /* Name and metadata are checked before the capacity. */
    lkattrs_rules ln = grant;
    ln.max_name_bytes = 1;
    pupd u7n = {NULL, "long", seven, 7, 1};
    apply_refused(p, &u7n, k, &ln, LKATTRS_E_TOO_LARGE, 1);
    /* Six: fine (a no-op). */
    pupd u6 = {NULL, NULL, seven, 6, 1};
    apply_ok(p, &u6, k, &grant, m, m, false, false);
    /* A fifth attribute: NOSPACE; four: fine. */
    lkattrs_entry three[] = {E("c", "3"), E("d", "4"), E("e", "5")};
    pupd u3 = {NULL, NULL, three, 3, 2};
    apply_refused(p, &u3, k, &grant, LKATTRS_E_NOSPACE, 0);
    pupd u2 = {NULL, NULL, three, 2, 3};
    *old = *m;
    mset(m, "c", "3");
    mset(m, "d", "4");
    m->version++;
    apply_ok(p, &u2, k, &grant, old, m, false, false);
    /* A replacement at full count, and delete + insert, fit. */
    lkattrs_entry swap[] = {E("d", ""), E("e", "5"), E("a", "11")};
    pupd us = {NULL, NULL, swap, 3, 4};
    *old = *m;
    mset(m, "d", "");
    mset(m, "e", "5");
    mset(m, "a", "11");
    m->version++;
    apply_ok(p, &us, k, &grant, old, m, false, false);
    /* The info at exactly 200 bytes fits, one byte more does not (the
     * value length found with the model's encoding). */
    {
      static char fill[256];
      memset(fill, 'f', sizeof fill);
      size_t v = 0;
      pmodel *t = &B->m_old;
      for (;; v++) {
        *t = *m;
        pm_set(t, "a", 1, fill, v);
        pm_encode(t, &B->exp);
        if (B->exp.n >= 200) break;
      }
      lkattrs_entry over[] = {{"a", 1, fill, v + 1}};
      pupd uo = {NULL, NULL, over, 1, 5};
      apply_refused(p, &uo, k, &grant, LKATTRS_E_NOSPACE, 0);
      if (B->exp.n == 200) {
        lkattrs_entry exact[] = {{"a", 1, fill, v}};
        pupd ue = {NULL, NULL, exact, 1, 6};
        *old = *m;
        pm_set(m, "a", 1, fill, v);
        m->version++;
        apply_ok(p, &ue, k, &grant, old, m, false, false);
        size_t n200 = 0;
        (void)info_bytes(p, &n200);
        assert_int_equal(n200, 200);
        /* A longer name ("N" before): NOSPACE. */
        pupd un = {NULL, "NN", NULL, 0, 7};
        apply_refused(p, &un, k, &grant, LKATTRS_E_NOSPACE, 0);
      }
    }
    load_typical(p, m, "N", NULL, 1, KV("a", "1", "b", "2"));
  }

  /* load: raw entries over max_update_entries, distinct entries over
   * max_entries, bytes over max_info_bytes: NOSPACE, unchanged. */
  static char fill[256];
  memset(fill, 'f', sizeof fill);
  snap sn = snap_take(p);
  in->n = 0;
  for (int i = 0; i < 7; i++) pb_entry(in, 15, "a", "1");
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, &d), LKATTRS_E_NOSPACE);
  assert_int_equal(d.code, LKATTRS_E_NOSPACE);
  in->n = 0;
  for (int i = 0; i < 5; i++) {
    char k2[2] = {(char)('a' + i), 0};
    pb_entry(in, 15, k2, "v");
  }
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, &d), LKATTRS_E_NOSPACE);
  in->n = 0;
  pb_bytes(in, 5, fill, 198); /* 201 bytes */
  assert_int_equal(in->n, 201);
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, &d), LKATTRS_E_NOSPACE);
  snap_check(p, &sn);
  /* Six raw entries resolving to four: fine; exactly 200 bytes: fine. */
  in->n = 0;
  for (int i = 0; i < 6; i++) {
    char k2[2] = {(char)('a' + i % 4), 0};
    pb_entry(in, 15, k2, i < 4 ? "old" : "new");
  }
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, &d), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_count(p), 4);
  in->n = 0;
  pb_bytes(in, 5, fill, 197);
  assert_int_equal(in->n, 200);
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, &d), LKATTRS_OK);
  assert_bytes(p, in);

  /* set_fields: the new fields with the kept attributes (2 x 8 bytes) and
   * the version (2 bytes) over 200: NOSPACE. */
  assert_int_equal(lkattrs_participant_load(p, NULL, 0, NULL), LKATTRS_OK);
  lkattrs_entry two[] = {E("a", "1"), E("b", "2")};
  assert_int_equal(lkattrs_participant_join(p, two, 2, NULL, 0, NULL, NULL), LKATTRS_OK);
  sn = snap_take(p);
  in->n = 0;
  pb_bytes(in, 5, fill, 180); /* 183 + 2 + 16 = 201 */
  assert_int_equal(lkattrs_participant_set_fields(p, in->b, in->n, &d), LKATTRS_E_NOSPACE);
  snap_check(p, &sn);
  in->n = 0;
  pb_bytes(in, 5, fill, 179);
  assert_int_equal(lkattrs_participant_set_fields(p, in->b, in->n, &d), LKATTRS_OK);
  size_t n = 0;
  (void)info_bytes(p, &n);
  assert_int_equal(n, 200);

  /* join: a fifth attribute, or one byte too many: NOSPACE, unchanged. */
  sn = snap_take(p);
  lkattrs_entry five[] = {E("a", "1"), E("b", "1"), E("c", "1"), E("d", "1"), E("e", "1")};
  assert_int_equal(lkattrs_participant_join(p, five, 5, NULL, 0, NULL, &d), LKATTRS_E_NOSPACE);
  assert_int_equal(lkattrs_participant_join(p, five, 3, five + 3, 2, &grant, &d),
                   LKATTRS_E_NOSPACE);
  lkattrs_entry wide[] = {E("a", "1"), E("b", "22")};
  assert_int_equal(lkattrs_participant_join(p, wide, 2, NULL, 0, NULL, &d), LKATTRS_E_NOSPACE);
  assert_int_equal(lkattrs_participant_join(p, five, 2, five + 2, 2, &grant, &d),
                   LKATTRS_E_NOSPACE);
  snap_check(p, &sn);
  /* The same size: fine. */
  lkattrs_entry same[] = {E("a", "3"), E("b", "4")};
  assert_int_equal(lkattrs_participant_join(p, same, 2, NULL, 0, NULL, &d), LKATTRS_OK);
  (void)info_bytes(p, &n);
  assert_int_equal(n, 200);
  assert_int_equal(lkattrs_participant_set_fields(p, NULL, 0, &d), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_join(p, five, 2, five + 2, 2, &grant, &d), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_count(p), 4);
}

/* ---- heap growth, steady state ---- */

static void test_heap_growth(void **state) {
  (void)state;
  counting_alloc ca = {0};
  lkattrs_allocator a = counting_allocator(&ca);
  lkattrs_participant *p = NULL;
  assert_int_equal(lkattrs_participant_new(&a, &p), LKATTRS_OK);
  lkattrs_rules srv = origin_rules(LKATTRS_ORIGIN_SERVER, false);
  lkattrs_limits nolim = {0, 0, 0, 0, 0};
  srv.limits = &nolim;
  enum { N = 2000, PER = 100 };
  static char keys[N][8];
  static const char val[] = "0123456789012345678901234567890123456789";
  pbuf *q = &B->upd;
  /* 2000 attributes in 20 updates of 100 entries, keys interleaved. */
  for (size_t round = 0; round < N / PER; round++) {
    q->n = 0;
    for (size_t i = 0; i < PER; i++) {
      size_t k = i * (N / PER) + round;
      snprintf(keys[k], sizeof keys[k], "k%04zu", k);
      pb_entry(q, 3, keys[k], val);
    }
    lkattrs_update_result r;
    assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_PARTICIPANT_METADATA,
                                               &srv, NULL, &r, NULL),
                     LKATTRS_OK);
    assert_int_equal(r.attrs_changed, PER);
    assert_int_equal(lkattrs_participant_count(p), (round + 1) * PER);
    assert_int_equal(lkattrs_participant_changes(p), PER);
  }
  pbuf *x = &B->exp2;
  x->n = 0;
  pb_uint(x, 10, N / PER);
  for (size_t k = 0; k < N; k++) pb_entry(x, 15, keys[k], val);
  assert_bytes(p, x);
  assert_int_equal(lkattrs_participant_attrs_bytes(p), N * (5 + 40));
  for (size_t k = 0; k < N; k += 97) {
    const char *v;
    size_t vl;
    assert_int_equal(lkattrs_participant_get(p, keys[k], 5, &v, &vl), LKATTRS_OK);
    assert_int_equal(vl, 40);
  }
  check_views(p);
  /* Loading the same attributes in reverse order, with the version. */
  B->in.n = 0;
  for (size_t k = N; k-- > 0;) pb_entry(&B->in, 15, keys[k], val);
  pb_uint(&B->in, 10, N / PER);
  assert_int_equal(lkattrs_participant_load(p, B->in.b, B->in.n, NULL), LKATTRS_OK);
  assert_bytes(p, x);
  assert_int_equal(lkattrs_participant_changes(p), 0);

  /* Steady state: once the buffers have their working size, updates of
   * that size allocate nothing. */
  lkattrs_rules grant = client_rules(true);
  grant.limits = &nolim; /* the map is over the default 64 KiB */
  unsigned char resp[LKATTRS_RESPONSE_MAX_BYTES(4096)];
  lkattrs_response_buf rb = {resp, sizeof resp, true, true};
  for (int warm = 0; warm < 2; warm++) {
    size_t before = ca.calls;
    for (int i = 0; i < 50; i++) {
      char v[3] = {(char)('a' + i % 26), (char)('a' + (i / 26) % 26), 0};
      lkattrs_entry up[] = {E(keys[i % N], v), E(keys[(i * 7) % N], ""), E(keys[(i * 7) % N], val),
                            E("new", i % 2 ? "x" : "")};
      pupd u = {NULL, i % 3 ? "n1" : "n2", up, 4, (uint32_t)i + 1};
      build_update(q, &u, LKATTRS_UPDATE_SIGNAL_REQUEST);
      lkattrs_update_result r;
      assert_int_equal(lkattrs_participant_apply(p, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST,
                                                 &grant, &rb, &r, NULL),
                       LKATTRS_OK);
      assert_true(r.changed);
    }
    if (warm) assert_int_equal(ca.calls, before);
  }
  lkattrs_participant_free(p);
  assert_int_equal(ca.live_blocks, 0);
  assert_int_equal(ca.live_bytes, 0);
}

/* ---- allocation failures ---- */

/* One operation under test: run it on p; the expected result is checked
 * by `after` when it succeeds. */
typedef struct {
  const char *name;
  void (*prepare)(lkattrs_participant *p);
  lkattrs_status (*op)(lkattrs_participant *p);
  void (*after)(const lkattrs_participant *p);
} nomem_case;

static pmodel nm_before, nm_after;

static void prep_small(lkattrs_participant *p) {
  load_typical(p, &nm_before, "N", "md", 3, KV("a", "1", "m", "2", "z", "3"));
}

static void prep_empty(lkattrs_participant *p) {
  (void)p;
  pm_init(&nm_before);
}

static void after_model(const lkattrs_participant *p) {
  check_model(p, &nm_after);
  check_changes(p, &nm_before, &nm_after);
}

static char nm_keys[64][8];

static lkattrs_status op_load(lkattrs_participant *p) {
  pbuf *in = &B->in;
  pm_init(&nm_after);
  in->n = 0;
  pb_str(in, 1, "PA_y");
  mseg_str(&nm_after, 1, "PA_y");
  for (size_t i = 40; i-- > 0;) {
    snprintf(nm_keys[i], sizeof nm_keys[i], "k%02zu", i);
    pb_entry(in, 15, nm_keys[i], "value");
    if (i % 5 == 0) pb_entry(in, 15, nm_keys[i], ""); /* duplicates, some deleted */
    mset(&nm_after, nm_keys[i], i % 5 ? "value" : "");
  }
  pb_str(in, 9, "Name");
  mname(&nm_after, "Name");
  pb_uint(in, 10, 9);
  nm_after.version = 9;
  return lkattrs_participant_load(p, in->b, in->n, NULL);
}

static lkattrs_status op_set_fields(lkattrs_participant *p) {
  static char md[3000];
  memset(md, 'q', sizeof md - 1);
  pbuf *in = &B->in;
  nm_after = nm_before;
  memset(nm_after.seg, 0, sizeof nm_after.seg);
  memset(nm_after.seg_len, 0, sizeof nm_after.seg_len);
  in->n = 0;
  pb_str(in, 5, md);
  pb_str(in, 30, "tail");
  pb_entry(in, 15, "ignored", "x");
  nm_after.md_len = 0; /* 2999 bytes: checked by after_set_fields */
  nm_after.name_len = 0;
  mseg_str(&nm_after, 30, "tail");
  nm_after.version = nm_before.version + 1;
  lkattrs_status st = lkattrs_participant_set_fields(p, in->b, in->n, NULL);
  return st;
}

static void after_set_fields(const lkattrs_participant *p) {
  /* The model's metadata is too short for 2999 bytes: compare by hand. */
  static pbuf want;
  static char md[3000];
  memset(md, 'q', sizeof md - 1);
  want.n = 0;
  pb_str(&want, 5, md);
  pb_uint(&want, 10, nm_after.version);
  pm_encode_attrs(&nm_after, &want, 15);
  pb_str(&want, 30, "tail");
  assert_bytes(p, &want);
  assert_int_equal(lkattrs_participant_changes(p), 0);
  assert_int_equal(lkattrs_participant_count(p), nm_after.n);
}

static lkattrs_status op_join(lkattrs_participant *p) {
  static lkattrs_entry tok[30], jn[30];
  nm_after = nm_before;
  pm_clear_attrs(&nm_after);
  for (size_t i = 0; i < 30; i++) {
    snprintf(nm_keys[i], sizeof nm_keys[i], "j%02zu", (i * 7) % 30);
    tok[i] = E(nm_keys[i], "tok");
    jn[i] = E(nm_keys[i], i % 2 ? "join" : "");
  }
  for (size_t i = 0; i < 30; i++) mset(&nm_after, nm_keys[i], i % 2 ? "join" : "tok");
  nm_after.version = nm_before.version + 1;
  lkattrs_rules g = client_rules(true);
  return lkattrs_participant_join(p, tok, 30, jn, 30, &g, NULL);
}

static lkattrs_status op_join_request(lkattrs_participant *p) {
  static lkattrs_entry tok[5];
  pbuf *jr = &B->upd;
  nm_after = nm_before;
  pm_clear_attrs(&nm_after);
  jr->n = 0;
  pb_str(jr, 3, "md");
  for (size_t i = 0; i < 35; i++) {
    snprintf(nm_keys[i], sizeof nm_keys[i], "r%02zu", (i * 11) % 35);
    pb_entry(jr, 4, nm_keys[i], "jr");
    mset(&nm_after, nm_keys[i], "jr");
  }
  for (size_t i = 0; i < 5; i++) {
    tok[i] = E(nm_keys[i * 3], "t"); /* overridden */
    mset(&nm_after, nm_keys[i * 3], "jr");
  }
  tok[4] = E("token-only", "t");
  mset(&nm_after, "token-only", "t");
  nm_after.version = nm_before.version + 1;
  lkattrs_rules g = client_rules(true);
  return lkattrs_participant_join_request(p, tok, 5, jr->b, jr->n, &g, NULL);
}

static lkattrs_update_kind nm_kind;
static lkattrs_update_result nm_res;

static lkattrs_status op_apply(lkattrs_participant *p) {
  static lkattrs_entry up[36];
  nm_after = nm_before;
  for (size_t i = 0; i < 36; i++) {
    snprintf(nm_keys[i], sizeof nm_keys[i], "u%02zu", (i * 5) % 36);
    up[i] = E(nm_keys[i], i % 4 ? "new" : "");
  }
  up[0] = E("a", "");
  up[1] = E("m", "22");
  for (size_t i = 0; i < 36; i++) mset(&nm_after, up[i].key, up[i].value);
  mname(&nm_after, "New Name");
  nm_after.version = nm_before.version + 1;
  pupd u = {NULL, "New Name", up, 36, 1234};
  build_update(&B->upd, &u, nm_kind);
  lkattrs_rules r = client_rules(true);
  if (nm_kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST) r = origin_rules(LKATTRS_ORIGIN_SERVER, false);
  lkattrs_response_buf rb = full_resp(true, true);
  lkattrs_status st = lkattrs_participant_apply(p, B->upd.b, B->upd.n, nm_kind, &r, &rb, &nm_res,
                                                NULL);
  if (st == LKATTRS_E_NOMEM) assert_int_equal(lkattrs_participant_changes(p), 0);
  return st;
}

static void after_apply(const lkattrs_participant *p) {
  after_model(p);
  assert_true(nm_res.changed);
  assert_true(nm_res.name_changed);
  assert_int_equal(nm_res.version, nm_after.version);
  assert_true(nm_res.resp_len > 0);
}

static void run_nomem(const nomem_case *c) {
  counting_alloc ca = {0};
  lkattrs_allocator a = counting_allocator(&ca);
  size_t failures = 0;
  for (size_t at = 1; at < 1000; at++) {
    lkattrs_participant *p = NULL;
    ca.fail_at = 0;
    assert_int_equal(lkattrs_participant_new(&a, &p), LKATTRS_OK);
    c->prepare(p);
    snap s = snap_take(p);
    ca.fail_at = ca.calls + at;
    size_t failed = ca.failures;
    lkattrs_status st = c->op(p);
    ca.fail_at = 0;
    if (ca.failures == failed) { /* the n-th allocation did not happen */
      if (st != LKATTRS_OK) fail_msg("%s: status %d without an allocation failure", c->name, st);
      free(s.b);
      c->after(p);
      lkattrs_participant_free(p);
      break;
    }
    if (st != LKATTRS_E_NOMEM) fail_msg("%s: allocation %zu failed, status %d", c->name, at, st);
    snap_check(p, &s);
    failures++;
    /* The state still works: the operation succeeds now. */
    assert_int_equal(c->op(p), LKATTRS_OK);
    c->after(p);
    lkattrs_participant_free(p);
    assert_int_equal(ca.live_blocks, 0);
  }
  if (failures == 0) fail_msg("%s: no allocation to fail", c->name);
  assert_int_equal(ca.live_blocks, 0);
  assert_int_equal(ca.live_bytes, 0);
}

static void test_nomem(void **state) {
  (void)state;
  const nomem_case cases[] = {
      {"load", prep_small, op_load, after_model},
      {"load fresh", prep_empty, op_load, after_model},
      {"set_fields", prep_small, op_set_fields, after_set_fields},
      {"join", prep_small, op_join, after_model},
      {"join fresh", prep_empty, op_join, after_model},
      {"join_request", prep_small, op_join_request, after_model},
      {"apply", prep_small, op_apply, after_apply},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    if (cases[i].op == op_apply) {
      for (int k = 0; k < 3; k++) {
        nm_kind = (lkattrs_update_kind)k;
        run_nomem(&cases[i]);
      }
    } else {
      run_nomem(&cases[i]);
    }
  }
}

/* A refusal that needs no memory (the permission, the name and metadata
 * limits, checked before the attributes) is answered even when the
 * allocator fails: a refusal is never silenced. */
static void test_refusal_under_nomem(void **state) {
  (void)state;
  counting_alloc ca = {0};
  lkattrs_allocator a = counting_allocator(&ca);
  lkattrs_participant *p = NULL;
  assert_int_equal(lkattrs_participant_new(&a, &p), LKATTRS_OK);
  prep_small(p);
  static lkattrs_entry up[40];
  for (size_t i = 0; i < 40; i++) {
    snprintf(nm_keys[i], sizeof nm_keys[i], "x%02zu", i);
    up[i] = E(nm_keys[i], "v");
  }
  pupd u = {NULL, "Too long a name", up, 40, 5};
  lkattrs_rules none = client_rules(false), lim = client_rules(true);
  lim.max_name_bytes = 3;
  const lkattrs_rules *rs[] = {&none, &lim};
  lkattrs_status want[] = {LKATTRS_E_NOT_ALLOWED, LKATTRS_E_TOO_LARGE};
  for (int kind = 0; kind < 3; kind++)
    for (size_t i = 0; i < 2; i++) {
      lkattrs_update_kind k = (lkattrs_update_kind)kind;
      build_update(&B->upd, &u, k);
      snap s = snap_take(p);
      ca.fail_at = ca.calls + 1;
      lkattrs_response_buf rb = full_resp(true, false);
      lkattrs_update_result r;
      lkattrs_status st = lkattrs_participant_apply(p, B->upd.b, B->upd.n, k, rs[i], &rb, &r, NULL);
      ca.fail_at = 0;
      assert_int_equal(st, want[i]);
      assert_true(r.refused);
      assert_resp(&r, want_response(&u, k, want[i], 1, true, false));
      snap_check(p, &s);
    }
  lkattrs_participant_free(p);
  assert_int_equal(ca.live_blocks, 0);
}

/* ---- property: random operations against the model ----
 *
 * Seeded random sequences of apply (the three kinds), join, join_request,
 * load and set_fields on a heap and on a fixed state.  The model predicts
 * every status (the checks in their documented order), the new state, the
 * change list and the response; after each operation the state's bytes
 * must be the model's own canonical encoding. */

enum { FX_INFO = 1500, FX_ENTRIES = 12, FX_UPD = 16 };

typedef struct {
  char k[PM_TEXT], v[PM_TEXT];
  size_t kl, vl;
  lkattrs_status kfault, vfault; /* injected text faults (OK: none) */
} gentry;

typedef struct {
  uint64_t seed;
  bool fixed;
  lkattrs_participant *p;
  pmodel m, before, tmp;
  gentry ge[40], tk[40];
  lkattrs_entry ent[40], tent[40];
  size_t n, tn;
  unsigned long ops[6], oks, refusals, dropped;
  unsigned long hist[4][64]; /* statuses seen, per operation */
} prop;

static const char *const P_PRE[] = {"",          "a",        "ab",        "b",
                                    "abc",       "user.",    "c.d",       "sip.",
                                    "sip.h.",    "lk.",      "lk.agent.", "lk.agentx",
                                    "ingress.",  "\xc3\xa9", "\xf0\x9f\x98\x80", "Z"};
static const char *const P_SUF[] = {"",  "a",        "ab",   "b",  "1",          "\xc3\xa9",
                                    "x", "\xe2\x82\xac", "long.key.name", "Z"};

static void gen_key(prop *t, gentry *g, bool faults) {
  g->kfault = LKATTRS_OK;
  if (faults && rnd(&t->seed, 30) == 0) {
    static const struct {
      const char *k;
      size_t kl;
      lkattrs_status st;
    } bad[] = {{"", 0, LKATTRS_E_KEY_EMPTY},         {"k\x01", 2, LKATTRS_E_CONTROL_CHAR},
               {"\x7f", 1, LKATTRS_E_CONTROL_CHAR},  {"\xc2\x80", 2, LKATTRS_E_CONTROL_CHAR},
               {"\xff", 1, LKATTRS_E_UTF8},          {"a\xc3", 2, LKATTRS_E_UTF8},
               {"\xed\xa0\x80", 3, LKATTRS_E_UTF8},  {"a\0", 2, LKATTRS_E_NUL}};
    size_t i = rnd(&t->seed, ARRAY_LEN(bad));
    memcpy(g->k, bad[i].k, bad[i].kl);
    g->kl = bad[i].kl;
    g->kfault = bad[i].st;
    return;
  }
  const char *a, *b;
  do {
    a = P_PRE[rnd(&t->seed, ARRAY_LEN(P_PRE))];
    b = P_SUF[rnd(&t->seed, ARRAY_LEN(P_SUF))];
  } while (!*a && !*b);
  g->kl = strlen(a) + strlen(b);
  memcpy(g->k, a, strlen(a));
  memcpy(g->k + strlen(a), b, strlen(b));
}

static void gen_value(prop *t, gentry *g, bool faults, bool allow_empty) {
  g->vfault = LKATTRS_OK;
  size_t r = rnd(&t->seed, 100);
  if (faults && r < 3) {
    static const struct {
      const char *v;
      size_t vl;
      lkattrs_status st;
    } bad[] = {{"\xff", 1, LKATTRS_E_UTF8}, {"a\0b", 3, LKATTRS_E_NUL}, {"\xe2\x82", 2, LKATTRS_E_UTF8}};
    size_t i = rnd(&t->seed, ARRAY_LEN(bad));
    memcpy(g->v, bad[i].v, bad[i].vl);
    g->vl = bad[i].vl;
    g->vfault = bad[i].st;
  } else if (allow_empty && r < 25) {
    g->vl = 0;
  } else if (r < 60) { /* from a tiny set: same-value no-ops happen */
    static const char *const small[] = {"1", "2", "v", "\xc3\xa9", "\x01\t"};
    const char *v = small[rnd(&t->seed, ARRAY_LEN(small))];
    g->vl = strlen(v);
    memcpy(g->v, v, g->vl);
  } else if (r < 90) {
    g->vl = rnd_text(&t->seed, g->v, 6);
    if (!g->vl) g->v[g->vl++] = 'e';
  } else {
    g->vl = 30 + rnd(&t->seed, 100);
    for (size_t i = 0; i < g->vl; i++) g->v[i] = (char)('a' + rnd(&t->seed, 26));
  }
}

/* n entries: fresh keys or keys of the state, duplicates. */
static void gen_entries(prop *t, gentry *ge, lkattrs_entry *ent, size_t n, bool faults,
                        bool allow_empty) {
  for (size_t i = 0; i < n; i++) {
    gentry *g = &ge[i];
    size_t r = rnd(&t->seed, 10);
    if (r < 3 && t->m.n) { /* a key of the state */
      const pm_item *it = &t->m.it[rnd(&t->seed, t->m.n)];
      memcpy(g->k, it->k, it->kl);
      g->kl = it->kl;
      g->kfault = LKATTRS_OK;
      if (rnd(&t->seed, 3) == 0) { /* its value: a no-op */
        memcpy(g->v, it->v, it->vl);
        g->vl = it->vl;
        g->vfault = LKATTRS_OK;
        goto done;
      }
    } else if (r < 4 && i) { /* a duplicate */
      *g = ge[rnd(&t->seed, i)];
      g->vfault = LKATTRS_OK;
    } else {
      gen_key(t, g, faults);
    }
    gen_value(t, g, faults && g->kfault == LKATTRS_OK, allow_empty);
  done:
    ent[i].key = g->k;
    ent[i].key_len = g->kl;
    ent[i].value = g->v;
    ent[i].value_len = g->vl;
  }
}

/* Random text for a name or metadata; *fault receives an injected fault. */
static size_t gen_text(prop *t, char *buf, lkattrs_status *fault) {
  *fault = LKATTRS_OK;
  size_t r = rnd(&t->seed, 100);
  if (r < 3) {
    memcpy(buf, "x\0y", 3);
    *fault = LKATTRS_E_NUL;
    return 3;
  }
  if (r < 6) {
    memcpy(buf, "x\xc0\xaf", 3); /* overlong '/' */
    *fault = LKATTRS_E_UTF8;
    return 3;
  }
  if (r < 20) {
    memcpy(buf, "same", 4);
    return 4;
  }
  size_t n = rnd_text(&t->seed, buf, r < 95 ? 5 : 40);
  if (!n) buf[n++] = 'n';
  return n;
}

static bool reserved_for(lkattrs_origin o, const char *k, size_t kl) {
  if (o >= LKATTRS_ORIGIN_SERVER) return false;
#define PFX(s) (kl >= sizeof(s) - 1 && memcmp(k, s, sizeof(s) - 1) == 0)
  if (!PFX("sip.") && !PFX("ingress.") && !PFX("lk.")) return false;
  if (o == LKATTRS_ORIGIN_AGENT && PFX("lk.agent.")) return false;
#undef PFX
  return true;
}

/* The first rule an entry breaks (text, then lengths, then namespace). */
static lkattrs_status entry_fault(const gentry *g, const lkattrs_limits *l, lkattrs_origin o,
                                  bool namespaces) {
  if (g->kfault) return g->kfault;
  if (l && l->max_key_bytes && g->kl > l->max_key_bytes) return LKATTRS_E_KEY_TOO_LONG;
  if (g->vfault) return g->vfault;
  if (l && l->max_value_bytes && g->vl > l->max_value_bytes) return LKATTRS_E_VALUE_TOO_LONG;
  if (namespaces && reserved_for(o, g->k, g->kl)) return LKATTRS_E_RESERVED_NAME;
  return LKATTRS_OK;
}

/* Apply entries (wire semantics, last wins, "" deletes) to a model. */
static void model_merge(pmodel *m, const gentry *ge, size_t n) {
  for (size_t i = 0; i < n; i++) pm_set(m, ge[i].k, ge[i].kl, ge[i].v, ge[i].vl);
}

/* Σ key+value of the update with duplicates resolved (deleted: the key). */
static size_t update_bytes(const gentry *ge, size_t n) {
  size_t s = 0;
  for (size_t i = 0; i < n; i++) {
    bool later = false;
    for (size_t j = i + 1; j < n && !later; j++)
      later = ge[j].kl == ge[i].kl && memcmp(ge[j].k, ge[i].k, ge[i].kl) == 0;
    if (!later) s += ge[i].kl + ge[i].vl;
  }
  return s;
}

static size_t model_len(const pmodel *m) {
  pm_encode(m, &B->exp);
  return B->exp.n;
}

/* The model after the operation: capacity of a fixed state. */
static lkattrs_status capacity(const prop *t, const pmodel *m) {
  if (!t->fixed) return LKATTRS_OK;
  if (m->n > FX_ENTRIES || model_len(m) > FX_INFO) return LKATTRS_E_NOSPACE;
  return LKATTRS_OK;
}

static void gen_limits(prop *t, lkattrs_limits *l) {
  *l = lkattrs_limits_default();
  l->max_key_bytes = rnd(&t->seed, 4) ? 4 + rnd(&t->seed, 14) : 0;
  l->max_value_bytes = rnd(&t->seed, 2) ? 4 + rnd(&t->seed, 60) : 0;
  l->max_update_bytes = rnd(&t->seed, 2) ? 10 + rnd(&t->seed, 200) : 0;
  l->max_map_bytes = rnd(&t->seed, 2) ? 40 + rnd(&t->seed, 800) : 0;
  l->max_entries = rnd(&t->seed, 2) ? 3 + rnd(&t->seed, 30) : 0;
}

static void gen_rules(prop *t, lkattrs_rules *r, lkattrs_limits *l) {
  static const lkattrs_origin origins[] = {LKATTRS_ORIGIN_CLIENT, LKATTRS_ORIGIN_CLIENT,
                                           LKATTRS_ORIGIN_CLIENT, LKATTRS_ORIGIN_AGENT,
                                           LKATTRS_ORIGIN_SERVER, LKATTRS_ORIGIN_TRUSTED};
  *r = client_rules(rnd(&t->seed, 8) != 0);
  r->origin = origins[rnd(&t->seed, ARRAY_LEN(origins))];
  r->skip_namespace_rules = rnd(&t->seed, 6) == 0;
  if (rnd(&t->seed, 3) == 0) {
    gen_limits(t, l);
    r->limits = l;
  }
  r->max_name_bytes = rnd(&t->seed, 3) == 0 ? 2 + rnd(&t->seed, 10) : 0;
  if (rnd(&t->seed, 3) == 0) r->max_metadata_bytes = 3 + rnd(&t->seed, 12);
}

/* The state equals the model; the change list is before -> m. */
static void prop_check(prop *t, bool ok) {
  check_model(t->p, &t->m);
  if (ok) check_changes(t->p, &t->before, &t->m);
  else assert_int_equal(lkattrs_participant_changes(t->p), 0);
}

static void prop_apply(prop *t, size_t step) {
  lkattrs_limits lim;
  lkattrs_rules rules;
  gen_rules(t, &rules, &lim);
  lkattrs_update_kind kind = (lkattrs_update_kind)rnd(&t->seed, 3);
  size_t n = rnd(&t->seed, 5) ? rnd(&t->seed, 8) : rnd(&t->seed, FX_UPD + 1);
  gen_entries(t, t->ge, t->ent, n, true, true);
  static char md[256], name[256]; /* rnd_text: up to 160 bytes */
  lkattrs_status mdf = LKATTRS_OK, nf = LKATTRS_OK;
  size_t mdl = rnd(&t->seed, 4) == 0 ? gen_text(t, md, &mdf) : 0;
  size_t nl = rnd(&t->seed, 4) == 0 ? gen_text(t, name, &nf) : 0;
  uint32_t rid = rnd(&t->seed, 3) ? (uint32_t)rnd_next(&t->seed) >> rnd(&t->seed, 32) : 0;
  if (kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST) rid = 0;
  bool truncate = rnd(&t->seed, 40) == 0;

  /* The message. */
  pbuf *body = &B->echo, *q = &B->upd;
  body->n = 0;
  uint32_t f_md = kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST ? 3 : 1;
  uint32_t f_name = kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST ? 5 : 2;
  uint32_t f_attr = kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST ? 6 : 3;
  if (mdl) pb_bytes(body, f_md, md, mdl);
  if (nl) pb_bytes(body, f_name, name, nl);
  for (size_t i = 0; i < n; i++)
    pb_entry_n(body, f_attr, t->ent[i].key, t->ent[i].key_len, t->ent[i].value,
               t->ent[i].value_len);
  if (rid) pb_uint(body, 4, rid);
  q->n = 0;
  if (kind == LKATTRS_UPDATE_SIGNAL_REQUEST) {
    size_t r = rnd(&t->seed, 6);
    if (r == 0) pb_uint(q, 14, 1); /* another arm first: it does not count */
    if (r == 1 && body->n) {       /* update_metadata in two parts */
      pbuf *half = &B->tmp;
      size_t pos = 0, cut = 0, want = rnd(&t->seed, body->n);
      while (pos < body->n) { /* a field boundary */
        size_t start = pos;
        pos++; /* tags are one byte here (fields 1..4) */
        uint64_t len = 0;
        unsigned sh = 0;
        unsigned char c;
        bool ld = (body->b[start] & 7u) == 2;
        do {
          c = body->b[pos++];
          len |= (uint64_t)(c & 0x7f) << sh;
          sh += 7;
        } while (c & 0x80);
        if (ld) pos += (size_t)len;
        if (pos <= want) cut = pos;
      }
      half->n = 0;
      pb_raw(half, body->b, cut);
      pb_sub(q, 15, half);
      half->n = 0;
      pb_raw(half, body->b + cut, body->n - cut);
      pb_sub(q, 15, half);
    } else {
      pb_sub(q, 15, body);
    }
  } else if (kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST) {
    pb_str(q, 1, "room");
    pb_raw(q, body->b, body->n);
    pb_str(q, 2, "identity");
  } else {
    pb_raw(q, body->b, body->n);
  }
  if (truncate && q->n) q->n--;
  else truncate = false;

  /* The echo as expected: UpdateParticipantMetadata {1, 2, 3, 4}. */
  pbuf *echo = &B->exp2;
  echo->n = 0;
  if (mdl) pb_bytes(echo, 1, md, mdl);
  if (nl) pb_bytes(echo, 2, name, nl);
  for (size_t i = 0; i < n; i++)
    pb_entry_n(echo, 3, t->ent[i].key, t->ent[i].key_len, t->ent[i].value, t->ent[i].value_len);
  if (rid) pb_uint(echo, 4, rid);

  /* The prediction. */
  lkattrs_status want = LKATTRS_OK;
  int what = 0;
  const lkattrs_limits *l = rules.limits ? rules.limits : NULL;
  lkattrs_limits defl = LKATTRS_LIMITS_INIT;
  if (!l) l = &defl;
  t->before = t->m;
  t->tmp = t->m;
  bool nchg = false, mchg = false;
  if (truncate) {
    want = LKATTRS_E_WIRE_TRUNCATED;
  } else if (rules.origin <= LKATTRS_ORIGIN_AGENT && !rules.can_update_metadata) {
    want = LKATTRS_E_NOT_ALLOWED;
  } else if (nf) {
    want = nf;
  } else if (rules.max_name_bytes && nl > rules.max_name_bytes) {
    want = LKATTRS_E_TOO_LARGE, what = 1;
  } else if (mdf) {
    want = mdf;
  } else if (rules.max_metadata_bytes && mdl > rules.max_metadata_bytes) {
    want = LKATTRS_E_TOO_LARGE, what = 2;
  } else {
    for (size_t i = 0; i < n && !want; i++)
      want = entry_fault(&t->ge[i], l, rules.origin, !rules.skip_namespace_rules);
    if (!want) {
      model_merge(&t->tmp, t->ge, n);
      if (l->max_update_bytes && update_bytes(t->ge, n) > l->max_update_bytes)
        want = LKATTRS_E_TOO_LARGE;
      else if (l->max_map_bytes && pm_attrs_bytes(&t->tmp) > l->max_map_bytes)
        want = LKATTRS_E_TOO_LARGE;
      else if (l->max_entries && t->tmp.n > l->max_entries)
        want = LKATTRS_E_TOO_MANY_ENTRIES;
    }
    if (!want) {
      nchg = nl && !(nl == t->m.name_len && memcmp(name, t->m.name, nl) == 0);
      mchg = mdl && !(mdl == t->m.md_len && memcmp(md, t->m.md, mdl) == 0);
      if (nchg) pm_set_text(t->tmp.name, &t->tmp.name_len, name, nl);
      if (mchg) pm_set_text(t->tmp.md, &t->tmp.md_len, md, mdl);
      if (nchg || mchg || pm_diff(&t->m, &t->tmp, B->chg)) {
        t->tmp.version++;
        want = capacity(t, &t->tmp);
      }
    }
  }

  /* The response buffer: full size, or a random size from the minimum. */
  bool want_echo = rnd(&t->seed, 4) != 0, env = rnd(&t->seed, 2) != 0;
  size_t full = LKATTRS_RESPONSE_MAX_BYTES(q->n);
  size_t cap = rnd(&t->seed, 4) ? full
                                : LKATTRS_RESPONSE_MIN_BYTES +
                                      rnd(&t->seed, full - LKATTRS_RESPONSE_MIN_BYTES + 1);
  lkattrs_response_buf rb = {B->resp, cap, want_echo, env};
  bool no_resp = rnd(&t->seed, 10) == 0;
  lkattrs_update_result r;
  lkattrs_error_detail d;
  lkattrs_status st = lkattrs_participant_apply(t->p, q->b, q->n, kind, &rules,
                                                no_resp ? NULL : &rb, &r, &d);
  if (st != want) {
    fprintf(stderr, "detail: index %zu offset %zu in_value %d key %.*s\nupdate:", d.index,
            d.offset, d.in_value, (int)d.key_len, d.key ? d.key : "");
    for (size_t i = 0; i < q->n; i++) fprintf(stderr, " %02x", q->b[i]);
    fprintf(stderr, "\n");
    fail_msg("step %zu apply kind %d origin %d: status %d, want %d", step, kind, rules.origin,
             st, want);
  }
  assert_int_equal(d.code, want);
  t->hist[0][want]++;
  if (want == LKATTRS_E_WIRE_TRUNCATED) {
    assert_false(r.refused);
    assert_int_equal(r.resp_len, 0);
    prop_check(t, false);
    return;
  }
  if (want == LKATTRS_OK) {
    t->m = t->tmp;
    t->oks++;
  } else {
    t->refusals++;
  }
  assert_int_equal(r.refused, want != LKATTRS_OK);
  assert_int_equal(r.reason, lkattrs_status_to_reason(want));
  assert_int_equal(r.request_id, rid);
  assert_int_equal(r.version, t->m.version);
  assert_int_equal(r.respond, want != LKATTRS_OK || rules.origin <= LKATTRS_ORIGIN_AGENT || rid);
  size_t nattr = pm_diff(&t->before, &t->m, B->chg);
  assert_int_equal(r.attrs_changed, nattr);
  assert_int_equal(r.name_changed, want == LKATTRS_OK && nchg);
  assert_int_equal(r.metadata_changed, want == LKATTRS_OK && mchg);
  assert_int_equal(r.changed, want == LKATTRS_OK && (nattr || nchg || mchg));
  /* The response. */
  if (no_resp) {
    assert_int_equal(r.resp_len, 0);
  } else {
    const char *msg = want == LKATTRS_OK ? "" : refusal_msg(want, what);
    size_t ml = strlen(msg) > 127 ? 127 : strlen(msg);
    pbuf *w = &B->in;
    pm_response(w, rid, lkattrs_status_to_reason(want), msg, ml, want_echo ? echo : NULL, env);
    bool dropped = want_echo && w->n > cap;
    t->dropped += dropped;
    if (dropped) pm_response(w, rid, lkattrs_status_to_reason(want), msg, ml, NULL, env);
    assert_int_equal(r.echo_dropped, dropped);
    if (cap == full) assert_false(r.echo_dropped);
    assert_int_equal(r.resp_len, w->n);
    assert_memory_equal(B->resp, w->b, w->n);
  }
  prop_check(t, want == LKATTRS_OK);
}

static void prop_join(prop *t, size_t step) {
  lkattrs_limits lim;
  lkattrs_rules rules;
  gen_rules(t, &rules, &lim);
  /* Token + join: at most FX_UPD entries (the scratch of the fixed state). */
  size_t max = t->fixed ? FX_UPD / 2 : 12;
  size_t jc = rnd(&t->seed, 3) ? (rnd(&t->seed, 4) ? rnd(&t->seed, max + 1) : max) : 0;
  size_t tmax = t->fixed ? FX_UPD - jc : 12;
  size_t tc = rnd(&t->seed, 3) ? rnd(&t->seed, tmax + 1) : tmax;
  gen_entries(t, t->tk, t->tent, tc, rnd(&t->seed, 2) == 0, true);
  gen_entries(t, t->ge, t->ent, jc, true, true);
  bool via_request = rnd(&t->seed, 2) != 0, truncate = via_request && rnd(&t->seed, 30) == 0;
  pbuf *jr = &B->upd;
  if (via_request) {
    jr->n = 0;
    if (rnd(&t->seed, 2)) pb_bytes(jr, 1, "\x08\x03", 2);
    for (size_t i = 0; i < jc; i++) {
      pb_entry_n(jr, 4, t->ent[i].key, t->ent[i].key_len, t->ent[i].value, t->ent[i].value_len);
      if (rnd(&t->seed, 4) == 0) pb_uint(jr, 7, 1);
    }
    if (truncate && jr->n) jr->n--;
    else truncate = false;
  }
  /* The prediction. */
  const lkattrs_limits *l = rules.limits;
  lkattrs_limits defl = LKATTRS_LIMITS_INIT;
  if (!l) l = &defl;
  lkattrs_status want = LKATTRS_OK;
  t->before = t->m;
  t->tmp = t->m;
  if (truncate) want = LKATTRS_E_WIRE_TRUNCATED;
  else if (jc && rules.origin <= LKATTRS_ORIGIN_AGENT && !rules.can_update_metadata)
    want = LKATTRS_E_NOT_ALLOWED;
  for (size_t i = 0; i < tc && !want; i++)
    want = t->tk[i].kfault ? t->tk[i].kfault : t->tk[i].vfault;
  for (size_t i = 0; i < jc && !want; i++)
    want = entry_fault(&t->ge[i], l, rules.origin, !rules.skip_namespace_rules);
  if (!want) {
    /* Token then join, each last-wins with "" winners skipped. */
    pm_clear_attrs(&t->tmp);
    pmodel *j = &B->m_old;
    pm_init(j);
    for (size_t i = 0; i < tc; i++) pm_set(&t->tmp, t->tk[i].k, t->tk[i].kl, t->tk[i].v, t->tk[i].vl);
    for (size_t i = 0; i < jc; i++) pm_set(j, t->ge[i].k, t->ge[i].kl, t->ge[i].v, t->ge[i].vl);
    for (size_t i = 0; i < j->n; i++)
      pm_set(&t->tmp, j->it[i].k, j->it[i].kl, j->it[i].v, j->it[i].vl);
    if (l->max_map_bytes && pm_attrs_bytes(&t->tmp) > l->max_map_bytes) want = LKATTRS_E_TOO_LARGE;
    else if (l->max_entries && t->tmp.n > l->max_entries) want = LKATTRS_E_TOO_MANY_ENTRIES;
    else if (pm_diff(&t->m, &t->tmp, B->chg)) {
      t->tmp.version++;
      want = capacity(t, &t->tmp);
    }
  }
  lkattrs_error_detail d;
  lkattrs_status st =
      via_request ? lkattrs_participant_join_request(t->p, t->tent, tc, jr->b, jr->n, &rules, &d)
                  : lkattrs_participant_join(t->p, t->tent, tc, t->ent, jc, &rules, &d);
  if (st != want)
    fail_msg("step %zu join%s (%zu + %zu) origin %d: status %d, want %d", step,
             via_request ? "_request" : "", tc, jc, rules.origin, st, want);
  assert_int_equal(d.code, want);
  t->hist[1][want]++;
  if (want == LKATTRS_OK) t->m = t->tmp, t->oks++;
  check_model(t->p, &t->m);
  if (want == LKATTRS_OK) check_changes(t->p, &t->before, &t->m);
}

/* Random other fields of a ParticipantInfo, appended to msg and to the
 * model's segments. */
static void gen_other_field(prop *t, pbuf *msg, pmodel *m) {
  static const uint32_t nos[] = {1, 2, 3, 4, 6, 7, 8, 11, 12, 13, 14, 16, 18, 20, 99, 1000};
  uint32_t no = nos[rnd(&t->seed, ARRAY_LEN(nos))];
  pbuf *f = &B->tmp;
  f->n = 0;
  switch (rnd(&t->seed, 4)) {
    case 0: pb_uint(f, no, rnd_next(&t->seed) >> rnd(&t->seed, 64)); break;
    case 1: {
      unsigned char b8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
      pb_tag(f, no, 1);
      pb_raw(f, b8, 8);
      break;
    }
    case 2: {
      char txt[64];
      size_t n = rnd_text(&t->seed, txt, 8); /* at most 32 bytes */
      pb_bytes(f, no, txt, n);
      break;
    }
    default: pb_tag(f, no, 5), pb_raw(f, "\x01\x02\x03\x04", 4);
  }
  pb_raw(msg, f->b, f->n);
  if (m) pm_seg_add(m, pm_seg_of(no), f->b, f->n);
}

/* A random ParticipantInfo into B->in, its model into *m (attributes
 * only when with_attrs): other fields, metadata, name and version (maybe
 * repeated: the last counts) and attribute entries, interleaved.  Returns
 * the first text fault of its entries. */
static lkattrs_status gen_info(prop *t, pmodel *m, bool with_attrs, bool faults) {
  pbuf *in = &B->in;
  in->n = 0;
  pm_init(m);
  size_t left[3] = {rnd(&t->seed, 8), rnd(&t->seed, 6),
                    with_attrs ? rnd(&t->seed, (t->fixed ? FX_UPD : 30) + 1) : 0};
  size_t ne = left[2], ie = 0;
  lkattrs_status fault = LKATTRS_OK;
  gen_entries(t, t->ge, t->ent, ne, faults, true);
  while (left[0] + left[1] + left[2]) {
    size_t r = rnd(&t->seed, left[0] + left[1] + left[2]);
    int kind = r < left[0] ? 0 : r < left[0] + left[1] ? 1 : 2;
    left[kind]--;
    if (kind == 0) {
      gen_other_field(t, in, m);
    } else if (kind == 2) {
      gentry *g = &t->ge[ie++];
      pb_entry_n(in, 15, g->k, g->kl, g->v, g->vl);
      if (!fault) fault = g->kfault ? g->kfault : g->vfault;
      pm_set(m, g->k, g->kl, g->v, g->vl);
    } else {
      char txt[256];
      lkattrs_status bad;
      size_t n = 0;
      switch (rnd(&t->seed, 3)) {
        case 0:
          if (rnd(&t->seed, 5)) n = gen_text(t, txt, &bad);
          if (n && bad) n = 0; /* the info's own texts are not checked */
          pb_bytes(in, 5, txt, n);
          pm_set_text(m->md, &m->md_len, txt, n);
          break;
        case 1:
          if (rnd(&t->seed, 5)) n = gen_text(t, txt, &bad);
          if (n && bad) n = 0;
          pb_bytes(in, 9, txt, n);
          pm_set_text(m->name, &m->name_len, txt, n);
          break;
        default: {
          uint32_t v = rnd(&t->seed, 4) ? (uint32_t)rnd(&t->seed, 1000)
                                        : (uint32_t)rnd_next(&t->seed);
          pb_uint(in, 10, v);
          m->version = v;
        }
      }
    }
  }
  return fault;
}

static void prop_load(prop *t, size_t step) {
  pmodel *nm = &B->m_old;
  lkattrs_status want = gen_info(t, nm, true, rnd(&t->seed, 3) == 0);
  if (rnd(&t->seed, 30) == 0 && B->in.n) {
    B->in.n--;
    want = LKATTRS_E_WIRE_TRUNCATED;
  }
  if (!want) want = capacity(t, nm);
  t->before = t->m;
  lkattrs_error_detail d;
  lkattrs_status st = lkattrs_participant_load(t->p, B->in.b, B->in.n, &d);
  if (st != want) fail_msg("step %zu load: status %d, want %d", step, st, want);
  assert_int_equal(d.code, want);
  t->hist[2][want]++;
  if (want == LKATTRS_OK) t->m = *nm, t->oks++;
  check_model(t->p, &t->m);
  if (want == LKATTRS_OK) check_changes(t->p, &t->before, &t->m);
}

static void prop_set_fields(prop *t, size_t step) {
  pmodel *nm = &B->m_old;
  (void)gen_info(t, nm, false, false);
  /* Attribute entries in the message are ignored (even bad ones). */
  if (rnd(&t->seed, 4) == 0) pb_entry(&B->in, 15, "", "ignored");
  lkattrs_status want = LKATTRS_OK;
  if (rnd(&t->seed, 30) == 0 && B->in.n) {
    B->in.n--;
    want = LKATTRS_E_WIRE_TRUNCATED;
  }
  memcpy(nm->it, t->m.it, t->m.n * sizeof t->m.it[0]);
  nm->n = t->m.n;
  nm->version = nm->version > t->m.version ? nm->version : t->m.version + 1u;
  if (!want) want = capacity(t, nm);
  lkattrs_error_detail d;
  lkattrs_status st = lkattrs_participant_set_fields(t->p, B->in.b, B->in.n, &d);
  if (st != want) fail_msg("step %zu set_fields: status %d, want %d", step, st, want);
  t->hist[3][want]++;
  if (want == LKATTRS_OK) t->m = *nm, t->oks++;
  check_model(t->p, &t->m);
  if (want == LKATTRS_OK) assert_int_equal(lkattrs_participant_changes(t->p), 0);
}

static void run_property(bool fixed, uint64_t seed, size_t steps) {
  static prop t;
  static unsigned char storage[LKATTRS_PARTICIPANT_FIXED_BYTES(FX_INFO, FX_ENTRIES, FX_UPD)];
  memset(&t, 0, sizeof t);
  t.seed = seed;
  t.fixed = fixed;
  if (fixed) t.p = fixed_state(storage, sizeof storage, FX_INFO, FX_ENTRIES, FX_UPD);
  else t.p = heap_state();
  pm_init(&t.m);
  static unsigned char pre[1 << 17];
  for (size_t step = 0; step < steps; step++) {
    /* A view taken before: valid while the state does not change. */
    size_t n0 = 0, n1 = 0;
    const unsigned char *v0 = info_bytes(t.p, &n0);
    assert_true(n0 <= sizeof pre);
    memcpy(pre, v0, n0);
    size_t r = rnd(&t.seed, 100);
    if (r < 55) prop_apply(&t, step), t.ops[0]++;
    else if (r < 72) prop_join(&t, step), t.ops[1]++;
    else if (r < 88) prop_load(&t, step), t.ops[2]++;
    else prop_set_fields(&t, step), t.ops[3]++;
    check_views(t.p);
    const unsigned char *v1 = info_bytes(t.p, &n1);
    if (n1 == n0 && memcmp(v1, pre, n0) == 0) assert_memory_equal(v0, pre, n0);
  }
  /* The run covered successes and refusals of every kind of operation,
   * and each outcome the model predicts. */
  if (getenv("LKATTRS_TEST_VERBOSE"))
    for (int o = 0; o < 4; o++) {
      fprintf(stderr, "op %d:", o);
      for (int i = 0; i < 64; i++)
        if (t.hist[o][i]) fprintf(stderr, " %d:%lu", i, t.hist[o][i]);
      fprintf(stderr, "\n");
    }
  for (int i = 0; i < 4; i++) assert_true(t.ops[i] > steps / 20);
  assert_true(t.oks > steps / 4);
  assert_true(t.refusals > steps / 20);
  assert_true(t.dropped > 0);
  static const lkattrs_status apply_seen[] = {
      LKATTRS_OK,           LKATTRS_E_NOT_ALLOWED,  LKATTRS_E_RESERVED_NAME,
      LKATTRS_E_KEY_EMPTY,  LKATTRS_E_KEY_TOO_LONG, LKATTRS_E_VALUE_TOO_LONG,
      LKATTRS_E_UTF8,       LKATTRS_E_NUL,          LKATTRS_E_CONTROL_CHAR,
      LKATTRS_E_TOO_LARGE,  LKATTRS_E_TOO_MANY_ENTRIES, LKATTRS_E_WIRE_TRUNCATED};
  for (size_t i = 0; i < ARRAY_LEN(apply_seen); i++) assert_true(t.hist[0][apply_seen[i]] > 0);
  static const lkattrs_status join_seen[] = {LKATTRS_OK, LKATTRS_E_NOT_ALLOWED,
                                             LKATTRS_E_RESERVED_NAME, LKATTRS_E_TOO_LARGE};
  for (size_t i = 0; i < ARRAY_LEN(join_seen); i++) assert_true(t.hist[1][join_seen[i]] > 0);
  assert_true(t.hist[2][LKATTRS_OK] > 0 && t.hist[2][LKATTRS_E_WIRE_TRUNCATED] > 0);
  assert_true(t.hist[3][LKATTRS_OK] > 0);
  if (fixed) assert_true(t.hist[0][LKATTRS_E_NOSPACE] > 0 && t.hist[1][LKATTRS_E_NOSPACE] > 0);
  lkattrs_participant_free(t.p);
}

/* LKATTRS_PROP_SEED and LKATTRS_PROP_STEPS override the fixed seed and
 * length for exploratory runs. */
static uint64_t prop_seed(uint64_t dflt) {
  const char *e = getenv("LKATTRS_PROP_SEED");
  return e && *e ? strtoull(e, NULL, 0) | 1u : dflt;
}
static size_t prop_steps(void) {
  const char *e = getenv("LKATTRS_PROP_STEPS");
  return e && *e ? (size_t)strtoull(e, NULL, 0) : 3000;
}

static void test_property_heap(void **state) {
  (void)state;
  run_property(false, prop_seed(0xA11CE5EEDULL), prop_steps());
}

static void test_property_fixed(void **state) {
  (void)state;
  run_property(true, prop_seed(0xF1EDF1EDULL), prop_steps());
}

/* Load errors: every level of the entries checked, the detail names the
 * entry and the offset in info, the state unchanged. */
static void test_load_errors(void **state) {
  (void)state;
  lkattrs_participant *p = heap_state();
  pmodel *m = &B->m;
  load_typical(p, m, "N", "md", 4, KV("a", "1"));
  pbuf *in = &B->in;
  lkattrs_error_detail d;
  struct {
    const char *k;
    size_t kl;
    const char *v;
    size_t vl;
    lkattrs_status st;
    bool in_value;
    size_t bad; /* offset of the bad byte in the key or value */
  } cases[] = {
      {"", 0, "v", 1, LKATTRS_E_KEY_EMPTY, false, 0},
      {"ab\x01", 3, "v", 1, LKATTRS_E_CONTROL_CHAR, false, 2},
      {"a\xc2\x9f", 3, "v", 1, LKATTRS_E_CONTROL_CHAR, false, 1},
      {"k\xe0\x80\x80", 4, "v", 1, LKATTRS_E_UTF8, false, 1},
      {"k", 1, "ok\xf8", 3, LKATTRS_E_UTF8, true, 2},
      {"k", 1, "ab\0", 3, LKATTRS_E_NUL, true, 2},
      {"k\0", 2, "v", 1, LKATTRS_E_NUL, false, 1},
      /* An empty value does not excuse a bad key. */
      {"\xff", 1, "", 0, LKATTRS_E_UTF8, false, 0},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    in->n = 0;
    pb_str(in, 1, "PA");
    pb_entry(in, 15, "good", "1");
    pb_entry(in, 15, "good2", "2");
    size_t entry_at = in->n;
    pb_entry_n(in, 15, cases[i].k, cases[i].kl, cases[i].v, cases[i].vl);
    pb_entry(in, 15, "after", "3");
    snap sn = snap_take(p);
    assert_int_equal(lkattrs_participant_load(p, in->b, in->n, &d), cases[i].st);
    assert_int_equal(d.code, cases[i].st);
    assert_int_equal(d.index, 2);
    if (cases[i].st != LKATTRS_E_KEY_EMPTY) {
      /* tag, length, {0a kl key} {12 vl value} */
      size_t at = entry_at + 2 + 2 + (cases[i].in_value ? cases[i].kl + 2 : 0) + cases[i].bad;
      assert_int_equal(d.offset, at);
      assert_int_equal(d.in_value, cases[i].in_value);
    }
    snap_check(p, &sn);
  }
  /* Structure: truncated anywhere; an entry field with the wrong wire
   * type; inside an entry, a key as a varint or a length past its end;
   * md, name, version with the wrong wire type. */
  pbuf *tr = &B->upd; /* not B->in: load_typical writes it */
  tr->n = 0;
  pb_str(tr, 1, "PA");
  pb_entry(tr, 15, "key", "value");
  pb_uint(tr, 20, 300);
  for (size_t cut = 1; cut < tr->n; cut++) {
    snap sn = snap_take(p);
    lkattrs_status st = lkattrs_participant_load(p, tr->b, tr->n - cut, &d);
    if (tr->n - cut == 4 || tr->n - cut == 4 + 14) { /* at a field boundary: fine */
      assert_int_equal(st, LKATTRS_OK);
      load_typical(p, m, "N", "md", 4, KV("a", "1"));
      free(sn.b);
      continue;
    }
    assert_int_equal(st, LKATTRS_E_WIRE_TRUNCATED);
    snap_check(p, &sn);
  }
  static const struct {
    const char *b;
    size_t n;
    size_t offset;
  } mal[] = {
      {"\x0a\x00\x78\x01", 4, 2},                 /* field 15 as a varint */
      {"\x7a\x04\x08\x01\x12\x00", 6, 2},         /* key as a varint */
      {"\x7a\x04\x0a\x05\x6b\x00", 6, 2},         /* key longer than the entry */
      {"\x7a\x02\x0b\x00", 4, 2},                 /* a group inside the entry */
      {"\x28\x01", 2, 0},                         /* metadata as a varint */
      {"\x48\x01", 2, 0},                         /* name as a varint */
      {"\x52\x00", 2, 0},                         /* version as bytes */
      {"\x0a\x00\x07\x00", 4, 2},                 /* wire type 7 */
      {"\x00\x00", 2, 0},                         /* field 0 */
  };
  for (size_t i = 0; i < ARRAY_LEN(mal); i++) {
    snap sn = snap_take(p);
    assert_int_equal(lkattrs_participant_load(p, mal[i].b, mal[i].n, &d), LKATTRS_E_WIRE_MALFORMED);
    assert_int_equal(d.offset, mal[i].offset);
    snap_check(p, &sn);
  }
  /* No size limit: a 300-byte key, a 70000-byte value, reserved names. */
  static char big[70001];
  memset(big, 'b', 70000);
  static char lkey[301];
  memset(lkey, 'k', 300);
  in->n = 0;
  pb_entry(in, 15, lkey, "v");
  pb_entry(in, 15, "sip.phoneNumber", big);
  assert_int_equal(lkattrs_participant_load(p, in->b, in->n, &d), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_count(p), 2);
  assert_int_equal(lkattrs_participant_attrs_bytes(p), 300 + 1 + 15 + 70000);
  assert_bytes(p, in); /* already canonical: "k..." < "sip..." */
  lkattrs_participant_free(p);
}

/* The same attributes in any layout load to the same canonical bytes, and
 * the same updates on them give the same bytes (a port of the old splice
 * property: unsorted, reversed, non-minimal lengths, value before key,
 * split by other fields). */
static void put_layout(pbuf *in, const pmodel *m, unsigned layout) {
  in->n = 0;
  pb_str(in, 1, "PA_abc");
  if (layout == 4) pb_uint(in, 16, 7);
  for (size_t j = 0; j < m->n; j++) {
    size_t half = (m->n + 1) / 2; /* layout 5: even positions, then odd ones */
    size_t i = layout == 1 ? m->n - 1 - j : layout == 5 ? (j < half ? 2 * j : 2 * (j - half) + 1) : j;
    const pm_item *it = &m->it[i];
    if (layout == 2) { /* the entry length in one byte more than needed */
      pbuf *e = &B->tmp;
      e->n = 0;
      pb_bytes(e, 1, it->k, it->kl);
      pb_bytes(e, 2, it->v, it->vl);
      pb_tag(in, 15, 2);
      unsigned char two[3];
      size_t nb = 0;
      uint64_t v = e->n;
      do {
        two[nb++] = (unsigned char)((v & 0x7f) | 0x80);
        v >>= 7;
      } while (v);
      two[nb++] = 0;
      pb_raw(in, two, nb);
      pb_raw(in, e->b, e->n);
    } else if (layout == 3) {
      pbuf *e = &B->tmp;
      e->n = 0;
      pb_bytes(e, 2, it->v, it->vl);
      pb_bytes(e, 1, it->k, it->kl);
      pb_sub(in, 15, e);
    } else {
      pb_entry_n(in, 15, it->k, it->kl, it->v, it->vl);
    }
    if (layout == 4 && j == m->n / 2) pb_uint(in, 16, 8);
  }
  if (layout == 4) pb_uint(in, 1000, 1);
  pb_str(in, 9, "Name");
}

static void test_load_layouts(void **state) {
  (void)state;
  uint64_t seed = 0x5B11CE;
  lkattrs_participant *a = heap_state(), *b = heap_state();
  pmodel *m = &B->m;
  lkattrs_rules srv = origin_rules(LKATTRS_ORIGIN_SERVER, false);
  lkattrs_limits nolim = {0, 0, 0, 0, 0};
  srv.limits = &nolim;
  static unsigned char first[1 << 16];
  for (int round = 0; round < 150; round++) {
    pm_init(m);
    size_t n0 = rnd(&seed, 40);
    for (size_t i = 0; i < n0; i++) {
      char k[40], v[200];
      size_t kl = 1 + rnd_text(&seed, k, 6);
      k[kl - 1] = 'k';
      size_t vl = rnd(&seed, 4) == 0 ? 100 + rnd(&seed, 60) : 1 + rnd(&seed, 20);
      for (size_t j = 0; j < vl; j++) v[j] = (char)('a' + rnd(&seed, 26));
      pm_set(m, k, kl, v, vl);
    }
    put_layout(&B->in, m, 0);
    assert_int_equal(lkattrs_participant_load(a, B->in.b, B->in.n, NULL), LKATTRS_OK);
    size_t n1 = 0;
    const unsigned char *b1 = info_bytes(a, &n1);
    memcpy(first, b1, n1);
    for (unsigned layout = 1; layout <= 5; layout++) {
      put_layout(&B->in, m, layout);
      assert_int_equal(lkattrs_participant_load(b, B->in.b, B->in.n, NULL), LKATTRS_OK);
      size_t n2 = 0;
      const unsigned char *b2 = info_bytes(b, &n2);
      if (layout != 4) { /* layout 4 has other fields */
        assert_int_equal(n2, n1);
        assert_memory_equal(b2, first, n1);
      }
      assert_int_equal(lkattrs_participant_count(b), m->n);
    }
    /* Layout 4's canonical form: its other fields grouped. */
    pmodel *w = &B->m_old;
    *w = *m;
    mseg_str(w, 1, "PA_abc");
    mseg_uint(w, 16, 7);
    if (m->n) mseg_uint(w, 16, 8);
    mseg_uint(w, 1000, 1);
    mname(w, "Name");
    put_layout(&B->in, m, 4);
    assert_int_equal(lkattrs_participant_load(b, B->in.b, B->in.n, NULL), LKATTRS_OK);
    check_model(b, w);
    /* Then the same updates on a and on a copy loaded reversed. */
    put_layout(&B->in, m, 1);
    assert_int_equal(lkattrs_participant_load(b, B->in.b, B->in.n, NULL), LKATTRS_OK);
    for (int step = 0; step < 3; step++) {
      lkattrs_entry up[20];
      static char keys[20][40], vals[20][200];
      size_t n = rnd(&seed, 20);
      for (size_t i = 0; i < n; i++) {
        size_t kl, vl;
        if (m->n && rnd(&seed, 2)) {
          const pm_item *it = &m->it[rnd(&seed, m->n)];
          memcpy(keys[i], it->k, it->kl);
          kl = it->kl;
        } else {
          kl = 1 + rnd_text(&seed, keys[i], 6);
          keys[i][kl - 1] = 'k';
        }
        vl = rnd(&seed, 4) ? rnd(&seed, 30) : 100 + rnd(&seed, 60); /* <= PM_TEXT */
        for (size_t j = 0; j < vl; j++) vals[i][j] = (char)('A' + rnd(&seed, 26));
        up[i] = (lkattrs_entry){keys[i], kl, vals[i], vl};
        pm_set(m, keys[i], kl, vals[i], vl);
      }
      pupd u = {NULL, NULL, up, n, (uint32_t)step + 1};
      build_update(&B->upd, &u, LKATTRS_UPDATE_PARTICIPANT_METADATA);
      lkattrs_update_result r1, r2;
      assert_int_equal(lkattrs_participant_apply(a, B->upd.b, B->upd.n,
                                                 LKATTRS_UPDATE_PARTICIPANT_METADATA, &srv, NULL,
                                                 &r1, NULL),
                       LKATTRS_OK);
      assert_int_equal(lkattrs_participant_apply(b, B->upd.b, B->upd.n,
                                                 LKATTRS_UPDATE_PARTICIPANT_METADATA, &srv, NULL,
                                                 &r2, NULL),
                       LKATTRS_OK);
      assert_int_equal(r1.attrs_changed, r2.attrs_changed);
      size_t na = 0, nb = 0;
      const unsigned char *ba = info_bytes(a, &na), *bb = info_bytes(b, &nb);
      assert_int_equal(na, nb);
      assert_memory_equal(ba, bb, na);
      /* Against the model: PA_abc, Name, version, attributes. */
      pmodel *x = &B->m_old;
      *x = *m;
      mseg_str(x, 1, "PA_abc");
      mname(x, "Name");
      x->version = lkattrs_participant_version(a);
      check_model(a, x);
    }
  }
  lkattrs_participant_free(a);
  lkattrs_participant_free(b);
}

static void test_defaults(void **state) {
  (void)state;
  lkattrs_rules r = LKATTRS_RULES_INIT;
  assert_int_equal(r.origin, LKATTRS_ORIGIN_CLIENT);
  assert_false(r.can_update_metadata);
  assert_false(r.skip_namespace_rules);
  assert_null(r.limits);
  assert_int_equal(r.max_name_bytes, 0);
  assert_int_equal(r.max_metadata_bytes, LKATTRS_DEFAULT_MAX_METADATA_BYTES);
  assert_int_equal(LKATTRS_DEFAULT_MAX_METADATA_BYTES, 524288);
  assert_int_equal(LKATTRS_UPDATE_SIGNAL_REQUEST, 0);
  assert_int_equal(LKATTRS_UPDATE_PARTICIPANT_METADATA, 1);
  assert_int_equal(LKATTRS_UPDATE_PARTICIPANT_REQUEST, 2);
  assert_int_equal(LKATTRS_VIEW_PARTICIPANT_INFO, 0);
  assert_int_equal(LKATTRS_VIEW_PARTICIPANT_UPDATE, 1);
  assert_int_equal(LKATTRS_VIEW_SIGNAL_RESPONSE, 2);
  /* The fixed-storage size grows with every capacity. */
  assert_true(LKATTRS_PARTICIPANT_FIXED_BYTES(1, 0, 0) > LKATTRS_PARTICIPANT_FIXED_BYTES(0, 0, 0));
  assert_true(LKATTRS_PARTICIPANT_FIXED_BYTES(0, 1, 0) > LKATTRS_PARTICIPANT_FIXED_BYTES(0, 0, 0));
  assert_true(LKATTRS_PARTICIPANT_FIXED_BYTES(0, 0, 1) > LKATTRS_PARTICIPANT_FIXED_BYTES(0, 0, 0));
}

/* LKATTRS_PARTICIPANT_FIXED_BYTES is enough for any capacities at any
 * alignment, and a state so made holds what its capacities say. */
static void test_fixed_sizes(void **state) {
  (void)state;
  static const size_t infos[] = {0, 1, 13, 14, 100, 1000, 65535};
  static const size_t ents[] = {0, 1, 3, 100, 1000};
  size_t biggest = 2 * LKATTRS_PARTICIPANT_FIXED_BYTES(65535, 1000, 5000) + 4096;
  size_t short_cases = 0;
  char first_short[160] = "";
  unsigned char *mem = malloc(biggest);
  assert_non_null(mem);
  static lkattrs_entry es[5000];
  static char keys[5000][8];
  for (size_t i = 0; i < 5000; i++) {
    snprintf(keys[i], sizeof keys[i], "k%05zu", i);
    es[i] = E(keys[i], "v"); /* 13 bytes of info each */
  }
  for (size_t a = 0; a < ARRAY_LEN(infos); a++)
    for (size_t b = 0; b < ARRAY_LEN(ents); b++) {
      size_t e = ents[b];
      size_t upds[] = {0, 1, e, 2 * e + 1, 5000};
      for (size_t c = 0; c < ARRAY_LEN(upds); c++) {
        size_t u = upds[c], ur = u ? u : e;
        size_t need = LKATTRS_PARTICIPANT_FIXED_BYTES(infos[a], e, ur);
        lkattrs_participant_caps caps = {infos[a], e, u};
        for (size_t shift = 0; shift < 8; shift += 3) {
          lkattrs_participant *p = NULL;
          lkattrs_status st = lkattrs_participant_init_fixed(mem + shift, need, &caps, &p);
          if (st != LKATTRS_OK) { /* reported below; go on with more room */
            assert_int_equal(st, LKATTRS_E_NOSPACE);
            if (!short_cases++)
              snprintf(first_short, sizeof first_short,
                       "caps {%zu, %zu, %zu}, shift %zu: NOSPACE with %zu bytes", infos[a], e, u,
                       shift, need);
            assert_int_equal(lkattrs_participant_init_fixed(mem + shift, 2 * need + 4096, &caps, &p),
                             LKATTRS_OK);
          }
          /* As many attributes as fit every capacity (and version 1: 2
           * bytes). */
          size_t fit = infos[a] >= 2 ? (infos[a] - 2) / 13 : 0;
          size_t n = e < ur ? e : ur;
          if (fit < n) n = fit;
          assert_int_equal(lkattrs_participant_join(p, es, n, NULL, 0, NULL, NULL), LKATTRS_OK);
          assert_int_equal(lkattrs_participant_count(p), n);
          /* One more than the entry capacity: NOSPACE, unchanged. */
          if (e + 1 <= ur && (e + 1) * 13 + 2 <= infos[a]) {
            assert_int_equal(lkattrs_participant_join(p, es, e + 1, NULL, 0, NULL, NULL),
                             LKATTRS_E_NOSPACE);
            assert_int_equal(lkattrs_participant_count(p), n);
          }
          /* ur raw entries of one key: the scratch holds them. */
          if (ur && infos[a] >= 16 && e) {
            B->upd.n = 0;
            for (size_t i = 0; i < ur; i++) pb_entry(&B->upd, 3, "k00000", i % 2 ? "v" : "w");
            lkattrs_rules srv = origin_rules(LKATTRS_ORIGIN_SERVER, false);
            lkattrs_update_result r;
            assert_int_equal(lkattrs_participant_apply(p, B->upd.b, B->upd.n,
                                                       LKATTRS_UPDATE_PARTICIPANT_METADATA, &srv,
                                                       NULL, &r, NULL),
                             LKATTRS_OK);
            pb_entry(&B->upd, 3, "k00000", "x");
            assert_int_equal(lkattrs_participant_apply(p, B->upd.b, B->upd.n,
                                                       LKATTRS_UPDATE_PARTICIPANT_METADATA, &srv,
                                                       NULL, &r, NULL),
                             LKATTRS_E_NOSPACE);
            assert_true(r.refused);
          }
          /* Less storage than the macro says: NOSPACE. */
          assert_int_equal(lkattrs_participant_init_fixed(mem + shift, need - 1, &caps, &p),
                           LKATTRS_E_NOSPACE);
        }
      }
    }
  if (SIZE_MAX > 0xFFFFFFFFu) { /* max_info_bytes of 4 GiB: refused */
    lkattrs_participant_caps big = {(size_t)0xFFFFFFFFu + 1u, 1, 1};
    lkattrs_participant *p = NULL;
    assert_int_equal(lkattrs_participant_init_fixed(mem, biggest, &big, &p),
                     LKATTRS_E_INVALID_ARGUMENT);
  }
  free(mem);
  if (short_cases)
    fail_msg("LKATTRS_PARTICIPANT_FIXED_BYTES too small in %zu cases, first: %s", short_cases,
             first_short);
}

/* The state's own views as the input of the next operation: its bytes to
 * load or set_fields, its entries (lkattrs_participant_at) to join. */
static void test_self_input(void **state) {
  (void)state;
  static unsigned char storage[LKATTRS_PARTICIPANT_FIXED_BYTES(2048, 16, 16)];
  for (int fixed = 0; fixed < 2; fixed++) {
    lkattrs_participant *p =
        fixed ? fixed_state(storage, sizeof storage, 2048, 16, 16) : heap_state();
    pmodel *m = &B->m;
    load_typical(p, m, "Name", "md", 5, KV("a", "1", "b", "2", "c", "\xc3\xa9"));
    for (int round = 0; round < 3; round++) {
      size_t n = 0;
      const unsigned char *own = info_bytes(p, &n);
      assert_int_equal(lkattrs_participant_load(p, own, n, NULL), LKATTRS_OK);
      check_model(p, m);
      assert_int_equal(lkattrs_participant_changes(p), 0);
      own = info_bytes(p, &n);
      assert_int_equal(lkattrs_participant_set_fields(p, own, n, NULL), LKATTRS_OK);
      m->version++;
      check_model(p, m);
      lkattrs_entry cur[16];
      size_t c = lkattrs_participant_count(p);
      for (size_t i = 0; i < c; i++) assert_int_equal(lkattrs_participant_at(p, i, &cur[i]), LKATTRS_OK);
      assert_int_equal(lkattrs_participant_join(p, cur, c, NULL, 0, NULL, NULL), LKATTRS_OK);
      check_model(p, m);
      assert_int_equal(lkattrs_participant_changes(p), 0);
      /* The current entries as the token, a join on top: a change. */
      pmodel *old = &B->m_old;
      *old = *m;
      for (size_t i = 0; i < c; i++) assert_int_equal(lkattrs_participant_at(p, i, &cur[i]), LKATTRS_OK);
      lkattrs_entry jn[] = {E("a", round % 2 ? "x" : "y"), E("new", "v")};
      assert_int_equal(lkattrs_participant_join(p, cur, c, jn, 2, NULL, NULL),
                       LKATTRS_E_NOT_ALLOWED);
      lkattrs_rules g = client_rules(true);
      assert_int_equal(lkattrs_participant_join(p, cur, c, jn, 2, &g, NULL), LKATTRS_OK);
      mset(m, "a", round % 2 ? "x" : "y");
      mset(m, "new", "v");
      m->version++;
      check_model(p, m);
      check_changes(p, old, m);
    }
    lkattrs_participant_free(p);
  }
}

/* SignalRequest's arm is the last field of its oneof: an unknown field (9
 * is none of SignalRequest's) switches nothing, so the update_metadata
 * parts around it merge, as protobuf (and LiveKit's Go decoder) reads
 * them; a real arm in between (8, leave) drops the parts before it. */
static void test_signal_unknown_fields(void **state) {
  (void)state;
  static const unsigned char unknown_after[] = {0x7a, 0x08, 0x1a, 0x06, 0x0a, 0x01, 0x6b,
                                                0x12, 0x01, 0x76, 0x48, 0x01};
  static const unsigned char split[] = {0x7a, 0x08, 0x1a, 0x06, 0x0a, 0x01, 0x61, 0x12, 0x01,
                                        0x31, 0x48, 0x01, 0x7a, 0x08, 0x1a, 0x06, 0x0a, 0x01,
                                        0x62, 0x12, 0x01, 0x32};
  static const unsigned char arm_between[] = {0x7a, 0x08, 0x1a, 0x06, 0x0a, 0x01, 0x61, 0x12,
                                              0x01, 0x31, 0x42, 0x00, 0x7a, 0x08, 0x1a, 0x06,
                                              0x0a, 0x01, 0x62, 0x12, 0x01, 0x32};
  static const unsigned char arm_last[] = {0x7a, 0x08, 0x1a, 0x06, 0x0a, 0x01, 0x61,
                                           0x12, 0x01, 0x31, 0x42, 0x00};
  lkattrs_rules r = client_rules(true);
  unsigned char resp[LKATTRS_RESPONSE_MAX_BYTES(64)];
  lkattrs_response_buf rb = {resp, sizeof resp, true, false};
  lkattrs_update_result res;
  const char *v;
  size_t vl;
  lkattrs_participant *p = NULL;
  assert_int_equal(lkattrs_participant_new(NULL, &p), LKATTRS_OK);
  assert_int_equal(lkattrs_participant_apply(p, unknown_after, sizeof unknown_after,
                                             LKATTRS_UPDATE_SIGNAL_REQUEST, &r, &rb, &res, NULL),
                   LKATTRS_OK);
  assert_int_equal(lkattrs_participant_get(p, "k", 1, &v, &vl), LKATTRS_OK);
  assert_memory_equal(v, "v", 1);
  assert_int_equal(lkattrs_participant_apply(p, split, sizeof split,
                                             LKATTRS_UPDATE_SIGNAL_REQUEST, &r, &rb, &res, NULL),
                   LKATTRS_OK);
  assert_int_equal(res.attrs_changed, 2);
  /* The echo is the two parts, concatenated, without the unknown field. */
  assert_int_equal(res.resp_len, 18); /* {7: the 16 bytes} */
  assert_memory_equal(resp + res.resp_len - 16, "\x1a\x06\x0a\x01\x61\x12\x01\x31"
                                                "\x1a\x06\x0a\x01\x62\x12\x01\x32", 16);
  assert_int_equal(lkattrs_participant_apply(p, arm_between, sizeof arm_between,
                                             LKATTRS_UPDATE_SIGNAL_REQUEST, &r, &rb, &res, NULL),
                   LKATTRS_OK);
  assert_int_equal(res.attrs_changed, 0); /* only {b: 2}, which is already there */
  assert_int_equal(lkattrs_participant_apply(p, arm_last, sizeof arm_last,
                                             LKATTRS_UPDATE_SIGNAL_REQUEST, &r, &rb, &res, NULL),
                   LKATTRS_E_NOT_FOUND);
  assert_int_equal(res.resp_len, 0);
  lkattrs_participant_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create),
      cmocka_unit_test(test_signal_unknown_fields),
      cmocka_unit_test(test_new_nomem),
      cmocka_unit_test(test_views),
      cmocka_unit_test(test_reads),
      cmocka_unit_test(test_load),
      cmocka_unit_test(test_load_errors),
      cmocka_unit_test(test_load_layouts),
      cmocka_unit_test(test_set_fields),
      cmocka_unit_test(test_empty_first_write),
      cmocka_unit_test(test_join),
      cmocka_unit_test(test_join_rules),
      cmocka_unit_test(test_join_request),
      cmocka_unit_test(test_apply_basic),
      cmocka_unit_test(test_apply_refusals),
      cmocka_unit_test(test_apply_name_metadata),
      cmocka_unit_test(test_apply_kinds),
      cmocka_unit_test(test_apply_version_wrap),
      cmocka_unit_test(test_response_buffers),
      cmocka_unit_test(test_write_response),
      cmocka_unit_test(test_fixed_capacities),
      cmocka_unit_test(test_fixed_sizes),
      cmocka_unit_test(test_heap_growth),
      cmocka_unit_test(test_self_input),
      cmocka_unit_test(test_nomem),
      cmocka_unit_test(test_refusal_under_nomem),
      cmocka_unit_test(test_property_heap),
      cmocka_unit_test(test_property_fixed),
      cmocka_unit_test(test_defaults),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
