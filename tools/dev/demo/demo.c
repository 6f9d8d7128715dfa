/* The quick-start demo (`make demo`): one ParticipantInfo, encoded by
 * LiveKit's own JS package (tools/dev/demo/participant.mjs), decoded here by both
 * generated C codes:
 *   - protobuf-c (liblkproto + libprotobuf-c): one call, heap-allocated
 *     struct, the attribute map as an array of key/value entries;
 *   - nanopb (liblkproto-nanopb + libprotobuf-nanopb): a static struct, no
 *     heap; the attribute map arrives entry by entry through a callback (the
 *     nanopb options make it one) and is copied into fixed storage here, as a
 *     firmware client would do with libattrs' fixed-storage map.
 *
 * usage: demo FILE.hex */
#define _POSIX_C_SOURCE 200809L
#include <pb_decode.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livekit_models.pb-c.h"
#include "livekit_models.pb.h"

/* --- input ---------------------------------------------------------------- */
static size_t read_hex(const char *path, uint8_t *out, size_t cap) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t n = 0;
  int hi = -1, c;
  while ((c = fgetc(f)) != EOF) {
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      if (n == cap) break;
      out[n++] = (uint8_t)(hi * 16 + v);
      hi = -1;
    }
  }
  fclose(f);
  return n;
}

/* --- nanopb: attribute entries into fixed storage ------------------------- */
#define MAX_ATTRS 16
typedef struct {
  char key[64];
  char value[128];
} attr_t;
typedef struct {
  attr_t a[MAX_ATTRS];
  size_t n;
  size_t metadata_len;
} client_state_t;

static bool read_into(pb_istream_t *s, char *dst, size_t cap) {
  size_t n = s->bytes_left;
  if (n >= cap) return false; /* does not fit this client's storage */
  dst[n] = '\0';
  return pb_read(s, (pb_byte_t *)dst, n);
}
static bool on_key(pb_istream_t *s, const pb_field_t *f, void **arg) {
  (void)f;
  return read_into(s, ((attr_t *)*arg)->key, sizeof((attr_t *)0)->key);
}
static bool on_value(pb_istream_t *s, const pb_field_t *f, void **arg) {
  (void)f;
  return read_into(s, ((attr_t *)*arg)->value, sizeof((attr_t *)0)->value);
}
/* Called once per map entry, with the entry's bytes. */
static bool on_attribute(pb_istream_t *s, const pb_field_t *f, void **arg) {
  (void)f;
  client_state_t *st = *arg;
  if (st->n == MAX_ATTRS) return false;
  attr_t *a = &st->a[st->n];
  memset(a, 0, sizeof *a);
  livekit_ParticipantInfo_AttributesEntry e = livekit_ParticipantInfo_AttributesEntry_init_zero;
  e.key.funcs.decode = on_key;
  e.key.arg = a;
  e.value.funcs.decode = on_value;
  e.value.arg = a;
  if (!pb_decode(s, livekit_ParticipantInfo_AttributesEntry_fields, &e)) return false;
  /* last entry wins for a repeated key */
  for (size_t i = 0; i < st->n; i++) {
    if (strcmp(st->a[i].key, a->key) == 0) {
      memcpy(st->a[i].value, a->value, sizeof a->value);
      return true;
    }
  }
  st->n++;
  return true;
}
/* Metadata can be large: this client only measures it. */
static bool on_metadata(pb_istream_t *s, const pb_field_t *f, void **arg) {
  (void)f;
  ((client_state_t *)*arg)->metadata_len = s->bytes_left;
  return pb_read(s, NULL, s->bytes_left);
}

static const char *state_name(int v) {
  const ProtobufCEnumValue *ev =
      protobuf_c_enum_descriptor_get_value(&livekit__participant_info__state__descriptor, v);
  return ev ? ev->name : "?";
}
static const char *kind_name(int v) {
  const ProtobufCEnumValue *ev =
      protobuf_c_enum_descriptor_get_value(&livekit__participant_info__kind__descriptor, v);
  return ev ? ev->name : "?";
}

static void row(const char *field, const char *a, const char *b) {
  printf("  %-24s | %-28s | %-28s%s\n", field, a, b, strcmp(a, b) == 0 ? "" : "  <- differs");
}

int main(int argc, char **argv) {
  static uint8_t buf[65536];
  if (argc != 2) {
    fprintf(stderr, "usage: demo FILE.hex\n");
    return 2;
  }
  size_t n = read_hex(argv[1], buf, sizeof buf);
  if (!n) {
    fprintf(stderr, "demo: no bytes in %s\n", argv[1]);
    return 1;
  }
  printf("A ParticipantInfo encoded by LiveKit's JS (@livekit/protocol): %zu bytes\n\n", n);

  /* protobuf-c */
  Livekit__ParticipantInfo *pc = livekit__participant_info__unpack(NULL, n, buf);
  if (!pc) {
    fprintf(stderr, "demo: protobuf-c could not decode it\n");
    return 1;
  }

  /* nanopb: static storage, callbacks for the variable-size parts */
  static livekit_ParticipantInfo np;
  static client_state_t st;
  livekit_ParticipantInfo zero = livekit_ParticipantInfo_init_zero;
  np = zero;
  np.attributes.funcs.decode = on_attribute;
  np.attributes.arg = &st;
  np.metadata.funcs.decode = on_metadata;
  np.metadata.arg = &st;
  pb_istream_t is = pb_istream_from_buffer(buf, n);
  if (!pb_decode(&is, livekit_ParticipantInfo_fields, &np)) {
    fprintf(stderr, "demo: nanopb could not decode it: %s\n", PB_GET_ERROR(&is));
    livekit__participant_info__free_unpacked(pc, NULL);
    return 1;
  }

  char a[64], b[64];
  printf("  %-24s | %-28s | %-28s\n", "field", "protobuf-c (heap)", "nanopb (static, callbacks)");
  printf("  %.24s-+-%.28s-+-%.28s\n", "------------------------------", "------------------------------",
         "------------------------------");
  row("sid", pc->sid, np.sid);
  row("identity", pc->identity, np.identity);
  row("name", pc->name, np.name);
  row("state", state_name((int)pc->state), state_name((int)np.state));
  row("kind", kind_name((int)pc->kind), kind_name((int)np.kind));
  snprintf(a, sizeof a, "%u", pc->version);
  snprintf(b, sizeof b, "%u", np.version);
  row("version", a, b);
  snprintf(a, sizeof a, "%s", pc->permission && pc->permission->can_update_metadata ? "yes" : "no");
  snprintf(b, sizeof b, "%s", np.has_permission && np.permission.can_update_metadata ? "yes" : "no");
  row("can_update_metadata", a, b);
  snprintf(a, sizeof a, "%zu bytes", strlen(pc->metadata));
  snprintf(b, sizeof b, "%zu bytes", st.metadata_len); /* streamed, not kept */
  row("metadata", a, b);
  snprintf(a, sizeof a, "%zu entries", pc->n_attributes);
  snprintf(b, sizeof b, "%zu entries", st.n);
  row("attributes", a, b);
  int same = pc->n_attributes == st.n;
  for (size_t i = 0; i < pc->n_attributes; i++) {
    const char *k = pc->attributes[i]->key, *v = pc->attributes[i]->value;
    const char *nv = "(missing)";
    for (size_t j = 0; j < st.n; j++) {
      if (strcmp(st.a[j].key, k) == 0) nv = st.a[j].value;
    }
    char label[64];
    snprintf(label, sizeof label, "  [%s]", k);
    row(label, v, nv);
    same = same && strcmp(v, nv) == 0;
  }
  printf("\n%s\n", same ? "Both libraries decoded the same participant and attributes."
                        : "The two libraries disagree (see above).");
  printf("The sip.* and lk.* names are reserved for LiveKit's own services (see README.md);\n"
         "sip.phoneNumber is personal data, left out when hide_phone_number is set.\n");
  livekit__participant_info__free_unpacked(pc, NULL);
  return same ? 0 : 1;
}
