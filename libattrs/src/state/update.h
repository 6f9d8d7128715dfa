/*
 * update.h - an update applied to a participant state, in three steps:
 * scan (update_scan.c: structure, fields, entries), apply (update_apply.c:
 * rules, plan, one-pass write) and response (update_response.c: the
 * RequestResponse and its echo).  Never installed; every non-static name
 * is prefixed lkattrs__.
 */
#ifndef LKATTRS_UPDATE_H
#define LKATTRS_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lkattrs/participant.h"
#include "../wire/prim.h"

/* An update being applied. */
typedef struct {
  const unsigned char *u;
  size_t len;
  bool signal;   /* the fields are inside SignalRequest.update_metadata */
  size_t from;   /* signal: the parts of field 15 from this offset on */
  uint32_t f_md, f_name, f_attrs, f_rid;
  const char *md, *name;
  size_t md_len, name_len, md_at, name_at;
  bool has_md, has_name;
  uint32_t rid;
  size_t n;        /* raw entries */
  size_t echo_len; /* bytes of the echoed UpdateParticipantMetadata */
  /* The echo is the received UpdateParticipantMetadata as it is (its parts
   * in a SignalRequest, concatenated: protobuf's merge), except for an
   * UpdateParticipantRequest, whose fields are renumbered. */
  bool verbatim;
} lkattrs__update_scan;

/* The fields of the update message, one by one (inside the parts of field
 * 15 after `from` for a SignalRequest). */
typedef struct {
  const lkattrs__update_scan *s;
  size_t outer, pos, end;
} lkattrs__field_it;

void lkattrs__fit_init(lkattrs__field_it *it, const lkattrs__update_scan *s);
lkattrs_status lkattrs__fit_next(lkattrs__field_it *it, lkattrs__wf *w);

/* Walk the update: its structure, fields, entries (decoded into
 * dec[0..cap), counted beyond), the size of its echo.  Wire errors. */
lkattrs_status lkattrs__scan_update(lkattrs__update_scan *s, lkattrs_entry *dec, size_t cap,
                                    lkattrs_error_detail *d);

/* A SignalRequest: the top level checked, its arm (the last of its oneof's
 * fields; an unknown field switches none) must be update_metadata (else
 * NOT_FOUND); s->from is set to where the parts that count start. */
lkattrs_status lkattrs__scan_signal(lkattrs__update_scan *s, lkattrs_error_detail *d);

/* A RequestResponse {request_id, reason, message, echo}, wrapped in
 * SignalResponse.request_response when envelope; out NULL: its size. */
size_t lkattrs__put_response(const lkattrs__update_scan *s, uint32_t rid, int reason,
                             const char *msg, size_t mlen, bool echo, bool envelope,
                             unsigned char *out);

/* Write the response for reason/msg into rb (when wanted), without the
 * echo when it does not fit (res->echo_dropped); res->resp_len. */
void lkattrs__respond(const lkattrs__update_scan *s, const lkattrs_response_buf *rb,
                      int reason, const char *msg, lkattrs_update_result *res);

/* Answer a refusal st (msg NULL: LiveKit's text for it, else ours) and
 * return st. */
lkattrs_status lkattrs__refuse(const lkattrs__update_scan *s, const lkattrs_response_buf *rb,
                               lkattrs_status st, const char *msg, lkattrs_update_result *res);

/* LiveKit's messages for the name and metadata limits. */
#define LKATTRS__MSG_NAME "exceeds name length limit"
#define LKATTRS__MSG_METADATA "exceeds metadata size limit"

#endif /* LKATTRS_UPDATE_H */
