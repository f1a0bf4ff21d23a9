import type { FastifyInstance } from 'fastify';
import { ADMIN_ROLES, READ_ROLES, assertMayAdminister } from '../auth.js';
import { AuditApiError, badParameter } from '../errors.js';
import type { HoldScope, LegalHolds, PlaceHoldInput } from '../holds/legal-holds.js';
import { assertKnownParameters, assertRange, optionalDate, type RawQuery } from '../query/params.js';
import { isValidTenant } from '../tokens/token-store.js';

const SCOPES: readonly HoldScope[] = ['TENANT', 'MODEL', 'PERIOD'];

function bodyFields(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badParameter('body', 'the body must be a JSON object');
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!allowed.includes(key)) throw badParameter(key, `unknown field ${JSON.stringify(key)}; allowed: ${allowed.join(', ')}`);
  return fields;
}

function reasonOf(fields: Record<string, unknown>): string {
  const reason = fields.reason;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 2000) throw badParameter('reason', 'reason is required: why the hold is placed or lifted (1–2000 characters)');
  return reason;
}

/** A hold's scope and bounds from a request body: what it covers must be unambiguous. */
export function parsePlaceHold(body: unknown): PlaceHoldInput {
  const fields = bodyFields(body, ['scope', 'model_id', 'from', 'to', 'reason']);
  const scope = typeof fields.scope === 'string' ? fields.scope.toUpperCase() : undefined;
  if (!scope || !(SCOPES as readonly string[]).includes(scope)) throw badParameter('scope', 'scope must be tenant, model or period');
  const reason = reasonOf(fields);
  if (scope === 'MODEL') {
    if (typeof fields.model_id !== 'string' || fields.model_id === '') throw badParameter('model_id', 'a model hold needs model_id');
  } else if (fields.model_id !== undefined) throw badParameter('model_id', `model_id belongs to a model hold, not a ${scope.toLowerCase()} hold`);
  if (scope === 'PERIOD') {
    const dates = { from: fields.from, to: fields.to } as RawQuery;
    if (typeof fields.from !== 'string') throw badParameter('from', 'a period hold needs from (YYYY-MM-DD or RFC 3339)');
    if (typeof fields.to !== 'string') throw badParameter('to', 'a period hold needs to (YYYY-MM-DD or RFC 3339; a bare date includes that day)');
    const from = optionalDate(dates, 'from', 'lower')!;
    const to = optionalDate(dates, 'to', 'upper')!;
    assertRange(from, to);
    return { scope, from, to, reason };
  }
  if (fields.from !== undefined || fields.to !== undefined) throw badParameter(fields.from !== undefined ? 'from' : 'to', `from and to belong to a period hold, not a ${scope.toLowerCase()} hold`);
  return scope === 'MODEL' ? { scope, model_id: fields.model_id as string, reason } : { scope: 'TENANT', reason };
}

function holdsOf(holds: LegalHolds | undefined): LegalHolds {
  if (!holds) throw new AuditApiError('UNAVAILABLE', 'this API instance has no emitter for legal hold records (it needs Kafka)');
  return holds;
}

function tenantParam(tenant: string): string {
  if (!isValidTenant(tenant)) throw badParameter('tenant', 'not a valid tenant name');
  return tenant;
}

/** Placing and lifting: a tenant's admin (or the operator). Listing: also its auditors. */
export function registerHoldRoutes(app: FastifyInstance, holds: LegalHolds | undefined): void {
  app.post<{ Params: { tenant: string }; Body: unknown; Querystring: RawQuery }>('/v1/tenants/:tenant/holds', { config: { access: { roles: ADMIN_ROLES } } }, async (request, reply) => {
    assertKnownParameters(request.query, []);
    const tenant = tenantParam(request.params.tenant);
    assertMayAdminister(request, tenant);
    const input = parsePlaceHold(request.body);
    const placed = await holdsOf(holds).place(tenant, input, `token:${request.principal!.tokenId}`);
    reply.code(201);
    return placed;
  });

  app.post<{ Params: { tenant: string; id: string }; Body: unknown; Querystring: RawQuery }>(
    '/v1/tenants/:tenant/holds/:id/lift',
    { config: { access: { roles: ADMIN_ROLES } } },
    async (request) => {
      assertKnownParameters(request.query, []);
      const tenant = tenantParam(request.params.tenant);
      assertMayAdminister(request, tenant);
      const reason = reasonOf(bodyFields(request.body, ['reason']));
      return holdsOf(holds).lift(tenant, request.params.id, reason, `token:${request.principal!.tokenId}`);
    },
  );

  app.get<{ Params: { tenant: string }; Querystring: RawQuery }>('/v1/tenants/:tenant/holds', { config: { access: { roles: READ_ROLES } } }, async (request) => {
    assertKnownParameters(request.query, []);
    const tenant = tenantParam(request.params.tenant);
    assertMayAdminister(request, tenant);
    return { holds: await holdsOf(holds).list(tenant) };
  });
}
