/*
 * test_json.c - cmocka unit tests of liblkjson's public API (lkjson/json.h):
 * round trips, caller buffers (needed size, nothing written past the
 * capacity or on error), the caller's allocator failing at every allocation
 * in turn (NOMEM, no leak, output untouched), unknown types, bad JSON with the
 * field path in the message, enum names <-> numbers, options, the type list,
 * groups, argument checks, concurrent use.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "counting_alloc.h"
#include "lkjson/json.h"

#define PI "livekit.ParticipantInfo"

/* {"sid":"PA_1","identity":"alice","attributes":{"a":"1","b":"2"},
 *  "tracks":[{"sid":"TR_1","name":"cam"},{"sid":"TR_2","muted":true}],
 *  "permission":{"canPublish":true,"canPublishSources":["CAMERA"]},
 *  "joinedAt":"1700000000","kind":"AGENT"}, as LiveKit's encoder writes it
 * (map entries b then a). */
static const char pi_hex[] =
    "0a0450415f311205616c696365220b0a0454525f311a0363616d22080a0454525f3220013080e2cfaa065a0510014a"
    "010170047a060a01621201327a060a0161120131";
static const char pi_json[] =
    "{\"sid\":\"PA_1\",\"identity\":\"alice\",\"tracks\":[{\"sid\":\"TR_1\",\"name\":\"cam\"},"
    "{\"sid\":\"TR_2\",\"muted\":true}],\"joinedAt\":\"1700000000\",\"permission\":{"
    "\"canPublish\":true,\"canPublishSources\":[\"CAMERA\"]},\"kind\":\"AGENT\","
    "\"attributes\":{\"a\":\"1\",\"b\":\"2\"}}";

/* A message with Any (a LiveKit message and a well-known type inside). */
#define SCI "livekit.SIPCallInfo"
static const char sci_json[] =
    "{\"callId\":\"c1\",\"callContext\":[{\"@type\":\"type.googleapis.com/livekit.Codec\","
    "\"mime\":\"audio/opus\"},{\"@type\":\"type.googleapis.com/google.protobuf.Duration\","
    "\"value\":\"1.500s\"}]}";

static size_t unhex(const char *h, uint8_t *out) {
  size_t n = strlen(h) / 2;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(h + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
  return n;
}

static lkjson_allocator alloc_of(counting_alloc *c) {
  lkjson_allocator a = {ca_alloc, ca_realloc, ca_free, c};
  return a;
}

/* ------------------------------------------------------------------------ */

static void test_round_trip(void **state) {
  (void)state;
  uint8_t bin[256], bin2[256];
  size_t n = unhex(pi_hex, bin), need;
  char json[1024];
  lkjson_error e;
  assert_int_equal(lkjson_to_json(PI, bin, n, NULL, json, sizeof json, &need, &e), LKJSON_OK);
  assert_string_equal(json, pi_json);
  assert_int_equal(need, strlen(pi_json) + 1);
  assert_int_equal(e.status, LKJSON_OK);
  assert_string_equal(e.message, "");
  /* JSON -> binary -> JSON: the same JSON (map entries now in key order). */
  size_t n2;
  assert_int_equal(lkjson_from_json(PI, json, strlen(json), NULL, bin2, sizeof bin2, &n2, &e),
                   LKJSON_OK);
  char json2[1024];
  assert_int_equal(lkjson_to_json(PI, bin2, n2, NULL, json2, sizeof json2, &need, NULL), LKJSON_OK);
  assert_string_equal(json2, pi_json);
  /* The allocating forms give the same. */
  char *aj;
  size_t ajn;
  assert_int_equal(lkjson_to_json_alloc(PI, bin, n, NULL, &aj, &ajn, &e), LKJSON_OK);
  assert_int_equal(ajn, strlen(pi_json));
  assert_string_equal(aj, pi_json);
  lkjson_free(NULL, aj, ajn);
  uint8_t *ab;
  size_t abn;
  assert_int_equal(lkjson_from_json_alloc(PI, json, strlen(json), NULL, &ab, &abn, &e), LKJSON_OK);
  assert_int_equal(abn, n2);
  assert_memory_equal(ab, bin2, n2);
  lkjson_free(NULL, ab, abn);
  /* The empty message both ways; an empty binary input may be NULL. */
  assert_int_equal(lkjson_to_json(PI, NULL, 0, NULL, json, sizeof json, &need, NULL), LKJSON_OK);
  assert_string_equal(json, "{}");
  assert_int_equal(lkjson_from_json_alloc(PI, "{}", 2, NULL, &ab, &abn, NULL), LKJSON_OK);
  assert_non_null(ab);
  assert_int_equal(abn, 0);
  lkjson_free(NULL, ab, abn);
  /* JSON input need not be NUL-terminated: only len bytes are read. */
  char nonul[3] = {'{', '}', 'x'};
  assert_int_equal(lkjson_from_json(PI, nonul, 2, NULL, bin2, sizeof bin2, &n2, NULL), LKJSON_OK);
  assert_int_equal(n2, 0);
  /* Any: a LiveKit message and a well-known type inside. */
  assert_int_equal(lkjson_from_json_alloc(SCI, sci_json, strlen(sci_json), NULL, &ab, &abn, &e),
                   LKJSON_OK);
  assert_int_equal(lkjson_to_json(SCI, ab, abn, NULL, json, sizeof json, &need, &e), LKJSON_OK);
  assert_string_equal(json, sci_json);
  lkjson_free(NULL, ab, abn);
}

static void test_buffer_too_small(void **state) {
  (void)state;
  uint8_t bin[256];
  size_t n = unhex(pi_hex, bin), need = 0, want = strlen(pi_json) + 1;
  char json[1024];
  lkjson_error e;
  /* Every capacity below the size: BUFFER_TOO_SMALL, *needed, nothing written. */
  for (size_t cap = 0; cap < want; cap++) {
    memset(json, 0x5A, sizeof json);
    need = 0;
    assert_int_equal(lkjson_to_json(PI, bin, n, NULL, cap ? json : NULL, cap, &need, &e),
                     LKJSON_BUFFER_TOO_SMALL);
    assert_int_equal(need, want);
    assert_int_equal(e.status, LKJSON_BUFFER_TOO_SMALL);
    for (size_t i = 0; i < sizeof json; i++) assert_int_equal((unsigned char)json[i], 0x5A);
  }
  /* Exactly the size: written, and not one byte past it. */
  memset(json, 0x5A, sizeof json);
  assert_int_equal(lkjson_to_json(PI, bin, n, NULL, json, want, &need, NULL), LKJSON_OK);
  assert_string_equal(json, pi_json);
  assert_int_equal((unsigned char)json[want], 0x5A);

  /* JSON -> binary the same way. */
  uint8_t out[256];
  for (size_t cap = 0; cap < n; cap++) {
    memset(out, 0x5A, sizeof out);
    need = 0;
    assert_int_equal(
        lkjson_from_json(PI, pi_json, strlen(pi_json), NULL, cap ? out : NULL, cap, &need, &e),
        LKJSON_BUFFER_TOO_SMALL);
    assert_int_equal(need, n);
    assert_non_null(strstr(e.message, "needs"));
    for (size_t i = 0; i < sizeof out; i++) assert_int_equal(out[i], 0x5A);
  }
  memset(out, 0x5A, sizeof out);
  assert_int_equal(lkjson_from_json(PI, pi_json, strlen(pi_json), NULL, out, n, &need, NULL),
                   LKJSON_OK);
  assert_int_equal(need, n);
  assert_int_equal(out[n], 0x5A);
  /* A size query: cap 0, out NULL. */
  assert_int_equal(lkjson_from_json(PI, "{\"sid\":\"x\"}", 11, NULL, NULL, 0, &need, NULL),
                   LKJSON_BUFFER_TOO_SMALL);
  assert_int_equal(need, 3);
  /* On an error other than the size, *needed is left alone. */
  need = 77;
  assert_int_equal(lkjson_from_json(PI, "{", 1, NULL, out, sizeof out, &need, NULL),
                   LKJSON_BAD_SYNTAX);
  assert_int_equal(need, 77);
}

/* Runs one conversion with an allocator that fails at call k = 1, 2, ...
 * until it succeeds: each failure is NOMEM with nothing leaked and the
 * output untouched; the success equals the one with libc. */
enum { TO_BUF, TO_ALLOC, FROM_BUF, FROM_ALLOC };

static char ref[128 * 1024], buf[128 * 1024];

static void every_failure(int mode, const char *type, const void *in, size_t n, unsigned flags) {
  size_t refn = 0;
  lkjson_options lo = {flags, NULL};
  if (mode == TO_BUF || mode == TO_ALLOC)
    assert_int_equal(lkjson_to_json(type, in, n, &lo, ref, sizeof ref, &refn, NULL), LKJSON_OK);
  else
    assert_int_equal(lkjson_from_json(type, in, n, &lo, (uint8_t *)ref, sizeof ref, &refn, NULL),
                     LKJSON_OK);
  size_t failures = 0;
  for (size_t k = 1;; k++) {
    counting_alloc c = {0};
    c.fail_at = k;
    lkjson_allocator a = alloc_of(&c);
    lkjson_options o = {flags, &a};
    memset(buf, 0x5A, sizeof buf);
    char *p = (char *)0x1;
    size_t got = 12345;
    lkjson_error e;
    lkjson_status st;
    switch (mode) {
    case TO_BUF: st = lkjson_to_json(type, in, n, &o, buf, sizeof buf, &got, &e); break;
    case TO_ALLOC: st = lkjson_to_json_alloc(type, in, n, &o, &p, &got, &e); break;
    case FROM_BUF: st = lkjson_from_json(type, in, n, &o, (uint8_t *)buf, sizeof buf, &got, &e); break;
    default: st = lkjson_from_json_alloc(type, in, n, &o, (uint8_t **)&p, &got, &e); break;
    }
    if (c.failures == 0) { /* the k-th call never came: done */
      assert_int_equal(st, LKJSON_OK);
      if (mode == TO_BUF || mode == FROM_BUF) {
        assert_int_equal(got, refn);
        assert_memory_equal(buf, ref, refn);
      } else {
        assert_int_equal(got + (mode == TO_ALLOC), refn);
        assert_memory_equal(p, ref, got);
        assert_int_equal(c.live_blocks, 1);
        lkjson_free(&o, p, got);
      }
      assert_int_equal(c.live_blocks, 0);
      assert_int_equal(c.live_bytes, 0);
      break;
    }
    failures++;
    assert_int_equal(st, LKJSON_NOMEM);
    assert_int_equal(e.status, LKJSON_NOMEM);
    assert_int_equal(c.live_blocks, 0);
    assert_int_equal(c.live_bytes, 0);
    if (mode == TO_ALLOC || mode == FROM_ALLOC) {
      assert_null(p);
      assert_int_equal(got, 0);
    } else {
      assert_int_equal(got, 12345);
      for (size_t i = 0; i < sizeof buf; i++) assert_int_equal((unsigned char)buf[i], 0x5A);
    }
  }
  assert_true(failures >= 1); /* the conversion did allocate */
}

static void test_allocation_failures(void **state) {
  (void)state;
  uint8_t bin[256];
  size_t n = unhex(pi_hex, bin);
  for (int mode = TO_BUF; mode <= TO_ALLOC; mode++) {
    every_failure(mode, PI, bin, n, 0);
    every_failure(mode, PI, bin, n, LKJSON_EMIT_DEFAULTS | LKJSON_PROTO_NAMES);
  }
  every_failure(FROM_BUF, PI, pi_json, strlen(pi_json), 0);
  every_failure(FROM_ALLOC, PI, pi_json, strlen(pi_json), LKJSON_IGNORE_UNKNOWN);
  /* Any: nested decode and JSON buffers. */
  uint8_t *sb;
  size_t sn;
  assert_int_equal(lkjson_from_json_alloc(SCI, sci_json, strlen(sci_json), NULL, &sb, &sn, NULL),
                   LKJSON_OK);
  every_failure(TO_BUF, SCI, sb, sn, 0);
  every_failure(TO_ALLOC, SCI, sb, sn, 0);
  every_failure(FROM_BUF, SCI, sci_json, strlen(sci_json), 0);
  lkjson_free(NULL, sb, sn);
  /* A big map: the arena grows block by block. */
  char big[64 * 1024];
  size_t bl = (size_t)snprintf(big, sizeof big, "{\"identity\":\"x\",\"attributes\":{");
  for (int i = 0; i < 500; i++)
    bl += (size_t)snprintf(big + bl, sizeof big - bl, "%s\"key%03d\":\"value of %d\"", i ? "," : "", i, i);
  bl += (size_t)snprintf(big + bl, sizeof big - bl, "}}");
  every_failure(FROM_ALLOC, PI, big, bl, 0);
  uint8_t *bb;
  size_t bbn;
  assert_int_equal(lkjson_from_json_alloc(PI, big, bl, NULL, &bb, &bbn, NULL), LKJSON_OK);
  counting_alloc c = {0};
  lkjson_allocator a = alloc_of(&c);
  lkjson_options o = {0, &a};
  char *j;
  size_t jn;
  assert_int_equal(lkjson_to_json_alloc(PI, bb, bbn, &o, &j, &jn, NULL), LKJSON_OK);
  size_t calls = c.calls;
  lkjson_free(&o, j, jn);
  assert_int_equal(c.live_blocks, 0);
  for (size_t k = 1; k <= calls; k++) {
    counting_alloc ck = {0};
    ck.fail_at = k;
    lkjson_allocator ak = alloc_of(&ck);
    lkjson_options ok = {0, &ak};
    j = (char *)0x1;
    assert_int_equal(lkjson_to_json_alloc(PI, bb, bbn, &ok, &j, &jn, NULL), LKJSON_NOMEM);
    assert_null(j);
    assert_int_equal(ck.live_blocks, 0);
  }
  lkjson_free(NULL, bb, bbn);
}

static void test_unknown_type(void **state) {
  (void)state;
  char json[64];
  uint8_t bin[64];
  size_t need = 99;
  lkjson_error e;
  const char *bad[] = {"livekit.Nope", "ParticipantInfo", "", "livekit.ParticipantInfo.AttributesEntry",
                       "livekit.RequestResponse.Reason", "livekit.ParticipantInfo.", "livekit"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(lkjson_to_json(bad[i], NULL, 0, NULL, json, sizeof json, &need, &e),
                     LKJSON_UNKNOWN_TYPE);
    assert_int_equal(e.status, LKJSON_UNKNOWN_TYPE);
    assert_non_null(strstr(e.message, "unknown message type"));
    assert_int_equal(lkjson_from_json(bad[i], "{}", 2, NULL, bin, sizeof bin, &need, NULL),
                     LKJSON_UNKNOWN_TYPE);
  }
  assert_int_equal(need, 99);
  /* A leading dot is accepted. */
  assert_int_equal(lkjson_to_json(".livekit.ParticipantInfo", NULL, 0, NULL, json, sizeof json,
                                  &need, NULL),
                   LKJSON_OK);
}

static void expect_bad(const char *type, const char *json, lkjson_status st, const char *path,
                       const char *in_message) {
  uint8_t bin[256];
  size_t need = 0;
  lkjson_error e;
  assert_int_equal(lkjson_from_json(type, json, strlen(json), NULL, bin, sizeof bin, &need, &e), st);
  assert_int_equal(e.status, st);
  if (path) assert_string_equal(e.path, path);
  if (in_message && !strstr(e.message, in_message)) fail_msg("message \"%s\" lacks \"%s\"", e.message, in_message);
  assert_null(strchr(e.message, '\n'));
}

static void test_bad_json(void **state) {
  (void)state;
  expect_bad(PI, "{\"sid\":", LKJSON_BAD_SYNTAX, "", "invalid JSON at line 1");
  expect_bad(PI, "", LKJSON_BAD_SYNTAX, "", "invalid JSON");
  expect_bad(PI, "{\"sid\":\"\xff\"}", LKJSON_BAD_SYNTAX, "", "invalid JSON");
  expect_bad(PI, "[]", LKJSON_BAD_VALUE, "(top level)", "expected an object");
  expect_bad(PI, "{\"tracks\":[{},{\"name\":5}]}", LKJSON_BAD_VALUE, "tracks[1].name",
             "field tracks[1].name: expected a string");
  expect_bad(PI, "{\"attributes\":{\"k\":5}}", LKJSON_BAD_VALUE, "attributes[\"k\"]",
             "field attributes[\"k\"]: expected a string");
  expect_bad(PI, "{\"permission\":{\"canPublishSources\":[\"NOPE\"]}}", LKJSON_BAD_VALUE,
             "permission.can_publish_sources[0]", "\"NOPE\" is not a value of enum livekit.TrackSource");
  expect_bad(PI, "{\"bogus\":1}", LKJSON_BAD_VALUE, "bogus", "unknown field \"bogus\"");
  expect_bad(PI, "{\"version\":4294967296}", LKJSON_BAD_VALUE, "version", "out of range for uint32");
  expect_bad(PI, "{\"joinedAt\":\"1x\"}", LKJSON_BAD_VALUE, "joined_at", "not a decimal integer");
  expect_bad("livekit.DataPacket", "{\"user\":{},\"speaker\":{}}", LKJSON_BAD_VALUE, NULL,
             "more than one field of a oneof");
  /* The parser: JSON.parse()'s rules where it is strict, jansson's where it
   * was (the reader before liblkjson's own parser). */
  expect_bad(PI, "{\"sid\":\"\\ud800\"}", LKJSON_BAD_SYNTAX, "", "lone high surrogate");
  expect_bad(PI, "{\"sid\":\"\\udc00x\"}", LKJSON_BAD_SYNTAX, "", "lone low surrogate");
  expect_bad(PI, "{\"sid\":\"a\\u0000b\"}", LKJSON_BAD_VALUE, "sid", "U+0000 in string");
  expect_bad(PI, "{\"attributes\":{\"a\\u0000\":\"x\"}}", LKJSON_BAD_SYNTAX, "", "NUL byte in object key");
  expect_bad(PI, "{\"version\":01}", LKJSON_BAD_SYNTAX, "", "leading zero");
  expect_bad(PI, "{\"version\":1.}", LKJSON_BAD_SYNTAX, "", "invalid number");
  expect_bad(PI, "{\"version\":1e400}", LKJSON_BAD_SYNTAX, "", "real number overflow");
  expect_bad(PI, "{\"sid\":\"a\tb\"}", LKJSON_BAD_SYNTAX, "", "control character");
  expect_bad(PI, "{\"sid\":\"x\"} x", LKJSON_BAD_SYNTAX, "", "end of input expected");
  expect_bad(PI, "{\"sid\":\"x\",}", LKJSON_BAD_SYNTAX, "", "string or '}' expected");
  /* An integer literal beyond 64 bits: every number read as a double (as
   * JavaScript), so a 64-bit field refuses a literal it cannot hold exactly. */
  expect_bad(PI, "{\"version\":1,\"joinedAt\":123456789012345678901234}", LKJSON_BAD_VALUE,
             "joined_at", "too large to read exactly");
  /* Nesting: 512 arrays and objects at most. */
  {
    static char deep[2048];
    size_t k = 0;
    k += (size_t)snprintf(deep, sizeof deep, "{\"bogus\":");
    for (int i = 0; i < 600; i++) deep[k++] = '[';
    for (int i = 0; i < 600; i++) deep[k++] = ']';
    deep[k++] = '}';
    deep[k] = 0;
    expect_bad(PI, deep, LKJSON_BAD_SYNTAX, "", "nested too deeply");
  }
  /* A repeated key: the last value, in the first one's place (JSON.parse). */
  {
    uint8_t b1[64], b2[64];
    size_t n1, n2;
    const char *dup = "{\"sid\":\"a\",\"identity\":\"i\",\"sid\":\"b\"}";
    assert_int_equal(lkjson_from_json(PI, dup, strlen(dup), NULL, b1, sizeof b1, &n1, NULL), LKJSON_OK);
    const char *last = "{\"sid\":\"b\",\"identity\":\"i\"}";
    assert_int_equal(lkjson_from_json(PI, last, strlen(last), NULL, b2, sizeof b2, &n2, NULL), LKJSON_OK);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    /* a message given twice: the second replaces the first (not merged) */
    const char *dm = "{\"permission\":{\"canPublish\":true},\"permission\":{\"canSubscribe\":true}}";
    assert_int_equal(lkjson_from_json(PI, dm, strlen(dm), NULL, b1, sizeof b1, &n1, NULL), LKJSON_OK);
    char j[128];
    size_t need;
    assert_int_equal(lkjson_to_json(PI, b1, n1, NULL, j, sizeof j, &need, NULL), LKJSON_OK);
    assert_string_equal(j, "{\"permission\":{\"canSubscribe\":true}}");
    /* escapes and a surrogate pair read back to UTF-8 */
    const char *esc = "{\"identity\":\"\\u00e9\\ud83d\\ude00\\n\\\"\\/\"}";
    assert_int_equal(lkjson_from_json(PI, esc, strlen(esc), NULL, b1, sizeof b1, &n1, NULL), LKJSON_OK);
    assert_int_equal(lkjson_to_json(PI, b1, n1, NULL, j, sizeof j, &need, NULL), LKJSON_OK);
    assert_string_equal(j, "{\"identity\":\"\xc3\xa9\xf0\x9f\x98\x80\\n\\\"/\"}");
  }
  /* The syntax error gives line, column and position. */
  lkjson_error e;
  size_t need;
  uint8_t bin[16];
  assert_int_equal(lkjson_from_json(PI, "{\n  \"sid\": x}", 13, NULL, bin, sizeof bin, &need, &e),
                   LKJSON_BAD_SYNTAX);
  assert_int_equal(e.line, 2);
  assert_true(e.column > 0);
  assert_true(e.offset != (size_t)-1 && e.offset <= 13);
}

static void test_bad_binary(void **state) {
  (void)state;
  char json[256];
  size_t need = 5;
  lkjson_error e;
  /* sid (field 1) with a length past the end */
  const uint8_t trunc[] = {0x0a, 0x05, 'a', 'b'};
  assert_int_equal(lkjson_to_json(PI, trunc, sizeof trunc, NULL, json, sizeof json, &need, &e),
                   LKJSON_BAD_WIRE);
  assert_string_equal(e.path, "sid");
  assert_int_equal(e.offset, 1);
  assert_non_null(strstr(e.message, "field sid: length 5 past the end"));
  assert_int_equal(need, 5);
  /* invalid UTF-8 in a track name: tracks[0].name */
  const uint8_t utf8[] = {0x22, 0x03, 0x1a, 0x01, 0xff};
  assert_int_equal(lkjson_to_json(PI, utf8, sizeof utf8, NULL, json, sizeof json, &need, &e),
                   LKJSON_BAD_WIRE);
  assert_string_equal(e.path, "tracks[0].name");
  assert_non_null(strstr(e.message, "invalid UTF-8"));
  /* No JSON form: a Timestamp beyond 9999 (2^40 s) in MetricSample.normalized_timestamp. */
  const uint8_t ts[] = {0x12, 0x07, 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20};
  assert_int_equal(lkjson_to_json("livekit.MetricSample", ts, sizeof ts, NULL, json, sizeof json,
                                  &need, &e),
                   LKJSON_NO_JSON_FORM);
  assert_non_null(strstr(e.message, "Timestamp out of range"));
}

static void test_groups(void **state) {
  (void)state;
  char json[256];
  size_t need;
  lkjson_error e;
  /* sid "x", then field 99 as a group holding a varint, a string and a
   * nested group (field 5), then identity "y". */
  const uint8_t ok[] = {0x0a, 0x01, 'x', 0x9b, 0x06, 0x08, 0x01, 0x12, 0x01, 'z',
                        0x2b, 0x08, 0x02, 0x2c, 0x9c, 0x06, 0x12, 0x01, 'y'};
  assert_int_equal(lkjson_to_json(PI, ok, sizeof ok, NULL, json, sizeof json, &need, &e), LKJSON_OK);
  assert_string_equal(json, "{\"sid\":\"x\",\"identity\":\"y\"}");
  /* not closed */
  const uint8_t open[] = {0x9b, 0x06, 0x08, 0x01};
  assert_int_equal(lkjson_to_json(PI, open, sizeof open, NULL, json, sizeof json, &need, &e),
                   LKJSON_BAD_WIRE);
  assert_non_null(strstr(e.message, "group of field 99 not closed"));
  /* closed by the end tag of field 98 */
  const uint8_t wrong[] = {0x9b, 0x06, 0x08, 0x01, 0x94, 0x06};
  assert_int_equal(lkjson_to_json(PI, wrong, sizeof wrong, NULL, json, sizeof json, &need, &e),
                   LKJSON_BAD_WIRE);
  assert_non_null(strstr(e.message, "closed by the end tag of field 98"));
  assert_int_equal(e.offset, 4);
  /* an end tag with no group open */
  const uint8_t stray[] = {0x9c, 0x06};
  assert_int_equal(lkjson_to_json(PI, stray, sizeof stray, NULL, json, sizeof json, &need, &e),
                   LKJSON_BAD_WIRE);
  /* a group inside a nested message (permission), closed there: fine */
  const uint8_t nested[] = {0x5a, 0x06, 0xeb, 0x04, 0xec, 0x04, 0x08, 0x01};
  assert_int_equal(lkjson_to_json(PI, nested, sizeof nested, NULL, json, sizeof json, &need, &e),
                   LKJSON_OK);
  assert_string_equal(json, "{\"permission\":{\"canSubscribe\":true}}");
  /* a group that crosses the end of its enclosing message */
  const uint8_t cross[] = {0x5a, 0x02, 0xeb, 0x04, 0xec, 0x04};
  assert_int_equal(lkjson_to_json(PI, cross, sizeof cross, NULL, json, sizeof json, &need, &e),
                   LKJSON_BAD_WIRE);
}

static void test_enums(void **state) {
  (void)state;
  const char *R = "livekit.RequestResponse.Reason";
  assert_string_equal(lkjson_enum_name(R, 0), "OK");
  assert_string_equal(lkjson_enum_name(R, 1), "NOT_FOUND");
  assert_string_equal(lkjson_enum_name(R, 2), "NOT_ALLOWED");
  assert_string_equal(lkjson_enum_name(R, 3), "LIMIT_EXCEEDED");
  assert_null(lkjson_enum_name(R, 999));
  assert_null(lkjson_enum_name(R, -1));
  assert_null(lkjson_enum_name("livekit.Nope", 0));
  assert_null(lkjson_enum_name(PI, 0)); /* a message, not an enum */
  assert_null(lkjson_enum_name(NULL, 0));
  assert_string_equal(lkjson_enum_name(".livekit.TrackType", 1), "VIDEO");
  int32_t v = 42;
  assert_int_equal(lkjson_enum_value(R, "LIMIT_EXCEEDED", &v), LKJSON_OK);
  assert_int_equal(v, 3);
  v = 42;
  assert_int_equal(lkjson_enum_value(R, "limit_exceeded", &v), LKJSON_UNKNOWN_NAME);
  assert_int_equal(v, 42);
  assert_int_equal(lkjson_enum_value("livekit.Nope", "OK", &v), LKJSON_UNKNOWN_TYPE);
  assert_int_equal(lkjson_enum_value(PI, "OK", &v), LKJSON_UNKNOWN_TYPE);
  assert_int_equal(lkjson_enum_value(R, NULL, &v), LKJSON_INVALID_ARGUMENT);
  assert_int_equal(lkjson_enum_value(R, "OK", NULL), LKJSON_INVALID_ARGUMENT);
  assert_int_equal(lkjson_enum_count("livekit.Nope"), 0);
  assert_null(lkjson_enum_at(R, lkjson_enum_count(R), NULL));
  /* Every value of every enum: name -> number -> name, numbers ascending. */
  size_t nt = lkjson_type_count(), enums = 0, values = 0;
  for (size_t i = 0; i < nt; i++) {
    lkjson_kind k;
    const char *t = lkjson_type_at(i, &k);
    if (k != LKJSON_KIND_ENUM) {
      assert_int_equal(lkjson_enum_count(t), 0);
      continue;
    }
    enums++;
    size_t nv = lkjson_enum_count(t);
    assert_true(nv > 0);
    int32_t prev = INT32_MIN;
    for (size_t j = 0; j < nv; j++) {
      int32_t num;
      const char *name = lkjson_enum_at(t, j, &num);
      assert_non_null(name);
      assert_true(j == 0 || num > prev);
      prev = num;
      int32_t back;
      assert_int_equal(lkjson_enum_value(t, name, &back), LKJSON_OK);
      assert_int_equal(back, num);
      assert_string_equal(lkjson_enum_name(t, num), name);
      values++;
    }
  }
  assert_true(enums >= 97);
  assert_true(values > 500);
}

static void test_options(void **state) {
  (void)state;
  char json[2048];
  size_t need;
  lkjson_error e;
  const uint8_t sid[] = {0x0a, 0x01, 'x'};
  lkjson_options o = LKJSON_OPTIONS_INIT;
  o.flags = LKJSON_EMIT_DEFAULTS;
  assert_int_equal(lkjson_to_json(PI, sid, sizeof sid, &o, json, sizeof json, &need, &e), LKJSON_OK);
  assert_non_null(strstr(json, "\"identity\":\"\""));
  assert_non_null(strstr(json, "\"state\":\"JOINING\""));
  assert_non_null(strstr(json, "\"joinedAt\":\"0\""));
  assert_non_null(strstr(json, "\"tracks\":[]"));
  assert_non_null(strstr(json, "\"attributes\":{}"));
  assert_non_null(strstr(json, "\"isPublisher\":false"));
  assert_null(strstr(json, "\"permission\"")); /* an unset message stays out */
  o.flags = LKJSON_PROTO_NAMES;
  const uint8_t ja[] = {0x30, 0x05}; /* joined_at = 5 */
  assert_int_equal(lkjson_to_json(PI, ja, sizeof ja, &o, json, sizeof json, &need, &e), LKJSON_OK);
  assert_string_equal(json, "{\"joined_at\":\"5\"}");
  o.flags = LKJSON_EMIT_DEFAULTS | LKJSON_PROTO_NAMES;
  assert_int_equal(lkjson_to_json(PI, ja, sizeof ja, &o, json, sizeof json, &need, &e), LKJSON_OK);
  assert_non_null(strstr(json, "\"is_publisher\":false"));
  /* Reading: both names always; unknown keys and enum names only with the flag. */
  uint8_t bin[64];
  size_t n;
  assert_int_equal(lkjson_from_json(PI, "{\"joined_at\":\"5\"}", 17, NULL, bin, sizeof bin, &n, NULL),
                   LKJSON_OK);
  assert_int_equal(n, 2);
  assert_memory_equal(bin, ja, 2);
  const char *unk = "{\"sid\":\"x\",\"bogus\":{\"deep\":[1]},\"kind\":\"NOT_A_KIND\","
                    "\"kindDetails\":[\"FORWARDED\",\"NOPE\"]}";
  assert_int_equal(lkjson_from_json(PI, unk, strlen(unk), NULL, bin, sizeof bin, &n, &e),
                   LKJSON_BAD_VALUE);
  o.flags = LKJSON_IGNORE_UNKNOWN;
  assert_int_equal(lkjson_from_json(PI, unk, strlen(unk), &o, bin, sizeof bin, &n, &e), LKJSON_OK);
  char back[256];
  assert_int_equal(lkjson_to_json(PI, bin, n, NULL, back, sizeof back, &need, NULL), LKJSON_OK);
  assert_string_equal(back, "{\"sid\":\"x\",\"kindDetails\":[\"FORWARDED\"]}");
  /* Flags this version does not know; an allocator with a NULL function. */
  o.flags = 0x80;
  assert_int_equal(lkjson_to_json(PI, sid, sizeof sid, &o, json, sizeof json, &need, &e),
                   LKJSON_INVALID_ARGUMENT);
  assert_int_equal(lkjson_from_json(PI, "{}", 2, &o, bin, sizeof bin, &n, &e), LKJSON_INVALID_ARGUMENT);
  lkjson_allocator half = {ca_alloc, NULL, ca_free, NULL};
  lkjson_options ho = {0, &half};
  assert_int_equal(lkjson_to_json(PI, sid, sizeof sid, &ho, json, sizeof json, &need, &e),
                   LKJSON_INVALID_ARGUMENT);
}

static void test_types(void **state) {
  (void)state;
  size_t n = lkjson_type_count(), messages = 0;
  assert_true(n > 600);
  const char *prev = NULL;
  for (size_t i = 0; i < n; i++) {
    lkjson_kind k = 0, k2 = 0;
    const char *t = lkjson_type_at(i, &k);
    assert_non_null(t);
    if (prev) assert_true(strcmp(prev, t) < 0); /* sorted, no duplicates */
    prev = t;
    assert_int_equal(lkjson_type_find(t, &k2), LKJSON_OK);
    assert_int_equal(k, k2);
    messages += k == LKJSON_KIND_MESSAGE;
  }
  assert_true(messages >= 548);
  assert_null(lkjson_type_at(n, NULL));
  lkjson_kind k;
  assert_int_equal(lkjson_type_find(PI, &k), LKJSON_OK);
  assert_int_equal(k, LKJSON_KIND_MESSAGE);
  assert_int_equal(lkjson_type_find("livekit.RequestResponse.Reason", &k), LKJSON_OK);
  assert_int_equal(k, LKJSON_KIND_ENUM);
  assert_int_equal(lkjson_type_find("livekit.ParticipantInfo.AttributesEntry", &k), LKJSON_UNKNOWN_TYPE);
  assert_int_equal(lkjson_type_find("ParticipantInfo", &k), LKJSON_UNKNOWN_TYPE);
  assert_int_equal(lkjson_type_find(NULL, &k), LKJSON_INVALID_ARGUMENT);
  const char *full = NULL;
  assert_int_equal(lkjson_type_resolve("ParticipantInfo", &full, &k), LKJSON_OK);
  assert_string_equal(full, PI);
  assert_int_equal(lkjson_type_resolve("RequestResponse.Reason", &full, &k), LKJSON_OK);
  assert_int_equal(k, LKJSON_KIND_ENUM);
  assert_int_equal(lkjson_type_resolve("agent.ChatContext", &full, NULL), LKJSON_OK);
  assert_string_equal(full, "livekit.agent.ChatContext");
  assert_int_equal(lkjson_type_resolve("ChatContext", &full, NULL), LKJSON_OK);
  assert_string_equal(full, "livekit.agent.ChatContext");
  assert_int_equal(lkjson_type_resolve("Timestamp", &full, NULL), LKJSON_OK);
  assert_string_equal(full, "google.protobuf.Timestamp");
  assert_int_equal(lkjson_type_resolve("NoSuchType", &full, NULL), LKJSON_UNKNOWN_TYPE);
  assert_int_equal(lkjson_type_resolve("ParticipantInfo.AttributesEntry", &full, NULL),
                   LKJSON_UNKNOWN_TYPE);
}

static void test_arguments(void **state) {
  (void)state;
  char json[64];
  uint8_t bin[64];
  size_t need = 3;
  lkjson_error e;
  char *p = (char *)0x1;
  assert_int_equal(lkjson_to_json(NULL, NULL, 0, NULL, json, sizeof json, &need, &e),
                   LKJSON_INVALID_ARGUMENT);
  assert_int_equal(lkjson_to_json(PI, NULL, 3, NULL, json, sizeof json, &need, &e),
                   LKJSON_INVALID_ARGUMENT);
  assert_int_equal(lkjson_to_json(PI, NULL, 0, NULL, json, sizeof json, NULL, &e),
                   LKJSON_INVALID_ARGUMENT);
  assert_int_equal(lkjson_to_json(PI, NULL, 0, NULL, NULL, 5, &need, &e), LKJSON_INVALID_ARGUMENT);
  assert_int_equal(lkjson_to_json_alloc(PI, NULL, 0, NULL, NULL, &need, &e), LKJSON_INVALID_ARGUMENT);
  assert_int_equal(lkjson_to_json_alloc(PI, NULL, 3, NULL, &p, &need, &e), LKJSON_INVALID_ARGUMENT);
  assert_null(p); /* the _alloc forms clear their outputs on any error */
  assert_int_equal(need, 0);
  need = 3;
  assert_int_equal(lkjson_from_json(PI, NULL, 2, NULL, bin, sizeof bin, &need, &e),
                   LKJSON_INVALID_ARGUMENT);
  assert_int_equal(lkjson_from_json(PI, NULL, 0, NULL, bin, sizeof bin, &need, &e), LKJSON_BAD_SYNTAX);
  assert_int_equal(lkjson_from_json_alloc(PI, "{}", 2, NULL, NULL, &need, &e), LKJSON_INVALID_ARGUMENT);
  assert_int_equal(need, 3);
  lkjson_free(NULL, NULL, 0); /* no-op */
  /* strerror: a distinct text per status, and one for any other value. */
  for (int s = LKJSON_OK; s <= LKJSON_UNKNOWN_NAME; s++) {
    const char *t = lkjson_strerror((lkjson_status)s);
    assert_true(t[0] != '\0');
    assert_string_not_equal(t, "unknown status");
    for (int u = LKJSON_OK; u < s; u++) assert_string_not_equal(t, lkjson_strerror((lkjson_status)u));
  }
  assert_string_equal(lkjson_strerror((lkjson_status)999), "unknown status");
  assert_string_equal(lkjson_version_string(), LKJSON_VERSION_STRING);
#ifdef LKJSON_MAKEFILE_VERSION
  assert_string_equal(LKJSON_MAKEFILE_VERSION, LKJSON_VERSION_STRING); /* one version */
#endif
}

/* Several threads convert at once: each gets exactly the single-thread result. */
static void *worker(void *arg) {
  const uint8_t *bin = arg;
  size_t n = strlen(pi_hex) / 2;
  for (int i = 0; i < 200; i++) {
    char json[1024];
    size_t need;
    if (lkjson_to_json(PI, bin, n, NULL, json, sizeof json, &need, NULL) != LKJSON_OK ||
        strcmp(json, pi_json) != 0)
      return (void *)1;
    uint8_t back[256];
    if (lkjson_from_json(PI, json, need - 1, NULL, back, sizeof back, &need, NULL) != LKJSON_OK)
      return (void *)1;
  }
  return NULL;
}

static void test_threads(void **state) {
  (void)state;
  uint8_t bin[256];
  unhex(pi_hex, bin);
  pthread_t t[4];
  for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, worker, bin), 0);
  for (int i = 0; i < 4; i++) {
    void *r;
    assert_int_equal(pthread_join(t[i], &r), 0);
    assert_null(r);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),      cmocka_unit_test(test_buffer_too_small),
      cmocka_unit_test(test_allocation_failures), cmocka_unit_test(test_unknown_type),
      cmocka_unit_test(test_bad_json),        cmocka_unit_test(test_bad_binary),
      cmocka_unit_test(test_groups),          cmocka_unit_test(test_enums),
      cmocka_unit_test(test_options),         cmocka_unit_test(test_types),
      cmocka_unit_test(test_arguments),       cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests_name("liblkjson", tests, NULL, NULL);
}
