/* lkproto: strict, descriptor-driven protobuf wire reader.
 *
 * One pass over the bytes validates them and builds a small value tree
 * (lk_msg) with proto3 merge semantics: a repeated field appends, a singular
 * scalar keeps the last value, a singular message sent twice is merged, a
 * oneof keeps its last arm (merging when the same message arm comes again),
 * unknown fields are skipped.  It rejects:
 *   - truncated data: a tag, varint, fixed value or length past the end of
 *     the message or of the enclosing length-delimited field;
 *   - varints longer than 10 bytes, tags above 32 bits, field number 0;
 *   - wire types 3 and 4 (groups: proto3 has none) and 6, 7;
 *   - a known field sent with a wire type its type cannot have (repeated
 *     numeric fields accept both packed and unpacked);
 *   - a packed run whose last element crosses the end of the run;
 *   - invalid UTF-8 in any `string` field (map keys and values and nested
 *     messages included), and U+0000 in a string (see README: refused).
 * protobuf_c_message_unpack() is not used for decoding: it does not check
 * UTF-8, cuts strings at U+0000, and replaces (does not merge) a oneof
 * message arm that is sent twice. */
#include "lkproto.h"

#include <stdlib.h>
#include <string.h>

typedef struct dctx {
  const unsigned char *buf;
  size_t base;
  lk_path path;
  lk_err *e;
} dctx;

static int fail(dctx *c, size_t pos, const char *what) {
  char p[512];
  lk_path_format(&c->path, p, sizeof p);
  lk_err_set(c->e, "field %s: %s, at byte offset %zu", p, what, pos - c->base);
  return 0;
}

/* 1: ok; 0: error set. */
static int varint(dctx *c, size_t *pos, size_t end, uint64_t *out, const char *what) {
  uint64_t v = 0;
  size_t start = *pos;
  for (unsigned i = 0; i < 10; i++) {
    if (*pos >= end) {
      char m[128];
      snprintf(m, sizeof m, "truncated %s (varint runs past the end)", what);
      return fail(c, start, m);
    }
    unsigned char b = c->buf[(*pos)++];
    v |= (uint64_t)(b & 0x7F) << (7 * i);
    if (!(b & 0x80)) {
      *out = v;
      return 1;
    }
  }
  char m[128];
  snprintf(m, sizeof m, "over-long %s (varint longer than 10 bytes)", what);
  return fail(c, start, m);
}

static int fixed(dctx *c, size_t *pos, size_t end, unsigned nbytes, uint64_t *out) {
  if (end - *pos < nbytes) return fail(c, *pos, nbytes == 4 ? "truncated 32-bit value" : "truncated 64-bit value");
  uint64_t v = 0;
  for (unsigned i = 0; i < nbytes; i++) v |= (uint64_t)c->buf[*pos + i] << (8 * i);
  *pos += nbytes;
  *out = v;
  return 1;
}

static int length(dctx *c, size_t *pos, size_t end, size_t *len) {
  size_t at = *pos;
  uint64_t l;
  if (!varint(c, pos, end, &l, "length")) return 0;
  if (l > end - *pos) {
    char m[160];
    snprintf(m, sizeof m, "length %llu past the end (%zu bytes left)", (unsigned long long)l,
             end - *pos);
    return fail(c, at, m);
  }
  *len = (size_t)l;
  return 1;
}

static int wire_type_of(ProtobufCType t) {
  switch (t) {
  case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_UINT32:
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_BOOL: case PROTOBUF_C_TYPE_ENUM:
    return 0;
  case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_DOUBLE:
    return 1;
  case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_FLOAT:
    return 5;
  default:
    return 2;
  }
}

static const char *type_label(ProtobufCType t) {
  switch (t) {
  case PROTOBUF_C_TYPE_INT32: return "int32";
  case PROTOBUF_C_TYPE_SINT32: return "sint32";
  case PROTOBUF_C_TYPE_SFIXED32: return "sfixed32";
  case PROTOBUF_C_TYPE_INT64: return "int64";
  case PROTOBUF_C_TYPE_SINT64: return "sint64";
  case PROTOBUF_C_TYPE_SFIXED64: return "sfixed64";
  case PROTOBUF_C_TYPE_UINT32: return "uint32";
  case PROTOBUF_C_TYPE_FIXED32: return "fixed32";
  case PROTOBUF_C_TYPE_UINT64: return "uint64";
  case PROTOBUF_C_TYPE_FIXED64: return "fixed64";
  case PROTOBUF_C_TYPE_FLOAT: return "float";
  case PROTOBUF_C_TYPE_DOUBLE: return "double";
  case PROTOBUF_C_TYPE_BOOL: return "bool";
  case PROTOBUF_C_TYPE_ENUM: return "enum";
  case PROTOBUF_C_TYPE_STRING: return "string";
  case PROTOBUF_C_TYPE_BYTES: return "bytes";
  case PROTOBUF_C_TYPE_MESSAGE: return "message";
  }
  return "?";
}

const lk_slot *lk_msg_slot(const lk_msg *m, unsigned field) {
  for (size_t i = 0; i < m->n; i++)
    if (m->slots[i].field == field) return &m->slots[i];
  return NULL;
}

static lk_slot *slot_get(lk_msg *m, unsigned field) {
  for (size_t i = 0; i < m->n; i++)
    if (m->slots[i].field == field) return &m->slots[i];
  if (m->n == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 4;
    m->slots = lk_xrealloc(m->slots, m->cap * sizeof *m->slots);
  }
  lk_slot *s = &m->slots[m->n++];
  memset(s, 0, sizeof *s);
  s->field = field;
  return s;
}

static void slot_clear(const lk_msg *m, lk_slot *s) {
  const ProtobufCFieldDescriptor *f = &m->desc->fields[s->field];
  if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      for (size_t i = 0; i < s->n; i++) lk_msg_free(s->many[i].m);
    } else {
      lk_msg_free(s->one.m);
    }
  }
  free(s->many);
}

void lk_msg_free(lk_msg *m) {
  if (!m) return;
  for (size_t i = 0; i < m->n; i++) slot_clear(m, &m->slots[i]);
  free(m->slots);
  free(m);
}

static lk_msg *msg_new(const ProtobufCMessageDescriptor *d) {
  lk_msg *m = lk_xcalloc(1, sizeof *m);
  m->desc = d;
  return m;
}

/* A oneof arm was read: drop the other arms of the same oneof. */
static void oneof_select(lk_msg *m, unsigned field) {
  const ProtobufCFieldDescriptor *f = &m->desc->fields[field];
  for (size_t i = 0; i < m->n;) {
    const ProtobufCFieldDescriptor *g = &m->desc->fields[m->slots[i].field];
    if (m->slots[i].field != field && (g->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
        g->quantifier_offset == f->quantifier_offset) {
      slot_clear(m, &m->slots[i]);
      m->slots[i] = m->slots[--m->n];
    } else {
      i++;
    }
  }
}

static void append(lk_slot *s, lk_val v) {
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 4;
    s->many = lk_xrealloc(s->many, s->cap * sizeof *s->many);
  }
  s->many[s->n++] = v;
}

static int decode_into(dctx *c, lk_msg *m, size_t pos, size_t end, int depth);

/* Reads one non-packed value of field f at *pos. */
static int read_value(dctx *c, const ProtobufCFieldDescriptor *f, size_t *pos, size_t end,
                      lk_val *v) {
  switch (wire_type_of(f->type)) {
  case 0:
    return varint(c, pos, end, &v->u, "varint");
  case 1:
    return fixed(c, pos, end, 8, &v->u);
  case 5:
    return fixed(c, pos, end, 4, &v->u);
  default:
    break;
  }
  size_t len;
  if (!length(c, pos, end, &len)) return 0;
  v->s.off = *pos;
  v->s.len = len;
  if (f->type == PROTOBUF_C_TYPE_STRING) {
    size_t bad;
    if (!lk_utf8_valid(c->buf + *pos, len, &bad)) return fail(c, *pos + bad, "invalid UTF-8 in string");
    const void *nul = memchr(c->buf + *pos, 0, len);
    if (nul)
      return fail(c, (size_t)((const unsigned char *)nul - c->buf),
                  "U+0000 in string (refused: C strings cannot hold it)");
  }
  *pos += len;
  return 1;
}

static int decode_into(dctx *c, lk_msg *m, size_t pos, size_t end, int depth) {
  if (depth > LK_MAX_DEPTH) return fail(c, pos, "messages nested deeper than 100 levels");
  const ProtobufCMessageDescriptor *d = m->desc;
  while (pos < end) {
    size_t tag_at = pos;
    uint64_t tag;
    if (!varint(c, &pos, end, &tag, "tag")) return 0;
    if (tag > UINT32_MAX) return fail(c, tag_at, "tag larger than 32 bits");
    uint32_t no = (uint32_t)(tag >> 3);
    unsigned wt = (unsigned)(tag & 7);
    if (no == 0) return fail(c, tag_at, "field number 0");
    if (wt == 3 || wt == 4) return fail(c, tag_at, "group wire type (3 or 4): not allowed in proto3");
    if (wt > 5) return fail(c, tag_at, "invalid wire type 6 or 7");
    const ProtobufCFieldDescriptor *f = lk_field_by_number(d, no);
    if (!f) { /* unknown field: check its extent and skip it */
      uint64_t u;
      size_t len;
      lk_path_push(&c->path, "(unknown field)", (long)no);
      int ok = wt == 0   ? varint(c, &pos, end, &u, "varint")
               : wt == 1 ? fixed(c, &pos, end, 8, &u)
               : wt == 5 ? fixed(c, &pos, end, 4, &u)
                         : length(c, &pos, end, &len);
      c->path.depth--;
      if (!ok) return 0;
      if (wt == 2) pos += len;
      continue;
    }
    unsigned fi = (unsigned)(f - d->fields);
    int expect = wire_type_of(f->type);
    int repeated = f->label == PROTOBUF_C_LABEL_REPEATED;
    lk_path_item *pi = lk_path_push(&c->path, f->name, -1);
    if (repeated && expect != 2 && wt == 2) { /* packed run */
      size_t len;
      if (!length(c, &pos, end, &len)) return 0;
      size_t stop = pos + len;
      lk_slot *s = slot_get(m, fi);
      while (pos < stop) {
        lk_val v;
        pi->index = (long)s->n;
        if (!read_value(c, f, &pos, stop, &v)) return 0;
        append(s, v);
      }
      c->path.depth--;
      continue;
    }
    if ((int)wt != expect) {
      char msg[160];
      snprintf(msg, sizeof msg, "wrong wire type %u for %s field %u (expected %d)", wt,
               type_label(f->type), (unsigned)no, expect);
      return fail(c, tag_at, msg);
    }
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) oneof_select(m, fi);
    lk_slot *s = slot_get(m, fi);
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
      size_t len;
      if (!length(c, &pos, end, &len)) return 0;
      lk_msg *sub;
      if (repeated) {
        pi->index = (long)s->n;
        sub = msg_new(f->descriptor);
        lk_val v;
        v.m = sub;
        append(s, v);
      } else {
        if (!s->one.m) s->one.m = msg_new(f->descriptor);
        sub = s->one.m; /* a message sent twice is merged */
      }
      if (!decode_into(c, sub, pos, pos + len, depth + 1)) return 0;
      pos += len;
    } else {
      lk_val v;
      if (repeated) pi->index = (long)s->n;
      if (!read_value(c, f, &pos, end, &v)) return 0;
      if (repeated)
        append(s, v);
      else
        s->one = v;
    }
    c->path.depth--;
  }
  return 1;
}

lk_msg *lk_wire_decode(const ProtobufCMessageDescriptor *desc, const unsigned char *buf,
                       size_t start, size_t end, size_t base, int depth, lk_err *e) {
  dctx c;
  c.buf = buf;
  c.base = base;
  c.path.depth = 0;
  c.e = e;
  lk_msg *m = msg_new(desc);
  if (!decode_into(&c, m, start, end, depth)) {
    lk_msg_free(m);
    return NULL;
  }
  return m;
}
