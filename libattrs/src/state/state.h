/*
 * state.h - the participant state's private parts, shared by its files:
 * participant.c (the state: create, load, set_fields, join, read) and
 * update_scan.c, update_apply.c, update_response.c (an update).  Never
 * installed; every non-static name is prefixed lkattrs__.
 *
 * Layout.  Two buffers (the current and the next), each HEADROOM bytes for
 * the envelope headers then the info bytes, in this order:
 *   seg0  fields numbered below 5, as given
 *   md    metadata (5), once, left out when empty
 *   seg1  fields 6..8
 *   name  name (9), once, left out when empty
 *   ver   version (10), once, left out when 0
 *   seg2  fields 11..14
 *   attrs the entries (15), one per key, key order, {1: key, 2: value}
 *   seg3  fields above 15
 * `off` marks where each part ends.  The index idx[0..n] holds the offset
 * of every entry field relative to the start of attrs, idx[n] its end; it
 * is double-buffered with the bytes, so that after an operation the
 * previous bytes and index are still there: the change list points into
 * both.  An operation checks everything, sizes the result, makes room in
 * the next buffer, writes it in one pass and swaps.
 */
#ifndef LKATTRS_STATE_H
#define LKATTRS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../engine/engine.h"
#include "lkattrs/participant.h"
#include "lkattrs/wire.h"
#include "../wire/prim.h"

#define HEAD LKATTRS_PARTICIPANT_HEADROOM
#define NONE LKATTRS__NONE

/* Part ends in `off`. */
enum { P_SEG0, P_MD, P_SEG1, P_NAME, P_VER, P_SEG2, P_ATTRS, P_SEG3, P_N };

/* A change of the last operation: entry `old` of the previous index and
 * entry `at` of the current one (NONE: absent); during an update, `at` is
 * the planned position and `upd` the update entry (lkattrs__op). */
typedef lkattrs__op change_rec;

struct lkattrs_participant {
  unsigned char *buf[2];
  size_t buf_cap[2]; /* info bytes, headroom not counted */
  uint32_t *idx[2];
  uint64_t *pre[2]; /* the first 8 bytes of each key, big-endian, zero-padded:
                       searches compare these and decode an entry only on a tie;
                       pre[b] and idx[b] are one block, pre first */
  size_t idx_cap[2]; /* slots (entries + 1) */
  size_t off[2][P_N];
  size_t n[2];
  unsigned cur;
  size_t live; /* Σ key+value */
  uint32_t version;
  size_t pu_off, sr_off; /* envelope headers in the headroom of buf[cur] */
  /* scratch of one operation */
  lkattrs_entry *dec;
  uint32_t *sidx;
  size_t scap;
  change_rec *chg;
  size_t chg_cap, nchg;
  bool fixed;
  size_t max_entries; /* fixed: capacity */
#ifndef LKATTRS_NO_MALLOC
  lkattrs_allocator alc;
#endif
};

static inline unsigned char *info_of(const lkattrs_participant *p, unsigned b) {
  return p->buf[b] + HEAD;
}

static inline size_t info_len(const lkattrs_participant *p, unsigned b) {
  return p->off[b][P_SEG3];
}

static inline size_t part_start(const size_t *off, unsigned part) {
  return part ? off[part - 1] : 0;
}

/* Which part a field number goes to (P_MD etc. for the special ones). */
static inline unsigned part_of(uint32_t no) {
  if (no < 5) return P_SEG0;
  if (no == 5) return P_MD;
  if (no < 9) return P_SEG1;
  if (no == 9) return P_NAME;
  if (no == 10) return P_VER;
  if (no < 15) return P_SEG2;
  if (no == 15) return P_ATTRS;
  return P_SEG3;
}

static inline void entry_at(const lkattrs_participant *p, unsigned b, size_t i,
                     lkattrs_entry *e) {
  lkattrs__canonical_entry_at(info_of(p, b) + p->off[b][P_SEG2] + p->idx[b][i], e);
}

static inline bool same_text(const char *a, size_t al, const char *b, size_t bl) {
  return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

/* Bytes of one index slot: a key prefix and an offset. */
#define INDEX_SLOT (sizeof(uint64_t) + sizeof(uint32_t))

/* The prefix of a key, as the index keeps it (lkattrs__key_prefix()). */
#define key_prefix lkattrs__key_prefix

static inline size_t entry_bytes(size_t kl, size_t vl) {
  return lkattrs__entry_field_len(LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES, kl, vl);
}

static inline size_t version_bytes(uint32_t v) { return v ? 1u + lkattrs__varint_len(v) : 0; }

static inline unsigned char *put_entry(unsigned char *o, const lkattrs_entry *e) {
  return lkattrs__put_entry(o, LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES, e);
}

static inline bool rules_ok(const lkattrs_rules *r) {
  return (unsigned)r->origin <= LKATTRS_ORIGIN_TRUSTED;
}

/* Lower bound of key among the entries [lo, hi) of buffer b; *found. */
size_t lkattrs__state_lower_bound(const lkattrs_participant *p, unsigned b, const char *key,
                                  size_t klen, size_t lo, size_t hi, bool *found);

/* The current attributes as a store for the engine. */
void lkattrs__state_store(const lkattrs_participant *p, lkattrs__store *s);

/* Scratch for n decoded entries (and their sort index) and `changes`
 * change records: OK, NOSPACE (fixed), NOMEM. */
lkattrs_status lkattrs__state_room_scratch(lkattrs_participant *p, size_t n, size_t changes);

/* What scan_fields found in a message. */
typedef struct {
  const unsigned char *msg;
  size_t len;
  size_t seg_bytes[P_N]; /* bytes of the kept fields of each segment */
  const unsigned char *md, *name;
  size_t md_len, name_len;
  uint32_t version;
  size_t entries; /* entry fields (15) */
} fields;

/* Everything but the attributes of the info being written. */
typedef struct {
  const fields *f;       /* the other fields come from f, or (NULL) are kept */
  const char *md, *name; /* metadata and name written */
  size_t md_len, name_len;
  uint32_t version;
  size_t attrs_len; /* bytes of the attributes part */
  size_t count;     /* its entries */
} lkattrs__state_plan;

/* Make room in the next buffer for the planned info (NOSPACE, NOMEM). */
lkattrs_status lkattrs__state_plan_room(lkattrs_participant *p, const lkattrs__state_plan *pl,
                                        lkattrs_error_detail *d);

/* Writes the attributes at `at` of buffer next: entries, p->idx[next][0..n]
 * (offsets from at) and p->n[next]; returns the end. */
typedef unsigned char *(*lkattrs__attrs_fn)(void *ctx, lkattrs_participant *p, unsigned next,
                                   unsigned char *at);

/* Write the planned info into the next buffer in one pass and make it the
 * current one.  Room has been made. */
void lkattrs__state_emit(lkattrs_participant *p, const lkattrs__state_plan *pl,
                         lkattrs__attrs_fn fn, void *ctx);

/* The current metadata (P_MD) or name (P_NAME). */
void lkattrs__state_cur_text(const lkattrs_participant *p, unsigned part, const char **s,
                             size_t *n);

#endif /* LKATTRS_STATE_H */
