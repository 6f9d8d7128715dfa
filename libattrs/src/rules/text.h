/*
 * text.h - the variants of the text check of keys and values (text.c).
 * Private, never installed.  lkattrs__check_text() itself, which picks the
 * fastest variant the CPU has, is declared in rules.h; the functions here
 * force one variant, for the tests and the fuzz harness only.
 */
#ifndef LKATTRS_TEXT_H
#define LKATTRS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lkattrs/errors.h"

/* ---- the word screen: the scalar code's first step, inline ----
 *
 * A word is "clean" when no byte has the high bit, no byte is 0 and, for
 * keys, no byte is < 0x20 or 0x7F.  The tests are exact for words without
 * high bits, so a clean word needs no further look. */
typedef size_t lkattrs__word;
#define LKATTRS__ONES ((lkattrs__word)-1 / 0xFF)
#define LKATTRS__HIGH (LKATTRS__ONES * 0x80)

/* The bytes of w that fail the screen have their high bit set in the
 * result (0: clean).  The lowest flagged byte is always a real hit (the
 * borrows and carries of the tests only run upwards). */
static inline lkattrs__word lkattrs__word_bad(lkattrs__word w, bool key) {
  lkattrs__word bad = w & LKATTRS__HIGH;
  if (key)
    bad |= ((w - LKATTRS__ONES * 0x20) & ~w & LKATTRS__HIGH) | ((w + LKATTRS__ONES) & LKATTRS__HIGH);
  else
    bad |= (w - LKATTRS__ONES) & ~w & LKATTRS__HIGH;
  return bad;
}

/* True when s[0..len), of 8 to 64 bytes, is clean a word at a time (the
 * last word overlapping): then it follows the rules.  False says nothing
 * (lkattrs__check_text() decides, and finds the offset).  Always false in
 * -Os builds. */
static inline bool lkattrs__text_clean(const char *s, size_t len, bool key) {
#if !defined(__OPTIMIZE_SIZE__)
  if (len >= sizeof(lkattrs__word) && len <= 64) {
    lkattrs__word acc = 0, w;
    for (size_t i = 0; i + sizeof w <= len; i += sizeof w) {
      memcpy(&w, s + i, sizeof w);
      acc |= lkattrs__word_bad(w, key);
    }
    memcpy(&w, s + len - sizeof w, sizeof w);
    return !(acc | lkattrs__word_bad(w, key));
  }
#else
  (void)s;
  (void)len;
  (void)key;
#endif
  return false;
}

/* The SIMD variants compiled in: SSE4.1 and AVX2 on x86-64 (chosen at run
 * time), NEON on ARM64 (always there).  Other targets have the scalar code
 * only. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define LKATTRS__SIMD_X86 1
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__) && \
    defined(__ARM_NEON)
#define LKATTRS__SIMD_NEON 1
#endif

typedef enum lkattrs__text_variant {
  LKATTRS__TEXT_SCALAR = 0, /* word-at-a-time ASCII skip, byte-wise decoder */
  LKATTRS__TEXT_SSE41 = 1,  /* x86-64 with SSE4.1 */
  LKATTRS__TEXT_AVX2 = 2,   /* x86-64 with AVX2 */
  LKATTRS__TEXT_NEON = 3,   /* ARM64 */
  LKATTRS__TEXT_VARIANTS = 4
} lkattrs__text_variant;

lkattrs_status lkattrs__check_text(const char *s, size_t len, bool key,
                                   size_t *bad);

#if defined(LKATTRS__SIMD_X86) || defined(LKATTRS__SIMD_NEON)
/* Is variant v compiled in, and does this CPU have it? */
bool lkattrs__text_has(lkattrs__text_variant v);

/* lkattrs__check_text() with variant v (same verdict, same *bad); returns
 * LKATTRS_E_INVALID_ARGUMENT, *bad untouched, when !lkattrs__text_has(v). */
lkattrs_status lkattrs__check_text_variant(lkattrs__text_variant v,
                                           const char *s, size_t len,
                                           bool key, size_t *bad);
#else
/* The scalar code only: nothing to choose, and nothing added to a small
 * target's image. */
static inline bool lkattrs__text_has(lkattrs__text_variant v) {
  return v == LKATTRS__TEXT_SCALAR;
}

static inline lkattrs_status lkattrs__check_text_variant(
    lkattrs__text_variant v, const char *s, size_t len, bool key, size_t *bad) {
  if (v != LKATTRS__TEXT_SCALAR) return LKATTRS_E_INVALID_ARGUMENT;
  return lkattrs__check_text(s, len, key, bad);
}
#endif

#endif /* LKATTRS_TEXT_H */
