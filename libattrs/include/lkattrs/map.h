/*
 * lkattrs/map.h - the attribute map.
 *
 * An lkattrs_map holds key/value pairs in canonical order: keys compared
 * bytewise (memcmp), a key that is a prefix of another first.  Keys and
 * values are (pointer, length) pairs; the map copies them, and every key and
 * value pointer the map hands out is NUL-terminated (neither may contain
 * U+0000) and stays valid until the map is next modified or freed.
 *
 * Two storage modes, one API:
 *   heap   lkattrs_map_new(): grows through an allocator (NULL: libc).
 *          Compiled out by LKATTRS_NO_MALLOC (the constructors then return
 *          LKATTRS_E_UNSUPPORTED).
 *   fixed  lkattrs_map_init_fixed(): lives entirely in caller storage, never
 *          allocates; an operation that does not fit returns
 *          LKATTRS_E_NOSPACE and leaves the map unchanged.
 *
 * Two kinds of map:
 *   plain  (default) a participant's attributes: never holds an empty value;
 *          setting a key to "" deletes it.
 *   update (LKATTRS_MAP_UPDATE) a partial map: an empty value is stored and
 *          means "delete this key" when the update is merged.
 *
 * Cost: lookup O(log n); set/delete O(log n) search + one memmove of the
 * entry array; the arena is compacted in place only when it is full.
 * Limits: the arena of one map is below 4 GiB; a key below 2 GiB.
 *
 * Thread-safety: distinct maps may be used from distinct threads; a map is
 * not synchronised (concurrent reads are fine, a write needs exclusion).
 */
#ifndef LKATTRS_MAP_H
#define LKATTRS_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "lkattrs/errors.h"
#include "lkattrs/export.h"
#include "lkattrs/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lkattrs_map lkattrs_map;

/* Map flags. */
#define LKATTRS_MAP_UPDATE 0x1u /* an update map: empty values kept */

/* Fixed storage: bytes needed for a map of at most `entries` entries whose
 * keys and values total at most `data_bytes` bytes, whatever the history of
 * sets and deletes.  Storage of this size, with any alignment, is enough. */
#define LKATTRS_MAP_FIXED_OVERHEAD (16u * sizeof(void *) + 16u)
#define LKATTRS_MAP_FIXED_ENTRY_BYTES 18u
#define LKATTRS_MAP_FIXED_BYTES(entries, data_bytes)                         \
  (LKATTRS_MAP_FIXED_OVERHEAD + (size_t)(entries)*LKATTRS_MAP_FIXED_ENTRY_BYTES + \
   (size_t)(data_bytes))

/*
 * lkattrs_map_new - create an empty heap map.
 *
 * alc: allocator, copied into the map; NULL means libc.
 * flags: 0 (a plain map) or LKATTRS_MAP_UPDATE (an update map).
 * out: must not be NULL; *out receives the map (NULL on error), to be
 *   released with lkattrs_map_free().
 * Errors: INVALID_ARGUMENT (out NULL, unknown flags, an allocator without
 * all three functions), NOMEM, UNSUPPORTED (built with LKATTRS_NO_MALLOC).
 * Example:
 *   lkattrs_map *m;
 *   if (lkattrs_map_new(NULL, 0, &m) != LKATTRS_OK) return;
 *   if (lkattrs_map_set(m, "color", 5, "blue", 4) == LKATTRS_OK) ...
 *   lkattrs_map_free(m);
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_map_new(const lkattrs_allocator *alc, unsigned flags, lkattrs_map **out);

/*
 * lkattrs_map_init_fixed - create an empty map inside caller storage.
 *
 * storage: storage_bytes bytes owned by the caller, any alignment, that
 * must outlive the map and not be touched while it is in use.  max_entries:
 * entry capacity; the rest of the storage after the map header and the
 * entry tables is the byte arena.  Size it with LKATTRS_MAP_FIXED_BYTES().
 * *out receives the map (which points into storage).
 * Errors: INVALID_ARGUMENT (NULL pointers, unknown flags), NOSPACE (storage
 * too small for the header and max_entries).  Never allocates.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_map_init_fixed(void *storage, size_t storage_bytes, size_t max_entries,
                       unsigned flags, lkattrs_map **out);

/*
 * lkattrs_map_free - release a heap map and everything it owns.  NULL is a
 * no-op; a fixed map is just abandoned (its storage is the caller's).
 */
LKATTRS_API void lkattrs_map_free(lkattrs_map *map);

/*
 * lkattrs_map_allocator - copy the allocator of a heap map to *out (for
 * blocks that go with the map, e.g. the adapters' entry arrays).
 * Errors: INVALID_ARGUMENT (NULL), UNSUPPORTED (a fixed map, or a
 * LKATTRS_NO_MALLOC build: no allocator).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_map_allocator(const lkattrs_map *map, lkattrs_allocator *out);

/* Number of entries (0 for NULL). */
LKATTRS_API size_t lkattrs_map_count(const lkattrs_map *map);

/* Σ (key bytes + value bytes) over the entries, LiveKit's size measure
 * (0 for NULL). */
LKATTRS_API size_t lkattrs_map_bytes(const lkattrs_map *map);

/* LKATTRS_MAP_UPDATE when the map is an update map, else 0 (0 for NULL). */
LKATTRS_API unsigned lkattrs_map_flags(const lkattrs_map *map);

/*
 * lkattrs_map_get - look a key up.
 *
 * value, value_len may be NULL.  On success *value points to the map's
 * NUL-terminated copy.  Errors: NOT_FOUND, INVALID_ARGUMENT (map NULL, key
 * NULL with key_len > 0).  O(log n).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_map_get(const lkattrs_map *map, const char *key, size_t key_len,
                const char **value, size_t *value_len);

/*
 * lkattrs_map_at - the entry at position index (0 <= index < count), in
 * canonical order.  Iterate with
 *   for (size_t i = 0; i < lkattrs_map_count(m); i++)
 *     if (lkattrs_map_at(m, i, &e) == LKATTRS_OK) use(e);
 * Errors: NOT_FOUND (index out of range), INVALID_ARGUMENT (NULL).  O(1).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_map_at(const lkattrs_map *map, size_t index, lkattrs_entry *out);

/*
 * lkattrs_map_set - set key to value (copied).
 *
 * Checks the syntax rules of lkattrs/validate.h (not the size limits, which
 * are policy: see lkattrs_merge()).  In a plain map an empty value deletes
 * the key.  On error the map is unchanged.
 * Errors: INVALID_ARGUMENT, KEY_EMPTY, UTF8, NUL, CONTROL_CHAR, NOMEM,
 * NOSPACE (fixed map full; also a key >= 2 GiB).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_map_set(lkattrs_map *map, const char *key, size_t key_len,
                const char *value, size_t value_len);

/*
 * lkattrs_map_delete - remove key if present (absent: no-op, LKATTRS_OK).
 * *removed (may be NULL) says whether it was present.  Never allocates.
 * Errors: INVALID_ARGUMENT.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_map_delete(lkattrs_map *map, const char *key, size_t key_len,
                   bool *removed);

/* lkattrs_map_clear - remove every entry, keep the storage.  NULL: no-op. */
LKATTRS_API void lkattrs_map_clear(lkattrs_map *map);

/*
 * lkattrs_map_reserve - make room for `entries` entries holding `data_bytes`
 * bytes of keys and values, so later sets up to that size do not allocate.
 * Errors: INVALID_ARGUMENT, NOMEM, NOSPACE (fixed map smaller than that).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_map_reserve(lkattrs_map *map, size_t entries, size_t data_bytes);

/*
 * lkattrs_map_equal - same keys with the same values (the kind, the storage
 * mode and the history do not matter).  NULL equals only NULL.  O(n).
 */
LKATTRS_API bool lkattrs_map_equal(const lkattrs_map *a, const lkattrs_map *b);

/*
 * lkattrs_map_copy - replace dst's contents with src's (dst keeps its own
 * storage mode and allocator).  dst == src is a no-op.  Atomic: on error dst
 * is unchanged.
 * Errors: INVALID_ARGUMENT (NULL; src is an update map holding an empty
 * value and dst is plain), NOMEM, NOSPACE.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_map_copy(lkattrs_map *dst, const lkattrs_map *src);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_MAP_H */
