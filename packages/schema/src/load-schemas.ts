import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SchemaError } from './errors.js';
import type { SchemaSource } from './schema-registry.js';

/** The repository's `schemas/` directory, found from this file so it works from any working directory. */
export const DEFAULT_SCHEMAS_DIR = new URL('../../../schemas/', import.meta.url);

const FILE_NAME = /^([A-Za-z][A-Za-z0-9]*)\.v([1-9][0-9]*)\.avsc$/;

/** Reads every `<Name>.v<N>.avsc` in a directory. The only I/O in this package. */
export function readSchemaSources(dir: URL | string = DEFAULT_SCHEMAS_DIR): SchemaSource[] {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const sources: SchemaSource[] = [];
  for (const file of readdirSync(path).sort()) {
    if (!file.endsWith('.avsc')) continue;
    const match = FILE_NAME.exec(file);
    if (!match) throw new SchemaError('SCHEMA_FILE_INVALID', `schema file ${file} is not named <Name>.v<N>.avsc`, { details: { file } });
    let schema: unknown;
    try {
      schema = JSON.parse(readFileSync(`${path.replace(/\/$/, '')}/${file}`, 'utf8'));
    } catch (cause) {
      throw new SchemaError('SCHEMA_FILE_INVALID', `schema file ${file} is not valid JSON`, { cause, details: { file } });
    }
    sources.push({ recordType: match[1] as string, version: Number(match[2]), schema, origin: file });
  }
  return sources;
}
