/* update_apply.c - an update applied to a participant state: scan, the
 * rules, the plan against the index (O(k log n)), one pass that writes the
 * new info (unchanged entries copied as runs), the response. */
#include <string.h>

#include "../rules/rules.h"
#include "state.h"
#include "update.h"

/* The splice: the current entries with the planned ops applied.  Op t is
 * update entry p->dec[p->sidx[t]] at index position chg[t].at (before
 * the write; replaced by the new position), replacing entry chg[t].old
 * when that is not NONE. */
typedef struct {
  size_t nops;
} splice_ctx;

static unsigned char *splice_attrs(void *ctx, lkattrs_participant *p, unsigned next,
                                   unsigned char *at) {
  const splice_ctx *c = ctx;
  unsigned cur = p->cur;
  const unsigned char *a = info_of(p, cur) + p->off[cur][P_SEG2];
  const uint32_t *in = p->idx[cur];
  uint32_t *out = p->idx[next];
  const uint64_t *pin = p->pre[cur];
  uint64_t *pout = p->pre[next];
  size_t n = p->n[cur], i = 0, w = 0;
  unsigned char *o = at;
  for (size_t t = 0; t <= c->nops; t++) {
    size_t upto = t < c->nops ? p->chg[t].at : n;
    if (upto > i) { /* a run of unchanged entries */
      size_t run = in[upto] - in[i];
      uint32_t delta = (uint32_t)(o - at) - in[i];
      memcpy(o, a + in[i], run);
      uint32_t *dst = out + w;
      const uint32_t *src = in + i;
      uint64_t *pdst = pout + w;
      const uint64_t *psrc = pin + i;
      for (size_t q = 0, cnt = upto - i; q < cnt; q++) {
        dst[q] = src[q] + delta;
        pdst[q] = psrc[q];
      }
      w += upto - i;
      o += run;
      i = upto;
    }
    if (t == c->nops) break;
    const lkattrs_entry *e = &p->dec[p->sidx[p->chg[t].upd]];
    if (p->chg[t].old != NONE) i++;
    if (e->value_len) {
      out[w] = (uint32_t)(o - at);
      pout[w] = key_prefix(e->key, e->key_len);
      p->chg[t].at = (uint32_t)w++;
      o = put_entry(o, e);
    } else {
      p->chg[t].at = NONE;
    }
  }
  out[w] = (uint32_t)(o - at);
  p->n[next] = w;
  return o;
}

lkattrs_status lkattrs_participant_apply(lkattrs_participant *p, const void *update,
                                         size_t len, lkattrs_update_kind kind,
                                         const lkattrs_rules *rules,
                                         const lkattrs_response_buf *resp,
                                         lkattrs_update_result *res,
                                         lkattrs_error_detail *detail) {
  static const lkattrs_rules defaults = LKATTRS_RULES_INIT;
  lkattrs__update_scan s;
  lkattrs_status st;
  lkattrs__ok(detail);
  if (res) memset(res, 0, sizeof *res);
  if (p) p->nchg = 0; /* the changes of this call, none so far */
  if (!rules) rules = &defaults;
  if (!p || !res || (!update && len) || !rules_ok(rules) ||
      (unsigned)kind > LKATTRS_UPDATE_PARTICIPANT_REQUEST || len > 0xFFFFFFF0u ||
      (resp && resp->data && resp->cap < LKATTRS_RESPONSE_MIN_BYTES))
    return lkattrs__fail_at(detail, LKATTRS_E_INVALID_ARGUMENT, 0);
  res->version = p->version;
  memset(&s, 0, sizeof s);
  s.u = update ? update : (const void *)"";
  s.len = len;
  if (kind == LKATTRS_UPDATE_PARTICIPANT_REQUEST) {
    s.f_md = LKATTRS_FIELD_UPDATE_PARTICIPANT_METADATA;
    s.f_name = LKATTRS_FIELD_UPDATE_PARTICIPANT_NAME;
    s.f_attrs = LKATTRS_FIELD_UPDATE_PARTICIPANT_ATTRIBUTES;
  } else {
    s.f_md = LKATTRS_FIELD_UPDATE_METADATA_METADATA;
    s.f_name = LKATTRS_FIELD_UPDATE_METADATA_NAME;
    s.f_attrs = LKATTRS_FIELD_UPDATE_METADATA_ATTRIBUTES;
    s.f_rid = LKATTRS_FIELD_UPDATE_METADATA_REQUEST_ID;
    s.verbatim = true;
    s.echo_len = len;
  }
  if (kind == LKATTRS_UPDATE_SIGNAL_REQUEST) {
    s.signal = true;
    if ((st = lkattrs__scan_signal(&s, detail)) != LKATTRS_OK) return st;
  }

  /* The structure (a malformed message is dropped) and the entries,
   * decoded once into the scratch; a second pass only when the scratch
   * had to grow. */
  if ((st = lkattrs__scan_update(&s, p->dec, p->scap, detail)) != LKATTRS_OK) return st;
  res->request_id = s.rid;
  res->respond = rules->origin <= LKATTRS_ORIGIN_AGENT || s.rid != 0;
  /* A scratch too small (a larger update than ever before) grows now; a
   * failure waits until the refusals that need no memory are answered. */
  lkattrs_status room = LKATTRS_OK;
  if (s.n > p->scap || s.n > p->chg_cap) {
    room = lkattrs__state_room_scratch(p, s.n, s.n);
    if (room == LKATTRS_OK) (void)lkattrs__scan_update(&s, p->dec, p->scap, NULL);
  }

  /* Permission, then name and metadata, as LiveKit. */
  const lkattrs_limits *lim = lkattrs__limits_or_default(rules->limits);
  lkattrs__policy pol = {rules->origin, rules->can_update_metadata,
                         rules->skip_namespace_rules, lim};
  if ((st = lkattrs__check_sender(&pol, detail)) != LKATTRS_OK)
    return lkattrs__refuse(&s, resp, st, NULL, res);
  for (int part = 0; part < 2; part++) {
    const char *t = part ? s.md : s.name;
    size_t tl = part ? s.md_len : s.name_len, at = part ? s.md_at : s.name_at, bad = 0;
    size_t max = part ? rules->max_metadata_bytes : rules->max_name_bytes;
    if ((st = lkattrs__check_text(t, tl, false, &bad)) != LKATTRS_OK) {
      (void)lkattrs__fail(detail, st, NULL, 0, LKATTRS_NO_INDEX, at + bad, true, NULL);
      return lkattrs__refuse(&s, resp, st, NULL, res);
    }
    if (max && tl > max) {
      (void)lkattrs__fail(detail, LKATTRS_E_TOO_LARGE, NULL, 0, LKATTRS_NO_INDEX, tl, true,
                          NULL);
      return lkattrs__refuse(&s, resp, LKATTRS_E_TOO_LARGE, part ? LKATTRS__MSG_METADATA : LKATTRS__MSG_NAME, res);
    }
  }
  if (room == LKATTRS_E_NOMEM) return lkattrs__fail_at(detail, room, 0);
  if (room != LKATTRS_OK) {
    (void)lkattrs__fail(detail, LKATTRS_E_NOSPACE, NULL, 0, LKATTRS_NO_INDEX, s.n, false,
                        LKATTRS__MSG("more update entries than the state's capacity"));
    return lkattrs__refuse(&s, resp, LKATTRS_E_NOSPACE, NULL, res);
  }

  /* Every entry, in wire order; then the plan, O(k log n). */
  lkattrs__sorted raw = {p->dec, NULL, NULL, s.n};
  if ((st = lkattrs__check_entries(&raw, 0, &pol, detail)) != LKATTRS_OK)
    return lkattrs__refuse(&s, resp, st, NULL, res);
  lkattrs__sorted u = {p->dec, p->sidx, NULL, lkattrs__sort_dedup(p->dec, p->sidx, s.n)};
  lkattrs__store store;
  lkattrs__plan plan;
  lkattrs__state_store(p, &store);
  (void)lkattrs__plan_update(&store, &u, &plan, p->chg, NULL, NULL); /* always storable */
  if ((st = lkattrs__check_limits(&plan, lim, true, detail)) != LKATTRS_OK)
    return lkattrs__refuse(&s, resp, st, NULL, res);
  size_t nops = plan.changed, count = plan.edit.count, live = plan.edit.live;
  size_t attrs_len = p->idx[p->cur][p->n[p->cur]] - plan.edit.dead_rec + plan.edit.new_rec;

  lkattrs__state_plan pl;
  memset(&pl, 0, sizeof pl);
  lkattrs__state_cur_text(p, P_MD, &pl.md, &pl.md_len);
  lkattrs__state_cur_text(p, P_NAME, &pl.name, &pl.name_len);
  res->metadata_changed = s.md_len && !same_text(s.md, s.md_len, pl.md, pl.md_len);
  res->name_changed = s.name_len && !same_text(s.name, s.name_len, pl.name, pl.name_len);
  res->attrs_changed = nops;
  res->changed = nops || res->metadata_changed || res->name_changed;
  if (res->changed) {
    if (res->metadata_changed) {
      pl.md = s.md;
      pl.md_len = s.md_len;
    }
    if (res->name_changed) {
      pl.name = s.name;
      pl.name_len = s.name_len;
    }
    pl.version = p->version + 1u;
    pl.attrs_len = attrs_len;
    pl.count = count;
    if ((st = lkattrs__state_plan_room(p, &pl, detail)) != LKATTRS_OK) {
      if (st == LKATTRS_E_NOSPACE) {
        res->changed = res->name_changed = res->metadata_changed = false;
        res->attrs_changed = 0;
        return lkattrs__refuse(&s, resp, st, NULL, res);
      }
      memset(res, 0, sizeof *res);
      res->version = p->version;
      return st;
    }
    splice_ctx c = {nops};
    p->live = live;
    p->nchg = nops;
    lkattrs__state_emit(p, &pl, splice_attrs, &c);
    res->version = p->version;
  }
  res->reason = LKATTRS_REASON_OK;
  lkattrs__respond(&s, resp, LKATTRS_REASON_OK, NULL, res);
  return LKATTRS_OK;
}

