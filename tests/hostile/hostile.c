/*
 * hostile.c - the catalogue of named hostile inputs: each row of `cases`
 * below is one attack, with the input, the outcome we require and why.
 * Every case runs in `make check` (check-hostile), under ASan+UBSan and
 * valgrind too; the run ends with "hostile: N passed, M failed".
 *
 * Entry points attacked: the wire reader and the participant state
 * (lkattrs/wire.h, lkattrs/participant.h: load, apply, responses),
 * validation and merge
 * (lkattrs/validate.h, lkattrs/patch.h), the map's size arithmetic, and
 * lkproto's strict decoder and JSON reader (liblkjson, libjson/).
 * Inputs are exact-size heap copies, so that a read one byte past the end is
 * reported by the sanitizers.  `hostile -v` prints the table.
 */
#include "hostile_util.h"

#include "lkattrs/lkattrs.h"
#include <lkjson/json.h>

/* lkattrs_join() options of a client with can_update_metadata. */
#define GRANTED (&(lkattrs_merge_opts){LKATTRS_ORIGIN_CLIENT, true, false, NULL, NULL, NULL})

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
  if (lkattrs_map_new(NULL, mflags, &m) != LKATTRS_OK) abort();
  unsigned char *c = exact(p->b, p->n);
  lkattrs_status st = lkattrs_wire_read_map(c, p->n, P15, 1, m, NULL);
  free(c);
  if (out)
    *out = m;
  else
    lkattrs_map_free(m);
  return st;
}

static lkattrs_map *map_of(const char *const *kv) {
  lkattrs_map *m = NULL;
  if (lkattrs_map_new(NULL, 0, &m) != LKATTRS_OK) abort();
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

/* ---- the participant state (lkattrs/participant.h) ---- */

static unsigned char resp_buf[1 << 21];

/* A copy of the state's ParticipantInfo bytes. */
static hb snapshot(const lkattrs_participant *p) {
  hb s = {0};
  size_t n;
  const unsigned char *b = lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_INFO, &n);
  if (!b) abort();
  hb_raw(&s, b, n);
  return s;
}
static bool same_bytes(const lkattrs_participant *p, const hb *s) {
  size_t n;
  const unsigned char *b = lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_INFO, &n);
  return b && n == s->n && (n == 0 || memcmp(b, s->b, n) == 0);
}

/* Load an exact copy of info (NULL: nothing) into p; on an error the state
 * must be as before, byte for byte (else 999).  A loaded state must read
 * back to the same bytes (canonical: else 998). */
static lkattrs_status load(lkattrs_participant *p, const hb *info, lkattrs_error_detail *d) {
  hb before = snapshot(p);
  unsigned char *c = info ? exact(info->b, info->n) : NULL;
  lkattrs_status st = lkattrs_participant_load(p, c, info ? info->n : 0, d);
  free(c);
  if (st != LKATTRS_OK && !same_bytes(p, &before)) st = (lkattrs_status)999;
  hb_free(&before);
  if (st == LKATTRS_OK) {
    lkattrs_participant *q = NULL;
    hb now = snapshot(p);
    if (lkattrs_participant_new(NULL, &q) != LKATTRS_OK) abort();
    if (lkattrs_participant_load(q, now.b, now.n, NULL) != LKATTRS_OK || !same_bytes(q, &now))
      st = (lkattrs_status)998;
    lkattrs_participant_free(q);
    hb_free(&now);
  }
  return st;
}

/* A heap state loaded with info (NULL: empty). */
static lkattrs_participant *state_of(const hb *info) {
  lkattrs_participant *p = NULL;
  if (lkattrs_participant_new(NULL, &p) != LKATTRS_OK) abort();
  if (info && load(p, info, NULL) != LKATTRS_OK) abort();
  return p;
}

/* A heap state holding the attributes kv (a ParticipantInfo of identity
 * "alice" and those entries, loaded). */
static lkattrs_participant *state_kv(const char *const *kv) {
  hb info = {0};
  hb_bytes(&info, 2, "alice", 5);
  for (; kv && kv[0]; kv += 2) hb_entry(&info, 15, kv[0], kv[1]);
  lkattrs_participant *p = state_of(&info);
  hb_free(&info);
  return p;
}

/* The state's value of key is v (NULL: absent). */
static bool has(const lkattrs_participant *p, const char *key, const char *v) {
  const char *got;
  size_t gl;
  lkattrs_status st = lkattrs_participant_get(p, key, strlen(key), &got, &gl);
  if (!v) return st == LKATTRS_E_NOT_FOUND;
  return st == LKATTRS_OK && gl == strlen(v) && memcmp(got, v, gl) == 0;
}

/* Apply an exact copy of upd (of `kind`) to p, the response (echo,
 * envelope as given) into rb, or into resp_buf when rb is NULL.  On an
 * error the state must be as before (else 999); a response written must be
 * well-formed and within the buffer (else 997). */
static lkattrs_status apply_kind(lkattrs_participant *p, const hb *upd, lkattrs_update_kind kind,
                                 const lkattrs_rules *rules, const lkattrs_response_buf *rb,
                                 lkattrs_update_result *r, lkattrs_error_detail *d) {
  static const lkattrs_response_buf whole = {resp_buf, sizeof resp_buf, true, true};
  if (!rb) rb = &whole;
  hb before = snapshot(p);
  unsigned char *c = exact(upd->b, upd->n);
  lkattrs_status st = lkattrs_participant_apply(p, c, upd->n, kind, rules, rb, r, d);
  free(c);
  if (st != LKATTRS_OK && !same_bytes(p, &before)) st = (lkattrs_status)999;
  if (r->resp_len &&
      (!rb->data || r->resp_len > rb->cap || lkattrs_wire_check(rb->data, r->resp_len, NULL)))
    st = (lkattrs_status)997;
  hb_free(&before);
  return st;
}

/* A SignalRequest from a client, the whole response wanted. */
static lkattrs_status apply(lkattrs_participant *p, const hb *upd, const lkattrs_rules *rules,
                            lkattrs_update_result *r) {
  return apply_kind(p, upd, LKATTRS_UPDATE_SIGNAL_REQUEST, rules, NULL, r, NULL);
}

static lkattrs_rules client_rules(bool grant) {
  lkattrs_rules o = LKATTRS_RULES_INIT;
  o.can_update_metadata = grant;
  return o;
}

/* The fields of the RequestResponse in a response (bare when !envelope). */
typedef struct {
  bool ok;
  uint32_t request_id;
  int reason;
  char message[160];
  bool echo;
  size_t echo_len;
} response_t;

static response_t read_response(const unsigned char *b, size_t n, bool envelope) {
  response_t out;
  lkattrs_wire_field f;
  memset(&out, 0, sizeof out);
  static const uint32_t env[] = {LKATTRS_FIELD_SIGNAL_RESPONSE_REQUEST_RESPONSE};
  if (envelope) {
    if (lkattrs_wire_find(b, n, env, 1, &f, NULL) != LKATTRS_OK || f.offset != 0 ||
        f.data + f.len != b + n)
      return out;
    b = f.data;
    n = f.len;
  }
  if (lkattrs_wire_check(b, n, NULL) != LKATTRS_OK) return out;
  uint32_t no;
  no = LKATTRS_FIELD_REQUEST_RESPONSE_REQUEST_ID;
  if (lkattrs_wire_find(b, n, &no, 1, &f, NULL) == LKATTRS_OK) out.request_id = (uint32_t)f.value;
  no = LKATTRS_FIELD_REQUEST_RESPONSE_REASON;
  if (lkattrs_wire_find(b, n, &no, 1, &f, NULL) == LKATTRS_OK) out.reason = (int)f.value;
  no = LKATTRS_FIELD_REQUEST_RESPONSE_MESSAGE;
  if (lkattrs_wire_find(b, n, &no, 1, &f, NULL) == LKATTRS_OK && f.len < sizeof out.message)
    memcpy(out.message, f.data, f.len);
  no = LKATTRS_FIELD_REQUEST_RESPONSE_UPDATE_METADATA;
  if (lkattrs_wire_find(b, n, &no, 1, &f, NULL) == LKATTRS_OK) {
    out.echo = true;
    out.echo_len = f.len;
  }
  out.ok = true;
  return out;
}

/* liblkjson (what `lkproto decode/encode` uses): a result buffer, its error. */
typedef struct lk_buf {
  char *data;
  size_t len;
} lk_buf;
typedef lkjson_error lk_err;

static void lk_buf_free(lk_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = 0;
}

static void lk_buf_putc(lk_buf *b, char c) {
  char *d = realloc(b->data, b->len + 2);
  if (!d) abort();
  d[b->len++] = c;
  d[b->len] = '\0';
  b->data = d;
}

/* Keeps a result of liblkjson (allocated with libc) in *out. */
static void keep(lk_buf *out, void *p, size_t n) {
  lk_buf_free(out);
  out->data = p;
  out->len = n;
}

/* JSON -> binary; returns 1 when accepted (binary in *out). */
static int lkp_encode(const char *type, const char *json, size_t n, lk_buf *out, lk_err *e) {
  char *c = (char *)exact(json, n);
  uint8_t *bin;
  size_t len;
  lkjson_status st = lkjson_from_json_alloc(type, c, n, NULL, &bin, &len, e);
  free(c);
  if (st == LKJSON_UNKNOWN_TYPE || st == LKJSON_NOMEM) abort();
  if (st == LKJSON_OK) keep(out, bin, len);
  return st == LKJSON_OK;
}
/* binary -> JSON; returns 1 when accepted (JSON in *json). */
static int lkp_decode(const char *type, const hb *p, lk_buf *json, lk_err *e) {
  unsigned char *c = exact(p->b, p->n);
  char *text;
  size_t len;
  lkjson_status st = lkjson_to_json_alloc(type, c, p->n, NULL, &text, &len, e);
  free(c);
  if (st == LKJSON_UNKNOWN_TYPE || st == LKJSON_NOMEM) abort();
  if (st == LKJSON_OK) keep(json, text, len);
  return st == LKJSON_OK;
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
  lkattrs_rules o = client_rules(true);
  for (size_t cut = 0; cut < p.n; cut++) {
    lkattrs_participant *m = state_kv(KV("gone", "1", "keep", "2"));
    hb t = {p.b, cut, cut};
    lkattrs_update_result r;
    lkattrs_status st = apply(m, &t, &o, &r); /* atomic, or 999 */
    size_t count = lkattrs_participant_count(m);
    lkattrs_participant_free(m);
    /* Any prefix: either a clean wire error (nothing changed, no response:
     * LiveKit drops it) or a valid shorter message applied as a whole. */
    CHECK(st == LKATTRS_OK || st == LKATTRS_E_WIRE_TRUNCATED || st == LKATTRS_E_NOT_FOUND ||
          st == LKATTRS_E_WIRE_MALFORMED);
    if (st != LKATTRS_OK) CHECK(!r.changed && r.resp_len == 0 && count == 2);
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
  lkattrs_participant *attrs = state_kv(KV("a", "1"));
  lkattrs_rules o = client_rules(true);
  lkattrs_update_result r;
  lkattrs_status ast = apply(attrs, &upd, &o, &r);
  if (ast != LKATTRS_E_TOO_LARGE) fprintf(stderr, "apply: %d\n", (int)ast);
  size_t acount = lkattrs_participant_count(attrs);
  lkattrs_participant_free(attrs);
  CHECK(ast == LKATTRS_E_TOO_LARGE);
  CHECK(r.refused && r.reason == LKATTRS_REASON_LIMIT_EXCEEDED);
  CHECK(acount == 1);
  /* And as a stored ParticipantInfo loaded into a state (no size limit:
   * the bytes are the server's): every entry, in key order. */
  lkattrs_participant *big = state_of(NULL);
  CHECK(load(big, &p, NULL) == LKATTRS_OK);
  size_t bcount = lkattrs_participant_count(big);
  lkattrs_entry first, last;
  bool ends = lkattrs_participant_at(big, 0, &first) == LKATTRS_OK &&
              lkattrs_participant_at(big, 99999, &last) == LKATTRS_OK &&
              first.key_len == 6 && memcmp(first.key, "k00000", 6) == 0 &&
              last.key_len == 6 && memcmp(last.key, "k99999", 6) == 0;
  lkattrs_participant_free(big);
  CHECK(bcount == 100000 && ends);
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
  lkattrs_participant *m = state_kv(KV("color", "blue"));
  lkattrs_rules o = client_rules(true);
  lkattrs_update_result r;
  lkattrs_status st = apply(m, &p, &o, &r);
  bool kept = has(m, "color", "blue") && has(m, LKATTRS_NAME_SIP_PHONE_NUMBER, NULL);
  lkattrs_participant_free(m);
  hb_free(&p);
  CHECK(st == LKATTRS_E_RESERVED_NAME);
  CHECK(r.refused && r.reason == LKATTRS_REASON_NOT_ALLOWED && r.resp_len > 0 && !r.changed);
  CHECK(kept);
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
  CHECK(lkattrs_join(tok, e, 2, GRANTED, out, NULL) == LKATTRS_E_RESERVED_NAME);
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
  lkattrs_map_free(m);
  /* On the wire: NOT_ALLOWED answered with LiveKit's message, for an empty
   * update too. */
  hb p = {0};
  signal_update(&p, &e, 1, 5);
  lkattrs_participant *s = state_kv(KV("a", "1"));
  lkattrs_rules uo = client_rules(false);
  lkattrs_update_result r;
  lkattrs_status st = apply(s, &p, &uo, &r);
  response_t rr = read_response(resp_buf, r.resp_len, true);
  hb empty = {0};
  signal_update(&empty, NULL, 0, 6);
  lkattrs_update_result r2;
  lkattrs_status st2 = apply(s, &empty, &uo, &r2);
  uo.origin = LKATTRS_ORIGIN_AGENT;
  lkattrs_update_result r3;
  lkattrs_status st3 = apply(s, &p, &uo, &r3);
  size_t count = lkattrs_participant_count(s);
  lkattrs_participant_free(s);
  hb_free(&p);
  hb_free(&empty);
  CHECK(st == LKATTRS_E_NOT_ALLOWED);
  CHECK(r.refused && r.reason == LKATTRS_REASON_NOT_ALLOWED && r.request_id == 5);
  CHECK(rr.ok && rr.request_id == 5 && rr.reason == LKATTRS_REASON_NOT_ALLOWED && rr.echo &&
        strcmp(rr.message, "does not have permission to update own metadata") == 0);
  CHECK(st2 == LKATTRS_E_NOT_ALLOWED && r2.refused && r2.request_id == 6);
  CHECK(st3 == LKATTRS_E_NOT_ALLOWED && r3.refused);
  CHECK(count == 1);
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
  CHECK(lkattrs_write_response(1, 3, "m", SIZE_MAX - 2, false, buf, sizeof buf, &w) ==
        LKATTRS_E_BUFFER_TOO_SMALL);
  /* The response bound saturates. */
  CHECK(lkattrs_response_max_bytes(SIZE_MAX) == SIZE_MAX);
  CHECK(lkattrs_response_max_bytes(SIZE_MAX - LKATTRS_RESPONSE_MIN_BYTES) == SIZE_MAX);
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
 * The update path (lkattrs_participant_apply). */

static void c_update_info_capacity_exact(void) {
  /* A fixed state whose info capacity is the new ParticipantInfo minus one
   * byte, then exactly its size. */
  lkattrs_entry e = E("color", "purple"); /* blue -> purple: 2 bytes more */
  hb p = {0}, info = {0};
  signal_update(&p, &e, 1, 3);
  sample_info(&info);
  lkattrs_rules o = client_rules(true);
  lkattrs_update_result r, rs[2];
  lkattrs_participant *h = state_of(&info);
  lkattrs_status st = apply(h, &p, &o, &r), sts[2];
  hb want = snapshot(h);
  lkattrs_participant_free(h);
  bool loaded[2], blue[2], fit[2];
  response_t rr[2];
  for (size_t i = 0; i < 2; i++) {
    size_t cap = want.n - 1 + i;
    lkattrs_participant_caps caps = {cap, 8, 0};
    size_t bytes = LKATTRS_PARTICIPANT_FIXED_BYTES(cap, 8, 8);
    unsigned char *store = malloc(bytes);
    lkattrs_participant *f = NULL;
    if (!store) abort();
    loaded[i] = lkattrs_participant_init_fixed(store, bytes, &caps, &f) == LKATTRS_OK &&
                load(f, &info, NULL) == LKATTRS_OK;
    sts[i] = loaded[i] ? apply(f, &p, &o, &rs[i]) : LKATTRS_E_INVALID_ARGUMENT;
    blue[i] = loaded[i] && has(f, "color", "blue");
    fit[i] = loaded[i] && same_bytes(f, &want);
    rr[i] = read_response(resp_buf, loaded[i] ? rs[i].resp_len : 0, true);
    free(store);
  }
  size_t need = want.n, have = info.n;
  hb_free(&want);
  hb_free(&p);
  hb_free(&info);
  CHECK(st == LKATTRS_OK && r.changed && need == have + 2);
  CHECK(loaded[0] && loaded[1]);
  /* One byte short: refused as a limit, answered, nothing changed. */
  CHECK(sts[0] == LKATTRS_E_NOSPACE && rs[0].refused && blue[0]);
  CHECK(!rs[0].changed && rs[0].attrs_changed == 0);
  CHECK(rs[0].reason == LKATTRS_REASON_LIMIT_EXCEEDED && rr[0].ok && rr[0].request_id == 3 &&
        rr[0].reason == LKATTRS_REASON_LIMIT_EXCEEDED);
  /* Exactly: applied, filling it. */
  CHECK(sts[1] == LKATTRS_OK && rs[1].changed && fit[1]);
}

static void c_update_version_wraps(void) {
  hb info = {0};
  hb_bytes(&info, 2, "alice", 5);
  hb_tag(&info, 10, 0);
  hb_varint(&info, UINT32_MAX);
  lkattrs_entry e = E("k", "v"), e2 = E("k", "w");
  hb p = {0}, p2 = {0};
  signal_update(&p, &e, 1, 0);
  signal_update(&p2, &e2, 1, 0);
  lkattrs_rules o = client_rules(true);
  lkattrs_update_result r, r2;
  lkattrs_participant *s = state_of(&info);
  uint32_t v0 = lkattrs_participant_version(s);
  lkattrs_status st = apply(s, &p, &o, &r);
  size_t n;
  const unsigned char *b = lkattrs_participant_bytes(s, LKATTRS_VIEW_PARTICIPANT_INFO, &n);
  lkattrs_wire_field f;
  static const uint32_t pv[] = {10};
  lkattrs_status found = lkattrs_wire_find(b, n, pv, 1, &f, NULL);
  lkattrs_status st2 = apply(s, &p2, &o, &r2);
  lkattrs_participant_free(s);
  hb_free(&p);
  hb_free(&p2);
  hb_free(&info);
  CHECK(v0 == UINT32_MAX);
  CHECK(st == LKATTRS_OK && r.version == 0 && found == LKATTRS_E_NOT_FOUND);
  CHECK(st2 == LKATTRS_OK && r2.version == 1);
}

static void c_update_split_submessage(void) {
  /* update_metadata sent twice: protobuf merges the parts. */
  hb p = {0};
  lkattrs_entry a = E("a", "1"), b = E("b", "2");
  signal_update(&p, &a, 1, 0);
  signal_update(&p, &b, 1, 0);
  lkattrs_participant *m = state_of(NULL);
  lkattrs_rules o = client_rules(true);
  lkattrs_update_result r;
  lkattrs_status st = apply(m, &p, &o, &r);
  size_t count = lkattrs_participant_count(m);
  lkattrs_participant_free(m);
  hb_free(&p);
  CHECK(st == LKATTRS_OK && r.attrs_changed == 2 && count == 2);
}

static void c_update_wrong_arm(void) {
  hb p = {0};
  hb_tag(&p, 1, 2); /* SignalRequest.offer */
  hb_varint(&p, 0);
  lkattrs_participant *m = state_kv(KV("a", "1"));
  lkattrs_rules o = client_rules(true);
  lkattrs_update_result r;
  lkattrs_status st = apply(m, &p, &o, &r);
  size_t count = lkattrs_participant_count(m);
  lkattrs_participant_free(m);
  hb_free(&p);
  CHECK(st == LKATTRS_E_NOT_FOUND);
  CHECK(count == 1 && !r.changed && r.resp_len == 0);
}

static void c_update_name_metadata_limits(void) {
  hb p = {0}, u = {0};
  char md[600];
  memset(md, 'm', sizeof md);
  hb_bytes(&u, 1, md, sizeof md);
  hb_bytes(&u, 2, "Alice Liddell", 13);
  hb_entry(&u, 3, "k", "v");
  hb_sub(&p, 15, &u);
  lkattrs_rules o = client_rules(true);
  lkattrs_update_result r[4];
  lkattrs_participant *m = state_of(NULL);
  o.max_metadata_bytes = 599;
  lkattrs_status st0 = apply(m, &p, &o, &r[0]);
  response_t rr0 = read_response(resp_buf, r[0].resp_len, true);
  o.max_metadata_bytes = 600;
  o.max_name_bytes = 12;
  lkattrs_status st1 = apply(m, &p, &o, &r[1]);
  response_t rr1 = read_response(resp_buf, r[1].resp_len, true);
  size_t count1 = lkattrs_participant_count(m);
  o.max_name_bytes = 13;
  lkattrs_status st2 = apply(m, &p, &o, &r[2]);
  size_t count2 = lkattrs_participant_count(m);
  lkattrs_participant_free(m);
  hb_free(&u);
  hb_free(&p);
  CHECK(st0 == LKATTRS_E_TOO_LARGE && r[0].reason == LKATTRS_REASON_LIMIT_EXCEEDED);
  CHECK(rr0.ok && strcmp(rr0.message, "exceeds metadata size limit") == 0);
  CHECK(st1 == LKATTRS_E_TOO_LARGE && rr1.ok && strcmp(rr1.message, "exceeds name length limit") == 0);
  CHECK(count1 == 0);
  CHECK(st2 == LKATTRS_OK && r[2].name_changed && r[2].metadata_changed && count2 == 1);
}

static void c_update_fixed_state_full(void) {
  /* A fixed state at its capacity: refusals (LIMIT_EXCEEDED, answered),
   * never a partial write; what fits still applies. */
  lkattrs_participant_caps caps = {256, 2, 2};
  static unsigned char store[LKATTRS_PARTICIPANT_FIXED_BYTES(256, 2, 2)];
  lkattrs_participant *s = NULL;
  CHECK(lkattrs_participant_init_fixed(store, sizeof store, &caps, &s) == LKATTRS_OK);
  hb info = {0};
  hb_entry(&info, 15, "a", "1");
  hb_entry(&info, 15, "b", "2");
  CHECK(load(s, &info, NULL) == LKATTRS_OK);
  hb_free(&info);
  lkattrs_rules o = client_rules(true);
  lkattrs_update_result r;
  lkattrs_entry third = E("c", "3");
  lkattrs_entry dups[] = {E("a", "9"), E("a", "8"), E("a", "7")};
  lkattrs_entry swap[] = {E("a", ""), E("c", "3")};
  static char v[300];
  memset(v, 'v', sizeof v);
  lkattrs_entry big = ent("a", 1, v, sizeof v);
  hb p = {0};
  signal_update(&p, &third, 1, 1);
  lkattrs_status st = apply(s, &p, &o, &r);
  CHECK(st == LKATTRS_E_NOSPACE && r.refused && r.reason == LKATTRS_REASON_LIMIT_EXCEEDED &&
        r.resp_len > 0);
  hb_free(&p);
  signal_update(&p, dups, 3, 2); /* 3 raw entries, capacity 2: duplicates count */
  st = apply(s, &p, &o, &r);
  CHECK(st == LKATTRS_E_NOSPACE && r.refused && r.resp_len > 0);
  hb_free(&p);
  signal_update(&p, &big, 1, 3); /* the info would not fit 256 bytes */
  st = apply(s, &p, &o, &r);
  CHECK(st == LKATTRS_E_NOSPACE && r.refused && r.resp_len > 0);
  hb_free(&p);
  CHECK(has(s, "a", "1") && has(s, "b", "2") && lkattrs_participant_version(s) == 0);
  signal_update(&p, swap, 2, 4); /* one out, one in: fits */
  st = apply(s, &p, &o, &r);
  hb_free(&p);
  CHECK(st == LKATTRS_OK && r.changed && has(s, "a", NULL) && has(s, "c", "3"));
}

/* ---------------------------------------------------------------------------
 * A hostile stored ParticipantInfo (lkattrs_participant_load). */

static void c_load_truncate_every_byte(void) {
  hb p = {0};
  sample_info(&p);
  size_t bounds[8], nb = 0;
  hb q = {0};
  hb_bytes(&q, 2, "alice", 5), bounds[nb++] = q.n;
  hb_bytes(&q, 9, "Alice", 5), bounds[nb++] = q.n;
  hb_tag(&q, 10, 0), hb_varint(&q, 7), bounds[nb++] = q.n;
  hb_entry(&q, 15, "color", "blue"), bounds[nb++] = q.n;
  hb_entry(&q, 15, "\xc3\xa9t\xc3\xa9", "\xf0\x9f\x98\x80"), bounds[nb++] = q.n;
  hb_free(&q);
  lkattrs_participant *s = state_of(&p);
  hb full = snapshot(s);
  for (size_t cut = 0; cut < p.n; cut++) {
    hb t = {p.b, cut, cut};
    lkattrs_error_detail d;
    lkattrs_status st = load(s, &t, &d); /* atomic, or 999 */
    bool boundary = cut == 0;
    for (size_t i = 0; i < nb; i++) boundary |= bounds[i] == cut;
    if (boundary) {
      CHECK(st == LKATTRS_OK);
      CHECK(load(s, &p, NULL) == LKATTRS_OK);
    } else {
      CHECK(st == LKATTRS_E_WIRE_TRUNCATED && d.offset <= cut);
    }
    CHECK(same_bytes(s, &full) && lkattrs_participant_version(s) == 7);
  }
  lkattrs_participant_free(s);
  hb_free(&full);
  hb_free(&p);
}

static void c_load_empty(void) {
  /* An empty ParticipantInfo (NULL or zero bytes) into a new heap state, a
   * new fixed one and a full one: OK, an empty message, version 0. */
  lkattrs_participant *h = NULL, *f = NULL;
  lkattrs_participant_caps caps = {64, 2, 0};
  static unsigned char store[LKATTRS_PARTICIPANT_FIXED_BYTES(64, 2, 2)];
  CHECK(lkattrs_participant_new(NULL, &h) == LKATTRS_OK);
  lkattrs_status s1 = lkattrs_participant_load(h, NULL, 0, NULL);
  lkattrs_status s2 = lkattrs_participant_init_fixed(store, sizeof store, &caps, &f);
  lkattrs_status s3 = s2 ? s2 : lkattrs_participant_load(f, "", 0, NULL);
  size_t n1 = 1, n2 = 1;
  const unsigned char *b1 = lkattrs_participant_bytes(h, LKATTRS_VIEW_PARTICIPANT_INFO, &n1);
  const unsigned char *b2 = s2 ? NULL : lkattrs_participant_bytes(f, LKATTRS_VIEW_PARTICIPANT_INFO, &n2);
  lkattrs_participant_free(h);
  CHECK(s1 == LKATTRS_OK && b1 && n1 == 0);
  CHECK(s3 == LKATTRS_OK && b2 && n2 == 0);
  lkattrs_participant *s = state_kv(KV("a", "1"));
  hb none = {0};
  lkattrs_status s4 = load(s, &none, NULL);
  size_t n3 = 1;
  (void)lkattrs_participant_bytes(s, LKATTRS_VIEW_PARTICIPANT_INFO, &n3);
  size_t count = lkattrs_participant_count(s);
  uint32_t version = lkattrs_participant_version(s);
  lkattrs_participant_free(s);
  CHECK(s4 == LKATTRS_OK && n3 == 0 && count == 0 && version == 0);
}

static void c_load_bad_info(void) {
  /* A corrupt stored ParticipantInfo: refused, the state kept and usable
   * (nothing corrupt is ever broadcast). */
  unsigned char info[] = {0x12, 0x09, 'a'};
  hb bad = {info, sizeof info, sizeof info}, good = {0};
  sample_info(&good);
  lkattrs_participant *s = state_of(&good);
  lkattrs_status st = load(s, &bad, NULL);
  lkattrs_entry e = E("k", "v");
  hb p = {0};
  signal_update(&p, &e, 1, 0);
  lkattrs_rules o = client_rules(true);
  lkattrs_update_result r;
  lkattrs_status st2 = apply(s, &p, &o, &r);
  bool ok = has(s, "color", "blue") && has(s, "k", "v") && lkattrs_participant_version(s) == 8;
  lkattrs_participant_free(s);
  hb_free(&p);
  hb_free(&good);
  CHECK(st == LKATTRS_E_WIRE_TRUNCATED);
  CHECK(st2 == LKATTRS_OK && ok);
}

static void c_load_wire_attacks(void) {
  static const struct {
    const char *hex;
    lkattrs_status want;
  } in[] = {
      {"4801", LKATTRS_E_WIRE_MALFORMED},             /* name (9) as a varint */
      {"2d00000000", LKATTRS_E_WIRE_MALFORMED},       /* metadata (5) as fixed32 */
      {"520100", LKATTRS_E_WIRE_MALFORMED},           /* version (10) length-delimited */
      {"7805", LKATTRS_E_WIRE_MALFORMED},             /* attributes (15) as a varint */
      {"7a0408016b00", LKATTRS_E_WIRE_MALFORMED},     /* entry key as a varint */
      {"7a040a0a6b76120a61616161616161616161", LKATTRS_E_WIRE_MALFORMED}, /* past the entry */
      {"7b", LKATTRS_E_WIRE_MALFORMED},               /* group start */
      {"7c", LKATTRS_E_WIRE_MALFORMED},               /* group end */
      {"7e", LKATTRS_E_WIRE_MALFORMED},               /* wire type 6 */
      {"0001", LKATTRS_E_WIRE_MALFORMED},             /* field 0 */
      {"800000", LKATTRS_E_WIRE_MALFORMED},           /* field 0, over-long tag */
      {"50ffffffffffffffffffff01", LKATTRS_E_WIRE_MALFORMED}, /* 11-byte varint */
      {"7a8080808010616263", LKATTRS_E_WIRE_TRUNCATED},        /* length 2^32 */
      {"12ffffffffffffffffff01616263", LKATTRS_E_WIRE_TRUNCATED}, /* length 2^64-1 */
  };
  hb good = {0};
  sample_info(&good);
  lkattrs_participant *s = state_of(&good);
  hb full = snapshot(s);
  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
    hb p = {0};
    hb_hex(&p, in[i].hex);
    lkattrs_status st = load(s, &p, NULL);
    hb_free(&p);
    if (st != in[i].want) fprintf(stderr, "load %s: %d\n", in[i].hex, (int)st);
    CHECK(st == in[i].want || (in[i].want == LKATTRS_E_WIRE_TRUNCATED &&
                               st == LKATTRS_E_WIRE_MALFORMED));
    CHECK(same_bytes(s, &full));
  }
  lkattrs_participant_free(s);
  hb_free(&full);
  hb_free(&good);
}

static void c_load_bad_text(void) {
  /* The second entry is bad: refused with its index, the state kept. */
  static const struct {
    const char *k, *v;
    size_t kl, vl;
    lkattrs_status want;
  } in[] = {
      {"ab\xc0\xaf", "v", 4, 1, LKATTRS_E_UTF8},
      {"k", "x\xed\xa0\x80", 1, 4, LKATTRS_E_UTF8},
      {"a\0b", "v", 3, 1, LKATTRS_E_NUL},
      {"k", "v\0", 1, 2, LKATTRS_E_NUL},
      {"k\x1b[31m", "v", 6, 1, LKATTRS_E_CONTROL_CHAR},
      {"k\xc2\x85", "v", 3, 1, LKATTRS_E_CONTROL_CHAR},
      {"", "v", 0, 1, LKATTRS_E_KEY_EMPTY},
      {"k", "v\x1b[31m", 1, 6, LKATTRS_OK}, /* a control character in a value: stored */
  };
  lkattrs_participant *s = state_kv(KV("keep", "1"));
  hb full = snapshot(s);
  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
    hb p = {0};
    hb_entry(&p, 15, "a", "1");
    hb_entry_n(&p, 15, in[i].k, in[i].kl, in[i].v, in[i].vl);
    lkattrs_error_detail d;
    lkattrs_status st = load(s, &p, &d);
    hb_free(&p);
    CHECK(st == in[i].want);
    if (st != LKATTRS_OK) CHECK(d.index == 1 && same_bytes(s, &full));
  }
  /* An entry without a key. */
  hb p = {0};
  hb_hex(&p, "7a03120176");
  lkattrs_status st = load(s, &p, NULL);
  hb_free(&p);
  lkattrs_participant_free(s);
  hb_free(&full);
  CHECK(st == LKATTRS_E_KEY_EMPTY);
}

static void c_load_duplicates(void) {
  /* Keys, name, version and metadata given twice, "" values: the last
   * occurrence wins, an empty value is no entry, each field written once. */
  hb p = {0}, want = {0};
  hb_entry(&p, 15, "k", "one");
  hb_bytes(&p, 9, "First", 5);
  hb_tag(&p, 10, 0), hb_varint(&p, 3);
  hb_entry(&p, 15, "j", "x");
  hb_bytes(&p, 5, "md", 2);
  hb_entry(&p, 15, "gone", "1");
  hb_bytes(&p, 2, "alice", 5);
  hb_entry(&p, 15, "k", "two");
  hb_bytes(&p, 9, "Second", 6);
  hb_entry(&p, 15, "gone", "");
  hb_tag(&p, 10, 0), hb_varint(&p, 4);
  hb_bytes(&p, 5, "", 0);
  hb_bytes(&want, 2, "alice", 5);
  hb_bytes(&want, 9, "Second", 6);
  hb_tag(&want, 10, 0), hb_varint(&want, 4);
  hb_entry(&want, 15, "j", "x");
  hb_entry(&want, 15, "k", "two");
  lkattrs_participant *s = state_of(NULL);
  lkattrs_status st = load(s, &p, NULL);
  bool canonical = same_bytes(s, &want);
  size_t count = lkattrs_participant_count(s);
  uint32_t version = lkattrs_participant_version(s);
  lkattrs_participant_free(s);
  hb_free(&p);
  hb_free(&want);
  CHECK(st == LKATTRS_OK && count == 2 && version == 4 && canonical);
}

static void c_load_entry_fields(void) {
  /* Inside an entry: fields in any order, unknown fields skipped, the last
   * key wins, a missing value is "" (no entry); written back minimal. */
  hb p = {0}, e1 = {0}, e2 = {0}, want = {0};
  hb_bytes(&e1, 2, "v", 1);
  hb_bytes(&e1, 1, "k", 1);
  hb_tag(&e1, 3, 0), hb_varint(&e1, 7);
  hb_bytes(&e1, 1, "k2", 2);
  hb_tag(&e1, 4, 1), hb_raw(&e1, "12345678", 8);
  hb_bytes(&e2, 1, "solo", 4);
  hb_sub(&p, 15, &e1);
  hb_sub(&p, 15, &e2);
  hb_entry(&want, 15, "k2", "v");
  lkattrs_participant *s = state_of(NULL);
  lkattrs_status st = load(s, &p, NULL);
  bool canonical = same_bytes(s, &want);
  lkattrs_participant_free(s);
  hb_free(&p);
  hb_free(&e1);
  hb_free(&e2);
  hb_free(&want);
  CHECK(st == LKATTRS_OK && canonical);
}

static void c_load_other_fields_kept(void) {
  /* Fields in any order, unknown ones, a 100-deep unknown message: each
   * kept byte for byte, grouped around metadata, name, version and the
   * attributes in field-number order (given order within a group). */
  hb deep = {0};
  hb_tag(&deep, 1, 0);
  hb_varint(&deep, 1);
  for (int i = 0; i < 100; i++) {
    hb out = {0};
    hb_sub(&out, 99, &deep);
    hb_free(&deep);
    deep = out;
  }
  hb f3 = {0}, f2 = {0}, f6 = {0}, f9 = {0}, f10 = {0}, f12 = {0}, fa = {0}, fb = {0}, f16 = {0};
  hb_tag(&f3, 3, 1), hb_raw(&f3, "\1\2\3\4\5\6\7\x08", 8);
  hb_bytes(&f2, 2, "alice", 5);
  hb_tag(&f6, 6, 5), hb_raw(&f6, "\1\2\3\4", 4);
  hb_bytes(&f9, 9, "N", 1);
  hb_tag(&f10, 10, 0), hb_varint(&f10, 5);
  hb_bytes(&f12, 12, "x", 1);
  hb_entry(&fa, 15, "a", "1");
  hb_entry(&fb, 15, "b", "2");
  hb_tag(&f16, 16, 0), hb_varint(&f16, 1);
  const hb *given[] = {&fb, &deep, &f10, &f3, &fa, &f6, &f9, &f16, &f2, &f12};
  const hb *canon[] = {&f3, &f2, &f6, &f9, &f10, &f12, &fa, &fb, &deep, &f16};
  hb p = {0}, want = {0};
  for (size_t i = 0; i < 10; i++) {
    hb_raw(&p, given[i]->b, given[i]->n);
    hb_raw(&want, canon[i]->b, canon[i]->n);
  }
  lkattrs_participant *s = state_of(NULL);
  lkattrs_status st = load(s, &p, NULL);
  bool canonical = same_bytes(s, &want);
  lkattrs_participant_free(s);
  hb *all[] = {&deep, &f3, &f2, &f6, &f9, &f10, &f12, &fa, &fb, &f16, &p, &want};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) hb_free(all[i]);
  CHECK(st == LKATTRS_OK && canonical);
}

static void c_load_fixed_capacity(void) {
  /* A fixed state: what does not fit is NOSPACE, the state kept. */
  lkattrs_participant_caps caps = {64, 2, 3};
  static unsigned char store[LKATTRS_PARTICIPANT_FIXED_BYTES(64, 2, 3)];
  lkattrs_participant *s = NULL;
  CHECK(lkattrs_participant_init_fixed(store, sizeof store - 1, &caps, &s) == LKATTRS_E_NOSPACE);
  CHECK(lkattrs_participant_init_fixed(store, sizeof store, NULL, &s) ==
        LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_participant_caps huge = {(size_t)0xFFFFFFF1u, 2, 3};
  CHECK(lkattrs_participant_init_fixed(store, sizeof store, &huge, &s) ==
        LKATTRS_E_INVALID_ARGUMENT);
  CHECK(lkattrs_participant_init_fixed(store, sizeof store, &caps, &s) == LKATTRS_OK);
  hb ok = {0};
  hb_entry(&ok, 15, "a", "1");
  hb_entry(&ok, 15, "b", "0");
  hb_entry(&ok, 15, "b", "2"); /* 3 raw entries, 2 keys: fits */
  CHECK(load(s, &ok, NULL) == LKATTRS_OK && lkattrs_participant_count(s) == 2);
  hb_free(&ok);
  hb full = snapshot(s);
  char md[100];
  memset(md, 'm', sizeof md);
  hb big = {0}, three = {0}, four = {0};
  hb_bytes(&big, 5, md, sizeof md); /* more than 64 bytes */
  hb_entry(&three, 15, "a", "1");
  hb_entry(&three, 15, "b", "2");
  hb_entry(&three, 15, "c", "3"); /* 3 keys, capacity 2 */
  for (int i = 0; i < 4; i++) hb_entry(&four, 15, "k", "v"); /* 4 raw entries, capacity 3 */
  lkattrs_status s1 = load(s, &big, NULL), s2 = load(s, &three, NULL), s3 = load(s, &four, NULL);
  bool kept = same_bytes(s, &full);
  hb_free(&big);
  hb_free(&three);
  hb_free(&four);
  hb_free(&full);
  CHECK(s1 == LKATTRS_E_NOSPACE && s2 == LKATTRS_E_NOSPACE && s3 == LKATTRS_E_NOSPACE);
  CHECK(kept);
}

/* ---------------------------------------------------------------------------
 * Responses that do not fit (lkattrs_response_buf). */

static void c_response_below_min(void) {
  /* A response buffer below LKATTRS_RESPONSE_MIN_BYTES: INVALID_ARGUMENT
   * before anything else (even for a refusal), nothing written, nothing
   * applied.  No buffer at all: applied, no response. */
  static unsigned char buf[LKATTRS_RESPONSE_MIN_BYTES];
  lkattrs_entry e = E("b", "2");
  hb p = {0};
  signal_update(&p, &e, 1, 1);
  lkattrs_participant *s = state_kv(KV("a", "1"));
  lkattrs_update_result r;
  lkattrs_rules grant = client_rules(true), none = client_rules(false);
  memset(buf, 0xAA, sizeof buf);
  lkattrs_response_buf small = {buf, sizeof buf - 1, true, true};
  lkattrs_status st1 = apply_kind(s, &p, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant, &small, &r, NULL);
  bool w1 = r.resp_len == 0 && !r.changed;
  lkattrs_status st2 = apply_kind(s, &p, LKATTRS_UPDATE_SIGNAL_REQUEST, &none, &small, &r, NULL);
  bool w2 = r.resp_len == 0 && !r.refused;
  bool untouched = true;
  for (size_t i = 0; i < sizeof buf; i++) untouched &= buf[i] == 0xAA;
  bool kept = has(s, "b", NULL);
  lkattrs_response_buf nothing = {NULL, 0, true, true};
  lkattrs_status st3 = apply_kind(s, &p, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant, &nothing, &r, NULL);
  bool w3 = r.resp_len == 0 && r.changed && has(s, "b", "2");
  lkattrs_response_buf exact_min = {buf, sizeof buf, true, true};
  lkattrs_status st4 = apply_kind(s, &p, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant, &exact_min, &r, NULL);
  bool w4 = r.resp_len > 0 && !r.echo_dropped;
  lkattrs_participant_free(s);
  hb_free(&p);
  CHECK(st1 == LKATTRS_E_INVALID_ARGUMENT && w1);
  CHECK(st2 == LKATTRS_E_INVALID_ARGUMENT && w2);
  CHECK(untouched && kept);
  CHECK(st3 == LKATTRS_OK && w3);
  CHECK(st4 == LKATTRS_OK && w4);
}

static void c_response_echo_dropped(void) {
  /* A large update and a response buffer of LKATTRS_RESPONSE_MIN_BYTES: the
   * refusal is still answered, with its reason and LiveKit's message,
   * without the echo; so is an accepted update. */
  static unsigned char buf[LKATTRS_RESPONSE_MIN_BYTES];
  static char v[70000];
  memset(v, 'v', sizeof v);
  lkattrs_entry small = ent("k", 1, v, 1000), large = ent("k", 1, v, sizeof v);
  hb ps = {0}, pl = {0};
  signal_update(&ps, &small, 1, 77);
  signal_update(&pl, &large, 1, 78);
  lkattrs_participant *s = state_kv(KV("a", "1"));
  lkattrs_rules none = client_rules(false), grant = client_rules(true);
  for (int env = 0; env < 2; env++) {
    lkattrs_response_buf rb = {buf, sizeof buf, true, env == 1};
    lkattrs_update_result r;
    lkattrs_status st = apply_kind(s, &ps, LKATTRS_UPDATE_SIGNAL_REQUEST, &none, &rb, &r, NULL);
    response_t rr = read_response(buf, r.resp_len, env == 1);
    CHECK(st == LKATTRS_E_NOT_ALLOWED && r.refused && r.echo_dropped && r.resp_len > 0);
    CHECK(rr.ok && rr.request_id == 77 && rr.reason == LKATTRS_REASON_NOT_ALLOWED && !rr.echo &&
          strcmp(rr.message, "does not have permission to update own metadata") == 0);
    st = apply_kind(s, &pl, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant, &rb, &r, NULL);
    rr = read_response(buf, r.resp_len, env == 1);
    CHECK(st == LKATTRS_E_TOO_LARGE && r.refused && r.echo_dropped);
    CHECK(rr.ok && rr.request_id == 78 && rr.reason == LKATTRS_REASON_LIMIT_EXCEEDED && !rr.echo &&
          strcmp(rr.message, "exceeds attributes size limit") == 0);
    CHECK(lkattrs_participant_count(s) == 1);
  }
  lkattrs_response_buf rb = {buf, sizeof buf, true, true};
  lkattrs_update_result r;
  lkattrs_status st = apply_kind(s, &ps, LKATTRS_UPDATE_SIGNAL_REQUEST, &grant, &rb, &r, NULL);
  response_t rr = read_response(buf, r.resp_len, true);
  bool applied = lkattrs_participant_count(s) == 2;
  lkattrs_participant_free(s);
  hb_free(&ps);
  hb_free(&pl);
  CHECK(st == LKATTRS_OK && r.changed && r.echo_dropped && applied);
  CHECK(rr.ok && rr.request_id == 77 && rr.reason == LKATTRS_REASON_OK && !rr.echo);
}

static void c_response_echo_exact(void) {
  /* The buffer one byte short of the response with its echo, then exactly
   * its size: echo dropped, then kept, filling the buffer exactly. */
  static char v[300];
  memset(v, 'v', sizeof v);
  lkattrs_entry e = ent("k", 1, v, sizeof v);
  hb p = {0};
  signal_update(&p, &e, 1, 9);
  lkattrs_rules rules[2] = {client_rules(false), client_rules(true)};
  for (int g = 0; g < 2; g++) {
    lkattrs_participant *s = state_of(NULL);
    lkattrs_update_result r;
    lkattrs_status st = apply(s, &p, &rules[g], &r);
    size_t full = r.resp_len;
    lkattrs_participant_free(s);
    CHECK(st == (g ? LKATTRS_OK : LKATTRS_E_NOT_ALLOWED) && full > LKATTRS_RESPONSE_MIN_BYTES);
    CHECK(full <= lkattrs_response_max_bytes(p.n));
    unsigned char *buf = malloc(full);
    if (!buf) abort();
    for (size_t cap = full - 1; cap <= full; cap++) {
      s = state_of(NULL);
      lkattrs_response_buf rb = {buf, cap, true, true};
      st = apply_kind(s, &p, LKATTRS_UPDATE_SIGNAL_REQUEST, &rules[g], &rb, &r, NULL);
      response_t rr = read_response(buf, r.resp_len, true);
      lkattrs_participant_free(s);
      if (st != (g ? LKATTRS_OK : LKATTRS_E_NOT_ALLOWED) || !rr.ok || rr.request_id != 9) {
        free(buf);
        CHECK(false);
      }
      if (cap < full && !(r.echo_dropped && !rr.echo && r.resp_len < cap)) {
        free(buf);
        CHECK(false);
      }
      if (cap == full && !(!r.echo_dropped && rr.echo && r.resp_len == full)) {
        free(buf);
        CHECK(false);
      }
    }
    free(buf);
  }
  hb_free(&p);
}

static void c_response_max_bytes_bound(void) {
  /* LKATTRS_RESPONSE_MAX_BYTES(len) holds every response whole: refusals
   * with the longest messages, the largest request_id, name and metadata,
   * an update sent in two parts, each kind of message. */
  static char md[1000];
  memset(md, 'm', sizeof md);
  static char longkey[300];
  memset(longkey, 'k', sizeof longkey);
  const lkattrs_entry cases_e[] = {
      E("ok", "1"),
      E("k\x1b", "1"),                       /* CONTROL_CHAR */
      E(LKATTRS_NAME_SIP_PHONE_NUMBER, "+1"), /* RESERVED_NAME */
      ent(longkey, sizeof longkey, "v", 1),  /* KEY_TOO_LONG */
      ent("k", 1, "\xc0\xaf", 2),            /* UTF8 */
      ent("", 0, "v", 1),                    /* KEY_EMPTY */
  };
  for (size_t i = 0; i < sizeof cases_e / sizeof cases_e[0]; i++) {
    const lkattrs_entry *e = &cases_e[i];
    for (unsigned kind = 0; kind < 3; kind++) {
      for (int grant = 0; grant < 2; grant++) {
        /* UpdateParticipantMetadata {1 md, 2 name, 3 attrs, 4 request_id}
         * or UpdateParticipantRequest {3 md, 5 name, 6 attrs}. */
        bool req = kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST;
        hb u1 = {0}, u2 = {0}, p = {0};
        hb_bytes(&u1, req ? 3 : 1, md, sizeof md);
        hb_bytes(&u1, req ? 5 : 2, "Alice", 5);
        hb_entry_n(&u1, req ? 6 : 3, e->key, e->key_len, e->value, e->value_len);
        for (int k = 0; k < 2; k++)
          hb_entry_n(&u2, req ? 6 : 3, e->key, e->key_len, e->value, e->value_len);
        if (!req) {
          hb_tag(&u2, 4, 0);
          hb_varint(&u2, UINT32_MAX);
        }
        if (kind == LKATTRS_UPDATE_SIGNAL_REQUEST) { /* update_metadata in two parts */
          hb_sub(&p, 15, &u1);
          hb_sub(&p, 15, &u2);
        } else {
          hb_raw(&p, u1.b, u1.n);
          hb_raw(&p, u2.b, u2.n);
        }
        size_t cap = lkattrs_response_max_bytes(p.n);
        bool same_macro = cap == LKATTRS_RESPONSE_MAX_BYTES(p.n);
        unsigned char *buf = malloc(cap);
        if (!buf) abort();
        lkattrs_participant *s = state_of(NULL);
        lkattrs_rules rules = client_rules(grant == 1);
        if (req) rules.origin = LKATTRS_ORIGIN_SERVER;
        lkattrs_response_buf rb = {buf, cap, true, true};
        lkattrs_update_result r;
        lkattrs_status st = apply_kind(s, &p, (lkattrs_update_kind)kind, &rules, &rb, &r, NULL);
        response_t rr = read_response(buf, r.resp_len, true);
        lkattrs_participant_free(s);
        free(buf);
        hb_free(&u1);
        hb_free(&u2);
        hb_free(&p);
        if (!same_macro || (unsigned)st >= 997u || r.echo_dropped || r.resp_len == 0 ||
            r.resp_len > cap || !rr.ok || !rr.echo || (!req && rr.request_id != UINT32_MAX)) {
          fprintf(stderr, "entry %zu kind %u grant %d: %d dropped %d len %zu cap %zu\n", i,
                  kind, grant, (int)st, r.echo_dropped, r.resp_len, cap);
          CHECK(false);
        }
      }
    }
  }
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
  CHECK(strstr(e.message, "nested") != NULL);
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
     "a wire error or NOT_FOUND with the state unchanged and no response, or a shorter valid update applied whole",
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
     "read_map OK in bounded time; as a client update: TOO_LARGE, nothing changed; loaded into a state: all, in key order",
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
     "NOT_ALLOWED, request_id and LiveKit's message in the response, map and state unchanged", "LiveKit checks permission first",
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
    {"update-info-capacity-exact", "a fixed state with room for the new info minus 1, then exactly",
     "NOSPACE refused (LIMIT_EXCEEDED, answered, unchanged), then OK filling it exactly",
     "off-by-one in the writer or the sizing", c_update_info_capacity_exact},
    {"update-version-wraps", "stored version 2^32-1", "version 0, omitted; then 1",
     "uint32 wrap as proto3", c_update_version_wraps},
    {"update-split-submessage", "update_metadata sent twice, one attribute each", "both applied",
     "protobuf merges a repeated sub-message", c_update_split_submessage},
    {"update-wrong-arm", "a SignalRequest offer", "NOT_FOUND, nothing written, no response",
     "not every signal request is an update", c_update_wrong_arm},
    {"update-metadata-limit", "600 bytes of metadata and a 13-byte name under limits 599/600, 12/13",
     "TOO_LARGE with LiveKit's messages, then OK", "LiveKit's max_metadata_size, inclusive",
     c_update_name_metadata_limits},
    {"update-fixed-state-full", "a full fixed state: one more key, 3 raw entries for 2, an info too big",
     "NOSPACE refused and answered each time, unchanged; one out one in: OK",
     "firmware states never allocate and never half-apply", c_update_fixed_state_full},
    /* Stored ParticipantInfo (load). */
    {"load-truncate-every-byte", "a stored ParticipantInfo cut after each byte",
     "OK at field boundaries, else WIRE_TRUNCATED at or before the cut, state unchanged",
     "a half-read store must not replace a good state", c_load_truncate_every_byte},
    {"load-empty", "an empty ParticipantInfo (NULL, 0 bytes) into new heap and fixed states, a full one",
     "OK: an empty message, version 0", "the smallest input is valid protobuf", c_load_empty},
    {"load-bad-info", "a truncated stored ParticipantInfo", "WIRE_TRUNCATED, state kept and usable",
     "corrupt state must not be re-broadcast", c_load_bad_info},
    {"load-wire-attacks", "name, metadata, version, attributes with wrong wire types; groups; field 0; 11-byte varint; lengths 2^32, 2^64-1",
     "WIRE_MALFORMED / WIRE_TRUNCATED, state unchanged", "the stored bytes are input too",
     c_load_wire_attacks},
    {"load-bad-text", "bad UTF-8, U+0000, C0/C1 controls, empty key in a stored entry",
     "UTF8 / NUL / CONTROL_CHAR / KEY_EMPTY with the entry's index; a control in a value: OK",
     "the key and value rules hold whatever the source", c_load_bad_text},
    {"load-duplicates", "keys, name, version, metadata given twice; \"\" values",
     "last wins, \"\" is no entry, each field written once, canonical bytes",
     "protobuf semantics; equal states encode equally", c_load_duplicates},
    {"load-entry-fields", "entries with fields reordered, unknown, repeated, missing",
     "last key wins, unknown skipped, missing value: no entry; written minimal",
     "protobuf map entry semantics", c_load_entry_fields},
    {"load-other-fields-kept", "unknown and other fields in any order, a 100-deep unknown message",
     "kept byte for byte, grouped in field-number order, no recursion",
     "the library only owns fields 5, 9, 10, 15", c_load_other_fields_kept},
    {"load-fixed-capacity", "a fixed state: a too-big info, 3 keys for 2, 4 raw entries for 3; bad caps",
     "NOSPACE (INVALID_ARGUMENT for bad caps), state unchanged", "caller storage is never overrun",
     c_load_fixed_capacity},
    /* Responses. */
    {"response-below-min", "a response buffer of LKATTRS_RESPONSE_MIN_BYTES - 1; none; exactly MIN",
     "INVALID_ARGUMENT, nothing written or applied; OK without; OK", "a response must always fit",
     c_response_below_min},
    {"response-echo-dropped", "a 1000-byte and a 70000-byte update, a MIN-byte response buffer",
     "refusals answered with reason and LiveKit's message, without the echo; OK the same",
     "a refusal is never silenced", c_response_echo_dropped},
    {"response-echo-exact", "a response buffer of the full response minus 1, then exactly",
     "echo dropped, then kept filling it exactly", "off-by-one in the response sizing",
     c_response_echo_exact},
    {"response-max-bytes", "every refusal kind, each message kind, largest request_id, split update",
     "LKATTRS_RESPONSE_MAX_BYTES(len) always holds the response with its echo",
     "the documented bound is a bound", c_response_max_bytes_bound},
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
