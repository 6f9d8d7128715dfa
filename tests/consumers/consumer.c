/* tests/consumers/consumer.c - a small program that uses every library of the
 * package, exactly as a user's program does.  Built by each consumer test
 * (pkg-config, CMake find_package, vendored with lkproto.mk, CMake
 * add_subdirectory, a bare cc line, regenerated code) and run.
 *
 *   - libattrs: a heap map, a merge (one set, one delete), the linked version;
 *   - protobuf-c code: a ParticipantInfo with attributes packed, unpacked;
 *   - nanopb code: the same bytes decoded in static memory.
 *
 * Compile-time switches: -DNO_PROTOBUF_C or -DNO_NANOPB leave one generated
 * code out.  -DIDENTITY_CAP=N checks that the nanopb identity field holds N
 * bytes (a consumer that regenerated with its own .options).
 * Prints "consumer: ok VERSION" and exits 0, or says what failed, exits 1. */
#include <stdio.h>
#include <string.h>

#include <lkattrs/lkattrs.h>

#ifndef NO_PROTOBUF_C
#include "livekit_models.pb-c.h"
#endif
#ifndef NO_NANOPB
#include <pb_decode.h>
#include "livekit_models.pb.h"
#endif

#define CHECK(c)                                                     \
  do {                                                               \
    if (!(c)) {                                                      \
      fprintf(stderr, "consumer: %s:%d: %s\n", __FILE__, __LINE__, #c); \
      return 1;                                                      \
    }                                                                \
  } while (0)

static int check_lkattrs(void) {
  lkattrs_map *m = NULL;
  CHECK(lkattrs_map_new(NULL, 0, &m) == LKATTRS_OK);
  lkattrs_entry up[] = {{"color", 5, "blue", 4}, {"old", 3, "", 0}};
  lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT; /* a client... */
  o.can_update_metadata = true;                  /* ...with the grant */
  size_t changed = 0;
  lkattrs_error_detail d;
  CHECK(lkattrs_merge(m, up, 2, &o, &changed, &d) == LKATTRS_OK);
  CHECK(changed == 1 && lkattrs_map_count(m) == 1);
  const char *v = NULL;
  size_t vn = 0;
  CHECK(lkattrs_map_get(m, "color", 5, &v, &vn) == LKATTRS_OK);
  CHECK(vn == 4 && memcmp(v, "blue", 4) == 0);
  lkattrs_map_free(m);
  /* The linked library is the one the headers describe. */
  CHECK(strcmp(lkattrs_version_string(), LKATTRS_VERSION_STRING) == 0);
  CHECK(lkattrs_version_number() == LKATTRS_VERSION_NUMBER);
  return 0;
}

#ifndef NO_PROTOBUF_C
static int check_protobuf_c(unsigned char *buf, size_t cap, size_t *len) {
  Livekit__ParticipantInfo p = LIVEKIT__PARTICIPANT_INFO__INIT;
  Livekit__ParticipantInfo__AttributesEntry e = LIVEKIT__PARTICIPANT_INFO__ATTRIBUTES_ENTRY__INIT;
  Livekit__ParticipantInfo__AttributesEntry *ep = &e;
  p.identity = (char *)"alice";
  e.key = (char *)"color";
  e.value = (char *)"blue";
  p.n_attributes = 1;
  p.attributes = &ep;
  size_t n = livekit__participant_info__get_packed_size(&p);
  CHECK(n <= cap);
  *len = livekit__participant_info__pack(&p, buf);
  Livekit__ParticipantInfo *q = livekit__participant_info__unpack(NULL, *len, buf);
  CHECK(q != NULL);
  CHECK(strcmp(q->identity, "alice") == 0 && q->n_attributes == 1);
  CHECK(strcmp(q->attributes[0]->value, "blue") == 0);
  livekit__participant_info__free_unpacked(q, NULL);
  return 0;
}
#endif

#ifndef NO_NANOPB
static int check_nanopb(const unsigned char *buf, size_t len) {
  static livekit_ParticipantInfo p;
  livekit_ParticipantInfo zero = livekit_ParticipantInfo_init_zero;
  p = zero;
#ifdef IDENTITY_CAP
  CHECK(sizeof p.identity == IDENTITY_CAP + 1);
#endif
  pb_istream_t s = pb_istream_from_buffer(buf, len);
  CHECK(pb_decode(&s, livekit_ParticipantInfo_fields, &p));
  CHECK(strcmp(p.identity, "alice") == 0);
  return 0;
}
#endif

int main(void) {
  static unsigned char buf[256];
  size_t len = 0;
  /* protobuf-c encodes the message nanopb decodes; without protobuf-c, the
   * same bytes by hand (identity "alice", attributes {color: blue}). */
  static const unsigned char fixed[] = {0x12, 0x05, 'a', 'l', 'i', 'c', 'e', 0x7a, 0x0d, 0x0a,
                                        0x05, 'c',  'o', 'l', 'o', 'r', 0x12, 0x04, 'b',  'l',
                                        'u',  'e'};
  if (check_lkattrs()) return 1;
#ifndef NO_PROTOBUF_C
  if (check_protobuf_c(buf, sizeof buf, &len)) return 1;
  CHECK(len == sizeof fixed && memcmp(buf, fixed, len) == 0);
#else
  memcpy(buf, fixed, sizeof fixed);
  len = sizeof fixed;
#endif
#ifndef NO_NANOPB
  if (check_nanopb(buf, len)) return 1;
#endif
  (void)len;
  printf("consumer: ok %s\n", lkattrs_version_string());
  return 0;
}
