/*
 * test_adapter_nanopb.c - the nanopb adapter (lkattrs/nanopb.h): static
 * memory, fixed maps, no malloc.
 *   - decode callbacks: a ParticipantInfo's attributes into a fixed map
 *     (last duplicate wins, entry fields in any order, unknown fields
 *     skipped, missing key/value = "", "" deletes in a plain map and is kept
 *     in an update map); bad entries (invalid UTF-8, U+0000, too big for
 *     the scratch, map full) recorded in the status and skipped;
 *   - encode callbacks: the bytes of lkattrs_wire_write_map(), sizing
 *     streams included, and decode(encode(m)) == m;
 *   - atomicity: the plain reader is partial after a problem (documented),
 *     the staged reader commits all or nothing;
 *   - the SignalResponse router: update (ParticipantUpdate), join
 *     (JoinResponse: other participants, and the own participant with a
 *     `self` reader) and room_moved (RoomMovedResponse); a participant's map
 *     is complete or empty, never partial.
 * Messages are built with tests/unit/pb_build.h, independent of the code
 * under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lkattrs/lkattrs.h"
#include "lkattrs/nanopb.h"
#include "pb_build.h"
#include "test_util.h"

#define PI_ATTRS livekit_ParticipantInfo_attributes_tag

/* Fixed maps in static storage, as a microcontroller would have them. */
#define CAP 4
#define BYTES 256
static unsigned char st_a[LKATTRS_MAP_FIXED_BYTES(CAP, BYTES)];
static unsigned char st_b[LKATTRS_MAP_FIXED_BYTES(CAP, BYTES)];
static unsigned char st_c[LKATTRS_MAP_FIXED_BYTES(CAP, BYTES)];
static unsigned char scratch[300];
static unsigned char scratch2[300];
static livekit_ParticipantInfo info;
static livekit_SignalResponse resp;
static pbuf msg, sub, sub2;

static lkattrs_map *fixed(unsigned char *st, size_t size, size_t cap, unsigned flags) {
  lkattrs_map *m;
  assert_int_equal(lkattrs_map_init_fixed(st, size, cap, flags, &m), LKATTRS_OK);
  return m;
}
#define FIXED(st) fixed(st, sizeof st, CAP, 0)

static bool decode_info(const pbuf *p, lkattrs_npb_reader *r) {
  livekit_ParticipantInfo zero = livekit_ParticipantInfo_init_zero;
  info = zero;
  lkattrs_npb_set_decode(&info.attributes, r);
  pb_istream_t s = pb_istream_from_buffer(p->b, p->n);
  return pb_decode(&s, livekit_ParticipantInfo_fields, &info);
}

/* A ParticipantInfo with an identity, a version and the given entries. */
static void build_info(pbuf *p, const char *identity, uint32_t version, const char *const *kv) {
  p->n = 0;
  pb_str(p, livekit_ParticipantInfo_identity_tag, identity);
  for (; kv && kv[0]; kv += 2) pb_entry(p, PI_ATTRS, kv[0], kv[1]);
  pb_uint(p, livekit_ParticipantInfo_version_tag, version);
}

/* ------------------------------------------------------------------------
 * Decode callbacks on a ParticipantInfo. */
static void test_decode_participant_info(void **state) {
  (void)state;
  lkattrs_map *m = FIXED(st_a);
  lkattrs_npb_reader r;
  lkattrs_npb_reader_init(&r, m, scratch, sizeof scratch);
  msg.n = 0;
  pb_str(&msg, livekit_ParticipantInfo_identity_tag, "alice");
  pb_entry(&msg, PI_ATTRS, "b", "2");
  pb_entry(&msg, PI_ATTRS, "a", "1");
  pb_entry(&msg, PI_ATTRS, "b", "two"); /* last wins */
  /* An entry with its fields reversed and an unknown field inside. */
  sub.n = 0;
  pb_uint(&sub, 7, 99);
  pb_str(&sub, 2, "vee");
  pb_str(&sub, 1, "v");
  pb_sub(&msg, PI_ATTRS, &sub);
  /* An entry without a value: "" deletes (plain map): "a" goes. */
  sub.n = 0;
  pb_str(&sub, 1, "a");
  pb_sub(&msg, PI_ATTRS, &sub);
  pb_uint(&msg, livekit_ParticipantInfo_version_tag, 7);
  assert_true(decode_info(&msg, &r));
  assert_int_equal(r.status, LKATTRS_OK);
  assert_int_equal(r.entries, 5);
  assert_string_equal(info.identity, "alice");
  assert_int_equal(info.version, 7);
  static const char *const want[] = {"b", "two", "v", "vee", NULL};
  assert_map(m, want);
}

/* An update map keeps "" (= delete this key). */
static void test_decode_update_map(void **state) {
  (void)state;
  lkattrs_map *u = fixed(st_a, sizeof st_a, CAP, LKATTRS_MAP_UPDATE);
  lkattrs_npb_reader r;
  lkattrs_npb_reader_init(&r, u, scratch, sizeof scratch);
  static const char *const kv[] = {"gone", "", "b", "2", NULL};
  build_info(&msg, "x", 1, kv);
  assert_true(decode_info(&msg, &r));
  assert_int_equal(r.status, LKATTRS_OK);
  static const char *const want[] = {"b", "2", "gone", "", NULL};
  assert_map(u, want);
}

/* Bad entries: recorded (first problem), skipped; the rest decodes. */
static void test_decode_bad_entries(void **state) {
  (void)state;
  static const struct {
    const char *k;
    size_t kl;
    const char *v;
    size_t vl;
    lkattrs_status want;
  } bad[] = {
      {"k", 1, "\xff", 1, LKATTRS_E_UTF8},
      {"k", 1, "a\0b", 3, LKATTRS_E_NUL},
      {"k\0", 2, "v", 1, LKATTRS_E_NUL},
      {"\xc0\x80", 2, "v", 1, LKATTRS_E_UTF8},
      {"", 0, "v", 1, LKATTRS_E_KEY_EMPTY},
      {"a\x1f", 2, "v", 1, LKATTRS_E_CONTROL_CHAR},
  };
  for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
    lkattrs_map *m = FIXED(st_a);
    lkattrs_npb_reader r;
    lkattrs_npb_reader_init(&r, m, scratch, sizeof scratch);
    msg.n = 0;
    pb_entry(&msg, PI_ATTRS, "a", "1");
    pb_entry_n(&msg, PI_ATTRS, bad[i].k, bad[i].kl, bad[i].v, bad[i].vl);
    pb_entry(&msg, PI_ATTRS, "c", "3");
    assert_true(decode_info(&msg, &r));
    assert_int_equal(r.status, bad[i].want);
    assert_int_equal(r.entries, 3);
    /* Plain reader: not atomic, the good entries are there (documented). */
    static const char *const partial[] = {"a", "1", "c", "3", NULL};
    assert_map(m, partial);
  }
  /* An entry bigger than the scratch buffer: NOSPACE, skipped. */
  lkattrs_map *m = FIXED(st_a);
  lkattrs_npb_reader r;
  unsigned char tiny[8];
  lkattrs_npb_reader_init(&r, m, tiny, sizeof tiny);
  msg.n = 0;
  pb_entry(&msg, PI_ATTRS, "a", "1");
  pb_entry(&msg, PI_ATTRS, "long", "value");
  assert_true(decode_info(&msg, &r));
  assert_int_equal(r.status, LKATTRS_E_NOSPACE);
  static const char *const only_a[] = {"a", "1", NULL};
  assert_map(m, only_a);
  /* No scratch at all, no map, no reader: skipped cleanly. */
  lkattrs_npb_reader_init(&r, m, NULL, 100);
  assert_int_equal(r.scratch_size, 0);
  lkattrs_npb_reader_init(&r, NULL, scratch, sizeof scratch);
  assert_true(decode_info(&msg, &r));
  assert_int_equal(r.status, LKATTRS_E_INVALID_ARGUMENT);
  assert_true(decode_info(&msg, NULL));
}

/* The map is full: NOSPACE, handled cleanly; a duplicate of a key already
 * there still replaces its value (last wins). */
static void test_decode_map_full(void **state) {
  (void)state;
  lkattrs_map *m = fixed(st_a, sizeof st_a, 2, 0);
  lkattrs_npb_reader r;
  lkattrs_npb_reader_init(&r, m, scratch, sizeof scratch);
  static const char *const kv[] = {"a", "1", "b", "2", "c", "3", "a", "last", NULL};
  build_info(&msg, "x", 3, kv);
  assert_true(decode_info(&msg, &r)); /* the stream is fine */
  assert_int_equal(r.status, LKATTRS_E_NOSPACE);
  assert_int_equal(info.version, 3); /* fields after the problem decoded */
  static const char *const want[] = {"a", "last", "b", "2", NULL};
  assert_map(m, want);
  /* Full in bytes rather than entries. */
  unsigned char small[LKATTRS_MAP_FIXED_BYTES(4, 8)];
  m = fixed(small, sizeof small, 4, 0);
  lkattrs_npb_reader_init(&r, m, scratch, sizeof scratch);
  static const char *const big[] = {
      "k", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL};
  build_info(&msg, "x", 1, big);
  assert_true(decode_info(&msg, &r));
  assert_int_equal(r.status, LKATTRS_E_NOSPACE);
  assert_int_equal(lkattrs_map_count(m), 0);
}

/* The staged reader: all or nothing. */
static void test_staged_reader_atomic(void **state) {
  (void)state;
  lkattrs_map *cur = FIXED(st_a), *stage = FIXED(st_b);
  static const char *const old[] = {"old", "x", NULL};
  fill_map(cur, old);
  lkattrs_npb_reader r;
  /* A good message replaces the map, on commit only. */
  lkattrs_npb_reader_init_staged(&r, cur, stage, scratch, sizeof scratch);
  static const char *const kv[] = {"b", "2", "a", "1", NULL};
  build_info(&msg, "x", 1, kv);
  assert_true(decode_info(&msg, &r));
  assert_map(cur, old); /* not yet */
  assert_int_equal(lkattrs_npb_reader_commit(&r), LKATTRS_OK);
  static const char *const want[] = {"a", "1", "b", "2", NULL};
  assert_map(cur, want);
  /* A bad entry: commit refuses, the map is unchanged. */
  lkattrs_npb_reader_init_staged(&r, cur, stage, scratch, sizeof scratch);
  assert_int_equal(lkattrs_map_count(stage), 0); /* cleared */
  msg.n = 0;
  pb_entry(&msg, PI_ATTRS, "z", "9");
  pb_entry_n(&msg, PI_ATTRS, "k", 1, "a\0b", 3);
  assert_true(decode_info(&msg, &r));
  assert_int_equal(lkattrs_npb_reader_commit(&r), LKATTRS_E_NUL);
  assert_map(cur, want);
  /* Map full in the stage: NOSPACE, unchanged. */
  lkattrs_map *small_stage = fixed(st_c, sizeof st_c, 1, 0);
  lkattrs_npb_reader_init_staged(&r, cur, small_stage, scratch, sizeof scratch);
  static const char *const two[] = {"p", "1", "q", "2", NULL};
  build_info(&msg, "x", 1, two);
  assert_true(decode_info(&msg, &r));
  assert_int_equal(lkattrs_npb_reader_commit(&r), LKATTRS_E_NOSPACE);
  assert_map(cur, want);
  /* The map smaller than the stage: the copy fails, atomically. */
  lkattrs_map *one = fixed(st_c, sizeof st_c, 1, 0);
  static const char *const keep[] = {"k", "v", NULL};
  fill_map(one, keep);
  lkattrs_npb_reader_init_staged(&r, one, stage, scratch, sizeof scratch);
  build_info(&msg, "x", 1, two);
  assert_true(decode_info(&msg, &r));
  assert_int_equal(lkattrs_npb_reader_commit(&r), LKATTRS_E_NOSPACE);
  assert_int_equal(r.status, LKATTRS_E_NOSPACE);
  assert_map(one, keep);
  /* A stage of the other kind is refused up front; stage == map is plain. */
  lkattrs_map *upd = fixed(st_b, sizeof st_b, CAP, LKATTRS_MAP_UPDATE);
  lkattrs_npb_reader_init_staged(&r, cur, upd, scratch, sizeof scratch);
  assert_int_equal(r.status, LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_npb_reader_commit(&r), LKATTRS_E_INVALID_ARGUMENT);
  assert_map(cur, want);
  lkattrs_npb_reader_init_staged(&r, cur, cur, scratch, sizeof scratch);
  assert_null(r.stage);
  assert_int_equal(lkattrs_npb_reader_commit(NULL), LKATTRS_E_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------------------
 * Encode callbacks. */
static void test_encode(void **state) {
  (void)state;
  lkattrs_map *m = FIXED(st_a);
  static const char *const kv[] = {"zeta", "z", "\xc3\xbc", "u", "a", "1", NULL};
  fill_map(m, kv);
  livekit_ParticipantInfo out = livekit_ParticipantInfo_init_zero;
  lkattrs_npb_set_encode(&out.attributes, m);
  unsigned char buf[512], ours[512];
  size_t size = 0, w = 0;
  assert_true(pb_get_encoded_size(&size, livekit_ParticipantInfo_fields, &out));
  pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof buf);
  assert_true(pb_encode(&os, livekit_ParticipantInfo_fields, &out));
  assert_int_equal(os.bytes_written, size);
  /* Only the map is set: exactly lkattrs' writer's bytes (canonical order). */
  assert_int_equal(lkattrs_wire_write_map(m, PI_ATTRS, ours, sizeof ours, &w), LKATTRS_OK);
  assert_int_equal(w, os.bytes_written);
  assert_memory_equal(ours, buf, w);
  /* And back. */
  lkattrs_map *back = FIXED(st_b);
  lkattrs_npb_reader r;
  lkattrs_npb_reader_init(&r, back, scratch, sizeof scratch);
  msg.n = 0;
  pb_raw(&msg, buf, os.bytes_written);
  assert_true(decode_info(&msg, &r));
  assert_int_equal(r.status, LKATTRS_OK);
  assert_true(lkattrs_map_equal(m, back));
  /* An update map writes its "" entries; a stream too small fails. */
  lkattrs_map *u = fixed(st_c, sizeof st_c, CAP, LKATTRS_MAP_UPDATE);
  assert_int_equal(lkattrs_map_set(u, "gone", 4, "", 0), LKATTRS_OK);
  livekit_UpdateParticipantMetadata upd = livekit_UpdateParticipantMetadata_init_zero;
  lkattrs_npb_set_encode(&upd.attributes, u);
  os = pb_ostream_from_buffer(buf, sizeof buf);
  assert_true(pb_encode(&os, livekit_UpdateParticipantMetadata_fields, &upd));
  static const unsigned char want[] = {0x1a, 0x08, 0x0a, 0x04, 'g', 'o', 'n', 'e', 0x12, 0x00};
  assert_int_equal(os.bytes_written, sizeof want);
  assert_memory_equal(buf, want, sizeof want);
  os = pb_ostream_from_buffer(buf, 5);
  assert_false(pb_encode(&os, livekit_UpdateParticipantMetadata_fields, &upd));
}

/* ------------------------------------------------------------------------
 * The SignalResponse router. */
typedef struct seen {
  size_t n;
  char identity[4][sizeof info.identity];
  lkattrs_status status[4];
  size_t count[4];
  char first_key[4][16];
  bool self[4];
  const lkattrs_npb_reader *self_reader;
} seen;

static void on_participant(void *ctx, const livekit_ParticipantInfo *pi,
                           const lkattrs_npb_reader *attrs) {
  seen *s = ctx;
  assert_true(s->n < 4);
  size_t i = s->n++;
  memcpy(s->identity[i], pi->identity, sizeof s->identity[i]);
  s->status[i] = attrs->status;
  s->count[i] = lkattrs_map_count(attrs->map);
  s->first_key[i][0] = 0;
  lkattrs_entry e;
  if (lkattrs_map_at(attrs->map, 0, &e) == LKATTRS_OK && e.key_len < sizeof s->first_key[i]) {
    memcpy(s->first_key[i], e.key, e.key_len);
    s->first_key[i][e.key_len] = 0;
  }
  s->self[i] = attrs == s->self_reader;
}

static bool decode_signal(const pbuf *p, lkattrs_npb_participants *pp) {
  lkattrs_npb_signal_response_setup(&resp, pp);
  pb_istream_t s = pb_istream_from_buffer(p->b, p->n);
  return pb_decode(&s, livekit_SignalResponse_fields, &resp);
}

static void test_route_update(void **state) {
  (void)state;
  seen s = {0};
  lkattrs_npb_participants p = {&info, {0}, on_participant, &s, 0, NULL};
  lkattrs_npb_reader_init(&p.attrs, FIXED(st_a), scratch, sizeof scratch);
  static const char *const a[] = {"color", "blue", NULL};
  static const char *const b[] = {"x", "1", "y", "2", NULL};
  sub2.n = 0;
  build_info(&sub, "alice", 2, a);
  pb_sub(&sub2, livekit_ParticipantUpdate_participants_tag, &sub);
  /* bob: one bad entry among good ones -> his map is empty, not partial. */
  build_info(&sub, "bob", 1, b);
  pb_entry(&sub, PI_ATTRS, "bad", "\xff");
  pb_sub(&sub2, livekit_ParticipantUpdate_participants_tag, &sub);
  build_info(&sub, "carol", 1, b);
  pb_sub(&sub2, livekit_ParticipantUpdate_participants_tag, &sub);
  msg.n = 0;
  pb_sub(&msg, livekit_SignalResponse_update_tag, &sub2);
  assert_true(decode_signal(&msg, &p));
  assert_int_equal(resp.which_message, livekit_SignalResponse_update_tag);
  assert_int_equal(p.count, 3);
  assert_int_equal(s.n, 3);
  assert_string_equal(s.identity[0], "alice");
  assert_int_equal(s.status[0], LKATTRS_OK);
  assert_int_equal(s.count[0], 1);
  assert_string_equal(s.first_key[0], "color");
  assert_string_equal(s.identity[1], "bob");
  assert_int_equal(s.status[1], LKATTRS_E_UTF8);
  assert_int_equal(s.count[1], 0); /* complete or empty */
  assert_string_equal(s.identity[2], "carol");
  assert_int_equal(s.status[2], LKATTRS_OK); /* reset per participant */
  assert_int_equal(s.count[2], 2);
}

/* A participant that is not valid protobuf fails the decode; its map is
 * left empty. */
static void test_route_truncated(void **state) {
  (void)state;
  seen s = {0};
  lkattrs_map *m = FIXED(st_a);
  lkattrs_npb_participants p = {&info, {0}, on_participant, &s, 0, NULL};
  lkattrs_npb_reader_init(&p.attrs, m, scratch, sizeof scratch);
  static const char *const a[] = {"color", "blue", NULL};
  build_info(&sub, "alice", 2, a);
  sub.n -= 1; /* the version varint loses its byte: field without value */
  sub2.n = 0;
  pb_sub(&sub2, livekit_ParticipantUpdate_participants_tag, &sub);
  msg.n = 0;
  pb_sub(&msg, livekit_SignalResponse_update_tag, &sub2);
  assert_false(decode_signal(&msg, &p));
  assert_int_equal(s.n, 0);
  assert_int_equal(p.count, 0);
  assert_int_equal(lkattrs_map_count(m), 0);
  assert_int_equal(p.attrs.status, LKATTRS_E_WIRE_MALFORMED);
}

/* JoinResponse / RoomMovedResponse: the other participants, then the own
 * one (with a `self` reader), whatever the order on the wire. */
static void route_arm(uint32_t arm_tag, uint32_t self_tag, uint32_t others_tag, bool self_first) {
  seen s = {0};
  lkattrs_npb_reader self;
  lkattrs_npb_reader_init(&self, FIXED(st_b), scratch2, sizeof scratch2);
  lkattrs_npb_participants p = {&info, {0}, on_participant, &s, 0, &self};
  s.self_reader = &self;
  lkattrs_npb_reader_init(&p.attrs, FIXED(st_a), scratch, sizeof scratch);
  static const char *const me[] = {"mine", "1", "lk.agent.state", "idle", NULL};
  static const char *const other[] = {"theirs", "2", NULL};
  sub2.n = 0;
  if (self_first) {
    build_info(&sub, "me", 4, me);
    pb_sub(&sub2, self_tag, &sub);
  }
  build_info(&sub, "bob", 1, other);
  pb_sub(&sub2, others_tag, &sub);
  build_info(&sub, "carol", 1, other);
  pb_sub(&sub2, others_tag, &sub);
  if (!self_first) {
    build_info(&sub, "me", 4, me);
    pb_sub(&sub2, self_tag, &sub);
  }
  msg.n = 0;
  pb_sub(&msg, arm_tag, &sub2);
  assert_true(decode_signal(&msg, &p));
  assert_int_equal(resp.which_message, arm_tag);
  assert_int_equal(s.n, 3);
  assert_int_equal(p.count, 3);
  assert_string_equal(s.identity[0], "bob");
  assert_false(s.self[0]);
  assert_string_equal(s.identity[1], "carol");
  assert_string_equal(s.identity[2], "me");
  assert_true(s.self[2]);
  assert_int_equal(s.status[2], LKATTRS_OK);
  assert_int_equal(s.count[2], 2);
  assert_string_equal(s.first_key[2], "lk.agent.state");
  assert_int_equal(lkattrs_map_count(self.map), 2); /* kept after the decode */
  /* The arm's own ParticipantInfo is in the decoded message. */
  const livekit_ParticipantInfo *own = arm_tag == livekit_SignalResponse_join_tag
                                           ? &resp.message.join.participant
                                           : &resp.message.room_moved.participant;
  assert_string_equal(own->identity, "me");
  assert_int_equal(own->version, 4);
  /* Without a self reader the own participant is not reported. */
  memset(&s, 0, sizeof s);
  p.self = NULL;
  p.count = 0;
  assert_true(decode_signal(&msg, &p));
  assert_int_equal(s.n, 2);
  assert_int_equal(p.count, 2);
  assert_string_equal(own->identity, "me");
}

static void test_route_join(void **state) {
  (void)state;
  route_arm(livekit_SignalResponse_join_tag, livekit_JoinResponse_participant_tag,
            livekit_JoinResponse_other_participants_tag, true);
  route_arm(livekit_SignalResponse_join_tag, livekit_JoinResponse_participant_tag,
            livekit_JoinResponse_other_participants_tag, false);
}

static void test_route_room_moved(void **state) {
  (void)state;
  route_arm(livekit_SignalResponse_room_moved_tag, livekit_RoomMovedResponse_participant_tag,
            livekit_RoomMovedResponse_other_participants_tag, true);
  route_arm(livekit_SignalResponse_room_moved_tag, livekit_RoomMovedResponse_participant_tag,
            livekit_RoomMovedResponse_other_participants_tag, false);
}

/* The own participant's map full: empty with NOSPACE, the others fine. */
static void test_route_self_full(void **state) {
  (void)state;
  seen s = {0};
  lkattrs_npb_reader self;
  lkattrs_npb_reader_init(&self, fixed(st_b, sizeof st_b, 1, 0), scratch2, sizeof scratch2);
  lkattrs_npb_participants p = {&info, {0}, on_participant, &s, 0, &self};
  s.self_reader = &self;
  lkattrs_npb_reader_init(&p.attrs, FIXED(st_a), scratch, sizeof scratch);
  static const char *const me[] = {"a", "1", "b", "2", NULL};
  sub2.n = 0;
  build_info(&sub, "me", 1, me);
  pb_sub(&sub2, livekit_JoinResponse_participant_tag, &sub);
  build_info(&sub, "bob", 1, me);
  pb_sub(&sub2, livekit_JoinResponse_other_participants_tag, &sub);
  msg.n = 0;
  pb_sub(&msg, livekit_SignalResponse_join_tag, &sub2);
  assert_true(decode_signal(&msg, &p));
  assert_int_equal(s.n, 2);
  assert_string_equal(s.identity[0], "bob");
  assert_int_equal(s.count[0], 2);
  assert_string_equal(s.identity[1], "me");
  assert_int_equal(s.status[1], LKATTRS_E_NOSPACE);
  assert_int_equal(s.count[1], 0);
}

/* Other arms pass through; a NULL participants object routes nothing. */
static void test_route_other_arms(void **state) {
  (void)state;
  seen s = {0};
  lkattrs_npb_participants p = {&info, {0}, on_participant, &s, 0, NULL};
  lkattrs_npb_reader_init(&p.attrs, FIXED(st_a), scratch, sizeof scratch);
  sub.n = 0;
  pb_uint(&sub, 1, 42); /* RequestResponse.request_id */
  msg.n = 0;
  pb_sub(&msg, livekit_SignalResponse_request_response_tag, &sub);
  assert_true(decode_signal(&msg, &p));
  assert_int_equal(resp.message.request_response.request_id, 42);
  assert_int_equal(s.n, 0);
  static const char *const a[] = {"k", "v", NULL};
  build_info(&sub, "alice", 1, a);
  sub2.n = 0;
  pb_sub(&sub2, livekit_ParticipantUpdate_participants_tag, &sub);
  msg.n = 0;
  pb_sub(&msg, livekit_SignalResponse_update_tag, &sub2);
  assert_true(decode_signal(&msg, NULL));
  lkattrs_npb_signal_response_setup(NULL, &p); /* no-op */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_decode_participant_info),
      cmocka_unit_test(test_decode_update_map),
      cmocka_unit_test(test_decode_bad_entries),
      cmocka_unit_test(test_decode_map_full),
      cmocka_unit_test(test_staged_reader_atomic),
      cmocka_unit_test(test_encode),
      cmocka_unit_test(test_route_update),
      cmocka_unit_test(test_route_truncated),
      cmocka_unit_test(test_route_join),
      cmocka_unit_test(test_route_room_moved),
      cmocka_unit_test(test_route_self_full),
      cmocka_unit_test(test_route_other_arms),
  };
  return cmocka_run_group_tests_name("adapter_nanopb", tests, NULL, NULL);
}
