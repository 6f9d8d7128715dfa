/* liblkjson: proto3 JSON into binary protobuf.
 *
 * json_parse.c parses the text into a value tree in the arena (it rejects
 * invalid UTF-8 and lone surrogate escapes); the JSON value is then written, field by field through the
 * descriptors' offsets, into a protobuf-c message struct allocated in an
 * arena of the caller's allocator, then packed with protobuf_c_message_pack()
 * by the caller; the arena is freed at once (nothing is freed piecemeal).
 * What is accepted follows @bufbuild/protobuf 1.10.1's fromJson() with
 * default options (or ignoreUnknownFields with LKJSON_IGNORE_UNKNOWN): JSON names and proto names, enum names or numbers, 64-bit
 * integers as strings or numbers, "NaN"/"Infinity"/"-Infinity", null for
 * "not set", standard or URL-safe base64; Struct, Value and ListValue from
 * any JSON object, value and array.  See tools/lkproto/README.md for the few
 * places where it is stricter. */
#include "lkjson_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


typedef struct ictx {
  lkjson__arena *ar;
  unsigned flags;
  lkjson__err *e;
  lkjson__path path;
  int depth;
  int ints_as_real; /* the document had an integer beyond 64 bits */
} ictx;

/* The value tree of json_parse.c: accessors. */
static inline int j_is_object(const lkjson__jv *j) { return j && j->type == LKJSON__JOBJECT; }
static inline int j_is_array(const lkjson__jv *j) { return j && j->type == LKJSON__JARRAY; }
static inline int j_is_string(const lkjson__jv *j) { return j && j->type == LKJSON__JSTRING; }
static inline int j_is_null(const lkjson__jv *j) { return j && j->type == LKJSON__JNULL; }
static inline int j_is_true(const lkjson__jv *j) { return j && j->type == LKJSON__JTRUE; }
static inline int j_is_boolean(const lkjson__jv *j) {
  return j && (j->type == LKJSON__JTRUE || j->type == LKJSON__JFALSE);
}
static inline int j_is_integer(const lkjson__jv *j) { return j && j->type == LKJSON__JNUMBER && j->is_int; }
static inline int j_is_real(const lkjson__jv *j) { return j && j->type == LKJSON__JNUMBER && !j->is_int; }
static inline const char *j_string_value(const lkjson__jv *j) { return j->u.s; }
static inline size_t j_string_length(const lkjson__jv *j) { return j->n; }
static inline int64_t j_integer_value(const lkjson__jv *j) { return j->i; }
static inline double j_real_value(const lkjson__jv *j) { return j->d; }
static inline size_t j_size(const lkjson__jv *j) { return j->n; }
static inline const lkjson__jv *j_array_get(const lkjson__jv *j, size_t i) { return j->u.items[i]; }

#define MEMBER(m, off) ((void *)((char *)(m) + (off)))

static int fail(ictx *c, const char *fmt, ...) LKJSON__PRINTF(2, 3);
static int fail(ictx *c, const char *fmt, ...) {
  char what[480];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  lkjson__path_format(&c->path, c->e->path, sizeof c->e->path);
  lkjson__err_set(c->e, LKJSON_BAD_VALUE, "field %s: %s", c->e->path, what);
  return 0;
}

static int nomem(ictx *c) {
  lkjson__err_set(c->e, LKJSON_NOMEM, "out of memory");
  return 0;
}

/* get_enum() and read_scalar(): an unknown enum name skipped under
 * LKJSON_IGNORE_UNKNOWN (the value is not set). */
#define IGNORED 2

static const char *jtype(const lkjson__jv *j) {
  switch (j->type) {
  case LKJSON__JOBJECT: return "an object";
  case LKJSON__JARRAY: return "an array";
  case LKJSON__JSTRING: return "a string";
  case LKJSON__JNUMBER: return j->is_int ? "an integer" : "a number";
  case LKJSON__JTRUE: case LKJSON__JFALSE: return "a boolean";
  case LKJSON__JNULL: return "null";
  }
  return "?";
}

static size_t elem_size(ProtobufCType t) {
  switch (t) {
  case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
  case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: return 4;
  case PROTOBUF_C_TYPE_FLOAT: return sizeof(float);
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
  case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64: return 8;
  case PROTOBUF_C_TYPE_DOUBLE: return sizeof(double);
  case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
  case PROTOBUF_C_TYPE_ENUM: return sizeof(int);
  case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
  case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
  case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Numbers. */

/* JavaScript's Number(string) for the decimal forms: optional sign, digits
 * with an optional fraction, optional exponent.  No surrounding spaces. */
static int parse_js_number(const char *s, double *out) {
  const char *p = s;
  if (*p == '+' || *p == '-') p++;
  int digits = 0;
  while (*p >= '0' && *p <= '9') p++, digits++;
  if (*p == '.') {
    p++;
    while (*p >= '0' && *p <= '9') p++, digits++;
  }
  if (!digits) return 0;
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if (!(*p >= '0' && *p <= '9')) return 0;
    while (*p >= '0' && *p <= '9') p++;
  }
  if (*p) return 0;
  errno = 0;
  *out = strtod(s, NULL);
  return 1;
}

/* A JSON value as a double for the 32-bit integer and float types. */
static int j_number(const lkjson__jv *j, double *out, int allow_string) {
  if (j_is_integer(j)) {
    *out = (double)j_integer_value(j);
    return 1;
  }
  if (j_is_real(j)) {
    *out = j_real_value(j);
    return 1;
  }
  if (allow_string && j_is_string(j)) return parse_js_number(j_string_value(j), out);
  return 0;
}

static int get_int32(ictx *c, const lkjson__jv *j, int is_unsigned, int64_t *out) {
  double d;
  if (!j_number(j, &d, 1)) return fail(c, "expected a number, got %s", jtype(j));
  if (!isfinite(d) || d != floor(d)) return fail(c, "not an integer");
  if (is_unsigned ? (d < 0 || d > 4294967295.0) : (d < -2147483648.0 || d > 2147483647.0))
    return fail(c, "out of range for %s", is_unsigned ? "uint32" : "int32");
  *out = (int64_t)d;
  return 1;
}

/* 64-bit integers: a JSON number (an exact integer) or a decimal string. */
static int get_int64(ictx *c, const lkjson__jv *j, int is_unsigned, uint64_t *out) {
  const char *range = is_unsigned ? "out of range for uint64" : "out of range for int64";
  if (j_is_integer(j)) {
    int64_t v = j_integer_value(j);
    if (is_unsigned && v < 0) return fail(c, "%s", range);
    *out = (uint64_t)v;
    return 1;
  }
  if (j_is_real(j)) {
    double d = j_real_value(j);
    if (d != floor(d)) return fail(c, "not an integer");
    if (c->ints_as_real && fabs(d) > 9007199254740992.0)
      return fail(c, "integer literal too large to read exactly; write 64-bit integers as strings");
    if (is_unsigned ? (d < 0 || d >= 18446744073709551616.0)
                    : (d < -9223372036854775808.0 || d >= 9223372036854775808.0))
      return fail(c, "%s", range);
    *out = is_unsigned ? (uint64_t)d : (uint64_t)(int64_t)d;
    return 1;
  }
  if (!j_is_string(j)) return fail(c, "expected a number or a decimal string, got %s", jtype(j));
  const char *s = j_string_value(j);
  int neg = 0;
  if (*s == '-') neg = 1, s++;
  if (!*s) return fail(c, "not a decimal integer");
  uint64_t v = 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9') return fail(c, "not a decimal integer");
    unsigned dgt = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - dgt) / 10) return fail(c, "%s", range);
    v = v * 10 + dgt;
  }
  if (is_unsigned) {
    if (neg && v) return fail(c, "%s", range);
    *out = v;
  } else {
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) return fail(c, "%s", range);
    *out = neg ? (uint64_t)0 - v : v;
  }
  return 1;
}

static int get_double(ictx *c, const lkjson__jv *j, int is_float, double *out) {
  if (j_is_string(j)) {
    const char *s = j_string_value(j);
    if (strcmp(s, "NaN") == 0) return *out = NAN, 1;
    if (strcmp(s, "Infinity") == 0) return *out = INFINITY, 1;
    if (strcmp(s, "-Infinity") == 0) return *out = -INFINITY, 1;
  }
  double d;
  if (!j_number(j, &d, 1)) return fail(c, "expected a number, got %s", jtype(j));
  if (!isfinite(d)) return fail(c, "number out of range");
  if (is_float && (d > FLT_MAX || d < -FLT_MAX)) return fail(c, "out of range for float");
  *out = d;
  return 1;
}

static int get_enum(ictx *c, const ProtobufCEnumDescriptor *ed, const lkjson__jv *j, int *out) {
  if (j_is_string(j)) {
    if (!lkjson__enum_value(ed, j_string_value(j), out)) {
      if (c->flags & LKJSON_IGNORE_UNKNOWN) return IGNORED;
      return fail(c, "\"%s\" is not a value of enum %s", j_string_value(j), ed->name);
    }
    return 1;
  }
  double d;
  if (!j_number(j, &d, 0)) return fail(c, "expected an enum name or number, got %s", jtype(j));
  if (d != floor(d)) return fail(c, "enum number is not an integer");
  if (d < -2147483648.0 || d > 2147483647.0) return fail(c, "enum number out of range for int32");
  *out = (int)d;
  return 1;
}

static int get_string(ictx *c, const lkjson__jv *j, char **out) {
  if (!j_is_string(j)) return fail(c, "expected a string, got %s", jtype(j));
  size_t n = j_string_length(j);
  const char *s = j_string_value(j);
  if (memchr(s, 0, n)) return fail(c, "U+0000 in string (refused: C strings cannot hold it)");
  *out = (char *)(uintptr_t)s; /* NUL-terminated, in the arena (never written to) */
  return 1;
}

static int get_bytes(ictx *c, const lkjson__jv *j, ProtobufCBinaryData *out) {
  if (!j_is_string(j)) return fail(c, "expected a base64 string, got %s", jtype(j));
  size_t n = j_string_length(j), w;
  unsigned char *data = lkjson__arena_alloc(c->ar, n / 4 * 3 + 3);
  if (!data) return nomem(c);
  if (!lkjson__base64_decode(j_string_value(j), n, data, &w)) return fail(c, "invalid base64");
  out->len = w;
  out->data = data; /* never NULL: memcpy */
  return 1;
}

/* ------------------------------------------------------------------------ */
/* Struct fields. */

static int fill_msg(ictx *c, const ProtobufCMessageDescriptor *d, const lkjson__jv *j,
                    ProtobufCMessage *m);

/* A new message struct in the arena, or NULL when memory ran out. */
static ProtobufCMessage *new_msg(ictx *c, const ProtobufCMessageDescriptor *d) {
  ProtobufCMessage *m = lkjson__arena_alloc(c->ar, d->sizeof_message);
  if (m) d->message_init(m);
  return m;
}

static int owned_by(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f) {
  if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
    return *(const uint32_t *)MEMBER((ProtobufCMessage *)m, f->quantifier_offset) == f->id;
  return 1;
}

/* Resets a singular field (what it held stays in the arena). */
static void clear_singular(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f) {
  void *p = MEMBER(m, f->offset);
  if (f->type == PROTOBUF_C_TYPE_STRING)
    *(char **)p = (char *)(uintptr_t)f->default_value; /* the default string itself */
  else
    memset(p, 0, elem_size(f->type));
  if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
    *(uint32_t *)MEMBER(m, f->quantifier_offset) = 0;
  else if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
    *(protobuf_c_boolean *)MEMBER(m, f->quantifier_offset) = 0;
}

/* Reads one scalar or enum JSON value into the element at p. */
static int read_scalar(ictx *c, const ProtobufCFieldDescriptor *f, const lkjson__jv *j, void *p) {
  int64_t i32;
  uint64_t u64;
  double d;
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
    if (!get_int32(c, j, 0, &i32)) return 0;
    *(int32_t *)p = (int32_t)i32;
    return 1;
  case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
    if (!get_int32(c, j, 1, &i32)) return 0;
    *(uint32_t *)p = (uint32_t)i32;
    return 1;
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
    if (!get_int64(c, j, 0, &u64)) return 0;
    *(int64_t *)p = (int64_t)u64;
    return 1;
  case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
    if (!get_int64(c, j, 1, &u64)) return 0;
    *(uint64_t *)p = u64;
    return 1;
  case PROTOBUF_C_TYPE_FLOAT:
    if (!get_double(c, j, 1, &d)) return 0;
    *(float *)p = (float)d;
    return 1;
  case PROTOBUF_C_TYPE_DOUBLE:
    if (!get_double(c, j, 0, &d)) return 0;
    *(double *)p = d;
    return 1;
  case PROTOBUF_C_TYPE_BOOL:
    if (!j_is_boolean(j)) return fail(c, "expected true or false, got %s", jtype(j));
    *(protobuf_c_boolean *)p = j_is_true(j);
    return 1;
  case PROTOBUF_C_TYPE_ENUM:
    return get_enum(c, f->descriptor, j, (int *)p);
  case PROTOBUF_C_TYPE_STRING:
    return get_string(c, j, (char **)p);
  case PROTOBUF_C_TYPE_BYTES:
    return get_bytes(c, j, (ProtobufCBinaryData *)p);
  case PROTOBUF_C_TYPE_MESSAGE:
    break;
  }
  return fail(c, "internal error: not a scalar");
}

/* Reads a map key (always a JSON object key, so a string, NUL-terminated
 * in the arena) into p. */
static int read_map_key(ictx *c, const ProtobufCFieldDescriptor *kf, const char *key,
                        size_t key_len, void *p) {
  if (kf->type == PROTOBUF_C_TYPE_STRING) { /* the common case: the key itself */
    *(char **)p = (char *)(uintptr_t)key;
    return 1;
  }
  lkjson__jv j;
  memset(&j, 0, sizeof j);
  if (kf->type == PROTOBUF_C_TYPE_BOOL) {
    if (strcmp(key, "true") == 0)
      j.type = LKJSON__JTRUE;
    else if (strcmp(key, "false") == 0)
      j.type = LKJSON__JFALSE;
    else
      return fail(c, "map key \"%s\" is not true or false", key);
  } else {
    j.type = LKJSON__JSTRING;
    j.u.s = key;
    j.n = key_len;
  }
  return read_scalar(c, kf, &j, p);
}

/* Appends one element to a repeated field and returns a pointer to it, or
 * NULL when memory ran out.  *cap is the capacity of the array, *n before
 * the first call of a loop (every array is allocated to its size); when it
 * is full, room for `more` elements is made at once (the size of the JSON
 * array or object being read). */
static void *grow(ictx *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, size_t *cap,
                  size_t more) {
  size_t *n = MEMBER(m, f->quantifier_offset);
  void **arr = MEMBER(m, f->offset);
  size_t es = elem_size(f->type);
  if (*n == *cap) {
    size_t nc = *n + (more ? more : 1);
    void *na = lkjson__arena_alloc(c->ar, nc * es);
    if (!na) return NULL;
    if (*n) memcpy(na, *arr, *n * es);
    *arr = na;
    *cap = nc;
  }
  void *el = (char *)*arr + *n * es;
  memset(el, 0, es);
  (*n)++;
  return el;
}

static int read_map(ictx *c, const ProtobufCFieldDescriptor *f, const lkjson__jv *j,
                    ProtobufCMessage *m) {
  if (!j_is_object(j)) return fail(c, "expected an object (map), got %s", jtype(j));
  const ProtobufCMessageDescriptor *ed = f->descriptor;
  const ProtobufCFieldDescriptor *kf = &ed->fields[0], *vf = &ed->fields[1];
  lkjson__path_item *pi = &c->path.items[c->path.depth - 1];
  size_t cap = *(size_t *)MEMBER(m, f->quantifier_offset);
  for (size_t mi = 0; mi < j->n; mi++) {
    const char *key = j->u.members[mi].key;
    size_t key_len = j->u.members[mi].key_len;
    const lkjson__jv *val = j->u.members[mi].val;
    pi->key = key;
    /* null is a value only for google.protobuf.Value (NULL_VALUE). */
    if (j_is_null(val) &&
        !(vf->type == PROTOBUF_C_TYPE_MESSAGE && lkjson__wkt(vf->descriptor) == LKJSON__WKT_VALUE))
      return fail(c, "map value is null");
    union { int32_t i; uint32_t u; int64_t l; uint64_t ul; float f; double d;
            protobuf_c_boolean b; int e; char *s; ProtobufCBinaryData bd;
            ProtobufCMessage *m; } kv, vv;
    memset(&kv, 0, sizeof kv);
    memset(&vv, 0, sizeof vv);
    if (!read_map_key(c, kf, key, key_len, &kv)) return 0;
    if (vf->type == PROTOBUF_C_TYPE_MESSAGE) {
      vv.m = new_msg(c, vf->descriptor);
      if (!vv.m) return nomem(c);
      c->depth++;
      int ok = fill_msg(c, vf->descriptor, val, vv.m);
      c->depth--;
      if (!ok) return 0;
    } else {
      int r = read_scalar(c, vf, val, &vv);
      if (!r) return 0;
      if (r == IGNORED) continue; /* an unknown enum name: the entry is left out */
    }
    ProtobufCMessage *entry = new_msg(c, ed);
    void *slot = entry ? grow(c, m, f, &cap, j->n - mi) : NULL;
    if (!slot) return nomem(c);
    *(ProtobufCMessage **)slot = entry;
    memcpy(MEMBER(entry, kf->offset), &kv, elem_size(kf->type));
    memcpy(MEMBER(entry, vf->offset), &vv, elem_size(vf->type));
  }
  pi->key = NULL;
  return 1;
}

static int read_field(ictx *c, const ProtobufCFieldDescriptor *f, const lkjson__jv *j,
                      ProtobufCMessage *m) {
  if (f->label == PROTOBUF_C_LABEL_REPEATED) {
    if (lkjson__field_is_map(f)) return read_map(c, f, j, m);
    if (!j_is_array(j)) return fail(c, "expected an array, got %s", jtype(j));
    lkjson__path_item *pi = &c->path.items[c->path.depth - 1];
    size_t cap = *(size_t *)MEMBER(m, f->quantifier_offset);
    for (size_t i = 0; i < j_size(j); i++) {
      const lkjson__jv *el = j_array_get(j, i);
      pi->index = (long)i;
      if (j_is_null(el)) return fail(c, "null in an array");
      if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        ProtobufCMessage *sub = new_msg(c, f->descriptor);
        void *slot = sub ? grow(c, m, f, &cap, j->n - i) : NULL;
        if (!slot) return nomem(c);
        *(ProtobufCMessage **)slot = sub;
        c->depth++;
        int ok = fill_msg(c, f->descriptor, el, sub);
        c->depth--;
        if (!ok) return 0;
      } else {
        /* read into a temporary first: a half-read string must not be
         * counted in the array */
        union { int32_t i; uint32_t u; int64_t l; uint64_t ul; float f; double d;
                protobuf_c_boolean b; int e; char *s; ProtobufCBinaryData bd; } tmp;
        memset(&tmp, 0, sizeof tmp);
        int r = read_scalar(c, f, el, &tmp);
        if (!r) return 0;
        if (r == IGNORED) continue; /* an unknown enum name: left out */
        void *slot = grow(c, m, f, &cap, j->n - i);
        if (!slot) return nomem(c);
        memcpy(slot, &tmp, elem_size(f->type));
      }
    }
    pi->index = -1;
    return 1;
  }
  void *p = MEMBER(m, f->offset);
  if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
    ProtobufCMessage **pm = p;
    if (!owned_by(m, f) || !*pm) {
      clear_singular(m, f);
      *pm = new_msg(c, f->descriptor);
      if (!*pm) return nomem(c);
    } /* else: the field was given twice (JSON name and proto name): merge */
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) *(uint32_t *)MEMBER(m, f->quantifier_offset) = f->id;
    c->depth++;
    int ok = fill_msg(c, f->descriptor, j, *pm);
    c->depth--;
    return ok;
  }
  union { int32_t i; uint32_t u; int64_t l; uint64_t ul; float f; double d;
          protobuf_c_boolean b; int e; char *s; ProtobufCBinaryData bd; } tmp;
  memset(&tmp, 0, sizeof tmp);
  int r = read_scalar(c, f, j, &tmp);
  if (!r) return 0;
  if (r == IGNORED) return 1; /* an unknown enum name: the field is left as it was */
  clear_singular(m, f);
  memcpy(p, &tmp, elem_size(f->type));
  if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
    *(uint32_t *)MEMBER(m, f->quantifier_offset) = f->id;
  else if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
    *(protobuf_c_boolean *)MEMBER(m, f->quantifier_offset) = 1;
  return 1;
}

/* Number of fields in the oneof of f: 1 for the synthetic oneof of a proto3
 * `optional` field (see README: protoc-c gets those as `oneof _x`). */
static unsigned oneof_size(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f) {
  unsigned n = 0;
  for (unsigned i = 0; i < d->n_fields; i++)
    if ((d->fields[i].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
        d->fields[i].quantifier_offset == f->quantifier_offset)
      n++;
  return n;
}

/* 1 when key is the JSON name of proto field name p (lkjson__json_name()'s
 * rule, compared on the fly). */
static int json_name_eq(const char *p, const char *k) {
  int cap = 0;
  for (; *p; p++) {
    if (*p == '_') {
      cap = 1;
      continue;
    }
    char ch = *p;
    if (cap) {
      if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
      cap = 0;
    }
    if (*k++ != ch) return 0;
  }
  return *k == 0;
}

static const ProtobufCFieldDescriptor *find_json_field(const ProtobufCMessageDescriptor *d,
                                                       const char *key) {
  for (unsigned i = 0; i < d->n_fields; i++) {
    const char *name = d->fields[i].name;
    if (name[0] != key[0] && name[0] != '_') continue; /* the same first letter */
    if (strcmp(name, key) == 0 || json_name_eq(name, key)) return &d->fields[i];
  }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Well-known types. */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  uint64_t yoe = (uint64_t)(y - era * 400);
  uint64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

static void set_i64(ProtobufCMessage *m, const ProtobufCMessageDescriptor *d, uint32_t no, int64_t v) {
  const ProtobufCFieldDescriptor *f = lkjson__field_by_number(d, no);
  *(int64_t *)MEMBER(m, f->offset) = v;
}

static void set_i32(ProtobufCMessage *m, const ProtobufCMessageDescriptor *d, uint32_t no, int32_t v) {
  const ProtobufCFieldDescriptor *f = lkjson__field_by_number(d, no);
  *(int32_t *)MEMBER(m, f->offset) = v;
}

/* RFC 3339 as @bufbuild/protobuf reads it: YYYY-MM-DDTHH:MM:SS followed by
 * Z, by .fff[fff[fff]]Z (3 to 9 digits) or by an offset +HH:MM / -HH:MM.
 * Days 1-31 roll over into the next month, as JavaScript's Date.parse does. */
static int read_timestamp(ictx *c, const ProtobufCMessageDescriptor *d, const lkjson__jv *j,
                          ProtobufCMessage *m) {
  if (!j_is_string(j)) return fail(c, "expected an RFC 3339 timestamp string, got %s", jtype(j));
  const char *s = j_string_value(j);
  size_t n = j_string_length(j);
  int y, mo, dd, h, mi, se, nanos = 0, off = 0;
  if (n < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
      !digits(s + 8, 2, &dd) || s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
      !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
    return fail(c, "invalid RFC 3339 timestamp");
  const char *t = s + 19;
  if (strcmp(t, "Z") == 0) {
  } else if (*t == '.') {
    size_t nd = strcspn(t + 1, "Z");
    if (nd < 3 || nd > 9 || strcmp(t + 1 + nd, "Z") != 0 || !digits(t + 1, (int)nd, &nanos))
      return fail(c, "invalid RFC 3339 timestamp");
    for (size_t k = nd; k < 9; k++) nanos *= 10;
  } else if ((*t == '+' || *t == '-') && strlen(t) == 6 && t[3] == ':') {
    int oh, om;
    if (!digits(t + 1, 2, &oh) || !digits(t + 4, 2, &om) || oh > 23 || om > 59)
      return fail(c, "invalid RFC 3339 timestamp");
    off = (oh * 60 + om) * 60 * (*t == '-' ? -1 : 1);
  } else {
    return fail(c, "invalid RFC 3339 timestamp");
  }
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || h > 24 || mi > 59 || se > 59 ||
      (h == 24 && (mi || se)))
    return fail(c, "invalid RFC 3339 timestamp");
  int64_t secs = (days_from_civil(y, (unsigned)mo, 1) + dd - 1) * 86400 + h * 3600 + mi * 60 + se - off;
  if (secs < -62135596800LL || secs > 253402300799LL)
    return fail(c, "timestamp must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z");
  set_i64(m, d, 1, secs);
  set_i32(m, d, 2, nanos);
  return 1;
}

/* "-12.5s": seconds, then 1 to 9 fraction digits, then "s". */
static int read_duration(ictx *c, const ProtobufCMessageDescriptor *d, const lkjson__jv *j,
                         ProtobufCMessage *m) {
  if (!j_is_string(j)) return fail(c, "expected a duration string like \"1.5s\", got %s", jtype(j));
  const char *s = j_string_value(j), *p = s;
  int neg = 0;
  if (*p == '-') neg = 1, p++;
  uint64_t secs = 0;
  int nd = 0;
  while (*p >= '0' && *p <= '9') {
    if (secs <= 315576000000ULL) secs = secs * 10 + (uint64_t)(*p - '0');
    p++, nd++;
  }
  if (!nd) return fail(c, "invalid duration");
  int32_t nanos = 0;
  if (*p == '.') {
    p++;
    int fd = 0, v = 0;
    /* A 10th digit only makes the value invalid: it is not accumulated
     * (10 digits would overflow v). */
    for (; *p >= '0' && *p <= '9' && fd < 10; p++, fd++)
      if (fd < 9) v = v * 10 + (*p - '0');
    if (fd == 0 || fd > 9) return fail(c, "invalid duration (1 to 9 fraction digits)");
    for (int k = fd; k < 9; k++) v *= 10;
    nanos = neg ? -v : v;
  }
  if (strcmp(p, "s") != 0) return fail(c, "invalid duration (must end with \"s\")");
  if (secs > 315576000000ULL) return fail(c, "duration out of range");
  set_i64(m, d, 1, neg ? -(int64_t)secs : (int64_t)secs);
  set_i32(m, d, 2, nanos);
  return 1;
}

static int encode_msg(ictx *c, const ProtobufCMessageDescriptor *d, const lkjson__jv *j,
                      uint8_t **out, size_t *outn);

static int read_any(ictx *c, const ProtobufCMessageDescriptor *d, const lkjson__jv *j,
                    ProtobufCMessage *m) {
  if (!j_is_object(j)) return fail(c, "expected an object (Any), got %s", jtype(j));
  if (j_size(j) == 0) return 1;
  const lkjson__jv *tj = lkjson__jv_get(j, "@type");
  if (!j_is_string(tj) || j_string_length(tj) == 0) return fail(c, "Any without \"@type\"");
  const char *url = j_string_value(tj);
  const char *slash = strrchr(url, '/');
  const char *name = slash ? slash + 1 : url;
  const ProtobufCMessageDescriptor *inner = lkjson__message_find(name);
  if (!inner || lkjson__is_map_entry(inner)) return fail(c, "Any of type \"%s\": not a type lkproto knows", url);
  const lkjson__jv *val;
  lkjson__jv rest; /* the object without "@type" (its members shared) */
  if (lkjson__wkt(inner) != LKJSON__WKT_NONE && lkjson__jv_get(j, "value")) {
    val = lkjson__jv_get(j, "value");
  } else {
    rest = *j;
    rest.n = 0;
    rest.u.members = lkjson__arena_alloc(c->ar, j->n * sizeof *rest.u.members);
    if (!rest.u.members) return nomem(c);
    for (size_t i = 0; i < j->n; i++)
      if (strcmp(j->u.members[i].key, "@type") != 0 || j->u.members[i].key_len != 5)
        rest.u.members[rest.n++] = j->u.members[i];
    val = &rest;
  }
  uint8_t *bytes;
  size_t nbytes;
  c->depth++;
  int ok = encode_msg(c, inner, val, &bytes, &nbytes);
  c->depth--;
  if (!ok) return 0;
  const ProtobufCFieldDescriptor *uf = lkjson__field_by_number(d, 1), *vf = lkjson__field_by_number(d, 2);
  size_t ul = sizeof "type.googleapis.com/" - 1 + strlen(inner->name);
  char *u = lkjson__arena_alloc(c->ar, ul + 1);
  if (!u) return nomem(c);
  snprintf(u, ul + 1, "type.googleapis.com/%s", inner->name);
  clear_singular(m, uf);
  *(char **)MEMBER(m, uf->offset) = u;
  clear_singular(m, vf);
  ProtobufCBinaryData *bd = MEMBER(m, vf->offset);
  bd->len = nbytes;
  bd->data = bytes;
  return 1;
}

/* google.protobuf.Struct: a JSON object, each member a Value. */
static int read_struct(ictx *c, const ProtobufCMessageDescriptor *d, const lkjson__jv *j,
                       ProtobufCMessage *m) {
  if (!j_is_object(j)) return fail(c, "expected an object (google.protobuf.Struct), got %s", jtype(j));
  const ProtobufCFieldDescriptor *f = lkjson__field_by_number(d, 1);
  lkjson__path_push(&c->path, f->name, -1);
  int ok = read_map(c, f, j, m);
  c->path.depth--;
  return ok;
}

/* google.protobuf.ListValue: a JSON array, each element a Value (null too). */
static int read_list_value(ictx *c, const ProtobufCMessageDescriptor *d, const lkjson__jv *j,
                           ProtobufCMessage *m) {
  if (!j_is_array(j)) return fail(c, "expected an array (google.protobuf.ListValue), got %s", jtype(j));
  const ProtobufCFieldDescriptor *f = lkjson__field_by_number(d, 1);
  lkjson__path_item *pi = lkjson__path_push(&c->path, f->name, -1);
  int ok = 1;
  size_t cap = *(size_t *)MEMBER(m, f->quantifier_offset);
  for (size_t i = 0; i < j_size(j) && ok; i++) {
    pi->index = (long)i;
    ProtobufCMessage *sub = new_msg(c, f->descriptor);
    void *slot = sub ? grow(c, m, f, &cap, j->n - i) : NULL;
    if (!slot) {
      ok = nomem(c);
      break;
    }
    *(ProtobufCMessage **)slot = sub;
    c->depth++;
    ok = fill_msg(c, f->descriptor, j_array_get(j, i), sub);
    c->depth--;
  }
  c->path.depth--;
  return ok;
}

/* google.protobuf.Value: any JSON value, into the matching arm of `kind`
 * (null: null_value, number, string, boolean, object: struct_value, array:
 * list_value), as @bufbuild/protobuf reads it. */
static int read_value(ictx *c, const ProtobufCMessageDescriptor *d, const lkjson__jv *j,
                      ProtobufCMessage *m) {
  uint32_t no;
  switch (j->type) {
  case LKJSON__JNULL: no = 1; break;
  case LKJSON__JNUMBER: no = 2; break;
  case LKJSON__JSTRING: no = 3; break;
  case LKJSON__JTRUE: case LKJSON__JFALSE: no = 4; break;
  case LKJSON__JOBJECT: no = 5; break;
  default: no = 6; break;
  }
  const ProtobufCFieldDescriptor *f = lkjson__field_by_number(d, no);
  void *p = MEMBER(m, f->offset);
  clear_singular(m, f);
  lkjson__path_push(&c->path, f->name, -1);
  int ok = 1;
  switch (no) {
  case 1: *(int *)p = 0; break;
  case 2: *(double *)p = j->d; break;
  case 3: ok = get_string(c, j, (char **)p); break;
  case 4: *(protobuf_c_boolean *)p = j_is_true(j); break;
  default: {
    ProtobufCMessage *sub = new_msg(c, f->descriptor);
    *(ProtobufCMessage **)p = sub;
    if (!sub) {
      ok = nomem(c);
      break;
    }
    c->depth++;
    ok = fill_msg(c, f->descriptor, j, sub);
    c->depth--;
  }
  }
  c->path.depth--;
  *(uint32_t *)MEMBER(m, f->quantifier_offset) = f->id;
  return ok;
}

/* ------------------------------------------------------------------------ */

static int fill_msg(ictx *c, const ProtobufCMessageDescriptor *d, const lkjson__jv *j,
                    ProtobufCMessage *m) {
  if (c->depth > LKJSON__MAX_DEPTH) return fail(c, "messages nested deeper than 100 levels");
  switch (lkjson__wkt(d)) {
  case LKJSON__WKT_TIMESTAMP: return read_timestamp(c, d, j, m);
  case LKJSON__WKT_DURATION: return read_duration(c, d, j, m);
  case LKJSON__WKT_ANY: return read_any(c, d, j, m);
  case LKJSON__WKT_STRUCT: return read_struct(c, d, j, m);
  case LKJSON__WKT_VALUE: return read_value(c, d, j, m);
  case LKJSON__WKT_LIST_VALUE: return read_list_value(c, d, j, m);
  case LKJSON__WKT_UNSUPPORTED: return fail(c, "well-known type %s has no JSON form in lkproto", d->name);
  default: break;
  }
  if (!j_is_object(j)) return fail(c, "expected an object (%s), got %s", d->name, jtype(j));
  unsigned seen_n = 0;
  unsigned seen_q[64];
  const char *seen_k[64];
  for (size_t mi = 0; mi < j->n; mi++) {
    const char *key = j->u.members[mi].key;
    size_t key_len = j->u.members[mi].key_len;
    const lkjson__jv *val = j->u.members[mi].val;
    const ProtobufCFieldDescriptor *f = find_json_field(d, key); /* (keys hold no U+0000) */
    (void)key_len;
    if (!f) {
      if (c->flags & LKJSON_IGNORE_UNKNOWN) continue;
      lkjson__path_push(&c->path, key, -1);
      int r = fail(c, "unknown field \"%s\" in %s", key, d->name);
      c->path.depth--;
      return r;
    }
    int real_oneof = (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && oneof_size(d, f) > 1;
    int is_null = j_is_null(val);
    if (is_null && !real_oneof) {
      /* null: "not set".  A scalar (or the scalar of a proto3 optional) is
       * cleared; repeated fields, maps and messages are left as they are. */
      if (f->label != PROTOBUF_C_LABEL_REPEATED && f->type != PROTOBUF_C_TYPE_MESSAGE)
        clear_singular(m, f);
      continue;
    }
    /* A null oneof arm sets nothing, but (as in @bufbuild/protobuf) a null
     * message or enum arm still counts as a key of its oneof. */
    if (is_null && f->type != PROTOBUF_C_TYPE_MESSAGE && f->type != PROTOBUF_C_TYPE_ENUM) continue;
    lkjson__path_push(&c->path, f->name, -1);
    if (real_oneof) {
      for (unsigned k = 0; k < seen_n; k++)
        if (seen_q[k] == f->quantifier_offset) {
          int r = fail(c, "more than one field of a oneof: \"%s\" and \"%s\"", seen_k[k], key);
          c->path.depth--;
          return r;
        }
      if (seen_n < 64) {
        seen_q[seen_n] = f->quantifier_offset;
        seen_k[seen_n++] = key;
      }
    }
    int ok = is_null ? 1 : read_field(c, f, val, m);
    c->path.depth--;
    if (!ok) return 0;
  }
  return 1;
}

/* The message of JSON value j, packed into arena memory (*out, *outn). */
static int encode_msg(ictx *c, const ProtobufCMessageDescriptor *d, const lkjson__jv *j,
                      uint8_t **out, size_t *outn) {
  ProtobufCMessage *m = new_msg(c, d);
  if (!m) return nomem(c);
  if (!fill_msg(c, d, j, m)) return 0;
  size_t n = protobuf_c_message_get_packed_size(m);
  *out = lkjson__arena_alloc(c->ar, n);
  if (!*out) return nomem(c);
  *outn = protobuf_c_message_pack(m, *out);
  return 1;
}

/* Every number of the tree read as a double (no recursion: the tree may be
 * deep; the arrays and objects are walked with an explicit stack in their
 * own `is_int` fields, which they do not use). */
static void all_real(lkjson__jv *root) {
  lkjson__jv *stack[LKJSON__JSON_MAX_DEPTH + 2];
  size_t idx[LKJSON__JSON_MAX_DEPTH + 2];
  int top = 0;
  stack[0] = root;
  idx[0] = 0;
  while (top >= 0) {
    lkjson__jv *v = stack[top];
    if (v->type == LKJSON__JNUMBER) v->is_int = 0;
    if ((v->type != LKJSON__JARRAY && v->type != LKJSON__JOBJECT) || idx[top] >= v->n) {
      top--;
      continue;
    }
    size_t i = idx[top]++;
    lkjson__jv *child = v->type == LKJSON__JARRAY ? v->u.items[i] : v->u.members[i].val;
    stack[++top] = child;
    idx[top] = 0;
  }
}

ProtobufCMessage *lkjson__json_read(lkjson__arena *ar, const ProtobufCMessageDescriptor *desc,
                                    const char *text, size_t n, unsigned flags, lkjson__err *e) {
  int as_real = 0;
  lkjson__jv *j = lkjson__json_parse(ar, text, n, &as_real, e);
  if (!j) return NULL;
  /* An integer literal beyond 64 bits (a double such as 100000000000000000000
   * written without exponent, as JavaScript does): every number is read as
   * a double, as JavaScript's JSON.parse() does. */
  if (as_real) all_real(j);
  ictx c;
  c.ar = ar;
  c.flags = flags;
  c.e = e;
  c.path.depth = 0;
  c.depth = 0;
  c.ints_as_real = as_real;
  ProtobufCMessage *m = new_msg(&c, desc);
  int ok = m ? fill_msg(&c, desc, j, m) : nomem(&c);
  return ok ? m : NULL;
}
