/*
 * lkproto_pick.h - the message type an lkproto fuzz input is about: the
 * first input bytes pick it (half of the inputs one of the signal-path
 * messages, the others any message type of the schema).
 */
#ifndef LKATTRS_FUZZ_LKPROTO_PICK_H
#define LKATTRS_FUZZ_LKPROTO_PICK_H

#include "fuzz_util.h"
#include "lkproto.h"

static inline const ProtobufCMessageDescriptor *lkproto_pick(fuzz_in *in) {
  static const char *const hot[] = {
      "livekit.SignalRequest",  "livekit.SignalResponse",
      "livekit.ParticipantInfo", "livekit.UpdateParticipantMetadata",
      "livekit.JoinRequest",    "livekit.UpdateParticipantRequest",
      "livekit.CreateSIPParticipantRequest", "livekit.RequestResponse"};
  uint8_t b = fz_u8(in);
  if (b < 128) {
    const ProtobufCMessageDescriptor *d = lk_message_find(hot[b % 8]);
    FUZZ_CHECK(d != NULL);
    return d;
  }
  size_t i = (size_t)fz_u16(in) % lk_n_types;
  for (size_t k = 0; k < lk_n_types; k++, i = (i + 1) % lk_n_types)
    if (!lk_types[i].is_enum) return lk_types[i].msg;
  return NULL;
}

#endif /* LKATTRS_FUZZ_LKPROTO_PICK_H */
