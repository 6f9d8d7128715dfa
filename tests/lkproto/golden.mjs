// Golden vectors from LiveKit's own package for every message type of our
// schema: seeded random messages (every kind of field: all scalar types and
// their extremes, non-ASCII and 4-byte strings, enums with unknown values,
// nested messages, repeated fields, maps, oneofs, optional fields set to
// zero, Timestamp, Duration, Any) are encoded by @livekit/protocol 1.52.1;
//   - `lkproto decode T --hex` must print JSON equal to LiveKit's toJson();
//   - `lkproto encode T --hex` on that JSON must give bytes that LiveKit's
//     strict fromBinary() reads back equal to the original message.
// One lkproto process per type and direction (batch mode).
//
// usage: node tests/lkproto/golden.mjs build/bin/lkproto [--seed N] [--per-type N]
import {
  prng, hex, unhex, strictRead, toJson, jsonEqual, msgEqual, runBatch, randomMessage,
  listTypes, runtimeType,
} from './lib.mjs';

const args = process.argv.slice(2);
const bin = args[0];
if (!bin) {
  console.error('usage: golden.mjs LKPROTO [--seed N] [--per-type N]');
  process.exit(2);
}
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const seed = opt('--seed', 20240601);
const perType = opt('--per-type', 12);

const types = listTypes(bin).filter(([k, n]) => k === 'message' && !n.startsWith('google.'));
let vectors = 0, failures = 0, optionalZero = 0;
const coverage = new Set();

function note(msg) {
  // what kinds of fields the vectors covered (for the summary line)
  for (const f of msg.getType().fields.list()) {
    const v = f.oneof ? (msg[f.oneof.localName].case === f.localName ? msg[f.oneof.localName].value : undefined)
      : msg[f.localName];
    if (v === undefined) continue;
    if (f.kind === 'map') {
      if (Object.keys(v).length) coverage.add('map');
      if (f.V.kind === 'message') Object.values(v).forEach(note);
      continue;
    }
    if (f.repeated) {
      if (v.length) coverage.add('repeated ' + f.kind);
      if (v.length && f.kind === 'scalar') coverage.add('scalar ' + f.T);
      if (f.kind === 'message' && v.length) {
        coverage.add('message ' + (f.T.typeName.startsWith('google.') ? f.T.typeName : 'livekit'));
        if (f.T.typeName.startsWith('google.')) coverage.add('repeated message ' + f.T.typeName);
        v.forEach(note);
      }
      continue;
    }
    if (f.oneof) coverage.add('oneof');
    if (f.opt && (v === 0 || v === '' || v === false || v === 0n || v === '0' || (v instanceof Uint8Array && !v.length))) {
      optionalZero++;
      coverage.add('optional zero');
    }
    if (f.kind === 'scalar') coverage.add('scalar ' + f.T);
    if (f.kind === 'enum') coverage.add(f.T.findNumber(v) ? 'enum' : 'enum unknown');
    if (f.kind === 'message') {
      coverage.add('message ' + (f.T.typeName.startsWith('google.') ? f.T.typeName : 'livekit'));
      if (v && typeof v.getType === 'function') note(v);
    }
  }
}

function fail(type, what) {
  failures++;
  if (failures <= 20) console.error(`FAIL ${type}: ${what}`);
}

for (const [, typeName] of types) {
  const T = runtimeType(typeName);
  if (!T) {
    fail(typeName, 'not in @livekit/protocol');
    continue;
  }
  const r = prng(seed ^ [...typeName].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7));
  const msgs = [new T()]; // the empty message
  for (let i = 0; i < perType; i++) msgs.push(randomMessage(r, T, [0.3, 0.7, 1][i % 3]));
  const bins = msgs.map((m) => m.toBinary());
  const jsons = msgs.map(toJson);
  msgs.forEach(note);

  // decode: LiveKit's bytes -> lkproto JSON == LiveKit's JSON
  const dec = runBatch(bin, 'decode', typeName, bins.map(hex));
  if (dec.status !== 0 || dec.out.length !== msgs.length) {
    fail(typeName, `decode exit ${dec.status}, ${dec.out.length}/${msgs.length} lines: ${dec.err.trim()}`);
    continue;
  }
  dec.out.forEach((line, i) => {
    let got;
    try { got = JSON.parse(line); } catch (e) { fail(typeName, `decode vector ${i}: not JSON: ${line}`); return; }
    if (!jsonEqual(got, jsons[i])) {
      fail(typeName, `decode vector ${i} (${hex(bins[i])}):\n  lkproto: ${line}\n  livekit: ${JSON.stringify(jsons[i])}`);
    }
  });

  // encode: LiveKit's JSON -> lkproto bytes -> LiveKit reads the same message
  const enc = runBatch(bin, 'encode', typeName, jsons.map((j) => JSON.stringify(j)));
  if (enc.status !== 0 || enc.out.length !== msgs.length) {
    fail(typeName, `encode exit ${enc.status}, ${enc.out.length}/${msgs.length} lines: ${enc.err.trim()}`);
    continue;
  }
  enc.out.forEach((line, i) => {
    let back;
    try { back = T.fromBinary(unhex(line), strictRead); } catch (e) {
      fail(typeName, `encode vector ${i}: LiveKit cannot read lkproto's bytes ${line}: ${e.message}`);
      return;
    }
    if (!msgEqual(back, msgs[i])) {
      fail(typeName, `encode vector ${i}: LiveKit reads a different message\n  json: ${JSON.stringify(jsons[i])}\n  back: ${JSON.stringify(toJson(back))}`);
    }
  });
  vectors += msgs.length;
}

// Every kind of field the schema has must have been hit (the core schema has
// no fixed32/fixed64/sfixed32/sfixed64/sint32/sint64 field, for example).
const need = ['map', 'oneof', 'optional zero', 'enum', 'enum unknown', 'message livekit',
  'message google.protobuf.Timestamp', 'message google.protobuf.Duration', 'message google.protobuf.Any',
  'message google.protobuf.Struct', 'repeated message google.protobuf.Struct',
  'repeated message', 'repeated scalar', 'repeated enum'];
for (const [, typeName] of types) {
  for (const f of runtimeType(typeName)?.fields.list() ?? []) {
    if (f.kind === 'scalar') need.push('scalar ' + f.T);
  }
}
const notHit = [...new Set(need)].filter((k) => !coverage.has(k));
if (notHit.length) {
  console.error(`lkproto golden: field kinds not covered: ${notHit.join(', ')}`);
  failures++;
}
if (failures) {
  console.error(`lkproto golden: ${failures} failures`);
  process.exit(1);
}
console.log(`lkproto golden: ${types.length} types, ${vectors} vectors (${optionalZero} optional fields set to zero): all equal`);
