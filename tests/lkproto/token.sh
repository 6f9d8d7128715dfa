#!/usr/bin/env bash
# The `lkproto token` contract: mint -> verify round trips with the secret
# from a file and from LIVEKIT_API_SECRET, `--secret` refused (a secret on
# the command line would show in `ps`), refused tokens (tampered, wrong
# secret, expired, not a JWT) with exit status 1, usage errors with 2,
# nothing on stdout on failure, the secret never echoed; and the same bytes
# as the lktoken tool for the same input (one implementation:
# tools/lktoken/token-cli.c).
#
# usage: tests/lkproto/token.sh build/bin/lkproto [build/bin/lktoken]
set -uo pipefail
LK=${1:?usage: token.sh LKPROTO [LKTOKEN]}
LK=$(cd "$(dirname "$LK")" && pwd)/$(basename "$LK")
LKT=${2:-}
[[ -n $LKT ]] && LKT=$(cd "$(dirname "$LKT")" && pwd)/$(basename "$LKT")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fails=0
n=0
unset LIVEKIT_API_KEY LIVEKIT_API_SECRET

fail() {
  fails=$((fails + 1))
  echo "FAIL $*"
}

# t NAME STATUS STDOUT STDERR-REGEX ARGS...  (as in attrs.sh)
#   STDOUT: exact expected standard output, or '*' for anything.  Standard
#   input comes from $IN (printf %b format); ENV (an array, set in a
#   statement of its own before t) holds extra VAR=value words.
IN=
ENV=()
t() {
  local name=$1 want=$2 want_out=$3 err_re=$4
  shift 4
  n=$((n + 1))
  printf '%b' "$IN" | env "${ENV[@]}" "$LK" "$@" >out 2>err
  local got=$?
  local out err
  out=$(cat out)
  err=$(cat err)
  if [[ $got -ne $want ]] || { [[ $want_out != '*' ]] && [[ $out != "$want_out" ]]; } || ! [[ $err =~ $err_re ]]; then
    fail "$name: lkproto $*: exit $got (want $want)"
    echo "  stdout: $(head -c 300 out)"
    [[ $want_out != '*' ]] && echo "  want:   ${want_out:0:300}"
    echo "  stderr: $(head -c 300 err)"
  fi
  if [[ $got -ne 0 && -s out ]] && [[ " $* " != *" --lines "* ]]; then fail "$name: output on failure"; fi
  # The secret never appears in any output.
  if grep -q 'sw0rdf1sh' out err; then fail "$name: the secret was printed"; fi
  IN=
  ENV=()
}

SECRET=sw0rdf1sh-0123456789abcdef
printf '%s\n' "$SECRET" >secret.txt       # one trailing newline: removed
printf '%s' "wrong-$SECRET" >wrong.txt
NOW=1700000000
CLAIMS='{"sub":"alice","name":"Alice","video":{"room":"r1","roomJoin":true,"canUpdateOwnMetadata":true},"attributes":{"color":"blue","sip.phoneNumber":"+15550100"}}'
WANT='{"sub":"alice","iss":"APIkey","nbf":1700000000,"exp":1700021600,"name":"Alice","attributes":{"color":"blue","sip.phoneNumber":"+15550100"},"video":{"roomJoin":true,"canUpdateOwnMetadata":true,"room":"r1"}}'

# ---------------------------------------------------------------- usage, help
t 'token alone' 2 '' 'usage: lkproto token mint' token
t 'token --help' 0 '*' '^$' token --help
grep -q '^usage: lkproto token mint' out || fail 'token --help text'
t 'token mint --help' 0 '*' '^$' token mint --help
grep -q 'LIVEKIT_API_SECRET' out || fail 'token mint --help: no word on the secret'
t 'help token' 0 '*' '^$' help token
grep -q '^usage: lkproto token mint' out || fail 'help token text'
t 'lkproto --help lists token' 0 '*' '^$' --help
grep -q 'token mint|verify' out || fail 'lkproto --help does not list token'
t 'unknown token command' 2 '' 'usage: lkproto token' token frob
t 'unknown option' 2 '' 'lkproto token: bad argument --frob' token verify --frob
t 'version' 0 '*' '^$' token version
grep -q '^lkproto token [0-9]' out || fail "token version: $(cat out)"

# ------------------------------------------------- the secret: never an argument
IN=$CLAIMS t '--secret refused (mint)' 2 '' 'lkproto token: --secret is not accepted \(it would show in ps\)' \
  token mint --api-key APIkey --secret "$SECRET"
IN=x t '--secret refused (verify)' 2 '' '--secret is not accepted' token verify --secret "$SECRET"
IN=$CLAIMS t 'no secret at all' 2 '' 'no secret: use --secret-file F or LIVEKIT_API_SECRET' \
  token mint --api-key APIkey
: >empty.txt
IN=$CLAIMS t 'empty secret file' 2 '' 'the secret is empty' token mint --api-key APIkey --secret-file empty.txt
IN=$CLAIMS t 'missing secret file' 2 '' 'cannot open nope.txt' token mint --api-key APIkey --secret-file nope.txt
IN=$CLAIMS t 'mint without API key' 2 '' 'mint needs an API key' token mint --secret-file secret.txt

# ------------------------------------------------------------ mint -> verify
IN=$CLAIMS t 'mint, secret from a file' 0 '*' '^$' token mint --api-key APIkey --secret-file secret.txt --now $NOW
tok_file=$(cat out)
[[ $tok_file =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]] || fail "mint: not a JWT: $tok_file"
ENV=(LIVEKIT_API_SECRET="$SECRET" LIVEKIT_API_KEY=APIkey)
IN=$CLAIMS t 'mint, secret and key from the environment' 0 '*' '^$' \
  token mint --now $NOW
tok_env=$(cat out)
[[ $tok_file == "$tok_env" ]] || fail 'the file secret (trailing newline removed) and the environment secret sign differently'

IN=$tok_file t 'verify, secret from a file' 0 "$WANT" '^$' token verify --secret-file secret.txt --now $((NOW + 60))
ENV=(LIVEKIT_API_SECRET="$SECRET")
IN=$tok_file t 'verify, secret from the environment' 0 "$WANT" '^$' \
  token verify --now $((NOW + 60))
IN=$tok_file t 'verify, expected issuer' 0 "$WANT" '^$' token verify --secret-file secret.txt --api-key APIkey --now $((NOW + 60))
IN=$tok_file t 'verify --raw' 0 '*' '^$' token verify --secret-file secret.txt --raw --now $((NOW + 60))
grep -q '"sip.phoneNumber":"+15550100"' out || fail 'verify --raw: payload'
IN="$tok_file\n" t 'verify, trailing newline on stdin' 0 "$WANT" '^$' token verify --secret-file secret.txt --now $((NOW + 60))

# ------------------------------------------------------------------ refusals
IN=$tok_file t 'wrong secret' 1 '' 'lkproto token: verify: .*signature' token verify --secret-file wrong.txt --now $((NOW + 60))
IN=$tok_file t 'wrong issuer' 1 '' 'lkproto token: verify: ' token verify --secret-file secret.txt --api-key other --now $((NOW + 60))
IN=$tok_file t 'expired' 1 '' 'expired' token verify --secret-file secret.txt --now $((NOW + 30000))
IN=$tok_file t 'not yet valid' 1 '' 'not yet valid' token verify --secret-file secret.txt --now $((NOW - 3600))
sig=${tok_file##*.}
first=${sig:0:1}
[[ $first == A ]] && other=B || other=A
IN="${tok_file%.*}.$other${sig:1}" t 'tampered signature' 1 '' 'signature' token verify --secret-file secret.txt --now $((NOW + 60))
IN='not-a-token' t 'not a JWT' 1 '' 'lkproto token: verify: ' token verify --secret-file secret.txt --now $NOW
IN='eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' t 'alg none' 1 '' 'lkproto token: verify: ' token verify --secret-file secret.txt --now $NOW
IN='{"sub":"a","attributes":{"k":1}}' t 'mint: non-string attribute' 1 '' 'lkproto token: mint: ' \
  token mint --api-key APIkey --secret-file secret.txt --now $NOW
IN='{"sub":' t 'mint: bad JSON' 1 '' 'lkproto token: mint: ' token mint --api-key APIkey --secret-file secret.txt --now $NOW

# ------------------------------- verify prints what the library accepts
# Hand-made tokens (signed with node's crypto): claims that the verifier
# accepts but mint would not write.  verify prints them; the really invalid
# ones are still refused.
sign() {
  node -e 'const c = require("crypto"), b = (x) => Buffer.from(x).toString("base64url");
    const hp = b(JSON.stringify({alg: "HS256", typ: "JWT"})) + "." + b(process.argv[1]);
    console.log(hp + "." + c.createHmac("sha256", process.argv[2]).update(hp).digest("base64url"));' "$1" "$SECRET"
}
EXP=$((NOW + 3600))
vt() { # vt NAME PAYLOAD STATUS STDOUT STDERR-REGEX: verify a hand-made token, both tools
  local tok
  tok=$(sign "$2") || { fail "$1: node could not sign"; return; }
  IN=$tok t "$1" "$3" "$4" "$5" token verify --secret-file secret.txt --now $NOW
  if [[ -n $LKT ]]; then
    n=$((n + 1))
    local o rc
    o=$(printf '%s' "$tok" | "$LKT" verify --secret-file secret.txt --now $NOW 2>/dev/null)
    rc=$?
    [[ $rc -eq $3 && ( $4 == '*' || $o == "$4" ) ]] || fail "$1: lktoken verify: exit $rc, $o"
  fi
}
vt 'verify: unknown source prints as "unknown"' \
  '{"exp":'$EXP',"video":{"canPublishSources":["camera","hologram"]}}' \
  0 '{"exp":'$EXP',"video":{"canPublishSources":["camera","unknown"]}}' '^$'
vt 'verify: negative nbf and iat' '{"exp":'$EXP',"nbf":-5,"iat":-5}' \
  0 '{"nbf":-5,"exp":'$EXP',"iat":-5}' '^$'
vt 'verify: real negative times, rounded to the safe side' '{"exp":'$EXP',"nbf":-1.5,"iat":-1.5}' \
  0 '{"nbf":-1,"exp":'$EXP',"iat":-2}' '^$'
vt 'verify: nbf -(2^53-1)' '{"exp":'$EXP',"nbf":-9007199254740991}' \
  0 '{"nbf":-9007199254740991,"exp":'$EXP'}' '^$'
vt 'verify: nbf -(2^53) refused' '{"exp":'$EXP',"nbf":-9007199254740992}' 1 '' 'lkproto token: verify: .*nbf is out of range'
vt 'verify: iat 2^53 refused' '{"exp":'$EXP',"iat":9007199254740992}' 1 '' 'lkproto token: verify: .*iat is out of range'
vt 'verify: nbf -1e300 refused' '{"exp":'$EXP',"nbf":-1e300}' 1 '' 'lkproto token: verify: .*nbf is out of range'
vt 'verify: a source that is not a string refused' '{"exp":'$EXP',"video":{"canPublishSources":["camera",7]}}' \
  1 '' 'lkproto token: verify: .*canPublishSources\[1\] must be a string'
# The printed claims mint again only where mint's rules allow: "unknown"
# reads back as UNKNOWN, which cannot be minted.
IN='{"sub":"a","video":{"canPublishSources":["camera","unknown"]}}' t 'mint: "unknown" source refused' 1 '' \
  'lkproto token: mint: .*unknown source bits 0x80' token mint --api-key APIkey --secret-file secret.txt --now $NOW
IN='{"sub":"a","nbf":-5}' t 'mint: negative nbf refused' 1 '' 'lkproto token: mint: .*nbf is out of range \(0\.\.2\^53-1\)' \
  token mint --api-key APIkey --secret-file secret.txt --now $NOW

# ------------------------------------------------------------- --lines mode
IN="$tok_file\ngarbage\n$tok_file\n" t 'verify --lines, one bad line' 1 '*' '^$' \
  token verify --lines --secret-file secret.txt --now $((NOW + 60))
[[ $(sed -n 1p out) == "$WANT" && $(sed -n 2p out) == error:* && $(sed -n 3p out) == "$WANT" ]] ||
  fail "verify --lines output: $(head -c 400 out)"

# -------------------------------------------- the same bytes as lktoken
if [[ -n $LKT ]]; then
  n=$((n + 2))
  a=$(printf '%s' "$CLAIMS" | LIVEKIT_API_SECRET="$SECRET" "$LKT" mint --api-key APIkey --now $NOW)
  [[ $a == "$tok_file" ]] || fail 'lktoken mint and lkproto token mint differ'
  b=$(printf '%s' "$tok_file" | "$LKT" verify --secret-file secret.txt --now $((NOW + 60)))
  [[ $b == "$WANT" ]] || fail 'lktoken verify and lkproto token verify differ'
fi

# ----------------------------------------------------------- documentation
man=$here/../../tools/lkproto/lkproto.1
readme=$here/../../tools/lkproto/README.md
for word in 'token mint' 'token verify' secret-file LIVEKIT_API_SECRET LIVEKIT_API_KEY allow-missing-exp leeway; do
  n=$((n + 2))
  esc=$(printf '%s' "$word" | sed 's/-/\\-/g')
  grep -qF -- "$esc" "$man" || grep -qF -- "$word" "$man" || fail "man page does not mention $word"
  grep -qF -- "$word" "$readme" || fail "README does not mention $word"
done

if ((fails)); then
  echo "lkproto token: $fails of $n checks failed"
  exit 1
fi
echo "lkproto token: $n checks passed"
