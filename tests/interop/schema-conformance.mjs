// Schema conformance: compares the schema in protobufs/ (compiled by protoc
// into a FileDescriptorSet) with LiveKit's own schema as rebuilt from the
// runtime reflection of @livekit/protocol, type by type and field by field.
//
// usage: node schema-conformance.mjs DESCRIPTOR_SET FILE.proto...
// Prints every difference, then "N/M messages, N/M enums identical" and
// exits non-zero when anything differs.
import { readFileSync } from 'node:fs';
import { FileDescriptorSet } from '@bufbuild/protobuf';
import { reflectSchema } from './reflect.mjs';
import { ourSchema } from './our-schema.mjs';

// --label TEXT names the figure line; --all (instead of the files) compares
// every file of LiveKit's package, and reports files of ours LiveKit lacks.
const argv = process.argv.slice(2);
let label = '';
const li = argv.indexOf('--label');
if (li >= 0) { label = argv[li + 1] ?? ''; argv.splice(li, 2); }
const all = argv.includes('--all');
const [setPath, ...wanted] = argv.filter((a) => a !== '--all');
if (!setPath || (wanted.length === 0 && !all)) {
  console.error('usage: node schema-conformance.mjs [--label TEXT] DESCRIPTOR_SET (FILE.proto... | --all)');
  process.exit(2);
}

const KEYS = ['name', 'jsonName', 'kind', 'type', 'key', 'value', 'repeated', 'optional', 'oneof'];

function compareFields(a, b) {
  const diffs = [];
  const byNo = (l) => new Map(l.map((f) => [f.no, f]));
  const [ma, mb] = [byNo(a), byNo(b)];
  for (const [no, fa] of ma) {
    const fb = mb.get(no);
    if (!fb) { diffs.push(`field ${no} (${fa.name}) missing`); continue; }
    for (const k of KEYS) {
      if ((fa[k] ?? null) !== (fb[k] ?? null)) diffs.push(`field ${no} (${fa.name}): ${k} is ${JSON.stringify(fb[k] ?? null)}, LiveKit has ${JSON.stringify(fa[k] ?? null)}`);
    }
    // Packed encoding only matters for repeated packable scalars.
    if (fa.repeated && fa.kind !== 'message' && fa.kind !== 'map' && fb.packed !== null && fa.packed !== fb.packed) {
      diffs.push(`field ${no} (${fa.name}): packed is ${fb.packed}, LiveKit has ${fa.packed}`);
    }
  }
  for (const [no, fb] of mb) if (!ma.has(no)) diffs.push(`field ${no} (${fb.name}) is extra`);
  return diffs;
}

const theirs = reflectSchema();
const ours = ourSchema(FileDescriptorSet.fromBinary(readFileSync(setPath)));
if (all) wanted.push(...Object.keys(theirs.files).sort());
let msgOk = 0, msgAll = 0, enumOk = 0, enumAll = 0, problems = 0;
const report = (what, diffs) => { problems += diffs.length; for (const d of diffs) console.log(`DIFF ${what}: ${d}`); };

for (const file of wanted) {
  const theirTypes = theirs.files[file];
  if (!theirTypes) { report(file, ['not a file of @livekit/protocol']); continue; }
  if (!ours.files[file]) { report(file, ['missing from protobufs/']); }
  for (const t of theirTypes) {
    if (theirs.messages[t]) {
      msgAll++;
      const o = ours.messages[t];
      const diffs = !o ? ['missing'] : [
        ...(o.file !== file ? [`declared in ${o.file}, LiveKit declares it in ${file}`] : []),
        ...compareFields(theirs.messages[t].fields, o.fields),
      ];
      report(`message ${t}`, diffs);
      if (diffs.length === 0) msgOk++;
    } else {
      enumAll++;
      const o = ours.enums[t];
      const diffs = [];
      if (!o) diffs.push('missing');
      else {
        if (o.file !== file) diffs.push(`declared in ${o.file}, LiveKit declares it in ${file}`);
        const a = JSON.stringify(theirs.enums[t].values), b = JSON.stringify(o.values);
        if (a !== b) diffs.push(`values are ${b}, LiveKit has ${a}`);
      }
      report(`enum ${t}`, diffs);
      if (diffs.length === 0) enumOk++;
    }
  }
  for (const t of ours.files[file] ?? []) {
    if (!theirTypes.includes(t)) report(`type ${t}`, [`extra in ${file}`]);
  }
}
if (all) {
  // Files of ours (not the Google ones, not logger/) that LiveKit does not have.
  for (const f of Object.keys(ours.files)) {
    if (!theirs.files[f] && !f.startsWith('google/') && !f.startsWith('logger/')) report(f, ['extra: not a file of @livekit/protocol']);
  }
}
console.log(`${label ? `${label}: ` : ''}${wanted.length} files: ${msgOk}/${msgAll} messages, ${enumOk}/${enumAll} enums identical`);
process.exit(problems === 0 && msgAll > 0 ? 0 : 1);
