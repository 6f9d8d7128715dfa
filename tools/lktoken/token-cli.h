/*
 * token-cli.h - the token command line, shared by `lktoken` and
 * `lkproto token` (not installed; linked into both programs from
 * $(LKTOKEN_CLI_OBJ), see libtoken/libtoken.mk).
 */
#ifndef LKTOKEN_TOKEN_CLI_H
#define LKTOKEN_TOKEN_CLI_H

/*
 * lktoken_cli_run - run one token command and return the exit status.
 *
 *   PROG mint   [--api-key KEY] [--secret-file F] [--ttl S] [--now T] [--lines]
 *       stdin: the claims as a JSON object, in the payload shape
 *       ({"sub":"alice","video":{"roomJoin":true,"room":"r"},"attributes":{...}}).
 *       nbf defaults to now and exp to now + ttl (default 21600 s, 6 h, as
 *       livekit-server-sdk); iss is the API key.  stdout: the token.
 *   PROG verify [--secret-file F] [--api-key KEY] [--now T] [--leeway S]
 *               [--allow-missing-exp] [--raw] [--lines]
 *       stdin: the token.  stdout: the verified claims as compact JSON (as
 *       the library understood them; --raw: the payload as signed).
 *       --api-key: the expected issuer.  Default leeway 10 s (the SDK's).
 *   PROG version
 *   PROG --help | -h
 *
 * The API key comes from --api-key or LIVEKIT_API_KEY; the secret from the
 * file given by --secret-file (one trailing newline is removed) or from
 * LIVEKIT_API_SECRET, never from an argument (arguments show in `ps`):
 * `--secret` is refused with exit status 2.  --lines: one input per line,
 * one output line each ("error: ..." for a refused one); the exit status is
 * 1 when any line failed.
 *
 * prog: the name used in messages and in the usage text ("lktoken",
 * "lkproto token"); NULL means "lktoken".  argv[0] is the command (mint,
 * verify, version, --help), argv[1..argc) its options.  The secret is wiped
 * from memory before returning.
 * Returns 0 ok, 1 refused input, 2 usage or setup error.
 * Not thread-safe (stdin, stdout, the environment).
 */
int lktoken_cli_run(const char *prog, int argc, char **argv);

#endif /* LKTOKEN_TOKEN_CLI_H */
