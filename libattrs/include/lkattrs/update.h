/*
 * lkattrs/update.h - an attribute update applied on the wire: the server's
 * hot path.
 *
 * In: the encoded update a client (or the server API) sent, the
 * participant's stored attribute map and its current encoded
 * ParticipantInfo.  Out: the new ParticipantInfo to broadcast and the
 * RequestResponse for the sender, written into caller buffers.  The update
 * is read in place (lkattrs/wire.h) and applied with lkattrs_merge()'s rules
 * (origin, permission, namespaces, limits, atomicity), so the result is the
 * one the map-based path gives, byte for byte.
 *
 * What LiveKit does, and what we do (livekit-server pkg/rtc,
 * ParticipantImpl.UpdateMetadata):
 *   - permission first: a client without can_update_metadata is refused
 *     NOT_ALLOWED ("does not have permission to update own metadata");
 *   - then the limits: name, metadata and attributes, refused
 *     LIMIT_EXCEEDED ("exceeds ... limit");
 *   - a non-empty name or metadata replaces the participant's; the
 *     attributes are a partial map ("" deletes);
 *   - the sender gets a RequestResponse {request_id, reason, message} that
 *     echoes the request (update_metadata, field 7): a client always, the
 *     server API's target only on refusal;
 *   - LiveKit bumps `version` and broadcasts on any non-empty update; we do
 *     so only when something changed (design.md), and report a no-op as one.
 * A refused update changes nothing (map and buffers' meaning: only the
 * RequestResponse is written).  The new ParticipantInfo carries every
 * other field of the stored one over byte for byte and in place (unknown
 * fields included); `version` (10) is increased by one (wrapping to 0, then
 * omitted as proto3 does); `attributes` (15) is the map's canonical
 * encoding (entries in key order, each {1: key, 2: value}); `name` (9) and
 * `metadata` (5) are replaced when the update changes them.
 *
 * The stored attributes field is never trusted: attrs is the truth.  The
 * fast path: when the stored field is the map's canonical encoding byte for
 * byte (one run of entries as this function writes them, each key and value
 * equal to the map's entry at the same index: the usual case when the info
 * is the one this function returned last, or one written from the map by
 * this library), the new field is that run with only the changed entries
 * encoded (replaced, inserted, or left out) and the unchanged ones copied
 * as byte runs.  Otherwise (a stale field, say attrs changed by
 * lkattrs_merge() meanwhile and the info not re-encoded; another encoder's
 * order or encoding; more than 32 changed keys) the whole map is encoded.
 * Both give the same bytes: the map's.  The check is part of the one walk
 * over the stored entries (a compare of each entry's key and value bytes
 * with the map's), which stops at the first mismatch; nothing else is
 * O(n).  New fields are inserted at their place in field-number order, so
 * a stored message in field order (as every protobuf encoder writes it)
 * stays in field order.
 *
 * Memory: nothing is allocated when the caller gives output buffers and a
 * sort index (opts.scratch) or uses a fixed-storage map; a heap map without
 * opts.scratch allocates one index block per update (as lkattrs_merge()).
 * Thread-safety: as for lkattrs_map (attrs is written; the rest only read).
 */
#ifndef LKATTRS_UPDATE_H
#define LKATTRS_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lkattrs/errors.h"
#include "lkattrs/export.h"
#include "lkattrs/map.h"
#include "lkattrs/patch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* LiveKit's default limit.max_metadata_size (bytes of ParticipantInfo
 * metadata); 0 = unlimited.  Names are unlimited by default. */
#define LKATTRS_DEFAULT_MAX_METADATA_BYTES 524288
#define LKATTRS_DEFAULT_MAX_NAME_BYTES 0

/* The same defaults as functions, as the library was built.  Thread-safe. */
LKATTRS_API size_t lkattrs_default_max_metadata_bytes(void);
LKATTRS_API size_t lkattrs_default_max_name_bytes(void);

/* Which message holds the update. */
typedef enum lkattrs_update_kind {
  /* SignalRequest whose arm is update_metadata (15): a client's update. */
  LKATTRS_UPDATE_SIGNAL_REQUEST = 0,
  /* A bare UpdateParticipantMetadata {1 metadata, 2 name, 3 attributes,
   * 4 request_id}. */
  LKATTRS_UPDATE_PARTICIPANT_METADATA = 1,
  /* The server API's UpdateParticipantRequest {3 metadata, 5 name,
   * 6 attributes} (room, identity and permission are the caller's). */
  LKATTRS_UPDATE_PARTICIPANT_REQUEST = 2
} lkattrs_update_kind;

/* How to apply. */
typedef struct lkattrs_update_opts {
  /* origin, can_update_metadata, skip_namespace_rules, limits, on_change:
   * as for lkattrs_merge().  The server API is LKATTRS_ORIGIN_SERVER. */
  lkattrs_merge_opts merge;
  size_t max_name_bytes;     /* 0 = unlimited */
  size_t max_metadata_bytes; /* 0 = unlimited */
  bool echo_request;         /* RequestResponse.update_metadata (7), as LiveKit */
  /* Outputs wrapped as SignalResponse: the ParticipantInfo in
   * update (5) -> ParticipantUpdate.participants (1), the RequestResponse in
   * request_response (22), ready to send on the signal connection. */
  bool envelope;
  /* Sort index, one slot per entry of the update (duplicates counted);
   * NULL: the map's (fixed map: its scratch, at most max_entries entries;
   * heap map: one block from its allocator).  Too small: NOSPACE. */
  uint32_t *scratch;
  size_t scratch_cap;
} lkattrs_update_opts;

/* Initialiser: a client without the grant (set merge.can_update_metadata
 * from its token), default limits, echo on, no envelope. */
#define LKATTRS_UPDATE_OPTS_INIT                                          \
  {                                                                       \
    LKATTRS_MERGE_OPTS_INIT, LKATTRS_DEFAULT_MAX_NAME_BYTES,              \
        LKATTRS_DEFAULT_MAX_METADATA_BYTES, true, false, NULL, 0          \
  }

/* Output buffers (either may be NULL with cap 0 when not wanted; the size
 * it would need is still reported). */
typedef struct lkattrs_update_buffers {
  void *info;      /* the new ParticipantInfo */
  size_t info_cap;
  void *resp;      /* the RequestResponse */
  size_t resp_cap;
} lkattrs_update_buffers;

/* What happened. */
typedef struct lkattrs_update_result {
  uint32_t request_id;   /* the update's request_id (0 when none) */
  int reason;            /* RequestResponse.Reason (LKATTRS_REASON_*) */
  bool refused;          /* refused: nothing changed, only resp written */
  bool changed;          /* something changed: info written, broadcast it */
  bool respond;          /* LiveKit would send resp to the participant */
  size_t attrs_changed;  /* keys whose value changed */
  bool name_changed;
  bool metadata_changed;
  uint32_t version;      /* version of the participant after the call */
  size_t info_len;       /* bytes written to buffers->info (0: none) */
  size_t resp_len;       /* bytes written to buffers->resp (0: none) */
  size_t info_needed;    /* bytes the info output needs (also on errors */
  size_t resp_needed;    /*   once known; 0 when nothing would be written) */
} lkattrs_update_result;

/*
 * lkattrs_update_apply - apply an encoded update to a participant.
 *
 * attrs: the participant's attributes, a plain map (load them once from
 * its ParticipantInfo with lkattrs_wire_read_map()); updated in place on
 * success.  info, info_len: its current ParticipantInfo (NULL with 0: an
 * empty message); its attributes field is not trusted (attrs is the
 * truth; when the field matches attrs byte for byte the fast path applies,
 * else the map is encoded: see "The fast path" above).
 * update, update_len, kind: the message received.  opts: NULL means
 * LKATTRS_UPDATE_OPTS_INIT.  buffers: where to write (must not be NULL).
 * res (must not be NULL): what happened.  detail (may be NULL): as for
 * lkattrs_merge(), with key views into `update`; for wire errors the byte
 * offset in the offending message.
 *
 * Returns:
 *   OK: applied, or nothing to change (res->changed false: no version
 *     bump, nothing to broadcast); resp holds reason OK.
 *   a refusal (NOT_ALLOWED, RESERVED_NAME, KEY_EMPTY, KEY_TOO_LONG,
 *     VALUE_TOO_LONG, UTF8, NUL, CONTROL_CHAR, TOO_LARGE, TOO_MANY_ENTRIES,
 *     NOSPACE): res->refused, resp holds the reason; nothing changed.
 *   NOT_FOUND: a SignalRequest that is not an update_metadata.
 *   WIRE_TRUNCATED, WIRE_MALFORMED: update or info is not valid protobuf
 *     (LiveKit drops such a message; nothing written).
 *   BUFFER_TOO_SMALL: an output buffer is too small (res->*_needed);
 *     nothing changed, nothing written: retry with larger buffers.
 *   INVALID_ARGUMENT, NOMEM, UNSUPPORTED.
 * Example (a fixed map and static buffers, no allocation):
 *   lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
 *   o.merge.can_update_metadata = grant;
 *   lkattrs_update_buffers b = {info_out, sizeof info_out, resp, sizeof resp};
 *   lkattrs_update_result r;
 *   lkattrs_status st = lkattrs_update_apply(attrs, info, info_len, msg, len,
 *                                            LKATTRS_UPDATE_SIGNAL_REQUEST,
 *                                            &o, &b, &r, NULL);
 *   if (r.respond && r.resp_len) send_to_sender(resp, r.resp_len);
 *   if (st == LKATTRS_OK && r.changed) broadcast(info_out, r.info_len);
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_update_apply(lkattrs_map *attrs, const void *info, size_t info_len,
                     const void *update, size_t update_len,
                     lkattrs_update_kind kind, const lkattrs_update_opts *opts,
                     const lkattrs_update_buffers *buffers,
                     lkattrs_update_result *res, lkattrs_error_detail *detail);

/*
 * lkattrs_update_write_response - encode a RequestResponse {request_id,
 * reason, message} (zero and empty fields left out), optionally wrapped in
 * SignalResponse.request_response (envelope).  message may be NULL when
 * message_len is 0.  *written receives the bytes written, or on
 * BUFFER_TOO_SMALL the bytes needed.  Errors: INVALID_ARGUMENT,
 * BUFFER_TOO_SMALL.  Never allocates.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_update_write_response(uint32_t request_id, int reason,
                              const char *message, size_t message_len,
                              bool envelope, void *out, size_t cap,
                              size_t *written);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_UPDATE_H */
