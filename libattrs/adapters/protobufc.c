/* adapters/protobufc.c - libattrs maps <-> protobuf-c map fields. */
#include "lkattrs/protobufc.h"

#include <stdalign.h>
#include <stdlib.h> /* free(), in PROTOBUF_C_BUFFER_SIMPLE_CLEAR */
#include <string.h>

#include "lkattrs/patch.h"

/* Every generated map<string,string> entry has this layout. */
typedef struct {
  ProtobufCMessage base;
  char *key;
  char *value;
} entry_t;

static const char empty[1] = "";

lkattrs_status lkattrs_pbc_entries_view(void *const *entries, size_t n,
                                        lkattrs_entry *out) {
  if ((!entries || !out) && n) return LKATTRS_E_INVALID_ARGUMENT;
  for (size_t i = 0; i < n; i++) {
    const entry_t *e = entries[i];
    if (!e) return LKATTRS_E_INVALID_ARGUMENT;
    out[i].key = e->key ? e->key : empty;
    out[i].key_len = strlen(out[i].key);
    out[i].value = e->value ? e->value : empty;
    out[i].value_len = strlen(out[i].value);
  }
  return LKATTRS_OK;
}

/* The views, in a block from the map's allocator (or libc). */
static lkattrs_status views(const lkattrs_map *map, size_t n,
                            lkattrs_allocator *a, lkattrs_entry **out) {
  *out = NULL;
  if (lkattrs_map_allocator(map, a) != LKATTRS_OK) {
    const lkattrs_allocator *libc = lkattrs_libc_allocator();
    if (!libc) return LKATTRS_E_UNSUPPORTED;
    *a = *libc;
  }
  if (!n) return LKATTRS_OK;
  if (n > (size_t)-1 / sizeof **out) return LKATTRS_E_NOMEM;
  *out = a->alloc(a->ctx, n * sizeof **out);
  if (!*out) return LKATTRS_E_NOMEM;
  return LKATTRS_OK;
}

static void views_free(const lkattrs_allocator *a, lkattrs_entry *v, size_t n) {
  if (v) a->free(a->ctx, v, n * sizeof *v);
}

lkattrs_status lkattrs_pbc_read_entries(lkattrs_map *map, void *const *entries,
                                        size_t n, lkattrs_error_detail *detail) {
  unsigned char none_storage[LKATTRS_MAP_FIXED_BYTES(0, 0)];
  lkattrs_map *none;
  lkattrs_allocator a;
  lkattrs_entry *v;
  lkattrs_status st;
  if (!map || (!entries && n) || (lkattrs_map_flags(map) & LKATTRS_MAP_UPDATE)) {
    if (detail) memset(detail, 0, sizeof *detail);
    if (detail) detail->code = LKATTRS_E_INVALID_ARGUMENT;
    if (detail) detail->message = lkattrs_strerror(LKATTRS_E_INVALID_ARGUMENT);
    if (detail) detail->index = LKATTRS_NO_INDEX;
    return LKATTRS_E_INVALID_ARGUMENT;
  }
  if ((st = views(map, n, &a, &v)) != LKATTRS_OK) return st;
  st = lkattrs_pbc_entries_view(entries, n, v);
  if (!st) st = lkattrs_map_init_fixed(none_storage, sizeof none_storage, 0, 0, &none);
  if (!st) {
    /* An empty map with the entries laid over it, as a trusted join: last
     * wins, "" skipped, atomic, no size limits. */
    lkattrs_limits unlimited = {0, 0, 0, 0, 0};
    lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
    o.origin = LKATTRS_ORIGIN_TRUSTED;
    o.can_update_metadata = true;
    o.skip_namespace_rules = true;
    o.limits = &unlimited;
    st = lkattrs_join(none, v, n, &o, map, detail);
  }
  views_free(&a, v, n);
  return st;
}

/* Block layout: a header with the size, the pointer array, the entries,
 * each part at a multiple of ALIGN: the alignment of pointers and size_t,
 * which is all an entry message (pointers and an unsigned) needs and all
 * that an lkattrs_allocator promises (lkattrs/map.h); not max_align_t. */
typedef union {
  size_t size;
  void *p;
} header_t;
#define ALIGN (alignof(entry_t) > alignof(header_t) ? alignof(entry_t) : alignof(header_t))
#define ROUND(n) (((n) + ALIGN - 1) / ALIGN * ALIGN)

static bool pick(const lkattrs_map *map, const lkattrs_allocator *alc,
                 lkattrs_allocator *a) {
  if (alc) {
    *a = *alc;
    return a->alloc && a->free;
  }
  if (lkattrs_map_allocator(map, a) == LKATTRS_OK) return true;
  const lkattrs_allocator *libc = lkattrs_libc_allocator();
  if (libc) *a = *libc;
  return libc != NULL;
}

lkattrs_status lkattrs_pbc_make_entries(const lkattrs_map *map,
                                        const ProtobufCMessageDescriptor *desc,
                                        const lkattrs_allocator *alc,
                                        void ***entries, size_t *n) {
  lkattrs_allocator a;
  if (entries) *entries = NULL;
  if (n) *n = 0;
  if (!map || !desc || !entries || !n || desc->sizeof_message < sizeof(entry_t) ||
      desc->n_fields != 2 || !pick(map, alc, &a))
    return LKATTRS_E_INVALID_ARGUMENT;
  size_t count = lkattrs_map_count(map);
  if (!count) return LKATTRS_OK;
  size_t esz = ROUND(desc->sizeof_message);
  size_t ptrs = ROUND(count * sizeof(void *));
  size_t size = ROUND(sizeof(header_t)) + ptrs + count * esz;
  unsigned char *blk = a.alloc(a.ctx, size);
  if (!blk) return LKATTRS_E_NOMEM;
  ((header_t *)(void *)blk)->size = size;
  void **arr = (void **)(void *)(blk + ROUND(sizeof(header_t)));
  for (size_t i = 0; i < count; i++) {
    lkattrs_entry e;
    entry_t *m = (entry_t *)(void *)(blk + ROUND(sizeof(header_t)) + ptrs + i * esz);
    if (lkattrs_map_at(map, i, &e) != LKATTRS_OK) e.key = e.value = empty;
    protobuf_c_message_init(desc, m);
    /* The map's strings are NUL-terminated and stay put until it changes;
     * protobuf-c only reads them when packing. */
    memcpy(&m->key, &e.key, sizeof m->key);
    memcpy(&m->value, &e.value, sizeof m->value);
    arr[i] = m;
  }
  *entries = arr;
  *n = count;
  return LKATTRS_OK;
}

void lkattrs_pbc_free_entries(const lkattrs_map *map,
                              const lkattrs_allocator *alc, void **entries,
                              size_t n) {
  lkattrs_allocator a;
  (void)n;
  if (!entries || !pick(map, alc, &a)) return;
  unsigned char *blk = (unsigned char *)entries - ROUND(sizeof(header_t));
  a.free(a.ctx, blk, ((header_t *)(void *)blk)->size);
}

#define LKATTRS_PBC_DEFINE(X, T, field, desc)                                  \
  lkattrs_status lkattrs_pbc_##X##_get(const T *msg, lkattrs_map *map,         \
                                       lkattrs_error_detail *detail) {         \
    if (!msg) return LKATTRS_E_INVALID_ARGUMENT;                               \
    return lkattrs_pbc_read_entries(map, (void *const *)msg->field,            \
                                    msg->n_##field, detail);                   \
  }                                                                            \
  lkattrs_status lkattrs_pbc_##X##_set(T *msg, const lkattrs_map *map,         \
                                       const lkattrs_allocator *alc) {         \
    void **e;                                                                  \
    size_t n;                                                                  \
    if (!msg) return LKATTRS_E_INVALID_ARGUMENT;                               \
    lkattrs_status st = lkattrs_pbc_make_entries(map, &desc, alc, &e, &n);     \
    if (st) return st;                                                         \
    msg->field = (void *)e;                                                    \
    msg->n_##field = n;                                                        \
    return LKATTRS_OK;                                                         \
  }                                                                            \
  void lkattrs_pbc_##X##_release(T *msg, const lkattrs_map *map,               \
                                 const lkattrs_allocator *alc) {               \
    if (!msg) return;                                                          \
    lkattrs_pbc_free_entries(map, alc, (void **)msg->field, msg->n_##field);   \
    msg->field = NULL;                                                         \
    msg->n_##field = 0;                                                        \
  }

LKATTRS_PBC_DEFINE(participant_info, Livekit__ParticipantInfo, attributes,
                   livekit__participant_info__attributes_entry__descriptor)
LKATTRS_PBC_DEFINE(update_participant_metadata, Livekit__UpdateParticipantMetadata,
                   attributes,
                   livekit__update_participant_metadata__attributes_entry__descriptor)
LKATTRS_PBC_DEFINE(update_participant_request, Livekit__UpdateParticipantRequest,
                   attributes,
                   livekit__update_participant_request__attributes_entry__descriptor)
LKATTRS_PBC_DEFINE(join_request, Livekit__JoinRequest, participant_attributes,
                   livekit__join_request__participant_attributes_entry__descriptor)
LKATTRS_PBC_DEFINE(create_sip_participant_request, Livekit__CreateSIPParticipantRequest,
                   participant_attributes,
                   livekit__create_sipparticipant_request__participant_attributes_entry__descriptor)

lkattrs_status lkattrs_pbc_participant_set_fields(lkattrs_participant *p,
                                                 const Livekit__ParticipantInfo *info,
                                                 lkattrs_error_detail *detail) {
  if (!p || !info) return LKATTRS_E_INVALID_ARGUMENT;
  /* The caller's struct without its attributes, packed on the stack when
   * small, else through protobuf-c's buffer (its allocator). */
  Livekit__ParticipantInfo copy = *info;
  copy.n_attributes = 0;
  copy.attributes = NULL;
  unsigned char scratch[1024];
  ProtobufCBufferSimple buf = PROTOBUF_C_BUFFER_SIMPLE_INIT(scratch);
  size_t need = protobuf_c_message_get_packed_size(&copy.base);
  (void)protobuf_c_message_pack_to_buffer(&copy.base, &buf.base);
  lkattrs_status st = buf.len == need
                          ? lkattrs_participant_set_fields(p, buf.data, buf.len, detail)
                          : LKATTRS_E_NOMEM; /* protobuf-c's allocator failed */
  PROTOBUF_C_BUFFER_SIMPLE_CLEAR(&buf);
  return st;
}
