// Our schema (a FileDescriptorSet compiled by protoc from protobufs/) as the
// same model reflect.mjs builds for LiveKit's: { files, messages, enums }.
// Used by schema-conformance.mjs and tools/dev/check-upstream.mjs.
import { SCALAR_NAMES } from './reflect.mjs';

const TYPE_MESSAGE = 11, TYPE_ENUM = 14, TYPE_GROUP = 10;
const LABEL_REPEATED = 3;
const PACKABLE = new Set([1, 2, 3, 4, 5, 6, 7, 8, 13, 14, 15, 16, 17, 18]);

// Our schema, as the same model reflect.mjs builds for LiveKit's.
export function ourSchema(set) {
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

