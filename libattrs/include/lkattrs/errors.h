/*
 * lkattrs/errors.h - status codes, error details, and their mapping to
 * LiveKit's RequestResponse.Reason.
 *
 * Every status-returning function of libattrs returns an lkattrs_status.
 * The numeric values are part of the ABI and never change; new codes get new
 * numbers.  Ranges: 0 success, 1-9 general, 10-19 key/value/size rules,
 * 20-29 permissions, 30-39 wire format (used by the wire module).
 */
#ifndef LKATTRS_ERRORS_H
#define LKATTRS_ERRORS_H

#include <stdbool.h>
#include <stddef.h>

#include "lkattrs/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lkattrs_status {
  LKATTRS_OK = 0,
  /* General. */
  LKATTRS_E_INVALID_ARGUMENT = 1, /* NULL where not allowed, wrong map kind */
  LKATTRS_E_NOMEM = 2,            /* the allocator returned NULL */
  LKATTRS_E_NOSPACE = 3,          /* fixed storage (or scratch) is full */
  LKATTRS_E_UNSUPPORTED = 4,      /* compiled out (LKATTRS_NO_MALLOC) */
  LKATTRS_E_NOT_FOUND = 5,        /* no such key / index; end of iteration */
  LKATTRS_E_BUFFER_TOO_SMALL = 6, /* a caller's output buffer is too small */
  /* Key, value and size rules. */
  LKATTRS_E_KEY_EMPTY = 10,       /* zero-length key */
  LKATTRS_E_KEY_TOO_LONG = 11,    /* key longer than max_key_bytes */
  LKATTRS_E_VALUE_TOO_LONG = 12,  /* value longer than max_value_bytes */
  LKATTRS_E_UTF8 = 13,            /* invalid UTF-8 */
  LKATTRS_E_NUL = 14,             /* U+0000 in a key or value */
  LKATTRS_E_CONTROL_CHAR = 15,    /* C0/DEL/C1 control character in a key */
  LKATTRS_E_TOO_LARGE = 16,       /* update or resulting map over its byte limit */
  LKATTRS_E_TOO_MANY_ENTRIES = 17,/* resulting map over max_entries */
  /* Permissions. */
  LKATTRS_E_NOT_ALLOWED = 20,     /* sender lacks can_update_metadata */
  LKATTRS_E_RESERVED_NAME = 21,   /* sender may not write this reserved name */
  /* Wire format (the wire module). */
  LKATTRS_E_WIRE_TRUNCATED = 30,  /* encoded input ends inside a field */
  LKATTRS_E_WIRE_MALFORMED = 31   /* encoded input is not a valid map field */
} lkattrs_status;

/* LiveKit RequestResponse.Reason numbers (@livekit/protocol 1.52.1). */
#define LKATTRS_REASON_OK 0
#define LKATTRS_REASON_NOT_FOUND 1
#define LKATTRS_REASON_NOT_ALLOWED 2
#define LKATTRS_REASON_LIMIT_EXCEEDED 3
#define LKATTRS_REASON_QUEUED 4
#define LKATTRS_REASON_UNSUPPORTED_TYPE 5
#define LKATTRS_REASON_UNCLASSIFIED_ERROR 6
#define LKATTRS_REASON_INVALID_HANDLE 7
#define LKATTRS_REASON_INVALID_NAME 8
#define LKATTRS_REASON_DUPLICATE_HANDLE 9
#define LKATTRS_REASON_DUPLICATE_NAME 10
#define LKATTRS_REASON_INVALID_REQUEST 11

/* lkattrs_error_detail.index when the error is not about one entry. */
#define LKATTRS_NO_INDEX ((size_t)-1)

/*
 * What went wrong, and where.  Filled by the functions that take a
 * `lkattrs_error_detail *detail` argument (which may always be NULL).
 * On success the detail is reset to {LKATTRS_OK, NULL, 0, LKATTRS_NO_INDEX,
 * 0, false, ""}.
 *
 *   code     the status the function returned
 *   key      the offending key (borrowed: points into the caller's input or a
 *            map; valid as long as that is), or NULL
 *   key_len  its length in bytes
 *   index    position of the offending entry in the caller's update array,
 *            or LKATTRS_NO_INDEX
 *   offset   byte offset of the first bad byte inside the key (or the value
 *            when in_value is true); for size errors, the size reached
 *   in_value true when the offset refers to the value, not the key
 *   message  static English text, never NULL ("" with LKATTRS_NO_ERRMSG)
 */
typedef struct lkattrs_error_detail {
  lkattrs_status code;
  const char *key;
  size_t key_len;
  size_t index;
  size_t offset;
  bool in_value;
  const char *message;
} lkattrs_error_detail;

/*
 * lkattrs_strerror - a short description of a status code.
 *
 * Returns a static string, never NULL: "unknown error" for a value that is
 * not an lkattrs_status, "" for every code when built with LKATTRS_NO_ERRMSG.
 * Thread-safe.
 */
LKATTRS_API const char *lkattrs_strerror(lkattrs_status status);

/*
 * lkattrs_status_to_reason - the LiveKit RequestResponse.Reason to answer a
 * refused update with.
 *
 * Mapping (our choice where LiveKit has none):
 *   OK                                   -> OK
 *   NOT_FOUND                            -> NOT_FOUND
 *   NOT_ALLOWED, RESERVED_NAME           -> NOT_ALLOWED
 *   TOO_LARGE, TOO_MANY_ENTRIES, KEY_TOO_LONG, VALUE_TOO_LONG, NOSPACE
 *                                        -> LIMIT_EXCEEDED
 *   KEY_EMPTY, UTF8, NUL, CONTROL_CHAR, WIRE_*
 *                                        -> INVALID_REQUEST
 *   NOMEM, INVALID_ARGUMENT, UNSUPPORTED, BUFFER_TOO_SMALL, unknown codes
 *                                        -> UNCLASSIFIED_ERROR
 * Returns one of the LKATTRS_REASON_* numbers.  Thread-safe.
 */
LKATTRS_API int lkattrs_status_to_reason(lkattrs_status status);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_ERRORS_H */
