/* test_update.c - an encoded update applied to a participant: exact output
 * bytes, refusals, no-ops, name and metadata, buffers, envelopes, malformed
 * input, allocation failures, and the property that the wire path and the
 * map-based merge agree (map, status and bytes) on random maps and updates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counting_alloc.h"
#include "pb_build.h"
#include "test_util.h"

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- builders (independent of the library's writer) ---- */

typedef struct {
  const char *name, *md;
  uint32_t version;
  const lkattrs_map *attrs;
  bool unknown; /* an unknown field 99 at the end */
} pinfo;

/* A ParticipantInfo in field order, as LiveKit's encoders write it. */
static void build_info(pbuf *p, const pinfo *i) {
  p->n = 0;
  pb_str(p, 1, "PA_abcdefghijkl");
  pb_str(p, 2, "alice");
  pb_uint(p, 3, 2);
  if (i->md && *i->md) pb_str(p, 5, i->md);
  pb_uint(p, 6, 1700000000);
  if (i->name && *i->name) pb_str(p, 9, i->name);
  if (i->version) pb_uint(p, 10, i->version);
  pb_bytes(p, 11, "\x10\x01\x58\x01", 4);
  pb_str(p, 12, "eu-west");
  for (size_t k = 0; i->attrs && k < lkattrs_map_count(i->attrs); k++) {
    lkattrs_entry e;
    assert_int_equal(lkattrs_map_at(i->attrs, k, &e), LKATTRS_OK);
    pb_entry_n(p, 15, e.key, e.key_len, e.value, e.value_len);
  }
  pb_bytes(p, 18, "\x01\x02", 2);
  pb_uint(p, 20, UINT64_MAX); /* client_protocol = -1: 10 bytes */
  if (i->unknown) pb_uint(p, 99, 5);
}

typedef struct {
  const char *name, *md;
  const lkattrs_entry *e;
  size_t n;
  uint32_t rid;
} pupd;

static void build_upd_body(pbuf *p, const pupd *u) {
  p->n = 0;
  if (u->md && *u->md) pb_str(p, 1, u->md);
  if (u->name && *u->name) pb_str(p, 2, u->name);
  for (size_t k = 0; k < u->n; k++)
    pb_entry_n(p, 3, u->e[k].key, u->e[k].key_len, u->e[k].value, u->e[k].value_len);
  if (u->rid) pb_uint(p, 4, u->rid);
}

/* SignalRequest{update_metadata: ...}. */
static void build_signal(pbuf *p, const pupd *u) {
  pbuf *b = calloc(1, sizeof *b);
  build_upd_body(b, u);
  p->n = 0;
  pb_sub(p, 15, b);
  free(b);
}

static void build_resp(pbuf *p, const pupd *u, int reason, const char *msg) {
  pbuf *b = calloc(1, sizeof *b);
  build_upd_body(b, u);
  p->n = 0;
  if (u->rid) pb_uint(p, 1, u->rid);
  if (reason) pb_uint(p, 2, (uint64_t)reason);
  if (msg && *msg) pb_str(p, 3, msg);
  pb_sub(p, 7, b);
  free(b);
}

typedef struct {
  pbuf info, upd, exp, exp2;
  unsigned char out[1 << 17], resp[1 << 17];
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

static lkattrs_update_buffers full_bufs(void) {
  lkattrs_update_buffers b = {B->out, sizeof B->out, B->resp, sizeof B->resp};
  return b;
}

static lkattrs_update_opts client(bool grant) {
  lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
  o.merge.can_update_metadata = grant;
  return o;
}

/* ---- cases ---- */

static void test_apply_basic(void **state) {
  (void)state;
  lkattrs_map *m = new_map(KV("a", "1", "b", "2", "c", "3"));
  pinfo pi = {"Alice", "meta", 7, m, true};
  build_info(&B->info, &pi);
  lkattrs_entry up[] = {E("d", "4"), E("b", ""), E("a", "9"), E("a", "1"), E("zz", "")};
  pupd pu = {NULL, NULL, up, ARRAY_LEN(up), 42};
  build_signal(&B->upd, &pu);
  lkattrs_update_opts o = client(true);
  lkattrs_update_buffers b = full_bufs();
  lkattrs_update_result r;
  lkattrs_error_detail d;
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d),
                   LKATTRS_OK);
  assert_map(m, KV("a", "1", "c", "3", "d", "4"));
  assert_true(r.changed);
  assert_false(r.refused);
  assert_true(r.respond);
  assert_int_equal(r.attrs_changed, 2);
  assert_int_equal(r.version, 8);
  assert_int_equal(r.request_id, 42);
  assert_int_equal(r.reason, LKATTRS_REASON_OK);
  /* Every other field carried over, version and attributes rewritten. */
  pinfo want = {"Alice", "meta", 8, m, true};
  build_info(&B->exp, &want);
  assert_int_equal(r.info_len, B->exp.n);
  assert_int_equal(r.info_needed, B->exp.n);
  assert_memory_equal(B->out, B->exp.b, B->exp.n);
  /* RequestResponse{request_id, update_metadata echo}. */
  build_resp(&B->exp, &pu, 0, NULL);
  assert_int_equal(r.resp_len, B->exp.n);
  assert_memory_equal(B->resp, B->exp.b, B->exp.n);

  /* The same again: a no-op (no version bump, nothing to broadcast). */
  build_info(&B->info, &want);
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d),
                   LKATTRS_OK);
  assert_false(r.changed);
  assert_int_equal(r.attrs_changed, 0);
  assert_int_equal(r.version, 8);
  assert_int_equal(r.info_len, 0);
  assert_int_equal(r.resp_len, B->exp.n);
  assert_map(m, KV("a", "1", "c", "3", "d", "4"));
  lkattrs_map_free(m);
}

static void test_apply_refusals(void **state) {
  (void)state;
  lkattrs_map *m = new_map(KV("a", "1"));
  pinfo pi = {NULL, NULL, 3, m, false};
  build_info(&B->info, &pi);
  lkattrs_entry up[] = {E("x", "1")};
  pupd pu = {NULL, NULL, up, 1, 5};
  build_signal(&B->upd, &pu);
  lkattrs_update_buffers b = full_bufs();
  lkattrs_update_result r;
  lkattrs_error_detail d;
  memset(B->out, 0xAB, 16);

  /* No grant: NOT_ALLOWED, LiveKit's message, nothing else. */
  lkattrs_update_opts o = client(false);
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d),
                   LKATTRS_E_NOT_ALLOWED);
  assert_true(r.refused);
  assert_false(r.changed);
  assert_int_equal(r.info_len, 0);
  assert_int_equal(B->out[0], 0xAB);
  assert_int_equal(r.reason, LKATTRS_REASON_NOT_ALLOWED);
  assert_int_equal(r.version, 3);
  build_resp(&B->exp, &pu, LKATTRS_REASON_NOT_ALLOWED,
             "does not have permission to update own metadata");
  assert_int_equal(r.resp_len, B->exp.n);
  assert_memory_equal(B->resp, B->exp.b, B->exp.n);
  assert_map(m, KV("a", "1"));

  /* Too large: LIMIT_EXCEEDED. */
  o = client(true);
  lkattrs_limits lim = LKATTRS_LIMITS_INIT;
  lim.max_update_bytes = 10;
  o.merge.limits = &lim;
  lkattrs_entry big[] = {E("x", "0123456789")};
  pupd pb = {NULL, NULL, big, 1, 6};
  build_signal(&B->upd, &pb);
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d),
                   LKATTRS_E_TOO_LARGE);
  assert_int_equal(r.reason, LKATTRS_REASON_LIMIT_EXCEEDED);
  build_resp(&B->exp, &pb, LKATTRS_REASON_LIMIT_EXCEEDED, "exceeds attributes size limit");
  assert_int_equal(r.resp_len, B->exp.n);
  assert_memory_equal(B->resp, B->exp.b, B->exp.n);
  assert_map(m, KV("a", "1"));

  /* A reserved name from a client, one bad entry among good ones. */
  o.merge.limits = NULL;
  lkattrs_entry res[] = {E("ok", "1"), E("sip.phoneNumber", "+1555"), E("ok2", "2")};
  pupd pr = {NULL, NULL, res, 3, 7};
  build_signal(&B->upd, &pr);
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d),
                   LKATTRS_E_RESERVED_NAME);
  assert_int_equal(d.index, 1);
  assert_int_equal(d.key_len, 15);
  assert_true(d.key > (const char *)B->upd.b && d.key < (const char *)B->upd.b + B->upd.n);
  assert_int_equal(r.reason, LKATTRS_REASON_NOT_ALLOWED);
  assert_map(m, KV("a", "1"));

  /* U+0000 in a value: INVALID_REQUEST. */
  lkattrs_entry nul[] = {{"k", 1, "a\0b", 3}};
  pupd pn = {NULL, NULL, nul, 1, 8};
  build_signal(&B->upd, &pn);
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d),
                   LKATTRS_E_NUL);
  assert_int_equal(r.reason, LKATTRS_REASON_INVALID_REQUEST);

  /* Name and metadata limits. */
  o.max_name_bytes = 3;
  pupd pnm = {"Bobby", NULL, NULL, 0, 9};
  build_signal(&B->upd, &pnm);
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d),
                   LKATTRS_E_TOO_LARGE);
  build_resp(&B->exp, &pnm, LKATTRS_REASON_LIMIT_EXCEEDED, "exceeds name length limit");
  assert_memory_equal(B->resp, B->exp.b, B->exp.n);
  o.max_name_bytes = 0;
  o.max_metadata_bytes = 2;
  pupd pmd = {NULL, "abc", NULL, 0, 9};
  build_signal(&B->upd, &pmd);
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d),
                   LKATTRS_E_TOO_LARGE);
  build_resp(&B->exp, &pmd, LKATTRS_REASON_LIMIT_EXCEEDED, "exceeds metadata size limit");
  assert_memory_equal(B->resp, B->exp.b, B->exp.n);
  assert_map(m, KV("a", "1"));
  lkattrs_map_free(m);
}

static void test_apply_name_metadata(void **state) {
  (void)state;
  lkattrs_map *m = new_map(KV("a", "1"));
  pinfo pi = {"Old", "m0", 1, m, false};
  build_info(&B->info, &pi);
  lkattrs_update_opts o = client(true);
  lkattrs_update_buffers b = full_bufs();
  lkattrs_update_result r;
  /* Name only (new), metadata equal to the stored one: name changes. */
  pupd pu = {"New", "m0", NULL, 0, 1};
  build_signal(&B->upd, &pu);
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, NULL),
                   LKATTRS_OK);
  assert_true(r.changed && r.name_changed && !r.metadata_changed);
  pinfo want = {"New", "m0", 2, m, false};
  build_info(&B->exp, &want);
  assert_int_equal(r.info_len, B->exp.n);
  assert_memory_equal(B->out, B->exp.b, B->exp.n);
  /* Metadata on a participant that had none; attributes too. */
  pinfo p2 = {NULL, NULL, 0, m, false};
  build_info(&B->info, &p2);
  lkattrs_entry up[] = {E("b", "2")};
  pupd pu2 = {NULL, "hello", up, 1, 0};
  build_signal(&B->upd, &pu2);
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, NULL),
                   LKATTRS_OK);
  assert_true(r.metadata_changed && !r.name_changed);
  pinfo w2 = {NULL, "hello", 1, m, false};
  build_info(&B->exp, &w2);
  assert_memory_equal(B->out, B->exp.b, B->exp.n);
  assert_map(m, KV("a", "1", "b", "2"));
  /* An empty update: a no-op that is still answered OK. */
  pupd pe = {NULL, NULL, NULL, 0, 3};
  build_signal(&B->upd, &pe);
  assert_int_equal(lkattrs_update_apply(m, NULL, 0, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, NULL),
                   LKATTRS_OK);
  assert_false(r.changed);
  assert_true(r.resp_len > 0);
  lkattrs_map_free(m);
}

static void test_apply_kinds_and_envelope(void **state) {
  (void)state;
  lkattrs_map *m = new_map(KV("a", "1"));
  lkattrs_update_buffers b = full_bufs();
  lkattrs_update_result r;
  lkattrs_entry up[] = {E("sip.callStatus", "active"), E("a", "")};
  /* Server API: UpdateParticipantRequest {1 room, 2 identity, 4 permission,
   * 6 attributes}: reserved names allowed, no response on success. */
  pbuf *q = &B->upd;
  q->n = 0;
  pb_str(q, 1, "room");
  pb_str(q, 2, "alice");
  pb_bytes(q, 4, "\x10\x01", 2);
  for (size_t i = 0; i < 2; i++) pb_entry(q, 6, up[i].key, up[i].value);
  lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
  o.merge.origin = LKATTRS_ORIGIN_SERVER;
  assert_int_equal(lkattrs_update_apply(m, NULL, 0, q->b, q->n, LKATTRS_UPDATE_PARTICIPANT_REQUEST,
                                        &o, &b, &r, NULL),
                   LKATTRS_OK);
  assert_false(r.respond);
  assert_true(r.changed);
  assert_map(m, KV("sip.callStatus", "active"));
  /* Bare UpdateParticipantMetadata with envelopes. */
  lkattrs_entry up2[] = {E("k", "v")};
  pupd pu = {NULL, NULL, up2, 1, 11};
  build_upd_body(&B->upd, &pu);
  o = client(true);
  o.envelope = true;
  o.echo_request = false;
  pinfo pi = {NULL, NULL, 1, m, false};
  build_info(&B->info, &pi);
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_PARTICIPANT_METADATA, &o, &b, &r, NULL),
                   LKATTRS_OK);
  pinfo want = {NULL, NULL, 2, m, false};
  build_info(&B->exp, &want);
  pbuf *pu_ = calloc(1, sizeof *pu_);
  pb_sub(pu_, 1, &B->exp);
  B->exp2.n = 0;
  pb_sub(&B->exp2, 5, pu_); /* SignalResponse{update: ParticipantUpdate{participants}} */
  assert_int_equal(r.info_len, B->exp2.n);
  assert_memory_equal(B->out, B->exp2.b, B->exp2.n);
  /* SignalResponse{request_response: {request_id: 11}} */
  unsigned char want_resp[] = {0xb2, 0x01, 0x02, 0x08, 0x0b};
  assert_int_equal(r.resp_len, sizeof want_resp);
  assert_memory_equal(B->resp, want_resp, sizeof want_resp);
  size_t n;
  unsigned char rb[64];
  assert_int_equal(lkattrs_update_write_response(11, 0, NULL, 0, true, rb, sizeof rb, &n), LKATTRS_OK);
  assert_int_equal(n, sizeof want_resp);
  assert_memory_equal(rb, want_resp, n);
  assert_int_equal(lkattrs_update_write_response(11, 3, "x", 1, false, rb, 2, &n),
                   LKATTRS_E_BUFFER_TOO_SMALL);
  assert_int_equal(n, 7);
  free(pu_);
  /* A SignalRequest that is not an update. */
  q->n = 0;
  pb_uint(q, 14, 12345); /* ping */
  assert_int_equal(lkattrs_update_apply(m, NULL, 0, q->b, q->n, LKATTRS_UPDATE_SIGNAL_REQUEST,
                                        &o, &b, &r, NULL),
                   LKATTRS_E_NOT_FOUND);
  lkattrs_map_free(m);
}

static void test_apply_buffers_and_malformed(void **state) {
  (void)state;
  lkattrs_map *m = new_map(KV("a", "1"));
  pinfo pi = {NULL, NULL, 4, m, false};
  build_info(&B->info, &pi);
  lkattrs_entry up[] = {E("b", "2")};
  pupd pu = {NULL, NULL, up, 1, 1};
  build_signal(&B->upd, &pu);
  lkattrs_update_opts o = client(true);
  lkattrs_update_result r;
  unsigned char small[8];
  lkattrs_update_buffers b = {small, sizeof small, B->resp, sizeof B->resp};
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, NULL),
                   LKATTRS_E_BUFFER_TOO_SMALL);
  assert_map(m, KV("a", "1"));
  assert_int_equal(r.resp_len, 0);
  size_t need = r.info_needed;
  assert_true(need > sizeof small);
  /* Exactly the size needed works. */
  unsigned char *exact = malloc(need);
  b.info = exact;
  b.info_cap = need;
  b.resp = NULL;
  b.resp_cap = 0;
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, NULL),
                   LKATTRS_OK);
  assert_int_equal(r.info_len, need);
  assert_int_equal(r.resp_len, 0);
  assert_true(r.resp_needed > 0);
  free(exact);
  /* Malformed update / info: nothing written, nothing changed. */
  b = full_bufs();
  lkattrs_error_detail d;
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n, B->upd.b, B->upd.n - 1,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d),
                   LKATTRS_E_WIRE_TRUNCATED);
  assert_int_equal(r.resp_len + r.info_len, 0);
  assert_false(r.refused);
  assert_int_equal(lkattrs_update_apply(m, B->info.b, B->info.n - 1, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d),
                   LKATTRS_E_WIRE_TRUNCATED);
  unsigned char bad_entry[] = {0x7a, 0x04, 0x1a, 0x02, 0x08, 0x01}; /* key as varint */
  assert_int_equal(lkattrs_update_apply(m, NULL, 0, bad_entry, sizeof bad_entry,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d),
                   LKATTRS_E_WIRE_MALFORMED);
  assert_int_equal(d.offset, 4);
  assert_map(m, KV("a", "1", "b", "2"));
  /* Arguments. */
  assert_int_equal(lkattrs_update_apply(NULL, NULL, 0, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, NULL),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_update_apply(m, NULL, 0, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, NULL, &r, NULL),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_update_apply(m, NULL, 0, B->upd.b, B->upd.n,
                                        (lkattrs_update_kind)9, &o, &b, &r, NULL),
                   LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_map_free(m);
}

/* No allocation with a fixed map or caller scratch; a heap map survives
 * every allocation failure unchanged. */
static void test_apply_memory(void **state) {
  (void)state;
  lkattrs_entry up[] = {E("b", "2"), E("c", "3"), E("a", "")};
  pupd pu = {NULL, NULL, up, 3, 1};
  build_signal(&B->upd, &pu);
  lkattrs_update_opts o = client(true);
  lkattrs_update_buffers b = full_bufs();
  lkattrs_update_result r;
  counting_alloc ca = {0};
  lkattrs_allocator a = counting_allocator(&ca);
  size_t failures = 0;
  for (size_t at = 1;; at++) {
    lkattrs_map *m;
    ca.fail_at = 0;
    assert_int_equal(lkattrs_map_new(&a, &m), LKATTRS_OK);
    fill_map(m, KV("a", "1"));
    ca.fail_at = ca.calls + at;
    lkattrs_status st = lkattrs_update_apply(m, NULL, 0, B->upd.b, B->upd.n,
                                             LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, NULL);
    if (st == LKATTRS_OK) {
      assert_map(m, KV("b", "2", "c", "3"));
      lkattrs_map_free(m);
      break;
    }
    assert_int_equal(st, LKATTRS_E_NOMEM);
    assert_map(m, KV("a", "1"));
    failures++;
    lkattrs_map_free(m);
  }
  assert_true(failures >= 1);
  assert_int_equal(ca.live_blocks, 0);
  /* Caller scratch: no allocation at all once the map has room. */
  lkattrs_map *m;
  ca.fail_at = 0;
  assert_int_equal(lkattrs_map_new(&a, &m), LKATTRS_OK);
  assert_int_equal(lkattrs_map_reserve(m, 8, 64), LKATTRS_OK);
  uint32_t scratch[3];
  o.scratch = scratch;
  o.scratch_cap = 3;
  size_t calls = ca.calls;
  assert_int_equal(lkattrs_update_apply(m, NULL, 0, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, NULL),
                   LKATTRS_OK);
  assert_int_equal(ca.calls, calls);
  o.scratch_cap = 2; /* too small: refused LIMIT_EXCEEDED, unchanged */
  assert_int_equal(lkattrs_update_apply(m, NULL, 0, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, NULL),
                   LKATTRS_E_NOSPACE);
  assert_int_equal(r.reason, LKATTRS_REASON_LIMIT_EXCEEDED);
  lkattrs_map_free(m);
  assert_int_equal(ca.live_blocks, 0);
}

/* ---- property: wire path == map-based merge ---- */

static const char *const KEYS[] = {"a", "b", "c", "ab", "lk.agent.state", "sip.callID",
                                   "lk.x", "\xc3\xa9", "k\x01", "", "z"};
static const char *const VALS[] = {"", "1", "2", "long-value-long-value", "\xe2\x82\xac",
                                   "x"};

static void run_property(bool fixed) {
  uint64_t seed = fixed ? 0xF1ED : 0xAB5;
  static unsigned char storage[LKATTRS_MAP_FIXED_BYTES(64, 4096)];
  for (int round = 0; round < 1500; round++) {
    lkattrs_map *a, *bm = new_map(NULL);
    if (fixed)
      assert_int_equal(lkattrs_map_init_fixed(storage, sizeof storage, 64, 0, &a), LKATTRS_OK);
    else
      a = new_map(NULL);
    /* Random stored map (valid keys only). */
    size_t n0 = rnd(&seed, 6);
    for (size_t i = 0; i < n0; i++) {
      const char *k = KEYS[rnd(&seed, 8)], *v = VALS[1 + rnd(&seed, ARRAY_LEN(VALS) - 1)];
      assert_int_equal(lkattrs_map_set(a, k, strlen(k), v, strlen(v)), LKATTRS_OK);
    }
    assert_int_equal(lkattrs_map_copy(bm, a), LKATTRS_OK);
    uint32_t version = (uint32_t)rnd(&seed, 3) ? (uint32_t)rnd(&seed, 100) : UINT32_MAX;
    pinfo pi = {"N", NULL, version, a, rnd(&seed, 2) == 0};
    build_info(&B->info, &pi);
    /* Random update: NUL now and then, bad keys, duplicates. */
    lkattrs_entry up[8];
    char nulv[3] = {'a', 0, 'b'};
    size_t n = rnd(&seed, 8);
    for (size_t i = 0; i < n; i++) {
      const char *k = KEYS[rnd(&seed, ARRAY_LEN(KEYS))], *v = VALS[rnd(&seed, ARRAY_LEN(VALS))];
      up[i] = E(k, v);
      if (rnd(&seed, 25) == 0) {
        up[i].value = nulv;
        up[i].value_len = 3;
      }
    }
    pupd pu = {NULL, NULL, up, n, (uint32_t)rnd(&seed, 3)};
    build_signal(&B->upd, &pu);
    lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
    o.merge.origin = (lkattrs_origin)rnd(&seed, 4);
    o.merge.can_update_metadata = rnd(&seed, 6) != 0;
    o.merge.skip_namespace_rules = rnd(&seed, 4) == 0;
    lkattrs_limits lim = LKATTRS_LIMITS_INIT;
    if (rnd(&seed, 3) == 0) {
      lim.max_update_bytes = rnd(&seed, 30);
      lim.max_map_bytes = rnd(&seed, 60);
      lim.max_entries = rnd(&seed, 6);
      lim.max_key_bytes = 1 + rnd(&seed, 14);
      o.merge.limits = &lim;
    }
    lkattrs_update_buffers bf = full_bufs();
    lkattrs_update_result r;
    lkattrs_error_detail d1, d2;
    lkattrs_status s1 = lkattrs_update_apply(a, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                             LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &bf, &r, &d1);
    /* The map-based path: collect the raw entries, lkattrs_merge(). */
    lkattrs_entry got[8];
    size_t cnt;
    const uint32_t path[] = {15, 3};
    assert_int_equal(lkattrs_wire_collect(B->upd.b, B->upd.n, path, 2, LKATTRS_WIRE_RAW, got, 8,
                                          &cnt, NULL),
                     LKATTRS_OK);
    assert_int_equal(cnt, n);
    size_t changed = 0;
    lkattrs_status s2 = lkattrs_merge(bm, got, cnt, &o.merge, &changed, &d2);
    if (s1 != s2) fail_msg("round %d: wire %d, merge %d", round, s1, s2);
    assert_int_equal(d1.code, d2.code);
    assert_int_equal(d1.index, d2.index);
    assert_int_equal(d1.offset, d2.offset);
    assert_true(d1.key == d2.key);
    assert_true(lkattrs_map_equal(a, bm));
    if (s1 == LKATTRS_OK) {
      assert_int_equal(r.attrs_changed, changed);
      assert_int_equal(r.changed, changed > 0);
      uint32_t v2 = changed ? version + 1u : version;
      assert_int_equal(r.version, v2);
      if (changed) {
        pinfo want = {"N", NULL, v2, bm, pi.unknown};
        build_info(&B->exp, &want);
        assert_int_equal(r.info_len, B->exp.n);
        assert_memory_equal(B->out, B->exp.b, B->exp.n);
      } else {
        assert_int_equal(r.info_len, 0);
      }
      build_resp(&B->exp, &pu, 0, NULL);
      assert_int_equal(r.resp_len, B->exp.n);
      assert_memory_equal(B->resp, B->exp.b, B->exp.n);
    } else {
      assert_true(r.refused);
      assert_int_equal(r.reason, lkattrs_status_to_reason(s1));
      assert_int_equal(r.info_len, 0);
    }
    assert_true(r.resp_len > 0);
    lkattrs_map_free(a);
    lkattrs_map_free(bm);
  }
}

static void test_property_heap(void **state) {
  (void)state;
  run_property(false);
}
static void test_property_fixed(void **state) {
  (void)state;
  run_property(true);
}

/* ---- property: the spliced attributes == the re-encoded ones ----
 *
 * lkattrs_update_apply() copies the unchanged entries of a canonical stored
 * ParticipantInfo (our writer's form) and encodes the map in full for any
 * other form.  The same updates applied to the same map, once with a
 * canonical stored message and once with the same entries in another form
 * (another order, a non-minimal length, value before key, the field split
 * in two runs), must give the same bytes, also equal to the independent
 * builder's encoding of lkattrs_merge()'s result.  Updates are written in
 * field order (echoed verbatim) or in another order (echo re-encoded). */

typedef struct {
  unsigned layout; /* 0 canonical, 1 reversed, 2 non-minimal length,
                    * 3 value before key, 4 split by field 16 */
  bool f16;        /* a field 16 after the attributes (layouts 0 and 4) */
} slayout;

static void put_entries(pbuf *p, const lkattrs_map *m, size_t from, size_t to,
                        unsigned layout) {
  size_t n = lkattrs_map_count(m);
  for (size_t i = from; i < to; i++) {
    lkattrs_entry e;
    assert_int_equal(lkattrs_map_at(m, layout == 1 ? n - 1 - i : i, &e), LKATTRS_OK);
    if (layout == 2 && i == from) { /* the entry's length in 2 bytes, the second 0 */
      pbuf *t = calloc(1, sizeof *t);
      pb_bytes(t, 1, e.key, e.key_len);
      pb_bytes(t, 2, e.value, e.value_len);
      pb_tag(p, 15, 2);
      if (t->n < 0x80) {
        unsigned char two[2] = {(unsigned char)(t->n | 0x80), 0};
        pb_raw(p, two, 2);
      } else {
        pb_varint(p, t->n);
      }
      pb_raw(p, t->b, t->n);
      free(t);
    } else if (layout == 3) {
      pbuf *t = calloc(1, sizeof *t);
      pb_bytes(t, 2, e.value, e.value_len);
      pb_bytes(t, 1, e.key, e.key_len);
      pb_sub(p, 15, t);
      free(t);
    } else {
      pb_entry_n(p, 15, e.key, e.key_len, e.value, e.value_len);
    }
  }
}

static void build_info_layout(pbuf *p, const lkattrs_map *m, uint32_t version,
                              slayout l) {
  size_t n = lkattrs_map_count(m);
  p->n = 0;
  pb_str(p, 1, "PA_abcdefghijkl");
  pb_str(p, 2, "alice");
  pb_str(p, 9, "N");
  if (version) pb_uint(p, 10, version);
  pb_bytes(p, 11, "\x10\x01\x58\x01", 4);
  if (l.layout == 4) {
    put_entries(p, m, 0, n / 2, 0);
    pb_uint(p, 16, 7);
    put_entries(p, m, n / 2, n, 0);
  } else {
    put_entries(p, m, 0, n, l.layout);
    if (l.f16) pb_uint(p, 16, 7);
  }
  pb_uint(p, 20, 3);
}

static void rnd_key(uint64_t *seed, char *k) {
  static const char *const pre[] = {"", "k", "sip.", "lk.agent.", "user.profile.", "\xc3\xa9t\xc3\xa9"};
  sprintf(k, "%s%u", pre[rnd(seed, ARRAY_LEN(pre))], (unsigned)rnd(seed, 60));
}

static size_t rnd_value(uint64_t *seed, char *v) {
  size_t len = rnd(seed, 4) == 0 ? 100 + rnd(seed, 200) : 1 + rnd(seed, 40), i;
  for (i = 0; i < len; i++) v[i] = (char)('a' + rnd(seed, 26));
  if (len > 2 && rnd(seed, 3) == 0) memcpy(v + len - 2, "\xc3\xa9", 2);
  v[len] = 0;
  return len;
}

static void test_property_splice(void **state) {
  (void)state;
  uint64_t seed = 0x5B11CE;
  static char keys[48][32], vals[48][320];
  static unsigned char out2[1 << 17], resp2[1 << 17];
  pbuf *info2 = calloc(1, sizeof *info2), *upd2 = calloc(1, sizeof *upd2);
  assert_non_null(info2);
  assert_non_null(upd2);
  lkattrs_limits lim = LKATTRS_LIMITS_INIT;
  lim.max_map_bytes = 0;
  for (int round = 0; round < 400; round++) {
    slayout canon = {0, false}, other = {1 + (unsigned)(round % 4), false};
    canon.f16 = other.layout == 4;
    lkattrs_map *a = new_map(NULL), *b = new_map(NULL), *want = new_map(NULL);
    size_t n0 = rnd(&seed, 4) == 0 ? rnd(&seed, 3) : rnd(&seed, 70);
    for (size_t i = 0; i < n0; i++) {
      char k[32], v[320];
      rnd_key(&seed, k);
      size_t vl = rnd_value(&seed, v);
      assert_int_equal(lkattrs_map_set(a, k, strlen(k), v, vl), LKATTRS_OK);
    }
    assert_int_equal(lkattrs_map_copy(b, a), LKATTRS_OK);
    assert_int_equal(lkattrs_map_copy(want, a), LKATTRS_OK);
    uint32_t version = (uint32_t)rnd(&seed, 50);
    build_info_layout(&B->info, a, version, canon);
    for (int step = 0; step < 3; step++) {
      /* The update: existing keys (same value, new value, deleted), new
       * keys, duplicates; sometimes more than the spliced maximum. */
      lkattrs_entry up[48];
      size_t n = rnd(&seed, 5) == 0 ? 33 + rnd(&seed, 15) : rnd(&seed, 12);
      for (size_t i = 0; i < n; i++) {
        lkattrs_entry e;
        size_t cnt = lkattrs_map_count(a), r = rnd(&seed, 5);
        if (cnt && r < 3) {
          assert_int_equal(lkattrs_map_at(a, rnd(&seed, cnt), &e), LKATTRS_OK);
          memcpy(keys[i], e.key, e.key_len);
          keys[i][e.key_len] = 0;
        } else {
          rnd_key(&seed, keys[i]);
        }
        if (cnt && r == 0) { /* the same value */
          memcpy(vals[i], e.value, e.value_len);
          vals[i][e.value_len] = 0;
        } else if (rnd(&seed, 5) == 0) {
          vals[i][0] = 0;
        } else {
          (void)rnd_value(&seed, vals[i]);
        }
        up[i] = E(keys[i], vals[i]);
      }
      pupd pu = {NULL, NULL, up, n, (uint32_t)rnd(&seed, 1000)};
      build_upd_body(&B->upd, &pu);
      /* The same update with request_id first: its echo is re-encoded. */
      upd2->n = 0;
      if (pu.rid) pb_uint(upd2, 4, pu.rid);
      for (size_t i = 0; i < n; i++)
        pb_entry_n(upd2, 3, up[i].key, up[i].key_len, up[i].value, up[i].value_len);
      build_info_layout(info2, b, version, other);

      lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
      o.merge.origin = LKATTRS_ORIGIN_SERVER;
      o.merge.limits = &lim;
      lkattrs_update_buffers bf1 = full_bufs(), bf2 = {out2, sizeof out2, resp2, sizeof resp2};
      lkattrs_update_result r1, r2;
      lkattrs_status s1 = lkattrs_update_apply(a, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                               LKATTRS_UPDATE_PARTICIPANT_METADATA, &o, &bf1,
                                               &r1, NULL);
      lkattrs_status s2 = lkattrs_update_apply(b, info2->b, info2->n, upd2->b, upd2->n,
                                               LKATTRS_UPDATE_PARTICIPANT_METADATA, &o, &bf2,
                                               &r2, NULL);
      size_t changed = 0;
      assert_int_equal(lkattrs_merge(want, up, n, &o.merge, &changed, NULL), s1);
      if (s1 != s2) fail_msg("round %d step %d: spliced %d, re-encoded %d", round, step, s1, s2);
      assert_int_equal(s1, LKATTRS_OK);
      assert_true(lkattrs_map_equal(a, want));
      assert_true(lkattrs_map_equal(b, want));
      assert_int_equal(r1.attrs_changed, changed);
      assert_int_equal(r2.attrs_changed, changed);
      assert_int_equal(r1.info_len, r2.info_len);
      assert_memory_equal(B->out, out2, r1.info_len);
      assert_int_equal(r1.resp_len, r2.resp_len);
      assert_memory_equal(B->resp, resp2, r1.resp_len);
      build_resp(&B->exp, &pu, 0, NULL);
      assert_int_equal(r1.resp_len, B->exp.n);
      assert_memory_equal(B->resp, B->exp.b, B->exp.n);
      if (changed) {
        version++;
        build_info_layout(&B->exp, want, version, canon);
        assert_int_equal(r1.info_len, B->exp.n);
        assert_memory_equal(B->out, B->exp.b, B->exp.n);
        /* Our output is the next stored message. */
        memcpy(B->info.b, B->out, r1.info_len);
        B->info.n = r1.info_len;
      } else {
        assert_int_equal(r1.info_len, 0);
      }
    }
    lkattrs_map_free(a);
    lkattrs_map_free(b);
    lkattrs_map_free(want);
  }
  free(info2);
  free(upd2);
}

/* ---- a stale stored info: the map is the truth ----
 *
 * The stored ParticipantInfo's attributes field is not trusted.  Here it is
 * canonical and has as many entries and key+value bytes as the map, but one
 * entry differs (a value, or a key, of the same length: attrs changed by
 * lkattrs_merge() meanwhile and the info not re-encoded).  The output must
 * be the map-based result (the splice falls back to the full encode), never
 * the stale bytes carried over. */

/* Apply pu to a with stored attributes `stale` (same size as a's) and check
 * the output against the builder's encoding of lkattrs_merge()'s result. */
static void check_stale(lkattrs_map *a, const lkattrs_map *stale, const pupd *pu,
                        uint32_t version, bool expect_change) {
  lkattrs_limits lim = LKATTRS_LIMITS_INIT;
  lim.max_map_bytes = 0;
  lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
  o.merge.origin = LKATTRS_ORIGIN_SERVER;
  o.merge.limits = &lim;
  slayout canon = {0, false};
  lkattrs_map *want = new_map(NULL);
  size_t changed = 0;
  assert_int_equal(lkattrs_map_count(a), lkattrs_map_count(stale));
  assert_int_equal(lkattrs_map_copy(want, a), LKATTRS_OK);
  assert_int_equal(lkattrs_merge(want, pu->e, pu->n, &o.merge, &changed, NULL), LKATTRS_OK);
  build_info_layout(&B->info, stale, version, canon);
  build_upd_body(&B->upd, pu);
  lkattrs_update_buffers bf = full_bufs();
  lkattrs_update_result r;
  assert_int_equal(lkattrs_update_apply(a, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                        LKATTRS_UPDATE_PARTICIPANT_METADATA, &o, &bf, &r,
                                        NULL),
                   LKATTRS_OK);
  assert_true(lkattrs_map_equal(a, want));
  assert_int_equal(r.attrs_changed, changed);
  if (expect_change) assert_true(changed > 0);
  if (changed) {
    build_info_layout(&B->exp, want, version + 1, canon);
    assert_int_equal(r.info_len, B->exp.n);
    assert_memory_equal(B->out, B->exp.b, B->exp.n);
  } else {
    assert_int_equal(r.info_len, 0);
  }
  lkattrs_map_free(want);
}

static bool has_bytes(const unsigned char *b, size_t n, const char *s) {
  size_t l = strlen(s);
  for (size_t i = 0; i + l <= n; i++)
    if (memcmp(b + i, s, l) == 0) return true;
  return false;
}

static void test_splice_stale(void **state) {
  (void)state;
  /* Values: "b" is "bbb" in the map, "xyz" in the stale info; the update
   * changes "c" only (the stale entry lies before the change), then "a"
   * only (after it), then inserts and deletes around it. */
  {
    static const char *const cases[][2] = {
        {"c", "ddd"}, {"a", "AAAA"}, {"bb", "new"}, {"a", ""}, {"d", "eee"}};
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
      lkattrs_map *a = new_map(KV("a", "aaa", "b", "bbb", "c", "ccc", "d", "ddd"));
      lkattrs_map *stale = new_map(KV("a", "aaa", "b", "xyz", "c", "ccc", "d", "ddd"));
      lkattrs_entry up[1] = {E(cases[i][0], cases[i][1])};
      pupd pu = {NULL, NULL, up, 1, 7};
      check_stale(a, stale, &pu, 3, true);
      lkattrs_map_free(a);
      lkattrs_map_free(stale);
    }
  }
  /* Keys: "k2" in the map, "k5" in the stale info (still in key order). */
  {
    lkattrs_map *a = new_map(KV("k1", "v1", "k2", "v2", "k7", "v7"));
    lkattrs_map *stale = new_map(KV("k1", "v1", "k5", "v2", "k7", "v7"));
    lkattrs_entry up[1] = {E("k7", "w7")};
    pupd pu = {NULL, NULL, up, 1, 0};
    check_stale(a, stale, &pu, 0, true);
    lkattrs_map_free(a);
    lkattrs_map_free(stale);
  }
  /* Only the name changes: the attributes field is still written, from the
   * map. */
  {
    lkattrs_map *a = new_map(KV("a", "aaa", "b", "bbb"));
    lkattrs_map *stale = new_map(KV("a", "aaa", "b", "xyz"));
    lkattrs_limits lim = LKATTRS_LIMITS_INIT;
    lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
    o.merge.origin = LKATTRS_ORIGIN_SERVER;
    o.merge.limits = &lim;
    lkattrs_update_buffers bf = full_bufs();
    lkattrs_update_result r;
    slayout canon = {0, false};
    pupd pu = {"M2", NULL, NULL, 0, 0};
    build_info_layout(&B->info, stale, 1, canon);
    build_upd_body(&B->upd, &pu);
    assert_int_equal(lkattrs_update_apply(a, B->info.b, B->info.n, B->upd.b, B->upd.n,
                                          LKATTRS_UPDATE_PARTICIPANT_METADATA, &o, &bf, &r,
                                          NULL),
                     LKATTRS_OK);
    assert_true(r.changed);
    assert_int_equal(r.attrs_changed, 0);
    /* The map's "bbb" is in the output, the stale "xyz" is not. */
    assert_true(has_bytes(B->out, r.info_len, "bbb"));
    assert_false(has_bytes(B->out, r.info_len, "xyz"));
    lkattrs_map_free(a);
    lkattrs_map_free(stale);
  }
  /* Random maps: one stored value replaced by another of the same length
   * (its first byte, always ASCII here), random updates of up to 12 entries. */
  uint64_t seed = 0x57A1E;
  static char keys[16][32], vals[16][320];
  for (int round = 0; round < 300; round++) {
    lkattrs_map *a = new_map(NULL), *stale = new_map(NULL);
    size_t n0 = 1 + rnd(&seed, 60);
    for (size_t i = 0; i < n0; i++) {
      char k[32], v[320];
      rnd_key(&seed, k);
      size_t vl = rnd_value(&seed, v);
      assert_int_equal(lkattrs_map_set(a, k, strlen(k), v, vl), LKATTRS_OK);
    }
    assert_int_equal(lkattrs_map_copy(stale, a), LKATTRS_OK);
    {
      lkattrs_entry e;
      char v[320];
      size_t at = rnd(&seed, lkattrs_map_count(a));
      assert_int_equal(lkattrs_map_at(a, at, &e), LKATTRS_OK);
      memcpy(v, e.value, e.value_len);
      v[0] = v[0] == 'Z' ? 'Y' : 'Z'; /* ASCII in, ASCII out: still valid */
      assert_int_equal(lkattrs_map_set(stale, e.key, e.key_len, v, e.value_len), LKATTRS_OK);
    }
    size_t n = rnd(&seed, 12);
    lkattrs_entry up[16];
    for (size_t i = 0; i < n; i++) {
      size_t cnt = lkattrs_map_count(a);
      if (rnd(&seed, 2)) {
        lkattrs_entry e;
        assert_int_equal(lkattrs_map_at(a, rnd(&seed, cnt), &e), LKATTRS_OK);
        memcpy(keys[i], e.key, e.key_len);
        keys[i][e.key_len] = 0;
      } else {
        rnd_key(&seed, keys[i]);
      }
      if (rnd(&seed, 5) == 0) vals[i][0] = 0;
      else (void)rnd_value(&seed, vals[i]);
      up[i] = E(keys[i], vals[i]);
    }
    pupd pu = {NULL, NULL, up, n, (uint32_t)rnd(&seed, 1000)};
    check_stale(a, stale, &pu, (uint32_t)rnd(&seed, 50), false);
    lkattrs_map_free(a);
    lkattrs_map_free(stale);
  }
}

static void test_defaults(void **state) {
  (void)state;
  assert_int_equal(lkattrs_default_max_metadata_bytes(), LKATTRS_DEFAULT_MAX_METADATA_BYTES);
  assert_int_equal(lkattrs_default_max_name_bytes(), LKATTRS_DEFAULT_MAX_NAME_BYTES);
  lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
  assert_true(o.echo_request);
  assert_false(o.envelope);
  assert_int_equal(o.merge.origin, LKATTRS_ORIGIN_CLIENT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_apply_basic),
      cmocka_unit_test(test_apply_refusals),
      cmocka_unit_test(test_apply_name_metadata),
      cmocka_unit_test(test_apply_kinds_and_envelope),
      cmocka_unit_test(test_apply_buffers_and_malformed),
      cmocka_unit_test(test_apply_memory),
      cmocka_unit_test(test_property_heap),
      cmocka_unit_test(test_property_fixed),
      cmocka_unit_test(test_property_splice),
      cmocka_unit_test(test_splice_stale),
      cmocka_unit_test(test_defaults),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
