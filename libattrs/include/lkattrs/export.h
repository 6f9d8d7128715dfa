/*
 * lkattrs/export.h - export and contract macros, and the compile-time
 * switches of libattrs in one place.
 *
 * Compile-time switches (define them on the compiler command line, the same
 * way for the library and for the code that includes its headers):
 *
 *   LKATTRS_NO_MALLOC   Remove heap mode: lkattrs_map_new() and
 *                       lkattrs_participant_new() still exist but return
 *                       LKATTRS_E_UNSUPPORTED, lkattrs_libc_allocator() is
 *                       NULL, and a NULL allocator is refused.  Nothing in
 *                       the library then calls malloc/realloc/free.
 *                       Fixed-storage maps and states work as usual.
 *   LKATTRS_NO_ERRMSG   Remove the error strings: lkattrs_strerror() returns
 *                       "" and lkattrs_error_detail.message is "".  Saves
 *                       flash on firmware.
 */
#ifndef LKATTRS_EXPORT_H
#define LKATTRS_EXPORT_H

/* LKATTRS_API marks every public function (default visibility, so the
 * library can be built with -fvisibility=hidden). */
#ifndef LKATTRS_API
#  if defined(__GNUC__) || defined(__clang__)
#    define LKATTRS_API __attribute__((visibility("default")))
#  else
#    define LKATTRS_API
#  endif
#endif

/* LKATTRS_NODISCARD marks functions whose status must be checked. */
#ifndef LKATTRS_NODISCARD
#  if defined(__GNUC__) || defined(__clang__)
#    define LKATTRS_NODISCARD __attribute__((warn_unused_result))
#  else
#    define LKATTRS_NODISCARD
#  endif
#endif

/* LKATTRS_DEPRECATED(msg) marks an API that will go away. */
#ifndef LKATTRS_DEPRECATED
#  if defined(__GNUC__) || defined(__clang__)
#    define LKATTRS_DEPRECATED(msg) __attribute__((deprecated(msg)))
#  else
#    define LKATTRS_DEPRECATED(msg)
#  endif
#endif

#endif /* LKATTRS_EXPORT_H */
