import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultRegistry, type RecordType } from '@probity/schema';
import { describe, expect, it } from 'vitest';
import { encodeRecord } from './record-encoder.js';

const examplesDir = path.resolve(import.meta.dirname, '../../../schemas/examples');
const examples = readdirSync(examplesDir).map((file) => ({ type: file.split('.')[0] as RecordType, json: JSON.parse(readFileSync(path.join(examplesDir, file), 'utf8')) as Record<string, unknown> }));

describe('encodeRecord, JSON form', () => {
  const registry = defaultRegistry();

  it('gives the bytes fromJson then encode give, for every example', () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
    for (const { type, json } of examples) {
      const checked = registry.fromJson(type, json);
      if (!checked.ok) throw new Error(`${type} example invalid`);
      expect(encodeRecord(registry, type, json, 'json').message.value.equals(registry.encode(type, checked.value))).toBe(true);
    }
  });

  it('names a field refused past conversion by its JSON path, as fromJson does', () => {
    const training = examples.find((e) => e.type === 'EvidenceManifest' && e.json.stage === 'TRAINING')!.json;
    const details = training.details as { training: Record<string, unknown> };
    const bad = { ...training, tenant: 'Acme Bank', details: { training: { ...details.training, duration_ms: -5 } } };
    let issues: { path: string }[] = [];
    try {
      encodeRecord(registry, 'EvidenceManifest', bad, 'json');
    } catch (err) {
      issues = (err as { issues: { path: string }[] }).issues;
    }
    expect(issues.map((i) => i.path).sort()).toEqual(['details.training.duration_ms', 'tenant']);
  });
});
