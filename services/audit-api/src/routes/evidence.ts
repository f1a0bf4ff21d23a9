import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { READ_ROLES, tenantOf } from '../auth.js';
import { AuditApiError } from '../errors.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import { encodeCursor } from '../query/cursor.js';
import { documentOf } from '../query/evidence-item.js';
import { parseEvidenceListQuery } from '../query/evidence-params.js';
import type { EvidenceRepository } from '../query/evidence-repository.js';
import { exportChunks } from '../query/export-format.js';
import { assertKnownParameters, parseHash, type RawQuery } from '../query/params.js';

export interface EvidenceRouteDeps {
  repository: EvidenceRepository;
  log: TransparencyLog;
}

export function registerEvidenceRoutes(app: FastifyInstance, deps: EvidenceRouteDeps): void {
  app.get<{ Params: { contentHash: string }; Querystring: RawQuery }>(
    '/v1/evidence/:contentHash',
    { config: { access: { roles: READ_ROLES } } },
    async (request) => {
      assertKnownParameters(request.query, []);
      const contentHash = parseHash(request.params.contentHash, 'contentHash');
      const tenant = tenantOf(request);
      const row = await deps.repository.byHash(tenant, contentHash);
      // Same answer whether the hash is unknown or another tenant's.
      if (!row) throw new AuditApiError('NOT_FOUND', `no evidence with content hash ${contentHash}`, { parameter: 'contentHash' });
      const document = documentOf(row);
      const fresh = await deps.log.proveAgainstLatest(document.shard, document.leaf_index).catch((err: unknown) => {
        // Leaves still being written: the stored bundle verifies on its own; the fresh proof can wait.
        if (err instanceof AuditApiError && err.code === 'LOG_NOT_READY') return undefined;
        throw err;
      });
      return {
        ...document,
        latest: fresh
          ? { checkpoint: fresh.checkpoint.signed_note, size: fresh.checkpoint.size, root_hash: fresh.checkpoint.root_hash, inclusion_proof: fresh.proof }
          : null,
      };
    },
  );

  app.get<{ Querystring: RawQuery }>('/v1/evidence', { config: { access: { roles: READ_ROLES } } }, async (request, reply) => {
    const tenant = tenantOf(request);
    const req = parseEvidenceListQuery(request.query, tenant);
    if (req.format === 'json') {
      const { rows, hasMore } = await deps.repository.page(tenant, { filters: req.filters, order: req.order, limit: req.limit!, after: req.after });
      const last = rows[rows.length - 1];
      return {
        items: rows.map(documentOf),
        next_cursor: hasMore && last ? encodeCursor({ occurredAt: String(last.occurred_at), contentHash: String(last.content_hash_hex) }, req.binding) : null,
        order: req.order,
        limit: req.limit,
      };
    }
    const iterator = deps.repository.export(tenant, { filters: req.filters, order: req.order, limit: req.limit, after: req.after })[Symbol.asyncIterator]();
    const first = await iterator.next();
    const chunks = exportChunks(first.done ? undefined : first.value, iterator, req.format);
    reply.header('content-type', req.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    // Fastify destroys the stream when the client goes away; exportChunks then stops the engine's stream.
    return reply.send(Readable.from(chunks));
  });
}
