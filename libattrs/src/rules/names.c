/* names.c - the table of reserved attribute names and prefixes. */
#include "lkattrs/names.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PFX LKATTRS_NAME_F_PREFIX
#define PHONE (LKATTRS_NAME_F_PERSONAL | LKATTRS_NAME_F_HIDE_PHONE)
#define SIP LKATTRS_OWNER_SIP
#define ING LKATTRS_OWNER_INGRESS
#define LK LKATTRS_OWNER_LIVEKIT
#define AGENT LKATTRS_OWNER_AGENT

/* The one table: X(id, name, owner, flags).  Prefixes end with '.'; an
 * exact name beats a prefix, a longer prefix beats a shorter one. */
#define NAMES(X)                                                  \
  X(sip, LKATTRS_PREFIX_SIP, SIP, PFX)                            \
  X(sip_h, LKATTRS_PREFIX_SIP_HEADER, SIP, PFX)                   \
  X(call_id, LKATTRS_NAME_SIP_CALL_ID, SIP, 0)                    \
  X(call_id_full, LKATTRS_NAME_SIP_CALL_ID_FULL, SIP, 0)          \
  X(call_tag, LKATTRS_NAME_SIP_CALL_TAG, SIP, 0)                  \
  X(trunk_id, LKATTRS_NAME_SIP_TRUNK_ID, SIP, 0)                  \
  X(rule_id, LKATTRS_NAME_SIP_DISPATCH_RULE_ID, SIP, 0)           \
  X(trunk_phone, LKATTRS_NAME_SIP_TRUNK_PHONE_NUMBER, SIP, PHONE) \
  X(phone, LKATTRS_NAME_SIP_PHONE_NUMBER, SIP, PHONE)             \
  X(hostname, LKATTRS_NAME_SIP_HOSTNAME, SIP, LKATTRS_NAME_F_HIDE_PHONE) \
  X(call_status, LKATTRS_NAME_SIP_CALL_STATUS, SIP, 0)            \
  X(twilio_acc, LKATTRS_NAME_SIP_TWILIO_ACCOUNT_SID, SIP, 0)      \
  X(twilio_call, LKATTRS_NAME_SIP_TWILIO_CALL_SID, SIP, 0)        \
  X(telnyx_leg, LKATTRS_NAME_SIP_TELNYX_CALL_LEG_ID, SIP, 0)      \
  X(telnyx_sess, LKATTRS_NAME_SIP_TELNYX_CALL_SESSION_ID, SIP, 0) \
  X(amz_contact, LKATTRS_NAME_SIP_AMAZON_CONTACT_ID, SIP, 0)      \
  X(amz_initial, LKATTRS_NAME_SIP_AMAZON_INITIAL_CONTACT_ID, SIP, 0) \
  X(amz_account, LKATTRS_NAME_SIP_AMAZON_SOURCE_ACCOUNT, SIP, 0)  \
  X(amz_source, LKATTRS_NAME_SIP_AMAZON_SOURCE_ARN, SIP, 0)       \
  X(amz_target, LKATTRS_NAME_SIP_AMAZON_TARGET_ARN, SIP, 0)       \
  X(ingress, LKATTRS_PREFIX_INGRESS, ING, PFX)                    \
  X(ingress_oon, LKATTRS_PREFIX_INGRESS_OUT_OF_NETWORK, ING, PFX) \
  X(ingress_id, LKATTRS_NAME_INGRESS_ID, ING, 0)                  \
  X(resource_id, LKATTRS_NAME_INGRESS_RESOURCE_ID, ING, 0)        \
  X(oon_event, LKATTRS_NAME_INGRESS_OUT_OF_NETWORK_EVENT_ID, ING, 0) \
  X(lk, LKATTRS_PREFIX_LIVEKIT, LK, PFX)                          \
  X(agent, LKATTRS_PREFIX_AGENT, AGENT, PFX)                      \
  X(agent_state, LKATTRS_NAME_AGENT_STATE, AGENT, 0)              \
  X(agent_name, LKATTRS_NAME_AGENT_NAME, AGENT, 0)                \
  X(agent_inputs, LKATTRS_NAME_AGENT_INPUTS, AGENT, 0)            \
  X(agent_outputs, LKATTRS_NAME_AGENT_OUTPUTS, AGENT, 0)          \
  X(on_behalf, LKATTRS_NAME_PUBLISH_ON_BEHALF, LK, 0)

/* All names in one blob (a struct of char arrays: no padding, no
 * pointers), and 4-byte rows that point into it. */
#define FIELD(id, s, o, f) char id[sizeof(s)];
#define INIT(id, s, o, f) s,
#define ROW(id, s, o, f) {(uint16_t)offsetof(blob_t, id), sizeof(s) - 1, (o) << 4 | (f)},
typedef struct { NAMES(FIELD) } blob_t;
static const blob_t blob = {NAMES(INIT)};

typedef struct {
  uint16_t off;
  uint8_t len;
  uint8_t meta; /* owner << 4 | flags */
} name_row;

static const name_row names[] = {NAMES(ROW)};

#define NAME_COUNT (sizeof(names) / sizeof(names[0]))
#define NAME(r) ((const char *)&blob + (r)->off)

static void fill(const name_row *r, lkattrs_name_info *info) {
  if (!info) return;
  info->name = r ? NAME(r) : NULL;
  info->name_len = r ? r->len : 0;
  info->owner = (lkattrs_owner)(r ? r->meta >> 4 : 0);
  info->flags = r ? r->meta & 15u : 0;
}

bool lkattrs_name_lookup(const char *key, size_t key_len,
                         lkattrs_name_info *info) {
  const name_row *best = NULL;
  /* Every reserved name starts with 'i', 'l' or 's': quick exit. */
  if (key && key_len > 2 && (key[0] == 'i' || key[0] == 'l' || key[0] == 's')) {
    for (size_t i = 0; i < NAME_COUNT; i++) {
      const name_row *r = &names[i];
      if (key_len < r->len || NAME(r)[0] != key[0] || NAME(r)[1] != key[1] ||
          memcmp(key, NAME(r), r->len) != 0)
        continue;
      if (!(r->meta & PFX)) {
        if (key_len == r->len) {
          best = r;
          break;
        }
      } else if (!best || r->len > best->len) {
        best = r;
      }
    }
  }
  fill(best, info);
  return best != NULL;
}

static unsigned name_flags(const char *key, size_t key_len) {
  lkattrs_name_info info;
  return lkattrs_name_lookup(key, key_len, &info) ? info.flags : 0;
}

bool lkattrs_name_is_personal(const char *key, size_t key_len) {
  return (name_flags(key, key_len) & LKATTRS_NAME_F_PERSONAL) != 0;
}

bool lkattrs_name_hidden_by_phone_setting(const char *key, size_t key_len) {
  return (name_flags(key, key_len) & LKATTRS_NAME_F_HIDE_PHONE) != 0;
}

size_t lkattrs_name_count(void) { return NAME_COUNT; }

bool lkattrs_name_at(size_t index, lkattrs_name_info *info) {
  if (index >= NAME_COUNT || !info) return false;
  fill(&names[index], info);
  return true;
}
