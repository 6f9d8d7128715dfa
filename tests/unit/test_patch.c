/* test_patch.c - merge, join, diff, hide_phone_number: rules, limits,
 * atomicity, change reports, allocation failures, property tests. */
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

/* lkattrs_join() options of a client with can_update_metadata. */
#define GRANTED (&(lkattrs_merge_opts){LKATTRS_ORIGIN_CLIENT, true, false, NULL, NULL, NULL})

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Collects the change reports. */
typedef struct {
  char text[1024];
  size_t calls;
} changes;

static void on_change(void *ctx, const char *k, size_t kl, const char *v, size_t vl) {
  changes *c = ctx;
  size_t n = strlen(c->text);
  snprintf(c->text + n, sizeof c->text - n, "%.*s=%.*s;", (int)kl, k, (int)vl, v);
  c->calls++;
}

static lkattrs_merge_opts server_opts(void) {
  lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
  o.origin = LKATTRS_ORIGIN_SERVER;
  return o;
}

static void test_merge_semantics(void **state) {
  (void)state;
  lkattrs_map *m = new_map(KV("a", "1", "b", "2", "c", "3"));
  lkattrs_entry up[] = {E("d", "5"), E("b", ""), E("x", ""), E("c", "4"), E("a", "1")};
  changes ch = {{0}, 0};
  lkattrs_merge_opts o = server_opts();
  o.on_change = on_change;
  o.change_ctx = &ch;
  size_t changed = 99;
  lkattrs_error_detail d;
  assert_int_equal(lkattrs_merge(m, up, ARRAY_LEN(up), &o, &changed, &d), LKATTRS_OK);
  assert_int_equal(d.code, LKATTRS_OK);
  assert_map(m, KV("a", "1", "c", "4", "d", "5"));
  /* Exactly the changed keys, in key order; "" for the removed one. */
  assert_int_equal(changed, 3);
  assert_string_equal(ch.text, "b=;c=4;d=5;");
  /* No-ops: same values, deleting absent keys. */
  ch.text[0] = 0;
  ch.calls = 0;
  lkattrs_entry noop[] = {E("a", "1"), E("zz", ""), E("c", "4")};
  assert_int_equal(lkattrs_merge(m, noop, 3, &o, &changed, NULL), LKATTRS_OK);
  assert_int_equal(changed, 0);
  assert_int_equal(ch.calls, 0);
  assert_int_equal(lkattrs_merge(m, NULL, 0, &o, &changed, NULL), LKATTRS_OK);
  assert_int_equal(changed, 0);
  /* Duplicates: the last one wins, as on the wire. */
  lkattrs_entry dup1[] = {E("k", "1"), E("k", "2"), E("j", "x"), E("j", "")};
  assert_int_equal(lkattrs_merge(m, dup1, 4, &o, &changed, NULL), LKATTRS_OK);
  assert_map(m, KV("a", "1", "c", "4", "d", "5", "k", "2"));
  assert_int_equal(changed, 1);
  lkattrs_entry dup2[] = {E("k", ""), E("k", "3")};
  assert_int_equal(lkattrs_merge(m, dup2, 2, &o, &changed, NULL), LKATTRS_OK);
  assert_map(m, KV("a", "1", "c", "4", "d", "5", "k", "3"));
  /* Arguments. */
  assert_int_equal(lkattrs_merge(NULL, up, 1, &o, NULL, &d), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(d.code, LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_merge(m, NULL, 1, &o, NULL, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_merge(m, up, 1, NULL, NULL, NULL), LKATTRS_E_INVALID_ARGUMENT);
  o.origin = (lkattrs_origin)7;
  assert_int_equal(lkattrs_merge(m, up, 1, &o, NULL, NULL), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_map_free(m);
}

static void test_permission(void **state) {
  (void)state;
  lkattrs_map *m = new_map(KV("a", "1"));
  lkattrs_entry up[] = {E("a", "2")};
  lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
  lkattrs_error_detail d;
  static const struct {
    lkattrs_origin origin;
    bool grant;
    lkattrs_status want;
  } cases[] = {
      {LKATTRS_ORIGIN_CLIENT, false, LKATTRS_E_NOT_ALLOWED},
      {LKATTRS_ORIGIN_AGENT, false, LKATTRS_E_NOT_ALLOWED},
      {LKATTRS_ORIGIN_SERVER, false, LKATTRS_OK},
      {LKATTRS_ORIGIN_TRUSTED, false, LKATTRS_OK},
      {LKATTRS_ORIGIN_CLIENT, true, LKATTRS_OK},
      {LKATTRS_ORIGIN_AGENT, true, LKATTRS_OK},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    o.origin = cases[i].origin;
    o.can_update_metadata = cases[i].grant;
    assert_int_equal(lkattrs_merge(m, up, 1, &o, NULL, &d), cases[i].want);
    assert_int_equal(d.code, cases[i].want);
    if (cases[i].want == LKATTRS_E_NOT_ALLOWED) {
      assert_map(m, KV("a", "1"));
      /* Refused even when the update is empty or a no-op. */
      assert_int_equal(lkattrs_merge(m, NULL, 0, &o, NULL, NULL), LKATTRS_E_NOT_ALLOWED);
      assert_int_equal(lkattrs_status_to_reason(d.code), LKATTRS_REASON_NOT_ALLOWED);
    } else {
      assert_map(m, KV("a", "2"));
      assert_int_equal(lkattrs_map_set(m, "a", 1, "1", 1), LKATTRS_OK);
    }
  }
  lkattrs_map_free(m);
}

static void test_namespaces(void **state) {
  static const char *const keys[] = {"plain", "sip.phoneNumber", "sip.x", "ingress.ingressID",
                                     "lk.publish_on_behalf", "lk.agent.state", "lk.agent.x"};
  /* allowed per CLIENT, AGENT, SERVER, TRUSTED */
  static const int allowed[][4] = {{1, 1, 1, 1}, {0, 0, 1, 1}, {0, 0, 1, 1}, {0, 0, 1, 1},
                                   {0, 0, 1, 1}, {0, 1, 1, 1}, {0, 1, 1, 1}};
  (void)state;
  for (int sw = 0; sw < 2; sw++)
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
      for (int o = 0; o < 4; o++) {
        lkattrs_map *m = new_map(KV("other", "x"));
        lkattrs_merge_opts opts = LKATTRS_MERGE_OPTS_INIT;
        opts.origin = (lkattrs_origin)o;
        opts.can_update_metadata = true;
        opts.skip_namespace_rules = sw;
        lkattrs_entry up[] = {E("good", "1"), E(keys[i], "v")};
        lkattrs_error_detail d;
        lkattrs_status want = (sw || allowed[i][o]) ? LKATTRS_OK : LKATTRS_E_RESERVED_NAME;
        assert_int_equal(lkattrs_merge(m, up, 2, &opts, NULL, &d), want);
        if (want != LKATTRS_OK) {
          assert_map(m, KV("other", "x"));
          assert_int_equal(d.index, 1);
          assert_ptr_equal(d.key, up[1].key);
          assert_int_equal(lkattrs_status_to_reason(d.code), LKATTRS_REASON_NOT_ALLOWED);
          /* Deleting a reserved name is writing it too. */
          up[1].value_len = 0;
          assert_int_equal(lkattrs_merge(m, up, 2, &opts, NULL, NULL), want);
        } else {
          assert_int_equal(lkattrs_map_count(m), 3);
        }
        lkattrs_map_free(m);
      }
}

/* One bad entry among good ones: the whole update is refused, the map is
 * byte-identical, the detail names the entry. */
static void test_atomic_refusal(void **state) {
  (void)state;
  static const struct {
    lkattrs_entry bad;
    lkattrs_status want;
    size_t offset;
    bool in_value;
  } cases[] = {
      {{"bad\x01", 4, "v", 1}, LKATTRS_E_CONTROL_CHAR, 3, false},
      {{"bad\x7f", 4, "v", 1}, LKATTRS_E_CONTROL_CHAR, 3, false},
      {{"b\xc2\x90", 3, "v", 1}, LKATTRS_E_CONTROL_CHAR, 1, false},
      {{"bad", 3, "v\0w", 3}, LKATTRS_E_NUL, 1, true},
      {{"b\0d", 3, "v", 1}, LKATTRS_E_NUL, 1, false},
      {{"", 0, "v", 1}, LKATTRS_E_KEY_EMPTY, 0, false},
      {{"bad", 3, "ok\xed\xa0\x80", 5}, LKATTRS_E_UTF8, 2, true},
      {{"b\xf4\x90\x80\x80", 5, "v", 1}, LKATTRS_E_UTF8, 1, false},
      {{"bad", 3, "\xe2\x82", 2}, LKATTRS_E_UTF8, 0, true},
  };
  lkattrs_map *m = new_map(KV("keep", "1", "change", "2", "drop", "3"));
  lkattrs_map *snap = new_map(NULL);
  assert_int_equal(lkattrs_map_copy(snap, m), LKATTRS_OK);
  lkattrs_merge_opts o = server_opts();
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    lkattrs_entry up[] = {E("change", "9"), E("drop", ""), E("new", "x"), cases[i].bad,
                          E("zzz", "1")};
    lkattrs_error_detail d;
    size_t changed = 7;
    assert_int_equal(lkattrs_merge(m, up, ARRAY_LEN(up), &o, &changed, &d), cases[i].want);
    assert_int_equal(changed, 0);
    assert_true(lkattrs_map_equal(m, snap));
    assert_int_equal(d.code, cases[i].want);
    assert_int_equal(d.index, 3);
    assert_ptr_equal(d.key, cases[i].bad.key);
    assert_int_equal(d.key_len, cases[i].bad.key_len);
    assert_int_equal(d.offset, cases[i].offset);
    assert_int_equal(d.in_value, cases[i].in_value);
    assert_non_null(d.message);
    assert_int_equal(lkattrs_status_to_reason(d.code), LKATTRS_REASON_INVALID_REQUEST);
  }
  /* A key of 257 bytes: refused; 256: fine. */
  char k[300];
  memset(k, 'k', sizeof k);
  lkattrs_entry up[] = {E("change", "9"), {k, 257, "v", 1}};
  lkattrs_error_detail d;
  assert_int_equal(lkattrs_merge(m, up, 2, &o, NULL, &d), LKATTRS_E_KEY_TOO_LONG);
  assert_int_equal(d.offset, 256);
  assert_true(lkattrs_map_equal(m, snap));
  up[1].key_len = 256;
  assert_int_equal(lkattrs_merge(m, up, 2, &o, NULL, &d), LKATTRS_OK);
  lkattrs_map_free(m);
  lkattrs_map_free(snap);
}

static void test_size_limits(void **state) {
  (void)state;
  static char big[70000];
  memset(big, 'v', sizeof big);
  lkattrs_merge_opts o = server_opts();
  lkattrs_error_detail d;
  lkattrs_map *m = new_map(NULL);
  /* Update: key 1 byte + value 65535 = 65536 fits, 65537 does not. */
  lkattrs_entry up = {"k", 1, big, 65536};
  assert_int_equal(lkattrs_merge(m, &up, 1, &o, NULL, &d), LKATTRS_E_TOO_LARGE);
  assert_int_equal(d.offset, 65537);
  assert_int_equal(lkattrs_status_to_reason(d.code), LKATTRS_REASON_LIMIT_EXCEEDED);
  assert_int_equal(lkattrs_map_count(m), 0);
  up.value_len = 65535;
  assert_int_equal(lkattrs_merge(m, &up, 1, &o, NULL, &d), LKATTRS_OK);
  assert_int_equal(lkattrs_map_bytes(m), 65536);
  /* Result: the map is full; a small update fits the update limit but not
   * the map limit; shrinking while adding keeps it at exactly 65536. */
  lkattrs_entry add = {"j", 1, "x", 1};
  assert_int_equal(lkattrs_merge(m, &add, 1, &o, NULL, &d), LKATTRS_E_TOO_LARGE);
  assert_int_equal(d.offset, 65538);
  assert_int_equal(lkattrs_map_bytes(m), 65536);
  lkattrs_entry both[] = {{"k", 1, big, 65533}, {"j", 1, "x", 1}};
  assert_int_equal(lkattrs_merge(m, both, 2, &o, NULL, &d), LKATTRS_OK);
  assert_int_equal(lkattrs_map_bytes(m), 65536);
  /* Deleted entries count their key in the update (as LiveKit measures). */
  lkattrs_map_clear(m);
  static lkattrs_entry dels[257];
  static char keys[257][256];
  for (size_t i = 0; i < 256; i++) {
    memset(keys[i], 'a', 256);
    memcpy(keys[i], &i, sizeof i); /* distinct, some bytes may be 0 */
    for (size_t j = 0; j < sizeof i; j++) keys[i][j] = (char)('A' + ((i >> (4 * j)) & 15));
    dels[i] = (lkattrs_entry){keys[i], 256, "", 0};
  }
  dels[256] = (lkattrs_entry){"z", 1, "", 0};
  assert_int_equal(lkattrs_merge(m, dels, 256, &o, NULL, &d), LKATTRS_OK); /* 65536 */
  assert_int_equal(lkattrs_merge(m, dels, 257, &o, NULL, &d), LKATTRS_E_TOO_LARGE);
  /* Duplicates are resolved before measuring: 2 x 40000 of the same key. */
  lkattrs_entry twice[] = {{"k", 1, big, 39999}, {"k", 1, big, 39999}};
  assert_int_equal(lkattrs_merge(m, twice, 2, &o, NULL, &d), LKATTRS_OK);
  /* 0 = unlimited, custom limits, max_entries, max_value_bytes. */
  lkattrs_limits lim = {0, 0, 0, 0, 0};
  o.limits = &lim;
  lkattrs_entry huge = {"h", 1, big, sizeof big};
  assert_int_equal(lkattrs_merge(m, &huge, 1, &o, NULL, &d), LKATTRS_OK);
  lim.max_entries = 2;
  lkattrs_entry three[] = {E("x", "1"), E("y", "1")};
  assert_int_equal(lkattrs_merge(m, three, 2, &o, NULL, &d), LKATTRS_E_TOO_MANY_ENTRIES);
  assert_int_equal(lkattrs_status_to_reason(d.code), LKATTRS_REASON_LIMIT_EXCEEDED);
  lim.max_value_bytes = 3;
  lkattrs_entry longv[] = {E("x", "1234")};
  assert_int_equal(lkattrs_merge(m, longv, 1, &o, NULL, &d), LKATTRS_E_VALUE_TOO_LONG);
  assert_true(d.in_value);
  assert_int_equal(d.offset, 3);
  lkattrs_map_free(m);
}

static void test_merge_map(void **state) {
  (void)state;
  lkattrs_map *m = new_map(KV("a", "1", "b", "2"));
  lkattrs_map *u = NULL;
  assert_int_equal(lkattrs_map_new(NULL, LKATTRS_MAP_UPDATE, &u), LKATTRS_OK);
  fill_map(u, KV("a", "", "c", "3", "zz", ""));
  lkattrs_merge_opts o = server_opts();
  size_t changed;
  assert_int_equal(lkattrs_merge_map(m, u, &o, &changed, NULL), LKATTRS_OK);
  assert_map(m, KV("b", "2", "c", "3"));
  assert_int_equal(changed, 2);
  /* A plain map as an update only sets. */
  lkattrs_map *p = new_map(KV("b", "5"));
  assert_int_equal(lkattrs_merge_map(m, p, &o, &changed, NULL), LKATTRS_OK);
  assert_map(m, KV("b", "5", "c", "3"));
  /* Composing updates: merging into an update map keeps deletions. */
  lkattrs_map *u2 = NULL;
  assert_int_equal(lkattrs_map_new(NULL, LKATTRS_MAP_UPDATE, &u2), LKATTRS_OK);
  fill_map(u2, KV("c", "", "d", "4"));
  assert_int_equal(lkattrs_merge_map(u, u2, &o, &changed, NULL), LKATTRS_OK);
  assert_map(u, KV("a", "", "c", "", "d", "4", "zz", ""));
  assert_int_equal(changed, 2);
  /* Rules apply to map updates too; detail index is the update position. */
  o.origin = LKATTRS_ORIGIN_CLIENT;
  o.can_update_metadata = true;
  lkattrs_map *r = new_map(KV("a", "1", "sip.x", "2"));
  lkattrs_error_detail d;
  assert_int_equal(lkattrs_merge_map(m, r, &o, NULL, &d), LKATTRS_E_RESERVED_NAME);
  assert_int_equal(d.index, 1);
  assert_map(m, KV("b", "5", "c", "3"));
  assert_int_equal(lkattrs_merge_map(m, m, &o, NULL, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_merge_map(m, NULL, &o, NULL, NULL), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_map *all[] = {m, u, p, u2, r};
  for (size_t i = 0; i < ARRAY_LEN(all); i++) lkattrs_map_free(all[i]);
}

/* livekit-client (client-sdk-js, diffAttributes in src/room/track/utils.ts)
 * reports, for every key of either the old or the new object whose value is
 * not strictly equal, the new value, or "" when the new object lacks the
 * key.  The reference below restates that rule over plain arrays.  The one
 * divergence: the JS rule also reports a key present with "" on one side and
 * absent on the other (""!==undefined); a plain lkattrs_map cannot hold "",
 * so that case does not arise (setting "" removes the key). */
static size_t js_rule_diff(ref_map *a, ref_map *b, ref_map *out) {
  out->n = 0;
  for (size_t pass = 0; pass < 2; pass++) {
    ref_map *x = pass ? a : b, *y = pass ? b : a;
    for (size_t i = 0; i < x->n; i++) {
      ref_item *it = &x->it[i];
      ref_item *nv = ref_find(b, it->k, it->kl), *ov = ref_find(a, it->k, it->kl);
      if (ref_find(out, it->k, it->kl)) continue;
      if (nv && ov && nv->vl == ov->vl && !memcmp(nv->v, ov->v, nv->vl)) continue;
      (void)y;
      lkattrs_entry e = {it->k, it->kl, nv ? nv->v : "", nv ? nv->vl : 0};
      ref_apply(out, &e, true);
    }
  }
  return out->n;
}

static void to_ref(const lkattrs_map *m, ref_map *r) {
  r->n = 0;
  for (size_t i = 0; i < lkattrs_map_count(m); i++) {
    lkattrs_entry e;
    assert_int_equal(lkattrs_map_at(m, i, &e), LKATTRS_OK);
    ref_apply(r, &e, true);
  }
}

static void test_diff_table(void **state) {
  const struct {
    const char *const *a, *const *b, *const *diff;
  } cases[] = {
      {KV("a", "1", "b", "2"), KV("a", "1", "b", "3", "c", "4"), KV("b", "3", "c", "4")},
      {KV("a", "1", "b", "2"), KV("a", "1"), KV("b", "")},
      {KV("a", "1"), (const char *const[]){NULL}, KV("a", "")},
      {(const char *const[]){NULL}, KV("x", "y"), KV("x", "y")},
      {KV("a", "1", "b", "2"), KV("b", "2", "a", "1"), (const char *const[]){NULL}},
      {KV("k", ""), (const char *const[]){NULL}, (const char *const[]){NULL}},
      {KV("a", "1", "ab", "2"), KV("a", "2", "abc", "3"), KV("a", "2", "ab", "", "abc", "3")},
      {KV("\xf0\x9f\x98\x80", "1"), KV("\xf0\x9f\x98\x80", "2"), KV("\xf0\x9f\x98\x80", "2")},
  };
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    lkattrs_map *a = new_map(cases[i].a), *b = new_map(cases[i].b);
    lkattrs_entry out[8];
    size_t n = 99;
    assert_int_equal(lkattrs_diff(a, b, out, 8, &n), LKATTRS_OK);
    size_t want = 0;
    while (cases[i].diff[2 * want]) want++;
    assert_int_equal(n, want);
    for (size_t j = 0; j < n; j++) {
      assert_int_equal(out[j].key_len, strlen(cases[i].diff[2 * j]));
      assert_memory_equal(out[j].key, cases[i].diff[2 * j], out[j].key_len);
      assert_string_equal(out[j].value, cases[i].diff[2 * j + 1]); /* NUL-terminated */
      assert_int_equal(out[j].value_len, strlen(cases[i].diff[2 * j + 1]));
    }
    /* The same as the JS rule. */
    static ref_map ra, rb, rd;
    to_ref(a, &ra);
    to_ref(b, &rb);
    assert_int_equal(js_rule_diff(&ra, &rb, &rd), n);
    /* Size query and too-small output. */
    assert_int_equal(lkattrs_diff(a, b, NULL, 0, &n), LKATTRS_OK);
    assert_int_equal(n, want);
    if (want) {
      assert_int_equal(lkattrs_diff(a, b, out, want - 1, &n), LKATTRS_E_BUFFER_TOO_SMALL);
      assert_int_equal(n, want);
    }
    lkattrs_map_free(a);
    lkattrs_map_free(b);
  }
  lkattrs_map *u = NULL, *p = new_map(NULL);
  size_t n;
  assert_int_equal(lkattrs_map_new(NULL, LKATTRS_MAP_UPDATE, &u), LKATTRS_OK);
  assert_int_equal(lkattrs_diff(u, p, NULL, 0, &n), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_diff(p, p, NULL, 0, NULL), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_diff_map(p, p, p), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_diff_map(p, p, NULL), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_map *q = new_map(NULL);
  assert_int_equal(lkattrs_diff_map(p, q, q), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_diff_map(p, q, u), LKATTRS_OK);
  lkattrs_map_free(u);
  lkattrs_map_free(p);
  lkattrs_map_free(q);
}

/* Random map, with keys and values from a small alphabet (1- to 4-byte
 * characters), n entries at most. */
static void random_map(uint64_t *seed, lkattrs_map *m, ref_map *r, size_t n) {
  char k[64], v[64];
  lkattrs_map_clear(m);
  r->n = 0;
  for (size_t i = 0; i < n; i++) {
    size_t kl = rnd_text(seed, k, 6), vl = rnd_text(seed, v, 3);
    if (!kl) k[kl++] = 'k';
    if (!vl) v[vl++] = 'v';
    lkattrs_entry e = {k, kl, v, vl};
    assert_int_equal(lkattrs_map_set(m, k, kl, v, vl), LKATTRS_OK);
    ref_apply(r, &e, false);
  }
}

/* 500 seeded iterations: diff and merge are inverse; diff(M, M) is empty;
 * diff equals the JS rule; merge equals the reference, and reports exactly
 * the changed keys. */
static void test_properties(void **state) {
  (void)state;
  static ref_map ra, rb, rd, rr;
  static lkattrs_entry d[512], up[300];
  static char texts[300][2][64];
  uint64_t seed = 0xC0FFEE;
  lkattrs_map *a = new_map(NULL), *b = new_map(NULL), *c = new_map(NULL), *u = NULL;
  assert_int_equal(lkattrs_map_new(NULL, LKATTRS_MAP_UPDATE, &u), LKATTRS_OK);
  lkattrs_limits unlimited = {0, 0, 0, 0, 0};
  lkattrs_merge_opts o = server_opts();
  o.limits = &unlimited;
  for (int it = 0; it < 500; it++) {
    random_map(&seed, a, &ra, rnd(&seed, 201));
    if (rnd(&seed, 3) == 0) { /* b: a with a few changes */
      assert_int_equal(lkattrs_map_copy(b, a), LKATTRS_OK);
      to_ref(b, &rb);
      for (size_t i = rnd(&seed, 6); i-- > 0;) {
        char k[64];
        size_t kl = rnd_text(&seed, k, 6);
        if (!kl) k[kl++] = 'q';
        const char *v = rnd(&seed, 2) ? "" : "new";
        lkattrs_entry e = {k, kl, v, strlen(v)};
        assert_int_equal(lkattrs_map_set(b, k, kl, v, strlen(v)), LKATTRS_OK);
        ref_apply(&rb, &e, false);
      }
    } else {
      random_map(&seed, b, &rb, rnd(&seed, 201));
    }
    assert_true(ref_equal(&ra, a));
    assert_true(ref_equal(&rb, b));
    size_t n, m;
    assert_int_equal(lkattrs_diff(a, b, d, ARRAY_LEN(d), &n), LKATTRS_OK);
    assert_int_equal(js_rule_diff(&ra, &rb, &rd), n);
    for (size_t i = 0; i < n; i++) {
      ref_item *w = ref_find(&rd, d[i].key, d[i].key_len);
      assert_non_null(w);
      assert_int_equal(w->vl, d[i].value_len);
      assert_memory_equal(w->v, d[i].value, w->vl);
      if (i) assert_true(ref_keycmp(d[i - 1].key, d[i - 1].key_len, d[i].key, d[i].key_len) < 0);
    }
    /* merge(a, diff(a, b)) == b, reporting n changes. */
    assert_int_equal(lkattrs_map_copy(c, a), LKATTRS_OK);
    size_t changed;
    assert_int_equal(lkattrs_merge(c, d, n, &o, &changed, NULL), LKATTRS_OK);
    assert_true(lkattrs_map_equal(c, b));
    assert_int_equal(changed, n);
    /* The same through an update map. */
    assert_int_equal(lkattrs_diff_map(a, b, u), LKATTRS_OK);
    assert_int_equal(lkattrs_map_count(u), n);
    assert_int_equal(lkattrs_map_copy(c, a), LKATTRS_OK);
    assert_int_equal(lkattrs_merge_map(c, u, &o, &changed, NULL), LKATTRS_OK);
    assert_true(lkattrs_map_equal(c, b));
    assert_int_equal(changed, n);
    /* diff(m, m) is empty. */
    assert_int_equal(lkattrs_diff(a, a, d, ARRAY_LEN(d), &m), LKATTRS_OK);
    assert_int_equal(m, 0);
    assert_int_equal(lkattrs_diff(c, b, NULL, 0, &m), LKATTRS_OK);
    assert_int_equal(m, 0);
    /* A random unsorted update with duplicates and deletions, against the
     * reference. */
    size_t k = rnd(&seed, ARRAY_LEN(up));
    rr = ra;
    for (size_t i = 0; i < k; i++) {
      size_t kl, vl;
      if (ra.n && rnd(&seed, 3) == 0) { /* reuse an existing key */
        ref_item *x = &ra.it[rnd(&seed, ra.n)];
        memcpy(texts[i][0], x->k, x->kl);
        kl = x->kl;
      } else {
        kl = rnd_text(&seed, texts[i][0], 6);
        if (!kl) texts[i][0][kl++] = 'k';
      }
      vl = rnd(&seed, 3) ? rnd_text(&seed, texts[i][1], 2) : 0;
      up[i] = (lkattrs_entry){texts[i][0], kl, texts[i][1], vl};
      ref_apply(&rr, &up[i], false);
    }
    static ref_map before;
    before = ra;
    assert_int_equal(lkattrs_map_copy(c, a), LKATTRS_OK);
    assert_int_equal(lkattrs_merge(c, up, k, &o, &changed, NULL), LKATTRS_OK);
    assert_true(ref_equal(&rr, c));
    assert_int_equal(changed, js_rule_diff(&before, &rr, &rd));
  }
  lkattrs_map_free(a);
  lkattrs_map_free(b);
  lkattrs_map_free(c);
  lkattrs_map_free(u);
}

static void test_join(void **state) {
  (void)state;
  lkattrs_map *token = new_map(KV("a", "0", "b", "1"));
  lkattrs_map *out = new_map(KV("old", "stuff"));
  lkattrs_entry join[] = {E("b", "2"), E("c", "3")};
  lkattrs_error_detail d;
  assert_int_equal(lkattrs_join(token, join, 2, GRANTED, out, &d), LKATTRS_OK);
  assert_map(out, KV("a", "0", "b", "2", "c", "3"));
  assert_map(token, KV("a", "0", "b", "1"));
  /* Not permitted: refused, out unchanged; an empty join needs no grant. */
  lkattrs_map *snap = new_map(NULL);
  assert_int_equal(lkattrs_map_copy(snap, out), LKATTRS_OK);
  assert_int_equal(lkattrs_join(token, join, 2, NULL, out, &d), LKATTRS_E_NOT_ALLOWED);
  assert_true(lkattrs_map_equal(out, snap));
  assert_int_equal(lkattrs_join(token, NULL, 0, NULL, out, &d), LKATTRS_OK);
  assert_true(lkattrs_map_equal(out, token));
  /* Empty values delete nothing; duplicates resolve first (last wins). */
  lkattrs_entry skip[] = {E("a", ""), E("d", "4"), E("e", "5"), E("e", "")};
  assert_int_equal(lkattrs_join(token, skip, 4, GRANTED, out, &d), LKATTRS_OK);
  assert_map(out, KV("a", "0", "b", "1", "d", "4"));
  lkattrs_entry one_empty[] = {E("b", "")};
  assert_int_equal(lkattrs_join(token, one_empty, 1, GRANTED, out, &d), LKATTRS_OK);
  assert_true(lkattrs_map_equal(out, token));
  /* Client namespace rules on join attributes; the token is trusted. */
  lkattrs_map *sip = new_map(KV("sip.callID", "x"));
  lkattrs_entry lk[] = {E("z", "1"), E("lk.agent.state", "idle")};
  assert_int_equal(lkattrs_map_copy(snap, out), LKATTRS_OK);
  assert_int_equal(lkattrs_join(sip, lk, 2, GRANTED, out, &d), LKATTRS_E_RESERVED_NAME);
  assert_int_equal(d.index, 1);
  assert_true(lkattrs_map_equal(out, snap));
  lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
  o.origin = LKATTRS_ORIGIN_AGENT;
  o.can_update_metadata = true;
  assert_int_equal(lkattrs_join(sip, lk, 2, &o, out, &d), LKATTRS_OK);
  assert_map(out, KV("lk.agent.state", "idle", "sip.callID", "x", "z", "1"));
  /* The limit bounds the merged map (65536 fits, 65537 does not). */
  static char big[65536];
  memset(big, 'x', sizeof big);
  lkattrs_map *t = new_map(NULL);
  assert_int_equal(lkattrs_map_set(t, "t", 1, big, 65533), LKATTRS_OK);
  lkattrs_entry j2[] = {E("j", "1")};
  assert_int_equal(lkattrs_join(t, j2, 1, GRANTED, out, &d), LKATTRS_OK);
  assert_int_equal(lkattrs_map_bytes(out), 65536);
  lkattrs_entry j3[] = {E("j", "12")};
  assert_int_equal(lkattrs_map_copy(snap, out), LKATTRS_OK);
  assert_int_equal(lkattrs_join(t, j3, 1, GRANTED, out, &d), LKATTRS_E_TOO_LARGE);
  assert_true(lkattrs_map_equal(out, snap));
  /* In place (out == token). */
  assert_int_equal(lkattrs_join(token, join, 2, GRANTED, token, &d), LKATTRS_OK);
  assert_map(token, KV("a", "0", "b", "2", "c", "3"));
  /* Into fixed storage. */
  static unsigned char storage[LKATTRS_MAP_FIXED_BYTES(3, 6)];
  lkattrs_map *fx;
  assert_int_equal(lkattrs_map_init_fixed(storage, sizeof storage, 3, 0, &fx), LKATTRS_OK);
  lkattrs_map *tk = new_map(KV("a", "0", "b", "1"));
  assert_int_equal(lkattrs_join(tk, join, 2, GRANTED, fx, &d), LKATTRS_OK);
  assert_map(fx, KV("a", "0", "b", "2", "c", "3"));
  lkattrs_entry j4[] = {E("b", "2"), E("d", "3")};
  assert_int_equal(lkattrs_join(token, j4, 2, GRANTED, fx, &d), LKATTRS_E_NOSPACE);
  assert_map(fx, KV("a", "0", "b", "2", "c", "3"));
  /* Arguments: update maps are refused. */
  lkattrs_map *u = NULL;
  assert_int_equal(lkattrs_map_new(NULL, LKATTRS_MAP_UPDATE, &u), LKATTRS_OK);
  assert_int_equal(lkattrs_join(token, join, 2, GRANTED, u, &d), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_join(NULL, join, 2, GRANTED, out, &d), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_join(token, NULL, 2, GRANTED, out, &d), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_map *all[] = {token, out, snap, sip, t, tk, u};
  for (size_t i = 0; i < ARRAY_LEN(all); i++) lkattrs_map_free(all[i]);
}

static void test_hide_phone_number(void **state) {
  (void)state;
  lkattrs_map *src = new_map(KV("sip.phoneNumber", "+15550100", "sip.trunkPhoneNumber",
                                "+15550199", "sip.hostname", "example.com", "sip.callID",
                                "SCL_1", "name", "x"));
  lkattrs_map *dst = new_map(KV("junk", "1"));
  size_t removed;
  assert_int_equal(lkattrs_hide_phone_number(dst, src, &removed), LKATTRS_OK);
  assert_int_equal(removed, 3);
  assert_map(dst, KV("name", "x", "sip.callID", "SCL_1"));
  assert_int_equal(lkattrs_map_count(src), 5);
  assert_int_equal(lkattrs_hide_phone_number(src, src, &removed), LKATTRS_OK);
  assert_int_equal(removed, 3);
  assert_true(lkattrs_map_equal(src, dst));
  assert_int_equal(lkattrs_hide_phone_number(src, src, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_hide_phone_number(NULL, src, NULL), LKATTRS_E_INVALID_ARGUMENT);
  lkattrs_map_free(src);
  lkattrs_map_free(dst);
}

/* Fixed storage: an update that fills it exactly succeeds, one past fails
 * with NOSPACE and the map unchanged. */
static void test_fixed_merge(void **state) {
  (void)state;
  static unsigned char storage[LKATTRS_MAP_FIXED_BYTES(4, 16)];
  lkattrs_map *m, *snap = new_map(NULL);
  assert_int_equal(lkattrs_map_init_fixed(storage, sizeof storage, 4, 0, &m), LKATTRS_OK);
  lkattrs_merge_opts o = server_opts();
  lkattrs_entry fill[] = {E("d", "444"), E("a", "111"), E("c", "333"), E("b", "222")};
  assert_int_equal(lkattrs_merge(m, fill, 4, &o, NULL, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_map_copy(snap, m), LKATTRS_OK);
  lkattrs_entry past[] = {E("a", "9"), E("e", "5")};
  assert_int_equal(lkattrs_merge(m, past, 2, &o, NULL, NULL), LKATTRS_E_NOSPACE);
  assert_true(lkattrs_map_equal(m, snap));
  /* Rewrite everything at the same size, many times (compaction). */
  for (int i = 0; i < 20; i++) {
    char v[4][4];
    lkattrs_entry all[4];
    for (int j = 0; j < 4; j++) {
      snprintf(v[j], sizeof v[j], "%03d", i * 4 + j);
      all[j] = (lkattrs_entry){&"abcd"[j], 1, v[j], 3};
    }
    assert_int_equal(lkattrs_merge(m, all, 4, &o, NULL, NULL), LKATTRS_OK);
    assert_int_equal(lkattrs_map_bytes(m), 16);
  }
  /* Delete one and add another in one update. */
  lkattrs_entry swap[] = {E("a", ""), E("e", "555")};
  assert_int_equal(lkattrs_merge(m, swap, 2, &o, NULL, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_map_count(m), 4);
  /* More update entries than the map's capacity: NOSPACE (scratch). */
  lkattrs_entry many[5] = {E("x1", ""), E("x2", ""), E("x3", ""), E("x4", ""), E("x5", "")};
  assert_int_equal(lkattrs_map_copy(snap, m), LKATTRS_OK);
  assert_int_equal(lkattrs_merge(m, many, 5, &o, NULL, NULL), LKATTRS_E_NOSPACE);
  assert_true(lkattrs_map_equal(m, snap));
  lkattrs_map_free(snap);
}

/* Fail the 1st, 2nd, ... allocation of merge, join, diff_map, copy, hide
 * and merge_map: a clean NOMEM, the map unchanged, nothing leaked. */
static void test_allocation_failures(void **state) {
  (void)state;
  counting_alloc ca = {0};
  lkattrs_allocator alc = counting_allocator(&ca);
  uint64_t seed = 7;
  static ref_map r;
  lkattrs_map *src = new_map(NULL), *snap = new_map(NULL);
  lkattrs_merge_opts o = server_opts();
  for (int round = 0; round < 30; round++) {
    lkattrs_map *m = NULL, *u = NULL;
    ca.fail_at = 0;
    assert_int_equal(lkattrs_map_new(&alc, 0, &m), LKATTRS_OK);
    assert_int_equal(lkattrs_map_new(&alc, LKATTRS_MAP_UPDATE, &u), LKATTRS_OK);
    random_map(&seed, src, &r, rnd(&seed, 60));
    if (round % 2) assert_int_equal(lkattrs_map_copy(m, src), LKATTRS_OK);
    random_map(&seed, src, &r, 1 + rnd(&seed, 80));
    lkattrs_entry up[80];
    for (size_t i = 0; i < lkattrs_map_count(src); i++)
      assert_int_equal(lkattrs_map_at(src, i, &up[i]), LKATTRS_OK);
    size_t n = lkattrs_map_count(src);
    for (int op = 0; op < 6; op++) {
      lkattrs_map *target = op == 3 ? u : m;
      assert_int_equal(lkattrs_map_copy(snap, target), LKATTRS_OK);
      for (size_t f = 1;; f++) {
        lkattrs_status st;
        ca.calls = 0;
        ca.fail_at = f;
        switch (op) {
          case 0: st = lkattrs_merge(m, up, n, &o, NULL, NULL); break;
          case 1: st = lkattrs_join(src, up, n / 2, GRANTED, m, NULL); break;
          case 2: st = lkattrs_map_copy(m, src); break;
          case 3: st = lkattrs_diff_map(snap, src, u); break;
          case 4: st = lkattrs_hide_phone_number(m, src, NULL); break;
          default: st = lkattrs_merge_map(m, u, &o, NULL, NULL); break; /* u: a diff */
        }
        if (st == LKATTRS_OK) break;
        assert_int_equal(st, LKATTRS_E_NOMEM);
        assert_true(lkattrs_map_equal(target, snap));
        assert_true(f < 100);
      }
    }
    lkattrs_map_free(m);
    lkattrs_map_free(u);
  }
  assert_true(ca.failures > 30);
  assert_int_equal(ca.live_blocks, 0);
  assert_int_equal(ca.live_bytes, 0);
  lkattrs_map_free(src);
  lkattrs_map_free(snap);
}

/* A large merge stays fast: 50000 keys into 50000 (no quadratic path). */
static void test_large_merge(void **state) {
  (void)state;
  enum { N = 50000 };
  static lkattrs_entry up[N];
  static char keys[N][16];
  lkattrs_map *m = new_map(NULL);
  lkattrs_merge_opts o = server_opts();
  for (size_t i = 0; i < N; i++) {
    snprintf(keys[i], sizeof keys[i], "k%06zu", (i * 7919) % N * 2);
    up[i] = (lkattrs_entry){keys[i], strlen(keys[i]), "v", 1};
  }
  lkattrs_limits unlimited = {0, 0, 0, 0, 0};
  o.limits = &unlimited;
  assert_int_equal(lkattrs_merge(m, up, N, &o, NULL, NULL), LKATTRS_OK);
  for (size_t i = 0; i < N; i++) keys[i][6] = (char)(keys[i][6] + 1); /* odd keys */
  size_t changed;
  assert_int_equal(lkattrs_merge(m, up, N, &o, &changed, NULL), LKATTRS_OK);
  assert_int_equal(changed, N);
  assert_int_equal(lkattrs_map_count(m), 2 * N);
  for (size_t i = 0; i < N; i++) up[i].value_len = 0;
  assert_int_equal(lkattrs_merge(m, up, N, &o, &changed, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_map_count(m), N);
  lkattrs_map_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_merge_semantics),
      cmocka_unit_test(test_permission),
      cmocka_unit_test(test_namespaces),
      cmocka_unit_test(test_atomic_refusal),
      cmocka_unit_test(test_size_limits),
      cmocka_unit_test(test_merge_map),
      cmocka_unit_test(test_diff_table),
      cmocka_unit_test(test_properties),
      cmocka_unit_test(test_join),
      cmocka_unit_test(test_hide_phone_number),
      cmocka_unit_test(test_fixed_merge),
      cmocka_unit_test(test_allocation_failures),
      cmocka_unit_test(test_large_merge),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
