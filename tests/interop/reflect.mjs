// Rebuilds a description of LiveKit's schema from the runtime reflection of
// @livekit/protocol (the npm package ships no .proto files).  Used by the
// schema conformance test and by the golden-vector generator.
//
// Output model (JSON-friendly):
//   { files: { "livekit_models.proto": [typeName, ...] },
//     messages: { typeName: { file, fields: [ {no, name, jsonName, kind,
//                 type, repeated, packed, optional, oneof, key, value} ] } },
//     enums: { typeName: { file, values: [ {no, name} ] } } }
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { proto3, ScalarType } from '@bufbuild/protobuf';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, 'node_modules', '@livekit', 'protocol');

// protoc's names of the scalar types, by @bufbuild/protobuf ScalarType number.
export const SCALAR_NAMES = {
  [ScalarType.DOUBLE]: 'double', [ScalarType.FLOAT]: 'float',
  [ScalarType.INT64]: 'int64', [ScalarType.UINT64]: 'uint64',
  [ScalarType.INT32]: 'int32', [ScalarType.FIXED64]: 'fixed64',
  [ScalarType.FIXED32]: 'fixed32', [ScalarType.BOOL]: 'bool',
  [ScalarType.STRING]: 'string', [ScalarType.BYTES]: 'bytes',
  [ScalarType.UINT32]: 'uint32', [ScalarType.SFIXED32]: 'sfixed32',
  [ScalarType.SFIXED64]: 'sfixed64', [ScalarType.SINT32]: 'sint32',
  [ScalarType.SINT64]: 'sint64',
};

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (e.endsWith('_pb.js')) out.push(p);
  }
  return out;
}

// A reflector over one installed @livekit/protocol: its generated modules,
// and `pb`, the @bufbuild/protobuf module instance those modules use (enum
// metadata is keyed by that instance's private symbol, so it must be the same).
async function makeReflector(dir, pb) {
  const modules = [];
  for (const path of walk(join(dir, 'src', 'gen'))) {
    modules.push({ path, mod: await import(pathToFileURL(path).href) });
  }
  let byNameCache = null;
  // typeName -> the exported runtime object (message type or enum object).
  function exportsByTypeName() {
    if (byNameCache) return byNameCache;
    const map = new Map();
    for (const v of modules.flatMap((m) => Object.values(m.mod))) {
      if (v && typeof v === 'function' && typeof v.typeName === 'string' && v.fields) {
        map.set(v.typeName, { kind: 'message', obj: v });
      } else if (v && typeof v === 'object') {
        let et;
        try { et = pb.proto3.getEnumType(v); } catch { et = undefined; }
        if (et && typeof et.typeName === 'string') map.set(et.typeName, { kind: 'enum', obj: et });
      }
    }
    byNameCache = map;
    return map;
  }

  function reflect() {
    const byName = exportsByTypeName();
    const files = {};
    const messages = {};
    const enums = {};
    for (const { path } of modules) {
      const src = readFileSync(path, 'utf8');
      const fm = src.match(/@generated from file (\S+) \(package (\S+), syntax (\S+)\)/);
      if (!fm) continue;
      const file = fm[1];
      files[file] = [];
      for (const m of src.matchAll(/@generated from (message|enum) (\S+)/g)) {
        const [, what, typeName] = m;
        const ex = byName.get(typeName);
        if (!ex) throw new Error(`no runtime export for ${typeName}`);
        files[file].push(typeName);
        if (what === 'message') {
          messages[typeName] = { file, fields: ex.obj.fields.list().map(describeField) };
        } else {
          enums[typeName] = { file, values: ex.obj.values.map((v) => ({ no: v.no, name: v.name })) };
        }
      }
    }
    return { files, messages, enums };
  }
  return { reflect, runtimeType: (typeName) => exportsByTypeName().get(typeName)?.obj };
}

function describeField(f) {
  const d = {
    no: f.no, name: f.name, jsonName: f.jsonName, kind: f.kind,
    repeated: !!f.repeated, packed: !!f.packed, optional: !!f.opt,
    oneof: f.oneof ? f.oneof.name : null,
  };
  if (f.kind === 'scalar') d.type = SCALAR_NAMES[f.T];
  else if (f.kind === 'enum') d.type = f.T.typeName;
  else if (f.kind === 'message') d.type = f.T.typeName;
  else if (f.kind === 'map') {
    d.key = SCALAR_NAMES[f.K];
    const v = f.V;
    d.value = v.kind === 'scalar' ? SCALAR_NAMES[v.T] : v.T.typeName;
    d.valueKind = v.kind;
  }
  return d;
}

// The pinned package (tests/interop/node_modules), loaded once.
const pinned = await makeReflector(pkgDir, { proto3 });

export function reflectSchema() {
  return pinned.reflect();
}

export function runtimeType(typeName) {
  return pinned.runtimeType(typeName);
}

// Another installed copy, for example one `npm install --prefix DIR
// @livekit/protocol@X` wrote: DIR/node_modules/@livekit/protocol and the
// @bufbuild/protobuf it resolves to (its own nested copy, or the hoisted one).
export async function reflectSchemaAt(prefix) {
  const dir = join(prefix, 'node_modules', '@livekit', 'protocol');
  const nested = join(dir, 'node_modules', '@bufbuild', 'protobuf');
  const pbDir = existsSync(nested) ? nested : join(prefix, 'node_modules', '@bufbuild', 'protobuf');
  const pb = await import(pathToFileURL(join(pbDir, 'dist', 'esm', 'index.js')).href);
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  return { version, ...(await makeReflector(dir, pb)).reflect() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(JSON.stringify(reflectSchema(), null, 1) + '\n');
}
