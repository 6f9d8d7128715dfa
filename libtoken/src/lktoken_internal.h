/* lktoken_internal.h - shared by the liblktoken sources; never installed. */
#ifndef LKTOKEN_INTERNAL_H
#define LKTOKEN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lktoken/token.h"

/* Base64url without padding (RFC 4648 section 5, RFC 7515 section 2). */

/* Length of the encoding of n bytes (no padding).  n < SIZE_MAX / 2. */
size_t lktoken__b64url_encoded_len(size_t n);

/* Encodes in[0..n) into out (lktoken__b64url_encoded_len(n) bytes, no NUL). */
void lktoken__b64url_encode(const uint8_t *in, size_t n, char *out);

/* Bytes that the decoding of n characters yields (an upper bound when the
 * input is invalid). */
size_t lktoken__b64url_decoded_len(size_t n);

/* Strict decoder: alphabet A-Z a-z 0-9 - _ only, no padding, no
 * whitespace, n % 4 != 1, and the unused trailing bits must be zero (so
 * every byte string has exactly one accepted encoding).  out receives
 * lktoken__b64url_decoded_len(n) bytes.  Returns 0, or -1 with *bad_offset
 * set to the offset of the offending character (n for a bad length). */
int lktoken__b64url_decode(const char *in, size_t n, uint8_t *out,
                           size_t *bad_offset);

/* Allocation through an optional lkattrs_allocator (NULL or alloc NULL:
 * libc). */
void *lktoken__alloc(const lkattrs_allocator *alc, size_t size);
void lktoken__free(const lkattrs_allocator *alc, void *ptr, size_t size);

/* Fills *err (may be NULL) and returns code.  fmt: printf format for the
 * message (may be NULL). */
lktoken_status lktoken__fail(lktoken_error *err, lktoken_status code,
                             const char *claim, size_t offset,
                             const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Resets *err (may be NULL) to success. */
void lktoken__ok(lktoken_error *err);

/* Copies at most max bytes of s into a quotable form (printable ASCII kept,
 * other bytes as \xHH) in buf[cap]. */
void lktoken__quote(char *buf, size_t cap, const char *s, size_t len);

/* Builds the JSON payload of claims with iss (may be NULL); claims.c. */
struct json_t;
lktoken_status lktoken__build_payload(const lktoken_claims *c, const char *iss,
                                      struct json_t **out, lktoken_error *err);

#endif /* LKTOKEN_INTERNAL_H */
