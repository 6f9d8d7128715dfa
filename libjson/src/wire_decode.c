/* liblkjson: strict, descriptor-driven protobuf wire reader.
 *
 * One pass over the bytes validates them and builds a small value tree
 * (lkjson__msg) with proto3 merge semantics: a repeated field appends, a singular
 * scalar keeps the last value, a singular message sent twice is merged, a
 * oneof keeps its last arm (merging when the same message arm comes again),
 * unknown fields are skipped, groups (wire type 3 to its end tag, nested
 * groups included) too, as protobuf-go, protoc and protobuf-es do.  It
 * rejects:
 *   - truncated data: a tag, varint, fixed value or length past the end of
 *     the message or of the enclosing length-delimited field;
 *   - varints longer than 10 bytes, tags above 32 bits, field number 0;
 *   - a group (wire types 3 and 4) that is not closed, or closed by the end
 *     tag of another field number, and an end tag with no group open;
 *     wire types 6 and 7;
 *   - a known field sent with a wire type its type cannot have (repeated
 *     numeric fields accept both packed and unpacked);
 *   - a packed run whose last element crosses the end of the run;
 *   - invalid UTF-8 in any `string` field (map keys and values and nested
 *     messages included), and U+0000 in a string (see README: refused).
 * protobuf_c_message_unpack() is not used for decoding: it does not check
 * UTF-8, cuts strings at U+0000, and replaces (does not merge) a oneof
 * message arm that is sent twice. */
#include "lkjson_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct dctx {
  lkjson__arena *ar;
  const unsigned char *buf;
  size_t base;
  lkjson__path path;
  lkjson__err *e;
} dctx;

static int fail(dctx *c, size_t pos, const char *what) {
  lkjson__path_format(&c->path, c->e->path, sizeof c->e->path);
  lkjson__err_set(c->e, LKJSON_BAD_WIRE, "field %s: %s, at byte offset %zu", c->e->path, what,
                  pos - c->base);
  c->e->offset = pos - c->base;
  return 0;
}

static int nomem(dctx *c) {
  lkjson__err_set(c->e, LKJSON_NOMEM, "out of memory");
  return 0;
}

/* 1: ok; 0: error set. */
static int varint(dctx *c, size_t *pos, size_t end, uint64_t *out, const char *what) {
  if (*pos < end && c->buf[*pos] < 0x80) { /* one byte: most tags and lengths */
    *out = c->buf[(*pos)++];
    return 1;
  }
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

const lkjson__slot *lkjson__msg_slot(const lkjson__msg *m, unsigned field) {
  for (size_t i = 0; i < m->n; i++)
    if (m->slots[i].field == field) return &m->slots[i];
  return NULL;
}

/* The slot of field (a new one when the field was not seen yet), or NULL
 * when memory ran out. */
static lkjson__slot *slot_get(lkjson__arena *ar, lkjson__msg *m, unsigned field) {
  /* the field of the last slot comes again (repeated fields, maps) */
  if (m->n && m->slots[m->n - 1].field == field) return &m->slots[m->n - 1];
  for (size_t i = 0; i < m->n; i++)
    if (m->slots[i].field == field) return &m->slots[i];
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 4;
    lkjson__slot *ns = lkjson__arena_grow(ar, m->slots, m->cap * sizeof *m->slots, cap * sizeof *ns);
    if (!ns) return NULL;
    m->slots = ns;
    m->cap = cap;
  }
  lkjson__slot *s = &m->slots[m->n++];
  memset(s, 0, sizeof *s);
  s->field = field;
  return s;
}

static lkjson__msg *msg_new(lkjson__arena *ar, const ProtobufCMessageDescriptor *d) {
  lkjson__msg *m = lkjson__arena_alloc(ar, sizeof *m);
  if (!m) return NULL;
  m->desc = d;
  m->slots = NULL;
  m->n = m->cap = 0;
  return m;
}

/* A oneof arm was read: drop the other arms of the same oneof. */
static void oneof_select(lkjson__msg *m, unsigned field) {
  const ProtobufCFieldDescriptor *f = &m->desc->fields[field];
  for (size_t i = 0; i < m->n;) {
    const ProtobufCFieldDescriptor *g = &m->desc->fields[m->slots[i].field];
    if (m->slots[i].field != field && (g->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
        g->quantifier_offset == f->quantifier_offset) {
      m->slots[i] = m->slots[--m->n]; /* (its memory stays in the arena) */
    } else {
      i++;
    }
  }
}

static int append(lkjson__arena *ar, lkjson__slot *s, lkjson__val v) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 4;
    lkjson__val *nv = lkjson__arena_grow(ar, s->many, s->cap * sizeof *nv, cap * sizeof *nv);
    if (!nv) return 0;
    s->many = nv;
    s->cap = cap;
  }
  s->many[s->n++] = v;
  return 1;
}

static int decode_into(dctx *c, lkjson__msg *m, size_t pos, size_t end, int depth);

/* Skips the rest of a group of field `no` whose start tag was just read: up
 * to its end tag (same number), nested groups included. */
static int skip_group(dctx *c, size_t *pos, size_t end, uint32_t no, int depth) {
  if (depth > LKJSON__MAX_DEPTH) return fail(c, *pos, "groups nested deeper than 100 levels");
  for (;;) {
    if (*pos >= end) {
      char m[96];
      snprintf(m, sizeof m, "group of field %u not closed (no end tag)", (unsigned)no);
      return fail(c, *pos, m);
    }
    size_t tag_at = *pos;
    uint64_t tag, u;
    size_t len;
    if (!varint(c, pos, end, &tag, "tag")) return 0;
    if (tag > UINT32_MAX) return fail(c, tag_at, "tag larger than 32 bits");
    uint32_t ino = (uint32_t)(tag >> 3);
    unsigned wt = (unsigned)(tag & 7);
    if (ino == 0) return fail(c, tag_at, "field number 0");
    int ok;
    switch (wt) {
    case 0: ok = varint(c, pos, end, &u, "varint"); break;
    case 1: ok = fixed(c, pos, end, 8, &u); break;
    case 5: ok = fixed(c, pos, end, 4, &u); break;
    case 2:
      ok = length(c, pos, end, &len);
      if (ok) *pos += len;
      break;
    case 3: ok = skip_group(c, pos, end, ino, depth + 1); break;
    case 4:
      if (ino == no) return 1;
      {
        char m[128];
        snprintf(m, sizeof m, "group of field %u closed by the end tag of field %u", (unsigned)no,
                 (unsigned)ino);
        return fail(c, tag_at, m);
      }
    default: return fail(c, tag_at, "invalid wire type 6 or 7");
    }
    if (!ok) return 0;
  }
}

/* Reads one non-packed value of field f at *pos. */
static int read_value(dctx *c, const ProtobufCFieldDescriptor *f, size_t *pos, size_t end,
                      lkjson__val *v) {
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
    if (!lkjson__utf8_valid(c->buf + *pos, len, &bad)) return fail(c, *pos + bad, "invalid UTF-8 in string");
    const void *nul = memchr(c->buf + *pos, 0, len);
    if (nul)
      return fail(c, (size_t)((const unsigned char *)nul - c->buf),
                  "U+0000 in string (refused: C strings cannot hold it)");
  }
  *pos += len;
  return 1;
}

static int decode_into(dctx *c, lkjson__msg *m, size_t pos, size_t end, int depth) {
  if (depth > LKJSON__MAX_DEPTH) return fail(c, pos, "messages nested deeper than 100 levels");
  const ProtobufCMessageDescriptor *d = m->desc;
  while (pos < end) {
    size_t tag_at = pos;
    uint64_t tag;
    if (!varint(c, &pos, end, &tag, "tag")) return 0;
    if (tag > UINT32_MAX) return fail(c, tag_at, "tag larger than 32 bits");
    uint32_t no = (uint32_t)(tag >> 3);
    unsigned wt = (unsigned)(tag & 7);
    if (no == 0) return fail(c, tag_at, "field number 0");
    if (wt == 4) return fail(c, tag_at, "end group tag (wire type 4) with no group open");
    if (wt > 5) return fail(c, tag_at, "invalid wire type 6 or 7");
    const ProtobufCFieldDescriptor *f = lkjson__field_by_number(d, no);
    if (!f) { /* unknown field: check its extent and skip it */
      uint64_t u;
      size_t len;
      lkjson__path_push(&c->path, "(unknown field)", (long)no);
      int ok = wt == 0   ? varint(c, &pos, end, &u, "varint")
               : wt == 1 ? fixed(c, &pos, end, 8, &u)
               : wt == 5 ? fixed(c, &pos, end, 4, &u)
               : wt == 3 ? skip_group(c, &pos, end, no, depth + 1)
                         : length(c, &pos, end, &len);
      c->path.depth--;
      if (!ok) return 0;
      if (wt == 2) pos += len;
      continue;
    }
    unsigned fi = (unsigned)(f - d->fields);
    int expect = wire_type_of(f->type);
    int repeated = f->label == PROTOBUF_C_LABEL_REPEATED;
    lkjson__path_item *pi = lkjson__path_push(&c->path, f->name, -1);
    if (repeated && expect != 2 && wt == 2) { /* packed run */
      size_t len;
      if (!length(c, &pos, end, &len)) return 0;
      size_t stop = pos + len;
      lkjson__slot *s = slot_get(c->ar, m, fi);
      if (!s) return nomem(c);
      while (pos < stop) {
        lkjson__val v;
        pi->index = (long)s->n;
        if (!read_value(c, f, &pos, stop, &v)) return 0;
        if (!append(c->ar, s, v)) return nomem(c);
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
    lkjson__slot *s = slot_get(c->ar, m, fi);
    if (!s) return nomem(c);
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
      size_t len;
      if (!length(c, &pos, end, &len)) return 0;
      lkjson__msg *sub;
      if (repeated) {
        pi->index = (long)s->n;
        sub = msg_new(c->ar, f->descriptor);
        lkjson__val v;
        v.m = sub;
        if (!sub || !append(c->ar, s, v)) return nomem(c);
      } else {
        if (!s->one.m) s->one.m = msg_new(c->ar, f->descriptor);
        if (!s->one.m) return nomem(c);
        sub = s->one.m; /* a message sent twice is merged */
      }
      if (!decode_into(c, sub, pos, pos + len, depth + 1)) return 0;
      pos += len;
    } else {
      lkjson__val v;
      if (repeated) pi->index = (long)s->n;
      if (!read_value(c, f, &pos, end, &v)) return 0;
      if (!repeated)
        s->one = v;
      else if (!append(c->ar, s, v))
        return nomem(c);
    }
    c->path.depth--;
  }
  return 1;
}

lkjson__msg *lkjson__wire_decode(lkjson__arena *ar, const ProtobufCMessageDescriptor *desc,
                                 const unsigned char *buf, size_t start, size_t end, size_t base,
                                 int depth, lkjson__err *e) {
  dctx c;
  c.ar = ar;
  c.buf = buf;
  c.base = base;
  c.path.depth = 0;
  c.e = e;
  lkjson__msg *m = msg_new(ar, desc);
  if (!m) {
    nomem(&c);
    return NULL;
  }
  if (!decode_into(&c, m, start, end, depth)) return NULL;
  return m;
}
