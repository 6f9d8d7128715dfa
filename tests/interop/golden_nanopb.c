/* Golden-vector checker for the nanopb code (static allocation, no malloc in
 * the generated code: the heap is used only by this test harness).
 *
 * usage: golden_nanopb VECTORS.txt > OUT.jsonl
 *
 * Same output as golden_protobufc.c.  nanopb has no generic message API, so
 * this checker drives the generated descriptors directly:
 *   - before decoding, it walks the message struct (pb_field_iter_*) and
 *     installs a decode callback in every callback field, including those in
 *     static submessages; a oneof arm that holds callbacks is set up by the
 *     envelope's submsg_callback (`cb_message`), called before the arm is
 *     decoded (see protobufs/livekit_rtc.options);
 *   - a callback field collects its occurrences: bytes of strings and bytes
 *     fields, numbers of repeated scalars, and submessages, each decoded in
 *     turn with pb_decode() into a struct of its own (so a ParticipantInfo in
 *     a ParticipantUpdate, or an attribute map entry, is decoded by the
 *     nanopb code too, as a constrained client would, one at a time);
 *   - then it swaps every decode callback for an encode callback that writes
 *     the collected occurrences back, and re-encodes with pb_encode().
 * Attribute maps (map<string,string> fields, which the options make
 * callbacks) are printed from the collected entries. */
#define _POSIX_C_SOURCE 200809L
#include <pb_common.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include "golden_util.h"
#include "npb_table.h"

/* --- every allocation of one vector, freed together ----------------------- */
static void **allocs;
static size_t n_allocs, cap_allocs;
static const char *harness_error;

static void *xalloc(size_t size) {
  void *p = calloc(1, size ? size : 1);
  if (!p) die("out of memory");
  if (n_allocs == cap_allocs) {
    cap_allocs = cap_allocs ? 2 * cap_allocs : 64;
    void **a = realloc(allocs, cap_allocs * sizeof *a);
    if (!a) die("out of memory");
    allocs = a;
  }
  allocs[n_allocs++] = p;
  return p;
}

static void free_all(void) {
  for (size_t i = 0; i < n_allocs; i++) free(allocs[i]);
  n_allocs = 0;
}

static const npb_type_t *type_by_desc(const pb_msgdesc_t *d) {
  for (size_t i = 0; i < sizeof npb_table / sizeof npb_table[0]; i++) {
    if (npb_table[i].desc == d) return &npb_table[i];
  }
  return NULL;
}

static const npb_type_t *type_by_name(const char *full) {
  char c[256];
  size_t n = strlen(full);
  if (n >= sizeof c) return NULL;
  for (size_t i = 0; i <= n; i++) c[i] = full[i] == '.' ? '_' : full[i];
  for (size_t i = 0; i < sizeof npb_table / sizeof npb_table[0]; i++) {
    if (strcmp(npb_table[i].name, c) == 0) return &npb_table[i];
  }
  return NULL;
}

/* --- the occurrences of a callback field ---------------------------------- */
typedef struct item {
  struct item *next;
  uint8_t *data; /* string, bytes */
  size_t len;
  uint64_t num; /* scalar */
  void *msg;    /* submessage */
  const pb_msgdesc_t *desc;
} item_t;

typedef struct {
  item_t *head, *tail;
} cbfield_t;

static bool setup(const pb_msgdesc_t *desc, void *msg, bool encode);

static bool cb_decode(pb_istream_t *stream, const pb_field_t *field, void **arg) {
  cbfield_t *c = *arg;
  item_t *it = xalloc(sizeof *it);
  pb_type_t lt = PB_LTYPE(field->type);
  if (lt == PB_LTYPE_STRING || lt == PB_LTYPE_BYTES) {
    it->len = stream->bytes_left;
    it->data = xalloc(it->len + 1);
    if (!pb_read(stream, it->data, it->len)) return false;
  } else if (PB_LTYPE_IS_SUBMSG(field->type)) {
    const npb_type_t *t = type_by_desc(field->submsg_desc);
    if (!t) PB_RETURN_ERROR(stream, "harness: unknown submessage type");
    it->desc = t->desc;
    it->msg = xalloc(t->size);
    if (!setup(t->desc, it->msg, false)) return false;
    if (!pb_decode(stream, t->desc, it->msg)) return false;
  } else if (lt == PB_LTYPE_FIXED32) {
    uint32_t v;
    if (!pb_decode_fixed32(stream, &v)) return false;
    it->num = v;
  } else if (lt == PB_LTYPE_FIXED64) {
    if (!pb_decode_fixed64(stream, &it->num)) return false;
  } else {
    /* bool, varint, uvarint, svarint: keep the raw varint */
    if (!pb_decode_varint(stream, &it->num)) return false;
  }
  if (c->tail) c->tail->next = it;
  else c->head = it;
  c->tail = it;
  return true;
}

static bool cb_encode(pb_ostream_t *stream, const pb_field_t *field, void *const *arg) {
  const cbfield_t *c = *arg;
  pb_type_t lt = PB_LTYPE(field->type);
  for (const item_t *it = c->head; it; it = it->next) {
    if (!pb_encode_tag_for_field(stream, field)) return false;
    bool ok;
    if (lt == PB_LTYPE_STRING || lt == PB_LTYPE_BYTES) {
      ok = pb_encode_string(stream, it->data, it->len);
    } else if (PB_LTYPE_IS_SUBMSG(field->type)) {
      ok = pb_encode_submessage(stream, it->desc, it->msg);
    } else if (lt == PB_LTYPE_FIXED32) {
      uint32_t v = (uint32_t)it->num;
      ok = pb_encode_fixed32(stream, &v);
    } else if (lt == PB_LTYPE_FIXED64) {
      ok = pb_encode_fixed64(stream, &it->num);
    } else {
      ok = pb_encode_varint(stream, it->num);
    }
    if (!ok) return false;
  }
  return true;
}

/* The envelope's submsg_callback: called with the oneof arm about to be
 * decoded; installs the callbacks inside it. */
static bool cb_arm(pb_istream_t *stream, const pb_field_t *field, void **arg) {
  (void)arg;
  if (!setup(field->submsg_desc, field->pData, false)) PB_RETURN_ERROR(stream, "harness: setup");
  return true;
}

/* Does a message (or a static submessage of it) have callback fields? */
static bool has_callbacks(const pb_msgdesc_t *desc, int depth) {
  pb_field_iter_t it;
  if (depth > 16 || !pb_field_iter_begin_const(&it, desc, NULL)) return false;
  do {
    if (PB_ATYPE(it.type) == PB_ATYPE_CALLBACK) return true;
    if (PB_LTYPE_IS_SUBMSG(it.type) && has_callbacks(it.submsg_desc, depth + 1)) return true;
  } while (pb_field_iter_next(&it));
  return false;
}

/* Installs the decode (encode == false) or encode callbacks of a message. */
static bool setup(const pb_msgdesc_t *desc, void *msg, bool encode) {
  pb_field_iter_t it;
  if (!pb_field_iter_begin(&it, desc, msg)) return true; /* no fields */
  do {
    pb_type_t t = it.type;
    if (PB_ATYPE(t) == PB_ATYPE_CALLBACK) {
      if (PB_HTYPE(t) == PB_HTYPE_ONEOF) {
        harness_error = "a callback field inside a oneof (not supported by this harness)";
        return false;
      }
      pb_callback_t *cb = it.pData;
      if (!encode) {
        cb->funcs.decode = cb_decode;
        cb->arg = xalloc(sizeof(cbfield_t));
      } else {
        cb->funcs.encode = cb_encode;
        for (const item_t *i = ((cbfield_t *)cb->arg)->head; i; i = i->next) {
          if (i->msg && !setup(i->desc, i->msg, true)) return false;
        }
      }
    } else if (PB_ATYPE(t) == PB_ATYPE_STATIC && PB_LTYPE_IS_SUBMSG(t)) {
      if (PB_HTYPE(t) == PB_HTYPE_ONEOF) {
        if (PB_LTYPE(t) == PB_LTYPE_SUBMSG_W_CB) {
          pb_callback_t *cb = (pb_callback_t *)it.pSize - 1;
          if (!encode) cb->funcs.decode = cb_arm;
          else cb->funcs.encode = NULL;
          cb->arg = NULL;
        } else if (!encode && has_callbacks(it.submsg_desc, 0)) {
          harness_error = "a oneof arm with callbacks but no submsg_callback";
          return false;
        }
        if (encode && *(const pb_size_t *)it.pSize == it.tag &&
            !setup(it.submsg_desc, it.pData, true)) {
          return false;
        }
      } else if (PB_HTYPE(t) == PB_HTYPE_REPEATED) {
        pb_size_t n = encode ? *(const pb_size_t *)it.pSize : it.array_size;
        for (pb_size_t i = 0; i < n; i++) {
          if (!setup(it.submsg_desc, (char *)it.pData + (size_t)i * it.data_size, encode)) return false;
        }
      } else if (!setup(it.submsg_desc, it.pData, encode)) {
        return false;
      }
    }
  } while (pb_field_iter_next(&it));
  return true;
}

/* --- attribute maps --------------------------------------------------------- */
static bool is_string_map_entry(const pb_msgdesc_t *d) {
  const npb_type_t *t = type_by_desc(d);
  if (!t) return false;
  size_t n = strlen(t->name);
  if (n < 5 || strcmp(t->name + n - 5, "Entry") != 0 || d->field_count != 2) return false;
  pb_field_iter_t it;
  if (!pb_field_iter_begin_const(&it, d, NULL)) return false;
  do {
    if (PB_LTYPE(it.type) != PB_LTYPE_STRING || (it.tag != 1 && it.tag != 2)) return false;
  } while (pb_field_iter_next(&it));
  return true;
}

/* Field `tag` of a decoded map entry: from its callback (last occurrence
 * wins, as for any repeated-on-the-wire singular field) or its char array. */
static void entry_string(const pb_msgdesc_t *d, const void *msg, pb_size_t tag,
                         const uint8_t **p, size_t *n) {
  pb_field_iter_t it;
  *p = (const uint8_t *)"";
  *n = 0;
  if (!pb_field_iter_begin_const(&it, d, msg)) return;
  do {
    if (it.tag != tag) continue;
    if (PB_ATYPE(it.type) == PB_ATYPE_CALLBACK) {
      const pb_callback_t *cb = it.pData;
      for (const item_t *i = ((const cbfield_t *)cb->arg)->head; i; i = i->next) {
        *p = i->data;
        *n = i->len;
      }
    } else {
      *p = it.pData;
      *n = strlen(it.pData);
    }
  } while (pb_field_iter_next(&it));
}

static void walk_maps(const pb_msgdesc_t *d, const void *msg, const char *prefix, sbuf_t *out,
                      int *first) {
  pb_field_iter_t it;
  if (!pb_field_iter_begin_const(&it, d, msg)) return;
  do {
    if (!PB_LTYPE_IS_SUBMSG(it.type)) continue;
    char path[512];
    snprintf(path, sizeof path, "%s%u", prefix, (unsigned)it.tag);
    if (PB_ATYPE(it.type) == PB_ATYPE_CALLBACK) {
      const pb_callback_t *cb = it.pData;
      const item_t *head = ((const cbfield_t *)cb->arg)->head;
      if (!head) continue;
      if (is_string_map_entry(it.submsg_desc)) {
        sb_printf(out, "%s\"%s\":[", *first ? "" : ",", path);
        *first = 0;
        for (const item_t *i = head; i; i = i->next) {
          const uint8_t *k, *v;
          size_t kn, vn;
          entry_string(i->desc, i->msg, 1, &k, &kn);
          entry_string(i->desc, i->msg, 2, &v, &vn);
          sb_puts(out, i == head ? "[\"" : ",[\"");
          sb_hex(out, k, kn);
          sb_puts(out, "\",\"");
          sb_hex(out, v, vn);
          sb_puts(out, "\"]");
        }
        sb_puts(out, "]");
      } else {
        size_t k = 0;
        for (const item_t *i = head; i; i = i->next, k++) {
          char sub[560];
          snprintf(sub, sizeof sub, "%s[%zu].", path, k);
          walk_maps(i->desc, i->msg, sub, out, first);
        }
      }
    } else if (PB_ATYPE(it.type) == PB_ATYPE_STATIC) {
      if (PB_HTYPE(it.type) == PB_HTYPE_ONEOF) {
        if (*(const pb_size_t *)it.pSize != it.tag) continue;
      } else if (PB_HTYPE(it.type) == PB_HTYPE_REPEATED) {
        pb_size_t n = *(const pb_size_t *)it.pSize;
        for (pb_size_t k = 0; k < n; k++) {
          char sub[560];
          snprintf(sub, sizeof sub, "%s[%u].", path, (unsigned)k);
          walk_maps(it.submsg_desc, (const char *)it.pData + (size_t)k * it.data_size, sub, out, first);
        }
        continue;
      } else if (it.pSize && !*(const bool *)it.pSize) {
        continue; /* has_x false */
      }
      char p2[520];
      snprintf(p2, sizeof p2, "%s.", path);
      walk_maps(it.submsg_desc, it.pData, p2, out, first);
    }
  } while (pb_field_iter_next(&it));
}

int main(int argc, char **argv) {
  if (argc != 2) die("usage: golden_nanopb VECTORS.txt");
  FILE *f = fopen(argv[1], "r");
  if (!f) die("cannot open the vectors");
  char *line = NULL;
  size_t cap = 0;
  sbuf_t out = {0};
  int r;
  long id;
  char *type;
  uint8_t *bytes;
  size_t n;
  while ((r = read_vector(f, &line, &cap, &id, &type, &bytes, &n)) != 0) {
    if (r < 0) die("malformed vector line");
    out.len = 0;
    harness_error = NULL;
    const npb_type_t *t = type_by_name(type);
    void *msg = NULL;
    const char *err = NULL;
    if (!t) {
      err = "unknown type";
    } else {
      msg = xalloc(t->size);
      pb_istream_t is = pb_istream_from_buffer(bytes, n);
      if (!setup(t->desc, msg, false) || !pb_decode(&is, t->desc, msg)) {
        err = harness_error ? harness_error : PB_GET_ERROR(&is);
      } else if (!setup(t->desc, msg, true)) {
        err = harness_error;
      }
    }
    size_t size = 0;
    uint8_t *enc = NULL;
    if (!err && !pb_get_encoded_size(&size, t->desc, msg)) err = "pb_get_encoded_size failed";
    if (!err) {
      enc = xalloc(size);
      pb_ostream_t os = pb_ostream_from_buffer(enc, size);
      if (!pb_encode(&os, t->desc, msg)) err = PB_GET_ERROR(&os);
      size = os.bytes_written;
    }
    if (err) {
      sb_printf(&out, "{\"id\":%ld,\"error\":\"%s\"}\n", id, err);
    } else {
      sb_printf(&out, "{\"id\":%ld,\"hex\":\"", id);
      sb_hex(&out, enc, size);
      sb_puts(&out, "\",\"maps\":{");
      int first = 1;
      walk_maps(t->desc, msg, "", &out, &first);
      sb_puts(&out, "},\"presence\":");
      if (t->desc == &livekit_JoinRequest_msg) {
        const livekit_JoinRequest *j = msg;
        bool present = j->has_connection_settings && j->connection_settings.has_subscriber_allow_pause;
        sb_puts(&out, present ? "true" : "false");
      } else {
        sb_puts(&out, "null");
      }
      sb_puts(&out, "}\n");
    }
    fwrite(out.data, 1, out.len, stdout);
    free_all();
    free(bytes);
  }
  free(line);
  free(out.data);
  free(allocs);
  fclose(f);
  return 0;
}
