/*
 * fuzz_wire_reader.c - the zero-copy wire reader (lkattrs/wire.h) on hostile
 * bytes taken as an encoded ParticipantInfo.
 *
 * Properties:
 *   - lkattrs_wire_next() and lkattrs_wire_collect() agree (status, entries);
 *   - the reader's entries lie inside the input;
 *   - where both the reader and protobuf-c accept the message, they see the
 *     same attribute entries in the same order;
 *   - protobuf-c never accepts a message whose structure the reader refuses
 *     (the reader is at least as strict);
 *   - lkattrs_wire_read_map() gives the last-wins map of the collected
 *     entries, or refuses and leaves the map unchanged;
 *   - a map read back from its own encoding is the same map.
 * Other paths (SignalRequest.update_metadata.attributes and deeper) are
 * walked too, for survival.
 */
#include <stdbool.h>

#include <protobuf-c/protobuf-c.h>

#include "fuzz_util.h"
#include "livekit_models.pb-c.h"
#include "lkattrs/lkattrs.h"

static bool inside(const uint8_t *d, size_t n, const char *p, size_t len) {
  if (len == 0) return true;
  const uint8_t *q = (const uint8_t *)p;
  return q >= d && q <= d + n && len <= (size_t)(d + n - q);
}

static bool is_structural(lkattrs_status st) {
  return st == LKATTRS_E_WIRE_TRUNCATED || st == LKATTRS_E_WIRE_MALFORMED;
}

/* Reads a varint of at most 10 bytes at d[*off]; false when unterminated.
 * *over: its 10th byte carries bits above 2^64. */
static bool varint_at(const uint8_t *d, size_t n, size_t *off, uint64_t *v, bool *over) {
  *v = 0;
  *over = false;
  for (unsigned i = 0; i < 10 && *off + i < n; i++) {
    uint8_t b = d[*off + i];
    *v |= (uint64_t)(b & 0x7f) << (7 * i);
    if (i == 9 && b > 1) *over = true;
    if (!(b & 0x80)) {
      *off += i + 1;
      return true;
    }
  }
  return false;
}

/* True when the field at d[off] is one that protobuf-c 1.4.1 accepts and
 * protobuf (and we) refuse: a tag whose field number is 0 or above 2^29-1
 * (protobuf-c truncates tags to 32 bits), or a 10-byte varint value above
 * 2^64-1 (protobuf-c drops the extra bits).  See
 * regressions/wire_reader/protobuf-c-*. */
static bool pbc_leniency_at(const uint8_t *d, size_t n, size_t off) {
  uint64_t tag, v;
  bool over;
  if (!varint_at(d, n, &off, &tag, &over)) return false;
  uint64_t f = tag >> 3;
  if (f == 0 || f > LKATTRS_WIRE_MAX_FIELD || over) return true;
  if ((tag & 7) == 0) return varint_at(d, n, &off, &v, &over) && over;
  return false;
}

static void walk(const uint8_t *data, size_t size, const uint32_t *path,
                 size_t depth, unsigned flags) {
  size_t count = 0;
  lkattrs_status cst =
      lkattrs_wire_collect(data, size, path, depth, flags, NULL, 0, &count, NULL);
  lkattrs_wire_reader r;
  FUZZ_CHECK(lkattrs_wire_reader_init(&r, data, size, path, depth, flags) == LKATTRS_OK);
  lkattrs_entry e;
  lkattrs_status st;
  size_t seen = 0;
  while ((st = lkattrs_wire_next(&r, &e, NULL)) == LKATTRS_OK) {
    FUZZ_CHECK(inside(data, size, e.key, e.key_len));
    FUZZ_CHECK(inside(data, size, e.value, e.value_len));
    seen++;
  }
  FUZZ_CHECK(lkattrs_wire_next(&r, &e, NULL) == st); /* sticky */
  if (st == LKATTRS_E_NOT_FOUND) {
    FUZZ_CHECK(cst == LKATTRS_OK);
    FUZZ_CHECK(count == seen);
  } else {
    FUZZ_CHECK(cst == st);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const uint32_t p15[] = {15};
  static const uint32_t paths[][3] = {{15, 3}, {3}, {5, 1, 15}, {22, 7, 3}};
  static const size_t depths[] = {2, 1, 3, 3};

  walk(data, size, p15, 1, 0);
  walk(data, size, p15, 1, LKATTRS_WIRE_RAW);
  walk(data, size, p15, 1, LKATTRS_WIRE_ALLOW_NUL);
  for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++)
    walk(data, size, paths[i], depths[i], 0);
  lkattrs_wire_field f;
  (void)lkattrs_wire_find(data, size, p15, 1, &f, NULL);
  lkattrs_status chk = lkattrs_wire_check(data, size, NULL);

  /* Strict entries (valid UTF-8, no U+0000). */
  size_t n = 0;
  lkattrs_status st = lkattrs_wire_collect(data, size, p15, 1, 0, NULL, 0, &n, NULL);
  lkattrs_entry *ents = NULL;
  if (st == LKATTRS_OK && n) {
    ents = malloc(n * sizeof *ents);
    FUZZ_CHECK(ents != NULL);
    size_t n2;
    FUZZ_CHECK(lkattrs_wire_collect(data, size, p15, 1, 0, ents, n, &n2, NULL) == LKATTRS_OK);
    FUZZ_CHECK(n2 == n);
  }
  size_t nraw = 0;
  lkattrs_error_detail rawd;
  lkattrs_status rawst =
      lkattrs_wire_collect(data, size, p15, 1, LKATTRS_WIRE_RAW, NULL, 0, &nraw, &rawd);
  /* A top-level structure error is found by every walk. */
  if (is_structural(chk)) FUZZ_CHECK(is_structural(rawst));

  /* protobuf-c on the same bytes. */
  Livekit__ParticipantInfo *pi = livekit__participant_info__unpack(NULL, size, data);
  if (pi) {
    /* protobuf-c accepted: the structure is sound, so the raw reader must
     * accept it too, except for a field number protobuf-c should have
     * refused (regressions/wire_reader/protobuf-c-*). */
    if (rawst != LKATTRS_OK)
      FUZZ_CHECK(rawst == LKATTRS_E_WIRE_MALFORMED &&
                 pbc_leniency_at(data, size, rawd.offset));
    else
      FUZZ_CHECK(nraw == pi->n_attributes);
    if (st == LKATTRS_OK) {
      FUZZ_CHECK(n == pi->n_attributes);
      for (size_t i = 0; i < n; i++) {
        const Livekit__ParticipantInfo__AttributesEntry *pe = pi->attributes[i];
        FUZZ_CHECK(strlen(pe->key) == ents[i].key_len);
        FUZZ_CHECK(memcmp(pe->key, ents[i].key, ents[i].key_len) == 0);
        FUZZ_CHECK(strlen(pe->value) == ents[i].value_len);
        FUZZ_CHECK(memcmp(pe->value, ents[i].value, ents[i].value_len) == 0);
      }
    }
    livekit__participant_info__free_unpacked(pi, NULL);
  }

  /* read_map: last wins, atomic. */
  lkattrs_map *m = NULL, *ref = NULL, *old = NULL;
  FUZZ_CHECK(lkattrs_map_new(NULL, 0, &m) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_map_new(NULL, 0, &ref) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_map_new(NULL, 0, &old) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_map_set(m, "old", 3, "1", 1) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_map_copy(old, m) == LKATTRS_OK);
  lkattrs_status rst = lkattrs_wire_read_map(data, size, p15, 1, m, NULL);
  /* A message the reader refuses is refused (the key rules may be met
   * before a wire error further on, so the status may differ). */
  if (st != LKATTRS_OK) FUZZ_CHECK(rst != LKATTRS_OK);
  if (rst == LKATTRS_OK) {
    FUZZ_CHECK(st == LKATTRS_OK);
    for (size_t i = 0; i < n; i++)
      FUZZ_CHECK(lkattrs_map_set(ref, ents[i].key, ents[i].key_len, ents[i].value,
                                 ents[i].value_len) == LKATTRS_OK);
    FUZZ_CHECK(lkattrs_map_equal(m, ref));
    /* Write it and read it back. */
    unsigned char *enc = NULL;
    size_t elen = 0;
    FUZZ_CHECK(lkattrs_wire_encode_map(m, 15, NULL, &enc, &elen) == LKATTRS_OK);
    lkattrs_map *back = NULL;
    FUZZ_CHECK(lkattrs_map_new(NULL, 0, &back) == LKATTRS_OK);
    FUZZ_CHECK(lkattrs_wire_read_map(enc, elen, p15, 1, back, NULL) == LKATTRS_OK);
    FUZZ_CHECK(lkattrs_map_equal(back, m));
    lkattrs_map_free(back);
    free(enc);
  } else {
    FUZZ_CHECK(lkattrs_map_equal(m, old));
  }
  lkattrs_map_free(m);
  lkattrs_map_free(ref);
  lkattrs_map_free(old);
  free(ents);
  return 0;
}
