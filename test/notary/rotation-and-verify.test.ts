import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBundle, type SignedRecordMessage } from '@probity/evidence';
import { parsePublicKeyring, publicKeyringPath } from '@probity/keystore';
import { runCli } from '../helpers/index.js';
import { encodeManifest, manifestJson, notaryHarness, type NotaryHarness } from './fixtures.js';

let harness: NotaryHarness;
const work = mkdtempSync(path.join(tmpdir(), 'verify-cli-'));

beforeAll(async () => {
  harness = await notaryHarness(1);
  // Uncompressed signed batches here (NOTARY_SIGNED_COMPRESSION=none); the other notary tests use gzip, the default.
  await harness.startNotary(undefined, { signedCompression: 'none' });
});
afterAll(async () => {
  await harness.cleanup();
});

function writeBundle(record: SignedRecordMessage, name: string): string {
  const file = path.join(work, name);
  writeFileSync(file, JSON.stringify(toBundle(record), null, 2));
  return file;
}

describe('key rotation and offline verification', () => {
  it('rotates the notary key without a restart; old and new evidence verify offline with `probity verify`, tampering exits 1', async () => {
    const first = encodeManifest(manifestJson('acme', 1));
    await harness.produceRaw([{ key: first.contentHash, value: first.bytes }]);
    const {
      records: [before],
    } = await harness.readSigned(1);

    // `probity keys rotate` acts on <PROBITY_DATA_DIR>/keys/notary, where the running notary reads its keys.
    const rotate = await runCli(['keys', 'rotate'], { env: { PROBITY_DATA_DIR: path.dirname(path.dirname(harness.keysDir)) } });
    expect(rotate.code, rotate.stderr).toBe(0);
    const keyring = parsePublicKeyring(JSON.parse(readFileSync(publicKeyringPath(harness.keysDir), 'utf8')), 'keyring');
    expect(keyring.keys).toHaveLength(2);
    expect(keyring.keys[0]!.notAfter).toBeDefined();

    const second = encodeManifest(manifestJson('acme', 2));
    await harness.produceRaw([{ key: second.contentHash, value: second.bytes }]);
    const { records } = await harness.readSigned(2);
    const after = records.find((r) => r.content_hash === second.contentHash)!;

    const oldCheckpoint = before!.checkpoint;
    const newCheckpoint = after.checkpoint;
    expect(oldCheckpoint.split('\n').at(-2)).not.toBe(newCheckpoint.split('\n').at(-2));

    const keyringFile = publicKeyringPath(harness.keysDir);
    for (const [message, name] of [
      [before!, 'before.json'],
      [after, 'after.json'],
    ] as const) {
      const file = writeBundle(message, name);
      const result = await runCli(['verify', file, '--keyring', keyringFile]);
      expect(result.stdout).toContain('VALID');
      expect(result.code, result.stdout + result.stderr).toBe(0);
    }

    const tampered = JSON.parse(readFileSync(path.join(work, 'after.json'), 'utf8'));
    const record = Buffer.from(tampered.record, 'base64');
    record[record.length - 3] = record[record.length - 3]! ^ 0x04;
    tampered.record = record.toString('base64');
    writeFileSync(path.join(work, 'tampered.json'), JSON.stringify(tampered));
    const bad = await runCli(['verify', path.join(work, 'tampered.json'), '--keyring', keyringFile, '--json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report.valid).toBe(false);
    expect(report.reports[0].checks.find((c: { ok: boolean }) => !c.ok).name).toBe('content_hash');

    const missing = await runCli(['verify']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('needs a file');
  });
});
