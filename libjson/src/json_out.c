/* liblkjson: a decoded message (lkjson__msg) as canonical proto3 JSON, as
 * @bufbuild/protobuf 1.10.1's toJson() writes it (default options, or
 * emitDefaultValues / useProtoFieldName with LKJSON_EMIT_DEFAULTS /
 * LKJSON_PROTO_NAMES):
 * fields in field-number order under their JSON names; proto3 defaults left
 * out except for fields with presence (oneof arms, proto3 optional, messages);
 * enum value names (the number when unknown); 64-bit integers as strings;
 * bytes in standard padded base64; floats as the shortest decimal of the
 * value widened to double, "NaN", "Infinity", "-Infinity"; maps as objects
 * (last duplicate key wins); Timestamp, Duration, Any, Struct, Value and
 * ListValue in their JSON forms.
 * The output is written without spaces, like JSON.stringify(). */
#include "lkjson_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct octx {
  lkjson__arena *ar;
  const unsigned char *buf;
  unsigned flags;
  lkjson__err *e;
  lkjson__path path;
  int depth;
} octx;

static int fail(octx *c, const char *what) {
  lkjson__path_format(&c->path, c->e->path, sizeof c->e->path);
  lkjson__err_set(c->e, LKJSON_NO_JSON_FORM, "field %s: %s", c->e->path, what);
  return 0;
}

static int nomem(octx *c) {
  lkjson__err_set(c->e, LKJSON_NOMEM, "out of memory");
  return 0;
}

/* 1 for the bytes a JSON string must escape: '"', '\\', below 0x20. */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static void put_string(lkjson__buf *o, const unsigned char *s, size_t n) {
  lkjson__buf_putc(o, '"');
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = s[i];
    if (!needs_escape[ch]) {
      if (ch < 0x80) { /* skip a run of plain ASCII at once */
        size_t k = lkjson__plain_prefix(s + i, n - i);
        if (k > 1) i += k - 1;
      }
      continue;
    }
    const char *esc = NULL;
    char u[8];
    switch (ch) {
    case '"': esc = "\\\""; break;
    case '\\': esc = "\\\\"; break;
    case '\b': esc = "\\b"; break;
    case '\f': esc = "\\f"; break;
    case '\n': esc = "\\n"; break;
    case '\r': esc = "\\r"; break;
    case '\t': esc = "\\t"; break;
    default:
      if (ch < 0x20) {
        snprintf(u, sizeof u, "\\u%04x", ch);
        esc = u;
      }
    }
    if (esc) {
      lkjson__buf_put(o, s + run, i - run);
      lkjson__buf_puts(o, esc);
      run = i + 1;
    }
  }
  lkjson__buf_put(o, s + run, n - run);
  lkjson__buf_putc(o, '"');
}

static void put_cstring(lkjson__buf *o, const char *s) {
  put_string(o, (const unsigned char *)s, strlen(s));
}

/* The JSON name of a field (lowerCamelCase, protoc's rule), quoted, written
 * straight into the buffer (names are ASCII identifiers: no escaping). */
static void put_json_name(lkjson__buf *o, const char *name) {
  size_t n = strlen(name);
  lkjson__buf_putc(o, '"');
  if (o->cap - o->len < n + 2) {
    char jn[256];
    lkjson__json_name(name, jn, sizeof jn);
    lkjson__buf_puts(o, jn);
  } else {
    char *w = o->data + o->len;
    int cap = 0;
    for (const char *p = name; *p; p++) {
      if (*p == '_') {
        cap = 1;
      } else if (cap) {
        *w++ = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
        cap = 0;
      } else {
        *w++ = *p;
      }
    }
    o->len = (size_t)(w - o->data);
    o->data[o->len] = '\0';
  }
  lkjson__buf_putc(o, '"');
}

static int32_t as_i32(uint64_t u) { return (int32_t)(uint32_t)(u & 0xFFFFFFFFu); }

static int64_t zigzag64(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }

static int32_t zigzag32(uint64_t u) {
  uint32_t n = (uint32_t)(u & 0xFFFFFFFFu);
  return (int32_t)(n >> 1) ^ -(int32_t)(n & 1);
}

static double as_float(uint64_t u) {
  uint32_t bits = (uint32_t)(u & 0xFFFFFFFFu);
  float f;
  memcpy(&f, &bits, sizeof f);
  return (double)f;
}

static double as_double(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

static int is_default(const ProtobufCFieldDescriptor *f, lkjson__val v) {
  switch (f->type) {
  case PROTOBUF_C_TYPE_STRING:
  case PROTOBUF_C_TYPE_BYTES:
    return v.s.len == 0;
  case PROTOBUF_C_TYPE_FLOAT:
    return as_float(v.u) == 0;
  case PROTOBUF_C_TYPE_DOUBLE:
    return as_double(v.u) == 0;
  case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_UINT32:
  case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_ENUM:
    return (v.u & 0xFFFFFFFFu) == 0;
  case PROTOBUF_C_TYPE_MESSAGE:
    return 0;
  default: /* 64-bit integers, bool */
    return v.u == 0;
  }
}

static void put_number(lkjson__buf *o, double d) {
  if (isnan(d))
    lkjson__buf_puts(o, "\"NaN\"");
  else if (isinf(d))
    lkjson__buf_puts(o, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  else
    lkjson__format_double(o, d);
}

/* A decimal integer, optionally between quotes (no printf: the hot path). */
static void put_int(lkjson__buf *o, uint64_t mag, int neg, int quoted) {
  char tmp[24];
  size_t i = sizeof tmp;
  if (quoted) tmp[--i] = '"';
  do {
    tmp[--i] = (char)('0' + mag % 10);
    mag /= 10;
  } while (mag);
  if (neg) tmp[--i] = '-';
  if (quoted) tmp[--i] = '"';
  lkjson__buf_put(o, tmp + i, sizeof tmp - i);
}

static void put_i64(lkjson__buf *o, int64_t v, int quoted) {
  put_int(o, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0, quoted);
}

/* A scalar or enum value; `quoted` forces a string (map keys). */
static void put_scalar(octx *c, lkjson__buf *o, const ProtobufCFieldDescriptor *f, lkjson__val v, int quoted) {
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT32:
  case PROTOBUF_C_TYPE_SFIXED32:
    put_i64(o, as_i32(v.u), quoted);
    break;
  case PROTOBUF_C_TYPE_SINT32:
    put_i64(o, zigzag32(v.u), quoted);
    break;
  case PROTOBUF_C_TYPE_UINT32:
  case PROTOBUF_C_TYPE_FIXED32:
    put_int(o, v.u & 0xFFFFFFFFu, 0, quoted);
    break;
  case PROTOBUF_C_TYPE_INT64:
  case PROTOBUF_C_TYPE_SFIXED64:
    put_i64(o, (int64_t)v.u, 1);
    break;
  case PROTOBUF_C_TYPE_SINT64:
    put_i64(o, zigzag64(v.u), 1);
    break;
  case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64:
    put_int(o, v.u, 0, 1);
    break;
  case PROTOBUF_C_TYPE_BOOL:
    if (quoted) lkjson__buf_puts(o, v.u ? "\"true\"" : "\"false\"");
    else lkjson__buf_puts(o, v.u ? "true" : "false");
    break;
  case PROTOBUF_C_TYPE_FLOAT:
    put_number(o, as_float(v.u));
    break;
  case PROTOBUF_C_TYPE_DOUBLE:
    put_number(o, as_double(v.u));
    break;
  case PROTOBUF_C_TYPE_ENUM: {
    const char *name = lkjson__enum_name(f->descriptor, as_i32(v.u));
    if (name)
      put_cstring(o, name);
    else
      put_i64(o, as_i32(v.u), 0);
    break;
  }
  case PROTOBUF_C_TYPE_STRING:
    put_string(o, c->buf + v.s.off, v.s.len);
    break;
  case PROTOBUF_C_TYPE_BYTES:
    lkjson__buf_putc(o, '"');
    lkjson__base64_encode(o, c->buf + v.s.off, v.s.len);
    lkjson__buf_putc(o, '"');
    break;
  case PROTOBUF_C_TYPE_MESSAGE:
    break;
  }
}

static int put_msg(octx *c, lkjson__buf *o, const ProtobufCMessageDescriptor *d, const lkjson__msg *m);

/* Singular field value of a message by field number (NULL when unset). */
static const lkjson__val *field_val(const ProtobufCMessageDescriptor *d, const lkjson__msg *m, uint32_t no) {
  const ProtobufCFieldDescriptor *f = lkjson__field_by_number(d, no);
  if (!f || !m) return NULL;
  const lkjson__slot *s = lkjson__msg_slot(m, (unsigned)(f - d->fields));
  return s ? &s->one : NULL;
}

/* Days since 1970-01-01 to civil date (H. Hinnant's algorithm). */
static void civil(int64_t z, int64_t *y, unsigned *mo, unsigned *dd) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  uint64_t doe = (uint64_t)(z - era * 146097);
  uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = (int64_t)yoe + era * 400;
  uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  uint64_t mp = (5 * doy + 2) / 153;
  *dd = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
  *mo = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
  *y = yy + (*mo <= 2);
}

/* 9 digits of nanos, trimmed to 3 or 6 when the rest is zeros. */
static void nanos_digits(char *out, size_t outsz, uint64_t v9) {
  snprintf(out, outsz, "%09" PRIu64, v9);
  if (strcmp(out + 3, "000000") == 0)
    out[3] = '\0';
  else if (strcmp(out + 6, "000") == 0)
    out[6] = '\0';
}

static int put_timestamp(octx *c, lkjson__buf *o, const ProtobufCMessageDescriptor *d, const lkjson__msg *m) {
  const lkjson__val *sv = field_val(d, m, 1), *nv = field_val(d, m, 2);
  int64_t secs = sv ? (int64_t)sv->u : 0;
  int32_t nanos = nv ? as_i32(nv->u) : 0;
  if (secs < -62135596800LL || secs > 253402300799LL)
    return fail(c, "Timestamp out of range: must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z");
  if (nanos < 0) return fail(c, "Timestamp nanos must not be negative");
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned mo, dd;
  civil(days, &y, &mo, &dd);
  lkjson__buf_printf(o, "\"%04d-%02u-%02uT%02d:%02d:%02d", (int)y, mo, dd, (int)(rem / 3600),
                (int)(rem / 60 % 60), (int)(rem % 60));
  if (nanos > 0) {
    /* (nanos + 1e9).toString().substring(1), as @bufbuild/protobuf does. */
    char digits[16];
    nanos_digits(digits, sizeof digits, ((uint64_t)nanos + 1000000000u) % 1000000000u);
    lkjson__buf_printf(o, ".%s", digits);
  }
  lkjson__buf_puts(o, "Z\"");
  return 1;
}

static int put_duration(octx *c, lkjson__buf *o, const ProtobufCMessageDescriptor *d, const lkjson__msg *m) {
  const lkjson__val *sv = field_val(d, m, 1), *nv = field_val(d, m, 2);
  int64_t secs = sv ? (int64_t)sv->u : 0;
  int32_t nanos = nv ? as_i32(nv->u) : 0;
  if (secs > 315576000000LL || secs < -315576000000LL) return fail(c, "Duration out of range");
  if (nanos == 0) {
    lkjson__buf_printf(o, "\"%" PRId64 "s\"", secs);
    return 1;
  }
  uint64_t mag = nanos < 0 ? (uint64_t)(-(int64_t)nanos) : (uint64_t)nanos;
  if (mag > 999999999u) return fail(c, "Duration nanos out of range");
  char digits[16];
  nanos_digits(digits, sizeof digits, mag);
  lkjson__buf_printf(o, "\"%s%" PRId64 ".%ss\"", nanos < 0 && secs == 0 ? "-" : "", secs, digits);
  return 1;
}

static int put_any(octx *c, lkjson__buf *o, const ProtobufCMessageDescriptor *d, const lkjson__msg *m) {
  const lkjson__val *uv = field_val(d, m, 1), *vv = field_val(d, m, 2);
  if (!uv || uv->s.len == 0) {
    lkjson__buf_puts(o, "{}");
    return 1;
  }
  char url[512];
  if (uv->s.len >= sizeof url) return fail(c, "Any type URL too long");
  memcpy(url, c->buf + uv->s.off, uv->s.len);
  url[uv->s.len] = '\0';
  const char *slash = strrchr(url, '/');
  const char *name = slash ? slash + 1 : url;
  const ProtobufCMessageDescriptor *inner = lkjson__message_find(name);
  if (!inner) {
    char msg[700];
    snprintf(msg, sizeof msg, "Any of type \"%s\": not a type lkproto knows", url);
    return fail(c, msg);
  }
  size_t off = vv ? vv->s.off : 0, len = vv ? vv->s.len : 0;
  lkjson__err ie;
  lkjson__msg *im = lkjson__wire_decode(c->ar, inner, c->buf, off, off + len, off, c->depth + 1, &ie);
  if (!im) {
    if (ie.status == LKJSON_NOMEM) return nomem(c);
    char msg[1200];
    snprintf(msg, sizeof msg, "Any value of type %s: %s", inner->name, ie.msg);
    return fail(c, msg);
  }
  lkjson__buf tmp;
  lkjson__buf_init(&tmp, o->a);
  c->depth++;
  int ok = put_msg(c, &tmp, inner, im);
  c->depth--;
  if (ok && tmp.oom) ok = nomem(c);
  if (ok) {
    lkjson__buf_puts(o, "{\"@type\":");
    put_cstring(o, url);
    if (lkjson__wkt(inner) != LKJSON__WKT_NONE) {
      lkjson__buf_puts(o, ",\"value\":");
      lkjson__buf_put(o, tmp.data, tmp.len);
      lkjson__buf_putc(o, '}');
    } else if (tmp.len > 2) {
      lkjson__buf_putc(o, ',');
      lkjson__buf_put(o, tmp.data + 1, tmp.len - 1);
    } else {
      lkjson__buf_putc(o, '}');
    }
  }
  lkjson__buf_free(&tmp);
  return ok;
}

typedef struct keyed {
  char *key;
  size_t idx;
} keyed;

static int keyed_cmp(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  int r = strcmp(x->key, y->key);
  if (r) return r;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* A map: entries in key order, the last of equal keys winning. */
static int put_map(octx *c, lkjson__buf *o, const ProtobufCFieldDescriptor *f, const lkjson__slot *s) {
  const ProtobufCMessageDescriptor *ed = f->descriptor;
  const ProtobufCFieldDescriptor *kf = &ed->fields[0], *vf = &ed->fields[1];
  keyed *ks = s->n ? lkjson__arena_alloc(c->ar, s->n * sizeof *ks) : NULL;
  if (s->n && !ks) return nomem(c);
  for (size_t i = 0; i < s->n; i++) {
    const lkjson__slot *k = lkjson__msg_slot(s->many[i].m, 0);
    lkjson__val kv;
    memset(&kv, 0, sizeof kv);
    if (k) kv = k->one;
    char *key;
    if (kf->type == PROTOBUF_C_TYPE_STRING) {
      key = lkjson__arena_alloc(c->ar, kv.s.len + 1);
      if (!key) return nomem(c);
      memcpy(key, c->buf + kv.s.off, kv.s.len);
      key[kv.s.len] = '\0';
    } else {
      char tmp[64];
      lkjson__buf kb = {tmp, 0, sizeof tmp, NULL, 0}; /* never grows: a number or bool */
      put_scalar(c, &kb, kf, kv, 1);
      if (kb.oom || kb.len < 2) return nomem(c);
      key = lkjson__arena_alloc(c->ar, kb.len - 1);
      if (!key) return nomem(c);
      memcpy(key, kb.data + 1, kb.len - 2); /* without the quotes */
      key[kb.len - 2] = '\0';
    }
    ks[i].key = key;
    ks[i].idx = i;
  }
  /* Encoders write maps in key order, often: sort only when not sorted. */
  int sorted = 1;
  for (size_t i = 1; i < s->n && sorted; i++) sorted = keyed_cmp(&ks[i - 1], &ks[i]) < 0;
  if (!sorted) qsort(ks, s->n, sizeof *ks, keyed_cmp);
  int ok = 1, first = 1;
  lkjson__buf_putc(o, '{');
  for (size_t i = 0; i < s->n && ok; i++) {
    if (i + 1 < s->n && strcmp(ks[i].key, ks[i + 1].key) == 0) continue;
    if (!first) lkjson__buf_putc(o, ',');
    first = 0;
    put_string(o, (const unsigned char *)ks[i].key, strlen(ks[i].key));
    lkjson__buf_putc(o, ':');
    const lkjson__msg *em = s->many[ks[i].idx].m;
    const lkjson__slot *vs = lkjson__msg_slot(em, 1);
    if (vf->type == PROTOBUF_C_TYPE_MESSAGE) {
      lkjson__path_push(&c->path, "value", -1);
      c->path.items[c->path.depth - 2].key = ks[i].key;
      ok = put_msg(c, o, vf->descriptor, vs ? vs->one.m : NULL);
      c->path.depth--;
    } else {
      lkjson__val vv;
      memset(&vv, 0, sizeof vv);
      if (vs) vv = vs->one;
      put_scalar(c, o, vf, vv, 0);
    }
  }
  lkjson__buf_putc(o, '}');
  return ok;
}

/* google.protobuf.Struct: its `fields` map as a JSON object. */
static int put_struct(octx *c, lkjson__buf *o, const ProtobufCMessageDescriptor *d, const lkjson__msg *m) {
  const ProtobufCFieldDescriptor *f = lkjson__field_by_number(d, 1);
  const lkjson__slot *s = m ? lkjson__msg_slot(m, (unsigned)(f - d->fields)) : NULL;
  if (!s || s->n == 0) {
    lkjson__buf_puts(o, "{}");
    return 1;
  }
  lkjson__path_push(&c->path, f->name, -1);
  c->depth++;
  int ok = put_map(c, o, f, s);
  c->depth--;
  c->path.depth--;
  return ok;
}

/* google.protobuf.ListValue: its `values` as a JSON array. */
static int put_list_value(octx *c, lkjson__buf *o, const ProtobufCMessageDescriptor *d, const lkjson__msg *m) {
  const ProtobufCFieldDescriptor *f = lkjson__field_by_number(d, 1);
  const lkjson__slot *s = m ? lkjson__msg_slot(m, (unsigned)(f - d->fields)) : NULL;
  int ok = 1;
  lkjson__buf_putc(o, '[');
  lkjson__path_item *pi = lkjson__path_push(&c->path, f->name, -1);
  c->depth++;
  for (size_t k = 0; s && k < s->n && ok; k++) {
    if (k) lkjson__buf_putc(o, ',');
    pi->index = (long)k;
    ok = put_msg(c, o, f->descriptor, s->many[k].m);
  }
  c->depth--;
  c->path.depth--;
  lkjson__buf_putc(o, ']');
  return ok;
}

/* google.protobuf.Value: the JSON value of its `kind` arm, as
 * @bufbuild/protobuf writes it (which refuses NaN, infinities and a Value
 * with no arm set). */
static int put_value(octx *c, lkjson__buf *o, const ProtobufCMessageDescriptor *d, const lkjson__msg *m) {
  for (unsigned i = 0; m && i < d->n_fields; i++) {
    const lkjson__slot *s = lkjson__msg_slot(m, i);
    if (!s) continue;
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    switch (f->id) {
    case 1: /* null_value: any NullValue number */
      lkjson__buf_puts(o, "null");
      return 1;
    case 2: { /* number_value */
      double v = as_double(s->one.u);
      if (!isfinite(v)) return fail(c, "google.protobuf.Value cannot be NaN or Infinity");
      lkjson__format_double(o, v);
      return 1;
    }
    case 3: /* string_value */
      put_string(o, c->buf + s->one.s.off, s->one.s.len);
      return 1;
    case 4: /* bool_value */
      lkjson__buf_puts(o, s->one.u ? "true" : "false");
      return 1;
    case 5: /* struct_value */
    case 6: { /* list_value */
      lkjson__path_push(&c->path, f->name, -1);
      c->depth++;
      int ok = put_msg(c, o, f->descriptor, s->one.m);
      c->depth--;
      c->path.depth--;
      return ok;
    }
    default:
      break;
    }
  }
  return fail(c, "google.protobuf.Value must have a value");
}

static int put_msg(octx *c, lkjson__buf *o, const ProtobufCMessageDescriptor *d, const lkjson__msg *m) {
  if (c->depth > LKJSON__MAX_DEPTH + 1) return fail(c, "messages nested deeper than 100 levels");
  switch (lkjson__wkt(d)) {
  case LKJSON__WKT_TIMESTAMP: return put_timestamp(c, o, d, m);
  case LKJSON__WKT_DURATION: return put_duration(c, o, d, m);
  case LKJSON__WKT_ANY: return put_any(c, o, d, m);
  case LKJSON__WKT_STRUCT: return put_struct(c, o, d, m);
  case LKJSON__WKT_VALUE: return put_value(c, o, d, m);
  case LKJSON__WKT_LIST_VALUE: return put_list_value(c, o, d, m);
  case LKJSON__WKT_UNSUPPORTED: {
    char msg[300];
    snprintf(msg, sizeof msg, "well-known type %s has no JSON form in lkproto", d->name);
    return fail(c, msg);
  }
  default: break;
  }
  int first = 1;
  int emit_defaults = (c->flags & LKJSON_EMIT_DEFAULTS) != 0;
  /* The slot of each field, by field index (slots are in wire order). */
  uint16_t idx[256];
  int indexed = d->n_fields <= 256 && m && m->n <= 0xFFFF;
  if (indexed) {
    memset(idx, 0xFF, d->n_fields * sizeof idx[0]);
    for (size_t k = 0; k < m->n; k++) idx[m->slots[k].field] = (uint16_t)k;
  }
  lkjson__buf_putc(o, '{');
  for (unsigned i = 0; i < d->n_fields; i++) {
    const lkjson__slot *s = !m         ? NULL
                            : indexed ? (idx[i] == 0xFFFF ? NULL : &m->slots[idx[i]])
                                      : lkjson__msg_slot(m, i);
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    int repeated = f->label == PROTOBUF_C_LABEL_REPEATED;
    int presence = (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || f->type == PROTOBUF_C_TYPE_MESSAGE ||
                   f->label == PROTOBUF_C_LABEL_OPTIONAL;
    lkjson__val zero;
    memset(&zero, 0, sizeof zero);
    if (!s) {
      /* Not on the wire.  emitDefaultValues writes [] / {} for repeated
       * fields and maps, and the zero value of scalars without presence;
       * never an unset message, oneof arm or optional field. */
      if (!emit_defaults || (!repeated && presence)) continue;
    } else if (repeated ? s->n == 0 : !presence && is_default(f, s->one)) {
      if (!emit_defaults) continue;
    }
    if (!first) lkjson__buf_putc(o, ',');
    first = 0;
    if (c->flags & LKJSON_PROTO_NAMES) put_cstring(o, f->name);
    else put_json_name(o, f->name);
    lkjson__buf_putc(o, ':');
    lkjson__path_item *pi = lkjson__path_push(&c->path, f->name, -1);
    int ok = 1;
    c->depth++;
    if (repeated && lkjson__field_is_map(f)) {
      if (s)
        ok = put_map(c, o, f, s);
      else
        lkjson__buf_puts(o, "{}");
    } else if (repeated) {
      lkjson__buf_putc(o, '[');
      for (size_t k = 0; s && k < s->n && ok; k++) {
        if (k) lkjson__buf_putc(o, ',');
        pi->index = (long)k;
        if (f->type == PROTOBUF_C_TYPE_MESSAGE)
          ok = put_msg(c, o, f->descriptor, s->many[k].m);
        else
          put_scalar(c, o, f, s->many[k], 0);
      }
      lkjson__buf_putc(o, ']');
    } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
      ok = put_msg(c, o, f->descriptor, s->one.m);
    } else {
      put_scalar(c, o, f, s ? s->one : zero, 0);
    }
    c->depth--;
    c->path.depth--;
    if (!ok) return 0;
  }
  lkjson__buf_putc(o, '}');
  return 1;
}

int lkjson__json_write(lkjson__arena *ar, lkjson__buf *out, const lkjson__msg *m,
                      const unsigned char *buf, unsigned flags, lkjson__err *e) {
  octx c;
  c.ar = ar;
  c.flags = flags;
  c.buf = buf;
  c.e = e;
  c.path.depth = 0;
  c.depth = 0;
  int ok = put_msg(&c, out, m->desc, m);
  if (ok && out->oom) ok = nomem(&c);
  return ok;
}
