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
