import { createHash, verify } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSigningKey, preAuthEncoding } from '@probity/crypto';
import { defaultRegistry } from '@probity/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Transport } from './dispatcher.js';
import { decodeEmitterBatchStatement, EMITTER_BATCH_PAYLOAD_TYPE, emitterBatchIncludes, parseEmitterBatchHeader } from '@probity/evidence';
import { createEmitter, EmitError, EVIDENCE_PAYLOAD_TYPE, type SpooledMessage } from './index.js';
import { encodeRecord } from './record-encoder.js';

class RecordingTransport implements Transport {
  sent: SpooledMessage[] = [];
  async send(messages: readonly SpooledMessage[]): Promise<void> {
    this.sent.push(...messages);
  }
  async close(): Promise<void> {}
}

const examplesDir = new URL('../../../schemas/examples/', import.meta.url);
const exampleJson = async (name: string) => JSON.parse(await readFile(new URL(name, examplesDir), 'utf8')) as Record<string, unknown>;

describe('createEmitter', () => {
  let dataDir: string;
  let transport: RecordingTransport;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'probity-emitter-'));
    transport = new RecordingTransport();
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sends the registry encoding keyed and headed by its content hash', async () => {
    const emitter = await createEmitter({ name: 't', dataDir, transport });
    const json = await exampleJson('EvidenceManifest.training.json');
    const result = await emitter.emit(json, { format: 'json' });
    expect(result.durable).toBe('kafka');

    const registry = defaultRegistry();
    const converted = registry.fromJson('EvidenceManifest', json);
    if (!converted.ok) throw new Error('example must be valid');
    const bytes = registry.encode('EvidenceManifest', converted.value);
    const hash = createHash('sha256').update(bytes).digest('hex');
    expect(result.contentHash).toBe(hash);
    expect(transport.sent).toHaveLength(1);
    expect(transport.sent[0]).toEqual({ key: hash, value: bytes, headers: { 'probity-tenant': 'acme-bank' } });
    expect(registry.decode(transport.sent[0]!.value).recordType).toBe('EvidenceManifest');
    await emitter.close();
  });

  it('emits other record types and, in record mode, signs each over DSSE PAE(payloadType, value)', async () => {
    const key = generateSigningKey('pipeline');
    const emitter = await createEmitter({ name: 't', dataDir, transport, signer: { ...key, mode: 'record' } });
    await emitter.emit('InferenceRecord', await exampleJson('InferenceRecord.json'), { format: 'json' });
    const [message] = transport.sent;
    const signatures = JSON.parse(message!.headers['probity-emitter-envelope']!) as { keyid: string; sig: string }[];
    expect(signatures).toHaveLength(1);
    expect(signatures[0]!.keyid).toBe(key.keyId);
    expect(verify(null, preAuthEncoding(EVIDENCE_PAYLOAD_TYPE, message!.value), key.publicKey, Buffer.from(signatures[0]!.sig, 'base64'))).toBe(true);
    expect(defaultRegistry().decode(message!.value).recordType).toBe('InferenceRecord');
    await emitter.close();
  });

  it('encodes a record signed on its own when encodeRecord is given a signer, whatever its mode (batch signing is the dispatcher\'s)', async () => {
    const key = generateSigningKey('pipeline');
    const json = await exampleJson('EvidenceManifest.training.json');
    for (const signer of [key, { ...key, mode: 'batch' as const }, { ...key, mode: 'record' as const }]) {
      const { message } = encodeRecord(defaultRegistry(), 'EvidenceManifest', json, 'json', signer);
      const [signature] = JSON.parse(message.headers['probity-emitter-envelope']!) as { keyid: string; sig: string }[];
      expect(verify(null, preAuthEncoding(EVIDENCE_PAYLOAD_TYPE, message.value), key.publicKey, Buffer.from(signature!.sig, 'base64'))).toBe(true);
    }
  });

  it('by default signs each sent batch once per tenant and run of 128, each record with its inclusion proof', async () => {
    const key = generateSigningKey('pipeline');
    const emitter = await createEmitter({ name: 't', dataDir, transport, signer: key, lingerMs: 50 });
    const json = await exampleJson('EvidenceManifest.training.json');
    const tenants = [...Array.from({ length: 130 }, () => 'acme-bank'), 'globex', 'globex'];
    await Promise.all(tenants.map((tenant, i) => emitter.enqueue('EvidenceManifest', { ...json, tenant, run_id: `run-${i}` }, { format: 'json' }).durable));
    expect(transport.sent).toHaveLength(tenants.length);

    const payloads = new Map<string, number>();
    for (const message of transport.sent) {
      expect(message.headers['probity-emitter-envelope']).toBeUndefined();
      const proof = parseEmitterBatchHeader(message.headers['probity-emitter-batch']!);
      const payload = Buffer.from(proof.payload, 'base64');
      expect(proof.signatures.map((s) => s.keyid)).toEqual([key.keyId]);
      expect(verify(null, preAuthEncoding(EMITTER_BATCH_PAYLOAD_TYPE, payload), key.publicKey, Buffer.from(proof.signatures[0]!.sig, 'base64'))).toBe(true);
      const statement = decodeEmitterBatchStatement(payload);
      expect(statement.tenant).toBe(message.headers['probity-tenant']);
      expect(emitterBatchIncludes(statement, createHash('sha256').update(message.value).digest(), proof.index, proof.proof)).toBe(true);
      // Another record's hash is not what this proof proves.
      expect(emitterBatchIncludes(statement, createHash('sha256').update('other').digest(), proof.index, proof.proof)).toBe(false);
      payloads.set(proof.payload, (payloads.get(proof.payload) ?? 0) + 1);
    }
    expect([...payloads.values()].sort((a, b) => a - b)).toEqual([2, 2, 128]);
    await emitter.close();
  });

  it('rejects an invalid manifest naming every bad field, and sends nothing', async () => {
    const emitter = await createEmitter({ name: 't', dataDir, transport });
    const json = await exampleJson('EvidenceManifest.training.json');
    json.stage = 'TRAINNG';
    (json.inputs as Record<string, unknown>[])[0]!.size_bytes = 'big';
    delete json.run_id;
    const error = await emitter.emit(json, { format: 'json' }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(EmitError);
    expect((error as EmitError).code).toBe('MANIFEST_INVALID');
    const paths = (error as EmitError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['stage', 'inputs[0].size_bytes', 'run_id']));
    for (const p of ['stage', 'inputs[0].size_bytes', 'run_id']) expect((error as EmitError).message).toContain(p);

    // Rules beyond the schema are named the same way.
    const fixed = await exampleJson('EvidenceManifest.training.json');
    (fixed.outputs as Record<string, unknown>[])[0]!.sha256 = 'not-a-hash';
    await expect(emitter.emit(fixed, { format: 'json' })).rejects.toMatchObject({ code: 'MANIFEST_INVALID', issues: [expect.objectContaining({ path: 'outputs[0].sha256' })] });
    expect(() => emitter.enqueue('NoSuchRecord', {})).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID' }));
    await emitter.flush();
    expect(transport.sent).toHaveLength(0);
    await emitter.close();
  });

  it('validates Avro values too (the default format)', async () => {
    const emitter = await createEmitter({ name: 't', dataDir, transport });
    await expect(emitter.emit({ tenant: 'Not A Tenant' })).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    await emitter.close();
  });

  it('enqueue returns the hash at once; after close, emits are refused', async () => {
    const emitter = await createEmitter({ name: 't', dataDir, transport });
    const json = await exampleJson('EvidenceManifest.training.json');
    const queued = emitter.enqueue('EvidenceManifest', json, { format: 'json' });
    expect(queued.contentHash).toMatch(/^[0-9a-f]{64}$/);
    await emitter.flush();
    await expect(queued.durable).resolves.toEqual({ contentHash: queued.contentHash, durable: 'kafka' });
    expect(emitter.stats()).toMatchObject({ emitted: 1, acked: 1, queueDepth: 0 });
    await emitter.close();
    await expect(emitter.emit(json, { format: 'json' })).rejects.toMatchObject({ code: 'EMITTER_CLOSED' });
  });
});
