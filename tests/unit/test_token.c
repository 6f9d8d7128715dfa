/*
 * test_token.c - unit tests of liblktoken: base64url, mint/verify round trip
 * of every claim, refusals (signature, algorithm, time, syntax, claim types,
 * attribute rules), the join flow, out-of-memory paths, a golden token from
 * livekit-server-sdk 2.19.2, and a seeded mutation loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "counting_alloc.h"
#include "lktoken_internal.h"
#include "lkattrs/lkattrs.h"
#include "lktoken/token.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char SECRET[] = "test-secret-0123456789-0123456789";
#define SECRET_LEN (sizeof SECRET - 1)
static const int64_t NOW = 1700000000;

/* ---------------------------------------------------------------- helpers */

static lkattrs_entry E(const char *k, const char *v) {
  lkattrs_entry e = {k, strlen(k), v, strlen(v)};
  return e;
}

/* Mints into a static buffer; asserts success. */
static const char *mint_ok(const lktoken_claims *c) {
  static char buf[1 << 18];
  size_t n = 0;
  lktoken_error e;
  lktoken_status st = lktoken_mint(c, "APIkey", SECRET, SECRET_LEN, buf, sizeof buf, &n, &e);
  if (st != LKTOKEN_OK) fail_msg("mint: %s: %s", lktoken_strerror(st), e.message);
  assert_int_equal(strlen(buf), n);
  return buf;
}

/* Base claims: valid for NOW. */
static lktoken_claims base_claims(void) {
  lktoken_claims c;
  lktoken_claims_init(&c);
  c.identity = "alice";
  c.not_before = NOW - 10;
  c.expires_at = NOW + 3600;
  return c;
}

/* A token over arbitrary header and payload bytes, signed with secret. */
static char *sign_raw(const char *header, size_t hlen, const char *payload,
                      size_t plen, const char *secret) {
  size_t h = lktoken__b64url_encoded_len(hlen), p = lktoken__b64url_encoded_len(plen);
  char *t = malloc(h + p + 2 + 43 + 1);
  assert_non_null(t);
  lktoken__b64url_encode((const uint8_t *)header, hlen, t);
  t[h] = '.';
  lktoken__b64url_encode((const uint8_t *)payload, plen, t + h + 1);
  t[h + 1 + p] = '.';
  unsigned char mac[32];
  unsigned int ml = 0;
  assert_non_null(HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)t,
                       h + 1 + p, mac, &ml));
  lktoken__b64url_encode(mac, 32, t + h + 1 + p + 1);
  t[h + p + 2 + 43] = '\0';
  return t;
}

static char *sign_json(const char *header, const char *payload) {
  return sign_raw(header, strlen(header), payload, strlen(payload), SECRET);
}

static const char HS256[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/* Verifies with default parameters at NOW, leeway 0; returns the status and
 * frees the claims. */
static lktoken_status verify_status(const char *tok, lktoken_error *e) {
  lktoken_claims c;
  lktoken_status st = lktoken_verify(tok, strlen(tok), SECRET, SECRET_LEN, NOW, 0, &c, e);
  if (st != LKTOKEN_OK) {
    /* claims zeroed on error */
    assert_null(c.owned_);
    assert_null(c.identity);
  }
  lktoken_claims_free(&c);
  return st;
}

static lktoken_status verify_payload(const char *payload, lktoken_error *e) {
  char *t = sign_json(HS256, payload);
  lktoken_status st = verify_status(t, e);
  free(t);
  return st;
}

/* --------------------------------------------------------------- base64url */

static void test_b64url_vectors(void **state) {
  (void)state;
  static const struct {
    const char *in, *out;
  } v[] = {{"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"},
           {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"}};
  for (size_t i = 0; i < ARRAY_LEN(v); i++) {
    char enc[16] = {0};
    size_t n = strlen(v[i].in);
    assert_int_equal(lktoken__b64url_encoded_len(n), strlen(v[i].out));
    lktoken__b64url_encode((const uint8_t *)v[i].in, n, enc);
    assert_string_equal(enc, v[i].out);
    uint8_t dec[16] = {0};
    size_t bad = 99;
    assert_int_equal(lktoken__b64url_decoded_len(strlen(enc)), n);
    assert_int_equal(lktoken__b64url_decode(enc, strlen(enc), dec, &bad), 0);
    assert_memory_equal(dec, v[i].in, n);
  }
  /* Refused: padding, standard alphabet, whitespace, length 4k+1,
   * non-zero trailing bits. */
  static const struct {
    const char *in;
    size_t bad;
  } r[] = {{"Zg==", 2}, {"+/8", 0}, {"Zm 9", 2}, {"Zm9vY", 5}, {"Zh", 1}, {"Zm9", 2}, {"A", 1}};
  for (size_t i = 0; i < ARRAY_LEN(r); i++) {
    uint8_t dec[16];
    size_t bad = 99;
    assert_int_equal(lktoken__b64url_decode(r[i].in, strlen(r[i].in), dec, &bad), -1);
    assert_int_equal(bad, r[i].bad);
  }
}

/* --------------------------------------------------------------- round trip */

static void test_round_trip_every_claim(void **state) {
  (void)state;
  lkattrs_entry attrs[] = {E("a", "0"), E("b", "1"), E("sip.phoneNumber", "+15550100"),
                           E("emoji\xf0\x9f\x98\x80", "\xe4\xb8\xad\xe6\x96\x87"), E("empty", "")};
  lktoken_claims c = base_claims();
  c.issued_at = NOW - 5;
  c.jwt_id = "id-1";
  c.name = "Alice \xc3\xa9";
  c.kind = "agent";
  c.metadata = "{\"m\":\"\\n\"}\n\t\"";
  c.attributes = attrs;
  c.attributes_count = ARRAY_LEN(attrs);
  c.video.room = "room1";
  c.video.destination_room = "room2";
  c.video.room_create = LKTOKEN_TRUE;
  c.video.room_join = LKTOKEN_TRUE;
  c.video.room_list = LKTOKEN_FALSE;
  c.video.room_record = LKTOKEN_TRUE;
  c.video.room_admin = LKTOKEN_FALSE;
  c.video.ingress_admin = LKTOKEN_TRUE;
  c.video.can_publish = LKTOKEN_FALSE;
  c.video.can_subscribe = LKTOKEN_TRUE;
  c.video.can_publish_data = LKTOKEN_FALSE;
  c.video.can_update_own_metadata = LKTOKEN_TRUE;
  c.video.hidden = LKTOKEN_TRUE;
  c.video.recorder = LKTOKEN_FALSE;
  c.video.agent = LKTOKEN_TRUE;
  c.video.can_subscribe_metrics = LKTOKEN_TRUE;
  c.video.can_manage_agent_session = LKTOKEN_FALSE;
  c.video.has_can_publish_sources = true;
  c.video.can_publish_sources = LKTOKEN_SOURCE_CAMERA | LKTOKEN_SOURCE_SCREEN_SHARE_AUDIO;
  c.sip.admin = LKTOKEN_TRUE;
  c.sip.call = LKTOKEN_FALSE;
  c.inference.perform = LKTOKEN_TRUE;
  c.observability.present = true; /* written as {} */
  c.room_preset = "preset";
  c.room_config = "{ \"name\": \"room1\", \"emptyTimeout\": 30, \"agents\": [{\"agentName\": \"x\"}] }";
  c.sha256 = "abc";
  const char *tok = mint_ok(&c);

  lktoken_claims v;
  lktoken_error e;
  assert_int_equal(lktoken_verify(tok, strlen(tok), SECRET, SECRET_LEN, NOW, 0, &v, &e), LKTOKEN_OK);
  assert_int_equal(e.code, LKTOKEN_OK);
  assert_string_equal(v.identity, "alice");
  assert_string_equal(v.issuer, "APIkey");
  assert_int_equal(v.not_before, NOW - 10);
  assert_int_equal(v.expires_at, NOW + 3600);
  assert_int_equal(v.issued_at, NOW - 5);
  assert_string_equal(v.jwt_id, "id-1");
  assert_string_equal(v.name, c.name);
  assert_string_equal(v.kind, "agent");
  assert_string_equal(v.metadata, c.metadata);
  assert_true(v.has_attributes);
  assert_int_equal(v.attributes_count, ARRAY_LEN(attrs));
  for (size_t i = 0; i < ARRAY_LEN(attrs); i++) {
    assert_int_equal(v.attributes[i].key_len, attrs[i].key_len);
    assert_memory_equal(v.attributes[i].key, attrs[i].key, attrs[i].key_len);
    assert_int_equal(v.attributes[i].value_len, attrs[i].value_len);
    assert_string_equal(v.attributes[i].value, attrs[i].value);
  }
  assert_true(v.video.present);
  assert_string_equal(v.video.room, "room1");
  assert_string_equal(v.video.destination_room, "room2");
  const lktoken_bool *got = &v.video.room_create, *want = &c.video.room_create;
  for (size_t i = 0; i <= (size_t)(&c.video.can_manage_agent_session - &c.video.room_create); i++)
    assert_int_equal(got[i], want[i]);
  assert_true(v.video.has_can_publish_sources);
  assert_int_equal(v.video.can_publish_sources, c.video.can_publish_sources);
  assert_true(v.sip.present);
  assert_int_equal(v.sip.admin, LKTOKEN_TRUE);
  assert_int_equal(v.sip.call, LKTOKEN_FALSE);
  assert_true(v.inference.present);
  assert_int_equal(v.inference.perform, LKTOKEN_TRUE);
  assert_true(v.observability.present);
  assert_int_equal(v.observability.write, LKTOKEN_UNSET);
  assert_string_equal(v.room_preset, "preset");
  assert_string_equal(v.room_config,
                      "{\"name\":\"room1\",\"emptyTimeout\":30,\"agents\":[{\"agentName\":\"x\"}]}");
  assert_string_equal(v.sha256, "abc");
  assert_non_null(v.payload_json);
  assert_int_equal(strlen(v.payload_json), v.payload_json_len);

  /* Minting the verified claims again gives the same payload. */
  char j1[4096], j2[4096];
  size_t n1, n2;
  assert_int_equal(lktoken_claims_to_json(&v, j1, sizeof j1, &n1, NULL), LKTOKEN_OK);
  lktoken_claims w;
  assert_int_equal(lktoken_claims_from_json(j1, n1, NULL, NULL, &w, NULL), LKTOKEN_OK);
  assert_int_equal(lktoken_claims_to_json(&w, j2, sizeof j2, &n2, NULL), LKTOKEN_OK);
  assert_string_equal(j1, j2);
  assert_string_equal(j1, v.payload_json); /* our own payload, same order */
  lktoken_claims_free(&w);
  lktoken_claims_free(&v);
  lktoken_claims_free(&v); /* twice: no-op */
  assert_null(v.owned_);
}

static void test_minimal_and_absent(void **state) {
  (void)state;
  lktoken_claims c;
  lktoken_claims_init(&c);
  c.expires_at = NOW + 1;
  const char *tok = mint_ok(&c);
  lktoken_claims v;
  assert_int_equal(lktoken_verify(tok, strlen(tok), SECRET, SECRET_LEN, NOW, 0, &v, NULL), LKTOKEN_OK);
  assert_null(v.identity);
  assert_null(v.name);
  assert_false(v.has_attributes);
  assert_null(v.attributes);
  assert_false(v.video.present);
  assert_int_equal(v.video.can_publish, LKTOKEN_UNSET);
  assert_false(lktoken_can_update_metadata(&v));
  lktoken_claims_free(&v);
}

/* ------------------------------------------------------- golden SDK token */

/* Minted by livekit-server-sdk 2.19.2 (AccessToken) with secret
 * "golden-secret-0123456789-0123456789", API key "APIgolden". */
static const char GOLDEN[] =
    "eyJhbGciOiJIUzI1NiJ9.eyJtZXRhZGF0YSI6IntcIm1cIjoxfSIsImF0dHJpYnV0ZXMiOnsiYSI6IjAiLCJi"
    "IjoiMSIsImVtb2pp8J-YgCI6IuS4reaWhyJ9LCJuYW1lIjoiQWxpY2Ugw6kiLCJ2aWRlbyI6eyJyb29tIjoicm"
    "9vbTEiLCJyb29tSm9pbiI6dHJ1ZSwiY2FuVXBkYXRlT3duTWV0YWRhdGEiOnRydWUsImNhblB1Ymxpc2giOmZh"
    "bHNlLCJjYW5QdWJsaXNoU291cmNlcyI6WyJjYW1lcmEiLCJzY3JlZW5fc2hhcmUiXX0sInNpcCI6eyJhZG1pbiI6"
    "dHJ1ZX0sImtpbmQiOiJhZ2VudCIsImlzcyI6IkFQSWdvbGRlbiIsImV4cCI6MTc5NTYwODI0NywibmJmIjoxNzk1"
    "NjA0NjQ3LCJzdWIiOiJhbGljZSJ9.LFLwNcNSKn6ojzUBs3hWFGpm_BvgFkjbCK4vMZ75OVM";
static const char GOLDEN_SECRET[] = "golden-secret-0123456789-0123456789";

static void test_golden_sdk_token(void **state) {
  (void)state;
  lktoken_verify_params p;
  memset(&p, 0, sizeof p);
  p.now = 1795604647 + 100;
  p.issuer = "APIgolden";
  lktoken_claims v;
  lktoken_error e;
  lktoken_status st = lktoken_verify_opts(GOLDEN, strlen(GOLDEN), GOLDEN_SECRET,
                                          strlen(GOLDEN_SECRET), &p, &v, &e);
  if (st != LKTOKEN_OK) fail_msg("%s", e.message);
  assert_string_equal(v.identity, "alice");
  assert_string_equal(v.issuer, "APIgolden");
  assert_string_equal(v.name, "Alice \xc3\xa9");
  assert_string_equal(v.metadata, "{\"m\":1}");
  assert_string_equal(v.kind, "agent");
  assert_int_equal(v.not_before, 1795604647);
  assert_int_equal(v.expires_at, 1795608247);
  assert_int_equal(v.attributes_count, 3);
  assert_string_equal(v.attributes[2].key, "emoji\xf0\x9f\x98\x80");
  assert_string_equal(v.attributes[2].value, "\xe4\xb8\xad\xe6\x96\x87");
  assert_string_equal(v.video.room, "room1");
  assert_int_equal(v.video.room_join, LKTOKEN_TRUE);
  assert_int_equal(v.video.can_publish, LKTOKEN_FALSE);
  assert_int_equal(v.video.can_subscribe, LKTOKEN_UNSET);
  assert_true(lktoken_can_update_metadata(&v));
  assert_int_equal(v.video.can_publish_sources, LKTOKEN_SOURCE_CAMERA | LKTOKEN_SOURCE_SCREEN_SHARE);
  assert_int_equal(v.sip.admin, LKTOKEN_TRUE);
  assert_int_equal(v.sip.call, LKTOKEN_UNSET);
  lktoken_claims_free(&v);

  /* Other issuer, other secret, and the SDK's default leeway. */
  p.issuer = "APIother";
  assert_int_equal(lktoken_verify_opts(GOLDEN, strlen(GOLDEN), GOLDEN_SECRET, strlen(GOLDEN_SECRET),
                                       &p, &v, &e), LKTOKEN_E_ISSUER);
  assert_string_equal(e.claim, "iss");
  assert_int_equal(lktoken_verify(GOLDEN, strlen(GOLDEN), SECRET, SECRET_LEN, p.now, 0, &v, &e),
                   LKTOKEN_E_SIGNATURE);
  assert_int_equal(lktoken_verify(GOLDEN, strlen(GOLDEN), GOLDEN_SECRET, strlen(GOLDEN_SECRET),
                                  1795608247 + 9, LKTOKEN_DEFAULT_LEEWAY_SECONDS, &v, &e),
                   LKTOKEN_OK);
  lktoken_claims_free(&v);
  assert_int_equal(lktoken_verify(GOLDEN, strlen(GOLDEN), GOLDEN_SECRET, strlen(GOLDEN_SECRET),
                                  1795608247 + 10, LKTOKEN_DEFAULT_LEEWAY_SECONDS, &v, &e),
                   LKTOKEN_E_EXPIRED);
}

/* ----------------------------------------------------------------- tamper */

static void test_tampered(void **state) {
  (void)state;
  lktoken_claims c = base_claims();
  char tok[4096];
  strcpy(tok, mint_ok(&c));
  size_t len = strlen(tok);
  char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
  lktoken_error e;

  /* Wrong secret. */
  lktoken_claims v;
  assert_int_equal(lktoken_verify(tok, len, "other", 5, NOW, 0, &v, &e), LKTOKEN_E_SIGNATURE);
  assert_non_null(strstr(e.message, "signature"));

  /* Each character of the signature changed in turn (to another valid
   * character with the same trailing-bit class where it matters). */
  for (char *p = d2 + 1; *p; p++) {
    char saved = *p;
    *p = (char)(saved == 'A' ? 'E' : 'A');
    lktoken_status st = verify_status(tok, &e);
    assert_true(st == LKTOKEN_E_SIGNATURE || st == LKTOKEN_E_BASE64);
    *p = saved;
  }
  /* A payload byte, a header byte. */
  char saved = d1[3];
  d1[3] = (char)(saved == 'x' ? 'y' : 'x');
  assert_int_equal(verify_status(tok, &e), LKTOKEN_E_SIGNATURE);
  d1[3] = saved;
  assert_int_equal(verify_status(tok, &e), LKTOKEN_OK);
  saved = tok[2];
  tok[2] = (char)(saved == 'x' ? 'y' : 'x');
  assert_int_not_equal(verify_status(tok, &e), LKTOKEN_OK);
  tok[2] = saved;

  /* Header swapped for another valid HS256 header: signature refused. */
  char *other = sign_json("{\"typ\":\"JWT\",\"alg\":\"HS256\"}", "{\"exp\":1800000000}");
  char mixed[4096];
  size_t oh = (size_t)(strchr(other, '.') - other);
  memcpy(mixed, other, oh);
  strcpy(mixed + oh, d1);
  assert_int_equal(verify_status(mixed, &e), LKTOKEN_E_SIGNATURE);
  free(other);

  /* Truncated anywhere: refused, never OK. */
  for (size_t n = 0; n < len; n++) {
    lktoken_status st = lktoken_verify(tok, n, SECRET, SECRET_LEN, NOW, 0, &v, &e);
    assert_int_not_equal(st, LKTOKEN_OK);
    assert_int_equal(e.code, st);
    assert_true(e.message[0] != '\0');
  }
}

/* -------------------------------------------------------------- algorithm */

static void test_algorithms_refused(void **state) {
  (void)state;
  static const struct {
    const char *header;
    lktoken_status st;
    const char *claim;
  } cases[] = {
      {"{\"alg\":\"none\"}", LKTOKEN_E_ALG, "header.alg"},
      {"{\"alg\":\"HS384\",\"typ\":\"JWT\"}", LKTOKEN_E_ALG, "header.alg"},
      {"{\"alg\":\"HS512\"}", LKTOKEN_E_ALG, "header.alg"},
      {"{\"alg\":\"RS256\"}", LKTOKEN_E_ALG, "header.alg"},
      {"{\"alg\":\"hs256\"}", LKTOKEN_E_ALG, "header.alg"},
      {"{\"alg\":\"HS256\\u0000\"}", LKTOKEN_E_JSON, "header"}, /* NUL not allowed in the header */
      {"{\"typ\":\"JWT\"}", LKTOKEN_E_HEADER, "header.alg"},
      {"{\"alg\":256}", LKTOKEN_E_HEADER, "header.alg"},
      {"{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}", LKTOKEN_E_HEADER, "header.crit"},
      {"[\"HS256\"]", LKTOKEN_E_JSON, "header"},
      {"{\"alg\":\"HS256\"", LKTOKEN_E_JSON, "header"},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    char *t = sign_json(cases[i].header, "{\"sub\":\"a\",\"exp\":1800000000}");
    lktoken_error e;
    lktoken_status st = verify_status(t, &e);
    if (st != cases[i].st) fail_msg("%s: %d %s", cases[i].header, st, e.message);
    assert_string_equal(e.claim, cases[i].claim);
    free(t);
  }
  /* alg none with an empty signature, the classic form. */
  const char none[] = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIiwiZXhwIjoxODAwMDAwMDAwfQ.";
  lktoken_error e;
  assert_int_equal(verify_status(none, &e), LKTOKEN_E_ALG);
  assert_non_null(strstr(e.message, "none"));
}

/* ------------------------------------------------------------------- time */

static void test_time_checks(void **state) {
  (void)state;
  lktoken_claims c = base_claims();
  c.not_before = NOW + 5;
  c.expires_at = NOW + 100;
  char tok[4096];
  strcpy(tok, mint_ok(&c));
  size_t n = strlen(tok);
  lktoken_claims v;
  lktoken_error e;
#define V(now, leeway) lktoken_verify(tok, n, SECRET, SECRET_LEN, (now), (leeway), &v, &e)
  assert_int_equal(V(NOW, 0), LKTOKEN_E_NOT_YET_VALID);
  assert_string_equal(e.claim, "nbf");
  assert_int_equal(V(NOW, 4), LKTOKEN_E_NOT_YET_VALID);
  assert_int_equal(V(NOW, 5), LKTOKEN_OK); /* nbf > now + leeway refuses */
  lktoken_claims_free(&v);
  assert_int_equal(V(NOW + 5, 0), LKTOKEN_OK);
  lktoken_claims_free(&v);
  assert_int_equal(V(NOW + 99, 0), LKTOKEN_OK);
  lktoken_claims_free(&v);
  assert_int_equal(V(NOW + 100, 0), LKTOKEN_E_EXPIRED); /* exp <= now - leeway */
  assert_string_equal(e.claim, "exp");
  assert_int_equal(V(NOW + 109, 10), LKTOKEN_OK);
  lktoken_claims_free(&v);
  assert_int_equal(V(NOW + 110, 10), LKTOKEN_E_EXPIRED);
  /* Leeway and now out of range. */
  assert_int_equal(V(NOW, -1), LKTOKEN_E_INVALID_ARGUMENT);
  assert_int_equal(V(NOW, LKTOKEN_MAX_LEEWAY_SECONDS + 1), LKTOKEN_E_INVALID_ARGUMENT);
  assert_int_equal(V(INT64_MAX, 0), LKTOKEN_E_INVALID_ARGUMENT);
#undef V

  /* exp required by default. */
  assert_int_equal(verify_payload("{\"sub\":\"a\"}", &e), LKTOKEN_E_NO_EXPIRY);
  char *t = sign_json(HS256, "{\"sub\":\"a\"}");
  lktoken_verify_params p;
  memset(&p, 0, sizeof p);
  p.now = NOW;
  p.allow_missing_exp = true;
  assert_int_equal(lktoken_verify_opts(t, strlen(t), SECRET, SECRET_LEN, &p, &v, &e), LKTOKEN_OK);
  lktoken_claims_free(&v);
  free(t);

  /* Reals: exp rounded down, nbf up; out of range and wrong types. */
  assert_int_equal(verify_payload("{\"exp\":1700000001.5}", &e), LKTOKEN_OK);
  assert_int_equal(verify_payload("{\"exp\":1700000000.5}", &e), LKTOKEN_E_EXPIRED); /* floor */
  assert_int_equal(verify_payload("{\"exp\":1800000000,\"nbf\":1699999999.5}", &e), LKTOKEN_OK);
  assert_int_equal(verify_payload("{\"exp\":1800000000,\"nbf\":1700000000.5}", &e),
                   LKTOKEN_E_NOT_YET_VALID);
  assert_int_equal(verify_payload("{\"exp\":1e300}", &e), LKTOKEN_E_CLAIM_VALUE);
  assert_int_equal(verify_payload("{\"exp\":9007199254740992}", &e), LKTOKEN_E_CLAIM_VALUE);
  assert_int_equal(verify_payload("{\"exp\":\"1800000000\"}", &e), LKTOKEN_E_CLAIM_TYPE);
  assert_string_equal(e.claim, "exp");
  assert_int_equal(verify_payload("{\"exp\":null}", &e), LKTOKEN_E_NO_EXPIRY);

  /* Mint: exp required, times in range. */
  lktoken_claims m;
  lktoken_claims_init(&m);
  char buf[1024];
  size_t len;
  assert_int_equal(lktoken_mint(&m, "k", SECRET, SECRET_LEN, buf, sizeof buf, &len, &e),
                   LKTOKEN_E_INVALID_ARGUMENT);
  assert_string_equal(e.claim, "exp");
  m.expires_at = -5;
  assert_int_equal(lktoken_mint(&m, "k", SECRET, SECRET_LEN, buf, sizeof buf, &len, &e),
                   LKTOKEN_E_CLAIM_VALUE);
  m.expires_at = LKTOKEN_MAX_TIME + 1;
  assert_int_equal(lktoken_mint(&m, "k", SECRET, SECRET_LEN, buf, sizeof buf, &len, &e),
                   LKTOKEN_E_CLAIM_VALUE);
}

/* -------------------------------------------------------------- malformed */

static void test_malformed(void **state) {
  (void)state;
  lktoken_error e;
  static const struct {
    const char *tok;
    lktoken_status st;
  } cases[] = {
      {"", LKTOKEN_E_MALFORMED},
      {"abc", LKTOKEN_E_MALFORMED},
      {"abc.def", LKTOKEN_E_MALFORMED},
      {"a.b.c.d", LKTOKEN_E_MALFORMED},
      {"a.b.c.d.e", LKTOKEN_E_MALFORMED}, /* JWE shape */
      {".eyJ9.abc", LKTOKEN_E_MALFORMED},
      {"eyJ9..abc", LKTOKEN_E_MALFORMED},
      {"eyJhbGciOiJIUzI1NiJ9=.e30.AAAA", LKTOKEN_E_BASE64},
      {"eyJhbGciOiJIUzI1NiJ9 .e30.AAAA", LKTOKEN_E_BASE64},
      {"eyJhbGciOiJIUzI1NiJ9.e30.AA AA", LKTOKEN_E_BASE64},
      {"eyJhbGciOiJIUzI1NiJ9.e30.A", LKTOKEN_E_BASE64},
      {"eyJhbGciOiJIUzI1NiJ9.e30.AAAA", LKTOKEN_E_SIGNATURE}, /* 3 bytes */
      {"bm90IGpzb24.e30.AAAA", LKTOKEN_E_JSON},               /* "not json" */
      {"_w.e30.AAAA", LKTOKEN_E_UTF8},                         /* 0xff */
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    lktoken_status st = verify_status(cases[i].tok, &e);
    if (st != cases[i].st) fail_msg("%s: got %d (%s)", cases[i].tok, st, e.message);
    assert_true(e.message[0] != '\0');
  }
  /* The offset of a bad base64url character is reported. */
  assert_int_equal(verify_status("eyJhbGciOiJIUzI1NiJ9.e30.AA*A", &e), LKTOKEN_E_BASE64);
  assert_int_equal(e.offset, 27);

  /* Payload: not JSON, not an object, bad UTF-8, trailing garbage. */
  static const struct {
    const char *payload;
    size_t len;
    lktoken_status st;
  } p[] = {
      {"{\"exp\":18000", 12, LKTOKEN_E_JSON},
      {"[1,2]", 5, LKTOKEN_E_JSON},
      {"\"x\"", 3, LKTOKEN_E_JSON},
      {"{\"exp\":1800000000} x", 20, LKTOKEN_E_JSON},
      {"{\"exp\":1800000000,\"name\":\"\xc3\x28\"}", 31, LKTOKEN_E_UTF8},
      {"{\"exp\":1800000000,\"name\":\"\xed\xa0\x80\"}", 32, LKTOKEN_E_UTF8}, /* surrogate */
      {"{\"exp\":1800000000,\"name\":\"\\ud800\"}", 34, LKTOKEN_E_JSON},     /* lone escape */
      {"", 0, LKTOKEN_E_MALFORMED}, /* empty segment */
  };
  for (size_t i = 0; i < ARRAY_LEN(p); i++) {
    char *t = sign_raw(HS256, strlen(HS256), p[i].payload, p[i].len, SECRET);
    lktoken_status st = verify_status(t, &e);
    if (st != p[i].st) fail_msg("payload %zu: got %d (%s)", i, st, e.message);
    free(t);
  }

  /* Too large, and a huge token (refused before any parsing). */
  size_t huge = LKTOKEN_DEFAULT_MAX_TOKEN_BYTES + 1;
  char *big = malloc(huge + 1);
  assert_non_null(big);
  memset(big, 'A', huge);
  big[10] = '.';
  big[20] = '.';
  big[huge] = '\0';
  assert_int_equal(verify_status(big, &e), LKTOKEN_E_TOO_LARGE);
  lktoken_verify_params prm;
  memset(&prm, 0, sizeof prm);
  prm.now = NOW;
  prm.max_token_bytes = 100;
  lktoken_claims v;
  assert_int_equal(lktoken_verify_opts(big, 101, SECRET, SECRET_LEN, &prm, &v, &e), LKTOKEN_E_TOO_LARGE);
  free(big);
  assert_int_equal(lktoken_default_max_token_bytes(), LKTOKEN_DEFAULT_MAX_TOKEN_BYTES);
}

/* ------------------------------------------------------------ claim types */

static void test_claim_types(void **state) {
  (void)state;
  static const struct {
    const char *payload;
    lktoken_status st;
    const char *claim;
  } cases[] = {
      {"{\"exp\":1800000000,\"sub\":5}", LKTOKEN_E_CLAIM_TYPE, "sub"},
      {"{\"exp\":1800000000,\"name\":true}", LKTOKEN_E_CLAIM_TYPE, "name"},
      {"{\"exp\":1800000000,\"metadata\":{}}", LKTOKEN_E_CLAIM_TYPE, "metadata"},
      {"{\"exp\":1800000000,\"name\":\"a\\u0000b\"}", LKTOKEN_E_CLAIM_VALUE, "name"},
      {"{\"exp\":1800000000,\"video\":[]}", LKTOKEN_E_CLAIM_TYPE, "video"},
      {"{\"exp\":1800000000,\"video\":{\"canPublish\":\"yes\"}}", LKTOKEN_E_CLAIM_TYPE, "video.canPublish"},
      {"{\"exp\":1800000000,\"video\":{\"room\":1}}", LKTOKEN_E_CLAIM_TYPE, "video.room"},
      {"{\"exp\":1800000000,\"video\":{\"canPublishSources\":\"camera\"}}", LKTOKEN_E_CLAIM_TYPE,
       "video.canPublishSources"},
      {"{\"exp\":1800000000,\"video\":{\"canPublishSources\":[1]}}", LKTOKEN_E_CLAIM_TYPE,
       "video.canPublishSources"},
      {"{\"exp\":1800000000,\"sip\":{\"admin\":1}}", LKTOKEN_E_CLAIM_TYPE, "sip.admin"},
      {"{\"exp\":1800000000,\"inference\":{\"perform\":\"true\"}}", LKTOKEN_E_CLAIM_TYPE, "inference.perform"},
      {"{\"exp\":1800000000,\"observability\":true}", LKTOKEN_E_CLAIM_TYPE, "observability"},
      {"{\"exp\":1800000000,\"attributes\":[]}", LKTOKEN_E_CLAIM_TYPE, "attributes"},
      {"{\"exp\":1800000000,\"attributes\":{\"a\":1}}", LKTOKEN_E_CLAIM_TYPE, "attributes"},
      {"{\"exp\":1800000000,\"attributes\":{\"a\":null}}", LKTOKEN_E_CLAIM_TYPE, "attributes"},
      {"{\"exp\":1800000000,\"roomConfig\":\"{}\"}", LKTOKEN_E_ROOM_CONFIG, "roomConfig"},
      {"{\"exp\":1800000000,\"roomConfig\":[]}", LKTOKEN_E_ROOM_CONFIG, "roomConfig"},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    lktoken_error e;
    lktoken_status st = verify_payload(cases[i].payload, &e);
    if (st != cases[i].st) fail_msg("%s: got %d (%s)", cases[i].payload, st, e.message);
    assert_string_equal(e.claim, cases[i].claim);
  }
  /* JSON nulls are absent; unknown claims are ignored but kept. */
  char *t = sign_json(HS256, "{\"exp\":1800000000,\"name\":null,\"video\":null,\"aud\":[\"x\"],"
                             "\"video2\":5,\"video \":{}}");
  lktoken_claims v;
  assert_int_equal(lktoken_verify(t, strlen(t), SECRET, SECRET_LEN, NOW, 0, &v, NULL), LKTOKEN_OK);
  assert_null(v.name);
  assert_false(v.video.present);
  assert_non_null(strstr(v.payload_json, "\"aud\":[\"x\"]"));
  lktoken_claims_free(&v);
  free(t);
  /* Unknown source names read as UNKNOWN; UNKNOWN cannot be minted. */
  t = sign_json(HS256, "{\"exp\":1800000000,\"video\":{\"canPublishSources\":[\"camera\",\"hologram\"]}}");
  assert_int_equal(lktoken_verify(t, strlen(t), SECRET, SECRET_LEN, NOW, 0, &v, NULL), LKTOKEN_OK);
  assert_int_equal(v.video.can_publish_sources, LKTOKEN_SOURCE_CAMERA | LKTOKEN_SOURCE_UNKNOWN);
  char buf[2048];
  size_t n;
  lktoken_error e;
  v.expires_at = NOW + 1;
  assert_int_equal(lktoken_mint(&v, "k", SECRET, SECRET_LEN, buf, sizeof buf, &n, &e),
                   LKTOKEN_E_CLAIM_VALUE);
  assert_string_equal(e.claim, "video.canPublishSources");
  lktoken_claims_free(&v);
  free(t);
  /* Duplicate claim names: the last one wins (as JSON.parse and Go). */
  t = sign_json(HS256, "{\"exp\":1800000000,\"sub\":\"a\",\"sub\":\"b\"}");
  assert_int_equal(lktoken_verify(t, strlen(t), SECRET, SECRET_LEN, NOW, 0, &v, NULL), LKTOKEN_OK);
  assert_string_equal(v.identity, "b");
  lktoken_claims_free(&v);
  free(t);
}

/* ------------------------------------------- printing what verify accepts */

/* Verifies payload at NOW (leeway 0) and returns lktoken_claims_to_json() of
 * the claims in a static buffer; asserts both succeed. */
static const char *verified_json(const char *payload) {
  static char buf[4096];
  char *t = sign_json(HS256, payload);
  lktoken_claims v;
  lktoken_error e;
  lktoken_status st = lktoken_verify(t, strlen(t), SECRET, SECRET_LEN, NOW, 0, &v, &e);
  free(t);
  if (st != LKTOKEN_OK) fail_msg("verify %s: %s: %s", payload, lktoken_strerror(st), e.message);
  size_t n = 0;
  st = lktoken_claims_to_json(&v, buf, sizeof buf, &n, &e);
  lktoken_claims_free(&v);
  if (st != LKTOKEN_OK) fail_msg("to_json %s: %s: %s", payload, lktoken_strerror(st), e.message);
  assert_int_equal(strlen(buf), n);
  return buf;
}

/* lktoken_claims_to_json() takes whatever lktoken_verify() accepted (the
 * `lktoken verify` output): an unknown source, negative and real times. */
static void test_to_json_of_verified(void **state) {
  (void)state;
  assert_string_equal(
      verified_json("{\"exp\":1800000000,\"video\":{\"canPublishSources\":[\"hologram\",\"camera\"]}}"),
      "{\"exp\":1800000000,\"video\":{\"canPublishSources\":[\"camera\",\"unknown\"]}}");
  assert_string_equal(
      verified_json("{\"exp\":1800000000,\"video\":{\"canPublishSources\":[\"x\",\"y\"]}}"),
      "{\"exp\":1800000000,\"video\":{\"canPublishSources\":[\"unknown\"]}}");
  assert_string_equal(verified_json("{\"exp\":1800000000,\"nbf\":-5,\"iat\":-5}"),
                      "{\"nbf\":-5,\"exp\":1800000000,\"iat\":-5}");
  /* Reals as verify rounded them: nbf up, exp and iat down. */
  assert_string_equal(verified_json("{\"exp\":1800000000.5,\"nbf\":-1.5,\"iat\":-1.5}"),
                      "{\"nbf\":-1,\"exp\":1800000000,\"iat\":-2}");
  assert_string_equal(verified_json("{\"exp\":1800000000,\"nbf\":-9007199254740991}"),
                      "{\"nbf\":-9007199254740991,\"exp\":1800000000}");

  /* The printed JSON reads back to the same claims and prints the same. */
  const char *j = verified_json(
      "{\"exp\":1800000000,\"nbf\":-5,\"video\":{\"canPublishSources\":[\"camera\",\"hologram\"]}}");
  char j1[4096], j2[4096];
  strcpy(j1, j);
  lktoken_claims w;
  lktoken_error e;
  assert_int_equal(lktoken_claims_from_json(j1, strlen(j1), NULL, NULL, &w, &e), LKTOKEN_OK);
  assert_int_equal(w.video.can_publish_sources, LKTOKEN_SOURCE_CAMERA | LKTOKEN_SOURCE_UNKNOWN);
  assert_int_equal(w.not_before, -5);
  size_t n2 = 0;
  assert_int_equal(lktoken_claims_to_json(&w, j2, sizeof j2, &n2, &e), LKTOKEN_OK);
  assert_string_equal(j1, j2);
  /* ... but mint still refuses a negative time, then UNKNOWN. */
  char tok[2048];
  size_t tn;
  assert_int_equal(lktoken_mint(&w, "k", SECRET, SECRET_LEN, tok, sizeof tok, &tn, &e),
                   LKTOKEN_E_CLAIM_VALUE);
  assert_string_equal(e.claim, "nbf");
  w.not_before = NOW;
  assert_int_equal(lktoken_mint(&w, "k", SECRET, SECRET_LEN, tok, sizeof tok, &tn, &e),
                   LKTOKEN_E_CLAIM_VALUE);
  assert_string_equal(e.claim, "video.canPublishSources");
  w.video.can_publish_sources = LKTOKEN_SOURCE_CAMERA;
  assert_int_equal(lktoken_mint(&w, "k", SECRET, SECRET_LEN, tok, sizeof tok, &tn, &e), LKTOKEN_OK);
  lktoken_claims_free(&w);

  /* Really invalid values are still refused, by verify and by to_json. */
  assert_int_equal(verify_payload("{\"exp\":1800000000,\"nbf\":-9007199254740992}", &e),
                   LKTOKEN_E_CLAIM_VALUE);
  assert_int_equal(verify_payload("{\"exp\":1800000000,\"iat\":-1e300}", &e),
                   LKTOKEN_E_CLAIM_VALUE);
  assert_int_equal(verify_payload("{\"exp\":1800000000,\"video\":{\"canPublishSources\":[1]}}", &e),
                   LKTOKEN_E_CLAIM_TYPE);
  lktoken_claims c = base_claims();
  char buf[1024];
  size_t n;
  c.not_before = -LKTOKEN_MAX_TIME - 1;
  assert_int_equal(lktoken_claims_to_json(&c, buf, sizeof buf, &n, &e), LKTOKEN_E_CLAIM_VALUE);
  assert_string_equal(e.claim, "nbf");
  c.not_before = NOW;
  c.issued_at = LKTOKEN_MAX_TIME + 1;
  assert_int_equal(lktoken_claims_to_json(&c, buf, sizeof buf, &n, &e), LKTOKEN_E_CLAIM_VALUE);
  assert_string_equal(e.claim, "iat");
  c.issued_at = 0;
  c.video.has_can_publish_sources = true;
  c.video.can_publish_sources = LKTOKEN_SOURCE_CAMERA | 0x40u; /* no such bit */
  assert_int_equal(lktoken_claims_to_json(&c, buf, sizeof buf, &n, &e), LKTOKEN_E_CLAIM_VALUE);
  assert_string_equal(e.claim, "video.canPublishSources");
  assert_non_null(strstr(e.message, "0x40"));
}

/* ------------------------------------------------------------- attributes */

static void test_attribute_rules(void **state) {
  (void)state;
  lktoken_error e;
  /* Verify side. */
  static const struct {
    const char *payload;
    lkattrs_status ast;
  } cases[] = {
      {"{\"exp\":1800000000,\"attributes\":{\"\":\"x\"}}", LKATTRS_E_KEY_EMPTY},
      {"{\"exp\":1800000000,\"attributes\":{\"a\\u0001\":\"x\"}}", LKATTRS_E_CONTROL_CHAR},
      {"{\"exp\":1800000000,\"attributes\":{\"a\":\"x\\u0000\"}}", LKATTRS_E_NUL},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    lktoken_status st = verify_payload(cases[i].payload, &e);
    if (st != LKTOKEN_E_ATTRIBUTES || e.attrs_status != cases[i].ast)
      fail_msg("%s: got %d/%d (%s)", cases[i].payload, st, e.attrs_status, e.message);
    assert_string_equal(e.claim, "attributes");
  }
  /* U+0000 in a key: refused by the JSON parser. */
  assert_int_equal(verify_payload("{\"exp\":1800000000,\"attributes\":{\"a\\u0000\":\"x\"}}", &e),
                   LKTOKEN_E_JSON);
  /* Bad UTF-8 inside an attribute: refused while parsing. */
  assert_int_equal(verify_payload("{\"exp\":1800000000,\"attributes\":{\"a\":\"\xff\"}}", &e), LKTOKEN_E_UTF8);
  /* Key 256 vs 257 bytes; total 65536 vs 65537 bytes. */
  char *payload = malloc(70000);
  assert_non_null(payload);
  for (int extra = 0; extra <= 1; extra++) {
    char key[300];
    memset(key, 'k', sizeof key);
    key[256 + extra] = '\0';
    snprintf(payload, 70000, "{\"exp\":1800000000,\"attributes\":{\"%s\":\"v\"}}", key);
    lktoken_status st = verify_payload(payload, &e);
    assert_int_equal(st, extra ? LKTOKEN_E_ATTRIBUTES : LKTOKEN_OK);
    if (extra) assert_int_equal(e.attrs_status, LKATTRS_E_KEY_TOO_LONG);

    int n = snprintf(payload, 70000, "{\"exp\":1800000000,\"attributes\":{\"k\":\"");
    memset(payload + n, 'v', 65535 + (size_t)extra);
    strcpy(payload + n + 65535 + extra, "\"}}");
    st = verify_payload(payload, &e);
    assert_int_equal(st, extra ? LKTOKEN_E_ATTRIBUTES : LKTOKEN_OK);
    if (extra) assert_int_equal(e.attrs_status, LKATTRS_E_TOO_LARGE);
  }
  /* Caller limits: tighter. */
  lkattrs_limits lim = lkattrs_limits_default();
  lim.max_entries = 1;
  char *t = sign_json(HS256, "{\"exp\":1800000000,\"attributes\":{\"a\":\"1\",\"b\":\"2\"}}");
  lktoken_verify_params p;
  memset(&p, 0, sizeof p);
  p.now = NOW;
  p.limits = &lim;
  lktoken_claims v;
  assert_int_equal(lktoken_verify_opts(t, strlen(t), SECRET, SECRET_LEN, &p, &v, &e), LKTOKEN_E_ATTRIBUTES);
  assert_int_equal(e.attrs_status, LKATTRS_E_TOO_MANY_ENTRIES);
  free(t);

  /* Mint side. */
  lktoken_claims c = base_claims();
  lkattrs_entry bad[] = {E("ok", "1"), {"k", 1, "\xc3\x28", 2}};
  c.attributes = bad;
  c.attributes_count = 2;
  char buf[1 << 17];
  size_t n;
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, buf, sizeof buf, &n, &e), LKTOKEN_E_ATTRIBUTES);
  assert_int_equal(e.attrs_status, LKATTRS_E_UTF8);
  assert_non_null(strstr(e.message, "\"k\""));
  memset(payload, 'v', 65536);
  lkattrs_entry big[] = {{"k", 1, payload, 65536}};
  c.attributes = big;
  c.attributes_count = 1;
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, buf, sizeof buf, &n, &e), LKTOKEN_E_ATTRIBUTES);
  assert_int_equal(e.attrs_status, LKATTRS_E_TOO_LARGE);
  lkattrs_entry ctl[] = {E("a\n", "x")};
  c.attributes = ctl;
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, buf, sizeof buf, &n, &e), LKTOKEN_E_ATTRIBUTES);
  assert_int_equal(e.attrs_status, LKATTRS_E_CONTROL_CHAR);
  /* Duplicates: last wins; an empty value is kept in the token. */
  lkattrs_entry dup[] = {E("a", "1"), E("a", "2"), E("e", "")};
  c.attributes = dup;
  c.attributes_count = 3;
  const char *tok = mint_ok(&c);
  assert_int_equal(lktoken_verify(tok, strlen(tok), SECRET, SECRET_LEN, NOW, 0, &v, &e), LKTOKEN_OK);
  assert_int_equal(v.attributes_count, 2);
  assert_string_equal(v.attributes[0].value, "2");
  assert_string_equal(v.attributes[1].key, "e");
  assert_int_equal(v.attributes[1].value_len, 0);
  lktoken_claims_free(&v);
  /* Other strings: bad UTF-8 refused on mint. */
  c.attributes_count = 0;
  c.name = "\xe2\x82";
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, buf, sizeof buf, &n, &e), LKTOKEN_E_CLAIM_VALUE);
  assert_string_equal(e.claim, "name");
  c.name = NULL;
  c.room_config = "[1]";
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, buf, sizeof buf, &n, &e), LKTOKEN_E_ROOM_CONFIG);
  c.room_config = "{\"a\":";
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, buf, sizeof buf, &n, &e), LKTOKEN_E_ROOM_CONFIG);
  c.room_config = NULL;
  c.video.hidden = (lktoken_bool)7;
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, buf, sizeof buf, &n, &e), LKTOKEN_E_INVALID_ARGUMENT);
  free(payload);
}

/* -------------------------------------------------------------------- join */

static void assert_map_is(const lkattrs_map *m, const char *const *kv) {
  size_t n = 0;
  for (; kv[2 * n]; n++) {
    const char *val;
    assert_int_equal(lkattrs_map_get(m, kv[2 * n], strlen(kv[2 * n]), &val, NULL), LKATTRS_OK);
    assert_string_equal(val, kv[2 * n + 1]);
  }
  assert_int_equal(lkattrs_map_count(m), n);
}

static void test_join(void **state) {
  (void)state;
  lkattrs_entry attrs[] = {E("a", "0"), E("b", "1"), E("gone", "")};
  lktoken_claims c = base_claims();
  c.attributes = attrs;
  c.attributes_count = ARRAY_LEN(attrs);
  c.video.can_update_own_metadata = LKTOKEN_TRUE;
  char tok[4096];
  strcpy(tok, mint_ok(&c));
  lktoken_claims v;
  assert_int_equal(lktoken_verify(tok, strlen(tok), SECRET, SECRET_LEN, NOW, 0, &v, NULL), LKTOKEN_OK);

  lkattrs_entry join[] = {E("b", "2"), E("c", "3")};
  lkattrs_map *out = NULL;
  assert_int_equal(lkattrs_map_new(NULL, 0, &out), LKATTRS_OK);
  lkattrs_error_detail d;
  assert_int_equal(lktoken_join(&v, join, 2, NULL, out, &d), LKATTRS_OK);
  assert_map_is(out, (const char *const[]){"a", "0", "b", "2", "c", "3", NULL});
  lktoken_claims_free(&v);

  /* Without canUpdateOwnMetadata: join attributes refused, out unchanged;
   * with no join attributes the token's map alone is fine. */
  c.video.can_update_own_metadata = LKTOKEN_FALSE;
  strcpy(tok, mint_ok(&c));
  assert_int_equal(lktoken_verify(tok, strlen(tok), SECRET, SECRET_LEN, NOW, 0, &v, NULL), LKTOKEN_OK);
  assert_int_equal(lktoken_join(&v, join, 2, NULL, out, &d), LKATTRS_E_NOT_ALLOWED);
  assert_int_equal(lkattrs_status_to_reason(LKATTRS_E_NOT_ALLOWED), LKATTRS_REASON_NOT_ALLOWED);
  assert_map_is(out, (const char *const[]){"a", "0", "b", "2", "c", "3", NULL});
  assert_int_equal(lktoken_join(&v, NULL, 0, NULL, out, &d), LKATTRS_OK);
  assert_map_is(out, (const char *const[]){"a", "0", "b", "1", NULL});
  /* A join may not write reserved names as a client (the token may). */
  lktoken_claims_free(&v);
  lkattrs_entry sip[] = {E("sip.phoneNumber", "+1")};
  c.video.can_update_own_metadata = LKTOKEN_TRUE;
  assert_int_equal(lktoken_join(&c, sip, 1, NULL, out, &d), LKATTRS_E_RESERVED_NAME);
  lkattrs_entry tok_sip[] = {E("sip.phoneNumber", "+1")};
  c.attributes = tok_sip;
  c.attributes_count = 1;
  assert_int_equal(lktoken_join(&c, NULL, 0, NULL, out, &d), LKATTRS_OK);
  assert_map_is(out, (const char *const[]){"sip.phoneNumber", "+1", NULL});
  assert_int_equal(lktoken_join(NULL, NULL, 0, NULL, out, &d), LKATTRS_E_INVALID_ARGUMENT);
  assert_false(lktoken_can_update_metadata(NULL));
  lkattrs_map_free(out);
}

/* ------------------------------------------------------- out of memory */

static void test_allocation_failures(void **state) {
  (void)state;
  lkattrs_entry attrs[] = {E("a", "0"), E("b", "1")};
  lktoken_claims c = base_claims();
  c.attributes = attrs;
  c.attributes_count = 2;
  c.video.can_update_own_metadata = LKTOKEN_TRUE;
  c.room_config = "{\"name\":\"r\"}";
  char tok[4096];
  strcpy(tok, mint_ok(&c));
  lkattrs_entry join[] = {E("b", "2"), E("c", "3")};
  bool succeeded = false;
  for (size_t fail_at = 1; !succeeded && fail_at < 100; fail_at++) {
    counting_alloc ca = {0, fail_at, 0, 0, 0};
    lkattrs_allocator alc = counting_allocator(&ca);
    lktoken_verify_params p;
    memset(&p, 0, sizeof p);
    p.now = NOW;
    p.alc = &alc;
    lktoken_claims v;
    lktoken_error e;
    lktoken_status st = lktoken_verify_opts(tok, strlen(tok), SECRET, SECRET_LEN, &p, &v, &e);
    if (st != LKTOKEN_OK) {
      assert_int_equal(st, LKTOKEN_E_NOMEM);
      assert_int_equal(ca.failures, 1);
      assert_null(v.owned_);
      assert_int_equal(ca.live_blocks, 0);
      continue;
    }
    /* The join's temporary map uses the claims' allocator as well. */
    lkattrs_map *out = NULL;
    assert_int_equal(lkattrs_map_new(NULL, 0, &out), LKATTRS_OK);
    lkattrs_error_detail d;
    lkattrs_status js = lktoken_join(&v, join, 2, NULL, out, &d);
    if (js == LKATTRS_OK) {
      succeeded = true;
      assert_map_is(out, (const char *const[]){"a", "0", "b", "2", "c", "3", NULL});
    } else {
      assert_int_equal(js, LKATTRS_E_NOMEM);
      assert_int_equal(lkattrs_map_count(out), 0);
    }
    lkattrs_map_free(out);
    lktoken_claims_free(&v);
    assert_int_equal(ca.live_blocks, 0);
    assert_int_equal(ca.live_bytes, 0);
  }
  assert_true(succeeded);
  /* An allocator without free is refused. */
  lkattrs_allocator half = {ca_alloc, NULL, NULL, NULL};
  lktoken_claims v;
  assert_int_equal(lktoken_claims_from_json("{}", 2, NULL, &half, &v, NULL), LKTOKEN_E_INVALID_ARGUMENT);
}

/* ------------------------------------------------------- buffers, args */

static void test_buffers_and_arguments(void **state) {
  (void)state;
  lktoken_claims c = base_claims();
  size_t need = 0;
  lktoken_error e;
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, NULL, 0, &need, &e), LKTOKEN_E_NOSPACE);
  char *buf = malloc(need + 1);
  assert_non_null(buf);
  size_t got = 0;
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, buf, need, &got, &e), LKTOKEN_E_NOSPACE);
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, buf, need + 1, &got, &e), LKTOKEN_OK);
  assert_int_equal(got, need);
  assert_int_equal(strlen(buf), need);
  /* Deterministic: same claims, same token. */
  char again[1024];
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, again, sizeof again, &got, NULL), LKTOKEN_OK);
  assert_string_equal(buf, again);
  free(buf);
  assert_int_equal(lktoken_claims_to_json(&c, NULL, 0, &need, &e), LKTOKEN_E_NOSPACE);
  assert_int_equal(need, strlen("{\"sub\":\"alice\",\"nbf\":1699999990,\"exp\":1700003600}"));

  assert_int_equal(lktoken_mint(NULL, "k", SECRET, SECRET_LEN, again, 10, &got, &e), LKTOKEN_E_INVALID_ARGUMENT);
  assert_int_equal(lktoken_mint(&c, NULL, SECRET, SECRET_LEN, again, 10, &got, &e), LKTOKEN_E_INVALID_ARGUMENT);
  assert_int_equal(lktoken_mint(&c, "", SECRET, SECRET_LEN, again, 10, &got, &e), LKTOKEN_E_INVALID_ARGUMENT);
  assert_int_equal(lktoken_mint(&c, "k", SECRET, 0, again, 10, &got, &e), LKTOKEN_E_INVALID_ARGUMENT);
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, NULL, 10, &got, &e), LKTOKEN_E_INVALID_ARGUMENT);
  lktoken_claims v;
  assert_int_equal(lktoken_verify(NULL, 5, SECRET, SECRET_LEN, NOW, 0, &v, &e), LKTOKEN_E_INVALID_ARGUMENT);
  assert_int_equal(lktoken_verify("a.b.c", 5, SECRET, 0, NOW, 0, &v, &e), LKTOKEN_E_INVALID_ARGUMENT);
  assert_int_equal(lktoken_verify("a.b.c", 5, SECRET, SECRET_LEN, NOW, 0, NULL, &e), LKTOKEN_E_INVALID_ARGUMENT);
  assert_int_equal(lktoken_verify_opts("a.b.c", 5, SECRET, SECRET_LEN, NULL, &v, NULL), LKTOKEN_E_INVALID_ARGUMENT);
  assert_int_equal(lktoken_claims_from_json(NULL, 1, NULL, NULL, &v, NULL), LKTOKEN_E_INVALID_ARGUMENT);
  lkattrs_entry nul_attr[] = {{NULL, 3, "v", 1}};
  c.attributes = nul_attr;
  c.attributes_count = 1;
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, again, sizeof again, &got, &e), LKTOKEN_E_INVALID_ARGUMENT);
  c.attributes = NULL;
  assert_int_equal(lktoken_mint(&c, "k", SECRET, SECRET_LEN, again, sizeof again, &got, &e), LKTOKEN_E_INVALID_ARGUMENT);
  lktoken_claims_free(NULL);
  lktoken_claims_init(NULL);
}

/* --------------------------------------------------- errors and version */

static void test_strerror_and_version(void **state) {
  (void)state;
  static const lktoken_status all[] = {
      LKTOKEN_OK, LKTOKEN_E_INVALID_ARGUMENT, LKTOKEN_E_NOMEM, LKTOKEN_E_NOSPACE, LKTOKEN_E_CRYPTO,
      LKTOKEN_E_MALFORMED, LKTOKEN_E_TOO_LARGE, LKTOKEN_E_BASE64, LKTOKEN_E_JSON, LKTOKEN_E_UTF8,
      LKTOKEN_E_HEADER, LKTOKEN_E_ALG, LKTOKEN_E_SIGNATURE, LKTOKEN_E_EXPIRED,
      LKTOKEN_E_NOT_YET_VALID, LKTOKEN_E_NO_EXPIRY, LKTOKEN_E_ISSUER, LKTOKEN_E_CLAIM_TYPE,
      LKTOKEN_E_CLAIM_VALUE, LKTOKEN_E_ATTRIBUTES, LKTOKEN_E_ROOM_CONFIG};
  /* Pinned values. */
  static const int values[] = {0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23, 24, 30, 31, 32, 33};
  for (size_t i = 0; i < ARRAY_LEN(all); i++) {
    assert_int_equal((int)all[i], values[i]);
    const char *s = lktoken_strerror(all[i]);
    assert_non_null(s);
    assert_string_not_equal(s, "unknown error");
    for (size_t j = 0; j < i; j++) assert_string_not_equal(s, lktoken_strerror(all[j]));
  }
  assert_string_equal(lktoken_strerror((lktoken_status)999), "unknown error");
  assert_string_equal(lktoken_version_string(), LKTOKEN_VERSION_STRING);
  char v[32];
  snprintf(v, sizeof v, "%d.%d.%d", LKTOKEN_VERSION_MAJOR, LKTOKEN_VERSION_MINOR, LKTOKEN_VERSION_PATCH);
  assert_string_equal(v, LKTOKEN_VERSION_STRING);
#ifdef LKTOKEN_MAKEFILE_VERSION
  assert_string_equal(LKTOKEN_MAKEFILE_VERSION, LKTOKEN_VERSION_STRING);
#endif
  assert_non_null(strstr(lktoken_crypto_version(), "OpenSSL"));
  assert_non_null(lktoken_json_version());
}

/* ------------------------------------------------- seeded mutations */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 11);
}

static void test_mutations(void **state) {
  (void)state;
  lkattrs_entry attrs[] = {E("a", "0"), E("b", "1")};
  lktoken_claims c = base_claims();
  c.attributes = attrs;
  c.attributes_count = 2;
  c.video.room_join = LKTOKEN_TRUE;
  char orig[2048], tok[2048];
  strcpy(orig, mint_ok(&c));
  size_t len = strlen(orig);
  static const char alphabet[] = "ABCabc019-_.=+/ \x00\xff";
  for (int i = 0; i < 4000; i++) {
    memcpy(tok, orig, len + 1);
    size_t n = len;
    int edits = 1 + (int)(rnd() % 3);
    for (int k = 0; k < edits; k++) {
      size_t at = rnd() % n;
      switch (rnd() % 3) {
        case 0: tok[at] = alphabet[rnd() % (sizeof alphabet - 1)]; break;
        case 1: n = at; break;                            /* truncate */
        default: tok[at] = (char)(tok[at] ^ (1 << (rnd() % 8))); break;
      }
      if (n == 0) n = 1;
    }
    lktoken_claims v;
    lktoken_error e;
    lktoken_status st = lktoken_verify(tok, n, SECRET, SECRET_LEN, NOW, 0, &v, &e);
    if (st == LKTOKEN_OK) {
      /* Only an unchanged token (or one whose change base64url ignores:
       * none, decoding is canonical) may pass. */
      assert_int_equal(n, len);
      assert_memory_equal(tok, orig, len);
    }
    assert_int_equal(e.code, st);
    lktoken_claims_free(&v);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_b64url_vectors),
      cmocka_unit_test(test_round_trip_every_claim),
      cmocka_unit_test(test_minimal_and_absent),
      cmocka_unit_test(test_golden_sdk_token),
      cmocka_unit_test(test_tampered),
      cmocka_unit_test(test_algorithms_refused),
      cmocka_unit_test(test_time_checks),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_claim_types),
      cmocka_unit_test(test_to_json_of_verified),
      cmocka_unit_test(test_attribute_rules),
      cmocka_unit_test(test_join),
      cmocka_unit_test(test_allocation_failures),
      cmocka_unit_test(test_buffers_and_arguments),
      cmocka_unit_test(test_strerror_and_version),
      cmocka_unit_test(test_mutations),
  };
  return cmocka_run_group_tests_name("liblktoken", tests, NULL, NULL);
}
