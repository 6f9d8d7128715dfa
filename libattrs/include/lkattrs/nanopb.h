/*
 * lkattrs/nanopb.h - glue between libattrs maps and the nanopb code of the
 * schema (generated/nanopb), for constrained clients: static memory, no
 * malloc.  Not part of the core: link liblkattrs-nanopb.a (and
 * liblkproto-nanopb, libprotobuf-nanopb).
 *
 * The nanopb options make every attribute map a callback field
 * (protobufs/livekit_models.options, livekit_rtc.options): nanopb hands each map entry to a decode callback
 * as a sub-stream, and lets an encode callback write the entries.  These
 * callbacks connect such a field to a map, usually a fixed-storage map
 * (lkattrs_map_init_fixed()):
 *   decode  each entry is read into a small caller scratch buffer, parsed
 *           with the wire rules of lkattrs/wire.h (fields in any order,
 *           unknown ones skipped, missing key/value = "") and set in the map
 *           in wire order, so the last entry of a key wins; in a plain map
 *           "" deletes, in an update map it is kept.  A problem with one
 *           entry (too big for the scratch, bad text, map full) is recorded
 *           in the reader's status and the entry skipped: the rest of the
 *           message still decodes (check the status afterwards);
 *   encode  one entry per map entry, in canonical order, key and value
 *           always written (an update map's "" included): the bytes of
 *           lkattrs_wire_write_map().
 *
 * Atomicity.  nanopb calls the decode function once per entry and never
 * says when the last entry of a field has come, so a callback alone cannot
 * make a map update all-or-nothing.  Three ways to read, by memory cost:
 *   plain reader (lkattrs_npb_reader_init)  entries go straight into the
 *           map, which is NOT atomic: after a problem the map holds the
 *           entries read so far (partial).  No extra memory.
 *   staged reader (lkattrs_npb_reader_init_staged + _commit)  entries go
 *           into a second map, the stage; after pb_decode() succeeds,
 *           lkattrs_npb_reader_commit() replaces the map's contents with the
 *           stage's if every entry was good, else leaves the map unchanged.
 *           Atomic; costs a second map of the same capacity (for fixed
 *           storage LKATTRS_MAP_FIXED_BYTES(n, bytes) more bytes).
 *   participants router (lkattrs_npb_signal_response_setup)  each
 *           participant's map is cleared first and, if anything was wrong
 *           with its attributes or the ParticipantInfo, cleared again before
 *           the caller sees it: complete or empty, never partial, with the
 *           reader's status saying why.  No extra memory (a stage, if the
 *           reader has one, is used and changes nothing visible).  The
 *           caller keeps the last good map (lkattrs_map_copy() from
 *           on_participant when status is LKATTRS_OK), which is the commit.
 * The scratch buffer must hold one encoded entry: key + value bytes + 2
 * tags + 2 length varints + the entry's own (up to ~12 bytes overhead).
 *
 * For SignalResponse, whose arms nanopb clears before decoding them, the
 * envelope's submsg_callback (cb_message) installs the callbacks of the
 * ParticipantUpdate (update: participants), JoinResponse (join:
 * other_participants and, with a `self` reader, participant) and
 * RoomMovedResponse (room_moved: the same) arms; each other participant is
 * decoded in turn into one caller struct, its attributes into one map, and
 * handed to the caller's function; the own participant of a join or
 * room_moved arm is handed over after the others, once the arm is decoded.
 *
 * Thread-safety: a reader or participants object is used by one decode at
 * a time.
 */
#ifndef LKATTRS_NANOPB_H
#define LKATTRS_NANOPB_H

#include <pb.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include "livekit_models.pb.h"
#include "livekit_rtc.pb.h"
#include "lkattrs/errors.h"
#include "lkattrs/export.h"
#include "lkattrs/map.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decode state of one map field.  Set it up with a _init function. */
typedef struct lkattrs_npb_reader {
  lkattrs_map *map;       /* destination */
  unsigned char *scratch; /* room for one encoded entry (key + value + ~12) */
  size_t scratch_size;
  lkattrs_status status;  /* first problem, LKATTRS_OK when none */
  size_t entries;         /* entries seen */
  lkattrs_map *stage;     /* staging map (staged reader), or NULL */
} lkattrs_npb_reader;

/* lkattrs_npb_reader_init - set up a plain reader (status OK, count 0, no
 * stage): entries are set in map as they come (not atomic, see above).
 * The map is not cleared: do it (lkattrs_map_clear()) to read a whole new
 * map.  NULL r: no-op; NULL scratch: every entry is NOSPACE. */
LKATTRS_API void lkattrs_npb_reader_init(lkattrs_npb_reader *r, lkattrs_map *map,
                                         void *scratch, size_t scratch_size);

/*
 * lkattrs_npb_reader_init_staged - set up an atomic reader: entries go
 * into stage (cleared here; same kind, plain or update, as map, else the
 * status is INVALID_ARGUMENT), and map is only changed by
 * lkattrs_npb_reader_commit().  stage == map or NULL: a plain reader.
 * Memory: stage needs the capacity of the biggest map accepted.
 * Example (one ParticipantInfo, fixed storage, all or nothing):
 *   static unsigned char cur_st[LKATTRS_MAP_FIXED_BYTES(16, 1024)];
 *   static unsigned char new_st[LKATTRS_MAP_FIXED_BYTES(16, 1024)];
 *   lkattrs_npb_reader r;
 *   lkattrs_npb_reader_init_staged(&r, cur, next, scratch, sizeof scratch);
 *   lkattrs_npb_set_decode(&info.attributes, &r);
 *   if (pb_decode(&s, livekit_ParticipantInfo_fields, &info) &&
 *       lkattrs_npb_reader_commit(&r) == LKATTRS_OK) ... cur is the new map
 *   else ... cur is unchanged
 */
LKATTRS_API void lkattrs_npb_reader_init_staged(lkattrs_npb_reader *r,
                                                lkattrs_map *map, lkattrs_map *stage,
                                                void *scratch, size_t scratch_size);

/*
 * lkattrs_npb_reader_commit - call after pb_decode() succeeded (never after
 * it failed: the stage may then be partial).  Staged reader: when every
 * entry was good (status OK), map's contents are replaced by the stage's
 * (lkattrs_map_copy(), atomic); otherwise map is unchanged.  Plain reader:
 * nothing to do, returns the status.  To read another message, set the
 * reader up again.
 * Returns the reader's status (the first problem of the decode), or the
 * copy's error (NOSPACE when map is smaller than the stage, NOMEM), which
 * is also recorded in r->status.  INVALID_ARGUMENT: r or r->map NULL.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_npb_reader_commit(lkattrs_npb_reader *r);

/*
 * lkattrs_npb_decode_map - pb_callback_t decode function for a map field;
 * arg: a lkattrs_npb_reader *.  Returns false only when the stream fails.
 * lkattrs_npb_set_decode - install it: cb->funcs.decode, cb->arg = r.
 */
LKATTRS_API bool lkattrs_npb_decode_map(pb_istream_t *stream, const pb_field_t *field,
                                        void **arg);
LKATTRS_API void lkattrs_npb_set_decode(pb_callback_t *cb, lkattrs_npb_reader *r);

/*
 * lkattrs_npb_encode_map - pb_callback_t encode function for a map field;
 * arg: a const lkattrs_map * (plain: a ParticipantInfo's map; update map:
 * an UpdateParticipantMetadata's partial map, "" = delete).  Works with
 * sizing streams (pb_get_encoded_size()).
 * lkattrs_npb_set_encode - install it: cb->funcs.encode, cb->arg = map.
 */
LKATTRS_API bool lkattrs_npb_encode_map(pb_ostream_t *stream, const pb_field_t *field,
                                        void *const *arg);
LKATTRS_API void lkattrs_npb_set_encode(pb_callback_t *cb, const lkattrs_map *map);

/* Receives each decoded participant; attrs->map holds its attributes,
 * complete when attrs->status is LKATTRS_OK, else empty (never partial).
 * info and the map are reused for the next participant.  attrs is the
 * participants object's `self` reader for the own participant of a
 * JoinResponse or RoomMovedResponse, &p->attrs for every other. */
typedef void (*lkattrs_npb_participant_fn)(void *ctx,
                                           const livekit_ParticipantInfo *info,
                                           const lkattrs_npb_reader *attrs);

/* Decode state of a list of participants. */
typedef struct lkattrs_npb_participants {
  livekit_ParticipantInfo *info; /* caller storage for one participant */
  lkattrs_npb_reader attrs;      /* its attributes (map cleared before each) */
  lkattrs_npb_participant_fn on_participant;
  void *ctx;
  size_t count;                  /* participants handed to on_participant */
  /* Optional (NULL: the own participant of a join or room_moved arm is not
   * reported and its attributes are skipped): a reader, with a map of its
   * own (not attrs.map), for that participant's attributes.  Its
   * ParticipantInfo is the arm's `participant` (inside the decoded
   * SignalResponse), handed to on_participant after the arm's other
   * participants, with this reader as attrs.  Costs one more map. */
  lkattrs_npb_reader *self;
} lkattrs_npb_participants;

/*
 * lkattrs_npb_decode_participant - pb_callback_t decode function for a
 * repeated ParticipantInfo field (ParticipantUpdate.participants,
 * JoinResponse.other_participants); arg: a lkattrs_npb_participants *.
 * Decodes one participant into p->info (its attributes into p->attrs.map,
 * cleared first) and calls p->on_participant.  Returns false when the
 * participant is not valid protobuf for nanopb.
 */
LKATTRS_API bool lkattrs_npb_decode_participant(pb_istream_t *stream,
                                                const pb_field_t *field, void **arg);

/*
 * lkattrs_npb_signal_response_setup - prepare msg (any contents) for
 * pb_decode(): zeroes it and installs the envelope callback that, for the
 * update, join and room_moved arms, routes every participant to p (the own
 * participant of join / room_moved only when p->self is set).  p NULL: no
 * routing.  A participant whose ParticipantInfo is not valid protobuf
 * fails pb_decode() (its map is left empty).
 * Example:
 *   static livekit_SignalResponse msg;
 *   static livekit_ParticipantInfo info;
 *   static unsigned char st[LKATTRS_MAP_FIXED_BYTES(16, 1024)], scratch[300];
 *   lkattrs_map *m;
 *   lkattrs_npb_participants p = {&info, {0}, on_participant, NULL, 0, NULL};
 *   if (lkattrs_map_init_fixed(st, sizeof st, 16, 0, &m)) return;
 *   lkattrs_npb_reader_init(&p.attrs, m, scratch, sizeof scratch);
 *   lkattrs_npb_signal_response_setup(&msg, &p);
 *   pb_istream_t s = pb_istream_from_buffer(buf, len);
 *   if (!pb_decode(&s, livekit_SignalResponse_fields, &msg)) fail();
 */
LKATTRS_API void lkattrs_npb_signal_response_setup(livekit_SignalResponse *msg,
                                                   lkattrs_npb_participants *p);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_NANOPB_H */
