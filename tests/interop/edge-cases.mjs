// What LiveKit's JS (@livekit/protocol 1.52.1 on @bufbuild/protobuf 1.10.1)
// does with the hand-built edge cases of vectors/edge-cases.txt.  Each
// expectation is asserted; docs/wire-behaviour.md describes the results next
// to those of protobuf-c and nanopb (tests/interop/test_edge_cases.c).
// usage: node edge-cases.mjs [--print]
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeType } from './reflect.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cases = new Map();
for (const line of readFileSync(join(here, 'vectors', 'edge-cases.txt'), 'utf8').split('\n')) {
  if (!line.trim() || line.startsWith('#')) continue;
  const [name, type, hex] = line.trim().split(/\s+/);
  cases.set(name, { type, bytes: Buffer.from(hex, 'hex') });
}
function decode(name) {
  const c = cases.get(name);
  if (!c) throw new Error(`no case ${name}`);
  return runtimeType(c.type).fromBinary(c.bytes);
}
const toHex = (m) => Buffer.from(m.toBinary()).toString('hex');

const checks = {
  dup_key: () => { const m = decode('dup_key'); return eq(m.attributes, { k: 'two' }); },
  value_before_key: () => eq(decode('value_before_key').attributes, { k: 'v' }),
  missing_key: () => eq(decode('missing_key').attributes, { '': 'v' }),
  missing_value: () => eq(decode('missing_value').attributes, { k: '' }),
  // bufbuild/protobuf-es issue 1542: an unknown field inside a map entry
  // makes the whole message fail to decode.
  entry_unknown_field: () => { try { decode('entry_unknown_field'); return 'decoded'; } catch (e) { return `throws: ${e.message}`; } },
  interleaved: () => { const m = decode('interleaved'); return eq({ a: m.attributes, n: m.name }, { a: { k: 'v', j: 'w' }, n: 'nm' }); },
  // Unknown fields are kept and written back.
  unknown_fields: () => { const m = decode('unknown_fields'); return `name=${m.name} re-encoded=${toHex(m)}`; },
  nul_in_string: () => { const m = decode('nul_in_string'); return eq({ n: m.name, a: m.attributes }, { n: 'a\u0000b', a: { k: 'x\u0000y' } }); },
  // Invalid UTF-8 is not rejected: it becomes U+FFFD.
  invalid_utf8: () => { const m = decode('invalid_utf8'); return eq(m.name, '\ufffd('); },
  optional_zero: () => { const m = decode('optional_zero'); return `subscriberAllowPause=${m.subscriberAllowPause} re-encoded=${toHex(m)}`; },
  negative_int32: () => { const m = decode('negative_int32'); return `clientProtocol=${m.clientProtocol} re-encoded=${toHex(m)}`; },
};
function eq(a, b) { const x = JSON.stringify(a), y = JSON.stringify(b); return x === y ? 'ok' : `got ${x}, want ${y}`; }

// The asserted outcomes (what the JS does today; a change is a finding).
const expected = {
  dup_key: 'ok', value_before_key: 'ok', missing_key: 'ok', missing_value: 'ok',
  entry_unknown_field: /^throws: /,
  interleaved: 'ok',
  unknown_fields: 'name=n re-encoded=12016e980601a206027878',
  nul_in_string: 'ok', invalid_utf8: 'ok',
  optional_zero: 'subscriberAllowPause=false re-encoded=1800',
  negative_int32: 'clientProtocol=-1 re-encoded=a001ffffffffffffffffff01',
};
let bad = 0;
for (const [name, fn] of Object.entries(checks)) {
  const got = fn();
  const want = expected[name];
  const ok = want instanceof RegExp ? want.test(got) : got === want;
  if (process.argv.includes('--print') || !ok) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${got}`);
  if (!ok) bad++;
}
console.log(`edge-cases (LiveKit JS): ${Object.keys(checks).length - bad}/${Object.keys(checks).length} behave as documented`);
process.exit(bad ? 1 : 0);
