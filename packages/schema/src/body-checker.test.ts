import { describe, expect, it } from 'vitest';
import { defaultRegistry } from './default-registry.js';
import type { RecordType } from './record-types.js';
import { CONTROL_PATTERN, TENANT_PATTERN } from './semantics.js';
import { frameSingleObject } from './single-object.js';
import { exampleRecords } from './test-fixtures.js';
import { mutateLeaves, random } from './test-mutations.js';

// quickCheck may only vouch for records the full path (decode + semantic walk) accepts;
// these tests hold it to that on the examples and on thousands of mutated values.

const registry = defaultRegistry();
const NOW = new Date('2026-06-01T00:00:00Z');
const examples = exampleRecords(registry, NOW);

/** Bytes as any emitter could write them: the schema holds, the semantic rules are not looked at. */
function writeUnchecked(recordType: RecordType, value: unknown, version?: number): Buffer | null {
  const entry = registry.get(recordType, version);
  if (!entry.type.isValid(value)) return null;
  return frameSingleObject(entry.fingerprint, entry.type.toBuffer(value));
}

function fullPath(bytes: Buffer): { tenant: unknown; issues: unknown[] } {
  const decoded = registry.decode<Record<string, unknown>>(bytes, { normalize: false });
  return { tenant: decoded.value.tenant, issues: registry.validateSemantics(decoded.recordType, decoded.value, { now: NOW }) };
}

describe('SchemaRegistry.quickCheck', () => {
  it.each(examples.map((e) => [e.file, e] as const))('vouches for %s as the full path does, or leaves it to the full path', (_file, { recordType, value }) => {
    const bytes = registry.encode(recordType, value, { now: NOW });
    const quick = registry.quickCheck(bytes, { now: NOW });
    if (recordType === 'StudyResult') {
      // Cross-field rules (window from ≤ to, started_at ≤ finished_at): always the full path.
      expect(quick).toBeNull();
      return;
    }
    const current = registry.current(recordType);
    expect(quick).toEqual({ recordType, version: current.version, fingerprint: current.fingerprintHex, tenant: (value as { tenant: string }).tenant });
  });

  it('leaves records of older schema versions to the full path (defaults are filled in there)', () => {
    const manifest = examples.find((e) => e.recordType === 'EvidenceManifest')!;
    const { risk_classification: _dropped, ...v1Value } = manifest.value;
    const bytes = registry.encode('EvidenceManifest', v1Value, { version: 1, now: NOW });
    expect(registry.quickCheck(bytes, { now: NOW })).toBeNull();
    expect(fullPath(bytes).issues).toEqual([]);
  });

  it('never vouches for a mutated record the full path refuses, and vouches for most it accepts', () => {
    const next = random(20261203);
    let vouched = 0;
    let acceptedByFullPath = 0;
    let tried = 0;
    let refusedByFullPath = 0;
    for (let round = 0; round < 600; round++) {
      for (const { recordType, value } of examples) {
        const bytes = writeUnchecked(recordType, mutateLeaves(value, next, NOW));
        if (!bytes) continue;
        tried += 1;
        const full = fullPath(bytes);
        const quick = registry.quickCheck(bytes, { now: NOW });
        if (full.issues.length === 0 && recordType !== 'StudyResult') acceptedByFullPath += 1;
        if (full.issues.length > 0) refusedByFullPath += 1;
        if (quick === null) continue;
        vouched += 1;
        expect({ issues: full.issues, tenant: full.tenant }).toEqual({ issues: [], tenant: quick.tenant });
      }
    }
    expect(tried).toBeGreaterThan(2000);
    expect(refusedByFullPath).toBeGreaterThan(tried / 4);
    // The fast path must actually carry the clean traffic, not only stay out of the way.
    expect(vouched).toBeGreaterThan(acceptedByFullPath * 0.9);
  });

  it('judges tenants and controls on the bytes exactly as their patterns do', () => {
    const manifest = examples.find((e) => e.file === 'EvidenceManifest.training.json')!.value as Record<string, unknown>;
    const tenants = ['acme', 'a', '0', '-acme', '_acme', 'a-', 'a_b', 'A', 'acme bank', 'é', 'a'.repeat(63), 'a'.repeat(64), ''];
    for (const tenant of tenants) {
      expect(registry.quickCheck(writeUnchecked('EvidenceManifest', { ...manifest, tenant })!, { now: NOW }) !== null, tenant).toBe(TENANT_PATTERN.test(tenant));
    }
    const controls = ['iso42001:A.6.2.4', 'iso:A.6_2-4', 'iso', ':x', 'iso:', 'iso::x', 'iso:a:b', 'ISO:x', 'iso:é', 'is o:x', '9:Z'];
    for (const control of controls) {
      expect(registry.quickCheck(writeUnchecked('EvidenceManifest', { ...manifest, controls: [control] })!, { now: NOW }) !== null, control).toBe(CONTROL_PATTERN.test(control));
    }
  });

  it('reads timestamps (eight varint bytes) exactly: refuses one a microsecond past a day ahead, vouches for one at it', () => {
    const manifest = examples.find((e) => e.file === 'EvidenceManifest.training.json')!;
    const latest = (NOW.getTime() + 86_400_000) * 1000;
    const at = (occurred_at: number) => writeUnchecked('EvidenceManifest', { ...(manifest.value as object), occurred_at })!;
    expect(registry.quickCheck(at(latest), { now: NOW })).not.toBeNull();
    expect(fullPath(at(latest + 1)).issues).not.toEqual([]);
    expect(registry.quickCheck(at(latest + 1), { now: NOW })).toBeNull();
  });

  it('leaves longs avsc cannot decode (beyond ±(2^53 − 2)) to the full path, and vouches for the largest it can', () => {
    const manifest = examples.find((e) => e.file === 'EvidenceManifest.training.json')!;
    const sentinel = 123_456_789;
    const value = structuredClone(manifest.value) as { details: { 'io.probity.evidence.TrainingDetails': { seed: number } } };
    const details = Object.values(value.details)[0] as { seed: number };
    details.seed = sentinel;
    const bytes = registry.encode('EvidenceManifest', value, { now: NOW });
    const varint = (n: bigint) => {
      let zz = n < 0n ? -2n * n - 1n : 2n * n;
      const out: number[] = [];
      while (zz >= 0x80n) {
        out.push(Number(zz & 0x7fn) | 0x80);
        zz >>= 7n;
      }
      out.push(Number(zz));
      return Buffer.from(out);
    };
    const at = bytes.indexOf(varint(BigInt(sentinel)));
    expect(at).toBeGreaterThan(10);
    const withSeed = (seed: bigint) => Buffer.concat([bytes.subarray(0, at), varint(seed), bytes.subarray(at + varint(BigInt(sentinel)).length)]);
    for (const seed of [2n ** 53n - 1n, 2n ** 62n, -(2n ** 63n)]) {
      const tooLarge = withSeed(seed);
      expect(() => registry.decode(tooLarge, { normalize: false }), String(seed)).toThrow(/precision/);
      expect(registry.quickCheck(tooLarge, { now: NOW }), String(seed)).toBeNull();
    }
    // avsc reads -(2^53 - 1) as +(2^53 - 2) without complaint: not a number to vouch for either.
    expect(registry.quickCheck(withSeed(-(2n ** 53n - 1n)), { now: NOW })).toBeNull();
    // Eight varint bytes: below 2^52 in magnitude read as a double, from 2^52 with BigInt.
    for (const seed of [2n ** 53n - 2n, -(2n ** 53n - 2n), 2n ** 48n, -(2n ** 48n) - 1n, 2n ** 52n - 1n, -(2n ** 52n), 2n ** 52n, -(2n ** 52n) - 1n]) {
      const fits = withSeed(seed);
      expect(fullPath(fits).issues).toEqual([]);
      expect(registry.quickCheck(fits, { now: NOW }), String(seed)).not.toBeNull();
    }
  });

  it('leaves malformed bodies, unknown fingerprints and trailing bytes to the full path', () => {
    const bytes = registry.encode('EvidenceManifest', examples.find((e) => e.recordType === 'EvidenceManifest')!.value, { now: NOW });
    for (let end = 0; end < bytes.length; end += 7) expect(registry.quickCheck(bytes.subarray(0, end), { now: NOW })).toBeNull();
    expect(registry.quickCheck(Buffer.concat([bytes, Buffer.from([0])]), { now: NOW })).toBeNull();
    const unknown = Buffer.from(bytes);
    unknown[5] = unknown[5]! ^ 0xff;
    expect(registry.quickCheck(unknown, { now: NOW })).toBeNull();
    for (let i = 10; i < bytes.length; i++) {
      const flipped = Buffer.from(bytes);
      flipped[i] = flipped[i]! ^ 0x80;
      const quick = registry.quickCheck(flipped, { now: NOW });
      if (quick === null) continue;
      expect(fullPath(flipped).issues).toEqual([]);
    }
  });
});
