import type { FastifyInstance } from 'fastify';
import { isGateName } from '@probity/policy';
import { READ_ROLES, tenantOf } from '../auth.js';
import { badParameter } from '../errors.js';
import { GateError, type GateService } from '../gates/gate-service.js';
import { assertKnownParameters, type RawQuery } from '../query/params.js';

/**
 * POST /v1/gates/{gate}/check {"run_id": "…"} with an emitter token (a CI
 * step) or an admin token. 200 with the decision, allow or deny, once its
 * PolicyDecision record is durable; 503 with the cause when the gate cannot
 * decide (evidence unreadable, no usable policy, decision not logged).
 */
export function registerGateRoutes(app: FastifyInstance, gates: GateService | undefined): void {
  // A compiled policy is ~150 KB of wasm (base64 in the body): this route alone takes bodies that large.
  app.post<{ Params: { gate: string }; Body: unknown; Querystring: RawQuery }>('/v1/gates/:gate/backtest', { config: { access: { roles: READ_ROLES } }, bodyLimit: 8 * 1024 * 1024 }, async (request, reply) => {
    assertKnownParameters(request.query, []);
    const tenant = tenantOf(request);
    const gate = request.params.gate;
    if (!isGateName(gate)) throw badParameter('gate', 'gate must be promotion or deployment');
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badParameter('body', 'the body must be a JSON object {"wasm_base64", "from", "to"}');
    const { wasm_base64: wasm, from, to, ...rest } = body as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw badParameter(extra, `unknown field ${JSON.stringify(extra)}; allowed: wasm_base64, from, to`);
    if (typeof wasm !== 'string' || wasm === '') throw badParameter('wasm_base64', 'wasm_base64 must hold the compiled policy (policy.wasm, base64)');
    const dates = [from, to].map((v, i) => {
      const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
      if (!Number.isFinite(ms)) throw badParameter(i === 0 ? 'from' : 'to', `${i === 0 ? 'from' : 'to'} must be an ISO-8601 date-time`);
      return new Date(ms);
    }) as [Date, Date];
    if (dates[0] >= dates[1]) throw badParameter('to', 'to must be after from');
    if (!gates) {
      reply.code(503);
      return { error: { code: 'GATE_UNAVAILABLE', message: 'this API instance has no gate service' } };
    }
    try {
      return await gates.backtest({ tenant, gate, wasm: new Uint8Array(Buffer.from(wasm, 'base64')), from: dates[0], to: dates[1] });
    } catch (err) {
      if (!(err instanceof GateError)) throw err;
      reply.code(503);
      return { error: { code: err.code, message: err.message } };
    }
  });

  app.post<{ Params: { gate: string }; Body: unknown; Querystring: RawQuery }>('/v1/gates/:gate/check', { config: { access: { roles: ['emitter', 'admin'] } } }, async (request, reply) => {
    assertKnownParameters(request.query, []);
    const tenant = tenantOf(request);
    const gate = request.params.gate;
    if (!isGateName(gate)) throw badParameter('gate', 'gate must be promotion or deployment');
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badParameter('body', 'the body must be a JSON object {"run_id": "…"}');
    const { run_id: runId, ...rest } = body as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw badParameter(extra, `unknown field ${JSON.stringify(extra)}; allowed: run_id`);
    if (typeof runId !== 'string' || runId === '' || runId.length > 256) throw badParameter('run_id', 'run_id must be a non-empty string of at most 256 characters');
    if (!gates) {
      reply.code(503);
      return { error: { code: 'GATE_UNAVAILABLE', message: 'this API instance has no gate service (no emitter or policy registry configured); no decision was made' } };
    }
    try {
      return await gates.check({ tenant, gate, runId, principal: { kind: 'SERVICE', id: `token:${request.principal!.tokenId}` } });
    } catch (err) {
      if (!(err instanceof GateError)) throw err;
      request.log.warn({ code: err.code, tenant, gate }, 'gate failed closed');
      reply.code(503);
      return { error: { code: err.code, message: err.message } };
    }
  });
}
