/* Golden-vector checker for the protobuf-c code.
 *
 * usage: golden_protobufc VECTORS.txt > OUT.jsonl
 *
 * For each "ID TYPE HEX" line: finds the message descriptor by its full name
 * (TYPE), decodes the bytes with protobuf_c_message_unpack(), re-encodes with
 * protobuf_c_message_pack(), and prints one JSON line:
 *   {"id":N,"hex":"<re-encoded>","maps":{"<path>":[["<key hex>","<value hex>"],...]},
 *    "presence":true|false|null}
 * "maps" lists every map<string,string> found by walking the decoded message
 * through its descriptor (path: field numbers, "[i]" for elements of a
 * repeated field); keys and values are hex so that no escaping is needed.
 * "presence" is ConnectionSettings.subscriber_allow_pause's presence (the
 * one-field oneof `_subscriber_allow_pause` protoc-c is given in place of the
 * proto3 `optional`) for JoinRequest, null otherwise.  tests/interop/golden.mjs
 * compares all of it with LiveKit's JS. */
#define _POSIX_C_SOURCE 200809L
#include <protobuf-c/protobuf-c.h>

#include "golden_util.h"
#include "pbc_table.h"

static const ProtobufCMessageDescriptor *find_type(const char *name) {
  for (size_t i = 0; i < sizeof pbc_table / sizeof pbc_table[0]; i++) {
    if (strcmp(pbc_table[i]->name, name) == 0) return pbc_table[i];
  }
  return NULL;
}

/* A map<string,string> entry type: "...Entry" with string fields 1 and 2. */
static int is_string_map_entry(const ProtobufCMessageDescriptor *d) {
  size_t n = strlen(d->name);
  if (n < 5 || strcmp(d->name + n - 5, "Entry") != 0 || d->n_fields != 2) return 0;
  for (unsigned i = 0; i < 2; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    if (f->type != PROTOBUF_C_TYPE_STRING || (f->id != 1 && f->id != 2)) return 0;
  }
  return 1;
}

static const char *entry_string(const ProtobufCMessage *e, unsigned id) {
  const ProtobufCMessageDescriptor *d = e->descriptor;
  for (unsigned i = 0; i < d->n_fields; i++) {
    if (d->fields[i].id == id) {
      const char *s = *(const char *const *)((const char *)e + d->fields[i].offset);
      return s ? s : "";
    }
  }
  return "";
}

static void walk_maps(const ProtobufCMessage *m, const char *prefix, sbuf_t *out, int *first) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  const char *base = (const char *)m;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    if (f->type != PROTOBUF_C_TYPE_MESSAGE) continue;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      if (*(const uint32_t *)(const void *)(base + f->quantifier_offset) != f->id) continue;
    }
    const ProtobufCMessageDescriptor *sd = f->descriptor;
    char path[512];
    snprintf(path, sizeof path, "%s%u", prefix, f->id);
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = *(const size_t *)(const void *)(base + f->quantifier_offset);
      ProtobufCMessage *const *arr = *(ProtobufCMessage *const *const *)(const void *)(base + f->offset);
      if (n == 0) continue;
      if (is_string_map_entry(sd)) {
        sb_printf(out, "%s\"%s\":[", *first ? "" : ",", path);
        *first = 0;
        for (size_t k = 0; k < n; k++) {
          const char *key = entry_string(arr[k], 1), *val = entry_string(arr[k], 2);
          sb_puts(out, k ? ",[\"" : "[\"");
          sb_hex(out, (const uint8_t *)key, strlen(key));
          sb_puts(out, "\",\"");
          sb_hex(out, (const uint8_t *)val, strlen(val));
          sb_puts(out, "\"]");
        }
        sb_puts(out, "]");
      } else {
        for (size_t k = 0; k < n; k++) {
          char sub[560];
          snprintf(sub, sizeof sub, "%s[%zu].", path, k);
          walk_maps(arr[k], sub, out, first);
        }
      }
    } else {
      const ProtobufCMessage *sub = *(ProtobufCMessage *const *)(const void *)(base + f->offset);
      if (sub) {
        char p2[520];
        snprintf(p2, sizeof p2, "%s.", path);
        walk_maps(sub, p2, out, first);
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 2) die("usage: golden_protobufc VECTORS.txt");
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
    const ProtobufCMessageDescriptor *d = find_type(type);
    ProtobufCMessage *m = d ? protobuf_c_message_unpack(d, NULL, n, bytes) : NULL;
    if (!m) {
      sb_printf(&out, "{\"id\":%ld,\"error\":\"%s\"}\n", id, d ? "unpack failed" : "unknown type");
    } else {
      size_t size = protobuf_c_message_get_packed_size(m);
      uint8_t *enc = malloc(size ? size : 1);
      if (!enc) die("out of memory");
      size_t w = protobuf_c_message_pack(m, enc);
      sb_printf(&out, "{\"id\":%ld,\"hex\":\"", id);
      sb_hex(&out, enc, w);
      sb_puts(&out, "\",\"maps\":{");
      int first = 1;
      walk_maps(m, "", &out, &first);
      sb_puts(&out, "},\"presence\":");
      if (strcmp(d->name, "livekit.JoinRequest") == 0) {
        const Livekit__JoinRequest *j = (const Livekit__JoinRequest *)(const void *)m;
        int present = j->connection_settings &&
                      j->connection_settings->_subscriber_allow_pause_case ==
                          LIVEKIT__CONNECTION_SETTINGS___SUBSCRIBER_ALLOW_PAUSE_SUBSCRIBER_ALLOW_PAUSE;
        sb_puts(&out, present ? "true" : "false");
      } else {
        sb_puts(&out, "null");
      }
      sb_puts(&out, "}\n");
      free(enc);
      protobuf_c_message_free_unpacked(m, NULL);
    }
    fwrite(out.data, 1, out.len, stdout);
    free(bytes);
  }
  free(line);
  free(out.data);
  fclose(f);
  return 0;
}
