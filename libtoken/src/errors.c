/* errors.c - status strings, error details, allocation helpers, version. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "lktoken_internal.h"

const char *lktoken_strerror(lktoken_status status) {
  switch (status) {
    case LKTOKEN_OK: return "success";
    case LKTOKEN_E_INVALID_ARGUMENT: return "invalid argument";
    case LKTOKEN_E_NOMEM: return "out of memory";
    case LKTOKEN_E_NOSPACE: return "output buffer too small";
    case LKTOKEN_E_CRYPTO: return "crypto library failure";
    case LKTOKEN_E_MALFORMED: return "malformed token (expected header.payload.signature)";
    case LKTOKEN_E_TOO_LARGE: return "token too large";
    case LKTOKEN_E_BASE64: return "invalid base64url";
    case LKTOKEN_E_JSON: return "invalid JSON";
    case LKTOKEN_E_UTF8: return "invalid UTF-8";
    case LKTOKEN_E_HEADER: return "invalid token header";
    case LKTOKEN_E_ALG: return "algorithm not accepted (only HS256)";
    case LKTOKEN_E_SIGNATURE: return "signature does not match";
    case LKTOKEN_E_EXPIRED: return "token expired";
    case LKTOKEN_E_NOT_YET_VALID: return "token not yet valid";
    case LKTOKEN_E_NO_EXPIRY: return "token has no expiry (exp)";
    case LKTOKEN_E_ISSUER: return "unexpected issuer (API key)";
    case LKTOKEN_E_CLAIM_TYPE: return "claim has the wrong type";
    case LKTOKEN_E_CLAIM_VALUE: return "claim has an invalid value";
    case LKTOKEN_E_ATTRIBUTES: return "attributes claim refused";
    case LKTOKEN_E_ROOM_CONFIG: return "roomConfig is not a JSON object";
  }
  return "unknown error";
}

size_t lktoken_default_max_token_bytes(void) {
  return LKTOKEN_DEFAULT_MAX_TOKEN_BYTES;
}

void lktoken__ok(lktoken_error *err) {
  if (err == NULL) return;
  memset(err, 0, sizeof *err);
  err->code = LKTOKEN_OK;
  err->attrs_status = LKATTRS_OK;
}

lktoken_status lktoken__fail(lktoken_error *err, lktoken_status code,
                             const char *claim, size_t offset,
                             const char *fmt, ...) {
  if (err == NULL) return code;
  memset(err, 0, sizeof *err);
  err->code = code;
  err->claim = claim;
  err->attrs_status = LKATTRS_OK;
  err->offset = offset;
  if (fmt != NULL) {
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  } else {
    (void)snprintf(err->message, sizeof err->message, "%s",
                   lktoken_strerror(code));
  }
  return code;
}

void lktoken__quote(char *buf, size_t cap, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  size_t o = 0;
  if (cap == 0) return;
  for (size_t i = 0; i < len && o + 5 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      buf[o++] = (char)c;
    } else {
      buf[o++] = '\\';
      buf[o++] = 'x';
      buf[o++] = hex[c >> 4];
      buf[o++] = hex[c & 15];
    }
  }
  buf[o] = '\0';
}

void *lktoken__alloc(const lkattrs_allocator *alc, size_t size) {
  if (alc != NULL && alc->alloc != NULL) return alc->alloc(alc->ctx, size);
  return malloc(size);
}

void lktoken__free(const lkattrs_allocator *alc, void *ptr, size_t size) {
  if (ptr == NULL) return;
  if (alc != NULL && alc->alloc != NULL) {
    if (alc->free != NULL) alc->free(alc->ctx, ptr, size);
    return;
  }
  free(ptr);
}

const char *lktoken_version_string(void) { return LKTOKEN_VERSION_STRING; }

const char *lktoken_crypto_version(void) {
  return OpenSSL_version(OPENSSL_VERSION);
}

const char *lktoken_json_version(void) { return jansson_version_str(); }
