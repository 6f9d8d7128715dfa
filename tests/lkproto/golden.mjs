// Golden vectors from LiveKit's own package for every message type of our
// schema: seeded random messages (every kind of field: all scalar types and
// their extremes, non-ASCII and 4-byte strings, enums with unknown values,
// nested messages, repeated fields, maps, oneofs, optional fields set to
// zero, Timestamp, Duration, Any) are encoded by @livekit/protocol 1.52.1;
//   - `lkproto decode T --hex` must print JSON equal to LiveKit's toJson();
//   - `lkproto encode T --hex` on that JSON must give bytes that LiveKit's
//     strict fromBinary() reads back equal to the original message.
// One lkproto process per type and direction (batch mode).
// With options (liblkjson's, through lkproto's flags), the same with
// LiveKit's options as the reference:
//   --emit-defaults / --proto-names: decode with those flags must equal
//     toJson({emitDefaultValues / useProtoFieldName}), and encode reads that
//     JSON (defaults written out, proto names) back to the same message;
//   --ignore-unknown: the JSON gets unknown keys (at every message level) and
//     unknown enum names; `encode --ignore-unknown` must give the message
//     fromJson(json, {ignoreUnknownFields: true}) gives.
//
// usage: node tests/lkproto/golden.mjs build/bin/lkproto [--seed N] [--per-type N]
//          [--emit-defaults] [--proto-names] [--ignore-unknown]
import {
  prng, hex, unhex, strictRead, toJson, jsonEqual, msgEqual, runBatch, randomMessage, typeRegistry,
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
const emitDefaults = args.includes('--emit-defaults');
const protoNames = args.includes('--proto-names');
const ignoreUnknown = args.includes('--ignore-unknown');
const writeOpts = { emitDefaultValues: emitDefaults, useProtoFieldName: protoNames };
const decodeArgs = [...(emitDefaults ? ['--emit-defaults'] : []), ...(protoNames ? ['--proto-names'] : [])];
const encodeArgs = ignoreUnknown ? ['--ignore-unknown'] : [];
const label = [...decodeArgs, ...encodeArgs].join(' ');
let unknownKeys = 0, unknownEnums = 0;

// Unknown keys in every message object of json (type T), and unknown names
// for some enum fields (r decides which); the well-known types, whose JSON
// is not an object of fields, are left as they are.
function addUnknown(r, T, json) {
  if (!json || typeof json !== 'object' || Array.isArray(json) || T.typeName.startsWith('google.protobuf.')) return json;
  const out = { ...json };
  for (const f of T.fields.list()) {
    const key = protoNames ? f.name : f.jsonName;
    if (!Object.hasOwn(out, key)) continue;
    const v = out[key];
    if (f.kind === 'message' && !f.repeated) out[key] = addUnknown(r, f.T, v);
    else if (f.kind === 'message' && f.repeated && Array.isArray(v)) out[key] = v.map((x) => addUnknown(r, f.T, x));
    else if (f.kind === 'map' && f.V.kind === 'message' && v) {
      out[key] = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, addUnknown(r, f.V.T, x)]));
    } else if (f.kind === 'enum' && !f.repeated && !f.oneof && typeof v === 'string' && r.chance(0.5)) {
      // (not in a oneof: there @bufbuild/protobuf 1.10.1 selects the arm and
      // leaves its value undefined, a message its own toJson() refuses)
      out[key] = 'LK_NOT_A_VALUE';
      unknownEnums++;
    } else if (f.kind === 'enum' && f.repeated && Array.isArray(v) && v.length && r.chance(0.5)) {
      out[key] = [...v, 'LK_NOT_A_VALUE'];
      unknownEnums++;
    } else if (f.kind === 'map' && f.V.kind === 'enum' && v && r.chance(0.5)) {
      out[key] = { ...v, lkUnknownEnumKey: 'LK_NOT_A_VALUE' };
      unknownEnums++;
    }
  }
  out.lkUnknownKey = r.chance(0.5) ? { nested: [1, { x: null }] } : 'x';
  unknownKeys++;
  return out;
}

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
  const jsons = msgs.map((m) => toJson(m, writeOpts));
  msgs.forEach(note);

  // decode: LiveKit's bytes -> lkproto JSON == LiveKit's JSON
  const dec = runBatch(bin, 'decode', typeName, bins.map(hex), decodeArgs);
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
  // (with --ignore-unknown: the message LiveKit reads from the same JSON)
  const inputs = ignoreUnknown ? jsons.map((j) => addUnknown(r, T, j)) : jsons;
  const expect = ignoreUnknown
    ? inputs.map((j) => T.fromJson(j, { ignoreUnknownFields: true, typeRegistry: typeRegistry() }))
    : msgs;
  const enc = runBatch(bin, 'encode', typeName, inputs.map((j) => JSON.stringify(j)), encodeArgs);
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
    if (!msgEqual(back, expect[i])) {
      fail(typeName, `encode vector ${i}: LiveKit reads a different message\n  json: ${JSON.stringify(inputs[i])}\n  back: ${JSON.stringify(toJson(back))}`);
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
  console.error(`lkproto golden${label ? ' ' + label : ''}: ${failures} failures`);
  process.exit(1);
}
if (ignoreUnknown && (!unknownKeys || !unknownEnums)) {
  console.error('lkproto golden --ignore-unknown: no unknown key or enum name was tried');
  process.exit(1);
}
const extra = ignoreUnknown ? `, ${unknownKeys} unknown keys and ${unknownEnums} unknown enum names skipped` : '';
console.log(`lkproto golden${label ? ' ' + label : ''}: ${types.length} types, ${vectors} vectors (${optionalZero} optional fields set to zero${extra}): all equal`);
