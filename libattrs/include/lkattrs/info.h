/*
 * lkattrs/info.h - the version of the linked library.
 *
 * lkattrs/version.h gives the version the code was compiled against (as
 * macros); these functions give the version of the library actually linked.
 * Compare them to detect a header/library mismatch.
 */
#ifndef LKATTRS_INFO_H
#define LKATTRS_INFO_H

#include "lkattrs/export.h"
#include "lkattrs/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "MAJOR.MINOR.PATCH" of the linked library (static string).  Thread-safe. */
LKATTRS_API const char *lkattrs_version_string(void);

/* MAJOR*10000 + MINOR*100 + PATCH of the linked library, to compare with
 * LKATTRS_VERSION_NUMBER (the parts: n / 10000, n / 100 % 100, n % 100).
 * Thread-safe. */
LKATTRS_API unsigned lkattrs_version_number(void);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_INFO_H */
