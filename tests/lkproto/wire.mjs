// lkproto's strict wire decoding compared with LiveKit's decoder:
//   1. every wire edge case of docs/interop.md (and a few more), each with
//      the outcome it must have;
//   2. every truncation of real messages;
//   3. seeded byte mutations (flip, insert, delete, overwrite) of real
//      messages.
// The reference is @bufbuild/protobuf 1.10.1's fromBinary() with a strict
// UTF-8 check, followed by toJson().  That decoder is lax in ways protoc and
// Go are not; a small independent checker below (strictWire) finds those
// inputs, and lkproto must refuse them (documented: "stricter than LiveKit"):
// wire types that do not fit the field, groups not closed or closed by the
// end tag of another field, varints over 10 bytes in skipped fields, tags over 32 bits, nested or packed data running past its
// length, U+0000 in strings.  One known divergence the other way: an unknown
// field inside a map entry makes LiveKit's decoder fail (protobuf-es issue
// 1542); lkproto skips it, as protoc and Go do.  Groups (wire types 3 and
// 4) in unknown fields are skipped, nested ones included, as protobuf-go,
// protoc and protobuf-es do.
//
// Accepted inputs are checked in batches (one lkproto process per batch);
// each refused input runs alone (the tool stops at the first bad line).
//
// usage: node tests/lkproto/wire.mjs build/bin/lkproto [--seed N] [--mutants N]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import {
  pb, prng, hex, strictRead, toJson, typeRegistry, withStrictUtf8, jsonEqual, runBatch, randomMessage, runtimeType,
} from './lib.mjs';

const { ScalarType } = pb;
const args = process.argv.slice(2);
const bin = args[0];
if (!bin) {
  console.error('usage: wire.mjs LKPROTO [--seed N] [--mutants N]');
  process.exit(2);
}
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const seed = opt('--seed', 7001);
const nMutants = opt('--mutants', 1500);

// ---------------------------------------------------------------------------
// A tiny protobuf writer for hand-made vectors.
const enc = new TextEncoder();
const cat = (...parts) => {
  const arrs = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrs.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrs) { out.set(a, o); o += a.length; }
  return out;
};
function varint(v) {
  let n = BigInt.asUintN(64, BigInt(v));
  const out = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return new Uint8Array(out);
}
const tag = (no, wt) => varint((BigInt(no) << 3n) | BigInt(wt));
const vint = (no, v) => cat(tag(no, 0), varint(v));
const ld = (no, bytes) => cat(tag(no, 2), varint(bytes.length), bytes);
const str = (no, s) => ld(no, typeof s === 'string' ? enc.encode(s) : new Uint8Array(s));
const f32 = (no, bytes4) => cat(tag(no, 5), bytes4);
const f64 = (no, bytes8) => cat(tag(no, 1), bytes8);
const overlong = (v, n) => { // v as an n-byte varint (padded with 0x80 continuation bytes)
  const b = [...varint(v)];
  b[b.length - 1] |= 0x80;
  while (b.length < n - 1) b.push(0x80);
  b.push(0x00);
  return new Uint8Array(b);
};

// ---------------------------------------------------------------------------
// The independent strict checker.  Returns {fatal: class|null, mapUnknown}.
const VARINT = new Set([ScalarType.INT32, ScalarType.INT64, ScalarType.UINT32, ScalarType.UINT64,
  ScalarType.SINT32, ScalarType.SINT64, ScalarType.BOOL]);
const BIT64 = new Set([ScalarType.DOUBLE, ScalarType.FIXED64, ScalarType.SFIXED64]);
const BIT32 = new Set([ScalarType.FLOAT, ScalarType.FIXED32, ScalarType.SFIXED32]);
const scalarWt = (T) => (VARINT.has(T) ? 0 : BIT64.has(T) ? 1 : BIT32.has(T) ? 5 : 2);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class Violation extends Error {}
function strictWire(T, bytes) {
  const st = { mapUnknown: false };
  const b = bytes;
  function rv(pos, end) {
    let v = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new Violation('truncated');
      const x = b[pos++];
      v |= BigInt(x & 0x7f) << BigInt(7 * i);
      if (!(x & 0x80)) return [v, pos];
    }
    throw new Violation('overlong varint');
  }
  function value(kindT, isEnum, pos, end, wt) { // kindT: ScalarType or message type
    if (isEnum) {
      if (wt !== 0) throw new Violation('wire type');
      return rv(pos, end)[1];
    }
    if (typeof kindT !== 'number') { // message
      if (wt !== 2) throw new Violation('wire type');
      let len;
      [len, pos] = rv(pos, end);
      if (len > BigInt(end - pos)) throw new Violation('length past end');
      msg(kindT, pos, pos + Number(len));
      if (kindT.typeName === 'google.protobuf.Any') anyValue(kindT, pos, pos + Number(len));
      return pos + Number(len);
    }
    if (wt !== scalarWt(kindT)) throw new Violation('wire type');
    if (wt === 0) return rv(pos, end)[1];
    if (wt === 1) { if (end - pos < 8) throw new Violation('truncated'); return pos + 8; }
    if (wt === 5) { if (end - pos < 4) throw new Violation('truncated'); return pos + 4; }
    let len;
    [len, pos] = rv(pos, end);
    if (len > BigInt(end - pos)) throw new Violation('length past end');
    const n = Number(len);
    if (kindT === ScalarType.STRING) {
      let s;
      try { s = strictUtf8.decode(b.subarray(pos, pos + n)); } catch { throw new Violation('utf8'); }
      if (s.includes('\0')) throw new Violation('nul');
    }
    return pos + n;
  }
  // An unknown field; `no` is its number (a group ends at the end tag of
  // the same number).
  function skip(wt, pos, end, no) {
    if (wt === 4) throw new Violation('end group without start');
    if (wt === 3) {
      for (;;) {
        if (pos >= end) throw new Violation('group not closed');
        let ino, iwt;
        [ino, iwt, pos] = readTag(pos, end);
        if (iwt === 4) {
          if (ino !== no) throw new Violation('group closed by another end tag');
          return pos;
        }
        pos = skip(iwt, pos, end, ino);
      }
    }
    if (wt > 5) throw new Violation('wire type');
    if (wt === 0) return rv(pos, end)[1];
    if (wt === 1) { if (end - pos < 8) throw new Violation('truncated'); return pos + 8; }
    if (wt === 5) { if (end - pos < 4) throw new Violation('truncated'); return pos + 4; }
    let len;
    [len, pos] = rv(pos, end);
    if (len > BigInt(end - pos)) throw new Violation('length past end');
    return pos + Number(len);
  }
  function readTag(pos, end) {
    let t;
    [t, pos] = rv(pos, end);
    if (t > 0xffffffffn) throw new Violation('tag over 32 bits');
    const no = Number(t >> 3n), wt = Number(t & 7n);
    if (no === 0) throw new Violation('field 0');
    if (wt > 5) throw new Violation('wire type');
    return [no, wt, pos];
  }
  // The packed message of an Any is checked as its own message.
  function anyValue(AnyT, pos, end) {
    const a = AnyT.fromBinary(b.subarray(pos, end));
    if (!a.typeUrl) return;
    const inner = typeRegistry().findMessage(a.typeUrl.slice(a.typeUrl.lastIndexOf('/') + 1));
    if (!inner) return;
    const res = strictWire(inner, a.value);
    if (res.fatal) throw new Violation(res.fatal);
    if (res.mapUnknown) st.mapUnknown = true;
  }
  function mapEntry(f, pos, end) {
    while (pos < end) {
      let no, wt;
      [no, wt, pos] = readTag(pos, end);
      if (no === 1) pos = value(f.K, false, pos, end, wt);
      else if (no === 2) pos = value(f.V.kind === 'scalar' ? f.V.T : f.V.T, f.V.kind === 'enum', pos, end, wt);
      else { st.mapUnknown = true; pos = skip(wt, pos, end, no); }
    }
  }
  function msg(M, pos, end) {
    while (pos < end) {
      let no, wt;
      [no, wt, pos] = readTag(pos, end);
      const f = M.fields.find(no);
      if (!f) { pos = skip(wt, pos, end, no); continue; }
      if (f.kind === 'map') {
        if (wt !== 2) throw new Violation('wire type');
        let len;
        [len, pos] = rv(pos, end);
        if (len > BigInt(end - pos)) throw new Violation('length past end');
        mapEntry(f, pos, pos + Number(len));
        pos += Number(len);
        continue;
      }
      const isEnum = f.kind === 'enum';
      const T = f.kind === 'scalar' ? f.T : isEnum ? ScalarType.INT32 : f.T;
      if (f.repeated && wt === 2 && (isEnum || (f.kind === 'scalar' && scalarWt(f.T) !== 2))) {
        let len;
        [len, pos] = rv(pos, end);
        if (len > BigInt(end - pos)) throw new Violation('length past end');
        const stop = pos + Number(len);
        while (pos < stop) pos = value(T, isEnum, pos, stop, isEnum ? 0 : scalarWt(T));
        continue;
      }
      pos = value(T, isEnum, pos, end, wt);
    }
  }
  try {
    msg(T, 0, b.length);
    return { fatal: null, mapUnknown: st.mapUnknown };
  } catch (e) {
    if (e instanceof Violation) return { fatal: e.message, mapUnknown: st.mapUnknown };
    throw e;
  }
}

function livekit(T, bytes) {
  try {
    return { ok: true, json: toJson(withStrictUtf8(() => T.fromBinary(bytes, strictRead))) };
  } catch (e) {
    return { ok: false, why: e.message };
  }
}

// ---------------------------------------------------------------------------
// Cases: {name, type, bytes, expect?: 'accept'|'reject', json?: expected JSON}
// Without `expect`, the expectation comes from LiveKit + the checker.
const cases = [];
const add = (c) => cases.push(c);
const PI = 'livekit.ParticipantInfo';
const entry = (...parts) => ld(15, cat(...parts));
const attrs = (o) => ({ sid: 'PA_x', attributes: o });

add({ name: 'duplicate map key: last wins', type: PI,
  bytes: cat(str(1, 'PA_x'), entry(str(1, 'k'), str(2, 'a')), entry(str(1, 'k'), str(2, 'b'))),
  expect: 'accept', json: attrs({ k: 'b' }) });
add({ name: 'map entry with value before key', type: PI,
  bytes: cat(str(1, 'PA_x'), entry(str(2, 'v'), str(1, 'k'))), expect: 'accept', json: attrs({ k: 'v' }) });
add({ name: 'map entry without key', type: PI,
  bytes: cat(str(1, 'PA_x'), entry(str(2, 'v'))), expect: 'accept', json: attrs({ '': 'v' }) });
add({ name: 'map entry without value', type: PI,
  bytes: cat(str(1, 'PA_x'), entry(str(1, 'k'))), expect: 'accept', json: attrs({ k: '' }) });
add({ name: 'empty map entry', type: PI, bytes: cat(str(1, 'PA_x'), entry()), expect: 'accept', json: attrs({ '': '' }) });
add({ name: 'unknown field inside a map entry (skipped; LiveKit fails: known divergence)', type: PI,
  bytes: cat(str(1, 'PA_x'), entry(str(1, 'k'), vint(3, 5), str(4, 'zz'), str(2, 'v'))),
  expect: 'accept', json: attrs({ k: 'v' }) });
add({ name: 'map entries interleaved with other fields', type: PI,
  bytes: cat(entry(str(1, 'a'), str(2, '1')), str(1, 'PA_x'), entry(str(1, 'b'), str(2, '2')), str(2, 'alice'),
    entry(str(1, 'a'), str(2, '3'))),
  expect: 'accept', json: { sid: 'PA_x', identity: 'alice', attributes: { a: '3', b: '2' } } });
add({ name: 'U+0000 inside a string (refused: documented)', type: PI, bytes: str(1, 'a\0b'), expect: 'reject' });
add({ name: 'U+0000 inside a map key (refused)', type: PI, bytes: entry(str(1, 'k\0'), str(2, 'v')), expect: 'reject' });
add({ name: 'U+0000 inside a map value (refused)', type: PI, bytes: entry(str(1, 'k'), str(2, '\0')), expect: 'reject' });
add({ name: 'unknown fields of every wire type are dropped', type: PI,
  bytes: cat(str(1, 'PA_x'), vint(99, 5), str(100, 'x'), f32(101, [1, 2, 3, 4]), f64(102, [1, 2, 3, 4, 5, 6, 7, 8]),
    vint(536870911, 1)),
  expect: 'accept', json: { sid: 'PA_x' } });
add({ name: 'over-long varint (11 bytes) in a known field', type: PI, bytes: cat(tag(10, 0), overlong(1, 11)), expect: 'reject' });
add({ name: '10-byte varint with padding is fine', type: PI, bytes: cat(tag(10, 0), overlong(1, 10)), expect: 'accept', json: { version: 1 } });
add({ name: 'over-long varint in an unknown field (LiveKit skips it)', type: PI, bytes: cat(tag(99, 0), overlong(1, 12)), expect: 'reject' });
add({ name: 'over-long tag', type: PI, bytes: cat(overlong(8, 11), varint(1)), expect: 'reject' });
add({ name: 'tag over 32 bits', type: PI, bytes: cat(varint((1n << 35n) | 8n), varint(1)), expect: 'reject' });
add({ name: 'field number 0', type: PI, bytes: cat(varint(0), varint(1)), expect: 'reject' });
add({ name: 'wire type 6', type: PI, bytes: cat(varint((1 << 3) | 6), varint(1)), expect: 'reject' });
add({ name: 'wire type 7', type: PI, bytes: cat(varint((1 << 3) | 7)), expect: 'reject' });
add({ name: 'group in an unknown field is skipped (as Go, protoc, protobuf-es)', type: PI,
  bytes: cat(str(1, 'PA_x'), tag(99, 3), vint(1, 1), tag(99, 4), str(2, 'alice')), expect: 'accept',
  json: { sid: 'PA_x', identity: 'alice' } });
add({ name: 'empty group in an unknown field is skipped', type: PI, bytes: cat(tag(99, 3), tag(99, 4)),
  expect: 'accept', json: {} });
add({ name: 'nested groups with every wire type inside are skipped', type: PI,
  bytes: cat(tag(99, 3), vint(1, 300), str(2, 'x'), f32(3, [1, 2, 3, 4]), f64(4, [1, 2, 3, 4, 5, 6, 7, 8]),
    tag(5, 3), vint(1, 1), tag(6, 3), tag(6, 4), tag(5, 4), tag(99, 4), str(1, 'PA_x')),
  expect: 'accept', json: { sid: 'PA_x' } });
add({ name: 'group in an unknown field of a nested message is skipped', type: PI,
  bytes: ld(11, cat(tag(77, 3), vint(1, 1), tag(77, 4), vint(1, 1))), expect: 'accept',
  json: { permission: { canSubscribe: true } } });
add({ name: 'group not closed', type: PI, bytes: cat(tag(99, 3), vint(1, 1)), expect: 'reject' });
add({ name: 'nested group not closed', type: PI, bytes: cat(tag(99, 3), tag(5, 3), tag(99, 4)), expect: 'reject' });
add({ name: 'group closed by the end tag of another field', type: PI, bytes: cat(tag(99, 3), vint(1, 1), tag(98, 4)), expect: 'reject' });
add({ name: 'group not closed inside its length-delimited parent', type: PI,
  bytes: cat(ld(11, cat(tag(77, 3), vint(1, 1))), tag(77, 4)), expect: 'reject' });
add({ name: 'end group without start', type: PI, bytes: tag(99, 4), expect: 'reject' });
add({ name: 'known string field sent as a group', type: PI, bytes: cat(tag(1, 3), tag(1, 4)), expect: 'reject' });
add({ name: 'string field sent as varint', type: PI, bytes: vint(1, 5), expect: 'reject' });
add({ name: 'uint32 field sent as length-delimited', type: PI, bytes: str(10, 'ab'), expect: 'reject' });
add({ name: 'message field sent as fixed32', type: PI, bytes: f32(11, [0, 0, 0, 0]), expect: 'reject' });
const PERM = 'livekit.ParticipantPermission';
add({ name: 'unpacked repeated enum', type: PERM, bytes: cat(vint(9, 1), vint(9, 2), vint(9, 1)) });
add({ name: 'packed and unpacked repeated enum mixed', type: PERM, bytes: cat(ld(9, cat(varint(1), varint(2))), vint(9, 5), ld(9, new Uint8Array(0))) });
add({ name: 'packed run whose last element crosses its end', type: PERM, bytes: cat(tag(9, 2), varint(2), varint(1), new Uint8Array([0x80]), varint(1)), expect: 'reject' });
add({ name: 'unknown enum values (singular and repeated)', type: PI,
  bytes: cat(vint(3, 99), vint(14, 5), vint(18, 42), vint(18, -1)),
  expect: 'accept', json: { state: 99, kind: 5, kindDetails: [42, -1] } });
add({ name: 'negative int32 as a 10-byte varint', type: PI, bytes: vint(20, -1), expect: 'accept', json: { clientProtocol: -1 } });
add({ name: 'negative int32 as a 5-byte varint', type: PI, bytes: cat(tag(20, 0), [0xff, 0xff, 0xff, 0xff, 0x0f]), expect: 'accept', json: { clientProtocol: -1 } });
add({ name: 'int32 from a varint above 32 bits keeps the low bits', type: PI, bytes: vint(20, (1n << 40n) + 7n) });
add({ name: 'uint32 zero in low bits is the default', type: PI, bytes: vint(10, 1n << 32n), expect: 'accept', json: {} });
add({ name: 'bool from a large varint', type: PERM, bytes: cat(vint(1, 2), vint(2, 1n << 40n)), expect: 'accept', json: { canSubscribe: true, canPublish: true } });
add({ name: 'message field sent twice is merged', type: PI,
  bytes: cat(ld(11, vint(1, 1)), ld(11, vint(2, 1)), ld(11, ld(9, cat(varint(1), varint(2))))),
  expect: 'accept', json: { permission: { canSubscribe: true, canPublish: true, canPublishSources: ['CAMERA', 'MICROPHONE'] } } });
const DP = 'livekit.DataPacket';
add({ name: 'two oneof arms: the last wins', type: DP,
  bytes: cat(ld(2, str(2, 'payload-user')), ld(3, new Uint8Array(0))), expect: 'accept', json: { speaker: {} } });
add({ name: 'two oneof arms the other way', type: DP,
  bytes: cat(ld(3, new Uint8Array(0)), ld(2, str(4, 'topic'))) });
add({ name: 'the same oneof message arm twice is merged', type: DP,
  bytes: cat(ld(2, str(1, 'PA_1')), ld(2, str(4, 'topic'))) });
add({ name: 'oneof arm, other arm, first arm again: no merge across', type: DP,
  bytes: cat(ld(2, str(1, 'PA_1')), ld(3, new Uint8Array(0)), ld(2, str(4, 'topic'))) });
add({ name: 'optional set to zero keeps presence', type: 'livekit.DataTrackSubscriptionOptions', bytes: vint(1, 0),
  expect: 'accept', json: { targetFps: 0 } });
add({ name: 'empty message', type: PI, bytes: new Uint8Array(0), expect: 'accept', json: {} });
const BAD_UTF8 = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82],
  [0x61, 0x80], [0xf0, 0x9f, 0x98], [0xc3]];
for (const bad of BAD_UTF8) {
  const b = new Uint8Array(bad);
  add({ name: `invalid UTF-8 ${hex(b)} in a string`, type: PI, bytes: str(1, b), expect: 'reject' });
  add({ name: `invalid UTF-8 ${hex(b)} in a map key`, type: PI, bytes: entry(str(1, b), str(2, 'v')), expect: 'reject' });
  add({ name: `invalid UTF-8 ${hex(b)} in a map value`, type: PI, bytes: entry(str(1, 'k'), str(2, b)), expect: 'reject' });
  add({ name: `invalid UTF-8 ${hex(b)} in a nested message`, type: PI, bytes: ld(4, str(3, b)), expect: 'reject' });
  add({ name: `invalid UTF-8 ${hex(b)} in a repeated string`, type: DP, bytes: str(5, b), expect: 'reject' });
}
add({ name: 'BOM at the start of a string is kept', type: PI, bytes: str(2, '\uFEFFalice'), expect: 'accept', json: { identity: '\uFEFFalice' } });
add({ name: 'all of Unicode: 4-byte characters', type: PI, bytes: str(2, '😀𝄞\u{10FFFF}'), expect: 'accept', json: { identity: '😀𝄞\u{10FFFF}' } });
add({ name: 'bytes field may hold anything', type: DP, bytes: ld(2, str(2, new Uint8Array([0xff, 0, 0xc0]))) });
add({ name: 'length past the end', type: PI, bytes: cat(tag(1, 2), varint(5), enc.encode('ab')), expect: 'reject' });
add({ name: 'nested field running past its message', type: PI, bytes: cat(tag(11, 2), varint(1), tag(1, 0), varint(1)), expect: 'reject' });
add({ name: 'truncated fixed64 in an unknown field', type: PI, bytes: cat(tag(99, 1), [1, 2, 3]), expect: 'reject' });
add({ name: 'truncated tag', type: PI, bytes: new Uint8Array([0x80]), expect: 'reject' });
const MS = 'livekit.MetricSample';
add({ name: 'Timestamp out of range has no JSON form', type: MS, bytes: ld(2, vint(1, 253402300800n)), expect: 'reject' });
add({ name: 'Timestamp before year 1 has no JSON form', type: MS, bytes: ld(2, vint(1, -62135596801n)), expect: 'reject' });
add({ name: 'Timestamp negative nanos has no JSON form', type: MS, bytes: ld(2, vint(2, -1)), expect: 'reject' });
add({ name: 'Timestamp extremes', type: MS, bytes: ld(2, cat(vint(1, 253402300799n), vint(2, 999999999))), expect: 'accept',
  json: { normalizedTimestamp: '9999-12-31T23:59:59.999999999Z' } });
add({ name: 'Timestamp nanos above 1e9 (as LiveKit prints it)', type: MS, bytes: ld(2, cat(vint(1, 5), vint(2, 1500000000))) });
add({ name: 'Timestamp year 1', type: MS, bytes: ld(2, cat(vint(1, -62135596800n), vint(2, 1000))) });
const SIPT = 'livekit.SIPOutboundConfig';
const sipDur = runtimeType(SIPT)?.fields.findJsonName('mediaTimeout');
if (sipDur) {
  const no = sipDur.no;
  add({ name: 'Duration -0.5s', type: SIPT, bytes: ld(no, vint(2, -500000000)) });
  add({ name: 'Duration 3.000001s', type: SIPT, bytes: ld(no, cat(vint(1, 3), vint(2, 1000))) });
  add({ name: 'Duration out of range', type: SIPT, bytes: ld(no, vint(1, 315576000001n)), expect: 'reject' });
  add({ name: 'Duration nanos out of range', type: SIPT, bytes: ld(no, cat(vint(1, 1), vint(2, 1000000000))), expect: 'reject' });
  add({ name: 'Duration empty (optional, present)', type: SIPT, bytes: ld(no, new Uint8Array(0)) });
}
const SCI = 'livekit.SIPCallInfo';
const codec = runtimeType('livekit.Codec');
add({ name: 'Any of a known type', type: SCI,
  bytes: ld(26, cat(str(1, 'type.googleapis.com/livekit.Codec'), ld(2, new codec({ mime: 'audio/opus', fmtpLine: 'x' }).toBinary()))) });
add({ name: 'Any without type URL', type: SCI, bytes: ld(26, ld(2, new Uint8Array([1, 2, 3]))) });
add({ name: 'Any of an unknown type', type: SCI, bytes: ld(26, str(1, 'type.googleapis.com/nope.Nope')), expect: 'reject' });
add({ name: 'Any whose value is not valid', type: SCI, bytes: ld(26, cat(str(1, 'type.googleapis.com/livekit.Codec'), ld(2, str(1, new Uint8Array([0xff]))))), expect: 'reject' });

// ---------------------------------------------------------------------------
// Truncations and mutations of real messages.
const r = prng(seed);
const BASES = ['livekit.ParticipantInfo', 'livekit.JoinResponse', 'livekit.SignalRequest', 'livekit.SignalResponse',
  'livekit.DataPacket', 'livekit.MetricsBatch', 'livekit.TrackInfo', 'livekit.SIPCallInfo', 'livekit.RoomCompositeEgressRequest',
  'livekit.UpdateParticipantMetadata', 'livekit.WebhookEvent', 'livekit.AgentDispatch'];
const bases = [];
for (const t of BASES) {
  const T = runtimeType(t);
  for (let i = 0; i < 4; i++) {
    const b = randomMessage(r, T, 0.6, 2).toBinary();
    if (b.length > 0) bases.push({ type: t, bytes: b });
  }
}
let nTrunc = 0;
for (const base of bases.filter((_, i) => i % 4 === 0)) {
  const n = Math.min(base.bytes.length, 160);
  for (let k = 0; k < n; k++) {
    add({ name: `truncation ${base.type} at ${k}/${base.bytes.length}`, type: base.type, bytes: base.bytes.slice(0, k) });
    nTrunc++;
  }
}
for (let i = 0; i < nMutants; i++) {
  const base = r.pick(bases);
  const b = [...base.bytes];
  const edits = 1 + r.int(3);
  for (let e = 0; e < edits; e++) {
    const pos = r.int(b.length + 1);
    switch (r.int(5)) {
      case 0: if (pos < b.length) b[pos] ^= 1 << r.int(8); break;
      case 1: b.splice(pos, 0, r.int(256)); break;
      case 2: b.splice(pos, 1); break;
      case 3: if (pos < b.length) b[pos] = r.pick([0x00, 0x80, 0xff, 0x7f, 0x08, 0x12, 0xc0, 0xed]); break;
      default: if (pos < b.length) b[pos] = (b[pos] + (r.chance(0.5) ? 1 : -1)) & 0xff; break;
    }
  }
  add({ name: `mutant ${i} of ${base.type}`, type: base.type, bytes: new Uint8Array(b) });
}

// The committed fuzz corpus of `lkproto decode` (tests/fuzz/corpus/
// lkproto_decode, and its crash regressions): each input whose first byte
// is below 128 is a message of one of the signal-path types
// (tests/fuzz/lkproto_pick.h), judged by LiveKit + the checker like the rest.
const FUZZ_HOT = ['SignalRequest', 'SignalResponse', 'ParticipantInfo', 'UpdateParticipantMetadata',
  'JoinRequest', 'UpdateParticipantRequest', 'CreateSIPParticipantRequest', 'RequestResponse'];
let nFuzz = 0;
for (const dir of ['tests/fuzz/corpus/lkproto_decode', 'tests/fuzz/regressions/lkproto_decode']) {
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) {
    const b = readFileSync(`${dir}/${f}`);
    if (b.length === 0 || b[0] >= 128) continue;
    nFuzz++;
    add({ name: `fuzz corpus ${f.slice(0, 12)}`, type: `livekit.${FUZZ_HOT[b[0] % 8]}`,
      bytes: new Uint8Array(b.subarray(1)), fuzz: true });
  }
}

// ---------------------------------------------------------------------------
// Expectations, then lkproto.
let failures = 0;
const stats = { accept: 0, reject: 0, stricter: {}, mapEntryDivergence: 0 };
const failMsg = (c, what) => {
  failures++;
  if (failures <= 25) console.error(`FAIL ${c.name} [${c.type}] ${hex(c.bytes)}: ${what}`);
};

for (const c of cases) {
  const T = runtimeType(c.type);
  const lk = livekit(T, c.bytes);
  const chk = strictWire(T, c.bytes);
  let expect, json = null, why = '';
  if (chk.fatal) {
    expect = 'reject';
    if (lk.ok) { why = chk.fatal; stats.stricter[chk.fatal] = (stats.stricter[chk.fatal] ?? 0) + 1; }
  } else if (!lk.ok) {
    if (chk.mapUnknown && c.fuzz) {
      // LiveKit fails on the unknown field inside a map entry, so it says
      // nothing about the rest of a random input: not judged.
      c.want = 'unjudged';
      stats.unjudged = (stats.unjudged ?? 0) + 1;
      continue;
    }
    if (chk.mapUnknown) { expect = 'accept'; stats.mapEntryDivergence++; } else expect = 'reject';
  } else {
    expect = 'accept';
    if (!chk.mapUnknown) json = lk.json;
  }
  if (c.expect && c.expect !== expect) {
    failMsg(c, `test expects ${c.expect}, LiveKit + checker say ${expect} (LiveKit: ${lk.ok ? 'ok' : lk.why}; checker: ${chk.fatal})`);
    continue;
  }
  if (c.json && json && !jsonEqual(c.json, json)) {
    failMsg(c, `test's JSON ${JSON.stringify(c.json)} differs from LiveKit's ${JSON.stringify(json)}`);
    continue;
  }
  c.want = expect;
  c.wantJson = json ?? c.json ?? null;
  stats[expect]++;
}

// Accepted cases: batches per type.
const byType = new Map();
for (const c of cases.filter((x) => x.want === 'accept')) {
  (byType.get(c.type) ?? byType.set(c.type, []).get(c.type)).push(c);
}
for (const [type, list] of byType) {
  const res = runBatch(bin, 'decode', type, list.map((c) => hex(c.bytes)));
  if (res.status !== 0) {
    const line = Number((res.err.match(/line (\d+)/) ?? [])[1]);
    const c = list[line - 1] ?? list[0];
    failMsg(c, `refused (exit ${res.status}${res.signal ? ', signal ' + res.signal : ''}): ${res.err.trim()}`);
    continue;
  }
  list.forEach((c, i) => {
    let got;
    try { got = JSON.parse(res.out[i]); } catch { failMsg(c, `output is not JSON: ${res.out[i]}`); return; }
    if (c.wantJson && !jsonEqual(got, c.wantJson)) {
      failMsg(c, `JSON differs\n  lkproto: ${res.out[i]}\n  expected: ${JSON.stringify(c.wantJson)}`);
    }
  });
}

// Refused cases: one process each; exit 1, nothing on stdout, one error line.
for (const c of cases.filter((x) => x.want === 'reject')) {
  const res = spawnSync(bin, ['decode', c.type, '--hex'], { input: hex(c.bytes) + '\n' });
  const err = res.stderr.toString();
  if (res.status !== 1 || res.stdout.length !== 0) {
    failMsg(c, `expected refusal, got exit ${res.status}${res.signal ? ' signal ' + res.signal : ''}, stdout ${JSON.stringify(res.stdout.toString())}`);
  } else if (!/^lkproto decode: line 1: \S+: .+\n$/.test(err)) {
    failMsg(c, `error message not one clear line: ${JSON.stringify(err)}`);
  } else if (!/byte offset \d+/.test(err) && !/Timestamp|Duration|Any/.test(err)) {
    failMsg(c, `error message without byte offset: ${err.trim()}`);
  }
  // the same bytes as raw binary on stdin: same refusal
  if (c.bytes.length && cases.indexOf(c) % 7 === 0) {
    const raw = spawnSync(bin, ['decode', c.type], { input: Buffer.from(c.bytes) });
    if (raw.status !== 1 || raw.stdout.length !== 0) failMsg(c, `binary mode: exit ${raw.status}`);
  }
}

const stricter = Object.entries(stats.stricter).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
if (failures) {
  console.error(`lkproto wire: ${failures} failures`);
  process.exit(1);
}
console.log(`lkproto wire: ${cases.length} inputs (${cases.length - nTrunc - nMutants - nFuzz} edge cases, ${nTrunc} truncations, ${nMutants} mutants, ${nFuzz} from the fuzz corpus): ` +
  `${stats.accept} accepted with LiveKit's JSON, ${stats.reject} refused; ` +
  `stricter than LiveKit: ${stricter}; unknown field in map entry accepted (LiveKit fails): ${stats.mapEntryDivergence}` +
  (stats.unjudged ? `; ${stats.unjudged} fuzz inputs not judged (LiveKit fails on a map entry's unknown field)` : ''));
