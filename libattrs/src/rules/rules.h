/*
 * rules.h - the rules layer's private functions (text.c, validate.c), shared by
 * the layers above.  Never installed; every non-static function here is
 * prefixed lkattrs__.
 */
#ifndef LKATTRS_RULES_H
#define LKATTRS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "lkattrs/errors.h"
#include "lkattrs/types.h"
#include "lkattrs/validate.h"

/* limits, or the defaults (LKATTRS_LIMITS_INIT) when NULL. */
const lkattrs_limits *lkattrs__limits_or_default(const lkattrs_limits *limits);

/* Check s[0..len) as a key (controls forbidden) or a value.  Returns OK,
 * E_UTF8, E_NUL or E_CONTROL_CHAR, with *bad at the first bad byte. */
lkattrs_status lkattrs__check_text(const char *s, size_t len, bool key,
                                   size_t *bad);

/* Validate one update entry: key and value rules under `limits`, and the
 * namespace rule for `origin` unless `namespaces` is false.  Fills detail
 * with `index`. */
lkattrs_status lkattrs__check_entry(const lkattrs_entry *e, size_t index,
                                    const lkattrs_limits *limits,
                                    lkattrs_origin origin, bool namespaces,
                                    lkattrs_error_detail *detail);

#endif /* LKATTRS_RULES_H */
