/* map.c - the attribute map's storage: records in an arena, a sorted
 * entry table, lookup, and applying a planned edit.  The only file that
 * knows struct lkattrs_map. */
#include "lkattrs/map.h"

#include <string.h>
#ifndef LKATTRS_NO_MALLOC
#include <stdlib.h>
#endif

#include "../rules/rules.h"
#include "storage.h"

/* Storage: `ent` holds `count` uint32 offsets into `arena`, sorted by key.
 * Each record in the arena is an 8-byte header {key_len | dead bit,
 * value_len} (native endianness, read with memcpy), the key, a NUL, the
 * value, a NUL.  Records are appended; deleting or overwriting marks the old
 * record dead, and compaction (only when the arena is full) slides the live
 * records down.  Fixed maps carry a scratch array of `cap` uint32 for
 * sorting update arrays. */
#define LKATTRS__HDR 8u
#define LKATTRS__DEAD 0x80000000u
#define LKATTRS__REC(klen, vlen) (LKATTRS__HDR + (klen) + (vlen) + 2u)
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

_Static_assert(sizeof(struct lkattrs_map) + _Alignof(struct lkattrs_map) - 1 <=
                   LKATTRS_MAP_FIXED_OVERHEAD,
               "LKATTRS_MAP_FIXED_OVERHEAD too small");
_Static_assert(LKATTRS_MAP_FIXED_ENTRY_BYTES ==
                   2 * sizeof(uint32_t) + LKATTRS__REC(0, 0),
               "LKATTRS_MAP_FIXED_ENTRY_BYTES out of date");

#define ARENA_MAX ((size_t)UINT32_MAX)
#define FIXED(m) (((m)->flags & LKATTRS__F_FIXED) != 0)

/* ---- records ---- */

static void hdr(const lkattrs_map *m, uint32_t off, uint32_t h[2]) {
  memcpy(h, m->arena + off, LKATTRS__HDR);
}

void lkattrs__entry(const lkattrs_map *m, size_t i, lkattrs_entry *e) {
  uint32_t h[2], off = m->ent[i];
  hdr(m, off, h);
  e->key = (const char *)m->arena + off + LKATTRS__HDR;
  e->key_len = h[0] & ~LKATTRS__DEAD;
  e->value = e->key + e->key_len + 1;
  e->value_len = h[1];
}

bool lkattrs__find(const lkattrs_map *m, const char *key, size_t key_len,
                   size_t lo, size_t hi, size_t *pos) {
  lkattrs_entry e;
  int c = 1;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    lkattrs__entry(m, mid, &e);
    c = lkattrs__keycmp(e.key, e.key_len, key, key_len);
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
      if (c == 0) break;
    }
  }
  *pos = c == 0 ? hi : lo;
  return c == 0;
}

static uint32_t append(lkattrs_map *m, const lkattrs_entry *e) {
  uint32_t h[2] = {(uint32_t)e->key_len, (uint32_t)e->value_len};
  unsigned char *p = m->arena + m->used;
  memcpy(p, h, LKATTRS__HDR);
  p += LKATTRS__HDR;
  if (e->key_len) memcpy(p, e->key, e->key_len);
  p[e->key_len] = 0;
  p += e->key_len + 1;
  if (e->value_len) memcpy(p, e->value, e->value_len);
  p[e->value_len] = 0;
  uint32_t off = (uint32_t)m->used;
  m->used += LKATTRS__REC(e->key_len, e->value_len);
  return off;
}

static void kill(lkattrs_map *m, uint32_t off) {
  uint32_t h[2];
  hdr(m, off, h);
  m->dead += LKATTRS__REC(h[0], h[1]);
  h[0] |= LKATTRS__DEAD;
  memcpy(m->arena + off, h, LKATTRS__HDR);
}

static size_t rec_bytes(const lkattrs_map *m) { return m->used - m->dead; }
size_t lkattrs__rec_total(const lkattrs_map *m) { return rec_bytes(m); }

void lkattrs__sorted_get(const lkattrs__sorted *u, size_t i, lkattrs_entry *e) {
  if (u->arr)
    *e = u->arr[u->idx ? u->idx[i] : i];
  else
    lkattrs__entry(u->src, i, e);
}

/* Slide the live records down over the dead ones, in O(n) without
 * comparing keys: first each live record's header takes the index of its
 * entry (the key length parks in the entry table), then one pass over the
 * arena moves the records, restores the headers and sets the offsets.
 * Every entry must point to a live record. */
static void compact(lkattrs_map *m) {
  size_t r = 0, w = 0;
  for (size_t i = 0; i < m->count; i++) {
    uint32_t h[2];
    hdr(m, m->ent[i], h);
    memcpy(m->arena + m->ent[i], &(uint32_t){(uint32_t)i}, sizeof(uint32_t));
    m->ent[i] = h[0]; /* the key length (live: no dead bit) */
  }
  while (r < m->used) {
    uint32_t h[2];
    hdr(m, (uint32_t)r, h);
    bool dead = (h[0] & LKATTRS__DEAD) != 0;
    size_t i = h[0], klen = dead ? h[0] & ~LKATTRS__DEAD : m->ent[i];
    size_t n = LKATTRS__REC(klen, h[1]);
    if (!dead) {
      h[0] = (uint32_t)klen;
      memcpy(m->arena + r, h, LKATTRS__HDR);
      if (w != r) memmove(m->arena + w, m->arena + r, n);
      m->ent[i] = (uint32_t)w;
      w += n;
    }
    r += n;
  }
  m->used = w;
  m->dead = 0;
}

static void make_room(lkattrs_map *m, size_t need) {
  if (m->size - m->used < need) compact(m);
}

static void move_ent(lkattrs_map *m, size_t dst, size_t src, size_t n) {
  if (dst != src && n) memmove(m->ent + dst, m->ent + src, n * sizeof(uint32_t));
}

void lkattrs__remove(lkattrs_map *m, size_t i) {
  lkattrs_entry e;
  lkattrs__entry(m, i, &e);
  m->live -= e.key_len + e.value_len;
  kill(m, m->ent[i]);
  move_ent(m, i, i + 1, m->count - i - 1);
  m->count--;
}

/* ---- memory ---- */

#ifndef LKATTRS_NO_MALLOC
/* Grow *p from old to size bytes; *p unchanged on failure. */
static lkattrs_status grow(lkattrs_map *m, void **p, size_t old, size_t size) {
  void *q = *p ? m->alc.realloc(m->alc.ctx, *p, old, size)
               : m->alc.alloc(m->alc.ctx, size);
  if (!q) return LKATTRS_E_NOMEM;
  *p = q;
  return LKATTRS_OK;
}
#endif

static lkattrs_status reserve(lkattrs_map *m, size_t entries, size_t need,
                                size_t kill) {
  size_t after = lkattrs__add(m->used - m->dead - kill, need);
  bool more_ent = entries > m->cap;
  bool more_arena = need > m->size - m->used && after > m->size;
  if (!more_ent && !more_arena) return LKATTRS_OK;
  if (FIXED(m) || after > ARENA_MAX || entries > ARENA_MAX)
    return LKATTRS_E_NOSPACE;
#ifdef LKATTRS_NO_MALLOC
  return LKATTRS_E_NOSPACE;
#else
  if (more_ent) {
    size_t cap = m->cap < 4 ? 8 : m->cap + m->cap / 2;
    if (cap < entries || cap > ARENA_MAX) cap = entries;
    void *p = m->ent;
    if (grow(m, &p, m->cap * sizeof(uint32_t), cap * sizeof(uint32_t)))
      return LKATTRS_E_NOMEM;
    m->ent = p;
    m->cap = cap;
  }
  if (more_arena) {
    size_t size = lkattrs__add(after, after / 2 + 64);
    if (size > ARENA_MAX) size = ARENA_MAX;
    void *p = m->arena;
    if (grow(m, &p, m->size, size)) return LKATTRS_E_NOMEM;
    m->arena = p;
    m->size = size;
  }
  return LKATTRS_OK;
#endif
}

lkattrs_status lkattrs__scratch(lkattrs_map *m, size_t n, uint32_t **out) {
  if (n > ARENA_MAX) return LKATTRS_E_NOSPACE;
  if (FIXED(m)) {
    *out = m->scratch;
    return n <= m->cap ? LKATTRS_OK : LKATTRS_E_NOSPACE;
  }
#ifdef LKATTRS_NO_MALLOC
  return LKATTRS_E_NOSPACE;
#else
  *out = m->alc.alloc(m->alc.ctx, n * sizeof(uint32_t) + 1);
  return *out ? LKATTRS_OK : LKATTRS_E_NOMEM;
#endif
}

void lkattrs__scratch_free(lkattrs_map *m, uint32_t *p, size_t n) {
#ifndef LKATTRS_NO_MALLOC
  if (p && !FIXED(m)) m->alc.free(m->alc.ctx, p, n * sizeof(uint32_t) + 1);
#else
  (void)m;
  (void)p;
  (void)n;
#endif
}

/* ---- edits ---- */

size_t lkattrs__rec_size(size_t key_len, size_t value_len) {
  if (key_len >= LKATTRS__DEAD || value_len >= LKATTRS__DEAD) return SIZE_MAX;
  return LKATTRS__REC(key_len, value_len);
}

lkattrs_status lkattrs__reserve_edit(lkattrs_map *m, const lkattrs__edit *e) {
  return reserve(m, e->count, e->new_rec, e->dead_rec);
}

static bool deletes(const lkattrs_map *m, const lkattrs_entry *e) {
  return e->value_len == 0 && !(m->flags & LKATTRS_MAP_UPDATE);
}

static bool same_value(const lkattrs_map *m, size_t pos, const lkattrs_entry *e,
                       lkattrs_entry *old) {
  lkattrs__entry(m, pos, old);
  return old->value_len == e->value_len &&
         memcmp(old->value, e->value, e->value_len) == 0;
}

static const char empty[1] = "";

void lkattrs__apply(lkattrs_map *m, const lkattrs__sorted *u, const lkattrs__edit *p) {
  /* With room for every new record, overwrites happen in place.  Otherwise
   * overwritten entries are removed first and inserted again after the
   * compaction (which needs every entry to point to a live record). */
  bool inplace = m->size - m->used >= p->new_rec;
  size_t r = 0, w = 0, pos;
  lkattrs_entry e, old;

  /* Forward: drop deleted (and, unless in place, overwritten) entries. */
  for (size_t i = 0; i < u->n; i++) {
    lkattrs__sorted_get(u, i, &e);
    bool found = lkattrs__find(m, e.key, e.key_len, r, m->count, &pos);
    move_ent(m, w, r, pos - r);
    w += pos - r;
    r = pos;
    if (!found || same_value(m, pos, &e, &old)) continue;
    kill(m, m->ent[pos]);
    if (!deletes(m, &e) && inplace)
      m->ent[pos] = append(m, &e);
    else
      r = pos + 1;
  }
  move_ent(m, w, r, m->count - r);
  m->count = w + (m->count - r);

  /* Backward: insert what is missing, merging from the end (nothing is
   * missing when the count is already the planned one). */
  if (inplace && m->count == p->count) {
    m->count = p->count;
    m->live = p->live;
    return;
  }
  make_room(m, inplace ? 0 : p->new_rec);
  r = m->count;
  w = p->count;
  for (size_t i = u->n; i-- > 0;) {
    lkattrs__sorted_get(u, i, &e);
    if (deletes(m, &e) || lkattrs__find(m, e.key, e.key_len, 0, r, &pos))
      continue;
    move_ent(m, w - (r - pos), pos, r - pos);
    w -= r - pos;
    r = pos;
    m->ent[--w] = append(m, &e);
  }
  m->count = p->count;
  m->live = p->live;
}

static void copy_raw(lkattrs_map *dst, const lkattrs_map *src) {
  lkattrs_entry e;
  dst->count = dst->used = dst->dead = 0;
  for (size_t i = 0; i < src->count; i++) {
    lkattrs__entry(src, i, &e);
    dst->ent[i] = append(dst, &e);
  }
  dst->count = src->count;
  dst->live = src->live;
}

lkattrs_status lkattrs__refill_begin(lkattrs_map *m, size_t count, size_t rec) {
  lkattrs_status st = reserve(m, count, rec, rec_bytes(m));
  if (st == LKATTRS_OK) lkattrs_map_clear(m);
  return st;
}

void lkattrs__refill_push(lkattrs_map *m, const lkattrs_entry *e) {
  m->ent[m->count++] = append(m, e);
  m->live += e->key_len + e->value_len;
}

/* ---- public API ---- */

#define KNOWN_FLAGS LKATTRS_MAP_UPDATE

lkattrs_status lkattrs_map_new(const lkattrs_allocator *alc, unsigned flags,
                               lkattrs_map **out) {
  if (!out) return LKATTRS_E_INVALID_ARGUMENT;
  *out = NULL;
  if (flags & ~KNOWN_FLAGS) return LKATTRS_E_INVALID_ARGUMENT;
#ifdef LKATTRS_NO_MALLOC
  (void)alc;
  return LKATTRS_E_UNSUPPORTED;
#else
  alc = lkattrs__allocator_or_libc(alc);
  if (!alc->alloc || !alc->realloc || !alc->free)
    return LKATTRS_E_INVALID_ARGUMENT;
  lkattrs_map *m = alc->alloc(alc->ctx, sizeof *m);
  if (!m) return LKATTRS_E_NOMEM;
  memset(m, 0, sizeof *m);
  m->alc = *alc;
  m->flags = flags;
  *out = m;
  return LKATTRS_OK;
#endif
}

lkattrs_status lkattrs_map_init_fixed(void *storage, size_t storage_bytes,
                                      size_t max_entries, unsigned flags,
                                      lkattrs_map **out) {
  if (!out) return LKATTRS_E_INVALID_ARGUMENT;
  *out = NULL;
  if (!storage || (flags & ~KNOWN_FLAGS)) return LKATTRS_E_INVALID_ARGUMENT;
  size_t al = _Alignof(struct lkattrs_map);
  size_t skip = (al - (size_t)((uintptr_t)storage % al)) % al;
  size_t head = skip + sizeof(struct lkattrs_map);
  if (storage_bytes < head || max_entries > ARENA_MAX ||
      (storage_bytes - head) / (2 * sizeof(uint32_t)) < max_entries)
    return LKATTRS_E_NOSPACE;
  unsigned char *base = (unsigned char *)storage + skip;
  lkattrs_map *m = (lkattrs_map *)(void *)base;
  memset(m, 0, sizeof *m);
  m->ent = (uint32_t *)(void *)(base + sizeof *m);
  m->scratch = m->ent + max_entries;
  m->arena = (unsigned char *)(m->scratch + max_entries);
  m->cap = max_entries;
  m->size = storage_bytes - head - 2 * sizeof(uint32_t) * max_entries;
  if (m->size > ARENA_MAX) m->size = ARENA_MAX;
  m->flags = flags | LKATTRS__F_FIXED;
  *out = m;
  return LKATTRS_OK;
}

void lkattrs_map_free(lkattrs_map *map) {
  if (!map || FIXED(map)) return;
#ifndef LKATTRS_NO_MALLOC
  lkattrs_allocator a = map->alc;
  if (map->ent) a.free(a.ctx, map->ent, map->cap * sizeof(uint32_t));
  if (map->arena) a.free(a.ctx, map->arena, map->size);
  a.free(a.ctx, map, sizeof *map);
#endif
}

lkattrs_status lkattrs_map_allocator(const lkattrs_map *map,
                                     lkattrs_allocator *out) {
  if (!map || !out) return LKATTRS_E_INVALID_ARGUMENT;
#ifdef LKATTRS_NO_MALLOC
  return LKATTRS_E_UNSUPPORTED;
#else
  if (FIXED(map)) return LKATTRS_E_UNSUPPORTED;
  *out = map->alc;
  return LKATTRS_OK;
#endif
}

size_t lkattrs_map_count(const lkattrs_map *map) { return map ? map->count : 0; }
size_t lkattrs_map_bytes(const lkattrs_map *map) { return map ? map->live : 0; }
unsigned lkattrs_map_flags(const lkattrs_map *map) {
  return map ? map->flags & KNOWN_FLAGS : 0;
}

lkattrs_status lkattrs_map_get(const lkattrs_map *map, const char *key,
                               size_t key_len, const char **value,
                               size_t *value_len) {
  size_t pos;
  lkattrs_entry e;
  if (!map || (!key && key_len)) return LKATTRS_E_INVALID_ARGUMENT;
  if (!lkattrs__find(map, key, key_len, 0, map->count, &pos))
    return LKATTRS_E_NOT_FOUND;
  lkattrs__entry(map, pos, &e);
  if (value) *value = e.value;
  if (value_len) *value_len = e.value_len;
  return LKATTRS_OK;
}

lkattrs_status lkattrs_map_at(const lkattrs_map *map, size_t index,
                              lkattrs_entry *out) {
  if (!map || !out) return LKATTRS_E_INVALID_ARGUMENT;
  if (index >= map->count) return LKATTRS_E_NOT_FOUND;
  lkattrs__entry(map, index, out);
  return LKATTRS_OK;
}

lkattrs_status lkattrs_map_set(lkattrs_map *map, const char *key,
                               size_t key_len, const char *value,
                               size_t value_len) {
  size_t bad, pos;
  lkattrs_status st;
  lkattrs_entry e = {key, key_len, value ? value : empty, value_len}, old = {empty, 0, empty, 0};
  if (!map || (!key && key_len) || (!value && value_len))
    return LKATTRS_E_INVALID_ARGUMENT;
  if (!key_len) return LKATTRS_E_KEY_EMPTY;
  st = lkattrs__check_text(key, key_len, true, &bad);
  if (!st) st = lkattrs__check_text(e.value, value_len, false, &bad);
  if (st) return st;
  bool found = lkattrs__find(map, key, key_len, 0, map->count, &pos);
  if (found && same_value(map, pos, &e, &old)) return LKATTRS_OK;
  if (deletes(map, &e)) {
    if (found) lkattrs__remove(map, pos);
    return LKATTRS_OK;
  }
  size_t rec = lkattrs__rec_size(key_len, value_len);
  if (rec == SIZE_MAX) return LKATTRS_E_NOSPACE;
  lkattrs__edit ed = {map->count + !found, 0, rec,
                      found ? LKATTRS__REC(old.key_len, old.value_len) : 0};
  if ((st = lkattrs__reserve_edit(map, &ed)) != LKATTRS_OK) return st;
  lkattrs__sorted u = {&e, NULL, NULL, 1};
  ed.live = map->live - (found ? old.key_len + old.value_len : 0) + key_len + value_len;
  lkattrs__apply(map, &u, &ed);
  return LKATTRS_OK;
}

lkattrs_status lkattrs_map_delete(lkattrs_map *map, const char *key,
                                  size_t key_len, bool *removed) {
  size_t pos;
  if (removed) *removed = false;
  if (!map || (!key && key_len)) return LKATTRS_E_INVALID_ARGUMENT;
  if (!lkattrs__find(map, key, key_len, 0, map->count, &pos)) return LKATTRS_OK;
  lkattrs__remove(map, pos);
  if (removed) *removed = true;
  return LKATTRS_OK;
}

void lkattrs_map_clear(lkattrs_map *map) {
  if (map) map->count = map->used = map->dead = map->live = 0;
}

lkattrs_status lkattrs_map_reserve(lkattrs_map *map, size_t entries,
                                   size_t data_bytes) {
  if (!map) return LKATTRS_E_INVALID_ARGUMENT;
  if (entries < map->count) entries = map->count;
  size_t need = lkattrs__add(data_bytes, entries * LKATTRS__REC(0, 0));
  size_t have = rec_bytes(map);
  return reserve(map, entries, need > have ? need - have : 0, 0);
}

bool lkattrs_map_equal(const lkattrs_map *a, const lkattrs_map *b) {
  lkattrs_entry x, y;
  if (!a || !b) return a == b;
  if (a->count != b->count || a->live != b->live) return false;
  for (size_t i = 0; i < a->count; i++) {
    lkattrs__entry(a, i, &x);
    lkattrs__entry(b, i, &y);
    if (x.key_len != y.key_len || x.value_len != y.value_len ||
        memcmp(x.key, y.key, x.key_len + 1 + x.value_len) != 0)
      return false;
  }
  return true;
}

lkattrs_status lkattrs_map_copy(lkattrs_map *dst, const lkattrs_map *src) {
  lkattrs_entry e;
  if (!dst || !src) return LKATTRS_E_INVALID_ARGUMENT;
  if (dst == src) return LKATTRS_OK;
  if (!(dst->flags & LKATTRS_MAP_UPDATE))
    for (size_t i = 0; i < src->count; i++) {
      lkattrs__entry(src, i, &e);
      if (!e.value_len) return LKATTRS_E_INVALID_ARGUMENT;
    }
  lkattrs_status st = reserve(dst, src->count, rec_bytes(src),
                                       rec_bytes(dst));
  if (!st) copy_raw(dst, src);
  return st;
}
