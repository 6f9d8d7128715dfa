/* update_scan.c - the first step of an update: the message's structure,
 * its fields and entries, found without copying. */
#include <string.h>

#include "../rules/rules.h"
#include "update.h"

void lkattrs__fit_init(lkattrs__field_it *it, const lkattrs__update_scan *s) {
  it->s = s;
  it->outer = s->from;
  it->pos = it->end = 0;
  if (!s->signal) it->end = s->len;
}

lkattrs_status lkattrs__fit_next(lkattrs__field_it *it, lkattrs__wf *w) {
  const lkattrs__update_scan *s = it->s;
  while (it->pos >= it->end) {
    if (!s->signal || it->outer >= s->len) return LKATTRS_E_NOT_FOUND;
    (void)lkattrs__wf_read(s->u, it->outer, s->len, true, w); /* checked */
    it->outer = w->end;
    if (w->no == LKATTRS_FIELD_SIGNAL_REQUEST_UPDATE_METADATA) {
      it->pos = w->data;
      it->end = w->end;
    }
  }
  lkattrs_status st = lkattrs__wf_read(s->u, it->pos, it->end, !s->signal, w);
  if (st == LKATTRS_OK) it->pos = w->end;
  return st;
}

/* Structure, fields, entries (decoded into dec[0..cap)). */
lkattrs_status lkattrs__scan_update(lkattrs__update_scan *s, lkattrs_entry *dec, size_t cap,
                                  lkattrs_error_detail *d) {
  lkattrs__field_it it;
  lkattrs__wf w = {0, 0, 0, 0, 0, 0};
  lkattrs_status st;
  lkattrs__fit_init(&it, s);
  s->n = 0;
  if (!s->verbatim) s->echo_len = 0;
  while ((st = lkattrs__fit_next(&it, &w)) == LKATTRS_OK) {
    if (w.no == s->f_attrs) {
      lkattrs_entry e;
      size_t bad = 0;
      if (w.wt != 2) return lkattrs__fail_at(d, LKATTRS_E_WIRE_MALFORMED, w.start);
      if (lkattrs__entry_decode(s->u + w.data, (size_t)w.v, &e, &bad))
        return lkattrs__fail(d, LKATTRS_E_WIRE_MALFORMED, NULL, 0, s->n, w.data + bad, false,
                             NULL);
      if (dec && s->n < cap) dec[s->n] = e;
      s->n++;
      if (!s->verbatim)
        s->echo_len += lkattrs__ld_len(LKATTRS_FIELD_UPDATE_METADATA_ATTRIBUTES, (size_t)w.v);
    } else if (w.no == s->f_md || w.no == s->f_name) {
      if (w.wt != 2) return lkattrs__fail_at(d, LKATTRS_E_WIRE_MALFORMED, w.start);
      if (w.no == s->f_md) {
        s->md = (const char *)s->u + w.data;
        s->md_len = (size_t)w.v;
        s->md_at = w.data;
        s->has_md = true;
      } else {
        s->name = (const char *)s->u + w.data;
        s->name_len = (size_t)w.v;
        s->name_at = w.data;
        s->has_name = true;
      }
    } else if (s->f_rid && w.no == s->f_rid) {
      if (w.wt != 0) return lkattrs__fail_at(d, LKATTRS_E_WIRE_MALFORMED, w.start);
      s->rid = (uint32_t)w.v;
    }
  }
  if (st != LKATTRS_E_NOT_FOUND) return lkattrs__fail_at(d, st, w.start);
  if (s->verbatim) return LKATTRS_OK; /* echo_len: set by the caller */
  if (s->md_len) s->echo_len += lkattrs__ld_len(LKATTRS_FIELD_UPDATE_METADATA_METADATA, s->md_len);
  if (s->name_len) s->echo_len += lkattrs__ld_len(LKATTRS_FIELD_UPDATE_METADATA_NAME, s->name_len);
  return LKATTRS_OK;
}

/* A SignalRequest: the top level checked, its arm (the last field of its
 * oneof) must be update_metadata; the parts of it that count are those
 * after the last other arm. */
/* The fields of SignalRequest's oneof `message` (@livekit/protocol 1.52.1:
 * 1..23 but 9).  Another number is an unknown field: it switches no arm. */
static bool signal_arm(uint32_t no) { return no >= 1 && no <= 23 && no != 9; }

lkattrs_status lkattrs__scan_signal(lkattrs__update_scan *s, lkattrs_error_detail *d) {
  size_t pos = 0;
  uint32_t last = 0;
  s->from = 0;
  s->echo_len = 0;
  while (pos < s->len) {
    lkattrs__wf w = {0, 0, 0, 0, 0, 0};
    lkattrs_status st = lkattrs__wf_read(s->u, pos, s->len, true, &w);
    if (st) return lkattrs__fail_at(d, st, w.start);
    if (w.no == LKATTRS_FIELD_SIGNAL_REQUEST_UPDATE_METADATA) {
      if (w.wt != 2) return lkattrs__fail_at(d, LKATTRS_E_WIRE_MALFORMED, w.start);
      s->echo_len += (size_t)w.v; /* the parts, concatenated */
      last = w.no;
    } else if (signal_arm(w.no)) { /* another arm: the parts before it no longer count */
      s->from = w.end;
      s->echo_len = 0;
      last = w.no;
    }
    pos = w.end;
  }
  if (last != LKATTRS_FIELD_SIGNAL_REQUEST_UPDATE_METADATA)
    return lkattrs__fail(d, LKATTRS_E_NOT_FOUND, NULL, 0, LKATTRS_NO_INDEX, 0, false,
                         LKATTRS__MSG("the SignalRequest is not an update_metadata"));
  return LKATTRS_OK;
}

