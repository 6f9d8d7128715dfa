/*
 * fuzz_json.c - liblkjson's JSON reader through its public API
 * (lkjson/json.h) on hostile documents, with every option and both output
 * forms.
 *
 * Input: one byte of option flags (LKJSON_IGNORE_UNKNOWN for reading,
 * LKJSON_EMIT_DEFAULTS and LKJSON_PROTO_NAMES for writing), one or three
 * bytes that pick the type (lkproto_pick.h), the rest is the JSON text.
 * Properties: no crash, leak or hang; every status is one the function
 * documents; the caller-buffer form agrees with the allocating form (same
 * status, same bytes, *needed), refuses a buffer one byte short with
 * LKJSON_BUFFER_TOO_SMALL and the same *needed, and writes nothing into it;
 * when the reader accepts, the JSON written with the option flags (default
 * values, proto names) reads back to the same bytes, and the error detail
 * of a refusal is one NUL-terminated line.
 */
#include "lkproto_pick.h"

static const lkjson_options *opts(lkjson_options *o, unsigned flags) {
  o->flags = flags;
  o->allocator = NULL;
  return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  uint8_t fl = fz_u8(&in);
  const char *type = lkproto_pick(&in);
  size_t n;
  const char *text = (const char *)fz_rest(&in, &n);
  lkjson_options ro, wo;
  opts(&ro, fl & LKJSON_IGNORE_UNKNOWN);
  opts(&wo, fl & (LKJSON_EMIT_DEFAULTS | LKJSON_PROTO_NAMES));
  lkjson_error e;
  uint8_t *b1;
  size_t n1;
  lkjson_status st = lkjson_from_json_alloc(type, text, n, &ro, &b1, &n1, &e);
  FUZZ_CHECK(st == LKJSON_OK || st == LKJSON_BAD_SYNTAX || st == LKJSON_BAD_VALUE);
  FUZZ_CHECK(e.status == st);
  FUZZ_CHECK(memchr(e.message, '\0', sizeof e.message) != NULL);
  FUZZ_CHECK(st == LKJSON_OK ? e.message[0] == '\0' && b1 != NULL
                             : e.message[0] != '\0' && b1 == NULL && n1 == 0);
  FUZZ_CHECK(strchr(e.message, '\n') == NULL);

  /* The caller-buffer form: the same outcome, nothing written when short. */
  uint8_t small[256];
  size_t need = 0;
  lkjson_status st2 = lkjson_from_json(type, text, n, &ro, small, sizeof small, &need, NULL);
  if (st == LKJSON_OK) {
    FUZZ_CHECK(need == n1);
    if (n1 <= sizeof small) {
      FUZZ_CHECK(st2 == LKJSON_OK && memcmp(small, b1, n1) == 0);
    } else {
      FUZZ_CHECK(st2 == LKJSON_BUFFER_TOO_SMALL);
    }
    if (n1 > 0 && n1 <= sizeof small) {
      memset(small, 0xA5, sizeof small);
      need = 0;
      FUZZ_CHECK(lkjson_from_json(type, text, n, &ro, small, n1 - 1, &need, NULL) ==
                 LKJSON_BUFFER_TOO_SMALL);
      FUZZ_CHECK(need == n1);
      for (size_t i = 0; i < sizeof small; i++) FUZZ_CHECK(small[i] == 0xA5);
    }
  } else {
    FUZZ_CHECK(st2 == st);
    lkjson_free(NULL, b1, n1); /* NULL: a no-op */
    return 0;
  }

  /* What the reader accepted, written with the write options, reads back to
   * the same bytes (emitted defaults and proto names change nothing). */
  char *j;
  size_t nj;
  st = lkjson_to_json_alloc(type, b1, n1, &wo, &j, &nj, &e);
  FUZZ_CHECK(st == LKJSON_OK || st == LKJSON_NO_JSON_FORM);
  if (st == LKJSON_OK) {
    FUZZ_CHECK(strlen(j) == nj);
    uint8_t *b2;
    size_t n2;
    if (lkjson_from_json_alloc(type, j, nj, NULL, &b2, &n2, &e) != LKJSON_OK) {
      fprintf(stderr, "reader refused the writer's JSON: %s\n%.*s\n", e.message, (int)nj, j);
      FUZZ_CHECK(0);
    }
    char *j2;
    size_t nj2;
    FUZZ_CHECK(lkjson_to_json_alloc(type, b2, n2, &wo, &j2, &nj2, NULL) == LKJSON_OK);
    FUZZ_CHECK(nj2 == nj && memcmp(j, j2, nj) == 0);
    /* The caller-buffer form of the writer. */
    char jb[512];
    need = 0;
    lkjson_status st3 = lkjson_to_json(type, b2, n2, &wo, jb, sizeof jb, &need, NULL);
    FUZZ_CHECK(need == nj + 1);
    FUZZ_CHECK(nj + 1 <= sizeof jb ? st3 == LKJSON_OK && memcmp(jb, j, nj + 1) == 0
                                   : st3 == LKJSON_BUFFER_TOO_SMALL);
    lkjson_free(&wo, j2, nj2);
    lkjson_free(NULL, b2, n2);
    lkjson_free(&wo, j, nj);
  }
  lkjson_free(&ro, b1, n1);
  return 0;
}
