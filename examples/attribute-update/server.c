/* server.c - the server side: protobuf-c code and libattrs' wire path. */
#include <string.h>

#include <lkattrs/protobufc.h>

#include "example.h"

int server_join(participant *p, const char *sid, const char *identity,
                const char *name, bool can_update, const lkattrs_entry *token,
                size_t n) {
  memset(p, 0, sizeof *p);
  p->sid = sid;
  p->identity = identity;
  p->name = name;
  p->can_update_metadata = can_update;
  if (lkattrs_map_new(NULL, &p->attrs) != LKATTRS_OK) return -1;
  /* The token's attributes claim is trusted (origin SERVER). */
  lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
  o.origin = LKATTRS_ORIGIN_SERVER;
  if (lkattrs_merge(p->attrs, token, n, &o, NULL, NULL) != LKATTRS_OK) return -1;

  /* The ParticipantInfo, packed once by protobuf-c; from now on the wire
   * path keeps it up to date without decoding it again. */
  Livekit__ParticipantInfo pi = LIVEKIT__PARTICIPANT_INFO__INIT;
  Livekit__ParticipantPermission perm = LIVEKIT__PARTICIPANT_PERMISSION__INIT;
  perm.can_subscribe = perm.can_publish = perm.can_publish_data = true;
  perm.can_update_metadata = can_update;
  pi.sid = (char *)sid;
  pi.identity = (char *)identity;
  pi.name = (char *)name;
  pi.state = LIVEKIT__PARTICIPANT_INFO__STATE__ACTIVE;
  pi.version = 1;
  pi.permission = &perm;
  if (lkattrs_pbc_participant_info_set(&pi, p->attrs, NULL) != LKATTRS_OK) return -1;
  if (livekit__participant_info__get_packed_size(&pi) > sizeof p->info) return -1;
  p->info_len = livekit__participant_info__pack(&pi, p->info);
  lkattrs_pbc_participant_info_release(&pi, p->attrs, NULL);
  return 0;
}

void server_broadcast(const participant *p, msg_t *out) {
  /* SignalResponse.update (5) -> ParticipantUpdate.participants (1). */
  size_t inner = lkattrs_wire_header_size(1, p->info_len) + p->info_len;
  out->n = lkattrs_wire_put_header(out->b, 5, inner);
  out->n += lkattrs_wire_put_header(out->b + out->n, 1, p->info_len);
  memcpy(out->b + out->n, p->info, p->info_len);
  out->n += p->info_len;
}

lkattrs_status server_handle(participant *p, const msg_t *in,
                             const lkattrs_limits *room, msg_t *resp,
                             msg_t *bcast) {
  lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
  o.merge.origin = LKATTRS_ORIGIN_CLIENT;
  o.merge.can_update_metadata = p->can_update_metadata;
  o.merge.limits = room;
  o.envelope = true; /* outputs ready to send on the signal connection */
  lkattrs_update_buffers b = {bcast->b, sizeof bcast->b, resp->b, sizeof resp->b};
  lkattrs_update_result r;
  lkattrs_error_detail d;
  lkattrs_status st = lkattrs_update_apply(p->attrs, p->info, p->info_len, in->b, in->n,
                                           LKATTRS_UPDATE_SIGNAL_REQUEST, &o, &b, &r, &d);
  resp->n = r.respond ? r.resp_len : 0;
  bcast->n = st == LKATTRS_OK && r.changed ? r.info_len : 0;
  if (bcast->n) {
    /* Keep the new ParticipantInfo: it is inside the broadcast. */
    const uint32_t path[] = {5, 1};
    lkattrs_wire_field f;
    if (lkattrs_wire_find(bcast->b, bcast->n, path, 2, &f, NULL) == LKATTRS_OK &&
        f.len <= sizeof p->info) {
      memcpy(p->info, f.data, f.len);
      p->info_len = f.len;
    }
  }
  return st;
}

void server_leave(participant *p) {
  lkattrs_map_free(p->attrs);
  p->attrs = NULL;
}
