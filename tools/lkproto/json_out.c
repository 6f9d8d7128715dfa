/* lkproto: a decoded message (lk_msg) as canonical proto3 JSON, as
 * @bufbuild/protobuf 1.10.1's toJson() writes it with default options:
 * fields in field-number order under their JSON names; proto3 defaults left
 * out except for fields with presence (oneof arms, proto3 optional, messages);
 * enum value names (the number when unknown); 64-bit integers as strings;
 * bytes in standard padded base64; floats as the shortest decimal of the
 * value widened to double, "NaN", "Infinity", "-Infinity"; maps as objects
 * (last duplicate key wins); Timestamp, Duration, Any, Struct, Value and
 * ListValue in their JSON forms.
 * The output is written without spaces, like JSON.stringify(). */
#include "lkproto.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct octx {
  const unsigned char *buf;
  lk_err *e;
  lk_path path;
  int depth;
} octx;

static int fail(octx *c, const char *what) {
  char p[512];
  lk_path_format(&c->path, p, sizeof p);
  lk_err_set(c->e, "field %s: %s", p, what);
  return 0;
}

static void put_string(lk_buf *o, const unsigned char *s, size_t n) {
  lk_buf_putc(o, '"');
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = s[i];
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
      lk_buf_put(o, s + run, i - run);
      lk_buf_puts(o, esc);
      run = i + 1;
    }
  }
  lk_buf_put(o, s + run, n - run);
  lk_buf_putc(o, '"');
}

static void put_cstring(lk_buf *o, const char *s) {
  put_string(o, (const unsigned char *)s, strlen(s));
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

static int is_default(const ProtobufCFieldDescriptor *f, lk_val v) {
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

static void put_number(lk_buf *o, double d) {
  if (isnan(d))
    lk_buf_puts(o, "\"NaN\"");
  else if (isinf(d))
    lk_buf_puts(o, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  else
    lk_format_double(o, d);
}

/* A scalar or enum value; `quoted` forces a string (map keys). */
static void put_scalar(octx *c, lk_buf *o, const ProtobufCFieldDescriptor *f, lk_val v, int quoted) {
  const char *q = quoted ? "\"" : "";
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT32:
  case PROTOBUF_C_TYPE_SFIXED32:
    lk_buf_printf(o, "%s%" PRId32 "%s", q, as_i32(v.u), q);
    break;
  case PROTOBUF_C_TYPE_SINT32:
    lk_buf_printf(o, "%s%" PRId32 "%s", q, zigzag32(v.u), q);
    break;
  case PROTOBUF_C_TYPE_UINT32:
  case PROTOBUF_C_TYPE_FIXED32:
    lk_buf_printf(o, "%s%" PRIu32 "%s", q, (uint32_t)(v.u & 0xFFFFFFFFu), q);
    break;
  case PROTOBUF_C_TYPE_INT64:
  case PROTOBUF_C_TYPE_SFIXED64:
    lk_buf_printf(o, "\"%" PRId64 "\"", (int64_t)v.u);
    break;
  case PROTOBUF_C_TYPE_SINT64:
    lk_buf_printf(o, "\"%" PRId64 "\"", zigzag64(v.u));
    break;
  case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64:
    lk_buf_printf(o, "\"%" PRIu64 "\"", v.u);
    break;
  case PROTOBUF_C_TYPE_BOOL:
    lk_buf_printf(o, "%s%s%s", q, v.u ? "true" : "false", q);
    break;
  case PROTOBUF_C_TYPE_FLOAT:
    put_number(o, as_float(v.u));
    break;
  case PROTOBUF_C_TYPE_DOUBLE:
    put_number(o, as_double(v.u));
    break;
  case PROTOBUF_C_TYPE_ENUM: {
    const char *name = lk_enum_name(f->descriptor, as_i32(v.u));
    if (name)
      put_cstring(o, name);
    else
      lk_buf_printf(o, "%" PRId32, as_i32(v.u));
    break;
  }
  case PROTOBUF_C_TYPE_STRING:
    put_string(o, c->buf + v.s.off, v.s.len);
    break;
  case PROTOBUF_C_TYPE_BYTES:
    lk_buf_putc(o, '"');
    lk_base64_encode(o, c->buf + v.s.off, v.s.len);
    lk_buf_putc(o, '"');
    break;
  case PROTOBUF_C_TYPE_MESSAGE:
    break;
  }
}

static int put_msg(octx *c, lk_buf *o, const ProtobufCMessageDescriptor *d, const lk_msg *m);

/* Singular field value of a message by field number (NULL when unset). */
static const lk_val *field_val(const ProtobufCMessageDescriptor *d, const lk_msg *m, uint32_t no) {
  const ProtobufCFieldDescriptor *f = lk_field_by_number(d, no);
  if (!f || !m) return NULL;
  const lk_slot *s = lk_msg_slot(m, (unsigned)(f - d->fields));
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

static int put_timestamp(octx *c, lk_buf *o, const ProtobufCMessageDescriptor *d, const lk_msg *m) {
  const lk_val *sv = field_val(d, m, 1), *nv = field_val(d, m, 2);
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
  lk_buf_printf(o, "\"%04d-%02u-%02uT%02d:%02d:%02d", (int)y, mo, dd, (int)(rem / 3600),
                (int)(rem / 60 % 60), (int)(rem % 60));
  if (nanos > 0) {
    /* (nanos + 1e9).toString().substring(1), as @bufbuild/protobuf does. */
    char digits[16];
    nanos_digits(digits, sizeof digits, ((uint64_t)nanos + 1000000000u) % 1000000000u);
    lk_buf_printf(o, ".%s", digits);
  }
  lk_buf_puts(o, "Z\"");
  return 1;
}

static int put_duration(octx *c, lk_buf *o, const ProtobufCMessageDescriptor *d, const lk_msg *m) {
  const lk_val *sv = field_val(d, m, 1), *nv = field_val(d, m, 2);
  int64_t secs = sv ? (int64_t)sv->u : 0;
  int32_t nanos = nv ? as_i32(nv->u) : 0;
  if (secs > 315576000000LL || secs < -315576000000LL) return fail(c, "Duration out of range");
  if (nanos == 0) {
    lk_buf_printf(o, "\"%" PRId64 "s\"", secs);
    return 1;
  }
  uint64_t mag = nanos < 0 ? (uint64_t)(-(int64_t)nanos) : (uint64_t)nanos;
  if (mag > 999999999u) return fail(c, "Duration nanos out of range");
  char digits[16];
  nanos_digits(digits, sizeof digits, mag);
  lk_buf_printf(o, "\"%s%" PRId64 ".%ss\"", nanos < 0 && secs == 0 ? "-" : "", secs, digits);
  return 1;
}

static int put_any(octx *c, lk_buf *o, const ProtobufCMessageDescriptor *d, const lk_msg *m) {
  const lk_val *uv = field_val(d, m, 1), *vv = field_val(d, m, 2);
  if (!uv || uv->s.len == 0) {
    lk_buf_puts(o, "{}");
    return 1;
  }
  char url[512];
  if (uv->s.len >= sizeof url) return fail(c, "Any type URL too long");
  memcpy(url, c->buf + uv->s.off, uv->s.len);
  url[uv->s.len] = '\0';
  const char *slash = strrchr(url, '/');
  const char *name = slash ? slash + 1 : url;
  const ProtobufCMessageDescriptor *inner = lk_message_find(name);
  if (!inner) {
    char msg[700];
    snprintf(msg, sizeof msg, "Any of type \"%s\": not a type lkproto knows", url);
    return fail(c, msg);
  }
  size_t off = vv ? vv->s.off : 0, len = vv ? vv->s.len : 0;
  lk_err ie;
  lk_msg *im = lk_wire_decode(inner, c->buf, off, off + len, off, c->depth + 1, &ie);
  if (!im) {
    char msg[1200];
    snprintf(msg, sizeof msg, "Any value of type %s: %s", inner->name, ie.msg);
    return fail(c, msg);
  }
  lk_buf tmp = {0};
  c->depth++;
  int ok = put_msg(c, &tmp, inner, im);
  c->depth--;
  lk_msg_free(im);
  if (ok) {
    lk_buf_puts(o, "{\"@type\":");
    put_cstring(o, url);
    if (lk_wkt(inner) != LK_WKT_NONE) {
      lk_buf_puts(o, ",\"value\":");
      lk_buf_put(o, tmp.data, tmp.len);
      lk_buf_putc(o, '}');
    } else if (tmp.len > 2) {
      lk_buf_putc(o, ',');
      lk_buf_put(o, tmp.data + 1, tmp.len - 1);
    } else {
      lk_buf_putc(o, '}');
    }
  }
  lk_buf_free(&tmp);
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
static int put_map(octx *c, lk_buf *o, const ProtobufCFieldDescriptor *f, const lk_slot *s) {
  const ProtobufCMessageDescriptor *ed = f->descriptor;
  const ProtobufCFieldDescriptor *kf = &ed->fields[0], *vf = &ed->fields[1];
  keyed *ks = lk_xcalloc(s->n, sizeof *ks);
  for (size_t i = 0; i < s->n; i++) {
    const lk_slot *k = lk_msg_slot(s->many[i].m, 0);
    lk_val kv;
    memset(&kv, 0, sizeof kv);
    if (k) kv = k->one;
    lk_buf kb = {0};
    if (kf->type == PROTOBUF_C_TYPE_STRING) {
      lk_buf_put(&kb, c->buf + kv.s.off, kv.s.len);
    } else {
      put_scalar(c, &kb, kf, kv, 1);
      /* strip the quotes */
      memmove(kb.data, kb.data + 1, kb.len - 2);
      kb.len -= 2;
    }
    lk_buf_putc(&kb, '\0');
    ks[i].key = kb.data;
    ks[i].idx = i;
  }
  qsort(ks, s->n, sizeof *ks, keyed_cmp);
  int ok = 1, first = 1;
  lk_buf_putc(o, '{');
  for (size_t i = 0; i < s->n && ok; i++) {
    if (i + 1 < s->n && strcmp(ks[i].key, ks[i + 1].key) == 0) continue;
    if (!first) lk_buf_putc(o, ',');
    first = 0;
    put_string(o, (const unsigned char *)ks[i].key, strlen(ks[i].key));
    lk_buf_putc(o, ':');
    const lk_msg *em = s->many[ks[i].idx].m;
    const lk_slot *vs = lk_msg_slot(em, 1);
    if (vf->type == PROTOBUF_C_TYPE_MESSAGE) {
      lk_path_push(&c->path, "value", -1);
      c->path.items[c->path.depth - 2].key = ks[i].key;
      ok = put_msg(c, o, vf->descriptor, vs ? vs->one.m : NULL);
      c->path.depth--;
    } else {
      lk_val vv;
      memset(&vv, 0, sizeof vv);
      if (vs) vv = vs->one;
      put_scalar(c, o, vf, vv, 0);
    }
  }
  lk_buf_putc(o, '}');
  for (size_t i = 0; i < s->n; i++) free(ks[i].key);
  free(ks);
  return ok;
}

/* google.protobuf.Struct: its `fields` map as a JSON object. */
static int put_struct(octx *c, lk_buf *o, const ProtobufCMessageDescriptor *d, const lk_msg *m) {
  const ProtobufCFieldDescriptor *f = lk_field_by_number(d, 1);
  const lk_slot *s = m ? lk_msg_slot(m, (unsigned)(f - d->fields)) : NULL;
  if (!s || s->n == 0) {
    lk_buf_puts(o, "{}");
    return 1;
  }
  lk_path_push(&c->path, f->name, -1);
  c->depth++;
  int ok = put_map(c, o, f, s);
  c->depth--;
  c->path.depth--;
  return ok;
}

/* google.protobuf.ListValue: its `values` as a JSON array. */
static int put_list_value(octx *c, lk_buf *o, const ProtobufCMessageDescriptor *d, const lk_msg *m) {
  const ProtobufCFieldDescriptor *f = lk_field_by_number(d, 1);
  const lk_slot *s = m ? lk_msg_slot(m, (unsigned)(f - d->fields)) : NULL;
  int ok = 1;
  lk_buf_putc(o, '[');
  lk_path_item *pi = lk_path_push(&c->path, f->name, -1);
  c->depth++;
  for (size_t k = 0; s && k < s->n && ok; k++) {
    if (k) lk_buf_putc(o, ',');
    pi->index = (long)k;
    ok = put_msg(c, o, f->descriptor, s->many[k].m);
  }
  c->depth--;
  c->path.depth--;
  lk_buf_putc(o, ']');
  return ok;
}

/* google.protobuf.Value: the JSON value of its `kind` arm, as
 * @bufbuild/protobuf writes it (which refuses NaN, infinities and a Value
 * with no arm set). */
static int put_value(octx *c, lk_buf *o, const ProtobufCMessageDescriptor *d, const lk_msg *m) {
  for (unsigned i = 0; m && i < d->n_fields; i++) {
    const lk_slot *s = lk_msg_slot(m, i);
    if (!s) continue;
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    switch (f->id) {
    case 1: /* null_value: any NullValue number */
      lk_buf_puts(o, "null");
      return 1;
    case 2: { /* number_value */
      double v = as_double(s->one.u);
      if (!isfinite(v)) return fail(c, "google.protobuf.Value cannot be NaN or Infinity");
      lk_format_double(o, v);
      return 1;
    }
    case 3: /* string_value */
      put_string(o, c->buf + s->one.s.off, s->one.s.len);
      return 1;
    case 4: /* bool_value */
      lk_buf_puts(o, s->one.u ? "true" : "false");
      return 1;
    case 5: /* struct_value */
    case 6: { /* list_value */
      lk_path_push(&c->path, f->name, -1);
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

static int put_msg(octx *c, lk_buf *o, const ProtobufCMessageDescriptor *d, const lk_msg *m) {
  if (c->depth > LK_MAX_DEPTH + 1) return fail(c, "messages nested deeper than 100 levels");
  switch (lk_wkt(d)) {
  case LK_WKT_TIMESTAMP: return put_timestamp(c, o, d, m);
  case LK_WKT_DURATION: return put_duration(c, o, d, m);
  case LK_WKT_ANY: return put_any(c, o, d, m);
  case LK_WKT_STRUCT: return put_struct(c, o, d, m);
  case LK_WKT_VALUE: return put_value(c, o, d, m);
  case LK_WKT_LIST_VALUE: return put_list_value(c, o, d, m);
  case LK_WKT_UNSUPPORTED: {
    char msg[300];
    snprintf(msg, sizeof msg, "well-known type %s has no JSON form in lkproto", d->name);
    return fail(c, msg);
  }
  default: break;
  }
  int first = 1;
  lk_buf_putc(o, '{');
  for (unsigned i = 0; m && i < d->n_fields; i++) {
    const lk_slot *s = lk_msg_slot(m, i);
    if (!s) continue;
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    int repeated = f->label == PROTOBUF_C_LABEL_REPEATED;
    if (repeated && s->n == 0) continue;
    int presence = (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || f->type == PROTOBUF_C_TYPE_MESSAGE ||
                   f->label == PROTOBUF_C_LABEL_OPTIONAL;
    if (!repeated && !presence && is_default(f, s->one)) continue;
    char jn[256];
    lk_json_name(f->name, jn, sizeof jn);
    if (!first) lk_buf_putc(o, ',');
    first = 0;
    put_cstring(o, jn);
    lk_buf_putc(o, ':');
    lk_path_item *pi = lk_path_push(&c->path, f->name, -1);
    int ok = 1;
    c->depth++;
    if (repeated && lk_field_is_map(f)) {
      ok = put_map(c, o, f, s);
    } else if (repeated) {
      lk_buf_putc(o, '[');
      for (size_t k = 0; k < s->n && ok; k++) {
        if (k) lk_buf_putc(o, ',');
        pi->index = (long)k;
        if (f->type == PROTOBUF_C_TYPE_MESSAGE)
          ok = put_msg(c, o, f->descriptor, s->many[k].m);
        else
          put_scalar(c, o, f, s->many[k], 0);
      }
      lk_buf_putc(o, ']');
    } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
      ok = put_msg(c, o, f->descriptor, s->one.m);
    } else {
      put_scalar(c, o, f, s->one, 0);
    }
    c->depth--;
    c->path.depth--;
    if (!ok) return 0;
  }
  lk_buf_putc(o, '}');
  return 1;
}

int lk_json_write(lk_buf *out, const lk_msg *m, const unsigned char *buf, lk_err *e) {
  octx c;
  c.buf = buf;
  c.e = e;
  c.path.depth = 0;
  c.depth = 0;
  return put_msg(&c, out, m->desc, m);
}
