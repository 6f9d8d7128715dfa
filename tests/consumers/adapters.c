/* tests/consumers/adapters.c - a small program that uses libattrs' two
 * adapters exactly as a user's program does.  Built by the consumer tests
 * (pkg-config, CMake find_package shared and static, vendored with
 * lkproto.mk, CMake add_subdirectory) and run.
 *
 *   - liblkattrs-protobufc: a map put into a protobuf-c ParticipantInfo
 *     (lkattrs_pbc_participant_info_set), packed, unpacked, read back
 *     (lkattrs_pbc_participant_info_get);
 *   - liblkattrs-nanopb: the same bytes decoded by nanopb, the attributes
 *     read into a map by the adapter's callback (lkattrs_npb_reader).
 *
 * -DNO_PROTOBUF_C leaves the protobuf-c adapter out (the bytes are then
 * fixed), -DNO_NANOPB the nanopb one.  Prints "consumer: ok VERSION" and
 * exits 0, or says what failed, exits 1. */
#include <stdio.h>
#include <string.h>

#include <lkattrs/lkattrs.h>
#ifndef NO_PROTOBUF_C
#include <lkattrs/protobufc.h>
#endif
#ifndef NO_NANOPB
#include <lkattrs/nanopb.h>
#endif

#define CHECK(c)                                                     \
  do {                                                               \
    if (!(c)) {                                                      \
      fprintf(stderr, "consumer: %s:%d: %s\n", __FILE__, __LINE__, #c); \
      return 1;                                                      \
    }                                                                \
  } while (0)

/* The map read back holds exactly color=blue. */
static int check_map(const lkattrs_map *m) {
  const char *v = NULL;
  size_t vn = 0;
  CHECK(lkattrs_map_count(m) == 1);
  CHECK(lkattrs_map_get(m, "color", 5, &v, &vn) == LKATTRS_OK);
  CHECK(vn == 4 && memcmp(v, "blue", 4) == 0);
  return 0;
}

#ifndef NO_PROTOBUF_C
static int check_protobufc(unsigned char *buf, size_t cap, size_t *len) {
  lkattrs_map *m = NULL, *back = NULL;
  CHECK(lkattrs_map_new(NULL, 0, &m) == LKATTRS_OK);
  CHECK(lkattrs_map_set(m, "color", 5, "blue", 4) == LKATTRS_OK);
  Livekit__ParticipantInfo pi = LIVEKIT__PARTICIPANT_INFO__INIT;
  pi.identity = (char *)"alice";
  CHECK(lkattrs_pbc_participant_info_set(&pi, m, NULL) == LKATTRS_OK);
  CHECK(pi.n_attributes == 1);
  CHECK(livekit__participant_info__get_packed_size(&pi) <= cap);
  *len = livekit__participant_info__pack(&pi, buf);
  lkattrs_pbc_participant_info_release(&pi, m, NULL);
  CHECK(pi.n_attributes == 0);

  Livekit__ParticipantInfo *q = livekit__participant_info__unpack(NULL, *len, buf);
  CHECK(q != NULL);
  CHECK(lkattrs_map_new(NULL, 0, &back) == LKATTRS_OK);
  lkattrs_error_detail d;
  CHECK(lkattrs_pbc_participant_info_get(q, back, &d) == LKATTRS_OK);
  livekit__participant_info__free_unpacked(q, NULL);
  int r = check_map(back);
  lkattrs_map_free(back);
  lkattrs_map_free(m);
  return r;
}
#endif

#ifndef NO_NANOPB
static int check_nanopb(const unsigned char *buf, size_t len) {
  static livekit_ParticipantInfo info;
  livekit_ParticipantInfo zero = livekit_ParticipantInfo_init_zero;
  info = zero;
  lkattrs_map *m = NULL;
  CHECK(lkattrs_map_new(NULL, 0, &m) == LKATTRS_OK);
  unsigned char scratch[128];
  lkattrs_npb_reader r;
  lkattrs_npb_reader_init(&r, m, scratch, sizeof scratch);
  lkattrs_npb_set_decode(&info.attributes, &r);
  pb_istream_t s = pb_istream_from_buffer(buf, len);
  CHECK(pb_decode(&s, livekit_ParticipantInfo_fields, &info));
  CHECK(lkattrs_npb_reader_commit(&r) == LKATTRS_OK);
  CHECK(strcmp(info.identity, "alice") == 0);
  int res = check_map(m);
  lkattrs_map_free(m);
  return res;
}
#endif

int main(void) {
  static unsigned char buf[256];
  size_t len = 0;
  /* ParticipantInfo {identity: "alice", attributes: {color: blue}}. */
  static const unsigned char fixed[] = {0x12, 0x05, 'a', 'l', 'i', 'c', 'e', 0x7a, 0x0d, 0x0a,
                                        0x05, 'c',  'o', 'l', 'o', 'r', 0x12, 0x04, 'b',  'l',
                                        'u',  'e'};
#ifndef NO_PROTOBUF_C
  if (check_protobufc(buf, sizeof buf, &len)) return 1;
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
