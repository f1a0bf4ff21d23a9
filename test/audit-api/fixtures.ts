import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inclusionProofFromHashes, leafHash, merkleRootFromHashes, signCheckpoint, toBase64, toHex, sha256Hex } from '@probity/crypto';
import { decodeStatement, deriveEvidenceSummary, encodeStatement, occurredAtMs, SIGNED_RECORD_FORMAT, type SignedRecord } from '@probity/evidence';
import { NotaryKeyStore, parsePublicKeyring, publicKeyringPath, toTrustedKeys } from '@probity/keystore';
import { defaultRegistry, type RecordType } from '@probity/schema';
import {
  TABLES, buildEvidenceRow, insertEvidenceDeduplicated, openWarehouse, runMigrations, type Warehouse,
} from '@probity/warehouse';
import { TransparencyLog, buildAuditApp, createToken, type Role } from '@probity/audit-api';
import type { FastifyInstance } from 'fastify';
import { repoRoot } from '../helpers/index.js';

const trainingExample = JSON.parse(readFileSync(path.join(repoRoot, 'schemas/examples/EvidenceManifest.training.json'), 'utf8')) as Record<string, unknown>;

export interface ManifestSpec {
  tenant: string;
  modelId: string;
  stage?: string;
  runId?: string;
  occurredAt: Date;
  controls?: string[];
}

/**
 * Makes evidence the way the notary does (record → statement → leaf in a
 * per-shard Merkle log → signed checkpoint → inclusion proof) and stores it
 * the way the sink does (evidence row + envelope_json without the record,
 * log leaves, checkpoint), so the API serves real, verifiable bundles.
 */
export class EvidenceFactory {
  readonly keys: NotaryKeyStore;
  private readonly leaves = new Map<number, Uint8Array[]>();
  private readonly registry = defaultRegistry();

  constructor(readonly keysDir: string, private readonly warehouse: Warehouse) {
    this.keys = new NotaryKeyStore(keysDir).openOrCreate(new Date('2020-01-01T00:00:00Z'));
  }

  static origin(shard: number): string {
    return `probity.test/log/shard/${shard}`;
  }

  notaryKeys() {
    const keyring = parsePublicKeyring(JSON.parse(readFileSync(publicKeyringPath(this.keysDir), 'utf8')), 'keyring');
    return toTrustedKeys(keyring).map((k, i) => ({ ...k, name: keyring.keys[i]!.name }));
  }

  /** One notarized batch on `shard`: leaves appended, one checkpoint, rows stored. Returns the bundles. */
  async notarize(shard: number, specs: readonly ManifestSpec[]): Promise<SignedRecord[]> {
    return this.notarizeRecords(
      shard,
      specs.map((spec) => ({
        recordType: 'EvidenceManifest' as const,
        json: {
          ...trainingExample,
          tenant: spec.tenant,
          manifest_id: randomUUID(),
          run_id: spec.runId ?? `run-${randomUUID()}`,
          model_id: spec.modelId,
          stage: spec.stage ?? 'TRAINING',
          occurred_at: spec.occurredAt.toISOString(),
          controls: spec.controls ?? ['iso42001:A.6.2.4'],
        },
      })),
    );
  }

  /** Records of any type (their JSON form, with `tenant` and `occurred_at`) notarized as one batch on `shard`. */
  async notarizeRecords(shard: number, records: readonly { recordType: RecordType; json: Record<string, unknown> }[]): Promise<SignedRecord[]> {
    const log = this.leaves.get(shard) ?? [];
    this.leaves.set(shard, log);
    const notarizedAt = new Date();
    const made = records.map(({ recordType, json }, i) => {
      const fingerprint = this.registry.current(recordType).fingerprintHex;
      const tenant = String(json.tenant);
      const parsed = this.registry.fromJson(recordType, json);
      if (!parsed.ok) throw new Error(`fixture ${recordType} invalid: ${JSON.stringify(parsed.issues)}`);
      const bytes = this.registry.encode(recordType, parsed.value);
      const contentHash = sha256Hex(bytes);
      const index = log.length + i;
      const statement = encodeStatement({
        v: 1, tenant, content_hash: contentHash, record_type: recordType, schema_fingerprint: fingerprint,
        log: EvidenceFactory.origin(shard), shard, index, notarized_at: notarizedAt.toISOString(), emitter_key_ids: [], emitter_signatures_sha256: null,
      });
      return { tenant, recordType, fingerprint, bytes, contentHash, index, statement, leaf: leafHash(statement) };
    });
    log.push(...made.map((m) => m.leaf));
    const size = log.length;
    const root = merkleRootFromHashes(log);
    const checkpoint = signCheckpoint({ origin: EvidenceFactory.origin(shard), size, rootHash: root }, this.keys.signingKeyAt(notarizedAt));
    const bundles: SignedRecord[] = made.map((m) => ({
      format: SIGNED_RECORD_FORMAT, tenant: m.tenant, content_hash: m.contentHash, record_type: m.recordType, schema_fingerprint: m.fingerprint,
      shard, leaf_index: m.index, record: m.bytes.toString('base64'), statement: m.statement.toString('base64'),
      emitter_envelope: null, notary_envelope: null, checkpoint, inclusion_proof: inclusionProofFromHashes(m.index, log).map((h) => toBase64(h)),
    }));

    // The row's readable fields derived as the sink derives them, so every document the API returns verifies.
    const rows = made.map((m, i) => {
      const { record: _record, ...envelope } = bundles[i]!;
      const decoded = this.registry.decode(m.bytes);
      const summary = deriveEvidenceSummary({ recordType: decoded.recordType, value: decoded.value as Record<string, unknown> }, decodeStatement(m.statement));
      return buildEvidenceRow({
        tenant: m.tenant, contentHash: m.contentHash, recordType: m.recordType, schemaFingerprint: m.fingerprint, modelId: summary.model_id,
        modelVersion: summary.model_version, stage: summary.stage, runId: summary.run_id, manifestId: summary.manifest_id,
        occurredAt: new Date(occurredAtMs(decoded.value as Record<string, unknown>)), notarizedAt, principal: summary.principal, controls: summary.controls, shard, leafIndex: m.index,
        record: m.bytes, recordJson: JSON.stringify(this.registry.toJson(m.recordType, decoded.value)), envelopeJson: JSON.stringify(envelope), ingestPartition: shard, ingestOffset: m.index,
      });
    });
    await insertEvidenceDeduplicated(this.warehouse, rows);
    // log_leaves_v1 is filled by the warehouse from each row's statement (migration 0006), as in production.
    await this.warehouse.insert(TABLES.checkpoints, [{ shard, size, root_hash_hex: toHex(root), signed_note: checkpoint, created_at: notarizedAt.toISOString() }]);
    return bundles;
  }

  /** Leaf hashes of a shard so far (for checking proofs independently). */
  leafHashes(shard: number): Uint8Array[] {
    return [...(this.leaves.get(shard) ?? [])];
  }
}

export interface AuditHarness {
  warehouse: Warehouse;
  app: FastifyInstance;
  factory: EvidenceFactory;
  dataDir: string;
  token(tenant: string, role: Role, expiresAt?: Date): Promise<string>;
  get(url: string, token?: string, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; headers: Record<string, unknown> }>;
  cleanup(): Promise<void>;
}

/** A chDB warehouse in a temp dir (this test process only), migrated, with the API on top. */
export async function auditHarness(): Promise<AuditHarness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'probity-audit-api-'));
  const database = 'probity';
  const warehouse = await openWarehouse({ database, dataDir: path.join(dataDir, 'chdb') });
  await runMigrations(warehouse, { database });
  const keysDir = path.join(dataDir, 'keys', 'notary');
  const factory = new EvidenceFactory(keysDir, warehouse);
  // Checkpoints written by a test must be visible at once: no reuse of the latest checkpoint.
  const app = await buildAuditApp({ warehouse, notaryKeysDir: keysDir, tokenVerifier: undefined, transparencyLog: new TransparencyLog(warehouse, 0) });
  return {
    warehouse,
    app,
    factory,
    dataDir,
    async token(tenant, role, expiresAt) {
      return (await createToken(warehouse, { tenant, role, ...(expiresAt ? { expiresAt } : {}) })).token;
    },
    async get(url, token, headers = {}) {
      const res = await app.inject({ method: 'GET', url, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
      let body: unknown;
      try {
        body = res.json();
      } catch {
        body = undefined;
      }
      return { status: res.statusCode, body, text: res.body, headers: res.headers };
    },
    async cleanup() {
      await app.close();
      await warehouse.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
