/* lkproto: buffers, errors, UTF-8, base64, number formatting. */
#include "lkproto.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void oom(void) {
  fputs("lkproto: out of memory\n", stderr);
  exit(1);
}

void *lk_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom();
  return p;
}

void *lk_xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) oom();
  return p;
}

void *lk_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom();
  return q;
}

static void reserve(lk_buf *b, size_t more) {
  if (more > SIZE_MAX - b->len - 1) oom();
  size_t need = b->len + more + 1;
  if (need <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  b->data = lk_xrealloc(b->data, cap);
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

void lk_err_set(lk_err *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
}

void lk_path_format(const lk_path *p, char *out, size_t outsz) {
  size_t len = 0;
  out[0] = '\0';
  if (p->depth == 0) {
    snprintf(out, outsz, "(top level)");
    return;
  }
  for (int i = 0; i < p->depth && i < (int)(sizeof p->items / sizeof p->items[0]) && len < outsz; i++) {
    int n;
    if (p->items[i].key)
      n = snprintf(out + len, outsz - len, "%s%s[\"%s\"]", i ? "." : "", p->items[i].name,
                   p->items[i].key);
    else if (p->items[i].index >= 0)
      n = snprintf(out + len, outsz - len, "%s%s[%ld]", i ? "." : "", p->items[i].name,
                   p->items[i].index);
    else
      n = snprintf(out + len, outsz - len, "%s%s", i ? "." : "", p->items[i].name);
    if (n < 0) break;
    len += (size_t)n;
  }
}

int lk_utf8_valid(const unsigned char *s, size_t n, size_t *bad) {
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t k;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      k = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      k = 2;
      if (c == 0xE0) lo = 0xA0;      /* overlong */
      if (c == 0xED) hi = 0x9F;      /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
      k = 3;
      if (c == 0xF0) lo = 0x90;      /* overlong */
      if (c == 0xF4) hi = 0x8F;      /* above U+10FFFF */
    } else {
      *bad = i;
      return 0;
    }
    if (n - i <= k) {
      *bad = i;
      return 0;
    }
    for (size_t j = 1; j <= k; j++) {
      unsigned d = s[i + j];
      unsigned l = j == 1 ? lo : 0x80, h = j == 1 ? hi : 0xBF;
      if (d < l || d > h) {
        *bad = i;
        return 0;
      }
    }
    i += k + 1;
  }
  return 1;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void lk_base64_encode(lk_buf *out, const unsigned char *p, size_t n) {
  size_t i = 0;
  char q[4];
  for (; i + 3 <= n; i += 3) {
    unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
    q[0] = b64[v >> 18];
    q[1] = b64[(v >> 12) & 63];
    q[2] = b64[(v >> 6) & 63];
    q[3] = b64[v & 63];
    lk_buf_put(out, q, 4);
  }
  if (n - i == 1) {
    unsigned v = (unsigned)p[i] << 16;
    q[0] = b64[v >> 18];
    q[1] = b64[(v >> 12) & 63];
    q[2] = q[3] = '=';
    lk_buf_put(out, q, 4);
  } else if (n - i == 2) {
    unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
    q[0] = b64[v >> 18];
    q[1] = b64[(v >> 12) & 63];
    q[2] = b64[(v >> 6) & 63];
    q[3] = '=';
    lk_buf_put(out, q, 4);
  }
}

static int b64val(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

int lk_base64_decode(const char *s, size_t n, lk_buf *out) {
  int group = 0;
  unsigned p = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    int v = b64val(c);
    if (v < 0) {
      if (c == '=') {
        group = 0; /* padding resets the group, as @bufbuild/protobuf does */
        continue;
      }
      if (c == '\n' || c == '\r' || c == '\t' || c == ' ') continue;
      return 0;
    }
    unsigned b = (unsigned)v;
    unsigned char byte;
    switch (group) {
    case 0:
      p = b;
      group = 1;
      break;
    case 1:
      byte = (unsigned char)(((p << 2) | ((b & 48) >> 4)) & 0xFF);
      lk_buf_put(out, &byte, 1);
      p = b;
      group = 2;
      break;
    case 2:
      byte = (unsigned char)((((p & 15) << 4) | ((b & 60) >> 2)) & 0xFF);
      lk_buf_put(out, &byte, 1);
      p = b;
      group = 3;
      break;
    default:
      byte = (unsigned char)((((p & 3) << 6) | b) & 0xFF);
      lk_buf_put(out, &byte, 1);
      group = 0;
      break;
    }
  }
  return group != 1;
}

void lk_format_double(lk_buf *out, double d) {
  if (d == 0) { /* also -0, which JSON.stringify writes as 0 */
    lk_buf_putc(out, '0');
    return;
  }
  char tmp[40];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, d);
    if (strtod(tmp, NULL) == d) break;
  }
  lk_buf_puts(out, tmp);
}
