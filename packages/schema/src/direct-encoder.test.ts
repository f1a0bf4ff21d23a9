import { describe, expect, it } from 'vitest';
import { Type } from './avsc.js';
import { checkBody } from './body-checker.js';
import { defaultRegistry } from './default-registry.js';
import { encodeClean } from './direct-encoder.js';
import { LOGICAL_TYPES } from './logical-types.js';
import { normalizeValue } from './normalize.js';
import type { RecordType } from './record-types.js';
import { MAX_FUTURE_SKEW_MICROS, semanticIssues } from './semantics.js';
import { encodeSingleObject } from './single-object.js';
import { exampleRecords, SAMPLES } from './test-fixtures.js';
import { leavesOf, mutateLeaves, pick, random } from './test-mutations.js';
import { schemaIssues } from './validate-schema.js';

// encodeClean may only return bytes for values the step-by-step path (normalize, avsc check and
// encode, semantic walk) accepts, and must return exactly its bytes: they are the record's identity.

const registry = defaultRegistry();
const NOW = new Date('2026-06-01T00:00:00Z');
const LATEST = NOW.getTime() * 1000 + MAX_FUTURE_SKEW_MICROS;
const examples = exampleRecords(registry, NOW).map(({ file, recordType, value }) => ({ name: file, recordType, value: value as unknown }));
const fixtures = Object.entries(SAMPLES).map(([recordType, sample]) => ({ name: `fixture ${recordType}`, recordType: recordType as RecordType, value: sample() as unknown }));
const seeds = [...examples, ...fixtures];

/** A schema parsed as the registry parses them (schema-registry.ts parseOptions). */
const parseType = (schema: object) => Type.forSchema(schema as Parameters<typeof Type.forSchema>[0], { logicalTypes: LOGICAL_TYPES, wrapUnions: 'auto', registry: {} });

type Full = { ok: true; bytes: Buffer } | { ok: false; issues: unknown[] };

/** The step-by-step path of SchemaRegistry.encode, without the one-pass shortcut. */
function stepByStep(recordType: RecordType, value: unknown, version?: number): Full {
  const entry = registry.get(recordType, version);
  try {
    const normalized = normalizeValue(entry.type, value);
    const issues = schemaIssues(entry.type, normalized);
    if (issues.length > 0) return { ok: false, issues };
    const semantic = semanticIssues(entry.type, normalized, { now: NOW });
    if (semantic.length > 0) return { ok: false, issues: semantic };
    return { ok: true, bytes: encodeSingleObject(entry.fingerprint, entry.type, normalized) };
  } catch (err) {
    // avsc's enum check throws on an object without a prototype ("Cannot convert object to primitive value").
    return { ok: false, issues: [String(err)] };
  }
}

function clean(recordType: RecordType, value: unknown, version?: number) {
  const entry = registry.get(recordType, version);
  return encodeClean(entry.type, entry.fingerprint, value, LATEST);
}

/** Holds one value to the contract; says whether the one pass took it. */
function expectSound(recordType: RecordType, value: unknown, version?: number): { full: Full; took: boolean } {
  const full = stepByStep(recordType, value, version);
  const quick = clean(recordType, value, version);
  if (quick !== null) {
    expect(full.ok, JSON.stringify(value)).toBe(true);
    expect(quick.bytes.equals((full as { bytes: Buffer }).bytes), JSON.stringify(value)).toBe(true);
    expect(quick.tenant).toBe((value as { tenant: unknown }).tenant);
  }
  return { full, took: quick !== null };
}

// Strings around avsc's 64-byte switch between its own UTF-8 loop and Node's, with 2-, 3- and
// 4-byte characters and lone surrogates (which the two write differently).
const UNICODE = ['é', 'ü'.repeat(32), 'ü'.repeat(33), 'x' + 'ü'.repeat(32), '€'.repeat(21), '€'.repeat(22), '😀'.repeat(16), '😀'.repeat(17), 'a\ud800', '\udc00b', 'a'.repeat(61) + '\ud83d', 'a'.repeat(62) + '\ud83d', 'a'.repeat(70) + '\ud83d', '\ud83dx'.repeat(20), 'ø'.repeat(600)];
const ODD_VALUES: unknown[] = [undefined, null, true, 0, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1.5, Number.NaN, '', 'x', [], {}, Buffer.from('ab'), new Date(0), Object.create(null)];

/** One structural change of a deep copy: a field dropped, added, retyped, a map reordered or keyed oddly, an object re-classed. */
function mutateShape(value: unknown, next: () => number): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  const objects: Record<string, unknown>[] = [];
  const collect = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(collect);
    else if (typeof node === 'object' && node !== null && !ArrayBuffer.isView(node)) {
      objects.push(node as Record<string, unknown>);
      Object.values(node).forEach(collect);
    }
  };
  collect(copy);
  const target = pick(next, objects);
  const keys = Object.keys(target);
  const key = keys.length > 0 ? pick(next, keys) : 'added';
  switch (Math.floor(next() * 9)) {
    case 0:
      delete target[key];
      break;
    case 1:
      target[pick(next, ['undeclared', '9', 'constructor', 'zz'])] = pick(next, ['v', 1, null]);
      break;
    case 2:
      target[key] = pick(next, ODD_VALUES);
      break;
    case 3: {
      // The same entries in reverse insertion order (maps must come out sorted).
      const entries = Object.entries(target).reverse();
      for (const k of keys) delete target[k];
      for (const [k, v] of entries) target[k] = v;
      break;
    }
    case 4:
      target[key] = undefined;
      break;
    case 5:
      Object.setPrototypeOf(target, pick(next, [null, Array.prototype, Date.prototype]));
      break;
    case 6:
      for (const leaf of leavesOf(target)) if (typeof leaf.leaf === 'string') (leaf.parent as Record<string | number, unknown>)[leaf.key] = pick(next, UNICODE);
      break;
    case 7:
      target[pick(next, ['b', 'a', '10', '2', 'ü', ''])] = pick(next, ['v', 0.25]);
      break;
    default:
      if (typeof target[key] === 'number') target[key] = pick(next, [2 ** 30, -(2 ** 30) - 1, 2 ** 53 - 2, -(2 ** 53 - 2), 2 ** 53 - 1, 1e300, -0]);
  }
  return copy;
}

describe('encodeClean', () => {
  it.each(seeds.map((seed) => [seed.name, seed] as const))('writes the step-by-step bytes of %s in one pass', (_name, { recordType, value }) => {
    const { full, took } = expectSound(recordType, value);
    expect(full.ok).toBe(true);
    // StudyResult has cross-field rules (window from ≤ to): always the step-by-step path.
    expect(took).toBe(recordType !== 'StudyResult');
  });

  it('writes older schema versions too (defaults filled in as they stand in that version)', () => {
    const manifest = examples.find((e) => e.recordType === 'EvidenceManifest')!;
    const { risk_classification: _dropped, ...v1Value } = manifest.value as Record<string, unknown>;
    expect(expectSound('EvidenceManifest', v1Value, 1).took).toBe(true);
  });

  it('never returns bytes for a value the step-by-step path refuses or writes differently, and takes most it accepts', () => {
    const next = random(20261203);
    let tried = 0;
    let refused = 0;
    let accepted = 0;
    let took = 0;
    for (let round = 0; round < 400; round++) {
      for (const { recordType, value } of seeds) {
        if (recordType === 'StudyResult') continue;
        for (const mutated of [mutateLeaves(value, next, NOW), mutateShape(value, next), mutateShape(mutateShape(value, next), next)]) {
          tried += 1;
          const result = expectSound(recordType, mutated);
          if (result.full.ok) accepted += 1;
          else refused += 1;
          if (result.took) took += 1;
        }
      }
    }
    expect(tried).toBeGreaterThan(10_000);
    expect(refused).toBeGreaterThan(tried / 4);
    expect(accepted).toBeGreaterThan(tried / 4);
    // The one pass must carry the clean traffic, not only stay out of the way.
    expect(took).toBeGreaterThan(accepted * 0.8);
  });

  it('writes every string as avsc does, around its 64-byte switch, lone surrogates included', () => {
    const manifest = examples.find((e) => e.name === 'EvidenceManifest.training.json')!;
    for (const summary of [...UNICODE, 'a'.repeat(63), 'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(1023), 'a'.repeat(1024), 'a'.repeat(9000)]) {
      const value = { ...(manifest.value as object), summary };
      const { full, took } = expectSound('EvidenceManifest', value);
      expect(full.ok).toBe(true);
      expect(took, summary).toBe(true);
    }
  });

  it('writes map entries in canonical key order whatever the insertion order; leaves digit-led keys to the step-by-step path', () => {
    const manifest = examples.find((e) => e.name === 'EvidenceManifest.training.json')!;
    expect(expectSound('EvidenceManifest', { ...(manifest.value as object), labels: { zeta: '1', alpha: '2', Mid: '3', 'ü': '4' } }).took).toBe(true);
    const digits = expectSound('EvidenceManifest', { ...(manifest.value as object), labels: { b: '1', '10': '2', '9': '3' } });
    expect(digits).toEqual({ full: expect.objectContaining({ ok: true }), took: false });
  });

  it('leaves values beyond its 64 KiB scratch, class instances and undeclared fields to the step-by-step path', () => {
    const manifest = examples.find((e) => e.name === 'EvidenceManifest.training.json')!.value as Record<string, unknown>;
    const big = expectSound('EvidenceManifest', { ...manifest, summary: 'a'.repeat(70_000) });
    expect(big).toEqual({ full: expect.objectContaining({ ok: true }), took: false });
    class Manifest {
      constructor(fields: object) {
        Object.assign(this, fields);
      }
    }
    expect(expectSound('EvidenceManifest', new Manifest(manifest)).took).toBe(false);
    const undeclared = expectSound('EvidenceManifest', { ...manifest, sumary: 'typo' });
    expect(undeclared).toEqual({ full: expect.objectContaining({ ok: false }), took: false });
    expect(expectSound('EvidenceManifest', Object.assign(Object.create(null), manifest)).took).toBe(true);
  });

  it('writes longs of every magnitude and sign as avsc does (integer arithmetic below 2^30, floating point above)', () => {
    const manifest = examples.find((e) => e.name === 'EvidenceManifest.training.json')!.value as { details: Record<string, Record<string, unknown>> };
    const seeds: number[] = [];
    for (let bits = 0; bits <= 53; bits++) {
      for (const n of [2 ** bits - 1, 2 ** bits, 2 ** bits + 1, Math.floor(2 ** bits * 1.5), Math.floor(2 ** bits * 0.77)]) {
        if (n <= 9_007_199_254_740_990) seeds.push(n, -n);
      }
    }
    const next = random(7);
    for (let i = 0; i < 500; i++) seeds.push(Math.floor((next() - 0.5) * 2 ** (1 + Math.floor(next() * 53))));
    for (const seed of seeds) {
      const [branch] = Object.keys(manifest.details);
      const value = { ...manifest, details: { [branch!]: { ...manifest.details[branch!], seed } } };
      const { full, took } = expectSound('EvidenceManifest', value);
      expect([full.ok, took], String(seed)).toEqual([true, true]);
    }
  });

  it('applies field rules to enum symbols and to each branch of a many-branch union as the semantic walk does, and leaves unions with a logical branch among several to the full path', () => {
    const type = parseType(
      {
        type: 'record',
        name: 'Probe',
        fields: [
          { name: 'tenant', type: 'string' },
          { name: 'sha256', type: { type: 'enum', name: 'Digest', symbols: ['abc', 'a'.repeat(64)] } },
          { name: 'size_bytes', type: ['null', 'long', 'string'] },
        ],
      }
    );
    const fingerprint = Buffer.alloc(8);
    const verdict = (value: object) => {
      const quick = encodeClean(type, fingerprint, value, LATEST);
      const issues = semanticIssues(type, value, { now: NOW });
      return { quick: quick === null ? null : quick.bytes.subarray(10).equals(type.toBuffer(value)), issues: issues.map((issue) => issue.path) };
    };
    // A logical branch among several: avsc tests each value against it as well, and refuses what two branches take.
    const withLogical = parseType(
      { type: 'record', name: 'Ref', fields: [{ name: 'tenant', type: 'string' }, { name: 'ref', type: ['null', 'long', { type: 'string', logicalType: 'uuid' }] }] }
    );
    expect(withLogical.toBuffer({ tenant: 'acme', ref: 7 })).toHaveLength(7);
    expect(encodeClean(withLogical, fingerprint, { tenant: 'acme', ref: 7 }, LATEST)).toBeNull();
    expect(verdict({ tenant: 'acme', sha256: 'a'.repeat(64), size_bytes: 5 })).toEqual({ quick: true, issues: [] });
    expect(verdict({ tenant: 'acme', sha256: 'a'.repeat(64), size_bytes: 'five' })).toEqual({ quick: true, issues: [] });
    expect(verdict({ tenant: 'acme', sha256: 'abc', size_bytes: 5 })).toEqual({ quick: null, issues: ['sha256'] });
    expect(verdict({ tenant: 'acme', sha256: 'a'.repeat(64), size_bytes: -5 })).toEqual({ quick: null, issues: ['size_bytes'] });
  });

  it('leaves to the step-by-step path what a review found it could get wrong', () => {
    const manifest = examples.find((e) => e.name === 'EvidenceManifest.training.json')!.value as Record<string, unknown>;
    // A map key `__proto__` (JSON.parse makes one): the full path refuses it, as JavaScript readers drop it.
    const proto = expectSound('EvidenceManifest', { ...manifest, labels: JSON.parse('{"__proto__":"x","team":"ml"}') as unknown });
    expect(proto).toEqual({ full: { ok: false, issues: [expect.objectContaining({ path: 'labels.__proto__' })] }, took: false });
    // A declared field made non-enumerable next to an undeclared one: the keys are counted right, not just counted.
    const hidden: Record<string, unknown> = { ...manifest, sumary: 'typo' };
    Object.defineProperty(hidden, 'summary', { value: 'real', enumerable: false });
    expect(expectSound('EvidenceManifest', hidden)).toEqual({ full: expect.objectContaining({ ok: false }), took: false });
    // An array passed off as an object.
    const arrayLike = Object.assign(Object.setPrototypeOf([], Object.prototype) as object, { team: 'ml' });
    expect(expectSound('EvidenceManifest', { ...manifest, labels: arrayLike }).took).toBe(false);
    expect(expectSound('EvidenceManifest', Object.assign(Object.setPrototypeOf([], Object.prototype) as object, manifest)).took).toBe(false);
  });

  it('is not corrupted by a getter that encodes another record while it writes', () => {
    const manifest = examples.find((e) => e.name === 'EvidenceManifest.training.json')!.value as Record<string, unknown>;
    const incident = examples.find((e) => e.recordType === 'Incident')!.value;
    const value: Record<string, unknown> = { ...manifest };
    Object.defineProperty(value, 'summary', {
      enumerable: true,
      get: () => {
        registry.encode('Incident', incident, { now: NOW });
        return 'stable summary';
      },
    });
    const bytes = registry.encode('EvidenceManifest', value, { now: NOW });
    expect(bytes.equals(registry.encode('EvidenceManifest', { ...manifest, summary: 'stable summary' }, { now: NOW }))).toBe(true);
    expect(registry.decode<Record<string, unknown>>(bytes).value.summary).toBe('stable summary');
  });

  it('picks an unwrapped branch by the kind of value on every path, so a record branch does not capture an array', () => {
    const type = parseType(
      {
        type: 'record',
        name: 'Mixed',
        fields: [
          { name: 'tenant', type: 'string' },
          { name: 'extra', type: ['null', { type: 'record', name: 'Note', fields: [{ name: 'text', type: ['null', 'string'], default: null }] }, { type: 'array', items: { type: 'map', values: 'string' } }] },
        ],
      }
    );
    const write = (extra: unknown) => type.toBuffer(normalizeValue(type, { tenant: 'acme', extra }));
    expect(write([{ b: '1', a: '2' }]).equals(write([{ a: '2', b: '1' }]))).toBe(true);
    expect(encodeClean(type, Buffer.alloc(8), { tenant: 'acme', extra: [{ b: '1', a: '2' }] }, LATEST)).toBeNull();
  });

  it('plans a record type that contains itself once, and applies the rules at every depth (walk, body check, one pass)', () => {
    const type = parseType(
      {
        type: 'record',
        name: 'Tree',
        fields: [
          { name: 'tenant', type: 'string' },
          { name: 'id', type: 'string' },
          { name: 'children', type: { type: 'array', items: 'Tree' }, default: [] },
        ],
      }
    );
    const tree = (deepId: string) => ({ tenant: 'acme', id: 'root', children: [{ tenant: 'acme', id: 'a', children: [{ tenant: 'acme', id: deepId }] }] });
    const fingerprint = Buffer.alloc(8);
    const clean = encodeClean(type, fingerprint, tree('leaf'), LATEST);
    expect(clean?.bytes.subarray(10).equals(type.toBuffer(normalizeValue(type, tree('leaf'))))).toBe(true);
    expect(checkBody(type, clean!.bytes.subarray(10), LATEST)).toEqual({ clean: true, tenant: 'acme' });
    expect(semanticIssues(type, tree('  '), { now: NOW })).toEqual([expect.objectContaining({ path: 'children[0].children[0].id' })]);
    expect(encodeClean(type, fingerprint, tree('  '), LATEST)).toBeNull();
    expect(checkBody(type, type.toBuffer(normalizeValue(type, tree('  '))), LATEST).clean).toBe(false);
  });

  it('judges timestamps against the clock it is given, to the microsecond', () => {
    const manifest = examples.find((e) => e.name === 'EvidenceManifest.training.json')!.value as Record<string, unknown>;
    expect(clean('EvidenceManifest', { ...manifest, occurred_at: LATEST })).not.toBeNull();
    expect(clean('EvidenceManifest', { ...manifest, occurred_at: LATEST + 1 })).toBeNull();
    expect(clean('EvidenceManifest', { ...manifest, occurred_at: 946_684_800_000_000 })).not.toBeNull();
    expect(clean('EvidenceManifest', { ...manifest, occurred_at: 946_684_800_000_000 - 1 })).toBeNull();
  });
});
