// Schema conformance: compares the schema in protobufs/ (compiled by protoc
// into a FileDescriptorSet) with LiveKit's own schema as rebuilt from the
// runtime reflection of @livekit/protocol, type by type and field by field.
//
// usage: node schema-conformance.mjs DESCRIPTOR_SET FILE.proto...
// Prints every difference, then "N/M messages, N/M enums identical" and
// exits non-zero when anything differs.
import { readFileSync } from 'node:fs';
import { FileDescriptorSet } from '@bufbuild/protobuf';
import { reflectSchema, SCALAR_NAMES } from './reflect.mjs';

const [setPath, ...wanted] = process.argv.slice(2);
if (!setPath || wanted.length === 0) {
  console.error('usage: node schema-conformance.mjs DESCRIPTOR_SET FILE.proto...');
  process.exit(2);
}

const TYPE_MESSAGE = 11, TYPE_ENUM = 14, TYPE_GROUP = 10;
const LABEL_REPEATED = 3;
const PACKABLE = new Set([1, 2, 3, 4, 5, 6, 7, 8, 13, 14, 15, 16, 17, 18]);

// Our schema, as the same model reflect.mjs builds for LiveKit's.
function ourSchema(set) {
  const messages = {}, enums = {}, files = {};
  for (const file of set.file) {
    const pkg = file.package ? `${file.package}.` : '';
    const proto3 = file.syntax === 'proto3';
    files[file.name] = [];
    const addEnum = (e, prefix) => {
      const name = prefix + e.name;
      files[file.name].push(name);
      enums[name] = { file: file.name, values: e.value.map((v) => ({ no: v.number, name: v.name })) };
    };
    const addMessage = (m, prefix) => {
      const name = prefix + m.name;
      const entries = new Map();
      for (const n of m.nestedType) {
        if (n.options?.mapEntry) entries.set(`.${name}.${n.name}`, n);
      }
      files[file.name].push(name);
      const fields = m.field.map((f) => {
        const d = {
          no: f.number, name: f.name, jsonName: f.jsonName,
          repeated: f.label === LABEL_REPEATED,
          optional: !!f.proto3Optional,
          oneof: null,
        };
        if (f.oneofIndex !== undefined && !f.proto3Optional) d.oneof = m.oneofDecl[f.oneofIndex].name;
        const entry = f.type === TYPE_MESSAGE ? entries.get(f.typeName) : undefined;
        if (entry) {
          d.kind = 'map';
          d.repeated = false;
          const [k, v] = [entry.field.find((x) => x.number === 1), entry.field.find((x) => x.number === 2)];
          d.key = SCALAR_NAMES[k.type];
          d.valueKind = v.type === TYPE_MESSAGE ? 'message' : v.type === TYPE_ENUM ? 'enum' : 'scalar';
          d.value = d.valueKind === 'scalar' ? SCALAR_NAMES[v.type] : v.typeName.slice(1);
        } else if (f.type === TYPE_MESSAGE || f.type === TYPE_GROUP) {
          d.kind = 'message'; d.type = f.typeName.slice(1);
        } else if (f.type === TYPE_ENUM) {
          d.kind = 'enum'; d.type = f.typeName.slice(1);
        } else {
          d.kind = 'scalar'; d.type = SCALAR_NAMES[f.type];
        }
        const packable = d.repeated && PACKABLE.has(f.type);
        d.packed = packable ? (f.options?.packed ?? proto3) : null;
        return d;
      });
      messages[name] = { file: file.name, fields };
      for (const e of m.enumType) addEnum(e, `${name}.`);
      for (const n of m.nestedType) if (!n.options?.mapEntry) addMessage(n, `${name}.`);
    };
    for (const e of file.enumType) addEnum(e, pkg);
    for (const m of file.messageType) addMessage(m, pkg);
  }
  return { messages, enums, files };
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
console.log(`${msgOk}/${msgAll} messages, ${enumOk}/${enumAll} enums identical`);
process.exit(problems === 0 && msgAll > 0 ? 0 : 1);
