/*
 * fuzz_util.h - helpers shared by the fuzz harnesses (tests/fuzz/fuzz_*.c):
 * a reader that carves typed values out of the fuzzer's bytes (in the style
 * of LLVM's FuzzedDataProvider), and FUZZ_CHECK, which aborts with a message
 * when a property does not hold (libFuzzer then saves the input; the replay
 * driver fails).  Never uses assert(): the checks stay under NDEBUG.
 */
#ifndef LKATTRS_FUZZ_UTIL_H
#define LKATTRS_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                   \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
              #cond);                                                      \
      abort();                                                             \
    }                                                                      \
  } while (0)

typedef struct fuzz_in {
  const uint8_t *p;
  size_t n;
} fuzz_in;

static inline uint8_t fz_u8(fuzz_in *in) {
  if (!in->n) return 0;
  in->n--;
  return *in->p++;
}

static inline uint16_t fz_u16(fuzz_in *in) {
  uint16_t hi = fz_u8(in);
  return (uint16_t)(hi << 8 | fz_u8(in));
}

/* Up to max bytes, the length taken from one input byte (or two when
 * max > 255); returns a view (never NULL) and its length in *len. */
static inline const char *fz_bytes(fuzz_in *in, size_t max, size_t *len) {
  size_t want = max > 255 ? fz_u16(in) : fz_u8(in);
  if (max) want %= max + 1;
  if (want > in->n) want = in->n;
  const char *p = (const char *)in->p;
  in->p += want;
  in->n -= want;
  *len = want;
  return p ? p : "";
}

/* The rest of the input. */
static inline const uint8_t *fz_rest(fuzz_in *in, size_t *len) {
  const uint8_t *p = in->p;
  *len = in->n;
  in->p += in->n;
  in->n = 0;
  return p;
}

#endif /* LKATTRS_FUZZ_UTIL_H */
