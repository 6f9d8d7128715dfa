/*
 * hostile.c - the catalogue of named hostile inputs: each row of `cases`
 * below is one attack, with the input, the outcome we require and why.
 * Every case runs in `make check` (check-hostile), under ASan+UBSan and
 * valgrind too; the run ends with "hostile: N passed, M failed".
 *
 * Entry points attacked: the wire reader and the update path
 * (lkattrs/wire.h, lkattrs/update.h), validation and merge
 * (lkattrs/validate.h, lkattrs/patch.h), the map's size arithmetic, and
 * lkproto's strict decoder and JSON reader (tools/lkproto).
 * Inputs are exact-size heap copies, so that a read one byte past the end is
 * reported by the sanitizers.  `hostile -v` prints the table.
 */
#include "hostile_util.h"

#include "lkattrs/lkattrs.h"
#include "lkproto.h"

/* ---------------------------------------------------------------------------
 * Helpers. */

static const uint32_t P15[] = {LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES};
static const lkattrs_limits UNLIMITED = {0, 0, 0, 0, 0};

/* Collects the map field at P15 of an exact copy of p; *count entries. */
static lkattrs_status collect(const hb *p, unsigned flags, size_t *count,
                              lkattrs_error_detail *d) {
  unsigned char *c = exact(p->b, p->n);
  size_t n = 0;
  lkattrs_status st = lkattrs_wire_collect(c, p->n, P15, 1, flags, NULL, 0, &n, d);
  free(c);
  if (count) *count = n;
  return st;
}

/* read_map of an exact copy into a fresh heap map (returned via *out, or
 * freed when out is NULL). */
static lkattrs_status read_map(const hb *p, unsigned mflags, lkattrs_map **out) {
  lkattrs_map *m = NULL;
  if (lkattrs_map_new_opts(NULL, mflags, &m) != LKATTRS_OK) abort();
  unsigned char *c = exact(p->b, p->n);
  lkattrs_status st = lkattrs_wire_read_map(c, p->n, P15, 1, 0, m, NULL);
  free(c);
  if (out)
    *out = m;
  else
    lkattrs_map_free(m);
  return st;
}

static lkattrs_map *map_of(const char *const *kv) {
  lkattrs_map *m = NULL;
  if (lkattrs_map_new(NULL, &m) != LKATTRS_OK) abort();
  for (; kv && kv[0]; kv += 2)
    if (lkattrs_map_set(m, kv[0], strlen(kv[0]), kv[1], strlen(kv[1])) != LKATTRS_OK) abort();
  return m;
}
#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})

static lkattrs_entry ent(const char *k, size_t kl, const char *v, size_t vl) {
  lkattrs_entry e = {k, kl, v, vl};
  return e;
}
static lkattrs_entry E(const char *k, const char *v) { return ent(k, strlen(k), v, strlen(v)); }

static lkattrs_merge_opts opts(lkattrs_origin o, bool grant) {
  lkattrs_merge_opts m = LKATTRS_MERGE_OPTS_INIT;
  m.origin = o;
  m.can_update_metadata = grant;
  return m;
}

/* merge into a copy of `before`; checks atomicity (a refused merge leaves
 * the map equal to before); returns the status. */
static lkattrs_status merge_checked(lkattrs_map *m, const lkattrs_entry *e, size_t n,
                                    const lkattrs_merge_opts *o, lkattrs_error_detail *d) {
  lkattrs_map *snap = map_of(NULL);
  if (lkattrs_map_copy(snap, m) != LKATTRS_OK) abort();
  lkattrs_status st = lkattrs_merge(m, e, n, o, NULL, d);
  if (st != LKATTRS_OK && !lkattrs_map_equal(m, snap)) st = (lkattrs_status)999;
  lkattrs_map_free(snap);
  return st;
}

/* One merge of a single entry by a client with the grant into {a:1}. */
static lkattrs_status client_sets(const char *k, size_t kl, const char *v, size_t vl,
                                  lkattrs_error_detail *d) {
  lkattrs_map *m = map_of(KV("a", "1"));
  lkattrs_entry e = ent(k, kl, v, vl);
  lkattrs_merge_opts o = opts(LKATTRS_ORIGIN_CLIENT, true);
  lkattrs_status st = merge_checked(m, &e, 1, &o, d);
  lkattrs_map_free(m);
  return st;
}

/* A ParticipantInfo with identity, name, three attributes, version. */
static void sample_info(hb *p) {
  hb_bytes(p, 2, "alice", 5);
  hb_bytes(p, 9, "Alice", 5);
  hb_tag(p, 10, 0);
  hb_varint(p, 7);
  hb_entry(p, 15, "color", "blue");
  hb_entry(p, 15, "\xc3\xa9t\xc3\xa9", "\xf0\x9f\x98\x80");
  hb_entry(p, 15, "z", "last");
}

/* A SignalRequest{update_metadata{attributes..., request_id}} */
static void signal_update(hb *p, const lkattrs_entry *e, size_t n, uint32_t rid) {
  hb u = {0};
  for (size_t i = 0; i < n; i++) hb_entry_n(&u, 3, e[i].key, e[i].key_len, e[i].value, e[i].value_len);
  if (rid) {
    hb_tag(&u, 4, 0);
    hb_varint(&u, rid);
  }
  hb_sub(p, 15, &u);
  hb_free(&u);
}

/* update_apply of an exact copy of upd onto attrs (info empty). */
static unsigned char info_buf[1 << 21], resp_buf[1 << 21];
static lkattrs_status apply(lkattrs_map *attrs, const hb *upd, const lkattrs_update_opts *o,
                            lkattrs_update_result *r) {
  unsigned char *c = exact(upd->b, upd->n);
  lkattrs_update_buffers b = {info_buf, sizeof info_buf, resp_buf, sizeof resp_buf};
  lkattrs_status st =
      lkattrs_update_apply(attrs, NULL, 0, c, upd->n, LKATTRS_UPDATE_SIGNAL_REQUEST, o, &b, r, NULL);
  free(c);
  return st;
}

static lkattrs_update_opts client_update(bool grant) {
  lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
  o.merge.can_update_metadata = grant;
  return o;
}

/* lkproto: JSON -> binary; returns 1 when accepted (binary in *out). */
static int lkp_encode(const char *type, const char *json, size_t n, lk_buf *out, lk_err *e) {
  const ProtobufCMessageDescriptor *d = lk_message_find(type);
  if (!d) abort();
  char *c = (char *)exact(json, n);
  int ok = lk_json_encode(d, c, n, out, e);
  free(c);
  return ok;
}
/* lkproto: binary -> JSON; returns 1 when accepted (JSON in *json). */
static int lkp_decode(const char *type, const hb *p, lk_buf *json, lk_err *e) {
  const ProtobufCMessageDescriptor *d = lk_message_find(type);
  if (!d) abort();
  unsigned char *c = exact(p->b, p->n);
  lk_msg *m = lk_wire_decode(d, c, 0, p->n, 0, 0, e);
  int ok = m != NULL;
  if (m) ok = lk_json_write(json, m, c, e);
  lk_msg_free(m);
  free(c);
  return ok;
}

/* ---------------------------------------------------------------------------
 * Wire structure. */

static void c_truncate_every_byte(void) {
  hb p = {0};
  sample_info(&p);
  size_t full;
  CHECK(collect(&p, 0, &full, NULL) == LKATTRS_OK && full == 3);
  /* Field boundaries of sample_info, where a cut leaves a valid message. */
  size_t bounds[16], nb = 0, off = 0;
  hb q = {0};
  hb_bytes(&q, 2, "alice", 5), bounds[nb++] = off = q.n;
  hb_bytes(&q, 9, "Alice", 5), bounds[nb++] = q.n;
  hb_tag(&q, 10, 0), hb_varint(&q, 7), bounds[nb++] = q.n;
  hb_entry(&q, 15, "color", "blue"), bounds[nb++] = q.n;
  hb_entry(&q, 15, "\xc3\xa9t\xc3\xa9", "\xf0\x9f\x98\x80"), bounds[nb++] = q.n;
  (void)off;
  hb_free(&q);
  for (size_t cut = 0; cut < p.n; cut++) {
    hb t = {p.b, cut, cut};
    size_t n;
    lkattrs_error_detail d;
    lkattrs_status st = collect(&t, 0, &n, &d);
    bool boundary = cut == 0;
    for (size_t i = 0; i < nb; i++) boundary |= bounds[i] == cut;
    if (boundary) {
      CHECK(st == LKATTRS_OK);
    } else {
      CHECK(st == LKATTRS_E_WIRE_TRUNCATED);
      CHECK(d.offset <= cut);
      CHECK(read_map(&t, 0, NULL) == LKATTRS_E_WIRE_TRUNCATED);
    }
  }
  hb_free(&p);
}

static void c_truncate_every_byte_update(void) {
  lkattrs_entry e[] = {E("color", "red"), E("size", "xl"), E("gone", "")};
  hb p = {0};
  signal_update(&p, e, 3, 42);
  lkattrs_update_opts o = client_update(true);
  for (size_t cut = 0; cut < p.n; cut++) {
    lkattrs_map *m = map_of(KV("gone", "1", "keep", "2"));
    lkattrs_map *snap = map_of(KV("gone", "1", "keep", "2"));
    hb t = {p.b, cut, cut};
    lkattrs_update_result r;
    lkattrs_status st = apply(m, &t, &o, &r);
    /* Any prefix: either a clean wire error (nothing changed) or a valid
     * shorter message applied as a whole. */
    if (st != LKATTRS_OK) CHECK(lkattrs_map_equal(m, snap));
    CHECK(st == LKATTRS_OK || st == LKATTRS_E_WIRE_TRUNCATED || st == LKATTRS_E_NOT_FOUND ||
          st == LKATTRS_E_WIRE_MALFORMED);
    lkattrs_map_free(m);
    lkattrs_map_free(snap);
  }
  hb_free(&p);
}

static void c_varint_11_bytes(void) {
  hb p = {0};
  hb_hex(&p, "50ffffffffffffffffffff01"); /* field 10 varint: 11 bytes */
  lkattrs_error_detail d;
  CHECK(collect(&p, 0, NULL, &d) == LKATTRS_E_WIRE_MALFORMED);
  CHECK(d.offset <= 1);
  hb_free(&p);
}

static void c_varint_10_bytes_above_2_64(void) {
  hb p = {0};
  hb_hex(&p, "50ffffffffffffffffff02"); /* 10th byte 2: above 2^64-1 */
  CHECK(collect(&p, 0, NULL, NULL) == LKATTRS_E_WIRE_MALFORMED);
  hb_free(&p);
}

static void c_varint_2_64_minus_1(void) {
  hb p = {0};
  hb_hex(&p, "50ffffffffffffffffff01"); /* exactly 2^64-1: valid */
  hb_entry(&p, 15, "k", "v");
  size_t n;
  CHECK(collect(&p, 0, &n, NULL) == LKATTRS_OK && n == 1);
  hb_free(&p);
}

static void c_tag_varint_11_bytes(void) {
  hb p = {0};
  hb_hex(&p, "ffffffffffffffffffff01");
  CHECK(collect(&p, 0, NULL, NULL) == LKATTRS_E_WIRE_MALFORMED);
  hb_free(&p);
}

/* A length prefix of `len` on field 15 with 3 bytes after it. */
static lkattrs_status length_attack(uint64_t len) {
  hb p = {0};
  hb_tag(&p, 15, 2);
  hb_varint(&p, len);
  hb_raw(&p, "abc", 3);
  lkattrs_status st = collect(&p, 0, NULL, NULL);
  lkattrs_status st2 = read_map(&p, 0, NULL);
  hb_free(&p);
  return st == st2 ? st : (lkattrs_status)999;
}

static void c_length_2_32(void) { CHECK(length_attack(1ull << 32) == LKATTRS_E_WIRE_TRUNCATED); }
static void c_length_2_32_minus_1(void) {
  CHECK(length_attack((1ull << 32) - 1) == LKATTRS_E_WIRE_TRUNCATED);
}
static void c_length_2_64_minus_1(void) {
  lkattrs_status st = length_attack(UINT64_MAX);
  CHECK(st == LKATTRS_E_WIRE_TRUNCATED || st == LKATTRS_E_WIRE_MALFORMED);
}
static void c_length_wraps_pointer(void) {
  /* pos + len wraps around the address space when added naively. */
  lkattrs_status st = length_attack(UINT64_MAX - 2);
  CHECK(st == LKATTRS_E_WIRE_TRUNCATED || st == LKATTRS_E_WIRE_MALFORMED);
  st = length_attack((uint64_t)SIZE_MAX - 1);
  CHECK(st == LKATTRS_E_WIRE_TRUNCATED || st == LKATTRS_E_WIRE_MALFORMED);
}

static void c_length_past_entry(void) {
  /* An entry whose key length runs past the entry (not past the message). */
  hb p = {0};
  hb_hex(&p, "7a040a0a6b76120a61616161616161616161");
  CHECK(collect(&p, 0, NULL, NULL) == LKATTRS_E_WIRE_MALFORMED);
  hb_free(&p);
}

static void c_nested_100_deep_unknown(void) {
  /* 100 levels of an unknown length-delimited field around a varint, then
   * one attribute: skipped in one pass, no recursion. */
  hb in = {0};
  hb_tag(&in, 1, 0);
  hb_varint(&in, 1);
  for (int i = 0; i < 100; i++) {
    hb out = {0};
    hb_sub(&out, 99, &in);
    hb_free(&in);
    in = out;
  }
  hb_entry(&in, 15, "k", "v");
  size_t n;
  CHECK(collect(&in, 0, &n, NULL) == LKATTRS_OK && n == 1);
  hb_free(&in);
}

static void c_path_deeper_than_8(void) {
  uint32_t path[9] = {1, 1, 1, 1, 1, 1, 1, 1, 15};
  lkattrs_wire_reader r;
  CHECK(lkattrs_wire_reader_init(&r, "", 0, path, 9, 0) == LKATTRS_E_INVALID_ARGUMENT);
  size_t n;
  CHECK(lkattrs_wire_collect("", 0, path, 9, 0, NULL, 0, &n, NULL) == LKATTRS_E_INVALID_ARGUMENT);
}

static void c_group_wire_types(void) {
  static const char *const hex[] = {"7b", "7c", "7e", "7f", "5b0a5c"};
  for (size_t i = 0; i < sizeof hex / sizeof hex[0]; i++) {
    hb p = {0};
    hb_hex(&p, hex[i]);
    CHECK(collect(&p, 0, NULL, NULL) == LKATTRS_E_WIRE_MALFORMED);
    hb_free(&p);
  }
}

static void c_field_number_0(void) {
  hb p = {0};
  hb_hex(&p, "0001");
  CHECK(collect(&p, 0, NULL, NULL) == LKATTRS_E_WIRE_MALFORMED);
  hb_free(&p);
}

static void c_field_number_0_overlong(void) {
  /* Field number 0 hidden in an over-long tag (80 00): protobuf-c 1.4.1
   * accepts it as an unknown field and re-packs it as 00, which it then
   * refuses; we refuse it everywhere. */
  hb p = {0};
  hb_hex(&p, "800000");
  CHECK(collect(&p, 0, NULL, NULL) == LKATTRS_E_WIRE_MALFORMED);
  CHECK(lkattrs_wire_check(p.b, p.n, NULL) == LKATTRS_E_WIRE_MALFORMED);
  lk_buf json = {0};
  lk_err e;
  CHECK(!lkp_decode("livekit.SignalRequest", &p, &json, &e));
  lk_buf_free(&json);
  hb_free(&p);
}

static void c_field_number_above_max(void) {
  hb p = {0};
  hb_varint(&p, (uint64_t)(LKATTRS_WIRE_MAX_FIELD + 1u) << 3);
  hb_varint(&p, 1);
  CHECK(collect(&p, 0, NULL, NULL) == LKATTRS_E_WIRE_MALFORMED);
  hb_free(&p);
  hb q = {0};
  hb_varint(&q, (uint64_t)LKATTRS_WIRE_MAX_FIELD << 3); /* the largest: fine */
  hb_varint(&q, 1);
  CHECK(collect(&q, 0, NULL, NULL) == LKATTRS_OK);
  hb_free(&q);
}

static void c_map_field_wrong_wire_type(void) {
  hb p = {0};
  hb_tag(&p, 15, 0);
  hb_varint(&p, 5);
  CHECK(collect(&p, 0, NULL, NULL) == LKATTRS_E_WIRE_MALFORMED);
  hb_free(&p);
  hb q = {0};
  hb_hex(&q, "7a0308016b"); /* entry key as a varint */
  CHECK(collect(&q, 0, NULL, NULL) == LKATTRS_E_WIRE_MALFORMED);
  hb_free(&q);
}

/* ---------------------------------------------------------------------------
 * Volume. */

static void c_100000_tiny_entries(void) {
  hb p = {0};
  char k[16];
  for (int i = 0; i < 100000; i++) {
    int kl = snprintf(k, sizeof k, "k%05d", i * 7 % 100000);
    hb_entry_n(&p, 15, k, (size_t)kl, "v", 1);
  }
  double t0 = now_s();
  lkattrs_map *m;
  CHECK(read_map(&p, 0, &m) == LKATTRS_OK);
  size_t count = lkattrs_map_count(m);
  lkattrs_map_free(m);
  CHECK(count == 100000);
  /* The same as an update by a client (SignalRequest.update_metadata):
   * over the 64 KiB limit, refused, quickly, nothing changed. */
  hb upd = {0};
  {
    hb inner = {0};
    for (int i = 0; i < 100000; i++) {
      int kl = snprintf(k, sizeof k, "k%05d", i);
      hb_entry_n(&inner, 3, k, (size_t)kl, "v", 1);
    }
    hb_sub(&upd, 15, &inner);
    hb_free(&inner);
  }
  lkattrs_map *attrs = map_of(KV("a", "1"));
  lkattrs_update_opts o = client_update(true);
  lkattrs_update_result r;
  lkattrs_status ast = apply(attrs, &upd, &o, &r);
  if (ast != LKATTRS_E_TOO_LARGE) fprintf(stderr, "apply: %d\n", (int)ast);
  CHECK(ast == LKATTRS_E_TOO_LARGE);
  CHECK(r.refused && r.reason == LKATTRS_REASON_LIMIT_EXCEEDED);
  CHECK(lkattrs_map_count(attrs) == 1);
  lkattrs_map_free(attrs);
  double dt = now_s() - t0;
  CHECK(dt < 10.0); /* bounded: well under a second unsanitized */
  hb_free(&upd);
  hb_free(&p);
}

static void c_duplicate_keys_different_values(void) {
  hb p = {0};
  hb_entry(&p, 15, "k", "one");
  hb_entry(&p, 15, "j", "x");
  hb_entry(&p, 15, "k", "two");
  lkattrs_map *m;
  CHECK(read_map(&p, 0, &m) == LKATTRS_OK);
  const char *v;
  lkattrs_status st = lkattrs_map_get(m, "k", 1, &v, NULL);
  bool ok = st == LKATTRS_OK && strcmp(v, "two") == 0 && lkattrs_map_count(m) == 2;
  lkattrs_map_free(m);
  CHECK(ok);
  /* In a merge: the last of the duplicates wins, once. */
  lkattrs_map *t = map_of(NULL);
  lkattrs_entry e[] = {E("k", "one"), E("k", ""), E("k", "three")};
  lkattrs_merge_opts o = opts(LKATTRS_ORIGIN_CLIENT, true);
  size_t changed;
  CHECK(lkattrs_merge(t, e, 3, &o, &changed, NULL) == LKATTRS_OK && changed == 1);
  CHECK(lkattrs_map_get(t, "k", 1, &v, NULL) == LKATTRS_OK && strcmp(v, "three") == 0);
  lkattrs_map_free(t);
  hb_free(&p);
}

static void c_same_key_100000_times(void) {
  hb p = {0};
  for (int i = 0; i < 100000; i++) hb_entry(&p, 15, "k", i == 99999 ? "last" : "v");
  double t0 = now_s();
  lkattrs_map *m;
  CHECK(read_map(&p, 0, &m) == LKATTRS_OK);
  const char *v;
  bool ok = lkattrs_map_count(m) == 1 && lkattrs_map_get(m, "k", 1, &v, NULL) == LKATTRS_OK &&
            strcmp(v, "last") == 0;
  lkattrs_map_free(m);
  CHECK(ok);
  CHECK(now_s() - t0 < 10.0);
  hb_free(&p);
}

static void c_key_64_kib(void) {
  size_t n = 65536;
  char *k = malloc(n);
  if (!k) abort();
  memset(k, 'k', n);
  lkattrs_error_detail d;
  CHECK(client_sets(k, n, "v", 1, &d) == LKATTRS_E_KEY_TOO_LONG);
  CHECK(d.offset == LKATTRS_DEFAULT_MAX_KEY_BYTES && !d.in_value && d.index == 0);
  /* Stored through the wire reader (no key limit there), written back. */
  hb p = {0};
  hb_entry_n(&p, 15, k, n, "v", 1);
  lkattrs_map *m;
  CHECK(read_map(&p, 0, &m) == LKATTRS_OK);
  size_t sz = 0;
  CHECK(lkattrs_wire_map_size(m, 15, &sz) == LKATTRS_OK && sz == p.n);
  lkattrs_map_free(m);
  hb_free(&p);
  free(k);
}

static void c_value_1_mib(void) {
  size_t n = 1u << 20;
  char *v = malloc(n);
  if (!v) abort();
  memset(v, 'v', n);
  lkattrs_error_detail d;
  CHECK(client_sets("big", 3, v, n, &d) == LKATTRS_E_TOO_LARGE);
  CHECK(d.offset > LKATTRS_DEFAULT_MAX_UPDATE_BYTES);
  /* With no limits the value is stored and comes back intact. */
  lkattrs_map *m = map_of(NULL);
  lkattrs_merge_opts o = opts(LKATTRS_ORIGIN_SERVER, false);
  o.limits = &UNLIMITED;
  lkattrs_entry e = ent("big", 3, v, n);
  CHECK(lkattrs_merge(m, &e, 1, &o, NULL, NULL) == LKATTRS_OK);
  const char *got;
  size_t gl;
  CHECK(lkattrs_map_get(m, "big", 3, &got, &gl) == LKATTRS_OK && gl == n &&
        memcmp(got, v, n) == 0);
  lkattrs_map_free(m);
  free(v);
}

/* ---------------------------------------------------------------------------
 * Text: each class of bad UTF-8, U+0000, controls. */

static void bad_utf8(const char *bytes, size_t n, size_t bad_at) {
  lkattrs_error_detail d;
  char key[32], val[32];
  memcpy(key, "ab", 2);
  memcpy(key + 2, bytes, n);
  CHECK(client_sets(key, n + 2, "v", 1, &d) == LKATTRS_E_UTF8);
  CHECK(d.offset == 2 + bad_at && !d.in_value);
  memcpy(val, "xyz", 3);
  memcpy(val + 3, bytes, n);
  CHECK(client_sets("k", 1, val, n + 3, &d) == LKATTRS_E_UTF8);
  CHECK(d.offset == 3 + bad_at && d.in_value);
  /* On the wire too. */
  hb p = {0};
  hb_entry_n(&p, 15, "k", 1, val, n + 3);
  CHECK(collect(&p, 0, NULL, &d) == LKATTRS_E_UTF8);
  CHECK(collect(&p, LKATTRS_WIRE_RAW, NULL, NULL) == LKATTRS_OK);
  CHECK(read_map(&p, 0, NULL) == LKATTRS_E_UTF8);
  hb_free(&p);
}
static void c_utf8_overlong_2(void) { bad_utf8("\xc0\xaf", 2, 0); }
static void c_utf8_overlong_3(void) { bad_utf8("\xe0\x80\xaf", 3, 0); }
static void c_utf8_overlong_4(void) { bad_utf8("\xf0\x80\x80\xaf", 4, 0); }
static void c_utf8_surrogate_high(void) { bad_utf8("\xed\xa0\x80", 3, 0); }
static void c_utf8_surrogate_low(void) { bad_utf8("\xed\xbf\xbf", 3, 0); }
static void c_utf8_above_10ffff(void) { bad_utf8("\xf4\x90\x80\x80", 4, 0); }
static void c_utf8_f5_lead(void) { bad_utf8("\xf5\x80\x80\x80", 4, 0); }
static void c_utf8_lone_continuation(void) { bad_utf8("a\x80", 2, 1); }
static void c_utf8_truncated_at_end(void) { bad_utf8("\xe2\x82", 2, 0); }
static void c_utf8_truncated_mid(void) { bad_utf8("\xe2\x82" "a", 3, 0); }

static void c_nul_in_key_and_value(void) {
  lkattrs_error_detail d;
  CHECK(client_sets("a\0b", 3, "v", 1, &d) == LKATTRS_E_NUL && d.offset == 1);
  CHECK(client_sets("k", 1, "v\0", 2, &d) == LKATTRS_E_NUL && d.offset == 1 && d.in_value);
  hb p = {0};
  hb_entry_n(&p, 15, "k", 1, "v\0w", 3);
  CHECK(collect(&p, 0, NULL, NULL) == LKATTRS_E_NUL);
  CHECK(collect(&p, LKATTRS_WIRE_ALLOW_NUL, NULL, NULL) == LKATTRS_OK);
  CHECK(read_map(&p, 0, NULL) == LKATTRS_E_NUL);
  hb_free(&p);
}

static void c_control_chars_in_key(void) {
  static const char *const ctl[] = {"\x01", "\x09", "\x0a", "\x1b", "\x1f", "\x7f", "\xc2\x80",
                                    "\xc2\x85", "\xc2\x9f"};
  for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++) {
    char k[8] = "k";
    size_t n = strlen(ctl[i]);
    memcpy(k + 1, ctl[i], n);
    lkattrs_error_detail d;
    CHECK(client_sets(k, n + 1, "v", 1, &d) == LKATTRS_E_CONTROL_CHAR && d.offset == 1);
    /* In a value they are allowed (LiveKit stores them). */
    CHECK(client_sets("k", 1, k, n + 1, NULL) == LKATTRS_OK);
  }
  /* U+00A0 (after C1) is a fine key. */
  CHECK(client_sets("\xc2\xa0", 2, "v", 1, NULL) == LKATTRS_OK);
}

static void c_empty_key(void) {
  lkattrs_error_detail d;
  CHECK(client_sets("", 0, "v", 1, &d) == LKATTRS_E_KEY_EMPTY);
  hb p = {0};
  hb_hex(&p, "7a03120176"); /* entry without a key */
  CHECK(collect(&p, 0, NULL, NULL) == LKATTRS_OK);
  CHECK(read_map(&p, 0, NULL) == LKATTRS_E_KEY_EMPTY);
  hb_free(&p);
}

/* ---------------------------------------------------------------------------
 * Permissions and reserved names. */

static void c_forge_every_reserved_name(void) {
  /* Every name and prefix of the table, as a client and as an agent. */
  size_t n = lkattrs_name_count();
  CHECK(n > 20);
  for (size_t i = 0; i < n; i++) {
    lkattrs_name_info info;
    CHECK(lkattrs_name_at(i, &info));
    char k[128];
    int kl = snprintf(k, sizeof k, "%s%s", info.name,
                      (info.flags & LKATTRS_NAME_F_PREFIX) ? "forged" : "");
    lkattrs_error_detail d;
    CHECK(client_sets(k, (size_t)kl, "x", 1, &d) == LKATTRS_E_RESERVED_NAME);
    CHECK(d.key_len == (size_t)kl && d.index == 0);
    lkattrs_map *m = map_of(NULL);
    lkattrs_entry e = ent(k, (size_t)kl, "x", 1);
    lkattrs_merge_opts o = opts(LKATTRS_ORIGIN_AGENT, true);
    lkattrs_status st = merge_checked(m, &e, 1, &o, NULL);
    lkattrs_map_free(m);
    CHECK(st == (info.owner == LKATTRS_OWNER_AGENT ? LKATTRS_OK : LKATTRS_E_RESERVED_NAME));
  }
}

static void c_forge_sip_phone_number_on_wire(void) {
  lkattrs_entry e[] = {E("color", "red"), E(LKATTRS_NAME_SIP_PHONE_NUMBER, "+15550100")};
  hb p = {0};
  signal_update(&p, e, 2, 9);
  lkattrs_map *m = map_of(KV("color", "blue"));
  lkattrs_update_opts o = client_update(true);
  lkattrs_update_result r;
  CHECK(apply(m, &p, &o, &r) == LKATTRS_E_RESERVED_NAME);
  CHECK(r.refused && r.reason == LKATTRS_REASON_NOT_ALLOWED && r.resp_len > 0 && !r.changed);
  const char *v;
  CHECK(lkattrs_map_get(m, "color", 5, &v, NULL) == LKATTRS_OK && strcmp(v, "blue") == 0);
  lkattrs_map_free(m);
  hb_free(&p);
}

static void c_forge_by_deleting_reserved(void) {
  /* Deleting a SIP participant's phone number is writing it too. */
  lkattrs_map *m = map_of(KV(LKATTRS_NAME_SIP_PHONE_NUMBER, "+15550100"));
  lkattrs_entry e = E(LKATTRS_NAME_SIP_PHONE_NUMBER, "");
  lkattrs_merge_opts o = opts(LKATTRS_ORIGIN_CLIENT, true);
  CHECK(merge_checked(m, &e, 1, &o, NULL) == LKATTRS_E_RESERVED_NAME);
  CHECK(lkattrs_map_count(m) == 1);
  lkattrs_map_free(m);
}

static void c_forge_in_join(void) {
  lkattrs_map *tok = map_of(KV("role", "guest"));
  lkattrs_map *out = map_of(KV("old", "1"));
  lkattrs_entry e[] = {E("nick", "bob"), E("lk.publish_on_behalf", "alice")};
  CHECK(lkattrs_join(tok, e, 2, true, NULL, out, NULL) == LKATTRS_E_RESERVED_NAME);
  CHECK(lkattrs_map_count(out) == 1);
  lkattrs_map_free(tok);
  lkattrs_map_free(out);
}

static void c_reserved_lookalikes_accepted(void) {
  /* Keys are bytes: a different case or a Cyrillic "ѕ" is another key,
   * which is not reserved (consumers must compare bytewise too). */
  CHECK(client_sets("SIP.phoneNumber", 15, "x", 1, NULL) == LKATTRS_OK);
  CHECK(client_sets("\xd1\x95ip.phoneNumber", 16, "x", 1, NULL) == LKATTRS_OK);
  CHECK(client_sets("sip", 3, "x", 1, NULL) == LKATTRS_OK);
  CHECK(client_sets("lk", 2, "x", 1, NULL) == LKATTRS_OK);
}

static void c_compat_switch_allows_forge(void) {
  lkattrs_map *m = map_of(NULL);
  lkattrs_entry e = E(LKATTRS_NAME_SIP_PHONE_NUMBER, "+1");
  lkattrs_merge_opts o = opts(LKATTRS_ORIGIN_CLIENT, true);
  o.skip_namespace_rules = true;
  CHECK(lkattrs_merge(m, &e, 1, &o, NULL, NULL) == LKATTRS_OK);
  CHECK(lkattrs_map_count(m) == 1);
  lkattrs_map_free(m);
}

static void c_client_without_permission(void) {
  lkattrs_map *m = map_of(KV("a", "1"));
  lkattrs_entry e = E("b", "2");
  lkattrs_merge_opts o = opts(LKATTRS_ORIGIN_CLIENT, false);
  CHECK(merge_checked(m, &e, 1, &o, NULL) == LKATTRS_E_NOT_ALLOWED);
  CHECK(merge_checked(m, NULL, 0, &o, NULL) == LKATTRS_E_NOT_ALLOWED);
  o.origin = LKATTRS_ORIGIN_AGENT;
  CHECK(merge_checked(m, &e, 1, &o, NULL) == LKATTRS_E_NOT_ALLOWED);
  /* On the wire: NOT_ALLOWED answered with LiveKit's message. */
  hb p = {0};
  signal_update(&p, &e, 1, 5);
  lkattrs_update_opts uo = client_update(false);
  lkattrs_update_result r;
  CHECK(apply(m, &p, &uo, &r) == LKATTRS_E_NOT_ALLOWED);
  CHECK(r.refused && r.reason == LKATTRS_REASON_NOT_ALLOWED && r.request_id == 5);
  CHECK(lkattrs_map_count(m) == 1);
  lkattrs_map_free(m);
  hb_free(&p);
}

/* ---------------------------------------------------------------------------
 * Limits: met exactly, passed by one. */

static void c_key_256_and_257(void) {
  char k[257];
  memset(k, 'k', sizeof k);
  CHECK(client_sets(k, 256, "v", 1, NULL) == LKATTRS_OK);
  CHECK(client_sets(k, 257, "v", 1, NULL) == LKATTRS_E_KEY_TOO_LONG);
}

static void c_update_size_exact_and_plus_one(void) {
  /* Σ key+value of the update == 65536: accepted; 65537: refused. */
  size_t total = LKATTRS_DEFAULT_MAX_UPDATE_BYTES;
  char *v = malloc(total);
  if (!v) abort();
  memset(v, 'v', total);
  lkattrs_merge_opts o = opts(LKATTRS_ORIGIN_CLIENT, true);
  lkattrs_map *m = map_of(NULL);
  lkattrs_entry e = ent("k", 1, v, total - 1);
  lkattrs_status st = merge_checked(m, &e, 1, &o, NULL);
  lkattrs_map_clear(m);
  e.value_len = total;
  lkattrs_error_detail d;
  lkattrs_status st2 = merge_checked(m, &e, 1, &o, &d);
  size_t count = lkattrs_map_count(m);
  lkattrs_map_free(m);
  free(v);
  CHECK(st == LKATTRS_OK);
  CHECK(st2 == LKATTRS_E_TOO_LARGE && count == 0);
}

static void c_map_size_exact_and_plus_one(void) {
  lkattrs_limits l = {0, 0, 0, 10, 0};
  lkattrs_merge_opts o = opts(LKATTRS_ORIGIN_SERVER, false);
  o.limits = &l;
  lkattrs_map *m = map_of(KV("ab", "cd")); /* 4 bytes */
  lkattrs_entry ok = E("efg", "hij");      /* +6 = 10 */
  CHECK(merge_checked(m, &ok, 1, &o, NULL) == LKATTRS_OK && lkattrs_map_bytes(m) == 10);
  lkattrs_entry one = E("x", "");          /* deleting an absent key: still 10 */
  CHECK(merge_checked(m, &one, 1, &o, NULL) == LKATTRS_OK);
  lkattrs_entry over = E("ab", "cde");     /* 11 */
  CHECK(merge_checked(m, &over, 1, &o, NULL) == LKATTRS_E_TOO_LARGE);
  lkattrs_map_free(m);
}

static void c_entries_exact_and_plus_one(void) {
  lkattrs_limits l = {0, 0, 0, 0, 3};
  lkattrs_merge_opts o = opts(LKATTRS_ORIGIN_SERVER, false);
  o.limits = &l;
  lkattrs_map *m = map_of(KV("a", "1", "b", "2"));
  lkattrs_entry e3[] = {E("c", "3"), E("a", "9")};
  CHECK(merge_checked(m, e3, 2, &o, NULL) == LKATTRS_OK && lkattrs_map_count(m) == 3);
  lkattrs_entry e4[] = {E("d", "4"), E("a", "")}; /* one in, one out: 3 */
  CHECK(merge_checked(m, e4, 2, &o, NULL) == LKATTRS_OK && lkattrs_map_count(m) == 3);
  lkattrs_entry e5 = E("e", "5");
  CHECK(merge_checked(m, &e5, 1, &o, NULL) == LKATTRS_E_TOO_MANY_ENTRIES);
  lkattrs_map_free(m);
}

static void c_value_limit_exact_and_plus_one(void) {
  lkattrs_limits l = LKATTRS_LIMITS_INIT;
  l.max_value_bytes = 4;
  CHECK(lkattrs_validate_value("abcd", 4, &l, NULL) == LKATTRS_OK);
  lkattrs_error_detail d;
  CHECK(lkattrs_validate_value("abcde", 5, &l, &d) == LKATTRS_E_VALUE_TOO_LONG && d.offset == 4);
}

static void c_size_sum_overflow(void) {
  /* Lengths whose sum wraps size_t (as on a 32-bit machine): the writer's
   * size arithmetic saturates instead of wrapping, so it never reports a
   * small size for a huge input.  (The lengths are never dereferenced: the
   * size is computed first.) */
  lkattrs_entry e[2] = {ent("k", SIZE_MAX / 2, "v", SIZE_MAX / 2), ent("k", 8, "v", 8)};
  size_t sz = 0;
  CHECK(lkattrs_wire_entries_size(e, 2, 15, &sz) == LKATTRS_OK);
  CHECK(sz == SIZE_MAX);
  unsigned char buf[64];
  size_t w = 0;
  CHECK(lkattrs_wire_write_entries(e, 2, 15, buf, sizeof buf, &w) == LKATTRS_E_BUFFER_TOO_SMALL);
  lkattrs_entry one = ent("k", SIZE_MAX - 4, "v", 3);
  CHECK(lkattrs_wire_entries_size(&one, 1, 15, &sz) == LKATTRS_OK && sz == SIZE_MAX);
  CHECK(lkattrs_wire_write_entries(&one, 1, 15, buf, sizeof buf, &w) ==
        LKATTRS_E_BUFFER_TOO_SMALL);
  /* A response message of SIZE_MAX - 2 bytes: no wrap either. */
  CHECK(lkattrs_update_write_response(1, 3, "m", SIZE_MAX - 2, false, buf, sizeof buf, &w) ==
        LKATTRS_E_BUFFER_TOO_SMALL);
}

static void c_capacity_overflow(void) {
  /* Capacities whose byte size wraps: refused, never a tiny map. */
  static unsigned char store[4096];
  lkattrs_map *m = NULL;
  CHECK(lkattrs_map_init_fixed(store, sizeof store, SIZE_MAX / 4, 0, &m) == LKATTRS_E_NOSPACE);
  CHECK(lkattrs_map_init_fixed(store, sizeof store, SIZE_MAX / 18 + 1, 0, &m) ==
        LKATTRS_E_NOSPACE);
  lkattrs_map *h = map_of(KV("a", "1"));
  lkattrs_status st = lkattrs_map_reserve(h, SIZE_MAX / 8, SIZE_MAX / 2);
  CHECK(st == LKATTRS_E_NOMEM || st == LKATTRS_E_NOSPACE);
  st = lkattrs_map_reserve(h, 1, SIZE_MAX);
  CHECK(st == LKATTRS_E_NOMEM || st == LKATTRS_E_NOSPACE);
  CHECK(lkattrs_map_count(h) == 1);
  lkattrs_map_free(h);
}

static void c_fixed_map_full(void) {
  static unsigned char store[LKATTRS_MAP_FIXED_BYTES(2, 8)];
  lkattrs_map *m = NULL;
  CHECK(lkattrs_map_init_fixed(store, sizeof store, 2, 0, &m) == LKATTRS_OK);
  lkattrs_merge_opts o = opts(LKATTRS_ORIGIN_SERVER, false);
  lkattrs_entry e[] = {E("a", "1"), E("b", "2")};
  CHECK(lkattrs_merge(m, e, 2, &o, NULL, NULL) == LKATTRS_OK);
  lkattrs_entry more[] = {E("c", "3")};
  CHECK(merge_checked(m, more, 1, &o, NULL) == LKATTRS_E_NOSPACE);
  lkattrs_entry big = E("a", "0123456789012345678901234567890123456789");
  CHECK(merge_checked(m, &big, 1, &o, NULL) == LKATTRS_E_NOSPACE);
  CHECK(lkattrs_map_count(m) == 2);
}

/* ---------------------------------------------------------------------------
 * The update path. */

static void c_update_buffer_exact_and_minus_one(void) {
  lkattrs_entry e = E("color", "red");
  hb p = {0};
  signal_update(&p, &e, 1, 3);
  hb info = {0};
  sample_info(&info);
  lkattrs_update_opts o = client_update(true);
  lkattrs_update_result r;
  lkattrs_map *m = map_of(KV("color", "blue"));
  unsigned char one[1];
  lkattrs_update_buffers b0 = {one, sizeof one, resp_buf, sizeof resp_buf};
  CHECK(lkattrs_update_apply(m, info.b, info.n, p.b, p.n, LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b0,
                             &r, NULL) == LKATTRS_E_BUFFER_TOO_SMALL);
  size_t need = r.info_needed;
  CHECK(need > 0);
  unsigned char *out = malloc(need);
  if (!out) abort();
  lkattrs_update_buffers b1 = {out, need - 1, resp_buf, sizeof resp_buf};
  CHECK(lkattrs_update_apply(m, info.b, info.n, p.b, p.n, LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b1,
                             &r, NULL) == LKATTRS_E_BUFFER_TOO_SMALL);
  const char *v;
  CHECK(lkattrs_map_get(m, "color", 5, &v, NULL) == LKATTRS_OK && strcmp(v, "blue") == 0);
  lkattrs_update_buffers b2 = {out, need, resp_buf, sizeof resp_buf};
  CHECK(lkattrs_update_apply(m, info.b, info.n, p.b, p.n, LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b2,
                             &r, NULL) == LKATTRS_OK);
  CHECK(r.info_len == need && r.changed);
  free(out);
  lkattrs_map_free(m);
  hb_free(&p);
  hb_free(&info);
}

static void c_update_version_wraps(void) {
  hb info = {0};
  hb_bytes(&info, 2, "alice", 5);
  hb_tag(&info, 10, 0);
  hb_varint(&info, UINT32_MAX);
  lkattrs_entry e = E("k", "v");
  hb p = {0};
  signal_update(&p, &e, 1, 0);
  lkattrs_update_opts o = client_update(true);
  lkattrs_update_buffers b = {info_buf, sizeof info_buf, resp_buf, sizeof resp_buf};
  lkattrs_update_result r;
  lkattrs_map *m = map_of(NULL);
  CHECK(lkattrs_update_apply(m, info.b, info.n, p.b, p.n, LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b,
                             &r, NULL) == LKATTRS_OK);
  CHECK(r.version == 0);
  lkattrs_wire_field f;
  static const uint32_t pv[] = {10};
  CHECK(lkattrs_wire_find(info_buf, r.info_len, pv, 1, &f, NULL) == LKATTRS_E_NOT_FOUND);
  lkattrs_map_free(m);
  hb_free(&p);
  hb_free(&info);
}

static void c_update_split_submessage(void) {
  /* update_metadata sent twice: protobuf merges the parts. */
  hb p = {0};
  lkattrs_entry a = E("a", "1"), b = E("b", "2");
  signal_update(&p, &a, 1, 0);
  signal_update(&p, &b, 1, 0);
  lkattrs_map *m = map_of(NULL);
  lkattrs_update_opts o = client_update(true);
  lkattrs_update_result r;
  CHECK(apply(m, &p, &o, &r) == LKATTRS_OK && r.attrs_changed == 2);
  CHECK(lkattrs_map_count(m) == 2);
  lkattrs_map_free(m);
  hb_free(&p);
}

static void c_update_wrong_arm(void) {
  hb p = {0};
  hb_tag(&p, 1, 2); /* SignalRequest.offer */
  hb_varint(&p, 0);
  lkattrs_map *m = map_of(KV("a", "1"));
  lkattrs_update_opts o = client_update(true);
  lkattrs_update_result r;
  CHECK(apply(m, &p, &o, &r) == LKATTRS_E_NOT_FOUND);
  CHECK(lkattrs_map_count(m) == 1 && !r.changed);
  lkattrs_map_free(m);
  hb_free(&p);
}

static void c_update_bad_info(void) {
  /* A corrupt stored ParticipantInfo: refused, nothing written. */
  lkattrs_entry e = E("k", "v");
  hb p = {0};
  signal_update(&p, &e, 1, 0);
  unsigned char info[] = {0x12, 0x09, 'a'};
  lkattrs_update_opts o = client_update(true);
  lkattrs_update_buffers b = {info_buf, sizeof info_buf, resp_buf, sizeof resp_buf};
  lkattrs_update_result r;
  lkattrs_map *m = map_of(NULL);
  unsigned char *c = exact(info, sizeof info);
  lkattrs_status st = lkattrs_update_apply(m, c, sizeof info, p.b, p.n,
                                           LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, NULL);
  free(c);
  CHECK(st == LKATTRS_E_WIRE_TRUNCATED);
  CHECK(lkattrs_map_count(m) == 0 && r.info_len == 0);
  lkattrs_map_free(m);
  hb_free(&p);
}

static void c_update_name_metadata_limits(void) {
  hb p = {0};
  hb u = {0};
  char md[600];
  memset(md, 'm', sizeof md);
  hb_bytes(&u, 1, md, sizeof md);
  hb_entry(&u, 3, "k", "v");
  hb_sub(&p, 15, &u);
  lkattrs_update_opts o = client_update(true);
  o.max_metadata_bytes = 599;
  lkattrs_update_result r;
  lkattrs_map *m = map_of(NULL);
  CHECK(apply(m, &p, &o, &r) == LKATTRS_E_TOO_LARGE && r.reason == LKATTRS_REASON_LIMIT_EXCEEDED);
  CHECK(lkattrs_map_count(m) == 0);
  o.max_metadata_bytes = 600;
  CHECK(apply(m, &p, &o, &r) == LKATTRS_OK && lkattrs_map_count(m) == 1);
  lkattrs_map_free(m);
  hb_free(&u);
  hb_free(&p);
}

/* ---------------------------------------------------------------------------
 * Output: the log rendering of hostile values. */

static void c_redact_log_injection(void) {
  lkattrs_map *m = map_of(KV("note", "a\"b\\c\nd\x1b[31m", LKATTRS_NAME_SIP_PHONE_NUMBER,
                             "+15550100"));
  char line[256];
  CHECK(lkattrs_redact_format(m, 0, line, sizeof line, NULL) == LKATTRS_OK);
  CHECK(strchr(line, '\n') == NULL && strchr(line, '\x1b') == NULL);
  CHECK(strstr(line, "+1555") == NULL && strstr(line, "\"***\"") != NULL);
  CHECK(strstr(line, "a\\\"b\\\\c\\u000ad\\u001b") != NULL);
  lkattrs_map_free(m);
}

static void c_hide_phone_number(void) {
  lkattrs_map *m = map_of(KV(LKATTRS_NAME_SIP_PHONE_NUMBER, "+1", LKATTRS_NAME_SIP_TRUNK_PHONE_NUMBER,
                             "+2", "x", "y"));
  size_t removed;
  CHECK(lkattrs_hide_phone_number(m, m, &removed) == LKATTRS_OK && removed >= 2);
  CHECK(lkattrs_map_get(m, LKATTRS_NAME_SIP_PHONE_NUMBER, strlen(LKATTRS_NAME_SIP_PHONE_NUMBER),
                        NULL, NULL) == LKATTRS_E_NOT_FOUND);
  CHECK(lkattrs_map_get(m, "x", 1, NULL, NULL) == LKATTRS_OK);
  lkattrs_map_free(m);
}

/* ---------------------------------------------------------------------------
 * lkproto: decode (binary) and encode (JSON). */

static void c_json_duplicate_keys(void) {
  lk_buf out = {0};
  lk_err e;
  const char *j = "{\"identity\":\"a\",\"identity\":\"b\",\"attributes\":{\"k\":\"1\",\"k\":\"2\"}}";
  CHECK(lkp_encode("livekit.ParticipantInfo", j, strlen(j), &out, &e));
  hb p = {(unsigned char *)out.data, out.len, out.len};
  lk_buf json = {0};
  CHECK(lkp_decode("livekit.ParticipantInfo", &p, &json, &e));
  lk_buf_putc(&json, '\0');
  CHECK(strstr(json.data, "\"identity\":\"b\"") && strstr(json.data, "\"k\":\"2\"") &&
        !strstr(json.data, "\"1\""));
  lk_buf_free(&json);
  lk_buf_free(&out);
}

static void c_json_deep_nesting(void) {
  /* 100 000 nested arrays: refused by the parser's depth limit, no stack
   * exhaustion. */
  size_t depth = 100000;
  char *j = malloc(2 * depth + 32);
  if (!j) abort();
  size_t n = (size_t)sprintf(j, "{\"identity\":");
  memset(j + n, '[', depth);
  n += depth;
  memset(j + n, ']', depth);
  n += depth;
  j[n++] = '}';
  lk_buf out = {0};
  lk_err e;
  CHECK(!lkp_encode("livekit.ParticipantInfo", j, n, &out, &e));
  lk_buf_free(&out);
  free(j);
}

/* google.protobuf.Value nested through list_value (6) -> values (1): each
 * wrap adds two message levels. */
static void nested_value(hb *p, int wraps) {
  hb v = {0};
  hb_tag(&v, 4, 0); /* bool_value */
  hb_varint(&v, 1);
  for (int i = 0; i < wraps; i++) {
    hb lv = {0}, nv = {0};
    hb_sub(&lv, 1, &v);
    hb_sub(&nv, 6, &lv);
    hb_free(&lv);
    hb_free(&v);
    v = nv;
  }
  *p = v;
}

static void c_binary_nesting_limit(void) {
  lk_err e;
  hb p;
  nested_value(&p, 49); /* 99 levels below the top: accepted */
  lk_buf json = {0};
  CHECK(lkp_decode("google.protobuf.Value", &p, &json, &e));
  lk_buf_free(&json);
  hb_free(&p);
  nested_value(&p, 51); /* 102 levels: refused */
  CHECK(!lkp_decode("google.protobuf.Value", &p, &json, &e));
  CHECK(strstr(e.msg, "nested") != NULL);
  lk_buf_free(&json);
  hb_free(&p);
}

/* The same nesting built outside-in (sizes first), for deep inputs. */
static void nested_value_fast(hb *p, size_t wraps) {
  size_t *vs = malloc((wraps + 1) * sizeof *vs), *ls = malloc((wraps + 1) * sizeof *ls);
  if (!vs || !ls) abort();
  vs[0] = 2; /* bool_value: tag 0x20, 1 */
  for (size_t i = 1; i <= wraps; i++) {
    hb t = {0};
    hb_varint(&t, vs[i - 1]);
    ls[i] = 1 + t.n + vs[i - 1];
    t.n = 0;
    hb_varint(&t, ls[i]);
    vs[i] = 1 + t.n + ls[i];
    hb_free(&t);
  }
  *p = (hb){0};
  for (size_t i = wraps; i >= 1; i--) {
    hb_tag(p, 6, 2);
    hb_varint(p, ls[i]);
    hb_tag(p, 1, 2);
    hb_varint(p, vs[i - 1]);
  }
  hb_tag(p, 4, 0);
  hb_varint(p, 1);
  free(vs);
  free(ls);
}

static void c_binary_nesting_100000(void) {
  /* 100 000 levels (about 0.5 MB): refused at level 101 without recursion
   * further down. */
  lk_err e;
  hb p;
  nested_value_fast(&p, 50000);
  lk_buf json = {0};
  double t0 = now_s();
  CHECK(!lkp_decode("google.protobuf.Value", &p, &json, &e));
  CHECK(now_s() - t0 < 10.0);
  lk_buf_free(&json);
  hb_free(&p);
}

static void c_json_nesting_limit(void) {
  /* The same limit in JSON: 100 nested lists accepted, 150 refused. */
  char j[512];
  for (int depth = 0; depth <= 150; depth += 150) {
    int d = depth ? depth : 40;
    size_t n = 0;
    for (int i = 0; i < d; i++) j[n++] = '[';
    j[n++] = '1';
    for (int i = 0; i < d; i++) j[n++] = ']';
    lk_buf out = {0};
    lk_err e;
    int ok = lkp_encode("google.protobuf.Value", j, n, &out, &e);
    lk_buf_free(&out);
    CHECK(ok == (depth == 0));
  }
}

static void c_json_huge_numbers(void) {
  static const char *const docs[] = {
      "{\"version\":1e400}",
      "{\"version\":4294967296}",
      "{\"version\":-1}",
      "{\"version\":1.5}",
      "{\"joinedAt\":\"9223372036854775808\"}",
      "{\"joinedAt\":99999999999999999999999999999999}",
      "{\"version\":\"NaN\"}",
  };
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
    lk_buf out = {0};
    lk_err e;
    int ok = lkp_encode("livekit.ParticipantInfo", docs[i], strlen(docs[i]), &out, &e);
    lk_buf_free(&out);
    CHECK(!ok);
  }
  /* 100 000 digits: refused, in bounded time. */
  size_t n = 100000;
  char *j = malloc(n + 32);
  if (!j) abort();
  size_t len = (size_t)sprintf(j, "{\"version\":");
  memset(j + len, '9', n);
  len += n;
  j[len++] = '}';
  lk_buf out = {0};
  lk_err e;
  double t0 = now_s();
  CHECK(!lkp_encode("livekit.ParticipantInfo", j, len, &out, &e));
  CHECK(now_s() - t0 < 10.0);
  lk_buf_free(&out);
  free(j);
  /* The largest valid values are accepted. */
  const char *ok = "{\"version\":4294967295,\"joinedAt\":\"9223372036854775807\"}";
  CHECK(lkp_encode("livekit.ParticipantInfo", ok, strlen(ok), &out, &e));
  lk_buf_free(&out);
}

static void c_json_duration_fraction(void) {
  /* google.protobuf.Duration with 9 fraction digits: accepted; with 10: refused,
   * without overflowing the accumulator (found by the lkproto_encode fuzzer:
   * signed overflow, undefined behaviour). */
  static const char *const docs[] = {"\"1.123456789s\"", "\"1.9999999999s\"",
                                     "\"-315576000000.999999999s\"", "\"315576000001s\""};
  static const int accept[] = {1, 0, 1, 0};
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
    lk_buf out = {0};
    lk_err e;
    int ok = lkp_encode("google.protobuf.Duration", docs[i], strlen(docs[i]), &out, &e);
    lk_buf_free(&out);
    CHECK(ok == accept[i]);
  }
}

static void c_json_bad_text(void) {
  static const char *const docs[] = {
      "{\"identity\":\"\\ud800\"}",       /* lone surrogate escape */
      "{\"identity\":\"a\\u0000b\"}",     /* U+0000 */
      "{\"identity\":\"\xc0\xaf\"}",      /* overlong raw UTF-8 */
      "{\"identity\":\"\xed\xa0\x80\"}",  /* raw surrogate */
      "{\"identity\":\"a\"} trailing",    /* garbage after the document */
      "{\"nosuchfield\":1}",              /* unknown field */
      "{\"attributes\":{\"k\":1}}",       /* wrong type in a map */
  };
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
    lk_buf out = {0};
    lk_err e;
    int ok = lkp_encode("livekit.ParticipantInfo", docs[i], strlen(docs[i]), &out, &e);
    lk_buf_free(&out);
    CHECK(!ok);
  }
}

static void c_lkproto_binary_bad_text(void) {
  /* Invalid UTF-8 and U+0000 in any string field, and in a map. */
  static const char *const hex[] = {"12026180", "1202610 0", "7a050a016b1200" /* ok */,
                                    "7a060a02c0af1200", "4a03e282"};
  static const int accept[] = {0, 0, 1, 0, 0};
  for (size_t i = 0; i < sizeof hex / sizeof hex[0]; i++) {
    hb p = {0};
    char clean[64];
    size_t n = 0;
    for (const char *h = hex[i]; *h; h++)
      if (*h != ' ') clean[n++] = *h;
    clean[n] = 0;
    hb_hex(&p, clean);
    lk_buf json = {0};
    lk_err e;
    int ok = lkp_decode("livekit.ParticipantInfo", &p, &json, &e);
    lk_buf_free(&json);
    hb_free(&p);
    CHECK(ok == accept[i]);
  }
}

static void c_lkproto_truncate_every_byte(void) {
  hb p = {0};
  sample_info(&p);
  for (size_t cut = 1; cut < p.n; cut++) {
    hb t = {p.b, cut, cut};
    lk_buf json = {0};
    lk_err e;
    (void)lkp_decode("livekit.ParticipantInfo", &t, &json, &e);
    lk_buf_free(&json);
  }
  hb_free(&p);
}

static void c_message_field_twice(void) {
  /* JoinRequest.connection_settings (2) sent twice, empty: valid protobuf
   * (the occurrences merge).  lkproto accepts it (protobuf-c 1.4.1 refuses
   * it: docs/security.md). */
  hb p = {0};
  hb_hex(&p, "12001200");
  lk_buf json = {0};
  lk_err e;
  CHECK(lkp_decode("livekit.JoinRequest", &p, &json, &e));
  lk_buf_free(&json);
  hb_free(&p);
}

static void c_lkproto_wrong_wire_type(void) {
  hb p = {0};
  hb_tag(&p, 2, 0); /* identity (a string) as a varint */
  hb_varint(&p, 1);
  lk_buf json = {0};
  lk_err e;
  CHECK(!lkp_decode("livekit.ParticipantInfo", &p, &json, &e));
  lk_buf_free(&json);
  hb_free(&p);
}

/* ---------------------------------------------------------------------------
 * The catalogue. */

typedef struct hostile_case {
  const char *name;
  const char *input;
  const char *expect;
  const char *why;
  void (*run)(void);
} hostile_case;

static const hostile_case cases[] = {
    /* Wire structure. */
    {"truncate-every-byte", "a ParticipantInfo with 3 attributes cut after each byte",
     "OK at field boundaries, else WIRE_TRUNCATED at or before the cut",
     "a peer may close mid-message; no read past the end", c_truncate_every_byte},
    {"truncate-every-byte-update", "a SignalRequest update cut after each byte",
     "a wire error or NOT_FOUND with the map unchanged, or a shorter valid update applied whole",
     "a half-received update must never half-apply", c_truncate_every_byte_update},
    {"varint-11-bytes", "an 11-byte varint value", "WIRE_MALFORMED",
     "protobuf varints have at most 10 bytes; longer loops forever in naive readers",
     c_varint_11_bytes},
    {"varint-above-2^64", "a 10-byte varint with a high last byte", "WIRE_MALFORMED",
     "silently truncating to 64 bits lets two encodings mean one value", c_varint_10_bytes_above_2_64},
    {"varint-2^64-1", "the largest 10-byte varint, then an attribute", "OK, 1 entry",
     "the boundary itself is valid protobuf", c_varint_2_64_minus_1},
    {"tag-varint-11-bytes", "an 11-byte tag", "WIRE_MALFORMED", "tags are varints too",
     c_tag_varint_11_bytes},
    {"length-2^32", "field 15 with length 2^32 and 3 bytes", "WIRE_TRUNCATED",
     "must not wrap to 0 in 32-bit arithmetic", c_length_2_32},
    {"length-2^32-1", "field 15 with length 2^32-1", "WIRE_TRUNCATED",
     "largest 32-bit length", c_length_2_32_minus_1},
    {"length-2^64-1", "field 15 with length 2^64-1", "WIRE_TRUNCATED or WIRE_MALFORMED",
     "pos + len must not overflow", c_length_2_64_minus_1},
    {"length-wraps-pointer", "lengths 2^64-3 and SIZE_MAX-1",
     "WIRE_TRUNCATED or WIRE_MALFORMED", "p + len wrapping past the end of memory",
     c_length_wraps_pointer},
    {"length-past-entry", "an entry whose key length runs past the entry", "WIRE_MALFORMED",
     "an inner field may not reach outside its enclosing message", c_length_past_entry},
    {"nested-100-deep", "100 levels of nested unknown messages, then an attribute",
     "OK, 1 entry, no recursion", "unknown fields are skipped as bytes", c_nested_100_deep_unknown},
    {"path-deeper-than-8", "a path of 9 field numbers", "INVALID_ARGUMENT",
     "the reader's state is bounded (LKATTRS_WIRE_MAX_DEPTH)", c_path_deeper_than_8},
    {"group-wire-types", "wire types 3, 4, 6, 7 and a start/end group pair", "WIRE_MALFORMED",
     "groups are not proto3; 6 and 7 do not exist", c_group_wire_types},
    {"field-number-0", "tag with field number 0", "WIRE_MALFORMED", "0 is not a field number",
     c_field_number_0},
    {"field-number-0-overlong", "tag 80 00 (field 0 as a 2-byte varint), value 0",
     "WIRE_MALFORMED; lkproto refuses", "protobuf-c 1.4.1 accepts it and re-packs bytes it refuses",
     c_field_number_0_overlong},
    {"field-number-2^29", "field number 2^29 (and 2^29-1)", "MALFORMED (and OK for 2^29-1)",
     "protobuf field numbers end at 2^29-1", c_field_number_above_max},
    {"map-field-wrong-wire-type", "field 15 as a varint; an entry key as a varint",
     "WIRE_MALFORMED", "a map is length-delimited; type confusion", c_map_field_wrong_wire_type},
    /* Volume. */
    {"100000-tiny-entries", "a map of 100,000 entries k00000=v (1.3 MB)",
     "read_map OK in bounded time; as a client update: TOO_LARGE, nothing changed",
     "O(n log n) work, no quadratic path; the 64 KiB limit holds", c_100000_tiny_entries},
    {"duplicate-keys", "k=one, j=x, k=two; merge k=one, k=\"\", k=three",
     "last wins (k=two; k=three, one change)", "protobuf map semantics, as LiveKit's decoders",
     c_duplicate_keys_different_values},
    {"same-key-100000-times", "100,000 entries for one key", "one entry, the last value, fast",
     "no per-duplicate storage or quadratic dedup", c_same_key_100000_times},
    {"key-64KiB", "a 65,536-byte key", "merge: KEY_TOO_LONG at offset 256; wire: stored and re-encoded",
     "LiveKit has no key limit; ours is 256 bytes by default", c_key_64_kib},
    {"value-1MiB", "a 1 MiB value", "client: TOO_LARGE; server without limits: stored intact",
     "the 64 KiB default total is LiveKit's", c_value_1_mib},
    /* Text. */
    {"utf8-overlong-2", "C0 AF in a key, a value, on the wire", "UTF8 at the lead byte",
     "overlong '/' bypasses path and prefix checks", c_utf8_overlong_2},
    {"utf8-overlong-3", "E0 80 AF", "UTF8", "overlong 3-byte form", c_utf8_overlong_3},
    {"utf8-overlong-4", "F0 80 80 AF", "UTF8", "overlong 4-byte form", c_utf8_overlong_4},
    {"utf8-surrogate-high", "ED A0 80 (U+D800)", "UTF8", "surrogates are not scalar values",
     c_utf8_surrogate_high},
    {"utf8-surrogate-low", "ED BF BF (U+DFFF)", "UTF8", "surrogates are not scalar values",
     c_utf8_surrogate_low},
    {"utf8-above-10FFFF", "F4 90 80 80 (U+110000)", "UTF8", "beyond Unicode",
     c_utf8_above_10ffff},
    {"utf8-F5-lead", "F5 80 80 80", "UTF8", "F5..FF never appear in UTF-8", c_utf8_f5_lead},
    {"utf8-lone-continuation", "a 80", "UTF8 at offset 1", "a continuation byte without a lead",
     c_utf8_lone_continuation},
    {"utf8-truncated-at-end", "E2 82 at the end", "UTF8", "a sequence cut by the end of the string",
     c_utf8_truncated_at_end},
    {"utf8-truncated-mid", "E2 82 'a'", "UTF8", "a sequence cut by an ASCII byte",
     c_utf8_truncated_mid},
    {"nul", "U+0000 in a key, in a value, on the wire", "NUL (wire: accepted with ALLOW_NUL only)",
     "C strings stop at NUL: two views of one key", c_nul_in_key_and_value},
    {"control-chars-in-key", "U+0001, TAB, LF, ESC, U+001F, DEL, U+0080, U+0085, U+009F",
     "CONTROL_CHAR in keys, OK in values", "log and terminal injection through keys",
     c_control_chars_in_key},
    {"empty-key", "\"\" as a key; an entry without a key on the wire",
     "KEY_EMPTY (raw reader: OK, read_map: KEY_EMPTY)", "an empty key is not an attribute",
     c_empty_key},
    /* Permissions. */
    {"forge-every-reserved-name", "each name and prefix of the table, by a client and an agent",
     "RESERVED_NAME (agent: OK for lk.agent.*)", "a client must not pose as SIP, ingress or LiveKit",
     c_forge_every_reserved_name},
    {"forge-sip-phone-on-wire", "a SignalRequest setting color and sip.phoneNumber",
     "RESERVED_NAME, reason NOT_ALLOWED, nothing changed (not even color)",
     "a fake caller number must not reach other participants", c_forge_sip_phone_number_on_wire},
    {"forge-by-delete", "a client deleting sip.phoneNumber", "RESERVED_NAME, kept",
     "deleting is writing", c_forge_by_deleting_reserved},
    {"forge-in-join", "JoinRequest attributes with lk.publish_on_behalf", "RESERVED_NAME, out unchanged",
     "the join path has the same rules", c_forge_in_join},
    {"reserved-lookalikes", "SIP.phoneNumber, Cyrillic ѕip.phoneNumber, sip, lk", "OK (not reserved)",
     "keys are compared bytewise; documented so consumers do the same", c_reserved_lookalikes_accepted},
    {"compat-switch", "sip.phoneNumber by a client with skip_namespace_rules", "OK",
     "the switch gives LiveKit's unchecked behaviour, only when asked", c_compat_switch_allows_forge},
    {"no-permission", "a client or agent without can_update_metadata, empty or not",
     "NOT_ALLOWED, request_id echoed, map unchanged", "LiveKit checks permission first",
     c_client_without_permission},
    /* Limits. */
    {"key-256-257", "keys of 256 and 257 bytes", "OK, KEY_TOO_LONG", "the limit is inclusive",
     c_key_256_and_257},
    {"update-size-exact", "Σ key+value = 65536 and 65537", "OK, TOO_LARGE",
     "LiveKit compares with <=", c_update_size_exact_and_plus_one},
    {"map-size-exact", "resulting map of 10 and 11 bytes under max_map_bytes 10", "OK, TOO_LARGE",
     "limit met exactly is allowed", c_map_size_exact_and_plus_one},
    {"entries-exact", "3 and 4 entries under max_entries 3 (one in, one out counts 3)",
     "OK, TOO_MANY_ENTRIES", "counted on the result, not the update", c_entries_exact_and_plus_one},
    {"value-limit-exact", "values of 4 and 5 bytes under max_value_bytes 4",
     "OK, VALUE_TOO_LONG at offset 4", "inclusive", c_value_limit_exact_and_plus_one},
    {"size-sum-overflow", "entries with lengths SIZE_MAX/2 twice; SIZE_MAX-4; a SIZE_MAX-2 message",
     "size saturates at SIZE_MAX, BUFFER_TOO_SMALL, nothing read", "a wrapped sum would under-allocate",
     c_size_sum_overflow},
    {"capacity-overflow", "fixed map of SIZE_MAX/4 entries in 4 KiB; reserve SIZE_MAX",
     "NOSPACE / NOMEM, map unchanged", "capacity * entry size must not wrap", c_capacity_overflow},
    {"fixed-map-full", "a third entry, a longer value into a full fixed map", "NOSPACE, unchanged",
     "firmware maps never allocate and never half-apply", c_fixed_map_full},
    /* Update path. */
    {"update-buffer-exact", "info buffer of needed-1 and needed bytes",
     "BUFFER_TOO_SMALL (map unchanged), then OK filling it exactly", "off-by-one in the writer",
     c_update_buffer_exact_and_minus_one},
    {"update-version-wraps", "stored version 2^32-1", "version 0, omitted", "uint32 wrap as proto3",
     c_update_version_wraps},
    {"update-split-submessage", "update_metadata sent twice, one attribute each", "both applied",
     "protobuf merges a repeated sub-message", c_update_split_submessage},
    {"update-wrong-arm", "a SignalRequest offer", "NOT_FOUND, nothing written",
     "not every signal request is an update", c_update_wrong_arm},
    {"update-bad-info", "a truncated stored ParticipantInfo", "WIRE_TRUNCATED, nothing written",
     "corrupt state must not be re-broadcast", c_update_bad_info},
    {"update-metadata-limit", "600 bytes of metadata under limits 599 and 600",
     "TOO_LARGE (LIMIT_EXCEEDED), then OK", "LiveKit's max_metadata_size, inclusive",
     c_update_name_metadata_limits},
    /* Output. */
    {"redact-log-injection", "a value with quote, backslash, LF, ESC; a phone number",
     "escaped JSON on one line, phone number masked", "log injection and PII in logs",
     c_redact_log_injection},
    {"hide-phone-number", "sip.phoneNumber and sip.trunkPhoneNumber", "both left out",
     "LiveKit's hide_phone_number", c_hide_phone_number},
    /* lkproto. */
    {"json-duplicate-keys", "identity and an attribute given twice", "accepted, last wins",
     "what JSON.parse() and LiveKit's fromJson() do", c_json_duplicate_keys},
    {"json-deep-nesting", "100,000 nested arrays", "refused (parser depth limit), no stack overflow",
     "recursive parsers crash on deep input", c_json_deep_nesting},
    {"json-nesting-limit", "40 and 150 nested lists as google.protobuf.Value", "OK, refused",
     "lkproto's 100-level limit holds in JSON", c_json_nesting_limit},
    {"binary-nesting-limit", "google.protobuf.Value nested 99 and 102 levels", "OK, refused (nested)",
     "protobuf's own recursion limit is 100", c_binary_nesting_limit},
    {"binary-nesting-100000", "Value nested 100,000 levels", "refused quickly",
     "no recursion past the limit", c_binary_nesting_100000},
    {"json-huge-numbers", "1e400, 2^32, -1, 1.5, 2^63, 32 digits, \"NaN\" for uint32/int64; 100,000 digits",
     "refused; the largest valid values accepted", "no silent wrap or rounding of integers",
     c_json_huge_numbers},
    {"json-duration-fraction", "Durations with 9 and 10 fraction digits, and at the range limits",
     "9 digits and the limit accepted; 10 digits and one past the limit refused",
     "the 10th digit overflowed an int (undefined behaviour) before the fix",
     c_json_duration_fraction},
    {"json-bad-text", "lone surrogate escape, \\u0000, raw overlong and surrogate UTF-8, trailing garbage, unknown field, wrong type",
     "refused", "LiveKit's strict decoder refuses them", c_json_bad_text},
    {"lkproto-binary-bad-text", "invalid UTF-8 and U+0000 in strings and map keys",
     "refused (a valid map entry accepted)", "proto3 strings are UTF-8", c_lkproto_binary_bad_text},
    {"lkproto-truncate-every-byte", "a ParticipantInfo cut after each byte", "never crashes",
     "same as the core reader", c_lkproto_truncate_every_byte},
    {"message-field-twice", "JoinRequest.connection_settings sent twice (12 00 12 00)",
     "accepted (merged)", "valid protobuf that protobuf-c 1.4.1 refuses", c_message_field_twice},
    {"lkproto-wrong-wire-type", "identity sent as a varint", "refused", "type confusion",
     c_lkproto_wrong_wire_type},
};

int main(int argc, char **argv) {
  bool verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
  size_t passed = 0, failed = 0, n = sizeof cases / sizeof cases[0];
  for (size_t i = 0; i < n; i++) {
    hostile_failed = false;
    hostile_why[0] = 0;
    cases[i].run();
    if (hostile_failed) {
      failed++;
      printf("FAIL %s: %s\n     input: %s\n     expected: %s\n", cases[i].name, hostile_why,
             cases[i].input, cases[i].expect);
    } else {
      passed++;
      if (verbose)
        printf("ok   %-28s %s -> %s (%s)\n", cases[i].name, cases[i].input, cases[i].expect,
               cases[i].why);
    }
  }
  printf("hostile: %zu passed, %zu failed\n", passed, failed);
  return failed ? 1 : 0;
}
