/*
 * lkattrs/names.h - attribute names and prefixes that LiveKit components
 * reserve for themselves.
 *
 * Sources: livekit/protocol (livekit/attrs.go), livekit/sip
 * (pkg/sip/participant.go), livekit/agents and livekit/client-sdk-js
 * (attribute names of agents).  Every name below is also in the table that
 * lkattrs_name_lookup() searches (src/names.c); a unit test checks that
 * the two agree.
 */
#ifndef LKATTRS_NAMES_H
#define LKATTRS_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "lkattrs/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Prefixes (a key is reserved when it starts with one of them). */
#define LKATTRS_PREFIX_SIP "sip."
#define LKATTRS_PREFIX_SIP_HEADER "sip.h."      /* mapped SIP headers */
#define LKATTRS_PREFIX_INGRESS "ingress."
#define LKATTRS_PREFIX_INGRESS_OUT_OF_NETWORK "ingress.outOfNetwork."
#define LKATTRS_PREFIX_LIVEKIT "lk."
#define LKATTRS_PREFIX_AGENT "lk.agent."

/* SIP (set by the SIP service). */
#define LKATTRS_NAME_SIP_CALL_ID "sip.callID"
#define LKATTRS_NAME_SIP_CALL_ID_FULL "sip.callIDFull"
#define LKATTRS_NAME_SIP_CALL_TAG "sip.callTag"
#define LKATTRS_NAME_SIP_TRUNK_ID "sip.trunkID"
#define LKATTRS_NAME_SIP_DISPATCH_RULE_ID "sip.ruleID"  /* Go: AttrSIPDispatchRuleID */
#define LKATTRS_NAME_SIP_TRUNK_PHONE_NUMBER "sip.trunkPhoneNumber" /* personal */
#define LKATTRS_NAME_SIP_PHONE_NUMBER "sip.phoneNumber"            /* personal */
#define LKATTRS_NAME_SIP_HOSTNAME "sip.hostname"
#define LKATTRS_NAME_SIP_CALL_STATUS "sip.callStatus"
#define LKATTRS_NAME_SIP_TWILIO_ACCOUNT_SID "sip.twilio.accountSid"
#define LKATTRS_NAME_SIP_TWILIO_CALL_SID "sip.twilio.callSid"
#define LKATTRS_NAME_SIP_TELNYX_CALL_LEG_ID "sip.telnyx.callLegID"
#define LKATTRS_NAME_SIP_TELNYX_CALL_SESSION_ID "sip.telnyx.callSessionID"
#define LKATTRS_NAME_SIP_AMAZON_CONTACT_ID "sip.amazon.contactId"
#define LKATTRS_NAME_SIP_AMAZON_INITIAL_CONTACT_ID "sip.amazon.initialContactId"
#define LKATTRS_NAME_SIP_AMAZON_SOURCE_ACCOUNT "sip.amazon.sourceAccount"
#define LKATTRS_NAME_SIP_AMAZON_SOURCE_ARN "sip.amazon.sourceArn"
#define LKATTRS_NAME_SIP_AMAZON_TARGET_ARN "sip.amazon.targetArn"

/* Ingress (set by the ingress service). */
#define LKATTRS_NAME_INGRESS_ID "ingress.ingressID"
#define LKATTRS_NAME_INGRESS_RESOURCE_ID "ingress.resourceID"
#define LKATTRS_NAME_INGRESS_OUT_OF_NETWORK_EVENT_ID "ingress.outOfNetwork.eventID"

/* LiveKit and agents. */
#define LKATTRS_NAME_AGENT_STATE "lk.agent.state"
#define LKATTRS_NAME_AGENT_NAME "lk.agent.name"
#define LKATTRS_NAME_AGENT_INPUTS "lk.agent.inputs"
#define LKATTRS_NAME_AGENT_OUTPUTS "lk.agent.outputs"
#define LKATTRS_NAME_PUBLISH_ON_BEHALF "lk.publish_on_behalf"

/* Who reserves a name. */
typedef enum lkattrs_owner {
  LKATTRS_OWNER_NONE = 0,    /* not reserved */
  LKATTRS_OWNER_SIP = 1,     /* sip.*: the SIP service */
  LKATTRS_OWNER_INGRESS = 2, /* ingress.*: the ingress service */
  LKATTRS_OWNER_LIVEKIT = 3, /* lk.*: LiveKit itself (server, SDKs) */
  LKATTRS_OWNER_AGENT = 4    /* lk.agent.*: an agent about itself */
} lkattrs_owner;

/* lkattrs_name_info.flags */
#define LKATTRS_NAME_F_PREFIX 0x1u      /* the table entry is a prefix */
#define LKATTRS_NAME_F_PERSONAL 0x2u    /* personal data (a phone number) */
#define LKATTRS_NAME_F_HIDE_PHONE 0x4u  /* left out when hide_phone_number is set */

/*
 * What lkattrs_name_lookup() found.
 *   name, name_len  the table entry that matched: the exact name, or the
 *                   longest reserved prefix the key starts with (static,
 *                   NUL-terminated)
 *   owner           who reserves it
 *   flags           LKATTRS_NAME_F_* of that entry
 */
typedef struct lkattrs_name_info {
  const char *name;
  size_t name_len;
  lkattrs_owner owner;
  unsigned flags;
} lkattrs_name_info;

/*
 * lkattrs_name_lookup - is `key` a reserved attribute name?
 *
 * An exact table name wins; otherwise the longest table prefix the key
 * starts with (so "lk.agent.foo" is owned by AGENT, "lk.foo" by LIVEKIT,
 * "sip.h.X-Foo" is under the header prefix).  A key equal to a prefix itself
 * ("sip.") is under that prefix.
 *
 * key may be NULL only when key_len is 0.  info may be NULL; when the key is
 * not reserved, *info is set to {NULL, 0, LKATTRS_OWNER_NONE, 0}.
 * Returns true when reserved.  Thread-safe (reads a constant table).
 */
LKATTRS_API bool lkattrs_name_lookup(const char *key, size_t key_len,
                                     lkattrs_name_info *info);

/*
 * lkattrs_name_is_personal - true when `key` is a personal-data name
 * (sip.phoneNumber, sip.trunkPhoneNumber).  Thread-safe.
 */
LKATTRS_API bool lkattrs_name_is_personal(const char *key, size_t key_len);

/*
 * lkattrs_name_hidden_by_phone_setting - true when `key` must be left out of
 * a participant's attributes when the SIP trunk or rule sets
 * hide_phone_number.  As LiveKit's SIP service does, that is the two phone
 * numbers and sip.hostname (the caller's SIP host).  Thread-safe.
 */
LKATTRS_API bool lkattrs_name_hidden_by_phone_setting(const char *key,
                                                      size_t key_len);

/*
 * lkattrs_name_count / lkattrs_name_at - enumerate the table (names and
 * prefixes, in table order).  lkattrs_name_at() returns false when
 * index >= lkattrs_name_count(); info must not be NULL.  Thread-safe.
 */
LKATTRS_API size_t lkattrs_name_count(void);
LKATTRS_API bool lkattrs_name_at(size_t index, lkattrs_name_info *info);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_NAMES_H */
