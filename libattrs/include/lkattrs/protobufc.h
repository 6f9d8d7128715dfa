/*
 * lkattrs/protobufc.h - glue between libattrs maps and the protobuf-c code
 * of the schema (generated/protobuf-c).  Not part of the core: link
 * liblkattrs-protobufc.a (and liblkproto, libprotobuf-c).
 *
 * protobuf-c hands a map<string,string> over as an array of entry messages
 * (`Livekit__ParticipantInfo__AttributesEntry **attributes; size_t
 * n_attributes;`, each with `char *key, *value`), in wire order with
 * duplicates.  These functions apply the map semantics both ways:
 *   message -> map   the last entry of a key wins, an entry with "" is no
 *                    value (plain map), keys and values pass the core rules;
 *   map -> message   one entry per key in canonical order, so that
 *                    protobuf_c_message_pack() writes the same bytes as
 *                    lkattrs_wire_write_map().  The entries borrow the map's
 *                    strings (valid until the map changes) and live in one
 *                    block from an allocator: release them with the
 *                    matching _release() before packing anything else into
 *                    that field, and never with protobuf-c's free_unpacked.
 * A protobuf-c string holding U+0000 ends there (docs/wire-behaviour.md):
 * read attribute maps from the bytes (lkattrs/wire.h) when that matters.
 *
 * Typed helpers exist for every attribute-carrying message of the signal
 * and server paths; the generic ones work with any map<string,string>.
 * Thread-safety: as for lkattrs_map.
 */
#ifndef LKATTRS_PROTOBUFC_H
#define LKATTRS_PROTOBUFC_H

#include <protobuf-c/protobuf-c.h>

#include "livekit_models.pb-c.h"
#include "livekit_room.pb-c.h"
#include "livekit_rtc.pb-c.h"
#include "livekit_sip.pb-c.h"
#include "lkattrs/errors.h"
#include "lkattrs/export.h"
#include "lkattrs/map.h"
#include "lkattrs/participant.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * lkattrs_pbc_entries_view - the entries of a protobuf-c map field as
 * lkattrs_entry views (zero-copy; wire order, duplicates kept), e.g. to pass
 * an UpdateParticipantMetadata's attributes to lkattrs_merge().  entries:
 * n pointers to entry messages of any map<string,string> type (NULL key or
 * value: "").  out: n slots.  Errors: INVALID_ARGUMENT.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_pbc_entries_view(void *const *entries, size_t n, lkattrs_entry *out);

/*
 * lkattrs_pbc_read_entries - replace map's contents (a plain map) with the
 * entries: the last of a key wins, "" values are left out.  Keys and values
 * pass the key and value rules (no length limits).  Atomic: on error map is
 * unchanged; detail names the entry.  A fixed map needs max_entries >= n
 * (the raw entries, duplicates included: they are sorted in its scratch
 * table), else NOSPACE.  Errors: INVALID_ARGUMENT, KEY_EMPTY, UTF8, NUL,
 * CONTROL_CHAR, NOMEM, NOSPACE.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_pbc_read_entries(lkattrs_map *map, void *const *entries, size_t n,
                         lkattrs_error_detail *detail);

/*
 * lkattrs_pbc_make_entries - an entry array for map (plain or update map)
 * of the entry type `desc` (e.g.
 * &livekit__participant_info__attributes_entry__descriptor; it must be a
 * map entry {1: string key, 2: string value}), in canonical order.
 * alc: NULL means the map's allocator (heap map) or libc (fixed map).
 * *entries receives the array (NULL for an empty map), *n its length.
 * Release with lkattrs_pbc_free_entries(map, alc, *entries, *n).
 * Errors: INVALID_ARGUMENT, NOMEM, UNSUPPORTED (LKATTRS_NO_MALLOC, alc NULL).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_pbc_make_entries(const lkattrs_map *map,
                         const ProtobufCMessageDescriptor *desc,
                         const lkattrs_allocator *alc, void ***entries,
                         size_t *n);

/* lkattrs_pbc_free_entries - release an array from lkattrs_pbc_make_entries()
 * (same alc, or NULL for the same default; the map must still exist when
 * alc is NULL and the map is a heap map).  NULL is a no-op. */
LKATTRS_API void lkattrs_pbc_free_entries(const lkattrs_map *map,
                                          const lkattrs_allocator *alc,
                                          void **entries, size_t n);

/*
 * Typed helpers, one set per message (X below):
 *   lkattrs_pbc_X_get(msg, map, detail)  lkattrs_pbc_read_entries() on the
 *                                        message's attribute field
 *   lkattrs_pbc_X_set(msg, map, alc)     lkattrs_pbc_make_entries() into it
 *                                        (the field must be empty or hold
 *                                        an array from _set, released first)
 *   lkattrs_pbc_X_release(msg, map, alc) release what _set put there and
 *                                        empty the field
 * X: participant_info (ParticipantInfo.attributes),
 *    update_participant_metadata (UpdateParticipantMetadata.attributes),
 *    update_participant_request (UpdateParticipantRequest.attributes),
 *    join_request (JoinRequest.participant_attributes),
 *    create_sip_participant_request
 *      (CreateSIPParticipantRequest.participant_attributes).
 * Example (server: broadcast a participant):
 *   Livekit__ParticipantInfo pi = LIVEKIT__PARTICIPANT_INFO__INIT;
 *   ... fill pi ...
 *   if (lkattrs_pbc_participant_info_set(&pi, attrs, NULL) == LKATTRS_OK) {
 *     size_t n = livekit__participant_info__pack(&pi, buf);
 *     lkattrs_pbc_participant_info_release(&pi, attrs, NULL);
 *   }
 */
#define LKATTRS_PBC_DECLARE(X, T)                                              \
  LKATTRS_NODISCARD LKATTRS_API lkattrs_status lkattrs_pbc_##X##_get(          \
      const T *msg, lkattrs_map *map, lkattrs_error_detail *detail);           \
  LKATTRS_NODISCARD LKATTRS_API lkattrs_status lkattrs_pbc_##X##_set(          \
      T *msg, const lkattrs_map *map, const lkattrs_allocator *alc);           \
  LKATTRS_API void lkattrs_pbc_##X##_release(T *msg, const lkattrs_map *map,   \
                                             const lkattrs_allocator *alc);

LKATTRS_PBC_DECLARE(participant_info, Livekit__ParticipantInfo)
LKATTRS_PBC_DECLARE(update_participant_metadata, Livekit__UpdateParticipantMetadata)
LKATTRS_PBC_DECLARE(update_participant_request, Livekit__UpdateParticipantRequest)
LKATTRS_PBC_DECLARE(join_request, Livekit__JoinRequest)
LKATTRS_PBC_DECLARE(create_sip_participant_request, Livekit__CreateSIPParticipantRequest)

/*
 * lkattrs_pbc_participant_set_fields - lkattrs_participant_set_fields()
 * from a protobuf-c struct: every field of info except its attributes
 * (ignored: the state's are kept).  info is only read.  It is packed on the
 * stack when it takes at most 1 KiB, else in a block from protobuf-c's
 * default allocator, released before returning.
 * Errors: INVALID_ARGUMENT (NULL), NOMEM, and those of
 * lkattrs_participant_set_fields().
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_pbc_participant_set_fields(lkattrs_participant *p,
                                   const Livekit__ParticipantInfo *info,
                                   lkattrs_error_detail *detail);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_PROTOBUFC_H */
