/*
 * text.c - the text rules of keys and values (lkattrs/validate.h): strict
 * UTF-8, no U+0000, and in keys no C0, DEL or C1 control.
 *
 * lkattrs__check_text() returns the verdict and the offset of the first byte
 * of the first bad character.  The scalar code gives it: an ASCII skip a
 * machine word at a time, and a byte-wise decoder where the bytes are not
 * plain ASCII.  On x86-64 (SSE4.1, AVX2, chosen per call from what the CPU
 * has) and ARM64 (NEON) a SIMD pass checks whole blocks first (the
 * "lookup" UTF-8 validation of Keiser and Lemire, simdjson, plus the
 * forbidden bytes); the first block it flags, and everything after, goes to
 * the scalar code from the start of the character there, so that the
 * verdict and offset are always the scalar code's.  No state: the choice is
 * made on each call.
 */
#include "text.h"

#include <string.h>

#include "rules.h"

/* ---- scalar ------------------------------------------------------------
 *
 * Word-at-a-time ASCII screening (the screen itself: text.h); anything a
 * word flags goes through the byte loop. */
typedef lkattrs__word word;
#if SIZE_MAX > 0xFFFFFFFF
typedef uint32_t half;
#else
typedef uint16_t half;
#endif
#define ONES LKATTRS__ONES
#define HIGH LKATTRS__HIGH
#define word_bad lkattrs__word_bad

/* Offset of the first flagged byte of a bad word (0 when unknown). */
static size_t first_flagged(word bad) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return (size_t)__builtin_ctzll((unsigned long long)bad) / 8;
#else
  (void)bad;
  return 0;
#endif
}

/* The bytes s[i..len) of a text shorter than a word, in a word padded
 * with clean bytes (their order does not matter). */
static word tail_word(const unsigned char *s, size_t i, size_t len) {
  word w = ONES * 0x61;
#if defined(__OPTIMIZE_SIZE__)
  memcpy(&w, s + i, len - i);
#else
  /* No call: two overlapping halves, or the first, middle and last byte. */
  size_t n = len - i;
  if (n >= sizeof(half)) {
    half lo, hi;
    memcpy(&lo, s + i, sizeof lo);
    memcpy(&hi, s + len - sizeof hi, sizeof hi);
    return (word)lo | (word)hi << (sizeof(half) * 8);
  }
  w = (w & ~(word)0xFFFFFF) | s[i] | (word)s[i + n / 2] << 8 | (word)s[len - 1] << 16;
#endif
  return w;
}

/* Check s[i..len), where i is the start of a character and s[0..i) holds
 * only good characters. */
static lkattrs_status scan(const unsigned char *s, size_t len, size_t i,
                           bool key, size_t *bad) {
  lkattrs_status st = LKATTRS_OK;
  while (i < len) {
    word w, m;
    if (len - i >= sizeof(word)) {
      memcpy(&w, s + i, sizeof w);
      m = word_bad(w, key);
      if (!m) {
        i += sizeof w;
        continue;
      }
      i += first_flagged(m); /* clean bytes before it */
    } else {
      /* The tail: the last word of the text (its bytes before i are
       * checked already), or the tail padded with a clean byte. */
      if (len >= sizeof w) {
        memcpy(&w, s + len - sizeof w, sizeof w);
      } else {
        w = tail_word(s, i, len);
      }
      if (!word_bad(w, key)) {
        i = len;
        break;
      }
    }
    unsigned b = s[i];
    if (b < 0x80) {
      if (b == 0) {
        st = LKATTRS_E_NUL;
        break;
      }
      if (key && (b < 0x20 || b == 0x7F)) {
        st = LKATTRS_E_CONTROL_CHAR;
        break;
      }
      i++;
      continue;
    }
    /* Lead byte: number of continuation bytes and the range of the first
     * one (which excludes overlong forms, surrogates and > U+10FFFF). */
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    st = LKATTRS_E_UTF8;
    if (b < 0xC2) break; /* continuation byte, or overlong C0/C1 */
    if (b < 0xE0) {
      n = 1;
    } else if (b < 0xF0) {
      n = 2;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b < 0xF5) {
      n = 3;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      break;
    }
    if (len - i <= n || s[i + 1] < lo || s[i + 1] > hi) break;
    if (n > 1 && (s[i + 2] & 0xC0) != 0x80) break;
    if (n > 2 && (s[i + 3] & 0xC0) != 0x80) break;
    if (key && b == 0xC2 && s[i + 1] < 0xA0) { /* C1 control U+0080-U+009F */
      st = LKATTRS_E_CONTROL_CHAR;
      break;
    }
    st = LKATTRS_OK;
    i += n + 1;
  }
  if (bad) *bad = i;
  return i < len ? st : LKATTRS_OK;
}

/* ---- SIMD --------------------------------------------------------------
 *
 * Each block of input bytes is checked together with the 3 bytes before it
 * (the previous block).  An error vector is non-zero when the block holds
 * a bad UTF-8 sequence (or the end of one that starts in the previous
 * block), a forbidden byte (NUL; in keys < 0x20 or 0x7F) or a C1 control
 * (C2 80..C2 9F) in a key.  The flags are exact: a clean text is never
 * flagged, a bad one always is, in the block of its first bad byte or
 * before.  No byte past the text is read: the last, partial block is the
 * text's last full block again (overlapping the one before, its 3 bytes
 * before loaded where they are), or, in a text too short for that, a copy
 * padded with spaces (allowed in keys and values: a sequence cut short by
 * the end shows as one cut short by a space). */
#if defined(LKATTRS__SIMD_X86) || defined(LKATTRS__SIMD_NEON)

/* The lookup tables of the UTF-8 check (simdjson's "lookup4"): one bit per
 * kind of error, looked up from the high and the low nibble of a byte and
 * the high nibble of the next one; an error is a bit set in all three. */
#define TOO_SHORT 0x01  /* 11______ 0_______, 11______ 11______ */
#define TOO_LONG 0x02   /* 0_______ 10______ */
#define OVERLONG_3 0x04 /* 11100000 100_____ */
#define TOO_LARGE 0x08  /* 11110100 1001____ ... 11111___ 101_____ */
#define SURROGATE 0x10  /* 11101101 101_____ */
#define OVERLONG_2 0x20 /* 1100000_ 10______ */
#define TOO_LARGE_1000 0x40 /* 11110101 1000____ ... 11111___ 1000____ */
#define OVERLONG_4 0x40 /* 11110000 1000____ */
#define TWO_CONTS 0x80  /* 10______ 10______ */
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)

static const unsigned char byte1_high[16] = {
    /* 0_______: ASCII */
    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
    TOO_LONG,
    /* 10______: continuation */
    TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
    /* 1100____, 1101____: 2-byte lead */
    TOO_SHORT | OVERLONG_2, TOO_SHORT,
    /* 1110____: 3-byte lead */
    TOO_SHORT | OVERLONG_3 | SURROGATE,
    /* 1111____: 4-byte lead (or worse) */
    TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4};

static const unsigned char byte1_low[16] = {
    CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, /* ____0000 */
    CARRY | OVERLONG_2,                           /* ____0001 */
    CARRY,                                        /* ____0010 */
    CARRY,                                        /* ____0011 */
    CARRY | TOO_LARGE,                            /* ____0100 */
    CARRY | TOO_LARGE | TOO_LARGE_1000,           /* ____0101 */
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000, /* ____1000 */
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE, /* ____1101 */
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000};

static const unsigned char byte2_high[16] = {
    /* 0_______: ASCII */
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
    TOO_SHORT, TOO_SHORT,
    /* 1000____ */
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
    /* 1001____ */
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
    /* 101_____ */
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    /* 11______: lead */
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT};

/* A block ending inside a sequence, which the next block must end: one of
 * its last 3 bytes is above these (1111____ 111_____ 11______), so the
 * saturating difference is non-zero. */
static const unsigned char incomplete_max[32] = {
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 0xF0 - 1, 0xE0 - 1, 0xC0 - 1};

/* The flagged block starting at s + i: the scalar code, to the end of the
 * text, from the last character start among s[i-3..i), or from i when
 * there is none (s[0..i) holds good characters, but the last one may
 * reach into the block). */
static lkattrs_status resume(const unsigned char *s, size_t len, size_t i,
                             bool key, size_t *bad) {
  size_t j = i;
  for (size_t k = 1; k <= 3 && k <= i; k++) {
    if ((s[i - k] & 0xC0) != 0x80) {
      j = i - k;
      break;
    }
  }
  return scan(s, len, j, key, bad);
}

#define SPACES 0x20

#endif /* SIMD */

#if defined(LKATTRS__SIMD_X86)
#include <immintrin.h>

#define SSE41 __attribute__((target("sse4.1")))
#define AVX2 __attribute__((target("avx2")))
#define INLINE __attribute__((always_inline)) inline

/* -- SSE4.1, 16-byte blocks, 64 bytes a round. */
typedef struct {
  __m128i t1h, t1l, t2h, nib;
} sse_tabs;

/* The block `in` as seen 1..3 bytes back (p1..p3): the last bytes of the
 * block before it shifted in. */
#define SSE_PREV(in, prev, n) _mm_alignr_epi8(in, prev, 16 - (n))
#define SSE_LOAD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))

SSE41 static INLINE __m128i sse_utf8(const sse_tabs *t, __m128i in, __m128i p1,
                                     __m128i p2, __m128i p3) {
  __m128i b1h = _mm_shuffle_epi8(t->t1h, _mm_and_si128(_mm_srli_epi16(p1, 4), t->nib));
  __m128i b1l = _mm_shuffle_epi8(t->t1l, _mm_and_si128(p1, t->nib));
  __m128i b2h = _mm_shuffle_epi8(t->t2h, _mm_and_si128(_mm_srli_epi16(in, 4), t->nib));
  __m128i sc = _mm_and_si128(_mm_and_si128(b1h, b1l), b2h);
  /* The bytes that must be the 2nd or 3rd continuation of a sequence. */
  __m128i third = _mm_subs_epu8(p2, _mm_set1_epi8(0xE0 - 0x80));
  __m128i fourth = _mm_subs_epu8(p3, _mm_set1_epi8(0xF0 - 0x80));
  __m128i must = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8((char)0x80));
  return _mm_xor_si128(must, sc);
}

/* Key bytes < 0x20 or 0x7F, and C1 controls (C2 followed by 80..9F). */
SSE41 static INLINE __m128i sse_key(__m128i in, __m128i p1) {
  __m128i c0 = _mm_cmpeq_epi8(_mm_min_epu8(in, _mm_set1_epi8(0x1F)), in);
  __m128i del = _mm_cmpeq_epi8(in, _mm_set1_epi8(0x7F));
  __m128i c1 = _mm_and_si128(_mm_cmpeq_epi8(p1, _mm_set1_epi8((char)0xC2)),
                             _mm_cmpgt_epi8(_mm_set1_epi8((char)0xA0), in));
  return _mm_or_si128(_mm_or_si128(c0, del), c1);
}

/* Everything about one block, without the forbidden bytes of values. */
SSE41 static INLINE __m128i sse_check(const sse_tabs *t, __m128i in, __m128i p1,
                                      __m128i p2, __m128i p3, const bool key) {
  __m128i err = sse_utf8(t, in, p1, p2, p3);
  if (key) return _mm_or_si128(err, sse_key(in, p1));
  return _mm_or_si128(err, _mm_cmpeq_epi8(in, _mm_setzero_si128()));
}

SSE41 static INLINE __m128i sse_next(const sse_tabs *t, __m128i in, __m128i prev,
                                     const bool key) {
  return sse_check(t, in, SSE_PREV(in, prev, 1), SSE_PREV(in, prev, 2),
                   SSE_PREV(in, prev, 3), key);
}

SSE41 static INLINE lkattrs_status sse_run(const unsigned char *s, size_t len,
                                           const bool key, size_t *bad) {
  sse_tabs t;
  t.t1h = SSE_LOAD(byte1_high);
  t.t1l = SSE_LOAD(byte1_low);
  t.t2h = SSE_LOAD(byte2_high);
  t.nib = _mm_set1_epi8(0x0F);
  const __m128i incmax = SSE_LOAD(incomplete_max + 16);
  __m128i prev = _mm_setzero_si128(), inc = _mm_setzero_si128(), err;
  size_t i = 0;
  for (; len - i >= 64; i += 64) {
    __m128i a = SSE_LOAD(s + i), b = SSE_LOAD(s + i + 16);
    __m128i c = SSE_LOAD(s + i + 32), d = SSE_LOAD(s + i + 48);
    __m128i mn = _mm_min_epu8(_mm_min_epu8(a, b), _mm_min_epu8(c, d));
    if (!_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)))) {
      /* ASCII: the previous block must have ended its last sequence. */
      err = inc;
      if (key) {
        __m128i mx = _mm_max_epu8(_mm_max_epu8(a, b), _mm_max_epu8(c, d));
        err = _mm_or_si128(err, _mm_cmpeq_epi8(_mm_min_epu8(mn, _mm_set1_epi8(0x1F)), mn));
        err = _mm_or_si128(err, _mm_cmpeq_epi8(mx, _mm_set1_epi8(0x7F)));
      }
    } else {
      err = _mm_or_si128(_mm_or_si128(sse_next(&t, a, prev, key), sse_next(&t, b, a, key)),
                         _mm_or_si128(sse_next(&t, c, b, key), sse_next(&t, d, c, key)));
      inc = _mm_subs_epu8(d, incmax);
    }
    if (!key) err = _mm_or_si128(err, _mm_cmpeq_epi8(mn, _mm_setzero_si128()));
    prev = d;
    if (!_mm_testz_si128(err, err)) return resume(s, len, i, key, bad);
  }
  for (; len - i >= 16; i += 16) {
    __m128i a = SSE_LOAD(s + i);
    err = sse_next(&t, a, prev, key);
    prev = a;
    if (!_mm_testz_si128(err, err)) return resume(s, len, i, key, bad);
  }
  if (i == len) {
    /* Only the end of the last sequence is left to check. */
    err = _mm_subs_epu8(prev, incmax);
  } else if (len >= 16 + 3) {
    /* The text's last 16 bytes (partly checked already), and the 3 before
     * them as they are. */
    i = len - 16;
    __m128i a = SSE_LOAD(s + i);
    err = sse_check(&t, a, SSE_LOAD(s + i - 1), SSE_LOAD(s + i - 2), SSE_LOAD(s + i - 3), key);
    err = _mm_or_si128(err, _mm_subs_epu8(a, incmax));
  } else {
    /* A short text: a copy, padded. */
    unsigned char last[16];
    memset(last, SPACES, sizeof last);
    memcpy(last, s + i, len - i);
    err = sse_next(&t, SSE_LOAD(last), prev, key);
  }
  if (!_mm_testz_si128(err, err)) return resume(s, len, i, key, bad);
  if (bad) *bad = len;
  return LKATTRS_OK;
}

SSE41 static lkattrs_status check_sse41(const unsigned char *s, size_t len,
                                        bool key, size_t *bad) {
  return key ? sse_run(s, len, true, bad) : sse_run(s, len, false, bad);
}

/* -- AVX2, 32-byte blocks, 64 bytes a round. */
typedef struct {
  __m256i t1h, t1l, t2h, nib;
} avx_tabs;

/* Across the two 128-bit lanes: the upper lane of prev and the lower one of
 * in, then a byte shift within each lane. */
#define AVX_PREV(in, prev, n) \
  _mm256_alignr_epi8(in, _mm256_permute2x128_si256(prev, in, 0x21), 16 - (n))
#define AVX_LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))

AVX2 static INLINE __m256i avx_utf8(const avx_tabs *t, __m256i in, __m256i p1,
                                    __m256i p2, __m256i p3) {
  __m256i b1h = _mm256_shuffle_epi8(t->t1h, _mm256_and_si256(_mm256_srli_epi16(p1, 4), t->nib));
  __m256i b1l = _mm256_shuffle_epi8(t->t1l, _mm256_and_si256(p1, t->nib));
  __m256i b2h = _mm256_shuffle_epi8(t->t2h, _mm256_and_si256(_mm256_srli_epi16(in, 4), t->nib));
  __m256i sc = _mm256_and_si256(_mm256_and_si256(b1h, b1l), b2h);
  __m256i third = _mm256_subs_epu8(p2, _mm256_set1_epi8(0xE0 - 0x80));
  __m256i fourth = _mm256_subs_epu8(p3, _mm256_set1_epi8(0xF0 - 0x80));
  __m256i must = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
  return _mm256_xor_si256(must, sc);
}

AVX2 static INLINE __m256i avx_key(__m256i in, __m256i p1) {
  __m256i c0 = _mm256_cmpeq_epi8(_mm256_min_epu8(in, _mm256_set1_epi8(0x1F)), in);
  __m256i del = _mm256_cmpeq_epi8(in, _mm256_set1_epi8(0x7F));
  __m256i c1 = _mm256_and_si256(_mm256_cmpeq_epi8(p1, _mm256_set1_epi8((char)0xC2)),
                                _mm256_cmpgt_epi8(_mm256_set1_epi8((char)0xA0), in));
  return _mm256_or_si256(_mm256_or_si256(c0, del), c1);
}

AVX2 static INLINE __m256i avx_check(const avx_tabs *t, __m256i in, __m256i p1,
                                     __m256i p2, __m256i p3, const bool key) {
  __m256i err = avx_utf8(t, in, p1, p2, p3);
  if (key) return _mm256_or_si256(err, avx_key(in, p1));
  return _mm256_or_si256(err, _mm256_cmpeq_epi8(in, _mm256_setzero_si256()));
}

AVX2 static INLINE __m256i avx_next(const avx_tabs *t, __m256i in, __m256i prev,
                                    const bool key) {
  return avx_check(t, in, AVX_PREV(in, prev, 1), AVX_PREV(in, prev, 2),
                   AVX_PREV(in, prev, 3), key);
}

AVX2 static INLINE lkattrs_status avx_run(const unsigned char *s, size_t len,
                                          const bool key, size_t *bad) {
  avx_tabs t;
  t.t1h = _mm256_broadcastsi128_si256(SSE_LOAD(byte1_high));
  t.t1l = _mm256_broadcastsi128_si256(SSE_LOAD(byte1_low));
  t.t2h = _mm256_broadcastsi128_si256(SSE_LOAD(byte2_high));
  t.nib = _mm256_set1_epi8(0x0F);
  const __m256i incmax = AVX_LOAD(incomplete_max);
  __m256i prev = _mm256_setzero_si256(), inc = _mm256_setzero_si256(), err;
  size_t i = 0;
  for (; len - i >= 64; i += 64) {
    __m256i a = AVX_LOAD(s + i), b = AVX_LOAD(s + i + 32);
    __m256i mn = _mm256_min_epu8(a, b);
    if (!_mm256_movemask_epi8(_mm256_or_si256(a, b))) {
      err = inc;
      if (key) {
        __m256i mx = _mm256_max_epu8(a, b);
        err = _mm256_or_si256(err, _mm256_cmpeq_epi8(_mm256_min_epu8(mn, _mm256_set1_epi8(0x1F)), mn));
        err = _mm256_or_si256(err, _mm256_cmpeq_epi8(mx, _mm256_set1_epi8(0x7F)));
      }
    } else {
      err = _mm256_or_si256(avx_next(&t, a, prev, key), avx_next(&t, b, a, key));
      inc = _mm256_subs_epu8(b, incmax);
    }
    if (!key) err = _mm256_or_si256(err, _mm256_cmpeq_epi8(mn, _mm256_setzero_si256()));
    prev = b;
    if (!_mm256_testz_si256(err, err)) return resume(s, len, i, key, bad);
  }
  for (; len - i >= 32; i += 32) {
    __m256i a = AVX_LOAD(s + i);
    err = avx_next(&t, a, prev, key);
    prev = a;
    if (!_mm256_testz_si256(err, err)) return resume(s, len, i, key, bad);
  }
  if (i == len) {
    err = _mm256_subs_epu8(prev, incmax);
  } else if (len >= 32 + 3) {
    i = len - 32;
    __m256i a = AVX_LOAD(s + i);
    err = avx_check(&t, a, AVX_LOAD(s + i - 1), AVX_LOAD(s + i - 2), AVX_LOAD(s + i - 3), key);
    err = _mm256_or_si256(err, _mm256_subs_epu8(a, incmax));
  } else {
    unsigned char last[32];
    memset(last, SPACES, sizeof last);
    memcpy(last, s + i, len - i);
    err = avx_next(&t, AVX_LOAD(last), prev, key);
  }
  if (!_mm256_testz_si256(err, err)) return resume(s, len, i, key, bad);
  if (bad) *bad = len;
  return LKATTRS_OK;
}

AVX2 static lkattrs_status check_avx2(const unsigned char *s, size_t len,
                                      bool key, size_t *bad) {
  return key ? avx_run(s, len, true, bad) : avx_run(s, len, false, bad);
}

/* What the CPU has, from the bits libgcc (or compiler-rt) fills in at start
 * up; a build for a CPU that has it anyway needs no look. */
static bool has_avx2(void) {
#ifdef __AVX2__
  return true;
#else
  return __builtin_cpu_supports("avx2");
#endif
}

static bool has_sse41(void) {
#ifdef __SSE4_1__
  return true;
#else
  return __builtin_cpu_supports("sse4.1");
#endif
}
#endif /* LKATTRS__SIMD_X86 */

#if defined(LKATTRS__SIMD_NEON)
#include <arm_neon.h>

/* -- NEON, 16-byte blocks, 64 bytes a round. */
typedef struct {
  uint8x16_t t1h, t1l, t2h;
} neon_tabs;

#define NEON_PREV(in, prev, n) vextq_u8(prev, in, 16 - (n))

static inline uint8x16_t neon_utf8(const neon_tabs *t, uint8x16_t in, uint8x16_t p1,
                                   uint8x16_t p2, uint8x16_t p3) {
  uint8x16_t b1h = vqtbl1q_u8(t->t1h, vshrq_n_u8(p1, 4));
  uint8x16_t b1l = vqtbl1q_u8(t->t1l, vandq_u8(p1, vdupq_n_u8(0x0F)));
  uint8x16_t b2h = vqtbl1q_u8(t->t2h, vshrq_n_u8(in, 4));
  uint8x16_t sc = vandq_u8(vandq_u8(b1h, b1l), b2h);
  uint8x16_t third = vqsubq_u8(p2, vdupq_n_u8(0xE0 - 0x80));
  uint8x16_t fourth = vqsubq_u8(p3, vdupq_n_u8(0xF0 - 0x80));
  uint8x16_t must = vandq_u8(vorrq_u8(third, fourth), vdupq_n_u8(0x80));
  return veorq_u8(must, sc);
}

/* Key bytes < 0x20 or 0x7F, and C2 followed by < 0xA0 (a C1 control, or
 * C2 before ASCII: bad UTF-8 anyway). */
static inline uint8x16_t neon_key(uint8x16_t in, uint8x16_t p1) {
  uint8x16_t ctl = vorrq_u8(vcltq_u8(in, vdupq_n_u8(0x20)), vceqq_u8(in, vdupq_n_u8(0x7F)));
  uint8x16_t c1 = vandq_u8(vceqq_u8(p1, vdupq_n_u8(0xC2)), vcltq_u8(in, vdupq_n_u8(0xA0)));
  return vorrq_u8(ctl, c1);
}

static inline uint8x16_t neon_check(const neon_tabs *t, uint8x16_t in, uint8x16_t p1,
                                    uint8x16_t p2, uint8x16_t p3, const bool key) {
  uint8x16_t err = neon_utf8(t, in, p1, p2, p3);
  if (key) return vorrq_u8(err, neon_key(in, p1));
  return vorrq_u8(err, vceqq_u8(in, vdupq_n_u8(0)));
}

static inline uint8x16_t neon_next(const neon_tabs *t, uint8x16_t in, uint8x16_t prev,
                                   const bool key) {
  return neon_check(t, in, NEON_PREV(in, prev, 1), NEON_PREV(in, prev, 2),
                    NEON_PREV(in, prev, 3), key);
}

static inline lkattrs_status neon_run(const unsigned char *s, size_t len,
                                      const bool key, size_t *bad) {
  neon_tabs t;
  t.t1h = vld1q_u8(byte1_high);
  t.t1l = vld1q_u8(byte1_low);
  t.t2h = vld1q_u8(byte2_high);
  const uint8x16_t incmax = vld1q_u8(incomplete_max + 16);
  uint8x16_t prev = vdupq_n_u8(0), inc = vdupq_n_u8(0), err;
  size_t i = 0;
  for (; len - i >= 64; i += 64) {
    uint8x16_t a = vld1q_u8(s + i), b = vld1q_u8(s + i + 16);
    uint8x16_t c = vld1q_u8(s + i + 32), d = vld1q_u8(s + i + 48);
    uint8x16_t mn = vminq_u8(vminq_u8(a, b), vminq_u8(c, d));
    if (vmaxvq_u8(vorrq_u8(vorrq_u8(a, b), vorrq_u8(c, d))) < 0x80) {
      err = inc;
      if (key) {
        uint8x16_t mx = vmaxq_u8(vmaxq_u8(a, b), vmaxq_u8(c, d));
        err = vorrq_u8(err, vorrq_u8(vcltq_u8(mn, vdupq_n_u8(0x20)),
                                     vceqq_u8(mx, vdupq_n_u8(0x7F))));
      }
    } else {
      err = vorrq_u8(vorrq_u8(neon_next(&t, a, prev, key), neon_next(&t, b, a, key)),
                     vorrq_u8(neon_next(&t, c, b, key), neon_next(&t, d, c, key)));
      inc = vqsubq_u8(d, incmax);
    }
    if (!key) err = vorrq_u8(err, vceqq_u8(mn, vdupq_n_u8(0)));
    prev = d;
    if (vmaxvq_u8(err)) return resume(s, len, i, key, bad);
  }
  for (; len - i >= 16; i += 16) {
    uint8x16_t a = vld1q_u8(s + i);
    err = neon_next(&t, a, prev, key);
    prev = a;
    if (vmaxvq_u8(err)) return resume(s, len, i, key, bad);
  }
  if (i == len) {
    err = vqsubq_u8(prev, incmax);
  } else if (len >= 16 + 3) {
    i = len - 16;
    uint8x16_t a = vld1q_u8(s + i);
    err = neon_check(&t, a, vld1q_u8(s + i - 1), vld1q_u8(s + i - 2), vld1q_u8(s + i - 3), key);
    err = vorrq_u8(err, vqsubq_u8(a, incmax));
  } else {
    unsigned char last[16];
    memset(last, SPACES, sizeof last);
    memcpy(last, s + i, len - i);
    err = neon_next(&t, vld1q_u8(last), prev, key);
  }
  if (vmaxvq_u8(err)) return resume(s, len, i, key, bad);
  if (bad) *bad = len;
  return LKATTRS_OK;
}

static lkattrs_status check_neon(const unsigned char *s, size_t len, bool key,
                                 size_t *bad) {
  return key ? neon_run(s, len, true, bad) : neon_run(s, len, false, bad);
}
#endif /* LKATTRS__SIMD_NEON */

/* ---- the choice --------------------------------------------------------
 *
 * Below SIMD_MIN bytes the scalar code is as fast (most keys); below
 * AVX2_MIN, SSE4.1's 16-byte blocks are (one or two AVX2 blocks and a
 * copied or overlapping tail cost more than they save). */
#define SIMD_MIN 16
#define AVX2_MIN 64

lkattrs_status lkattrs__check_text(const char *str, size_t len, bool key,
                                   size_t *bad) {
  const unsigned char *s = (const unsigned char *)str;
  if (lkattrs__text_clean(str, len, key)) { /* most keys and values */
    *bad = len;
    return LKATTRS_OK;
  }
#if defined(LKATTRS__SIMD_X86)
  if (len >= SIMD_MIN) {
    if (len >= AVX2_MIN && has_avx2()) return check_avx2(s, len, key, bad);
    if (has_sse41()) return check_sse41(s, len, key, bad);
  }
#elif defined(LKATTRS__SIMD_NEON)
  if (len >= SIMD_MIN) return check_neon(s, len, key, bad);
#endif
  return scan(s, len, 0, key, bad);
}

#if defined(LKATTRS__SIMD_X86) || defined(LKATTRS__SIMD_NEON)
bool lkattrs__text_has(lkattrs__text_variant v) {
  switch (v) {
    case LKATTRS__TEXT_SCALAR: return true;
#if defined(LKATTRS__SIMD_X86)
    case LKATTRS__TEXT_SSE41: return has_sse41();
    case LKATTRS__TEXT_AVX2: return has_avx2();
#else
    case LKATTRS__TEXT_NEON: return true;
#endif
    default: return false;
  }
}

lkattrs_status lkattrs__check_text_variant(lkattrs__text_variant v,
                                           const char *str, size_t len,
                                           bool key, size_t *bad) {
  const unsigned char *s = (const unsigned char *)str;
  if (!lkattrs__text_has(v)) return LKATTRS_E_INVALID_ARGUMENT;
  switch (v) {
#if defined(LKATTRS__SIMD_X86)
    case LKATTRS__TEXT_SSE41: return check_sse41(s, len, key, bad);
    case LKATTRS__TEXT_AVX2: return check_avx2(s, len, key, bad);
#else
    case LKATTRS__TEXT_NEON: return check_neon(s, len, key, bad);
#endif
    default: return scan(s, len, 0, key, bad);
  }
}
#endif
