/*
 * fuzz_wire_update.c - lkattrs_update_apply(), the server's hot path, on a
 * hostile stored ParticipantInfo and a hostile update, with options chosen
 * by the input (origin, grant, namespace switch, kind, limits, envelope,
 * fixed or heap map, caller scratch).
 *
 * Input: byte 0 options, byte 1 limits, byte 2 kind/storage, u16 length of
 * the stored ParticipantInfo, the ParticipantInfo, then the update.
 * Properties:
 *   - a refused or failed update leaves the map byte-identical (same
 *     entries, same encoding);
 *   - an accepted update gives exactly the map lkattrs_merge() gives with
 *     the same options from the update's entries (the map-based path);
 *   - the ParticipantInfo written carries the new map in field 15 and is
 *     well-formed; the RequestResponse written is well-formed.
 */
#include <stdbool.h>

#include "fuzz_maps.h"
#include "fuzz_util.h"
#include "lkattrs/lkattrs.h"

static unsigned char info_out[1 << 17], resp_out[1 << 17];
static unsigned char fixed_store[LKATTRS_MAP_FIXED_BYTES(64, 4096)];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  uint8_t ob = fz_u8(&in), lb = fz_u8(&in), kb = fz_u8(&in);
  size_t info_len;
  const char *info = fz_bytes(&in, 4096, &info_len);
  size_t ulen;
  const uint8_t *upd = fz_rest(&in, &ulen);

  lkattrs_update_opts o = LKATTRS_UPDATE_OPTS_INIT;
  o.merge.origin = (lkattrs_origin)(ob & 3);
  o.merge.can_update_metadata = (ob & 4) != 0;
  o.merge.skip_namespace_rules = (ob & 8) != 0;
  o.echo_request = (ob & 16) != 0;
  o.envelope = (ob & 32) != 0;
  lkattrs_limits lim = LKATTRS_LIMITS_INIT;
  if (lb & 0x80) { /* small, input-chosen limits */
    lim.max_key_bytes = lb & 7;
    lim.max_value_bytes = (lb >> 3) & 3;
    lim.max_update_bytes = (size_t)(lb & 0x3f);
    lim.max_map_bytes = (size_t)(lb & 0x1f) * 3;
    lim.max_entries = (lb >> 2) & 7;
    o.max_name_bytes = lb & 3;
    o.max_metadata_bytes = (lb >> 4) & 3;
  } else if (lb & 0x40) {
    lkattrs_limits none = {0, 0, 0, 0, 0};
    lim = none;
    o.max_metadata_bytes = 0;
  }
  o.merge.limits = &lim;
  lkattrs_update_kind kind = (lkattrs_update_kind)(kb % 3);
  bool fixed = (kb & 4) != 0;
  uint32_t scratch[32];
  if (kb & 8) {
    o.scratch = scratch;
    o.scratch_cap = (size_t)(kb >> 4) * 2;
  }

  lkattrs_map *m = NULL, *snap = NULL, *expect = NULL;
  if (fixed)
    FUZZ_CHECK(lkattrs_map_init_fixed(fixed_store, sizeof fixed_store, 64, 0, &m) == LKATTRS_OK);
  else
    FUZZ_CHECK(lkattrs_map_new(NULL, &m) == LKATTRS_OK);
  static const uint32_t p15[] = {15};
  if (lkattrs_wire_read_map(info, info_len, p15, 1, 0, m, NULL) != LKATTRS_OK)
    lkattrs_map_clear(m);
  FUZZ_CHECK(lkattrs_map_new(NULL, &snap) == LKATTRS_OK);
  FUZZ_CHECK(lkattrs_map_copy(snap, m) == LKATTRS_OK);

  lkattrs_update_buffers b = {info_out, (kb & 0x80) ? 64 : sizeof info_out, resp_out,
                              sizeof resp_out};
  lkattrs_update_result res;
  lkattrs_error_detail det;
  lkattrs_status st = lkattrs_update_apply(m, info, info_len, upd, ulen, kind, &o, &b,
                                           &res, &det);
  FUZZ_CHECK(det.code == st);
  if (st != LKATTRS_OK) {
    FUZZ_CHECK(fz_maps_same(m, snap));
    FUZZ_CHECK(res.info_len == 0);
  } else {
    /* The map-based path from the same entries. */
    static const uint32_t paths[][2] = {{15, 3}, {3, 0}, {6, 0}};
    static const size_t depth[] = {2, 1, 1};
    size_t n = 0;
    FUZZ_CHECK(lkattrs_wire_collect(upd, ulen, paths[kind], depth[kind], 0, NULL, 0, &n,
                                    NULL) == LKATTRS_OK);
    lkattrs_entry *e = n ? malloc(n * sizeof *e) : NULL;
    FUZZ_CHECK(n == 0 || e != NULL);
    FUZZ_CHECK(lkattrs_wire_collect(upd, ulen, paths[kind], depth[kind], 0, e, n, &n,
                                    NULL) == LKATTRS_OK);
    FUZZ_CHECK(lkattrs_map_new(NULL, &expect) == LKATTRS_OK);
    FUZZ_CHECK(lkattrs_map_copy(expect, snap) == LKATTRS_OK);
    size_t changed = 0;
    lkattrs_status mst = lkattrs_merge(expect, e, n, &o.merge, &changed, NULL);
    if (n || o.merge.can_update_metadata || o.merge.origin >= LKATTRS_ORIGIN_SERVER) {
      FUZZ_CHECK(mst == LKATTRS_OK);
      FUZZ_CHECK(changed == res.attrs_changed);
      FUZZ_CHECK(fz_maps_same(m, expect));
    }
    free(e);
    if (res.info_len && !o.envelope) {
      /* The new ParticipantInfo holds the new map, and is well-formed. */
      lkattrs_map *back = NULL;
      FUZZ_CHECK(lkattrs_map_new(NULL, &back) == LKATTRS_OK);
      FUZZ_CHECK(lkattrs_wire_read_map(info_out, res.info_len, p15, 1, 0, back, NULL) ==
                 LKATTRS_OK);
      FUZZ_CHECK(lkattrs_map_equal(back, m));
      lkattrs_map_free(back);
    }
    if (res.info_len) FUZZ_CHECK(lkattrs_wire_check(info_out, res.info_len, NULL) == LKATTRS_OK);
  }
  if (res.resp_len) FUZZ_CHECK(lkattrs_wire_check(resp_out, res.resp_len, NULL) == LKATTRS_OK);
  lkattrs_map_free(m);
  lkattrs_map_free(snap);
  lkattrs_map_free(expect);
  return 0;
}
