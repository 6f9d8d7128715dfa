/*
 * test_util.h - small helpers shared by the unit tests: building maps from
 * string lists, comparing them, and a seeded random generator.
 * (Include after <cmocka.h>.)
 */
#ifndef LKATTRS_TEST_UTIL_H
#define LKATTRS_TEST_UTIL_H

#include <stdint.h>
#include <string.h>

#include "lkattrs/lkattrs.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* An entry from C strings. */
static inline lkattrs_entry E(const char *k, const char *v) {
  lkattrs_entry e = {k, strlen(k), v, strlen(v)};
  return e;
}

/* Set every pair of a NULL-terminated {k, v, k, v, ..., NULL} list. */
static inline void fill_map(lkattrs_map *m, const char *const *kv) {
  for (; kv[0]; kv += 2)
    assert_int_equal(lkattrs_map_set(m, kv[0], strlen(kv[0]), kv[1], strlen(kv[1])),
                     LKATTRS_OK);
}

static inline lkattrs_map *new_map(const char *const *kv) {
  lkattrs_map *m = NULL;
  assert_int_equal(lkattrs_map_new(NULL, 0, &m), LKATTRS_OK);
  if (kv) fill_map(m, kv);
  return m;
}

/* Assert that m holds exactly the {k, v, ..., NULL} pairs, in this order. */
static inline void assert_map(const lkattrs_map *m, const char *const *kv) {
  size_t n = 0;
  for (; kv[2 * n]; n++) {
    lkattrs_entry e;
    assert_int_equal(lkattrs_map_at(m, n, &e), LKATTRS_OK);
    assert_int_equal(e.key_len, strlen(kv[2 * n]));
    assert_memory_equal(e.key, kv[2 * n], e.key_len);
    assert_int_equal(e.value_len, strlen(kv[2 * n + 1]));
    assert_memory_equal(e.value, kv[2 * n + 1], e.value_len);
  }
  assert_int_equal(lkattrs_map_count(m), n);
}

/* xorshift64*, fixed seeds for reproducible property tests. */
static inline uint64_t rnd_next(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ULL;
}
static inline size_t rnd(uint64_t *s, size_t n) { return (size_t)(rnd_next(s) % n); }

/* Append a random key or value (units of 1 to 4 UTF-8 bytes, from a small
 * alphabet so that keys collide and prefix one another) to buf; returns its
 * length. */
static inline size_t rnd_text(uint64_t *s, char *buf, size_t max_units) {
  static const char *const units[] = {"a", "b", "c", ".", "\xc3\xa9",
                                      "\xe2\x82\xac", "\xf0\x9f\x98\x80", "Z"};
  size_t n = rnd(s, max_units + 1), len = 0;
  for (size_t i = 0; i < n; i++) {
    const char *u = units[rnd(s, ARRAY_LEN(units))];
    memcpy(buf + len, u, strlen(u));
    len += strlen(u);
  }
  return len;
}

#endif /* LKATTRS_TEST_UTIL_H */
