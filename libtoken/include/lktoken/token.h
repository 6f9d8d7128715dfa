/*
 * lktoken/token.h - LiveKit access tokens in C: mint and verify HS256 JWTs
 * interchangeable with livekit-server-sdk (npm) and LiveKit's Go `auth`
 * package, with the `attributes` claim checked by the libattrs rules.
 *
 * A LiveKit access token is a JWT (RFC 7519) signed with HMAC-SHA256 under
 * the API secret; its `iss` is the API key.  The claims this library knows
 * (the JSON names are LiveKit's):
 *
 *   sub  identity          iss  API key           nbf, exp, iat  times
 *   jti  token id          name, kind, metadata, sha256, roomPreset  strings
 *   attributes  {string: string}  (validated by lkattrs, see below)
 *   roomConfig  a JSON object (RoomConfiguration in proto3 JSON), kept as text
 *   video { room, destinationRoom, roomCreate, roomJoin, roomList,
 *           roomRecord, roomAdmin, ingressAdmin, canPublish, canSubscribe,
 *           canPublishData, canPublishSources, canUpdateOwnMetadata, hidden,
 *           recorder, agent, canSubscribeMetrics, canManageAgentSession }
 *   sip { admin, call }   inference { perform }   observability { write }
 * Other claims are ignored by the parser but kept in
 * lktoken_claims.payload_json.
 *
 * Verification (lktoken_verify): the token is three base64url segments
 * (no padding, canonical trailing bits); the header is a JSON object whose
 * `alg` is exactly "HS256" (`none`, HS384, HS512, RS256, ... are refused
 * before any signature work) and which has no `crit`; the signature is
 * compared in constant time (OpenSSL CRYPTO_memcmp); only then is the
 * payload decoded.  `exp` is required (as livekit-server-sdk's
 * TokenVerifier requires it) unless allowed otherwise; a token is expired
 * when exp <= now - leeway and not yet valid when nbf > now + leeway (the
 * rules of the `jose` library livekit-server-sdk uses).  Every known claim
 * must have its JSON type (a JSON null counts as absent); any string may not
 * contain U+0000; `attributes` must pass lkattrs_validate_key/_value and
 * the size limit (Σ key+value bytes <= max_map_bytes, max_entries).
 *
 * Strings: every string of lktoken_claims is NUL-terminated, valid UTF-8
 * and free of U+0000; NULL means "absent" ("" is present and empty).
 * Booleans are tri-state (lktoken_bool): LiveKit distinguishes an absent
 * grant from an explicit false for several of them (canPublishData and
 * canSubscribe default to true when absent, for example).  Times are
 * seconds since the Unix epoch; 0 means absent.
 *
 * Memory: lktoken_verify() returns the claims in ONE block obtained from
 * the caller's allocator (lkattrs_allocator; NULL: libc), released with
 * lktoken_claims_free().  The JSON library (jansson) and the crypto library
 * (OpenSSL libcrypto) use libc malloc internally for temporary data.
 * No global state: every function is thread-safe on distinct objects.
 * Nothing here aborts on any input.
 *
 * Link: liblktoken.a liblkattrs.a -ljansson -lcrypto.
 */
#ifndef LKTOKEN_TOKEN_H
#define LKTOKEN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lkattrs/errors.h"
#include "lkattrs/export.h"
#include "lkattrs/map.h"
#include "lkattrs/patch.h"
#include "lkattrs/validate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* LKTOKEN_API marks every public function; LKTOKEN_NODISCARD a status that
 * must be checked (same conventions as lkattrs/export.h). */
#ifndef LKTOKEN_API
#  define LKTOKEN_API LKATTRS_API
#endif
#ifndef LKTOKEN_NODISCARD
#  define LKTOKEN_NODISCARD LKATTRS_NODISCARD
#endif

/* Version of this header; lktoken_version_string() gives the linked one. */
#define LKTOKEN_VERSION_MAJOR 0
#define LKTOKEN_VERSION_MINOR 1
#define LKTOKEN_VERSION_PATCH 0
#define LKTOKEN_VERSION_STRING "0.1.0"

/* Limits and defaults. */
#define LKTOKEN_DEFAULT_MAX_TOKEN_BYTES 1048576 /* whole token, verify */
#define LKTOKEN_DEFAULT_LEEWAY_SECONDS 10       /* livekit-server-sdk's default */
#define LKTOKEN_MAX_LEEWAY_SECONDS 31536000     /* one year */
#define LKTOKEN_MAX_TIME 9007199254740991LL     /* 2^53-1: exact in JSON/JS */
#define LKTOKEN_SIGNATURE_BYTES 32              /* HMAC-SHA256 */

/* lktoken_default_max_token_bytes() - LKTOKEN_DEFAULT_MAX_TOKEN_BYTES as
 * the library was built.  Thread-safe. */
LKTOKEN_API size_t lktoken_default_max_token_bytes(void);

/*
 * Status codes.  The values are part of the ABI and never change.
 * Ranges: 0 success, 1-9 general, 10-19 token syntax, 20-29 signature and
 * time checks, 30-39 claims.
 */
typedef enum lktoken_status {
  LKTOKEN_OK = 0,
  LKTOKEN_E_INVALID_ARGUMENT = 1, /* NULL where not allowed, bad option */
  LKTOKEN_E_NOMEM = 2,            /* an allocator returned NULL */
  LKTOKEN_E_NOSPACE = 3,          /* output buffer too small (size needed given) */
  LKTOKEN_E_CRYPTO = 4,           /* the crypto library failed */
  LKTOKEN_E_MALFORMED = 10,       /* not header.payload.signature */
  LKTOKEN_E_TOO_LARGE = 11,       /* token over max_token_bytes */
  LKTOKEN_E_BASE64 = 12,          /* a segment is not canonical base64url */
  LKTOKEN_E_JSON = 13,            /* header or payload is not a JSON object */
  LKTOKEN_E_UTF8 = 14,            /* header or payload is not valid UTF-8 */
  LKTOKEN_E_HEADER = 15,          /* bad header (no alg, crit present, ...) */
  LKTOKEN_E_ALG = 16,             /* alg is not HS256 */
  LKTOKEN_E_SIGNATURE = 20,       /* signature does not match (wrong secret, tampered) */
  LKTOKEN_E_EXPIRED = 21,         /* exp <= now - leeway */
  LKTOKEN_E_NOT_YET_VALID = 22,   /* nbf > now + leeway */
  LKTOKEN_E_NO_EXPIRY = 23,       /* exp absent (and not allowed to be) */
  LKTOKEN_E_ISSUER = 24,          /* iss is not the expected API key */
  LKTOKEN_E_CLAIM_TYPE = 30,      /* a known claim has the wrong JSON type */
  LKTOKEN_E_CLAIM_VALUE = 31,     /* U+0000 in a string, time out of range, ... */
  LKTOKEN_E_ATTRIBUTES = 32,      /* attributes fail the lkattrs rules (see attrs_status) */
  LKTOKEN_E_ROOM_CONFIG = 33      /* roomConfig is not a JSON object */
} lktoken_status;

/*
 * lktoken_strerror - a short English description of a status code.
 * Returns a static string, never NULL ("unknown error" for other values).
 * Thread-safe.
 */
LKTOKEN_API const char *lktoken_strerror(lktoken_status status);

/*
 * What went wrong, and where.  Every function with an `lktoken_error *err`
 * argument (which may be NULL) fills it: on success code is LKTOKEN_OK and
 * the rest is empty.
 *   code          the status returned
 *   claim         the claim concerned, by its JSON path ("exp",
 *                 "video.canPublish", "attributes", "header.alg"), static
 *                 string, or NULL
 *   attrs_status  for LKTOKEN_E_ATTRIBUTES: the lkattrs rule that failed
 *                 (LKATTRS_E_UTF8, LKATTRS_E_TOO_LARGE, ...), else LKATTRS_OK
 *   offset        byte offset in the token (syntax errors), in the decoded
 *                 JSON (JSON errors) or in the attribute key/value, or 0
 *   message       a one-line explanation, NUL-terminated, possibly
 *                 truncated; it may quote (a prefix of) an attribute key
 *                 from the token, never the secret or the signature
 */
typedef struct lktoken_error {
  lktoken_status code;
  const char *claim;
  lkattrs_status attrs_status;
  size_t offset;
  char message[160];
} lktoken_error;

/* Tri-state boolean: absent, false, true.  A zeroed struct is all absent. */
typedef enum lktoken_bool {
  LKTOKEN_UNSET = 0,
  LKTOKEN_FALSE = 1,
  LKTOKEN_TRUE = 2
} lktoken_bool;

/* Track sources of video.canPublishSources, as a bit set.  On the wire they
 * are the strings "camera", "microphone", "screen_share",
 * "screen_share_audio"; any other string reads as LKTOKEN_SOURCE_UNKNOWN
 * (as LiveKit's Go server maps it to TrackSource UNKNOWN), which cannot be
 * minted. */
#define LKTOKEN_SOURCE_CAMERA 0x1u
#define LKTOKEN_SOURCE_MICROPHONE 0x2u
#define LKTOKEN_SOURCE_SCREEN_SHARE 0x4u
#define LKTOKEN_SOURCE_SCREEN_SHARE_AUDIO 0x8u
#define LKTOKEN_SOURCE_UNKNOWN 0x80u
#define LKTOKEN_SOURCES_KNOWN 0xFu

/* The video grant ("video").  present: the object is (or was) in the token;
 * a grant with any field set is written even when present is false. */
typedef struct lktoken_video_grant {
  bool present;
  const char *room;             /* "room" */
  const char *destination_room; /* "destinationRoom" */
  lktoken_bool room_create;     /* "roomCreate" */
  lktoken_bool room_join;       /* "roomJoin" */
  lktoken_bool room_list;       /* "roomList" */
  lktoken_bool room_record;     /* "roomRecord" */
  lktoken_bool room_admin;      /* "roomAdmin" */
  lktoken_bool ingress_admin;   /* "ingressAdmin" */
  lktoken_bool can_publish;     /* "canPublish" */
  lktoken_bool can_subscribe;   /* "canSubscribe" */
  lktoken_bool can_publish_data;         /* "canPublishData" */
  lktoken_bool can_update_own_metadata;  /* "canUpdateOwnMetadata" */
  lktoken_bool hidden;                   /* "hidden" */
  lktoken_bool recorder;                 /* "recorder" */
  lktoken_bool agent;                    /* "agent" */
  lktoken_bool can_subscribe_metrics;    /* "canSubscribeMetrics" */
  lktoken_bool can_manage_agent_session; /* "canManageAgentSession" */
  /* "canPublishSources": written when has_can_publish_sources (an empty set
   * is written as []), as strings in the bit order above. */
  bool has_can_publish_sources;
  unsigned can_publish_sources; /* LKTOKEN_SOURCE_* bits */
} lktoken_video_grant;

/* The SIP grant ("sip"). */
typedef struct lktoken_sip_grant {
  bool present;
  lktoken_bool admin; /* "admin": manage SIP trunks and rules */
  lktoken_bool call;  /* "call": make outbound calls */
} lktoken_sip_grant;

/* The inference grant ("inference"). */
typedef struct lktoken_inference_grant {
  bool present;
  lktoken_bool perform; /* "perform" */
} lktoken_inference_grant;

/* The observability grant ("observability"). */
typedef struct lktoken_observability_grant {
  bool present;
  lktoken_bool write; /* "write" */
} lktoken_observability_grant;

/*
 * The claims of a token.  To mint, zero it (lktoken_claims_init) and set
 * what you need; the pointers are borrowed.  From lktoken_verify() or
 * lktoken_claims_from_json(), every pointer points into one block owned by
 * the struct: release it with lktoken_claims_free().
 */
typedef struct lktoken_claims {
  /* Registered JWT claims. */
  const char *identity; /* "sub": the participant identity */
  const char *issuer;   /* "iss": the API key (lktoken_mint writes its api_key) */
  int64_t not_before;   /* "nbf", 0: absent */
  int64_t expires_at;   /* "exp", 0: absent (required by mint and, by default, verify) */
  int64_t issued_at;    /* "iat", 0: absent */
  const char *jwt_id;   /* "jti" */
  /* LiveKit claims. */
  const char *name;     /* "name": display name */
  const char *kind;     /* "kind": "standard", "agent", "sip", "ingress", "egress", ... */
  const char *metadata; /* "metadata" */
  /* "attributes": written when has_attributes or attributes_count > 0.  On
   * output the keys and values are NUL-terminated, in token order.  An
   * empty value is kept here; lktoken_join() skips it. */
  bool has_attributes;
  const lkattrs_entry *attributes;
  size_t attributes_count;
  lktoken_video_grant video;
  lktoken_sip_grant sip;
  lktoken_inference_grant inference;
  lktoken_observability_grant observability;
  const char *room_preset; /* "roomPreset" */
  const char *room_config; /* "roomConfig": JSON object text (compact on output) */
  const char *sha256;      /* "sha256" */
  /* Output only: the decoded payload, NUL-terminated (every claim, known
   * or not). */
  const char *payload_json;
  size_t payload_json_len;
  /* Private: the owned block.  Do not touch. */
  void *owned_;
  size_t owned_size_;
  lkattrs_allocator owned_alc_;
} lktoken_claims;

/* lktoken_claims_init - zero *claims (every claim absent).  NULL: no-op. */
LKTOKEN_API void lktoken_claims_init(lktoken_claims *claims);

/*
 * lktoken_claims_free - release what lktoken_verify() or
 * lktoken_claims_from_json() stored in *claims, and zero it.  Safe on a
 * zeroed struct, on caller-filled claims (owns nothing: only zeroed) and
 * twice; NULL is a no-op.
 */
LKTOKEN_API void lktoken_claims_free(lktoken_claims *claims);

/* Verification parameters.  Zeroed: now 0 (set it!), leeway 0, any issuer,
 * exp required, default token size, default attribute limits, libc. */
typedef struct lktoken_verify_params {
  int64_t now;             /* current time, seconds since the epoch */
  int64_t leeway;          /* clock tolerance in seconds, 0..LKTOKEN_MAX_LEEWAY_SECONDS */
  const char *issuer;      /* expected "iss" (the API key), NULL: any */
  bool allow_missing_exp;  /* true: a token without exp is accepted */
  size_t max_token_bytes;  /* 0: LKTOKEN_DEFAULT_MAX_TOKEN_BYTES */
  const lkattrs_limits *limits;  /* attributes claim; NULL: lkattrs defaults */
  const lkattrs_allocator *alc;  /* for the returned claims; NULL: libc */
} lktoken_verify_params;

/*
 * lktoken_mint - sign claims into a token.
 *
 * Writes header {"alg":"HS256","typ":"JWT"} and the payload built from
 * claims (iss = api_key; claims->issuer is ignored; payload_json ignored),
 * each base64url without padding, and the HMAC-SHA256 signature under
 * secret[0..secret_len).
 *
 * claims, api_key (non-empty, NUL-terminated), secret (secret_len > 0),
 * out_len must not be NULL.  claims->expires_at must be set (> 0).  Every
 * string must be valid UTF-8; attributes must pass the default lkattrs key,
 * value and size rules; room_config must be a JSON object; times within
 * [0, LKTOKEN_MAX_TIME]; canPublishSources without UNKNOWN.
 * out: out_cap bytes (may be NULL when out_cap is 0).  On success out holds
 * the token, NUL-terminated, and *out_len its length without the NUL.  When
 * out_cap < length + 1: LKTOKEN_E_NOSPACE, *out_len = the length needed
 * (without the NUL), nothing useful in out: call again with a larger buffer.
 * Errors: INVALID_ARGUMENT, NOSPACE, NOMEM, CRYPTO, CLAIM_VALUE (bad UTF-8,
 * time out of range, unknown source), ATTRIBUTES, ROOM_CONFIG.
 * Thread-safe.
 * Example:
 *   lktoken_claims c;
 *   lktoken_claims_init(&c);
 *   lkattrs_entry attrs[] = {{"color", 5, "blue", 4}};
 *   c.identity = "alice"; c.attributes = attrs; c.attributes_count = 1;
 *   c.video.room = "room1"; c.video.room_join = LKTOKEN_TRUE;
 *   c.video.can_update_own_metadata = LKTOKEN_TRUE;
 *   c.not_before = now; c.expires_at = now + 3600;
 *   char tok[4096]; size_t n;
 *   if (lktoken_mint(&c, "APIkey", secret, secret_len, tok, sizeof tok, &n,
 *                    NULL) != LKTOKEN_OK) ...
 */
LKTOKEN_NODISCARD LKTOKEN_API lktoken_status
lktoken_mint(const lktoken_claims *claims, const char *api_key,
             const void *secret, size_t secret_len, char *out, size_t out_cap,
             size_t *out_len, lktoken_error *err);

/*
 * lktoken_verify - check a token and return its claims.
 *
 * token[0..len) (need not be NUL-terminated; surrounding whitespace is not
 * allowed), secret[0..secret_len) with secret_len > 0, now in seconds,
 * leeway in 0..LKTOKEN_MAX_LEEWAY_SECONDS.  Any issuer, exp required,
 * default limits, libc allocation; see lktoken_verify_opts() for the rest.
 * Checks, in order: size, three segments, header (base64url, JSON, alg ==
 * "HS256", no crit), signature (constant time), payload (base64url, JSON),
 * claim types and values, attributes, issuer, exp, nbf.
 * claims_out must not be NULL; on success it receives the claims (release
 * with lktoken_claims_free()); on error it is zeroed.
 * Errors: every lktoken_status but NOSPACE.  Thread-safe.
 */
LKTOKEN_NODISCARD LKTOKEN_API lktoken_status
lktoken_verify(const char *token, size_t len, const void *secret,
               size_t secret_len, int64_t now, int64_t leeway,
               lktoken_claims *claims_out, lktoken_error *err);

/* lktoken_verify_opts - lktoken_verify() with parameters (params must not
 * be NULL). */
LKTOKEN_NODISCARD LKTOKEN_API lktoken_status
lktoken_verify_opts(const char *token, size_t len, const void *secret,
                    size_t secret_len, const lktoken_verify_params *params,
                    lktoken_claims *claims_out, lktoken_error *err);

/*
 * lktoken_claims_from_json - parse a JSON object of claims (the payload
 * shape) without any signature or time check: the claim type, value and
 * attribute rules of lktoken_verify() apply.  Used by the command line to
 * read the claims to mint, and by lktoken_verify() itself.
 * json[0..len): the text.  limits: for attributes (NULL: defaults).  alc:
 * allocator for the result (NULL: libc).  claims_out: as lktoken_verify().
 * Errors: INVALID_ARGUMENT, NOMEM, JSON, UTF8, CLAIM_TYPE, CLAIM_VALUE,
 * ATTRIBUTES, ROOM_CONFIG.
 */
LKTOKEN_NODISCARD LKTOKEN_API lktoken_status
lktoken_claims_from_json(const char *json, size_t len,
                         const lkattrs_limits *limits,
                         const lkattrs_allocator *alc,
                         lktoken_claims *claims_out, lktoken_error *err);

/*
 * lktoken_claims_to_json - the claims as the compact JSON payload that
 * lktoken_mint() signs (iss from claims->issuer; exp not required).
 * Unlike mint, it accepts all that lktoken_claims_from_json() and
 * lktoken_verify() return: times within +-LKTOKEN_MAX_TIME (negative ones
 * included; a real time was already rounded to an integer), and
 * LKTOKEN_SOURCE_UNKNOWN, written last in canPublishSources as "unknown"
 * (the TrackSource name in lower case, as LiveKit's Go auth package writes
 * it), which reads back as UNKNOWN.
 * out, out_cap, out_len: as lktoken_mint().
 * Errors: INVALID_ARGUMENT, NOSPACE, NOMEM, CLAIM_VALUE, ATTRIBUTES,
 * ROOM_CONFIG.
 */
LKTOKEN_NODISCARD LKTOKEN_API lktoken_status
lktoken_claims_to_json(const lktoken_claims *claims, char *out, size_t out_cap,
                       size_t *out_len, lktoken_error *err);

/*
 * lktoken_join - the attributes of a participant that joins with verified
 * claims: lkattrs_join() with the token's `attributes` as the starting map
 * (entries with an empty value skipped) and can_update_metadata from
 * video.canUpdateOwnMetadata (absent = false).  The join attributes
 * (JoinRequest.participant_attributes) are laid over the token's; they need
 * the grant (LKATTRS_E_NOT_ALLOWED otherwise) and follow the client rules.
 * Example: token {a:0, b:1} + join {b:2, c:3} = {a:0, b:2, c:3}.
 *
 * claims must not be NULL.  opts: merge options (NULL: a CLIENT, strict
 * rules, default limits); its can_update_metadata is replaced by the
 * grant.  out: a plain map; on error unchanged.  The starting map is a
 * temporary heap map from the claims' allocator (libc for caller-filled
 * claims).
 * Returns an lkattrs status (as lkattrs_join(), plus NOMEM), detail as
 * there.
 */
LKTOKEN_NODISCARD LKTOKEN_API lkattrs_status
lktoken_join(const lktoken_claims *claims, const lkattrs_entry *join_attrs,
             size_t join_count, const lkattrs_merge_opts *opts,
             lkattrs_map *out, lkattrs_error_detail *detail);

/*
 * lktoken_can_update_metadata - whether the claims grant
 * canUpdateOwnMetadata (absent: false).  NULL: false.
 */
LKTOKEN_API bool lktoken_can_update_metadata(const lktoken_claims *claims);

/* Version of the linked library ("MAJOR.MINOR.PATCH", static), and the
 * versions of the crypto and JSON libraries it runs on.  Thread-safe. */
LKTOKEN_API const char *lktoken_version_string(void);
LKTOKEN_API const char *lktoken_crypto_version(void);
LKTOKEN_API const char *lktoken_json_version(void);

#ifdef __cplusplus
}
#endif

#endif /* LKTOKEN_TOKEN_H */
