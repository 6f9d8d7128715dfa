/* test_map.c - the attribute map: order, lookup, set/delete, copy, equality,
 * heap and fixed storage, allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counting_alloc.h"
#include "ref_map.h"
#include "test_util.h"

#define SET(m, k, v) lkattrs_map_set(m, k, strlen(k), v, strlen(v))

static void test_canonical_order(void **state) {
  (void)state;
  lkattrs_map *m = new_map((const char *const[]){
      "b", "2", "a\xc3\xa9", "5", "ab", "4", "a", "1", "aa", "3", "B", "0", NULL});
  /* Bytewise, a prefix before its extensions, UTF-8 after ASCII. */
  assert_map(m, (const char *const[]){"B", "0", "a", "1", "aa", "3", "ab", "4",
                                      "a\xc3\xa9", "5", "b", "2", NULL});
  assert_int_equal(lkattrs_map_bytes(m), 1 + 1 + 1 + 1 + 2 + 1 + 2 + 1 + 3 + 1 + 1 + 1);
  lkattrs_entry e;
  assert_int_equal(lkattrs_map_at(m, 6, &e), LKATTRS_E_NOT_FOUND);
  assert_int_equal(lkattrs_map_at(NULL, 0, &e), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_map_at(m, 0, NULL), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_map_free(m);
}

static void test_get_set_delete(void **state) {
  (void)state;
  lkattrs_map *m = new_map(NULL);
  const char *v;
  size_t vl;
  assert_int_equal(lkattrs_map_get(m, "k", 1, &v, &vl), LKATTRS_E_NOT_FOUND);
  assert_int_equal(SET(m, "k", "value"), LKATTRS_OK);
  assert_int_equal(lkattrs_map_get(m, "k", 1, &v, &vl), LKATTRS_OK);
  assert_string_equal(v, "value"); /* NUL-terminated copy */
  assert_int_equal(vl, 5);
  assert_int_equal(lkattrs_map_get(m, "k", 1, NULL, NULL), LKATTRS_OK);
  /* Overwrite, longer and shorter; same value. */
  assert_int_equal(SET(m, "k", "a much longer value"), LKATTRS_OK);
  assert_int_equal(SET(m, "k", "s"), LKATTRS_OK);
  assert_int_equal(SET(m, "k", "s"), LKATTRS_OK);
  assert_int_equal(lkattrs_map_get(m, "k", 1, &v, &vl), LKATTRS_OK);
  assert_string_equal(v, "s");
  assert_int_equal(lkattrs_map_count(m), 1);
  assert_int_equal(lkattrs_map_bytes(m), 2);
  /* Keys are compared by length too. */
  assert_int_equal(lkattrs_map_get(m, "k\0", 2, &v, &vl), LKATTRS_E_NOT_FOUND);
  assert_int_equal(lkattrs_map_get(m, "", 0, &v, &vl), LKATTRS_E_NOT_FOUND);
  /* Empty value deletes in a plain map. */
  assert_int_equal(SET(m, "k", ""), LKATTRS_OK);
  assert_int_equal(lkattrs_map_count(m), 0);
  assert_int_equal(lkattrs_map_set(m, "x", 1, NULL, 0), LKATTRS_OK);
  assert_int_equal(lkattrs_map_count(m), 0);
  /* Delete. */
  bool removed = true;
  assert_int_equal(SET(m, "x", "1"), LKATTRS_OK);
  assert_int_equal(lkattrs_map_delete(m, "y", 1, &removed), LKATTRS_OK);
  assert_false(removed);
  assert_int_equal(lkattrs_map_delete(m, "x", 1, &removed), LKATTRS_OK);
  assert_true(removed);
  assert_int_equal(lkattrs_map_delete(m, "x", 1, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_map_count(m), 0);
  assert_int_equal(lkattrs_map_bytes(m), 0);
  /* Argument errors. */
  assert_int_equal(lkattrs_map_get(NULL, "k", 1, &v, &vl), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_map_get(m, NULL, 1, &v, &vl), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_map_set(NULL, "k", 1, "v", 1), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_map_set(m, "k", 1, NULL, 1), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_map_delete(NULL, "k", 1, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_map_count(NULL), 0);
  assert_int_equal(lkattrs_map_bytes(NULL), 0);
  lkattrs_map_free(m);
  lkattrs_map_free(NULL); /* no-op */
}

static void test_set_validates(void **state) {
  (void)state;
  lkattrs_map *m = new_map((const char *const[]){"a", "1", NULL});
  assert_int_equal(lkattrs_map_set(m, "", 0, "v", 1), LKATTRS_E_KEY_EMPTY);
  assert_int_equal(lkattrs_map_set(m, "a\x01", 2, "v", 1), LKATTRS_E_CONTROL_CHAR);
  assert_int_equal(lkattrs_map_set(m, "a\xc2\x85", 3, "v", 1), LKATTRS_E_CONTROL_CHAR);
  assert_int_equal(lkattrs_map_set(m, "a\0", 2, "v", 1), LKATTRS_E_NUL);
  assert_int_equal(lkattrs_map_set(m, "\xed\xa0\x80", 3, "v", 1), LKATTRS_E_UTF8);
  assert_int_equal(lkattrs_map_set(m, "b", 1, "v\0", 2), LKATTRS_E_NUL);
  assert_int_equal(lkattrs_map_set(m, "a", 1, "\xc0\xaf", 2), LKATTRS_E_UTF8);
  assert_map(m, (const char *const[]){"a", "1", NULL});
  /* Controls other than NUL are fine in values; a 4-byte char anywhere. */
  assert_int_equal(lkattrs_map_set(m, "b\xf0\x9f\x98\x80", 5, "\t\x7f\xc2\x85", 4),
                   LKATTRS_OK);
  lkattrs_map_free(m);
}

static void test_update_map_keeps_empty(void **state) {
  (void)state;
  lkattrs_map *u = NULL;
  assert_int_equal(lkattrs_map_new(NULL, LKATTRS_MAP_UPDATE, &u), LKATTRS_OK);
  assert_int_equal(lkattrs_map_flags(u), LKATTRS_MAP_UPDATE);
  assert_int_equal(SET(u, "gone", ""), LKATTRS_OK);
  assert_int_equal(SET(u, "kept", "1"), LKATTRS_OK);
  assert_map(u, (const char *const[]){"gone", "", "kept", "1", NULL});
  assert_int_equal(SET(u, "gone", ""), LKATTRS_OK); /* no-op */
  assert_int_equal(lkattrs_map_count(u), 2);
  /* Copying it into a plain map is refused; the other way is fine. */
  lkattrs_map *m = new_map((const char *const[]){"x", "y", NULL});
  assert_int_equal(lkattrs_map_flags(m), 0);
  assert_int_equal(lkattrs_map_copy(m, u), LKATTRS_E_INVALID_ARGUMENT);
  assert_map(m, (const char *const[]){"x", "y", NULL});
  assert_int_equal(lkattrs_map_copy(u, m), LKATTRS_OK);
  assert_map(u, (const char *const[]){"x", "y", NULL});
  assert_true(lkattrs_map_equal(u, m));
  lkattrs_map_free(u);
  lkattrs_map_free(m);
  assert_int_equal(lkattrs_map_new(NULL, 0x80, &u), LKATTRS_E_INVALID_ARGUMENT);
  assert_null(u);
  assert_int_equal(lkattrs_map_new(NULL, 0, NULL), LKATTRS_E_INVALID_ARGUMENT);
}

static void test_equal_copy_clear(void **state) {
  (void)state;
  lkattrs_map *a = new_map((const char *const[]){"a", "1", "b", "2", NULL});
  lkattrs_map *b = new_map((const char *const[]){"b", "2", "a", "1", NULL});
  lkattrs_map *c = new_map((const char *const[]){"a", "1", "b", "3", NULL});
  lkattrs_map *d = new_map((const char *const[]){"a", "1", NULL});
  lkattrs_map *e = new_map((const char *const[]){"a", "1", "bb", "", "b", "2", NULL});
  assert_true(lkattrs_map_equal(a, b));
  assert_true(lkattrs_map_equal(a, e));
  assert_false(lkattrs_map_equal(a, c));
  assert_false(lkattrs_map_equal(a, d));
  assert_false(lkattrs_map_equal(a, NULL));
  assert_true(lkattrs_map_equal(NULL, NULL));
  /* Values of the same total but different split. */
  lkattrs_map *f = new_map((const char *const[]){"a", "12", "b", "", NULL});
  lkattrs_map *g = new_map((const char *const[]){"a", "1", "b", "2", NULL});
  assert_false(lkattrs_map_equal(f, g));
  assert_int_equal(lkattrs_map_copy(c, a), LKATTRS_OK);
  assert_true(lkattrs_map_equal(c, a));
  assert_int_equal(lkattrs_map_copy(c, c), LKATTRS_OK);
  assert_int_equal(lkattrs_map_copy(NULL, c), LKATTRS_E_INVALID_ARGUMENT);
  /* Copy into a fixed map and back. */
  static unsigned char storage[LKATTRS_MAP_FIXED_BYTES(4, 64)];
  lkattrs_map *fx;
  assert_int_equal(lkattrs_map_init_fixed(storage, sizeof storage, 4, 0, &fx), LKATTRS_OK);
  assert_int_equal(lkattrs_map_copy(fx, a), LKATTRS_OK);
  assert_true(lkattrs_map_equal(fx, a));
  assert_int_equal(lkattrs_map_copy(d, fx), LKATTRS_OK);
  assert_true(lkattrs_map_equal(d, a));
  lkattrs_map_clear(a);
  assert_int_equal(lkattrs_map_count(a), 0);
  assert_int_equal(lkattrs_map_bytes(a), 0);
  assert_int_equal(SET(a, "z", "9"), LKATTRS_OK);
  assert_map(a, (const char *const[]){"z", "9", NULL});
  lkattrs_map_clear(NULL);
  lkattrs_map *all[] = {a, b, c, d, e, f, g};
  for (size_t i = 0; i < ARRAY_LEN(all); i++) lkattrs_map_free(all[i]);
  lkattrs_map_free(fx); /* fixed: no-op */
}

/* Fixed storage: exactly the advertised capacity, then NOSPACE with the map
 * unchanged. */
static void test_fixed_capacity(void **state) {
  (void)state;
  /* 4 entries, 4 * (3-byte key + 5-byte value) = 32 bytes. */
  enum { N = 4, B = 32 };
  static unsigned char storage[LKATTRS_MAP_FIXED_BYTES(N, B) + 8];
  for (size_t align = 0; align < 8; align++) {
    lkattrs_map *m, *snap = new_map(NULL);
    /* The macro is enough; find the smallest storage that holds the four
     * entries, so that the arena is then exactly full. */
    size_t size = LKATTRS_MAP_FIXED_BYTES(N, B);
    for (;; size--) {
      assert_int_equal(lkattrs_map_init_fixed(storage + align, size, N, 0, &m), LKATTRS_OK);
      fill_map(m, (const char *const[]){"a00", "vvvvv", "a01", "vvvvv", "a02", "vvvvv",
                                        "a03", "vvvvv", NULL});
      if (lkattrs_map_init_fixed(storage + align, size - 1, N, 0, &m) != LKATTRS_OK) break;
      bool fits = true;
      for (int i = 0; i < 4 && fits; i++)
        fits = lkattrs_map_set(m, (char[]){'a', '0', (char)('0' + i)}, 3, "vvvvv", 5) ==
               LKATTRS_OK;
      if (!fits) break;
    }
    assert_int_equal(lkattrs_map_init_fixed(storage + align, size, N, 0, &m), LKATTRS_OK);
    assert_int_equal(SET(m, "k03", "vvvvv"), LKATTRS_OK);
    assert_int_equal(SET(m, "k01", "vvvvv"), LKATTRS_OK);
    assert_int_equal(SET(m, "k02", "vvvvv"), LKATTRS_OK);
    assert_int_equal(SET(m, "k00", "vvvvv"), LKATTRS_OK);
    assert_int_equal(lkattrs_map_bytes(m), B);
    assert_int_equal(lkattrs_map_copy(snap, m), LKATTRS_OK);
    /* One entry past capacity. */
    assert_int_equal(SET(m, "k04", "v"), LKATTRS_E_NOSPACE);
    assert_true(lkattrs_map_equal(m, snap));
    /* The arena is exactly full: one more byte does not fit... */
    assert_int_equal(SET(m, "k00", "vvvvvv"), LKATTRS_E_NOSPACE);
    assert_true(lkattrs_map_equal(m, snap));
    /* ...but same-size overwrites do, again and again (compaction). */
    for (int i = 0; i < 50; i++) {
      char v[6] = "aaaaa";
      v[i % 5] = (char)('b' + i % 20);
      char k[4] = "k00";
      k[2] = (char)('0' + i % 4);
      assert_int_equal(lkattrs_map_set(m, k, 3, v, 5), LKATTRS_OK);
      assert_int_equal(lkattrs_map_bytes(m), B);
    }
    /* Shrink one, then another may grow by the same amount. */
    assert_int_equal(SET(m, "k00", "v"), LKATTRS_OK);
    assert_int_equal(SET(m, "k01", "vvvvvvvvv"), LKATTRS_OK);
    assert_int_equal(SET(m, "k02", "vvvvvv"), LKATTRS_E_NOSPACE);
    /* Delete one: a new key fits again. */
    assert_int_equal(lkattrs_map_delete(m, "k03", 3, NULL), LKATTRS_OK);
    assert_int_equal(SET(m, "k04", "vvvvv"), LKATTRS_OK);
    assert_int_equal(lkattrs_map_count(m), N);
    lkattrs_map_free(snap);
  }
  /* Storage too small for the tables. */
  lkattrs_map *m = (lkattrs_map *)1;
  assert_int_equal(lkattrs_map_init_fixed(storage, 16, 4, 0, &m), LKATTRS_E_NOSPACE);
  assert_null(m);
  assert_int_equal(lkattrs_map_init_fixed(NULL, 100, 1, 0, &m), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_map_init_fixed(storage, sizeof storage, 1, 0, NULL),
                   LKATTRS_E_INVALID_ARGUMENT);
  /* Zero entries is a valid, always-empty map. */
  assert_int_equal(lkattrs_map_init_fixed(storage, sizeof storage, 0, 0, &m), LKATTRS_OK);
  assert_int_equal(SET(m, "a", "b"), LKATTRS_E_NOSPACE);
  assert_int_equal(lkattrs_map_reserve(m, 1, 0), LKATTRS_E_NOSPACE);
}

/* Random sets and deletes on a fixed map and a heap map, against the
 * reference: NOSPACE exactly when the result would not fit. */
static void test_random_churn(void **state) {
  (void)state;
  enum { N = 24, B = 300 };
  static unsigned char storage[LKATTRS_MAP_FIXED_BYTES(N, B)];
  static ref_map ref;
  uint64_t seed = 0x5eed1234;
  lkattrs_map *fx, *heap = new_map(NULL);
  assert_int_equal(lkattrs_map_init_fixed(storage, sizeof storage, N, 0, &fx), LKATTRS_OK);
  ref.n = 0;
  for (int it = 0; it < 20000; it++) {
    char k[64], v[64];
    size_t kl = rnd_text(&seed, k, 3), vl = rnd_text(&seed, v, 4);
    if (!kl) k[kl++] = 'k';
    if (rnd(&seed, 4) == 0) vl = 0;
    lkattrs_entry e = {k, kl, v, vl};
    /* Would the result fit? */
    ref_item *old = ref_find(&ref, k, kl);
    size_t n = ref.n, bytes = 0;
    for (size_t i = 0; i < ref.n; i++) bytes += ref.it[i].kl + ref.it[i].vl;
    if (old) {
      n--;
      bytes -= old->kl + old->vl;
    }
    if (vl) {
      n++;
      bytes += kl + vl;
    }
    bool fits = n <= N && bytes <= B;
    lkattrs_status st = lkattrs_map_set(fx, k, kl, v, vl);
    assert_int_equal(st, fits ? LKATTRS_OK : LKATTRS_E_NOSPACE);
    assert_int_equal(lkattrs_map_set(heap, k, kl, v, vl), LKATTRS_OK);
    if (fits) {
      ref_apply(&ref, &e, false);
    } else {
      assert_int_equal(lkattrs_map_delete(heap, k, kl, NULL), LKATTRS_OK);
      if (old) { /* put the heap map back in step with the reference */
        assert_int_equal(lkattrs_map_set(heap, old->k, old->kl, old->v, old->vl),
                         LKATTRS_OK);
      }
    }
    if (it % 97 == 0 || !fits) {
      assert_true(ref_equal(&ref, fx));
      assert_true(ref_equal(&ref, heap));
    }
  }
  assert_true(lkattrs_map_equal(fx, heap));
  lkattrs_map_free(heap);
}

static void test_large_heap_map(void **state) {
  (void)state;
  enum { N = 20000 };
  lkattrs_map *m = new_map(NULL);
  uint64_t seed = 42;
  char k[32];
  /* Insert in a scrambled order; keys k<i*7919 mod N>. */
  for (size_t i = 0; i < N; i++) {
    int kl = snprintf(k, sizeof k, "key-%zu", (i * 7919) % N);
    assert_int_equal(lkattrs_map_set(m, k, (size_t)kl, k, (size_t)kl), LKATTRS_OK);
  }
  assert_int_equal(lkattrs_map_count(m), N);
  lkattrs_entry prev, e;
  for (size_t i = 0; i < N; i++) {
    assert_int_equal(lkattrs_map_at(m, i, &e), LKATTRS_OK);
    assert_string_equal(e.key, e.value);
    if (i) assert_true(ref_keycmp(prev.key, prev.key_len, e.key, e.key_len) < 0);
    prev = e;
  }
  for (size_t i = 0; i < N; i += 2) {
    int kl = snprintf(k, sizeof k, "key-%zu", i);
    assert_int_equal(lkattrs_map_delete(m, k, (size_t)kl, NULL), LKATTRS_OK);
  }
  assert_int_equal(lkattrs_map_count(m), N / 2);
  for (size_t i = 0; i < 1000; i++) {
    size_t j = rnd(&seed, N);
    int kl = snprintf(k, sizeof k, "key-%zu", j);
    assert_int_equal(lkattrs_map_get(m, k, (size_t)kl, NULL, NULL),
                     j % 2 ? LKATTRS_OK : LKATTRS_E_NOT_FOUND);
  }
  lkattrs_map_free(m);
}

/* Fail the 1st, 2nd, ... allocation of set and copy: NOMEM, unchanged map,
 * nothing leaked. */
static void test_allocation_failures(void **state) {
  (void)state;
  counting_alloc ca = {0};
  lkattrs_allocator alc = counting_allocator(&ca);
  lkattrs_map *m = NULL;
  ca.fail_at = 1;
  assert_int_equal(lkattrs_map_new(&alc, 0, &m), LKATTRS_E_NOMEM);
  assert_null(m);
  ca.fail_at = 0;
  assert_int_equal(lkattrs_map_new(&alc, 0, &m), LKATTRS_OK);
  lkattrs_map *snap = new_map(NULL);
  char k[32];
  size_t failures = 0;
  for (int i = 0; i < 300; i++) {
    int kl = snprintf(k, sizeof k, "key%03d", (i * 37) % 300);
    for (size_t n = 1;; n++) {
      ca.calls = 0;
      ca.fail_at = n;
      lkattrs_status st = lkattrs_map_set(m, k, (size_t)kl, "value", 5);
      if (st == LKATTRS_OK) break;
      assert_int_equal(st, LKATTRS_E_NOMEM);
      assert_true(lkattrs_map_equal(m, snap));
      failures++;
    }
    assert_int_equal(lkattrs_map_set(snap, k, (size_t)kl, "value", 5), LKATTRS_OK);
    assert_true(lkattrs_map_equal(m, snap));
  }
  assert_true(failures > 10); /* growth happened and was exercised */
  /* Copy into an empty counting map. */
  lkattrs_map *c = NULL;
  ca.fail_at = 0;
  assert_int_equal(lkattrs_map_new(&alc, 0, &c), LKATTRS_OK);
  assert_int_equal(SET(c, "only", "one"), LKATTRS_OK);
  lkattrs_map *csnap = new_map((const char *const[]){"only", "one", NULL});
  for (size_t n = 1;; n++) {
    ca.calls = 0;
    ca.fail_at = n;
    lkattrs_status st = lkattrs_map_copy(c, m);
    if (st == LKATTRS_OK) break;
    assert_int_equal(st, LKATTRS_E_NOMEM);
    assert_true(lkattrs_map_equal(c, csnap));
  }
  assert_true(lkattrs_map_equal(c, m));
  /* reserve: each allocation failure leaves the map as it was. */
  for (size_t n = 1;; n++) {
    ca.calls = 0;
    ca.fail_at = n;
    lkattrs_status st = lkattrs_map_reserve(c, 1000, 64000);
    if (st == LKATTRS_OK) break;
    assert_int_equal(st, LKATTRS_E_NOMEM);
    assert_true(lkattrs_map_equal(c, m));
    assert_true(n < 10);
  }
  assert_true(lkattrs_map_equal(c, m));
  /* new_opts (an update map) fails cleanly too. */
  lkattrs_map *um = NULL;
  ca.calls = 0;
  ca.fail_at = 1;
  assert_int_equal(lkattrs_map_new(&alc, LKATTRS_MAP_UPDATE, &um), LKATTRS_E_NOMEM);
  assert_null(um);
  /* Reserved room means no allocation. */
  ca.fail_at = 0;
  lkattrs_map *r = NULL;
  assert_int_equal(lkattrs_map_new(&alc, 0, &r), LKATTRS_OK);
  assert_int_equal(lkattrs_map_reserve(r, 100, 100 * 8), LKATTRS_OK);
  ca.calls = 0;
  for (int i = 0; i < 100; i++) {
    int kl = snprintf(k, sizeof k, "k%03d", i);
    assert_int_equal(lkattrs_map_set(r, k, (size_t)kl, "vvvv", 4), LKATTRS_OK);
  }
  assert_int_equal(ca.calls, 0);
  assert_int_equal(lkattrs_map_reserve(NULL, 1, 1), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_map_free(m);
  lkattrs_map_free(c);
  lkattrs_map_free(r);
  lkattrs_map_free(snap);
  lkattrs_map_free(csnap);
  assert_int_equal(ca.live_blocks, 0);
  assert_int_equal(ca.live_bytes, 0);
}

static void *null_alloc(void *ctx, size_t n) {
  (void)ctx;
  (void)n;
  return NULL;
}

static void test_bad_allocator(void **state) {
  (void)state;
  lkattrs_allocator half = {null_alloc, NULL, NULL, NULL};
  lkattrs_map *m;
  assert_int_equal(lkattrs_map_new(&half, 0, &m), LKATTRS_E_INVALID_ARGUMENT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_canonical_order),
      cmocka_unit_test(test_get_set_delete),
      cmocka_unit_test(test_set_validates),
      cmocka_unit_test(test_update_map_keeps_empty),
      cmocka_unit_test(test_equal_copy_clear),
      cmocka_unit_test(test_fixed_capacity),
      cmocka_unit_test(test_random_churn),
      cmocka_unit_test(test_large_heap_map),
      cmocka_unit_test(test_allocation_failures),
      cmocka_unit_test(test_bad_allocator),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
