/*
 * internal.h - private declarations shared by the core sources.  Never
 * installed; every non-static function here is prefixed lkattrs__.
 */
#ifndef LKATTRS_INTERNAL_H
#define LKATTRS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lkattrs/errors.h"
#include "lkattrs/map.h"
#include "lkattrs/patch.h"
#include "lkattrs/validate.h"

#ifdef LKATTRS_NO_ERRMSG
#define LKATTRS__MSG(s) ""
#else
#define LKATTRS__MSG(s) s
#endif

/* Fill *detail (when not NULL) and return code. */
lkattrs_status lkattrs__fail(lkattrs_error_detail *detail, lkattrs_status code,
                             const char *key, size_t key_len, size_t index,
                             size_t offset, bool in_value, const char *message);

/* Reset *detail (when not NULL) to the success state. */
void lkattrs__ok(lkattrs_error_detail *detail);

/* Check s[0..len) as a key (controls forbidden) or a value.  Returns OK,
 * E_UTF8, E_NUL or E_CONTROL_CHAR, with *bad at the first bad byte. */
lkattrs_status lkattrs__check_text(const char *s, size_t len, bool key,
                                   size_t *bad);

/* Validate one update entry: key and value rules under `limits`, and the
 * namespace rule for `origin` unless `namespaces` is false.  Fills detail
 * with `index`. */
lkattrs_status lkattrs__check_entry(const lkattrs_entry *e, size_t index,
                                    const lkattrs_limits *limits,
                                    lkattrs_origin origin, bool namespaces,
                                    lkattrs_error_detail *detail);

/* ---- map internals (map.c) ----
 *
 * Storage: `ent` holds `count` uint32 offsets into `arena`, sorted by key.
 * Each record in the arena is an 8-byte header {key_len | dead bit,
 * value_len} (native endianness, read with memcpy), the key, a NUL, the
 * value, a NUL.  Records are appended; deleting or overwriting marks the old
 * record dead, and compaction (only when the arena is full) slides the live
 * records down.  Fixed maps carry a scratch array of `cap` uint32 for
 * sorting update arrays. */
#define LKATTRS__HDR 8u
#define LKATTRS__DEAD 0x80000000u
#define LKATTRS__REC(klen, vlen) (LKATTRS__HDR + (klen) + (vlen) + 2u)
#define LKATTRS__F_UPDATE LKATTRS_MAP_UPDATE
#define LKATTRS__F_FIXED 0x100u

struct lkattrs_map {
  uint32_t *ent;
  uint32_t *scratch; /* fixed maps: cap slots; heap maps: NULL */
  unsigned char *arena;
  size_t count; /* entries */
  size_t cap;   /* entry capacity */
  size_t used;  /* arena bytes in use, dead records included */
  size_t size;  /* arena capacity */
  size_t dead;  /* arena bytes of dead records */
  size_t live;  /* Σ key+value bytes of the entries */
  unsigned flags;
#ifndef LKATTRS_NO_MALLOC
  lkattrs_allocator alc;
#endif
};

/* Entry i of m. */
void lkattrs__entry(const lkattrs_map *m, size_t i, lkattrs_entry *e);

/* Lower bound of key in m->ent[lo..hi): sets *pos, returns true on a match. */
bool lkattrs__find(const lkattrs_map *m, const char *key, size_t key_len,
                   size_t lo, size_t hi, size_t *pos);

/* Canonical order: memcmp over the common length, then shorter first. */
int lkattrs__keycmp(const char *a, size_t alen, const char *b, size_t blen);

/* Make room for `entries` entries and for `need` more arena bytes while
 * `kill` arena bytes are about to die (so a compaction may be enough).
 * Never changes the contents.  Returns OK, E_NOSPACE (fixed / too big) or
 * E_NOMEM. */
lkattrs_status lkattrs__reserve(lkattrs_map *m, size_t entries, size_t need,
                                size_t kill);

/* Compact the arena if `need` more bytes do not fit after `used`. */
void lkattrs__make_room(lkattrs_map *m, size_t need);

/* Append a record (room must have been made) and return its offset. */
uint32_t lkattrs__append(lkattrs_map *m, const lkattrs_entry *e);

/* Mark the record at offset off dead and account for it. */
void lkattrs__kill(lkattrs_map *m, uint32_t off);

/* An update seen as a sorted list without duplicate keys: entry i is
 * arr[idx ? idx[i] : i], or entry i of map `src` when arr is NULL, or, when
 * `wire` is set, the encoded map entry whose field starts at offset idx[i]
 * of `wire` (wire.c; the message has been checked). */
typedef struct {
  const lkattrs_entry *arr;
  const uint32_t *idx;
  const lkattrs_map *src;
  size_t n;
  const unsigned char *wire;
} lkattrs__upd;

/* Callback reporting one changed key (value "" when removed). */
typedef void (*lkattrs__report_fn)(void *ctx, const lkattrs_entry *e);

/* What applying an update to a map would do. */
typedef struct {
  size_t count;     /* resulting entries */
  size_t live;      /* resulting Σ key+value */
  size_t upd_bytes; /* Σ key+value over the update (deleted: key only) */
  size_t new_rec;   /* arena bytes of the records to append */
  size_t dead_rec;  /* arena bytes of the records that die */
  size_t changed;   /* entries whose value changes */
} lkattrs__plan;

void lkattrs__upd_get(const lkattrs__upd *u, size_t i, lkattrs_entry *e);

/* Plan applying u to m (m unchanged).  Calls report(ctx, e) for every change
 * when report is not NULL.  Errors: NOSPACE (a key or value too big to
 * store). */
lkattrs_status lkattrs__plan_update(const lkattrs_map *m, const lkattrs__upd *u,
                                    lkattrs__plan *p, lkattrs__report_fn report,
                                    void *ctx);

/* Apply u to m as planned; lkattrs__reserve(m, p->count, p->new_rec,
 * p->dead_rec) must have succeeded.  Cannot fail. */
void lkattrs__apply(lkattrs_map *m, const lkattrs__upd *u,
                    const lkattrs__plan *p);

/* Arena bytes of the live records of m. */
size_t lkattrs__rec_bytes(const lkattrs_map *m);

/* Replace dst's contents with src's; room must have been reserved. */
void lkattrs__copy_raw(lkattrs_map *dst, const lkattrs_map *src);

/* Remove entry i (never allocates). */
void lkattrs__remove(lkattrs_map *m, size_t i);

/* Saturating addition. */
size_t lkattrs__add(size_t a, size_t b);

/* Scratch allocation for sorting (heap: the map's allocator). */
lkattrs_status lkattrs__scratch(lkattrs_map *m, size_t n, uint32_t **out);
void lkattrs__scratch_free(lkattrs_map *m, uint32_t *p, size_t n);

/* ---- wire internals (wire.c) ---- */

/* The key and value of the checked map entry field at offset off of wire. */
void lkattrs__wire_entry(const unsigned char *wire, uint32_t off,
                         lkattrs_entry *e);

/* Sort off[0..n) (entry offsets in wire order) by key, keep the last entry
 * of each key, return the new length.  Heapsort: no recursion, no memory. */
size_t lkattrs__wire_sort_dedup(const unsigned char *wire, uint32_t *off,
                                size_t n);

/* Called by lkattrs__merge_wire() once the update is checked, planned and
 * room is made in m, before m changes; a non-OK status aborts the merge
 * with m unchanged. */
typedef lkattrs_status (*lkattrs__precommit_fn)(void *ctx, const lkattrs_map *m,
                                                const lkattrs__upd *u,
                                                const lkattrs__plan *p);

/* lkattrs_merge() with the update given as n encoded entries of `wire`
 * (offsets off[0..n) in wire order; sorted in place).  (patch.c) */
lkattrs_status lkattrs__merge_wire(lkattrs_map *map, const unsigned char *wire,
                                   uint32_t *off, size_t n,
                                   const lkattrs_merge_opts *opts,
                                   lkattrs__precommit_fn hook, void *hook_ctx,
                                   size_t *changed, lkattrs_error_detail *detail);

/* lkattrs__merge_wire() with the update's entries decoded: arr[0..n) in
 * wire order, sorted through idx[0..n) (the caller's scratch; NULL when
 * n < 2), so that no entry is decoded again.  (patch.c) */
lkattrs_status lkattrs__merge_entries(lkattrs_map *map, const lkattrs_entry *arr,
                                      uint32_t *idx, size_t n,
                                      const lkattrs_merge_opts *opts,
                                      lkattrs__precommit_fn hook, void *hook_ctx,
                                      lkattrs_error_detail *detail);

#endif /* LKATTRS_INTERNAL_H */
