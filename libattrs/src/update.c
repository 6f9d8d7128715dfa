/* update.c - an encoded attribute update applied to a participant.
 *
 * One call: scan the update (structure, entries decoded once onto the
 * stack when there are at most MAX_DECODED), scan the stored
 * ParticipantInfo into runs of fields, check and plan the merge
 * (lkattrs__merge_entries / lkattrs__merge_wire), size every output in the
 * precommit hook before the map changes, apply, then write.  The new
 * attributes field is spliced from the stored one when that is canonical
 * (plan_splice, put_spliced: only the changed entries are encoded) and
 * encoded from the map otherwise; the echo in the RequestResponse is the
 * received message itself when that is in the form build_echo() writes. */
#include "lkattrs/update.h"

#include <string.h>

#include "internal.h"
#include "lkattrs/wire.h"
#include "wire_internal.h"

size_t lkattrs_default_max_metadata_bytes(void) {
  return LKATTRS_DEFAULT_MAX_METADATA_BYTES;
}
size_t lkattrs_default_max_name_bytes(void) { return LKATTRS_DEFAULT_MAX_NAME_BYTES; }

/* LiveKit's RequestResponse messages (protocol text, kept with
 * LKATTRS_NO_ERRMSG too). */
#define MSG_NOT_ALLOWED "does not have permission to update own metadata"
#define MSG_NAME "exceeds name length limit"
#define MSG_METADATA "exceeds metadata size limit"
#define MSG_ATTRIBUTES "exceeds attributes size limit"

/* ---- a sink that counts, and writes when it has a buffer ---- */

typedef struct {
  unsigned char *p;
  size_t n;
} sink;

static void s_bytes(sink *s, const void *d, size_t len) {
  if (s->p && len) memcpy(s->p + s->n, d, len);
  s->n = lkattrs__add(s->n, len); /* saturates: a count never wraps */
}
static void s_varint(sink *s, uint64_t v) {
  unsigned char t[10];
  s_bytes(s, t, (size_t)(lkattrs__put_varint(t, v) - t));
}
static void s_tag(sink *s, uint32_t no, unsigned wt) {
  s_varint(s, (uint64_t)no << 3 | wt);
}
static void s_field(sink *s, uint32_t no, const void *d, size_t len) {
  s_tag(s, no, 2);
  s_varint(s, len);
  s_bytes(s, d, len);
}
/* ---- the job ---- */

typedef struct {
  const unsigned char *p;
  size_t n;
  bool has;
} view;

/* The stored ParticipantInfo as runs of fields (filled by scan_info), so
 * that it is walked once: a run is either fields that are copied as they
 * are, all in the same interval between the field numbers that may be
 * replaced (5, 9, 10, 15), or consecutive occurrences of one of those. */
#define MAX_RUNS 24
typedef struct {
  size_t start, end;
  uint32_t no;   /* field number of its first field */
  unsigned kind; /* 0: copied; else the replaceable field number */
} run;

/* At most this many changed keys are spliced; more: the map is encoded. */
#define MAX_OPS 32
#define NO_ENTRY UINT32_MAX
/* Updates of at most this many entries are decoded once, on the stack. */
#define MAX_DECODED 32
typedef struct {
  uint32_t s, e, uoff;
} splice_op;

typedef struct {
  /* the update */
  const unsigned char *u;
  size_t ulen;
  uint32_t prefix[1];
  size_t plen;
  uint32_t f_md, f_name, f_attrs, f_rid;
  view md, name;
  uint32_t rid;
  size_t n; /* raw entries */
  /* The entries decoded by the scan (wire order) when n <= MAX_DECODED,
   * merged as they are (lkattrs__merge_entries); else NULL, and the merge
   * decodes them from the wire. */
  lkattrs_entry *dec;
  /* the stored ParticipantInfo */
  const unsigned char *info;
  size_t ilen;
  view cur_md, cur_name;
  uint32_t version, new_version;
  run runs[MAX_RUNS];
  size_t nruns;
  bool runs_full; /* too many runs: walk the message again instead */
  size_t echo_n;  /* bytes of the echoed request */
  bool verbatim;  /* ...which are u[echo_lo..echo_hi) (see scan_update) */
  size_t echo_lo, echo_hi;
  size_t body_n;  /* bytes of the new ParticipantInfo (without envelope) */
  /* decisions */
  bool name_changed, md_changed;
  size_t attrs_size; /* encoded new attributes field */
  const lkattrs_map *final; /* the map to write from (after apply) */
  /* The fast path (see plan_splice): the stored attributes entries are
   * info[a_start..a_end); when `splice`, the new ones are those bytes with
   * the ops applied, each op replacing info[s..e) (empty: an insertion)
   * by the update's entry uoff (dec[uoff], or the entry at offset uoff of
   * `u`; NO_ENTRY: nothing). */
  size_t a_start, a_end, a_runs;
  bool splice;
  size_t nops;
  splice_op ops[MAX_OPS];
  const lkattrs_update_opts *o;
  const lkattrs_update_buffers *b;
  lkattrs_update_result *res;
} job;

static bool same(view a, view b) {
  return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static lkattrs_status wire_fail(lkattrs_error_detail *d, lkattrs_status st,
                                size_t off) {
  return lkattrs__fail(d, st, NULL, 0, LKATTRS_NO_INDEX, off, false, NULL);
}

/* An entry exactly {1: key, 2: value} with one-byte lengths (the usual
 * form: structurally valid without the general parser). */
static bool plain_entry(const unsigned char *b, size_t n) {
  return n >= 4 && n < 0x80 && b[0] == 0x0A && b[1] + 4u <= n && b[2 + b[1]] == 0x12 &&
         b[3 + b[1]] == n - 4u - b[1];
}

/* Walk the update: its fields, its entries (checked), request_id. */
static lkattrs_status scan_update(job *j, uint32_t *idx, size_t cap, bool check,
                                  lkattrs_error_detail *d) {
  lkattrs_wire_reader r;
  lkattrs__wf f;
  size_t bad = 0, n = 0;
  lkattrs_status st;
  uint32_t last = 0;
  size_t seen = 0;
  j->verbatim = check && j->f_rid != 0;
  lkattrs__walk_init(&r, j->u, j->ulen, j->prefix, j->plen);
  while ((st = lkattrs__walk_next(&r, j->plen, &f, &bad)) == LKATTRS_OK) {
    if (check && j->verbatim) {
      /* The echo is the message itself when it is what build_echo()
       * writes: fields 1 to 4 once each in order (3: any number of times),
       * non-empty, minimal lengths, contiguous. */
      if (!seen) j->echo_lo = f.start;
      j->verbatim = f.start == (seen ? j->echo_hi : j->echo_lo) && f.no >= 1 &&
                    f.no <= 4 && (f.no > last || (f.no == last && f.no == 3)) &&
                    f.v && f.v <= UINT32_MAX &&
                    (f.no == 4 ? f.wt == 0 && f.end - f.start == 1 + lkattrs__varint_len(f.v)
                               : f.wt == 2 && f.data - f.start ==
                                                  1 + lkattrs__varint_len(f.v));
      last = f.no;
      j->echo_hi = f.end;
      seen++;
    }
    if (f.no == j->f_attrs) {
      lkattrs_entry e;
      lkattrs_error_detail ed;
      if (f.wt != 2) return wire_fail(d, LKATTRS_E_WIRE_MALFORMED, f.start);
      if (check) {
        const unsigned char *b = j->u + f.data;
        if (plain_entry(b, (size_t)f.v)) {
          e.key = (const char *)b + 2;
          e.key_len = b[1];
          e.value = e.key + e.key_len + 2;
          e.value_len = b[3 + b[1]];
        } else if (lkattrs_wire_parse_entry(b, (size_t)f.v, LKATTRS_WIRE_RAW, &e, &ed)) {
          return lkattrs__fail(d, LKATTRS_E_WIRE_MALFORMED, NULL, 0, n,
                               f.data + ed.offset, false, NULL);
        }
        if (j->dec && n < MAX_DECODED) j->dec[n] = e;
      }
      if (idx && n < cap) idx[n] = (uint32_t)f.start;
      n++;
    } else if (f.no == j->f_md || f.no == j->f_name) {
      view *v = f.no == j->f_md ? &j->md : &j->name;
      if (f.wt != 2) return wire_fail(d, LKATTRS_E_WIRE_MALFORMED, f.start);
      v->p = j->u + f.data;
      v->n = (size_t)f.v;
      v->has = true;
    } else if (j->f_rid && f.no == j->f_rid) {
      if (f.wt != 0) return wire_fail(d, LKATTRS_E_WIRE_MALFORMED, f.start);
      j->rid = (uint32_t)f.v;
    }
  }
  if (st != LKATTRS_E_NOT_FOUND) return wire_fail(d, st, bad);
  j->n = n;
  return LKATTRS_OK;
}

/* Interval of a copied field between the replaceable numbers 5, 9, 10, 15:
 * the new fields are inserted at the same places for all of its fields. */
static unsigned interval(uint32_t no) {
  return (unsigned)(no > LKATTRS_FIELD_PARTICIPANT_INFO_METADATA) +
         (unsigned)(no > LKATTRS_FIELD_PARTICIPANT_INFO_NAME) +
         (unsigned)(no > LKATTRS_FIELD_PARTICIPANT_INFO_VERSION) +
         (unsigned)(no > LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES);
}

static void add_run(job *j, const lkattrs__wf *f) {
  unsigned kind = 0;
  switch (f->no) {
    case LKATTRS_FIELD_PARTICIPANT_INFO_METADATA:
    case LKATTRS_FIELD_PARTICIPANT_INFO_NAME:
    case LKATTRS_FIELD_PARTICIPANT_INFO_VERSION:
    case LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES: kind = f->no; break;
    default: break;
  }
  if (j->nruns) {
    run *last = &j->runs[j->nruns - 1];
    if (last->end == f->start && last->kind == kind &&
        (kind || interval(last->no) == interval(f->no))) {
      last->end = f->end;
      if (kind == LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES) j->a_end = f->end;
      return;
    }
  }
  if (j->nruns == MAX_RUNS) {
    j->runs_full = true;
    return;
  }
  if (kind == LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES) {
    j->a_runs++;
    j->a_start = f->start;
    j->a_end = f->end;
  }
  j->runs[j->nruns].start = f->start;
  j->runs[j->nruns].end = f->end;
  j->runs[j->nruns].no = f->no;
  j->runs[j->nruns].kind = kind;
  j->nruns++;
}

/* Walk the stored ParticipantInfo: name, metadata, version, and the runs. */
static lkattrs_status scan_info(job *j, lkattrs_error_detail *d) {
  lkattrs_wire_reader r;
  lkattrs__wf f;
  size_t bad = 0;
  lkattrs_status st;
  uint32_t unused = 1;
  lkattrs__walk_init(&r, j->info, j->ilen, &unused, 1);
  while ((st = lkattrs__walk_next(&r, 0, &f, &bad)) == LKATTRS_OK) {
    if (f.no == LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES && f.wt == 2) {
      /* The entries that follow: one-byte tag and length, skipped here
       * with the same checks as the general walk. */
      const unsigned char *b = j->info;
      size_t p = r.pos, end = j->ilen;
      while (end - p >= 2 && b[p] == (LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES << 3 | 2) &&
             b[p + 1] < 0x80 && b[p + 1] <= end - p - 2)
        p += 2u + b[p + 1];
      r.pos = p;
      f.end = p;
    }
    add_run(j, &f);
    switch (f.no) {
      case LKATTRS_FIELD_PARTICIPANT_INFO_NAME:
      case LKATTRS_FIELD_PARTICIPANT_INFO_METADATA:
      case LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES:
        if (f.wt != 2) return wire_fail(d, LKATTRS_E_WIRE_MALFORMED, f.start);
        if (f.no != LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES) {
          view *v = f.no == LKATTRS_FIELD_PARTICIPANT_INFO_NAME ? &j->cur_name
                                                               : &j->cur_md;
          v->p = j->info + f.data;
          v->n = (size_t)f.v;
          v->has = true;
        }
        break;
      case LKATTRS_FIELD_PARTICIPANT_INFO_VERSION:
        if (f.wt != 0) return wire_fail(d, LKATTRS_E_WIRE_MALFORMED, f.start);
        j->version = (uint32_t)f.v;
        break;
      default: break;
    }
  }
  if (st != LKATTRS_E_NOT_FOUND) return wire_fail(d, st, bad);
  return LKATTRS_OK;
}

/* The new attributes of the fast path: the stored entries, copied in runs,
 * with the changed ones replaced, the new ones inserted and the deleted
 * ones left out (the plan of plan_splice). */
static void put_spliced(const job *j, sink *s) {
  size_t cur = j->a_start;
  for (size_t i = 0; i < j->nops; i++) {
    const splice_op *op = &j->ops[i];
    if (op->s > cur) s_bytes(s, j->info + cur, op->s - cur);
    if (op->uoff != NO_ENTRY) {
      lkattrs_entry e;
      unsigned char *q = s->p + s->n;
      if (j->dec) e = j->dec[op->uoff];
      else lkattrs__wire_entry(j->u, op->uoff, &e);
      s->n += (size_t)(lkattrs__put_entry(q, LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES, &e) - q);
    }
    cur = op->e;
  }
  if (j->a_end > cur) s_bytes(s, j->info + cur, j->a_end - cur);
}

/* The new fields of the ParticipantInfo. */
static void put_new(const job *j, sink *s, uint32_t no) {
  switch (no) {
    case LKATTRS_FIELD_PARTICIPANT_INFO_METADATA: s_field(s, no, j->md.p, j->md.n); break;
    case LKATTRS_FIELD_PARTICIPANT_INFO_NAME: s_field(s, no, j->name.p, j->name.n); break;
    case LKATTRS_FIELD_PARTICIPANT_INFO_VERSION:
      if (j->new_version) {
        s_tag(s, no, 0);
        s_varint(s, j->new_version);
      }
      break;
    default:
      if (!s->p || !j->final) {
        s->n += j->attrs_size; /* sizing: computed by the merge walk */
      } else if (j->splice) {
        put_spliced(j, s);
      } else {
        unsigned char *q = s->p + s->n, *q0 = q;
        for (size_t i = 0; i < j->final->count; i++) {
          lkattrs_entry e;
          lkattrs__entry(j->final, i, &e);
          q = lkattrs__put_entry(q, no, &e);
        }
        s->n += (size_t)(q - q0);
      }
  }
}

static bool dropped(const job *j, uint32_t no) {
  return no == LKATTRS_FIELD_PARTICIPANT_INFO_VERSION ||
         no == LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES ||
         (no == LKATTRS_FIELD_PARTICIPANT_INFO_METADATA && j->md_changed) ||
         (no == LKATTRS_FIELD_PARTICIPANT_INFO_NAME && j->name_changed);
}

/* The new ParticipantInfo (the stored one was checked by scan_info). */
static void build_info_body(const job *j, sink *s) {
  uint32_t pend[4];
  size_t np = 0, k = 0, bad;
  lkattrs_wire_reader r;
  lkattrs__wf f;
  uint32_t unused = 1;
  if (j->md_changed) pend[np++] = LKATTRS_FIELD_PARTICIPANT_INFO_METADATA;
  if (j->name_changed) pend[np++] = LKATTRS_FIELD_PARTICIPANT_INFO_NAME;
  pend[np++] = LKATTRS_FIELD_PARTICIPANT_INFO_VERSION;
  pend[np++] = LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES;
  if (!j->runs_full) {
    for (size_t i = 0; i < j->nruns; i++) {
      const run *g = &j->runs[i];
      if (g->kind && dropped(j, g->kind)) continue;
      while (k < np && pend[k] < g->no) put_new(j, s, pend[k++]);
      s_bytes(s, j->info + g->start, g->end - g->start);
    }
    while (k < np) put_new(j, s, pend[k++]);
    return;
  }
  lkattrs__walk_init(&r, j->info, j->ilen, &unused, 1);
  while (lkattrs__walk_next(&r, 0, &f, &bad) == LKATTRS_OK) {
    if (dropped(j, f.no)) continue;
    while (k < np && pend[k] < f.no) put_new(j, s, pend[k++]);
    s_bytes(s, j->info + f.start, f.end - f.start);
  }
  while (k < np) put_new(j, s, pend[k++]);
}

/* The new ParticipantInfo, whose body is j->body_n bytes (sized first). */
static size_t build_info(const job *j, unsigned char *out) {
  sink s = {out, 0};
  size_t body = j->body_n;
  if (j->o->envelope) {
    size_t inner = lkattrs_wire_header_size(LKATTRS_FIELD_PARTICIPANT_UPDATE_PARTICIPANTS, body) + body;
    s_tag(&s, LKATTRS_FIELD_SIGNAL_RESPONSE_UPDATE, 2);
    s_varint(&s, inner);
    s_tag(&s, LKATTRS_FIELD_PARTICIPANT_UPDATE_PARTICIPANTS, 2);
    s_varint(&s, body);
  }
  if (out) build_info_body(j, &s);
  else s.n += body;
  return s.n;
}

/* The echoed request: UpdateParticipantMetadata {1 metadata, 2 name,
 * 3 entries as received, 4 request_id}. */
static void build_echo(const job *j, sink *s) {
  lkattrs_wire_reader r;
  lkattrs__wf f;
  size_t bad;
  if (j->verbatim) {
    s_bytes(s, j->u + j->echo_lo, j->echo_hi - j->echo_lo);
    return;
  }
  if (j->md.n) s_field(s, LKATTRS_FIELD_UPDATE_METADATA_METADATA, j->md.p, j->md.n);
  if (j->name.n) s_field(s, LKATTRS_FIELD_UPDATE_METADATA_NAME, j->name.p, j->name.n);
  lkattrs__walk_init(&r, j->u, j->ulen, j->prefix, j->plen);
  while (lkattrs__walk_next(&r, j->plen, &f, &bad) == LKATTRS_OK)
    if (f.no == j->f_attrs)
      s_field(s, LKATTRS_FIELD_UPDATE_METADATA_ATTRIBUTES, j->u + f.data, (size_t)f.v);
  if (j->rid) {
    s_tag(s, LKATTRS_FIELD_UPDATE_METADATA_REQUEST_ID, 0);
    s_varint(s, j->rid);
  }
}

static void build_resp_body(const job *j, int reason, const char *msg,
                            size_t mlen, sink *s) {
  if (j->rid) {
    s_tag(s, LKATTRS_FIELD_REQUEST_RESPONSE_REQUEST_ID, 0);
    s_varint(s, j->rid);
  }
  if (reason) {
    s_tag(s, LKATTRS_FIELD_REQUEST_RESPONSE_REASON, 0);
    s_varint(s, (uint64_t)(int64_t)reason);
  }
  if (mlen) s_field(s, LKATTRS_FIELD_REQUEST_RESPONSE_MESSAGE, msg, mlen);
  if (j->o->echo_request) {
    s_tag(s, LKATTRS_FIELD_REQUEST_RESPONSE_UPDATE_METADATA, 2);
    s_varint(s, j->echo_n);
    if (s->p) build_echo(j, s);
    else s->n += j->echo_n;
  }
}

static size_t build_resp(const job *j, int reason, const char *msg, size_t mlen,
                         unsigned char *out) {
  sink z = {NULL, 0}, s = {out, 0};
  build_resp_body(j, reason, msg, mlen, &z);
  if (j->o->envelope) {
    s_tag(&s, LKATTRS_FIELD_SIGNAL_RESPONSE_REQUEST_RESPONSE, 2);
    s_varint(&s, z.n);
  }
  if (out) build_resp_body(j, reason, msg, mlen, &s);
  else s.n += z.n;
  return s.n;
}

/* ---- the fast path: splicing the stored attributes ----
 *
 * The stored ParticipantInfo normally holds the map's entries as our writer
 * wrote them: one entry per key, in key order, each {1: key, 2: value}
 * with minimal lengths.  Then the new attributes field is the stored one
 * with the k changed entries replaced, inserted or left out, and the n - k
 * others copied as byte runs instead of encoded again: one walk over the
 * stored entries (a few loads and compares each, no key decoded twice),
 * merged with the sorted update.  The walk also checks that the stored
 * field is in that canonical form, that it holds as many entries and
 * key+value bytes as the map, and that it makes the same changes as the
 * map's plan; if any check fails (another encoder's order or encoding, a
 * second attributes run, more than MAX_OPS changes), the map is encoded in
 * full as before.  The bytes are the same either way. */

/* Big-endian first 8 bytes of a key, zero-padded: when two prefixes
 * differ they order the keys as lkattrs__keycmp() does. */
static uint64_t prefix8(const unsigned char *k, size_t len) {
  uint64_t v = 0;
  if (len >= 8) {
    memcpy(&v, k, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap64(v);
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return v;
#else
    v = 0;
#endif
  }
  for (size_t i = 0; i < 8; i++) v = v << 8 | (i < len ? k[i] : 0u);
  return v;
}

static int keycmp8(uint64_t pa, const unsigned char *a, size_t alen, uint64_t pb,
                   const unsigned char *b, size_t blen) {
  if (pa != pb) return pa < pb ? -1 : 1;
  return lkattrs__keycmp((const char *)a, alen, (const char *)b, blen);
}

/* A minimal varint at b[*p..end) that fits in 32 bits, or false. */
static bool min_varint(const unsigned char *b, size_t *p, size_t end, size_t *v) {
  uint32_t x = 0;
  for (unsigned sh = 0; sh < 32 && *p < end; sh += 7) {
    unsigned char c = b[(*p)++];
    if (sh == 28 && c > 0x0F) return false;
    x |= (uint32_t)(c & 0x7F) << sh;
    if (c < 0x80) {
      *v = x;
      return c != 0 || sh == 0; /* no trailing zero group */
    }
  }
  return false;
}

/* The canonical entry field at info[p..end), as lkattrs__put_entry() writes
 * it: tag 15/2, length, 1: key, 2: value.  Returns the end of the field
 * (0: not canonical). */
static size_t canon_entry(const unsigned char *b, size_t p, size_t end,
                          size_t *key, size_t *klen, size_t *vlen) {
  size_t len, e;
  if (p >= end || b[p++] != (LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES << 3 | 2) ||
      !min_varint(b, &p, end, &len) || len > end - p)
    return 0;
  e = p + len;
  if (p >= e || b[p++] != 0x0A || !min_varint(b, &p, e, klen) || *klen > e - p) return 0;
  *key = p;
  p += *klen;
  if (p >= e || b[p++] != 0x12 || !min_varint(b, &p, e, vlen) || *vlen != e - p) return 0;
  return e;
}

/* The id of sorted update entry k for put_spliced(): its index in dec, or
 * its offset in the wire. */
static uint32_t upd_id(const lkattrs__upd *u, size_t k) {
  return u->idx ? u->idx[k] : (uint32_t)k;
}

/* Replace info[s..e) by the update's entry y at offset uoff (NO_ENTRY:
 * by nothing). */
static bool add_op(job *j, size_t s, size_t e, uint32_t uoff,
                   const lkattrs_entry *y, size_t *size) {
  if (j->nops == MAX_OPS) return false;
  j->ops[j->nops].s = (uint32_t)s;
  j->ops[j->nops].e = (uint32_t)e;
  j->ops[j->nops].uoff = uoff;
  j->nops++;
  *size -= e - s;
  if (uoff != NO_ENTRY)
    *size = lkattrs__add(*size, lkattrs__entry_field_len(
                                    LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES,
                                    y->key_len, y->value_len));
  return true;
}

/* Plan the fast path for update u on map m (before m changes): fills
 * j->ops and j->attrs_size and returns true, or false when the stored
 * attributes cannot be spliced (then the map is encoded).  The stored field
 * is not trusted: in the same walk each stored entry is compared, key and
 * value bytes, with the map's entry at the same index (both in canonical
 * order), so it is spliced only when it is the map's encoding byte for
 * byte; a stale or foreign field falls back to the full encode.  (Equal to
 * the strictly sorted map entry by entry also means in key order with no
 * key twice.) */
static bool plan_splice(job *j, const lkattrs_map *m, const lkattrs__upd *u,
                        const lkattrs__plan *plan) {
  const unsigned char *b = j->info;
  size_t p = j->a_start, end = j->a_end, count = 0, k = 0;
  size_t size = end - p;
  uint64_t y8 = 0;
  lkattrs_entry y;
  j->nops = 0;
  if (j->a_runs > 1 || j->runs_full || end > UINT32_MAX) return false;
  if (u->n) {
    lkattrs__upd_get(u, 0, &y);
    y8 = prefix8((const unsigned char *)y.key, y.key_len);
  }
  while (p < end) {
    const unsigned char *q = b + p;
    size_t key, klen, vlen, next;
    /* One-byte tag and lengths, exactly {1: key, 2: value}: the usual
     * case, checked inline; anything else through canon_entry(). */
    if (end - p >= 6 && q[0] == (LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES << 3 | 2) &&
        q[1] < 0x80 && q[1] <= end - p - 2 && q[2] == 0x0A && q[3] + 4u <= q[1] &&
        q[4 + q[3]] == 0x12 && q[5 + q[3]] == q[1] - 4u - q[3]) {
      key = p + 4;
      klen = q[3];
      vlen = q[5 + klen];
      next = p + 2 + q[1];
    } else if (!(next = canon_entry(b, p, end, &key, &klen, &vlen))) {
      return false;
    }
    /* The map's entry at this index (its record read in place, as
     * lkattrs__entry() does): same key and value bytes, or no splice. */
    if (count == m->count) return false;
    {
      uint32_t h[2], off = m->ent[count];
      const unsigned char *mk = m->arena + off + LKATTRS__HDR;
      memcpy(h, m->arena + off, sizeof h);
      if (h[0] != klen || h[1] != vlen || memcmp(mk, b + key, klen) != 0 ||
          memcmp(mk + klen + 1, b + next - vlen, vlen) != 0)
        return false; /* stale or foreign: encode the map */
    }
    uint64_t k8 = prefix8(b + key, klen);
    /* The update's keys up to this one: insertions, then maybe this key. */
    while (k < u->n && y8 <= k8) {
      int c = keycmp8(y8, (const unsigned char *)y.key, y.key_len, k8, b + key, klen);
      if (c > 0) break;
      if (c < 0 ? y.value_len != 0
                : y.value_len != vlen || memcmp(y.value, b + next - vlen, vlen) != 0) {
        if (!add_op(j, p, c < 0 ? p : next, y.value_len ? upd_id(u, k) : NO_ENTRY, &y,
                    &size))
          return false;
      }
      if (++k < u->n) {
        lkattrs__upd_get(u, k, &y);
        y8 = prefix8((const unsigned char *)y.key, y.key_len);
      }
    }
    count++;
    p = next;
  }
  for (; k < u->n; k++) { /* after the last stored key */
    lkattrs__upd_get(u, k, &y);
    if (y.value_len && !add_op(j, end, end, upd_id(u, k), &y, &size)) return false;
  }
  /* The stored field must be the whole map, and make the plan's changes. */
  if (count != m->count || j->nops != plan->changed) return false;
  j->attrs_size = size;
  return true;
}

/* Σ encoded entries of m with u applied (plain map: "" deletes). */
static size_t merged_size(const lkattrs_map *m, const lkattrs__upd *u) {
  const uint32_t no = LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES;
  size_t total = 0, lo = 0, pos;
  lkattrs_entry x, y;
  /* The map as it is (lengths only, no key compared)... */
  for (size_t i = 0; i < m->count; i++) {
    lkattrs__entry(m, i, &x);
    total = lkattrs__add(total, lkattrs__entry_field_len(no, x.key_len, x.value_len));
  }
  /* ...then each updated key (sorted, no duplicates): out with the old
   * entry, in with the new one. */
  for (size_t k = 0; k < u->n; k++) {
    lkattrs__upd_get(u, k, &y);
    if (lkattrs__find(m, y.key, y.key_len, lo, m->count, &pos)) {
      lkattrs__entry(m, pos, &x);
      total -= lkattrs__entry_field_len(no, x.key_len, x.value_len);
      lo = pos + 1;
    } else {
      lo = pos;
    }
    if (y.value_len)
      total = lkattrs__add(total, lkattrs__entry_field_len(no, y.key_len, y.value_len));
  }
  return total;
}

/* Sizes of the outputs of a successful update; BUFFER_TOO_SMALL when a
 * wanted output does not fit. */
static lkattrs_status size_outputs(job *j, bool any_change) {
  lkattrs_update_result *res = j->res;
  j->new_version = any_change ? j->version + 1u : j->version;
  if (any_change) {
    sink z = {NULL, 0};
    build_info_body(j, &z);
    j->body_n = z.n;
  }
  res->info_needed = any_change ? build_info(j, NULL) : 0;
  res->resp_needed = build_resp(j, LKATTRS_REASON_OK, NULL, 0, NULL);
  if ((j->b->info && res->info_needed > j->b->info_cap) ||
      (j->b->resp && res->resp_needed > j->b->resp_cap))
    return LKATTRS_E_BUFFER_TOO_SMALL;
  return LKATTRS_OK;
}

static lkattrs_status precommit(void *ctx, const lkattrs_map *m,
                                const lkattrs__upd *u, const lkattrs__plan *p) {
  job *j = ctx;
  j->splice = plan_splice(j, m, u, p);
  if (!j->splice) j->attrs_size = merged_size(m, u);
  j->res->attrs_changed = p->changed;
  return size_outputs(j, p->changed || j->name_changed || j->md_changed);
}

static bool is_refusal(lkattrs_status st) {
  switch (st) {
    case LKATTRS_E_NOT_ALLOWED:
    case LKATTRS_E_RESERVED_NAME:
    case LKATTRS_E_KEY_EMPTY:
    case LKATTRS_E_KEY_TOO_LONG:
    case LKATTRS_E_VALUE_TOO_LONG:
    case LKATTRS_E_UTF8:
    case LKATTRS_E_NUL:
    case LKATTRS_E_CONTROL_CHAR:
    case LKATTRS_E_TOO_LARGE:
    case LKATTRS_E_TOO_MANY_ENTRIES:
    case LKATTRS_E_NOSPACE: return true;
    default: return false;
  }
}

/* Answer a refusal: only the RequestResponse. */
static lkattrs_status refuse(job *j, lkattrs_status st, const char *msg) {
  lkattrs_update_result *res = j->res;
  if (!msg) msg = st == LKATTRS_E_NOT_ALLOWED ? MSG_NOT_ALLOWED
                  : st == LKATTRS_E_TOO_LARGE ? MSG_ATTRIBUTES
                                              : lkattrs_strerror(st);
  size_t mlen = strlen(msg);
  res->refused = true;
  res->respond = true;
  res->reason = lkattrs_status_to_reason(st);
  res->attrs_changed = 0;
  res->info_needed = 0;
  res->resp_needed = build_resp(j, res->reason, msg, mlen, NULL);
  if (j->b->resp) {
    if (res->resp_needed > j->b->resp_cap) return LKATTRS_E_BUFFER_TOO_SMALL;
    res->resp_len = build_resp(j, res->reason, msg, mlen, j->b->resp);
  }
  return st;
}

lkattrs_status lkattrs_update_apply(lkattrs_map *attrs, const void *info,
                                   size_t info_len, const void *update,
                                   size_t update_len, lkattrs_update_kind kind,
                                   const lkattrs_update_opts *opts,
                                   const lkattrs_update_buffers *buffers,
                                   lkattrs_update_result *res,
                                   lkattrs_error_detail *detail) {
  static const lkattrs_update_opts defaults = LKATTRS_UPDATE_OPTS_INIT;
  job j;
  lkattrs_entry dec[MAX_DECODED];
  lkattrs_status st;
  uint32_t *idx = NULL;
  bool own_idx = false;
  lkattrs__ok(detail);
  if (res) memset(res, 0, sizeof *res);
  if (!opts) opts = &defaults;
  if (!attrs || !res || !buffers || (!info && info_len) || (!update && update_len) ||
      update_len > 0xFFFFFFFFu || (lkattrs_map_flags(attrs) & LKATTRS_MAP_UPDATE) ||
      (unsigned)opts->merge.origin > LKATTRS_ORIGIN_TRUSTED ||
      (!buffers->info && buffers->info_cap) || (!buffers->resp && buffers->resp_cap) ||
      (unsigned)kind > LKATTRS_UPDATE_PARTICIPANT_REQUEST)
    return wire_fail(detail, LKATTRS_E_INVALID_ARGUMENT, 0);
  memset(&j, 0, sizeof j);
  j.u = update;
  j.ulen = update_len;
  j.info = info;
  j.ilen = info_len;
  j.o = opts;
  j.b = buffers;
  j.res = res;
  j.dec = dec;
  if (kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST) {
    j.f_md = LKATTRS_FIELD_UPDATE_PARTICIPANT_METADATA;
    j.f_name = LKATTRS_FIELD_UPDATE_PARTICIPANT_NAME;
    j.f_attrs = LKATTRS_FIELD_UPDATE_PARTICIPANT_ATTRIBUTES;
  } else {
    j.f_md = LKATTRS_FIELD_UPDATE_METADATA_METADATA;
    j.f_name = LKATTRS_FIELD_UPDATE_METADATA_NAME;
    j.f_attrs = LKATTRS_FIELD_UPDATE_METADATA_ATTRIBUTES;
    j.f_rid = LKATTRS_FIELD_UPDATE_METADATA_REQUEST_ID;
  }
  if (kind == LKATTRS_UPDATE_SIGNAL_REQUEST) {
    lkattrs_wire_field fld;
    j.prefix[0] = LKATTRS_FIELD_SIGNAL_REQUEST_UPDATE_METADATA;
    j.plen = 1;
    st = lkattrs_wire_find(update, update_len, j.prefix, 1, &fld, detail);
    if (st) return st;
  }

  /* The messages: structure first (a malformed one is dropped). */
  if ((st = scan_update(&j, opts->scratch, opts->scratch ? opts->scratch_cap : 0, true,
                        detail)) != LKATTRS_OK)
    return st;
  if (j.n > MAX_DECODED) j.dec = NULL;
  if (opts->echo_request) {
    sink z = {NULL, 0};
    build_echo(&j, &z);
    j.echo_n = z.n;
  }
  res->request_id = j.rid;
  if ((st = scan_info(&j, detail)) != LKATTRS_OK) return st;
  res->version = j.version;
  res->respond = opts->merge.origin <= LKATTRS_ORIGIN_AGENT || j.rid != 0;

  /* Permission, then name and metadata, as LiveKit. */
  if (opts->merge.origin <= LKATTRS_ORIGIN_AGENT && !opts->merge.can_update_metadata) {
    (void)lkattrs__fail(detail, LKATTRS_E_NOT_ALLOWED, NULL, 0, LKATTRS_NO_INDEX,
                        0, false, LKATTRS__MSG("sender lacks can_update_metadata"));
    return refuse(&j, LKATTRS_E_NOT_ALLOWED, NULL);
  }
  for (int part = 0; part < 2; part++) {
    const view *v = part ? &j.md : &j.name;
    size_t max = part ? opts->max_metadata_bytes : opts->max_name_bytes, bad = 0;
    st = lkattrs__check_text((const char *)v->p, v->n, false, &bad);
    if (st) {
      (void)lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX,
                          (size_t)(v->p - j.u) + bad, true, NULL);
      return refuse(&j, st, NULL);
    }
    if (max && v->n > max) {
      (void)lkattrs__fail(detail, LKATTRS_E_TOO_LARGE, NULL, 0, LKATTRS_NO_INDEX,
                          v->n, true, NULL);
      return refuse(&j, LKATTRS_E_TOO_LARGE, part ? MSG_METADATA : MSG_NAME);
    }
  }
  j.name_changed = j.name.n && !same(j.name, j.cur_name);
  j.md_changed = j.md.n && !same(j.md, j.cur_md);

  /* The sort index. */
  if (j.n && opts->scratch) {
    if (opts->scratch_cap < j.n) {
      (void)lkattrs__fail(detail, LKATTRS_E_NOSPACE, NULL, 0, LKATTRS_NO_INDEX,
                          j.n, false, NULL);
      return refuse(&j, LKATTRS_E_NOSPACE, NULL);
    }
    idx = opts->scratch; /* filled by the scan above */
  } else if (j.n) {
    st = lkattrs__scratch(attrs, j.n, &idx);
    if (st == LKATTRS_E_NOSPACE) {
      (void)lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, j.n, false, NULL);
      return refuse(&j, st, NULL);
    }
    if (st) return wire_fail(detail, st, 0);
    own_idx = true;
  }
  if (own_idx && !j.dec) (void)scan_update(&j, idx, j.n, false, NULL);

  /* Merge; the outputs are sized (and checked) before the map changes. */
  if (j.dec)
    st = lkattrs__merge_entries(attrs, dec, idx, j.n, &opts->merge, precommit, &j, detail);
  else
    st = lkattrs__merge_wire(attrs, j.u, idx, j.n, &opts->merge, precommit, &j, NULL,
                             detail);
  if (own_idx) lkattrs__scratch_free(attrs, idx, j.n);
  if (st) {
    if (st == LKATTRS_E_BUFFER_TOO_SMALL)
      (void)wire_fail(detail, st, 0);
    return is_refusal(st) ? refuse(&j, st, NULL) : st;
  }

  /* Write. */
  res->changed = res->attrs_changed || j.name_changed || j.md_changed;
  res->name_changed = j.name_changed;
  res->metadata_changed = j.md_changed;
  res->version = j.new_version;
  res->reason = LKATTRS_REASON_OK;
  j.final = attrs;
  if (res->changed && buffers->info) res->info_len = build_info(&j, buffers->info);
  if (buffers->resp) res->resp_len = build_resp(&j, LKATTRS_REASON_OK, NULL, 0, buffers->resp);
  return LKATTRS_OK;
}

lkattrs_status lkattrs_update_write_response(uint32_t request_id, int reason,
                                            const char *message,
                                            size_t message_len, bool envelope,
                                            void *out, size_t cap,
                                            size_t *written) {
  job j;
  lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
  if (written) *written = 0;
  if (!written || (!message && message_len) || (!out && cap) || reason < 0)
    return LKATTRS_E_INVALID_ARGUMENT;
  memset(&j, 0, sizeof j);
  o.echo_request = false;
  o.envelope = envelope;
  j.o = &o;
  j.rid = request_id;
  size_t need = build_resp(&j, reason, message, message_len, NULL);
  *written = need;
  if (need > cap) return LKATTRS_E_BUFFER_TOO_SMALL;
  (void)build_resp(&j, reason, message, message_len, out);
  return LKATTRS_OK;
}
