import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPublicKeyBase64, generateSigningKey } from '@probity/crypto';
import { TenantPolicies, parseTenantPolicies } from './tenant-policy.js';

const strict = JSON.stringify({ tenants: { acme: { requireEmitterSignatures: true } } });

function policyFile(content?: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'policies-')), 'tenants.json');
  if (content !== undefined) writeFileSync(file, content);
  return file;
}

/** Rewrite the file with a later modification time (mtime is what triggers a reload). */
function rewrite(file: string, content: string, secondsLater: number): void {
  writeFileSync(file, content);
  const at = new Date(Date.now() + secondsLater * 1000);
  utimesSync(file, at, at);
}

describe('TenantPolicies', () => {
  it('gives every tenant the default while no file exists, without an error', () => {
    const policies = new TenantPolicies(policyFile(), 0);
    expect(policies.get('acme').requireEmitterSignatures).toBe(false);
    expect(policies.lastReloadError).toBeNull();
  });

  it('keeps the last good policies when the file turns invalid or disappears, and says so until it is fixed', () => {
    const file = policyFile(strict);
    const policies = new TenantPolicies(file, 0);
    const loaded = policies.snapshot().version;
    rewrite(file, '{"tenants": {', 10);
    expect(policies.get('acme').requireEmitterSignatures).toBe(true);
    expect(policies.lastReloadError?.code).toBe('POLICY_INVALID');
    rmSync(file);
    expect(policies.get('acme').requireEmitterSignatures).toBe(true);
    expect(policies.lastReloadError?.message).toMatch(/is gone/);
    expect(policies.snapshot().version).toBe(loaded);
    rewrite(file, JSON.stringify({ tenants: {} }), 20);
    expect(policies.get('acme').requireEmitterSignatures).toBe(false);
    expect(policies.lastReloadError).toBeNull();
    expect(policies.snapshot().version).toBe(loaded + 1);
  });

  it('does not clear a reload error on checks skipped by its recheck interval', () => {
    const file = policyFile(strict);
    const policies = new TenantPolicies(file, 60_000);
    rewrite(file, 'not json', 10);
    // Let the next get() run a real check (the constructor's check started the interval).
    (policies as unknown as { lastCheckMs: number }).lastCheckMs = 0;
    policies.get('acme');
    expect(policies.lastReloadError?.code).toBe('POLICY_INVALID');
    policies.get('acme');
    expect(policies.lastReloadError?.code).toBe('POLICY_INVALID');
  });

  it('registers emitter keys under any key id scheme, and refuses key ids and public keys that cannot be used', () => {
    const key = exportPublicKeyBase64(generateSigningKey('e').publicKeyRaw);
    const policy = (keyId: unknown, publicKey: unknown = key) => ({ tenants: { acme: { emitterKeys: [{ keyId, publicKey, notBefore: '2024-01-01T00:00:00Z' }] } } });
    // securesystemslib's default key id (SHA-256 of the key's canonical JSON) and free-form ids are accepted.
    for (const keyId of ['9c'.repeat(32), 'ops-laptop-2026']) expect(parseTenantPolicies(policy(keyId), 'f').tenants.acme!.emitterKeys[0]!.keyId).toBe(keyId);
    for (const keyId of ['', 'a\nb', 'x'.repeat(257), 7]) expect(() => parseTenantPolicies(policy(keyId), 'f')).toThrow(expect.objectContaining({ code: 'POLICY_INVALID' }));
    for (const publicKey of ['', 'AAAA', key.slice(0, -4), `${key} `]) expect(() => parseTenantPolicies(policy('k', publicKey), 'f')).toThrow(/publicKey must be a raw 32-byte Ed25519 public key/);
  });
});
