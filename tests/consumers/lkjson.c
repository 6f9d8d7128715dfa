/* tests/consumers/lkjson.c - a small program that uses liblkjson exactly as
 * a user's program does: a ParticipantInfo from JSON to binary and back,
 * into a caller buffer and through the allocating form, and an enum name.
 * Built by the consumer tests of lkjson (pkg-config shared and --static)
 * and run; it pulls in liblkproto and libprotobuf-c through liblkjson, so a link line that forgets them fails here.  Prints
 * "consumer: ok VERSION" and exits 0, or says what failed, exits 1. */
#include <stdio.h>
#include <string.h>

#include <lkjson/json.h>

#define CHECK(c)                                                     \
  do {                                                               \
    if (!(c)) {                                                      \
      fprintf(stderr, "consumer: %s:%d: %s\n", __FILE__, __LINE__, #c); \
      return 1;                                                      \
    }                                                                \
  } while (0)

int main(void) {
  static const char in[] =
      "{\"sid\":\"PA_1\",\"identity\":\"alice\",\"attributes\":{\"color\":\"blue\"}}";
  uint8_t bin[256];
  size_t n;
  lkjson_error err;
  CHECK(lkjson_from_json("livekit.ParticipantInfo", in, strlen(in), NULL, bin, sizeof bin, &n,
                         &err) == LKJSON_OK);
  char *json;
  size_t len;
  CHECK(lkjson_to_json_alloc("livekit.ParticipantInfo", bin, n, NULL, &json, &len, &err) ==
        LKJSON_OK);
  int same = strcmp(json, in) == 0;
  lkjson_free(NULL, json, len);
  CHECK(same);
  CHECK(strcmp(lkjson_enum_name("livekit.RequestResponse.Reason", 3), "LIMIT_EXCEEDED") == 0);
  printf("consumer: ok %s\n", lkjson_version_string());
  return 0;
}
