/*
 * fuzz_token.c - libFuzzer harness for lktoken_verify_opts() (hostile
 * tokens) and lktoken_claims_from_json() (hostile payloads).  The first
 * input byte picks the target.  Build: make fuzz-token (clang).
 * Every input must return a status, never crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>

#include "lktoken/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char secret[] = "fuzz-secret";
  if (size == 0) return 0;
  lktoken_claims c;
  lktoken_error e;
  lktoken_status st;
  if (data[0] & 1) {
    lktoken_verify_params p = {0};
    p.now = 1700000000;
    p.leeway = 10;
    p.allow_missing_exp = (data[0] & 2) != 0;
    st = lktoken_verify_opts((const char *)data + 1, size - 1, secret,
                             sizeof secret - 1, &p, &c, &e);
  } else {
    st = lktoken_claims_from_json((const char *)data + 1, size - 1, NULL, NULL,
                                  &c, &e);
  }
  if (st == LKTOKEN_OK) {
    char buf[4096];
    size_t n;
    (void)lktoken_claims_to_json(&c, buf, sizeof buf, &n, NULL);
  }
  lktoken_claims_free(&c);
  return 0;
}
