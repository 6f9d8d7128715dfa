/* Helpers shared by the interop checkers (golden_protobufc.c,
 * golden_nanopb.c): reading "ID TYPE HEX" vector lines, hex, and a growable
 * output buffer.  Header-only, static functions, C11 + POSIX getline. */
#ifndef LKPROTO_GOLDEN_UTIL_H
#define LKPROTO_GOLDEN_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *data;
  size_t len, cap;
} sbuf_t;

static inline void die(const char *what) {
  fprintf(stderr, "golden: %s\n", what);
  exit(2);
}

static inline void sb_reserve(sbuf_t *b, size_t more) {
  if (b->len + more + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + more + 1) cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p) die("out of memory");
  b->data = p;
  b->cap = cap;
}

static inline void sb_put(sbuf_t *b, const char *s, size_t n) {
  sb_reserve(b, n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static inline void sb_puts(sbuf_t *b, const char *s) { sb_put(b, s, strlen(s)); }

static inline void sb_printf(sbuf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) die("vsnprintf");
  sb_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static inline void sb_hex(sbuf_t *b, const uint8_t *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  sb_reserve(b, 2 * n);
  for (size_t i = 0; i < n; i++) {
    b->data[b->len++] = digits[p[i] >> 4];
    b->data[b->len++] = digits[p[i] & 15];
  }
  b->data[b->len] = '\0';
}

static inline int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes n hex digits into a new buffer (*out, to be freed); -1 if invalid. */
static inline long unhex(const char *s, size_t n, uint8_t **out) {
  if (n % 2) return -1;
  uint8_t *p = malloc(n / 2 + 1);
  if (!p) die("out of memory");
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      free(p);
      return -1;
    }
    p[i] = (uint8_t)(hi * 16 + lo);
  }
  *out = p;
  return (long)(n / 2);
}

/* One vector line: "ID TYPE HEX".  Returns 0 at end of file, 1 for a vector
 * (pointers into *line, which the caller frees at the end), -1 if malformed. */
static inline int read_vector(FILE *f, char **line, size_t *cap, long *id, char **type,
                       uint8_t **bytes, size_t *nbytes) {
  ssize_t n = getline(line, cap, f);
  if (n <= 0) return 0;
  char *s = *line;
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
  char *sp1 = strchr(s, ' ');
  if (!sp1) return -1;
  *sp1 = '\0';
  char *sp2 = strchr(sp1 + 1, ' ');
  if (!sp2) return -1;
  *sp2 = '\0';
  *id = strtol(s, NULL, 10);
  *type = sp1 + 1;
  long len = unhex(sp2 + 1, strlen(sp2 + 1), bytes);
  if (len < 0) return -1;
  *nbytes = (size_t)len;
  return 1;
}

#endif
