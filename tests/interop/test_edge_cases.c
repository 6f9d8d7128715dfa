/* Wire edge cases (tests/interop/vectors/edge-cases.txt) decoded by the
 * generated protobuf-c and nanopb code, with the outcomes asserted.  What
 * each case means, and what LiveKit's JS does with it, is in
 * docs/wire-behaviour.md; tests/interop/edge-cases.mjs asserts the JS side.
 *
 * usage: test_edge_cases [VECTORS]  (default: tests/interop/vectors/edge-cases.txt) */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka needs the three headers above first */
#include <cmocka.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "golden_util.h"
#include "livekit_models.pb-c.h"
#include "livekit_models.pb.h"
#include "livekit_rtc.pb-c.h"
#include "livekit_rtc.pb.h"

/* --- the vectors ---------------------------------------------------------- */
#define MAX_CASES 32
static struct {
  char name[64];
  uint8_t *bytes;
  size_t len;
} cases[MAX_CASES];
static size_t n_cases;

static void load_cases(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) die("cannot open the edge-case vectors");
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  while ((got = getline(&line, &cap, f)) > 0) {
    char name[64], type[128], hex[4096];
    if (line[0] == '#' || got < 3) continue;
    if (sscanf(line, "%63s %127s %4095s", name, type, hex) != 3) continue;
    if (n_cases == MAX_CASES) die("too many cases");
    long n = unhex(hex, strlen(hex), &cases[n_cases].bytes);
    if (n < 0) die("bad hex in the edge-case vectors");
    memcpy(cases[n_cases].name, name, sizeof name);
    cases[n_cases].len = (size_t)n;
    n_cases++;
  }
  free(line);
  fclose(f);
}

static void free_cases(void) {
  for (size_t i = 0; i < n_cases; i++) free(cases[i].bytes);
}

static const uint8_t *vec(const char *name, size_t *len) {
  for (size_t i = 0; i < n_cases; i++) {
    if (strcmp(cases[i].name, name) == 0) {
      *len = cases[i].len;
      return cases[i].bytes;
    }
  }
  fail_msg("no edge case named %s", name);
  return NULL;
}

static void assert_bytes(const uint8_t *got, size_t n, const char *hex) {
  sbuf_t b = {0};
  sb_hex(&b, got, n);
  sb_puts(&b, "");
  assert_string_equal(b.data, hex);
  free(b.data);
}

/* --- protobuf-c ----------------------------------------------------------- */
static Livekit__UpdateParticipantMetadata *pbc_upm(const char *name) {
  size_t n;
  const uint8_t *p = vec(name, &n);
  Livekit__UpdateParticipantMetadata *m = livekit__update_participant_metadata__unpack(NULL, n, p);
  assert_non_null(m);
  return m;
}

static void pbc_repack(const ProtobufCMessage *m, const char *hex) {
  size_t n = protobuf_c_message_get_packed_size(m);
  uint8_t *buf = malloc(n ? n : 1);
  assert_non_null(buf);
  assert_int_equal(protobuf_c_message_pack(m, buf), n);
  assert_bytes(buf, n, hex);
  free(buf);
}

static void assert_entry(const Livekit__UpdateParticipantMetadata__AttributesEntry *e, const char *k,
                         const char *v) {
  assert_string_equal(e->key, k);
  assert_string_equal(e->value, v);
}

static void test_pbc_maps(void **state) {
  (void)state;
  Livekit__UpdateParticipantMetadata *m = pbc_upm("dup_key");
  /* protobuf-c keeps both entries, in wire order: "last wins" is up to the
   * reader (libattrs' wire reader applies it). */
  assert_int_equal(m->n_attributes, 2);
  assert_entry(m->attributes[0], "k", "one");
  assert_entry(m->attributes[1], "k", "two");
  pbc_repack(&m->base, "1a080a016b12036f6e651a080a016b120374776f");
  livekit__update_participant_metadata__free_unpacked(m, NULL);

  m = pbc_upm("value_before_key");
  assert_int_equal(m->n_attributes, 1);
  assert_entry(m->attributes[0], "k", "v");
  pbc_repack(&m->base, "1a060a016b120176"); /* re-encoded key first */
  livekit__update_participant_metadata__free_unpacked(m, NULL);

  m = pbc_upm("missing_key");
  assert_int_equal(m->n_attributes, 1);
  assert_entry(m->attributes[0], "", "v");
  livekit__update_participant_metadata__free_unpacked(m, NULL);

  m = pbc_upm("missing_value");
  assert_int_equal(m->n_attributes, 1);
  assert_entry(m->attributes[0], "k", "");
  livekit__update_participant_metadata__free_unpacked(m, NULL);

  m = pbc_upm("entry_unknown_field");
  assert_int_equal(m->n_attributes, 1);
  assert_entry(m->attributes[0], "k", "v");
  /* The unknown field is kept inside the entry and written back (last). */
  assert_int_equal(m->attributes[0]->base.n_unknown_fields, 1);
  pbc_repack(&m->base, "1a080a016b1201761807");
  livekit__update_participant_metadata__free_unpacked(m, NULL);

  m = pbc_upm("interleaved");
  assert_int_equal(m->n_attributes, 2);
  assert_entry(m->attributes[0], "k", "v");
  assert_entry(m->attributes[1], "j", "w");
  assert_string_equal(m->name, "nm");
  livekit__update_participant_metadata__free_unpacked(m, NULL);
}

static void test_pbc_fields(void **state) {
  (void)state;
  Livekit__UpdateParticipantMetadata *m = pbc_upm("unknown_fields");
  assert_string_equal(m->name, "n");
  /* Unknown fields are kept and re-encoded after the known ones. */
  assert_int_equal(m->base.n_unknown_fields, 2);
  pbc_repack(&m->base, "12016e980601a206027878");
  livekit__update_participant_metadata__free_unpacked(m, NULL);

  m = pbc_upm("nul_in_string");
  /* char * strings end at the first U+0000: "a\0b" reads as "a", and is
   * re-encoded shortened.  The same happens to attribute values. */
  assert_string_equal(m->name, "a");
  assert_entry(m->attributes[0], "k", "x");
  pbc_repack(&m->base, "1201611a060a016b120178");
  livekit__update_participant_metadata__free_unpacked(m, NULL);

  m = pbc_upm("invalid_utf8");
  /* Not validated: the two bytes are handed over as they are. */
  assert_memory_equal(m->name, "\xc3\x28", 3);
  pbc_repack(&m->base, "1202c328");
  livekit__update_participant_metadata__free_unpacked(m, NULL);

  size_t n;
  const uint8_t *p = vec("optional_zero", &n);
  Livekit__ConnectionSettings *cs = livekit__connection_settings__unpack(NULL, n, p);
  assert_non_null(cs);
  /* The proto3 optional, a one-field oneof for protoc-c: presence kept. */
  assert_int_equal(cs->_subscriber_allow_pause_case,
                   LIVEKIT__CONNECTION_SETTINGS___SUBSCRIBER_ALLOW_PAUSE_SUBSCRIBER_ALLOW_PAUSE);
  assert_false(cs->subscriber_allow_pause);
  pbc_repack(&cs->base, "1800");
  livekit__connection_settings__free_unpacked(cs, NULL);

  p = vec("negative_int32", &n);
  Livekit__ParticipantInfo *pi = livekit__participant_info__unpack(NULL, n, p);
  assert_non_null(pi);
  assert_int_equal(pi->client_protocol, -1);
  pbc_repack(&pi->base, "a001ffffffffffffffffff01");
  livekit__participant_info__free_unpacked(pi, NULL);
}

/* --- nanopb --------------------------------------------------------------- */
/* Attribute entries collected by the decode callbacks (fixed storage). */
typedef struct {
  char key[32], value[32];
  size_t key_len, value_len;
} entry_t;
typedef struct {
  entry_t e[8];
  size_t n;
} entries_t;

/* Key and value callbacks: copy the bytes (all of them, NULs included)
 * into the entry given as arg. */
static bool read_key(pb_istream_t *s, const pb_field_t *f, void **arg) {
  (void)f;
  entry_t *e = *arg;
  size_t n = s->bytes_left;
  if (n >= sizeof e->key) return false;
  e->key_len = n;
  e->key[n] = '\0';
  return pb_read(s, (pb_byte_t *)e->key, n);
}

static bool read_value(pb_istream_t *s, const pb_field_t *f, void **arg) {
  (void)f;
  entry_t *e = *arg;
  size_t n = s->bytes_left;
  if (n >= sizeof e->value) return false;
  e->value_len = n;
  e->value[n] = '\0';
  return pb_read(s, (pb_byte_t *)e->value, n);
}

static bool read_entry(pb_istream_t *s, const pb_field_t *f, void **arg) {
  (void)f;
  entries_t *es = *arg;
  if (es->n == 8) return false;
  entry_t *e = &es->e[es->n++];
  memset(e, 0, sizeof *e);
  livekit_UpdateParticipantMetadata_AttributesEntry pe = livekit_UpdateParticipantMetadata_AttributesEntry_init_zero;
  pe.key.funcs.decode = read_key;
  pe.key.arg = e;
  pe.value.funcs.decode = read_value;
  pe.value.arg = e;
  return pb_decode(s, livekit_UpdateParticipantMetadata_AttributesEntry_fields, &pe);
}

static bool npb_upm(const char *name, livekit_UpdateParticipantMetadata *m, entries_t *es) {
  size_t n;
  const uint8_t *p = vec(name, &n);
  memset(es, 0, sizeof *es);
  livekit_UpdateParticipantMetadata z = livekit_UpdateParticipantMetadata_init_zero;
  *m = z;
  m->attributes.funcs.decode = read_entry;
  m->attributes.arg = es;
  pb_istream_t s = pb_istream_from_buffer(p, n);
  return pb_decode(&s, livekit_UpdateParticipantMetadata_fields, m);
}

static void npb_reencode(const pb_msgdesc_t *d, void *m, const char *hex) {
  uint8_t buf[256];
  pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof buf);
  assert_true(pb_encode(&os, d, m));
  assert_bytes(buf, os.bytes_written, hex);
}

static void assert_npb_entry(const entry_t *e, const char *k, const char *v) {
  assert_string_equal(e->key, k);
  assert_string_equal(e->value, v);
}

static void test_npb_maps(void **state) {
  (void)state;
  livekit_UpdateParticipantMetadata m;
  entries_t es;
  assert_true(npb_upm("dup_key", &m, &es));
  assert_int_equal(es.n, 2); /* the callback sees both; last wins is ours */
  assert_npb_entry(&es.e[0], "k", "one");
  assert_npb_entry(&es.e[1], "k", "two");

  assert_true(npb_upm("value_before_key", &m, &es));
  assert_int_equal(es.n, 1);
  assert_npb_entry(&es.e[0], "k", "v");

  assert_true(npb_upm("missing_key", &m, &es));
  assert_int_equal(es.n, 1);
  assert_npb_entry(&es.e[0], "", "v");

  assert_true(npb_upm("missing_value", &m, &es));
  assert_int_equal(es.n, 1);
  assert_npb_entry(&es.e[0], "k", "");

  assert_true(npb_upm("entry_unknown_field", &m, &es)); /* skipped */
  assert_int_equal(es.n, 1);
  assert_npb_entry(&es.e[0], "k", "v");

  assert_true(npb_upm("interleaved", &m, &es));
  assert_int_equal(es.n, 2);
  assert_npb_entry(&es.e[0], "k", "v");
  assert_npb_entry(&es.e[1], "j", "w");
  assert_string_equal(m.name, "nm");
}

static void test_npb_fields(void **state) {
  (void)state;
  livekit_UpdateParticipantMetadata m;
  entries_t es;
  assert_true(npb_upm("unknown_fields", &m, &es));
  assert_string_equal(m.name, "n");
  m.attributes.funcs.encode = NULL;
  /* nanopb skips unknown fields: they are gone when re-encoded. */
  npb_reencode(livekit_UpdateParticipantMetadata_fields, &m, "12016e");

  assert_true(npb_upm("nul_in_string", &m, &es));
  /* The fixed array holds all three bytes, but C string use (and nanopb's
   * encoder) stops at the NUL: re-encoded as "a". A callback (the attribute
   * value) gets every byte. */
  assert_memory_equal(m.name, "a\0b", 4);
  assert_int_equal(es.n, 1);
  assert_int_equal(es.e[0].value_len, 3);
  assert_memory_equal(es.e[0].value, "x\0y", 3);
  m.attributes.funcs.encode = NULL;
  npb_reencode(livekit_UpdateParticipantMetadata_fields, &m, "120161");

  assert_true(npb_upm("invalid_utf8", &m, &es)); /* not validated */
  assert_memory_equal(m.name, "\xc3\x28", 3);

  size_t n;
  const uint8_t *p = vec("optional_zero", &n);
  livekit_ConnectionSettings cs = livekit_ConnectionSettings_init_zero;
  pb_istream_t s = pb_istream_from_buffer(p, n);
  assert_true(pb_decode(&s, livekit_ConnectionSettings_fields, &cs));
  assert_true(cs.has_subscriber_allow_pause);
  assert_false(cs.subscriber_allow_pause);
  npb_reencode(livekit_ConnectionSettings_fields, &cs, "1800");

  p = vec("negative_int32", &n);
  static livekit_ParticipantInfo pi; /* large: not on the stack */
  livekit_ParticipantInfo zi = livekit_ParticipantInfo_init_zero;
  pi = zi;
  s = pb_istream_from_buffer(p, n);
  assert_true(pb_decode(&s, livekit_ParticipantInfo_fields, &pi));
  assert_int_equal(pi.client_protocol, -1);
  npb_reencode(livekit_ParticipantInfo_fields, &pi, "a001ffffffffffffffffff01");
}

int main(int argc, char **argv) {
  load_cases(argc > 1 ? argv[1] : "tests/interop/vectors/edge-cases.txt");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pbc_maps),
      cmocka_unit_test(test_pbc_fields),
      cmocka_unit_test(test_npb_maps),
      cmocka_unit_test(test_npb_fields),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  free_cases();
  return rc;
}
