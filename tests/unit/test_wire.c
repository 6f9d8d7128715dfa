/* test_wire.c - the wire writer and the zero-copy reader: exact bytes,
 * deterministic order, every edge case of docs/interop.md, malformed input
 * with offsets, every truncation, nested paths, atomic read into a map,
 * allocation failures, property tests. */
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
#include "lkattrs/wire_unstable.h"
#include "test_util.h"

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define HEX(s) hexbuf(s)

static const uint32_t P15[] = {15};
static const uint32_t P3[] = {3};
static const uint32_t P15_3[] = {15, 3};

/* Decode a hex string into a static buffer (sets hexlen). */
static unsigned char hexb[4096];
static size_t hexlen;
static const unsigned char *hexbuf(const char *s) {
  hexlen = 0;
  for (; s[0] && s[1]; s += 2) {
    unsigned v;
    if (sscanf(s, "%2x", &v) != 1) abort();
    hexb[hexlen++] = (unsigned char)v;
  }
  return hexb;
}

/* Collect the raw entries of a message as "k=v;" text. */
static lkattrs_status raw_text(const void *msg, size_t len, const uint32_t *path,
                               size_t depth, unsigned flags, char *out,
                               lkattrs_error_detail *d) {
  lkattrs_wire_reader r;
  lkattrs_entry e;
  lkattrs_status st;
  out[0] = 0;
  assert_int_equal(lkattrs_wire_reader_init(&r, msg, len, path, depth, flags), LKATTRS_OK);
  while ((st = lkattrs_wire_next(&r, &e, d)) == LKATTRS_OK) {
    size_t n = strlen(out);
    snprintf(out + n, 512 - n, "%.*s=%.*s;", (int)e.key_len, e.key, (int)e.value_len, e.value);
  }
  /* Sticky. */
  assert_int_equal(lkattrs_wire_next(&r, &e, NULL), st);
  return st;
}

static void test_writer_bytes(void **state) {
  (void)state;
  lkattrs_map *m = new_map(KV("b", "2", "a", "1"));
  unsigned char buf[64];
  size_t n, size;
  assert_int_equal(lkattrs_wire_map_size(m, 15, &size), LKATTRS_OK);
  assert_int_equal(lkattrs_wire_write_map(m, 15, buf, sizeof buf, &n), LKATTRS_OK);
  assert_int_equal(n, size);
  HEX("7a060a01611201317a060a0162120132");
  assert_int_equal(n, hexlen);
  assert_memory_equal(buf, hexb, n);
  /* Exact capacity, one short. */
  assert_int_equal(lkattrs_wire_write_map(m, 15, buf, n, &n), LKATTRS_OK);
  assert_int_equal(lkattrs_wire_write_map(m, 15, buf, n - 1, &n), LKATTRS_E_BUFFER_TOO_SMALL);
  assert_int_equal(n, size);
  /* Field numbers: multi-byte tags, limits. */
  assert_int_equal(lkattrs_wire_write_map(m, LKATTRS_WIRE_MAX_FIELD, buf, sizeof buf, &n), LKATTRS_OK);
  assert_int_equal(n, 2 * (5 + 1 + 6));
  assert_int_equal(lkattrs_wire_write_map(m, 0, buf, sizeof buf, &n), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_wire_write_map(m, LKATTRS_WIRE_MAX_FIELD + 1, buf, sizeof buf, &n),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_wire_write_map(NULL, 15, buf, sizeof buf, &n), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_wire_write_map(m, 15, buf, sizeof buf, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_wire_map_size(m, 15, NULL), LKATTRS_E_INVALID_ARGUMENT);
  /* Empty map: no bytes. */
  lkattrs_map_clear(m);
  assert_int_equal(lkattrs_wire_write_map(m, 15, NULL, 0, &n), LKATTRS_OK);
  assert_int_equal(n, 0);
  /* Entry arrays: order kept, empty values written. */
  lkattrs_entry up[] = {E("z", ""), E("a", "x")};
  assert_int_equal(lkattrs_wire_entries_size(up, 2, 3, &size), LKATTRS_OK);
  assert_int_equal(lkattrs_wire_write_entries(up, 2, 3, buf, sizeof buf, &n), LKATTRS_OK);
  assert_int_equal(n, size);
  HEX("1a050a017a12001a060a0161120178");
  assert_int_equal(n, hexlen);
  assert_memory_equal(buf, hexb, n);
  assert_int_equal(lkattrs_wire_write_entries(NULL, 1, 3, buf, sizeof buf, &n), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_wire_write_entries(NULL, 0, 3, buf, sizeof buf, &n), LKATTRS_OK);
  /* Headers. */
  assert_int_equal(lkattrs_wire_header_size(22, 300), 4);
  assert_int_equal(lkattrs_wire_put_header(buf, 22, 300), 4);
  HEX("b201ac02");
  assert_memory_equal(buf, hexb, 4);
  lkattrs_map_free(m);
}

static void test_writer_alloc(void **state) {
  (void)state;
  lkattrs_map *m = new_map(KV("k", "v", "color", "blue"));
  counting_alloc ca = {0};
  lkattrs_allocator a = counting_allocator(&ca);
  unsigned char *out;
  size_t len, n;
  unsigned char buf[64];
  assert_int_equal(lkattrs_wire_encode_map(m, 15, &a, &out, &len), LKATTRS_OK);
  assert_int_equal(lkattrs_wire_write_map(m, 15, buf, sizeof buf, &n), LKATTRS_OK);
  assert_int_equal(len, n);
  assert_memory_equal(out, buf, n);
  a.free(a.ctx, out, len);
  assert_int_equal(ca.live_blocks, 0);
  ca.fail_at = ca.calls + 1;
  assert_int_equal(lkattrs_wire_encode_map(m, 15, &a, &out, &len), LKATTRS_E_NOMEM);
  assert_null(out);
  assert_int_equal(ca.live_blocks, 0);
  assert_int_equal(lkattrs_wire_encode_map(m, 15, NULL, &out, &len), LKATTRS_OK);
  free(out);
  lkattrs_map_clear(m);
  assert_int_equal(lkattrs_wire_encode_map(m, 15, NULL, &out, &len), LKATTRS_OK);
  assert_null(out);
  assert_int_equal(len, 0);
  lkattrs_map_free(m);
}

/* Equal maps built in different orders (and histories) encode equal. */
static void test_writer_deterministic(void **state) {
  (void)state;
  uint64_t seed = 0x5eed0001;
  static unsigned char b1[1 << 16], b2[1 << 16];
  for (int round = 0; round < 200; round++) {
    lkattrs_map *a = new_map(NULL), *b = new_map(NULL);
    char k[32][64], v[32][64];
    size_t kl[32], vl[32], n = rnd(&seed, 32);
    for (size_t i = 0; i < n; i++) {
      kl[i] = 0;
      while (!kl[i]) kl[i] = rnd_text(&seed, k[i], 6);
      vl[i] = rnd_text(&seed, v[i], 6);
      if (!vl[i]) v[i][vl[i]++] = 'x';
    }
    for (size_t i = 0; i < n; i++)
      assert_int_equal(lkattrs_map_set(a, k[i], kl[i], v[i], vl[i]), LKATTRS_OK);
    for (size_t i = n; i-- > 0;) { /* reverse, with junk set then deleted */
      assert_int_equal(lkattrs_map_set(b, "junk", 4, "j", 1), LKATTRS_OK);
      assert_int_equal(lkattrs_map_set(b, k[i], kl[i], "tmp", 3), LKATTRS_OK);
      assert_int_equal(lkattrs_map_delete(b, "junk", 4, NULL), LKATTRS_OK);
    }
    for (size_t i = 0; i < n; i++) /* the final values, first to last */
      assert_int_equal(lkattrs_map_set(b, k[i], kl[i], v[i], vl[i]), LKATTRS_OK);
    if (lkattrs_map_get(a, "junk", 4, NULL, NULL) == LKATTRS_OK) {
      lkattrs_map_free(a);
      lkattrs_map_free(b);
      continue;
    }
    assert_true(lkattrs_map_equal(a, b));
    size_t n1, n2;
    assert_int_equal(lkattrs_wire_write_map(a, 15, b1, sizeof b1, &n1), LKATTRS_OK);
    assert_int_equal(lkattrs_wire_write_map(b, 15, b2, sizeof b2, &n2), LKATTRS_OK);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    /* And it reads back equal, through heap and fixed maps. */
    lkattrs_map *c = new_map(NULL);
    assert_int_equal(lkattrs_wire_read_map(b1, n1, P15, 1, c, NULL), LKATTRS_OK);
    assert_true(lkattrs_map_equal(a, c));
    static unsigned char st[LKATTRS_MAP_FIXED_BYTES(32, 32 * 50)];
    lkattrs_map *f;
    assert_int_equal(lkattrs_map_init_fixed(st, sizeof st, 32, 0, &f), LKATTRS_OK);
    assert_int_equal(lkattrs_wire_read_map(b1, n1, P15, 1, f, NULL), LKATTRS_OK);
    assert_true(lkattrs_map_equal(a, f));
    lkattrs_map_free(a);
    lkattrs_map_free(b);
    lkattrs_map_free(c);
  }
}

/* The wire edge cases of docs/interop.md (tests/interop/vectors/edge-cases.txt). */
static void test_reader_edge_cases(void **state) {
  (void)state;
  char t[512];
  lkattrs_error_detail d;
  lkattrs_map *m = new_map(NULL);
  lkattrs_map *u;
  assert_int_equal(lkattrs_map_new(NULL, LKATTRS_MAP_UPDATE, &u), LKATTRS_OK);
  /* Duplicate key: both raw entries, the last wins in a map. */
  HEX("1a080a016b12036f6e651a080a016b120374776f");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_string_equal(t, "k=one;k=two;");
  assert_int_equal(lkattrs_wire_read_map(hexb, hexlen, P3, 1, m, &d), LKATTRS_OK);
  assert_map(m, KV("k", "two"));
  /* Value before key. */
  HEX("1a061201760a016b");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_string_equal(t, "k=v;");
  /* Missing key: "" (a map refuses an empty key). */
  HEX("1a03120176");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_string_equal(t, "=v;");
  assert_int_equal(lkattrs_wire_read_map(hexb, hexlen, P3, 1, m, &d), LKATTRS_E_KEY_EMPTY);
  assert_int_equal(d.index, 0);
  assert_map(m, KV("k", "two"));
  /* Missing value: "" (plain map: no entry; update map: a deletion). */
  HEX("1a030a016b");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_string_equal(t, "k=;");
  assert_int_equal(lkattrs_wire_read_map(hexb, hexlen, P3, 1, m, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_map_count(m), 0);
  assert_int_equal(lkattrs_wire_read_map(hexb, hexlen, P3, 1, u, NULL), LKATTRS_OK);
  assert_map(u, KV("k", ""));
  /* Unknown field inside an entry: skipped. */
  HEX("1a080a016b1807120176");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_string_equal(t, "k=v;");
  /* Interleaved with other fields. */
  HEX("1a060a016b12017612026e6d1a060a016a120177");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_string_equal(t, "k=v;j=w;");
  assert_int_equal(lkattrs_wire_read_map(hexb, hexlen, P3, 1, m, NULL), LKATTRS_OK);
  assert_map(m, KV("j", "w", "k", "v"));
  /* Unknown fields of every wire type around the map. */
  HEX("980601a206027878" "210102030405060708" "2d01020304" "1a060a016b120176" "12016e");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_string_equal(t, "k=v;");
  /* U+0000: refused (offset of the NUL in the message), unless allowed. */
  HEX("12036100621a080a016b1203780079");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, &d), LKATTRS_E_NUL);
  assert_int_equal(d.code, LKATTRS_E_NUL);
  assert_true(d.in_value);
  assert_int_equal(d.index, 0);
  assert_int_equal(d.offset, 13);
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, LKATTRS_WIRE_ALLOW_NUL, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, LKATTRS_WIRE_RAW, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_int_equal(lkattrs_wire_read_map(hexb, hexlen, P3, 1, m, NULL), LKATTRS_E_NUL);
  /* Invalid UTF-8 in a key. */
  HEX("1a070a02c328120176");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, &d), LKATTRS_E_UTF8);
  assert_false(d.in_value);
  assert_int_equal(d.offset, 4);
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, LKATTRS_WIRE_ALLOW_NUL, t, NULL), LKATTRS_E_UTF8);
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, LKATTRS_WIRE_RAW, t, NULL), LKATTRS_E_NOT_FOUND);
  /* A control character in a key: fine on the wire, refused by a map. */
  HEX("1a070a02610912017a");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_int_equal(lkattrs_wire_read_map(hexb, hexlen, P3, 1, m, &d), LKATTRS_E_CONTROL_CHAR);
  assert_int_equal(d.offset, 5);
  /* Negative int32 (10-byte varint) elsewhere in the message. */
  HEX("a001ffffffffffffffffff01" "1a060a016b120176");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_string_equal(t, "k=v;");
  /* Key and value fields repeated inside an entry: the last wins. */
  HEX("1a0c0a01611201310a016b120176");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_string_equal(t, "k=v;");
  /* Empty message, empty entry. */
  assert_int_equal(raw_text(NULL, 0, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  HEX("1a00");
  assert_int_equal(raw_text(hexb, hexlen, P3, 1, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_string_equal(t, "=;");
  lkattrs_map_free(m);
  lkattrs_map_free(u);
}

typedef struct {
  const char *hex;
  lkattrs_status st;
  size_t offset;
  bool inside; /* inside an entry: lkattrs_wire_find() does not look there */
} bad_case;

static void test_reader_malformed(void **state) {
  (void)state;
  static const bad_case cases[] = {
      {"1a060a016b1201", LKATTRS_E_WIRE_TRUNCATED, 0, false},        /* length past the end */
      {"1a", LKATTRS_E_WIRE_TRUNCATED, 0, false},                    /* no length */
      {"12016e1a", LKATTRS_E_WIRE_TRUNCATED, 3, false},              /* after a good field */
      {"98", LKATTRS_E_WIRE_TRUNCATED, 0, false},                    /* tag cut */
      {"2101020304", LKATTRS_E_WIRE_TRUNCATED, 0, false},            /* fixed64 cut */
      {"2d0102", LKATTRS_E_WIRE_TRUNCATED, 0, false},                /* fixed32 cut */
      {"08ffffffffffffffffffff01", LKATTRS_E_WIRE_MALFORMED, 0, false}, /* 11-byte varint */
      {"08ffffffffffffffffff02", LKATTRS_E_WIRE_MALFORMED, 0, false},   /* above 2^64 */
      {"0b0c", LKATTRS_E_WIRE_MALFORMED, 0, false},                  /* group start (3) */
      {"0c", LKATTRS_E_WIRE_MALFORMED, 0, false},                    /* group end (4) */
      {"0e00", LKATTRS_E_WIRE_MALFORMED, 0, false},                  /* wire type 6 */
      {"0f00", LKATTRS_E_WIRE_MALFORMED, 0, false},                  /* wire type 7 */
      {"0200", LKATTRS_E_WIRE_MALFORMED, 0, false},                  /* field 0 */
      {"faffffff7f00", LKATTRS_E_WIRE_MALFORMED, 0, false},          /* field > 2^29-1 (tag > 32 bits) */
      {"1801", LKATTRS_E_WIRE_MALFORMED, 0, true}, /* map field as varint (find: any type) */
      {"12016e1a040a016b", LKATTRS_E_WIRE_TRUNCATED, 3, false},      /* entry cut by the end */
      {"1a040a056b6b", LKATTRS_E_WIRE_MALFORMED, 2, true},          /* key past the entry */
      {"1a020801", LKATTRS_E_WIRE_MALFORMED, 2, true},              /* key as varint */
      {"1a021001", LKATTRS_E_WIRE_MALFORMED, 2, true},              /* value as varint */
      {"1a020b0c", LKATTRS_E_WIRE_MALFORMED, 2, true},              /* group inside an entry */
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    char t[512];
    lkattrs_error_detail d;
    lkattrs_map *m = new_map(KV("keep", "me"));
    HEX(cases[i].hex);
    lkattrs_status st = raw_text(hexb, hexlen, P3, 1, 0, t, &d);
    if (st != cases[i].st || d.offset != cases[i].offset)
      fail_msg("case %zu (%s): status %d offset %zu", i, cases[i].hex, st, d.offset);
    assert_int_equal(d.code, st);
    /* Every entry point refuses it, and a map is left unchanged. */
    size_t n = 99;
    assert_int_equal(lkattrs_wire_collect(hexb, hexlen, P3, 1, 0, NULL, 0, &n, NULL), st);
    assert_int_equal(n, 0);
    assert_int_equal(lkattrs_wire_read_map(hexb, hexlen, P3, 1, m, NULL), st);
    assert_map(m, KV("keep", "me"));
    lkattrs_wire_field f;
    assert_int_equal(lkattrs_wire_find(hexb, hexlen, P3, 1, &f, NULL),
                     cases[i].inside ? LKATTRS_OK : st);
    lkattrs_map_free(m);
  }
}

/* Every truncation of a valid message is refused, except at a boundary
 * between top-level fields (what protobuf decoders accept). */
static void test_reader_truncations(void **state) {
  (void)state;
  pbuf *p = calloc(1, sizeof *p), *upd = calloc(1, sizeof *upd);
  pb_str(upd, 1, "meta");
  pb_entry(upd, 3, "a", "1");
  pb_entry(upd, 3, "b\xc3\xa9", "\xf0\x9f\x98\x80");
  pb_uint(upd, 4, 300);
  pb_sub(p, 15, upd);
  pb_uint(p, 99, 1);
  size_t bounds[] = {0, upd->n + 2, upd->n + 2 + 3, p->n};
  for (size_t cut = 0; cut <= p->n; cut++) {
    bool boundary = false;
    for (size_t i = 0; i < ARRAY_LEN(bounds); i++) boundary |= cut == bounds[i];
    size_t n;
    lkattrs_error_detail d;
    lkattrs_status st = lkattrs_wire_collect(p->b, cut, P15_3, 2, 0, NULL, 0, &n, &d);
    if (boundary) {
      assert_int_equal(st, LKATTRS_OK);
      assert_int_equal(n, cut >= upd->n + 2 ? 2 : 0);
      assert_int_equal(lkattrs_wire_check(p->b, cut, NULL), LKATTRS_OK);
    } else {
      assert_int_equal(st, LKATTRS_E_WIRE_TRUNCATED);
      assert_true(d.offset < cut);
      assert_int_equal(lkattrs_wire_check(p->b, cut, NULL), LKATTRS_E_WIRE_TRUNCATED);
    }
  }
  free(p);
  free(upd);
}

static void test_reader_nested(void **state) {
  (void)state;
  pbuf *p = calloc(1, sizeof *p), *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
  char t[512];
  /* SignalRequest.update_metadata sent in two parts (merged), with a
   * decoy field 3 at the top level and an entry-like field 15.3 elsewhere. */
  pb_entry(a, 3, "k", "1");
  pb_uint(a, 4, 7);
  pb_entry(b, 3, "j", "2");
  pb_entry(b, 3, "k", "3");
  pb_entry(p, 3, "decoy", "x");
  pb_sub(p, 15, a);
  pb_str(p, 2, "other");
  pb_sub(p, 15, b);
  assert_int_equal(raw_text(p->b, p->n, P15_3, 2, 0, t, NULL), LKATTRS_E_NOT_FOUND);
  assert_string_equal(t, "k=1;j=2;k=3;");
  lkattrs_map *m = new_map(NULL);
  assert_int_equal(lkattrs_wire_read_map(p->b, p->n, P15_3, 2, m, NULL), LKATTRS_OK);
  assert_map(m, KV("j", "2", "k", "3"));
  /* find: last occurrence; inside the path. */
  lkattrs_wire_field f;
  const uint32_t rid[] = {15, 4}, top2[] = {2}, none[] = {15, 9};
  assert_int_equal(lkattrs_wire_find(p->b, p->n, rid, 2, &f, NULL), LKATTRS_OK);
  assert_int_equal(f.value, 7);
  assert_int_equal(f.wire_type, 0);
  assert_int_equal(lkattrs_wire_find(p->b, p->n, top2, 1, &f, NULL), LKATTRS_OK);
  assert_int_equal(f.len, 5);
  assert_memory_equal(f.data, "other", 5);
  assert_int_equal(lkattrs_wire_find(p->b, p->n, none, 2, &f, NULL), LKATTRS_E_NOT_FOUND);
  /* A path field with the wrong wire type. */
  pb_uint(p, 15, 1);
  lkattrs_error_detail d;
  assert_int_equal(raw_text(p->b, p->n, P15_3, 2, 0, t, &d), LKATTRS_E_WIRE_MALFORMED);
  assert_int_equal(d.offset, p->n - 2);
  /* A sub-message whose content runs past its own end: malformed. */
  p->n = 0;
  HEX("7a031a050a0801");
  pb_raw(p, hexb, hexlen);
  assert_int_equal(raw_text(p->b, p->n, P15_3, 2, 0, t, &d), LKATTRS_E_WIRE_MALFORMED);
  assert_int_equal(d.offset, 2);
  /* Arguments. */
  lkattrs_wire_reader r;
  uint32_t deep[LKATTRS_WIRE_MAX_DEPTH + 1] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  assert_int_equal(lkattrs_wire_reader_init(&r, p->b, p->n, deep, LKATTRS_WIRE_MAX_DEPTH + 1, 0),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_wire_next(&r, NULL, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_wire_reader_init(&r, p->b, p->n, deep, LKATTRS_WIRE_MAX_DEPTH, 0), LKATTRS_OK);
  assert_int_equal(lkattrs_wire_reader_init(&r, p->b, p->n, P15, 0, 0), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_wire_reader_init(&r, NULL, 1, P15, 1, 0), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_wire_reader_init(&r, p->b, p->n, P15, 1, 0x80), LKATTRS_E_INVALID_ARGUMENT);
  const uint32_t zero[] = {0};
  assert_int_equal(lkattrs_wire_reader_init(&r, p->b, p->n, zero, 1, 0), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_wire_reader_init(NULL, p->b, p->n, P15, 1, 0), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_wire_read_map(p->b, p->n, P15, 1, NULL, NULL),
                   LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_map_free(m);
  free(p);
  free(a);
  free(b);
}

static void test_collect_and_parse_entry(void **state) {
  (void)state;
  pbuf *p = calloc(1, sizeof *p);
  pb_entry(p, 4, "a", "1");
  pb_entry(p, 4, "b", "");
  pb_entry(p, 4, "a", "2");
  lkattrs_entry e[3];
  size_t n;
  assert_int_equal(lkattrs_wire_collect(p->b, p->n, (const uint32_t[]){4}, 1, 0, e, 3, &n, NULL), LKATTRS_OK);
  assert_int_equal(n, 3);
  assert_memory_equal(e[2].value, "2", 1);
  assert_true(e[0].key >= (const char *)p->b && e[0].key < (const char *)p->b + p->n); /* zero-copy */
  assert_int_equal(lkattrs_wire_collect(p->b, p->n, (const uint32_t[]){4}, 1, 0, e, 2, &n, NULL),
                   LKATTRS_E_BUFFER_TOO_SMALL);
  assert_int_equal(n, 3);
  assert_int_equal(lkattrs_wire_collect(p->b, p->n, (const uint32_t[]){4}, 1, 0, e, 2, NULL, NULL),
                   LKATTRS_E_INVALID_ARGUMENT);
  /* The collected update merges as the map reader reads. */
  lkattrs_map *m = new_map(KV("b", "x", "c", "y")), *w = new_map(NULL);
  lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
  o.origin = LKATTRS_ORIGIN_SERVER;
  assert_int_equal(lkattrs_merge(m, e, 3, &o, NULL, NULL), LKATTRS_OK);
  assert_map(m, KV("a", "2", "c", "y"));
  /* parse_entry: one entry's bytes. */
  lkattrs_entry one;
  lkattrs_error_detail d;
  HEX("0a016b120176");
  assert_int_equal(lkattrs_wire_parse_entry(hexb, hexlen, 0, &one, NULL), LKATTRS_OK);
  assert_int_equal(one.key_len, 1);
  assert_int_equal(lkattrs_wire_parse_entry(hexb, hexlen - 1, 0, &one, &d), LKATTRS_E_WIRE_TRUNCATED);
  assert_int_equal(d.offset, 3);
  HEX("0a016b1202c328");
  assert_int_equal(lkattrs_wire_parse_entry(hexb, hexlen, 0, &one, &d), LKATTRS_E_UTF8);
  assert_true(d.in_value);
  assert_int_equal(d.offset, 5);
  assert_int_equal(lkattrs_wire_parse_entry(NULL, 0, 0, &one, NULL), LKATTRS_OK);
  assert_int_equal(one.key_len + one.value_len, 0);
  assert_int_equal(lkattrs_wire_parse_entry(hexb, hexlen, 0, NULL, NULL), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_map_free(m);
  lkattrs_map_free(w);
  free(p);
}

/* read_map is atomic under allocation failure and in fixed storage. */
static void test_read_map_atomic(void **state) {
  (void)state;
  pbuf *p = calloc(1, sizeof *p);
  for (int i = 0; i < 40; i++) {
    char k[16];
    snprintf(k, sizeof k, "key%02d", (i * 7) % 40);
    pb_entry(p, 15, k, "value-value-value");
  }
  pb_entry(p, 15, "key03", "last");
  counting_alloc ca = {0};
  lkattrs_allocator a = counting_allocator(&ca);
  size_t fails = 0;
  for (size_t at = 1;; at++) {
    lkattrs_map *m;
    ca.fail_at = 0;
    assert_int_equal(lkattrs_map_new(&a, 0, &m), LKATTRS_OK);
    fill_map(m, KV("old", "1", "zzz", "2"));
    ca.fail_at = ca.calls + at;
    lkattrs_status st = lkattrs_wire_read_map(p->b, p->n, P15, 1, m, NULL);
    if (st == LKATTRS_OK) {
      assert_int_equal(lkattrs_map_count(m), 40);
      const char *v;
      assert_int_equal(lkattrs_map_get(m, "key03", 5, &v, NULL), LKATTRS_OK);
      assert_string_equal(v, "last");
      lkattrs_map_free(m);
      break;
    }
    assert_int_equal(st, LKATTRS_E_NOMEM);
    assert_map(m, KV("old", "1", "zzz", "2"));
    fails++;
    lkattrs_map_free(m);
  }
  assert_true(fails >= 1);
  assert_int_equal(ca.live_blocks, 0);
  /* Fixed: exactly 41 raw entries fit with capacity 41 (scratch), not 40. */
  static unsigned char s1[LKATTRS_MAP_FIXED_BYTES(41, 41 * 30)];
  static unsigned char s2[LKATTRS_MAP_FIXED_BYTES(40, 41 * 30)];
  lkattrs_map *f1, *f2;
  assert_int_equal(lkattrs_map_init_fixed(s1, sizeof s1, 41, 0, &f1), LKATTRS_OK);
  assert_int_equal(lkattrs_map_init_fixed(s2, sizeof s2, 40, 0, &f2), LKATTRS_OK);
  assert_int_equal(lkattrs_wire_read_map(p->b, p->n, P15, 1, f1, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_map_count(f1), 40);
  assert_int_equal(lkattrs_map_set(f2, "a", 1, "b", 1), LKATTRS_OK);
  assert_int_equal(lkattrs_wire_read_map(p->b, p->n, P15, 1, f2, NULL), LKATTRS_E_NOSPACE);
  assert_map(f2, KV("a", "b"));
  /* Arena too small: NOSPACE, unchanged. */
  static unsigned char s3[LKATTRS_MAP_FIXED_BYTES(64, 200)];
  lkattrs_map *f3;
  assert_int_equal(lkattrs_map_init_fixed(s3, sizeof s3, 64, 0, &f3), LKATTRS_OK);
  assert_int_equal(lkattrs_map_set(f3, "a", 1, "b", 1), LKATTRS_OK);
  assert_int_equal(lkattrs_wire_read_map(p->b, p->n, P15, 1, f3, NULL), LKATTRS_E_NOSPACE);
  assert_map(f3, KV("a", "b"));
  free(p);
}

/* Property: random maps written, then read back raw and as maps; random
 * duplicate-laden entry lists read as the last-wins fold. */
static void test_reader_property(void **state) {
  (void)state;
  uint64_t seed = 0x77177;
  pbuf *p = calloc(1, sizeof *p);
  for (int round = 0; round < 300; round++) {
    lkattrs_map *want = new_map(NULL), *got = new_map(NULL);
    p->n = 0;
    size_t n = rnd(&seed, 40);
    for (size_t i = 0; i < n; i++) {
      char k[64], v[64];
      size_t kl = 0, vl;
      while (!kl) kl = rnd_text(&seed, k, 4);
      vl = rnd_text(&seed, v, 4);
      if (rnd(&seed, 4) == 0) pb_uint(p, 1 + (uint32_t)rnd(&seed, 14), rnd_next(&seed));
      pb_entry_n(p, 15, k, kl, v, vl);
      assert_int_equal(lkattrs_map_set(want, k, kl, v, vl), LKATTRS_OK); /* "" deletes */
    }
    assert_int_equal(lkattrs_wire_read_map(p->b, p->n, P15, 1, got, NULL), LKATTRS_OK);
    assert_true(lkattrs_map_equal(want, got));
    size_t cnt;
    assert_int_equal(lkattrs_wire_collect(p->b, p->n, P15, 1, 0, NULL, 0, &cnt, NULL), LKATTRS_OK);
    assert_int_equal(cnt, n);
    lkattrs_map_free(want);
    lkattrs_map_free(got);
  }
  free(p);
}

/* Regression (hostile catalogue, size-sum-overflow): entry sizes saturate
 * at SIZE_MAX instead of wrapping, so lengths whose sum wraps (as on a 32-bit
 * machine) are refused as too large, never written into a small buffer.
 * The lengths are never dereferenced: sizes come first. */
static void test_writer_size_saturates(void **state) {
  (void)state;
  lkattrs_entry e[2] = {{"k", SIZE_MAX / 2, "v", SIZE_MAX / 2}, {"k", 1, "v", 1}};
  size_t sz = 0, w = 0;
  unsigned char buf[64];
  assert_int_equal(lkattrs_wire_entries_size(e, 2, 15, &sz), LKATTRS_OK);
  assert_true(sz == SIZE_MAX);
  assert_int_equal(lkattrs_wire_write_entries(e, 2, 15, buf, sizeof buf, &w),
                   LKATTRS_E_BUFFER_TOO_SMALL);
  lkattrs_entry one = {"k", SIZE_MAX - 4, "v", 3}; /* the sum alone wraps */
  assert_int_equal(lkattrs_wire_entries_size(&one, 1, 2, &sz), LKATTRS_OK);
  assert_true(sz == SIZE_MAX);
  one.key_len = SIZE_MAX; /* the one-byte fast path must not wrap either */
  one.value_len = 5;
  assert_int_equal(lkattrs_wire_entries_size(&one, 1, 2, &sz), LKATTRS_OK);
  assert_true(sz == SIZE_MAX);
  assert_int_equal(lkattrs_write_response(1, 3, "m", SIZE_MAX - 2, false, buf, sizeof buf, &w),
                   LKATTRS_E_BUFFER_TOO_SMALL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_writer_size_saturates),
      cmocka_unit_test(test_writer_bytes),
      cmocka_unit_test(test_writer_alloc),
      cmocka_unit_test(test_writer_deterministic),
      cmocka_unit_test(test_reader_edge_cases),
      cmocka_unit_test(test_reader_malformed),
      cmocka_unit_test(test_reader_truncations),
      cmocka_unit_test(test_reader_nested),
      cmocka_unit_test(test_collect_and_parse_entry),
      cmocka_unit_test(test_read_map_atomic),
      cmocka_unit_test(test_reader_property),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
