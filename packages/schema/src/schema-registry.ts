import { Type, type AvroResolver, type AvroType } from './avsc.js';
import { checkBody } from './body-checker.js';
import { encodeClean } from './direct-encoder.js';
import { scanBody } from './body-scanner.js';
import { fingerprint64, parsingCanonicalForm, type SchemaJson } from './canonical-form.js';
import { SchemaError } from './errors.js';
import { normalizeValue } from './normalize.js';
import { RECORD_TYPES, type RecordType } from './record-types.js';
import { checkRecordShape } from './schema-rules.js';
import { checkEnumDefaults, checkEvolution, parseOptions } from './evolution.js';
import { MAX_FUTURE_SKEW_MICROS, semanticIssues, type SemanticOptions } from './semantics.js';
import { avroToJson, jsonBranchSpelling, jsonToAvro } from './json-mapping.js';
import { encodeSingleObject, SINGLE_OBJECT_HEADER_LENGTH, unframeSingleObject } from './single-object.js';
import { schemaIssues, type ValidationIssue } from './validate-schema.js';

/** One schema file's content, before parsing. */
export interface SchemaSource {
  recordType: string;
  version: number;
  schema: unknown;
  /** Where it came from, for error messages (file name). */
  origin: string;
}

export interface SchemaVersion {
  recordType: RecordType;
  version: number;
  /** The schema as written (with docs and defaults). */
  schema: SchemaJson;
  canonicalForm: string;
  /** CRC-64-AVRO of the canonical form, little-endian, as it appears in the single-object header. */
  fingerprint: Buffer;
  fingerprintHex: string;
  type: AvroType;
}

export interface EncodeOptions extends SemanticOptions {
  /**
   * Writer schema version.
   * @defaultValue the current (highest) version of the record type
   */
  version?: number;
}

export interface DecodeOptions {
  /**
   * Rebuild the value as plain objects with canonical map order. The notary
   * only inspects values, so it skips this (~10 µs per manifest).
   * @defaultValue true
   */
  normalize?: boolean;
  /**
   * Reader schema version the value is resolved to.
   * @defaultValue the current (highest) version of the writer's record type
   */
  readerVersion?: number;
}

export interface ValidateOptions extends SemanticOptions {
  /** @defaultValue the current version */
  version?: number;
}

/** What `quickCheck` vouches for: a record of the current schema version, fit to notarize. */
export interface QuickCheck {
  recordType: RecordType;
  version: number;
  /** Writer schema fingerprint, hex. */
  fingerprint: string;
  tenant: string;
}

export type FromJsonResult<T = unknown> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export interface Decoded<T = unknown> {
  recordType: RecordType;
  /** Version of the writer schema. */
  version: number;
  /** Version of the schema the value was resolved to. */
  readerVersion: number;
  /** Writer schema fingerprint, hex (16 characters). */
  fingerprint: string;
  value: T;
}

/**
 * All versions of all record types, keyed by fingerprint. Built once at start
 * (parsing and the compatibility checks are not free) and then read-only, so
 * one instance can serve every request.
 */
export class SchemaRegistry {
  private readonly byType = new Map<RecordType, SchemaVersion[]>();
  private readonly byPrint = new Map<string, SchemaVersion>();
  private readonly resolvers = new Map<string, AvroResolver>();

  /** Parses and checks the sources: names, shape rules, enum defaults, contiguous versions, unique fingerprints, the evolution rules (evolution.ts). */
  static fromSources(sources: readonly SchemaSource[]): SchemaRegistry {
    return new SchemaRegistry(sources);
  }

  private constructor(sources: readonly SchemaSource[]) {
    for (const source of sources) {
      const entry = parseSource(source);
      const existing = this.byPrint.get(entry.fingerprintHex);
      if (existing) {
        throw new SchemaError('SCHEMA_FILE_INVALID', `${source.origin} has the same canonical form as ${existing.recordType} v${existing.version}`, {
          details: { origin: source.origin },
        });
      }
      this.byPrint.set(entry.fingerprintHex, entry);
      const list = this.byType.get(entry.recordType) ?? [];
      list.push(entry);
      this.byType.set(entry.recordType, list);
    }
    for (const recordType of RECORD_TYPES) {
      const list = (this.byType.get(recordType) ?? []).sort((a, b) => a.version - b.version);
      if (list.length === 0) throw new SchemaError('SCHEMA_FILE_INVALID', `no schema for ${recordType}`, { details: { recordType } });
      list.forEach((entry, i) => {
        if (entry.version !== i + 1) {
          throw new SchemaError('SCHEMA_FILE_INVALID', `${recordType} versions must run 1..N without gaps or duplicates; found v${entry.version} at position ${i + 1}`, {
            details: { recordType },
          });
        }
      });
      checkEvolution(list.map((entry) => ({ ...entry, origin: `${recordType}.v${entry.version}` })), recordType);
    }
  }

  recordTypes(): RecordType[] {
    return [...this.byType.keys()];
  }

  /** Every version of a record type, oldest first. */
  versions(recordType: RecordType): readonly SchemaVersion[] {
    const list = this.byType.get(recordType);
    if (!list) throw new SchemaError('UNKNOWN_RECORD_TYPE', `unknown record type ${String(recordType)}`, { details: { recordType } });
    return list;
  }

  /** Every schema version of every record type. */
  all(): SchemaVersion[] {
    return [...this.byPrint.values()];
  }

  /** The highest version: what new evidence is written with and old evidence is read as. */
  current(recordType: RecordType): SchemaVersion {
    const list = this.versions(recordType);
    return list[list.length - 1] as SchemaVersion;
  }

  get(recordType: RecordType, version?: number): SchemaVersion {
    if (version === undefined) return this.current(recordType);
    const entry = this.versions(recordType)[version - 1];
    if (!entry) throw new SchemaError('UNKNOWN_VERSION', `${recordType} has no version ${version}`, { details: { recordType, version } });
    return entry;
  }

  byFingerprint(fingerprint: Buffer | string): SchemaVersion | undefined {
    return this.byPrint.get(typeof fingerprint === 'string' ? fingerprint.toLowerCase() : fingerprint.toString('hex'));
  }

  /** Schema and semantic problems, each with its path; empty when the value is fit to encode. */
  validate(recordType: RecordType, value: unknown, options: ValidateOptions = {}): ValidationIssue[] {
    const { type } = this.get(recordType, options.version);
    const normalized = normalizeValue(type, value);
    return [...schemaIssues(type, normalized), ...semanticIssues(type, normalized, options)];
  }

  /** Only the rules beyond the schema (for values that already decoded, e.g. in the notary). */
  validateSemantics(recordType: RecordType, value: unknown, options: ValidateOptions = {}): ValidationIssue[] {
    const { type } = this.get(recordType, options.version);
    return semanticIssues(type, value, options);
  }

  /**
   * Reads the JSON form people and HTTP clients write (see json-mapping.ts:
   * ISO-8601 timestamps, `details: { "training": {...} }`) into an Avro value,
   * checked against the schema and the semantic rules; issue paths are JSON paths.
   */
  fromJson<T = unknown>(recordType: RecordType, json: unknown, options: ValidateOptions = {}): FromJsonResult<T> {
    const { type } = this.get(recordType, options.version);
    const converted = jsonToAvro(type, json);
    if (converted.issues.length > 0) return { ok: false, issues: converted.issues };
    const normalized = normalizeValue(type, converted.value);
    const issues = [...schemaIssues(type, normalized, jsonBranchSpelling), ...semanticIssues(type, normalized, options, jsonBranchSpelling)];
    return issues.length > 0 ? { ok: false, issues } : { ok: true, value: normalized as T };
  }

  /**
   * The structural half of `fromJson`: the JSON form converted to an Avro
   * value, without the schema and semantic checks (`encode` makes them on the
   * way). For a caller that encodes at once and wants `fromJson`'s JSON-path
   * issues only when `encode` refuses.
   */
  convertJson<T = unknown>(recordType: RecordType, json: unknown, options: { version?: number } = {}): FromJsonResult<T> {
    const { type } = this.get(recordType, options.version);
    const converted = jsonToAvro(type, json);
    return converted.issues.length > 0 ? { ok: false, issues: converted.issues } : { ok: true, value: converted.value as T };
  }

  /** The JSON form of a value, for output: ISO-8601 timestamps, short union keys, hex bytes. */
  toJson(recordType: RecordType, value: unknown, options: { version?: number } = {}): unknown {
    const { type } = this.get(recordType, options.version);
    return avroToJson(type, normalizeValue(type, value));
  }

  /**
   * Single-object encoding of a value: validated, fields in schema order,
   * defaults filled in, map keys in canonical order. The same value always
   * gives the same bytes: their hash is the evidence's identity.
   */
  encode(recordType: RecordType, value: unknown, options: EncodeOptions = {}): Buffer {
    const entry = this.get(recordType, options.version);
    // The usual, clean value in one pass (direct-encoder.ts); the rest is normalized, checked and encoded in steps.
    const clean = encodeClean(entry.type, entry.fingerprint, value, latestMicrosOf(options));
    if (clean) return clean.bytes;
    const normalized = normalizeValue(entry.type, value);
    const invalid = (issues: ValidationIssue[]) =>
      new SchemaError('SCHEMA_INVALID', `${recordType} v${entry.version} is not valid: ${summarize(issues)}`, {
        details: { recordType, version: entry.version, issues },
      });
    const issues = schemaIssues(entry.type, normalized);
    if (issues.length > 0) throw invalid([...issues, ...semanticIssues(entry.type, normalized, options)]);
    const bytes = encodeSingleObject(entry.fingerprint, entry.type, normalized);
    // The bytes are exactly the normalized value: one pass over them with the semantic rules
    // (the notary's quickCheck) settles the usual case; only a doubtful record takes the value walk.
    if (entry === this.current(recordType) && this.vouches(entry, bytes, options) !== undefined) return bytes;
    const semantic = semanticIssues(entry.type, normalized, options);
    if (semantic.length > 0) throw invalid(semantic);
    return bytes;
  }

  /** Finds the writer schema by fingerprint and resolves the body to the reader version (the current one unless asked). */
  decode<T = unknown>(bytes: Uint8Array, options: DecodeOptions = {}): Decoded<T> {
    const { fingerprint, body } = unframeSingleObject(bytes);
    const writer = this.byFingerprint(fingerprint);
    if (!writer) {
      throw new SchemaError('UNKNOWN_FINGERPRINT', `no known schema has fingerprint ${fingerprint.toString('hex')}`, {
        details: { fingerprint: fingerprint.toString('hex') },
      });
    }
    const reader = this.get(writer.recordType, options.readerVersion);
    let resolver: AvroResolver | undefined;
    try {
      if (reader !== writer) resolver = this.resolver(reader, writer);
    } catch (cause) {
      // The evolution rules leave one case: a version from before enum defaults (evolution.ts) reading a newer one.
      throw new SchemaError('READER_TOO_OLD', `${writer.recordType} v${reader.version} cannot read v${writer.version} data (it has no enum defaults for symbols added since); read it with v${writer.version} or later`, {
        cause,
        details: { recordType: writer.recordType, version: writer.version, readerVersion: reader.version },
      });
    }
    let raw: unknown;
    try {
      const end = scanBody(writer.type, body);
      if (end !== body.length) throw new Error(`${body.length - end} trailing bytes after the value`);
      raw = resolver === undefined ? reader.type.fromBuffer(body) : reader.type.fromBuffer(body, resolver);
    } catch (cause) {
      throw new SchemaError('BODY_INVALID', `${writer.recordType} v${writer.version} body does not decode: ${(cause as Error).message}`, {
        cause,
        details: { recordType: writer.recordType, version: writer.version, fingerprint: writer.fingerprintHex },
      });
    }
    return {
      recordType: writer.recordType,
      version: writer.version,
      readerVersion: reader.version,
      fingerprint: writer.fingerprintHex,
      value: (options.normalize === false ? raw : normalizeValue(reader.type, raw)) as T,
    };
  }

  /**
   * The notary's fast path: the writer found by fingerprint and the body read
   * once with the semantic rules applied in place (body-checker.ts), without
   * building the value. Answers only for records that are clean and written
   * with the current version of their type; null means "decode and validate
   * to find out" (`decode` + `validateSemantics` then name every issue).
   */
  quickCheck(bytes: Uint8Array, options: SemanticOptions = {}): QuickCheck | null {
    if (bytes.length < SINGLE_OBJECT_HEADER_LENGTH || bytes[0] !== 0xc3 || bytes[1] !== 0x01) return null;
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const writer = this.byPrint.get(buf.toString('hex', 2, SINGLE_OBJECT_HEADER_LENGTH));
    // Older writers resolve to the current reader (defaults filled in) before the rules apply: the full path.
    if (!writer || writer !== this.current(writer.recordType)) return null;
    const tenant = this.vouches(writer, buf, options);
    return tenant === undefined ? null : { recordType: writer.recordType, version: writer.version, fingerprint: writer.fingerprintHex, tenant };
  }

  /** The tenant of single-object bytes written with `writer`, if one pass with the semantic rules finds them clean. */
  private vouches(writer: SchemaVersion, bytes: Buffer, options: SemanticOptions): string | undefined {
    const { clean, tenant } = checkBody(writer.type, bytes.subarray(SINGLE_OBJECT_HEADER_LENGTH), latestMicrosOf(options));
    return clean ? tenant : undefined;
  }

  private resolver(reader: SchemaVersion, writer: SchemaVersion): AvroResolver {
    const key = `${reader.fingerprintHex}<${writer.fingerprintHex}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      resolver = reader.type.createResolver(writer.type);
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }
}

function parseSource(source: SchemaSource): SchemaVersion {
  if (!(RECORD_TYPES as readonly string[]).includes(source.recordType)) {
    throw new SchemaError('SCHEMA_FILE_INVALID', `${source.origin}: unknown record type ${source.recordType} (known: ${RECORD_TYPES.join(', ')})`, {
      details: { origin: source.origin },
    });
  }
  const recordType = source.recordType as RecordType;
  const schema = source.schema as SchemaJson;
  let type: AvroType;
  try {
    type = Type.forSchema(schema as Parameters<typeof Type.forSchema>[0], parseOptions());
  } catch (cause) {
    throw new SchemaError('SCHEMA_FILE_INVALID', `${source.origin}: not a valid Avro schema: ${(cause as Error).message}`, { cause, details: { origin: source.origin } });
  }
  checkRecordShape(type, recordType, source.origin);
  const fingerprint = fingerprint64(schema);
  checkEnumDefaults({ version: source.version, schema, fingerprintHex: fingerprint.toString('hex'), type, origin: source.origin });
  return {
    recordType,
    version: source.version,
    schema,
    canonicalForm: parsingCanonicalForm(schema),
    fingerprint,
    fingerprintHex: fingerprint.toString('hex'),
    type,
  };
}

/** Timestamps after this are more than a day in the future (semantics.ts). */
function latestMicrosOf(options: SemanticOptions): number {
  return (options.now ?? new Date()).getTime() * 1000 + MAX_FUTURE_SKEW_MICROS;
}

function summarize(issues: readonly ValidationIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${issue.path || '(root)'}: ${issue.message}`);
  return issues.length > 3 ? `${shown.join('; ')}; and ${issues.length - 3} more` : shown.join('; ');
}
