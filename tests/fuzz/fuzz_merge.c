/*
 * fuzz_merge.c - merge, merge_map, join, diff and hide_phone_number
 * (lkattrs/patch.h) with maps and updates built from hostile bytes and
 * options chosen by the input.
 *
 * Input: byte 0 options, byte 1 limits, then three lists of (key, value)
 * byte strings: map a, the update, map b (a and b keep the pairs that
 * lkattrs_map_set() accepts; the update is passed raw).
 * Properties:
 *   - atomicity: a refused merge, merge_map or join leaves the target
 *     byte-identical (same entries, same wire encoding);
 *   - an accepted merge equals applying the entries one by one (last
 *     wins, "" deletes), reports exactly the changed keys (count and the
 *     change callback, in key order), and a fixed-storage map gives the same
 *     outcome unless it runs out of room;
 *   - merge_map with an update map equals merge with its entries;
 *   - merge(a, diff(a, b)) == b, through both the entry array and the map
 *     form of the diff; diff(b, b) is empty;
 *   - hide_phone_number leaves no hidden name.
 */
#include <stdbool.h>

#include "fuzz_maps.h"
#include "fuzz_util.h"
#include "lkattrs/lkattrs.h"

#define MAXN 32

static size_t read_entries(fuzz_in *in, lkattrs_entry *e, size_t max) {
  size_t n = fz_u8(in) % (max + 1);
  for (size_t i = 0; i < n; i++) {
    e[i].key = fz_bytes(in, 40, &e[i].key_len);
    e[i].value = fz_bytes(in, 40, &e[i].value_len);
  }
  return n;
}

static lkattrs_map *map_from(const lkattrs_entry *e, size_t n, unsigned flags) {
  lkattrs_map *m = NULL;
  FUZZ_CHECK(lkattrs_map_new(NULL, flags, &m) == LKATTRS_OK);
  for (size_t i = 0; i < n; i++)
    (void)lkattrs_map_set(m, e[i].key, e[i].key_len, e[i].value, e[i].value_len);
  return m;
}

typedef struct {
  size_t calls;
  const char *last;
  size_t last_len;
  bool ordered;
} changes;

static void on_change(void *ctx, const char *k, size_t kl, const char *v, size_t vl) {
  changes *c = ctx;
  (void)v;
  (void)vl;
  if (c->calls) {
    size_t l = c->last_len < kl ? c->last_len : kl;
    int cmp = memcmp(c->last, k, l);
    if (cmp > 0 || (cmp == 0 && c->last_len >= kl)) c->ordered = false;
  }
  c->calls++;
  c->last = k;
  c->last_len = kl;
}

static size_t diff_count(const lkattrs_map *a, const lkattrs_map *b) {
  size_t n = 0;
  FUZZ_CHECK(lkattrs_diff(a, b, NULL, 0, &n) == LKATTRS_OK || n > 0);
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static unsigned char store[LKATTRS_MAP_FIXED_BYTES(24, 600)];
  fuzz_in in = {data, size};
  uint8_t ob = fz_u8(&in), lb = fz_u8(&in);
  lkattrs_entry ea[MAXN], eu[MAXN], eb[MAXN];
  size_t na = read_entries(&in, ea, MAXN), nu = read_entries(&in, eu, MAXN),
         nb = read_entries(&in, eb, MAXN);

  lkattrs_limits lim = LKATTRS_LIMITS_INIT;
  if (ob & 0x40) {
    lim.max_key_bytes = lb & 15;
    lim.max_value_bytes = (lb >> 4) & 7;
    lim.max_update_bytes = lb;
    lim.max_map_bytes = (size_t)lb * 2;
    lim.max_entries = lb >> 4;
  } else if (ob & 0x80) {
    lkattrs_limits none = {0, 0, 0, 0, 0};
    lim = none;
  }
  changes ch = {0, NULL, 0, true};
  lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
  o.origin = (lkattrs_origin)(ob & 3);
  o.can_update_metadata = (ob & 4) != 0;
  o.skip_namespace_rules = (ob & 8) != 0;
  o.limits = &lim;
  o.on_change = on_change;
  o.change_ctx = &ch;

  lkattrs_map *a = map_from(ea, na, 0), *b = map_from(eb, nb, 0);
  lkattrs_map *snap = map_from(NULL, 0, 0), *ref = map_from(NULL, 0, 0);
  FUZZ_CHECK(lkattrs_map_copy(snap, a) == LKATTRS_OK);

  /* 1. merge (heap). */
  size_t changed = 0;
  lkattrs_error_detail d;
  lkattrs_status st = lkattrs_merge(a, eu, nu, &o, &changed, &d);
  FUZZ_CHECK(d.code == st);
  if (st != LKATTRS_OK) {
    FUZZ_CHECK(fz_maps_same(a, snap));
    FUZZ_CHECK(ch.calls == 0);
    FUZZ_CHECK(d.index == LKATTRS_NO_INDEX || d.index < nu);
  } else {
    FUZZ_CHECK(lkattrs_map_copy(ref, snap) == LKATTRS_OK);
    for (size_t i = 0; i < nu; i++)
      FUZZ_CHECK(lkattrs_map_set(ref, eu[i].key, eu[i].key_len, eu[i].value,
                                 eu[i].value_len) == LKATTRS_OK);
    FUZZ_CHECK(fz_maps_same(a, ref));
    FUZZ_CHECK(changed == diff_count(snap, a));
    FUZZ_CHECK(ch.calls == changed && ch.ordered);
    if (lim.max_map_bytes) FUZZ_CHECK(lkattrs_map_bytes(a) <= lim.max_map_bytes);
    if (lim.max_entries) FUZZ_CHECK(lkattrs_map_count(a) <= lim.max_entries);
  }
  o.on_change = NULL;

  /* 2. The same merge into fixed storage. */
  lkattrs_map *f = NULL;
  FUZZ_CHECK(lkattrs_map_init_fixed(store, sizeof store, 24, 0, &f) == LKATTRS_OK);
  if (lkattrs_map_copy(f, snap) == LKATTRS_OK) {
    lkattrs_status fst = lkattrs_merge(f, eu, nu, &o, NULL, NULL);
    if (fst == LKATTRS_E_NOSPACE)
      FUZZ_CHECK(fz_maps_same(f, snap));
    else
      FUZZ_CHECK(fst == st && fz_maps_same(f, st == LKATTRS_OK ? a : snap));
  }

  /* 3. merge_map with the update as an update map == merge of its entries. */
  lkattrs_map *u = map_from(eu, nu, LKATTRS_MAP_UPDATE);
  size_t nuu = lkattrs_map_count(u);
  lkattrs_entry ue[MAXN];
  for (size_t i = 0; i < nuu; i++) FUZZ_CHECK(lkattrs_map_at(u, i, &ue[i]) == LKATTRS_OK);
  lkattrs_map *x = map_from(NULL, 0, 0), *y = map_from(NULL, 0, 0);
  FUZZ_CHECK(lkattrs_map_copy(x, snap) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_map_copy(y, snap) == LKATTRS_OK);
  lkattrs_status s1 = lkattrs_merge_map(x, u, &o, NULL, NULL);
  lkattrs_status s2 = lkattrs_merge(y, ue, nuu, &o, NULL, NULL);
  FUZZ_CHECK(s1 == s2);
  FUZZ_CHECK(fz_maps_same(x, y));
  if (s1 != LKATTRS_OK) FUZZ_CHECK(fz_maps_same(x, snap));

  /* 4. merge(a, diff(a, b)) == b, both forms. */
  lkattrs_merge_opts all = LKATTRS_MERGE_OPTS_INIT;
  lkattrs_limits none = {0, 0, 0, 0, 0};
  all.origin = LKATTRS_ORIGIN_SERVER;
  all.limits = &none;
  size_t dn = 0;
  lkattrs_status ds = lkattrs_diff(snap, b, NULL, 0, &dn);
  FUZZ_CHECK(ds == LKATTRS_OK || (ds == LKATTRS_E_NOSPACE && dn > 0));
  lkattrs_entry *de = malloc((dn ? dn : 1) * sizeof *de);
  FUZZ_CHECK(de != NULL);
  FUZZ_CHECK(lkattrs_diff(snap, b, de, dn, &dn) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_map_copy(x, snap) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_merge(x, de, dn, &all, &changed, NULL) == LKATTRS_OK);
  FUZZ_CHECK(changed == dn);
  FUZZ_CHECK(fz_maps_same(x, b));
  free(de);
  lkattrs_map *dm = map_from(NULL, 0, LKATTRS_MAP_UPDATE);
  FUZZ_CHECK(lkattrs_diff_map(snap, b, dm) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_map_count(dm) == dn);
  FUZZ_CHECK(lkattrs_map_copy(y, snap) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_merge_map(y, dm, &all, NULL, NULL) == LKATTRS_OK);
  FUZZ_CHECK(fz_maps_same(y, b));
  FUZZ_CHECK(lkattrs_diff(b, b, NULL, 0, &dn) == LKATTRS_OK && dn == 0);

  /* 5. join: atomic, and every surviving join value is in the result. */
  FUZZ_CHECK(lkattrs_map_copy(x, b) == LKATTRS_OK);
  st = lkattrs_join(snap, eu, nu, &o, x, NULL);
  if (st != LKATTRS_OK) FUZZ_CHECK(fz_maps_same(x, b));

  /* 6. hide_phone_number. */
  size_t removed = 0;
  FUZZ_CHECK(lkattrs_hide_phone_number(y, snap, &removed) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_map_count(y) + removed == lkattrs_map_count(snap));
  for (size_t i = 0; i < lkattrs_map_count(y); i++) {
    lkattrs_entry e;
    FUZZ_CHECK(lkattrs_map_at(y, i, &e) == LKATTRS_OK);
    FUZZ_CHECK(!lkattrs_name_hidden_by_phone_setting(e.key, e.key_len));
  }
  char line[4096];
  (void)lkattrs_redact_format(snap, ob & 1, line, sizeof line, NULL);

  lkattrs_map_free(a);
  lkattrs_map_free(b);
  lkattrs_map_free(snap);
  lkattrs_map_free(ref);
  lkattrs_map_free(u);
  lkattrs_map_free(x);
  lkattrs_map_free(y);
  lkattrs_map_free(dm);
  return 0;
}
