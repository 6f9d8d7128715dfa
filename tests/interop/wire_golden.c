/* wire_golden.c - libattrs' wire reader, participant state and protobuf-c
 * adapter against the protobuf-c code, on the golden vectors made by
 * LiveKit's JS (tests/interop/golden.mjs), and on truncations judged by
 * LiveKit's JS.
 *
 * usage: wire_golden VECTORS.txt CUTS.txt UPDATES.out
 *   VECTORS.txt  "ID TYPE HEX" lines (golden.mjs gen)
 *   CUTS.txt     "ID LEN OK" lines: LiveKit's JS accepts (1) or rejects (0)
 *                the first LEN bytes of vector ID (wire-golden.mjs cuts)
 *   UPDATES.out  written: "ID INFO UPDATE OUT" hex per ParticipantInfo
 *                vector, OUT being the state's new ParticipantInfo after
 *                UPDATE (an UpdateParticipantMetadata vector), for
 *                wire-golden.mjs verify
 * For every vector with attribute maps:
 *   - the raw entries of our reader equal protobuf-c's entry array (same
 *     order, same bytes), at every path (SignalRequest: 15.3);
 *   - lkattrs_wire_read_map() equals the protobuf-c adapter's map;
 * for every ParticipantInfo vector, loaded into a participant state
 * (lkattrs_participant_load): the state holds protobuf-c's fields and the
 * adapter's map, its bytes are canonical, and its ParticipantUpdate and
 * SignalResponse views wrap exactly them; then, paired with an
 * UpdateParticipantMetadata vector and applied (lkattrs_participant_apply):
 * the map of protobuf-c + adapter + lkattrs_merge(), the same change list,
 * a response {request_id, OK, echo equal to the update} in a buffer of
 * lkattrs_response_max_bytes(), and a ParticipantInfo equal to protobuf-c's
 * (compared after a protobuf-c round trip: the JS writes fields in
 * declaration order, protobuf-c in number order);
 * for every cut: our reader accepts exactly what LiveKit's JS accepts. */
#define _POSIX_C_SOURCE 200809L
#include <lkattrs/lkattrs.h>
#include <lkattrs/protobufc.h>

#include "golden_util.h"
#include "livekit_room.pb-c.h"
#include "livekit_sip.pb-c.h"

typedef struct {
  const char *type;
  const ProtobufCMessageDescriptor *desc;
  uint32_t path[2];
  size_t depth;
} kind_t;

static const kind_t kinds[] = {
    {"livekit.ParticipantInfo", &livekit__participant_info__descriptor, {15}, 1},
    {"livekit.UpdateParticipantMetadata", &livekit__update_participant_metadata__descriptor, {3}, 1},
    {"livekit.UpdateParticipantRequest", &livekit__update_participant_request__descriptor, {6}, 1},
    {"livekit.JoinRequest", &livekit__join_request__descriptor, {4}, 1},
    {"livekit.CreateSIPParticipantRequest", &livekit__create_sipparticipant_request__descriptor, {9}, 1},
    {"livekit.SignalRequest", &livekit__signal_request__descriptor, {15, 3}, 2},
    {"livekit.SignalResponse", &livekit__signal_response__descriptor, {0}, 0},
};

static int failures;
static void fail(long id, const char *what) {
  if (failures++ < 20) fprintf(stderr, "vector %ld: %s\n", id, what);
}

/* protobuf-c's entry array at path (NULL, 0 when absent). */
static void pbc_entries(const ProtobufCMessage *m, const uint32_t *path, size_t depth,
                        void ***arr, size_t *n) {
  *arr = NULL;
  *n = 0;
  for (size_t i = 0; m && i < depth; i++) {
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(m->descriptor, path[i]);
    if (!f) return;
    const char *base = (const char *)m;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      uint32_t c;
      memcpy(&c, base + f->quantifier_offset, sizeof c);
      if (c != path[i]) return;
    }
    if (i + 1 == depth) {
      memcpy(arr, base + f->offset, sizeof *arr);
      memcpy(n, base + f->quantifier_offset, sizeof *n);
      return;
    }
    memcpy(&m, base + f->offset, sizeof m);
  }
}

static const kind_t *kind_of(const char *type) {
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (!strcmp(kinds[i].type, type)) return &kinds[i];
  return NULL;
}

typedef struct {
  long id;
  uint8_t *b;
  size_t n;
  const kind_t *k;
} vec_t;

static void check_reader(const vec_t *v) {
  const kind_t *k = v->k;
  ProtobufCMessage *m = protobuf_c_message_unpack(k->desc, NULL, v->n, v->b);
  if (!m) {
    fail(v->id, "protobuf-c does not decode it");
    return;
  }
  if (!k->depth) { /* SignalResponse: just a structural check */
    if (lkattrs_wire_check(v->b, v->n, NULL)) fail(v->id, "wire_check refuses it");
    protobuf_c_message_free_unpacked(m, NULL);
    return;
  }
  void **arr;
  size_t n, cnt;
  pbc_entries(m, k->path, k->depth, &arr, &n);
  lkattrs_entry *ours = calloc(n + 1, sizeof *ours), *theirs = calloc(n + 1, sizeof *theirs);
  if (lkattrs_wire_collect(v->b, v->n, k->path, k->depth, 0, ours, n, &cnt, NULL) ||
      cnt != n) {
    fail(v->id, "reader: entry count or error");
  } else if (lkattrs_pbc_entries_view(arr, n, theirs)) {
    fail(v->id, "entries_view");
  } else {
    for (size_t i = 0; i < n; i++)
      if (ours[i].key_len != theirs[i].key_len || ours[i].value_len != theirs[i].value_len ||
          memcmp(ours[i].key, theirs[i].key, ours[i].key_len) ||
          memcmp(ours[i].value, theirs[i].value, ours[i].value_len))
        fail(v->id, "reader: entry differs from protobuf-c's");
  }
  lkattrs_map *a = NULL, *b = NULL;
  if (lkattrs_map_new(NULL, 0, &a) || lkattrs_map_new(NULL, 0, &b)) die("oom");
  if (lkattrs_wire_read_map(v->b, v->n, k->path, k->depth, a, NULL))
    fail(v->id, "read_map refuses it");
  if (lkattrs_pbc_read_entries(b, arr, n, NULL)) fail(v->id, "adapter refuses it");
  if (!lkattrs_map_equal(a, b)) fail(v->id, "read_map differs from the adapter's map");
  /* And the adapter writes what our writer writes. */
  if (k->desc == &livekit__participant_info__descriptor) {
    Livekit__ParticipantInfo pi = LIVEKIT__PARTICIPANT_INFO__INIT;
    size_t w, need = 0;
    if (lkattrs_pbc_participant_info_set(&pi, a, NULL) || lkattrs_wire_map_size(a, 15, &need))
      die("adapter set");
    uint8_t *x = malloc(need + 1), *y = malloc(need + 1);
    if (livekit__participant_info__pack(&pi, x) != need ||
        lkattrs_wire_write_map(a, 15, y, need, &w) || memcmp(x, y, need))
      fail(v->id, "adapter bytes differ from the writer's");
    lkattrs_pbc_participant_info_release(&pi, a, NULL);
    free(x);
    free(y);
  }
  lkattrs_map_free(a);
  lkattrs_map_free(b);
  free(ours);
  free(theirs);
  protobuf_c_message_free_unpacked(m, NULL);
}

/* protobuf-c's bytes for m (its own order: after an unpack, for comparing
 * messages written in different field orders).  Caller frees. */
static uint8_t *pbc_bytes(const ProtobufCMessage *m, size_t *n) {
  *n = protobuf_c_message_get_packed_size(m);
  uint8_t *x = malloc(*n + 1);
  if (!x) die("oom");
  protobuf_c_message_pack(m, x);
  return x;
}

/* a and b are the same message in protobuf-c. */
static bool pbc_same(const ProtobufCMessage *a, const ProtobufCMessage *b) {
  size_t na, nb;
  uint8_t *x = pbc_bytes(a, &na), *y = pbc_bytes(b, &nb);
  bool same = na == nb && !memcmp(x, y, na);
  free(x);
  free(y);
  return same;
}

/* A ParticipantInfo without its attributes (they are compared as maps):
 * equal in protobuf-c? */
static bool same_but_attributes(Livekit__ParticipantInfo *a, Livekit__ParticipantInfo *b) {
  Livekit__ParticipantInfo__AttributesEntry **ka = a->attributes, **kb = b->attributes;
  size_t na = a->n_attributes, nb = b->n_attributes;
  a->attributes = b->attributes = NULL;
  a->n_attributes = b->n_attributes = 0;
  bool same = pbc_same(&a->base, &b->base);
  a->attributes = ka;
  a->n_attributes = na;
  b->attributes = kb;
  b->n_attributes = nb;
  return same;
}

/* The state's attributes as a map (read from its bytes). */
static lkattrs_map *state_map(const lkattrs_participant *p) {
  static const uint32_t p15[] = {15};
  lkattrs_map *m = NULL;
  size_t n;
  const unsigned char *b = lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_INFO, &n);
  if (lkattrs_map_new(NULL, 0, &m) || lkattrs_wire_read_map(b, n, p15, 1, m, NULL)) die("state map");
  return m;
}

/* A state loaded with a ParticipantInfo vector; NULL (reported) when the
 * load fails.  Checks that the state holds what protobuf-c + adapter read
 * (the fields, the attribute map), that its bytes are canonical (loading
 * them again gives the same bytes), and that the ParticipantUpdate and
 * SignalResponse views wrap exactly that ParticipantInfo. */
static lkattrs_participant *check_load(const vec_t *info) {
  lkattrs_participant *st = NULL, *again = NULL;
  lkattrs_error_detail d;
  if (lkattrs_participant_new(NULL, &st) || lkattrs_participant_new(NULL, &again)) die("oom");
  if (lkattrs_participant_load(st, info->b, info->n, &d)) {
    fail(info->id, "load refuses it");
    lkattrs_participant_free(st);
    lkattrs_participant_free(again);
    return NULL;
  }
  size_t n, n2;
  const unsigned char *b = lkattrs_participant_bytes(st, LKATTRS_VIEW_PARTICIPANT_INFO, &n);
  Livekit__ParticipantInfo *theirs = livekit__participant_info__unpack(NULL, info->n, info->b);
  Livekit__ParticipantInfo *ours = livekit__participant_info__unpack(NULL, n, b);
  if (!theirs) die("protobuf-c unpack");
  if (!ours) {
    fail(info->id, "load: our ParticipantInfo does not decode in protobuf-c");
  } else {
    lkattrs_map *a = NULL, *pm = NULL;
    if (lkattrs_map_new(NULL, 0, &pm) || lkattrs_pbc_participant_info_get(theirs, pm, NULL))
      die("adapter");
    a = state_map(st);
    if (!same_but_attributes(ours, theirs)) fail(info->id, "load: fields differ from protobuf-c's");
    if (!lkattrs_map_equal(a, pm)) fail(info->id, "load: attributes differ from the adapter's map");
    if (lkattrs_participant_count(st) != lkattrs_map_count(pm) ||
        lkattrs_participant_attrs_bytes(st) != lkattrs_map_bytes(pm) ||
        lkattrs_participant_version(st) != theirs->version)
      fail(info->id, "load: count, size or version differs");
    lkattrs_map_free(a);
    lkattrs_map_free(pm);
  }
  /* Canonical: the same bytes once more. */
  if (lkattrs_participant_load(again, b, n, NULL)) fail(info->id, "load: our bytes do not load");
  const unsigned char *b2 = lkattrs_participant_bytes(again, LKATTRS_VIEW_PARTICIPANT_INFO, &n2);
  if (n2 != n || (n && memcmp(b, b2, n))) fail(info->id, "load: our bytes are not canonical");
  /* The views, as protobuf-c reads them. */
  const unsigned char *pu = lkattrs_participant_bytes(st, LKATTRS_VIEW_PARTICIPANT_UPDATE, &n2);
  Livekit__ParticipantUpdate *u = livekit__participant_update__unpack(NULL, n2, pu);
  if (!u || u->n_participants != 1 || !ours || !pbc_same(&u->participants[0]->base, &ours->base))
    fail(info->id, "load: the ParticipantUpdate view is not {participants: [info]}");
  if (u) livekit__participant_update__free_unpacked(u, NULL);
  const unsigned char *sr = lkattrs_participant_bytes(st, LKATTRS_VIEW_SIGNAL_RESPONSE, &n2);
  Livekit__SignalResponse *r = livekit__signal_response__unpack(NULL, n2, sr);
  if (!r || r->message_case != LIVEKIT__SIGNAL_RESPONSE__MESSAGE_UPDATE ||
      r->update->n_participants != 1 || !ours ||
      !pbc_same(&r->update->participants[0]->base, &ours->base))
    fail(info->id, "load: the SignalResponse view is not {update: {participants: [info]}}");
  if (r) livekit__signal_response__free_unpacked(r, NULL);
  if (ours) livekit__participant_info__free_unpacked(ours, NULL);
  livekit__participant_info__free_unpacked(theirs, NULL);
  lkattrs_participant_free(again);
  return st;
}

/* The state's update path vs protobuf-c + adapter + merge. */
static void check_update(const vec_t *info, const vec_t *upd, FILE *out) {
  lkattrs_participant *state = check_load(info);
  if (!state) return;
  lkattrs_map *pm = NULL;
  if (lkattrs_map_new(NULL, 0, &pm)) die("oom");
  lkattrs_limits unlimited = {0, 0, 0, 0, 0};
  lkattrs_rules rules = LKATTRS_RULES_INIT;
  rules.origin = LKATTRS_ORIGIN_SERVER;
  rules.limits = &unlimited;
  rules.max_metadata_bytes = 0;
  /* A response buffer of the documented bound: the echo always fits. */
  size_t cap = lkattrs_response_max_bytes(upd->n);
  uint8_t *resp = malloc(cap);
  if (!resp) die("oom");
  lkattrs_response_buf rb = {resp, cap, true, false};
  lkattrs_update_result r;
  lkattrs_status st = lkattrs_participant_apply(state, upd->b, upd->n,
                                                LKATTRS_UPDATE_PARTICIPANT_METADATA, &rules, &rb,
                                                &r, NULL);
  size_t newlen;
  const unsigned char *newinfo =
      lkattrs_participant_bytes(state, LKATTRS_VIEW_PARTICIPANT_INFO, &newlen);
  /* protobuf-c path. */
  Livekit__ParticipantInfo *pi = livekit__participant_info__unpack(NULL, info->n, info->b);
  Livekit__UpdateParticipantMetadata *um =
      livekit__update_participant_metadata__unpack(NULL, upd->n, upd->b);
  if (!pi || !um) die("protobuf-c unpack");
  lkattrs_entry *e = calloc(um->n_attributes + 1, sizeof *e);
  size_t changed = 0;
  if (lkattrs_pbc_participant_info_get(pi, pm, NULL) ||
      lkattrs_pbc_entries_view((void *const *)um->attributes, um->n_attributes, e))
    die("adapter");
  lkattrs_merge_opts mo = LKATTRS_MERGE_OPTS_INIT;
  mo.origin = LKATTRS_ORIGIN_SERVER;
  mo.limits = &unlimited;
  lkattrs_status st2 = lkattrs_merge(pm, e, um->n_attributes, &mo, &changed, NULL);
  lkattrs_map *wm = state_map(state);
  if (st != st2) fail(info->id, "update: status differs from merge");
  if (!lkattrs_map_equal(wm, pm)) fail(info->id, "update: map differs from merge");
  if (lkattrs_participant_changes(state) != (st == LKATTRS_OK ? changed : 0))
    fail(info->id, "update: change list differs from merge");
  /* The response: request_id, OK, and the echo equal to the update. */
  Livekit__RequestResponse *rr = livekit__request_response__unpack(NULL, r.resp_len, resp);
  if (st == LKATTRS_OK &&
      (r.echo_dropped || !rr || rr->request_id != um->request_id ||
       rr->reason != LIVEKIT__REQUEST_RESPONSE__REASON__OK || rr->message[0] ||
       rr->request_case != LIVEKIT__REQUEST_RESPONSE__REQUEST_UPDATE_METADATA ||
       !pbc_same(&rr->update_metadata->base, &um->base)))
    fail(info->id, "update: response differs from {request_id, OK, echo of the update}");
  if (rr) livekit__request_response__free_unpacked(rr, NULL);
  if (st == LKATTRS_OK && r.changed) {
    bool name = um->name[0] && strcmp(um->name, pi->name);
    bool md = um->metadata[0] && strcmp(um->metadata, pi->metadata);
    if (r.attrs_changed != changed || r.name_changed != name || r.metadata_changed != md ||
        r.version != pi->version + 1u || lkattrs_participant_version(state) != r.version)
      fail(info->id, "update: change report differs");
    /* protobuf-c's new ParticipantInfo. */
    Livekit__ParticipantInfo__AttributesEntry **keep = pi->attributes;
    size_t nkeep = pi->n_attributes;
    char *oldname = pi->name, *oldmd = pi->metadata;
    pi->attributes = NULL;
    pi->n_attributes = 0;
    if (lkattrs_pbc_participant_info_set(pi, pm, NULL)) die("set");
    pi->version++;
    if (name) pi->name = um->name;
    if (md) pi->metadata = um->metadata;
    size_t n1;
    uint8_t *x = pbc_bytes(&pi->base, &n1);
    lkattrs_pbc_participant_info_release(pi, pm, NULL);
    pi->attributes = keep;
    pi->n_attributes = nkeep;
    pi->name = oldname;
    pi->metadata = oldmd;
    /* Ours, through a protobuf-c round trip (field order). */
    Livekit__ParticipantInfo *back = livekit__participant_info__unpack(NULL, newlen, newinfo);
    if (!back) {
      fail(info->id, "update: our ParticipantInfo does not decode in protobuf-c");
    } else {
      size_t n2;
      uint8_t *y = pbc_bytes(&back->base, &n2);
      if (n1 != n2 || memcmp(x, y, n1)) fail(info->id, "update: ParticipantInfo differs from protobuf-c's");
      free(y);
      livekit__participant_info__free_unpacked(back, NULL);
    }
    free(x);
  }
  if (st == LKATTRS_OK) {
    sbuf_t sb = {0};
    sb_printf(&sb, "%ld ", info->id);
    sb_hex(&sb, info->b, info->n);
    sb_puts(&sb, " ");
    sb_hex(&sb, upd->b, upd->n);
    sb_puts(&sb, " ");
    if (r.changed) sb_hex(&sb, newinfo, newlen);
    else sb_puts(&sb, "-");
    sb_puts(&sb, "\n");
    fwrite(sb.data, 1, sb.len, out);
    free(sb.data);
  }
  free(e);
  free(resp);
  livekit__participant_info__free_unpacked(pi, NULL);
  livekit__update_participant_metadata__free_unpacked(um, NULL);
  lkattrs_map_free(wm);
  lkattrs_map_free(pm);
  lkattrs_participant_free(state);
}

int main(int argc, char **argv) {
  if (argc != 4) die("usage: wire_golden VECTORS.txt CUTS.txt UPDATES.out");
  FILE *f = fopen(argv[1], "r");
  if (!f) die("cannot open the vectors");
  vec_t *v = NULL;
  size_t nv = 0, checked = 0, updates = 0, cuts = 0;
  char *line = NULL;
  size_t cap = 0;
  long id;
  char *type;
  uint8_t *bytes;
  size_t n;
  int r;
  while ((r = read_vector(f, &line, &cap, &id, &type, &bytes, &n)) != 0) {
    if (r < 0) die("malformed vector line");
    const kind_t *k = kind_of(type);
    if (!k) {
      free(bytes);
      continue;
    }
    v = realloc(v, (nv + 1) * sizeof *v);
    v[nv++] = (vec_t){id, bytes, n, k};
  }
  fclose(f);
  for (size_t i = 0; i < nv; i++, checked++) check_reader(&v[i]);
  FILE *out = fopen(argv[3], "w");
  if (!out) die("cannot write the updates");
  size_t ui = 0;
  for (size_t i = 0; i < nv; i++) {
    if (v[i].k->desc != &livekit__participant_info__descriptor) continue;
    while (ui < nv && v[ui].k->desc != &livekit__update_participant_metadata__descriptor) ui++;
    if (ui == nv) break;
    check_update(&v[i], &v[ui++], out);
    updates++;
  }
  fclose(out);
  /* Truncations. */
  f = fopen(argv[2], "r");
  if (!f) die("cannot open the cuts");
  long cid, len;
  int ok;
  while (fscanf(f, "%ld %ld %d", &cid, &len, &ok) == 3) {
    const vec_t *x = NULL;
    for (size_t i = 0; i < nv && !x; i++)
      if (v[i].id == cid) x = &v[i];
    if (!x || len < 0 || (size_t)len > x->n) die("bad cut line");
    size_t cnt;
    lkattrs_status st = x->k->depth ? lkattrs_wire_collect(x->b, (size_t)len, x->k->path, x->k->depth,
                                                           LKATTRS_WIRE_RAW, NULL, 0, &cnt, NULL)
                                    : lkattrs_wire_check(x->b, (size_t)len, NULL);
    if ((st == LKATTRS_OK) != (ok == 1)) {
      char what[96];
      snprintf(what, sizeof what, "cut at %ld: ours %s, LiveKit's JS %s", len,
               st ? "rejects" : "accepts", ok ? "accepts" : "rejects");
      fail(cid, what);
    }
    cuts++;
  }
  fclose(f);
  for (size_t i = 0; i < nv; i++) free(v[i].b);
  free(v);
  free(line);
  printf("wire-golden: %zu vectors read as protobuf-c reads them, %zu ParticipantInfo loaded and updated "
         "as protobuf-c + merge, "
         "%zu truncations judged as LiveKit's JS judges them; %d failures\n",
         checked, updates, cuts, failures);
  return failures ? 1 : 0;
}
