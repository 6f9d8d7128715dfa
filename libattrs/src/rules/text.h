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

#include "lkattrs/errors.h"

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
