/* tests/consumers/lktoken.c - a small program that uses liblktoken exactly
 * as a user's program does: mint a token with attributes, verify it, feed
 * it into the libattrs join flow.  Built by the consumer tests of lktoken
 * (pkg-config, CMake find_package shared and static, vendored with
 * lkproto.mk, CMake add_subdirectory) and run; it pulls in jansson and
 * OpenSSL libcrypto through liblktoken, so a link line that forgets them
 * fails here.  Prints "consumer: ok VERSION" and exits 0, or says what
 * failed, exits 1. */
#include <stdio.h>
#include <string.h>

#include <lkattrs/lkattrs.h>
#include <lktoken/token.h>

#define CHECK(c)                                                     \
  do {                                                               \
    if (!(c)) {                                                      \
      fprintf(stderr, "consumer: %s:%d: %s\n", __FILE__, __LINE__, #c); \
      return 1;                                                      \
    }                                                                \
  } while (0)

int main(void) {
  static const char secret[] = "a-secret-of-the-consumer-test-32b";
  const int64_t now = 1700000000;
  lkattrs_entry attrs[] = {{"color", 5, "blue", 4}};
  lktoken_claims c;
  lktoken_claims_init(&c);
  c.identity = "alice";
  c.attributes = attrs;
  c.attributes_count = 1;
  c.video.room = "room1";
  c.video.room_join = LKTOKEN_TRUE;
  c.video.can_update_own_metadata = LKTOKEN_TRUE;
  c.not_before = now;
  c.expires_at = now + 3600;

  char token[2048];
  size_t len = 0;
  lktoken_error err;
  CHECK(lktoken_mint(&c, "APIkey", secret, sizeof secret - 1, token, sizeof token, &len, &err) ==
        LKTOKEN_OK);

  lktoken_claims v;
  CHECK(lktoken_verify(token, len, secret, sizeof secret - 1, now, LKTOKEN_DEFAULT_LEEWAY_SECONDS,
                       &v, &err) == LKTOKEN_OK);
  CHECK(v.identity != NULL && strcmp(v.identity, "alice") == 0);
  CHECK(lktoken_can_update_metadata(&v));
  /* A wrong secret is refused (HMAC from libcrypto). */
  lktoken_claims w;
  CHECK(lktoken_verify(token, len, "other", 5, now, 0, &w, &err) == LKTOKEN_E_SIGNATURE);

  /* The join flow: the token's attributes, then the join request's. */
  lkattrs_map *m = NULL;
  lkattrs_error_detail d;
  lkattrs_entry join[] = {{"team", 4, "red", 3}};
  CHECK(lkattrs_map_new(NULL, 0, &m) == LKATTRS_OK);
  CHECK(lktoken_join(&v, join, 1, NULL, m, &d) == LKATTRS_OK);
  CHECK(lkattrs_map_count(m) == 2);
  lkattrs_map_free(m);
  lktoken_claims_free(&v);

  /* The linked libraries are the ones the headers describe. */
  CHECK(strcmp(lktoken_version_string(), LKTOKEN_VERSION_STRING) == 0);
  CHECK(lktoken_crypto_version()[0] != '\0' && lktoken_json_version()[0] != '\0');
  printf("consumer: ok %s\n", lktoken_version_string());
  return 0;
}
