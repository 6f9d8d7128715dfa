/* test_validate.c - UTF-8, key, value, limit and namespace rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lkattrs/lkattrs.h"

#define S(lit) lit, sizeof(lit) - 1

/* Like assert_int_equal, naming the table row on failure. */
#define EXPECT(got, want, row)                                           \
  do {                                                                   \
    if ((long)(got) != (long)(want))                                     \
      fail_msg("%s: %s is %ld, want %ld", row, #got, (long)(got), (long)(want)); \
  } while (0)

/* One text, checked as a key and as a value: expected status and offset. */
static const struct {
  const char *name;
  const char *s;
  size_t len;
  lkattrs_status key_st;
  size_t key_off;
  lkattrs_status val_st;
  size_t val_off;
} texts[] = {
    {"ascii", S("abc"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"2-byte e-acute", S("caf\xc3\xa9"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"3-byte euro", S("\xe2\x82\xac"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"4-byte U+1F600", S("x\xf0\x9f\x98\x80y"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"4-byte U+10000", S("\xf0\x90\x80\x80"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+10FFFF", S("\xf4\x8f\xbf\xbf"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+D7FF", S("\xed\x9f\xbf"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+E000", S("\xee\x80\x80"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+FFFF", S("\xef\xbf\xbf"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+00A0 (after C1)", S("\xc2\xa0"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+0800", S("\xe0\xa0\x80"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"overlong 2 C0", S("\xc0\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"overlong 2 C1", S("ab\xc1\xbf"), LKATTRS_E_UTF8, 2, LKATTRS_E_UTF8, 2},
    {"overlong 3", S("a\xe0\x80\xaf"), LKATTRS_E_UTF8, 1, LKATTRS_E_UTF8, 1},
    {"overlong 3 U+07FF", S("\xe0\x9f\xbf"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"overlong 4", S("\xf0\x8f\xbf\xbf"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"surrogate D800", S("\xed\xa0\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"surrogate DFFF", S("z\xed\xbf\xbf"), LKATTRS_E_UTF8, 1, LKATTRS_E_UTF8, 1},
    {"above U+10FFFF", S("\xf4\x90\x80\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"lead F5", S("\xf5\x80\x80\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"lead F8", S("\xf8\x88\x80\x80\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"lead FE", S("\xfe"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"lead FF", S("ok\xff"), LKATTRS_E_UTF8, 2, LKATTRS_E_UTF8, 2},
    {"lone continuation", S("\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"continuation after char", S("\xc3\xa9\xbf"), LKATTRS_E_UTF8, 2, LKATTRS_E_UTF8, 2},
    {"truncated 2 at end", S("ab\xc3"), LKATTRS_E_UTF8, 2, LKATTRS_E_UTF8, 2},
    {"truncated 3 at end", S("ab\xe2\x82"), LKATTRS_E_UTF8, 2, LKATTRS_E_UTF8, 2},
    {"truncated 4 at end", S("\xf0\x9f\x98"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"truncated 3 mid", S("\xe2\x82z"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"truncated 4 mid", S("\xf0\x9f\x98z"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"bad 2nd of 4", S("\xf0\x9fzz"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"NUL", S("a\0b"), LKATTRS_E_NUL, 1, LKATTRS_E_NUL, 1},
    {"NUL first", S("\0"), LKATTRS_E_NUL, 0, LKATTRS_E_NUL, 0},
    {"C0 U+0001", S("a\x01"), LKATTRS_E_CONTROL_CHAR, 1, LKATTRS_OK, 0},
    {"C0 tab", S("a\tb"), LKATTRS_E_CONTROL_CHAR, 1, LKATTRS_OK, 0},
    {"C0 newline", S("\n"), LKATTRS_E_CONTROL_CHAR, 0, LKATTRS_OK, 0},
    {"C0 U+001F", S("ab\x1f"), LKATTRS_E_CONTROL_CHAR, 2, LKATTRS_OK, 0},
    {"DEL", S("a\x7f"), LKATTRS_E_CONTROL_CHAR, 1, LKATTRS_OK, 0},
    {"C1 U+0080", S("a\xc2\x80"), LKATTRS_E_CONTROL_CHAR, 1, LKATTRS_OK, 0},
    {"C1 U+009F", S("\xc2\x9f"), LKATTRS_E_CONTROL_CHAR, 0, LKATTRS_OK, 0},
    {"control before bad UTF-8", S("\x01\xff"), LKATTRS_E_CONTROL_CHAR, 0, LKATTRS_E_UTF8, 1},
};

static void test_text_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    lkattrs_error_detail d;
    const char *row = texts[i].name;
    EXPECT(lkattrs_validate_key(texts[i].s, texts[i].len, NULL, &d), texts[i].key_st, row);
    EXPECT(d.code, texts[i].key_st, row);
    assert_non_null(d.message);
    if (texts[i].key_st != LKATTRS_OK) {
      EXPECT(d.offset, texts[i].key_off, row);
      EXPECT(d.in_value, false, row);
      assert_ptr_equal(d.key, texts[i].s);
      EXPECT(d.key_len, texts[i].len, row);
      EXPECT(d.index, LKATTRS_NO_INDEX, row);
    }
    EXPECT(lkattrs_validate_value(texts[i].s, texts[i].len, NULL, &d), texts[i].val_st, row);
    if (texts[i].val_st != LKATTRS_OK) {
      EXPECT(d.offset, texts[i].val_off, row);
      EXPECT(d.in_value, true, row);
    }
    /* The plain UTF-8 check: NUL and controls are valid UTF-8. */
    size_t off = 12345;
    lkattrs_status want = texts[i].val_st == LKATTRS_E_UTF8 ? LKATTRS_E_UTF8 : LKATTRS_OK;
    EXPECT(lkattrs_validate_utf8(texts[i].s, texts[i].len, &off), want, row);
    if (want == LKATTRS_E_UTF8) EXPECT(off, texts[i].val_off, row);
  }
}

/* Bad bytes at every position of ASCII runs, at every alignment, so the
 * word-at-a-time path and the byte path meet everywhere. */
static void test_fast_path_positions(void **state) {
  static const unsigned char bad[] = {0x00, 0x01, 0x1f, 0x7f, 0x80, 0xff, 0xc2};
  char buf[64];
  (void)state;
  for (size_t align = 0; align < 8; align++)
    for (size_t len = 1; len <= 40; len++)
      for (size_t p = 0; p < len; p++)
        for (size_t b = 0; b < sizeof bad; b++) {
          char *s = buf + align;
          memset(s, 'a', len);
          s[p] = (char)bad[b];
          lkattrs_status ks, vs;
          switch (bad[b]) {
            case 0x00: ks = vs = LKATTRS_E_NUL; break;
            case 0x01: case 0x1f: case 0x7f:
              ks = LKATTRS_E_CONTROL_CHAR;
              vs = LKATTRS_OK;
              break;
            default: ks = vs = LKATTRS_E_UTF8; break; /* 'a' is no continuation */
          }
          lkattrs_error_detail d;
          assert_int_equal(lkattrs_validate_key(s, len, NULL, &d), ks);
          assert_int_equal(d.offset, p);
          assert_int_equal(lkattrs_validate_value(s, len, NULL, &d), vs);
          if (vs != LKATTRS_OK) assert_int_equal(d.offset, p);
        }
  /* Long clean texts: every printable ASCII byte, and a multi-byte mix. */
  char big[4096];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(0x20 + i % 95);
  assert_int_equal(lkattrs_validate_key(big, 256, NULL, NULL), LKATTRS_OK);
  assert_int_equal(lkattrs_validate_value(big, sizeof big, NULL, NULL), LKATTRS_OK);
  for (size_t i = 0; i + 4 <= sizeof big; i += 4) memcpy(big + i, "\xf0\x9f\x98\x80", 4);
  assert_int_equal(lkattrs_validate_value(big, sizeof big, NULL, NULL), LKATTRS_OK);
  big[sizeof big - 1] = 'x'; /* breaks the last character */
  size_t off;
  assert_int_equal(lkattrs_validate_utf8(big, sizeof big, &off), LKATTRS_E_UTF8);
  assert_int_equal(off, sizeof big - 4);
}

static void test_lengths(void **state) {
  char k[1000];
  lkattrs_error_detail d;
  (void)state;
  memset(k, 'k', sizeof k);
  assert_int_equal(lkattrs_validate_key(k, 256, NULL, &d), LKATTRS_OK);
  assert_int_equal(lkattrs_validate_key(k, 257, NULL, &d), LKATTRS_E_KEY_TOO_LONG);
  assert_int_equal(d.offset, 256);
  assert_int_equal(lkattrs_validate_key("", 0, NULL, &d), LKATTRS_E_KEY_EMPTY);
  assert_int_equal(lkattrs_validate_key(NULL, 0, NULL, &d), LKATTRS_E_KEY_EMPTY);
  assert_int_equal(lkattrs_validate_key(NULL, 3, NULL, &d), LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_validate_value(NULL, 0, NULL, &d), LKATTRS_OK);
  assert_int_equal(lkattrs_validate_value(NULL, 1, NULL, &d), LKATTRS_E_INVALID_ARGUMENT);

  lkattrs_limits l = lkattrs_limits_default();
  l.max_key_bytes = 0; /* unlimited */
  assert_int_equal(lkattrs_validate_key(k, sizeof k, &l, &d), LKATTRS_OK);
  l.max_key_bytes = 4;
  assert_int_equal(lkattrs_validate_key(k, 4, &l, &d), LKATTRS_OK);
  assert_int_equal(lkattrs_validate_key(k, 5, &l, &d), LKATTRS_E_KEY_TOO_LONG);
  /* Values: unlimited by default, limited on request. */
  assert_int_equal(lkattrs_validate_value(k, sizeof k, NULL, &d), LKATTRS_OK);
  l.max_value_bytes = 10;
  assert_int_equal(lkattrs_validate_value(k, 10, &l, &d), LKATTRS_OK);
  assert_int_equal(lkattrs_validate_value(k, 11, &l, &d), LKATTRS_E_VALUE_TOO_LONG);
  assert_int_equal(d.offset, 10);
  assert_true(d.in_value);
  /* detail NULL is fine. */
  assert_int_equal(lkattrs_validate_key(k, 257, NULL, NULL), LKATTRS_E_KEY_TOO_LONG);
}

/* Every limit: the macro, the function and the struct agree. */
static void test_limit_defaults(void **state) {
  (void)state;
  lkattrs_limits l = lkattrs_limits_default();
  lkattrs_limits init = LKATTRS_LIMITS_INIT;
  assert_int_equal(LKATTRS_DEFAULT_MAX_KEY_BYTES, 256);
  assert_int_equal(LKATTRS_DEFAULT_MAX_TOTAL_BYTES, 65536);
  assert_int_equal(LKATTRS_DEFAULT_MAX_VALUE_BYTES, 0);
  assert_int_equal(LKATTRS_DEFAULT_MAX_ENTRIES, 0);
  assert_int_equal(l.max_key_bytes, LKATTRS_DEFAULT_MAX_KEY_BYTES);
  assert_int_equal(l.max_value_bytes, LKATTRS_DEFAULT_MAX_VALUE_BYTES);
  assert_int_equal(l.max_update_bytes, LKATTRS_DEFAULT_MAX_UPDATE_BYTES);
  assert_int_equal(l.max_map_bytes, LKATTRS_DEFAULT_MAX_MAP_BYTES);
  assert_int_equal(l.max_entries, LKATTRS_DEFAULT_MAX_ENTRIES);
  assert_int_equal(LKATTRS_DEFAULT_MAX_UPDATE_BYTES, LKATTRS_DEFAULT_MAX_TOTAL_BYTES);
  assert_int_equal(LKATTRS_DEFAULT_MAX_MAP_BYTES, LKATTRS_DEFAULT_MAX_TOTAL_BYTES);
  assert_memory_equal(&l, &init, sizeof l);
#if LKATTRS_DEFAULT_MAX_KEY_BYTES != 256 || LKATTRS_DEFAULT_MAX_TOTAL_BYTES != 65536
#error "defaults must be usable in #if"
#endif
}

static void test_namespaces(void **state) {
  static const char *const keys[] = {"color", "sip.x", "sip.phoneNumber",
                                     "sip.h.X-Foo", "ingress.ingressID",
                                     "lk.x", "lk.publish_on_behalf",
                                     "lk.agent.state", "lk.agent.custom", "lkagent"};
  /* 1 = allowed, per origin CLIENT, AGENT, SERVER, TRUSTED. */
  static const int allowed[][4] = {
      {1, 1, 1, 1}, {0, 0, 1, 1}, {0, 0, 1, 1}, {0, 0, 1, 1}, {0, 0, 1, 1},
      {0, 0, 1, 1}, {0, 0, 1, 1}, {0, 1, 1, 1}, {0, 1, 1, 1}, {1, 1, 1, 1},
  };
  (void)state;
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    for (int o = 0; o < 4; o++)
      assert_int_equal(lkattrs_check_namespace((lkattrs_origin)o, keys[i], strlen(keys[i])),
                       allowed[i][o] ? LKATTRS_OK : LKATTRS_E_RESERVED_NAME);
  assert_int_equal(lkattrs_check_namespace((lkattrs_origin)9, "a", 1),
                   LKATTRS_E_INVALID_ARGUMENT);
  assert_int_equal(lkattrs_check_namespace(LKATTRS_ORIGIN_CLIENT, NULL, 2),
                   LKATTRS_E_INVALID_ARGUMENT);
}

/* The namespace rule works by prefix (no table); it must agree with the
 * table of names.h for every name in it, and with each name's owner. */
static void test_namespaces_agree_with_table(void **state) {
  lkattrs_name_info info;
  (void)state;
  for (size_t i = 0; lkattrs_name_at(i, &info); i++) {
    assert_int_equal(lkattrs_check_namespace(LKATTRS_ORIGIN_CLIENT, info.name, info.name_len),
                     LKATTRS_E_RESERVED_NAME);
    assert_int_equal(lkattrs_check_namespace(LKATTRS_ORIGIN_AGENT, info.name, info.name_len),
                     info.owner == LKATTRS_OWNER_AGENT ? LKATTRS_OK : LKATTRS_E_RESERVED_NAME);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_namespaces_agree_with_table),
      cmocka_unit_test(test_text_table),
      cmocka_unit_test(test_fast_path_positions),
      cmocka_unit_test(test_lengths),
      cmocka_unit_test(test_limit_defaults),
      cmocka_unit_test(test_namespaces),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
