/*
 * main.c - an attribute update, end to end: a client (nanopb) asks for new
 * attributes, the server (a libattrs participant state) applies them
 * under the participant's permission and the room's limits, answers, and
 * broadcasts; the client reports what changed, as livekit-client's
 * attributesChanged event would.  Then two refusals: NOT_ALLOWED and
 * LIMIT_EXCEEDED.
 *
 * usage: attribute-update [--dump FILE] [--accept FILE]
 *   --dump FILE    write every message, one "STEP HEX" line each
 *   --accept FILE  feed the messages of FILE (same format, built by
 *                  LiveKit's JS for the same steps) to the receiving side
 *                  instead of ours, with the same expected outcomes
 * Exit status 0 when every step behaves as expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example.h"

#define STEPS 8
static const char *const step_name[STEPS] = {
    "S0 server -> all     SignalResponse.update (alice joined)",
    "S1 alice -> server   SignalRequest.update_metadata",
    "S2 server -> alice   SignalResponse.request_response",
    "S3 server -> all     SignalResponse.update (alice changed)",
    "S4 bob -> server     SignalRequest.update_metadata (no grant)",
    "S5 server -> bob     SignalResponse.request_response",
    "S6 alice -> server   SignalRequest.update_metadata (too large)",
    "S7 server -> alice   SignalResponse.request_response",
};

static msg_t ours[STEPS], theirs[STEPS];
static bool have_theirs;
static int failures;

/* The message a receiver gets at a step: ours, or LiveKit's JS one. */
static const msg_t *at(int step) { return have_theirs ? &theirs[step] : &ours[step]; }

static void expect(bool ok, const char *what) {
  if (!ok) {
    printf("    FAIL: %s\n", what);
    failures++;
  }
}

static void show(int step) {
  printf("%s: %zu bytes\n", step_name[step], at(step)->n);
}

static bool load(const char *path) {
  FILE *f = fopen(path, "r");
  char line[10000];
  if (!f) return false;
  while (fgets(line, sizeof line, f)) {
    int step;
    char hex[9000];
    if (sscanf(line, "S%d %8999s", &step, hex) != 2 || step < 0 || step >= STEPS) continue;
    msg_t *m = &theirs[step];
    m->n = 0;
    for (const char *h = hex; h[0] && h[1] && m->n < sizeof m->b; h += 2) {
      unsigned v;
      if (sscanf(h, "%2x", &v) != 1) break;
      m->b[m->n++] = (unsigned char)v;
    }
  }
  fclose(f);
  return true;
}

static bool map_is(const lkattrs_map *m, const lkattrs_entry *e, size_t n) {
  if (lkattrs_map_count(m) != n) return false;
  for (size_t i = 0; i < n; i++) {
    const char *v;
    size_t vl;
    if (lkattrs_map_get(m, e[i].key, e[i].key_len, &v, &vl) != LKATTRS_OK ||
        vl != e[i].value_len || memcmp(v, e[i].value, vl) != 0)
      return false;
  }
  return true;
}

/* The server's state holds exactly these attributes. */
static bool state_is(const lkattrs_participant *p, const lkattrs_entry *e, size_t n) {
  if (lkattrs_participant_count(p) != n) return false;
  for (size_t i = 0; i < n; i++) {
    const char *v;
    size_t vl;
    if (lkattrs_participant_get(p, e[i].key, e[i].key_len, &v, &vl) != LKATTRS_OK ||
        vl != e[i].value_len || memcmp(v, e[i].value, vl) != 0)
      return false;
  }
  return true;
}

/* A log line of the state's attributes, redacted (lkattrs/privacy.h works
 * on a map: one is read from the bytes for it). */
static bool log_line(const lkattrs_participant *p, char *line, size_t cap) {
  static const uint32_t attrs[] = {LKATTRS_FIELD_PARTICIPANT_INFO_ATTRIBUTES};
  lkattrs_map *m;
  size_t n;
  const unsigned char *b = lkattrs_participant_bytes(p, LKATTRS_VIEW_PARTICIPANT_INFO, &n);
  if (lkattrs_map_new(NULL, 0, &m) != LKATTRS_OK) return false;
  bool ok = lkattrs_wire_read_map(b, n, attrs, 1, m, NULL) == LKATTRS_OK &&
            lkattrs_redact_format(m, 0, line, cap, NULL) == LKATTRS_OK;
  lkattrs_map_free(m);
  return ok;
}

#define ENT(k, v) {k, sizeof k - 1, v, sizeof v - 1}

int main(int argc, char **argv) {
  const char *dump = NULL;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--dump")) dump = argv[i + 1];
    else if (!strcmp(argv[i], "--accept") && !(have_theirs = load(argv[i + 1]))) {
      fprintf(stderr, "cannot read %s\n", argv[i + 1]);
      return 2;
    }
  }
  /* The room: attributes limited to 256 bytes per update (LiveKit's
   * limit.max_attributes_size; 64 KiB by default). */
  lkattrs_limits room = LKATTRS_LIMITS_INIT;
  room.max_update_bytes = room.max_map_bytes = 256;
  static const lkattrs_entry token[] = {ENT("hand", "raised"), ENT("role", "speaker"),
                                        ENT("status", "online")};
  static const lkattrs_entry wanted[] = {ENT("mood", "\xf0\x9f\x98\x80"),
                                         ENT("role", "speaker"), ENT("status", "away")};
  static participant alice, bob;
  msg_t none = {{0}, 0};
  uint32_t rid = 0, version = 0;
  int reason = -1;
  char changed[512];
  lkattrs_status st;

  /* S0: alice joins; her token grants canUpdateOwnMetadata. */
  if (server_join(&alice, "PA_alice", "alice", "Alice", true, token, 3) ||
      server_join(&bob, "PA_bob", "bob", "Bob", false, NULL, 0)) {
    fprintf(stderr, "join failed\n");
    return 1;
  }
  client_init();
  server_broadcast(&alice, &ours[0]);
  show(0);
  expect(client_receive(at(0), &rid, &reason, &version, changed, sizeof changed),
         "client decodes the update");
  printf("    alice v%u attributesChanged %s\n", version, changed);
  expect(version == 1 && map_is(client_attrs(), token, 3), "client knows alice's token attributes");

  /* S1: alice wants {mood, role, status=away}: she sends only the diff. */
  expect(client_request(wanted, 3, 1, &ours[1]), "client builds the update");
  show(1);
  /* S2, S3: the server applies it, answers and broadcasts. */
  st = server_handle(&alice, at(1), &room, &ours[2], &ours[3]);
  printf("    server: %s\n", lkattrs_strerror(st));
  expect(st == LKATTRS_OK && ours[3].n > 0, "server accepts the update and broadcasts");
  expect(lkattrs_participant_version(alice.state) == 2 && state_is(alice.state, wanted, 3),
         "server state: alice v2 with the new attributes");
  char line[256];
  if (log_line(alice.state, line, sizeof line))
    printf("    server log: alice attributes %s\n", line);
  show(2);
  expect(client_receive(at(2), &rid, &reason, &version, changed, sizeof changed) &&
             rid == 1 && reason == LKATTRS_REASON_OK,
         "client gets request 1: OK");
  printf("    request_response: request_id %u reason %d\n", rid, reason);
  show(3);
  expect(client_receive(at(3), &rid, &reason, &version, changed, sizeof changed),
         "client decodes the broadcast");
  printf("    alice v%u attributesChanged %s\n", version, changed);
  expect(version == 2 && map_is(client_attrs(), wanted, 3), "client has the new attributes");
  expect(!strcmp(changed, "{\"hand\":\"\",\"mood\":\"\xf0\x9f\x98\x80\",\"status\":\"away\"}"),
         "attributesChanged as livekit-client reports it");
  /* Nothing left to change: nothing to send. */
  expect(!client_request(wanted, 3, 9, &none), "no-op update not sent");

  /* S4, S5: bob's token lacks canUpdateOwnMetadata. */
  static const lkattrs_entry bob_wants[] = {ENT("status", "away")};
  client_init(); /* (the same client code, as bob) */
  expect(client_request(bob_wants, 1, 1, &ours[4]), "bob builds an update");
  show(4);
  st = server_handle(&bob, at(4), &room, &ours[5], &none);
  printf("    server: %s\n", lkattrs_strerror(st));
  expect(st == LKATTRS_E_NOT_ALLOWED && none.n == 0, "server refuses bob: NOT_ALLOWED, no broadcast");
  show(5);
  expect(client_receive(at(5), &rid, &reason, &version, changed, sizeof changed) &&
             rid == 1 && reason == LKATTRS_REASON_NOT_ALLOWED,
         "bob gets NOT_ALLOWED");
  printf("    request_response: request_id %u reason %d (NOT_ALLOWED)\n", rid, reason);

  /* S6, S7: alice sends 300 bytes; the room allows 256. */
  static char big[301];
  memset(big, 'x', 300);
  lkattrs_entry too_big[] = {{"bio", 3, big, 300}};
  client_init();
  expect(client_request(too_big, 1, 2, &ours[6]), "alice builds a large update");
  show(6);
  uint32_t v_before = lkattrs_participant_version(alice.state);
  st = server_handle(&alice, at(6), &room, &ours[7], &none);
  printf("    server: %s\n", lkattrs_strerror(st));
  expect(st == LKATTRS_E_TOO_LARGE && none.n == 0 && v_before == 2 &&
             lkattrs_participant_version(alice.state) == 2 && state_is(alice.state, wanted, 3),
         "server refuses: LIMIT_EXCEEDED, alice unchanged");
  show(7);
  expect(client_receive(at(7), &rid, &reason, &version, changed, sizeof changed) &&
             rid == 2 && reason == LKATTRS_REASON_LIMIT_EXCEEDED,
         "alice gets LIMIT_EXCEEDED");
  printf("    request_response: request_id %u reason %d (LIMIT_EXCEEDED)\n", rid, reason);

  if (dump) {
    FILE *f = fopen(dump, "w");
    if (!f) return 2;
    for (int s = 0; s < STEPS; s++) {
      fprintf(f, "S%d ", s);
      for (size_t i = 0; i < ours[s].n; i++) fprintf(f, "%02x", ours[s].b[i]);
      fprintf(f, "\n");
    }
    fclose(f);
  }
  server_leave(&alice);
  server_leave(&bob);
  printf("attribute-update: %s%s\n", failures ? "FAILED" : "every step as expected",
         have_theirs ? " (LiveKit's messages fed to our code)" : "");
  return failures ? 1 : 0;
}
