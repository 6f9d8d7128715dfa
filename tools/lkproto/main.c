/* lkproto: LiveKit messages between binary/hex and canonical proto3 JSON.
 * The command line is a contract (see lkproto.1 and README.md): exit status
 * 0 when everything went well, 1 for invalid input, 2 for a usage error. */
#define _POSIX_C_SOURCE 200809L
#include "lkproto.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <lkjson/json.h>
#include <protobuf-c/protobuf-c.h>

#include "token-cli.h"

#ifndef LKPROTO_VERSION
#define LKPROTO_VERSION "unknown"
#endif

enum { EXIT_OK = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

static const char usage_main[] =
    "usage: lkproto COMMAND [ARGS]\n"
    "\n"
    "LiveKit protocol messages between binary (or hex) and canonical proto3 JSON.\n"
    "\n"
    "commands:\n"
    "  decode MESSAGE [--hex] [--emit-defaults] [--proto-names]\n"
    "                           binary message on stdin -> one JSON line on stdout\n"
    "  encode MESSAGE [--hex] [--ignore-unknown]\n"
    "                           JSON on stdin -> binary message on stdout\n"
    "  list                     list every message and enum type (full names)\n"
    "  attrs merge|diff|check|names\n"
    "                           participant attributes: merge an update, diff two\n"
    "                           maps, check a map, list reserved names (JSON)\n"
    "  token mint|verify        LiveKit access tokens (HS256 JWT): mint one from\n"
    "                           claims JSON, verify one and print its claims;\n"
    "                           the secret from --secret-file F or\n"
    "                           LIVEKIT_API_SECRET, never an argument\n"
    "  help [COMMAND]           this text, or the help of COMMAND\n"
    "\n"
    "options:\n"
    "  -h, --help               help (also after a command)\n"
    "  --version                print the version\n"
    "\n"
    "MESSAGE is a full name (livekit.ParticipantInfo), a name without the package\n"
    "(ParticipantInfo) or a nested name (ParticipantInfo.Kind is an enum, so not a\n"
    "message).  Exit status: 0 ok, 1 invalid input (or a refused attribute\n"
    "update, or a refused token), 2 usage error.\n"
    "The token commands are also the lktoken tool (lktoken(1)).\n"
    "See lkproto(1).\n";

static const char usage_decode[] =
    "usage: lkproto decode MESSAGE [--hex] [--emit-defaults] [--proto-names]\n"
    "\n"
    "Reads one binary MESSAGE from stdin and writes its canonical proto3 JSON (as\n"
    "@livekit/protocol's toJson() writes it) as one line on stdout.\n"
    "With --hex, each stdin line holds one hex-encoded message (an empty line is\n"
    "the empty message) and each gets one JSON line, in order.\n"
    "--emit-defaults also writes fields that hold their default value (0, \"\",\n"
    "false, the first enum value, [] and {}), as toJson({emitDefaultValues: true});\n"
    "--proto-names writes the field names of the .proto file (participant_id)\n"
    "instead of the JSON names (participantId), as useProtoFieldName does.\n"
    "\n"
    "The wire data is checked strictly: truncated data, lengths past the end,\n"
    "varints longer than 10 bytes, unclosed groups and invalid wire types, a\n"
    "wire type that does not fit the field, invalid UTF-8 and U+0000 in strings are\n"
    "refused.  On the first bad message: one error on stderr (line, field, what\n"
    "is wrong, byte offset), nothing on stdout for it, exit status 1.\n";

static const char usage_encode[] =
    "usage: lkproto encode MESSAGE [--hex] [--ignore-unknown]\n"
    "\n"
    "Reads one proto3 JSON document from stdin and writes the binary MESSAGE to\n"
    "stdout.  With --hex, each stdin line holds one JSON object and each gets one\n"
    "line of lowercase hex, in order.  --ignore-unknown skips object keys that are\n"
    "not fields and enum names that are not values (the value is left out), as\n"
    "fromJson({ignoreUnknownFields: true}) does.\n"
    "\n"
    "Accepted: JSON names and proto field names, enum names or numbers, 64-bit\n"
    "integers as strings or numbers, \"NaN\", \"Infinity\", \"-Infinity\", null for\n"
    "\"not set\", standard or URL-safe base64.  Refused, with the field path:\n"
    "invalid JSON, unknown fields, wrong types, out-of-range numbers, bad base64,\n"
    "two fields of one oneof, U+0000 in strings.  Exit status 1 on the first bad\n"
    "document, with nothing on stdout for it.\n";

static const char usage_list[] =
    "usage: lkproto list\n"
    "\n"
    "Lists the full name of every message and enum type lkproto knows, one per\n"
    "line, as \"message NAME\" or \"enum NAME\" (map entry types are left out).\n";

static int usage_error(const char *fmt, const char *arg, const char *help_cmd) {
  fputs("lkproto: ", stderr);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'lkproto %s--help'.\n", help_cmd);
  return EXIT_USAGE;
}

static int print_help(const char *cmd) {
  if (!cmd) fputs(usage_main, stdout);
  else if (strcmp(cmd, "decode") == 0) fputs(usage_decode, stdout);
  else if (strcmp(cmd, "encode") == 0) fputs(usage_encode, stdout);
  else if (strcmp(cmd, "list") == 0) fputs(usage_list, stdout);
  else if (strcmp(cmd, "attrs") == 0) return lk_attrs_help(NULL);
  else if (strcmp(cmd, "token") == 0) {
    char *help[] = {(char *)"--help", NULL};
    return lktoken_cli_run("lkproto token", 1, help);
  }
  else return usage_error("unknown command '%s'", cmd, "");
  return EXIT_OK;
}

static int finish(int status) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fputs("lkproto: error writing standard output\n", stderr);
    return EXIT_INVALID;
  }
  return status;
}

static void read_all(FILE *f, lk_buf *b) {
  char tmp[65536];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) lk_buf_put(b, tmp, n);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Hex text into bytes; 0 and an error on a bad digit or an odd count. */
static int unhex(const char *s, size_t n, lk_buf *out, lkjson_error *e) {
  for (size_t i = 0; i < n; i++)
    if (hexval(s[i]) < 0) {
      snprintf(e->message, sizeof e->message, "invalid hex digit at column %zu", i + 1);
      return 0;
    }
  if (n % 2) {
    snprintf(e->message, sizeof e->message, "invalid hex: odd number of digits (%zu)", n);
    return 0;
  }
  for (size_t i = 0; i < n; i += 2) {
    int hi = hexval(s[i]), lo = hexval(s[i + 1]);
    unsigned char byte = (unsigned char)(hi << 4 | lo);
    lk_buf_put(out, &byte, 1);
  }
  return 1;
}

static void put_hex(lk_buf *out, const unsigned char *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    char two[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
    lk_buf_put(out, two, 2);
  }
}

/* Converts one input (binary for decode, JSON for encode) with liblkjson;
 * appends the JSON line or the bytes to out. */
static int convert(int decode, const char *type, const lkjson_options *o, const char *p, size_t n,
                   lk_buf *out, lkjson_error *e) {
  char *res;
  size_t len;
  lkjson_status st;
  if (decode)
    st = lkjson_to_json_alloc(type, (const uint8_t *)p, n, o, &res, &len, e);
  else
    st = lkjson_from_json_alloc(type, p, n, o, (uint8_t **)&res, &len, e);
  if (st == LKJSON_NOMEM) {
    fputs("lkproto: out of memory\n", stderr);
    exit(EXIT_INVALID);
  }
  if (st != LKJSON_OK) return 0;
  lk_buf_put(out, res, len);
  if (decode) lk_buf_putc(out, '\n');
  lkjson_free(NULL, res, len);
  return 1;
}

static void report(const char *cmd, long line, const char *type, const lkjson_error *e) {
  if (line > 0)
    fprintf(stderr, "lkproto %s: line %ld: %s: %s\n", cmd, line, type, e->message);
  else
    fprintf(stderr, "lkproto %s: %s: %s\n", cmd, type, e->message);
}

static int run(const char *cmd, const char *type, const lkjson_options *o, int hex) {
  int decode = strcmp(cmd, "decode") == 0;
  lkjson_error e;
  lk_buf out = {0};
  if (!hex) {
    lk_buf in = {0};
    read_all(stdin, &in);
    int ok = convert(decode, type, o, in.data ? in.data : "", in.len, &out, &e);
    lk_buf_free(&in);
    if (!ok) {
      lk_buf_free(&out);
      report(cmd, 0, type, &e);
      return finish(EXIT_INVALID);
    }
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    lk_buf_free(&out);
    return finish(EXIT_OK);
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  long lineno = 0;
  int status = EXIT_OK;
  while ((got = getline(&line, &cap, stdin)) >= 0) {
    size_t n = (size_t)got;
    lineno++;
    if (n && line[n - 1] == '\n') n--;
    if (n && line[n - 1] == '\r') n--;
    out.len = 0;
    int ok;
    if (decode) {
      lk_buf bin = {0};
      ok = unhex(line, n, &bin, &e) && convert(1, type, o, bin.data ? bin.data : "", bin.len, &out, &e);
      lk_buf_free(&bin);
    } else {
      lk_buf bin = {0};
      ok = convert(0, type, o, line, n, &bin, &e);
      if (ok) {
        put_hex(&out, (const unsigned char *)(bin.data ? bin.data : ""), bin.len);
        lk_buf_putc(&out, '\n');
      }
      lk_buf_free(&bin);
    }
    if (!ok) {
      report(cmd, lineno, type, &e);
      status = EXIT_INVALID;
      break;
    }
    fwrite(out.data, 1, out.len, stdout);
  }
  free(line);
  lk_buf_free(&out);
  return finish(status);
}

static int list_types(void) {
  size_t n = lkjson_type_count();
  for (size_t i = 0; i < n; i++) {
    lkjson_kind kind;
    const char *name = lkjson_type_at(i, &kind);
    printf("%s %s\n", kind == LKJSON_KIND_ENUM ? "enum" : "message", name);
  }
  return finish(EXIT_OK);
}

static int is_help(const char *a) { return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0; }

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_main, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (is_help(cmd)) return finish(print_help(NULL));
  if (strcmp(cmd, "--version") == 0) {
    printf("lkproto %s (liblkjson %s, protobuf-c %s, jansson %s)\n", LKPROTO_VERSION,
           lkjson_version_string(), protobuf_c_version(), JANSSON_VERSION);
    return finish(EXIT_OK);
  }
  if (strcmp(cmd, "help") == 0) {
    if (argc == 4 && strcmp(argv[2], "attrs") == 0) return finish(lk_attrs_help(argv[3]));
    if (argc > 3) return usage_error("%s: too many arguments", "help", "");
    return finish(print_help(argc == 3 ? argv[2] : NULL));
  }
  if (cmd[0] == '-') return usage_error("unknown option '%s'", cmd, "");
  if (strcmp(cmd, "decode") && strcmp(cmd, "encode") && strcmp(cmd, "list") && strcmp(cmd, "attrs") &&
      strcmp(cmd, "token"))
    return usage_error("unknown command '%s'", cmd, "");

  if (strcmp(cmd, "attrs") == 0) return finish(lk_attrs_main(argc - 2, argv + 2));
  /* The same command line as the lktoken tool (tools/lktoken/token-cli.c). */
  if (strcmp(cmd, "token") == 0) return finish(lktoken_cli_run("lkproto token", argc - 2, argv + 2));

  char help_cmd[16];
  snprintf(help_cmd, sizeof help_cmd, "%s ", cmd);
  for (int i = 2; i < argc; i++)
    if (is_help(argv[i])) return finish(print_help(cmd));

  if (strcmp(cmd, "list") == 0) {
    if (argc > 2) return usage_error("list: unexpected argument '%s'", argv[2], help_cmd);
    return list_types();
  }

  int hex = 0;
  const char *name = NULL;
  lkjson_options o = LKJSON_OPTIONS_INIT;
  int decode = strcmp(cmd, "decode") == 0;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--hex") == 0)
      hex = 1;
    else if (decode && strcmp(argv[i], "--emit-defaults") == 0)
      o.flags |= LKJSON_EMIT_DEFAULTS;
    else if (decode && strcmp(argv[i], "--proto-names") == 0)
      o.flags |= LKJSON_PROTO_NAMES;
    else if (!decode && strcmp(argv[i], "--ignore-unknown") == 0)
      o.flags |= LKJSON_IGNORE_UNKNOWN;
    else if (argv[i][0] == '-' && argv[i][1] != '\0')
      return usage_error("unknown option '%s'", argv[i], help_cmd);
    else if (name)
      return usage_error("unexpected argument '%s'", argv[i], help_cmd);
    else
      name = argv[i];
  }
  if (!name) return usage_error("%s: missing MESSAGE", cmd, help_cmd);
  const char *full;
  lkjson_kind kind;
  lkjson_status st = lkjson_type_resolve(name, &full, &kind);
  if (st != LKJSON_OK)
    return usage_error(st == LKJSON_AMBIGUOUS_TYPE
                           ? "ambiguous message name '%s' (give the full name)"
                           : "unknown message type '%s' ('lkproto list' lists them)",
                       name, help_cmd);
  if (kind == LKJSON_KIND_ENUM) return usage_error("'%s' is an enum, not a message", name, help_cmd);
  return run(cmd, full, &o, hex);
}
