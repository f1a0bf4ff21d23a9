import { SchemaError } from './errors.js';
import { rabin64Bytes } from './rabin.js';

/** JSON as parsed from an `.avsc` file. */
export type SchemaJson = string | SchemaJson[] | { [key: string]: unknown };

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/**
 * Parsing Canonical Form, as the Avro specification defines it: full names
 * ([FULLNAMES]), only the attributes that matter for parsing ([STRIP]), in the
 * order name, type, fields, symbols, items, values, size ([ORDER]), primitives
 * as plain strings ([PRIMITIVES]), no whitespace ([WHITESPACE]); a named type
 * already written is referred to by its full name.
 */
export function parsingCanonicalForm(schema: SchemaJson | string): string {
  const parsed: SchemaJson = typeof schema === 'string' && looksLikeJson(schema) ? (JSON.parse(schema) as SchemaJson) : schema;
  return canonical(parsed, '', new Set());
}

/** CRC-64-AVRO of the Parsing Canonical Form, little-endian, as single-object encoding writes it. */
export function fingerprint64(schema: SchemaJson | string): Buffer {
  return rabin64Bytes(Buffer.from(parsingCanonicalForm(schema), 'utf8'));
}

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '{' || first === '[' || first === '"';
}

function canonical(schema: SchemaJson, namespace: string, seen: Set<string>): string {
  if (typeof schema === 'string') {
    if (PRIMITIVES.has(schema)) return JSON.stringify(schema);
    return JSON.stringify(fullName(schema, namespace));
  }
  if (Array.isArray(schema)) {
    return `[${schema.map((branch) => canonical(branch, namespace, seen)).join(',')}]`;
  }
  if (schema === null || typeof schema !== 'object') {
    throw new SchemaError('SCHEMA_FILE_INVALID', `not a schema: ${JSON.stringify(schema)}`);
  }
  const type = schema['type'];
  if (typeof type !== 'string') {
    // {"type": {...}} or {"type": [...]} wraps another schema.
    return canonical(type as SchemaJson, namespace, seen);
  }
  if (PRIMITIVES.has(type)) return JSON.stringify(type);
  switch (type) {
    case 'array':
      return `{"type":"array","items":${canonical(schema['items'] as SchemaJson, namespace, seen)}}`;
    case 'map':
      return `{"type":"map","values":${canonical(schema['values'] as SchemaJson, namespace, seen)}}`;
    case 'record':
    case 'error':
    case 'enum':
    case 'fixed':
      return canonicalNamed(schema, type, namespace, seen);
    default:
      // A reference to a named type written as {"type": "Name"}.
      return JSON.stringify(fullName(type, namespace));
  }
}

function canonicalNamed(schema: { [key: string]: unknown }, type: string, namespace: string, seen: Set<string>): string {
  const name = schema['name'];
  if (typeof name !== 'string') throw new SchemaError('SCHEMA_FILE_INVALID', `a ${type} needs a name`);
  const ownNamespace = typeof schema['namespace'] === 'string' ? (schema['namespace'] as string) : namespace;
  const full = fullName(name, ownNamespace);
  if (seen.has(full)) return JSON.stringify(full);
  seen.add(full);
  const head = `{"name":${JSON.stringify(full)},"type":${JSON.stringify(type)}`;
  if (type === 'enum') {
    return `${head},"symbols":${JSON.stringify(schema['symbols'])}}`;
  }
  if (type === 'fixed') {
    return `${head},"size":${JSON.stringify(Number(schema['size']))}}`;
  }
  // Names inside a record resolve against the record's own namespace.
  const innerNamespace = namespaceOf(full);
  const fields = (schema['fields'] as Array<{ name: string; type: SchemaJson }>).map(
    (field) => `{"name":${JSON.stringify(field.name)},"type":${canonical(field.type, innerNamespace, seen)}}`,
  );
  return `${head},"fields":[${fields.join(',')}]}`;
}

function fullName(name: string, namespace: string): string {
  if (name.includes('.') || namespace === '') return name;
  return `${namespace}.${name}`;
}

function namespaceOf(full: string): string {
  const dot = full.lastIndexOf('.');
  return dot < 0 ? '' : full.slice(0, dot);
}
