/* server.c - the server side: one lkattrs_participant per participant.  It
 * owns the participant's encoded ParticipantInfo; updates are applied to
 * those bytes on the wire, nothing is decoded or packed again. */
#include <string.h>

#include <lkattrs/protobufc.h>

#include "example.h"

int server_join(participant *p, const char *sid, const char *identity,
                const char *name, bool can_update, const lkattrs_entry *token,
                size_t n) {
  memset(p, 0, sizeof *p);
  p->identity = identity;
  p->can_update_metadata = can_update;
  if (lkattrs_participant_new(NULL, &p->state) != LKATTRS_OK) return -1;

  /* The fields other than the attributes, packed once by protobuf-c (any
   * encoder will do) and loaded into the state. */
  Livekit__ParticipantInfo pi = LIVEKIT__PARTICIPANT_INFO__INIT;
  Livekit__ParticipantPermission perm = LIVEKIT__PARTICIPANT_PERMISSION__INIT;
  perm.can_subscribe = perm.can_publish = perm.can_publish_data = true;
  perm.can_update_metadata = can_update;
  pi.sid = (char *)sid;
  pi.identity = (char *)identity;
  pi.name = (char *)name;
  pi.state = LIVEKIT__PARTICIPANT_INFO__STATE__ACTIVE;
  pi.permission = &perm;
  unsigned char info[512];
  if (livekit__participant_info__get_packed_size(&pi) > sizeof info) return -1;
  size_t len = livekit__participant_info__pack(&pi, info);
  if (lkattrs_participant_load(p->state, info, len, NULL) != LKATTRS_OK) return -1;

  /* The token's attributes claim (trusted); no JoinRequest attributes here.
   * A change of attributes bumps the version: 0 -> 1. */
  lkattrs_rules rules = LKATTRS_RULES_INIT;
  rules.can_update_metadata = can_update;
  return lkattrs_participant_join(p->state, token, n, NULL, 0, &rules, NULL) == LKATTRS_OK
             ? 0
             : -1;
}

void server_broadcast(const participant *p, msg_t *out) {
  /* SignalResponse.update (5) -> ParticipantUpdate.participants (1), ready
   * to send as it is; a server sends the view, the copy is the example's. */
  size_t n;
  const unsigned char *b = lkattrs_participant_bytes(p->state, LKATTRS_VIEW_SIGNAL_RESPONSE, &n);
  out->n = b && n <= sizeof out->b ? n : 0;
  if (out->n) memcpy(out->b, b, n);
}

lkattrs_status server_handle(participant *p, const msg_t *in,
                             const lkattrs_limits *room, msg_t *resp,
                             msg_t *bcast) {
  lkattrs_rules rules = LKATTRS_RULES_INIT; /* a client, LiveKit's metadata limit */
  rules.can_update_metadata = p->can_update_metadata;
  rules.limits = room;
  /* The answer echoes the request, in a SignalResponse (as LiveKit does). */
  lkattrs_response_buf rb = {resp->b, sizeof resp->b, true, true};
  lkattrs_update_result r;
  lkattrs_status st = lkattrs_participant_apply(p->state, in->b, in->n,
                                                LKATTRS_UPDATE_SIGNAL_REQUEST, &rules, &rb,
                                                &r, NULL);
  resp->n = r.respond ? r.resp_len : 0; /* to the sender */
  bcast->n = 0;
  if (r.changed) server_broadcast(p, bcast); /* to everyone */
  return st;
}

void server_leave(participant *p) {
  lkattrs_participant_free(p->state);
  p->state = NULL;
}
