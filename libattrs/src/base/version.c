/* version.c - the version of the linked library, from lkattrs/version.h. */
#include "lkattrs/info.h"

const char *lkattrs_version_string(void) { return LKATTRS_VERSION_STRING; }
unsigned lkattrs_version_number(void) { return LKATTRS_VERSION_NUMBER; }
