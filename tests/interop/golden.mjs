// Golden vectors: LiveKit's own JS code (@livekit/protocol 1.52.1 on
// @bufbuild/protobuf 1.10.1) is the reference the generated C code is
// checked against.
//
// usage:
//   node golden.mjs gen DIR
//       writes DIR/vectors.txt (one "ID TYPE HEX" line per vector) and
//       DIR/expected.jsonl (per vector: its canonical proto3 JSON from
//       toJson(), every non-empty map<string,string> in it as hex pairs,
//       keyed by its path of field numbers, and the presence of
//       ConnectionSettings.subscriber_allow_pause for JoinRequest).
//   node golden.mjs verify DIR NAME OUT...
//       OUT: the output of a C checker (golden_protobufc, golden_nanopb), one
//       JSON line per vector: {"id", "hex" (re-encoded), "maps", "presence"}.
//       A vector passes when the re-encoded bytes decode in LiveKit's JS to a
//       message equal to the original (equals() and toJson()), every map the C
//       code extracted equals the original byte for byte (last entry wins for
//       a repeated key), and presence matches.
//
// The generator is deterministic: a fixed seed, no clock, no Math.random.
// Strings are built from code points (ASCII, Latin, Greek, CJK, emoji, a
// leading U+FEFF now and then), never U+0000 (see docs/wire-behaviour.md:
// protobuf-c's char* strings stop there; the edge-case test covers it).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ScalarType, protoInt64 } from '@bufbuild/protobuf';
import { runtimeType } from './reflect.mjs';

const SEED = 0x1c0ffee;
const PER_KIND = 50;

// --- deterministic PRNG (mulberry32) -------------------------------------
let state = SEED >>> 0;
function rnd() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1)); // inclusive
const pick = (a) => a[int(0, a.length - 1)];
const chance = (p) => rnd() < p;

// --- strings --------------------------------------------------------------
const RANGES = [
  [0x20, 0x7e], [0x20, 0x7e], [0x20, 0x7e], // ASCII, most of the time
  [0xa0, 0xff], // Latin-1 (2 bytes)
  [0x391, 0x3c9], [0x410, 0x44f], // Greek, Cyrillic (2 bytes)
  [0x4e00, 0x4fff], [0x3040, 0x309f], // CJK, Hiragana (3 bytes)
  [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], // emoji (4 bytes)
];
function ustr(min, max) {
  const n = int(min, max);
  let s = '';
  for (let i = 0; i < n; i++) {
    const [lo, hi] = pick(RANGES);
    s += String.fromCodePoint(int(lo, hi));
  }
  return s;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function ascii(min, max, alphabet = ALNUM) {
  const n = int(min, max);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[int(0, alphabet.length - 1)];
  return s;
}
const sid = (prefix) => `${prefix}_${ascii(12, 12)}`;
const utf8 = new TextEncoder();
const hex = (u8) => Buffer.from(u8).toString('hex');
const bytesLen = (s) => utf8.encode(s).length;
// A string of at most maxBytes UTF-8 bytes (for fields nanopb bounds).
function boundedUstr(min, max, maxBytes) {
  for (;;) {
    const s = ustr(min, max);
    if (bytesLen(s) <= maxBytes) return s;
  }
}

// An attribute map: 0-200 entries, reserved-looking names now and then,
// empty values, long values (a few KB), a leading BOM now and then.
const RESERVED = ['sip.phoneNumber', 'sip.callID', 'sip.trunkPhoneNumber', 'sip.h.X-Custom',
  'ingress.ingressID', 'lk.agent.state', 'lk.publish_on_behalf'];
function attrMap(maxEntries = 200, allowEmpty = true) {
  const sizeClass = rnd();
  const n = sizeClass < 0.15 ? 0 : sizeClass < 0.6 ? int(1, 8) : sizeClass < 0.85 ? int(9, 40)
    : int(41, maxEntries);
  const m = {};
  for (let i = 0; i < n; i++) {
    const key = chance(0.1) ? pick(RESERVED) : chance(0.5) ? ascii(1, 24, ALNUM + '._-') : ustr(1, 16);
    let v;
    const r = rnd();
    if (allowEmpty && r < 0.08) v = '';
    else if (r < 0.12) v = ustr(1000, 3000); // long
    else if (r < 0.16) v = '\ufeff' + ustr(0, 10); // BOM first: @bufbuild drops it
    else v = ustr(1, 30);
    m[key] = v;
  }
  return m;
}

// --- generic random filling by reflection --------------------------------
const I32 = () => (chance(0.3) ? -int(1, 2 ** 31 - 1) : int(0, 2 ** 31 - 1));
function scalar(T, forMapKey = false) {
  switch (T) {
    case ScalarType.STRING: return forMapKey ? ascii(1, 10) : ascii(0, 12);
    case ScalarType.BYTES: { const n = int(0, 16); const u = new Uint8Array(n); for (let i = 0; i < n; i++) u[i] = int(0, 255); return u; }
    case ScalarType.BOOL: return chance(0.5);
    case ScalarType.INT32: case ScalarType.SINT32: case ScalarType.SFIXED32: return I32();
    case ScalarType.UINT32: case ScalarType.FIXED32: return int(0, 2 ** 32 - 1);
    case ScalarType.INT64: case ScalarType.SINT64: case ScalarType.SFIXED64:
      return protoInt64.parse(String((chance(0.3) ? -1 : 1) * int(0, 2 ** 52)));
    case ScalarType.UINT64: case ScalarType.FIXED64: return protoInt64.uParse(String(int(0, 2 ** 53 - 1)));
    case ScalarType.FLOAT: return Math.fround((rnd() - 0.5) * 1e6);
    case ScalarType.DOUBLE: return (rnd() - 0.5) * 1e12;
    default: throw new Error(`scalar type ${T}`);
  }
}
function enumValue(E) { return pick(E.values).no; }

function fill(Type, depth = 0) {
  if (Type.typeName === 'google.protobuf.Timestamp') {
    return new Type({ seconds: protoInt64.parse(String(int(0, 4e9))), nanos: int(0, 999999999) });
  }
  if (Type.typeName === 'google.protobuf.Duration') {
    return new Type({ seconds: protoInt64.parse(String(int(0, 1e6))), nanos: int(0, 999999999) });
  }
  const msg = new Type();
  if (Type.typeName.startsWith('google.protobuf.')) return msg;
  const oneofDone = new Set();
  for (const f of Type.fields.list()) {
    if (f.oneof) {
      if (oneofDone.has(f.oneof.localName)) continue;
      oneofDone.add(f.oneof.localName);
      if (depth > 2 || chance(0.5)) continue;
      const arm = pick(f.oneof.fields);
      const v = value(arm, depth);
      if (v !== undefined) msg[f.oneof.localName] = { case: arm.localName, value: v };
      continue;
    }
    if (chance(0.4)) continue;
    const v = value(f, depth);
    if (v !== undefined) msg[f.localName] = v;
  }
  return msg;
}
function one(f, depth) {
  switch (f.kind) {
    case 'scalar': return scalar(f.T);
    case 'enum': return enumValue(f.T);
    case 'message':
      if (depth >= 3 || f.T.typeName === 'google.protobuf.Any') return undefined;
      return fill(f.T, depth + 1);
    default: throw new Error(f.kind);
  }
}
function value(f, depth) {
  if (f.kind === 'map') {
    // Other string maps (SDP mid -> track ID, SIP headers...) get short ASCII
    // entries: nanopb bounds some of them (livekit_rtc.options).
    if (f.K === ScalarType.STRING && f.V.kind === 'scalar' && f.V.T === ScalarType.STRING) {
      const m = {};
      for (let i = int(0, 3); i > 0; i--) m[ascii(1, 10)] = ascii(0, 12);
      return m;
    }
    const m = {};
    const n = depth >= 3 ? 0 : int(0, 2);
    for (let i = 0; i < n; i++) {
      const k = scalar(f.K, true);
      const v = f.V.kind === 'scalar' ? scalar(f.V.T) : f.V.kind === 'enum' ? enumValue(f.V.T)
        : fill(f.V.T, depth + 1);
      m[String(k)] = v;
    }
    return m;
  }
  if (f.repeated) {
    const n = f.kind === 'message' ? (depth >= 2 ? 0 : int(0, 2)) : int(0, 3);
    const a = [];
    for (let i = 0; i < n; i++) { const v = one(f, depth); if (v !== undefined) a.push(v); }
    return a;
  }
  if (f.opt && chance(0.3)) {
    // proto3 optional set to its zero value: presence must survive.
    if (f.kind === 'scalar') return f.T === ScalarType.STRING ? '' : f.T === ScalarType.BYTES ? new Uint8Array(0)
      : f.T === ScalarType.BOOL ? false : [ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64,
        ScalarType.FIXED64, ScalarType.SFIXED64].includes(f.T) ? protoInt64.zero : 0;
    if (f.kind === 'enum') return 0;
  }
  return one(f, depth);
}

// --- the messages under test ----------------------------------------------
const T = (n) => runtimeType(`livekit.${n}`);
function participantInfo() {
  const p = fill(T('ParticipantInfo'), 1);
  p.sid = sid('PA');
  p.identity = boundedUstr(1, 40, 255);
  p.name = chance(0.8) ? boundedUstr(0, 40, 255) : '';
  p.metadata = chance(0.3) ? ustr(0, 2000) : '';
  p.attributes = attrMap(200, false); // a stored map never holds an empty value
  p.state = int(0, 3);
  p.version = int(0, 1000);
  if (chance(0.6)) p.permission = new (T('ParticipantPermission'))({ canUpdateMetadata: chance(0.7), canPublish: chance(0.5) });
  // nanopb bounds: at most 4 data tracks (see livekit_models.options).
  if (p.dataTracks.length > 4) p.dataTracks.length = 4;
  return p;
}
function updateParticipantMetadata() {
  return new (T('UpdateParticipantMetadata'))({
    metadata: chance(0.4) ? ustr(0, 500) : '', name: chance(0.5) ? boundedUstr(0, 30, 255) : '',
    attributes: attrMap(200, true), requestId: int(0, 2 ** 32 - 1),
  });
}
const KINDS = {
  ParticipantInfo: () => ['livekit.ParticipantInfo', participantInfo()],
  UpdateParticipantMetadata: () => ['livekit.UpdateParticipantMetadata', updateParticipantMetadata()],
  UpdateParticipantRequest: () => {
    const m = fill(T('UpdateParticipantRequest'), 1);
    m.room = ustr(1, 20); m.identity = ustr(1, 40); m.name = ustr(0, 20);
    m.metadata = chance(0.3) ? ustr(0, 3000) : '';
    m.attributes = attrMap(200, true);
    return ['livekit.UpdateParticipantRequest', m];
  },
  JoinRequest: () => {
    const m = fill(T('JoinRequest'), 1);
    m.participantAttributes = attrMap(200, true);
    m.metadata = chance(0.3) ? ustr(0, 300) : '';
    // subscriber_allow_pause: absent, present and false (zero), present and true.
    const cs = m.connectionSettings ?? new (T('ConnectionSettings'))();
    const r = int(0, 2);
    cs.subscriberAllowPause = r === 0 ? undefined : r === 1 ? false : true;
    m.connectionSettings = cs;
    return ['livekit.JoinRequest', m];
  },
  SignalRequestUpdateMetadata: () => ['livekit.SignalRequest', new (T('SignalRequest'))({
    message: { case: 'updateMetadata', value: updateParticipantMetadata() } })],
  SignalResponseUpdate: () => {
    const ps = []; const n = int(0, 5);
    for (let i = 0; i < n; i++) ps.push(participantInfo());
    return ['livekit.SignalResponse', new (T('SignalResponse'))({
      message: { case: 'update', value: new (T('ParticipantUpdate'))({ participants: ps }) } })];
  },
  SignalResponseRequestResponse: () => {
    const rr = new (T('RequestResponse'))({ requestId: int(0, 2 ** 32 - 1), reason: int(0, 6),
      message: chance(0.5) ? boundedUstr(0, 40, 255) : '' });
    if (chance(0.7)) rr.request = { case: 'updateMetadata', value: updateParticipantMetadata() };
    return ['livekit.SignalResponse', new (T('SignalResponse'))({
      message: { case: 'requestResponse', value: rr } })];
  },
  CreateSIPParticipantRequest: () => {
    const m = fill(T('CreateSIPParticipantRequest'), 1);
    m.participantAttributes = attrMap(200, true);
    m.headers = attrMap(10, true);
    m.participantIdentity = ustr(1, 30);
    m.sipCallTo = '+' + ascii(8, 14, '0123456789');
    const r = int(0, 2);
    m.displayName = r === 0 ? undefined : r === 1 ? '' : ustr(1, 20);
    return ['livekit.CreateSIPParticipantRequest', m];
  },
};

// Every non-empty map<string,string>, keyed by its path of field numbers
// ("5.1[0].15": field 5, field 1 element 0, field 15), values as hex pairs.
function collectMaps(msg, prefix = '', out = {}) {
  for (const f of msg.getType().fields.list()) {
    let v;
    if (f.oneof) {
      const o = msg[f.oneof.localName];
      if (!o || o.case !== f.localName) continue;
      v = o.value;
    } else v = msg[f.localName];
    if (v === undefined) continue;
    const p = `${prefix}${f.no}`;
    if (f.kind === 'map') {
      if (f.K === ScalarType.STRING && f.V.kind === 'scalar' && f.V.T === ScalarType.STRING) {
        const e = Object.entries(v);
        if (e.length) out[p] = e.map(([k, x]) => [hex(utf8.encode(k)), hex(utf8.encode(x))]);
      }
    } else if (f.kind === 'message') {
      if (f.repeated) v.forEach((x, i) => collectMaps(x, `${p}[${i}].`, out));
      else collectMaps(v, `${p}.`, out);
    }
  }
  return out;
}
function presenceOf(type, msg) {
  if (type !== 'livekit.JoinRequest') return null;
  return msg.connectionSettings?.subscriberAllowPause !== undefined;
}

function gen(dir) {
  mkdirSync(dir, { recursive: true });
  const lines = []; const expected = [];
  let id = 0;
  for (const [kind, make] of Object.entries(KINDS)) {
    for (let i = 0; i < PER_KIND; i++) {
      const [type, msg] = make();
      const bytes = msg.toBinary();
      lines.push(`${id} ${type} ${hex(bytes)}`);
      expected.push(JSON.stringify({ id, kind, type, json: msg.toJson(), maps: collectMaps(msg),
        presence: presenceOf(type, msg) }));
      id++;
    }
  }
  writeFileSync(join(dir, 'vectors.txt'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'expected.jsonl'), expected.join('\n') + '\n');
  console.log(`golden: wrote ${id} vectors to ${dir}`);
}

// --- verification -------------------------------------------------------
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function foldMap(pairs) { // last entry wins, as on the wire
  const m = new Map();
  for (const [k, v] of pairs) m.set(k, v);
  return m;
}
function verify(dir, name, outPath) {
  const vectors = new Map(readFileSync(join(dir, 'vectors.txt'), 'utf8').trim().split('\n')
    .map((l) => { const [id, type, h] = l.split(' '); return [Number(id), { type, hex: h }]; }));
  const expected = new Map(readFileSync(join(dir, 'expected.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l)).map((e) => [e.id, e]));
  const got = readFileSync(outPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const byId = new Map(got.map((g) => [g.id, g]));
  let ok = 0; const fails = [];
  for (const [id, e] of expected) {
    const g = byId.get(id);
    const why = [];
    if (!g) why.push('no output');
    else if (g.error) why.push(`C error: ${g.error}`);
    else {
      const Type = runtimeType(e.type);
      const orig = Type.fromBinary(Buffer.from(vectors.get(id).hex, 'hex'));
      let back;
      try { back = Type.fromBinary(Buffer.from(g.hex, 'hex')); } catch (err) { why.push(`re-encoded bytes do not decode: ${err.message}`); }
      if (back) {
        if (!back.equals(orig)) why.push('re-encoded message differs (equals)');
        // toJson of both decodes (not e.json: @bufbuild drops a leading U+FEFF
        // when decoding, so a decoded message's JSON can differ from the JSON of
        // the message the generator built; the maps are compared byte-exact below).
        if (JSON.stringify(back.toJson()) !== JSON.stringify(orig.toJson())) why.push('re-encoded message differs (toJson)');
      }
      const gm = g.maps || {};
      const paths = new Set([...Object.keys(gm), ...Object.keys(e.maps)]);
      for (const p of paths) {
        const want = foldMap(e.maps[p] || []); const have = foldMap(gm[p] || []);
        if (want.size !== have.size) { why.push(`map ${p}: ${have.size} entries, want ${want.size}`); continue; }
        for (const [k, v] of want) {
          if (have.get(k) !== v) {
            why.push(`map ${p}: key ${JSON.stringify(strict.decode(Buffer.from(k, 'hex')))} differs`);
            break;
          }
        }
        // Every extracted byte string must be valid UTF-8 (strict decoder).
        for (const [k, v] of have) { try { strict.decode(Buffer.from(k, 'hex')); strict.decode(Buffer.from(v, 'hex')); } catch { why.push(`map ${p}: invalid UTF-8`); } }
      }
      if (e.presence !== null && g.presence !== e.presence) why.push(`presence ${g.presence}, want ${e.presence}`);
    }
    if (why.length) fails.push(`  vector ${id} (${e.kind}): ${why.join('; ')}`);
    else ok++;
  }
  return { ok, total: expected.size, fails, name };
}

const [mode, dir, ...rest] = process.argv.slice(2);
if (mode === 'gen' && dir) gen(dir);
else if (mode === 'verify' && dir && rest.length >= 2 && rest.length % 2 === 0) {
  const results = [];
  for (let i = 0; i < rest.length; i += 2) results.push(verify(dir, rest[i], rest[i + 1]));
  for (const r of results) {
    if (r.fails.length) { console.log(`golden (${r.name}): ${r.fails.length} failing vectors:`); console.log(r.fails.slice(0, 20).join('\n')); }
  }
  console.log(`golden: ${results.map((r) => `${r.ok}/${r.total} vectors equal (${r.name})`).join(', ')}`);
  process.exit(results.every((r) => r.ok === r.total) ? 0 : 1);
} else {
  console.error('usage: node golden.mjs gen DIR | node golden.mjs verify DIR NAME OUT [NAME OUT]...');
  process.exit(2);
}
