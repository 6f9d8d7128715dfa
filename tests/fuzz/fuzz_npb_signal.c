/*
 * fuzz_npb_signal.c - nanopb's decoding of the signal envelopes
 * (SignalRequest, SignalResponse) on hostile bytes, with and without
 * libattrs' nanopb adapter feeding attribute maps into fixed storage.
 *
 * Properties: pb_decode never crashes or reads past its bounds; when it
 * accepts, encode then decode then encode gives the same bytes (callback
 * fields, which have no encoder here, are left out of both); the adapter's
 * maps hold only entries the map rules accept.
 */
#include <stdbool.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "fuzz_util.h"
#include "livekit_rtc.pb.h"
#include "lkattrs/lkattrs.h"
#include "lkattrs/nanopb.h"

static union {
  livekit_SignalRequest req;
  livekit_SignalResponse resp;
} m1, m2;
static uint8_t e1[1 << 16], e2[1 << 16];

static void roundtrip(const pb_msgdesc_t *desc, const uint8_t *data, size_t size) {
  memset(&m1, 0, sizeof m1);
  pb_istream_t is = pb_istream_from_buffer(data, size);
  if (!pb_decode(&is, desc, &m1)) return;
  pb_ostream_t os = pb_ostream_from_buffer(e1, sizeof e1);
  if (!pb_encode(&os, desc, &m1)) return; /* larger than the buffer */
  size_t n1 = os.bytes_written;
  memset(&m2, 0, sizeof m2);
  is = pb_istream_from_buffer(e1, n1);
  FUZZ_CHECK(pb_decode(&is, desc, &m2));
  os = pb_ostream_from_buffer(e2, sizeof e2);
  FUZZ_CHECK(pb_encode(&os, desc, &m2));
  FUZZ_CHECK(os.bytes_written == n1);
  FUZZ_CHECK(memcmp(e1, e2, n1) == 0);
}

static size_t participants_seen;

static void on_participant(void *ctx, const livekit_ParticipantInfo *info,
                           const lkattrs_npb_reader *attrs) {
  (void)ctx;
  (void)info;
  participants_seen++;
  if (attrs->status != LKATTRS_OK) return;
  for (size_t i = 0; i < lkattrs_map_count(attrs->map); i++) {
    lkattrs_entry e;
    FUZZ_CHECK(lkattrs_map_at(attrs->map, i, &e) == LKATTRS_OK);
    FUZZ_CHECK(lkattrs_validate_key(e.key, e.key_len, NULL, NULL) == LKATTRS_OK ||
               e.key_len > LKATTRS_DEFAULT_MAX_KEY_BYTES);
    FUZZ_CHECK(lkattrs_validate_value(e.value, e.value_len, NULL, NULL) == LKATTRS_OK);
  }
}

static void with_adapter(const uint8_t *data, size_t size) {
  static unsigned char store[LKATTRS_MAP_FIXED_BYTES(32, 2048)];
  static unsigned char scratch[600];
  static livekit_ParticipantInfo info;
  lkattrs_map *map = NULL;
  FUZZ_CHECK(lkattrs_map_init_fixed(store, sizeof store, 32, 0, &map) == LKATTRS_OK);
  lkattrs_npb_participants p;
  memset(&p, 0, sizeof p);
  p.info = &info;
  lkattrs_npb_reader_init(&p.attrs, map, scratch, sizeof scratch);
  p.on_participant = on_participant;
  lkattrs_npb_signal_response_setup(&m1.resp, &p);
  pb_istream_t is = pb_istream_from_buffer(data, size);
  participants_seen = 0;
  if (pb_decode(&is, livekit_SignalResponse_fields, &m1.resp))
    FUZZ_CHECK(p.count == participants_seen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  roundtrip(livekit_SignalRequest_fields, data, size);
  roundtrip(livekit_SignalResponse_fields, data, size);
  with_adapter(data, size);
  return 0;
}
