/*
 * fuzz_lkproto_decode.c - `lkproto decode`: the strict wire decoder and the
 * JSON writer (liblkjson: lkjson_to_json_alloc()) on hostile bytes, for any
 * message type.
 *
 * Input: one or three bytes pick the type (lkproto_pick.h), the rest is the
 * binary message.  Properties: no crash, leak or hang; when the decoder
 * accepts, the JSON it writes is accepted by the encoder, and
 * decode(encode(json)) writes the same JSON (decode -> encode -> decode is
 * stable); and a message the decoder accepts is accepted by protobuf-c,
 * except where protobuf-c is known to differ (pbc_refuses(), below).
 */
#include <stdbool.h>

#include "lkjson_internal.h" /* the descriptor of a type, for protobuf-c */
#include "lkproto_pick.h"

static bool get_varint(const uint8_t *p, size_t end, size_t *pos, uint64_t *v) {
  *v = 0;
  for (unsigned i = 0; i < 10 && *pos < end; i++) {
    uint8_t b = p[(*pos)++];
    *v |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return true;
  }
  return false;
}

/* True when [start, end) (a message of type d that lkproto accepted) holds,
 * at any level, what protobuf-c 1.4.1 refuses although it is valid protobuf:
 *   - a singular message field more than once: protobuf-c (1.5.2 still)
 *     merges the occurrences with merge_messages(), which fails when a oneof
 *     of that type is set in neither (regressions/lkproto_decode/
 *     protobuf-c-merge-unset-oneof; with our derived schema every proto3
 *     `optional` is such a oneof);
 *   - a tag or a length written in more than 5 bytes (an over-long varint
 *     whose value fits in 32 bits): protobuf-c reads at most 5 bytes of them
 *     (regressions/lkproto_decode/protobuf-c-tag-over-5-bytes,
 *     protobuf-c-length-over-5-bytes). */
static bool pbc_refuses(const ProtobufCMessageDescriptor *d, const uint8_t *p,
                                   size_t start, size_t end, int depth) {
  unsigned char seen[1024] = {0};
  size_t pos = start;
  if (depth > LKJSON__MAX_DEPTH) return false;
  while (pos < end) {
    uint64_t tag, v;
    size_t tag_at = pos;
    if (!get_varint(p, end, &pos, &tag)) return false;
    if (pos - tag_at > 5) return true;
    switch (tag & 7) {
      case 0: if (!get_varint(p, end, &pos, &v)) return false; break;
      case 1: pos += 8; break;
      case 5: pos += 4; break;
      case 2: {
        size_t len_at = pos;
        if (!get_varint(p, end, &pos, &v) || v > end - pos) return false;
        if (pos - len_at > 5) return true;
        const ProtobufCFieldDescriptor *f =
            tag >> 3 <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(d, (unsigned)(tag >> 3)) : NULL;
        if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
          size_t i = (size_t)(f - d->fields);
          if (f->label != PROTOBUF_C_LABEL_REPEATED && i < sizeof seen) {
            if (seen[i]) return true;
            seen[i] = 1;
          }
          if (pbc_refuses(f->descriptor, p, pos, pos + (size_t)v, depth + 1))
            return true;
        }
        pos += (size_t)v;
        break;
      }
      default: return false;
    }
  }
  return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  const char *type = lkproto_pick(&in);
  const ProtobufCMessageDescriptor *d = lkjson__message_find(type);
  FUZZ_CHECK(d != NULL);
  size_t n;
  const uint8_t *p = fz_rest(&in, &n);
  lkjson_error e;
  char *j1;
  size_t n1;
  lkjson_status st = lkjson_to_json_alloc(type, p, n, NULL, &j1, &n1, &e);
  FUZZ_CHECK(st == LKJSON_OK || st == LKJSON_BAD_WIRE || st == LKJSON_NO_JSON_FORM);
  FUZZ_CHECK(st != LKJSON_OK || (j1 != NULL && strlen(j1) == n1));
  if (st == LKJSON_BAD_WIRE) return 0;
  /* The strict decoder accepted: protobuf-c must too. */
  ProtobufCMessage *pm = protobuf_c_message_unpack(d, NULL, n, p);
  if (pm)
    protobuf_c_message_free_unpacked(pm, NULL);
  else
    FUZZ_CHECK(pbc_refuses(d, p, 0, n, 0));
  if (st != LKJSON_OK) return 0; /* no JSON form (e.g. a Timestamp out of range) */

  uint8_t *bin;
  size_t nb;
  if (lkjson_from_json_alloc(type, j1, n1, NULL, &bin, &nb, &e) != LKJSON_OK) {
    fprintf(stderr, "encoder refused the decoder's JSON: %s\n%.*s\n", e.message, (int)n1, j1);
    FUZZ_CHECK(0);
  }
  char *j2;
  size_t n2;
  FUZZ_CHECK(lkjson_to_json_alloc(type, bin, nb, NULL, &j2, &n2, &e) == LKJSON_OK);
  FUZZ_CHECK(n1 == n2 && memcmp(j1, j2, n1) == 0);
  lkjson_free(NULL, j1, n1);
  lkjson_free(NULL, j2, n2);
  lkjson_free(NULL, bin, nb);
  return 0;
}
