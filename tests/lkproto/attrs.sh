#!/usr/bin/env bash
# The `lkproto attrs` contract: every rule of the libattrs core through the
# command line (origin x namespace, permission, key and size limits, UTF-8,
# U+0000, control characters, deletes, atomic refusal), exit codes (0 ok,
# 1 invalid input or refused update, 2 usage), the messages on stderr, and
# nothing on stdout when something is refused.
#
# usage: tests/lkproto/attrs.sh build/bin/lkproto
set -uo pipefail
LK=${1:?usage: attrs.sh LKPROTO}
LK=$(cd "$(dirname "$LK")" && pwd)/$(basename "$LK")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fails=0
n=0

fail() {
  fails=$((fails + 1))
  echo "FAIL $*"
}

# t NAME STATUS STDOUT STDERR-REGEX ARGS...
#   STDOUT is the exact expected standard output (trailing newline removed),
#   or '*' for anything.  Standard input comes from $IN (printf %b format).
IN=
t() {
  local name=$1 want=$2 want_out=$3 err_re=$4
  shift 4
  n=$((n + 1))
  printf '%b' "$IN" | "$LK" "$@" >out 2>err
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
  # A failure never writes to stdout.
  if [[ $got -ne 0 && -s out ]]; then fail "$name: output on failure"; fi
  IN=
}

# f FILE TEXT: writes TEXT (printf %b) to FILE.
f() { printf '%b' "$2" >"$1"; }
# rep N CHAR: N copies of CHAR.
rep() { head -c "$1" /dev/zero | tr '\0' "$2"; }

M='lkproto attrs merge: '
NA='NOT_ALLOWED: '
LE='LIMIT_EXCEEDED: '
IR='INVALID_REQUEST: '

# ---------------------------------------------------------------- usage, help
t 'attrs alone' 2 '' 'usage: lkproto attrs merge' attrs
t 'attrs --help' 0 '*' '^$' attrs --help
grep -q '^usage: lkproto attrs merge' out || fail 'attrs --help text'
for sub in merge diff check names; do
  t "attrs $sub --help" 0 '*' '^$' attrs "$sub" --help
  grep -q "^usage: lkproto attrs $sub" out || fail "attrs $sub --help text"
  t "attrs $sub -h after args" 0 '*' '^$' attrs "$sub" x y -h
  grep -q "^usage: lkproto attrs $sub" out || fail "attrs $sub -h text"
  t "help attrs $sub" 0 '*' '^$' help attrs "$sub"
  grep -q "^usage: lkproto attrs $sub" out || fail "help attrs $sub text"
done
t 'help attrs' 0 '*' '^$' help attrs
t 'lkproto --help lists attrs' 0 '*' '^$' --help
grep -q 'attrs merge|diff|check|names' out || fail 'lkproto --help does not list attrs'
t 'unknown sub-command' 2 '' "^lkproto attrs: unknown command 'frob'" attrs frob
t 'help attrs unknown' 2 '' "unknown command 'frob'" help attrs frob

f cur.json '{"a":"1"}'
f upd.json '{"a":"","b":"2"}'
t 'merge: no file' 2 '' 'two files needed: CURRENT UPDATE' attrs merge
t 'merge: one file' 2 '' 'two files needed: CURRENT UPDATE' attrs merge cur.json
t 'merge: three files' 2 '' "unexpected argument 'x'" attrs merge cur.json upd.json x
t 'merge: unknown option' 2 '' "unknown option '--bogus'" attrs merge --bogus cur.json upd.json
t 'merge: --origin without value' 2 '' "option needs a value: '--origin'" attrs merge cur.json upd.json --origin
t 'merge: bad origin' 2 '' "--origin must be server, client, agent, sip or ingress, not 'root'" attrs merge --origin root cur.json upd.json
t 'merge: bad --max-size' 2 '' "not a byte count.*'12k'" attrs merge --max-size 12k cur.json upd.json
t 'merge: negative --max-key' 2 '' "not a byte count.*'-1'" attrs merge --max-key -1 cur.json upd.json
t 'merge: huge --max-size' 2 '' 'not a byte count' attrs merge --max-size 99999999999999999999999 cur.json upd.json
t 'merge: flag with a value' 2 '' "option takes no value: '--no-namespaces=1'" attrs merge --no-namespaces=1 cur.json upd.json
t 'merge: stdin twice' 2 '' "standard input \('-'\) can be read only once" attrs merge - -
t 'merge: usage error names the help' 2 '' "Try 'lkproto attrs merge --help'" attrs merge --bogus
t 'diff: no option taken' 2 '' "lkproto attrs diff: unknown option '--origin'" attrs diff --origin client cur.json upd.json
t 'diff: one file' 2 '' 'two files needed: OLD NEW' attrs diff cur.json
t 'check: no file' 2 '' 'missing FILE' attrs check
t 'check: two files' 2 '' "unexpected argument 'upd.json'" attrs check cur.json upd.json
t 'check: no origin option' 2 '' "unknown option '--can-update-metadata'" attrs check --can-update-metadata cur.json
t 'names: argument' 2 '' "unexpected argument 'x'" attrs names x

# ---------------------------------------------------------------- merge basics
t 'README example' 0 '{"b":"2"}' '^$' attrs merge --origin client --can-update-metadata cur.json upd.json
IN='{"a":"","b":"2"}'
t 'UPDATE from stdin' 0 '{"b":"2"}' '^$' attrs merge --origin client --can-update-metadata cur.json -
IN='{"a":"1"}'
t 'CURRENT from stdin' 0 '{"b":"2"}' '^$' attrs merge --origin server - upd.json
t 'options anywhere' 0 '{"b":"2"}' '^$' attrs merge cur.json --origin client upd.json --can-update-metadata
t 'option=value form' 0 '{"b":"2"}' '^$' attrs merge --origin=client --max-size=100 --max-key=5 --can-update-metadata cur.json upd.json
cp upd.json ./-u.json
t '-- ends the options' 0 '{"b":"2"}' '^$' attrs merge --origin client --can-update-metadata -- cur.json -u.json
f empty.json '{}'
t 'empty update' 0 '{"a":"1"}' '^$' attrs merge --origin server cur.json empty.json
t 'empty current' 0 '{"b":"2"}' '^$' attrs merge --origin server empty.json upd.json
f two.json '{"a":"1","b":"2"}'
f del.json '{"a":""}'
t 'empty value deletes' 0 '{"b":"2"}' '^$' attrs merge --origin server two.json del.json
f delabs.json '{"zz":""}'
t 'deleting an absent key changes nothing' 0 '{"a":"1","b":"2"}' '^$' attrs merge --origin server two.json delabs.json
t 'deleting everything' 0 '{}' '^$' attrs merge --origin server cur.json del.json
f dup.json '{"a":"x","b":"y","a":"z"}'
t 'duplicate keys: the last wins' 0 '{"a":"z","b":"y"}' '^$' attrs merge --origin server empty.json dup.json
f dupdel.json '{"a":"x","a":""}'
t 'duplicate keys: a last "" deletes' 0 '{"b":"2"}' '^$' attrs merge --origin server two.json dupdel.json
f curempty.json '{"a":"","b":"2"}'
t 'CURRENT: "" means no value' 0 '{"b":"2"}' '^$' attrs merge --origin server curempty.json empty.json
f order.json '{"b":"1","\\u00e9":"1","a":"1","B":"1","aa":"1","\\ud83d\\ude00":"1","~":"1"}'
t 'bytewise key order, UTF-8 out' 0 '{"B":"1","a":"1","aa":"1","b":"1","~":"1","é":"1","😀":"1"}' '^$' attrs merge --origin server empty.json order.json
f esc.json '{"q":"a\\"b\\\\c\\n\\t\\u0001\\u001f\\u007f\\u0085/\\u2028"}'
t 'values escaped as JSON' 0 "{\"q\":\"a\\\"b\\\\c\\n\\t\\u0001\\u001f$(printf '\x7f\xc2\x85')/$(printf '\xe2\x80\xa8')\"}" '^$' attrs merge --origin server empty.json esc.json
node -e 'JSON.parse(require("fs").readFileSync("out","utf8"))' 2>/dev/null || fail 'escaped output is not valid JSON'
f ws.json ' \n { "a" : "1" } \n\n'
t 'whitespace around the object' 0 '{"a":"1"}' '^$' attrs merge --origin server empty.json ws.json

# ---------------------------------------------------------------- origin x namespace
f sip.json '{"sip.phoneNumber":"+15550100"}'
f ing.json '{"ingress.ingressID":"IN_1"}'
f lk.json '{"lk.foo":"1"}'
f lka.json '{"lk.agent.state":"listening"}'
f pob.json '{"lk.publish_on_behalf":"x"}'
f hdr.json '{"sip.h.X-Foo":"1"}'
f near.json '{"sip":"1","sipx.y":"1","lkfoo":"1","LK.x":"1","ingress":"1","Sip.x":"1"}'
for who in client agent; do
  for file in sip ing lk hdr; do
    t "$who may not write $file" 1 '' "^${M}${NA}key \"[^\"]+\": reserved name \(.*owner .*\): origin $who may not write sip\.\*, ingress\.\* or lk\.\* names.*--no-namespaces turns this rule off" \
      attrs merge --origin $who --can-update-metadata empty.json $file.json
  done
  t "$who may not write lk.publish_on_behalf" 1 '' "${NA}key \"lk.publish_on_behalf\"" attrs merge --origin $who --can-update-metadata empty.json pob.json
  t "$who may write names near the reserved ones" 0 '{"LK.x":"1","Sip.x":"1","ingress":"1","lkfoo":"1","sip":"1","sipx.y":"1"}' '^$' \
    attrs merge --origin $who --can-update-metadata empty.json near.json
  t "$who with --no-namespaces writes sip.phoneNumber" 0 '{"sip.phoneNumber":"+15550100"}' '^$' \
    attrs merge --origin $who --can-update-metadata --no-namespaces empty.json sip.json
done
t 'client may not write lk.agent.state' 1 '' "^${M}${NA}key \"lk.agent.state\": reserved name \(name \"lk.agent.state\", owner agent\): origin client" \
  attrs merge --origin client --can-update-metadata empty.json lka.json
t 'agent writes lk.agent.state' 0 '{"lk.agent.state":"listening"}' '^$' attrs merge --origin agent --can-update-metadata empty.json lka.json
t 'agent: the rule names the exception' 1 '' 'other than lk\.agent\.\*' attrs merge --origin agent --can-update-metadata empty.json sip.json
t 'exact reserved name in the message' 1 '' 'reserved name \(name "sip.phoneNumber", owner sip\)' attrs merge --origin client --can-update-metadata empty.json sip.json
f delsip.json '{"sip.phoneNumber":""}'
t 'a client may not delete a reserved name either' 1 '' "${NA}key \"sip.phoneNumber\"" attrs merge --origin client --can-update-metadata sip.json delsip.json
for who in server sip ingress; do
  for file in sip ing lk lka pob hdr; do
    t "$who writes $file (no grant needed)" 0 '*' '^$' attrs merge --origin $who empty.json $file.json
  done
  t "$who deletes sip.phoneNumber" 0 '{}' '^$' attrs merge --origin $who sip.json delsip.json
done

# ---------------------------------------------------------------- permission
t 'client without the grant' 1 '' "^${M}${NA}origin client needs --can-update-metadata \(the canUpdateOwnMetadata grant\) to update attributes$" \
  attrs merge --origin client cur.json upd.json
t 'agent without the grant' 1 '' "${NA}origin agent needs --can-update-metadata" attrs merge --origin agent cur.json upd.json
t 'client without the grant, empty update' 1 '' "${NA}origin client needs" attrs merge --origin client cur.json empty.json
t '--no-namespaces does not grant' 1 '' "${NA}origin client needs" attrs merge --origin client --no-namespaces cur.json upd.json
t 'permission is checked before the keys' 1 '' "${NA}origin client needs" attrs merge --origin client cur.json sip.json
t 'server ignores the grant flag' 0 '{"b":"2"}' '^$' attrs merge --origin server --can-update-metadata cur.json upd.json
# Without --origin the sender is a client, as LKATTRS_MERGE_OPTS_INIT: the
# safe side (a forgotten flag must not let a client write sip.* names).
t 'default origin is client: no grant, refused' 1 '' "^${M}${NA}origin client needs --can-update-metadata \(the canUpdateOwnMetadata grant\) to update attributes \(client is the default origin; --origin server, sip or ingress for a trusted sender\)$" \
  attrs merge cur.json upd.json
t 'default origin is client: with the grant' 0 '{"b":"2"}' '^$' attrs merge --can-update-metadata cur.json upd.json
t 'default origin is client: sip.phoneNumber refused' 1 '' "^${M}${NA}key \"sip.phoneNumber\": reserved name \(name \"sip.phoneNumber\", owner sip\): origin client may not write" \
  attrs merge --can-update-metadata empty.json sip.json
t 'default origin is client: may not delete sip.phoneNumber' 1 '' "${NA}key \"sip.phoneNumber\"" \
  attrs merge --can-update-metadata sip.json delsip.json
t 'default origin is client: lk.agent.state refused' 1 '' "${NA}key \"lk.agent.state\".*origin client" \
  attrs merge --can-update-metadata empty.json lka.json
t 'default origin, empty update: still needs the grant' 1 '' "${NA}origin client needs" attrs merge cur.json empty.json

# ---------------------------------------------------------------- key length
k256=$(rep 256 k)
k257=$(rep 257 k)
f k256.json "{\"$k256\":\"v\"}"
f k257.json "{\"$k257\":\"v\"}"
t '256-byte key' 0 "{\"$k256\":\"v\"}" '^$' attrs merge --origin server empty.json k256.json
t '257-byte key' 1 '' "^${M}${LE}key \"k{40}\.\.\.\" \(257 bytes\): key of 257 bytes, over --max-key 256$" attrs merge --origin server empty.json k257.json
t '257-byte key with --max-key 257' 0 "{\"$k257\":\"v\"}" '^$' attrs merge --origin server --max-key 257 empty.json k257.json
t '257-byte key with --max-key 0' 0 "{\"$k257\":\"v\"}" '^$' attrs merge --origin server --max-key 0 empty.json k257.json
t '257-byte key with --no-namespaces' 1 '' "${LE}.*over --max-key 256" attrs merge --origin server --no-namespaces empty.json k257.json
e128=$(for _ in $(seq 128); do printf '\xc3\xa9'; done)
f e256.json "{\"$e128\":\"v\"}"
f e257.json "{\"${e128}a\":\"v\"}"
t '128 x é = 256 bytes' 0 "{\"$e128\":\"v\"}" '^$' attrs merge --origin server empty.json e256.json
t '128 x é + a = 257 bytes (bytes, not characters)' 1 '' "${LE}.*key of 257 bytes" attrs merge --origin server empty.json e257.json
f k3.json '{"abc":"1"}'
t '--max-key 2' 1 '' "${LE}key \"abc\": key of 3 bytes, over --max-key 2" attrs merge --origin server --max-key 2 empty.json k3.json
t '--max-key 3' 0 '{"abc":"1"}' '^$' attrs merge --origin server --max-key 3 empty.json k3.json
f delk257.json "{\"$k257\":\"\"}"
t 'a deleted key obeys the key limit too' 1 '' "${LE}.*key of 257 bytes" attrs merge --origin server empty.json delk257.json

# ---------------------------------------------------------------- size limits
v65535=$(rep 65535 v)
v65536=$(rep 65536 v)
f s65536.json "{\"k\":\"$v65535\"}"
f s65537.json "{\"k\":\"$v65536\"}"
t 'update of 65536 bytes' 0 '*' '^$' attrs merge --origin server empty.json s65536.json
[[ $(wc -c <out) -eq $((65536 + 8)) ]] || fail "update of 65536 bytes: output of $(wc -c <out) bytes"
t 'update of 65537 bytes' 1 '' "^${M}${LE}the update is 65537 bytes \(keys \+ values; a deleted key counts its key\), over --max-size 65536$" attrs merge --origin server empty.json s65537.json
t 'update of 65537 bytes, --max-size 0' 0 '*' '^$' attrs merge --origin server --max-size 0 empty.json s65537.json
t 'update of 65537 bytes, --max-size 65537' 0 '*' '^$' attrs merge --origin server --max-size 65537 empty.json s65537.json
# the resulting map: a small update onto a big map
f big.json "{\"k\":\"$(rep 65529 v)\"}"
f add5.json '{"ab":"cde"}'
f add6.json '{"ab":"cdef"}'
t 'resulting map of 65535 bytes' 0 '*' '^$' attrs merge --origin server big.json add5.json
t 'resulting map of 65536 bytes' 0 '*' '^$' attrs merge --origin server big.json add6.json
f add7.json '{"ab":"cdefg"}'
t 'resulting map of 65537 bytes' 1 '' "^${M}${LE}the resulting map is 65537 bytes \(keys \+ values\), over --max-size 65536$" attrs merge --origin server big.json add7.json
t 'resulting map of 65537 bytes, --max-size 0' 0 '*' '^$' attrs merge --origin server --max-size 0 big.json add7.json
f replace.json "{\"k\":\"$(rep 65535 w)\"}"
t 'replacing a value: the map stays 65536' 0 "{\"k\":\"$(rep 65535 w)\"}" '^$' attrs merge --origin server s65536.json replace.json
f shrink.json '{"k":""}'
t 'a map over the limit may shrink' 0 '{}' '^$' attrs merge --origin server --max-size 10 s65537.json shrink.json
f del6.json '{"abcdef":""}'
t 'a deleted entry counts its key' 1 '' "${LE}the update is 6 bytes.*over --max-size 5" attrs merge --origin server --max-size 5 empty.json del6.json
t 'a deleted entry: 6 bytes within 6' 0 '{}' '^$' attrs merge --origin server --max-size 6 empty.json del6.json
f dupsize.json '{"a":"xxxxxxxx","a":"y"}'
t 'size counts the update with duplicates resolved' 0 '{"a":"y"}' '^$' attrs merge --origin server --max-size 2 empty.json dupsize.json

# ---------------------------------------------------------------- UTF-8, U+0000, control characters
for bad in '\xff' '\xc0\xaf' '\xed\xa0\x80' '\xf4\x90\x80\x80' '\xe2\x82' '\xc3'; do
  f badv.json "{\"a\":\"x${bad}y\"}"
  t "invalid UTF-8 in a value ($bad)" 1 '' "^${M}badv.json: invalid JSON at line 1 column [0-9]+: unable to decode byte" attrs merge --origin server empty.json badv.json
  f badk.json "{\"k${bad}\":\"1\"}"
  t "invalid UTF-8 in a key ($bad)" 1 '' 'badk.json: invalid JSON.*unable to decode byte' attrs merge --origin server empty.json badk.json
  t "invalid UTF-8 in CURRENT ($bad)" 1 '' 'badk.json: invalid JSON' attrs merge --origin server badk.json empty.json
done
f surr.json '{"a":"\\ud800"}'
t 'a lone surrogate escape' 1 '' 'surr.json: invalid JSON.*invalid Unicode' attrs merge --origin server empty.json surr.json
f nulv.json '{"ok":"1","a":"xy\\u0000z"}'
t 'U+0000 in a value' 1 '' "^${M}${IR}key \"a\": U\+0000 in the value at byte offset 2$" attrs merge --origin server empty.json nulv.json
t 'U+0000 in a value, --no-namespaces' 1 '' "${IR}key \"a\": U\+0000" attrs merge --origin server --no-namespaces empty.json nulv.json
f nulk.json '{"a\\u0000b":"1"}'
t 'U+0000 in a key (jansson refuses it)' 1 '' 'nulk.json: invalid JSON.*NUL byte in object key' attrs merge --origin server empty.json nulk.json
for c in 0001 0009 000a 001f 007f 0080 0085 009f; do
  f ctl.json "{\"ok\":\"1\",\"a\\\\u${c}b\":\"1\"}"
  cc=$(printf '%04X' $((16#$c)))
  t "control character U+$cc in a key" 1 '' "^${M}${IR}key \"a.*b\": control character U\+$cc in the key at byte offset 1$" attrs merge --origin server empty.json ctl.json
  f ctlv.json "{\"a\":\"x\\\\u${c}\"}"
  t "control character U+$cc in a value is fine" 0 '*' '^$' attrs merge --origin server empty.json ctlv.json
done
f nbsp.json '{"a\\u00a0b":"1","\\u200b":"1"}'
t 'U+00A0 and U+200B in keys are fine' 0 "{\"$(printf 'a\xc2\xa0b')\":\"1\",\"$(printf '\xe2\x80\x8b')\":\"1\"}" '^$' attrs merge --origin server empty.json nbsp.json
f emptyk.json '{"":"1"}'
t 'empty key' 1 '' "^${M}${IR}key \"\": empty key$" attrs merge --origin server empty.json emptyk.json
f emptykdel.json '{"":""}'
t 'empty key, deleted' 1 '' "${IR}key \"\": empty key" attrs merge --origin server empty.json emptykdel.json

# ---------------------------------------------------------------- atomic refusal
f mix1.json '{"good1":"1","sip.phoneNumber":"x","good2":"2"}'
t 'one reserved key among good ones refuses all' 1 '' "${NA}key \"sip.phoneNumber\"" attrs merge --origin client --can-update-metadata cur.json mix1.json
f mix2.json "{\"good1\":\"1\",\"a\":\"\",\"bad\\\\u0001\":\"x\"}"
t 'one bad key at the end refuses all' 1 '' "${IR}key \"bad\\\\u0001\"" attrs merge --origin server cur.json mix2.json
f mix3.json "{\"good1\":\"1\",\"$k257\":\"x\",\"good2\":\"2\"}"
t 'one long key in the middle refuses all' 1 '' "${LE}.*key of 257 bytes" attrs merge --origin server cur.json mix3.json
f mix4.json '{"good1":"1","a":"\\u0000"}'
t 'one U+0000 value refuses all' 1 '' "${IR}key \"a\": U\+0000" attrs merge --origin server cur.json mix4.json

# ---------------------------------------------------------------- bad documents
for v in 1 1.5 true false null '{}' '[]' '["x"]' '{"x":"y"}' 123456789012345678901234567890; do
  f nonstr.json "{\"a\":\"1\",\"b\":$v}"
  t "non-string value $v" 1 '' "^${M}nonstr.json: key \"b\": expected a string value, got (a number|a boolean|null|an object|an array)$" attrs merge --origin server empty.json nonstr.json
  t "non-string value $v in CURRENT" 1 '' 'nonstr.json: key "b": expected a string value' attrs merge --origin server nonstr.json empty.json
done
for v in '[]' '"x"' '1' 'null' '[{"a":"1"}]'; do
  f notobj.json "$v"
  t "not an object: $v" 1 '' "notobj.json: expected a JSON object of string values, got" attrs merge --origin server empty.json notobj.json
done
for v in '' '{' '{"a":"1"' '{"a":"1"} x' '{"a":"1"}{}' "{'a':'1'}" '{a:"1"}' '{"a":"1",}'; do
  f invalid.json "$v"
  t "invalid JSON: $v" 1 '' "^${M}invalid.json: invalid JSON at line [0-9]+ column -?[0-9]+: " attrs merge --origin server empty.json invalid.json
done
t 'missing CURRENT' 1 '' "^${M}nope.json: cannot open: No such file or directory$" attrs merge --origin server nope.json upd.json
t 'missing UPDATE' 1 '' "^${M}nope.json: cannot open: No such file or directory$" attrs merge --origin server cur.json nope.json
mkdir adir
t 'a directory' 1 '' "${M}adir: cannot read: Is a directory" attrs merge --origin server adir upd.json
IN=''
t 'empty stdin' 1 '' "${M}\(standard input\): invalid JSON" attrs merge --origin server cur.json -
f badcur.json '{"a\\u0001":"1"}'
t 'CURRENT with a control character' 1 '' "^${M}badcur.json: ${IR}key \"a\\\\u0001\": control character U\+0001" attrs merge --origin server badcur.json empty.json
f nulcur.json '{"a":"\\u0000"}'
t 'CURRENT with U+0000' 1 '' "^${M}nulcur.json: ${IR}key \"a\": U\+0000 in the value at byte offset 0$" attrs merge --origin server nulcur.json empty.json
f emptykcur.json '{"":"1"}'
t 'CURRENT with an empty key' 1 '' "emptykcur.json: ${IR}key \"\": empty key" attrs merge --origin server emptykcur.json empty.json
t 'CURRENT is not size-limited (only the result)' 0 '*' '^$' attrs merge --origin server --max-size 0 s65537.json empty.json
t 'CURRENT over the limit, empty update: the result is over it' 1 '' "${LE}the resulting map is 65537 bytes" attrs merge --origin server s65537.json empty.json
t 'CURRENT keys are not length-limited' 0 '*' '^$' attrs merge --origin server k257.json empty.json

# ---------------------------------------------------------------- diff
f old.json '{"a":"1","b":"2","c":"3"}'
f new.json '{"b":"2","c":"x","d":"4"}'
t 'diff' 0 '{"a":"","c":"x","d":"4"}' '^$' attrs diff old.json new.json
t 'diff reversed' 0 '{"a":"1","c":"3","d":""}' '^$' attrs diff new.json old.json
t 'diff of equal maps is empty' 0 '{}' '^$' attrs diff old.json old.json
t 'diff from nothing' 0 '{"a":"1","b":"2","c":"3"}' '^$' attrs diff empty.json old.json
t 'diff to nothing' 0 '{"a":"","b":"","c":""}' '^$' attrs diff old.json empty.json
IN='{"b":"2","c":"x","d":"4"}'
t 'diff NEW from stdin' 0 '{"a":"","c":"x","d":"4"}' '^$' attrs diff old.json -
IN='{"b":"2"}'
t 'diff: "" in OLD is no value' 0 '{}' '^$' attrs diff curempty.json -
t 'diff: stdin twice' 2 '' 'read only once' attrs diff - -
t 'diff: bad OLD' 1 '' "^lkproto attrs diff: badcur.json: ${IR}key" attrs diff badcur.json old.json
t 'diff: bad NEW' 1 '' "^lkproto attrs diff: nonstr.json: key \"b\": expected a string" attrs diff old.json nonstr.json
t 'diff: missing' 1 '' 'nope.json: cannot open' attrs diff old.json nope.json
t 'diff has no limits' 0 '*' '^$' attrs diff empty.json s65537.json
t 'diff then merge gives NEW' 0 '*' '^$' attrs diff old.json new.json
cp out d.json
t 'merge(OLD, diff(OLD, NEW)) == NEW' 0 '{"b":"2","c":"x","d":"4"}' '^$' attrs merge --origin server old.json d.json

# ---------------------------------------------------------------- check
t 'check ok' 0 '{"ok":true,"entries":3,"bytes":6}' '^$' attrs check old.json
t 'check empty' 0 '{"ok":true,"entries":0,"bytes":0}' '^$' attrs check empty.json
t 'check: "" values are not counted' 0 '{"ok":true,"entries":1,"bytes":2}' '^$' attrs check curempty.json
IN='{"a":"1"}'
t 'check stdin' 0 '{"ok":true,"entries":1,"bytes":2}' '^$' attrs check -
t 'check 256-byte key' 0 '{"ok":true,"entries":1,"bytes":257}' '^$' attrs check k256.json
t 'check 257-byte key' 1 '' "^lkproto attrs check: k257.json: ${LE}key \"k{40}\.\.\.\" \(257 bytes\): key of 257 bytes, over --max-key 256$" attrs check k257.json
t 'check 257-byte key, --max-key 0' 0 '{"ok":true,"entries":1,"bytes":258}' '^$' attrs check --max-key 0 k257.json
t 'check 65536 bytes' 0 '{"ok":true,"entries":1,"bytes":65536}' '^$' attrs check s65536.json
t 'check 65537 bytes' 1 '' "^lkproto attrs check: s65537.json: ${LE}the map is 65537 bytes \(keys \+ values\), over --max-size 65536$" attrs check s65537.json
t 'check 65537 bytes, --max-size 0' 0 '{"ok":true,"entries":1,"bytes":65537}' '^$' attrs check --max-size 0 s65537.json
t 'check 65537 bytes, --max-size=65537' 0 '*' '^$' attrs check --max-size=65537 s65537.json
t 'check control character' 1 '' "^lkproto attrs check: ctl.json: ${IR}key \"a.*b\": control character U\+009F" attrs check ctl.json
t 'check U+0000' 1 '' "check: nulv.json: ${IR}key \"a\": U\+0000 in the value at byte offset 2" attrs check nulv.json
t 'check empty key' 1 '' "${IR}key \"\": empty key" attrs check emptyk.json
t 'check reserved names are fine' 0 '{"ok":true,"entries":1,"bytes":24}' '^$' attrs check sip.json
t 'check invalid UTF-8' 1 '' 'badk.json: invalid JSON' attrs check badk.json
t 'check non-string' 1 '' 'expected a string value' attrs check nonstr.json
t 'check not an object' 1 '' 'expected a JSON object' attrs check notobj.json
t 'check missing' 1 '' "^lkproto attrs check: nope.json: cannot open" attrs check nope.json

# ---------------------------------------------------------------- names
t 'names' 0 '*' '^$' attrs names
node -e '
const a = JSON.parse(require("fs").readFileSync("out", "utf8"));
const by = Object.fromEntries(a.map((e) => [e.name, e]));
const want = (c, m) => { if (!c) { console.error("names: " + m); process.exitCode = 1; } };
want(Array.isArray(a) && a.length >= 25, "expected an array of at least 25 names");
for (const e of a) {
  want(typeof e.name === "string" && typeof e.prefix === "boolean" && typeof e.personal === "boolean" &&
       typeof e.hiddenByPhoneSetting === "boolean" && Array.isArray(e.writableBy) &&
       ["sip", "ingress", "livekit", "agent"].includes(e.owner), "bad entry " + JSON.stringify(e));
  want(e.writableBy.includes("server") && e.writableBy.includes("sip") && e.writableBy.includes("ingress") &&
       !e.writableBy.includes("client"), "writers of " + e.name);
  want(e.writableBy.includes("agent") === e.name.startsWith("lk.agent."), "agent may write " + e.name);
  want(e.prefix === e.name.endsWith("."), "prefix flag of " + e.name);
}
const p = by["sip.phoneNumber"], t = by["sip.trunkPhoneNumber"];
want(p && p.owner === "sip" && p.personal && p.hiddenByPhoneSetting, "sip.phoneNumber");
want(t && t.personal && t.hiddenByPhoneSetting, "sip.trunkPhoneNumber");
want(by["sip.hostname"] && !by["sip.hostname"].personal && by["sip.hostname"].hiddenByPhoneSetting, "sip.hostname");
want(by["sip.callID"] && !by["sip.callID"].personal, "sip.callID");
want(by["lk.agent.state"] && by["lk.agent.state"].owner === "agent", "lk.agent.state");
want(by["lk."] && by["lk."].owner === "livekit" && by["lk."].prefix, "lk.");
want(by["ingress.ingressID"] && by["ingress.ingressID"].owner === "ingress", "ingress.ingressID");
for (const k of ["sip.", "sip.h.", "ingress.", "lk.", "lk.agent."]) want(by[k] && by[k].prefix, k);
' || fail 'names JSON'
n=$((n + 1))
[[ $(grep -c '^{"name":' out) -eq $(($(wc -l <out) - 2)) ]] || fail 'names: one object per line'

# ---------------------------------------------------------------- docs mention every command and option
man=$here/../../tools/lkproto/lkproto.1
readme=$here/../../tools/lkproto/README.md
for word in 'attrs merge' 'attrs diff' 'attrs check' 'attrs names' origin can-update-metadata max-size max-key no-namespaces \
  NOT_ALLOWED LIMIT_EXCEEDED INVALID_REQUEST; do
  n=$((n + 2))
  esc=$(printf '%s' "$word" | sed 's/-/\\-/g')
  grep -qF -- "$esc" "$man" || grep -qF -- "$word" "$man" || fail "man page does not mention $word"
  grep -qF -- "$word" "$readme" || fail "README does not mention $word"
done

# The default origin (client) in --help, the man page and the README.
t 'merge --help' 0 '*' '^$' attrs merge --help
n=$((n + 3))
grep -q 'who sends the update: client (default' out || fail 'merge --help does not give client as the default origin'
grep -qF '.B client
(the default' "$man" || fail 'man page does not give client as the default origin'
grep -qF '(default `client`' "$readme" || fail 'README does not give client as the default origin'

if ((fails)); then
  echo "lkproto attrs: $fails of $n checks failed"
  exit 1
fi
echo "lkproto attrs: $n checks passed"
