import { describe, expect, it } from 'vitest';
import { EVIDENCE_INSERT_COLUMNS, buildEvidenceRow, retentionUntil, toClickHouseDateTime } from './tables.js';

const input = {
  tenant: 'acme',
  contentHash: 'ab'.repeat(32),
  recordType: 'TrainingRun',
  schemaFingerprint: '0123456789abcdef',
  modelId: 'fraud',
  modelVersion: '1.2.0',
  stage: 'training',
  runId: 'run-1',
  manifestId: 'm-1',
  occurredAt: new Date('2026-03-01T10:00:00.123Z'),
  notarizedAt: new Date('2026-03-01T10:00:01Z'),
  principal: 'ci@acme',
  controls: ['A.6.2.4'],
  shard: 3,
  leafIndex: 42,
  record: new Uint8Array([0xc3, 0x01, 0xff]),
  recordJson: '{}',
  envelopeJson: '{}',
  ingestPartition: 0,
  ingestOffset: 7,
};

describe('evidence rows', () => {
  it('builds a row with every insert column, hex hash, base64 record and 7-year retention', () => {
    const row = buildEvidenceRow(input);
    expect(Object.keys(row).sort()).toEqual([...EVIDENCE_INSERT_COLUMNS].sort());
    expect(row.record_base64).toBe(Buffer.from([0xc3, 0x01, 0xff]).toString('base64'));
    expect(row.occurred_at).toBe('2026-03-01 10:00:00.123000');
    expect(row.retention_until).toBe('2033-03-01');
  });

  it('rejects a hash that is not 64 lowercase hex characters', () => {
    expect(() => buildEvidenceRow({ ...input, contentHash: 'AB'.repeat(32) })).toThrow(TypeError);
    expect(() => buildEvidenceRow({ ...input, contentHash: 'ab' })).toThrow(TypeError);
  });

  it('computes retention per tenant and keeps date strings as given', () => {
    expect(retentionUntil(new Date('2024-02-29T00:00:00Z'), 10)).toBe('2034-03-01');
    expect(() => retentionUntil(new Date(), 0)).toThrow(TypeError);
    expect(toClickHouseDateTime('2026-01-01 00:00:00.000001')).toBe('2026-01-01 00:00:00.000001');
  });
});
