/* liblkjson: a strict RFC 8259 JSON parser into a small value tree in the
 * arena (lkjson__jv), for json_in.c.
 *
 * What it accepts is what the jansson-based reader accepted before
 * (json_loadb with JSON_DECODE_ANY | JSON_ALLOW_NUL): any value at the top,
 * nothing but whitespace after it; valid UTF-8 only; escapes \" \\ \/ \b \f
 * \n \r \t \uXXXX with surrogate pairs (a lone surrogate is refused); \u0000
 * inside a string value but not in an object key; no control character
 * unescaped in a string; numbers in the JSON grammar (no leading zeros, no
 * "1." or ".5"), a real that overflows a double refused; a duplicate object
 * key replaces the earlier value in its place (as JSON.parse() and jansson
 * do).  An integer literal beyond 64 bits sets *int_overflow: the caller
 * then reads every number as a double, as JavaScript does.  Nesting is
 * limited to LKJSON__JSON_MAX_DEPTH arrays and objects.
 *
 * Every allocation is from the arena (values, strings) or the caller's
 * allocator (the scratch stack of the members being read); nothing aborts. */
#include "lkjson_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct pctx {
  lkjson__arena *ar;
  const lkjson_allocator *a;
  const unsigned char *s, *end, *p;
  lkjson__err *e;
  /* the scratch stack: members of the arrays and objects being read */
  lkjson__jmember *stk;
  size_t top, cap;
  int int_overflow;
  int depth;
} pctx;

/* 1-based line and column (in bytes) of position q. */
static int fail_at(pctx *c, const unsigned char *q, const char *what) {
  int line = 1;
  const unsigned char *bol = c->s;
  for (const unsigned char *r = c->s; r < q; r++)
    if (*r == '\n') {
      line++;
      bol = r + 1;
    }
  int col = (int)(q - bol) + 1;
  lkjson__err_set(c->e, LKJSON_BAD_SYNTAX, "invalid JSON at line %d column %d: %s", line, col,
                  what);
  c->e->line = line;
  c->e->column = col;
  c->e->offset = (size_t)(q - c->s);
  return 0;
}

static int nomem(pctx *c) {
  lkjson__err_set(c->e, LKJSON_NOMEM, "out of memory");
  return 0;
}

static void skip_ws(pctx *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t')) c->p++;
}

static int push(pctx *c, const char *key, size_t key_len, lkjson__jv *v) {
  if (c->top == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof *c->stk) return nomem(c);
    lkjson__jmember *ns = c->stk ? c->a->realloc(c->a->ctx, c->stk, c->cap * sizeof *ns, cap * sizeof *ns)
                                 : c->a->alloc(c->a->ctx, cap * sizeof *ns);
    if (!ns) return nomem(c);
    c->stk = ns;
    c->cap = cap;
  }
  c->stk[c->top].key = key;
  c->stk[c->top].key_len = key_len;
  c->stk[c->top].val = v;
  c->top++;
  return 1;
}

static lkjson__jv *new_value(pctx *c, int type) {
  lkjson__jv *v = lkjson__arena_alloc(c->ar, sizeof *v);
  if (!v) {
    nomem(c);
    return NULL;
  }
  memset(v, 0, sizeof *v);
  v->type = type;
  return v;
}

static unsigned hexval(unsigned char ch) {
  if (ch >= '0' && ch <= '9') return (unsigned)(ch - '0');
  if (ch >= 'a' && ch <= 'f') return (unsigned)(ch - 'a' + 10);
  if (ch >= 'A' && ch <= 'F') return (unsigned)(ch - 'A' + 10);
  return 16;
}

/* Four hex digits at q; 0 when they are not. */
static int hex4(const unsigned char *q, const unsigned char *end, unsigned *out) {
  if (end - q < 4) return 0;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned h = hexval(q[i]);
    if (h > 15) return 0;
    v = v << 4 | h;
  }
  *out = v;
  return 1;
}

static size_t put_utf8(unsigned char *o, unsigned cp) {
  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | cp >> 6);
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | cp >> 12);
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (unsigned char)(0xF0 | cp >> 18);
  o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

/* A string at c->p (on the opening quote): its decoded bytes, NUL-terminated,
 * in the arena (*out, *len). */
static int parse_string(pctx *c, const char **out, size_t *len) {
  const unsigned char *start = ++c->p, *q = start;
  int escapes = 0;
  /* First pass: find the end, check the characters, see whether any escape. */
  for (;;) {
    /* the common case first: printable ASCII other than '"' and '\\' */
    q += lkjson__plain_prefix(q, (size_t)(c->end - q));
    if (q >= c->end) return fail_at(c, q, "end of input inside a string");
    unsigned char ch = *q;
    if (ch == '"') break;
    if (ch == '\\') {
      escapes = 1;
      q++;
      if (q >= c->end) return fail_at(c, q, "end of input inside a string");
      if (*q == 'u') {
        if (!hex4(q + 1, c->end, &(unsigned){0})) return fail_at(c, q - 1, "invalid \\u escape");
        q += 5;
      } else if (strchr("\"\\/bfnrt", *q) && *q) {
        q++;
      } else {
        return fail_at(c, q - 1, "invalid escape");
      }
      continue;
    }
    if (ch < 0x20) return fail_at(c, q, "control character in a string (escape it)");
    if (ch < 0x80) {
      q++;
      continue;
    }
    /* a run of non-ASCII: check it as UTF-8 */
    const unsigned char *r = q;
    while (r < c->end && *r >= 0x80) r++;
    size_t bad;
    if (!lkjson__utf8_valid(q, (size_t)(r - q), &bad)) return fail_at(c, q + bad, "invalid UTF-8");
    q = r;
  }
  size_t raw = (size_t)(q - start);
  unsigned char *o = lkjson__arena_alloc(c->ar, raw + 1); /* decoding never grows */
  if (!o) return nomem(c);
  if (!escapes) {
    memcpy(o, start, raw);
    o[raw] = 0;
    *out = (const char *)o;
    *len = raw;
    c->p = q + 1;
    return 1;
  }
  size_t w = 0;
  for (const unsigned char *r = start; r < q;) {
    if (*r != '\\') {
      o[w++] = *r++;
      continue;
    }
    r++;
    unsigned char e = *r++;
    switch (e) {
    case '"': o[w++] = '"'; break;
    case '\\': o[w++] = '\\'; break;
    case '/': o[w++] = '/'; break;
    case 'b': o[w++] = '\b'; break;
    case 'f': o[w++] = '\f'; break;
    case 'n': o[w++] = '\n'; break;
    case 'r': o[w++] = '\r'; break;
    case 't': o[w++] = '\t'; break;
    default: { /* u */
      unsigned cp, lo;
      (void)hex4(r, q, &cp);
      r += 4;
      if (cp >= 0xDC00 && cp <= 0xDFFF) return fail_at(c, r - 6, "invalid Unicode: a lone low surrogate");
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (q - r < 6 || r[0] != '\\' || r[1] != 'u' || !hex4(r + 2, q, &lo) || lo < 0xDC00 ||
            lo > 0xDFFF)
          return fail_at(c, r - 6, "invalid Unicode: a lone high surrogate");
        r += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      }
      w += put_utf8(o + w, cp);
    }
    }
  }
  o[w] = 0;
  *out = (const char *)o;
  *len = w;
  c->p = q + 1;
  return 1;
}

static int parse_number(pctx *c, lkjson__jv *v) {
  const unsigned char *q = c->p, *start = q;
  int is_int = 1;
  if (q < c->end && *q == '-') q++;
  if (q >= c->end || *q < '0' || *q > '9') return fail_at(c, start, "invalid number");
  if (*q == '0') {
    q++;
    if (q < c->end && *q >= '0' && *q <= '9') return fail_at(c, start, "invalid number (leading zero)");
  } else {
    while (q < c->end && *q >= '0' && *q <= '9') q++;
  }
  if (q < c->end && *q == '.') {
    is_int = 0;
    q++;
    if (q >= c->end || *q < '0' || *q > '9') return fail_at(c, start, "invalid number");
    while (q < c->end && *q >= '0' && *q <= '9') q++;
  }
  if (q < c->end && (*q == 'e' || *q == 'E')) {
    is_int = 0;
    q++;
    if (q < c->end && (*q == '+' || *q == '-')) q++;
    if (q >= c->end || *q < '0' || *q > '9') return fail_at(c, start, "invalid number");
    while (q < c->end && *q >= '0' && *q <= '9') q++;
  }
  size_t n = (size_t)(q - start);
  char tmp[64], *text = tmp;
  if (n >= sizeof tmp) {
    text = lkjson__arena_alloc(c->ar, n + 1);
    if (!text) return nomem(c);
  }
  memcpy(text, start, n);
  text[n] = 0;
  v->is_int = 0;
  if (is_int) {
    /* int64, with overflow detection */
    const char *r = text;
    int neg = *r == '-';
    if (neg) r++;
    uint64_t acc = 0;
    int over = 0;
    for (; *r; r++) {
      unsigned d = (unsigned)(*r - '0');
      if (acc > (UINT64_MAX - d) / 10) {
        over = 1;
        break;
      }
      acc = acc * 10 + d;
    }
    if (!over && (neg ? acc > (uint64_t)INT64_MAX + 1 : acc > (uint64_t)INT64_MAX)) over = 1;
    if (over) {
      c->int_overflow = 1;
    } else {
      v->is_int = 1;
      v->i = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    }
  }
  errno = 0;
  v->d = strtod(text, NULL);
  if (errno == ERANGE && (v->d > 1 || v->d < -1)) return fail_at(c, start, "real number overflow");
  c->p = q;
  return 1;
}

static size_t hash_key(const char *k, size_t n) {
  size_t h = (size_t)1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)k[i]) * (size_t)1099511628211ULL;
  return h;
}

/* The members [from, top) of the scratch stack as an object's members in
 * the arena; a repeated key replaces the earlier value in its place. */
static int close_object(pctx *c, lkjson__jv *v, size_t from) {
  size_t n = c->top - from, kept = 0;
  if (n == 0) { /* {} (the stack may not exist yet) */
    v->n = 0;
    v->u.members = NULL;
    return 1;
  }
  lkjson__jmember *m = c->stk + from;
  if (n <= 16) {
    for (size_t i = 0; i < n; i++) {
      size_t j = 0;
      for (; j < kept; j++)
        if (m[j].key_len == m[i].key_len && memcmp(m[j].key, m[i].key, m[i].key_len) == 0) break;
      if (j < kept) m[j].val = m[i].val;
      else m[kept++] = m[i];
    }
  } else {
    size_t size = 32;
    while (size < 2 * n) size *= 2;
    size_t *slot = lkjson__arena_alloc(c->ar, size * sizeof *slot); /* kept index + 1, 0: empty */
    if (!slot) return nomem(c);
    memset(slot, 0, size * sizeof *slot);
    for (size_t i = 0; i < n; i++) {
      size_t h = hash_key(m[i].key, m[i].key_len) & (size - 1);
      for (;;) {
        if (!slot[h]) {
          slot[h] = kept + 1;
          m[kept++] = m[i];
          break;
        }
        lkjson__jmember *o = &m[slot[h] - 1];
        if (o->key_len == m[i].key_len && memcmp(o->key, m[i].key, m[i].key_len) == 0) {
          o->val = m[i].val;
          break;
        }
        h = (h + 1) & (size - 1);
      }
    }
  }
  v->n = kept;
  v->u.members = kept ? lkjson__arena_alloc(c->ar, kept * sizeof *v->u.members) : NULL;
  if (kept && !v->u.members) return nomem(c);
  if (kept) memcpy(v->u.members, m, kept * sizeof *m);
  c->top = from;
  return 1;
}

static int parse_value(pctx *c, lkjson__jv **out);

static int parse_container(pctx *c, lkjson__jv *v, int object) {
  if (++c->depth > LKJSON__JSON_MAX_DEPTH) return fail_at(c, c->p, "nested too deeply");
  size_t from = c->top;
  unsigned char close = object ? '}' : ']';
  c->p++;
  skip_ws(c);
  if (c->p < c->end && *c->p == close) {
    c->p++;
  } else {
    for (;;) {
      const char *key = NULL;
      size_t key_len = 0;
      if (object) {
        if (c->p >= c->end || *c->p != '"') return fail_at(c, c->p, "string or '}' expected");
        const unsigned char *at = c->p;
        if (!parse_string(c, &key, &key_len)) return 0;
        if (memchr(key, 0, key_len)) return fail_at(c, at, "NUL byte in object key not supported");
        skip_ws(c);
        if (c->p >= c->end || *c->p != ':') return fail_at(c, c->p, "':' expected");
        c->p++;
      }
      lkjson__jv *item;
      if (!parse_value(c, &item)) return 0;
      if (!push(c, key, key_len, item)) return 0;
      skip_ws(c);
      if (c->p < c->end && *c->p == ',') {
        c->p++;
        skip_ws(c);
        continue;
      }
      if (c->p < c->end && *c->p == close) {
        c->p++;
        break;
      }
      return fail_at(c, c->p, object ? "',' or '}' expected" : "',' or ']' expected");
    }
  }
  c->depth--;
  if (object) return close_object(c, v, from);
  size_t n = c->top - from;
  v->n = n;
  v->u.items = n ? lkjson__arena_alloc(c->ar, n * sizeof *v->u.items) : NULL;
  if (n && !v->u.items) return nomem(c);
  for (size_t i = 0; i < n; i++) v->u.items[i] = c->stk[from + i].val;
  c->top = from;
  return 1;
}

static int literal(pctx *c, const char *word, size_t n) {
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return fail_at(c, c->p, "invalid token");
  c->p += n;
  return 1;
}

static int parse_value(pctx *c, lkjson__jv **out) {
  skip_ws(c);
  if (c->p >= c->end) return fail_at(c, c->p, "'[' or '{' or a value expected, got the end of the input");
  lkjson__jv *v;
  switch (*c->p) {
  case '{':
  case '[': {
    int object = *c->p == '{';
    if (!(v = new_value(c, object ? LKJSON__JOBJECT : LKJSON__JARRAY))) return 0;
    if (!parse_container(c, v, object)) return 0;
    break;
  }
  case '"':
    if (!(v = new_value(c, LKJSON__JSTRING))) return 0;
    if (!parse_string(c, &v->u.s, &v->n)) return 0;
    break;
  case 't':
    if (!literal(c, "true", 4) || !(v = new_value(c, LKJSON__JTRUE))) return 0;
    break;
  case 'f':
    if (!literal(c, "false", 5) || !(v = new_value(c, LKJSON__JFALSE))) return 0;
    break;
  case 'n':
    if (!literal(c, "null", 4) || !(v = new_value(c, LKJSON__JNULL))) return 0;
    break;
  default:
    if (*c->p != '-' && (*c->p < '0' || *c->p > '9')) return fail_at(c, c->p, "invalid token");
    if (!(v = new_value(c, LKJSON__JNUMBER))) return 0;
    if (!parse_number(c, v)) return 0;
  }
  *out = v;
  return 1;
}

lkjson__jv *lkjson__json_parse(lkjson__arena *ar, const char *text, size_t n, int *int_overflow,
                               lkjson__err *e) {
  pctx c;
  memset(&c, 0, sizeof c);
  c.ar = ar;
  c.a = ar->a;
  c.s = c.p = (const unsigned char *)text;
  c.end = c.s + n;
  c.e = e;
  lkjson__jv *root = NULL;
  int ok = parse_value(&c, &root);
  if (ok) {
    skip_ws(&c);
    if (c.p < c.end) ok = fail_at(&c, c.p, "end of input expected");
  }
  if (c.stk) c.a->free(c.a->ctx, c.stk, c.cap * sizeof *c.stk);
  *int_overflow = c.int_overflow;
  return ok ? root : NULL;
}

const lkjson__jv *lkjson__jv_get(const lkjson__jv *obj, const char *key) {
  if (!obj || obj->type != LKJSON__JOBJECT) return NULL;
  size_t kl = strlen(key);
  for (size_t i = 0; i < obj->n; i++)
    if (obj->u.members[i].key_len == kl && memcmp(obj->u.members[i].key, key, kl) == 0)
      return obj->u.members[i].val;
  return NULL;
}
