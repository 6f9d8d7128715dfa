#!/usr/bin/env node
// Checks that the nanopb options bound every variable-size field on the
// signal path.
//
// usage: node tools/dev/nanopb-coverage.mjs DESCRIPTOR_SET [--list]
//
// Starting from livekit.SignalRequest and livekit.SignalResponse, it follows
// every message-typed field (map entries included) and collects each string,
// bytes, repeated or map field it reaches.  Each of them must get, from the
// protobufs/*.options files, either an explicit `type:FT_CALLBACK` or a bound
// for each of its dimensions:
//   repeated / map         max_count
//   string                 max_size or max_length
//   bytes                  max_size
// Without that, nanopb 0.4.7 silently falls back to a callback (or, with
// other settings, to a heap pointer), and a constrained client finds out at
// run time.  The check also fails when FT_POINTER appears anywhere in the
// options files or in generated/nanopb: the nanopb code must build and run
// without PB_ENABLE_MALLOC.
//
// It also fails when a oneof arm is generated as a callback (anywhere in the
// schema, on the signal path or not): nanopb 0.4.7 does not set `which_x` for
// such an arm, and a callback stored in the union is overwritten by the other
// arms, so those arms need a bound.
//
// The options are matched the way nanopb does it: every line whose name mask
// (fnmatch-style, `*`, `?`, `[...]`) matches the dotted name of the package,
// the enclosing messages or the field is merged in file order, the most
// specific name last; later settings override earlier ones.
//
// --list prints every reachable field with the settings that apply to it.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

if (process.argv[2] === '--help' || process.argv[2] === '-h') {
  process.stdout.write(`usage: node tools/dev/nanopb-coverage.mjs DESCRIPTOR_SET [--list]
       node tools/dev/nanopb-coverage.mjs --help | -h
  Checks that the nanopb options (protobufs/*.options) bound, or make an
  explicit callback of, every variable-size field reachable from
  livekit.SignalRequest and livekit.SignalResponse, and that none is
  FT_POINTER.  \`make check-nanopb-coverage\` runs it.
  DESCRIPTOR_SET  protobufs/ compiled by protoc (--include_imports)
  --list          print every reachable field with the settings that apply
  --help, -h      print this text
`);
  process.exit(0);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'tests', 'interop', 'package.json'));
const { FileDescriptorSet, FieldDescriptorProto_Type: T, FieldDescriptorProto_Label: L } =
  require('@bufbuild/protobuf');

const args = process.argv.slice(2);
const listMode = args.includes('--list');
const setPath = args.find((a) => !a.startsWith('--'));
if (!setPath) {
  console.error('usage: node tools/dev/nanopb-coverage.mjs DESCRIPTOR_SET [--list]');
  process.exit(2);
}
const ROOTS = ['livekit.SignalRequest', 'livekit.SignalResponse'];

// --- the schema -----------------------------------------------------------
const set = FileDescriptorSet.fromBinary(readFileSync(setPath));
const messages = new Map(); // full name -> { file, desc }
function addMessages(file, prefix, list) {
  for (const m of list) {
    const name = `${prefix}.${m.name}`;
    messages.set(name, { file: file.name, desc: m });
    addMessages(file, name, m.nestedType);
  }
}
for (const f of set.file) addMessages(f, f.package ? f.package : '', f.messageType);

// --- the options files ----------------------------------------------------
// One list per .proto file, as nanopb reads `<file>.options` for `<file>.proto`.
function parseOptions(path) {
  let text = readFileSync(path, 'utf8');
  text = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').replace(/#.*$/gm, '');
  const out = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const m = line.match(/^(\S+)\s+(.*)$/);
    if (!m) throw new Error(`${path}:${i + 1}: no options after the name mask`);
    const opts = {};
    for (const kv of m[2].matchAll(/(\w+)\s*:\s*("[^"]*"|\S+)/g)) opts[kv[1]] = kv[2];
    out.push({ mask: m[1], opts, re: globToRegExp(m[1]), line: i + 1, used: false });
  });
  return out;
}
function globToRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const j = glob.indexOf(']', i + 1);
      if (j < 0) { re += '\\['; continue; }
      let cls = glob.slice(i + 1, j);
      if (cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = j;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
const optionsDir = join(root, 'protobufs');
const optionsByProto = new Map();
// Relative paths, sub-folders included (agent/*.options, and
// google/protobuf/*.options for the well-known types).
function listOptions(dir, rel = '') {
  const out = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listOptions(dir, r));
    else if (e.name.endsWith('.options')) out.push(r);
  }
  return out;
}
const optionFiles = listOptions(optionsDir).sort();
for (const n of optionFiles) {
  optionsByProto.set(n.replace(/\.options$/, '.proto'), parseOptions(join(optionsDir, n)));
}

function effectiveOptions(file, fullName) {
  const lines = optionsByProto.get(file) || [];
  const parts = fullName.split('.');
  const merged = {};
  for (let k = 1; k <= parts.length; k++) {
    const name = parts.slice(0, k).join('.');
    for (const l of lines) {
      if (l.re.test(name)) { Object.assign(merged, l.opts); l.used = true; }
    }
  }
  return merged;
}

// --- walk the signal path -------------------------------------------------
const seen = new Set();
const queue = [...ROOTS];
const fields = [];
while (queue.length) {
  const name = queue.shift();
  if (seen.has(name)) continue;
  seen.add(name);
  const m = messages.get(name);
  if (!m) throw new Error(`${name} is not in ${setPath}`);
  for (const f of m.desc.field) {
    const typeName = f.typeName ? f.typeName.replace(/^\./, '') : '';
    if (f.type === T.MESSAGE || f.type === T.GROUP) queue.push(typeName);
    const repeated = f.label === L.REPEATED;
    const isMap = repeated && f.type === T.MESSAGE && messages.get(typeName)?.desc.options?.mapEntry;
    if (!(repeated || f.type === T.STRING || f.type === T.BYTES)) continue;
    fields.push({
      file: m.file, full: `${name}.${f.name}`, repeated, isMap: !!isMap,
      kind: isMap ? 'map' : (f.type === T.STRING ? 'string' : f.type === T.BYTES ? 'bytes'
        : f.type === T.MESSAGE ? 'message' : 'scalar'),
    });
  }
}

function verdict(fd) {
  const o = effectiveOptions(fd.file, fd.full);
  if (o.type === 'FT_CALLBACK') return { ok: true, how: 'callback', o };
  if (o.type === 'FT_IGNORE') return { ok: false, how: 'FT_IGNORE (the field would be dropped)', o };
  if (o.type === 'FT_POINTER') return { ok: false, how: 'FT_POINTER (needs malloc)', o };
  const missing = [];
  if (fd.repeated && !o.max_count) missing.push('max_count');
  if (fd.kind === 'string' && !o.max_size && !o.max_length) missing.push('max_size or max_length');
  if (fd.kind === 'bytes' && !o.max_size) missing.push('max_size');
  if (missing.length) return { ok: false, how: `no ${missing.join(', ')}`, o };
  const parts = [];
  if (o.max_count) parts.push(`max_count:${o.max_count}`);
  if (o.max_length) parts.push(`max_length:${o.max_length}`);
  if (o.max_size) parts.push(`max_size:${o.max_size}`);
  return { ok: true, how: parts.join(' '), o };
}

let bad = 0;
for (const fd of fields) {
  const v = verdict(fd);
  if (listMode) console.log(`${v.ok ? 'ok  ' : 'MISS'} ${fd.full} (${fd.repeated && !fd.isMap ? 'repeated ' : ''}${fd.kind}): ${v.how}`);
  if (!v.ok) {
    bad++;
    if (!listMode) {
      console.log(`nanopb-coverage: ${fd.full} (${fd.repeated && !fd.isMap ? 'repeated ' : ''}${fd.kind}, `
        + `${basename(fd.file, '.proto')}.options): ${v.how}`);
    }
  }
}

// --- no FT_POINTER anywhere -----------------------------------------------
let pointer = 0;
let oneofCb = 0;
for (const n of optionFiles) {
  readFileSync(join(optionsDir, n), 'utf8').split('\n').forEach((l, i) => {
    if (/FT_POINTER/.test(l.replace(/#.*$/, '').replace(/\/\/.*$/, ''))) {
      console.log(`nanopb-coverage: protobufs/${n}:${i + 1}: FT_POINTER is not allowed (no malloc in nanopb code)`);
      pointer++;
    }
  });
}
const genDir = join(root, 'generated', 'nanopb');
function scanGenerated(dir) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) scanGenerated(p);
    else if (e.name.endsWith('.pb.h')) {
      readFileSync(p, 'utf8').split('\n').forEach((l, i) => {
        if (/^X\(a, POINTER,/.test(l.trim()) || /PB_ATYPE_POINTER/.test(l)) {
          console.log(`nanopb-coverage: ${p.slice(root.length + 1)}:${i + 1}: a POINTER field was generated`);
          pointer++;
        }
        if (/^X\(a, CALLBACK, ONEOF,/.test(l.trim())) {
          console.log(`nanopb-coverage: ${p.slice(root.length + 1)}:${i + 1}: a oneof arm is a callback: `
            + `${l.trim().replace(/\s+/g, ' ')} (give it a bound)`);
          oneofCb++;
        }
      });
    }
  }
}
scanGenerated(genDir);

// Option lines that match nothing are probably typos.
let unused = 0;
for (const [proto, lines] of optionsByProto) {
  for (const l of lines) {
    if (!l.used && !messagesMatch(proto, l.re)) {
      console.log(`nanopb-coverage: ${proto.replace(/\.proto$/, '.options')}:${l.line}: '${l.mask}' matches nothing`);
      unused++;
    }
  }
}
function messagesMatch(proto, re) {
  for (const [name, m] of messages) {
    if (m.file !== proto) continue;
    if (re.test(name)) return true;
    for (const f of m.desc.field) if (re.test(`${name}.${f.name}`)) return true;
    for (const o of m.desc.oneofDecl) if (re.test(`${name}.${o.name}`)) return true;
  }
  return false;
}

const nOk = fields.length - bad;
console.log(`nanopb-coverage: ${seen.size} messages reachable from ${ROOTS.join(' and ')}; `
  + `${nOk}/${fields.length} string/bytes/repeated/map fields bounded or explicit callbacks`
  + (pointer ? `; ${pointer} FT_POINTER` : '') + (oneofCb ? `; ${oneofCb} callback oneof arms` : '') + (unused ? `; ${unused} option lines match nothing` : ''));
process.exit(bad || pointer || oneofCb || unused ? 1 : 0);
