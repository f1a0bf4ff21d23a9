import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportPrivateKeyPem, generateSigningKey } from '@probity/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEmitterBatchHeader } from '@probity/evidence';
import { kafkaForTests, runCli } from '../helpers/index.js';
import { readTopic, sampleManifest } from './ingest-helpers.js';

describe('probity emit', () => {
  const broker = kafkaForTests();
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'probity-cli-emit-'));
  });
  afterAll(async () => {
    await broker.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('emits JSON lines from stdin, reports invalid lines by number and field, exits 1', async () => {
    const topic = await broker.createTopic({ prefix: 'test-cli' });
    const key = generateSigningKey('ci');
    const keyFile = path.join(dir, 'key.pem');
    await writeFile(keyFile, exportPrivateKeyPem(key.privateKey));
    const bad = { ...sampleManifest(99), stage: 'SHIPPING' };
    const lines = [sampleManifest(1), sampleManifest(2), bad, sampleManifest(3)].map((m) => JSON.stringify(m)).join('\n');

    const result = await runCli(['emit', '--file', '-', '--topic', topic, '--sign-key', keyFile, '--control', 'iso42001:A.6.2.4'], {
      input: lines,
      env: { PROBITY_DATA_DIR: dir },
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('line 3: stage:');
    const printed = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; contentHash: string; durable: string });
    expect(printed.map((p) => [p.line, p.durable])).toEqual([
      [1, 'kafka'],
      [2, 'kafka'],
      [4, 'kafka'],
    ]);

    const messages = await readTopic(broker.kafka, topic, 3);
    expect(messages.map((m) => m.key).sort()).toEqual(printed.map((p) => p.contentHash).sort());
    expect(messages.every((m) => parseEmitterBatchHeader(m.headers['probity-emitter-batch']!).signatures[0]!.keyid === key.keyId)).toBe(true);
  });

  it('signs each record on its own with --sign-mode record, and refuses a mode it does not know', async () => {
    const topic = await broker.createTopic({ prefix: 'test-cli' });
    const key = generateSigningKey('ci-record');
    const keyFile = path.join(dir, 'key-record.pem');
    await writeFile(keyFile, exportPrivateKeyPem(key.privateKey));
    const result = await runCli(['emit', '--file', '-', '--topic', topic, '--sign-key', keyFile, '--sign-mode', 'record'], { input: JSON.stringify(sampleManifest(7)), env: { PROBITY_DATA_DIR: dir } });
    expect(result.code, result.stderr).toBe(0);
    const [message] = await readTopic(broker.kafka, topic, 1);
    expect(message!.headers['probity-emitter-batch']).toBeUndefined();
    expect(JSON.parse(message!.headers['probity-emitter-envelope']!)[0].keyid).toBe(key.keyId);
    const bad = await runCli(['emit', '--file', '-', '--topic', topic, '--sign-key', keyFile, '--sign-mode', 'sometimes'], { input: JSON.stringify(sampleManifest(8)), env: { PROBITY_DATA_DIR: dir } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--sign-mode must be batch or record');
  });

  it('builds one manifest from flags alone and exits 0', async () => {
    const topic = await broker.createTopic({ prefix: 'test-cli' });
    const result = await runCli(
      ['emit', '--topic', topic, '--tenant', 'acme-bank', '--run-id', 'r1', '--stage', 'TRAINING', '--principal', 'service:ci', '--control', 'iso42001:A.6.2.4',
        '--input', `id=loans,sha256=${'a'.repeat(64)},uri=s3://b/loans.parquet,kind=dataset`],
      { env: { PROBITY_DATA_DIR: dir } },
    );
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as { contentHash: string; durable: string };
    expect(printed.durable).toBe('kafka');
    const [message] = await readTopic(broker.kafka, topic, 1);
    expect(message!.key).toBe(printed.contentHash);
  });
});
