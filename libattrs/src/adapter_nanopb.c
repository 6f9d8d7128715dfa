/* adapter_nanopb.c - libattrs maps <-> nanopb callback fields. */
#include "lkattrs/nanopb.h"

#include <string.h>

#include "lkattrs/wire.h"

void lkattrs_npb_reader_init(lkattrs_npb_reader *r, lkattrs_map *map,
                             void *scratch, size_t scratch_size) {
  if (!r) return;
  r->map = map;
  r->scratch = scratch;
  r->scratch_size = scratch ? scratch_size : 0;
  r->status = LKATTRS_OK;
  r->entries = 0;
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
  if (!st) st = lkattrs_map_set(r->map, e.key, e.key_len, e.value, e.value_len);
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

bool lkattrs_npb_decode_participant(pb_istream_t *stream, const pb_field_t *field,
                                    void **arg) {
  lkattrs_npb_participants *p = *arg;
  livekit_ParticipantInfo zero = livekit_ParticipantInfo_init_zero;
  (void)field;
  if (!p || !p->info) return pb_read(stream, NULL, stream->bytes_left);
  *p->info = zero;
  lkattrs_map_clear(p->attrs.map);
  p->attrs.status = LKATTRS_OK;
  p->attrs.entries = 0;
  lkattrs_npb_set_decode(&p->info->attributes, &p->attrs);
  if (!pb_decode(stream, livekit_ParticipantInfo_fields, p->info)) return false;
  p->count++;
  if (p->on_participant) p->on_participant(p->ctx, p->info, &p->attrs);
  return true;
}

/* The envelope's callback: runs before an arm is decoded. */
static bool on_arm(pb_istream_t *stream, const pb_field_t *field, void **arg) {
  lkattrs_npb_participants *p = *arg;
  (void)stream;
  if (field->tag == livekit_SignalResponse_update_tag) {
    livekit_ParticipantUpdate *u = field->pData;
    u->participants.funcs.decode = lkattrs_npb_decode_participant;
    u->participants.arg = p;
  } else if (field->tag == livekit_SignalResponse_join_tag) {
    livekit_JoinResponse *j = field->pData;
    j->other_participants.funcs.decode = lkattrs_npb_decode_participant;
    j->other_participants.arg = p;
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
