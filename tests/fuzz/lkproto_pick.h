/*
 * lkproto_pick.h - the message type an lkproto / liblkjson fuzz input is
 * about: the first input bytes pick it (half of the inputs one of the
 * signal-path messages, the others any message type of the schema), by
 * full name through liblkjson's type list.
 */
#ifndef LKATTRS_FUZZ_LKPROTO_PICK_H
#define LKATTRS_FUZZ_LKPROTO_PICK_H

#include <lkjson/json.h>

#include "fuzz_util.h"

static inline const char *lkproto_pick(fuzz_in *in) {
  static const char *const hot[] = {
      "livekit.SignalRequest",  "livekit.SignalResponse",
      "livekit.ParticipantInfo", "livekit.UpdateParticipantMetadata",
      "livekit.JoinRequest",    "livekit.UpdateParticipantRequest",
      "livekit.CreateSIPParticipantRequest", "livekit.RequestResponse"};
  uint8_t b = fz_u8(in);
  if (b < 128) return hot[b % 8];
  size_t n = lkjson_type_count();
  size_t i = (size_t)fz_u16(in) % n;
  for (size_t k = 0; k < n; k++, i = (i + 1) % n) {
    lkjson_kind kind;
    const char *name = lkjson_type_at(i, &kind);
    if (kind == LKJSON_KIND_MESSAGE) return name;
  }
  return NULL;
}

#endif /* LKATTRS_FUZZ_LKPROTO_PICK_H */
