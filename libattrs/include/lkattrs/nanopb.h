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
 *           message still decodes (check the status afterwards; the map may
 *           then be partial);
 *   encode  one entry per map entry, in canonical order, key and value
 *           always written (an update map's "" included): the bytes of
 *           lkattrs_wire_write_map().
 * For SignalResponse, whose arms nanopb clears before decoding them, the
 * envelope's submsg_callback (cb_message) installs the callbacks of the
 * ParticipantUpdate (update) and JoinResponse (join: other_participants)
 * arms; each ParticipantInfo is decoded in turn into one caller struct, its
 * attributes into one map, and handed to the caller's function.
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

/* Decode state of one map field. */
typedef struct lkattrs_npb_reader {
  lkattrs_map *map;       /* destination */
  unsigned char *scratch; /* room for one encoded entry (key + value + ~12) */
  size_t scratch_size;
  lkattrs_status status;  /* first problem, LKATTRS_OK when none */
  size_t entries;         /* entries seen */
} lkattrs_npb_reader;

/* lkattrs_npb_reader_init - set up a reader (status OK, count 0).  The map is
 * not cleared: do it (lkattrs_map_clear()) to read a whole new map. */
LKATTRS_API void lkattrs_npb_reader_init(lkattrs_npb_reader *r, lkattrs_map *map,
                                         void *scratch, size_t scratch_size);

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

/* Receives each decoded participant; attrs->map holds its attributes and
 * attrs->status says whether they are complete.  info and the map are
 * reused for the next participant. */
typedef void (*lkattrs_npb_participant_fn)(void *ctx,
                                           const livekit_ParticipantInfo *info,
                                           const lkattrs_npb_reader *attrs);

/* Decode state of a list of participants. */
typedef struct lkattrs_npb_participants {
  livekit_ParticipantInfo *info; /* caller storage for one participant */
  lkattrs_npb_reader attrs;      /* its attributes (map cleared before each) */
  lkattrs_npb_participant_fn on_participant;
  void *ctx;
  size_t count;                  /* participants decoded */
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
 * update and join arms, routes every participant to p.
 * Example:
 *   static livekit_SignalResponse msg;
 *   static livekit_ParticipantInfo info;
 *   static unsigned char st[LKATTRS_MAP_FIXED_BYTES(16, 1024)], scratch[300];
 *   lkattrs_map *m;
 *   lkattrs_npb_participants p = {&info, {0}, on_participant, NULL, 0};
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
