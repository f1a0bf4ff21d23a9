import { Type, type AvroType } from './avsc.js';
import type { SchemaJson } from './canonical-form.js';
import { SchemaError } from './errors.js';
import { LOGICAL_TYPES } from './logical-types.js';

/**
 * Schema files released before enums had defaults, by fingerprint. Their
 * enums keep no default (the files are never edited), so a reader of these
 * versions cannot read a symbol added later; every other file needs a default
 * on every enum. Never add to this list.
 */
export const LEGACY_WITHOUT_ENUM_DEFAULTS: ReadonlySet<string> = new Set([
  '9d5cd7bf2f076d5a', // EvidenceManifest v1
  '5e785b22a870e071', // EvidenceManifest v2
  '07b34e594576b7c9', // Incident v1
  'f196950365d1eb19', // InferenceRecord v1 (no enums)
  'edcd07d63d1f2424', // OversightEvent v1
  '2838ec66161511b3', // StudyResult v1
]);

/** One version as the evolution rules see it. */
export interface EvolvingVersion {
  version: number;
  schema: SchemaJson;
  fingerprintHex: string;
  type: AvroType;
  origin: string;
}

// avsc records named types in (and mutates) the options object: each parse gets its own.
export function parseOptions() {
  return { logicalTypes: LOGICAL_TYPES, wrapUnions: 'auto', omitRecordMethods: true, registry: {} } as const;
}

/** Every enum of a schema as written: name, symbols, default. */
export function enumsOf(schema: SchemaJson): Array<{ name: string; symbols: string[]; default: string | undefined }> {
  const found: Array<{ name: string; symbols: string[]; default: string | undefined }> = [];
  mapEnums(schema, (node) => {
    found.push({ name: String(node['name']), symbols: node['symbols'] as string[], default: node['default'] as string | undefined });
    return node;
  });
  return found;
}

/** A copy of the schema JSON with every enum definition passed through `change`. */
export function mapEnums(schema: SchemaJson, change: (node: { [key: string]: unknown }) => { [key: string]: unknown }): SchemaJson {
  if (Array.isArray(schema)) return schema.map((branch) => mapEnums(branch, change));
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: { [key: string]: unknown } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' || key === 'items' || key === 'values') copy[key] = typeof value === 'object' && value !== null ? mapEnums(value as SchemaJson, change) : value;
    else if (key === 'fields' && Array.isArray(value)) copy[key] = value.map((field: { [key: string]: unknown }) => ({ ...field, type: mapEnums(field['type'] as SchemaJson, change) }));
    else copy[key] = value;
  }
  return copy['type'] === 'enum' ? change(copy) : copy;
}

/** Every enum of a non-legacy file has a default that is one of its symbols (avsc checks membership). */
export function checkEnumDefaults(entry: EvolvingVersion): void {
  if (LEGACY_WITHOUT_ENUM_DEFAULTS.has(entry.fingerprintHex)) return;
  const missing = enumsOf(entry.schema).filter((e) => e.default === undefined);
  if (missing.length > 0) {
    throw new SchemaError(
      'SCHEMA_FILE_INVALID',
      `${entry.origin}: enum ${missing.map((e) => e.name).join(', ')} needs a "default" symbol (e.g. "UNKNOWN"), so that readers of this version read symbols added later`,
      { details: { origin: entry.origin, enums: missing.map((e) => e.name) } },
    );
  }
}

/**
 * The evolution rules between versions of one record type (versions sorted, 1..N):
 * - a newer version reads every older one without falling back to an enum
 *   default (so no symbol was removed and old evidence reads exactly);
 * - an older version reads every newer one, unknown enum symbols becoming the
 *   reader's default; a legacy version (no enum defaults) may fail only on
 *   enum symbols it does not know.
 */
export function checkEvolution(versions: readonly EvolvingVersion[], recordType: string): void {
  for (const reader of versions) {
    for (const writer of versions) {
      if (reader === writer) continue;
      const label = `${recordType}.v${reader.version} cannot read data written with ${recordType}.v${writer.version}`;
      if (reader.version > writer.version) {
        attempt(() => reader.type.createResolver(writer.type), label, reader, writer);
        // Exactly: without falling back to a default, i.e. every symbol the older version has is still there.
        const readerEnums = new Map(enumsOf(reader.schema).map((e) => [e.name, new Set(e.symbols)]));
        for (const e of enumsOf(writer.schema)) {
          const missing = e.symbols.filter((symbol) => readerEnums.get(e.name)?.has(symbol) === false);
          if (missing.length > 0) {
            throw new SchemaError('SCHEMA_FILE_INVALID', `${label} exactly: enum ${e.name} lost ${missing.join(', ')} (never remove or rename a symbol)`, {
              details: { reader: reader.origin, writer: writer.origin },
            });
          }
        }
      } else if (!tryResolve(reader.type, writer.type)) {
        if (!LEGACY_WITHOUT_ENUM_DEFAULTS.has(reader.fingerprintHex)) attempt(() => reader.type.createResolver(writer.type), label, reader, writer);
        // A legacy reader: fine if the only obstacle is symbols it does not know.
        attempt(() => withEnumDefaults(reader).createResolver(writer.type), label, reader, writer);
      }
    }
  }
}

/** Whether `reader` can resolve data written with `writer` (the full rules, enum defaults included). */
export function tryResolve(reader: AvroType, writer: AvroType): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

/** The version with a default (its first symbol) on every enum: what it could read if unknown symbols were its only obstacle. */
function withEnumDefaults(entry: EvolvingVersion): AvroType {
  const changed = mapEnums(entry.schema, (node) => ({ ...node, default: (node['symbols'] as string[])[0] }));
  return Type.forSchema(changed as Parameters<typeof Type.forSchema>[0], parseOptions());
}

function attempt(fn: () => unknown, label: string, reader: EvolvingVersion, writer: EvolvingVersion): void {
  try {
    fn();
  } catch (cause) {
    throw new SchemaError('SCHEMA_FILE_INVALID', `${label}: ${(cause as Error).message}`, {
      cause,
      details: { reader: reader.origin, writer: writer.origin },
    });
  }
}
