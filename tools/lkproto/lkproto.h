/* lkproto: internal interfaces of the command-line tool (not installed).
 *
 * Modules:
 *   registry.c   the table of every message and enum descriptor of the
 *                generated protobuf-c code (types.c, generated at build time),
 *                name lookup, JSON names, map-entry detection
 *   wire_decode.c strict, descriptor-driven wire reader: validates and decodes
 *                binary protobuf into a small value tree (lk_msg)
 *   json_out.c   the value tree as canonical proto3 JSON (what
 *                @bufbuild/protobuf's toJson() writes with default options)
 *   json_in.c    proto3 JSON (parsed by jansson) into a protobuf-c message
 *                struct, packed with protobuf_c_message_pack()
 *   util.c       growable byte buffer, errors, base64, UTF-8, number format
 *   attrs.c      `lkproto attrs merge|diff|check|names` with libattrs
 *   main.c       command line
 */
#ifndef LKPROTO_H
#define LKPROTO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

#if defined(__GNUC__) || defined(__clang__)
#define LK_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LK_NODISCARD __attribute__((warn_unused_result))
#else
#define LK_PRINTF(f, a)
#define LK_NODISCARD
#endif

/* Deepest message nesting accepted, in binary and in JSON (protobuf's own
 * default recursion limit). */
#define LK_MAX_DEPTH 100

/* ---------------------------------------------------------------------------
 * Growable byte buffer (util.c).  Allocation failure aborts the program with
 * a message: the tool has no partial-output mode to fall back to. */
typedef struct lk_buf {
  char *data;
  size_t len, cap;
} lk_buf;

void lk_buf_put(lk_buf *b, const void *p, size_t n);
void lk_buf_puts(lk_buf *b, const char *s);
void lk_buf_putc(lk_buf *b, char c);
void lk_buf_printf(lk_buf *b, const char *fmt, ...) LK_PRINTF(2, 3);
void lk_buf_free(lk_buf *b);

void *lk_xmalloc(size_t n);
void *lk_xcalloc(size_t n, size_t size);
void *lk_xrealloc(void *p, size_t n);

/* ---------------------------------------------------------------------------
 * Errors: one message, formatted once, printed by main.c. */
typedef struct lk_err {
  char msg[1024];
} lk_err;

void lk_err_set(lk_err *e, const char *fmt, ...) LK_PRINTF(2, 3);

/* Where a decoder or encoder is inside a message, for error messages:
 * a stack of field names with an optional repeated index. */
typedef struct lk_path_item {
  const char *name;
  long index;      /* -1: not repeated */
  const char *key; /* map key (JSON input), or NULL */
} lk_path_item;

typedef struct lk_path {
  lk_path_item items[2 * LK_MAX_DEPTH + 8];
  int depth;
} lk_path;

static inline lk_path_item *lk_path_push(lk_path *p, const char *name, long index) {
  lk_path_item *it = &p->items[p->depth++];
  it->name = name;
  it->index = index;
  it->key = NULL;
  return it;
}

/* Writes the path as `tracks[1].name` (`attributes["k"]`) into out ("(top level)" when empty). */
void lk_path_format(const lk_path *p, char *out, size_t outsz);

/* ---------------------------------------------------------------------------
 * Encodings (util.c). */
/* 1 when [s, s+n) is valid UTF-8 (no overlong forms, no surrogates, at most
 * U+10FFFF); otherwise 0 and *bad is the offset of the first bad byte. */
int lk_utf8_valid(const unsigned char *s, size_t n, size_t *bad);
void lk_base64_encode(lk_buf *out, const unsigned char *p, size_t n);
/* The decoder of @bufbuild/protobuf 1.10.1 (standard and URL-safe alphabet,
 * padding optional, whitespace skipped).  Returns 0 on invalid input. */
LK_NODISCARD int lk_base64_decode(const char *s, size_t n, lk_buf *out);
/* Shortest decimal that reads back as the same double (what JavaScript's
 * Number#toString gives, up to notation).  Not for NaN or infinities. */
void lk_format_double(lk_buf *out, double d);

/* ---------------------------------------------------------------------------
 * Type registry (registry.c). */
typedef struct lk_type {
  int is_enum;
  const ProtobufCMessageDescriptor *msg;
  const ProtobufCEnumDescriptor *enm;
} lk_type;

/* The generated table (build/gen/lkproto_types.c). */
extern const lk_type lk_types[];
extern const size_t lk_n_types;

const char *lk_type_name(const lk_type *t);
/* Looks a type up by full name (`livekit.ParticipantInfo`), by name without
 * the package (`ParticipantInfo`, `ParticipantInfo.Kind`, `ChatContext` of
 * livekit.agent), relative to package livekit (`agent.ChatContext`), or with
 * a leading dot.  A name in package livekit wins over the same name in
 * another package (`ServerMessage` is livekit.ServerMessage; the agent one is
 * `agent.ServerMessage`).  Returns NULL when unknown (or, with *ambiguous set,
 * when several other packages define that name).  Map entry types are not
 * found. */
const lk_type *lk_type_find(const char *name, int *ambiguous);
const ProtobufCMessageDescriptor *lk_message_find(const char *full_name);

/* 1 when desc is the synthetic entry type of a map field (`XxxEntry`). */
int lk_is_map_entry(const ProtobufCMessageDescriptor *desc);
/* 1 when field f is a map field (a repeated map-entry message). */
int lk_field_is_map(const ProtobufCFieldDescriptor *f);
/* The lowerCamelCase JSON name of a field (protoc's rule). */
void lk_json_name(const char *proto_name, char *out, size_t outsz);
/* The name of an enum value, or NULL when the number is unknown. */
const char *lk_enum_name(const ProtobufCEnumDescriptor *e, int value);
/* Finds an enum value by name; returns 1 and sets *value when found. */
int lk_enum_value(const ProtobufCEnumDescriptor *e, const char *name, int *value);
/* Field by number, or NULL. */
const ProtobufCFieldDescriptor *lk_field_by_number(const ProtobufCMessageDescriptor *d,
                                                   uint32_t number);

/* The well-known types with a special JSON form (google.protobuf.Empty and
 * the other plain ones are LK_WKT_NONE: ordinary messages). */
enum {
  LK_WKT_NONE = 0, LK_WKT_TIMESTAMP, LK_WKT_DURATION, LK_WKT_ANY,
  LK_WKT_STRUCT, LK_WKT_VALUE, LK_WKT_LIST_VALUE, LK_WKT_UNSUPPORTED
};
int lk_wkt(const ProtobufCMessageDescriptor *d);

/* ---------------------------------------------------------------------------
 * Decoded value tree (wire_decode.c).  Strings and bytes point into the
 * input buffer, which must outlive the tree. */
typedef struct lk_msg lk_msg;

typedef union lk_val {
  uint64_t u;                         /* varint, fixed32/64, float/double bits */
  struct { size_t off, len; } s;      /* string, bytes: span of the input */
  lk_msg *m;                          /* message */
} lk_val;

typedef struct lk_slot {
  unsigned field;    /* index into desc->fields */
  size_t n, cap;     /* repeated: number of values */
  lk_val one;        /* singular value */
  lk_val *many;      /* repeated values */
} lk_slot;

struct lk_msg {
  const ProtobufCMessageDescriptor *desc;
  lk_slot *slots;
  size_t n, cap;
};

/* Decodes [buf+start, buf+end) as a message of type desc, strictly.
 * Returns the tree, or NULL with e set (the message names the field path and
 * the byte offset relative to buf+base). */
LK_NODISCARD lk_msg *lk_wire_decode(const ProtobufCMessageDescriptor *desc,
                                    const unsigned char *buf, size_t start, size_t end,
                                    size_t base, int depth, lk_err *e);
void lk_msg_free(lk_msg *m);
const lk_slot *lk_msg_slot(const lk_msg *m, unsigned field);

/* ---------------------------------------------------------------------------
 * JSON (json_out.c, json_in.c). */
/* Appends the canonical JSON of message m (decoded from buf) to out.
 * Returns 0 and sets e when the message has no JSON form (for example a
 * Timestamp out of range, an Any of an unknown type). */
LK_NODISCARD int lk_json_write(lk_buf *out, const lk_msg *m, const unsigned char *buf,
                               lk_err *e);

/* Parses one JSON document [text, text+n) as a message of type desc and
 * appends its binary encoding to out.  Returns 0 and sets e on error. */
LK_NODISCARD int lk_json_encode(const ProtobufCMessageDescriptor *desc, const char *text,
                                size_t n, lk_buf *out, lk_err *e);

/* ---------------------------------------------------------------------------
 * Attribute commands (attrs.c, on top of libattrs). */
/* Runs `lkproto attrs ARGS...` (argv[0] is the sub-command); returns the
 * exit status.  Writes its result to stdout in one piece. */
int lk_attrs_main(int argc, char **argv);
/* Prints the help of `attrs` (sub NULL) or of `attrs SUB`; returns 0, or 2
 * for an unknown sub-command. */
int lk_attrs_help(const char *sub);

#endif /* LKPROTO_H */
