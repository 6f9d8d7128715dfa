/* client.c - the client side: nanopb code, fixed-storage maps, no malloc. */
#include <stdio.h>
#include <string.h>

#include <lkattrs/nanopb.h>

#include "example.h"

#define MAX_ATTRS 16
#define MAX_BYTES 1024

static unsigned char cur_storage[LKATTRS_MAP_FIXED_BYTES(MAX_ATTRS, MAX_BYTES)];
static unsigned char new_storage[LKATTRS_MAP_FIXED_BYTES(MAX_ATTRS, MAX_BYTES)];
static unsigned char want_storage[LKATTRS_MAP_FIXED_BYTES(MAX_ATTRS, MAX_BYTES)];
static unsigned char diff_storage[LKATTRS_MAP_FIXED_BYTES(MAX_ATTRS, MAX_BYTES)];
static unsigned char scratch[MAX_BYTES + 16]; /* one encoded entry */
static lkattrs_map *cur, *fresh, *want, *diff;
static uint32_t cur_version;
static livekit_SignalRequest req;
static livekit_SignalResponse resp;
static livekit_ParticipantInfo info;

void client_init(void) {
  if (lkattrs_map_init_fixed(cur_storage, sizeof cur_storage, MAX_ATTRS, 0, &cur) ||
      lkattrs_map_init_fixed(new_storage, sizeof new_storage, MAX_ATTRS, 0, &fresh) ||
      lkattrs_map_init_fixed(want_storage, sizeof want_storage, MAX_ATTRS, 0, &want) ||
      lkattrs_map_init_fixed(diff_storage, sizeof diff_storage, MAX_ATTRS,
                             LKATTRS_MAP_UPDATE, &diff))
    fprintf(stderr, "client: storage too small\n");
  cur_version = 0;
}

const lkattrs_map *client_attrs(void) { return cur; }

bool client_request(const lkattrs_entry *wanted, size_t n, uint32_t request_id,
                    msg_t *out) {
  lkattrs_map_clear(want);
  for (size_t i = 0; i < n; i++)
    if (lkattrs_map_set(want, wanted[i].key, wanted[i].key_len, wanted[i].value,
                        wanted[i].value_len) != LKATTRS_OK)
      return false;
  /* The minimal update; an empty one is not sent (design.md). */
  if (lkattrs_diff_map(cur, want, diff) != LKATTRS_OK || lkattrs_map_count(diff) == 0)
    return false;
  livekit_SignalRequest zero = livekit_SignalRequest_init_zero;
  req = zero;
  req.which_message = livekit_SignalRequest_update_metadata_tag;
  req.message.update_metadata.request_id = request_id;
  lkattrs_npb_set_encode(&req.message.update_metadata.attributes, diff);
  pb_ostream_t s = pb_ostream_from_buffer(out->b, sizeof out->b);
  if (!pb_encode(&s, livekit_SignalRequest_fields, &req)) return false;
  out->n = s.bytes_written;
  return true;
}

typedef struct {
  uint32_t *version;
  char *changed;
  size_t cap;
  bool ok;
} update_ctx;

/* One participant of a ParticipantUpdate: ours (this example has one). */
static void on_participant(void *ctx, const livekit_ParticipantInfo *pi,
                           const lkattrs_npb_reader *attrs) {
  update_ctx *u = ctx;
  lkattrs_entry changes[MAX_ATTRS * 2];
  size_t n = 0, len = 0;
  if (attrs->status != LKATTRS_OK || pi->version < cur_version) {
    u->ok = attrs->status == LKATTRS_OK;
    return; /* incomplete, or older than what we have */
  }
  /* attributesChanged: every key whose value differs, "" when removed. */
  if (lkattrs_diff(cur, attrs->map, changes, MAX_ATTRS * 2, &n) != LKATTRS_OK) n = 0;
  len += (size_t)snprintf(u->changed + len, u->cap - len, "{");
  for (size_t i = 0; i < n && len < u->cap; i++)
    len += (size_t)snprintf(u->changed + len, u->cap - len, "%s\"%.*s\":\"%.*s\"",
                            i ? "," : "", (int)changes[i].key_len, changes[i].key,
                            (int)changes[i].value_len, changes[i].value);
  if (len < u->cap) snprintf(u->changed + len, u->cap - len, "}");
  u->ok = lkattrs_map_copy(cur, attrs->map) == LKATTRS_OK;
  cur_version = pi->version;
  *u->version = pi->version;
}

bool client_receive(const msg_t *in, uint32_t *rid, int *reason,
                    uint32_t *version, char *changed, size_t changed_cap) {
  update_ctx u = {version, changed, changed_cap, true};
  lkattrs_npb_participants p = {&info, {0}, on_participant, &u, 0, NULL};
  lkattrs_npb_reader_init(&p.attrs, fresh, scratch, sizeof scratch);
  lkattrs_npb_signal_response_setup(&resp, &p);
  pb_istream_t s = pb_istream_from_buffer(in->b, in->n);
  changed[0] = 0;
  if (!pb_decode(&s, livekit_SignalResponse_fields, &resp)) return false;
  if (resp.which_message == livekit_SignalResponse_request_response_tag) {
    *rid = resp.message.request_response.request_id;
    *reason = (int)resp.message.request_response.reason;
  }
  return u.ok;
}
