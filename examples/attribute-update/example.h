/*
 * example.h - the two sides of the attribute-update example.
 *
 *   client.c  a constrained client: nanopb code, fixed-storage maps, no
 *             malloc (lkattrs/nanopb.h)
 *   server.c  a server: one participant state per participant
 *             (lkattrs/participant.h), its first ParticipantInfo packed
 *             with the protobuf-c code, every update applied on the wire
 *   main.c    the conversation, step by step
 */
#ifndef EXAMPLE_H
#define EXAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lkattrs/lkattrs.h>

/* One encoded message on the signal connection. */
typedef struct {
  unsigned char b[4096];
  size_t n;
} msg_t;

/* ---- server ---- */
typedef struct {
  const char *identity;
  bool can_update_metadata;   /* the token's canUpdateOwnMetadata */
  lkattrs_participant *state; /* its ParticipantInfo, owned by libattrs */
} participant;

/* Join: the ParticipantInfo packed with protobuf-c, then the token's
 * attributes (version 1 when there are any).  Returns 0 on success. */
int server_join(participant *p, const char *sid, const char *identity,
                const char *name, bool can_update, const lkattrs_entry *token,
                size_t n);
/* SignalResponse{update: ParticipantUpdate{participants: [p]}}. */
void server_broadcast(const participant *p, msg_t *out);
/* Apply a client's SignalRequest under the room's limits: resp receives
 * SignalResponse{request_response}, bcast (n = 0 when nothing changed)
 * SignalResponse{update}.  Returns the status of
 * lkattrs_participant_apply(). */
lkattrs_status server_handle(participant *p, const msg_t *in,
                             const lkattrs_limits *room, msg_t *resp,
                             msg_t *bcast);
void server_leave(participant *p);

/* ---- client ---- */
/* Start with no attributes known. */
void client_init(void);
/* The attributes the client knows for itself (a fixed map). */
const lkattrs_map *client_attrs(void);
/* Encode SignalRequest{update_metadata: diff(known, wanted), request_id};
 * returns false (nothing to send) when the diff is empty. */
bool client_request(const lkattrs_entry *wanted, size_t n, uint32_t request_id,
                    msg_t *out);
/* Decode a SignalResponse: a request_response (*rid, *reason set) or an
 * update (the map and version refreshed, the changed keys printed as
 * livekit-client's attributesChanged).  Returns false on a decode error. */
bool client_receive(const msg_t *in, uint32_t *rid, int *reason,
                    uint32_t *version, char *changed, size_t changed_cap);

#endif /* EXAMPLE_H */
