import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { MAX_KEY_ID_LENGTH, importPublicKeyBase64 } from '@probity/crypto';
import { NotaryError } from './errors.js';

const isRawEd25519 = (text: string): boolean => {
  try {
    importPublicKeyBase64(text);
    return true;
  } catch {
    return false;
  }
};

const emitterKeySchema = z.object({
  // Any id scheme the emitter uses (ours: SHA-256 of the raw key; securesystemslib: of the key's JSON); signatures only hint at it.
  keyId: z
    .string()
    .min(1, 'keyId is required')
    .max(MAX_KEY_ID_LENGTH, `keyId must be at most ${MAX_KEY_ID_LENGTH} characters`)
    .regex(/^[^\u0000-\u001F\u007F]*$/, 'keyId must not contain control characters'),
  publicKey: z.string().refine(isRawEd25519, 'publicKey must be a raw 32-byte Ed25519 public key in standard base64'),
  notBefore: z.string().datetime({ offset: true }),
  notAfter: z.string().datetime({ offset: true }).optional(),
});

const policyFileSchema = z.object({
  tenants: z.record(
    z.string(),
    z.object({
      requireEmitterSignatures: z.boolean().default(false),
      emitterKeys: z.array(emitterKeySchema).default([]),
      retentionYears: z.number().int().min(1).max(100).default(7),
    }),
  ),
});

export type TenantPolicyFile = z.infer<typeof policyFileSchema>;
export type TenantPolicy = TenantPolicyFile['tenants'][string];
export type EmitterKeyEntry = z.infer<typeof emitterKeySchema>;

const DEFAULT_POLICY: TenantPolicy = { requireEmitterSignatures: false, emitterKeys: [], retentionYears: 7 };

/** A tenant's policy in a policy file; tenants not listed get the default (no signatures required, 7 years). */
export function policyOf(file: TenantPolicyFile, tenant: string): TenantPolicy {
  return file.tenants[tenant] ?? DEFAULT_POLICY;
}

export function parseTenantPolicies(json: unknown, source: string): TenantPolicyFile {
  const result = policyFileSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new NotaryError('POLICY_INVALID', `tenant policy file ${source} is invalid:\n${lines}`);
  }
  return result.data;
}

/**
 * Per-tenant notarization policy (require emitter signatures, registered
 * emitter keys), read from a JSON file that `probity keys` maintains. The file
 * is re-read when its modification time changes, so registering a key or
 * requiring signatures takes effect without restarting the notary. A file
 * that turns invalid or disappears leaves the last good policies in force
 * (fail closed) and sets `lastReloadError` until it is fixed.
 */
export class TenantPolicies {
  private policies: TenantPolicyFile = { tenants: {} };
  private loadedMtimeMs = -1;
  private lastCheckMs = 0;

  constructor(private readonly file: string, private readonly recheckEveryMs = 1000) {
    this.reloadIfChanged(true);
  }

  /** The last reload problem, kept for health reporting while the last good policy stays in force. */
  lastReloadError: NotaryError | null = null;

  /** Bumped on every change of the policies in force, so copies elsewhere (inspect workers) know when to refresh. */
  version = 0;

  get(tenant: string): TenantPolicy {
    this.refresh();
    return policyOf(this.policies, tenant);
  }

  /** The policies in force (the last good file) and their version. */
  snapshot(): { version: number; policies: TenantPolicyFile } {
    this.refresh();
    return { version: this.version, policies: this.policies };
  }

  private refresh(): void {
    try {
      // A skipped (throttled) check says nothing new: the last verdict, good or bad, stands.
      if (this.reloadIfChanged(false) !== 'skipped') this.lastReloadError = null;
    } catch (err) {
      // A half-edited or vanished file must not stop notarization, nor lift a tenant's
      // requirements: keep enforcing the last good policy.
      this.lastReloadError = err as NotaryError;
    }
  }

  private reloadIfChanged(force: boolean): 'skipped' | 'checked' {
    const now = Date.now();
    if (!force && now - this.lastCheckMs < this.recheckEveryMs) return 'skipped';
    this.lastCheckMs = now;
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
    } catch {
      // No file yet: nobody has set a policy, every tenant gets the default.
      if (this.loadedMtimeMs === -1) return 'checked';
      throw new NotaryError('POLICY_INVALID', `tenant policy file ${this.file} is gone; still enforcing the policies last read from it (restore it, or write {"tenants":{}} to lift them)`);
    }
    if (mtimeMs === this.loadedMtimeMs) return 'checked';
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new NotaryError('POLICY_INVALID', `tenant policy file ${this.file} is not valid JSON: ${(err as Error).message}`);
    }
    this.policies = parseTenantPolicies(json, this.file);
    this.loadedMtimeMs = mtimeMs;
    this.version += 1;
    return 'checked';
  }
}
