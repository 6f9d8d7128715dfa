// Helpers shared by the lkproto tests: LiveKit's runtime (the same module
// instances @livekit/protocol uses), a seeded PRNG, a random message
// generator that fills every kind of field, LiveKit's strict decoder, running
// lkproto in batch mode, and semantic JSON comparison.
import { spawnSync } from 'node:child_process';
import { reflectSchema, runtimeType } from '../interop/reflect.mjs';
import * as pb from '../interop/node_modules/@bufbuild/protobuf/dist/esm/index.js';

export { pb, reflectSchema, runtimeType };
const { ScalarType, BinaryReader, createRegistry, Any } = pb;

// mulberry32: small, seeded, deterministic.
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
  };
  return r;
}

export const hex = (u8) => Buffer.from(u8).toString('hex');
export const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'));

// LiveKit's decoder made strict about UTF-8 (interop.md: @bufbuild/protobuf
// 1.10.1 silently replaces invalid UTF-8 and drops a leading BOM).
export const strictRead = {
  readerFactory: (bytes) =>
    new BinaryReader(bytes, new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })),
};

let registry = null;
export function typeRegistry() {
  if (!registry) {
    const s = reflectSchema();
    registry = createRegistry(...Object.keys(s.messages).map(runtimeType));
  }
  return registry;
}

// Runs fn with every TextDecoder strict: also the one Any.toJson() uses
// when it decodes the packed message (it takes no reader options).
class StrictTextDecoder extends TextDecoder {
  constructor() { super('utf-8', { fatal: true, ignoreBOM: true }); }
}
export function withStrictUtf8(fn) {
  const saved = globalThis.TextDecoder;
  globalThis.TextDecoder = StrictTextDecoder;
  try { return fn(); } finally { globalThis.TextDecoder = saved; }
}

export function toJson(msg, options = {}) {
  // Through a string: -0 becomes 0, as it does on any JSON wire.
  return withStrictUtf8(() => JSON.parse(JSON.stringify(msg.toJson({ ...options, typeRegistry: typeRegistry() }))));
}

// Deep equality of JSON values; object key order is free.
export function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

// Message equality that also holds for NaN (equals() compares with ===).
export function msgEqual(a, b) {
  return a.equals(b) || jsonEqual(toJson(a), toJson(b));
}

// Runs `lkproto CMD TYPE --hex` on lines; returns {status, out: [lines], err}.
export function runBatch(bin, cmd, type, lines, extraArgs = []) {
  const input = lines.length ? lines.join('\n') + '\n' : '';
  const r = spawnSync(bin, [cmd, type, '--hex', ...extraArgs], { input, maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  const out = r.stdout.toString('utf8');
  return {
    status: r.status,
    signal: r.signal,
    out: out === '' ? [] : out.replace(/\n$/, '').split('\n'),
    rawOut: out,
    err: r.stderr.toString('utf8'),
  };
}

// ---------------------------------------------------------------------------
// Random messages.
const STRINGS = [
  '', 'a', 'hello world', 'é', 'ü€', '日本語のテキスト', '😀', 'a😀b𝄞c', '\u{10FFFF}',
  'line\nbreak\ttab', '"quoted" \\ back', '\u0001\u001f\u007f', '\uFEFFbom first',
  'sep\u2028\u2029', 'x'.repeat(300), 'lk.agent.state', 'sip.phoneNumber', 'ключ', '🎉🎉🎉',
];

const I32 = [0, 1, -1, 127, 128, 2147483647, -2147483648, 300, -300];
const U32 = [0, 1, 127, 128, 4294967295, 2147483648, 65535];
const I64 = ['0', '1', '-1', '9223372036854775807', '-9223372036854775808', '4294967296',
  '-4294967297', '9007199254740993'];
const U64 = ['0', '1', '18446744073709551615', '9223372036854775808', '4294967296',
  '9007199254740993'];
const F32 = [0, 0.1, -0.1, 1, -1, 1e-45, 1.17549435e-38, 3.4028234663852886e38, -3.4028234663852886e38,
  NaN, Infinity, -Infinity, 16777217, 0.3333333432674408, 1e10, -0];
const F64 = [0, 0.1, -0.1, 1, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, NaN, Infinity,
  -Infinity, 1e21, 1e20, 123456789.123456789, 9007199254740993, -0, 0.000001, 1e-7];

function randInt32(r) {
  return r.chance(0.5) ? r.pick(I32) : (r.int(2 ** 32) | 0);
}
function randUint32(r) {
  return r.chance(0.5) ? r.pick(U32) : r.int(2 ** 32);
}
function randI64(r) {
  if (r.chance(0.5)) return BigInt(r.pick(I64));
  return BigInt.asIntN(64, (BigInt(r.int(2 ** 32)) << 32n) | BigInt(r.int(2 ** 32)));
}
function randU64(r) {
  if (r.chance(0.5)) return BigInt(r.pick(U64));
  return (BigInt(r.int(2 ** 32)) << 32n) | BigInt(r.int(2 ** 32));
}
function randString(r) {
  if (r.chance(0.6)) return r.pick(STRINGS);
  let s = '';
  const n = r.int(12);
  for (let i = 0; i < n; i++) {
    const k = r.int(4);
    if (k === 0) s += String.fromCharCode(0x20 + r.int(95));
    else if (k === 1) s += String.fromCharCode(0x80 + r.int(0x780));
    else if (k === 2) s += String.fromCharCode(0x800 + r.int(0xd000 - 0x800));
    else s += String.fromCodePoint(0x10000 + r.int(0x100000));
  }
  return s;
}
function randBytes(r) {
  const n = r.chance(0.2) ? 0 : r.int(24);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r.int(256);
  return b;
}

export function randScalar(r, T, L) {
  switch (T) {
    case ScalarType.INT32: case ScalarType.SINT32: case ScalarType.SFIXED32:
      return randInt32(r);
    case ScalarType.UINT32: case ScalarType.FIXED32:
      return randUint32(r);
    case ScalarType.INT64: case ScalarType.SINT64: case ScalarType.SFIXED64: {
      const v = randI64(r);
      return L ? v.toString() : v;
    }
    case ScalarType.UINT64: case ScalarType.FIXED64: {
      const v = randU64(r);
      return L ? v.toString() : v;
    }
    case ScalarType.FLOAT:
      return Math.fround(r.chance(0.6) ? r.pick(F32) : (r.next() - 0.5) * 10 ** (r.int(20) - 10));
    case ScalarType.DOUBLE:
      return r.chance(0.6) ? r.pick(F64) : (r.next() - 0.5) * 10 ** (r.int(40) - 20);
    case ScalarType.BOOL:
      return r.chance(0.5);
    case ScalarType.STRING:
      return randString(r);
    case ScalarType.BYTES:
      return randBytes(r);
  }
  throw new Error('scalar type ' + T);
}

function zeroScalar(T, L) {
  switch (T) {
    case ScalarType.BOOL: return false;
    case ScalarType.STRING: return '';
    case ScalarType.BYTES: return new Uint8Array(0);
    case ScalarType.INT64: case ScalarType.SINT64: case ScalarType.SFIXED64:
    case ScalarType.UINT64: case ScalarType.FIXED64: return L ? '0' : 0n;
    default: return 0;
  }
}

function randEnum(r, E) {
  if (r.chance(0.15)) return r.pick([99, 12345, -7, 2147483647, -2147483648]); // unknown values
  return r.pick(E.values).no;
}

const SMALL_ANY_TYPES = ['livekit.Codec', 'livekit.PlayoutDelay', 'livekit.ParticipantPermission',
  'livekit.Pagination', 'livekit.SimulcastCodec'];

// A random JSON value for google.protobuf.Value / Struct / ListValue: no NaN
// or infinities (they have no JSON form there), nested up to `depth` levels.
const JSON_NUMBERS = [0, 1, -1, 0.1, -2.5, 1e21, 1e-7, 123456789.125, 9007199254740991, 5e-324,
  1.7976931348623157e308, -0];
function randJsonValue(r, depth) {
  const k = r.int(depth > 0 ? 6 : 4);
  if (k === 0) return null;
  if (k === 1) return r.chance(0.6) ? r.pick(JSON_NUMBERS) : (r.next() - 0.5) * 10 ** (r.int(30) - 15);
  if (k === 2) return randString(r);
  if (k === 3) return r.chance(0.5);
  if (k === 4) return randJsonObject(r, depth - 1);
  return Array.from({ length: r.int(4) }, () => randJsonValue(r, depth - 1));
}
function randJsonObject(r, depth) {
  const o = {};
  const n = r.chance(0.15) ? 0 : r.int(5);
  for (let i = 0; i < n; i++) o[randString(r)] = randJsonValue(r, depth);
  return o;
}

function randMessage(r, M, depth, opts) {
  const name = M.typeName;
  if (name === 'google.protobuf.Struct') return M.fromJson(randJsonObject(r, 2));
  if (name === 'google.protobuf.ListValue') return M.fromJson(randJsonValue(r, 0) === null ? [] : [randJsonValue(r, 2)]);
  if (name === 'google.protobuf.Value') return M.fromJson(randJsonValue(r, 2));
  if (name === 'google.protobuf.Timestamp') {
    const secs = r.pick([0, 1, -1, 1700000000, -62135596800, 253402300799, r.int(2 ** 31) - 2 ** 30]);
    const nanos = r.pick([0, 1000000, 123000000, 123456000, 123456789, 999999999, 1, r.int(1e9)]);
    return new M({ seconds: BigInt(secs), nanos });
  }
  if (name === 'google.protobuf.Duration') {
    const secs = r.pick([0, 1, 5, 315576000000, -315576000000, -3, r.int(100000)]);
    let nanos = r.pick([0, 500000000, 1000, 1, 999999999, r.int(1e9)]);
    if (secs < 0 || (secs === 0 && r.chance(0.3))) nanos = -nanos;
    return new M({ seconds: BigInt(secs), nanos });
  }
  if (name === 'google.protobuf.Any') {
    if (r.chance(0.2)) return new M();
    const T = runtimeType(r.pick(SMALL_ANY_TYPES));
    const inner = randMessage(r, T, depth + 1, opts);
    return new M({ typeUrl: 'type.googleapis.com/' + T.typeName, value: inner.toBinary() });
  }
  const m = new M();
  const fields = M.fields.list();
  const oneofs = new Map();
  for (const f of fields) if (f.oneof) (oneofs.get(f.oneof) ?? oneofs.set(f.oneof, []).get(f.oneof)).push(f);
  const density = opts.density;
  for (const f of fields) {
    if (f.oneof) continue;
    if (!r.chance(density)) continue;
    m[f.localName] = randFieldValue(r, f, depth, opts);
  }
  for (const [oneof, arms] of oneofs) {
    if (!r.chance(density)) continue;
    const f = r.pick(arms);
    let value;
    if (f.kind === 'message') value = depth < opts.maxDepth ? randMessage(r, f.T, depth + 1, opts) : new f.T();
    else if (f.kind === 'enum') value = r.chance(0.3) ? 0 : randEnum(r, f.T);
    else value = r.chance(0.3) ? zeroScalar(f.T, f.L) : randScalar(r, f.T, f.L); // presence: zero is sent
    m[oneof.localName] = { case: f.localName, value };
  }
  return m;
}

function randFieldValue(r, f, depth, opts) {
  const one = () => {
    if (f.kind === 'scalar') return f.opt && r.chance(0.3) ? zeroScalar(f.T, f.L) : randScalar(r, f.T, f.L);
    if (f.kind === 'enum') return f.opt && r.chance(0.3) ? 0 : randEnum(r, f.T);
    if (f.kind === 'message') return depth < opts.maxDepth ? randMessage(r, f.T, depth + 1, opts) : new f.T();
    throw new Error('kind ' + f.kind);
  };
  if (f.kind === 'map') {
    const obj = {};
    const n = r.chance(0.1) ? 0 : r.int(5);
    for (let i = 0; i < n; i++) {
      let k = randScalar(r, f.K, 0);
      if (typeof k === 'bigint') k = k.toString();
      const v = f.V.kind === 'scalar' ? randScalar(r, f.V.T, 0)
        : f.V.kind === 'enum' ? randEnum(r, f.V.T)
          : depth < opts.maxDepth ? randMessage(r, f.V.T, depth + 1, opts) : new f.V.T();
      obj[k] = v;
    }
    return obj;
  }
  if (f.repeated) {
    const n = r.int(4);
    const arr = [];
    for (let i = 0; i < n; i++) arr.push(one());
    return arr;
  }
  return one();
}

// A random message of type T: density 0..1, how many fields get a value.
export function randomMessage(r, T, density = 0.7, maxDepth = 3) {
  return randMessage(r, T, 0, { density, maxDepth });
}

// The message types of our schema (what `lkproto list` prints).
export function listTypes(bin) {
  const r = spawnSync(bin, ['list']);
  if (r.status !== 0) throw new Error('lkproto list failed: ' + r.stderr);
  return r.stdout.toString().trim().split('\n').map((l) => l.split(' '));
}
