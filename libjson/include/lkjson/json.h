/*
 * lkjson/json.h - LiveKit messages between binary protobuf and canonical
 * proto3 JSON, in-process (what @livekit/protocol's toJson() / fromJson()
 * give JavaScript), for every message of the schema by full name, and the
 * names <-> numbers of every enum.
 *
 * The JSON is the one @bufbuild/protobuf 1.10.1 writes and reads: fields
 * under their lowerCamelCase JSON names (proto names accepted when reading),
 * enums as value names (the number when unknown), 64-bit integers as decimal
 * strings, bytes as standard padded base64, maps as objects, and
 * google.protobuf Timestamp, Duration, Any, Struct, Value and ListValue in
 * their JSON forms.  The binary reader is strict (truncations, over-long
 * varints, wrong wire types, invalid UTF-8 and U+0000 in strings are
 * refused); unknown fields (groups included) are skipped.
 *
 * Library: liblkjson (pkg-config lkjson, CMake lkproto::lkjson), built on
 * the protobuf-c code of the schema (liblkproto); its JSON parser is its
 * own (strict RFC 8259, UTF-8 checked, nesting up to 512).  This header
 * includes no generated header: types are named by their full name
 * ("livekit.ParticipantInfo").
 *
 * Memory: every allocation of a call goes through the allocator of its
 * options (NULL: libc), the JSON parser's included; the library has no
 * global state and never aborts (LKJSON_NOMEM).
 *
 * Thread-safety: every function is reentrant; concurrent calls need no
 * locking (the type tables are constant).
 *
 * Example (binary -> JSON into a stack buffer):
 *
 *   char json[4096];
 *   size_t need;
 *   lkjson_error err;
 *   lkjson_status st = lkjson_to_json("livekit.ParticipantInfo", bin, bin_len,
 *                                     NULL, json, sizeof json, &need, &err);
 *   if (st == LKJSON_OK) puts(json);
 *   else fprintf(stderr, "%s: %s\n", lkjson_strerror(st), err.message);
 */
#ifndef LKJSON_JSON_H
#define LKJSON_JSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* LKJSON_API marks every public function (default visibility: the library
 * is built with -fvisibility=hidden); LKJSON_NODISCARD a status that must
 * be checked. */
#ifndef LKJSON_API
#  if defined(__GNUC__) || defined(__clang__)
#    define LKJSON_API __attribute__((visibility("default")))
#  else
#    define LKJSON_API
#  endif
#endif
#ifndef LKJSON_NODISCARD
#  if defined(__GNUC__) || defined(__clang__)
#    define LKJSON_NODISCARD __attribute__((warn_unused_result))
#  else
#    define LKJSON_NODISCARD
#  endif
#endif

/* Version of this header; lkjson_version_string() gives the linked one. */
#define LKJSON_VERSION_MAJOR 0
#define LKJSON_VERSION_MINOR 1
#define LKJSON_VERSION_PATCH 0
#define LKJSON_VERSION_STRING "0.1.0"

/* lkjson_version_string - the version of the linked library ("0.1.0").
 * Static string.  Thread-safe. */
LKJSON_API const char *lkjson_version_string(void);

/* ------------------------------------------------------------------------
 * Status codes.  The values are fixed: new codes are only added. */
typedef enum lkjson_status {
  LKJSON_OK = 0,
  LKJSON_INVALID_ARGUMENT = 1, /* a NULL pointer where one is required, bad flags */
  LKJSON_UNKNOWN_TYPE = 2,     /* no message (or enum) of that name */
  LKJSON_AMBIGUOUS_TYPE = 3,   /* lkjson_type_resolve(): several types match */
  LKJSON_BUFFER_TOO_SMALL = 4, /* caller buffer too small; *needed tells the size */
  LKJSON_NOMEM = 5,            /* an allocation failed */
  LKJSON_BAD_WIRE = 6,         /* the binary input is not a valid message of the type */
  LKJSON_BAD_SYNTAX = 7,       /* the JSON input is not JSON */
  LKJSON_BAD_VALUE = 8,        /* valid JSON, but not a message of the type
                                  (unknown field, wrong type, out of range...) */
  LKJSON_NO_JSON_FORM = 9,     /* valid binary with no JSON form (a Timestamp
                                  out of range, an Any of an unknown type...) */
  LKJSON_UNKNOWN_NAME = 10     /* lkjson_enum_value(): no value of that name */
} lkjson_status;

/* lkjson_strerror - a short English description of a status ("buffer too
 * small"); "unknown status" for a value that is not one.  Static string.
 * Thread-safe. */
LKJSON_API const char *lkjson_strerror(lkjson_status status);

/* Size of lkjson_error.message and .path (bytes, NUL included). */
#define LKJSON_ERROR_MESSAGE_SIZE 1024
#define LKJSON_ERROR_PATH_SIZE 512

/* Detail of a failure, filled by the functions that take one (pass NULL when
 * the status is enough).  On LKJSON_OK: status 0 and empty strings.
 *   path     where in the message: `participant.attributes["k"]`, `tracks[1].name`,
 *            "" for the top level or when there is no field (syntax errors)
 *   message  one line for a person, with the path, e.g.
 *            `field tracks[1].name: invalid UTF-8 in string, at byte offset 42`
 *   offset   binary input: byte offset of the problem; JSON syntax errors:
 *            byte position; otherwise (size_t)-1
 *   line, column   JSON syntax errors: 1-based position; otherwise 0 */
typedef struct lkjson_error {
  lkjson_status status;
  size_t offset;
  int line, column;
  char path[LKJSON_ERROR_PATH_SIZE];
  char message[LKJSON_ERROR_MESSAGE_SIZE];
} lkjson_error;

/* ------------------------------------------------------------------------
 * Allocator (the shape of lkattrs_allocator).  ctx is passed back
 * unchanged; realloc and free receive the size of the block; realloc must
 * leave the old block untouched when it fails.  Blocks must be aligned for
 * any object (malloc's alignment).  NULL everywhere means libc. */
typedef struct lkjson_allocator {
  void *(*alloc)(void *ctx, size_t size);
  void *(*realloc)(void *ctx, void *ptr, size_t old_size, size_t new_size);
  void (*free)(void *ctx, void *ptr, size_t size);
  void *ctx;
} lkjson_allocator;

/* ------------------------------------------------------------------------
 * Options (as protobuf's JSON printers and parsers have them). */
/* Writing: also write fields that hold their default value (proto3 scalars
 * and enums without presence as 0, "", false, the first enum value; repeated
 * fields as [] and maps as {}); unset messages, oneofs and `optional`
 * fields stay out.  @bufbuild/protobuf: emitDefaultValues. */
#define LKJSON_EMIT_DEFAULTS 0x1u
/* Writing: field names as in the .proto file (`participant_attributes`)
 * instead of the JSON names (`participantAttributes`).
 * @bufbuild/protobuf: useProtoFieldName.  (Reading accepts both always.) */
#define LKJSON_PROTO_NAMES 0x2u
/* Reading: skip object keys that are not fields of the message, and enum
 * names that are not values of the enum (the field then stays unset; in a
 * repeated field or map the element is left out), as LiveKit's receivers do.
 * @bufbuild/protobuf: ignoreUnknownFields. */
#define LKJSON_IGNORE_UNKNOWN 0x4u
/* Every flag this version knows; other bits are LKJSON_INVALID_ARGUMENT. */
#define LKJSON_FLAGS_ALL 0x7u

typedef struct lkjson_options {
  unsigned flags;                     /* LKJSON_EMIT_DEFAULTS | ... */
  const lkjson_allocator *allocator;  /* NULL: libc */
} lkjson_options;

/* Default options (the same as passing NULL). */
#define LKJSON_OPTIONS_INIT {0u, NULL}

/* ------------------------------------------------------------------------
 * Conversions.
 *
 * type        full name of a message type ("livekit.ParticipantInfo"; a
 *             leading dot is accepted).  Map entry types are not messages.
 * options     NULL for the defaults.
 * err         NULL, or filled with the detail of the outcome.
 *
 * On any status other than LKJSON_OK nothing is written to out (to the
 * caller buffer or *out), except *needed for LKJSON_BUFFER_TOO_SMALL.
 * Inputs are never modified. */

/* lkjson_to_json - binary message -> JSON text into a caller buffer.
 *   bin, len    the encoded message (bin may be NULL when len is 0)
 *   out, cap    the buffer (out may be NULL when cap is 0)
 *   needed      required: set to the bytes the JSON needs, its terminating
 *               NUL included, on LKJSON_OK (strlen(out) + 1) and on
 *               LKJSON_BUFFER_TOO_SMALL (call again with cap >= *needed)
 * Errors: LKJSON_UNKNOWN_TYPE, LKJSON_BAD_WIRE, LKJSON_NO_JSON_FORM,
 * LKJSON_BUFFER_TOO_SMALL, LKJSON_NOMEM, LKJSON_INVALID_ARGUMENT.
 * Allocates temporary memory with the options' allocator, all freed before
 * it returns. */
LKJSON_NODISCARD LKJSON_API lkjson_status
lkjson_to_json(const char *type, const uint8_t *bin, size_t len, const lkjson_options *options,
               char *out, size_t cap, size_t *needed, lkjson_error *err);

/* lkjson_to_json_alloc - the same, into a buffer allocated with the
 * options' allocator: *out (NUL-terminated) holds *out_len bytes of JSON
 * plus the NUL, a block of *out_len + 1 bytes; free it with lkjson_free()
 * (same options) or the allocator's free with that size.  *out is NULL and
 * *out_len 0 on error. */
LKJSON_NODISCARD LKJSON_API lkjson_status
lkjson_to_json_alloc(const char *type, const uint8_t *bin, size_t len,
                     const lkjson_options *options, char **out, size_t *out_len,
                     lkjson_error *err);

/* lkjson_from_json - JSON text -> binary message into a caller buffer.
 *   json, len   one JSON document (need not be NUL-terminated; json may be
 *               NULL when len is 0, which is a syntax error)
 *   out, cap    the buffer (out may be NULL when cap is 0)
 *   needed      required: set to the size of the encoding on LKJSON_OK and
 *               on LKJSON_BUFFER_TOO_SMALL
 * The encoding is protobuf-c's: fields in number order, map entries in the
 * order of the JSON object.
 * Errors: LKJSON_UNKNOWN_TYPE, LKJSON_BAD_SYNTAX, LKJSON_BAD_VALUE,
 * LKJSON_BUFFER_TOO_SMALL, LKJSON_NOMEM, LKJSON_INVALID_ARGUMENT. */
LKJSON_NODISCARD LKJSON_API lkjson_status
lkjson_from_json(const char *type, const char *json, size_t len, const lkjson_options *options,
                 uint8_t *out, size_t cap, size_t *needed, lkjson_error *err);

/* lkjson_from_json_alloc - the same, into a buffer allocated with the
 * options' allocator: *out holds *out_len bytes, in a block of *out_len + 1
 * bytes (never NULL on success, even for an empty message); free it with
 * lkjson_free().  *out is NULL and *out_len 0 on error. */
LKJSON_NODISCARD LKJSON_API lkjson_status
lkjson_from_json_alloc(const char *type, const char *json, size_t len,
                       const lkjson_options *options, uint8_t **out, size_t *out_len,
                       lkjson_error *err);

/* lkjson_free - frees a buffer of lkjson_to_json_alloc() or
 * lkjson_from_json_alloc(): p and its out_len as returned, with the same
 * options (their allocator).  NULL p: no-op. */
LKJSON_API void lkjson_free(const lkjson_options *options, void *p, size_t out_len);

/* ------------------------------------------------------------------------
 * Types. */
typedef enum lkjson_kind {
  LKJSON_KIND_MESSAGE = 1,
  LKJSON_KIND_ENUM = 2
} lkjson_kind;

/* lkjson_type_count - number of message and enum types (map entry types
 * excluded), nested ones and the google.protobuf ones included. */
LKJSON_API size_t lkjson_type_count(void);

/* lkjson_type_at - the full name of type i (0 <= i < lkjson_type_count()),
 * in bytewise order of the names; *kind (if not NULL) set to its kind.
 * NULL when i is out of range.  Static string. */
LKJSON_API const char *lkjson_type_at(size_t i, lkjson_kind *kind);

/* lkjson_type_find - looks a type up by full name ("livekit.ParticipantInfo",
 * "livekit.RequestResponse.Reason"; a leading dot accepted).  Returns
 * LKJSON_OK and sets *kind (if not NULL), or LKJSON_UNKNOWN_TYPE (map entry
 * types too), or LKJSON_INVALID_ARGUMENT for a NULL name. */
LKJSON_NODISCARD LKJSON_API lkjson_status lkjson_type_find(const char *name, lkjson_kind *kind);

/* lkjson_type_resolve - a type by a name a person types: the full name,
 * the name without its package ("ParticipantInfo", "ChatContext" of
 * livekit.agent), a name relative to package livekit ("agent.ChatContext").
 * A name in package livekit wins over the same name in another package.
 * On LKJSON_OK *full_name (static string) and *kind (both optional) are
 * set; LKJSON_UNKNOWN_TYPE, LKJSON_AMBIGUOUS_TYPE (several packages define
 * the name), LKJSON_INVALID_ARGUMENT otherwise. */
LKJSON_NODISCARD LKJSON_API lkjson_status
lkjson_type_resolve(const char *name, const char **full_name, lkjson_kind *kind);

/* ------------------------------------------------------------------------
 * Enums: names <-> numbers, for any enum by full name
 * ("livekit.RequestResponse.Reason", "livekit.TrackType"). */

/* lkjson_enum_name - the name of value `value` of enum `enum_type`
 * (lkjson_enum_name("livekit.RequestResponse.Reason", 3) is
 * "LIMIT_EXCEEDED"), or NULL when the enum or the number is unknown.
 * Static string. */
LKJSON_API const char *lkjson_enum_name(const char *enum_type, int32_t value);

/* lkjson_enum_value - the number of value `name` of enum `enum_type` into
 * *value.  LKJSON_OK, LKJSON_UNKNOWN_TYPE (no such enum), LKJSON_UNKNOWN_NAME
 * (*value untouched), LKJSON_INVALID_ARGUMENT (a NULL pointer). */
LKJSON_NODISCARD LKJSON_API lkjson_status
lkjson_enum_value(const char *enum_type, const char *name, int32_t *value);

/* lkjson_enum_count - number of values of an enum (0 when unknown). */
LKJSON_API size_t lkjson_enum_count(const char *enum_type);

/* lkjson_enum_at - value i of an enum, in the order of the numbers: its name
 * (static string, or NULL when out of range or the enum is unknown), and
 * its number into *value (if not NULL). */
LKJSON_API const char *lkjson_enum_at(const char *enum_type, size_t i, int32_t *value);

#ifdef __cplusplus
}
#endif

#endif /* LKJSON_JSON_H */
