/*
 * test_text.c - the variants of the text check (libattrs/src/text.c):
 * scalar, SSE4.1, AVX2, NEON (those this build and CPU have) and the
 * automatic choice give the same verdict and the same offset as a slow
 * reference decoder, on a table of sequences placed at every position
 * around the block boundaries, at every alignment, inside ASCII and
 * multi-byte text, and on random and mutated texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "rules/text.h"
#include "../fuzz/ref_text.h"

#define S(lit) lit, sizeof(lit) - 1

/* ---- the reference (ref_text.h), against which every variant runs */


/* ---- the variants under test */

static const char *const variant_name[LKATTRS__TEXT_VARIANTS] = {"scalar", "sse4.1", "avx2",
                                                                 "neon"};

/* Checks s[0..n) with every variant this machine has and the automatic
 * choice, as a key and as a value, against the reference; *st_out gets the
 * reference's verdicts (key, value).  `what` names the case on failure. */
static void check_all(const char *s, size_t n, const char *what, lkattrs_status st_out[2]) {
  for (int k = 0; k < 2; k++) {
    bool key = k == 0;
    size_t want_off = 0;
    lkattrs_status want = ref_text((const unsigned char *)s, n, key, false, &want_off);
    if (st_out) st_out[k] = want;
    for (int v = -1; v < LKATTRS__TEXT_VARIANTS; v++) {
      lkattrs_status got;
      size_t off = (size_t)-1;
      if (v < 0) {
        got = lkattrs__check_text(s, n, key, &off);
      } else {
        if (!lkattrs__text_has((lkattrs__text_variant)v)) continue;
        got = lkattrs__check_text_variant((lkattrs__text_variant)v, s, n, key, &off);
      }
      if (got != want || off != want_off)
        fail_msg("%s (%zu bytes) as a %s, variant %s: status %d offset %zu, want %d offset %zu",
                 what, n, key ? "key" : "value", v < 0 ? "auto" : variant_name[v], (int)got,
                 off, (int)want, want_off);
      /* A NULL offset pointer is allowed. */
      if (v >= 0 && lkattrs__check_text_variant((lkattrs__text_variant)v, s, n, key, NULL) != want)
        fail_msg("%s as a %s, variant %s: verdict without offset differs", what,
                 key ? "key" : "value", variant_name[v]);
    }
  }
}

/* A copy of s[0..n) `align` bytes into a fresh allocation that ends where
 * the copy ends (so that the sanitizers and valgrind see any read past the
 * text); malloc's blocks are 16-byte aligned, so align picks the alignment
 * of the text within 16 bytes.  *block is what to free. */
static char *place(const char *s, size_t n, size_t align, void **block) {
  char *b = malloc(align + n ? align + n : 1);
  assert_non_null(b);
  if (n) memcpy(b + align, s, n);
  *block = b;
  return b + align;
}

/* ---- the table */

static const struct {
  const char *name;
  const char *s;
  size_t len;
  lkattrs_status key_st;
  size_t key_off;
  lkattrs_status val_st;
  size_t val_off;
} rows[] = {
    {"ascii", S("abc"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"space and tilde", S(" ~"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"2-byte e-acute", S("caf\xc3\xa9"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"2-byte U+07FF", S("\xdf\xbf"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"3-byte euro", S("\xe2\x82\xac"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"4-byte U+1F600", S("x\xf0\x9f\x98\x80y"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"4-byte U+10000", S("\xf0\x90\x80\x80"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+10FFFF", S("\xf4\x8f\xbf\xbf"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+D7FF", S("\xed\x9f\xbf"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+E000", S("\xee\x80\x80"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+FFFF", S("\xef\xbf\xbf"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+00A0 (after C1)", S("\xc2\xa0"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+00C0", S("\xc3\x80"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+0800", S("\xe0\xa0\x80"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+0FFF", S("\xe0\xbf\xbf"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+3FFFF", S("\xf0\xbf\xbf\xbf"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"U+100000", S("\xf4\x80\x80\x80"), LKATTRS_OK, 0, LKATTRS_OK, 0},
    {"overlong 2 C0", S("\xc0\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"overlong 2 C1", S("ab\xc1\xbf"), LKATTRS_E_UTF8, 2, LKATTRS_E_UTF8, 2},
    {"overlong 3", S("a\xe0\x80\xaf"), LKATTRS_E_UTF8, 1, LKATTRS_E_UTF8, 1},
    {"overlong 3 U+07FF", S("\xe0\x9f\xbf"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"overlong 4", S("\xf0\x8f\xbf\xbf"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"overlong 4 U+0000", S("\xf0\x80\x80\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"surrogate D800", S("\xed\xa0\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"surrogate DFFF", S("z\xed\xbf\xbf"), LKATTRS_E_UTF8, 1, LKATTRS_E_UTF8, 1},
    {"surrogate pair", S("\xed\xa0\xbd\xed\xb8\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"above U+10FFFF", S("\xf4\x90\x80\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"above U+10FFFF, F4 BF", S("\xf4\xbf\xbf\xbf"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"lead F5", S("\xf5\x80\x80\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"lead F7", S("\xf7\xbf\xbf\xbf"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"lead F8", S("\xf8\x88\x80\x80\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"lead FE", S("\xfe"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"lead FF", S("ok\xff"), LKATTRS_E_UTF8, 2, LKATTRS_E_UTF8, 2},
    {"lone continuation", S("\x80"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"lone continuation BF", S("a\xbf"), LKATTRS_E_UTF8, 1, LKATTRS_E_UTF8, 1},
    {"continuation after char", S("\xc3\xa9\xbf"), LKATTRS_E_UTF8, 2, LKATTRS_E_UTF8, 2},
    {"continuation after 4-byte", S("\xf0\x9f\x98\x80\x80"), LKATTRS_E_UTF8, 4, LKATTRS_E_UTF8, 4},
    {"truncated 2", S("ab\xc3"), LKATTRS_E_UTF8, 2, LKATTRS_E_UTF8, 2},
    {"truncated 3", S("ab\xe2\x82"), LKATTRS_E_UTF8, 2, LKATTRS_E_UTF8, 2},
    {"truncated 3 after lead", S("\xe2"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"truncated 4", S("\xf0\x9f\x98"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"truncated 4 after 2", S("\xf0\x9f"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"truncated 3 before ASCII", S("\xe2\x82z"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"truncated 4 before ASCII", S("\xf0\x9f\x98z"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"truncated 2 before lead", S("\xc3\xc3\xa9"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"bad 2nd of 4", S("\xf0\x9fzz"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"bad 4th of 4", S("\xf0\x9f\x98\xc0"), LKATTRS_E_UTF8, 0, LKATTRS_E_UTF8, 0},
    {"NUL", S("a\0b"), LKATTRS_E_NUL, 1, LKATTRS_E_NUL, 1},
    {"NUL first", S("\0"), LKATTRS_E_NUL, 0, LKATTRS_E_NUL, 0},
    {"NUL after 2-byte", S("\xc3\xa9\0"), LKATTRS_E_NUL, 2, LKATTRS_E_NUL, 2},
    {"C0 U+0001", S("a\x01"), LKATTRS_E_CONTROL_CHAR, 1, LKATTRS_OK, 0},
    {"C0 tab", S("a\tb"), LKATTRS_E_CONTROL_CHAR, 1, LKATTRS_OK, 0},
    {"C0 newline", S("\n"), LKATTRS_E_CONTROL_CHAR, 0, LKATTRS_OK, 0},
    {"C0 U+001F", S("ab\x1f"), LKATTRS_E_CONTROL_CHAR, 2, LKATTRS_OK, 0},
    {"DEL", S("a\x7f"), LKATTRS_E_CONTROL_CHAR, 1, LKATTRS_OK, 0},
    {"C1 U+0080", S("a\xc2\x80"), LKATTRS_E_CONTROL_CHAR, 1, LKATTRS_OK, 0},
    {"C1 U+009F", S("\xc2\x9f"), LKATTRS_E_CONTROL_CHAR, 0, LKATTRS_OK, 0},
    {"C1 U+0085 after 3-byte", S("\xe2\x82\xac\xc2\x85"), LKATTRS_E_CONTROL_CHAR, 3, LKATTRS_OK, 0},
    {"control before bad UTF-8", S("\x01\xff"), LKATTRS_E_CONTROL_CHAR, 0, LKATTRS_E_UTF8, 1},
    {"C1 before NUL", S("\xc2\x80\0"), LKATTRS_E_CONTROL_CHAR, 0, LKATTRS_E_NUL, 2},
    {"DEL before truncated", S("\x7f\xe2\x82"), LKATTRS_E_CONTROL_CHAR, 0, LKATTRS_E_UTF8, 1},
};

/* Valid filler: ASCII only, or a mix of 1- to 4-byte characters. */
static size_t filler(char *out, size_t n, bool mixed, size_t phase) {
  static const char *const units[] = {"a", "\xc3\xa9", "b", "\xe2\x82\xac", "c",
                                      "\xf0\x9f\x98\x80", "d", "\xe4\xb8\xad", "\xc2\xa0"};
  size_t len = 0;
  for (size_t u = phase; len < n; u++) {
    const char *c = mixed ? units[u % ARRAY_LEN(units)] : "a";
    size_t cl = strlen(c);
    if (len + cl > n) c = "a", cl = 1;
    memcpy(out + len, c, cl);
    len += cl;
  }
  return len;
}

static void test_table_everywhere(void **state) {
  static const size_t suffixes[] = {0, 1, 3, 15, 16, 33, 70};
  char buf[512];
  (void)state;
  for (int v = 0; v < LKATTRS__TEXT_VARIANTS; v++)
    if (lkattrs__text_has((lkattrs__text_variant)v)) print_message("variant %s\n", variant_name[v]);
  for (size_t r = 0; r < ARRAY_LEN(rows); r++)
    for (int mixed = 0; mixed < 2; mixed++)
      for (size_t pre = 0; pre <= 136; pre++)
        for (size_t sfx = 0; sfx < ARRAY_LEN(suffixes); sfx++) {
          size_t n = filler(buf, pre, mixed, r);
          memcpy(buf + n, rows[r].s, rows[r].len);
          n += rows[r].len;
          n += filler(buf + n, suffixes[sfx], mixed, pre);
          void *blk;
          char *s = place(buf, n, (pre * 7 + sfx) % 64, &blk);
          char what[160];
          snprintf(what, sizeof what, "%s after %zu %s bytes, %zu after", rows[r].name, pre,
                   mixed ? "mixed" : "ASCII", suffixes[sfx]);
          lkattrs_status st[2];
          check_all(s, n, what, st);
          free(blk);
          /* The reference agrees with the table (the filler is valid and
           * starts with no continuation byte). */
          size_t off;
          if (st[0] != rows[r].key_st || st[1] != rows[r].val_st) fail_msg("%s: reference", what);
          if (st[0] != LKATTRS_OK) {
            (void)ref_text((const unsigned char *)buf, n, true, false, &off);
            if (off != pre + rows[r].key_off) fail_msg("%s: reference key offset", what);
          }
          if (st[1] != LKATTRS_OK) {
            (void)ref_text((const unsigned char *)buf, n, false, false, &off);
            if (off != pre + rows[r].val_off) fail_msg("%s: reference value offset", what);
          }
        }
}

/* Every alignment of a bad byte inside texts of every length up to two
 * AVX2 rounds, the bad byte everywhere. */
static void test_alignments(void **state) {
  static const unsigned char bad[] = {0x00, 0x01, 0x7f, 0x80, 0xc2, 0xe2, 0xf0, 0xff};
  char buf[160];
  (void)state;
  for (size_t align = 0; align < 32; align++)
    for (size_t len = 0; len <= 130; len += (len < 70 ? 1 : 13)) {
      memset(buf, 'q', len);
      void *blk;
      char *s = place(buf, len, align, &blk);
      check_all(s, len, "clean ASCII", NULL);
      free(blk);
      for (size_t p = 0; p < len; p++)
        for (size_t b = 0; b < sizeof bad; b++) {
          memset(buf, 'q', len);
          buf[p] = (char)bad[b];
          s = place(buf, len, align, &blk);
          check_all(s, len, "ASCII with one bad byte", NULL);
          free(blk);
        }
    }
}

/* Pieces of random texts: mostly valid characters (the boundaries of each
 * range), some controls, and some bad sequences. */
static const char *const good_pieces[] = {
    "a", "Z", " ", "~", "key.", "\xc2\xa0", "\xc3\xa9", "\xdf\xbf", "\xe0\xa0\x80",
    "\xe2\x82\xac", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xe4\xb8\xad",
    "\xf0\x90\x80\x80", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xf3\xbf\xbf\xbf"};
static const char *const ctl_pieces[] = {"\x01", "\t", "\x1f", "\x7f", "\xc2\x80", "\xc2\x9f"};
static const char *const bad_pieces[] = {
    "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xe0\x80\x80", "\xe0\x9f\xbf",
    "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
    "\xf5\x80\x80\x80", "\xf8", "\xfe", "\xff", "\xe2\x82", "\xf0\x9f\x98", "\xf0\x9f"};

static size_t random_text(uint64_t *rs, char *buf, size_t max, unsigned bad_odds) {
  size_t n = 0, want = rnd(rs, max + 1);
  while (n < want) {
    const char *p;
    size_t pick = rnd(rs, 1000);
    if (pick < bad_odds)
      p = bad_pieces[rnd(rs, ARRAY_LEN(bad_pieces))];
    else if (pick < 2 * bad_odds)
      p = ctl_pieces[rnd(rs, ARRAY_LEN(ctl_pieces))];
    else if (pick < 2 * bad_odds + bad_odds / 4 + 1)
      p = "\0";
    else
      p = good_pieces[rnd(rs, ARRAY_LEN(good_pieces))];
    size_t pl = *p ? strlen(p) : 1;
    if (n + pl > max) break;
    memcpy(buf + n, p, pl);
    n += pl;
  }
  return n;
}

static void test_random(void **state) {
  static char buf[8192];
  uint64_t rs = 0x7e57u;
  (void)state;
  for (int i = 0; i < 20000; i++) {
    /* Odds per thousand pieces of a bad and of a control piece: from many
     * to none (a long valid text through every block). */
    unsigned odds = (unsigned[]){0, 0, 1, 5, 20, 100}[i % 6];
    size_t n = random_text(&rs, buf, i % 50 == 0 ? sizeof buf : 300, odds);
    void *blk;
    char *s = place(buf, n, rnd(&rs, 64), &blk);
    check_all(s, n, "random text", NULL);
    free(blk);
  }
  /* Random bytes. */
  for (int i = 0; i < 5000; i++) {
    size_t n = rnd(&rs, 200);
    for (size_t k = 0; k < n; k++) buf[k] = (char)rnd(&rs, 256);
    check_all(buf, n, "random bytes", NULL);
  }
}

/* One byte of a valid mixed text replaced by each interesting value, at
 * every position. */
static void test_mutations(void **state) {
  static const unsigned char vals[] = {0x00, 0x01, 0x1f, 0x20, 0x7f, 0x80, 0x8f, 0x90,
                                       0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0,
                                       0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff};
  char text[200], buf[200];
  (void)state;
  size_t n = filler(text, sizeof text, true, 0);
  check_all(text, n, "mixed text", NULL);
  for (size_t p = 0; p < n; p++)
    for (size_t v = 0; v < sizeof vals; v++) {
      memcpy(buf, text, n);
      buf[p] = (char)vals[v];
      check_all(buf, n, "mutated mixed text", NULL);
      check_all(buf, p + 1, "mutated mixed text, cut after the byte", NULL);
    }
}

static void test_variant_api(void **state) {
  size_t off = 77;
  (void)state;
  assert_true(lkattrs__text_has(LKATTRS__TEXT_SCALAR));
  assert_false(lkattrs__text_has(LKATTRS__TEXT_VARIANTS));
#if defined(LKATTRS__SIMD_X86)
  assert_false(lkattrs__text_has(LKATTRS__TEXT_NEON));
  /* AVX2 implies SSE4.1. */
  if (lkattrs__text_has(LKATTRS__TEXT_AVX2)) assert_true(lkattrs__text_has(LKATTRS__TEXT_SSE41));
#elif defined(LKATTRS__SIMD_NEON)
  assert_true(lkattrs__text_has(LKATTRS__TEXT_NEON));
  assert_false(lkattrs__text_has(LKATTRS__TEXT_AVX2));
#endif
  for (int v = 0; v <= LKATTRS__TEXT_VARIANTS; v++) {
    off = 77;
    lkattrs_status st = lkattrs__check_text_variant((lkattrs__text_variant)v, "ab", 2, true, &off);
    if (lkattrs__text_has((lkattrs__text_variant)v)) {
      assert_int_equal(st, LKATTRS_OK);
      assert_int_equal(off, 2);
      /* The empty text, even without a pointer. */
      assert_int_equal(lkattrs__check_text_variant((lkattrs__text_variant)v, NULL, 0, true, &off),
                       LKATTRS_OK);
      assert_int_equal(off, 0);
    } else {
      assert_int_equal(st, LKATTRS_E_INVALID_ARGUMENT);
      assert_int_equal(off, 77);
    }
  }
  assert_int_equal(lkattrs__check_text(NULL, 0, false, &off), LKATTRS_OK);
  assert_int_equal(off, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_variant_api),
      cmocka_unit_test(test_table_everywhere),
      cmocka_unit_test(test_alignments),
      cmocka_unit_test(test_random),
      cmocka_unit_test(test_mutations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
