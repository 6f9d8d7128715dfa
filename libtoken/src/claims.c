/*
 * claims.c - the claims of a LiveKit token <-> its JSON payload.
 *
 * Parsing keeps jansson's tree only while it reads it: the result is copied
 * into ONE block from the caller's allocator (entries first, then every
 * string), so lktoken_claims_free() is one call to free().
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lktoken_internal.h"

/* ------------------------------------------------------------------------ */
/* Tables of the grant fields (JSON name, path for errors, offset). */

typedef struct bool_field {
  const char *name;
  const char *path;
  size_t offset;
} bool_field;

#define VBOOL(json, field) {json, "video." json, offsetof(lktoken_video_grant, field)}
static const bool_field video_bools[] = {
    VBOOL("roomCreate", room_create),
    VBOOL("roomJoin", room_join),
    VBOOL("roomList", room_list),
    VBOOL("roomRecord", room_record),
    VBOOL("roomAdmin", room_admin),
    VBOOL("ingressAdmin", ingress_admin),
    VBOOL("canPublish", can_publish),
    VBOOL("canSubscribe", can_subscribe),
    VBOOL("canPublishData", can_publish_data),
    VBOOL("canUpdateOwnMetadata", can_update_own_metadata),
    VBOOL("hidden", hidden),
    VBOOL("recorder", recorder),
    VBOOL("agent", agent),
    VBOOL("canSubscribeMetrics", can_subscribe_metrics),
    VBOOL("canManageAgentSession", can_manage_agent_session),
};
#undef VBOOL

static const bool_field sip_bools[] = {
    {"admin", "sip.admin", offsetof(lktoken_sip_grant, admin)},
    {"call", "sip.call", offsetof(lktoken_sip_grant, call)},
};
static const bool_field inference_bools[] = {
    {"perform", "inference.perform", offsetof(lktoken_inference_grant, perform)},
};
static const bool_field observability_bools[] = {
    {"write", "observability.write", offsetof(lktoken_observability_grant, write)},
};

static const struct {
  const char *name;
  unsigned bit;
} sources[] = {
    {"camera", LKTOKEN_SOURCE_CAMERA},
    {"microphone", LKTOKEN_SOURCE_MICROPHONE},
    {"screen_share", LKTOKEN_SOURCE_SCREEN_SHARE},
    {"screen_share_audio", LKTOKEN_SOURCE_SCREEN_SHARE_AUDIO},
};
#define N_SOURCES (sizeof sources / sizeof sources[0])

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static lktoken_bool *bool_at(void *grant, size_t offset) {
  return (lktoken_bool *)(void *)((char *)grant + offset);
}
static const lktoken_bool *cbool_at(const void *grant, size_t offset) {
  return (const lktoken_bool *)(const void *)((const char *)grant + offset);
}

/* ------------------------------------------------------------------------ */
/* Init and free. */

void lktoken_claims_init(lktoken_claims *claims) {
  if (claims != NULL) memset(claims, 0, sizeof *claims);
}

void lktoken_claims_free(lktoken_claims *claims) {
  if (claims == NULL) return;
  if (claims->owned_ != NULL) {
    lkattrs_allocator alc = claims->owned_alc_;
    lktoken__free(&alc, claims->owned_, claims->owned_size_);
  }
  memset(claims, 0, sizeof *claims);
}

bool lktoken_can_update_metadata(const lktoken_claims *claims) {
  return claims != NULL && claims->video.can_update_own_metadata == LKTOKEN_TRUE;
}

/* ------------------------------------------------------------------------ */
/* Parsing: pass 1 reads into a claims struct whose strings borrow from the
 * jansson tree, pass 2 copies everything into one block. */

static lktoken_status get_string(json_t *obj, const char *key, const char *path,
                                 const char **out, lktoken_error *err) {
  json_t *v = json_object_get(obj, key);
  *out = NULL;
  if (v == NULL || json_is_null(v)) return LKTOKEN_OK;
  if (!json_is_string(v))
    return lktoken__fail(err, LKTOKEN_E_CLAIM_TYPE, path, 0,
                         "claim %s must be a string", path);
  const char *s = json_string_value(v);
  size_t len = json_string_length(v);
  const char *nul = memchr(s, 0, len);
  if (nul != NULL)
    return lktoken__fail(err, LKTOKEN_E_CLAIM_VALUE, path, (size_t)(nul - s),
                         "claim %s contains U+0000", path);
  *out = s;
  return LKTOKEN_OK;
}

static lktoken_status get_bool(json_t *obj, const bool_field *f, void *grant,
                               lktoken_error *err) {
  json_t *v = json_object_get(obj, f->name);
  lktoken_bool *dst = bool_at(grant, f->offset);
  *dst = LKTOKEN_UNSET;
  if (v == NULL || json_is_null(v)) return LKTOKEN_OK;
  if (!json_is_boolean(v))
    return lktoken__fail(err, LKTOKEN_E_CLAIM_TYPE, f->path, 0,
                         "claim %s must be true or false", f->path);
  *dst = json_is_true(v) ? LKTOKEN_TRUE : LKTOKEN_FALSE;
  return LKTOKEN_OK;
}

/* A NumericDate: an integer, or a real rounded towards the safe side
 * (round_up for nbf, down for exp and iat).  Range +-LKTOKEN_MAX_TIME. */
static lktoken_status get_time(json_t *obj, const char *key, bool round_up,
                               int64_t *out, lktoken_error *err) {
  json_t *v = json_object_get(obj, key);
  *out = 0;
  if (v == NULL || json_is_null(v)) return LKTOKEN_OK;
  if (json_is_integer(v)) {
    json_int_t i = json_integer_value(v);
    if (i > LKTOKEN_MAX_TIME || i < -LKTOKEN_MAX_TIME)
      return lktoken__fail(err, LKTOKEN_E_CLAIM_VALUE, key, 0,
                           "claim %s is out of range", key);
    *out = (int64_t)i;
    return LKTOKEN_OK;
  }
  if (json_is_real(v)) {
    double d = json_real_value(v);
    if (!(d <= (double)LKTOKEN_MAX_TIME && d >= -(double)LKTOKEN_MAX_TIME))
      return lktoken__fail(err, LKTOKEN_E_CLAIM_VALUE, key, 0,
                           "claim %s is out of range", key);
    int64_t t = (int64_t)d; /* truncates towards zero */
    if (round_up && (double)t < d) t++;
    if (!round_up && (double)t > d) t--;
    *out = t;
    return LKTOKEN_OK;
  }
  return lktoken__fail(err, LKTOKEN_E_CLAIM_TYPE, key, 0,
                       "claim %s must be a number (seconds since the epoch)",
                       key);
}

/* Reads a grant object: present flag first in every grant struct. */
static lktoken_status get_grant(json_t *root, const char *key, bool *present,
                                void *grant, const bool_field *fields,
                                size_t nfields, json_t **obj_out,
                                lktoken_error *err) {
  json_t *obj = json_object_get(root, key);
  *obj_out = NULL;
  *present = false;
  if (obj == NULL || json_is_null(obj)) return LKTOKEN_OK;
  if (!json_is_object(obj))
    return lktoken__fail(err, LKTOKEN_E_CLAIM_TYPE, key, 0,
                         "claim %s must be an object", key);
  *present = true;
  *obj_out = obj;
  for (size_t i = 0; i < nfields; i++) {
    lktoken_status st = get_bool(obj, &fields[i], grant, err);
    if (st != LKTOKEN_OK) return st;
  }
  return LKTOKEN_OK;
}

static lktoken_status get_sources(json_t *video, lktoken_video_grant *g,
                                  lktoken_error *err) {
  static const char path[] = "video.canPublishSources";
  json_t *v = json_object_get(video, "canPublishSources");
  g->has_can_publish_sources = false;
  g->can_publish_sources = 0;
  if (v == NULL || json_is_null(v)) return LKTOKEN_OK;
  if (!json_is_array(v))
    return lktoken__fail(err, LKTOKEN_E_CLAIM_TYPE, path, 0,
                         "claim %s must be an array of strings", path);
  g->has_can_publish_sources = true;
  size_t i;
  json_t *e;
  json_array_foreach(v, i, e) {
    if (!json_is_string(e))
      return lktoken__fail(err, LKTOKEN_E_CLAIM_TYPE, path, i,
                           "claim %s[%zu] must be a string", path, i);
    unsigned bit = LKTOKEN_SOURCE_UNKNOWN;
    for (size_t k = 0; k < N_SOURCES; k++)
      if (strlen(sources[k].name) == json_string_length(e) &&
          memcmp(sources[k].name, json_string_value(e), json_string_length(e)) == 0)
        bit = sources[k].bit;
    g->can_publish_sources |= bit;
  }
  return LKTOKEN_OK;
}

/* The attributes claim: an object of strings passing the lkattrs rules. */
/* One attribute under the libattrs key and value rules; on a refusal, err
 * names the attribute, the part (key or value), the rule and the offset. */
static lktoken_status check_attribute(const char *key, size_t klen,
                                      const char *value, size_t vlen,
                                      const lkattrs_limits *lim,
                                      lktoken_error *err) {
  lkattrs_error_detail d;
  bool in_value = false;
  lkattrs_status ast = lkattrs_validate_key(key, klen, lim, &d);
  if (ast == LKATTRS_OK) {
    in_value = true;
    ast = lkattrs_validate_value(value, vlen, lim, &d);
  }
  if (ast == LKATTRS_OK) return LKTOKEN_OK;
  char q[64];
  lktoken__quote(q, sizeof q, key, klen);
  lktoken__fail(err, LKTOKEN_E_ATTRIBUTES, "attributes", d.offset,
                "attribute \"%s\": %s %s at byte %zu", q,
                in_value ? "value:" : "key:", lkattrs_strerror(ast), d.offset);
  if (err != NULL) err->attrs_status = ast;
  return LKTOKEN_E_ATTRIBUTES;
}

static lktoken_status check_attributes(json_t *attrs,
                                       const lkattrs_limits *limits,
                                       size_t *count, size_t *bytes,
                                       lktoken_error *err) {
  lkattrs_limits lim = limits != NULL ? *limits : lkattrs_limits_default();
  size_t total = 0, n = 0;
  const char *key;
  json_t *v;
  void *iter;
  char q[64];
  for (iter = json_object_iter(attrs); iter != NULL;
       iter = json_object_iter_next(attrs, iter)) {
    key = json_object_iter_key(iter);
    size_t klen = json_object_iter_key_len(iter);
    v = json_object_iter_value(iter);
    lktoken__quote(q, sizeof q, key, klen);
    if (!json_is_string(v))
      return lktoken__fail(err, LKTOKEN_E_CLAIM_TYPE, "attributes", n,
                           "attribute \"%s\": value must be a string", q);
    size_t vlen = json_string_length(v);
    lktoken_status ast = check_attribute(key, klen, json_string_value(v), vlen, &lim, err);
    if (ast != LKTOKEN_OK) return ast;
    total += klen + vlen;
    n++;
  }
  if (lim.max_map_bytes != 0 && total > lim.max_map_bytes) {
    lktoken__fail(err, LKTOKEN_E_ATTRIBUTES, "attributes", total,
                  "attributes: %zu bytes of keys and values, limit %zu", total,
                  lim.max_map_bytes);
    if (err != NULL) err->attrs_status = LKATTRS_E_TOO_LARGE;
    return LKTOKEN_E_ATTRIBUTES;
  }
  if (lim.max_entries != 0 && n > lim.max_entries) {
    lktoken__fail(err, LKTOKEN_E_ATTRIBUTES, "attributes", n,
                  "attributes: %zu entries, limit %zu", n, lim.max_entries);
    if (err != NULL) err->attrs_status = LKATTRS_E_TOO_MANY_ENTRIES;
    return LKTOKEN_E_ATTRIBUTES;
  }
  *count = n;
  *bytes = total;
  return LKTOKEN_OK;
}

/* Pass 1: types, values, attributes.  Strings borrow from root. */
static lktoken_status read_claims(json_t *root, const lkattrs_limits *limits,
                                  lktoken_claims *c, json_t **attrs_out,
                                  size_t *attr_bytes, json_t **room_config_out,
                                  lktoken_error *err) {
  lktoken_status st;
  json_t *obj;
#define TRY(x)                         \
  do {                                 \
    if ((st = (x)) != LKTOKEN_OK) return st; \
  } while (0)
  TRY(get_string(root, "sub", "sub", &c->identity, err));
  TRY(get_string(root, "iss", "iss", &c->issuer, err));
  TRY(get_time(root, "nbf", true, &c->not_before, err));
  TRY(get_time(root, "exp", false, &c->expires_at, err));
  TRY(get_time(root, "iat", false, &c->issued_at, err));
  TRY(get_string(root, "jti", "jti", &c->jwt_id, err));
  TRY(get_string(root, "name", "name", &c->name, err));
  TRY(get_string(root, "kind", "kind", &c->kind, err));
  TRY(get_string(root, "metadata", "metadata", &c->metadata, err));
  TRY(get_string(root, "roomPreset", "roomPreset", &c->room_preset, err));
  TRY(get_string(root, "sha256", "sha256", &c->sha256, err));

  TRY(get_grant(root, "video", &c->video.present, &c->video, video_bools,
                COUNT(video_bools), &obj, err));
  if (obj != NULL) {
    TRY(get_string(obj, "room", "video.room", &c->video.room, err));
    TRY(get_string(obj, "destinationRoom", "video.destinationRoom",
                   &c->video.destination_room, err));
    TRY(get_sources(obj, &c->video, err));
  }
  TRY(get_grant(root, "sip", &c->sip.present, &c->sip, sip_bools,
                COUNT(sip_bools), &obj, err));
  TRY(get_grant(root, "inference", &c->inference.present, &c->inference,
                inference_bools, COUNT(inference_bools), &obj, err));
  TRY(get_grant(root, "observability", &c->observability.present,
                &c->observability, observability_bools,
                COUNT(observability_bools), &obj, err));

  *attrs_out = NULL;
  *attr_bytes = 0;
  obj = json_object_get(root, "attributes");
  if (obj != NULL && !json_is_null(obj)) {
    if (!json_is_object(obj))
      return lktoken__fail(err, LKTOKEN_E_CLAIM_TYPE, "attributes", 0,
                           "claim attributes must be an object of strings");
    TRY(check_attributes(obj, limits, &c->attributes_count, attr_bytes, err));
    c->has_attributes = true;
    *attrs_out = obj;
  }

  *room_config_out = NULL;
  obj = json_object_get(root, "roomConfig");
  if (obj != NULL && !json_is_null(obj)) {
    if (!json_is_object(obj))
      return lktoken__fail(err, LKTOKEN_E_ROOM_CONFIG, "roomConfig", 0,
                           "claim roomConfig must be a JSON object");
    *room_config_out = obj;
  }
#undef TRY
  return LKTOKEN_OK;
}

/* Bump allocator over the owned block. */
typedef struct arena {
  char *p;
  char *end;
} arena;

static const char *arena_str(arena *a, const char *s, size_t len) {
  char *d = a->p;
  if (len > 0) memcpy(d, s, len);
  d[len] = '\0';
  a->p += len + 1;
  return d;
}

static const char *arena_cstr(arena *a, const char *s) {
  return s == NULL ? NULL : arena_str(a, s, strlen(s));
}

lktoken_status lktoken_claims_from_json(const char *json, size_t len,
                                        const lkattrs_limits *limits,
                                        const lkattrs_allocator *alc,
                                        lktoken_claims *claims_out,
                                        lktoken_error *err) {
  if (claims_out == NULL || (json == NULL && len > 0))
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, NULL, 0,
                         "claims_out and json must not be NULL");
  lktoken_claims_init(claims_out);
  if (alc != NULL && alc->alloc != NULL && alc->free == NULL)
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, NULL, 0,
                         "allocator without free");

  json_error_t jerr;
  json_t *root = json_loadb(json != NULL ? json : "", len, JSON_ALLOW_NUL, &jerr);
  if (root == NULL) {
    enum json_error_code code = json_error_code(&jerr);
    lktoken_status st = code == json_error_invalid_utf8 ? LKTOKEN_E_UTF8
                        : code == json_error_out_of_memory ? LKTOKEN_E_NOMEM
                                                           : LKTOKEN_E_JSON;
    return lktoken__fail(err, st, NULL, (size_t)jerr.position,
                         "payload: %s (byte %d)", jerr.text, jerr.position);
  }
  if (!json_is_object(root)) {
    json_decref(root);
    return lktoken__fail(err, LKTOKEN_E_JSON, NULL, 0,
                         "payload: not a JSON object");
  }

  lktoken_claims tmp;
  lktoken_claims_init(&tmp);
  json_t *attrs = NULL, *room_config = NULL;
  size_t attr_bytes = 0;
  char *rc_text = NULL;
  lktoken_status st =
      read_claims(root, limits, &tmp, &attrs, &attr_bytes, &room_config, err);
  if (st == LKTOKEN_OK && room_config != NULL) {
    rc_text = json_dumps(room_config, JSON_COMPACT);
    if (rc_text == NULL)
      st = lktoken__fail(err, LKTOKEN_E_NOMEM, "roomConfig", 0,
                         "out of memory while copying roomConfig");
    tmp.room_config = rc_text;
  }
  if (st != LKTOKEN_OK) {
    free(rc_text);
    json_decref(root);
    return st;
  }

  /* Size of the block: entries, then every string with its NUL. */
  const char *const strs[] = {tmp.identity,    tmp.issuer,      tmp.jwt_id,
                              tmp.name,        tmp.kind,        tmp.metadata,
                              tmp.video.room,  tmp.video.destination_room,
                              tmp.room_preset, tmp.room_config, tmp.sha256};
  size_t size = tmp.attributes_count * sizeof(lkattrs_entry);
  size += attr_bytes + 2 * tmp.attributes_count;
  for (size_t i = 0; i < COUNT(strs); i++)
    if (strs[i] != NULL) size += strlen(strs[i]) + 1;
  size += len + 1;

  char *block = lktoken__alloc(alc, size);
  if (block == NULL) {
    free(rc_text);
    json_decref(root);
    return lktoken__fail(err, LKTOKEN_E_NOMEM, NULL, 0,
                         "out of memory (%zu bytes for the claims)", size);
  }
  arena a = {block, block + size};
  lkattrs_entry *entries = (lkattrs_entry *)(void *)block;
  a.p += tmp.attributes_count * sizeof(lkattrs_entry);

  lktoken_claims c = tmp;
  c.identity = arena_cstr(&a, tmp.identity);
  c.issuer = arena_cstr(&a, tmp.issuer);
  c.jwt_id = arena_cstr(&a, tmp.jwt_id);
  c.name = arena_cstr(&a, tmp.name);
  c.kind = arena_cstr(&a, tmp.kind);
  c.metadata = arena_cstr(&a, tmp.metadata);
  c.video.room = arena_cstr(&a, tmp.video.room);
  c.video.destination_room = arena_cstr(&a, tmp.video.destination_room);
  c.room_preset = arena_cstr(&a, tmp.room_preset);
  c.room_config = arena_cstr(&a, tmp.room_config);
  c.sha256 = arena_cstr(&a, tmp.sha256);
  size_t n = 0;
  if (attrs != NULL) {
    for (void *it = json_object_iter(attrs); it != NULL;
         it = json_object_iter_next(attrs, it)) {
      json_t *v = json_object_iter_value(it);
      size_t klen = json_object_iter_key_len(it);
      size_t vlen = json_string_length(v);
      entries[n].key = arena_str(&a, json_object_iter_key(it), klen);
      entries[n].key_len = klen;
      entries[n].value = arena_str(&a, json_string_value(v), vlen);
      entries[n].value_len = vlen;
      n++;
    }
  }
  c.attributes = n > 0 ? entries : NULL;
  c.attributes_count = n;
  c.payload_json = arena_str(&a, json != NULL ? json : "", len);
  c.payload_json_len = len;
  c.owned_ = block;
  c.owned_size_ = size;
  if (alc != NULL && alc->alloc != NULL) c.owned_alc_ = *alc;

  free(rc_text);
  json_decref(root);
  *claims_out = c;
  lktoken__ok(err);
  return LKTOKEN_OK;
}

/* ------------------------------------------------------------------------ */
/* Building the payload. */

static lktoken_status put(json_t *obj, const char *key, json_t *v,
                          lktoken_error *err) {
  /* json_object_set_new() takes the reference even when it fails. */
  if (v == NULL || json_object_set_new(obj, key, v) != 0)
    return lktoken__fail(err, LKTOKEN_E_NOMEM, key, 0,
                         "out of memory while writing claim %s", key);
  return LKTOKEN_OK;
}

static lktoken_status put_string(json_t *obj, const char *key,
                                 const char *path, const char *s,
                                 lktoken_error *err) {
  if (s == NULL) return LKTOKEN_OK;
  size_t len = strlen(s), bad = 0;
  if (lkattrs_validate_utf8(s, len, &bad) != LKATTRS_OK)
    return lktoken__fail(err, LKTOKEN_E_CLAIM_VALUE, path, bad,
                         "claim %s is not valid UTF-8 (byte %zu)", path, bad);
  return put(obj, key, json_stringn_nocheck(s, len), err);
}

static lktoken_status put_bool(json_t *obj, const bool_field *f,
                               const void *grant, lktoken_error *err) {
  lktoken_bool b = *cbool_at(grant, f->offset);
  if (b == LKTOKEN_UNSET) return LKTOKEN_OK;
  if (b != LKTOKEN_TRUE && b != LKTOKEN_FALSE)
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, f->path, 0,
                         "claim %s: not an lktoken_bool (%d)", f->path, (int)b);
  return put(obj, f->name, json_boolean(b == LKTOKEN_TRUE), err);
}

/* for_mint: lktoken_mint() writes times in [0, LKTOKEN_MAX_TIME];
 * lktoken_claims_to_json() writes whatever lktoken_claims_from_json() reads,
 * +-LKTOKEN_MAX_TIME (a real was already rounded to an integer). */
static lktoken_status put_time(json_t *obj, const char *key, int64_t t,
                               bool for_mint, lktoken_error *err) {
  if (t == 0) return LKTOKEN_OK;
  if (t > LKTOKEN_MAX_TIME || t < (for_mint ? 0 : -LKTOKEN_MAX_TIME))
    return lktoken__fail(err, LKTOKEN_E_CLAIM_VALUE, key, 0,
                         for_mint ? "claim %s is out of range (0..2^53-1)"
                                  : "claim %s is out of range (-(2^53-1)..2^53-1)",
                         key);
  return put(obj, key, json_integer((json_int_t)t), err);
}

static bool grant_has_bools(const void *grant, const bool_field *f, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (*cbool_at(grant, f[i].offset) != LKTOKEN_UNSET) return true;
  return false;
}

static lktoken_status put_grant(json_t *root, const char *key, bool present,
                                const void *grant, const bool_field *fields,
                                size_t nfields, bool extra, json_t **obj_out,
                                lktoken_error *err) {
  *obj_out = NULL;
  if (!present && !extra && !grant_has_bools(grant, fields, nfields))
    return LKTOKEN_OK;
  json_t *obj = json_object();
  lktoken_status st = put(root, key, obj, err);
  if (st != LKTOKEN_OK) return st;
  for (size_t i = 0; i < nfields; i++)
    if ((st = put_bool(obj, &fields[i], grant, err)) != LKTOKEN_OK) return st;
  *obj_out = obj;
  return LKTOKEN_OK;
}

static lktoken_status put_attributes(json_t *root, const lktoken_claims *c,
                                     lktoken_error *err) {
  if (!c->has_attributes && c->attributes_count == 0) return LKTOKEN_OK;
  if (c->attributes == NULL && c->attributes_count > 0)
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, "attributes", 0,
                         "attributes is NULL with attributes_count > 0");
  lkattrs_limits lim = lkattrs_limits_default();
  json_t *obj = json_object();
  lktoken_status st = put(root, "attributes", obj, err);
  if (st != LKTOKEN_OK) return st;
  for (size_t i = 0; i < c->attributes_count; i++) {
    const lkattrs_entry *e = &c->attributes[i];
    if ((e->key == NULL && e->key_len > 0) || (e->value == NULL && e->value_len > 0))
      return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, "attributes", i,
                           "attributes[%zu]: NULL with a length", i);
    lktoken_status ast = check_attribute(e->key, e->key_len, e->value, e->value_len, &lim, err);
    if (ast != LKTOKEN_OK) return ast;
    /* Duplicated keys: the last one wins, as on the wire. */
    json_t *v = json_stringn_nocheck(e->value != NULL ? e->value : "", e->value_len);
    if (v == NULL || json_object_setn_new_nocheck(obj, e->key, e->key_len, v) != 0)
      return lktoken__fail(err, LKTOKEN_E_NOMEM, "attributes", i,
                           "out of memory while writing attributes");
  }
  /* Size of the resulting map (duplicates resolved). */
  size_t total = 0;
  const char *k;
  size_t klen;
  json_t *v;
  json_object_keylen_foreach(obj, k, klen, v) {
    (void)k;
    total += klen + json_string_length(v);
  }
  if (lim.max_map_bytes != 0 && total > lim.max_map_bytes) {
    lktoken__fail(err, LKTOKEN_E_ATTRIBUTES, "attributes", total,
                  "attributes: %zu bytes of keys and values, limit %zu", total,
                  lim.max_map_bytes);
    if (err != NULL) err->attrs_status = LKATTRS_E_TOO_LARGE;
    return LKTOKEN_E_ATTRIBUTES;
  }
  return LKTOKEN_OK;
}

/* The payload of claims.  for_mint: lktoken_mint()'s rules (times >= 0,
 * no LKTOKEN_SOURCE_UNKNOWN); else lktoken_claims_to_json()'s, which accept
 * every claims that lktoken_claims_from_json() returns: negative times, and
 * UNKNOWN written as "unknown" (LiveKit's Go auth package writes a source
 * as its TrackSource name in lower case), which reads back as UNKNOWN. */
static lktoken_status build_payload(const lktoken_claims *c, const char *iss,
                                    bool for_mint, json_t **out,
                                    lktoken_error *err) {
  lktoken_status st;
  json_t *obj;
  *out = NULL;
  json_t *root = json_object();
  if (root == NULL)
    return lktoken__fail(err, LKTOKEN_E_NOMEM, NULL, 0, "out of memory");
#define TRY(x)                        \
  do {                                \
    if ((st = (x)) != LKTOKEN_OK) goto fail; \
  } while (0)
  TRY(put_string(root, "sub", "sub", c->identity, err));
  TRY(put_string(root, "iss", "iss", iss, err));
  TRY(put_time(root, "nbf", c->not_before, for_mint, err));
  TRY(put_time(root, "exp", c->expires_at, for_mint, err));
  TRY(put_time(root, "iat", c->issued_at, for_mint, err));
  TRY(put_string(root, "jti", "jti", c->jwt_id, err));
  TRY(put_string(root, "name", "name", c->name, err));
  TRY(put_string(root, "kind", "kind", c->kind, err));
  TRY(put_string(root, "metadata", "metadata", c->metadata, err));
  TRY(put_attributes(root, c, err));

  const lktoken_video_grant *g = &c->video;
  TRY(put_grant(root, "video", g->present, g, video_bools, COUNT(video_bools),
                g->room != NULL || g->destination_room != NULL ||
                    g->has_can_publish_sources,
                &obj, err));
  if (obj != NULL) {
    TRY(put_string(obj, "room", "video.room", g->room, err));
    TRY(put_string(obj, "destinationRoom", "video.destinationRoom",
                   g->destination_room, err));
    if (g->has_can_publish_sources) {
      unsigned allowed = for_mint ? (unsigned)LKTOKEN_SOURCES_KNOWN
                                  : (unsigned)LKTOKEN_SOURCES_KNOWN | LKTOKEN_SOURCE_UNKNOWN;
      if ((g->can_publish_sources & ~allowed) != 0) {
        st = lktoken__fail(err, LKTOKEN_E_CLAIM_VALUE, "video.canPublishSources",
                           0, "video.canPublishSources: unknown source bits 0x%x",
                           g->can_publish_sources & ~allowed);
        goto fail;
      }
      json_t *arr = json_array();
      TRY(put(obj, "canPublishSources", arr, err));
      for (size_t k = 0; k <= N_SOURCES; k++) {
        unsigned bit = k < N_SOURCES ? sources[k].bit : LKTOKEN_SOURCE_UNKNOWN;
        const char *name = k < N_SOURCES ? sources[k].name : "unknown";
        if ((g->can_publish_sources & bit) != 0 &&
            json_array_append_new(arr, json_string(name)) != 0) {
          st = lktoken__fail(err, LKTOKEN_E_NOMEM, "video.canPublishSources", 0,
                             "out of memory");
          goto fail;
        }
      }
    }
  }
  TRY(put_grant(root, "sip", c->sip.present, &c->sip, sip_bools,
                COUNT(sip_bools), false, &obj, err));
  TRY(put_grant(root, "inference", c->inference.present, &c->inference,
                inference_bools, COUNT(inference_bools), false, &obj, err));
  TRY(put_grant(root, "observability", c->observability.present,
                &c->observability, observability_bools,
                COUNT(observability_bools), false, &obj, err));
  TRY(put_string(root, "roomPreset", "roomPreset", c->room_preset, err));
  if (c->room_config != NULL) {
    json_error_t jerr;
    json_t *rc = json_loads(c->room_config, 0, &jerr);
    if (rc == NULL || !json_is_object(rc)) {
      json_decref(rc);
      st = lktoken__fail(err, LKTOKEN_E_ROOM_CONFIG, "roomConfig", 0,
                         "roomConfig: %s",
                         rc == NULL ? jerr.text : "not a JSON object");
      goto fail;
    }
    TRY(put(root, "roomConfig", rc, err));
  }
  TRY(put_string(root, "sha256", "sha256", c->sha256, err));
#undef TRY
  *out = root;
  return LKTOKEN_OK;
fail:
  json_decref(root);
  return st;
}

lktoken_status lktoken__build_payload(const lktoken_claims *c, const char *iss,
                                      json_t **out, lktoken_error *err) {
  return build_payload(c, iss, true, out, err);
}

lktoken_status lktoken_claims_to_json(const lktoken_claims *claims, char *out,
                                      size_t out_cap, size_t *out_len,
                                      lktoken_error *err) {
  if (claims == NULL || out_len == NULL || (out == NULL && out_cap > 0))
    return lktoken__fail(err, LKTOKEN_E_INVALID_ARGUMENT, NULL, 0,
                         "claims and out_len must not be NULL");
  json_t *root;
  lktoken_status st = build_payload(claims, claims->issuer, false, &root, err);
  if (st != LKTOKEN_OK) return st;
  size_t need = json_dumpb(root, NULL, 0, JSON_COMPACT);
  if (need == 0) {
    json_decref(root);
    return lktoken__fail(err, LKTOKEN_E_NOMEM, NULL, 0, "out of memory");
  }
  *out_len = need;
  if (out_cap < need + 1) {
    json_decref(root);
    return lktoken__fail(err, LKTOKEN_E_NOSPACE, NULL, need,
                         "the JSON needs %zu bytes and a NUL", need);
  }
  (void)json_dumpb(root, out, need, JSON_COMPACT);
  out[need] = '\0';
  json_decref(root);
  lktoken__ok(err);
  return LKTOKEN_OK;
}
