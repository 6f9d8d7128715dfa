/*
 * fuzz_lkproto_encode.c - `lkproto encode`: the proto3 JSON reader
 * (liblkjson's lkjson_from_json_alloc(): jansson, then libjson/src/json_in.c)
 * on hostile documents, for any message type, with default options (the
 * options and the caller-buffer forms: fuzz_json.c).
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
  const char *type = lkproto_pick(&in);
  size_t n;
  const uint8_t *p = fz_rest(&in, &n);
  lkjson_error e;
  uint8_t *b1;
  size_t n1;
  lkjson_status st = lkjson_from_json_alloc(type, (const char *)p, n, NULL, &b1, &n1, &e);
  FUZZ_CHECK(st == LKJSON_OK || st == LKJSON_BAD_SYNTAX || st == LKJSON_BAD_VALUE);
  if (st != LKJSON_OK) return 0;
  char *j;
  size_t nj;
  st = lkjson_to_json_alloc(type, b1, n1, NULL, &j, &nj, &e);
  if (st == LKJSON_BAD_WIRE) {
    fprintf(stderr, "decoder refused the encoder's output: %s\n", e.message);
    FUZZ_CHECK(0);
  }
  FUZZ_CHECK(st == LKJSON_OK || st == LKJSON_NO_JSON_FORM);
  if (st == LKJSON_OK) {
    uint8_t *b2;
    size_t n2;
    if (lkjson_from_json_alloc(type, j, nj, NULL, &b2, &n2, &e) != LKJSON_OK) {
      fprintf(stderr, "encoder refused the decoder's JSON: %s\n%.*s\n", e.message, (int)nj, j);
      FUZZ_CHECK(0);
    }
    char *j2;
    size_t nj2;
    FUZZ_CHECK(lkjson_to_json_alloc(type, b2, n2, NULL, &j2, &nj2, &e) == LKJSON_OK);
    FUZZ_CHECK(nj == nj2 && memcmp(j, j2, nj) == 0);
    lkjson_free(NULL, j2, nj2);
    lkjson_free(NULL, b2, n2);
    lkjson_free(NULL, j, nj);
  }
  lkjson_free(NULL, b1, n1);
  return 0;
}
