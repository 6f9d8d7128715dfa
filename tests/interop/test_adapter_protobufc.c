/*
 * test_adapter_protobufc.c - the protobuf-c adapter (lkattrs/protobufc.h)
 * on every attribute-carrying message: ParticipantInfo.attributes,
 * UpdateParticipantMetadata.attributes, UpdateParticipantRequest.attributes,
 * JoinRequest.participant_attributes and
 * CreateSIPParticipantRequest.participant_attributes.
 *   - map -> message -> bytes -> protobuf-c -> map round trips, equal maps;
 *   - canonical order: the entries (and the packed bytes) are in bytewise
 *     key order whatever the insertion order, and equal lkattrs' writer;
 *   - message -> map: the last duplicate wins, "" is no value, invalid
 *     UTF-8, control characters and empty keys are refused with the map
 *     unchanged; U+0000 cannot reach the adapter (protobuf-c strings end
 *     there, as documented), the wire reader refuses it;
 *   - allocation failure in turn (counting allocator) for _get, _set and
 *     make_entries: a clean NOMEM, no leak, map and message unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "counting_alloc.h"
#include "lkattrs/lkattrs.h"
#include "lkattrs/protobufc.h"
#include "test_util.h"

/* ------------------------------------------------------------------------
 * One description per message, so every test runs on all five. */
typedef struct msg_kind {
  const char *name;
  const ProtobufCMessageDescriptor *desc;       /* the message */
  const ProtobufCMessageDescriptor *entry_desc; /* its map entry type */
  uint32_t field;                               /* the map field number */
  /* The typed helpers, through a common signature. */
  lkattrs_status (*get)(const void *msg, lkattrs_map *map, lkattrs_error_detail *d);
  lkattrs_status (*set)(void *msg, const lkattrs_map *map, const lkattrs_allocator *alc);
  void (*release)(void *msg, const lkattrs_map *map, const lkattrs_allocator *alc);
  /* The field inside the message struct. */
  size_t off_n, off_arr;
} msg_kind;

#define KIND(X, T, field, desc, entry_desc, no)                                     \
  static lkattrs_status X##_get(const void *m, lkattrs_map *map,                     \
                                lkattrs_error_detail *d) {                           \
    return lkattrs_pbc_##X##_get((const T *)m, map, d);                             \
  }                                                                                  \
  static lkattrs_status X##_set(void *m, const lkattrs_map *map,                     \
                                const lkattrs_allocator *alc) {                      \
    return lkattrs_pbc_##X##_set((T *)m, map, alc);                                  \
  }                                                                                  \
  static void X##_release(void *m, const lkattrs_map *map, const lkattrs_allocator *alc) { \
    lkattrs_pbc_##X##_release((T *)m, map, alc);                                     \
  }                                                                                  \
  static const msg_kind X##_kind = {#T, &desc, &entry_desc, no, X##_get, X##_set, X##_release, \
                                    offsetof(T, n_##field), offsetof(T, field)};

KIND(participant_info, Livekit__ParticipantInfo, attributes, livekit__participant_info__descriptor,
     livekit__participant_info__attributes_entry__descriptor, 15)
KIND(update_participant_metadata, Livekit__UpdateParticipantMetadata, attributes,
     livekit__update_participant_metadata__descriptor,
     livekit__update_participant_metadata__attributes_entry__descriptor, 3)
KIND(update_participant_request, Livekit__UpdateParticipantRequest, attributes,
     livekit__update_participant_request__descriptor,
     livekit__update_participant_request__attributes_entry__descriptor, 6)
KIND(join_request, Livekit__JoinRequest, participant_attributes, livekit__join_request__descriptor,
     livekit__join_request__participant_attributes_entry__descriptor, 4)
KIND(create_sip_participant_request, Livekit__CreateSIPParticipantRequest, participant_attributes,
     livekit__create_sipparticipant_request__descriptor,
     livekit__create_sipparticipant_request__participant_attributes_entry__descriptor, 9)

static const msg_kind *const kinds[] = {&participant_info_kind, &update_participant_metadata_kind,
                                        &update_participant_request_kind, &join_request_kind,
                                        &create_sip_participant_request_kind};

/* A message of kind k, initialised (every generated struct is <= 1 KiB). */
typedef union {
  ProtobufCMessage base;
  max_align_t align;
  unsigned char bytes[2048];
} msg_buf;

static void *new_msg(const msg_kind *k, msg_buf *b) {
  assert_true(k->desc->sizeof_message <= sizeof b->bytes);
  memset(b, 0, sizeof *b);
  protobuf_c_message_init(k->desc, b);
  return b;
}

static size_t field_n(const msg_kind *k, const void *m) {
  size_t n;
  memcpy(&n, (const char *)m + k->off_n, sizeof n);
  return n;
}
static void *const *field_arr(const msg_kind *k, const void *m) {
  void *const *a;
  memcpy(&a, (const char *)m + k->off_arr, sizeof a);
  return a;
}
static void field_put(const msg_kind *k, void *m, void **arr, size_t n) {
  memcpy((char *)m + k->off_arr, &arr, sizeof arr);
  memcpy((char *)m + k->off_n, &n, sizeof n);
}

/* Entry messages of kind k built by hand, for the message -> map tests. */
typedef struct {
  ProtobufCMessage base;
  char *key;
  char *value;
} entry_t;

typedef struct {
  msg_buf e[8];
  void *p[8];
  size_t n;
} entries;

static void add_entry(const msg_kind *k, entries *es, const char *key, const char *value) {
  assert_true(es->n < 8);
  entry_t *e = (entry_t *)(void *)&es->e[es->n];
  memset(e, 0, sizeof es->e[0]);
  protobuf_c_message_init(k->entry_desc, e);
  memcpy(&e->key, &key, sizeof key); /* protobuf-c only reads them */
  memcpy(&e->value, &value, sizeof value);
  es->p[es->n++] = e;
}

/* Packs m with protobuf-c into a malloc'd buffer. */
static uint8_t *pack(const void *m, size_t *n) {
  *n = protobuf_c_message_get_packed_size(m);
  uint8_t *b = malloc(*n + 1);
  assert_non_null(b);
  assert_int_equal(protobuf_c_message_pack(m, b), *n);
  return b;
}

static const char *const sample[] = {"zeta", "last", "a", "1", "\xc3\xbc" "ber", "umlaut",
                                     "lk.agent.state", "listening", "sip.phoneNumber", "+15550100",
                                     "ab", "2", NULL};
static const char *const sample_sorted[] = {"a", "1", "ab", "2", "lk.agent.state", "listening",
                                            "sip.phoneNumber", "+15550100", "zeta", "last",
                                            "\xc3\xbc" "ber", "umlaut", NULL};

/* ------------------------------------------------------------------------ */

/* map -> message -> bytes -> protobuf-c -> map, for every message. */
static void test_round_trip(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
    const msg_kind *k = kinds[i];
    counting_alloc ca = {0};
    lkattrs_allocator alc = counting_allocator(&ca);
    lkattrs_map *m = new_map(sample), *back = new_map(NULL);
    msg_buf mb;
    void *msg = new_msg(k, &mb);
    assert_int_equal(k->set(msg, m, &alc), LKATTRS_OK);
    assert_int_equal(field_n(k, msg), lkattrs_map_count(m));
    assert_int_equal(ca.live_blocks, 1); /* one block for the whole array */
    size_t n;
    uint8_t *bytes = pack(msg, &n);
    /* The map field alone: the bytes of lkattrs' own writer. */
    size_t need = 0, w = 0;
    assert_int_equal(lkattrs_wire_map_size(m, k->field, &need), LKATTRS_OK);
    assert_int_equal(need, n);
    uint8_t *ours = malloc(need);
    assert_int_equal(lkattrs_wire_write_map(m, k->field, ours, need, &w), LKATTRS_OK);
    assert_memory_equal(ours, bytes, n);
    free(ours);
    k->release(msg, m, &alc);
    assert_int_equal(field_n(k, msg), 0);
    assert_null(field_arr(k, msg));
    assert_int_equal(ca.live_blocks, 0);
    assert_int_equal(ca.live_bytes, 0);
    /* And back through protobuf-c's decoder. */
    ProtobufCMessage *u = protobuf_c_message_unpack(k->desc, NULL, n, bytes);
    assert_non_null(u);
    lkattrs_error_detail d;
    assert_int_equal(k->get(u, back, &d), LKATTRS_OK);
    assert_true(lkattrs_map_equal(m, back));
    assert_map(back, sample_sorted);
    protobuf_c_message_free_unpacked(u, NULL);
    free(bytes);
    lkattrs_map_free(m);
    lkattrs_map_free(back);
  }
}

/* Entries come out in bytewise key order, whatever the insertion order, so
 * equal maps pack to equal bytes. */
static void test_canonical_order(void **state) {
  (void)state;
  static const char *const reversed[] = {"ab", "2", "sip.phoneNumber", "+15550100", "lk.agent.state",
                                         "listening", "\xc3\xbc" "ber", "umlaut", "a", "1", "zeta",
                                         "last", NULL};
  for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
    const msg_kind *k = kinds[i];
    lkattrs_map *a = new_map(sample), *b = new_map(reversed);
    msg_buf ma, mb;
    void *x = new_msg(k, &ma), *y = new_msg(k, &mb);
    assert_int_equal(k->set(x, a, NULL), LKATTRS_OK);
    assert_int_equal(k->set(y, b, NULL), LKATTRS_OK);
    void *const *arr = field_arr(k, x);
    for (size_t j = 0; j < field_n(k, x); j++) {
      const entry_t *e = arr[j];
      assert_string_equal(e->key, sample_sorted[2 * j]);
      assert_string_equal(e->value, sample_sorted[2 * j + 1]);
      if (j) assert_true(strcmp(((const entry_t *)arr[j - 1])->key, e->key) < 0);
    }
    size_t n1, n2;
    uint8_t *p1 = pack(x, &n1), *p2 = pack(y, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(p1, p2, n1);
    free(p1);
    free(p2);
    k->release(x, a, NULL);
    k->release(y, b, NULL);
    lkattrs_map_free(a);
    lkattrs_map_free(b);
  }
}

/* An update map writes its "" (= delete) entries; a plain map has none. */
static void test_update_map_keeps_deletions(void **state) {
  (void)state;
  const msg_kind *k = &update_participant_metadata_kind;
  lkattrs_map *u = NULL;
  assert_int_equal(lkattrs_map_new(NULL, LKATTRS_MAP_UPDATE, &u), LKATTRS_OK);
  assert_int_equal(lkattrs_map_set(u, "gone", 4, "", 0), LKATTRS_OK);
  assert_int_equal(lkattrs_map_set(u, "b", 1, "2", 1), LKATTRS_OK);
  msg_buf mb;
  void *msg = new_msg(k, &mb);
  assert_int_equal(k->set(msg, u, NULL), LKATTRS_OK);
  assert_int_equal(field_n(k, msg), 2);
  size_t n;
  uint8_t *bytes = pack(msg, &n);
  Livekit__UpdateParticipantMetadata *back =
      livekit__update_participant_metadata__unpack(NULL, n, bytes);
  assert_non_null(back);
  assert_int_equal(back->n_attributes, 2);
  assert_string_equal(back->attributes[1]->key, "gone");
  assert_string_equal(back->attributes[1]->value, "");
  /* Read back as a plain map, "" is no value. */
  lkattrs_map *plain = new_map(NULL);
  assert_int_equal(lkattrs_pbc_update_participant_metadata_get(back, plain, NULL), LKATTRS_OK);
  static const char *const want[] = {"b", "2", NULL};
  assert_map(plain, want);
  /* An update map is not a destination for _get. */
  assert_int_equal(lkattrs_pbc_update_participant_metadata_get(back, u, NULL),
                   LKATTRS_E_INVALID_ARGUMENT);
  livekit__update_participant_metadata__free_unpacked(back, NULL);
  free(bytes);
  k->release(msg, u, NULL);
  lkattrs_map_free(plain);
  lkattrs_map_free(u);
}

/* message -> map: last duplicate wins, "" is no value, NULL key/value = "". */
static void test_get_rules(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
    const msg_kind *k = kinds[i];
    entries es = {.n = 0};
    add_entry(k, &es, "a", "1");
    add_entry(k, &es, "b", "2");
    add_entry(k, &es, "a", "3");
    add_entry(k, &es, "c", "");
    add_entry(k, &es, "d", NULL);
    add_entry(k, &es, "b", "");
    msg_buf mb;
    void *msg = new_msg(k, &mb);
    field_put(k, msg, es.p, es.n);
    static const char *const old[] = {"old", "x", NULL};
    lkattrs_map *m = new_map(old);
    assert_int_equal(k->get(msg, m, NULL), LKATTRS_OK);
    static const char *const want[] = {"a", "3", NULL}; /* replaced, not merged */
    assert_map(m, want);
    /* The zero-copy view keeps wire order and duplicates. */
    lkattrs_entry v[8];
    assert_int_equal(lkattrs_pbc_entries_view(es.p, es.n, v), LKATTRS_OK);
    assert_int_equal(v[2].key_len, 1);
    assert_memory_equal(v[2].value, "3", 1);
    assert_int_equal(v[4].value_len, 0);
    field_put(k, msg, NULL, 0);
    assert_int_equal(k->get(msg, m, NULL), LKATTRS_OK); /* empty field: empty map */
    assert_int_equal(lkattrs_map_count(m), 0);
    lkattrs_map_free(m);
  }
}

/* Bad text is refused and the map keeps its contents. */
static void test_get_refusals(void **state) {
  (void)state;
  static const struct {
    const char *key, *value;
    lkattrs_status want;
  } bad[] = {
      {"k", "\xff", LKATTRS_E_UTF8},           /* invalid byte */
      {"k", "\xc0\x80", LKATTRS_E_UTF8},       /* overlong U+0000 ("modified UTF-8") */
      {"k", "\xed\xa0\x80", LKATTRS_E_UTF8},   /* surrogate */
      {"\xe2\x82", "v", LKATTRS_E_UTF8},       /* truncated sequence in a key */
      {"a\x01", "v", LKATTRS_E_CONTROL_CHAR},  /* control character in a key */
      {"", "v", LKATTRS_E_KEY_EMPTY},
      {NULL, "v", LKATTRS_E_KEY_EMPTY},
  };
  static const char *const old[] = {"keep", "me", "x", "y", NULL};
  for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
    const msg_kind *k = kinds[i];
    for (size_t j = 0; j < ARRAY_LEN(bad); j++) {
      entries es = {.n = 0};
      add_entry(k, &es, "good", "1");
      add_entry(k, &es, bad[j].key, bad[j].value);
      msg_buf mb;
      void *msg = new_msg(k, &mb);
      field_put(k, msg, es.p, es.n);
      lkattrs_map *m = new_map(old);
      lkattrs_error_detail d;
      assert_int_equal(k->get(msg, m, &d), bad[j].want);
      assert_int_equal(d.code, bad[j].want);
      assert_int_equal(d.index, 1); /* the second entry */
      assert_map(m, old);
      lkattrs_map_free(m);
    }
  }
}

/* U+0000: protobuf-c cuts its strings there (documented), so the adapter
 * sees "a"; the wire reader, which reads the bytes, refuses the message. */
static void test_nul_is_a_wire_matter(void **state) {
  (void)state;
  /* ParticipantInfo {15: {1: "k", 2: "a\0b"}} */
  static const uint8_t msg[] = {0x7a, 0x08, 0x0a, 0x01, 'k', 0x12, 0x03, 'a', 0x00, 'b'};
  Livekit__ParticipantInfo *pi = livekit__participant_info__unpack(NULL, sizeof msg, msg);
  assert_non_null(pi);
  lkattrs_map *m = new_map(NULL), *w = new_map(NULL);
  assert_int_equal(lkattrs_pbc_participant_info_get(pi, m, NULL), LKATTRS_OK);
  static const char *const cut[] = {"k", "a", NULL};
  assert_map(m, cut);
  const uint32_t path[] = {15};
  lkattrs_error_detail d;
  assert_int_equal(lkattrs_wire_read_map(msg, sizeof msg, path, 1, w, &d), LKATTRS_E_NUL);
  assert_int_equal(lkattrs_map_count(w), 0);
  livekit__participant_info__free_unpacked(pi, NULL);
  lkattrs_map_free(m);
  lkattrs_map_free(w);
}

/* Every allocation of _get fails in turn: NOMEM, map unchanged, no leak. */
static void test_get_alloc_failure(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
    const msg_kind *k = kinds[i];
    entries es = {.n = 0};
    add_entry(k, &es, "a", "1");
    add_entry(k, &es, "bb", "22");
    add_entry(k, &es, "a", "333");
    add_entry(k, &es, "ccc", "4444");
    msg_buf mb;
    void *msg = new_msg(k, &mb);
    field_put(k, msg, es.p, es.n);
    size_t failures = 0;
    for (size_t fail_at = 1;; fail_at++) {
      counting_alloc ca = {0};
      lkattrs_allocator alc = counting_allocator(&ca);
      lkattrs_map *m = NULL;
      assert_int_equal(lkattrs_map_new(&alc, 0, &m), LKATTRS_OK);
      assert_int_equal(lkattrs_map_set(m, "old", 3, "value", 5), LKATTRS_OK);
      long blocks = ca.live_blocks, bytes = ca.live_bytes;
      ca.fail_at = ca.calls + fail_at;
      lkattrs_status st = k->get(msg, m, NULL);
      if (st == LKATTRS_OK) {
        static const char *const want[] = {"a", "333", "bb", "22", "ccc", "4444", NULL};
        assert_map(m, want);
        lkattrs_map_free(m);
        assert_int_equal(ca.live_blocks, 0);
        break;
      }
      failures++;
      assert_int_equal(st, LKATTRS_E_NOMEM);
      assert_int_equal(ca.failures, 1);
      static const char *const old[] = {"old", "value", NULL};
      assert_map(m, old);
      assert_int_equal(ca.live_blocks, blocks); /* nothing left behind */
      assert_int_equal(ca.live_bytes, bytes);
      lkattrs_map_free(m);
      assert_int_equal(ca.live_blocks, 0);
      assert_true(fail_at < 64);
    }
    assert_true(failures >= 1); /* at least the view block */
  }
}

/* _set with a failing allocator (given, or the map's): NOMEM, the field
 * untouched, nothing allocated. */
static void test_set_alloc_failure(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
    const msg_kind *k = kinds[i];
    counting_alloc ca = {0};
    lkattrs_allocator alc = counting_allocator(&ca);
    lkattrs_map *m = NULL;
    assert_int_equal(lkattrs_map_new(&alc, 0, &m), LKATTRS_OK);
    fill_map(m, sample);
    msg_buf mb;
    void *msg = new_msg(k, &mb);
    long blocks = ca.live_blocks;
    /* Given allocator. */
    ca.fail_at = ca.calls + 1;
    assert_int_equal(k->set(msg, m, &alc), LKATTRS_E_NOMEM);
    assert_int_equal(field_n(k, msg), 0);
    assert_null(field_arr(k, msg));
    assert_int_equal(ca.live_blocks, blocks);
    /* The map's allocator (alc NULL). */
    ca.fail_at = ca.calls + 1;
    assert_int_equal(k->set(msg, m, NULL), LKATTRS_E_NOMEM);
    assert_int_equal(field_n(k, msg), 0);
    assert_int_equal(ca.live_blocks, blocks);
    /* Then it works, with the map's allocator, and releases there. */
    assert_int_equal(k->set(msg, m, NULL), LKATTRS_OK);
    assert_int_equal(ca.live_blocks, blocks + 1);
    k->release(msg, m, NULL);
    assert_int_equal(ca.live_blocks, blocks);
    lkattrs_map_free(m);
    assert_int_equal(ca.live_blocks, 0);
  }
}

/* A fixed map too small for the message: NOSPACE, unchanged. */
static void test_get_fixed_nospace(void **state) {
  (void)state;
  const msg_kind *k = &participant_info_kind;
  unsigned char st[LKATTRS_MAP_FIXED_BYTES(2, 64)];
  lkattrs_map *m;
  assert_int_equal(lkattrs_map_init_fixed(st, sizeof st, 2, 0, &m), LKATTRS_OK);
  assert_int_equal(lkattrs_map_set(m, "x", 1, "1", 1), LKATTRS_OK);
  entries es = {.n = 0};
  add_entry(k, &es, "a", "1");
  add_entry(k, &es, "b", "2");
  add_entry(k, &es, "c", "3");
  msg_buf mb;
  void *msg = new_msg(k, &mb);
  field_put(k, msg, es.p, es.n);
  assert_int_equal(k->get(msg, m, NULL), LKATTRS_E_NOSPACE);
  static const char *const old[] = {"x", "1", NULL};
  assert_map(m, old);
  /* Two keys, one of them twice: the map would hold 2, but the sort of the
   * raw entries uses the fixed map's scratch table (max_entries slots), so
   * 3 raw entries do not fit a 2-entry map (documented in protobufc.h)... */
  es.n = 0;
  add_entry(k, &es, "a", "1");
  add_entry(k, &es, "b", "2");
  add_entry(k, &es, "a", "9");
  field_put(k, msg, es.p, es.n);
  assert_int_equal(k->get(msg, m, NULL), LKATTRS_E_NOSPACE);
  assert_map(m, old);
  /* ...and do fit a 3-entry one; the last "a" wins. */
  unsigned char st3[LKATTRS_MAP_FIXED_BYTES(3, 64)];
  assert_int_equal(lkattrs_map_init_fixed(st3, sizeof st3, 3, 0, &m), LKATTRS_OK);
  assert_int_equal(k->get(msg, m, NULL), LKATTRS_OK);
  static const char *const want[] = {"a", "9", "b", "2", NULL};
  assert_map(m, want);
  /* _set from a fixed map uses libc (or the allocator given). */
  assert_int_equal(k->set(msg, m, NULL), LKATTRS_OK);
  assert_int_equal(field_n(k, msg), 2);
  k->release(msg, m, NULL);
}

/* Arguments. */
static void test_arguments(void **state) {
  (void)state;
  lkattrs_map *m = new_map(sample);
  void **e = (void **)1;
  size_t n = 7;
  lkattrs_entry v[1];
  assert_int_equal(lkattrs_pbc_entries_view(NULL, 1, v), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_pbc_entries_view(NULL, 0, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_pbc_read_entries(NULL, NULL, 0, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_pbc_read_entries(m, NULL, 1, NULL), LKATTRS_E_INVALID_ARGUMENT);
  /* Not a map entry type. */
  assert_int_equal(lkattrs_pbc_make_entries(m, &livekit__participant_info__descriptor, NULL, &e, &n),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_null(e);
  assert_int_equal(n, 0);
  /* An allocator without free is refused. */
  lkattrs_allocator half = {ca_alloc, NULL, NULL, NULL};
  assert_int_equal(lkattrs_pbc_make_entries(m, &livekit__participant_info__attributes_entry__descriptor,
                                            &half, &e, &n),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_pbc_participant_info_get(NULL, m, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_pbc_participant_info_set(NULL, m, NULL), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_pbc_participant_info_release(NULL, m, NULL); /* no-op */
  lkattrs_pbc_free_entries(m, NULL, NULL, 0);           /* no-op */
  /* An empty map: no array at all. */
  lkattrs_map *empty = new_map(NULL);
  assert_int_equal(lkattrs_pbc_make_entries(empty, &livekit__participant_info__attributes_entry__descriptor,
                                            NULL, &e, &n),
                   LKATTRS_OK);
  assert_null(e);
  assert_int_equal(n, 0);
  lkattrs_map_free(empty);
  lkattrs_map_free(m);
}


/* lkattrs_pbc_participant_set_fields(): every field of the struct but its
 * attributes (ignored), which stay the state's; large structs take the
 * heap path; the result decodes back to the struct's fields. */
static void test_participant_set_fields(void **state) {
  (void)state;
  lkattrs_participant *p = NULL;
  assert_int_equal(lkattrs_participant_new(NULL, &p), LKATTRS_OK);
  lkattrs_entry tok[] = {{"color", 5, "blue", 4}, {"size", 4, "L", 1}};
  assert_int_equal(lkattrs_participant_join(p, tok, 2, NULL, 0, NULL, NULL), LKATTRS_OK);
  for (int big = 0; big < 2; big++) {
    Livekit__ParticipantInfo info = LIVEKIT__PARTICIPANT_INFO__INIT;
    Livekit__ParticipantInfo__AttributesEntry e = LIVEKIT__PARTICIPANT_INFO__ATTRIBUTES_ENTRY__INIT;
    Livekit__ParticipantInfo__AttributesEntry *ep = &e;
    static char meta[4000];
    memset(meta, 'm', sizeof meta - 1);
    e.key = "ignored";
    e.value = "x";
    info.sid = "PA_1";
    info.identity = "alice";
    info.name = "Alice";
    info.metadata = big ? meta : "small";
    info.state = LIVEKIT__PARTICIPANT_INFO__STATE__ACTIVE;
    info.version = 40;
    info.n_attributes = 1;
    info.attributes = &ep;
    uint32_t before = lkattrs_participant_version(p);
    assert_int_equal(lkattrs_pbc_participant_set_fields(p, &info, NULL), LKATTRS_OK);
    assert_int_equal(lkattrs_participant_version(p), before < 40 ? 40 : before + 1);
    size_t n;
    const unsigned char *b = lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_INFO, &n);
    Livekit__ParticipantInfo *got = livekit__participant_info__unpack(NULL, n, b);
    assert_non_null(got);
    assert_string_equal(got->sid, "PA_1");
    assert_string_equal(got->identity, "alice");
    assert_string_equal(got->name, "Alice");
    assert_string_equal(got->metadata, info.metadata);
    assert_int_equal(got->state, LIVEKIT__PARTICIPANT_INFO__STATE__ACTIVE);
    assert_int_equal(got->n_attributes, 2); /* the state's, not the struct's */
    assert_string_equal(got->attributes[0]->key, "color");
    assert_string_equal(got->attributes[1]->value, "L");
    livekit__participant_info__free_unpacked(got, NULL);
    assert_int_equal(info.n_attributes, 1); /* the caller's struct is only read */
  }
  assert_int_equal(lkattrs_pbc_participant_set_fields(NULL, NULL, NULL),
                   LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_participant_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_canonical_order),
      cmocka_unit_test(test_update_map_keeps_deletions),
      cmocka_unit_test(test_get_rules),
      cmocka_unit_test(test_get_refusals),
      cmocka_unit_test(test_nul_is_a_wire_matter),
      cmocka_unit_test(test_get_alloc_failure),
      cmocka_unit_test(test_set_alloc_failure),
      cmocka_unit_test(test_get_fixed_nospace),
      cmocka_unit_test(test_arguments),
      cmocka_unit_test(test_participant_set_fields),
  };
  return cmocka_run_group_tests_name("adapter_protobufc", tests, NULL, NULL);
}
