/*
 * fuzz_pbc_signal.c - protobuf-c's decoding of the signal envelopes
 * (SignalRequest, SignalResponse) on hostile bytes, and libattrs'
 * protobuf-c adapter on what it decoded.
 *
 * Properties: unpack never crashes or leaks; when it accepts, pack then
 * unpack then pack gives the same bytes (decode/encode/decode is stable),
 * except for invalid input that liblkjson's strict decoder refuses (a
 * protobuf-c quirk, below);
 * the attribute maps the adapter reads from an accepted message hold only
 * what the map rules accept, or the adapter refuses cleanly.
 */
#include <stdbool.h>

#include <protobuf-c/protobuf-c.h>

#include "fuzz_util.h"
#include "livekit_rtc.pb-c.h"
#include "lkattrs/lkattrs.h"
#include "lkattrs/protobufc.h"
#include <lkjson/json.h>

static void roundtrip(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                      size_t size) {
  ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, size, data);
  if (!m) return;
  size_t n1 = protobuf_c_message_get_packed_size(m);
  uint8_t *b1 = malloc(n1 ? n1 : 1);
  FUZZ_CHECK(b1 != NULL);
  FUZZ_CHECK(protobuf_c_message_pack(m, b1) == n1);
  ProtobufCMessage *m2 = protobuf_c_message_unpack(desc, NULL, n1, b1);
  if (!m2) {
    /* protobuf-c 1.4.1 accepts a field number 0 written as an over-long
     * tag (80 00), keeps it as an unknown field and packs it as 00, which
     * it then refuses (regressions/pbc_signal/protobuf-c-field-0-overlong-tag).
     * Allowed only for input that is not valid protobuf: the strict decoder
     * must refuse it. */
    char *json;
    size_t jn;
    lkjson_status st = lkjson_to_json_alloc(desc->name, data, size, NULL, &json, &jn, NULL);
    FUZZ_CHECK(st == LKJSON_BAD_WIRE);
    free(b1);
    protobuf_c_message_free_unpacked(m, NULL);
    return;
  }
  size_t n2 = protobuf_c_message_get_packed_size(m2);
  FUZZ_CHECK(n2 == n1);
  uint8_t *b2 = malloc(n2 ? n2 : 1);
  FUZZ_CHECK(b2 != NULL);
  FUZZ_CHECK(protobuf_c_message_pack(m2, b2) == n2);
  FUZZ_CHECK(memcmp(b1, b2, n1) == 0);
  free(b1);
  free(b2);

  lkattrs_map *map = NULL;
  FUZZ_CHECK(lkattrs_map_new(NULL, 0, &map) == LKATTRS_OK);
  if (desc == &livekit__signal_request__descriptor) {
    Livekit__SignalRequest *r = (Livekit__SignalRequest *)m;
    if (r->message_case == LIVEKIT__SIGNAL_REQUEST__MESSAGE_UPDATE_METADATA) {
      lkattrs_map *u = NULL;
      FUZZ_CHECK(lkattrs_map_new(NULL, LKATTRS_MAP_UPDATE, &u) == LKATTRS_OK);
      (void)lkattrs_pbc_update_participant_metadata_get(r->update_metadata, u, NULL);
      lkattrs_map_free(u);
    }
  } else {
    Livekit__SignalResponse *r = (Livekit__SignalResponse *)m;
    if (r->message_case == LIVEKIT__SIGNAL_RESPONSE__MESSAGE_UPDATE)
      for (size_t i = 0; i < r->update->n_participants; i++) {
        Livekit__ParticipantInfo *pi = r->update->participants[i];
        if (lkattrs_pbc_participant_info_get(pi, map, NULL) != LKATTRS_OK) continue;
        /* Set it back: the same entries. */
        void **saved = (void **)pi->attributes;
        size_t nsaved = pi->n_attributes;
        pi->attributes = NULL;
        pi->n_attributes = 0;
        FUZZ_CHECK(lkattrs_pbc_participant_info_set(pi, map, NULL) == LKATTRS_OK);
        lkattrs_map *back = NULL;
        FUZZ_CHECK(lkattrs_map_new(NULL, 0, &back) == LKATTRS_OK);
        FUZZ_CHECK(lkattrs_pbc_participant_info_get(pi, back, NULL) == LKATTRS_OK);
        FUZZ_CHECK(lkattrs_map_equal(back, map));
        lkattrs_map_free(back);
        lkattrs_pbc_participant_info_release(pi, map, NULL);
        pi->attributes = (Livekit__ParticipantInfo__AttributesEntry **)saved;
        pi->n_attributes = nsaved;
      }
  }
  lkattrs_map_free(map);
  protobuf_c_message_free_unpacked(m2, NULL);
  protobuf_c_message_free_unpacked(m, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  roundtrip(&livekit__signal_request__descriptor, data, size);
  roundtrip(&livekit__signal_response__descriptor, data, size);
  return 0;
}
