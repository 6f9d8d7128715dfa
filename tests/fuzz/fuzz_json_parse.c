/*
 * fuzz_json_parse.c - liblkjson's JSON parser (libjson/src/json_parse.c)
 * against jansson 2.14's (json_loadb with JSON_DECODE_ANY | JSON_ALLOW_NUL,
 * read again with JSON_DECODE_INT_AS_REAL after an integer overflow: what
 * the reader used before it had its own parser), on any bytes.
 *
 * Properties: no crash, leak or hang; both accept the same documents (two
 * documented differences, refused by ours only: nesting beyond
 * LKJSON__JSON_MAX_DEPTH = 512 arrays and objects; a NUL byte right after a
 * number or true/false/null, which jansson's lexer drops when it puts the
 * character after the token back (regressions/json_parse/jansson-drops-nul-*),
 * and which JSON.parse() refuses) and read the same values: types,
 * strings byte for byte (U+0000 included), integers, doubles bit for bit,
 * object members in order with the last of duplicate keys.
 */
#include <jansson.h>

#include "fuzz_util.h"
#include "lkjson_internal.h"

static int depth_of(const json_t *j) {
  int d = 0;
  if (json_is_object(j)) {
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v) {
      int x = depth_of(v);
      if (x > d) d = x;
    }
    return d + 1;
  }
  if (json_is_array(j)) {
    for (size_t i = 0; i < json_array_size(j); i++) {
      int x = depth_of(json_array_get(j, i));
      if (x > d) d = x;
    }
    return d + 1;
  }
  return 0;
}

/* A NUL byte right after a number or a keyword (jansson's lexer loses it). */
static int nul_after_digit(const uint8_t *p, size_t n) {
  for (size_t i = 1; i < n; i++) {
    uint8_t b = p[i - 1];
    if (p[i] == 0 && ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')))
      return 1;
  }
  return 0;
}

static void same(const json_t *j, const lkjson__jv *k, int as_real) {
  switch (json_typeof(j)) {
  case JSON_OBJECT: {
    FUZZ_CHECK(k->type == LKJSON__JOBJECT && k->n == json_object_size(j));
    const char *key;
    size_t kl, i = 0;
    json_t *v;
    json_object_keylen_foreach((json_t *)j, key, kl, v) {
      FUZZ_CHECK(k->u.members[i].key_len == kl && memcmp(k->u.members[i].key, key, kl) == 0);
      same(v, k->u.members[i].val, as_real);
      i++;
    }
    break;
  }
  case JSON_ARRAY:
    FUZZ_CHECK(k->type == LKJSON__JARRAY && k->n == json_array_size(j));
    for (size_t i = 0; i < k->n; i++) same(json_array_get(j, i), k->u.items[i], as_real);
    break;
  case JSON_STRING:
    FUZZ_CHECK(k->type == LKJSON__JSTRING && k->n == json_string_length(j) &&
               memcmp(k->u.s, json_string_value(j), k->n) == 0 && k->u.s[k->n] == 0);
    break;
  case JSON_INTEGER:
    FUZZ_CHECK(k->type == LKJSON__JNUMBER && k->is_int && !as_real && k->i == json_integer_value(j));
    break;
  case JSON_REAL: {
    FUZZ_CHECK(k->type == LKJSON__JNUMBER && (!k->is_int || as_real));
    double a = json_real_value(j);
    FUZZ_CHECK(memcmp(&a, &k->d, sizeof a) == 0 || (a == 0 && k->d == 0));
    break;
  }
  case JSON_TRUE: FUZZ_CHECK(k->type == LKJSON__JTRUE); break;
  case JSON_FALSE: FUZZ_CHECK(k->type == LKJSON__JFALSE); break;
  case JSON_NULL: FUZZ_CHECK(k->type == LKJSON__JNULL); break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  json_error_t je;
  int as_real = 0;
  json_t *j = json_loadb(text, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
  if (!j && json_error_code(&je) == json_error_numeric_overflow && strstr(je.text, "integer")) {
    as_real = 1;
    j = json_loadb(text, size, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &je);
  }
  lkjson__arena ar;
  lkjson__arena_init(&ar, &lkjson__libc);
  lkjson__err e;
  int overflow = 0;
  lkjson__jv *k = lkjson__json_parse(&ar, text, size, &overflow, &e);
  if (!k) {
    FUZZ_CHECK(e.status == LKJSON_BAD_SYNTAX || e.status == LKJSON_NOMEM);
    if (j) { /* only the two differences may be refused by ours alone */
      if (depth_of(j) <= LKJSON__JSON_MAX_DEPTH && !nul_after_digit(data, size)) {
        fprintf(stderr, "refused by liblkjson only: %s\n", e.msg);
        FUZZ_CHECK(0);
      }
    }
  } else {
    if (!j) fprintf(stderr, "accepted by liblkjson only (jansson: %s)\n", je.text);
    FUZZ_CHECK(j != NULL);
    FUZZ_CHECK(overflow == as_real);
    same(j, k, as_real);
  }
  if (j) json_decref(j);
  lkjson__arena_free(&ar);
  return 0;
}
