/* update_response.c - the last step of an update: the RequestResponse for
 * the sender, with the echo of its request when it fits. */
#include <string.h>

#include "../rules/rules.h"
#include "update.h"

/* LiveKit's RequestResponse messages (protocol text: kept with
 * LKATTRS_NO_ERRMSG too). */
#define MSG_NOT_ALLOWED "does not have permission to update own metadata"
#define MSG_ATTRIBUTES "exceeds attributes size limit"
#define MSG_MAX 127u

/* The echo: the UpdateParticipantMetadata as received (its parts, from a
 * SignalRequest), or an UpdateParticipantRequest renumbered into one
 * {1 metadata, 2 name, 3 entries as received} (it has no request_id). */
static unsigned char *put_echo(const lkattrs__update_scan *s, unsigned char *o) {
  lkattrs__field_it it;
  lkattrs__wf w = {0, 0, 0, 0, 0, 0};
  if (s->verbatim && !s->signal) { /* the message itself */
    if (s->len) memcpy(o, s->u, s->len);
    return o + s->len;
  }
  if (s->verbatim) { /* its parts */
    for (size_t pos = s->from; pos < s->len; pos = w.end) {
      (void)lkattrs__wf_read(s->u, pos, s->len, true, &w); /* checked */
      if (w.no != LKATTRS_FIELD_SIGNAL_REQUEST_UPDATE_METADATA) continue; /* unknown */
      if (w.v) memcpy(o, s->u + w.data, (size_t)w.v);
      o += w.v;
    }
    return o;
  }
  if (s->md_len) o = lkattrs__put_ld(o, LKATTRS_FIELD_UPDATE_METADATA_METADATA, s->md, s->md_len);
  if (s->name_len) o = lkattrs__put_ld(o, LKATTRS_FIELD_UPDATE_METADATA_NAME, s->name, s->name_len);
  lkattrs__fit_init(&it, s);
  while (lkattrs__fit_next(&it, &w) == LKATTRS_OK)
    if (w.no == s->f_attrs)
      o = lkattrs__put_ld(o, LKATTRS_FIELD_UPDATE_METADATA_ATTRIBUTES, s->u + w.data, (size_t)w.v);
  return o;
}

/* A RequestResponse; out NULL: only its size. */
size_t lkattrs__put_response(const lkattrs__update_scan *s, uint32_t rid, int reason, const char *msg,
                           size_t mlen, bool echo, bool envelope, unsigned char *out) {
  size_t body = 0;
  if (rid) body += 1 + lkattrs__varint_len(rid);
  if (reason) body += 1 + lkattrs__varint_len((uint64_t)(int64_t)reason);
  if (mlen) body = lkattrs__add(body, lkattrs__ld_len(LKATTRS_FIELD_REQUEST_RESPONSE_MESSAGE, mlen));
  if (echo)
    body = lkattrs__add(body, lkattrs__ld_len(LKATTRS_FIELD_REQUEST_RESPONSE_UPDATE_METADATA,
                                              s->echo_len));
  size_t total = envelope ? lkattrs__ld_len(LKATTRS_FIELD_SIGNAL_RESPONSE_REQUEST_RESPONSE, body) : body;
  if (!out) return total;
  unsigned char *o = out;
  if (envelope) {
    o = lkattrs__put_varint(o, LKATTRS_FIELD_SIGNAL_RESPONSE_REQUEST_RESPONSE << 3 | 2u);
    o = lkattrs__put_varint(o, body);
  }
  if (rid) {
    *o++ = LKATTRS_FIELD_REQUEST_RESPONSE_REQUEST_ID << 3;
    o = lkattrs__put_varint(o, rid);
  }
  if (reason) {
    *o++ = LKATTRS_FIELD_REQUEST_RESPONSE_REASON << 3;
    o = lkattrs__put_varint(o, (uint64_t)(int64_t)reason);
  }
  if (mlen) o = lkattrs__put_ld(o, LKATTRS_FIELD_REQUEST_RESPONSE_MESSAGE, msg, mlen);
  if (echo) {
    o = lkattrs__put_varint(o, LKATTRS_FIELD_REQUEST_RESPONSE_UPDATE_METADATA << 3 | 2u);
    o = lkattrs__put_varint(o, s->echo_len);
    o = put_echo(s, o);
  }
  return (size_t)(o - out);
}

/* Write the response for reason/msg into resp (when wanted). */
void lkattrs__respond(const lkattrs__update_scan *s, const lkattrs_response_buf *rb, int reason,
                    const char *msg, lkattrs_update_result *res) {
  if (!rb || !rb->data) return;
  size_t mlen = msg ? strlen(msg) : 0;
  if (mlen > MSG_MAX) mlen = MSG_MAX;
  bool echo = rb->echo;
  if (echo && lkattrs__put_response(s, s->rid, reason, msg, mlen, true, rb->envelope, NULL) > rb->cap) {
    echo = false;
    res->echo_dropped = true;
  }
  res->resp_len = lkattrs__put_response(s, s->rid, reason, msg, mlen, echo, rb->envelope, rb->data);
}

lkattrs_status lkattrs__refuse(const lkattrs__update_scan *s, const lkattrs_response_buf *rb,
                             lkattrs_status st, const char *msg, lkattrs_update_result *res) {
  if (!msg)
    msg = st == LKATTRS_E_NOT_ALLOWED ? MSG_NOT_ALLOWED
          : st == LKATTRS_E_TOO_LARGE ? MSG_ATTRIBUTES
                                      : lkattrs_strerror(st);
  res->refused = true;
  res->respond = true;
  res->reason = lkattrs_status_to_reason(st);
  lkattrs__respond(s, rb, res->reason, msg, res);
  return st;
}

size_t lkattrs_response_max_bytes(size_t update_len) {
  return lkattrs__add(LKATTRS_RESPONSE_MIN_BYTES + 16u, update_len);
}

lkattrs_status lkattrs_write_response(uint32_t request_id, int reason, const char *message,
                                      size_t message_len, bool envelope, void *out,
                                      size_t cap, size_t *written) {
  lkattrs__update_scan s;
  if (written) *written = 0;
  if (!written || (!message && message_len) || (!out && cap) || reason < 0)
    return LKATTRS_E_INVALID_ARGUMENT;
  memset(&s, 0, sizeof s);
  size_t need = lkattrs__put_response(&s, request_id, reason, message, message_len, false, envelope,
                             NULL);
  *written = need;
  if (need > cap) return LKATTRS_E_BUFFER_TOO_SMALL;
  (void)lkattrs__put_response(&s, request_id, reason, message, message_len, false, envelope, out);
  return LKATTRS_OK;
}

