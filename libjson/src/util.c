/* liblkjson: allocator, arena, buffers, errors, UTF-8, base64, number formatting. */
#include "lkjson_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void *libc_alloc(void *ctx, size_t n) {
  (void)ctx;
  return malloc(n ? n : 1);
}

static void *libc_realloc(void *ctx, void *p, size_t old, size_t n) {
  (void)ctx;
  (void)old;
  return realloc(p, n ? n : 1);
}

static void libc_free(void *ctx, void *p, size_t n) {
  (void)ctx;
  (void)n;
  free(p);
}

const lkjson_allocator lkjson__libc = {libc_alloc, libc_realloc, libc_free, NULL};

/* ---------------------------------------------------------------------------
 * Arena: blocks of at least 4 KiB (doubling up to 256 KiB), each with its
 * size in the header; a request larger than a block gets a block of its own. */
struct lkjson__block {
  lkjson__block *next;
  size_t size; /* of the whole block */
};

#define ALIGN_UP(n) (((n) + (sizeof(max_align_t) - 1)) & ~(sizeof(max_align_t) - 1))
#define BLOCK_HDR ALIGN_UP(sizeof(lkjson__block))

void lkjson__arena_init(lkjson__arena *ar, const lkjson_allocator *a) {
  ar->a = a;
  ar->head = NULL;
  ar->cur = NULL;
  ar->left = 0;
}

void *lkjson__arena_alloc(lkjson__arena *ar, size_t n) {
  n = n ? ALIGN_UP(n) : sizeof(max_align_t);
  if (n < sizeof(max_align_t)) return NULL; /* wrapped */
  if (n > ar->left) {
    size_t last = ar->head ? ar->head->size : 2048;
    size_t size = last < 128 * 1024 ? last * 2 : 256 * 1024;
    if (n > SIZE_MAX - BLOCK_HDR) return NULL;
    if (size < n + BLOCK_HDR) size = n + BLOCK_HDR;
    lkjson__block *b = ar->a->alloc(ar->a->ctx, size);
    if (!b) return NULL;
    b->size = size;
    b->next = ar->head;
    ar->head = b;
    ar->cur = (char *)b + BLOCK_HDR;
    ar->left = size - BLOCK_HDR;
  }
  void *p = ar->cur;
  ar->cur += n;
  ar->left -= n;
  return p;
}

void *lkjson__arena_grow(lkjson__arena *ar, void *p, size_t old, size_t n) {
  size_t ao = ALIGN_UP(old), an = ALIGN_UP(n);
  if (p && ao && (char *)p + ao == ar->cur && an >= ao && an - ao <= ar->left) {
    ar->cur += an - ao;
    ar->left -= an - ao;
    return p;
  }
  void *q = lkjson__arena_alloc(ar, n);
  if (q && p && old) memcpy(q, p, old < n ? old : n);
  return q;
}

void lkjson__arena_free(lkjson__arena *ar) {
  for (lkjson__block *b = ar->head; b;) {
    lkjson__block *next = b->next;
    ar->a->free(ar->a->ctx, b, b->size);
    b = next;
  }
  ar->head = NULL;
  ar->cur = NULL;
  ar->left = 0;
}

/* ---------------------------------------------------------------------------
 * Buffer. */
void lkjson__buf_init(lkjson__buf *b, const lkjson_allocator *a) {
  b->data = NULL;
  b->len = b->cap = 0;
  b->a = a;
  b->oom = 0;
}

static int reserve(lkjson__buf *b, size_t more) {
  if (b->oom) return 0;
  if (more > SIZE_MAX - b->len - 1) {
    b->oom = 1;
    return 0;
  }
  size_t need = b->len + more + 1;
  if (need <= b->cap) return 1;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *d = b->data ? b->a->realloc(b->a->ctx, b->data, b->cap, cap) : b->a->alloc(b->a->ctx, cap);
  if (!d) {
    b->oom = 1;
    return 0;
  }
  b->data = d;
  b->cap = cap;
  return 1;
}

void lkjson__buf_put(lkjson__buf *b, const void *p, size_t n) {
  if (!reserve(b, n)) return;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void lkjson__buf_puts(lkjson__buf *b, const char *s) { lkjson__buf_put(b, s, strlen(s)); }

void lkjson__buf_putc_slow(lkjson__buf *b, char c) { lkjson__buf_put(b, &c, 1); }

void lkjson__buf_printf(lkjson__buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof tmp) {
    lkjson__buf_put(b, tmp, (size_t)n);
    return;
  }
  if (!reserve(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void lkjson__buf_free(lkjson__buf *b) {
  if (b->data) b->a->free(b->a->ctx, b->data, b->cap);
  b->data = NULL;
  b->len = b->cap = 0;
}

void lkjson__err_set(lkjson__err *e, lkjson_status st, const char *fmt, ...) {
  va_list ap;
  e->status = st;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
}

void lkjson__path_format(const lkjson__path *p, char *out, size_t outsz) {
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

int lkjson__utf8_valid(const unsigned char *s, size_t n, size_t *bad) {
  size_t i = 0;
  while (i < n) {
    /* ASCII, 8 bytes at a time */
    while (n - i >= 8) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080u) break;
      i += 8;
    }
    if (i >= n) break;
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

void lkjson__base64_encode(lkjson__buf *out, const unsigned char *p, size_t n) {
  size_t i = 0;
  char q[4];
  for (; i + 3 <= n; i += 3) {
    unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
    q[0] = b64[v >> 18];
    q[1] = b64[(v >> 12) & 63];
    q[2] = b64[(v >> 6) & 63];
    q[3] = b64[v & 63];
    lkjson__buf_put(out, q, 4);
  }
  if (n - i == 1) {
    unsigned v = (unsigned)p[i] << 16;
    q[0] = b64[v >> 18];
    q[1] = b64[(v >> 12) & 63];
    q[2] = q[3] = '=';
    lkjson__buf_put(out, q, 4);
  } else if (n - i == 2) {
    unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
    q[0] = b64[v >> 18];
    q[1] = b64[(v >> 12) & 63];
    q[2] = b64[(v >> 6) & 63];
    q[3] = '=';
    lkjson__buf_put(out, q, 4);
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

int lkjson__base64_decode(const char *s, size_t n, unsigned char *out, size_t *outn) {
  int group = 0;
  unsigned p = 0;
  size_t w = 0;
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
    switch (group) {
    case 0:
      p = b;
      group = 1;
      break;
    case 1:
      out[w++] = (unsigned char)(((p << 2) | ((b & 48) >> 4)) & 0xFF);
      p = b;
      group = 2;
      break;
    case 2:
      out[w++] = (unsigned char)((((p & 15) << 4) | ((b & 60) >> 2)) & 0xFF);
      p = b;
      group = 3;
      break;
    default:
      out[w++] = (unsigned char)((((p & 3) << 6) | b) & 0xFF);
      group = 0;
      break;
    }
  }
  *outn = w;
  return group != 1;
}

void lkjson__format_double(lkjson__buf *out, double d) {
  if (d == 0) { /* also -0, which JSON.stringify writes as 0 */
    lkjson__buf_putc(out, '0');
    return;
  }
  char tmp[40];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, d);
    if (strtod(tmp, NULL) == d) break;
  }
  lkjson__buf_puts(out, tmp);
}
