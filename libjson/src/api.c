/* liblkjson: the public functions of lkjson/json.h, on top of the wire
 * reader, the JSON writer and the JSON reader. */
#include "lkjson_internal.h"

#include <string.h>

const char *lkjson_version_string(void) { return LKJSON_VERSION_STRING; }

const char *lkjson_strerror(lkjson_status status) {
  switch (status) {
  case LKJSON_OK: return "ok";
  case LKJSON_INVALID_ARGUMENT: return "invalid argument";
  case LKJSON_UNKNOWN_TYPE: return "unknown type";
  case LKJSON_AMBIGUOUS_TYPE: return "ambiguous type name";
  case LKJSON_BUFFER_TOO_SMALL: return "buffer too small";
  case LKJSON_NOMEM: return "out of memory";
  case LKJSON_BAD_WIRE: return "invalid binary message";
  case LKJSON_BAD_SYNTAX: return "invalid JSON";
  case LKJSON_BAD_VALUE: return "JSON is not a valid message of the type";
  case LKJSON_NO_JSON_FORM: return "message has no JSON form";
  case LKJSON_UNKNOWN_NAME: return "unknown enum value name";
  }
  return "unknown status";
}

static void err_clear(lkjson__err *e) {
  e->status = LKJSON_OK;
  e->offset = (size_t)-1;
  e->line = e->column = 0;
  e->path[0] = '\0';
  e->msg[0] = '\0';
}

/* Copies the internal error out (err may be NULL); returns its status. */
static lkjson_status report(const lkjson__err *e, lkjson_error *err) {
  if (err) {
    err->status = e->status;
    err->offset = e->offset;
    err->line = e->line;
    err->column = e->column;
    memcpy(err->path, e->path, sizeof err->path);
    memcpy(err->message, e->msg, sizeof err->message);
  }
  return e->status;
}

static lkjson_status fail(lkjson__err *e, lkjson_error *err, lkjson_status st, const char *msg) {
  lkjson__err_set(e, st, "%s", msg);
  return report(e, err);
}

static const lkjson_allocator *alloc_of(const lkjson_options *o) {
  return o && o->allocator ? o->allocator : &lkjson__libc;
}

static const ProtobufCMessageDescriptor *message_of(const char *type) {
  if (type[0] == '.') type++;
  const lkjson__type *t = lkjson__type_get(type);
  if (!t || t->is_enum || lkjson__is_map_entry(t->msg)) return NULL;
  return t->msg;
}

/* Checks the common arguments; 0 and e set when one is wrong. */
static int check_args(lkjson__err *e, const char *type, const void *in, size_t len,
                      const lkjson_options *o, const ProtobufCMessageDescriptor **d) {
  if (!type || (!in && len)) {
    lkjson__err_set(e, LKJSON_INVALID_ARGUMENT, "%s", !type ? "type is NULL" : "input is NULL");
    return 0;
  }
  if (o && (o->flags & ~LKJSON_FLAGS_ALL)) {
    lkjson__err_set(e, LKJSON_INVALID_ARGUMENT, "unknown option flags 0x%x", o->flags & ~LKJSON_FLAGS_ALL);
    return 0;
  }
  const lkjson_allocator *a = o ? o->allocator : NULL;
  if (a && (!a->alloc || !a->realloc || !a->free)) {
    lkjson__err_set(e, LKJSON_INVALID_ARGUMENT, "allocator without alloc, realloc or free");
    return 0;
  }
  *d = message_of(type);
  if (!*d) {
    lkjson__err_set(e, LKJSON_UNKNOWN_TYPE, "unknown message type '%.400s'", type);
    return 0;
  }
  return 1;
}

/* Binary -> JSON into b (allocated with the options' allocator). */
static lkjson_status to_json(const char *type, const uint8_t *bin, size_t len,
                             const lkjson_options *o, lkjson__buf *b, lkjson__err *e) {
  const ProtobufCMessageDescriptor *d;
  if (!check_args(e, type, bin, len, o, &d)) return e->status;
  const lkjson_allocator *a = alloc_of(o);
  static const unsigned char empty[1] = {0};
  const unsigned char *p = bin ? bin : empty;
  lkjson__arena ar;
  lkjson__arena_init(&ar, a);
  lkjson__buf_init(b, a);
  lkjson__msg *m = lkjson__wire_decode(&ar, d, p, 0, len, 0, 0, e);
  int ok = m && lkjson__json_write(&ar, b, m, p, o ? o->flags : 0u, e);
  lkjson__arena_free(&ar);
  if (ok && b->oom) {
    lkjson__err_set(e, LKJSON_NOMEM, "out of memory");
    ok = 0;
  }
  if (!ok) {
    lkjson__buf_free(b);
    return e->status;
  }
  return LKJSON_OK;
}

lkjson_status lkjson_to_json(const char *type, const uint8_t *bin, size_t len,
                             const lkjson_options *options, char *out, size_t cap, size_t *needed,
                             lkjson_error *err) {
  lkjson__err e;
  err_clear(&e);
  if (!needed || (!out && cap)) {
    lkjson__err_set(&e, LKJSON_INVALID_ARGUMENT, "%s", !needed ? "needed is NULL" : "out is NULL");
    return report(&e, err);
  }
  lkjson__buf b;
  if (to_json(type, bin, len, options, &b, &e) != LKJSON_OK) return report(&e, err);
  *needed = b.len + 1;
  if (b.len + 1 > cap) {
    lkjson__buf_free(&b);
    lkjson__err_set(&e, LKJSON_BUFFER_TOO_SMALL, "the JSON needs %zu bytes, the buffer has %zu",
                    *needed, cap);
    return report(&e, err);
  }
  memcpy(out, b.data, b.len + 1);
  lkjson__buf_free(&b);
  return report(&e, err);
}

lkjson_status lkjson_to_json_alloc(const char *type, const uint8_t *bin, size_t len,
                                   const lkjson_options *options, char **out, size_t *out_len,
                                   lkjson_error *err) {
  lkjson__err e;
  err_clear(&e);
  if (!out || !out_len) {
    lkjson__err_set(&e, LKJSON_INVALID_ARGUMENT, "%s", !out ? "out is NULL" : "out_len is NULL");
    return report(&e, err);
  }
  *out = NULL;
  *out_len = 0;
  lkjson__buf b;
  if (to_json(type, bin, len, options, &b, &e) != LKJSON_OK) return report(&e, err);
  /* Hand over a block of exactly len + 1 bytes (what lkjson_free() frees). */
  const lkjson_allocator *a = alloc_of(options);
  char *p = b.data;
  if (b.cap != b.len + 1) {
    p = a->realloc(a->ctx, b.data, b.cap, b.len + 1);
    if (!p) {
      lkjson__buf_free(&b);
      return fail(&e, err, LKJSON_NOMEM, "out of memory");
    }
  }
  *out = p;
  *out_len = b.len;
  return report(&e, err);
}

/* JSON -> the message struct in the arena, and its packed size. */
static ProtobufCMessage *from_json(const char *type, const char *json, size_t len,
                                   const lkjson_options *o, lkjson__arena *ar, size_t *size,
                                   lkjson__err *e) {
  const ProtobufCMessageDescriptor *d;
  if (!check_args(e, type, json, len, o, &d)) return NULL;
  lkjson__arena_init(ar, alloc_of(o));
  ProtobufCMessage *m = lkjson__json_read(ar, d, json ? json : "", len, o ? o->flags : 0u, e);
  if (!m) {
    lkjson__arena_free(ar);
    return NULL;
  }
  *size = protobuf_c_message_get_packed_size(m);
  return m;
}

lkjson_status lkjson_from_json(const char *type, const char *json, size_t len,
                               const lkjson_options *options, uint8_t *out, size_t cap,
                               size_t *needed, lkjson_error *err) {
  lkjson__err e;
  err_clear(&e);
  if (!needed || (!out && cap)) {
    lkjson__err_set(&e, LKJSON_INVALID_ARGUMENT, "%s", !needed ? "needed is NULL" : "out is NULL");
    return report(&e, err);
  }
  lkjson__arena ar;
  size_t n;
  ProtobufCMessage *m = from_json(type, json, len, options, &ar, &n, &e);
  if (!m) return report(&e, err);
  *needed = n;
  if (n > cap)
    lkjson__err_set(&e, LKJSON_BUFFER_TOO_SMALL, "the message needs %zu bytes, the buffer has %zu",
                    n, cap);
  else
    (void)protobuf_c_message_pack(m, out);
  lkjson__arena_free(&ar);
  return report(&e, err);
}

lkjson_status lkjson_from_json_alloc(const char *type, const char *json, size_t len,
                                     const lkjson_options *options, uint8_t **out,
                                     size_t *out_len, lkjson_error *err) {
  lkjson__err e;
  err_clear(&e);
  if (!out || !out_len) {
    lkjson__err_set(&e, LKJSON_INVALID_ARGUMENT, "%s", !out ? "out is NULL" : "out_len is NULL");
    return report(&e, err);
  }
  *out = NULL;
  *out_len = 0;
  lkjson__arena ar;
  size_t n;
  ProtobufCMessage *m = from_json(type, json, len, options, &ar, &n, &e);
  if (!m) return report(&e, err);
  const lkjson_allocator *a = alloc_of(options);
  uint8_t *p = n < SIZE_MAX ? a->alloc(a->ctx, n + 1) : NULL;
  if (!p) {
    lkjson__arena_free(&ar);
    return fail(&e, err, LKJSON_NOMEM, "out of memory");
  }
  (void)protobuf_c_message_pack(m, p);
  p[n] = 0;
  lkjson__arena_free(&ar);
  *out = p;
  *out_len = n;
  return report(&e, err);
}

void lkjson_free(const lkjson_options *options, void *p, size_t out_len) {
  if (!p) return;
  const lkjson_allocator *a = alloc_of(options);
  a->free(a->ctx, p, out_len + 1);
}

/* ------------------------------------------------------------------------ */
/* Types. */

static int listed(const lkjson__type *t) { return t->is_enum || !lkjson__is_map_entry(t->msg); }

size_t lkjson_type_count(void) {
  size_t n = 0;
  for (size_t i = 0; i < lkjson__n_types; i++) n += (size_t)listed(&lkjson__types[i]);
  return n;
}

const char *lkjson_type_at(size_t i, lkjson_kind *kind) {
  for (size_t k = 0; k < lkjson__n_types; k++) {
    const lkjson__type *t = &lkjson__types[k];
    if (!listed(t)) continue;
    if (i-- == 0) {
      if (kind) *kind = t->is_enum ? LKJSON_KIND_ENUM : LKJSON_KIND_MESSAGE;
      return t->name;
    }
  }
  return NULL;
}

lkjson_status lkjson_type_find(const char *name, lkjson_kind *kind) {
  if (!name) return LKJSON_INVALID_ARGUMENT;
  if (name[0] == '.') name++;
  const lkjson__type *t = lkjson__type_get(name);
  if (!t || !listed(t)) return LKJSON_UNKNOWN_TYPE;
  if (kind) *kind = t->is_enum ? LKJSON_KIND_ENUM : LKJSON_KIND_MESSAGE;
  return LKJSON_OK;
}

lkjson_status lkjson_type_resolve(const char *name, const char **full_name, lkjson_kind *kind) {
  if (!name) return LKJSON_INVALID_ARGUMENT;
  int ambiguous;
  const lkjson__type *t = lkjson__type_resolve(name, &ambiguous);
  if (!t) return ambiguous ? LKJSON_AMBIGUOUS_TYPE : LKJSON_UNKNOWN_TYPE;
  if (full_name) *full_name = t->name;
  if (kind) *kind = t->is_enum ? LKJSON_KIND_ENUM : LKJSON_KIND_MESSAGE;
  return LKJSON_OK;
}

/* ------------------------------------------------------------------------ */
/* Enums. */

static const ProtobufCEnumDescriptor *enum_of(const char *type) {
  if (!type) return NULL;
  if (type[0] == '.') type++;
  const lkjson__type *t = lkjson__type_get(type);
  return t && t->is_enum ? t->enm : NULL;
}

const char *lkjson_enum_name(const char *enum_type, int32_t value) {
  const ProtobufCEnumDescriptor *e = enum_of(enum_type);
  return e ? lkjson__enum_name(e, (int)value) : NULL;
}

lkjson_status lkjson_enum_value(const char *enum_type, const char *name, int32_t *value) {
  if (!enum_type || !name || !value) return LKJSON_INVALID_ARGUMENT;
  const ProtobufCEnumDescriptor *e = enum_of(enum_type);
  if (!e) return LKJSON_UNKNOWN_TYPE;
  int v;
  if (!lkjson__enum_value(e, name, &v)) return LKJSON_UNKNOWN_NAME;
  *value = (int32_t)v;
  return LKJSON_OK;
}

size_t lkjson_enum_count(const char *enum_type) {
  const ProtobufCEnumDescriptor *e = enum_of(enum_type);
  return e ? e->n_values : 0;
}

const char *lkjson_enum_at(const char *enum_type, size_t i, int32_t *value) {
  const ProtobufCEnumDescriptor *e = enum_of(enum_type);
  if (!e || i >= e->n_values) return NULL;
  if (value) *value = (int32_t)e->values[i].value;
  return e->values[i].name;
}
