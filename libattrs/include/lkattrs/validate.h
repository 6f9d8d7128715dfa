/*
 * lkattrs/validate.h - the rules for keys, values, sizes and namespaces.
 *
 * Keys:   non-empty; valid UTF-8 (no overlong forms, no surrogates, nothing
 *         above U+10FFFF, no truncated sequence); no U+0000 and no other
 *         control character (C0 U+0001-U+001F, DEL U+007F, C1
 *         U+0080-U+009F); at most max_key_bytes bytes.
 * Values: valid UTF-8 without U+0000 (other control characters allowed); at
 *         most max_value_bytes bytes.  An empty value in an update means
 *         "delete".
 * Sizes:  Σ (key bytes + value bytes), compared with <=, of the update (as
 *         LiveKit does; a deleted entry counts its key) and of the resulting
 *         map.
 * Every limit of 0 means "unlimited".
 */
#ifndef LKATTRS_VALIDATE_H
#define LKATTRS_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "lkattrs/errors.h"
#include "lkattrs/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Defaults.  LKATTRS_DEFAULT_MAX_TOTAL_BYTES is the LiveKit server's default
 * limit.max_attributes_size. */
#define LKATTRS_DEFAULT_MAX_KEY_BYTES 256
#define LKATTRS_DEFAULT_MAX_VALUE_BYTES 0 /* unlimited: bounded by the totals */
#define LKATTRS_DEFAULT_MAX_TOTAL_BYTES 65536
#define LKATTRS_DEFAULT_MAX_UPDATE_BYTES LKATTRS_DEFAULT_MAX_TOTAL_BYTES
#define LKATTRS_DEFAULT_MAX_MAP_BYTES LKATTRS_DEFAULT_MAX_TOTAL_BYTES
#define LKATTRS_DEFAULT_MAX_ENTRIES 0 /* unlimited */

/* The limits applied by validation, merge and join (0 = unlimited). */
typedef struct lkattrs_limits {
  size_t max_key_bytes;    /* per key */
  size_t max_value_bytes;  /* per value */
  size_t max_update_bytes; /* Σ key+value of one update (deleted: key only) */
  size_t max_map_bytes;    /* Σ key+value of the resulting map */
  size_t max_entries;      /* entries of the resulting map */
} lkattrs_limits;

/* Static initialiser with the defaults. */
#define LKATTRS_LIMITS_INIT                                         \
  {                                                                 \
    LKATTRS_DEFAULT_MAX_KEY_BYTES, LKATTRS_DEFAULT_MAX_VALUE_BYTES, \
        LKATTRS_DEFAULT_MAX_UPDATE_BYTES,                           \
        LKATTRS_DEFAULT_MAX_MAP_BYTES, LKATTRS_DEFAULT_MAX_ENTRIES  \
  }

/* lkattrs_limits_default - the defaults above, as the library was built
 * with them.  Thread-safe. */
LKATTRS_API lkattrs_limits lkattrs_limits_default(void);

/* Who sends an update; decides which reserved names it may write. */
typedef enum lkattrs_origin {
  LKATTRS_ORIGIN_CLIENT = 0,  /* a participant through the signal channel */
  LKATTRS_ORIGIN_AGENT = 1,   /* an agent participant (may write lk.agent.*) */
  LKATTRS_ORIGIN_SERVER = 2,  /* the server API / the token: anything */
  LKATTRS_ORIGIN_TRUSTED = 3  /* SIP, ingress, egress components: anything */
} lkattrs_origin;

/*
 * lkattrs_validate_utf8 - check that s[0..len) is valid UTF-8 (see above).
 *
 * Returns LKATTRS_OK, or LKATTRS_E_UTF8 with *bad_offset set to the offset of
 * the first byte of the first invalid sequence.  U+0000 and controls are
 * accepted here.  s may be NULL only when len is 0; bad_offset may be NULL.
 * Thread-safe.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_validate_utf8(const char *s, size_t len, size_t *bad_offset);

/*
 * lkattrs_validate_key / lkattrs_validate_value - check one key or value
 * against the rules above.
 *
 * limits NULL means the defaults.  detail may be NULL; on error it names
 * the key and the offset of the first bad byte (the first byte of the bad
 * character; for a too-long key or value, the limit).
 * Errors: KEY_EMPTY, KEY_TOO_LONG, UTF8, NUL, CONTROL_CHAR (keys);
 * VALUE_TOO_LONG, UTF8, NUL (values); INVALID_ARGUMENT for NULL with len>0.
 * Thread-safe.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_validate_key(const char *key, size_t key_len,
                     const lkattrs_limits *limits, lkattrs_error_detail *detail);
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_validate_value(const char *value, size_t value_len,
                       const lkattrs_limits *limits,
                       lkattrs_error_detail *detail);

/*
 * lkattrs_check_namespace - may a sender of kind `origin` write `key`?
 *
 * CLIENT: no sip.*, ingress.*, lk.* names.  AGENT: as CLIENT, except
 * lk.agent.* (what an agent publishes about itself).  SERVER, TRUSTED:
 * anything.  Returns LKATTRS_OK or LKATTRS_E_RESERVED_NAME (and
 * LKATTRS_E_INVALID_ARGUMENT for an unknown origin).  Thread-safe.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_check_namespace(lkattrs_origin origin, const char *key, size_t key_len);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_VALIDATE_H */
