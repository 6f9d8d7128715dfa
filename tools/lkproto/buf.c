/* lkproto: the tool's growable byte buffer (ends the program when memory
 * runs out). */
#include "lkproto.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void oom(void) {
  fputs("lkproto: out of memory\n", stderr);
  exit(1);
}

void *lk_xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) oom();
  return p;
}

static void reserve(lk_buf *b, size_t more) {
  if (more > SIZE_MAX - b->len - 1) oom();
  size_t need = b->len + more + 1;
  if (need <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *d = realloc(b->data, cap);
  if (!d) oom();
  b->data = d;
  b->cap = cap;
}

void lk_buf_put(lk_buf *b, const void *p, size_t n) {
  reserve(b, n);
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void lk_buf_puts(lk_buf *b, const char *s) { lk_buf_put(b, s, strlen(s)); }

void lk_buf_putc(lk_buf *b, char c) { lk_buf_put(b, &c, 1); }

void lk_buf_printf(lk_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof tmp) {
    lk_buf_put(b, tmp, (size_t)n);
    return;
  }
  reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void lk_buf_free(lk_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
