/*
 * jwt.c - HS256 JWT signing and verification.
 *
 * HMAC-SHA256 and the constant-time comparison come from OpenSSL's
 * libcrypto (HMAC(), CRYPTO_memcmp()); nothing cryptographic is written
 * here.  The header is checked before any signature work and the payload is
 * decoded only after the signature matched.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lktoken_internal.h"

static const char jwt_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/* HMAC-SHA256 of data under secret into mac[32]. */
static lktoken_status hs256(const void *secret, size_t secret_len,
                            const char *data, size_t len,
                            uint8_t mac[LKTOKEN_SIGNATURE_BYTES],
                            lktoken_error *err) {
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)data,
           len, mac, &mac_len) == NULL ||
      mac_len != LKTOKEN_SIGNATURE_BYTES)
    return lktoken__fail(err, LKTOKEN_E_CRYPTO, NULL, 0,
                         "HMAC-SHA256 failed in libcrypto");
  return LKTOKEN_OK;
}

lktoken_status lktoken_mint(const lktoken_claims *claims, const char *api_key,
                            const void *secret, size_t secret_len, char *out,
                            size_t out_cap, size_t *out_len,
                            lktoken_error *err) {
  if (claims == NULL || api_key == NULL || secret == NULL || out_len == NULL ||
      (out == NULL && out_cap > 0))
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, NULL, 0,
                         "claims, api_key, secret and out_len must not be NULL");
  if (api_key[0] == '\0')
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, "iss", 0,
                         "the API key must not be empty");
  if (secret_len == 0 || secret_len > INT_MAX)
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, NULL, 0,
                         "the secret must be 1..INT_MAX bytes");
  if (claims->expires_at == 0)
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, "exp", 0,
                         "expires_at (exp) must be set");

  json_t *root;
  lktoken_status st = lktoken__build_payload(claims, api_key, &root, err);
  if (st != LKTOKEN_OK) return st;
  char *payload = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  if (payload == NULL)
    return lktoken__fail(err, LKTOKEN_E_NOMEM, NULL, 0, "out of memory");
  size_t plen = strlen(payload);

  size_t h = lktoken__b64url_encoded_len(sizeof jwt_header - 1);
  size_t p = lktoken__b64url_encoded_len(plen);
  size_t s = lktoken__b64url_encoded_len(LKTOKEN_SIGNATURE_BYTES);
  size_t total = h + 1 + p + 1 + s;
  *out_len = total;
  if (out_cap < total + 1) {
    free(payload);
    return lktoken__fail(err, LKTOKEN_E_NOSPACE, NULL, total,
                         "the token needs %zu bytes and a NUL", total);
  }
  lktoken__b64url_encode((const uint8_t *)jwt_header, sizeof jwt_header - 1, out);
  out[h] = '.';
  lktoken__b64url_encode((const uint8_t *)payload, plen, out + h + 1);
  out[h + 1 + p] = '.';
  free(payload);
  uint8_t mac[LKTOKEN_SIGNATURE_BYTES];
  st = hs256(secret, secret_len, out, h + 1 + p, mac, err);
  if (st != LKTOKEN_OK) {
    memset(out, 0, out_cap);
    return st;
  }
  lktoken__b64url_encode(mac, sizeof mac, out + h + 1 + p + 1);
  out[total] = '\0';
  OPENSSL_cleanse(mac, sizeof mac);
  lktoken__ok(err);
  return LKTOKEN_OK;
}

lktoken_status lktoken_verify(const char *token, size_t len, const void *secret,
                              size_t secret_len, int64_t now, int64_t leeway,
                              lktoken_claims *claims_out, lktoken_error *err) {
  lktoken_verify_params p;
  memset(&p, 0, sizeof p);
  p.now = now;
  p.leeway = leeway;
  return lktoken_verify_opts(token, len, secret, secret_len, &p, claims_out, err);
}

/* Decodes one segment into a fresh buffer (NUL-terminated). */
static lktoken_status decode_segment(const char *seg, size_t n, size_t base,
                                     const char *what,
                                     const lkattrs_allocator *alc,
                                     uint8_t **out, size_t *out_len,
                                     size_t *cap, lktoken_error *err) {
  size_t dlen = lktoken__b64url_decoded_len(n);
  uint8_t *buf = lktoken__alloc(alc, dlen + 1);
  *out = NULL;
  if (buf == NULL)
    return lktoken__fail(err, LKTOKEN_E_NOMEM, NULL, 0, "out of memory");
  size_t bad = 0;
  if (lktoken__b64url_decode(seg, n, buf, &bad) != 0) {
    lktoken__free(alc, buf, dlen + 1);
    if (bad == n)
      return lktoken__fail(err, LKTOKEN_E_BASE64, what, base + n,
                           "%s: invalid base64url length %zu", what, n);
    return lktoken__fail(err, LKTOKEN_E_BASE64, what, base + bad,
                         "%s: invalid base64url at token byte %zu", what,
                         base + bad);
  }
  buf[dlen] = 0;
  *out = buf;
  *out_len = dlen;
  *cap = dlen + 1;
  return LKTOKEN_OK;
}

static lktoken_status check_header(const uint8_t *hdr, size_t n,
                                   lktoken_error *err) {
  json_error_t jerr;
  json_t *h = json_loadb((const char *)hdr, n, 0, &jerr);
  if (h == NULL) {
    bool utf8 = json_error_code(&jerr) == json_error_invalid_utf8;
    return lktoken__fail(err, utf8 ? LKTOKEN_E_UTF8 : LKTOKEN_E_JSON, "header",
                         (size_t)jerr.position, "header: %s (byte %d)",
                         jerr.text, jerr.position);
  }
  lktoken_status st = LKTOKEN_OK;
  json_t *alg = json_object_get(h, "alg");
  if (!json_is_object(h)) {
    st = lktoken__fail(err, LKTOKEN_E_JSON, "header", 0,
                       "header: not a JSON object");
  } else if (alg == NULL) {
    st = lktoken__fail(err, LKTOKEN_E_HEADER, "header.alg", 0,
                       "header: no alg");
  } else if (!json_is_string(alg)) {
    st = lktoken__fail(err, LKTOKEN_E_HEADER, "header.alg", 0,
                       "header: alg is not a string");
  } else if (json_string_length(alg) != 5 ||
             memcmp(json_string_value(alg), "HS256", 5) != 0) {
    char q[40];
    lktoken__quote(q, sizeof q, json_string_value(alg), json_string_length(alg));
    st = lktoken__fail(err, LKTOKEN_E_ALG, "header.alg", 0,
                       "alg \"%s\" is refused: only HS256 is accepted", q);
  } else if (json_object_get(h, "crit") != NULL) {
    st = lktoken__fail(err, LKTOKEN_E_HEADER, "header.crit", 0,
                       "header: crit (critical extensions) is not supported");
  }
  json_decref(h);
  return st;
}

lktoken_status lktoken_verify_opts(const char *token, size_t len,
                                   const void *secret, size_t secret_len,
                                   const lktoken_verify_params *params,
                                   lktoken_claims *claims_out,
                                   lktoken_error *err) {
  if (claims_out != NULL) lktoken_claims_init(claims_out);
  if (claims_out == NULL || params == NULL || secret == NULL ||
      (token == NULL && len > 0))
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, NULL, 0,
                         "token, secret, params and claims_out must not be NULL");
  if (secret_len == 0 || secret_len > INT_MAX)
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, NULL, 0,
                         "the secret must be 1..INT_MAX bytes");
  if (params->leeway < 0 || params->leeway > LKTOKEN_MAX_LEEWAY_SECONDS ||
      params->now > LKTOKEN_MAX_TIME || params->now < -LKTOKEN_MAX_TIME)
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, NULL, 0,
                         "now or leeway out of range");
  const lkattrs_allocator *alc = params->alc;
  if (alc != NULL && alc->alloc != NULL && alc->free == NULL)
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, NULL, 0,
                         "allocator without free");
  size_t max = params->max_token_bytes != 0 ? params->max_token_bytes
                                            : LKTOKEN_DEFAULT_MAX_TOKEN_BYTES;
  if (len > max)
    return lktoken__fail(err, LKTOKEN_E_TOO_LARGE, NULL, max,
                         "token of %zu bytes, limit %zu", len, max);
  if (len == 0)
    return lktoken__fail(err, LKTOKEN_E_MALFORMED, NULL, 0, "empty token");

  /* header.payload.signature: exactly two dots. */
  const char *d1 = memchr(token, '.', len);
  const char *d2 = d1 != NULL ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token)) : NULL;
  if (d1 == NULL || d2 == NULL)
    return lktoken__fail(err, LKTOKEN_E_MALFORMED, NULL, len,
                         "token has %s, expected 3 (truncated?)",
                         d1 == NULL ? "1 segment" : "2 segments");
  const char *d3 = memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token));
  if (d3 != NULL)
    return lktoken__fail(err, LKTOKEN_E_MALFORMED, NULL, (size_t)(d3 - token),
                         "token has more than 3 segments (a JWE or garbage?)");
  size_t hn = (size_t)(d1 - token);
  size_t pn = (size_t)(d2 - d1 - 1);
  size_t sn = len - (size_t)(d2 + 1 - token);
  size_t sbase = (size_t)(d2 + 1 - token);
  if (hn == 0 || pn == 0)
    return lktoken__fail(err, LKTOKEN_E_MALFORMED, NULL, hn == 0 ? 0 : hn + 1,
                         "token has an empty %s segment",
                         hn == 0 ? "header" : "payload");

  uint8_t *hdr = NULL, *payload = NULL, *sig = NULL;
  uint8_t mac[LKTOKEN_SIGNATURE_BYTES];
  size_t hlen = 0, hcap = 0, plen = 0, pcap = 0, slen = 0, scap = 0;
  lktoken_status st =
      decode_segment(token, hn, 0, "header", alc, &hdr, &hlen, &hcap, err);
  if (st != LKTOKEN_OK) goto done;
  if ((st = check_header(hdr, hlen, err)) != LKTOKEN_OK) goto done;

  /* Signature, in constant time. */
  if ((st = decode_segment(d2 + 1, sn, sbase, "signature", alc, &sig, &slen,
                           &scap, err)) != LKTOKEN_OK)
    goto done;
  if ((st = hs256(secret, secret_len, token, (size_t)(d2 - token), mac, err)) !=
      LKTOKEN_OK)
    goto done;
  if (slen != LKTOKEN_SIGNATURE_BYTES) {
    st = lktoken__fail(err, LKTOKEN_E_SIGNATURE, NULL, sbase,
                       "signature is %zu bytes, HS256 gives %d", slen,
                       LKTOKEN_SIGNATURE_BYTES);
  } else if (CRYPTO_memcmp(mac, sig, LKTOKEN_SIGNATURE_BYTES) != 0) {
    st = lktoken__fail(err, LKTOKEN_E_SIGNATURE, NULL, sbase,
                       "signature does not match (wrong secret or altered token)");
  }
  OPENSSL_cleanse(mac, sizeof mac);
  if (st != LKTOKEN_OK) goto done;

  /* Payload: only now, authenticated. */
  if ((st = decode_segment(d1 + 1, pn, hn + 1, "payload", alc, &payload, &plen,
                           &pcap, err)) != LKTOKEN_OK)
    goto done;
  if ((st = lktoken_claims_from_json((const char *)payload, plen,
                                     params->limits, alc, claims_out, err)) !=
      LKTOKEN_OK)
    goto done;

  const lktoken_claims *c = claims_out;
  if (params->issuer != NULL &&
      (c->issuer == NULL || strcmp(c->issuer, params->issuer) != 0)) {
    st = lktoken__fail(err, LKTOKEN_E_ISSUER, "iss", 0,
                       "token issued for another API key");
  } else if (c->expires_at == 0 && !params->allow_missing_exp) {
    st = lktoken__fail(err, LKTOKEN_E_NO_EXPIRY, "exp", 0,
                       "token has no exp claim");
  } else if (c->expires_at != 0 &&
             c->expires_at <= params->now - params->leeway) {
    st = lktoken__fail(err, LKTOKEN_E_EXPIRED, "exp", 0,
                       "token expired %lld s ago (leeway %lld s)",
                       (long long)(params->now - c->expires_at),
                       (long long)params->leeway);
  } else if (c->not_before != 0 &&
             c->not_before > params->now + params->leeway) {
    st = lktoken__fail(err, LKTOKEN_E_NOT_YET_VALID, "nbf", 0,
                       "token not valid for another %lld s (leeway %lld s)",
                       (long long)(c->not_before - params->now),
                       (long long)params->leeway);
  }
  if (st != LKTOKEN_OK) lktoken_claims_free(claims_out);
  else lktoken__ok(err);

done:
  lktoken__free(alc, hdr, hcap);
  lktoken__free(alc, sig, scap);
  lktoken__free(alc, payload, pcap);
  return st;
}
