#!/usr/bin/env bash
# The command-line contract of lkproto: exit codes (0 ok, 1 invalid input,
# 2 usage), help and version, `list`, binary and hex modes, line-by-line
# output that stops at the first bad line with one error on stderr and
# nothing on stdout for that line.
#
# usage: tests/lkproto/cli.sh build/bin/lkproto
set -uo pipefail
LK=${1:?usage: cli.sh LKPROTO}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0

# expect NAME STATUS STDOUT-REGEX STDERR-REGEX [STDIN] -- ARGS...
expect() {
  local name=$1 want=$2 out_re=$3 err_re=$4 input=$5
  shift 6
  n=$((n + 1))
  printf '%b' "$input" | "$LK" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  local out err
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
  if [[ $got -ne $want ]] || ! [[ $out =~ $out_re ]] || ! [[ $err =~ $err_re ]]; then
    fails=$((fails + 1))
    echo "FAIL $name: lkproto $*: exit $got (want $want)"
    echo "  stdout: $(head -c 300 "$tmp/out")"
    echo "  stderr: $(head -c 300 "$tmp/err")"
  fi
}

# usage and help
expect 'no arguments' 2 '^$' 'usage: lkproto' '' --
expect '--help' 0 'usage: lkproto COMMAND' '^$' '' -- --help
expect '-h' 0 'usage: lkproto COMMAND' '^$' '' -- -h
expect 'help decode' 0 'usage: lkproto decode' '^$' '' -- help decode
expect 'decode --help' 0 'usage: lkproto decode' '^$' '' -- decode --help
expect 'encode -h' 0 'usage: lkproto encode' '^$' '' -- encode ParticipantInfo -h
expect 'list --help' 0 'usage: lkproto list' '^$' '' -- list --help
expect 'attrs --help' 0 'usage: lkproto attrs' '^$' '' -- attrs --help
expect 'help nope' 2 '^$' "unknown command 'nope'" '' -- help nope
expect '--version' 0 '^lkproto [0-9]+\.[0-9]+\.[0-9]+ ' '^$' '' -- --version
expect 'unknown command' 2 '^$' "unknown command 'frobnicate'" '' -- frobnicate
expect 'unknown option' 2 '^$' "unknown option '--nope'" '' -- --nope
expect 'decode: unknown option' 2 '^$' "unknown option '--binary'" '' -- decode ParticipantInfo --binary
expect 'decode: no type' 2 '^$' 'missing MESSAGE' '' -- decode
expect 'decode: two types' 2 '^$' "unexpected argument 'Room'" '' -- decode ParticipantInfo Room
expect 'decode: unknown type' 2 '^$' "unknown message type 'NoSuchMessage'" '' -- decode NoSuchMessage --hex
expect 'decode: an enum' 2 '^$' 'is an enum' '' -- decode ParticipantInfo.Kind
expect 'decode: map entry is no type' 2 '^$' 'unknown message type' '' -- decode livekit.ParticipantInfo.AttributesEntry
expect 'list: extra argument' 2 '^$' 'unexpected argument' '' -- list x
expect 'attrs: unknown sub-command' 2 '^$' "unknown command 'frob'" '' -- attrs frob

# names
expect 'full name' 0 '^\{"sid":"A"\}$' '^$' '0a0141\n' -- decode livekit.ParticipantInfo --hex
expect 'short name' 0 '^\{"sid":"A"\}$' '^$' '0a0141\n' -- decode ParticipantInfo --hex
expect 'leading dot' 0 '^\{"sid":"A"\}$' '^$' '0a0141\n' -- decode .livekit.ParticipantInfo --hex
expect 'nested message' 0 '^\{"streamId":"k"\}$' '^$' '0a016b\n' -- decode livekit.DataStream.Header --hex
expect 'option before name' 0 '^\{"sid":"A"\}$' '^$' '0a0141\n' -- decode --hex ParticipantInfo
expect 'well-known type' 0 '^"1970-01-01T00:00:01Z"$' '^$' '0801\n' -- decode google.protobuf.Timestamp --hex

# list
"$LK" list >"$tmp/list"
n=$((n + 1))
if ! grep -qx 'message livekit.ParticipantInfo' "$tmp/list" || ! grep -qx 'enum livekit.ParticipantInfo.Kind' "$tmp/list" ||
  grep -q 'Entry$' "$tmp/list" || [[ $(grep -c '^message livekit\.' "$tmp/list") -ne 548 ]] ||
  [[ $(grep -c '^enum livekit\.' "$tmp/list") -ne 97 ]]; then
  fails=$((fails + 1))
  echo "FAIL list: $(grep -c '^message livekit\.' "$tmp/list") livekit messages (want 548: all 25 files), $(grep -c '^enum livekit\.' "$tmp/list") enums (want 97)"
fi
# Names in package livekit.agent: full, relative to livekit, and unique short
# names; a short name that package livekit also has means livekit's.
expect 'agent package, full name' 0 '^\{"agentName":"a"\}$' '^$' '0a0161\n' -- decode --hex livekit.agent.ServerInfo
expect 'agent package, agent.X' 0 '^\{"agentName":"a"\}$' '^$' '0a0161\n' -- decode --hex agent.ServerInfo
expect 'agent package, short name' 0 '^\{"text":"a"\}$' '^$' '0a0161\n' -- decode --hex TimedString
expect 'livekit wins a short name' 0 '^\{"register":\{\}\}$' '^$' '0a00\n' -- decode --hex ServerMessage
# google.protobuf.Struct / Value / ListValue in their JSON forms, both ways.
expect 'JSON to Struct' 0 '^0a260a070a0161120208000a1b0a0162121632140a0911000000000000f03f0a031a01780a022001$' '^$' \
  '{"payload":{"a":null,"b":[1,"x",true]}}\n' -- encode --hex agent.DebugMessage
expect 'Struct to JSON' 0 '^\{"payload":\{"a":null,"b":\[1,"x",true\]\}\}$' '^$' \
  '0a260a070a0161120208000a1b0a0162121632140a0911000000000000f03f0a031a01780a022001\n' -- decode --hex agent.DebugMessage
expect 'Value without a kind' 1 '^$' 'must have a value' '0a070a050a01611200\n' -- decode --hex agent.DebugMessage

# hex mode: one line out per line in, in order; empty line = empty message
expect 'hex lines in order' 0 '^\{"sid":"A"\}
\{\}
\{"sid":"B"\}$' '^$' '0a0141\n\n0a0142\n' -- decode ParticipantInfo --hex
expect 'last line without newline' 0 '^\{"sid":"A"\}
\{"sid":"B"\}$' '^$' '0a0141\n0a0142' -- decode ParticipantInfo --hex
expect 'CRLF lines' 0 '^\{"sid":"A"\}$' '^$' '0A0141\r\n' -- decode ParticipantInfo --hex
expect 'no input, no output' 0 '^$' '^$' '' -- decode ParticipantInfo --hex
expect 'stop at first bad line' 1 '^\{"sid":"A"\}$' '^lkproto decode: line 2: livekit.ParticipantInfo: field sid: invalid UTF-8 in string, at byte offset 2$' \
  '0a0141\n0a01ff\n0a0142\n' -- decode ParticipantInfo --hex
expect 'odd hex' 1 '^$' 'line 1: .*odd number of digits' '0a014\n' -- decode ParticipantInfo --hex
expect 'bad hex digit' 1 '^$' 'line 1: .*invalid hex digit at column 3' '0ax141\n' -- decode ParticipantInfo --hex
expect 'space in hex' 1 '^$' 'invalid hex digit' '0a 0141\n' -- decode ParticipantInfo --hex
expect 'truncated' 1 '^$' 'line 1: livekit.ParticipantInfo: field sid: length 5 past the end \(1 bytes left\), at byte offset 1' '0a0541\n' -- decode ParticipantInfo --hex
expect 'nested path in error' 1 '^$' 'field tracks\[1\]\.name: invalid UTF-8 in string, at byte offset 8' '220022051a03c3a9ff\n' -- decode ParticipantInfo --hex
expect 'error path in map' 1 '^$' 'field attributes\[0\]\.value: invalid UTF-8 in string, at byte offset 7' '7a060a016b1201ff\n' -- decode ParticipantInfo --hex

# binary mode
printf '\x0a\x01\x41' | "$LK" decode ParticipantInfo >"$tmp/out" 2>"$tmp/err"
n=$((n + 1))
if [[ $? -ne 0 || $(cat "$tmp/out") != '{"sid":"A"}' ]]; then
  fails=$((fails + 1)); echo "FAIL binary decode: $(cat "$tmp/out" "$tmp/err")"
fi
printf '\x0a\x05\x41' | "$LK" decode ParticipantInfo >"$tmp/out" 2>"$tmp/err"
st=$?
n=$((n + 1))
if [[ $st -ne 1 || -s $tmp/out ]] || ! grep -q '^lkproto decode: livekit.ParticipantInfo: field sid: length 5 past the end' "$tmp/err"; then
  fails=$((fails + 1)); echo "FAIL binary decode error: exit $st: $(cat "$tmp/out" "$tmp/err")"
fi
printf '' | "$LK" decode ParticipantInfo >"$tmp/out" 2>"$tmp/err"
n=$((n + 1))
if [[ $? -ne 0 || $(cat "$tmp/out") != '{}' ]]; then fails=$((fails + 1)); echo "FAIL empty binary decode"; fi
printf '{"sid":"A"}' | "$LK" encode ParticipantInfo | od -An -tx1 | tr -d ' \n' >"$tmp/out"
n=$((n + 1))
if [[ $(cat "$tmp/out") != '0a0141' ]]; then fails=$((fails + 1)); echo "FAIL binary encode: $(cat "$tmp/out")"; fi

# encode, hex mode
expect 'encode hex lines' 0 '^0a0141

0a0142$' '^$' '{"sid":"A"}\n{}\n{"sid":"B"}\n' -- encode ParticipantInfo --hex
expect 'encode stops at first bad line' 1 '^0a0141$' '^lkproto encode: line 2: livekit.ParticipantInfo: field tracks\[0\]\.width: expected a number, got a string$' \
  '{"sid":"A"}\n{"tracks":[{"width":"x"}]}\n{"sid":"B"}\n' -- encode ParticipantInfo --hex
expect 'encode: bad JSON' 1 '^$' 'line 1: livekit.ParticipantInfo: invalid JSON at line 1 column' '{"sid":\n' -- encode ParticipantInfo --hex
expect 'encode: invalid UTF-8 in JSON' 1 '^$' 'invalid JSON' '{"sid":"\xff"}\n' -- encode ParticipantInfo --hex
expect 'encode: empty line is not JSON' 1 '^$' 'invalid JSON' '\n' -- encode ParticipantInfo --hex
expect 'encode: unknown field' 1 '^$' 'field nope: unknown field "nope" in livekit.ParticipantInfo' '{"nope":1}\n' -- encode ParticipantInfo --hex

# round trip through both commands keeps the bytes of a canonical message
msg=0a0450415f311205616c6963651802307b680170047a060a01611201317a0b0a01621206c3a9f09f9880
out=$(echo "$msg" | "$LK" decode ParticipantInfo --hex | "$LK" encode ParticipantInfo --hex)
n=$((n + 1))
[[ $out == "$msg" ]] || { fails=$((fails + 1)); echo "FAIL round trip: $out"; }

# the man page renders without warnings and documents every command
man=$(dirname "$0")/../../tools/lkproto/lkproto.1
if command -v groff >/dev/null; then
  n=$((n + 1))
  if ! groff -man -Tutf8 -wall "$man" 2>"$tmp/groff" >"$tmp/man" || [[ -s $tmp/groff ]]; then
    fails=$((fails + 1)); echo "FAIL man page: $(head -3 "$tmp/groff")"
  fi
fi
for cmd in decode encode list attrs help --hex --version; do
  n=$((n + 1))
  esc=$(printf '%s' "$cmd" | sed 's/-/\\-/g')
  grep -qF -- "$esc" "$man" || { fails=$((fails + 1)); echo "FAIL man page does not mention $cmd"; }
done

if ((fails)); then
  echo "lkproto cli: $fails of $n checks failed"
  exit 1
fi
echo "lkproto cli: $n checks passed"
