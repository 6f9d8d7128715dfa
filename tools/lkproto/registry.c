/* lkproto: the type table, name lookup, JSON names, map entries. */
#include "lkproto.h"

#include <string.h>

const char *lk_type_name(const lk_type *t) { return t->is_enum ? t->enm->name : t->msg->name; }

static const char *type_package(const lk_type *t) {
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

void lk_json_name(const char *proto_name, char *out, size_t outsz) {
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
int lk_field_is_map(const ProtobufCFieldDescriptor *f) {
  if (f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE) return 0;
  const ProtobufCMessageDescriptor *d = f->descriptor;
  if (!entry_shape(d)) return 0;
  char want[256];
  map_entry_name(f->name, want, sizeof want);
  return strcmp(want, d->short_name) == 0;
}

const ProtobufCMessageDescriptor *lk_message_find(const char *full_name) {
  for (size_t i = 0; i < lk_n_types; i++)
    if (!lk_types[i].is_enum && strcmp(lk_types[i].msg->name, full_name) == 0)
      return lk_types[i].msg;
  return NULL;
}

int lk_is_map_entry(const ProtobufCMessageDescriptor *d) {
  if (!entry_shape(d)) return 0;
  size_t nl = strlen(d->name), sl = strlen(d->short_name);
  if (nl <= sl + 1) return 0;
  char parent[512];
  if (nl - sl - 1 >= sizeof parent) return 0;
  memcpy(parent, d->name, nl - sl - 1);
  parent[nl - sl - 1] = '\0';
  const ProtobufCMessageDescriptor *p = lk_message_find(parent);
  if (!p) return 0;
  for (unsigned i = 0; i < p->n_fields; i++)
    if (p->fields[i].descriptor == d && lk_field_is_map(&p->fields[i])) return 1;
  return 0;
}

const lk_type *lk_type_find(const char *name, int *ambiguous) {
  *ambiguous = 0;
  if (name[0] == '.') name++;
  for (size_t i = 0; i < lk_n_types; i++) {
    const lk_type *t = &lk_types[i];
    if (strcmp(lk_type_name(t), name) == 0) {
      if (!t->is_enum && lk_is_map_entry(t->msg)) return NULL;
      return t;
    }
  }
  /* Relative to package livekit: `ParticipantInfo`, `agent.ChatContext`. */
  for (size_t i = 0; i < lk_n_types; i++) {
    const lk_type *t = &lk_types[i];
    const char *full = lk_type_name(t);
    if (strncmp(full, "livekit.", 8) != 0 || strcmp(full + 8, name) != 0) continue;
    if (!t->is_enum && lk_is_map_entry(t->msg)) return NULL;
    return t;
  }
  const lk_type *found = NULL;
  for (size_t i = 0; i < lk_n_types; i++) {
    const lk_type *t = &lk_types[i];
    const char *full = lk_type_name(t), *pkg = type_package(t);
    size_t pl = pkg ? strlen(pkg) : 0;
    const char *rel = full;
    if (pl && strncmp(full, pkg, pl) == 0 && full[pl] == '.') rel = full + pl + 1;
    if (strcmp(rel, name) != 0) continue;
    if (!t->is_enum && lk_is_map_entry(t->msg)) continue;
    if (found) {
      *ambiguous = 1;
      return NULL;
    }
    found = t;
  }
  return found;
}

const char *lk_enum_name(const ProtobufCEnumDescriptor *e, int value) {
  const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(e, value);
  return v ? v->name : NULL;
}

int lk_enum_value(const ProtobufCEnumDescriptor *e, const char *name, int *value) {
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

const ProtobufCFieldDescriptor *lk_field_by_number(const ProtobufCMessageDescriptor *d,
                                                   uint32_t number) {
  return protobuf_c_message_descriptor_get_field(d, (unsigned)number);
}

int lk_wkt(const ProtobufCMessageDescriptor *d) {
  if (strncmp(d->name, "google.protobuf.", 16) != 0) return LK_WKT_NONE;
  if (strcmp(d->name, "google.protobuf.Timestamp") == 0) return LK_WKT_TIMESTAMP;
  if (strcmp(d->name, "google.protobuf.Duration") == 0) return LK_WKT_DURATION;
  if (strcmp(d->name, "google.protobuf.Any") == 0) return LK_WKT_ANY;
  if (strcmp(d->name, "google.protobuf.Struct") == 0) return LK_WKT_STRUCT;
  if (strcmp(d->name, "google.protobuf.Value") == 0) return LK_WKT_VALUE;
  if (strcmp(d->name, "google.protobuf.ListValue") == 0) return LK_WKT_LIST_VALUE;
  if (strcmp(d->name, "google.protobuf.Empty") == 0) return LK_WKT_NONE;
  if (strncmp(d->name, "google.protobuf.Struct.", 23) == 0) return LK_WKT_NONE; /* FieldsEntry */
  return LK_WKT_UNSUPPORTED;
}
