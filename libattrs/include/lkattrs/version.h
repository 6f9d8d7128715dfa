/*
 * lkattrs/version.h - the one source of truth for the release version.
 *
 * The Makefile reads LKATTRS_VERSION_MAJOR/MINOR/PATCH from this file, so
 * the numbers here, the library's lkattrs_version*() functions and the
 * package metadata always agree.  Keep each #define on one line.
 */
#ifndef LKATTRS_VERSION_H
#define LKATTRS_VERSION_H

#define LKATTRS_VERSION_MAJOR 0
#define LKATTRS_VERSION_MINOR 1
#define LKATTRS_VERSION_PATCH 0

/* ABI major of the shared library: its SONAME is liblkattrs.so.<ABI_MAJOR>.
 * Kept apart from the release version: bumped only by an incompatible change
 * of the ABI (a removed or changed function, a changed struct layout or enum
 * value), whatever the release number says.  Read by the Makefile too. */
#define LKATTRS_ABI_MAJOR 0

#define LKATTRS_STRINGIFY_(x) #x
#define LKATTRS_STRINGIFY(x) LKATTRS_STRINGIFY_(x)

/* "MAJOR.MINOR.PATCH" as a string literal. */
#define LKATTRS_VERSION_STRING            \
  LKATTRS_STRINGIFY(LKATTRS_VERSION_MAJOR) "." \
  LKATTRS_STRINGIFY(LKATTRS_VERSION_MINOR) "." \
  LKATTRS_STRINGIFY(LKATTRS_VERSION_PATCH)

/* One number for #if comparisons: MAJOR*10000 + MINOR*100 + PATCH. */
#define LKATTRS_VERSION_NUMBER \
  (LKATTRS_VERSION_MAJOR * 10000 + LKATTRS_VERSION_MINOR * 100 + LKATTRS_VERSION_PATCH)

#endif /* LKATTRS_VERSION_H */
