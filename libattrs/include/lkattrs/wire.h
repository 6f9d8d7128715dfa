/*
 * lkattrs/wire.h - attribute maps on the protobuf wire: a deterministic
 * writer and a zero-copy reader.
 *
 * A protobuf map<string,string> field number F is, on the wire, a repeated
 * length-delimited field F whose every occurrence is an entry message
 * {1: key, 2: value}.  This module knows protobuf only at that level (no
 * generated code, no schema): the caller names the map field, and for a map
 * inside a sub-message the path of field numbers that leads to it, e.g.
 *   ParticipantInfo.attributes                          {15}
 *   UpdateParticipantMetadata.attributes                {3}
 *   SignalRequest.update_metadata (15) .attributes (3)  {15, 3}
 *   UpdateParticipantRequest.attributes                 {6}
 *   JoinRequest.participant_attributes                  {4}
 *   CreateSIPParticipantRequest.participant_attributes  {9}
 * (LKATTRS_FIELD_* below).
 *
 * Writer: entries in canonical (bytewise key) order when written from a map,
 * so equal maps always encode to equal bytes.  Each entry is written as
 * {1: key, 2: value}, both fields always present (as LiveKit's Go and JS
 * encoders do).  The size is known up front; output goes to a caller buffer
 * (never allocates) or to a block from an allocator.
 *
 * Reader: walks the whole encoded message (every field at the top level and
 * at every level of the path, each occurrence of a path field taken as one
 * more part of that sub-message, as protobuf merges a message field sent
 * twice), skips every other field of wire type varint, fixed64,
 * length-delimited and fixed32, and hands out each map entry as pointer +
 * length views into the caller's bytes, in wire order, without copying or
 * allocating.  Wire rules: inside an entry, fields come in any order,
 * unknown fields are skipped, a missing key or value is "" and a repeated
 * key or value field keeps its last occurrence.  A key listed twice in the
 * map: the last entry wins (lkattrs_wire_read_map() applies it; the raw
 * iteration shows both).
 * Rejected, with the byte offset of the offending field (detail->offset,
 * counted from the start of the message; detail->index: the entry, when
 * inside one):
 *   LKATTRS_E_WIRE_TRUNCATED  the input ends inside a field (a tag, a varint,
 *                             a fixed-size value, or a length past the end)
 *   LKATTRS_E_WIRE_MALFORMED  a varint longer than 10 bytes (or above 2^64),
 *                             field number 0 or above 2^29-1, wire types 3
 *                             and 4 (groups: not proto3) and 6, 7, a path or
 *                             entry field with the wrong wire type, a length
 *                             past the end of its enclosing sub-message
 *   LKATTRS_E_UTF8, LKATTRS_E_NUL
 *                             a key or value that is not valid UTF-8 or holds
 *                             U+0000 (the core rules; see the flags)
 *
 * Thread-safety: the functions only read their inputs (a reader object is
 * used by one thread at a time).
 */
#ifndef LKATTRS_WIRE_H
#define LKATTRS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lkattrs/errors.h"
#include "lkattrs/export.h"
#include "lkattrs/map.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Field numbers of LiveKit's schema (@livekit/protocol 1.52.1) used with
 * attributes. */
#define LKATTRS_FIELD_PARTICIPANT_INFO_METADATA 5   /* string */
#define LKATTRS_FIELD_PARTICIPANT_INFO_NAME 9       /* string */
#define LKATTRS_FIELD_PARTICIPANT_INFO_VERSION 10   /* uint32 */
#define LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES 15
#define LKATTRS_FIELD_UPDATE_METADATA_METADATA 1    /* UpdateParticipantMetadata */
#define LKATTRS_FIELD_UPDATE_METADATA_NAME 2
#define LKATTRS_FIELD_UPDATE_METADATA_ATTRIBUTES 3
#define LKATTRS_FIELD_UPDATE_METADATA_REQUEST_ID 4
#define LKATTRS_FIELD_UPDATE_PARTICIPANT_METADATA 3 /* UpdateParticipantRequest */
#define LKATTRS_FIELD_UPDATE_PARTICIPANT_NAME 5
#define LKATTRS_FIELD_UPDATE_PARTICIPANT_ATTRIBUTES 6
#define LKATTRS_FIELD_JOIN_REQUEST_ATTRIBUTES 4      /* JoinRequest.participant_attributes */
#define LKATTRS_FIELD_CREATE_SIP_PARTICIPANT_ATTRIBUTES 9
#define LKATTRS_FIELD_SIGNAL_REQUEST_UPDATE_METADATA 15
#define LKATTRS_FIELD_SIGNAL_RESPONSE_UPDATE 5       /* ParticipantUpdate */
#define LKATTRS_FIELD_SIGNAL_RESPONSE_REQUEST_RESPONSE 22
#define LKATTRS_FIELD_PARTICIPANT_UPDATE_PARTICIPANTS 1
#define LKATTRS_FIELD_REQUEST_RESPONSE_REQUEST_ID 1
#define LKATTRS_FIELD_REQUEST_RESPONSE_REASON 2
#define LKATTRS_FIELD_REQUEST_RESPONSE_MESSAGE 3
#define LKATTRS_FIELD_REQUEST_RESPONSE_UPDATE_METADATA 7

/* Largest field number protobuf allows. */
#define LKATTRS_WIRE_MAX_FIELD 536870911u
/* Longest path of field numbers (map field included). */
#define LKATTRS_WIRE_MAX_DEPTH 8

/* Reader flags. */
#define LKATTRS_WIRE_RAW 0x1u       /* no UTF-8 / U+0000 check of keys and values */
#define LKATTRS_WIRE_ALLOW_NUL 0x2u /* U+0000 allowed (UTF-8 still checked) */

/* ---- writer ---- */

/*
 * lkattrs_wire_map_size - bytes that lkattrs_wire_write_map() writes for map
 * as field `field` (0 for an empty map).  Errors: INVALID_ARGUMENT (map or
 * size NULL, field 0 or above LKATTRS_WIRE_MAX_FIELD).  O(n).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_map_size(const lkattrs_map *map, uint32_t field, size_t *size);

/*
 * lkattrs_wire_write_map - encode map as the map field `field`: one entry
 * per key, in canonical key order, key and value always written.
 *
 * out: cap bytes owned by the caller (may be NULL when cap is 0).
 * *written (must not be NULL) receives the bytes written, or on
 * BUFFER_TOO_SMALL the bytes needed (nothing is written then).  Never
 * allocates.  Errors: INVALID_ARGUMENT, BUFFER_TOO_SMALL.
 * Example (a ParticipantInfo's attributes):
 *   unsigned char buf[512];
 *   size_t n;
 *   if (lkattrs_wire_write_map(m, LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES,
 *                              buf, sizeof buf, &n) == LKATTRS_OK) send(buf, n);
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_write_map(const lkattrs_map *map, uint32_t field, void *out,
                       size_t cap, size_t *written);

/*
 * lkattrs_wire_encode_map - the same into a block from an allocator.
 *
 * alc: the allocator (NULL: libc malloc).  *out receives the block (NULL for
 * an empty map, with *len 0), to be released with alc->free(alc->ctx, *out,
 * *len), or free() when alc is NULL.  Errors: INVALID_ARGUMENT, NOMEM,
 * UNSUPPORTED (alc NULL in a LKATTRS_NO_MALLOC build).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_encode_map(const lkattrs_map *map, uint32_t field,
                        const lkattrs_allocator *alc, unsigned char **out,
                        size_t *len);

/*
 * lkattrs_wire_entries_size / lkattrs_wire_write_entries - the same for an
 * array of entries (an update, e.g. the output of lkattrs_diff()), written
 * in the order given, empty values included.  entries may be NULL when n is
 * 0.  Errors: INVALID_ARGUMENT (NULL pointers, bad field), BUFFER_TOO_SMALL
 * (*written: bytes needed).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_entries_size(const lkattrs_entry *entries, size_t n,
                          uint32_t field, size_t *size);
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_write_entries(const lkattrs_entry *entries, size_t n,
                           uint32_t field, void *out, size_t cap,
                           size_t *written);

/* ---- reader ---- */

/*
 * The state of one iteration over the entries of a map field.  Lives on the
 * caller's stack; the fields are private (read nothing but through the
 * functions).  It borrows the message bytes, which must stay unchanged.
 */
typedef struct lkattrs_wire_reader {
  const unsigned char *msg;
  size_t len;
  uint32_t path[LKATTRS_WIRE_MAX_DEPTH];
  size_t end[LKATTRS_WIRE_MAX_DEPTH];
  size_t depth, level, pos, index;
  unsigned flags;
  lkattrs_status status;
} lkattrs_wire_reader;

/*
 * lkattrs_wire_reader_init - prepare to iterate the entries of the map field
 * at `path` (depth field numbers, 1..LKATTRS_WIRE_MAX_DEPTH: the
 * sub-message fields leading to it, then the map field) in msg[0..len).
 * flags: 0 (keys and values checked for UTF-8 and U+0000), or
 * LKATTRS_WIRE_RAW, LKATTRS_WIRE_ALLOW_NUL.  msg may be NULL when len is 0.
 * Errors: INVALID_ARGUMENT (NULL, bad depth, field or flags).  Never fails
 * on the message itself: lkattrs_wire_next() does.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_reader_init(lkattrs_wire_reader *r, const void *msg, size_t len,
                         const uint32_t *path, size_t depth, unsigned flags);

/*
 * lkattrs_wire_next - the next entry, in wire order (duplicates included).
 *
 * Returns LKATTRS_OK with *out set to views into the message (key and value
 * not NUL-terminated; a missing one is "" with length 0); LKATTRS_E_NOT_FOUND
 * when the whole message has been walked and is well-formed; or an error
 * (see the top of this file; detail, which may be NULL, has the offset and
 * for UTF8/NUL the key, its index and in_value).  After an error or the end,
 * every later call returns the same status.  Entries handed out before an
 * error came from a message that turns out malformed: a caller that must
 * not act on a bad message reads to the end first (lkattrs_wire_collect()).
 * Example:
 *   uint32_t path[] = {LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES};
 *   lkattrs_wire_reader r;
 *   lkattrs_entry e;
 *   lkattrs_status st;
 *   if (lkattrs_wire_reader_init(&r, buf, len, path, 1, 0)) return;
 *   while ((st = lkattrs_wire_next(&r, &e, NULL)) == LKATTRS_OK)
 *     printf("%.*s=%.*s\n", (int)e.key_len, e.key, (int)e.value_len, e.value);
 *   if (st != LKATTRS_E_NOT_FOUND) fail(st);
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_next(lkattrs_wire_reader *r, lkattrs_entry *out,
                  lkattrs_error_detail *detail);

/*
 * lkattrs_wire_collect - check the whole message, then store every raw entry
 * (wire order, duplicates included: the last of a key wins when applied
 * with lkattrs_merge()) as views into msg in out[0..cap).
 *
 * *count (must not be NULL) receives the number of entries; out may be NULL
 * to count only.  Errors: as lkattrs_wire_next() (then *count is 0),
 * INVALID_ARGUMENT, BUFFER_TOO_SMALL (cap too small; *count is the number
 * needed).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_collect(const void *msg, size_t len, const uint32_t *path,
                     size_t depth, unsigned flags, lkattrs_entry *out,
                     size_t cap, size_t *count, lkattrs_error_detail *detail);

/*
 * lkattrs_wire_read_map - replace map's contents with the map field at path:
 * the last entry of a key wins; into a plain map an entry whose (winning)
 * value is "" is left out (it means no value), into an update map
 * (LKATTRS_MAP_UPDATE) it is kept (it means "delete").
 *
 * msg, len: the message (msg may be NULL when len is 0).
 * path, depth: as for lkattrs_wire_reader_init().
 * map: the map to fill (must not be NULL).
 * detail: may be NULL; the offending entry and byte offset.
 * Keys must follow the key rules of lkattrs_map_set() (non-empty, no
 * control character; no length limit here), keys and values the text
 * rules (valid UTF-8, no U+0000): a map holds valid text only.  Atomic:
 * the whole message is checked and room is made before the map changes;
 * on any error the map is as before.  Sorting uses the map's scratch
 * (fixed maps: at most max_entries raw entries, else NOSPACE; heap maps:
 * one block of 4 bytes per entry from the map's allocator).  O(n log n).
 * Errors: as lkattrs_wire_next(), KEY_EMPTY, CONTROL_CHAR, INVALID_ARGUMENT,
 * NOMEM, NOSPACE.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_read_map(const void *msg, size_t len, const uint32_t *path,
                      size_t depth, lkattrs_map *map, lkattrs_error_detail *detail);

/* One field found by lkattrs_wire_find(). */
typedef struct lkattrs_wire_field {
  uint32_t number;
  unsigned wire_type;       /* 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 */
  uint64_t value;           /* varint and fixed values */
  const unsigned char *data; /* length-delimited: the bytes (a view) */
  size_t len;
  size_t offset;            /* offset of its tag in the message */
} lkattrs_wire_field;

/*
 * lkattrs_wire_find - the last occurrence of the field at path (the
 * sub-message fields, then the field wanted) in msg, after checking the
 * whole message as lkattrs_wire_next() does.  That is the protobuf value of
 * a singular scalar or string field.  Errors: NOT_FOUND (absent), the wire
 * errors, INVALID_ARGUMENT.  Never allocates.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_find(const void *msg, size_t len, const uint32_t *path,
                  size_t depth, lkattrs_wire_field *out,
                  lkattrs_error_detail *detail);

/*
 * lkattrs_wire_check - check the structure of msg's top level (every field
 * well-formed, nothing truncated).  Errors: the wire errors,
 * INVALID_ARGUMENT.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_check(const void *msg, size_t len, lkattrs_error_detail *detail);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_WIRE_H */
