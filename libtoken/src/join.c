/* join.c - the join flow fed from verified claims (lkattrs_join). */
#include <string.h>

#include "lktoken_internal.h"

lkattrs_status lktoken_join(const lktoken_claims *claims,
                            const lkattrs_entry *join_attrs, size_t join_count,
                            const lkattrs_merge_opts *opts, lkattrs_map *out,
                            lkattrs_error_detail *detail) {
  if (claims == NULL || out == NULL ||
      (claims->attributes == NULL && claims->attributes_count > 0)) {
    if (detail != NULL) {
      memset(detail, 0, sizeof *detail);
      detail->code = LKATTRS_E_INVALID_ARGUMENT;
      detail->index = LKATTRS_NO_INDEX;
      detail->message = lkattrs_strerror(LKATTRS_E_INVALID_ARGUMENT);
    }
    return LKATTRS_E_INVALID_ARGUMENT;
  }
  const lkattrs_allocator *alc =
      claims->owned_alc_.alloc != NULL ? &claims->owned_alc_ : NULL;
  lkattrs_map *start = NULL;
  lkattrs_status st = lkattrs_map_new(alc, 0, &start);
  /* The token's entries, trusted (an empty value is skipped). */
  for (size_t i = 0; st == LKATTRS_OK && i < claims->attributes_count; i++) {
    const lkattrs_entry *e = &claims->attributes[i];
    if (e->value_len == 0) continue;
    st = lkattrs_map_set(start, e->key, e->key_len, e->value, e->value_len);
    if (st != LKATTRS_OK && detail != NULL) {
      memset(detail, 0, sizeof *detail);
      detail->code = st;
      detail->key = e->key;
      detail->key_len = e->key_len;
      detail->index = LKATTRS_NO_INDEX;
      detail->message = lkattrs_strerror(st);
    }
  }
  if (st == LKATTRS_OK) {
    lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
    if (opts != NULL) o = *opts;
    o.can_update_metadata = lktoken_can_update_metadata(claims);
    st = lkattrs_join(start, join_attrs, join_count, &o, out, detail);
  } else if (start == NULL && detail != NULL) {
    memset(detail, 0, sizeof *detail);
    detail->code = st;
    detail->index = LKATTRS_NO_INDEX;
    detail->message = lkattrs_strerror(st);
  }
  lkattrs_map_free(start);
  return st;
}
