/* lkproto attrs: participant attribute operations on JSON objects of string
 * values, on top of libattrs (merge, diff, check, names).
 *
 * The command line is a contract (see lkproto.1 and README.md):
 *   lkproto attrs merge [OPTIONS] CURRENT UPDATE   the resulting map
 *   lkproto attrs diff OLD NEW                     the minimal update
 *   lkproto attrs check [OPTIONS] FILE             {"ok":true,...}
 *   lkproto attrs names                            the reserved names
 * Exit status: 0 ok, 1 invalid input or refused update (nothing on standard
 * output then), 2 usage error.  Every result is built in memory and written
 * in one piece at the end, so a failure never leaves a partial line. */
#include "lkproto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <lkattrs/lkattrs.h>
#include <lkjson/json.h>

enum { A_OK = 0, A_INVALID = 1, A_USAGE = 2 };

static const char usage_attrs[] =
    "usage: lkproto attrs merge [OPTIONS] CURRENT UPDATE\n"
    "       lkproto attrs diff OLD NEW\n"
    "       lkproto attrs check [OPTIONS] FILE\n"
    "       lkproto attrs names\n"
    "\n"
    "Participant attribute operations with libattrs.  Each file (`-` for\n"
    "standard input) holds one JSON object of string values.\n"
    "\n"
    "  merge   apply UPDATE to CURRENT (LiveKit's rules and ours); print the map\n"
    "  diff    print the minimal update from OLD to NEW (livekit-client's\n"
    "          attributesChanged: new value, or \"\" for a removed key)\n"
    "  check   check a map against the key, value and size rules\n"
    "  names   list the reserved names (owner, personal data) as JSON\n"
    "\n"
    "Maps are printed as one JSON line, keys in bytewise order.  A refused\n"
    "update prints nothing on stdout, the reason as LiveKit names it\n"
    "(NOT_ALLOWED, LIMIT_EXCEEDED, INVALID_REQUEST), the key and the rule on\n"
    "stderr, and exits with status 1.  'lkproto attrs COMMAND --help' for more.\n";

static const char usage_merge[] =
    "usage: lkproto attrs merge [OPTIONS] CURRENT UPDATE\n"
    "\n"
    "Applies the update in UPDATE to the map in CURRENT and prints the resulting\n"
    "map as one JSON line (keys in bytewise order).  Each file (`-` for standard\n"
    "input, at most once) holds one JSON object of string values.  In UPDATE a\n"
    "key with \"\" deletes that key (deleting an absent key is no change); of\n"
    "duplicate keys the last wins.  In CURRENT a \"\" value means no value.\n"
    "\n"
    "options (anywhere on the line):\n"
    "  --origin WHO             who sends the update: client (default, as in\n"
    "                           libattrs), server, agent, sip, ingress (sip and\n"
    "                           ingress: trusted)\n"
    "  --can-update-metadata    the sender has the canUpdateOwnMetadata grant\n"
    "                           (client and agent need it, so a plain merge\n"
    "                           without --origin is refused; server, sip and\n"
    "                           ingress do not)\n"
    "  --max-size N             limit on the update and on the resulting map:\n"
    "                           sum of key and value bytes (default 65536,\n"
    "                           0 = unlimited)\n"
    "  --max-key N              limit on the bytes of one key (default 256,\n"
    "                           0 = unlimited)\n"
    "  --no-namespaces          LiveKit-compatible: do not enforce reserved names\n"
    "\n"
    "Rules: keys non-empty, valid UTF-8, no U+0000 and no control character;\n"
    "values valid UTF-8 without U+0000; a client may not write sip.*, ingress.*\n"
    "or lk.* names, an agent only lk.agent.* of them.  The update is refused as\n"
    "a whole: nothing on stdout, 'REASON: key \"K\": rule' on stderr, status 1.\n"
    "\n"
    "example:\n"
    "  echo '{\"a\":\"1\"}' > cur.json\n"
    "  echo '{\"a\":\"\",\"b\":\"2\"}' |\n"
    "    lkproto attrs merge --origin client --can-update-metadata cur.json -\n"
    "  {\"b\":\"2\"}\n";

static const char usage_diff[] =
    "usage: lkproto attrs diff OLD NEW\n"
    "\n"
    "Prints the minimal update that turns the map in OLD into the map in NEW, as\n"
    "one JSON line (keys in bytewise order): every key whose value differs, with\n"
    "its value in NEW, or \"\" when NEW lacks it.  That is what livekit-client\n"
    "reports in attributesChanged, and 'lkproto attrs merge --origin server OLD\n"
    "DIFF' gives NEW.\n"
    "Each file (`-` for standard input, at most once) holds one JSON object of\n"
    "string values; a \"\" value means no value.\n";

static const char usage_check[] =
    "usage: lkproto attrs check [OPTIONS] FILE\n"
    "\n"
    "Checks the map in FILE (`-` for standard input): keys non-empty, valid\n"
    "UTF-8, without U+0000 or control characters, at most --max-key bytes;\n"
    "values valid UTF-8 without U+0000; the sum of key and value bytes at most\n"
    "--max-size.  A \"\" value means no value and is not counted.\n"
    "Prints {\"ok\":true,\"entries\":N,\"bytes\":B} and exits with status 0, or\n"
    "prints 'REASON: key \"K\": rule' on stderr and exits with status 1.\n"
    "\n"
    "options:\n"
    "  --max-size N   default 65536, 0 = unlimited\n"
    "  --max-key N    default 256, 0 = unlimited\n";

static const char usage_names[] =
    "usage: lkproto attrs names\n"
    "\n"
    "Prints the attribute names and prefixes that LiveKit components reserve, as\n"
    "a JSON array, one object per line:\n"
    "  {\"name\":\"sip.phoneNumber\",\"prefix\":false,\"owner\":\"sip\",\"personal\":true,\n"
    "   \"hiddenByPhoneSetting\":true,\"writableBy\":[\"server\",\"sip\",\"ingress\"]}\n"
    "owner: sip, ingress, livekit or agent; writableBy: the --origin values that\n"
    "may write the name when namespaces are enforced.\n";

static int is_help(const char *a) { return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0; }

int lk_attrs_help(const char *sub) {
  const char *text = NULL;
  if (!sub) text = usage_attrs;
  else if (strcmp(sub, "merge") == 0) text = usage_merge;
  else if (strcmp(sub, "diff") == 0) text = usage_diff;
  else if (strcmp(sub, "check") == 0) text = usage_check;
  else if (strcmp(sub, "names") == 0) text = usage_names;
  if (!text) {
    fprintf(stderr, "lkproto attrs: unknown command '%s'\nTry 'lkproto attrs --help'.\n", sub);
    return A_USAGE;
  }
  fputs(text, stdout);
  return A_OK;
}

static int usage_error(const char *sub, const char *what, const char *arg) {
  fprintf(stderr, "lkproto attrs%s%s: %s", sub ? " " : "", sub ? sub : "", what);
  if (arg) fprintf(stderr, " '%s'", arg);
  fprintf(stderr, "\nTry 'lkproto attrs%s%s --help'.\n", sub ? " " : "", sub ? sub : "");
  return A_USAGE;
}

/* ------------------------------------------------------------------------
 * JSON text out. */

/* A JSON string as JSON.stringify() writes it: '"' and '\' escaped, the C0
 * controls as \b \t \n \f \r or \u00XX, everything else (valid UTF-8) raw. */
static void put_json_string(lk_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  lk_buf_putc(b, '"');
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *esc = NULL;
    char u[7];
    if (c == '"') esc = "\\\"";
    else if (c == '\\') esc = "\\\\";
    else if (c == '\b') esc = "\\b";
    else if (c == '\t') esc = "\\t";
    else if (c == '\n') esc = "\\n";
    else if (c == '\f') esc = "\\f";
    else if (c == '\r') esc = "\\r";
    else if (c < 0x20) {
      memcpy(u, "\\u00", 4);
      u[4] = hex[c >> 4];
      u[5] = hex[c & 15];
      u[6] = '\0';
      esc = u;
    }
    if (!esc) continue;
    lk_buf_put(b, s + run, i - run);
    lk_buf_puts(b, esc);
    run = i + 1;
  }
  lk_buf_put(b, s + run, n - run);
  lk_buf_putc(b, '"');
}

static void put_entries(lk_buf *b, const lkattrs_entry *e, size_t n) {
  lk_buf_putc(b, '{');
  for (size_t i = 0; i < n; i++) {
    if (i) lk_buf_putc(b, ',');
    put_json_string(b, e[i].key, e[i].key_len);
    lk_buf_putc(b, ':');
    put_json_string(b, e[i].value, e[i].value_len);
  }
  lk_buf_puts(b, "}\n");
}

static void put_map(lk_buf *b, const lkattrs_map *m) {
  lk_buf_putc(b, '{');
  for (size_t i = 0; i < lkattrs_map_count(m); i++) {
    lkattrs_entry e;
    if (lkattrs_map_at(m, i, &e) != LKATTRS_OK) continue;
    if (i) lk_buf_putc(b, ',');
    put_json_string(b, e.key, e.key_len);
    lk_buf_putc(b, ':');
    put_json_string(b, e.value, e.value_len);
  }
  lk_buf_puts(b, "}\n");
}

static int emit(lk_buf *b) {
  fwrite(b->data ? b->data : "", 1, b->len, stdout);
  lk_buf_free(b);
  return A_OK;
}

/* ------------------------------------------------------------------------
 * Errors: "lkproto attrs SUB: [FILE: ]REASON: key "K": rule". */

static const char *reason_name(lkattrs_status st) {
  int r = lkattrs_status_to_reason(st);
  const char *name = lkjson_enum_name("livekit.RequestResponse.Reason", r);
  return name ? name : "UNCLASSIFIED_ERROR";
}

/* A key for a message: JSON-escaped, the middle of a long one left out. */
static void put_key(lk_buf *b, const char *k, size_t n) {
  if (n <= 80) {
    put_json_string(b, k, n);
    return;
  }
  size_t head = 40;
  while (head > 0 && ((unsigned char)k[head] & 0xC0) == 0x80) head--;
  put_json_string(b, k, head);
  b->data[--b->len] = '\0'; /* reopen the string */
  lk_buf_printf(b, "...\" (%zu bytes)", n);
}

typedef struct opts {
  lkattrs_merge_opts m;
  lkattrs_limits lim;
  const char *origin_name;
  int origin_given; /* --origin on the line (else the default, client) */
  const char *files[2];
  int nfiles;
} opts;

static const char *owner_name(lkattrs_owner o) {
  switch (o) {
  case LKATTRS_OWNER_SIP: return "sip";
  case LKATTRS_OWNER_INGRESS: return "ingress";
  case LKATTRS_OWNER_LIVEKIT: return "livekit";
  case LKATTRS_OWNER_AGENT: return "agent";
  case LKATTRS_OWNER_NONE: break;
  }
  return "none";
}

/* The code point at s[off] (a C0/DEL byte or a two-byte C1 sequence). */
static unsigned control_at(const char *s, size_t n, size_t off) {
  unsigned c = off < n ? (unsigned char)s[off] : 0;
  if (c == 0xC2 && off + 1 < n) return (unsigned char)s[off + 1];
  return c;
}

/* Prints one error line for status st.  label: the file, or NULL for the
 * update being refused.  upd_bytes: the size of the update (merge). */
static void report(const char *sub, const char *label, lkattrs_status st,
                   const lkattrs_error_detail *d, const opts *o, size_t upd_bytes) {
  lk_buf b = {0};
  lk_buf_printf(&b, "lkproto attrs %s: ", sub);
  if (label) lk_buf_printf(&b, "%s: ", label);
  lk_buf_printf(&b, "%s: ", reason_name(st));
  if (d->key && st != LKATTRS_E_TOO_LARGE && st != LKATTRS_E_NOT_ALLOWED) {
    lk_buf_puts(&b, "key ");
    put_key(&b, d->key, d->key_len);
    lk_buf_puts(&b, ": ");
  }
  const char *where = d->in_value ? "value" : "key";
  lkattrs_name_info info;
  switch (st) {
  case LKATTRS_E_NOT_ALLOWED:
    lk_buf_printf(&b, "origin %s needs --can-update-metadata (the canUpdateOwnMetadata grant) "
                      "to update attributes",
                  o->origin_name);
    if (!o->origin_given)
      lk_buf_puts(&b, " (client is the default origin; --origin server, sip or ingress for a "
                      "trusted sender)");
    break;
  case LKATTRS_E_RESERVED_NAME:
    lkattrs_name_lookup(d->key, d->key_len, &info);
    lk_buf_printf(&b, "reserved name (%s \"%s\", owner %s): origin %s may not write %s "
                      "(--no-namespaces turns this rule off)",
                  info.flags & LKATTRS_NAME_F_PREFIX ? "under" : "name", info.name ? info.name : "",
                  owner_name(info.owner), o->origin_name,
                  o->m.origin == LKATTRS_ORIGIN_AGENT
                      ? "sip.*, ingress.* or lk.* names other than lk.agent.*"
                      : "sip.*, ingress.* or lk.* names");
    break;
  case LKATTRS_E_KEY_EMPTY: lk_buf_puts(&b, "empty key"); break;
  case LKATTRS_E_KEY_TOO_LONG:
    lk_buf_printf(&b, "key of %zu bytes, over --max-key %zu", d->key_len, o->lim.max_key_bytes);
    break;
  case LKATTRS_E_UTF8:
    lk_buf_printf(&b, "invalid UTF-8 in the %s at byte offset %zu", where, d->offset);
    break;
  case LKATTRS_E_NUL:
    lk_buf_printf(&b, "U+0000 in the %s at byte offset %zu", where, d->offset);
    break;
  case LKATTRS_E_CONTROL_CHAR:
    lk_buf_printf(&b, "control character U+%04X in the key at byte offset %zu",
                  control_at(d->key, d->key_len, d->offset), d->offset);
    break;
  case LKATTRS_E_TOO_LARGE:
    if (!label && o->lim.max_update_bytes && upd_bytes > o->lim.max_update_bytes)
      lk_buf_printf(&b, "the update is %zu bytes (keys + values; a deleted key counts its key), "
                        "over --max-size %zu",
                    upd_bytes, o->lim.max_update_bytes);
    else
      lk_buf_printf(&b, "the %s is %zu bytes (keys + values), over --max-size %zu",
                    label ? "map" : "resulting map", d->offset, o->lim.max_map_bytes);
    break;
  default:
    lk_buf_printf(&b, "%s", lkattrs_strerror(st));
    break;
  }
  lk_buf_putc(&b, '\n');
  fputs(b.data, stderr);
  lk_buf_free(&b);
}

/* ------------------------------------------------------------------------
 * Options and arguments. */

enum { O_ORIGIN = 1, O_GRANT = 2, O_SIZE = 4, O_KEY = 8, O_NONS = 16 };

static int parse_size(const char *s, size_t *out) {
  if (!*s) return 0;
  size_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return 0;
    unsigned dgt = (unsigned)(*s - '0');
    if (v > (SIZE_MAX - dgt) / 10) return 0;
    v = v * 10 + dgt;
  }
  *out = v;
  return 1;
}

/* Parses argv (after the sub-command).  Returns -1 when fine, else the exit
 * status of a usage error (already reported). */
static int parse_args(const char *sub, int argc, char **argv, unsigned allowed, int want_files,
                      opts *o) {
  memset(o, 0, sizeof *o);
  /* The library's default, the safe side: a client without the grant.  A
   * forgotten --origin must not let a client write sip.phoneNumber. */
  const lkattrs_merge_opts init = LKATTRS_MERGE_OPTS_INIT;
  o->m = init;
  o->origin_name = "client";
  o->lim = lkattrs_limits_default();
  o->lim.max_key_bytes = LKATTRS_DEFAULT_MAX_KEY_BYTES;
  o->lim.max_update_bytes = o->lim.max_map_bytes = LKATTRS_DEFAULT_MAX_TOTAL_BYTES;
  int only_files = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!only_files && strcmp(a, "--") == 0) {
      only_files = 1;
      continue;
    }
    if (only_files || a[0] != '-' || a[1] == '\0') {
      if (o->nfiles >= want_files) return usage_error(sub, "unexpected argument", a);
      o->files[o->nfiles++] = a;
      continue;
    }
    /* --opt VALUE or --opt=VALUE */
    const char *eq = strchr(a, '=');
    size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
    unsigned which = 0;
    if (nlen == 8 && strncmp(a, "--origin", 8) == 0) which = O_ORIGIN;
    else if (nlen == 21 && strncmp(a, "--can-update-metadata", 21) == 0) which = O_GRANT;
    else if (nlen == 10 && strncmp(a, "--max-size", 10) == 0) which = O_SIZE;
    else if (nlen == 9 && strncmp(a, "--max-key", 9) == 0) which = O_KEY;
    else if (nlen == 15 && strncmp(a, "--no-namespaces", 15) == 0) which = O_NONS;
    if (!(which & allowed)) return usage_error(sub, "unknown option", a);
    if (which == O_GRANT || which == O_NONS) {
      if (eq) return usage_error(sub, "option takes no value:", a);
      if (which == O_GRANT) o->m.can_update_metadata = true;
      else o->m.skip_namespace_rules = true;
      continue;
    }
    const char *val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
    if (!val) return usage_error(sub, "option needs a value:", a);
    if (which == O_ORIGIN) {
      if (strcmp(val, "server") == 0) o->m.origin = LKATTRS_ORIGIN_SERVER;
      else if (strcmp(val, "client") == 0) o->m.origin = LKATTRS_ORIGIN_CLIENT;
      else if (strcmp(val, "agent") == 0) o->m.origin = LKATTRS_ORIGIN_AGENT;
      else if (strcmp(val, "sip") == 0 || strcmp(val, "ingress") == 0)
        o->m.origin = LKATTRS_ORIGIN_TRUSTED;
      else return usage_error(sub, "--origin must be server, client, agent, sip or ingress, not", val);
      o->origin_name = val;
      o->origin_given = 1;
    } else {
      size_t v;
      if (!parse_size(val, &v)) return usage_error(sub, "not a byte count (0, 1, 2...):", val);
      if (which == O_SIZE) o->lim.max_update_bytes = o->lim.max_map_bytes = v;
      else o->lim.max_key_bytes = v;
    }
  }
  if (o->nfiles < want_files)
    return usage_error(sub, want_files == 1            ? "missing FILE"
                            : strcmp(sub, "merge") == 0 ? "two files needed: CURRENT UPDATE"
                                                        : "two files needed: OLD NEW",
                       NULL);
  if (want_files == 2 && strcmp(o->files[0], "-") == 0 && strcmp(o->files[1], "-") == 0)
    return usage_error(sub, "standard input ('-') can be read only once", NULL);
  o->m.limits = &o->lim;
  return -1;
}

/* ------------------------------------------------------------------------
 * Input: one JSON object of string values per file. */

typedef struct doc {
  const char *label;
  json_t *root;
  lkattrs_entry *e; /* in the order of the file; views into root */
  size_t n;
} doc;

static void doc_free(doc *d) {
  free(d->e);
  json_decref(d->root);
  d->e = NULL;
  d->root = NULL;
}

static const char *json_type_name(const json_t *j) {
  switch (json_typeof(j)) {
  case JSON_OBJECT: return "an object";
  case JSON_ARRAY: return "an array";
  case JSON_STRING: return "a string";
  case JSON_INTEGER: case JSON_REAL: return "a number";
  case JSON_TRUE: case JSON_FALSE: return "a boolean";
  case JSON_NULL: return "null";
  }
  return "something else";
}

/* Reads and parses path into d; 1 on success, else 0 after an error line. */
static int load_doc(const char *sub, const char *path, doc *d) {
  memset(d, 0, sizeof *d);
  int is_stdin = strcmp(path, "-") == 0;
  d->label = is_stdin ? "(standard input)" : path;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "lkproto attrs %s: %s: cannot open: %s\n", sub, path, strerror(errno));
    return 0;
  }
  lk_buf in = {0};
  char tmp[65536];
  size_t got;
  while ((got = fread(tmp, 1, sizeof tmp, f)) > 0) lk_buf_put(&in, tmp, got);
  int err = ferror(f) ? errno : 0;
  if (!is_stdin) fclose(f);
  if (err) {
    fprintf(stderr, "lkproto attrs %s: %s: cannot read: %s\n", sub, d->label, strerror(err));
    lk_buf_free(&in);
    return 0;
  }
  json_error_t je;
  const char *text = in.data ? in.data : "";
  d->root = json_loadb(text, in.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
  if (!d->root) {
    /* An integer beyond 64 bits: read it again as a real, to say it is not
     * a string rather than "invalid JSON". */
    json_error_t je2;
    d->root = json_loadb(text, in.len, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL,
                         &je2);
  }
  lk_buf_free(&in);
  if (!d->root) {
    fprintf(stderr, "lkproto attrs %s: %s: invalid JSON at line %d column %d: %s\n", sub,
            d->label, je.line, je.column, je.text);
    return 0;
  }
  if (!json_is_object(d->root)) {
    fprintf(stderr, "lkproto attrs %s: %s: expected a JSON object of string values, got %s\n",
            sub, d->label, json_type_name(d->root));
    doc_free(d);
    return 0;
  }
  d->e = lk_xcalloc(json_object_size(d->root), sizeof *d->e);
  const char *key;
  json_t *val;
  json_object_foreach(d->root, key, val) {
    if (!json_is_string(val)) {
      lk_buf b = {0};
      put_key(&b, key, strlen(key));
      fprintf(stderr, "lkproto attrs %s: %s: key %s: expected a string value, got %s\n", sub,
              d->label, b.data, json_type_name(val));
      lk_buf_free(&b);
      doc_free(d);
      return 0;
    }
    lkattrs_entry *e = &d->e[d->n++];
    e->key = key;
    e->key_len = strlen(key); /* jansson refuses U+0000 in object keys */
    e->value = json_string_value(val);
    e->value_len = json_string_length(val);
  }
  return 1;
}

/* lkattrs_validate_value() does not know the key: name it in the detail. */
static void value_error(lkattrs_error_detail *det, const lkattrs_entry *e) {
  det->key = e->key;
  det->key_len = e->key_len;
  det->in_value = true;
}

/* Builds a plain map from a document ("" values left out).  The syntax rules
 * of keys and values apply, not the limits.  1 on success. */
static int doc_map(const char *sub, const doc *d, const opts *o, lkattrs_map **out) {
  *out = NULL;
  lkattrs_map *m;
  lkattrs_status st = lkattrs_map_new(NULL, 0, &m);
  if (st) {
    fprintf(stderr, "lkproto attrs %s: %s\n", sub, lkattrs_strerror(st));
    return 0;
  }
  const lkattrs_limits none = {0, 0, 0, 0, 0};
  for (size_t i = 0; i < d->n; i++) {
    const lkattrs_entry *e = &d->e[i];
    lkattrs_error_detail det;
    st = lkattrs_validate_key(e->key, e->key_len, &none, &det);
    if (!st && (st = lkattrs_validate_value(e->value, e->value_len, &none, &det)) != LKATTRS_OK)
      value_error(&det, e);
    if (!st) {
      st = lkattrs_map_set(m, e->key, e->key_len, e->value, e->value_len);
      det.key = e->key;
      det.key_len = e->key_len;
      det.offset = 0;
      det.in_value = false;
    }
    if (st) {
      report(sub, d->label, st, &det, o, 0);
      lkattrs_map_free(m);
      return 0;
    }
  }
  *out = m;
  return 1;
}

/* ------------------------------------------------------------------------
 * Commands. */

static int cmd_merge(int argc, char **argv) {
  opts o;
  int st = parse_args("merge", argc, argv, O_ORIGIN | O_GRANT | O_SIZE | O_KEY | O_NONS, 2, &o);
  if (st >= 0) return st;
  doc cur, upd;
  lkattrs_map *m = NULL;
  if (!load_doc("merge", o.files[0], &cur)) return A_INVALID;
  if (!doc_map("merge", &cur, &o, &m) || !load_doc("merge", o.files[1], &upd)) {
    lkattrs_map_free(m);
    doc_free(&cur);
    return A_INVALID;
  }
  size_t upd_bytes = 0;
  for (size_t i = 0; i < upd.n; i++) upd_bytes += upd.e[i].key_len + upd.e[i].value_len;
  lkattrs_error_detail det;
  size_t changed;
  lkattrs_status ls = lkattrs_merge(m, upd.e, upd.n, &o.m, &changed, &det);
  int status = A_OK;
  if (ls) {
    report("merge", NULL, ls, &det, &o, upd_bytes);
    status = A_INVALID;
  } else {
    lk_buf out = {0};
    put_map(&out, m);
    emit(&out);
  }
  lkattrs_map_free(m);
  doc_free(&upd);
  doc_free(&cur);
  return status;
}

static int cmd_diff(int argc, char **argv) {
  opts o;
  int st = parse_args("diff", argc, argv, 0, 2, &o);
  if (st >= 0) return st;
  doc da, db;
  lkattrs_map *a = NULL, *b = NULL;
  int status = A_INVALID;
  if (!load_doc("diff", o.files[0], &da)) return A_INVALID;
  if (!load_doc("diff", o.files[1], &db)) {
    doc_free(&da);
    return A_INVALID;
  }
  if (doc_map("diff", &da, &o, &a) && doc_map("diff", &db, &o, &b)) {
    size_t need = 0;
    lkattrs_status ls = lkattrs_diff(a, b, NULL, 0, &need);
    if (ls == LKATTRS_OK || ls == LKATTRS_E_NOSPACE) {
      lkattrs_entry *e = lk_xcalloc(need, sizeof *e);
      size_t n = 0;
      ls = lkattrs_diff(a, b, e, need, &n);
      if (ls == LKATTRS_OK) {
        lk_buf out = {0};
        put_entries(&out, e, n);
        status = emit(&out);
      }
      free(e);
    }
    if (ls) fprintf(stderr, "lkproto attrs diff: %s\n", lkattrs_strerror(ls));
  }
  lkattrs_map_free(a);
  lkattrs_map_free(b);
  doc_free(&da);
  doc_free(&db);
  return status;
}

static int cmd_check(int argc, char **argv) {
  opts o;
  int st = parse_args("check", argc, argv, O_SIZE | O_KEY, 1, &o);
  if (st >= 0) return st;
  doc d;
  if (!load_doc("check", o.files[0], &d)) return A_INVALID;
  lkattrs_error_detail det;
  lkattrs_status ls = LKATTRS_OK;
  size_t bytes = 0, entries = 0;
  for (size_t i = 0; i < d.n && !ls; i++) {
    const lkattrs_entry *e = &d.e[i];
    ls = lkattrs_validate_key(e->key, e->key_len, &o.lim, &det);
    if (!ls && (ls = lkattrs_validate_value(e->value, e->value_len, &o.lim, &det)) != LKATTRS_OK)
      value_error(&det, e);
    if (!ls && e->value_len) {
      entries++;
      bytes += e->key_len + e->value_len;
    }
  }
  if (!ls && o.lim.max_map_bytes && bytes > o.lim.max_map_bytes) {
    ls = LKATTRS_E_TOO_LARGE;
    memset(&det, 0, sizeof det);
    det.offset = bytes;
  }
  int status = A_OK;
  if (ls) {
    report("check", d.label, ls, &det, &o, 0);
    status = A_INVALID;
  } else {
    lk_buf out = {0};
    lk_buf_printf(&out, "{\"ok\":true,\"entries\":%zu,\"bytes\":%zu}\n", entries, bytes);
    emit(&out);
  }
  doc_free(&d);
  return status;
}

static int cmd_names(int argc, char **argv) {
  if (argc > 0) return usage_error("names", "unexpected argument", argv[0]);
  static const struct {
    lkattrs_origin origin;
    const char *name;
  } writers[] = {{LKATTRS_ORIGIN_SERVER, "server"},   {LKATTRS_ORIGIN_TRUSTED, "sip"},
                 {LKATTRS_ORIGIN_TRUSTED, "ingress"}, {LKATTRS_ORIGIN_AGENT, "agent"},
                 {LKATTRS_ORIGIN_CLIENT, "client"}};
  lk_buf out = {0};
  lk_buf_puts(&out, "[\n");
  size_t n = lkattrs_name_count();
  for (size_t i = 0; i < n; i++) {
    lkattrs_name_info info;
    if (!lkattrs_name_at(i, &info)) continue;
    lk_buf_puts(&out, "{\"name\":");
    put_json_string(&out, info.name, info.name_len);
    lk_buf_printf(&out, ",\"prefix\":%s,\"owner\":\"%s\",\"personal\":%s,\"hiddenByPhoneSetting\":%s,"
                        "\"writableBy\":[",
                  info.flags & LKATTRS_NAME_F_PREFIX ? "true" : "false", owner_name(info.owner),
                  info.flags & LKATTRS_NAME_F_PERSONAL ? "true" : "false",
                  info.flags & LKATTRS_NAME_F_HIDE_PHONE ? "true" : "false");
    int first = 1;
    for (size_t w = 0; w < sizeof writers / sizeof writers[0]; w++) {
      if (lkattrs_check_namespace(writers[w].origin, info.name, info.name_len) != LKATTRS_OK)
        continue;
      lk_buf_printf(&out, "%s\"%s\"", first ? "" : ",", writers[w].name);
      first = 0;
    }
    lk_buf_printf(&out, "]}%s\n", i + 1 < n ? "," : "");
  }
  lk_buf_puts(&out, "]\n");
  return emit(&out);
}

int lk_attrs_main(int argc, char **argv) {
  if (argc < 1) {
    fputs(usage_attrs, stderr);
    return A_USAGE;
  }
  const char *sub = argv[0];
  if (is_help(sub)) return lk_attrs_help(NULL);
  int (*fn)(int, char **) = NULL;
  if (strcmp(sub, "merge") == 0) fn = cmd_merge;
  else if (strcmp(sub, "diff") == 0) fn = cmd_diff;
  else if (strcmp(sub, "check") == 0) fn = cmd_check;
  else if (strcmp(sub, "names") == 0) fn = cmd_names;
  if (!fn) return usage_error(NULL, "unknown command", sub);
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (is_help(argv[i])) return lk_attrs_help(sub);
  return fn(argc - 1, argv + 1);
}
