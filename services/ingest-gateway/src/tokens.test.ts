import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashToken, loadTokenFile } from './tokens.js';

describe('token file', () => {
  it('verifies tokens stored only as SHA-256 hashes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'probity-tokens-'));
    try {
      const file = path.join(dir, 'tokens.json');
      await writeFile(file, JSON.stringify({ tokens: [{ sha256: hashToken('s3cret'), tenant: 'acme', role: 'emitter', name: 'ci' }] }));
      const verifier = await loadTokenFile(file);
      expect(await verifier.verify('s3cret')).toEqual({ tenant: 'acme', role: 'emitter' });
      expect(await verifier.verify('s3cret ')).toBeNull();

      await writeFile(file, JSON.stringify({ tokens: [{ sha256: 's3cret', tenant: 'acme', role: 'emitter' }] }));
      await expect(loadTokenFile(file)).rejects.toMatchObject({ code: 'TOKEN_FILE_INVALID' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
