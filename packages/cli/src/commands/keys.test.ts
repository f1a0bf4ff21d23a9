import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPublicKeyBase64, generateSigningKey } from '@probity/crypto';
import { dataDirLayout } from '@probity/config';
import type { CliIo } from '../command.js';
import { EXIT_USAGE, runCli } from '../main.js';
import { keys } from './keys.js';

function memoryIo(env: NodeJS.ProcessEnv): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', env, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('probity keys register', () => {
  it("registers an emitter key under the emitter's own key id scheme, one entry per key", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'cli-keys-'));
    const env = { PROBITY_DATA_DIR: dataDir };
    const key = generateSigningKey('python-emitter');
    const publicKey = exportPublicKeyBase64(key.publicKeyRaw);
    const policyOf = async () => JSON.parse(await readFile(dataDirLayout(dataDir).tenantPolicyFile, 'utf8')).tenants.acme;

    expect(await runCli(['keys', 'register', '--tenant', 'acme', '--public-key', publicKey], memoryIo(env), [keys])).toBe(0);
    expect((await policyOf()).emitterKeys.map((k: { keyId: string }) => k.keyId)).toEqual([key.keyId]);
    // securesystemslib's default key id: SHA-256 of the key's canonical JSON, not of the raw key. Re-registering replaces.
    const sslibId = 'd1'.repeat(32);
    expect(await runCli(['keys', 'register', '--tenant', 'acme', '--public-key', publicKey, '--key-id', sslibId], memoryIo(env), [keys])).toBe(0);
    expect((await policyOf()).emitterKeys).toEqual([{ keyId: sslibId, publicKey, notBefore: expect.any(String) }]);

    const bad = memoryIo(env);
    expect(await runCli(['keys', 'register', '--tenant', 'acme', '--public-key', publicKey, '--key-id', 'a\u0007b'], bad, [keys])).toBe(EXIT_USAGE);
    expect(bad.err).toContain('--key-id must be 1 to 256 characters');
  });
});
