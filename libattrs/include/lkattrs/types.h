/*
 * lkattrs/types.h - the types every part of libattrs shares: a key/value
 * entry and the caller's allocator.  Included by lkattrs/map.h and the
 * other headers that need them.
 */
#ifndef LKATTRS_TYPES_H
#define LKATTRS_TYPES_H

#include <stddef.h>

#include "lkattrs/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A key/value pair (borrowed pointers; not necessarily NUL-terminated when
 * supplied by the caller).  An update is an array of these. */
typedef struct lkattrs_entry {
  const char *key;
  size_t key_len;
  const char *value;
  size_t value_len;
} lkattrs_entry;

/*
 * Allocator, one per map (in the style of yyjson_alc).  ctx is passed back
 * unchanged.  realloc and free receive the size of the block.  realloc must
 * leave the old block untouched when it fails.  Blocks must be aligned at
 * least for pointers and size_t (malloc's alignment is more than enough).
 * A NULL allocator pointer means libc malloc/realloc/free.
 */
typedef struct lkattrs_allocator {
  void *(*alloc)(void *ctx, size_t size);
  void *(*realloc)(void *ctx, void *ptr, size_t old_size, size_t new_size);
  void (*free)(void *ctx, void *ptr, size_t size);
  void *ctx;
} lkattrs_allocator;

/* lkattrs_libc_allocator - the allocator that NULL stands for everywhere:
 * malloc, realloc and free.  NULL in a LKATTRS_NO_MALLOC build.  The
 * returned object is static and constant.  Thread-safe. */
LKATTRS_API const lkattrs_allocator *lkattrs_libc_allocator(void);

#ifdef __cplusplus
}
#endif

#endif /* LKATTRS_TYPES_H */
