// `lkproto attrs diff` against livekit-client's own report of changed
// attributes, on seeded random pairs of maps, and `lkproto attrs merge` of
// that diff giving the new map back.
//
// livekit-client (2.x, utils.ts `diffAttributes`, used for the
// ParticipantEvent.AttributesChanged payload) walks the keys of the new map
// and then those of the old one, and reports every key whose value in the two
// plain objects is not strictly equal; the reported value is the new value,
// or the empty string when the new map has no such key.  `reportedChanges`
// below is that rule written again here (livekit-client is not a dependency
// of the test suite), so it keeps livekit-client's plain-object semantics
// instead of using a Map.
//
// Keys that are Object.prototype member names ("__proto__", "constructor",
// "toString", ...) are left out of the random maps: on plain objects
// livekit-client's lookups find the inherited members for them, so its report
// for such keys is not a string map at all (a documented divergence; lkproto
// treats every key as data).  Maps never hold "" values (a "" value is a
// deletion), so none are generated.
//
// Checked for every pair (OLD, NEW):
//   - diff(OLD, NEW) equals livekit-client's report as a set of key/value pairs,
//     printed with its keys in bytewise order;
//   - merge(OLD, diff(OLD, NEW)) prints exactly NEW in canonical form (keys in
//     bytewise order, JSON.stringify escapes);
//   - diff(NEW, NEW) is {}.
//
// usage: node tests/lkproto/attrs-diff.mjs build/bin/lkproto [--seed N] [--pairs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prng, jsonEqual } from './lib.mjs';

const args = process.argv.slice(2);
const bin = args[0];
if (!bin) {
  console.error('usage: attrs-diff.mjs LKPROTO [--seed N] [--pairs N]');
  process.exit(2);
}
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const seed = opt('--seed', 20250705);
const pairs = opt('--pairs', 200);

// livekit-client's rule (see the top of this file).
function reportedChanges(oldValues, newValues) {
  const allKeys = [...Object.keys(newValues), ...Object.keys(oldValues)];
  const diff = {};
  for (const key of allKeys) {
    if (oldValues[key] !== newValues[key]) diff[key] = newValues[key] ?? '';
  }
  return diff;
}

const byteOrder = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const canonical = (m) =>
  '{' + Object.keys(m).sort(byteOrder).map((k) => JSON.stringify(k) + ':' + JSON.stringify(m[k])).join(',') + '}\n';

const r = prng(seed);
const keyPool = [
  'a', 'b', 'c', 'B', 'aa', 'ab', '0', '1', '10', '9', '-1', 'color', 'name', 'état', 'Ωmega', '鍵', '😀', 'a😀',
  'lk.agent.state', 'sip.phoneNumber', 'ingress.ingressID', 'x y', 'tab\tkey'.replace('\t', '_'), 'quote"key',
  'back\\slash', 'k'.repeat(256), 'é'.repeat(100), '\u00a0', '\u200b', '\ufeffbom', 'z'.repeat(40),
];
const valuePool = ['1', '2', 'x', 'X', ' ', 'true', 'null', '{}', '"', '\\', 'line\nbreak', 'tab\t', '\u0001', '\u007f',
  '\u0085', 'é', 'e\u0301', '😀', '\ud83d\ude00!', 'v'.repeat(1000), '\u2028', 'listening', '+15550100'];

function randomValue() {
  if (r.chance(0.7)) return r.pick(valuePool);
  const n = 1 + r.int(12);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCodePoint(r.pick([0x61 + r.int(26), 0x20 + r.int(95), 0xe9, 0x4e00 + r.int(50), 0x1f600 + r.int(40), 0x7f, 0x9f]));
  return s;
}
function randomKey() {
  if (r.chance(0.8)) return r.pick(keyPool);
  return 'k' + r.int(60);
}
function randomMap(max) {
  const m = {};
  const n = r.int(max + 1);
  for (let i = 0; i < n; i++) m[randomKey()] = randomValue();
  return m;
}
// NEW from OLD: keep, change, remove, add, as a client would.
function evolve(old) {
  const m = {};
  for (const [k, v] of Object.entries(old)) {
    const p = r.next();
    if (p < 0.5) m[k] = v;
    else if (p < 0.75) m[k] = randomValue();
    else if (p < 0.8) m[k] = v + 'x';
  }
  const add = r.int(4);
  for (let i = 0; i < add; i++) m[randomKey()] = randomValue();
  return m;
}

const dir = mkdtempSync(join(tmpdir(), 'lkattrs-diff-'));
const run = (argv, input) => spawnSync(bin, argv, { input, encoding: 'utf8' });
let failures = 0, checks = 0, changed = 0, removed = 0, equalPairs = 0;
const fail = (msg) => {
  failures++;
  if (failures <= 10) console.error('FAIL ' + msg);
};

try {
  for (let i = 0; i < pairs; i++) {
    const oldMap = randomMap(i % 10 === 0 ? 0 : 12);
    const newMap = i % 17 === 0 ? { ...oldMap } : evolve(oldMap);
    const oldFile = join(dir, 'old.json'), newFile = join(dir, 'new.json'), diffFile = join(dir, 'diff.json');
    // Keys in random order in the files: the order must not matter.
    const shuffled = (m) => Object.fromEntries(Object.entries(m).sort(() => r.next() - 0.5));
    writeFileSync(oldFile, JSON.stringify(shuffled(oldMap)));
    writeFileSync(newFile, JSON.stringify(shuffled(newMap)));

    const want = reportedChanges(oldMap, newMap);
    if (Object.keys(want).length === 0) equalPairs++;
    for (const k of Object.keys(want)) want[k] === '' ? removed++ : changed++;

    checks++;
    const d = run(['attrs', 'diff', oldFile, '-'], JSON.stringify(newMap));
    if (d.status !== 0 || d.stderr !== '') {
      fail(`pair ${i}: diff exit ${d.status}: ${d.stderr}`);
      continue;
    }
    let got;
    try { got = JSON.parse(d.stdout); } catch { fail(`pair ${i}: diff printed no JSON: ${d.stdout}`); continue; }
    if (!jsonEqual(got, want)) fail(`pair ${i}: diff ${d.stdout.trim()}, livekit-client reports ${JSON.stringify(want)}`);
    checks++;
    if (d.stdout !== canonical(got)) fail(`pair ${i}: diff output not canonical: ${d.stdout.trim()}`);

    checks++;
    writeFileSync(diffFile, d.stdout);
    const m = run(['attrs', 'merge', '--origin', 'server', '--max-size', '0', '--max-key', '0', oldFile, diffFile]);
    if (m.status !== 0 || m.stdout !== canonical(newMap))
      fail(`pair ${i}: merge(old, diff) exit ${m.status}: ${m.stdout.trim()} ${m.stderr.trim()}, want ${canonical(newMap).trim()}`);

    checks++;
    const same = run(['attrs', 'diff', newFile, newFile]);
    if (same.status !== 0 || same.stdout !== '{}\n') fail(`pair ${i}: diff(new, new) = ${same.stdout.trim()}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const summary = `${pairs} pairs (seed ${seed}; ${changed} changed/added and ${removed} removed keys reported, ${equalPairs} equal pairs), ${checks} checks`;
if (failures) {
  console.error(`lkproto attrs diff vs livekit-client's rule: ${failures} failures; ${summary}`);
  process.exit(1);
}
console.log(`lkproto attrs diff vs livekit-client's rule: ${summary} passed`);
