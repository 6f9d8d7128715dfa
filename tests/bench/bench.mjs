// bench.mjs - LiveKit's own JS (@livekit/protocol 1.52.1) on the server
// update path of make bench: fromBinary the SignalRequest (its
// update_metadata arm), merge its attributes into a kept ParticipantInfo
// object ("" deletes), bump the version, toBinary the ParticipantInfo and the
// RequestResponse that echoes the request (what tests/bench/bench.c times for
// the C paths).
//
// And the JSON conversions of section 6, as a JS service does them: binary
// -> JSON text (fromBinary + toJsonString) and JSON text -> binary
// (fromJsonString + toBinary), default options.
//
// usage: node bench.mjs INPUTS [--smoke] [--reps N] [--ms MS]
//   INPUTS   written by `bench --inputs`: "n k info_hex request0_hex request1_hex"
//            (request: an encoded SignalRequest {update_metadata}), and
//            "json NAME TYPE binary_hex"
// prints "update n k median_ns min_ns max_ns" per line (ns per update) and
// "json NAME to|from median_ns min_ns max_ns", or with --smoke
// "bytes n k info_hex resp_hex" after applying update0 once and
// "jsontext NAME hex" (toJsonString() of the message).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// LiveKit's package, as installed for the interop tests.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'tests', 'interop', 'package.json'));
const lk = require('@livekit/protocol');

const args = process.argv.slice(2);
const inputs = args[0];
if (!inputs) {
  console.error('usage: node bench.mjs INPUTS [--smoke] [--reps N] [--ms MS]');
  process.exit(2);
}
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const smoke = args.includes('--smoke');
const reps = opt('--reps', 7);
const ms = opt('--ms', 20);

const hex = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');

function makeCase(line) {
  const [n, k, info, u0, u1] = line.split(' ');
  const c = {
    n: Number(n), k: Number(k),
    pi: lk.ParticipantInfo.fromBinary(hex(info)),
    upd: [hex(u0), hex(u1)],
    turn: 0, info: null, resp: null,
  };
  return c;
}

// One update, as a LiveKit server written in JS would do it.
function update(c) {
  const req = lk.SignalRequest.fromBinary(c.upd[c.turn]);
  if (req.message.case !== 'updateMetadata') throw new Error('not an update_metadata');
  const u = req.message.value;
  const attrs = c.pi.attributes;
  for (const [key, value] of Object.entries(u.attributes)) {
    if (value === '') delete attrs[key];
    else attrs[key] = value;
  }
  c.pi.version += 1;
  c.info = c.pi.toBinary();
  c.resp = new lk.RequestResponse({
    requestId: u.requestId,
    request: { case: 'updateMetadata', value: u },
  }).toBinary();
  c.turn ^= 1;
}

// A JSON case: the message type and its bytes; text is LiveKit's JSON.
function makeJsonCase(line) {
  const [, name, type, binHex] = line.split(' ');
  const T = lk[type.replace(/^livekit\./, '')];
  if (!T) throw new Error(`no type ${type} in @livekit/protocol`);
  const bin = hex(binHex);
  const text = T.fromBinary(bin).toJsonString();
  let sink = 0;
  return {
    name, T, bin, text,
    to: () => { sink += T.fromBinary(bin).toJsonString().length; return sink; },
    from: () => { sink += T.fromJsonString(text).toBinary().length; return sink; },
  };
}

function measure(c, op = update) {
  const ns = () => Number(process.hrtime.bigint());
  // warm up (JIT), then calibrate to about `ms` per repetition
  let iters = 1;
  for (;;) {
    const t0 = ns();
    for (let i = 0; i < iters; i++) op(c);
    const dt = ns() - t0;
    if (dt > (ms * 1e6) / 4) {
      iters = Math.max(1, Math.round((ms * 1e6) / (dt / iters)));
      break;
    }
    iters *= 4;
  }
  const v = [];
  for (let r = 0; r < reps; r++) {
    const t0 = ns();
    for (let i = 0; i < iters; i++) op(c);
    v.push((ns() - t0) / iters);
  }
  v.sort((a, b) => a - b);
  const med = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return [med, v[0], v[v.length - 1]];
}

for (const line of readFileSync(inputs, 'utf8').trim().split('\n')) {
  if (line.startsWith('json ')) {
    const j = makeJsonCase(line);
    if (smoke) {
      console.log(`jsontext ${j.name} ${Buffer.from(j.text, 'utf8').toString('hex')}`);
    } else {
      for (const dir of ['to', 'from']) {
        const [med, min, max] = measure(j, (x) => x[dir]());
        console.log(`json ${j.name} ${dir} ${med.toFixed(1)} ${min.toFixed(1)} ${max.toFixed(1)}`);
      }
    }
    continue;
  }
  const c = makeCase(line);
  if (smoke) {
    update(c);
    console.log(`bytes ${c.n} ${c.k} ${toHex(c.info)} ${toHex(c.resp)}`);
  } else {
    const [med, min, max] = measure(c);
    console.log(`update ${c.n} ${c.k} ${med.toFixed(1)} ${min.toFixed(1)} ${max.toFixed(1)}`);
  }
}
