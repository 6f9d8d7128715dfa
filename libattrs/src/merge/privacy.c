/* privacy.c - a redacted rendering of a map for logs. */
#include "lkattrs/privacy.h"

#include <string.h>

#include "../rules/rules.h"
#include "../storage/storage.h"
#include "lkattrs/names.h"

typedef struct {
  char *p;
  size_t n, cap;
} text;

static void put(text *t, const char *s, size_t len) {
  if (t->p && t->n + len <= t->cap) memcpy(t->p + t->n, s, len);
  t->n += len;
}

static void put_json(text *t, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  put(t, "\"", 1);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      put(t, e, 2);
    } else if (c < 0x20) {
      char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      put(t, e, 6);
    } else {
      put(t, s + i, 1);
    }
  }
  put(t, "\"", 1);
}

lkattrs_status lkattrs_redact_format(const lkattrs_map *map, unsigned flags,
                                     char *out, size_t cap, size_t *needed) {
  text t = {out, 0, cap};
  if (needed) *needed = 0;
  if (!map || (!out && cap) || (flags & ~LKATTRS_REDACT_ALL_VALUES))
    return LKATTRS_E_INVALID_ARGUMENT;
  put(&t, "{", 1);
  for (size_t i = 0; i < lkattrs_map_count(map); i++) {
    lkattrs_entry e;
    lkattrs__entry(map, i, &e);
    if (i) put(&t, ",", 1);
    put_json(&t, e.key, e.key_len);
    put(&t, ":", 1);
    if ((flags & LKATTRS_REDACT_ALL_VALUES) ||
        lkattrs_name_is_personal(e.key, e.key_len) ||
        lkattrs_name_hidden_by_phone_setting(e.key, e.key_len))
      put_json(&t, LKATTRS_REDACTED, sizeof LKATTRS_REDACTED - 1);
    else
      put_json(&t, e.value, e.value_len);
  }
  put(&t, "}", 2); /* with the NUL */
  if (needed) *needed = t.n;
  if (t.n > cap) {
    if (cap) out[0] = 0;
    return LKATTRS_E_BUFFER_TOO_SMALL;
  }
  return LKATTRS_OK;
}
