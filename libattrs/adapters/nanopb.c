/* adapters/nanopb.c - libattrs maps <-> nanopb callback fields. */
#include "lkattrs/nanopb.h"

#include <string.h>

#include "lkattrs/wire.h"
#include "lkattrs/wire_unstable.h"

void lkattrs_npb_reader_init(lkattrs_npb_reader *r, lkattrs_map *map,
                             void *scratch, size_t scratch_size) {
  if (!r) return;
  r->map = map;
  r->scratch = scratch;
  r->scratch_size = scratch ? scratch_size : 0;
  r->status = LKATTRS_OK;
  r->entries = 0;
  r->stage = NULL;
}

void lkattrs_npb_reader_init_staged(lkattrs_npb_reader *r, lkattrs_map *map,
                                    lkattrs_map *stage, void *scratch,
                                    size_t scratch_size) {
  if (!r) return;
  lkattrs_npb_reader_init(r, map, scratch, scratch_size);
  if (stage == map) stage = NULL; /* no staging area: the map itself */
  r->stage = stage;
  lkattrs_map_clear(stage);
  if (stage && map && (lkattrs_map_flags(stage) & LKATTRS_MAP_UPDATE) !=
                           (lkattrs_map_flags(map) & LKATTRS_MAP_UPDATE))
    r->status = LKATTRS_E_INVALID_ARGUMENT; /* commit could not copy it */
}

lkattrs_status lkattrs_npb_reader_commit(lkattrs_npb_reader *r) {
  if (!r || !r->map) return LKATTRS_E_INVALID_ARGUMENT;
  if (r->status != LKATTRS_OK || !r->stage) return r->status;
  lkattrs_status st = lkattrs_map_copy(r->map, r->stage); /* atomic */
  if (st != LKATTRS_OK) r->status = st;
  return st;
}

/* Where entries go: the staging map when there is one. */
static lkattrs_map *dest(const lkattrs_npb_reader *r) {
  return r->stage ? r->stage : r->map;
}

static void note(lkattrs_npb_reader *r, lkattrs_status st) {
  if (r->status == LKATTRS_OK) r->status = st;
}

bool lkattrs_npb_decode_map(pb_istream_t *stream, const pb_field_t *field,
                            void **arg) {
  lkattrs_npb_reader *r = *arg;
  size_t n = stream->bytes_left;
  lkattrs_entry e;
  (void)field;
  if (!r) return pb_read(stream, NULL, n);
  r->entries++;
  if (!r->map || n > r->scratch_size) {
    note(r, r->map ? LKATTRS_E_NOSPACE : LKATTRS_E_INVALID_ARGUMENT);
    return pb_read(stream, NULL, n); /* skip it */
  }
  if (!pb_read(stream, r->scratch, n)) return false;
  lkattrs_status st = lkattrs_wire_parse_entry(r->scratch, n, 0, &e, NULL);
  if (!st) st = lkattrs_map_set(dest(r), e.key, e.key_len, e.value, e.value_len);
  if (st) note(r, st);
  return true;
}

void lkattrs_npb_set_decode(pb_callback_t *cb, lkattrs_npb_reader *r) {
  if (!cb) return;
  cb->funcs.decode = lkattrs_npb_decode_map;
  cb->arg = r;
}

static bool put_string(pb_ostream_t *s, uint32_t tag, const char *p, size_t n) {
  return pb_encode_tag(s, PB_WT_STRING, tag) &&
         pb_encode_string(s, (const pb_byte_t *)p, n);
}

static size_t vlen(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

bool lkattrs_npb_encode_map(pb_ostream_t *stream, const pb_field_t *field,
                            void *const *arg) {
  const lkattrs_map *m = *arg;
  for (size_t i = 0; i < lkattrs_map_count(m); i++) {
    lkattrs_entry e;
    if (lkattrs_map_at(m, i, &e) != LKATTRS_OK) return false;
    size_t len = 2 + vlen(e.key_len) + e.key_len + vlen(e.value_len) + e.value_len;
    if (!pb_encode_tag_for_field(stream, field) || !pb_encode_varint(stream, len) ||
        !put_string(stream, 1, e.key, e.key_len) ||
        !put_string(stream, 2, e.value, e.value_len))
      return false;
  }
  return true;
}

void lkattrs_npb_set_encode(pb_callback_t *cb, const lkattrs_map *map) {
  if (!cb) return;
  cb->funcs.encode = lkattrs_npb_encode_map;
  memcpy(&cb->arg, &map, sizeof map); /* arg is void *; the map is only read */
}

/* Start of one participant's attributes: empty map (and stage). */
static void attrs_begin(lkattrs_npb_reader *r) {
  lkattrs_map_clear(r->map);
  lkattrs_map_clear(r->stage);
  r->status = LKATTRS_OK;
  r->entries = 0;
}

/* End of one participant: the map is complete, or empty with r->status
 * saying why (never partial).  decoded: the ParticipantInfo was valid. */
static void attrs_end(lkattrs_npb_reader *r, bool decoded) {
  if (!decoded) note(r, LKATTRS_E_WIRE_MALFORMED);
  if (r->status == LKATTRS_OK && r->stage) {
    lkattrs_status st = lkattrs_map_copy(r->map, r->stage);
    if (st != LKATTRS_OK) r->status = st;
  }
  if (r->status != LKATTRS_OK) lkattrs_map_clear(r->map);
}

bool lkattrs_npb_decode_participant(pb_istream_t *stream, const pb_field_t *field,
                                    void **arg) {
  lkattrs_npb_participants *p = *arg;
  livekit_ParticipantInfo zero = livekit_ParticipantInfo_init_zero;
  (void)field;
  if (!p || !p->info) return pb_read(stream, NULL, stream->bytes_left);
  *p->info = zero;
  attrs_begin(&p->attrs);
  lkattrs_npb_set_decode(&p->info->attributes, &p->attrs);
  bool ok = pb_decode(stream, livekit_ParticipantInfo_fields, p->info);
  attrs_end(&p->attrs, ok);
  if (!ok) return false;
  p->count++;
  if (p->on_participant) p->on_participant(p->ctx, p->info, &p->attrs);
  return true;
}

/* A JoinResponse or RoomMovedResponse arm: the other participants go to
 * p->attrs one by one; the own participant (`self_info`, part of the arm)
 * to p->self.  The arm is decoded here, from the envelope's callback, so
 * that the own participant can be reported once the arm is complete
 * (nanopb does not decode a submessage whose callback consumed it). */
static bool route_arm(pb_istream_t *stream, const pb_msgdesc_t *fields, void *arm,
                      pb_callback_t *others, livekit_ParticipantInfo *self_info,
                      const bool *has_self, lkattrs_npb_participants *p) {
  others->funcs.decode = lkattrs_npb_decode_participant;
  others->arg = p;
  if (p->self) {
    attrs_begin(p->self);
    lkattrs_npb_set_decode(&self_info->attributes, p->self);
  }
  bool ok = pb_decode_ex(stream, fields, arm, PB_DECODE_NOINIT);
  if (p->self) {
    attrs_end(p->self, ok);
    self_info->attributes.funcs.decode = NULL; /* the reader is not ours to keep */
    self_info->attributes.arg = NULL;
  }
  if (!ok) return false;
  if (p->self && *has_self) {
    p->count++;
    if (p->on_participant) p->on_participant(p->ctx, self_info, p->self);
  }
  return true;
}

/* The envelope's callback: runs before an arm is decoded. */
static bool on_arm(pb_istream_t *stream, const pb_field_t *field, void **arg) {
  lkattrs_npb_participants *p = *arg;
  if (!p) return true;
  if (field->tag == livekit_SignalResponse_update_tag) {
    livekit_ParticipantUpdate *u = field->pData;
    u->participants.funcs.decode = lkattrs_npb_decode_participant;
    u->participants.arg = p;
  } else if (field->tag == livekit_SignalResponse_join_tag) {
    livekit_JoinResponse *j = field->pData;
    return route_arm(stream, livekit_JoinResponse_fields, j, &j->other_participants,
                     &j->participant, &j->has_participant, p);
  } else if (field->tag == livekit_SignalResponse_room_moved_tag) {
    livekit_RoomMovedResponse *m = field->pData;
    return route_arm(stream, livekit_RoomMovedResponse_fields, m, &m->other_participants,
                     &m->participant, &m->has_participant, p);
  }
  return true;
}

void lkattrs_npb_signal_response_setup(livekit_SignalResponse *msg,
                                       lkattrs_npb_participants *p) {
  livekit_SignalResponse zero = livekit_SignalResponse_init_zero;
  if (!msg) return;
  *msg = zero;
  msg->cb_message.funcs.decode = on_arm;
  msg->cb_message.arg = p;
}
