import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '@probity/crypto';
import { PolicyError } from './errors.js';
import type { GateName } from './gate-input.js';

/** A version the registry accepted: its PolicyVersion record is durable in the log. */
export interface RegisteredPolicyVersion {
  policy_id: string;
  gate: GateName;
  version: number;
  source_sha256: string;
  tests_sha256: string;
  wasm_sha256: string;
  entrypoint: string;
  compiler: string;
  tests_passed: number;
  added_at: string;
  /** Content hash of the PolicyVersion record. */
  record_hash: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function assertName(value: string, what: string): string {
  if (!NAME.test(value)) throw new TypeError(`${what} must match ${NAME.source}`);
  return value;
}

/**
 * The policy registry on disk: sources, tests and compiled wasm kept
 * write-once under their SHA-256 (checked again on every read), and per
 * tenant and gate the list of accepted versions, newest last.
 */
export class PolicyStore {
  constructor(readonly dir: string) {}

  private blobPath(hash: string): string {
    if (!HEX64.test(hash)) throw new TypeError('a blob address is a lowercase hex SHA-256');
    return path.join(this.dir, 'blobs', hash.slice(0, 2), hash);
  }

  private indexPath(tenant: string, gate: GateName): string {
    return path.join(this.dir, 'tenants', assertName(tenant, 'tenant'), `${assertName(gate, 'gate')}.json`);
  }

  /** Stores bytes under their SHA-256 and returns it; storing them again changes nothing. */
  async putBlob(bytes: Uint8Array): Promise<string> {
    const hash = sha256Hex(bytes);
    const file = this.blobPath(hash);
    await mkdir(path.dirname(file), { recursive: true });
    try {
      await writeFile(file, bytes, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      await this.getBlob(hash);
    }
    return hash;
  }

  async getBlob(hash: string): Promise<Uint8Array> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.blobPath(hash));
    } catch (err) {
      throw new PolicyError('POLICY_STORE_CORRUPT', `policy blob ${hash} is missing from ${this.dir}`, { cause: err });
    }
    if (sha256Hex(bytes) !== hash) throw new PolicyError('POLICY_STORE_CORRUPT', `policy blob ${hash} does not hash to its address`);
    return new Uint8Array(bytes);
  }

  async versions(tenant: string, gate: GateName): Promise<RegisteredPolicyVersion[]> {
    try {
      const parsed = JSON.parse(await readFile(this.indexPath(tenant, gate), 'utf8')) as { versions?: RegisteredPolicyVersion[] };
      return Array.isArray(parsed.versions) ? parsed.versions : [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async latest(tenant: string, gate: GateName): Promise<RegisteredPolicyVersion | undefined> {
    return (await this.versions(tenant, gate)).at(-1);
  }

  /** The version after the latest one (1 for the first). */
  async nextVersion(tenant: string, gate: GateName): Promise<number> {
    return ((await this.latest(tenant, gate))?.version ?? 0) + 1;
  }

  /** Appends an accepted version (atomically: a reader sees the old list or the new one). */
  async accept(tenant: string, entry: RegisteredPolicyVersion): Promise<void> {
    const current = await this.versions(tenant, entry.gate);
    if (current.some((v) => v.version === entry.version)) throw new PolicyError('POLICY_STORE_CORRUPT', `version ${entry.version} of ${entry.gate} is already registered for ${tenant}`);
    const file = this.indexPath(tenant, entry.gate);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ versions: [...current, entry] }, null, 2)}\n`);
    await rename(tmp, file);
  }
}
