/**
 * Avro's JSON encoding (spec: "JSON Encoding") of an @probity/schema value,
 * computed from the schema text alone, so the Java oracle's output can be
 * compared with what we meant to write: unions are `{"<branch>": value}`
 * (branch = full name of a named type, else the primitive name), timestamps
 * are their underlying longs.
 */
type Schema = string | Schema[] | { [key: string]: unknown };

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

export function toAvroJson(schema: unknown, value: unknown): unknown {
  const names = new Map<string, Schema>();
  collectNames(schema as Schema, '', names);
  return convert(schema as Schema, value, '', names);
}

/** Named types may be defined inside a branch that the value never visits: find them all first. */
function collectNames(schema: Schema, namespace: string, names: Map<string, Schema>): void {
  if (Array.isArray(schema)) return schema.forEach((branch) => collectNames(branch, namespace, names));
  if (typeof schema !== 'object') return;
  const type = schema['type'];
  if (typeof type === 'object') return collectNames(type as Schema, namespace, names);
  if (type === 'record' || type === 'enum' || type === 'fixed') {
    const full = register(schema, namespace, names);
    if (type === 'record') for (const field of schema['fields'] as Array<{ type: Schema }>) collectNames(field.type, namespaceOf(full), names);
  }
  if (type === 'array') collectNames(schema['items'] as Schema, namespace, names);
  if (type === 'map') collectNames(schema['values'] as Schema, namespace, names);
}

function fullName(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

function resolve(schema: Schema, namespace: string, names: Map<string, Schema>): { schema: Schema; namespace: string } {
  if (typeof schema === 'string' && !PRIMITIVES.has(schema)) {
    const named = names.get(fullName(schema, namespace)) ?? names.get(schema);
    if (!named) throw new Error(`unknown type ${schema}`);
    return { schema: named, namespace: namespaceOf(fullName(schema, namespace)) };
  }
  if (typeof schema === 'object' && !Array.isArray(schema) && typeof schema['type'] === 'object') {
    return resolve(schema['type'] as Schema, namespace, names);
  }
  return { schema, namespace };
}

function namespaceOf(full: string): string {
  const dot = full.lastIndexOf('.');
  return dot < 0 ? '' : full.slice(0, dot);
}

function register(schema: Schema, namespace: string, names: Map<string, Schema>): string {
  const obj = schema as Record<string, unknown>;
  const ns = typeof obj['namespace'] === 'string' ? (obj['namespace'] as string) : namespace;
  const full = fullName(obj['name'] as string, ns);
  names.set(full, schema);
  return full;
}

function branchKey(schema: Schema, namespace: string): string {
  if (typeof schema === 'string') return PRIMITIVES.has(schema) ? schema : fullName(schema, namespace);
  if (Array.isArray(schema)) throw new Error('nested union');
  const type = schema['type'];
  if (typeof type === 'string' && PRIMITIVES.has(type)) return type;
  if (typeof schema['name'] === 'string') {
    const ns = typeof schema['namespace'] === 'string' ? (schema['namespace'] as string) : namespace;
    return fullName(schema['name'] as string, ns);
  }
  return type as string;
}

function matches(schema: Schema, value: unknown, namespace: string, names: Map<string, Schema>): boolean {
  const { schema: s } = resolve(schema, namespace, names);
  const type = typeof s === 'string' ? s : Array.isArray(s) ? 'union' : (s['type'] as string);
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'int':
    case 'long':
      return Number.isInteger(value);
    case 'float':
    case 'double':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'enum':
      return typeof value === 'string' && ((s as Record<string, unknown>)['symbols'] as string[]).includes(value);
    default:
      return false;
  }
}

function convert(schema: Schema, value: unknown, namespace: string, names: Map<string, Schema>): unknown {
  const resolved = resolve(schema, namespace, names);
  const s = resolved.schema;
  const ns = resolved.namespace;
  if (Array.isArray(s)) {
    if (value === null) return null;
    // Our values key a union of records by full name (avsc's wrapped unions); other unions are bare.
    if (typeof value === 'object' && !Array.isArray(value)) {
      const [key] = Object.keys(value as object);
      const branch = s.find((candidate) => branchKey(candidate, ns) === key);
      if (branch !== undefined) return { [key as string]: convert(branch, (value as Record<string, unknown>)[key as string], ns, names) };
    }
    const branch = s.find((candidate) => candidate !== 'null' && matches(candidate, value, ns, names));
    if (branch === undefined) throw new Error(`no union branch for ${JSON.stringify(value)}`);
    return { [branchKey(branch, ns)]: convert(branch, value, ns, names) };
  }
  if (typeof s === 'string') return value;
  const type = s['type'];
  if (typeof type === 'string' && PRIMITIVES.has(type)) return value;
  switch (type) {
    case 'record': {
      const full = register(s, ns, names);
      const inner = namespaceOf(full);
      const out: Record<string, unknown> = {};
      for (const field of s['fields'] as Array<{ name: string; type: Schema }>) {
        out[field.name] = convert(field.type, (value as Record<string, unknown>)[field.name], inner, names);
      }
      return out;
    }
    case 'enum':
      register(s, ns, names);
      return value;
    case 'array':
      return (value as unknown[]).map((item) => convert(s['items'] as Schema, item, ns, names));
    case 'map':
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, convert(s['values'] as Schema, v, ns, names)]));
    default:
      throw new Error(`unsupported type ${String(type)}`);
  }
}
