/*
 * alloc_adapters.c - every allocation failure of libattrs' protobuf-c
 * adapter (lkattrs/protobufc.h): reading a decoded message's attributes
 * into a heap map (the views block, the map's growth) and building the
 * entry array of a message from a map (one block), with a counting
 * allocator that fails the 1st, 2nd, ... allocation in turn.  Each time: a
 * clean LKATTRS_E_NOMEM, no leak, the map (or the message) unchanged.
 * Prints "alloc_adapters: N failures injected, 0 leaks".
 * (The nanopb adapter never allocates: it decodes into fixed storage.)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counting_alloc.h"
#include "lkattrs/lkattrs.h"
#include "lkattrs/protobufc.h"

static int failures;

#define EXPECT(cond)                                                  \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                     \
      return;                                                         \
    }                                                                 \
  } while (0)

enum { N = 40 };
static char keys[N][16], vals[N][16];
static Livekit__ParticipantInfo__AttributesEntry ents[N + 2];
static Livekit__ParticipantInfo__AttributesEntry *ptrs[N + 2];
static size_t injected;

/* A decoded ParticipantInfo with N attributes, a duplicate and a delete. */
static void make_message(Livekit__ParticipantInfo *pi) {
  Livekit__ParticipantInfo init = LIVEKIT__PARTICIPANT_INFO__INIT;
  *pi = init;
  for (int i = 0; i < N; i++) {
    Livekit__ParticipantInfo__AttributesEntry e = LIVEKIT__PARTICIPANT_INFO__ATTRIBUTES_ENTRY__INIT;
    snprintf(keys[i], sizeof keys[i], "key%02d", (i * 7) % N);
    snprintf(vals[i], sizeof vals[i], "value-%d", i);
    e.key = keys[i];
    e.value = vals[i];
    ents[i] = e;
    ptrs[i] = &ents[i];
  }
  Livekit__ParticipantInfo__AttributesEntry dup = LIVEKIT__PARTICIPANT_INFO__ATTRIBUTES_ENTRY__INIT;
  dup.key = keys[0];
  dup.value = (char *)"last";
  ents[N] = dup;
  ptrs[N] = &ents[N];
  Livekit__ParticipantInfo__AttributesEntry del = LIVEKIT__PARTICIPANT_INFO__ATTRIBUTES_ENTRY__INIT;
  del.key = keys[1];
  del.value = (char *)"";
  ents[N + 1] = del;
  ptrs[N + 1] = &ents[N + 1];
  pi->attributes = ptrs;
  pi->n_attributes = N + 2;
}

/* message -> map: lkattrs_pbc_participant_info_get() into a counting map. */
static void test_get(void) {
  Livekit__ParticipantInfo pi;
  make_message(&pi);
  counting_alloc ca = {0};
  lkattrs_allocator a = counting_allocator(&ca);
  size_t fails = 0;
  for (size_t at = 1;; at++) {
    lkattrs_map *m = NULL;
    ca.fail_at = 0;
    EXPECT(lkattrs_map_new(&a, 0, &m) == LKATTRS_OK);
    EXPECT(lkattrs_map_set(m, "old", 3, "1", 1) == LKATTRS_OK);
    long live = ca.live_blocks;
    ca.fail_at = ca.calls + at;
    lkattrs_status st = lkattrs_pbc_participant_info_get(&pi, m, NULL);
    if (st == LKATTRS_OK) {
      EXPECT(lkattrs_map_count(m) == N - 1);
      const char *v;
      EXPECT(lkattrs_map_get(m, keys[0], strlen(keys[0]), &v, NULL) == LKATTRS_OK);
      EXPECT(strcmp(v, "last") == 0);
      lkattrs_map_free(m);
      break;
    }
    EXPECT(st == LKATTRS_E_NOMEM);
    EXPECT(ca.live_blocks == live);
    EXPECT(lkattrs_map_count(m) == 1);
    EXPECT(lkattrs_map_get(m, "old", 3, NULL, NULL) == LKATTRS_OK);
    lkattrs_map_free(m);
    fails++;
    EXPECT(at < 1000);
  }
  EXPECT(fails >= 2); /* the views block and the map's growth */
  EXPECT(ca.live_blocks == 0 && ca.live_bytes == 0);
  injected += fails;
}

/* map -> message: lkattrs_pbc_participant_info_set() with an explicit
 * allocator, and with the map's own (NULL). */
static void test_set(void) {
  counting_alloc ca = {0};
  lkattrs_allocator a = counting_allocator(&ca);
  lkattrs_map *m = NULL;
  EXPECT(lkattrs_map_new(&a, 0, &m) == LKATTRS_OK);
  for (int i = 0; i < N; i++)
    EXPECT(lkattrs_map_set(m, keys[i], strlen(keys[i]), vals[i], strlen(vals[i])) == LKATTRS_OK);
  for (int which = 0; which < 2; which++) {
    const lkattrs_allocator *alc = which ? NULL : &a;
    size_t fails = 0;
    for (size_t at = 1;; at++) {
      Livekit__ParticipantInfo pi = LIVEKIT__PARTICIPANT_INFO__INIT;
      long live = ca.live_blocks;
      ca.fail_at = ca.calls + at;
      lkattrs_status st = lkattrs_pbc_participant_info_set(&pi, m, alc);
      ca.fail_at = 0;
      if (st == LKATTRS_OK) {
        EXPECT(pi.n_attributes == N);
        EXPECT(livekit__participant_info__get_packed_size(&pi) > 0);
        lkattrs_pbc_participant_info_release(&pi, m, alc);
        EXPECT(pi.n_attributes == 0 && pi.attributes == NULL);
        EXPECT(ca.live_blocks == live);
        break;
      }
      EXPECT(st == LKATTRS_E_NOMEM);
      EXPECT(pi.n_attributes == 0 && pi.attributes == NULL);
      EXPECT(ca.live_blocks == live);
      fails++;
      EXPECT(at < 100);
    }
    EXPECT(fails >= 1);
    injected += fails;
  }
  lkattrs_map_free(m);
  EXPECT(ca.live_blocks == 0 && ca.live_bytes == 0);
}

/* The generic builder on an update map (a server sending an update with
 * deletions): lkattrs_pbc_make_entries() from the map's own allocator. */
static void test_update_map(void) {
  counting_alloc ca = {0};
  lkattrs_allocator a = counting_allocator(&ca);
  lkattrs_map *m = NULL;
  EXPECT(lkattrs_map_new(&a, LKATTRS_MAP_UPDATE, &m) == LKATTRS_OK);
  for (int i = 0; i < N; i++)
    EXPECT(lkattrs_map_set(m, keys[i], strlen(keys[i]), i % 3 ? vals[i] : "", i % 3 ? strlen(vals[i]) : 0) ==
           LKATTRS_OK);
  size_t fails = 0;
  for (size_t at = 1;; at++) {
    void **entries = (void **)&fails; /* must be reset on failure */
    size_t n = 99;
    long live = ca.live_blocks;
    ca.fail_at = ca.calls + at;
    lkattrs_status st = lkattrs_pbc_make_entries(
        m, &livekit__update_participant_metadata__attributes_entry__descriptor, NULL, &entries, &n);
    ca.fail_at = 0;
    if (st == LKATTRS_OK) {
      EXPECT(n == N && entries != NULL);
      lkattrs_pbc_free_entries(m, NULL, entries, n);
      EXPECT(ca.live_blocks == live);
      break;
    }
    EXPECT(st == LKATTRS_E_NOMEM);
    EXPECT(entries == NULL && n == 0);
    EXPECT(ca.live_blocks == live);
    fails++;
    EXPECT(at < 100);
  }
  EXPECT(fails >= 1);
  lkattrs_map_free(m);
  EXPECT(ca.live_blocks == 0);
  injected += fails;
}

int main(void) {
  test_get();
  test_set();
  test_update_map();
  printf("alloc_adapters: %zu allocation failures injected, %d checks failed\n", injected,
         failures);
  return failures ? 1 : 0;
}
