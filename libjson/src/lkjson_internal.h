/* liblkjson: internal interfaces (not installed).
 *
 * Modules:
 *   registry.c    the table of every message and enum descriptor of the
 *                 generated protobuf-c code (types.c, generated at build time
 *                 by libjson/gen-types.sh, sorted by full name), name lookup,
 *                 JSON names, map-entry detection
 *   wire_decode.c strict, descriptor-driven wire reader: validates and decodes
 *                 binary protobuf into a small value tree (lkjson__msg)
 *   json_out.c    the value tree as canonical proto3 JSON (what
 *                 @bufbuild/protobuf's toJson() writes)
 *   json_parse.c  a strict JSON parser into a value tree in the arena
 *   json_in.c     proto3 JSON (that tree) into a protobuf-c message struct,
 *                 packed with protobuf_c_message_pack()
 *   util.c        allocator, arena, growable buffer, errors, base64, UTF-8,
 *                 number format
 *   api.c         the public functions of lkjson/json.h
 * Every allocation goes through the caller's allocator (lkjson_allocator):
 * buffers keep a sticky out-of-memory flag, the arena returns NULL; nothing
 * aborts.
 */
#ifndef LKJSON_INTERNAL_H
#define LKJSON_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "lkjson/json.h"

#if defined(__GNUC__) || defined(__clang__)
#define LKJSON__PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LKJSON__NODISCARD __attribute__((warn_unused_result))
#else
#define LKJSON__PRINTF(f, a)
#define LKJSON__NODISCARD
#endif

/* Deepest message nesting accepted, in binary and in JSON (protobuf's own
 * default recursion limit). */
#define LKJSON__MAX_DEPTH 100

/* ---------------------------------------------------------------------------
 * Memory (util.c).  a is never NULL here (api.c resolves NULL to libc). */
extern const lkjson_allocator lkjson__libc;

/* An arena of blocks from the allocator: many small allocations, freed all
 * at once.  lkjson__arena_alloc returns NULL when the allocator fails. */
typedef struct lkjson__block lkjson__block;
typedef struct lkjson__arena {
  const lkjson_allocator *a;
  lkjson__block *head;
  char *cur;
  size_t left;
} lkjson__arena;

void lkjson__arena_init(lkjson__arena *ar, const lkjson_allocator *a);
void *lkjson__arena_alloc(lkjson__arena *ar, size_t n);
/* Like realloc within the arena: grows in place when p is the last
 * allocation, otherwise copies.  p may be NULL (old 0). */
void *lkjson__arena_grow(lkjson__arena *ar, void *p, size_t old, size_t n);
void lkjson__arena_free(lkjson__arena *ar);

/* Growable byte buffer; always NUL-terminated when data is not NULL.  An
 * allocation failure sets `oom`, after which every put is a no-op: the
 * caller checks oom once at the end. */
typedef struct lkjson__buf {
  char *data;
  size_t len, cap;
  const lkjson_allocator *a;
  int oom;
} lkjson__buf;

void lkjson__buf_init(lkjson__buf *b, const lkjson_allocator *a);
void lkjson__buf_put(lkjson__buf *b, const void *p, size_t n);
void lkjson__buf_puts(lkjson__buf *b, const char *s);
void lkjson__buf_putc_slow(lkjson__buf *b, char c);
static inline void lkjson__buf_putc(lkjson__buf *b, char c) {
  if (b->len + 1 < b->cap) { /* the common case: room for c and the NUL */
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return;
  }
  lkjson__buf_putc_slow(b, c);
}
void lkjson__buf_printf(lkjson__buf *b, const char *fmt, ...) LKJSON__PRINTF(2, 3);
void lkjson__buf_free(lkjson__buf *b);

/* ---------------------------------------------------------------------------
 * Errors: one message, formatted once, and its status. */
typedef struct lkjson__err {
  lkjson_status status;
  size_t offset;
  int line, column;
  char path[LKJSON_ERROR_PATH_SIZE];
  char msg[LKJSON_ERROR_MESSAGE_SIZE];
} lkjson__err;

void lkjson__err_set(lkjson__err *e, lkjson_status st, const char *fmt, ...) LKJSON__PRINTF(3, 4);

/* Where a decoder or encoder is inside a message, for error messages:
 * a stack of field names with an optional repeated index. */
typedef struct lkjson__path_item {
  const char *name;
  long index;      /* -1: not repeated */
  const char *key; /* map key (JSON input), or NULL */
} lkjson__path_item;

typedef struct lkjson__path {
  lkjson__path_item items[2 * LKJSON__MAX_DEPTH + 8];
  int depth;
} lkjson__path;

static inline lkjson__path_item *lkjson__path_push(lkjson__path *p, const char *name, long index) {
  lkjson__path_item *it = &p->items[p->depth++];
  it->name = name;
  it->index = index;
  it->key = NULL;
  return it;
}

/* Writes the path as `tracks[1].name` (`attributes["k"]`) into out ("(top level)" when empty). */
void lkjson__path_format(const lkjson__path *p, char *out, size_t outsz);

/* ---------------------------------------------------------------------------
 * Encodings (util.c). */
/* The number of bytes at the start of [s, s+n) that a JSON string holds as
 * they are: printable ASCII other than '"' and '\\' (8 bytes at a time). */
static inline size_t lkjson__plain_prefix(const unsigned char *s, size_t n) {
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  size_t i = 0;
  while (n - i >= 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    uint64_t bad = (w & highs) | ((w - ones * 0x20) & ~w & highs) | ((q - ones) & ~q & highs) |
                   ((b - ones) & ~b & highs);
    if (bad) break;
    i += 8;
  }
  while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\') i++;
  return i;
}

/* 1 when [s, s+n) is valid UTF-8 (no overlong forms, no surrogates, at most
 * U+10FFFF); otherwise 0 and *bad is the offset of the first bad byte. */
int lkjson__utf8_valid(const unsigned char *s, size_t n, size_t *bad);
void lkjson__base64_encode(lkjson__buf *out, const unsigned char *p, size_t n);
/* The decoder of @bufbuild/protobuf 1.10.1 (standard and URL-safe alphabet,
 * padding optional, whitespace skipped) into out (at least n*3/4+3 bytes);
 * *outn the bytes written.  Returns 0 on invalid input. */
LKJSON__NODISCARD int lkjson__base64_decode(const char *s, size_t n, unsigned char *out,
                                            size_t *outn);
/* Shortest decimal that reads back as the same double (what JavaScript's
 * Number#toString gives, up to notation).  Not for NaN or infinities. */
void lkjson__format_double(lkjson__buf *out, double d);

/* ---------------------------------------------------------------------------
 * Type registry (registry.c). */
typedef struct lkjson__type {
  const char *name; /* full name */
  int is_enum;
  const ProtobufCMessageDescriptor *msg;
  const ProtobufCEnumDescriptor *enm;
} lkjson__type;

/* The generated table (build/gen/lkjson/types.c), sorted by name. */
extern const lkjson__type lkjson__types[];
extern const size_t lkjson__n_types;

/* The type of that exact full name (no leading dot), or NULL. */
const lkjson__type *lkjson__type_get(const char *full_name);
/* See lkjson_type_resolve(). */
const lkjson__type *lkjson__type_resolve(const char *name, int *ambiguous);
/* The message of that full name (map entries included), or NULL. */
const ProtobufCMessageDescriptor *lkjson__message_find(const char *full_name);

/* 1 when desc is the synthetic entry type of a map field (`XxxEntry`). */
int lkjson__is_map_entry(const ProtobufCMessageDescriptor *desc);
/* 1 when field f is a map field (a repeated map-entry message). */
int lkjson__field_is_map(const ProtobufCFieldDescriptor *f);
/* The lowerCamelCase JSON name of a field (protoc's rule). */
void lkjson__json_name(const char *proto_name, char *out, size_t outsz);
/* The name of an enum value, or NULL when the number is unknown. */
const char *lkjson__enum_name(const ProtobufCEnumDescriptor *e, int value);
/* Finds an enum value by name; returns 1 and sets *value when found. */
int lkjson__enum_value(const ProtobufCEnumDescriptor *e, const char *name, int *value);
/* Field by number, or NULL. */
const ProtobufCFieldDescriptor *lkjson__field_by_number(const ProtobufCMessageDescriptor *d,
                                                        uint32_t number);

/* The well-known types with a special JSON form (google.protobuf.Empty and
 * the other plain ones are LKJSON__WKT_NONE: ordinary messages). */
enum {
  LKJSON__WKT_NONE = 0, LKJSON__WKT_TIMESTAMP, LKJSON__WKT_DURATION, LKJSON__WKT_ANY,
  LKJSON__WKT_STRUCT, LKJSON__WKT_VALUE, LKJSON__WKT_LIST_VALUE, LKJSON__WKT_UNSUPPORTED
};
int lkjson__wkt(const ProtobufCMessageDescriptor *d);

/* ---------------------------------------------------------------------------
 * Decoded value tree (wire_decode.c), in an arena.  Strings and bytes point
 * into the input buffer, which must outlive the tree. */
typedef struct lkjson__msg lkjson__msg;

typedef union lkjson__val {
  uint64_t u;                         /* varint, fixed32/64, float/double bits */
  struct { size_t off, len; } s;      /* string, bytes: span of the input */
  lkjson__msg *m;                     /* message */
} lkjson__val;

typedef struct lkjson__slot {
  unsigned field;      /* index into desc->fields */
  size_t n, cap;       /* repeated: number of values */
  lkjson__val one;     /* singular value */
  lkjson__val *many;   /* repeated values */
} lkjson__slot;

struct lkjson__msg {
  const ProtobufCMessageDescriptor *desc;
  lkjson__slot *slots;
  size_t n, cap;
};

/* Decodes [buf+start, buf+end) as a message of type desc, strictly, into
 * the arena.  Returns the tree, or NULL with e set (LKJSON_BAD_WIRE: the
 * message names the field path and the byte offset relative to buf+base;
 * LKJSON_NOMEM). */
LKJSON__NODISCARD lkjson__msg *lkjson__wire_decode(lkjson__arena *ar,
                                                   const ProtobufCMessageDescriptor *desc,
                                                   const unsigned char *buf, size_t start,
                                                   size_t end, size_t base, int depth,
                                                   lkjson__err *e);
const lkjson__slot *lkjson__msg_slot(const lkjson__msg *m, unsigned field);

/* ---------------------------------------------------------------------------
 * JSON (json_out.c, json_in.c). */
/* Appends the canonical JSON of message m (decoded from buf) to out, with
 * the LKJSON_* write flags.  Returns 0 and sets e when the message has no
 * JSON form (for example a Timestamp out of range, an Any of an unknown
 * type) or memory ran out (out->oom is also checked by the caller). */
LKJSON__NODISCARD int lkjson__json_write(lkjson__arena *ar, lkjson__buf *out,
                                         const lkjson__msg *m, const unsigned char *buf,
                                         unsigned flags, lkjson__err *e);

/* The JSON value tree (json_parse.c), in an arena.  Strings are
 * NUL-terminated (and may hold U+0000: n is their length). */
#define LKJSON__JSON_MAX_DEPTH 512
enum {
  LKJSON__JNULL = 0, LKJSON__JFALSE, LKJSON__JTRUE, LKJSON__JNUMBER, LKJSON__JSTRING,
  LKJSON__JARRAY, LKJSON__JOBJECT
};
typedef struct lkjson__jv lkjson__jv;
typedef struct lkjson__jmember {
  const char *key;
  size_t key_len;
  lkjson__jv *val;
} lkjson__jmember;
struct lkjson__jv {
  int type;
  int is_int;  /* number: integer syntax, fits int64 (then i) */
  size_t n;    /* string: bytes; array, object: elements */
  union {
    const char *s;
    lkjson__jv **items;
    lkjson__jmember *members; /* in document order, keys unique */
  } u;
  double d;    /* number */
  int64_t i;
};
/* Parses [text, text+n) into the arena; NULL with e set (LKJSON_BAD_SYNTAX
 * with line, column and offset; LKJSON_NOMEM).  *int_overflow: an integer
 * literal did not fit 64 bits. */
LKJSON__NODISCARD lkjson__jv *lkjson__json_parse(lkjson__arena *ar, const char *text, size_t n,
                                                 int *int_overflow, lkjson__err *e);
/* The member `key` of an object, or NULL. */
const lkjson__jv *lkjson__jv_get(const lkjson__jv *obj, const char *key);

/* Parses one JSON document [text, text+n) as a message of type desc and
 * builds its protobuf-c message struct in the arena; returns it (to pack),
 * or NULL with e set. */
LKJSON__NODISCARD ProtobufCMessage *lkjson__json_read(lkjson__arena *ar,
                                                      const ProtobufCMessageDescriptor *desc,
                                                      const char *text, size_t n,
                                                      unsigned flags, lkjson__err *e);

#endif /* LKJSON_INTERNAL_H */
