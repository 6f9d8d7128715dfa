/*
 * fuzz_maps.h - a property of the map harness (fuzz_merge.c): two maps are
 * the same when they hold equal entries and encode to the same bytes.
 */
#ifndef LKATTRS_FUZZ_MAPS_H
#define LKATTRS_FUZZ_MAPS_H

#include <stdbool.h>

#include "fuzz_util.h"
#include "lkattrs/lkattrs.h"

static inline bool fz_maps_same(const lkattrs_map *a, const lkattrs_map *b) {
  unsigned char *x = NULL, *y = NULL;
  size_t xl = 0, yl = 0;
  FUZZ_CHECK(lkattrs_wire_encode_map(a, 15, NULL, &x, &xl) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_wire_encode_map(b, 15, NULL, &y, &yl) == LKATTRS_OK);
  bool same = xl == yl && (xl == 0 || memcmp(x, y, xl) == 0);
  free(x);
  free(y);
  return same && lkattrs_map_equal(a, b);
}

#endif /* LKATTRS_FUZZ_MAPS_H */
