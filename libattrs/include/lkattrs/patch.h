/*
 * lkattrs/patch.h - applying updates (merge, join) and computing them (diff).
 *
 * An update is a partial map: each listed key is set to its value, a listed
 * key with an empty value is deleted, unlisted keys stay; deleting an absent
 * key is a no-op.  It is given either as an array of lkattrs_entry (in any
 * order, duplicates allowed: the last one wins, as on the wire) or as an
 * lkattrs_map (an update map, LKATTRS_MAP_UPDATE, may hold empty values).
 *
 * Every operation is atomic: everything (rules, limits, permissions, room in
 * fixed storage, allocations) is checked before anything changes, and on
 * any error the target map is exactly as before.
 *
 * Thread-safety: as for lkattrs_map; the inputs are only read.
 */
#ifndef LKATTRS_PATCH_H
#define LKATTRS_PATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "lkattrs/errors.h"
#include "lkattrs/export.h"
#include "lkattrs/map.h"
#include "lkattrs/validate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receives one changed key and its new value ("" with value_len 0 when the
 * key was removed).  The pointers point into the update and are valid only
 * during the call.  Called in key order, after every check has passed and
 * before the map is modified: the callback must not use the map. */
typedef void (*lkattrs_change_fn)(void *ctx, const char *key, size_t key_len,
                                  const char *value, size_t value_len);

/* How to merge. */
typedef struct lkattrs_merge_opts {
  lkattrs_origin origin;     /* who sends the update */
  bool can_update_metadata;  /* the sender's grant (CLIENT and AGENT only) */
  /* Compatibility switch: true turns the namespace rules off, as in LiveKit
   * (default false: rules enforced; a zeroed struct is the strict one). */
  bool skip_namespace_rules;
  const lkattrs_limits *limits; /* NULL: the defaults */
  lkattrs_change_fn on_change;  /* NULL: no report */
  void *change_ctx;
} lkattrs_merge_opts;

/* Initialiser: a client with no grant, strict rules, default limits. */
#define LKATTRS_MERGE_OPTS_INIT {LKATTRS_ORIGIN_CLIENT, false, false, NULL, NULL, NULL}

/*
 * lkattrs_merge - apply an update array to map.
 *
 * Rules, in order: a CLIENT or AGENT sender without can_update_metadata is
 * refused (NOT_ALLOWED) whatever the update holds; every entry (duplicates
 * included) must pass the key and value rules under opts->limits, and unless
 * skip_namespace_rules, the namespace rule for opts->origin (CLIENT: no
 * sip./ingress./lk. names; AGENT: lk.agent.* allowed; SERVER, TRUSTED:
 * anything) -> RESERVED_NAME; then, over the update with duplicates
 * resolved, Σ key+value bytes of the update (a deleted entry counts its key)
 * <= max_update_bytes, and the resulting map's Σ <= max_map_bytes and count
 * <= max_entries (TOO_LARGE / TOO_MANY_ENTRIES).
 *
 * map: a plain or update map (into an update map, empty values are stored:
 * this composes two updates).  update may be NULL when count is 0.  opts
 * must not be NULL.  changed (may be NULL) receives the number of keys whose
 * value changed (setting the same value or deleting an absent key is not a
 * change); opts->on_change, when set, receives each of them.  detail (may be
 * NULL) names the first offending entry: its key, its index in `update`,
 * the byte offset.
 * Errors: INVALID_ARGUMENT, NOT_ALLOWED, RESERVED_NAME, KEY_EMPTY,
 * KEY_TOO_LONG, VALUE_TOO_LONG, UTF8, NUL, CONTROL_CHAR, TOO_LARGE,
 * TOO_MANY_ENTRIES, NOMEM, NOSPACE (fixed storage full, or a fixed map
 * given more update entries than its entry capacity: the sort uses the
 * map's scratch table).
 * Cost: O(k log k) sort of the k update entries, O(k log n) searches, and
 * O(n) memmove.  Heap maps allocate a k-entry index for k > 1.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_merge(lkattrs_map *map, const lkattrs_entry *update, size_t count,
              const lkattrs_merge_opts *opts, size_t *changed,
              lkattrs_error_detail *detail);

/*
 * lkattrs_merge_map - the same with the update given as a map (plain: sets
 * only; update map: empty values delete).  update must not be map.
 * detail->index is the entry's position in `update`.  Never allocates
 * scratch.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_merge_map(lkattrs_map *map, const lkattrs_map *update,
                  const lkattrs_merge_opts *opts, size_t *changed,
                  lkattrs_error_detail *detail);

/*
 * lkattrs_join - the attributes of a participant that joins.
 *
 * out becomes token (the token's `attributes` claim) with join
 * (JoinRequest.participant_attributes) laid over it: join values win,
 * duplicates resolve last-wins, and entries whose (winning) value is empty
 * are skipped (a join deletes nothing).  Example: token {a:0, b:1} + join
 * {b:2, c:3} = {a:0, b:2, c:3}.
 *
 * token: a plain map (trusted: no rule is applied to it again).
 * join, n: the join entries (join may be NULL when n is 0); they pass the
 *   key and value rules and the namespace rules for opts->origin.
 * opts: NULL means LKATTRS_MERGE_OPTS_INIT (a client without the grant).
 *   A non-empty join from a CLIENT or AGENT needs can_update_metadata
 *   (else NOT_ALLOWED).  opts->limits (NULL: defaults) bound the resulting
 *   map (max_map_bytes, max_entries); max_update_bytes is not applied;
 *   on_change is ignored.
 * out: a plain map; may be token itself.  On error out is unchanged.
 * detail: may be NULL; names the offending join entry (its index in join).
 * Errors: as lkattrs_merge().
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_join(const lkattrs_map *token, const lkattrs_entry *join, size_t n,
             const lkattrs_merge_opts *opts, lkattrs_map *out,
             lkattrs_error_detail *detail);

/*
 * lkattrs_diff - the minimal update that turns map a into map b: every key
 * whose value differs, with b's value, or "" where b lacks it; in key order.
 * That is the set of keys livekit-client reports in `attributesChanged`.
 * lkattrs_merge(a, diff) gives b; diff(m, m) is empty.
 *
 * a and b must be plain maps.  out (may be NULL: *count then receives the
 * size needed) receives up to cap entries whose pointers point into a and b
 * (valid while those are unchanged).  Errors: INVALID_ARGUMENT, BUFFER_TOO_SMALL
 * (cap too small; *count is the size needed).  O(|a| + |b|).
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_diff(const lkattrs_map *a, const lkattrs_map *b, lkattrs_entry *out,
             size_t cap, size_t *count);

/*
 * lkattrs_diff_map - the same diff, copied into `out`, an update map
 * (LKATTRS_MAP_UPDATE), whose previous contents are replaced.  out must be
 * neither a nor b.  On error out is unchanged.
 * Errors: INVALID_ARGUMENT, NOMEM, NOSPACE.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_diff_map(const lkattrs_map *a, const lkattrs_map *b, lkattrs_map *out);

/*
 * lkattrs_hide_phone_number - dst becomes src without the entries that
 * LiveKit leaves out when hide_phone_number is set (see
 * lkattrs_name_hidden_by_phone_setting()).  dst == src filters in place
 * (never fails then).  removed (may be NULL) receives the number of entries
 * left out.  On error dst is unchanged.
 * Errors: INVALID_ARGUMENT, NOMEM, NOSPACE.
 */
LKATTRS_NODISCARD LKATTRS_API lkattrs_status
lkattrs_hide_phone_number(lkattrs_map *dst, const lkattrs_map *src,
                          size_t *removed);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_PATCH_H */
