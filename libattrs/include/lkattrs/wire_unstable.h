/*
 * lkattrs/wire_unstable.h - wire helpers for adapters and tests: one map
 * entry parsed on its own, and the header of a length-delimited field.
 *
 * Unstable: these may change or go in any release, whatever the version
 * says; they are exported for libattrs' own adapters (lkattrs/nanopb.h
 * feeds one entry at a time).  Applications use lkattrs/wire.h and
 * lkattrs/participant.h instead.  Not included by lkattrs/lkattrs.h.
 */
#ifndef LKATTRS_WIRE_UNSTABLE_H
#define LKATTRS_WIRE_UNSTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "lkattrs/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * lkattrs_wire_parse_entry - the key and value of one encoded map entry
 * (the bytes inside the length prefix), with the rules above and the text
 * checks of `flags`.  Offsets in detail are relative to entry.  Used by
 * adapters that receive one entry at a time.
 * Errors: the wire errors, UTF8, NUL, INVALID_ARGUMENT.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_wire_parse_entry(const void *entry, size_t len, unsigned flags,
                         lkattrs_entry *out, lkattrs_error_detail *detail);

/*
 * lkattrs_wire_header_size / lkattrs_wire_put_header - the tag and length
 * prefix of a length-delimited field `field` holding len bytes (to wrap a
 * message in an envelope: write the header, then the message).
 * lkattrs_wire_put_header() writes lkattrs_wire_header_size(field, len)
 * bytes (at most 15) to out, which must have room, and returns that count.
 * field must be 1..LKATTRS_WIRE_MAX_FIELD.  Thread-safe.
 */
LKATTRS_API size_t lkattrs_wire_header_size(uint32_t field, size_t len);
LKATTRS_API size_t lkattrs_wire_put_header(void *out, uint32_t field, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_WIRE_UNSTABLE_H */
