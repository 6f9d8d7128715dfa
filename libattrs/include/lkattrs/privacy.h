/*
 * lkattrs/privacy.h - personal data in attribute maps: a redacted rendering
 * for logs.  (Leaving the phone numbers out of a SIP participant's map is
 * lkattrs_hide_phone_number() in lkattrs/patch.h.)
 *
 * LiveKit annotates every attribute map as personal data (logger
 * sensitivity PII); the SIP names sip.phoneNumber and sip.trunkPhoneNumber
 * are personal by definition, and sip.hostname (the caller's SIP host) goes
 * with them (lkattrs/names.h).  A log line should show the keys, and the
 * values only where they are not personal.
 */
#ifndef LKATTRS_PRIVACY_H
#define LKATTRS_PRIVACY_H

#include <stddef.h>

#include "lkattrs/errors.h"
#include "lkattrs/export.h"
#include "lkattrs/map.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What replaces a masked value. */
#define LKATTRS_REDACTED "***"

/* Flags of lkattrs_redact_format(). */
#define LKATTRS_REDACT_ALL_VALUES 0x1u /* mask every value, keys only shown */

/*
 * lkattrs_redact_format - render map as a one-line JSON object for a log,
 * {"key":"value",...} in canonical key order, with the value of every
 * personal-data name (lkattrs_name_is_personal(), and sip.hostname) replaced
 * by "***" (every value with LKATTRS_REDACT_ALL_VALUES).  Strings are
 * escaped as JSON (", \ and control characters).
 *
 * out: cap bytes; receives the text and a NUL.  *needed (may be NULL)
 * receives the bytes the text needs, NUL included.  When cap is too small,
 * out receives "" (if cap > 0) and BUFFER_TOO_SMALL is returned.  Never
 * allocates.  Errors: INVALID_ARGUMENT (map NULL, out NULL with cap > 0,
 * unknown flags), BUFFER_TOO_SMALL.  Thread-safe for distinct outputs.
 * Example:
 *   char line[256];
 *   if (lkattrs_redact_format(m, 0, line, sizeof line, NULL) == LKATTRS_OK)
 *     log_info("attributes %s", line); // {"sip.phoneNumber":"***","x":"1"}
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_redact_format(const lkattrs_map *map, unsigned flags, char *out,
                      size_t cap, size_t *needed);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_PRIVACY_H */
