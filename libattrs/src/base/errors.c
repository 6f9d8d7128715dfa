/* errors.c - status strings, reason mapping, detail helpers. */
#include "lkattrs/errors.h"

#include "base.h"

const char *lkattrs_strerror(lkattrs_status status) {
#ifdef LKATTRS_NO_ERRMSG
  (void)status;
  return "";
#else
  switch (status) {
    case LKATTRS_OK: return "success";
    case LKATTRS_E_INVALID_ARGUMENT: return "invalid argument";
    case LKATTRS_E_NOMEM: return "out of memory";
    case LKATTRS_E_NOSPACE: return "fixed storage is full";
    case LKATTRS_E_UNSUPPORTED: return "not supported in this build";
    case LKATTRS_E_NOT_FOUND: return "not found";
    case LKATTRS_E_BUFFER_TOO_SMALL: return "output buffer too small";
    case LKATTRS_E_KEY_EMPTY: return "empty key";
    case LKATTRS_E_KEY_TOO_LONG: return "key too long";
    case LKATTRS_E_VALUE_TOO_LONG: return "value too long";
    case LKATTRS_E_UTF8: return "invalid UTF-8";
    case LKATTRS_E_NUL: return "U+0000 not allowed";
    case LKATTRS_E_CONTROL_CHAR: return "control character in key";
    case LKATTRS_E_TOO_LARGE: return "attributes too large";
    case LKATTRS_E_TOO_MANY_ENTRIES: return "too many attributes";
    case LKATTRS_E_NOT_ALLOWED: return "not allowed to update attributes";
    case LKATTRS_E_RESERVED_NAME: return "reserved attribute name";
    case LKATTRS_E_WIRE_TRUNCATED: return "truncated encoded input";
    case LKATTRS_E_WIRE_MALFORMED: return "malformed encoded input";
  }
  return "unknown error";
#endif
}

int lkattrs_status_to_reason(lkattrs_status status) {
  switch (status) {
    case LKATTRS_OK: return LKATTRS_REASON_OK;
    case LKATTRS_E_NOT_FOUND: return LKATTRS_REASON_NOT_FOUND;
    case LKATTRS_E_NOT_ALLOWED:
    case LKATTRS_E_RESERVED_NAME: return LKATTRS_REASON_NOT_ALLOWED;
    case LKATTRS_E_NOSPACE:
    case LKATTRS_E_KEY_TOO_LONG:
    case LKATTRS_E_VALUE_TOO_LONG:
    case LKATTRS_E_TOO_LARGE:
    case LKATTRS_E_TOO_MANY_ENTRIES: return LKATTRS_REASON_LIMIT_EXCEEDED;
    case LKATTRS_E_KEY_EMPTY:
    case LKATTRS_E_UTF8:
    case LKATTRS_E_NUL:
    case LKATTRS_E_CONTROL_CHAR:
    case LKATTRS_E_WIRE_TRUNCATED:
    case LKATTRS_E_WIRE_MALFORMED: return LKATTRS_REASON_INVALID_REQUEST;
    case LKATTRS_E_INVALID_ARGUMENT:
    case LKATTRS_E_NOMEM:
    case LKATTRS_E_UNSUPPORTED:
    case LKATTRS_E_BUFFER_TOO_SMALL: break;
  }
  return LKATTRS_REASON_UNCLASSIFIED_ERROR;
}

lkattrs_status lkattrs__fail(lkattrs_error_detail *detail, lkattrs_status code,
                             const char *key, size_t key_len, size_t index,
                             size_t offset, bool in_value, const char *message) {
  if (detail) {
    detail->code = code;
    detail->key = key;
    detail->key_len = key_len;
    detail->index = index;
    detail->offset = offset;
    detail->in_value = in_value;
    detail->message = message ? message : lkattrs_strerror(code);
  }
  return code;
}

void lkattrs__ok(lkattrs_error_detail *detail) {
  (void)lkattrs__fail(detail, LKATTRS_OK, NULL, 0, LKATTRS_NO_INDEX, 0, false, "");
}
