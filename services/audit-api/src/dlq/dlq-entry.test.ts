import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEADER, type KafkaMessage } from '@probity/kafka';
import { defaultRegistry } from '@probity/schema';
import { describeDlqMessage, matchesDlqFilter, parseDlqEntryId, replayHeaders } from './dlq-entry.js';

const registry = defaultRegistry();
const example = JSON.parse(readFileSync(new URL('../../../../schemas/examples/EvidenceManifest.training.json', import.meta.url), 'utf8')) as Record<string, unknown>;

function manifest(tenant: string): Buffer {
  const parsed = registry.fromJson('EvidenceManifest', { ...example, tenant });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return registry.encode('EvidenceManifest', parsed.value);
}

function message(value: Buffer | null, headers: Record<string, string>, offset = '7'): KafkaMessage {
  return { key: null, value, headers, offset, timestamp: String(Date.parse('2026-12-01T10:00:00Z')), attributes: 0, size: 0 } as unknown as KafkaMessage;
}

describe('DLQ entries', () => {
  it('take the tenant from the record, and none when header and record disagree', () => {
    const bytes = manifest('acme');
    const ok = describeDlqMessage(2, message(bytes, { [HEADER.dlqReason]: 'SIGNATURE_REQUIRED', [HEADER.tenant]: 'acme', [HEADER.dlqSourceOffset]: '41' }), registry);
    expect(ok).toMatchObject({ id: '2:7', tenant: 'acme', record_type: 'EvidenceManifest', replayable: true, source: { offset: '41', pack_index: null } });
    expect(ok.content_hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(ok.decoded?.record).toMatchObject({ tenant: 'acme' });
    const mismatch = describeDlqMessage(0, message(bytes, { [HEADER.dlqReason]: 'TENANT_MISMATCH', [HEADER.tenant]: 'globex' }), registry);
    expect(mismatch.tenant).toBeNull();
  });

  it('fall back to the header for bytes that do not decode, and to nothing without one', () => {
    const junk = Buffer.from('not avro');
    expect(describeDlqMessage(0, message(junk, { [HEADER.dlqReason]: 'NOT_SINGLE_OBJECT', [HEADER.tenant]: 'acme' }), registry)).toMatchObject({ tenant: 'acme', decoded: null });
    const anonymous = describeDlqMessage(0, message(junk, { [HEADER.dlqReason]: 'NOT_SINGLE_OBJECT' }), registry);
    expect(anonymous.tenant).toBeNull();
    expect(anonymous.decode_error).toBeTruthy();
  });

  it('read a sink entry\'s tenant from the signed record it carries, and never offer it for replay', () => {
    const entry = describeDlqMessage(0, message(Buffer.from(JSON.stringify({ tenant: 'acme', content_hash: 'ab' })), { [HEADER.dlqReason]: 'RECORD_UNDECODABLE' }), registry);
    expect(entry).toMatchObject({ tenant: 'acme', replayable: false });
    expect(describeDlqMessage(0, message(Buffer.from('PSB'), { [HEADER.dlqReason]: 'SIGNED_BATCH_MALFORMED' }), registry)).toMatchObject({ tenant: null, replayable: false });
  });

  it('filter by visible tenants first: a tenant-less entry is an operator\'s only', () => {
    const anonymous = describeDlqMessage(0, message(Buffer.from('x'), { [HEADER.dlqReason]: 'NOT_SINGLE_OBJECT' }), registry);
    expect(matchesDlqFilter(anonymous, {})).toBe(true);
    expect(matchesDlqFilter(anonymous, { visibleTenants: ['acme'] })).toBe(false);
    const at = describeDlqMessage(0, message(manifest('acme'), { [HEADER.dlqReason]: 'SIGNATURE_REQUIRED' }), registry);
    expect(matchesDlqFilter(at, { visibleTenants: ['acme'], reason: 'SIGNATURE_REQUIRED', from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z') })).toBe(true);
    expect(matchesDlqFilter(at, { from: new Date('2026-12-01T10:00:00.001Z') })).toBe(false);
    expect(matchesDlqFilter(at, { to: new Date('2026-12-01T10:00:00Z') })).toBe(false);
  });

  it('replay with the original headers, none of the DLQ\'s own, plus the link to the entry', () => {
    expect(replayHeaders({ [HEADER.tenant]: 'acme', [HEADER.emitterBatch]: 'e', [HEADER.dlqReason]: 'X', [HEADER.dlqSourceOffset]: '1' }, '0:7')).toEqual({
      [HEADER.tenant]: 'acme', [HEADER.emitterBatch]: 'e', [HEADER.dlqReplayOf]: '0:7',
    });
    expect(parseDlqEntryId('3:0012')).toEqual({ partition: 3, offset: '12' });
    expect(parseDlqEntryId('x:1')).toBeNull();
  });
});
