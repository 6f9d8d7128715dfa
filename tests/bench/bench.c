/*
 * bench.c - make bench: libattrs against protobuf-c (and, with the figures
 * of bench.mjs, LiveKit's JS) on the attribute paths, in one run.
 *
 *   bench [--smoke] [--sizes 10,100] [--reps 7] [--ms 20] [--inputs DIR]
 *         [--js FILE] [--callgrind FILE] [--markdown FILE]
 *   bench --one PATH --n N --k K --iters I      (one path, for callgrind)
 *
 * Every figure is the median of --reps repetitions (each repetition runs
 * the operation long enough to last about --ms milliseconds), with the min
 * and the max; ratios are taken between medians measured in the same run,
 * the repetitions of the compared paths interleaved.  Heap allocations are
 * counted: every malloc/calloc/realloc of this program and of the static
 * libattrs goes through the __wrap_ functions below (-Wl,--wrap=...), and
 * protobuf-c gets an allocator that calls them.
 *
 * --smoke: tiny sizes, few iterations; checks that every path produces the
 * same bytes (ours, protobuf-c, and LiveKit's JS when --js is given), the
 * same attributes from the readers, and that our update path allocates
 * nothing.  Exit status 1 on any difference.  It never looks at timings.
 *
 * --inputs DIR writes the inputs of the update path (hex, one per line) for
 * bench.mjs; --js FILE reads its results (timings, or in smoke mode the
 * output bytes).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <lkattrs/lkattrs.h>
#include <lkattrs/nanopb.h>
#include <lkattrs/update.h>
#include <lkattrs/wire.h>
#include <pb_decode.h>

#include "livekit_models.pb-c.h"
#include "livekit_rtc.pb-c.h"

/* ---- counted allocation ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static unsigned long long g_allocs;

void *__wrap_malloc(size_t n) {
  g_allocs++;
  return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t m) {
  g_allocs++;
  return __real_calloc(n, m);
}
void *__wrap_realloc(void *p, size_t n) {
  g_allocs++;
  return __real_realloc(p, n);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "bench: out of memory\n");
    exit(2);
  }
  return p;
}

static char *xstrdup(const char *s) { /* strdup, counted */
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

static void *pbc_alloc(void *ctx, size_t n) {
  (void)ctx;
  return malloc(n);
}
static void pbc_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}
static ProtobufCAllocator pbc_allocator = {pbc_alloc, pbc_free, NULL};

static void *lk_alloc(void *ctx, size_t n) {
  (void)ctx;
  return malloc(n);
}
static void *lk_realloc(void *ctx, void *p, size_t o, size_t n) {
  (void)ctx;
  (void)o;
  return realloc(p, n);
}
static void lk_free(void *ctx, void *p, size_t n) {
  (void)ctx;
  (void)n;
  free(p);
}
static const lkattrs_allocator lk_allocator = {lk_alloc, lk_realloc, lk_free, NULL};

static void die(const char *what) {
  fprintf(stderr, "bench: %s\n", what);
  exit(2);
}
#define CHECK(cond, what) \
  do {                    \
    if (!(cond)) die(what); \
  } while (0)

/* ---- timing ---- */

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static volatile size_t g_sink; /* keeps results alive */

typedef void (*op_fn)(void *ctx);

typedef struct {
  double med, min, max; /* ns per operation */
} stat3;

static int dcmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static stat3 summarise(double *v, size_t n) {
  stat3 s;
  qsort(v, n, sizeof *v, dcmp);
  s.min = v[0];
  s.max = v[n - 1];
  s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return s;
}

static size_t g_reps = 7;
static double g_ms = 20;
static bool g_smoke;

/* Iterations that take about g_ms milliseconds. */
static size_t calibrate(op_fn f, void *ctx) {
  size_t iters = 1;
  for (;;) {
    double t0 = now_ns();
    for (size_t i = 0; i < iters; i++) f(ctx);
    double dt = now_ns() - t0;
    if (dt > g_ms * 1e6 / 4 || iters > ((size_t)1 << 30)) {
      double per = dt / (double)iters;
      double want = g_ms * 1e6 / (per > 1 ? per : 1);
      return want < 1 ? 1 : (size_t)want;
    }
    iters *= 4;
  }
}

/* Time up to 4 operations, repetitions interleaved; out[i] per operation. */
static void measure(size_t nops, op_fn *f, void **ctx, stat3 *out,
                    unsigned long long *allocs_per_op) {
  size_t iters[4];
  double *v[4];
  for (size_t o = 0; o < nops; o++) {
    iters[o] = g_smoke ? 3 : calibrate(f[o], ctx[o]);
    v[o] = xmalloc(g_reps * sizeof(double));
    if (allocs_per_op) allocs_per_op[o] = 0;
  }
  for (size_t r = 0; r < g_reps; r++)
    for (size_t o = 0; o < nops; o++) {
      unsigned long long a0 = g_allocs;
      double t0 = now_ns();
      for (size_t i = 0; i < iters[o]; i++) f[o](ctx[o]);
      v[o][r] = (now_ns() - t0) / (double)iters[o];
      if (allocs_per_op && r == 0)
        allocs_per_op[o] = (g_allocs - a0 + iters[o] - 1) / iters[o];
    }
  for (size_t o = 0; o < nops; o++) {
    out[o] = summarise(v[o], g_reps);
    free(v[o]);
  }
}

/* ---- the data ---- */

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}

/* Some non-ASCII: é (2 bytes), 世 (3), 😀 (4). */
static const char *const wide[] = {"\xC3\xA9", "\xE4\xB8\x96", "\xF0\x9F\x98\x80"};

/* A random text of exactly len bytes; non-ASCII characters when `mixed`. */
static void rand_text(char *p, size_t len, bool mixed) {
  static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";
  size_t i = 0;
  while (i < len) {
    if (mixed && rnd() % 6 == 0) {
      const char *w = wide[rnd() % 3];
      size_t wl = strlen(w);
      if (i + wl <= len) {
        memcpy(p + i, w, wl);
        i += wl;
        continue;
      }
    }
    p[i++] = abc[rnd() % (sizeof abc - 1)];
  }
  p[len] = 0;
}

typedef struct {
  char *key, *value;
} kv;

/* n distinct keys (8-24 bytes; one in 8 with non-ASCII) and values (8-64
 * bytes; one in 4 with non-ASCII), sorted by key. */
static int kvcmp(const void *a, const void *b) {
  const kv *x = a, *y = b;
  return strcmp(x->key, y->key); /* bytewise: the canonical order */
}

static kv *make_attrs(size_t n) {
  kv *a = xmalloc(n * sizeof *a);
  for (size_t i = 0; i < n; i++) {
    size_t kl = 8 + rnd() % 17, vl = 8 + rnd() % 57;
    a[i].key = xmalloc(kl + 1);
    a[i].value = xmalloc(vl + 1);
    /* 4 letters of the index first: distinct keys, none reserved. */
    size_t x = i;
    for (int d = 0; d < 4; d++, x /= 26) a[i].key[d] = (char)('a' + x % 26);
    rand_text(a[i].key + 4, kl - 4, i % 8 == 3);
    rand_text(a[i].value, vl, i % 4 == 1);
  }
  qsort(a, n, sizeof *a, kvcmp);
  return a;
}

static void free_attrs(kv *a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(a[i].key);
    free(a[i].value);
  }
  free(a);
}

/* Bytes of a protobuf-c message, packed. */
typedef struct {
  unsigned char *p;
  size_t n;
} bytes;

static bytes pack(const ProtobufCMessage *m) {
  bytes b;
  b.n = protobuf_c_message_get_packed_size(m);
  b.p = xmalloc(b.n);
  CHECK(protobuf_c_message_pack(m, b.p) == b.n, "pack");
  return b;
}

/* A ParticipantInfo as a server stores it, with the attributes a[0..n). */
static bytes make_info(const kv *a, size_t n) {
  Livekit__ParticipantInfo pi = LIVEKIT__PARTICIPANT_INFO__INIT;
  Livekit__ParticipantPermission perm = LIVEKIT__PARTICIPANT_PERMISSION__INIT;
  Livekit__ParticipantInfo__AttributesEntry *es = xmalloc(n * sizeof *es);
  Livekit__ParticipantInfo__AttributesEntry **ep = xmalloc(n * sizeof *ep);
  for (size_t i = 0; i < n; i++) {
    Livekit__ParticipantInfo__AttributesEntry e =
        LIVEKIT__PARTICIPANT_INFO__ATTRIBUTES_ENTRY__INIT;
    e.key = a[i].key;
    e.value = a[i].value;
    es[i] = e;
    ep[i] = &es[i];
  }
  perm.can_subscribe = perm.can_publish = perm.can_publish_data = true;
  perm.can_update_metadata = true;
  pi.sid = "PA_benchmark0001";
  pi.identity = "bench-participant";
  pi.name = "Bench Participant";
  pi.state = LIVEKIT__PARTICIPANT_INFO__STATE__ACTIVE;
  pi.joined_at = 1700000000;
  pi.version = 5;
  pi.permission = &perm;
  pi.n_attributes = n;
  pi.attributes = ep;
  bytes b = pack(&pi.base);
  free(es);
  free(ep);
  return b;
}

/* An UpdateParticipantMetadata setting the keys at `idx` to new values. */
static bytes make_update(const kv *a, const size_t *idx, size_t k, uint32_t rid,
                         kv *vals) {
  Livekit__UpdateParticipantMetadata u = LIVEKIT__UPDATE_PARTICIPANT_METADATA__INIT;
  Livekit__UpdateParticipantMetadata__AttributesEntry *es = xmalloc(k * sizeof *es);
  Livekit__UpdateParticipantMetadata__AttributesEntry **ep = xmalloc(k * sizeof *ep);
  for (size_t i = 0; i < k; i++) {
    Livekit__UpdateParticipantMetadata__AttributesEntry e =
        LIVEKIT__UPDATE_PARTICIPANT_METADATA__ATTRIBUTES_ENTRY__INIT;
    size_t vl = 8 + rnd() % 57;
    vals[i].key = a[idx[i]].key;
    vals[i].value = xmalloc(vl + 1);
    rand_text(vals[i].value, vl, i % 3 == 0);
    e.key = vals[i].key;
    e.value = vals[i].value;
    es[i] = e;
    ep[i] = &es[i];
  }
  u.n_attributes = k;
  u.attributes = ep;
  u.request_id = rid;
  bytes b = pack(&u.base);
  free(es);
  free(ep);
  return b;
}

/* ---- (1) the server update path ---- */

/* The limits of every path: LiveKit's defaults, except the size of the
 * whole map (64 KiB by default), which n >= ~1200 of these attributes
 * exceed; unlimited here so that every n is measured the same way. */
static lkattrs_limits bench_limits(void) {
  lkattrs_limits l = LKATTRS_LIMITS_INIT;
  l.max_map_bytes = 0;
  return l;
}

#define INFO_SLACK 8192

typedef struct {
  size_t n, k;
  kv *attrs;
  size_t idx[16];
  kv vals[2][16];
  bytes info0, upd[2];
  /* ours */
  lkattrs_map *map;
  unsigned char *info[2];
  size_t info_len[2], info_cap;
  unsigned cur;
  unsigned char resp[4096];
  size_t resp_len;
  uint32_t scratch[16];
  unsigned turn;
  /* protobuf-c */
  Livekit__ParticipantInfo *pi;
  unsigned char *pinfo;
  size_t pinfo_len, pinfo_cap;
  unsigned char presp[4096];
  size_t presp_len;
  unsigned pturn;
} upd_case;

static void upd_setup(upd_case *c, size_t n, size_t k) {
  memset(c, 0, sizeof *c);
  c->n = n;
  c->k = k;
  c->attrs = make_attrs(n);
  for (size_t i = 0; i < k; i++) c->idx[i] = (i * n) / k + (n / k) / 2;
  c->info0 = make_info(c->attrs, n);
  c->upd[0] = make_update(c->attrs, c->idx, k, 7, c->vals[0]);
  c->upd[1] = make_update(c->attrs, c->idx, k, 8, c->vals[1]);
  c->info_cap = c->info0.n + INFO_SLACK;
  /* ours: a heap map (counted allocator) loaded from the stored info */
  uint32_t path[] = {LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES};
  CHECK(lkattrs_map_new(&lk_allocator, &c->map) == LKATTRS_OK, "map_new");
  CHECK(lkattrs_wire_read_map(c->info0.p, c->info0.n, path, 1, 0, c->map, NULL) ==
            LKATTRS_OK, "read_map");
  for (int i = 0; i < 2; i++) c->info[i] = xmalloc(c->info_cap);
  memcpy(c->info[0], c->info0.p, c->info0.n);
  c->info_len[0] = c->info0.n;
  /* protobuf-c: the kept, unpacked participant */
  c->pi = livekit__participant_info__unpack(&pbc_allocator, c->info0.n, c->info0.p);
  CHECK(c->pi, "unpack info");
  c->pinfo_cap = c->info_cap;
  c->pinfo = xmalloc(c->pinfo_cap);
}

static void upd_free(upd_case *c) {
  lkattrs_map_free(c->map);
  livekit__participant_info__free_unpacked(c->pi, &pbc_allocator);
  for (int i = 0; i < 2; i++) {
    free(c->info[i]);
    free(c->upd[i].p);
    for (size_t j = 0; j < c->k; j++) free(c->vals[i][j].value);
  }
  free(c->pinfo);
  free(c->info0.p);
  free_attrs(c->attrs, c->n);
}

/* Ours: the update bytes in, the new ParticipantInfo and the
 * RequestResponse out, every rule checked. */
__attribute__((noinline)) static void ours_update(void *ctx) {
  upd_case *c = ctx;
  lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
  lkattrs_limits lim = bench_limits();
  o.merge.can_update_metadata = true; /* a client with the grant */
  o.merge.limits = &lim;
  o.scratch = c->scratch;
  o.scratch_cap = 16;
  unsigned nx = c->cur ^ 1u;
  lkattrs_update_buffers b = {c->info[nx], c->info_cap, c->resp, sizeof c->resp};
  lkattrs_update_result r;
  const bytes *u = &c->upd[c->turn];
  lkattrs_status st = lkattrs_update_apply(c->map, c->info[c->cur], c->info_len[c->cur],
                                           u->p, u->n, LKATTRS_UPDATE_PARTICIPANT_METADATA,
                                           &o, &b, &r, NULL);
  if (st != LKATTRS_OK || !r.changed) die("ours: update refused");
  c->info_len[nx] = r.info_len;
  c->resp_len = r.resp_len;
  c->cur = nx;
  c->turn ^= 1u;
}

/* Naive protobuf-c: unpack, merge by linear search with strdup/free, pack
 * the new ParticipantInfo and the RequestResponse (echoing the request). */
__attribute__((noinline)) static void pbc_update(void *ctx) {
  upd_case *c = ctx;
  const bytes *ub = &c->upd[c->pturn];
  Livekit__UpdateParticipantMetadata *u =
      livekit__update_participant_metadata__unpack(&pbc_allocator, ub->n, ub->p);
  if (!u) die("protobuf-c: unpack failed");
  Livekit__ParticipantInfo *pi = c->pi;
  for (size_t i = 0; i < u->n_attributes; i++) {
    const char *key = u->attributes[i]->key, *val = u->attributes[i]->value;
    size_t j = 0;
    while (j < pi->n_attributes && strcmp(pi->attributes[j]->key, key) != 0) j++;
    if (j < pi->n_attributes) {
      Livekit__ParticipantInfo__AttributesEntry *e = pi->attributes[j];
      if (!*val) { /* delete */
        free(e->key);
        free(e->value);
        free(e);
        memmove(&pi->attributes[j], &pi->attributes[j + 1],
                (pi->n_attributes - j - 1) * sizeof *pi->attributes);
        pi->n_attributes--;
      } else if (strcmp(e->value, val) != 0) {
        free(e->value);
        e->value = xstrdup(val);
      }
    } else if (*val) { /* insert */
      Livekit__ParticipantInfo__AttributesEntry init =
          LIVEKIT__PARTICIPANT_INFO__ATTRIBUTES_ENTRY__INIT;
      Livekit__ParticipantInfo__AttributesEntry *e = xmalloc(sizeof *e);
      *e = init;
      e->key = xstrdup(key);
      e->value = xstrdup(val);
      pi->attributes = realloc(pi->attributes, (pi->n_attributes + 1) * sizeof *pi->attributes);
      if (!pi->attributes) die("out of memory");
      pi->attributes[pi->n_attributes++] = e;
    }
  }
  pi->version++;
  size_t need = livekit__participant_info__get_packed_size(pi);
  if (need > c->pinfo_cap) die("protobuf-c: info buffer");
  c->pinfo_len = livekit__participant_info__pack(pi, c->pinfo);
  Livekit__RequestResponse rr = LIVEKIT__REQUEST_RESPONSE__INIT;
  rr.request_id = u->request_id;
  rr.request_case = LIVEKIT__REQUEST_RESPONSE__REQUEST_UPDATE_METADATA;
  rr.update_metadata = u;
  if (livekit__request_response__get_packed_size(&rr) > sizeof c->presp)
    die("protobuf-c: resp buffer");
  c->presp_len = livekit__request_response__pack(&rr, c->presp);
  livekit__update_participant_metadata__free_unpacked(u, &pbc_allocator);
  c->pturn ^= 1u;
}

/* ---- (2) reading ---- */

typedef struct {
  bytes info;
  size_t n;
} read_case;

__attribute__((noinline)) static void ours_read(void *ctx) {
  read_case *c = ctx;
  uint32_t path[] = {LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES};
  lkattrs_wire_reader r;
  lkattrs_entry e;
  lkattrs_status st;
  size_t sum = 0, cnt = 0;
  if (lkattrs_wire_reader_init(&r, c->info.p, c->info.n, path, 1, 0)) die("reader");
  while ((st = lkattrs_wire_next(&r, &e, NULL)) == LKATTRS_OK) {
    sum += e.key_len + e.value_len + (unsigned char)e.key[0];
    cnt++;
  }
  if (st != LKATTRS_E_NOT_FOUND || cnt != c->n) die("ours: read");
  g_sink = sum;
}

__attribute__((noinline)) static void pbc_read(void *ctx) {
  read_case *c = ctx;
  size_t sum = 0;
  Livekit__ParticipantInfo *pi =
      livekit__participant_info__unpack(&pbc_allocator, c->info.n, c->info.p);
  if (!pi || pi->n_attributes != c->n) die("protobuf-c: read");
  for (size_t i = 0; i < pi->n_attributes; i++) {
    const Livekit__ParticipantInfo__AttributesEntry *e = pi->attributes[i];
    sum += strlen(e->key) + strlen(e->value) + (unsigned char)e->key[0];
  }
  livekit__participant_info__free_unpacked(pi, &pbc_allocator);
  g_sink = sum;
}

/* ---- (3) validation ---- */

typedef struct {
  const kv *a;
  size_t n;
  const char *buf;
  size_t len;
} val_case;

__attribute__((noinline)) static void ours_validate_attrs(void *ctx) {
  val_case *c = ctx;
  lkattrs_limits lim = LKATTRS_LIMITS_INIT;
  size_t bad = 0;
  for (size_t i = 0; i < c->n; i++) {
    bad += lkattrs_validate_key(c->a[i].key, strlen(c->a[i].key), &lim, NULL) != LKATTRS_OK;
    bad += lkattrs_validate_value(c->a[i].value, strlen(c->a[i].value), &lim, NULL) !=
           LKATTRS_OK;
  }
  if (bad) die("validate: refused");
}

/* strlen of every key and value alone: the part of the above that is not
 * validation. */
__attribute__((noinline)) static void strlen_attrs(void *ctx) {
  val_case *c = ctx;
  size_t s = 0;
  for (size_t i = 0; i < c->n; i++) s += strlen(c->a[i].key) + strlen(c->a[i].value);
  g_sink = s;
}

__attribute__((noinline)) static void ours_validate_value(void *ctx) {
  val_case *c = ctx;
  if (lkattrs_validate_value(c->buf, c->len, NULL, NULL) != LKATTRS_OK) die("validate");
}

__attribute__((noinline)) static void ours_validate_key(void *ctx) {
  val_case *c = ctx;
  lkattrs_limits lim = LKATTRS_LIMITS_INIT;
  lim.max_key_bytes = 0;
  if (lkattrs_validate_key(c->buf, c->len, &lim, NULL) != LKATTRS_OK) die("validate");
}

__attribute__((noinline)) static void memchr_buf(void *ctx) {
  val_case *c = ctx;
  if (memchr(c->buf, 0, c->len)) die("memchr");
}

/* ---- (4) merge and diff on the map ---- */

typedef struct {
  lkattrs_map *map, *a, *b;
  lkattrs_entry upd[2][16];
  size_t k;
  unsigned turn;
  lkattrs_entry out[32];
} md_case;

__attribute__((noinline)) static void ours_merge(void *ctx) {
  md_case *c = ctx;
  lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
  lkattrs_limits lim = bench_limits();
  size_t changed;
  o.can_update_metadata = true;
  o.limits = &lim;
  if (lkattrs_merge(c->map, c->upd[c->turn], c->k, &o, &changed, NULL) != LKATTRS_OK ||
      changed != c->k)
    die("merge");
  c->turn ^= 1u;
}

__attribute__((noinline)) static void ours_diff(void *ctx) {
  md_case *c = ctx;
  size_t count;
  if (lkattrs_diff(c->a, c->b, c->out, 32, &count) != LKATTRS_OK || count != c->k)
    die("diff");
}

/* ---- (5) the nanopb client path ---- */

#define NPB_ATTRS 100
#define NPB_MAX_ENTRIES 128
#define NPB_MAX_BYTES 8192
static unsigned char npb_storage[LKATTRS_MAP_FIXED_BYTES(NPB_MAX_ENTRIES, NPB_MAX_BYTES)];
static unsigned char npb_scratch[128]; /* one encoded entry: key 24 + value 64 + 8 */
static livekit_SignalResponse npb_msg;
static livekit_ParticipantInfo npb_info;

typedef struct {
  bytes resp;
  lkattrs_map *map;
  lkattrs_npb_participants p;
  size_t got, n;
} npb_case;

static void npb_on_participant(void *ctx, const livekit_ParticipantInfo *info,
                               const lkattrs_npb_reader *attrs) {
  npb_case *c = ctx;
  if (attrs->status == LKATTRS_OK && info->version == 5) c->got = lkattrs_map_count(attrs->map);
}

__attribute__((noinline)) static void npb_decode(void *ctx) {
  npb_case *c = ctx;
  c->got = 0;
  lkattrs_npb_reader_init(&c->p.attrs, c->map, npb_scratch, sizeof npb_scratch);
  lkattrs_npb_signal_response_setup(&npb_msg, &c->p);
  pb_istream_t s = pb_istream_from_buffer(c->resp.p, c->resp.n);
  if (!pb_decode(&s, livekit_SignalResponse_fields, &npb_msg) || c->got != c->n)
    die("nanopb: decode");
}

static void npb_setup(npb_case *c, const kv *a, size_t n) {
  memset(c, 0, sizeof *c);
  c->n = n;
  bytes info = make_info(a, n);
  Livekit__ParticipantInfo *pi = livekit__participant_info__unpack(NULL, info.n, info.p);
  Livekit__ParticipantUpdate pu = LIVEKIT__PARTICIPANT_UPDATE__INIT;
  Livekit__SignalResponse sr = LIVEKIT__SIGNAL_RESPONSE__INIT;
  CHECK(pi, "unpack");
  pu.n_participants = 1;
  pu.participants = &pi;
  sr.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_UPDATE;
  sr.update = &pu;
  c->resp = pack(&sr.base);
  livekit__participant_info__free_unpacked(pi, NULL);
  free(info.p);
  CHECK(lkattrs_map_init_fixed(npb_storage, sizeof npb_storage, NPB_MAX_ENTRIES, 0,
                               &c->map) == LKATTRS_OK, "init_fixed");
  c->p.info = &npb_info;
  c->p.on_participant = npb_on_participant;
  c->p.ctx = c;
}

/* Stack used by fn(ctx): run in a thread whose stack is painted, minus
 * the same for an empty function (the thread's own overhead). */
#define STACK_BYTES (1u << 20)
static unsigned char *g_stack;
typedef struct {
  op_fn fn;
  void *ctx;
} thr_arg;
static void *thr_main(void *p) {
  thr_arg *t = p;
  if (t->fn) t->fn(t->ctx);
  return NULL;
}
static size_t stack_run(op_fn fn, void *ctx) {
  pthread_attr_t at;
  pthread_t th;
  thr_arg t = {fn, ctx};
  if (!g_stack) CHECK(posix_memalign((void **)&g_stack, 4096, STACK_BYTES) == 0, "stack");
  memset(g_stack, 0xA5, STACK_BYTES);
  CHECK(pthread_attr_init(&at) == 0 && pthread_attr_setstack(&at, g_stack, STACK_BYTES) == 0,
        "pthread_attr");
  CHECK(pthread_create(&th, &at, thr_main, &t) == 0 && pthread_join(th, NULL) == 0,
        "pthread");
  pthread_attr_destroy(&at);
  size_t i = 0;
  while (i < STACK_BYTES && g_stack[i] == 0xA5) i++;
  return STACK_BYTES - i;
}
static size_t stack_used(op_fn fn, void *ctx) {
  size_t base = stack_run(NULL, NULL), used = stack_run(fn, ctx);
  return used > base ? used - base : 0;
}

/* ---- output ---- */

static FILE *g_md; /* the markdown report, or NULL */

static void both(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void both(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  if (g_md) {
    va_start(ap, fmt);
    vfprintf(g_md, fmt, ap);
    va_end(ap);
  }
}

static void fmt_t(char *out, size_t cap, double ns) {
  if (ns >= 1e6) snprintf(out, cap, "%.2f ms", ns / 1e6);
  else if (ns >= 1e3) snprintf(out, cap, "%.2f µs", ns / 1e3);
  else snprintf(out, cap, "%.1f ns", ns);
}

/* "median (min–max)" */
static const char *fmt_s(char *out, size_t cap, stat3 s) {
  char a[24], b[24], c[24];
  fmt_t(a, sizeof a, s.med);
  fmt_t(b, sizeof b, s.min);
  fmt_t(c, sizeof c, s.max);
  snprintf(out, cap, "%s (%s–%s)", a, b, c);
  return out;
}

/* ---- JS results ---- */

typedef struct {
  size_t n, k;
  stat3 t;
  char *info_hex, *resp_hex;
} js_row;
static js_row g_js[64];
static size_t g_njs;

static void read_js(const char *path) {
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  if (!f) {
    fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
    exit(2);
  }
  while (getline(&line, &cap, f) > 0 && g_njs < 64) {
    js_row *r = &g_js[g_njs];
    char ih[1 << 16], rh[1 << 14];
    if (sscanf(line, "update %zu %zu %lf %lf %lf", &r->n, &r->k, &r->t.med, &r->t.min,
               &r->t.max) == 5) {
      g_njs++;
    } else if (sscanf(line, "bytes %zu %zu %65535s %16383s", &r->n, &r->k, ih, rh) == 4) {
      r->info_hex = xstrdup(ih);
      r->resp_hex = xstrdup(rh);
      g_njs++;
    }
  }
  free(line);
  fclose(f);
}

static const js_row *find_js(size_t n, size_t k) {
  for (size_t i = 0; i < g_njs; i++)
    if (g_js[i].n == n && g_js[i].k == k) return &g_js[i];
  return NULL;
}

static void hex(FILE *f, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) fprintf(f, "%02x", p[i]);
}

static bool hex_eq(const char *h, const unsigned char *p, size_t n) {
  if (!h || strlen(h) != 2 * n) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(h + 2 * i, "%2x", &v) != 1 || v != p[i]) return false;
  }
  return true;
}

/* ---- the callgrind table (from callgrind.sh), pasted as is ---- */

static void include_file(const char *path) {
  FILE *f = fopen(path, "r");
  char buf[4096];
  size_t n;
  if (!f) return;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    fwrite(buf, 1, n, stdout);
    if (g_md) fwrite(buf, 1, n, g_md);
  }
  fclose(f);
}

/* ---- one path alone (for callgrind) ---- */

/* The measured loop: callgrind collects inside this function only
 * (--toggle-collect=cg_loop), so setup and warm-up are not counted. */
__attribute__((noinline)) void cg_loop(op_fn f, void *ctx, size_t iters);
__attribute__((noinline)) void cg_loop(op_fn f, void *ctx, size_t iters) {
  for (size_t i = 0; i < iters; i++) f(ctx);
}

static int run_one(const char *name, size_t n, size_t k, size_t iters) {
  if (!strcmp(name, "update-ours") || !strcmp(name, "update-pbc")) {
    upd_case *c = xmalloc(sizeof *c);
    upd_setup(c, n, k);
    op_fn f = name[7] == 'o' ? ours_update : pbc_update;
    for (size_t i = 0; i < 4; i++) f(c); /* warm up (arena, allocator) */
    cg_loop(f, c, iters);
    upd_free(c);
    free(c);
  } else if (!strcmp(name, "read-ours") || !strcmp(name, "read-pbc")) {
    kv *a = make_attrs(n);
    read_case c = {make_info(a, n), n};
    op_fn f = name[5] == 'o' ? ours_read : pbc_read;
    cg_loop(f, &c, iters);
    free(c.info.p);
    free_attrs(a, n);
  } else if (!strcmp(name, "merge") || !strcmp(name, "diff")) {
    upd_case u;
    md_case c;
    upd_setup(&u, n, k);
    memset(&c, 0, sizeof c);
    c.k = k;
    c.map = u.map;
    for (int t = 0; t < 2; t++)
      for (size_t i = 0; i < k; i++) {
        lkattrs_entry e = {u.vals[t][i].key, strlen(u.vals[t][i].key), u.vals[t][i].value,
                           strlen(u.vals[t][i].value)};
        c.upd[t][i] = e;
      }
    op_fn f = ours_merge;
    if (!strcmp(name, "diff")) {
      lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
      lkattrs_limits lim = bench_limits();
      o.origin = LKATTRS_ORIGIN_SERVER;
      o.limits = &lim;
      CHECK(lkattrs_map_new(NULL, &c.a) == 0 && lkattrs_map_copy(c.a, u.map) == 0 &&
                lkattrs_map_new(NULL, &c.b) == 0 && lkattrs_map_copy(c.b, u.map) == 0 &&
                lkattrs_merge(c.b, c.upd[0], k, &o, NULL, NULL) == 0,
            "diff setup");
      f = ours_diff;
    }
    for (size_t i = 0; i < 2; i++) f(&c);
    cg_loop(f, &c, iters);
    lkattrs_map_free(c.a);
    lkattrs_map_free(c.b);
    upd_free(&u);
  } else if (!strcmp(name, "nanopb")) {
    kv *a = make_attrs(n);
    npb_case *c = xmalloc(sizeof *c);
    npb_setup(c, a, n);
    cg_loop(npb_decode, c, iters);
    free(c->resp.p);
    free(c);
    free_attrs(a, n);
  } else if (!strcmp(name, "validate-attrs")) {
    kv *a = make_attrs(n);
    val_case c = {a, n, NULL, 0};
    cg_loop(ours_validate_attrs, &c, iters);
    free_attrs(a, n);
  } else {
    fprintf(stderr, "bench: unknown path %s\n", name);
    return 2;
  }
  return 0;
}

/* ---- main ---- */

static size_t parse_sizes(const char *s, size_t *out, size_t cap) {
  size_t n = 0;
  while (*s && n < cap) {
    char *end;
    out[n++] = (size_t)strtoul(s, &end, 10);
    s = *end == ',' ? end + 1 : end;
    if (end == s && *s) break;
  }
  return n;
}

int main(int argc, char **argv) {
  size_t sizes[8] = {10, 100, 1000, 10000}, nsizes = 4;
  const size_t ks[2] = {1, 10};
  const char *inputs = NULL, *js = NULL, *cg = NULL, *md = NULL, *one = NULL;
  size_t one_n = 100, one_k = 10, one_iters = 100;
  int fails = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--smoke")) {
      g_smoke = true;
      g_reps = 1;
      sizes[0] = 3;
      sizes[1] = 10;
      sizes[2] = 20;
      nsizes = 3;
      continue;
    }
    if (!v) {
      fprintf(stderr, "usage: see the top of tests/bench/bench.c\n");
      return 2;
    }
    i++;
    if (!strcmp(a, "--sizes")) nsizes = parse_sizes(v, sizes, 8);
    else if (!strcmp(a, "--reps")) g_reps = (size_t)strtoul(v, NULL, 10);
    else if (!strcmp(a, "--ms")) g_ms = strtod(v, NULL);
    else if (!strcmp(a, "--inputs")) inputs = v;
    else if (!strcmp(a, "--js")) js = v;
    else if (!strcmp(a, "--callgrind")) cg = v;
    else if (!strcmp(a, "--markdown")) md = v;
    else if (!strcmp(a, "--one")) one = v;
    else if (!strcmp(a, "--n")) one_n = (size_t)strtoul(v, NULL, 10);
    else if (!strcmp(a, "--k")) one_k = (size_t)strtoul(v, NULL, 10);
    else if (!strcmp(a, "--iters")) one_iters = (size_t)strtoul(v, NULL, 10);
    else {
      fprintf(stderr, "bench: unknown option %s\n", a);
      return 2;
    }
  }
  if (g_reps < 1) g_reps = 1;
  if (one) return run_one(one, one_n, one_k, one_iters);

  /* Inputs for bench.mjs: "n k info_hex update0_hex update1_hex". */
  if (inputs) {
    FILE *f = fopen(inputs, "w");
    if (!f) die("cannot write --inputs");
    for (size_t s = 0; s < nsizes; s++)
      for (size_t q = 0; q < 2; q++) {
        if (ks[q] > sizes[s]) continue;
        upd_case *c = xmalloc(sizeof *c);
        rng = 0x9E3779B97F4A7C15u ^ (sizes[s] * 31 + ks[q]);
        upd_setup(c, sizes[s], ks[q]);
        fprintf(f, "%zu %zu ", c->n, c->k);
        hex(f, c->info0.p, c->info0.n);
        fputc(' ', f);
        hex(f, c->upd[0].p, c->upd[0].n);
        fputc(' ', f);
        hex(f, c->upd[1].p, c->upd[1].n);
        fputc('\n', f);
        upd_free(c);
        free(c);
      }
    fclose(f);
    return 0;
  }
  if (js) read_js(js);
  if (md && !(g_md = fopen(md, "w"))) die("cannot write --markdown");

  {
    char date[64];
    time_t t = time(NULL);
    struct utsname u;
    char cpu[256] = "unknown CPU";
    FILE *ci = fopen("/proc/cpuinfo", "r");
    if (ci) {
      char line[512];
      while (fgets(line, sizeof line, ci))
        if (!strncmp(line, "model name", 10)) {
          char *p = strchr(line, ':');
          if (p) {
            snprintf(cpu, sizeof cpu, "%s", p + 2);
            cpu[strcspn(cpu, "\n")] = 0;
          }
          break;
        }
      fclose(ci);
    }
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&t));
    uname(&u);
    if (g_md)
      fprintf(g_md,
              "# Performance\n\n"
              "Written by `make bench` (`tests/bench/`); do not edit by hand. Each figure is\n"
              "the median of %zu repetitions (min–max in brackets), every repetition about\n"
              "%.0f ms of the same operation; compared paths are measured interleaved in\n"
              "the same run, and ratios are ratios of medians. The machine may be busy:\n"
              "the instruction counts (callgrind) at the end are the stable figures.\n\n",
              g_reps, g_ms);
    both("Run: %s, %s %s, %s, %ld CPUs online\n\n", date, u.sysname, u.machine, cpu,
         sysconf(_SC_NPROCESSORS_ONLN));
  }

  /* (1) the server update path */
  both("## 1. Server update path (bytes in, new ParticipantInfo + RequestResponse out)\n\n"
       "Per update. ours: `lkattrs_update_apply()` (heap map, counted allocator, every "
       "rule checked); protobuf-c: unpack the update, merge by linear search with "
       "strdup/free, pack ParticipantInfo and RequestResponse; JS: `@livekit/protocol` "
       "fromBinary, merge into a kept object, toBinary of both.\n\n"
       "| n | k | ours | protobuf-c | JS | × protobuf-c | × JS | allocs/update ours | "
       "allocs/update protobuf-c |\n|---:|---:|---|---|---|---:|---:|---:|---:|\n");
  for (size_t s = 0; s < nsizes; s++)
    for (size_t q = 0; q < 2; q++) {
      size_t n = sizes[s], k = ks[q];
      if (k > n) continue;
      upd_case *c = xmalloc(sizeof *c);
      rng = 0x9E3779B97F4A7C15u ^ (n * 31 + k);
      upd_setup(c, n, k);
      /* one of each, compared byte for byte (state A after this) */
      ours_update(c);
      pbc_update(c);
      bool same = c->info_len[c->cur] == c->pinfo_len &&
                  !memcmp(c->info[c->cur], c->pinfo, c->pinfo_len) &&
                  c->resp_len == c->presp_len && !memcmp(c->resp, c->presp, c->resp_len);
      const js_row *j = find_js(n, k);
      if (!same) {
        fprintf(stderr, "bench: n=%zu k=%zu: ours and protobuf-c differ\n", n, k);
        fails++;
      }
      if (g_smoke && j && j->info_hex &&
          !(hex_eq(j->info_hex, c->pinfo, c->pinfo_len) &&
            hex_eq(j->resp_hex, c->presp, c->presp_len))) {
        fprintf(stderr, "bench: n=%zu k=%zu: LiveKit's JS and protobuf-c differ\n", n, k);
        fails++;
      }
      ours_update(c); /* back to state B for both, then alternate */
      pbc_update(c);
      op_fn f[2] = {ours_update, pbc_update};
      void *x[2] = {c, c};
      stat3 t[2];
      unsigned long long al[2];
      measure(2, f, x, t, al);
      if (al[0] != 0) {
        fprintf(stderr, "bench: n=%zu k=%zu: our update path allocated\n", n, k);
        fails++;
      }
      char a[96], b[96], jc[96] = "–", jr[32] = "–";
      if (j && !j->info_hex) {
        fmt_s(jc, sizeof jc, j->t);
        snprintf(jr, sizeof jr, "%.0f×", j->t.med / t[0].med);
      }
      both("| %zu | %zu | %s | %s | %s | %.1f× | %s | %llu | %llu |\n", n, k,
           fmt_s(a, sizeof a, t[0]), fmt_s(b, sizeof b, t[1]), jc, t[1].med / t[0].med, jr,
           al[0], al[1]);
      upd_free(c);
      free(c);
    }

  /* (2) reading */
  both("\n## 2. Reading every attribute of an encoded ParticipantInfo\n\n"
       "ours: zero-copy `lkattrs_wire_next()` loop, UTF-8 and U+0000 checked; protobuf-c: "
       "`protobuf_c_message_unpack()`, walk, `free_unpacked()`.\n\n"
       "| n | ours | protobuf-c | × | ours per attribute |\n|---:|---|---|---:|---:|\n");
  for (size_t s = 0; s < nsizes; s++) {
    size_t n = sizes[s];
    rng = 0x51ED270B27D1A3B5u ^ n;
    kv *a = make_attrs(n);
    read_case c = {make_info(a, n), n};
    op_fn f[2] = {ours_read, pbc_read};
    void *x[2] = {&c, &c};
    stat3 t[2];
    char p[96], q[96], r[32];
    measure(2, f, x, t, NULL);
    fmt_t(r, sizeof r, t[0].med / (double)n);
    both("| %zu | %s | %s | %.1f× | %s |\n", n, fmt_s(p, sizeof p, t[0]),
         fmt_s(q, sizeof q, t[1]), t[1].med / t[0].med, r);
    free(c.info.p);
    free_attrs(a, n);
  }

  /* (3) validation throughput */
  both("\n## 3. Validation throughput\n\n"
       "GB/s = 10⁹ bytes per second; memchr: glibc `memchr(buf, 0, len)` over the same "
       "bytes, in the same run.\n\n"
       "| input | ours | GB/s | memchr GB/s | ours / memchr |\n|---|---|---:|---:|---:|\n");
  {
    size_t big = g_smoke ? 4096 : 65536;
    char *ascii = xmalloc(big + 1), *mixed = xmalloc(big + 1), *keyish = xmalloc(big + 1);
    rand_text(ascii, big, false);
    rand_text(mixed, big, true);
    memcpy(keyish, ascii, big + 1);
    val_case cv[3] = {{NULL, 0, ascii, big}, {NULL, 0, mixed, big}, {NULL, 0, keyish, big}};
    const char *names[3] = {"64 KiB value, ASCII", "64 KiB value, 1 in 6 characters non-ASCII",
                            "64 KiB key (controls checked), ASCII"};
    op_fn fv[3] = {ours_validate_value, ours_validate_value, ours_validate_key};
    for (int i = 0; i < 3; i++) {
      op_fn f[2] = {fv[i], memchr_buf};
      void *x[2] = {&cv[i], &cv[i]};
      stat3 t[2];
      char p[96];
      measure(2, f, x, t, NULL);
      both("| %s | %s | %.2f | %.2f | %.2f |\n", names[i], fmt_s(p, sizeof p, t[0]),
           (double)big / t[0].med, (double)big / t[1].med, t[1].med / t[0].med);
    }
    /* the attributes of a map, key and value rules, one call each */
    size_t n = g_smoke ? 10 : 1000, total = 0;
    rng = 0xC0FFEEu;
    kv *a = make_attrs(n);
    for (size_t i = 0; i < n; i++) total += strlen(a[i].key) + strlen(a[i].value);
    val_case c = {a, n, NULL, 0};
    op_fn f[2] = {ours_validate_attrs, strlen_attrs};
    void *x[2] = {&c, &c};
    stat3 t[2];
    char p[96];
    measure(2, f, x, t, NULL);
    both("| %zu attributes (keys 8–24 B, values 8–64 B, %zu bytes), one "
         "`lkattrs_validate_key()` + `_value()` each (strlen included) | %s | %.2f | – | – |\n",
         n, total, fmt_s(p, sizeof p, t[0]), (double)total / t[0].med);
    both("| the same, strlen alone | | %.2f | | |\n", (double)total / t[1].med);
    free_attrs(a, n);
    free(ascii);
    free(mixed);
    free(keyish);
  }

  /* (4) merge and diff */
  both("\n## 4. Merge and diff on the map, per changed key\n\n"
       "merge: `lkattrs_merge()` of k changed keys into a heap map of n entries (every rule "
       "checked; its `on_change` report is the changed set); diff: `lkattrs_diff()` of two "
       "maps of n entries that differ in k keys.\n\n"
       "| n | k | merge per key | diff per key | diff per entry of the maps |\n"
       "|---:|---:|---|---|---:|\n");
  double merge_lo = 0, merge_hi = 0;
  for (size_t s = 0; s < nsizes; s++)
    for (size_t q = 0; q < 2; q++) {
      size_t n = sizes[s], k = ks[q];
      if (k > n) continue;
      upd_case *u = xmalloc(sizeof *u);
      md_case c;
      rng = 0x9E3779B97F4A7C15u ^ (n * 31 + k);
      upd_setup(u, n, k);
      memset(&c, 0, sizeof c);
      c.k = k;
      c.map = u->map;
      for (int tt = 0; tt < 2; tt++)
        for (size_t i = 0; i < k; i++) {
          lkattrs_entry e = {u->vals[tt][i].key, strlen(u->vals[tt][i].key),
                             u->vals[tt][i].value, strlen(u->vals[tt][i].value)};
          c.upd[tt][i] = e;
        }
      lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
      lkattrs_limits lim = bench_limits();
      o.origin = LKATTRS_ORIGIN_SERVER;
      o.limits = &lim;
      CHECK(lkattrs_map_new(NULL, &c.a) == 0 && lkattrs_map_copy(c.a, u->map) == 0 &&
                lkattrs_map_new(NULL, &c.b) == 0 && lkattrs_map_copy(c.b, u->map) == 0 &&
                lkattrs_merge(c.b, c.upd[0], k, &o, NULL, NULL) == 0,
            "diff setup");
      op_fn f[2] = {ours_merge, ours_diff};
      void *x[2] = {&c, &c};
      stat3 t[2];
      char p[96], r[96], e[32];
      measure(2, f, x, t, NULL);
      stat3 pm = {t[0].med / (double)k, t[0].min / (double)k, t[0].max / (double)k};
      stat3 pd = {t[1].med / (double)k, t[1].min / (double)k, t[1].max / (double)k};
      fmt_t(e, sizeof e, t[1].med / (double)(2 * n));
      both("| %zu | %zu | %s | %s | %s |\n", n, k, fmt_s(p, sizeof p, pm),
           fmt_s(r, sizeof r, pd), e);
      if (k == 10) {
        if (merge_lo == 0 || pm.med < merge_lo) merge_lo = pm.med;
        if (pm.med > merge_hi) merge_hi = pm.med;
      }
      lkattrs_map_free(c.a);
      lkattrs_map_free(c.b);
      upd_free(u);
      free(u);
    }
  if (merge_lo > 0)
    both("\nmerge per key, k = 10: slowest / fastest over n = %zu…%zu: %.2f×\n", sizes[0],
         sizes[nsizes - 1], merge_hi / merge_lo);

  /* (5) nanopb */
  both("\n## 5. nanopb client: a SignalResponse.update with %d attributes into a fixed map\n\n",
       NPB_ATTRS);
  {
    size_t n = g_smoke ? 10 : NPB_ATTRS;
    rng = 0xBADC0DEu;
    kv *a = make_attrs(n);
    npb_case *c = xmalloc(sizeof *c);
    npb_setup(c, a, n);
    op_fn f[1] = {npb_decode};
    void *x[1] = {c};
    stat3 t[1];
    unsigned long long al[1];
    char p[96];
    measure(1, f, x, t, al);
    /* the map holds exactly the attributes */
    for (size_t i = 0; i < n; i++) {
      const char *v;
      if (lkattrs_map_get(c->map, a[i].key, strlen(a[i].key), &v, NULL) != LKATTRS_OK ||
          strcmp(v, a[i].value) != 0) {
        fprintf(stderr, "bench: nanopb: attribute %zu differs\n", i);
        fails++;
        break;
      }
    }
    size_t stack = stack_used(npb_decode, c);
    both("| what | figure |\n|---|---:|\n"
         "| message | %zu bytes |\n"
         "| decode (pb_decode + lkattrs_npb callbacks + fixed map) | %s |\n"
         "| per attribute | %.0f ns |\n"
         "| heap allocations per decode | %llu |\n"
         "| stack used by the decode (x86-64, painted thread stack) | %zu bytes |\n"
         "| static: `livekit_SignalResponse` | %zu bytes |\n"
         "| static: `livekit_ParticipantInfo` (one participant at a time) | %zu bytes |\n"
         "| static: fixed map, %d entries / %d bytes (`LKATTRS_MAP_FIXED_BYTES`) | %zu bytes |\n"
         "| static: entry scratch | %zu bytes |\n",
         c->resp.n, fmt_s(p, sizeof p, t[0]), t[0].med / (double)n, al[0], stack,
         sizeof npb_msg, sizeof npb_info, NPB_MAX_ENTRIES, NPB_MAX_BYTES, sizeof npb_storage,
         sizeof npb_scratch);
    free(c->resp.p);
    free(c);
    free_attrs(a, n);
  }

  if (cg) {
    both("\n## Instruction counts (callgrind)\n\n");
    include_file(cg);
  }
  if (g_md) fclose(g_md);
  free(g_stack);
  if (fails) {
    fprintf(stderr, "bench: %d check(s) failed\n", fails);
    return 1;
  }
  if (g_smoke) printf("\nbench --smoke: every path gave the same bytes; our update path allocated nothing\n");
  return 0;
}
