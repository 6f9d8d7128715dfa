// LiveKit's JS (@livekit/protocol 1.52.1) as the judge of libattrs' wire code
// on the golden vectors (tests/interop/golden.mjs gen DIR).
//
// usage:
//   node wire-golden.mjs cuts DIR OUT
//       OUT: "ID LEN OK" lines: does LiveKit's JS decode the first LEN bytes
//       of vector ID (1) or throw (0)?  Every cut of vectors up to 300 bytes,
//       and for longer ones the field boundaries, the bytes around them and
//       64 seeded random cuts.
//   node wire-golden.mjs verify OUT
//       OUT: wire_golden's "ID INFO UPDATE NEW" lines: NEW (our ParticipantInfo
//       after applying UPDATE to INFO) must equal, in LiveKit's JS, INFO with
//       the update applied by LiveKit's rules (partial map, "" deletes, a
//       non-empty name or metadata replaces) and version + 1; "-" means
//       nothing changed, which is checked too.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BinaryReader } from '@bufbuild/protobuf';
import { runtimeType } from './reflect.mjs';

// @bufbuild/protobuf 1.10.1 decodes strings with a TextDecoder that drops a
// leading U+FEFF (docs/interop.md): an update value of just U+FEFF would then
// read as "" (a deletion).  Judge with a strict decoder that keeps it.
const strict = { readerFactory: (bytes) => new BinaryReader(bytes,
  new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })) };

const TYPES = new Set(['livekit.ParticipantInfo', 'livekit.UpdateParticipantMetadata',
  'livekit.UpdateParticipantRequest', 'livekit.JoinRequest', 'livekit.CreateSIPParticipantRequest',
  'livekit.SignalRequest', 'livekit.SignalResponse']);

let state = 0x5eed;
const rnd = () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 4294967296; };

// Offsets where top-level fields start (the decoder accepts a cut there).
function boundaries(b) {
  const out = [0];
  let p = 0;
  const varint = () => { let v = 0n, s = 0n; for (;;) { const c = b[p++]; v |= BigInt(c & 0x7f) << s; s += 7n; if (!(c & 0x80)) return v; } };
  while (p < b.length) {
    const tag = Number(varint());
    const wt = tag & 7;
    if (wt === 0) varint(); else if (wt === 1) p += 8; else if (wt === 5) p += 4;
    else if (wt === 2) { const n = Number(varint()); p += n; } else break;
    out.push(p);
  }
  return out;
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'cuts' && a && b) {
  const lines = [];
  for (const l of readFileSync(join(a, 'vectors.txt'), 'utf8').trim().split('\n')) {
    const [id, type, hex] = l.split(' ');
    if (!TYPES.has(type)) continue;
    const T = runtimeType(type);
    const bytes = Buffer.from(hex, 'hex');
    let cuts;
    if (bytes.length <= 300) cuts = [...Array(bytes.length + 1).keys()];
    else {
      const s = new Set();
      for (const x of boundaries(bytes)) for (const d of [-1, 0, 1]) if (x + d >= 0 && x + d <= bytes.length) s.add(x + d);
      for (let i = 0; i < 64; i++) s.add(Math.floor(rnd() * bytes.length));
      cuts = [...s].sort((x, y) => x - y);
    }
    for (const n of cuts) {
      let ok = 1;
      try { T.fromBinary(bytes.subarray(0, n)); } catch { ok = 0; }
      lines.push(`${id} ${n} ${ok}`);
    }
  }
  writeFileSync(b, lines.join('\n') + '\n');
  console.log(`wire-golden: ${lines.length} truncations judged by LiveKit's JS`);
} else if (mode === 'verify' && a) {
  const PI = runtimeType('livekit.ParticipantInfo');
  const UPM = runtimeType('livekit.UpdateParticipantMetadata');
  let n = 0, bad = 0;
  for (const l of readFileSync(a, 'utf8').trim().split('\n').filter(Boolean)) {
    const [id, infoHex, updHex, outHex] = l.split(' ');
    const info = PI.fromBinary(Buffer.from(infoHex, 'hex'), strict);
    const upd = UPM.fromBinary(Buffer.from(updHex, 'hex'), strict);
    const want = info.clone();
    for (const [k, v] of Object.entries(upd.attributes)) { if (v === '') delete want.attributes[k]; else want.attributes[k] = v; }
    if (upd.name) want.name = upd.name;
    if (upd.metadata) want.metadata = upd.metadata;
    const same = want.equals(info);
    n++;
    if (outHex === '-') { if (!same) { bad++; console.log(`vector ${id}: we saw no change, LiveKit's rules change it`); } continue; }
    want.version = info.version + 1;
    const got = PI.fromBinary(Buffer.from(outHex, 'hex'), strict);
    if (!got.equals(want)) { bad++; if (bad < 10) console.log(`vector ${id}: our ParticipantInfo differs in LiveKit's JS`); }
  }
  console.log(`wire-golden: ${n - bad}/${n} updated ParticipantInfo equal in LiveKit's JS`);
  process.exit(bad ? 1 : 0);
} else {
  console.error('usage: node wire-golden.mjs cuts DIR OUT | verify OUT');
  process.exit(2);
}
