/*
 * lkattrs/participant.h - one participant's state: its encoded
 * ParticipantInfo, owned by the library, and the operations that change it.
 *
 * A server keeps one lkattrs_participant per participant.  It holds the
 * bytes the server broadcasts (the current ParticipantInfo) and an index of
 * their attribute entries (field 15), in key order.  Every operation checks
 * its whole input first, then writes the new bytes in one pass, copying the
 * unchanged runs; the attribute bytes are written only by the library, so
 * nothing it wrote is checked again.  There is no second copy (no map) to
 * keep in sync.
 *
 * The bytes are canonical: fields other than metadata (5), name (9),
 * version (10) and attributes (15) are kept as given, grouped around those
 * four in field-number order; metadata and name are written once (left out
 * when empty), version once (left out when 0), and the attributes one entry
 * per key, in bytewise key order, each {1: key, 2: value} with minimal
 * lengths.  Equal states encode to equal bytes.
 *
 * Storage, one API:
 *   fixed  lkattrs_participant_init_fixed(): caller storage sized with
 *          LKATTRS_PARTICIPANT_FIXED_BYTES(); never allocates.  What does
 *          not fit is refused with LKATTRS_E_NOSPACE, state unchanged.
 *   heap   lkattrs_participant_new(): grows through an allocator (NULL:
 *          libc).  Its buffers only grow, so once they have reached a
 *          participant's working size an update allocates nothing.
 *
 * Every operation is atomic: on any error (a refusal, bad input, no memory,
 * no space) the state is exactly as before, byte for byte.
 *
 * Cost of an update with k entries on a state with n attributes:
 * O(k log k) to sort the update, O(k log n) to find its keys, and one pass
 * that copies the output bytes (and the n offsets of the index).  No
 * unchanged entry is compared or decoded.
 *
 * Thread-safety: distinct states may be used from distinct threads; one
 * state needs exclusion for writes (concurrent reads are fine).
 */
#ifndef LKATTRS_PARTICIPANT_H
#define LKATTRS_PARTICIPANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lkattrs/errors.h"
#include "lkattrs/export.h"
#include "lkattrs/map.h"
#include "lkattrs/validate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lkattrs_participant lkattrs_participant;

/* ---- creating ---- */

/* Capacities of a fixed-storage state. */
typedef struct lkattrs_participant_caps {
  size_t max_info_bytes;     /* largest encoded ParticipantInfo it may hold */
  size_t max_entries;        /* attributes it may hold */
  size_t max_update_entries; /* entries of one update or one loaded message,
                                duplicates counted (0: max_entries) */
} lkattrs_participant_caps;

/* Bytes of caller storage that a fixed state with these capacities needs
 * (any alignment).  Arguments as in lkattrs_participant_caps, with
 * max_update_entries already resolved (not 0). */
#define LKATTRS_PARTICIPANT_HEADROOM 16u
#define LKATTRS_PARTICIPANT_FIXED_OVERHEAD (64u * sizeof(void *) + 64u)
#define LKATTRS_PARTICIPANT_FIXED_BYTES(info_bytes, entries, update_entries)   \
  (LKATTRS_PARTICIPANT_FIXED_OVERHEAD +                                        \
   2u * ((size_t)(info_bytes) + LKATTRS_PARTICIPANT_HEADROOM) +                \
   48u * (size_t)(entries) + 24u +                                            \
   (size_t)(update_entries) * (4u * sizeof(void *) + 16u))

/*
 * lkattrs_participant_init_fixed - an empty state (an empty ParticipantInfo,
 * version 0) inside caller storage.
 *
 * storage: storage_bytes bytes, any alignment, owned by the caller, which
 *   must outlive the state and not be touched while it is in use.
 * caps: the capacities (must not be NULL; max_info_bytes below 4 GiB).
 * out: receives the state, which points into storage.
 * Errors: INVALID_ARGUMENT (NULL, a capacity too large), NOSPACE (storage
 * smaller than LKATTRS_PARTICIPANT_FIXED_BYTES(caps)).  Never allocates.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_participant_init_fixed(void *storage, size_t storage_bytes,
                               const lkattrs_participant_caps *caps,
                               lkattrs_participant **out);

/*
 * lkattrs_participant_new - an empty state on the heap.
 *
 * alc: the allocator, copied (NULL: libc malloc/realloc/free).
 * out: receives the state; release it with lkattrs_participant_free().
 * Errors: INVALID_ARGUMENT (out NULL), NOMEM, UNSUPPORTED (built with
 * LKATTRS_NO_MALLOC and alc NULL).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_participant_new(const lkattrs_allocator *alc, lkattrs_participant **out);

/* lkattrs_participant_free - release a heap state and its buffers.  NULL is
 * a no-op; a fixed state is only abandoned (its storage is the caller's). */
LKATTRS_API void lkattrs_participant_free(lkattrs_participant *p);

/* ---- building ---- */

/*
 * lkattrs_participant_load - replace the whole state with an encoded
 * ParticipantInfo (from the caller's store, another server, a webhook).
 *
 * info, len: the message (NULL with 0: empty).  Checked once, in full: its
 * structure (as lkattrs_wire_check() at every level of the attribute
 * entries), every key (non-empty, valid UTF-8, no U+0000, no control
 * character) and value (valid UTF-8, no U+0000).  A key listed twice: the
 * last entry wins; an entry whose value is "" is left out.  No size limit
 * is applied (the bytes are the server's own).  The change list reports
 * the attributes that differ from the previous state.
 * detail (may be NULL): the offending entry and byte offset in info.
 * Errors: INVALID_ARGUMENT, WIRE_TRUNCATED, WIRE_MALFORMED, KEY_EMPTY,
 * UTF8, NUL, CONTROL_CHAR, NOSPACE (fixed capacities), NOMEM.
 * Cost: O(n) when the entries come in key order, O(n log n) otherwise.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_participant_load(lkattrs_participant *p, const void *info, size_t len,
                         lkattrs_error_detail *detail);

/*
 * lkattrs_participant_set_fields - replace every field except the
 * attributes, for a change the server makes otherwise (tracks, state,
 * permission, name, metadata, ...).
 *
 * info, len: a ParticipantInfo encoded by the caller (protobuf-c, nanopb,
 * by hand); its attributes field (15), if any, is ignored and the state's
 * attributes are kept as they are.  version: the caller's version when it
 * is greater than the state's, else the state's plus one (a change is
 * always a newer version for receivers).
 * Errors: INVALID_ARGUMENT, WIRE_TRUNCATED, WIRE_MALFORMED (detail->offset
 * in info), NOSPACE, NOMEM.  The change list becomes empty.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_participant_set_fields(lkattrs_participant *p, const void *info,
                               size_t len, lkattrs_error_detail *detail);

/* ---- the rules of an operation ---- */

/* The rules an operation applies: who sends it, and the room's limits. */
typedef struct lkattrs_rules {
  lkattrs_origin origin;       /* who sends it */
  bool can_update_metadata;    /* the sender's grant (CLIENT and AGENT) */
  /* Compatibility switch: true turns the reserved-name rules off, as in
   * LiveKit (default false: enforced). */
  bool skip_namespace_rules;
  const lkattrs_limits *limits; /* NULL: LKATTRS_LIMITS_INIT */
  size_t max_name_bytes;        /* 0: unlimited */
  size_t max_metadata_bytes;    /* 0: unlimited */
} lkattrs_rules;

/* LiveKit's default limit.max_metadata_size. */
#define LKATTRS_DEFAULT_MAX_METADATA_BYTES 524288
/* Initialiser: a client without the grant (set can_update_metadata from
 * its token), strict names, default limits. */
#define LKATTRS_RULES_INIT                                          \
  { LKATTRS_ORIGIN_CLIENT, false, false, NULL, 0,                   \
    LKATTRS_DEFAULT_MAX_METADATA_BYTES }

/* ---- join ---- */

/*
 * lkattrs_participant_join - set the attributes of a participant that
 * joins: the token's attributes with the join request's laid over them.
 *
 * token, token_count: the token's `attributes` claim (trusted: only the
 *   key and value text rules apply; may be NULL when 0).
 * join, join_count: JoinRequest.participant_attributes (or the legacy
 *   `attributes` query value), as the sender's: key, value and namespace
 *   rules for rules->origin; non-empty join attributes need
 *   can_update_metadata (else NOT_ALLOWED).  Join values win; a key listed
 *   twice resolves last-wins; an entry whose value is "" is skipped (a join
 *   deletes nothing).
 * rules: NULL means LKATTRS_RULES_INIT.  Its limits bound the resulting
 *   map (max_map_bytes, max_entries); max_update_bytes is not applied.
 * The previous attributes are replaced; the other fields are kept.  The
 * version is bumped when the attributes change.  The change list reports
 * what changed.
 * Errors: INVALID_ARGUMENT, NOT_ALLOWED, RESERVED_NAME, KEY_EMPTY,
 * KEY_TOO_LONG, VALUE_TOO_LONG, UTF8, NUL, CONTROL_CHAR, TOO_LARGE,
 * TOO_MANY_ENTRIES, NOSPACE, NOMEM; detail->index counts the token entries
 * first, then the join entries.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_participant_join(lkattrs_participant *p, const lkattrs_entry *token,
                         size_t token_count, const lkattrs_entry *join,
                         size_t join_count, const lkattrs_rules *rules,
                         lkattrs_error_detail *detail);

/*
 * lkattrs_participant_join_request - the same with the join attributes read
 * from an encoded JoinRequest (participant_attributes, field 4; NULL with 0:
 * none).  Wire errors (WIRE_TRUNCATED, WIRE_MALFORMED) give detail->offset
 * in the message.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_participant_join_request(lkattrs_participant *p,
                                 const lkattrs_entry *token, size_t token_count,
                                 const void *join_request, size_t len,
                                 const lkattrs_rules *rules,
                                 lkattrs_error_detail *detail);

/* ---- updates ---- */

/* Which message holds an update. */
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

/* Where the RequestResponse for the sender goes. */
typedef struct lkattrs_response_buf {
  void *data;   /* NULL: no response wanted */
  size_t cap;   /* at least LKATTRS_RESPONSE_MIN_BYTES when data is set */
  bool echo;    /* echo the request (RequestResponse.update_metadata, 7) */
  bool envelope;/* wrap it as SignalResponse.request_response (22) */
} lkattrs_response_buf;

/* The largest RequestResponse (envelope and echo included) that an update
 * of update_len bytes can need, and the largest one without the echo.  A
 * buffer of LKATTRS_RESPONSE_MAX_BYTES(update_len) always holds the whole
 * response. */
#define LKATTRS_RESPONSE_MIN_BYTES 176u
#define LKATTRS_RESPONSE_MAX_BYTES(update_len) \
  ((size_t)LKATTRS_RESPONSE_MIN_BYTES + 16u + (size_t)(update_len))

/* lkattrs_response_max_bytes - LKATTRS_RESPONSE_MAX_BYTES(update_len) as a
 * function (saturating).  Thread-safe. */
LKATTRS_API size_t lkattrs_response_max_bytes(size_t update_len);

/* What an update did. */
typedef struct lkattrs_update_result {
  uint32_t request_id;  /* the update's request_id (0 when none) */
  int reason;           /* RequestResponse.Reason (LKATTRS_REASON_*) */
  bool refused;         /* refused: nothing changed; the response says why */
  bool changed;         /* something changed: broadcast the new info */
  bool respond;         /* LiveKit would send the response to the sender */
  bool echo_dropped;    /* the echo did not fit: the response went without */
  bool name_changed;
  bool metadata_changed;
  size_t attrs_changed; /* keys whose value changed */
  uint32_t version;     /* the participant's version after the call */
  size_t resp_len;      /* bytes written to the response buffer (0: none) */
} lkattrs_update_result;

/*
 * lkattrs_participant_apply - apply an encoded update, as LiveKit's server
 * does (livekit-server, ParticipantImpl.UpdateMetadata), with the
 * project's rules on top.
 *
 * update, len, kind: the message received.  rules: NULL means
 * LKATTRS_RULES_INIT; the server API is LKATTRS_ORIGIN_SERVER.
 * resp: where the RequestResponse goes (NULL, or resp->data NULL: none).
 * res (must not be NULL): what happened.  detail (may be NULL): the
 * offending key (a view into update), entry and byte offset.
 *
 * In order: the message's structure (a malformed message is dropped, as
 * LiveKit drops it: WIRE_* returned, no response); the permission (a
 * CLIENT or AGENT without can_update_metadata: NOT_ALLOWED); name and
 * metadata (text rules; over the limit: TOO_LARGE); the attributes (a
 * partial map: "" deletes; the rules of lkattrs_merge()).  A non-empty name
 * or metadata replaces the participant's.  When something changed, the
 * version goes up by one (wrapping to 0); an update that changes nothing is
 * reported as such (res->changed false, version kept).
 *
 * The response: {request_id, reason, message, echo}; the echo
 * (RequestResponse.update_metadata) is the UpdateParticipantMetadata as
 * received (from a SignalRequest: its parts, concatenated), or for an
 * UpdateParticipantRequest its metadata, name and entries renumbered into
 * one.  A refusal always gets one when resp->data is set: with its reason
 * and LiveKit's message, and without the echo when the echo does not fit
 * (res->echo_dropped); the refusal status is returned either way.  A
 * refusal is never silenced.
 *
 * Returns OK (applied, or a no-op); a refusal (NOT_ALLOWED, RESERVED_NAME,
 * KEY_EMPTY, KEY_TOO_LONG, VALUE_TOO_LONG, UTF8, NUL, CONTROL_CHAR,
 * TOO_LARGE, TOO_MANY_ENTRIES, NOSPACE): res->refused, the state
 * unchanged; NOT_FOUND: a SignalRequest that is not an update_metadata;
 * WIRE_TRUNCATED, WIRE_MALFORMED; INVALID_ARGUMENT (also a response buffer
 * below LKATTRS_RESPONSE_MIN_BYTES); NOMEM (heap state: state unchanged).
 * The change list holds the attributes that changed (empty on errors).
 * Example:
 *   unsigned char resp[LKATTRS_RESPONSE_MAX_BYTES(MAX_MSG)];
 *   lkattrs_response_buf rb = {resp, sizeof resp, true, true};
 *   lkattrs_rules rules = LKATTRS_RULES_INIT;
 *   rules.can_update_metadata = grant;
 *   lkattrs_update_result r;
 *   (void)lkattrs_participant_apply(p, msg, len, LKATTRS_UPDATE_SIGNAL_REQUEST,
 *                                   &rules, &rb, &r, NULL);
 *   if (r.resp_len) send_to_sender(resp, r.resp_len);
 *   if (r.changed) broadcast(lkattrs_participant_bytes(
 *                      p, LKATTRS_VIEW_SIGNAL_RESPONSE, &n), n);
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_participant_apply(lkattrs_participant *p, const void *update,
                          size_t len, lkattrs_update_kind kind,
                          const lkattrs_rules *rules,
                          const lkattrs_response_buf *resp,
                          lkattrs_update_result *res,
                          lkattrs_error_detail *detail);

/*
 * lkattrs_write_response - encode a RequestResponse {request_id, reason,
 * message} (zero and empty fields left out), wrapped in
 * SignalResponse.request_response when envelope is set, for answers the
 * caller makes itself.  message may be NULL when message_len is 0.
 * *written receives the bytes written, or on BUFFER_TOO_SMALL the bytes
 * needed.  Errors: INVALID_ARGUMENT, BUFFER_TOO_SMALL.  Never allocates.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_write_response(uint32_t request_id, int reason, const char *message,
                       size_t message_len, bool envelope, void *out,
                       size_t cap, size_t *written);

/* ---- reading ---- */

/* The current bytes, bare or wrapped for sending. */
typedef enum lkattrs_view {
  LKATTRS_VIEW_PARTICIPANT_INFO = 0,   /* ParticipantInfo */
  LKATTRS_VIEW_PARTICIPANT_UPDATE = 1, /* ParticipantUpdate {1: info} */
  LKATTRS_VIEW_SIGNAL_RESPONSE = 2     /* SignalResponse {5: ParticipantUpdate} */
} lkattrs_view;

/*
 * lkattrs_participant_bytes - the current message as a view (no copy),
 * valid until the next operation that changes the state.  *len receives
 * its length (len must not be NULL).  Returns NULL only for p NULL or an
 * unknown view (then *len is 0); an empty ParticipantInfo is a non-NULL
 * pointer with length 0.
 */
LKATTRS_API const unsigned char *
lkattrs_participant_bytes(const lkattrs_participant *p, lkattrs_view view,
                          size_t *len);

/* Number of attributes, their Σ key+value bytes (LiveKit's measure), and
 * the version (0 for NULL).  O(1). */
LKATTRS_API size_t lkattrs_participant_count(const lkattrs_participant *p);
LKATTRS_API size_t lkattrs_participant_attrs_bytes(const lkattrs_participant *p);
LKATTRS_API uint32_t lkattrs_participant_version(const lkattrs_participant *p);

/*
 * lkattrs_participant_get - the value of one attribute, as a view into the
 * state's bytes (not NUL-terminated), valid until the next change.
 * value, value_len may be NULL.  Errors: NOT_FOUND, INVALID_ARGUMENT.
 * O(log n).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_participant_get(const lkattrs_participant *p, const char *key,
                        size_t key_len, const char **value, size_t *value_len);

/*
 * lkattrs_participant_at - attribute number index (0 <= index < count), in
 * key order, as views (not NUL-terminated) valid until the next change.
 * Errors: NOT_FOUND (out of range), INVALID_ARGUMENT.  O(1).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_participant_at(const lkattrs_participant *p, size_t index,
                       lkattrs_entry *out);

/* One changed attribute: its key, the value before (old_len 0 and had_old
 * false: it was absent) and after (has_new false: it was removed). */
typedef struct lkattrs_change {
  const char *key;
  size_t key_len;
  const char *old_value;
  size_t old_len;
  const char *new_value;
  size_t new_len;
  bool had_old;
  bool has_new;
} lkattrs_change;

/*
 * lkattrs_participant_changes - how many attributes the last operation
 * changed; lkattrs_participant_change_at - change number index of them, in
 * key order.  The views are valid until the next operation.  Errors:
 * NOT_FOUND (out of range), INVALID_ARGUMENT.
 */
LKATTRS_API size_t lkattrs_participant_changes(const lkattrs_participant *p);
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_participant_change_at(const lkattrs_participant *p, size_t index,
                              lkattrs_change *out);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_PARTICIPANT_H */
