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
#include "ref_text.h"


static void check(const uint8_t *s, size_t n) {
  const char *t = (const char *)s;
  for (int k = 0; k < 2; k++) {
    bool key = k == 0;
    size_t roff = 0, off = 12345;
    lkattrs_status rst = ref_text(s, n, key, false, &roff);
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
