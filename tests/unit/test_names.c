/* test_names.c - the reserved-name table and lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lkattrs/lkattrs.h"

/* Every public constant, with its owner, whether it is a prefix, and
 * whether it is personal / hidden by hide_phone_number. */
static const struct {
  const char *name;
  lkattrs_owner owner;
  unsigned flags;
} expected[] = {
    {LKATTRS_PREFIX_SIP, LKATTRS_OWNER_SIP, LKATTRS_NAME_F_PREFIX},
    {LKATTRS_PREFIX_SIP_HEADER, LKATTRS_OWNER_SIP, LKATTRS_NAME_F_PREFIX},
    {LKATTRS_PREFIX_INGRESS, LKATTRS_OWNER_INGRESS, LKATTRS_NAME_F_PREFIX},
    {LKATTRS_PREFIX_INGRESS_OUT_OF_NETWORK, LKATTRS_OWNER_INGRESS, LKATTRS_NAME_F_PREFIX},
    {LKATTRS_PREFIX_LIVEKIT, LKATTRS_OWNER_LIVEKIT, LKATTRS_NAME_F_PREFIX},
    {LKATTRS_PREFIX_AGENT, LKATTRS_OWNER_AGENT, LKATTRS_NAME_F_PREFIX},
    {LKATTRS_NAME_SIP_CALL_ID, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_CALL_ID_FULL, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_CALL_TAG, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_TRUNK_ID, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_DISPATCH_RULE_ID, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_TRUNK_PHONE_NUMBER, LKATTRS_OWNER_SIP,
     LKATTRS_NAME_F_PERSONAL | LKATTRS_NAME_F_HIDE_PHONE},
    {LKATTRS_NAME_SIP_PHONE_NUMBER, LKATTRS_OWNER_SIP,
     LKATTRS_NAME_F_PERSONAL | LKATTRS_NAME_F_HIDE_PHONE},
    {LKATTRS_NAME_SIP_HOSTNAME, LKATTRS_OWNER_SIP, LKATTRS_NAME_F_HIDE_PHONE},
    {LKATTRS_NAME_SIP_CALL_STATUS, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_TWILIO_ACCOUNT_SID, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_TWILIO_CALL_SID, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_TELNYX_CALL_LEG_ID, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_TELNYX_CALL_SESSION_ID, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_AMAZON_CONTACT_ID, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_AMAZON_INITIAL_CONTACT_ID, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_AMAZON_SOURCE_ACCOUNT, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_AMAZON_SOURCE_ARN, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_SIP_AMAZON_TARGET_ARN, LKATTRS_OWNER_SIP, 0},
    {LKATTRS_NAME_INGRESS_ID, LKATTRS_OWNER_INGRESS, 0},
    {LKATTRS_NAME_INGRESS_RESOURCE_ID, LKATTRS_OWNER_INGRESS, 0},
    {LKATTRS_NAME_INGRESS_OUT_OF_NETWORK_EVENT_ID, LKATTRS_OWNER_INGRESS, 0},
    {LKATTRS_NAME_AGENT_STATE, LKATTRS_OWNER_AGENT, 0},
    {LKATTRS_NAME_AGENT_NAME, LKATTRS_OWNER_AGENT, 0},
    {LKATTRS_NAME_AGENT_INPUTS, LKATTRS_OWNER_AGENT, 0},
    {LKATTRS_NAME_AGENT_OUTPUTS, LKATTRS_OWNER_AGENT, 0},
    {LKATTRS_NAME_PUBLISH_ON_BEHALF, LKATTRS_OWNER_LIVEKIT, 0},
};
#define N_EXPECTED (sizeof expected / sizeof expected[0])

/* The literal spellings, checked once against LiveKit's sources. */
static void test_spellings(void **state) {
  (void)state;
  assert_string_equal(LKATTRS_NAME_SIP_CALL_ID, "sip.callID");
  assert_string_equal(LKATTRS_NAME_SIP_CALL_ID_FULL, "sip.callIDFull");
  assert_string_equal(LKATTRS_NAME_SIP_CALL_TAG, "sip.callTag");
  assert_string_equal(LKATTRS_NAME_SIP_TRUNK_ID, "sip.trunkID");
  assert_string_equal(LKATTRS_NAME_SIP_DISPATCH_RULE_ID, "sip.ruleID");
  assert_string_equal(LKATTRS_NAME_SIP_TRUNK_PHONE_NUMBER, "sip.trunkPhoneNumber");
  assert_string_equal(LKATTRS_NAME_SIP_PHONE_NUMBER, "sip.phoneNumber");
  assert_string_equal(LKATTRS_NAME_SIP_HOSTNAME, "sip.hostname");
  assert_string_equal(LKATTRS_NAME_SIP_CALL_STATUS, "sip.callStatus");
  assert_string_equal(LKATTRS_NAME_SIP_TWILIO_ACCOUNT_SID, "sip.twilio.accountSid");
  assert_string_equal(LKATTRS_NAME_SIP_TWILIO_CALL_SID, "sip.twilio.callSid");
  assert_string_equal(LKATTRS_PREFIX_SIP_HEADER, "sip.h.");
  assert_string_equal(LKATTRS_NAME_INGRESS_ID, "ingress.ingressID");
  assert_string_equal(LKATTRS_NAME_INGRESS_RESOURCE_ID, "ingress.resourceID");
  assert_string_equal(LKATTRS_NAME_INGRESS_OUT_OF_NETWORK_EVENT_ID,
                      "ingress.outOfNetwork.eventID");
  assert_string_equal(LKATTRS_NAME_AGENT_STATE, "lk.agent.state");
  assert_string_equal(LKATTRS_NAME_AGENT_NAME, "lk.agent.name");
  assert_string_equal(LKATTRS_NAME_PUBLISH_ON_BEHALF, "lk.publish_on_behalf");
}

/* The table holds exactly the public constants, with the right metadata. */
static void test_table_matches_constants(void **state) {
  (void)state;
  assert_int_equal(lkattrs_name_count(), N_EXPECTED);
  for (size_t i = 0; i < N_EXPECTED; i++) {
    lkattrs_name_info info;
    size_t len = strlen(expected[i].name);
    assert_true(lkattrs_name_lookup(expected[i].name, len, &info));
    assert_string_equal(info.name, expected[i].name);
    assert_int_equal(info.name_len, len);
    assert_int_equal(info.owner, expected[i].owner);
    assert_int_equal(info.flags, expected[i].flags);
    bool in_table = false;
    for (size_t j = 0; j < lkattrs_name_count(); j++) {
      lkattrs_name_info t;
      assert_true(lkattrs_name_at(j, &t));
      if (strcmp(t.name, expected[i].name) == 0) in_table = true;
    }
    assert_true(in_table);
  }
  lkattrs_name_info t;
  assert_false(lkattrs_name_at(lkattrs_name_count(), &t));
  assert_false(lkattrs_name_at(0, NULL));
}

static void test_lookup_prefixes(void **state) {
  static const struct {
    const char *key;
    bool reserved;
    const char *matched;
    lkattrs_owner owner;
  } cases[] = {
      {"sip.", true, "sip.", LKATTRS_OWNER_SIP},
      {"sip.foo", true, "sip.", LKATTRS_OWNER_SIP},
      {"sip.callIDx", true, "sip.", LKATTRS_OWNER_SIP},
      {"sip.h.X-Custom", true, "sip.h.", LKATTRS_OWNER_SIP},
      {"sip.twilio.other", true, "sip.", LKATTRS_OWNER_SIP},
      {"ingress.x", true, "ingress.", LKATTRS_OWNER_INGRESS},
      {"ingress.outOfNetwork.other", true, "ingress.outOfNetwork.", LKATTRS_OWNER_INGRESS},
      {"lk.", true, "lk.", LKATTRS_OWNER_LIVEKIT},
      {"lk.segment_id", true, "lk.", LKATTRS_OWNER_LIVEKIT},
      {"lk.agent", true, "lk.", LKATTRS_OWNER_LIVEKIT},
      {"lk.agentx", true, "lk.", LKATTRS_OWNER_LIVEKIT},
      {"lk.agent.", true, "lk.agent.", LKATTRS_OWNER_AGENT},
      {"lk.agent.custom", true, "lk.agent.", LKATTRS_OWNER_AGENT},
      {"sip", false, NULL, LKATTRS_OWNER_NONE},
      {"sipx.callID", false, NULL, LKATTRS_OWNER_NONE},
      {"SIP.callID", false, NULL, LKATTRS_OWNER_NONE},
      {"lk", false, NULL, LKATTRS_OWNER_NONE},
      {"lkx.a", false, NULL, LKATTRS_OWNER_NONE},
      {"ingress", false, NULL, LKATTRS_OWNER_NONE},
      {"color", false, NULL, LKATTRS_OWNER_NONE},
      {"", false, NULL, LKATTRS_OWNER_NONE},
      {"x.sip.callID", false, NULL, LKATTRS_OWNER_NONE},
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    lkattrs_name_info info;
    bool r = lkattrs_name_lookup(cases[i].key, strlen(cases[i].key), &info);
    assert_int_equal(r, cases[i].reserved);
    assert_int_equal(info.owner, cases[i].owner);
    if (cases[i].matched) {
      assert_string_equal(info.name, cases[i].matched);
      assert_true(info.flags & LKATTRS_NAME_F_PREFIX);
    } else {
      assert_null(info.name);
      assert_int_equal(info.flags, 0);
    }
  }
  /* NULL info and NULL key with length 0 are fine. */
  assert_true(lkattrs_name_lookup("sip.x", 5, NULL));
  assert_false(lkattrs_name_lookup(NULL, 0, NULL));
  /* The length counts, not a NUL. */
  assert_true(lkattrs_name_lookup("sip.callIDFull", 10, NULL));
  lkattrs_name_info info;
  assert_true(lkattrs_name_lookup("sip.callIDFull", 10, &info));
  assert_string_equal(info.name, "sip.callID");
}

static void test_personal_and_hidden(void **state) {
  (void)state;
  assert_true(lkattrs_name_is_personal("sip.phoneNumber", 15));
  assert_true(lkattrs_name_is_personal("sip.trunkPhoneNumber", 20));
  assert_false(lkattrs_name_is_personal("sip.hostname", 12));
  assert_false(lkattrs_name_is_personal("sip.callID", 10));
  assert_false(lkattrs_name_is_personal("phoneNumber", 11));
  assert_false(lkattrs_name_is_personal("sip.phoneNumberX", 16));
  assert_true(lkattrs_name_hidden_by_phone_setting("sip.phoneNumber", 15));
  assert_true(lkattrs_name_hidden_by_phone_setting("sip.trunkPhoneNumber", 20));
  assert_true(lkattrs_name_hidden_by_phone_setting("sip.hostname", 12));
  assert_false(lkattrs_name_hidden_by_phone_setting("sip.callID", 10));
  assert_false(lkattrs_name_hidden_by_phone_setting("sip.h.phoneNumber", 17));
  assert_false(lkattrs_name_hidden_by_phone_setting("", 0));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_spellings),
      cmocka_unit_test(test_table_matches_constants),
      cmocka_unit_test(test_lookup_prefixes),
      cmocka_unit_test(test_personal_and_hidden),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
