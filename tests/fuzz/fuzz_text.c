/*
 * fuzz_text.c - the variants of the text check (libattrs/src/text.c, the
 * UTF-8, NUL and control rules of keys and values) against each other and
 * against a slow reference decoder.
 *
 * Input: the text.  Properties: as a key and as a value, every variant this
 * machine has (scalar, SSE4.1, AVX2, NEON) and the automatic choice give
 * the reference's verdict and offset of the first bad byte, on the input
 * where the fuzzer put it, on a copy at another alignment (its end where
 * its allocation ends), and on the input cut short by 1 to 3 bytes and at
 * its middle (the ends of blocks and sequences).
 */
#include <stdbool.h>

#include "fuzz_util.h"
#include "rules/text.h"

/* Decodes one code point at s[i..n): returns its length, or 0 when the
 * bytes there are not valid UTF-8 (overlong, surrogate, > U+10FFFF, lone
 * continuation, truncated). */
static size_t ref_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp) {
  unsigned b = s[i];
  size_t len;
  uint32_t c, min;
  if (b < 0x80) {
    *cp = b;
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    len = 2, c = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    len = 3, c = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    len = 4, c = b & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (n - i < len) return 0;
  for (size_t k = 1; k < len; k++) {
    if ((s[i + k] & 0xC0) != 0x80) return 0;
    c = c << 6 | (s[i + k] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return len;
}

/* The rules of lkattrs/validate.h, one code point at a time. */
static lkattrs_status ref_text(const unsigned char *s, size_t n, bool key, size_t *bad) {
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t len = ref_decode(s, n, i, &cp);
    *bad = i;
    if (!len) return LKATTRS_E_UTF8;
    if (cp == 0) return LKATTRS_E_NUL;
    if (key && (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)))
      return LKATTRS_E_CONTROL_CHAR;
    i += len;
  }
  *bad = n;
  return LKATTRS_OK;
}

static void check(const uint8_t *s, size_t n) {
  const char *t = (const char *)s;
  for (int k = 0; k < 2; k++) {
    bool key = k == 0;
    size_t roff = 0, off = 12345;
    lkattrs_status rst = ref_text(s, n, key, &roff);
    FUZZ_CHECK(lkattrs__check_text(t, n, key, &off) == rst);
    FUZZ_CHECK(off == roff);
    for (int v = 0; v < LKATTRS__TEXT_VARIANTS; v++) {
      if (!lkattrs__text_has((lkattrs__text_variant)v)) continue;
      off = 12345;
      FUZZ_CHECK(lkattrs__check_text_variant((lkattrs__text_variant)v, t, n, key, &off) == rst);
      FUZZ_CHECK(off == roff);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check(data, size);
  for (size_t cut = 1; cut <= 3 && cut <= size; cut++) check(data, size - cut);
  check(data, size / 2);
  /* Another alignment: 1 to 15 bytes into an allocation that ends with the
   * text (malloc's blocks are 16-byte aligned). */
  size_t align = 1 + size % 15;
  uint8_t *copy = malloc(align + size);
  FUZZ_CHECK(copy != NULL);
  if (size) memcpy(copy + align, data, size);
  check(copy + align, size);
  free(copy);
  return 0;
}
