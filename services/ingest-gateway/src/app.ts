import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { EmitError, type EncodedRecord, type Emitter } from '@probity/agent';
import { decodeEmitterBatchStatement, emitterBatchIncludes, encodeEmitterBatchHeader, parseEmitterBatchHeader } from '@probity/evidence';
import { HEADER } from '@probity/kafka';
import { parseManifestBody, type RecordSignature, type RequestIssue } from './request-body.js';
import type { TokenVerifier } from './tokens.js';

/** What the gateway needs from an emitter: encode a whole batch first, then send it. */
export type GatewayEmitter = Pick<Emitter, 'encode' | 'send'>;

export interface GatewayOptions {
  emitter: GatewayEmitter;
  tokens: TokenVerifier;
  /** Largest accepted request body. @defaultValue 1 MiB */
  bodyLimit?: number;
  /** Most records in one batch request. @defaultValue 1000 */
  maxRecordsPerRequest?: number;
  /** Seconds a 503 (Kafka unreachable) tells the client to wait, in `Retry-After`. @defaultValue 5 */
  retryAfterSeconds?: number;
  /** A pino-compatible logger; none when absent. */
  logger?: FastifyBaseLogger;
}

export type GatewayErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'TENANT_MISMATCH' | 'INVALID_REQUEST' | 'MANIFEST_INVALID' | 'BODY_TOO_LARGE' | 'SIGNATURE_INVALID' | 'UNAVAILABLE' | 'INTERNAL';

interface ErrorBody {
  error: { code: GatewayErrorCode; message: string; issues?: RequestIssue[] };
}

const EMITTER_ROLE = 'emitter';

function sendError(reply: FastifyReply, status: number, code: GatewayErrorCode, message: string, issues?: RequestIssue[]): FastifyReply {
  const body: ErrorBody = { error: { code, message, ...(issues ? { issues } : {}) } };
  return reply.code(status).send(body);
}

/**
 * The HTTP door for pipelines that cannot speak Kafka. `POST /v1/manifests`
 * takes one record or `{ "records": [...] }`, checks the bearer token
 * (role `emitter`, scoped to a tenant), validates every record before sending
 * any (all or nothing), and answers 202 once all are durable (in Kafka or the
 * emitter's spool). Concurrent requests share the emitter's batches (group
 * commit): each waits for the Kafka acknowledgement of the batch its records
 * went in. When the emitter does not spool and Kafka is unreachable, the
 * answer is 503 with `Retry-After` and nothing of the request was kept.
 * A batch may carry the emitter's signatures (see RecordSignature).
 * Returned un-listened so a combined process can mount it.
 */
export function buildGatewayApp(options: GatewayOptions): FastifyInstance {
  const maxRecords = options.maxRecordsPerRequest ?? 1000;
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, 'BODY_TOO_LARGE', `request body is larger than ${options.bodyLimit ?? 1024 * 1024} bytes`);
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendError(reply, status, 'INVALID_REQUEST', error.message);
    request.log.error({ err: error }, 'ingest request failed');
    return sendError(reply, 500, 'INTERNAL', 'internal error');
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.post('/v1/manifests', async (request, reply) => {
    const grant = await authenticate(options.tokens, request.headers.authorization);
    if (!grant) return sendError(reply, 401, 'UNAUTHENTICATED', 'a valid bearer token is required');
    if (grant.role !== EMITTER_ROLE) return sendError(reply, 403, 'FORBIDDEN', `role ${grant.role} may not emit evidence`);

    const parsed = parseManifestBody(request.body, maxRecords);
    if (!parsed.ok) return sendError(reply, 400, 'INVALID_REQUEST', 'the request body is not a record or a batch of records', parsed.issues);

    const encoded: EncodedRecord[] = [];
    const issues: RequestIssue[] = [];
    parsed.records.forEach((record, index) => {
      try {
        encoded.push(options.emitter.encode(parsed.recordType, record, { format: 'json' }));
      } catch (err) {
        if (!(err instanceof EmitError) || err.code !== 'MANIFEST_INVALID') throw err;
        for (const issue of err.issues) issues.push({ index, path: issue.path, message: issue.message });
      }
    });
    if (issues.length > 0) return sendError(reply, 400, 'MANIFEST_INVALID', `${new Set(issues.map((i) => i.index)).size} record(s) are invalid; nothing was accepted`, issues);

    const foreign = encoded.findIndex((r) => r.tenant !== grant.tenant);
    if (foreign >= 0) return sendError(reply, 403, 'TENANT_MISMATCH', `record ${foreign} belongs to tenant ${encoded[foreign]!.tenant}, but the token is for ${grant.tenant}`);

    if (parsed.signatures) {
      const signatureIssues = attachSignatures(encoded, parsed.signatures);
      if (signatureIssues.length > 0) return sendError(reply, 400, 'SIGNATURE_INVALID', 'emitter signatures do not fit their records; nothing was accepted', signatureIssues);
    }

    try {
      const results = await Promise.all(encoded.map((record) => options.emitter.send(record)));
      return reply.code(202).send({ results: results.map((r, index) => ({ index, contentHash: r.contentHash, durable: r.durable })) });
    } catch (err) {
      if (err instanceof EmitError) {
        request.log.error({ code: err.code, reason: err.message }, 'evidence could not be stored');
        void reply.header('retry-after', String(options.retryAfterSeconds ?? 5));
        return sendError(reply, 503, 'UNAVAILABLE', `evidence could not be stored (${err.code}); nothing of this request was accepted, retry later`);
      }
      throw err;
    }
  });

  return app;
}

async function authenticate(tokens: TokenVerifier, header: string | undefined) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  return tokens.verify(match[1]!);
}

/**
 * Put each record's emitter signature in the header the notary reads. The
 * gateway holds no emitter keys: it checks what it can without them (the
 * client's bytes are the gateway's bytes, the proof reaches the signed root,
 * the statement names the record's tenant) so a mismatch is a 400 here rather
 * than a dead letter later; the notary verifies the signatures.
 */
function attachSignatures(encoded: EncodedRecord[], signatures: readonly (RecordSignature | null)[]): RequestIssue[] {
  const issues: RequestIssue[] = [];
  signatures.forEach((signature, index) => {
    if (signature === null) return;
    const record = encoded[index]!;
    const path = `signatures[${index}]`;
    if (signature.contentHash !== record.contentHash) {
      issues.push({ index, path: `${path}.contentHash`, message: `the gateway encodes this record to ${record.contentHash}: the client signed other bytes` });
      return;
    }
    if (signature.emitterEnvelope !== undefined) {
      const list = signature.emitterEnvelope;
      if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'object' && s !== null && typeof (s as { sig?: unknown }).sig === 'string')) {
        issues.push({ index, path: `${path}.emitterEnvelope`, message: 'expected a non-empty array of DSSE signatures [{ "keyid", "sig" }]' });
        return;
      }
      record.message.headers[HEADER.emitterSignature] = JSON.stringify(list);
      return;
    }
    try {
      const proof = parseEmitterBatchHeader(JSON.stringify(signature.emitterBatch));
      const statement = decodeEmitterBatchStatement(Buffer.from(proof.payload, 'base64'));
      if (statement.tenant !== record.tenant) throw new Error(`the statement names tenant ${statement.tenant}, the record ${record.tenant}`);
      if (!emitterBatchIncludes(statement, Buffer.from(record.contentHash, 'hex'), proof.index, proof.proof)) throw new Error('the inclusion proof does not lead from this record to the signed root');
      record.message.headers[HEADER.emitterBatch] = encodeEmitterBatchHeader(proof);
    } catch (err) {
      issues.push({ index, path: `${path}.emitterBatch`, message: (err as Error).message });
    }
  });
  return issues;
}
