/*
 * lkattrs/lkattrs.h - umbrella header: includes every core header of
 * libattrs, the LiveKit participant attribute library.
 *
 *   lkattrs/export.h    export/contract macros, compile-time switches
 *   lkattrs/version.h   version macros (compile time)
 *   lkattrs/info.h      version of the linked library
 *   lkattrs/errors.h    status codes, error details, LiveKit reasons
 *   lkattrs/types.h     the key/value entry and the allocator
 *   lkattrs/names.h     reserved attribute names and prefixes
 *   lkattrs/validate.h  key/value/size/namespace rules and limits
 *   lkattrs/map.h       the attribute map (heap or fixed storage)
 *   lkattrs/patch.h     merge, join, diff, hide_phone_number
 *   lkattrs/wire.h      maps on the protobuf wire: writer, zero-copy reader
 *   lkattrs/participant.h  a participant state: its encoded info, updates, join
 *   lkattrs/privacy.h   redacted rendering of a map for logs
 * (Adapters, not included here: lkattrs/protobufc.h, lkattrs/nanopb.h.)
 */
#ifndef LKATTRS_LKATTRS_H
#define LKATTRS_LKATTRS_H

#include "lkattrs/export.h"
#include "lkattrs/version.h"
#include "lkattrs/info.h"
#include "lkattrs/errors.h"
#include "lkattrs/types.h"
#include "lkattrs/names.h"
#include "lkattrs/validate.h"
#include "lkattrs/map.h"
#include "lkattrs/patch.h"
#include "lkattrs/wire.h"
#include "lkattrs/participant.h"
#include "lkattrs/privacy.h"

#endif /* LKATTRS_LKATTRS_H */
