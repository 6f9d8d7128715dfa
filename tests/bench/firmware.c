/*
 * firmware.c - what a constrained client links of libattrs: a dummy
 * firmware main that validates, keeps its attributes in a fixed map,
 * merges an update read with the zero-copy wire reader, diffs two maps and
 * writes a map with the wire writer.  No heap, no stdio.
 *
 * make size links it for a Cortex-M4 with --gc-sections and reports what
 * of libattrs it keeps (tools/dev/size.sh); make check builds it for the host
 * and runs it (check-bench-smoke): exit status 0 when every result is the
 * expected one.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lkattrs/patch.h>
#include <lkattrs/validate.h>
#include <lkattrs/wire.h>

#define MAX_ATTRS 16
#define MAX_BYTES 512

static unsigned char cur_storage[LKATTRS_MAP_FIXED_BYTES(MAX_ATTRS, MAX_BYTES)];
static unsigned char old_storage[LKATTRS_MAP_FIXED_BYTES(MAX_ATTRS, MAX_BYTES)];
static lkattrs_entry changes[MAX_ATTRS * 2];
static lkattrs_entry update[MAX_ATTRS];
static unsigned char out[MAX_BYTES + 8 * MAX_ATTRS];

/* A ParticipantInfo fragment as the server sends it: version 2 (field 10)
 * and attributes (15) {"mood": "😀", "role": "speaker"}. */
static const unsigned char info[] = {
    0x50, 0x02,                                                 /* version 2 */
    0x7a, 0x0c, 0x0a, 0x04, 'm', 'o', 'o', 'd', 0x12, 0x04, 0xf0, 0x9f, 0x98, 0x80,
    0x7a, 0x0f, 0x0a, 0x04, 'r', 'o', 'l', 'e', 0x12, 0x07, 's', 'p', 'e', 'a', 'k',
    'e', 'r'};

int main(void) {
  lkattrs_map *cur, *old;
  lkattrs_wire_reader r;
  lkattrs_entry e;
  lkattrs_status st;
  size_t n = 0, count = 0, written = 0, changed = 0;
  const uint32_t path[] = {LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES};
  lkattrs_merge_opts o = LKATTRS_MERGE_OPTS_INIT;
  int bad = 0;

  if (lkattrs_map_init_fixed(cur_storage, sizeof cur_storage, MAX_ATTRS, 0, &cur) ||
      lkattrs_map_init_fixed(old_storage, sizeof old_storage, MAX_ATTRS, 0, &old))
    return 1;
  /* The local attributes. */
  if (lkattrs_validate_key("role", 4, NULL, NULL) ||
      lkattrs_validate_value("listener", 8, NULL, NULL) ||
      lkattrs_map_set(cur, "role", 4, "listener", 8) ||
      lkattrs_map_set(cur, "hand", 4, "raised", 6))
    return 2;
  bad |= lkattrs_validate_key("bad\x01", 4, NULL, NULL) != LKATTRS_E_CONTROL_CHAR;
  bad |= lkattrs_validate_value("\xc3\x28", 2, NULL, NULL) != LKATTRS_E_UTF8;
  if (lkattrs_map_copy(old, cur)) return 3;
  /* The server's view: read with the zero-copy reader (validated), then
   * merged as one atomic update, as from the server. */
  if (lkattrs_wire_reader_init(&r, info, sizeof info, path, 1, 0)) return 4;
  while ((st = lkattrs_wire_next(&r, &e, NULL)) == LKATTRS_OK && n < MAX_ATTRS)
    update[n++] = e;
  if (st != LKATTRS_E_NOT_FOUND) return 5;
  update[n].key = "hand"; /* and one deletion */
  update[n].key_len = 4;
  update[n].value = "";
  update[n++].value_len = 0;
  o.origin = LKATTRS_ORIGIN_SERVER;
  if (lkattrs_merge(cur, update, n, &o, &changed, NULL)) return 6;
  bad |= changed != 3; /* mood added, role changed, hand removed */
  /* attributesChanged */
  if (lkattrs_diff(old, cur, changes, MAX_ATTRS * 2, &count)) return 7;
  bad |= count != 3;
  /* Back on the wire: the same bytes as the server's (canonical order). */
  if (lkattrs_wire_write_map(cur, LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES, out,
                             sizeof out, &written))
    return 8;
  bad |= written != sizeof info - 2 || memcmp(out, info + 2, written) != 0;
  return bad ? 9 : 0;
}
