#!/usr/bin/env node
// Compares protobufs/ with any published version of @livekit/protocol and
// prints the differences as a list a maintainer can act on.
//
// usage: node tools/dev/check-upstream.mjs DESCRIPTOR_SET PREFIX
//   DESCRIPTOR_SET  protobufs/ compiled by protoc (--include_imports)
//   PREFIX          a folder where `npm install --prefix PREFIX
//                   @livekit/protocol@X @bufbuild/protobuf@1.10.1` ran
//                   (`make check-upstream VERSION=X` does both)
//
// LiveKit's schema is rebuilt from the package's runtime reflection (the
// package ships no .proto files), exactly as the conformance check does, so
// the comparison covers what reaches the wire and JSON: files, messages,
// enums, fields (number, name, JSON name, type, label, map, oneof, proto3
// optional, packing) and enum values.  Services, comments and options are
// not in the reflection and are not compared.
//
// Direction: every line says how protobufs/ would have to change to become
// version X: "added" is in X and not in protobufs/, "removed" is in
// protobufs/ and not in X, "A -> B" reads protobufs/ -> X.  Fields are
// matched by name first (so a renumbered field is one line), then by number
// (a renamed field).  Exit status: 0 when identical, 1 when anything differs,
// 2 on usage errors.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--help' || process.argv[2] === '-h') {
  process.stdout.write(`usage: node tools/dev/check-upstream.mjs DESCRIPTOR_SET PREFIX
       node tools/dev/check-upstream.mjs --help | -h
  Compares protobufs/ with a published @livekit/protocol and lists the
  differences (how protobufs/ would change to become that version).
  DESCRIPTOR_SET  protobufs/ compiled by protoc (--include_imports)
  PREFIX          a folder where \`npm install --prefix PREFIX
                  @livekit/protocol@X @bufbuild/protobuf@1.10.1\` ran
                  (\`make check-upstream VERSION=X\` does both)
  --help, -h      print this text
Exit status: 0 identical, 1 differences, 2 usage error.
`);
  process.exit(0);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { reflectSchemaAt } = await import(join(root, 'tests/interop/reflect.mjs'));
const { ourSchema } = await import(join(root, 'tests/interop/our-schema.mjs'));
const require = createRequire(join(root, 'tests', 'interop', 'package.json'));
const { FileDescriptorSet } = require('@bufbuild/protobuf');

const [setPath, prefix] = process.argv.slice(2);
if (!setPath || !prefix) {
  console.error('usage: node tools/dev/check-upstream.mjs DESCRIPTOR_SET PREFIX');
  process.exit(2);
}

const theirs = await reflectSchemaAt(prefix);
const X = theirs.version;
const ours = ourSchema(FileDescriptorSet.fromBinary(readFileSync(setPath)));
// Only LiveKit's files: not the Google well-known types, not logger/.
const isOurFile = (f) => !f.startsWith('google/') && !f.startsWith('logger/');
for (const f of Object.keys(ours.files)) if (!isOurFile(f)) delete ours.files[f];

const sections = new Map(); // title -> lines
const add = (title, line) => {
  if (!sections.has(title)) sections.set(title, []);
  sections.get(title).push(line);
};

// --- files ------------------------------------------------------------------
const fileNames = (s) => new Set(Object.keys(s.files));
for (const f of [...fileNames(theirs)].sort()) if (!ours.files[f]) add('Files added', f);
for (const f of [...fileNames(ours)].sort()) if (!theirs.files[f]) add('Files removed', `protobufs/${f}`);

// --- types ------------------------------------------------------------------
const typeKind = (s, t) => (s.messages[t] ? 'message' : 'enum');
const typeFile = (s, t) => (s.messages[t] ?? s.enums[t]).file;
const allTypes = (s) => new Set([...Object.keys(s.messages), ...Object.keys(s.enums)]
  .filter((t) => isOurFile(typeFile(s, t))));
const theirTypes = allTypes(theirs), ourTypes = allTypes(ours);
for (const t of [...theirTypes].sort()) {
  if (!ourTypes.has(t)) add('Types added', `${typeKind(theirs, t)} ${t} (${typeFile(theirs, t)})`);
}
for (const t of [...ourTypes].sort()) {
  if (!theirTypes.has(t)) add('Types removed', `${typeKind(ours, t)} ${t} (${typeFile(ours, t)})`);
}
for (const t of [...ourTypes].filter((x) => theirTypes.has(x)).sort()) {
  if (typeKind(ours, t) !== typeKind(theirs, t)) {
    add('Types changed', `${t}: ${typeKind(ours, t)} -> ${typeKind(theirs, t)}`);
    continue;
  }
  if (typeFile(ours, t) !== typeFile(theirs, t)) add('Types moved', `${t}: ${typeFile(ours, t)} -> ${typeFile(theirs, t)}`);
  if (ours.messages[t]) compareMessage(t, ours.messages[t].fields, theirs.messages[t].fields);
  else compareEnum(t, ours.enums[t].values, theirs.enums[t].values);
}

// The declared type of a field, as it would be written in a .proto file.
function typeOf(f) {
  if (f.kind === 'map') return `map<${f.key}, ${f.value}>`;
  return `${f.repeated ? 'repeated ' : f.optional ? 'optional ' : ''}${f.type}`;
}
function where(f) {
  return f.oneof ? ` (in oneof ${f.oneof})` : '';
}

function compareMessage(t, a, b) { // a: ours, b: theirs
  const aByName = new Map(a.map((f) => [f.name, f])), bByName = new Map(b.map((f) => [f.name, f]));
  const aByNo = new Map(a.map((f) => [f.no, f])), bByNo = new Map(b.map((f) => [f.no, f]));
  const pairs = [];
  const matchedA = new Set(), matchedB = new Set();
  for (const fb of b) {
    const fa = aByName.get(fb.name);
    if (fa) { pairs.push([fa, fb]); matchedA.add(fa); matchedB.add(fb); }
  }
  for (const fb of b) {
    if (matchedB.has(fb)) continue;
    const fa = aByNo.get(fb.no);
    if (fa && !matchedA.has(fa) && !bByName.has(fa.name)) {
      pairs.push([fa, fb]); matchedA.add(fa); matchedB.add(fb);
      add('Fields renamed', `${t} field ${fb.no}: ${fa.name} -> ${fb.name}`);
    }
  }
  for (const fb of b) {
    if (!matchedB.has(fb)) add('Fields added', `${t}.${fb.name} = ${fb.no}: ${typeOf(fb)}${where(fb)}`);
  }
  for (const fa of a) {
    if (!matchedA.has(fa)) add('Fields removed', `${t}.${fa.name} = ${fa.no}: ${typeOf(fa)}${where(fa)}`);
  }
  for (const [fa, fb] of pairs) {
    const n = `${t}.${fb.name}`;
    if (fa.no !== fb.no) {
      const clash = aByNo.get(fb.no);
      add('Fields renumbered', `${n}: ${fa.no} -> ${fb.no}${clash && clash !== fa ? ` (${fb.no} is ${clash.name} in protobufs/)` : ''}`);
    }
    if (typeOf(fa) !== typeOf(fb)) add('Fields retyped', `${n} = ${fb.no}: ${typeOf(fa)} -> ${typeOf(fb)}`);
    if ((fa.oneof ?? null) !== (fb.oneof ?? null)) {
      add('Fields changed', `${n} = ${fb.no}: oneof ${fa.oneof ?? '(none)'} -> ${fb.oneof ?? '(none)'}`);
    }
    if (fa.name === fb.name && fa.jsonName !== fb.jsonName) add('Fields changed', `${n} = ${fb.no}: JSON name ${fa.jsonName} -> ${fb.jsonName}`);
    const packable = fb.repeated && fb.kind !== 'message' && fb.kind !== 'map' && fa.packed !== null;
    if (packable && typeOf(fa) === typeOf(fb) && !!fa.packed !== !!fb.packed) {
      add('Fields changed', `${n} = ${fb.no}: packed ${!!fa.packed} -> ${!!fb.packed}`);
    }
  }
}

function compareEnum(t, a, b) {
  const aByName = new Map(a.map((v) => [v.name, v])), bByName = new Map(b.map((v) => [v.name, v]));
  for (const vb of b) {
    const va = aByName.get(vb.name);
    if (!va) add('Enum values added', `${t}.${vb.name} = ${vb.no}`);
    else if (va.no !== vb.no) add('Enum values renumbered', `${t}.${vb.name}: ${va.no} -> ${vb.no}`);
  }
  for (const va of a) if (!bByName.has(va.name)) add('Enum values removed', `${t}.${va.name} = ${va.no}`);
}

// --- report -----------------------------------------------------------------
const ORDER = ['Files added', 'Files removed', 'Types added', 'Types removed', 'Types moved',
  'Types changed', 'Fields added', 'Fields removed', 'Fields renumbered', 'Fields renamed',
  'Fields retyped', 'Fields changed', 'Enum values added', 'Enum values removed',
  'Enum values renumbered'];
let total = 0;
const counts = [];
for (const title of ORDER) {
  const lines = sections.get(title);
  if (!lines) continue;
  total += lines.length;
  counts.push(`${lines.length} ${title.toLowerCase()}`);
}
const nMsg = (s) => Object.keys(s.messages).filter((t) => isOurFile(s.messages[t].file)).length;
const nEnum = (s) => Object.keys(s.enums).filter((t) => isOurFile(s.enums[t].file)).length;
console.log(`check-upstream: protobufs/ (${Object.keys(ours.files).length} files, ${nMsg(ours)} messages, ${nEnum(ours)} enums) `
  + `vs @livekit/protocol ${X} (${Object.keys(theirs.files).length} files, ${nMsg(theirs)} messages, ${nEnum(theirs)} enums)`);
if (total) {
  console.log(`To become ${X}, protobufs/ changes as follows ("added": in ${X} only; "removed": in protobufs/ only; "A -> B": protobufs/ -> ${X}):`);
  for (const title of ORDER) {
    const lines = sections.get(title);
    if (!lines) continue;
    console.log(`\n${title} (${lines.length}):`);
    for (const l of lines) console.log(`  ${l}`);
  }
  console.log('');
}
console.log(`check-upstream: ${total} differences${counts.length ? ` (${counts.join(', ')})` : ''}`);
process.exit(total ? 1 : 0);
