import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exportPublicKeyBase64, generateSigningKey, signEnvelope, trustedKeyFor } from '@probity/crypto';
import { EMITTER_PAYLOAD_TYPE, encodeRawPack, expandSignedBatch, parseSignedBatch, toBundle, verifySignedRecord } from '@probity/evidence';
import { FileEvidenceStore } from '@probity/evidence-store';
import { HEADER, headerString, type KafkaMessage } from '@probity/kafka';
import { defaultRegistry } from '@probity/schema';
import { notarizeBatch } from './batch.js';
import { MAX_KAFKA_BYTES } from './chunks.js';
import { schemaDecoder } from './schema-decoder.js';
import { ShardLog } from './shard-log.js';

const registry = defaultRegistry();
const example = JSON.parse(readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schemas/examples/EvidenceManifest.training.json'), 'utf8'));
const parsed = registry.fromJson<Record<string, unknown>>('EvidenceManifest', example);
if (!parsed.ok) throw new Error('example manifest invalid');

const raw = (n: number): KafkaMessage[] =>
  Array.from({ length: n }, (_, i) => {
    const value = registry.encode('EvidenceManifest', { ...parsed.value, tenant: i % 2 ? 'acme' : 'globex', manifest_id: randomUUID(), run_id: `run-${i}` });
    return { key: null, value, headers: {}, offset: String(100 + i), timestamp: '0', attributes: 0, size: value.length } as unknown as KafkaMessage;
  });

/** A fresh shard log and store, a notary key, and tenants that do not require emitter signatures. */
function unsignedShard(shard: number) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'notary-batch-'));
  const log = ShardLog.open(dataDir, shard);
  const signer = generateSigningKey('test-notary');
  const deps = {
    log,
    origin: `test/shard/${shard}`,
    store: new FileEvidenceStore(path.join(dataDir, 'store')),
    signer,
    signRecords: false,
    inspect: { decoder: schemaDecoder(registry), policyFor: () => ({ requireEmitterSignatures: false, emitterKeys: [], retentionYears: 7 }), maxMessageBytes: 1 << 20 },
    now: () => new Date(),
  };
  return { log, signer, deps };
}

describe('notarizeBatch', () => {
  it('splits a large transaction into signed batches under the Kafka limit, each with its own checkpoint, whose records all verify', async () => {
    const { log, signer, deps } = unsignedShard(2);
    await (await notarizeBatch({ shard: 2, topic: 'raw', messages: raw(7) }, deps)).stored;
    const plan = await notarizeBatch({ shard: 2, topic: 'raw', messages: raw(1500) }, deps);
    await plan.stored;

    expect(plan.signed.length).toBeGreaterThan(1);
    const notaryKeys = [{ ...trustedKeyFor(signer, { notBefore: new Date(0) }), name: signer.name }];
    const indexes: number[] = [];
    for (const message of plan.signed) {
      expect(Buffer.byteLength(message.value as string)).toBeLessThanOrEqual(MAX_KAFKA_BYTES);
      const batch = parseSignedBatch(message.value as Buffer);
      expect(Number(headerString(message.headers as never, HEADER.recordCount))).toBe(batch.records.length);
      expect(batch.checkpoint.split('\n')[1]).toBe(String(batch.first_index + batch.records.length));
      for (const record of expandSignedBatch(batch)) {
        indexes.push(record.leaf_index);
        expect(verifySignedRecord(toBundle(record), { notaryKeys }).valid).toBe(true);
      }
    }
    expect(indexes).toEqual(Array.from({ length: 1500 }, (_, i) => 7 + i));
    expect(plan.treeSize).toBe(1507);
    // Only the transaction's last batch carries the raw offset committed with it (recovery reads it back).
    const sourceNextOffsets = plan.signed.map((message) => headerString(message.headers as never, HEADER.sourceNextOffset));
    expect(sourceNextOffsets.at(-1)).toBe(plan.nextOffset);
    expect(sourceNextOffsets.slice(0, -1).every((value) => value === undefined)).toBe(true);
    log.close();
  });

  it('accepts DSSE signatures without a keyid (DSSE allows it) and ships them in one canonical shape that verifies', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'notary-batch-'));
    const log = ShardLog.open(dataDir, 0);
    const signer = generateSigningKey('test-notary');
    const emitter = generateSigningKey('third-party-emitter');
    const emitterKey = { keyId: emitter.keyId, publicKey: exportPublicKeyBase64(emitter.publicKeyRaw), notBefore: '2020-01-01T00:00:00Z' };
    const [message] = raw(1);
    const { sig } = signEnvelope(message!.value!, EMITTER_PAYLOAD_TYPE, emitter).signatures[0]!;
    for (const header of [[{ sig }], [{ keyid: null, sig }]]) {
      message!.headers = { [HEADER.emitterSignature]: Buffer.from(JSON.stringify(header)) };
      const plan = await notarizeBatch(
        { shard: 0, topic: 'raw', messages: [message!] },
        {
          log,
          origin: 'test/shard/0',
          store: new FileEvidenceStore(path.join(dataDir, 'store')),
          signer,
          signRecords: false,
          inspect: { decoder: schemaDecoder(registry), policyFor: () => ({ requireEmitterSignatures: true, emitterKeys: [emitterKey], retentionYears: 7 }), maxMessageBytes: 1 << 20 },
          now: () => new Date(),
        },
      );
      await plan.stored;
      log.truncate(0);
      expect(plan.counts).toMatchObject({ accepted: 1, dlq: {} });
      const [record] = expandSignedBatch(parseSignedBatch(plan.signed[0]!.value as Buffer));
      expect(record!.emitter_envelope!.signatures).toEqual([{ keyid: '', sig }]);
      const report = verifySignedRecord(toBundle(record!), {
        notaryKeys: [{ ...trustedKeyFor(signer, { notBefore: new Date(0) }), name: signer.name }],
        emitterKeys: [trustedKeyFor(emitter, { notBefore: new Date('2020-01-01T00:00:00Z') })],
      });
      expect(report.checks.filter((check) => !check.ok)).toEqual([]);
    }
    log.close();
  });

  it('takes every entry of a raw pack as if it had arrived alone: accepted, deduplicated, or dead-lettered with its own bytes', async () => {
    const { log, signer, deps } = unsignedShard(1);
    const [a, b, c, alone] = raw(4).map((m) => m.value!);
    // Single-object framed, but no schema has this fingerprint.
    const garbage = Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.alloc(8, 0xee), Buffer.from('not a record')]);
    const wrongTenant = { value: b!, headers: { [HEADER.tenant]: 'someone-else' } };
    const pack = encodeRawPack([
      { value: a!, headers: { [HEADER.tenant]: 'globex' } },
      wrongTenant,
      { value: garbage, headers: Object.assign(Object.create(null) as Record<string, string>, { 'x-trace': 't1' }, JSON.parse('{"__proto__":"kept"}') as Record<string, string>) },
      { value: c!, headers: {} },
      { value: a!, headers: {} }, // a duplicate inside the pack
    ]);
    const kafkaMessage = (value: Buffer, offset: number, headers = {}) => ({ key: null, value, headers, offset: String(offset), timestamp: '0', attributes: 0, size: value.length }) as unknown as KafkaMessage;
    const broken = Buffer.from(pack.subarray(0, pack.length - 3));
    const plan = await notarizeBatch(
      { shard: 1, topic: 'raw', messages: [kafkaMessage(pack, 40, { [HEADER.recordCount]: '5' }), kafkaMessage(alone!, 41), kafkaMessage(broken, 42), kafkaMessage(encodeRawPack([{ value: c!, headers: {} }, { value: alone!, headers: {} }]), 43)] },
      deps,
    );
    await plan.stored;
    expect(plan.counts).toEqual({ accepted: 3, duplicates: 3, dlq: { TENANT_MISMATCH: 1, UNKNOWN_FINGERPRINT: 1, PACK_INVALID: 1 } });
    expect(plan.nextOffset).toBe('44');

    const records = plan.signed.flatMap((m) => expandSignedBatch(parseSignedBatch(m.value as Buffer)));
    expect(records.map((r) => Buffer.from(r.record, 'base64').toString('hex'))).toEqual([a!, c!, alone!].map((v) => v.toString('hex')));
    expect(records.map((r) => r.source.offset)).toEqual(['40', '40', '41']);

    const dlq = Object.fromEntries(plan.dlq.map((m) => [headerString(m.headers as never, HEADER.dlqReason)!, m]));
    const mismatch = dlq.TENANT_MISMATCH!;
    expect(Buffer.compare(mismatch.value as Buffer, b!)).toBe(0);
    expect(headerString(mismatch.headers as never, HEADER.tenant)).toBe('someone-else');
    expect(headerString(mismatch.headers as never, HEADER.dlqSourceOffset)).toBe('40');
    expect(headerString(mismatch.headers as never, HEADER.dlqSourcePackIndex)).toBe('1');
    expect(mismatch.key).toBe(createHash('sha256').update(b!).digest('hex'));
    const notRecord = dlq.UNKNOWN_FINGERPRINT!;
    expect(Buffer.compare(notRecord.value as Buffer, garbage)).toBe(0);
    expect(headerString(notRecord.headers as never, 'x-trace')).toBe('t1');
    expect(Object.keys(notRecord.headers!)).toContain('__proto__');
    expect(headerString(notRecord.headers as never, HEADER.dlqSourcePackIndex)).toBe('2');
    const unreadable = dlq.PACK_INVALID!;
    expect(Buffer.compare(unreadable.value as Buffer, broken)).toBe(0);
    expect(headerString(unreadable.headers as never, HEADER.dlqSourceOffset)).toBe('42');
    expect(headerString(unreadable.headers as never, HEADER.dlqSourcePackIndex)).toBeUndefined();
    expect(headerString(unreadable.headers as never, HEADER.dlqDetail)).toMatch(/^raw pack: /);
    log.close();
  });
});
