/*
 * lktoken-cli.c - LiveKit access tokens from the shell (built as lktoken).
 *
 *   lktoken mint   [--api-key KEY] [--secret-file F] [--ttl S] [--now T] [--lines]
 *   lktoken verify [--secret-file F] [--api-key KEY] [--now T] [--leeway S]
 *                  [--allow-missing-exp] [--raw] [--lines]
 *   lktoken version
 *
 * The command line itself lives in token-cli.c (lktoken_cli_run, documented
 * in token-cli.h), shared with `lkproto token`, so that both tools behave
 * the same.  The secret comes from --secret-file or LIVEKIT_API_SECRET,
 * never from an argument (arguments show in `ps`).
 * Exit status: 0 ok, 1 refused input, 2 usage or setup error.
 */
#include "token-cli.h"

int main(int argc, char **argv) { return lktoken_cli_run("lktoken", argc - 1, argv + 1); }
