/* lkproto: internal interfaces of the command-line tool (not installed).
 *
 * Modules:
 *   main.c   command line: decode, encode, list (through liblkjson,
 *            lkjson/json.h: the codec lives in libjson/), attrs, token
 *   attrs.c  `lkproto attrs merge|diff|check|names` with libattrs
 *   buf.c    the tool's growable byte buffer
 */
#ifndef LKPROTO_H
#define LKPROTO_H

#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__) || defined(__clang__)
#define LK_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define LK_PRINTF(f, a)
#endif

/* ---------------------------------------------------------------------------
 * Growable byte buffer (buf.c), always NUL-terminated once written to.
 * Allocation failure ends the program with a message: the tool has no
 * partial-output mode to fall back to (the library, liblkjson, returns
 * LKJSON_NOMEM instead). */
typedef struct lk_buf {
  char *data;
  size_t len, cap;
} lk_buf;

void lk_buf_put(lk_buf *b, const void *p, size_t n);
void lk_buf_puts(lk_buf *b, const char *s);
void lk_buf_putc(lk_buf *b, char c);
void lk_buf_printf(lk_buf *b, const char *fmt, ...) LK_PRINTF(2, 3);
void lk_buf_free(lk_buf *b);

void *lk_xcalloc(size_t n, size_t size);

/* ---------------------------------------------------------------------------
 * Attribute commands (attrs.c, on top of libattrs). */
/* Runs `lkproto attrs ARGS...` (argv[0] is the sub-command); returns the
 * exit status.  Writes its result to stdout in one piece. */
int lk_attrs_main(int argc, char **argv);
/* Prints the help of `attrs` (sub NULL) or of `attrs SUB`; returns 0, or 2
 * for an unknown sub-command. */
int lk_attrs_help(const char *sub);

#endif /* LKPROTO_H */
