/*
 * fuzz_lkproto_encode.c - `lkproto encode`: the proto3 JSON reader
 * (jansson, then tools/lkproto/json_in.c) on hostile documents, for any
 * message type.
 *
 * Input: one or three bytes pick the type (lkproto_pick.h), the rest is the
 * JSON text.  Properties: no crash, leak or hang (deep nesting, huge
 * numbers, duplicate keys included); when the encoder accepts, the strict
 * decoder accepts its output, its JSON is accepted again, and that
 * encodes to a message that decodes to the same JSON (encode -> decode ->
 * encode -> decode is stable).
 */
#include "lkproto_pick.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  const ProtobufCMessageDescriptor *d = lkproto_pick(&in);
  size_t n;
  const uint8_t *p = fz_rest(&in, &n);
  lk_err e;
  lk_buf b1 = {0};
  if (!lk_json_encode(d, (const char *)p, n, &b1, &e)) {
    lk_buf_free(&b1);
    return 0;
  }
  const unsigned char *bp = (const unsigned char *)(b1.data ? b1.data : "");
  lk_msg *m = lk_wire_decode(d, bp, 0, b1.len, 0, 0, &e);
  if (!m) {
    fprintf(stderr, "decoder refused the encoder's output: %s\n", e.msg);
    FUZZ_CHECK(0);
  }
  lk_buf j = {0};
  int ok = lk_json_write(&j, m, bp, &e);
  lk_msg_free(m);
  if (ok) {
    lk_buf b2 = {0};
    if (!lk_json_encode(d, j.data, j.len, &b2, &e)) {
      fprintf(stderr, "encoder refused the decoder's JSON: %s\n%.*s\n", e.msg, (int)j.len,
              j.data);
      FUZZ_CHECK(0);
    }
    lk_msg *m2 = lk_wire_decode(d, (const unsigned char *)(b2.data ? b2.data : ""), 0, b2.len,
                                0, 0, &e);
    FUZZ_CHECK(m2 != NULL);
    lk_buf j2 = {0};
    FUZZ_CHECK(lk_json_write(&j2, m2, (const unsigned char *)(b2.data ? b2.data : ""), &e));
    lk_msg_free(m2);
    FUZZ_CHECK(j.len == j2.len && memcmp(j.data, j2.data, j.len) == 0);
    lk_buf_free(&j2);
    lk_buf_free(&b2);
  }
  lk_buf_free(&j);
  lk_buf_free(&b1);
  return 0;
}
