/* liblkjson: the type table, name lookup, JSON names, map entries. */
#include "lkjson_internal.h"

#include <string.h>

static const char *type_package(const lkjson__type *t) {
  return t->is_enum ? t->enm->package_name : t->msg->package_name;
}

/* Drops each '_' and upper-cases the letter after it (and the first letter
 * when cap_first): protoc's lowerCamelCase / UpperCamelCase rule. */
static size_t camel_case(const char *name, int cap_first, char *out, size_t outsz) {
  size_t n = 0;
  int cap = cap_first;
  for (const char *p = name; *p && n + 1 < outsz; p++) {
    if (*p == '_') {
      cap = 1;
    } else if (cap) {
      out[n++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
      cap = 0;
    } else {
      out[n++] = *p;
    }
  }
  out[n] = '\0';
  return n;
}

/* protoc's map entry name: `mid_to_track_id` -> `MidToTrackIdEntry`. */
static void map_entry_name(const char *field, char *out, size_t outsz) {
  size_t n = camel_case(field, 1, out, outsz);
  if (n + sizeof "Entry" <= outsz) memcpy(out + n, "Entry", sizeof "Entry");
}

void lkjson__json_name(const char *proto_name, char *out, size_t outsz) {
  (void)camel_case(proto_name, 0, out, outsz);
}

static int entry_shape(const ProtobufCMessageDescriptor *d) {
  size_t sl = strlen(d->short_name);
  return sl > 5 && strcmp(d->short_name + sl - 5, "Entry") == 0 && d->n_fields == 2 &&
         d->fields[0].id == 1 && strcmp(d->fields[0].name, "key") == 0 &&
         d->fields[1].id == 2 && strcmp(d->fields[1].name, "value") == 0 &&
         d->fields[0].label != PROTOBUF_C_LABEL_REPEATED &&
         d->fields[1].label != PROTOBUF_C_LABEL_REPEATED;
}

/* A map field is a repeated field of a nested message type named after the
 * field (`attributes` -> `AttributesEntry`) with a key (1) and a value (2):
 * the type protoc synthesizes.  protobuf-c's descriptors do not flag it. */
int lkjson__field_is_map(const ProtobufCFieldDescriptor *f) {
  if (f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE) return 0;
  const ProtobufCMessageDescriptor *d = f->descriptor;
  if (!entry_shape(d)) return 0;
  char want[256];
  map_entry_name(f->name, want, sizeof want);
  return strcmp(want, d->short_name) == 0;
}

const lkjson__type *lkjson__type_get(const char *full_name) {
  size_t lo = 0, hi = lkjson__n_types;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int r = strcmp(lkjson__types[mid].name, full_name);
    if (r == 0) return &lkjson__types[mid];
    if (r < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

const ProtobufCMessageDescriptor *lkjson__message_find(const char *full_name) {
  const lkjson__type *t = lkjson__type_get(full_name);
  return t && !t->is_enum ? t->msg : NULL;
}

int lkjson__is_map_entry(const ProtobufCMessageDescriptor *d) {
  if (!entry_shape(d)) return 0;
  size_t nl = strlen(d->name), sl = strlen(d->short_name);
  if (nl <= sl + 1) return 0;
  char parent[512];
  if (nl - sl - 1 >= sizeof parent) return 0;
  memcpy(parent, d->name, nl - sl - 1);
  parent[nl - sl - 1] = '\0';
  const ProtobufCMessageDescriptor *p = lkjson__message_find(parent);
  if (!p) return 0;
  for (unsigned i = 0; i < p->n_fields; i++)
    if (p->fields[i].descriptor == d && lkjson__field_is_map(&p->fields[i])) return 1;
  return 0;
}

const lkjson__type *lkjson__type_resolve(const char *name, int *ambiguous) {
  *ambiguous = 0;
  if (name[0] == '.') name++;
  const lkjson__type *t = lkjson__type_get(name);
  if (t) return !t->is_enum && lkjson__is_map_entry(t->msg) ? NULL : t;
  /* Relative to package livekit: `ParticipantInfo`, `agent.ChatContext`. */
  char full[512];
  if (strlen(name) < sizeof full - 8) {
    memcpy(full, "livekit.", 8);
    memcpy(full + 8, name, strlen(name) + 1);
    t = lkjson__type_get(full);
    if (t) return !t->is_enum && lkjson__is_map_entry(t->msg) ? NULL : t;
  }
  const lkjson__type *found = NULL;
  for (size_t i = 0; i < lkjson__n_types; i++) {
    t = &lkjson__types[i];
    const char *pkg = type_package(t);
    size_t pl = pkg ? strlen(pkg) : 0;
    const char *rel = t->name;
    if (pl && strncmp(t->name, pkg, pl) == 0 && t->name[pl] == '.') rel = t->name + pl + 1;
    if (strcmp(rel, name) != 0) continue;
    if (!t->is_enum && lkjson__is_map_entry(t->msg)) continue;
    if (found) {
      *ambiguous = 1;
      return NULL;
    }
    found = t;
  }
  return found;
}

const char *lkjson__enum_name(const ProtobufCEnumDescriptor *e, int value) {
  const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(e, value);
  return v ? v->name : NULL;
}

int lkjson__enum_value(const ProtobufCEnumDescriptor *e, const char *name, int *value) {
  /* protobuf_c_enum_descriptor_get_value_by_name() searches by name with a
   * binary search over values_by_name; a linear scan keeps it obvious. */
  for (unsigned i = 0; i < e->n_values; i++) {
    if (strcmp(e->values[i].name, name) == 0) {
      *value = e->values[i].value;
      return 1;
    }
  }
  return 0;
}

const ProtobufCFieldDescriptor *lkjson__field_by_number(const ProtobufCMessageDescriptor *d,
                                                   uint32_t number) {
  return protobuf_c_message_descriptor_get_field(d, (unsigned)number);
}

int lkjson__wkt(const ProtobufCMessageDescriptor *d) {
  if (strncmp(d->name, "google.protobuf.", 16) != 0) return LKJSON__WKT_NONE;
  if (strcmp(d->name, "google.protobuf.Timestamp") == 0) return LKJSON__WKT_TIMESTAMP;
  if (strcmp(d->name, "google.protobuf.Duration") == 0) return LKJSON__WKT_DURATION;
  if (strcmp(d->name, "google.protobuf.Any") == 0) return LKJSON__WKT_ANY;
  if (strcmp(d->name, "google.protobuf.Struct") == 0) return LKJSON__WKT_STRUCT;
  if (strcmp(d->name, "google.protobuf.Value") == 0) return LKJSON__WKT_VALUE;
  if (strcmp(d->name, "google.protobuf.ListValue") == 0) return LKJSON__WKT_LIST_VALUE;
  if (strcmp(d->name, "google.protobuf.Empty") == 0) return LKJSON__WKT_NONE;
  if (strncmp(d->name, "google.protobuf.Struct.", 23) == 0) return LKJSON__WKT_NONE; /* FieldsEntry */
  return LKJSON__WKT_UNSUPPORTED;
}
