/*
 * token-cli.c - the `mint` / `verify` / `version` command line of LiveKit
 * access tokens, shared by the lktoken tool (lktoken-cli.c) and
 * `lkproto token` (tools/lkproto/main.c): one implementation, one contract.
 * See token-cli.h.  Every decision is a library call
 * (lktoken_claims_from_json, lktoken_mint, lktoken_verify_opts,
 * lktoken_claims_to_json); this file only does the I/O.
 */
#include "token-cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lktoken/token.h"

typedef struct options {
  const char *prog; /* for messages: "lktoken", "lkproto token" */
  const char *api_key;
  const char *secret_file;
  int64_t ttl;
  int64_t now;
  int64_t leeway;
  int lines;
  int raw;
  int allow_missing_exp;
} options;

typedef struct buffer {
  char *data;
  size_t len;
} buffer;

static void usage(const char *prog, FILE *f) {
  fprintf(f,
          "usage: %s mint   [--api-key KEY] [--secret-file F] [--ttl S] [--now T] [--lines]\n"
          "       %s verify [--api-key KEY] [--secret-file F] [--now T] [--leeway S]\n"
          "              [--allow-missing-exp] [--raw] [--lines]\n"
          "       %s version | --version\n"
          "       %s help | -h | --help   (also after mint or verify)\n"
          "mint reads the claims JSON on stdin (payload shape: {\"sub\":\"alice\",\n"
          "\"video\":{\"room\":\"r\",\"roomJoin\":true},\"attributes\":{...}}) and prints the\n"
          "token; nbf defaults to now, exp to now + ttl (default 21600 s).\n"
          "verify reads the token on stdin and prints the verified claims as JSON\n"
          "(--raw: the payload as signed); --api-key is then the expected issuer;\n"
          "default leeway 10 s.  --lines: one input per line, one output line each\n"
          "(\"error: ...\" for a refused one).\n"
          "API key: --api-key or LIVEKIT_API_KEY; secret: --secret-file F (one\n"
          "trailing newline removed) or LIVEKIT_API_SECRET, never an argument.\n"
          "Exit status: 0 ok, 1 refused input, 2 usage or setup error.\n"
          "%s\n",
          prog, prog, prog, prog,
          strcmp(prog, "lktoken") == 0
              ? "The same commands: lkproto token (lkproto(1)).  See lktoken(1)."
              : "The same commands as lktoken (lktoken(1)).  See lkproto(1).");
}

static int read_all(FILE *f, buffer *b) {
  size_t cap = 4096;
  b->len = 0;
  b->data = malloc(cap);
  if (b->data == NULL) return -1;
  for (;;) {
    if (cap - b->len < 4096) {
      char *n = realloc(b->data, cap * 2);
      if (n == NULL) return -1;
      b->data = n;
      cap *= 2;
    }
    size_t got = fread(b->data + b->len, 1, cap - b->len - 1, f);
    b->len += got;
    if (got == 0) break;
  }
  b->data[b->len] = '\0';
  return ferror(f) ? -1 : 0;
}

static int parse_int(const char *s, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0') return -1;
  *out = (int64_t)v;
  return 0;
}

/* The secret: --secret-file (one trailing \n or \r\n removed) or env. */
static int load_secret(const options *o, buffer *secret) {
  secret->data = NULL;
  secret->len = 0;
  if (o->secret_file != NULL) {
    FILE *f = fopen(o->secret_file, "rb");
    if (f == NULL) {
      fprintf(stderr, "%s: cannot open %s: %s\n", o->prog, o->secret_file,
              strerror(errno));
      return -1;
    }
    int r = read_all(f, secret);
    fclose(f);
    if (r != 0) {
      fprintf(stderr, "%s: cannot read %s\n", o->prog, o->secret_file);
      return -1;
    }
    if (secret->len > 0 && secret->data[secret->len - 1] == '\n') secret->len--;
    if (secret->len > 0 && secret->data[secret->len - 1] == '\r') secret->len--;
  } else {
    const char *env = getenv("LIVEKIT_API_SECRET");
    if (env == NULL) {
      fprintf(stderr, "%s: no secret: use --secret-file F or LIVEKIT_API_SECRET\n", o->prog);
      return -1;
    }
    secret->len = strlen(env);
    secret->data = malloc(secret->len + 1);
    if (secret->data == NULL) return -1;
    memcpy(secret->data, env, secret->len + 1);
  }
  if (secret->len == 0) {
    fprintf(stderr, "%s: the secret is empty\n", o->prog);
    return -1;
  }
  return 0;
}

static void report(const options *o, const char *what, const lktoken_error *e,
                   int line_mode) {
  if (line_mode)
    printf("error: %s: %s\n", lktoken_strerror(e->code), e->message);
  else
    fprintf(stderr, "%s: %s: %s: %s\n", o->prog, what, lktoken_strerror(e->code),
            e->message);
}

/* Mints one token from a claims JSON text; prints it.  0 ok, 1 refused. */
static int mint_one(const options *o, const buffer *secret, const char *json,
                    size_t len, int line_mode) {
  lktoken_claims c;
  lktoken_error e;
  lktoken_status st = lktoken_claims_from_json(json, len, NULL, NULL, &c, &e);
  if (st == LKTOKEN_OK) {
    if (c.not_before == 0) c.not_before = o->now;
    if (c.expires_at == 0) c.expires_at = o->now + o->ttl;
    size_t need = 0;
    st = lktoken_mint(&c, o->api_key, secret->data, secret->len, NULL, 0, &need, &e);
    if (st == LKTOKEN_E_NOSPACE) {
      char *tok = malloc(need + 1);
      if (tok == NULL) {
        lktoken_claims_free(&c);
        fprintf(stderr, "%s: out of memory\n", o->prog);
        return 1;
      }
      st = lktoken_mint(&c, o->api_key, secret->data, secret->len, tok, need + 1,
                        &need, &e);
      if (st == LKTOKEN_OK) printf("%s\n", tok);
      free(tok);
    }
  }
  lktoken_claims_free(&c);
  if (st != LKTOKEN_OK) {
    report(o, "mint", &e, line_mode);
    return 1;
  }
  return 0;
}

/* Verifies one token; prints the claims.  0 ok, 1 refused. */
static int verify_one(const options *o, const buffer *secret, const char *tok,
                      size_t len, int line_mode) {
  lktoken_verify_params p;
  memset(&p, 0, sizeof p);
  p.now = o->now;
  p.leeway = o->leeway;
  p.issuer = o->api_key;
  p.allow_missing_exp = o->allow_missing_exp != 0;
  lktoken_claims c;
  lktoken_error e;
  lktoken_status st = lktoken_verify_opts(tok, len, secret->data, secret->len, &p, &c, &e);
  if (st == LKTOKEN_OK) {
    if (o->raw) {
      fwrite(c.payload_json, 1, c.payload_json_len, stdout);
      putchar('\n');
    } else {
      size_t need = 0;
      st = lktoken_claims_to_json(&c, NULL, 0, &need, &e);
      if (st == LKTOKEN_E_NOSPACE) {
        char *json = malloc(need + 1);
        if (json == NULL) {
          lktoken_claims_free(&c);
          fprintf(stderr, "%s: out of memory\n", o->prog);
          return 1;
        }
        st = lktoken_claims_to_json(&c, json, need + 1, &need, &e);
        if (st == LKTOKEN_OK) printf("%s\n", json);
        free(json);
      }
    }
  }
  lktoken_claims_free(&c);
  if (st != LKTOKEN_OK) {
    report(o, "verify", &e, line_mode);
    return 1;
  }
  return 0;
}

static int is_space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

int lktoken_cli_run(const char *prog, int argc, char **argv) {
  if (prog == NULL) prog = "lktoken";
  if (argc < 1 || argv == NULL) {
    usage(prog, stderr);
    return 2;
  }
  const char *cmd = argv[0];
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    printf("%s %s (%s, jansson %s)\n", prog, lktoken_version_string(),
           lktoken_crypto_version(), lktoken_json_version());
    return 0;
  }
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
    usage(prog, stdout);
    return 0;
  }
  int mint = strcmp(cmd, "mint") == 0;
  if (!mint && strcmp(cmd, "verify") != 0) {
    usage(prog, stderr);
    return 2;
  }
  options o;
  memset(&o, 0, sizeof o);
  o.prog = prog;
  o.api_key = getenv("LIVEKIT_API_KEY");
  o.ttl = 21600;
  o.now = (int64_t)time(NULL);
  o.leeway = LKTOKEN_DEFAULT_LEEWAY_SECONDS;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    int bad = 0;
    if (strcmp(a, "--api-key") == 0 && v != NULL) {
      o.api_key = v;
      i++;
    } else if (strcmp(a, "--secret-file") == 0 && v != NULL) {
      o.secret_file = v;
      i++;
    } else if (strcmp(a, "--ttl") == 0 && v != NULL) {
      bad = parse_int(v, &o.ttl) != 0 || o.ttl <= 0;
      i++;
    } else if (strcmp(a, "--now") == 0 && v != NULL) {
      bad = parse_int(v, &o.now) != 0;
      i++;
    } else if (strcmp(a, "--leeway") == 0 && v != NULL) {
      bad = parse_int(v, &o.leeway) != 0;
      i++;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(prog, stdout);
      return 0;
    } else if (strcmp(a, "--lines") == 0) {
      o.lines = 1;
    } else if (strcmp(a, "--raw") == 0 && !mint) {
      o.raw = 1;
    } else if (strcmp(a, "--allow-missing-exp") == 0 && !mint) {
      o.allow_missing_exp = 1;
    } else if (strcmp(a, "--secret") == 0) {
      fprintf(stderr, "%s: --secret is not accepted (it would show in ps): use "
              "--secret-file F or LIVEKIT_API_SECRET\n", prog);
      return 2;
    } else {
      bad = 1;
    }
    if (bad) {
      fprintf(stderr, "%s: bad argument %s\n", prog, a);
      usage(prog, stderr);
      return 2;
    }
  }
  if (mint && (o.api_key == NULL || o.api_key[0] == '\0')) {
    fprintf(stderr, "%s: mint needs an API key: --api-key KEY or LIVEKIT_API_KEY\n", prog);
    return 2;
  }
  buffer secret, in;
  if (load_secret(&o, &secret) != 0) {
    free(secret.data);
    return 2;
  }
  if (read_all(stdin, &in) != 0) {
    fprintf(stderr, "%s: cannot read stdin\n", prog);
    free(secret.data);
    free(in.data);
    return 2;
  }
  int failed = 0;
  if (o.lines) {
    char *p = in.data, *end = in.data + in.len;
    while (p < end) {
      char *nl = memchr(p, '\n', (size_t)(end - p));
      char *stop = nl != NULL ? nl : end;
      char *q = stop;
      while (q > p && is_space(q[-1])) q--;
      if (q > p)
        failed |= mint ? mint_one(&o, &secret, p, (size_t)(q - p), 1)
                       : verify_one(&o, &secret, p, (size_t)(q - p), 1);
      p = stop + 1;
    }
  } else {
    size_t s = 0, e = in.len;
    while (s < e && is_space(in.data[s])) s++;
    while (e > s && is_space(in.data[e - 1])) e--;
    failed = mint ? mint_one(&o, &secret, in.data + s, e - s, 0)
                  : verify_one(&o, &secret, in.data + s, e - s, 0);
  }
  fflush(stdout);
  if (secret.data != NULL) memset(secret.data, 0, secret.len);
  free(secret.data);
  free(in.data);
  return failed ? 1 : 0;
}
