import { PassThrough } from 'node:stream';
import { writeAuditPackage, type PackageCheckpoint, type PackageConsistencyProof, type PackageDocument } from '@probity/audit-package';
import type { RequirementSet } from '@probity/compliance';
import { proveRecord, proveTree, toBase64, toHex, treeHash, type SigningKey } from '@probity/crypto';
import type { PublicKeyring } from '@probity/keystore';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { READ_ROLES, tenantOf } from '../auth.js';
import type { ControlCatalog } from '../coverage/control-catalog.js';
import { AuditApiError, badParameter } from '../errors.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import { documentOf } from '../query/evidence-item.js';
import type { EvidenceRepository } from '../query/evidence-repository.js';
import type { RawQuery } from '../query/params.js';
import { parseCoverageQuery } from './compliance.js';

export interface AuditPackageRouteDeps {
  repository: EvidenceRepository;
  log: TransparencyLog;
  catalog: ControlCatalog | undefined;
  requirements: RequirementSet;
  /** The key that signs package manifests (the notary's) and the public keyring verifiers get; undefined: packages cannot be built here. */
  signing: (() => { signer: SigningKey; keyring: PublicKeyring }) | undefined;
  now?: () => Date;
}

const checkpointSchema = z.object({
  shard: z.number().int().min(0).max(65_535),
  size: z.number().int().min(0),
  root_hash: z.string().regex(/^[0-9a-f]{64}$/),
  signed_note: z.string().min(1).max(8192),
}).strict();

const bodySchema = z.object({
  framework: z.string(),
  from: z.string(),
  to: z.string(),
  granularity: z.enum(['month', 'quarter']).optional(),
  as_of: z.string().optional(),
  model_id: z.string().optional(),
  /** Checkpoints an earlier package used: the package proves the log at its own checkpoints extends them. */
  previous_checkpoints: z.array(checkpointSchema).max(1024).optional(),
  /** Statement of Applicability entries; none: every control applicable. */
  applicability: z.array(z.object({ control: z.string(), applicable: z.boolean(), justification: z.string().optional(), owner: z.string().optional() }).strict()).max(10_000).optional(),
}).strict();

/**
 * `POST /v1/audit-packages`: builds and streams a signed audit package
 * (gzip tar) of the caller's tenant: every record coverage uses with its
 * proof against one checkpoint per shard, consistency proofs from earlier
 * checkpoints, the data files, the derived files, under a signed manifest.
 */
export function registerAuditPackageRoutes(app: FastifyInstance, deps: AuditPackageRouteDeps): void {
  const now = deps.now ?? (() => new Date());
  app.post<{ Body: unknown }>('/v1/audit-packages', { config: { access: { roles: READ_ROLES } } }, async (request, reply) => {
    const tenant = tenantOf(request);
    const parsed = bodySchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badParameter(String(issue.path[0] ?? 'body'), `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const body = parsed.data;
    const query: RawQuery = { framework: body.framework, from: body.from, to: body.to, ...(body.granularity ? { granularity: body.granularity } : {}), ...(body.as_of ? { as_of: body.as_of } : {}), ...(body.model_id ? { model_id: body.model_id } : {}) };
    const createdAt = now();
    const coverage = await parseCoverageQuery(query, tenant, deps, createdAt);
    if (!deps.signing) throw new AuditApiError('INTERNAL', 'this audit API has no signing key for packages (start it with the notary keys directory)');
    const { signer, keyring } = deps.signing();

    // One checkpoint per shard: every shard with records in the package, and every shard an earlier package used.
    const shards = await deps.repository.coverageShards(tenant, coverage.recordFilter);
    const minSize = new Map<number, number>(shards.map((s) => [s.shard, s.maxIndex + 1]));
    for (const p of body.previous_checkpoints ?? []) minSize.set(p.shard, Math.max(minSize.get(p.shard) ?? 0, p.size));
    const checkpoints: PackageCheckpoint[] = [];
    const readers = new Map<number, { size: number; read: Parameters<typeof treeHash>[1] }>();
    for (const [shard, size] of [...minSize].sort((a, b) => a[0] - b[0])) {
      const checkpoint = await deps.log.checkpointForPackage(shard, coverage.asOf, size);
      if (!checkpoint) throw new AuditApiError('LOG_NOT_READY', `shard ${shard} has no signed checkpoint covering ${size} leaves yet; retry shortly`);
      const hashes = await deps.log.hashesFor(checkpoint);
      if (toHex(treeHash(checkpoint.size, hashes.read)) !== checkpoint.root_hash) {
        throw new AuditApiError('LOG_INCONSISTENT', `shard ${shard}: the stored leaves do not give the root of the checkpoint of size ${checkpoint.size}`);
      }
      checkpoints.push({ shard, size: checkpoint.size, root_hash: checkpoint.root_hash, signed_note: checkpoint.signed_note });
      readers.set(shard, { size: checkpoint.size, read: hashes.read });
    }
    const consistency: PackageConsistencyProof[] = [];
    for (const previous of body.previous_checkpoints ?? []) {
      const reader = readers.get(previous.shard)!;
      if (toHex(treeHash(previous.size, reader.read)) !== previous.root_hash) {
        throw new AuditApiError('LOG_INCONSISTENT', `shard ${previous.shard}: the log at size ${previous.size} does not have the root of the earlier checkpoint`, { parameter: 'previous_checkpoints' });
      }
      consistency.push({ shard: previous.shard, from: previous, to_size: reader.size, proof: proveTree(reader.size, previous.size, reader.read).map((h) => toBase64(h)) });
    }

    // The Statement of Applicability: as given, else the SoA records the log held at as-of.
    const applicability = body.applicability ?? (await deps.repository.applicability(tenant, coverage.framework, coverage.asOf)).map((e) => ({ control: e.control, applicable: e.applicable, justification: e.justification, ...(e.owner ? { owner: e.owner } : {}) }));
    const repository = deps.repository;
    async function* documents(): AsyncIterable<PackageDocument> {
      for await (const row of repository.coverageRows(tenant, coverage.recordFilter)) {
        const document = documentOf(row);
        const reader = readers.get(document.shard)!;
        const checkpoint = checkpoints.find((c) => c.shard === document.shard)!;
        yield {
          ...document,
          latest: { checkpoint: checkpoint.signed_note, size: checkpoint.size, root_hash: checkpoint.root_hash, inclusion_proof: proveRecord(reader.size, document.leaf_index, reader.read).map((h) => toBase64(h)) },
        } as PackageDocument;
      }
    }

    const out = new PassThrough();
    const log = request.log;
    writeAuditPackage(
      {
        request: { tenant, framework: coverage.framework, from: coverage.from.toISOString(), to: coverage.to.toISOString(), granularity: coverage.granularity, as_of: coverage.asOf.toISOString(), model_id: coverage.modelId ?? null },
        createdAt,
        requirements: deps.requirements,
        catalog: {
          name: deps.catalog?.name ?? 'none',
          framework: coverage.framework,
          ...(deps.catalog?.sources ? { sources: deps.catalog.sources(coverage.framework) } : {}),
          controls: coverage.controls.map((c) => ({ id: c.id, ...(c.title ? { title: c.title } : {}) })),
        },
        applicability: applicability.map((a) => ({ control: a.control, applicable: a.applicable, ...(a.justification ? { justification: a.justification } : {}), ...(a.owner ? { owner: a.owner } : {}) })),
        soaSource: body.applicability ? 'applicability-map' : applicability.length > 0 ? 'soa-records' : 'derived-all-applicable',
        keyring,
        checkpoints,
        consistency,
        documents: documents(),
        signer,
      },
      out,
    ).catch((err: unknown) => {
      // Headers are gone: the client sees a truncated archive, which never verifies.
      log.error({ code: (err as { code?: string }).code ?? 'UNEXPECTED' }, 'audit package build failed');
      out.destroy(err as Error);
    });
    const stamp = createdAt.toISOString().replace(/[:.]/g, '-');
    reply.header('content-type', 'application/gzip');
    reply.header('content-disposition', `attachment; filename="audit-${tenant}-${coverage.framework}-${stamp}.tar.gz"`);
    return reply.send(out);
  });
}
