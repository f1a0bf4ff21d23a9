import type { FastifyInstance } from 'fastify';
import { TABLES, type Warehouse } from '@probity/warehouse';
import { ADMIN_ROLES, assertMayAdminister } from '../auth.js';
import { AuditApiError, badParameter } from '../errors.js';
import { assertKnownParameters, optionalText, type RawQuery } from '../query/params.js';
import { ALL_TENANTS, createToken, isValidTenant, listTokens, parseExpiresIn, revokeToken, validateTokenInput, type Role } from '../tokens/token-store.js';

function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badParameter('body', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

function assertKnownFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) if (!allowed.includes(key)) throw badParameter(key, `unknown field ${JSON.stringify(key)}; allowed: ${allowed.join(', ')}`);
}

/** Writes: admin tokens only. An auditor token gets 403 here, whatever it asks. */
export function registerAdminRoutes(app: FastifyInstance, warehouse: Warehouse): void {
  const config = { access: { roles: ADMIN_ROLES } };

  app.post<{ Body: unknown; Querystring: RawQuery }>('/v1/admin/tokens', { config }, async (request, reply) => {
    assertKnownParameters(request.query, []);
    const body = bodyObject(request.body);
    assertKnownFields(body, ['tenant', 'role', 'expires_in']);
    validateTokenInput({ tenant: body.tenant, role: body.role });
    const tenant = body.tenant as string;
    if (tenant === ALL_TENANTS && request.principal?.tenant !== ALL_TENANTS) throw new AuditApiError('FORBIDDEN', 'only an operator admin token may create operator tokens');
    assertMayAdminister(request, tenant);
    let expiresAt: Date | undefined;
    if (body.expires_in !== undefined) {
      const ms = typeof body.expires_in === 'string' ? parseExpiresIn(body.expires_in) : undefined;
      if (ms === undefined) throw badParameter('expires_in', 'expires_in must look like 90d, 12h, 30m, 2w or 1y');
      expiresAt = new Date(Date.now() + ms);
    }
    const created = await createToken(warehouse, { tenant, role: body.role as Role, ...(expiresAt ? { expiresAt } : {}) });
    reply.code(201);
    return { token: created.token, ...created.record };
  });

  app.get<{ Querystring: RawQuery }>('/v1/admin/tokens', { config }, async (request) => {
    assertKnownParameters(request.query, ['tenant']);
    const asked = optionalText(request.query, 'tenant');
    const own = request.principal!.tenant;
    if (asked !== undefined) assertMayAdminister(request, asked);
    const tenant = asked ?? (own === ALL_TENANTS ? undefined : own);
    return { tokens: await listTokens(warehouse, tenant === undefined ? {} : { tenant }) };
  });

  app.post<{ Params: { id: string }; Querystring: RawQuery }>('/v1/admin/tokens/:id/revoke', { config }, async (request) => {
    assertKnownParameters(request.query, []);
    const own = request.principal!.tenant;
    const revoked = await revokeToken(warehouse, request.params.id, own === ALL_TENANTS ? {} : { tenant: own });
    if (!revoked) throw new AuditApiError('NOT_FOUND', `no token with id ${request.params.id}`, { parameter: 'id' });
    return revoked;
  });

  app.post<{ Params: { tenant: string }; Body: unknown; Querystring: RawQuery }>('/v1/tenants/:tenant/retention', { config }, async (request) => {
    assertKnownParameters(request.query, []);
    const tenant = request.params.tenant;
    if (!isValidTenant(tenant)) throw badParameter('tenant', 'not a valid tenant name');
    assertMayAdminister(request, tenant);
    const body = bodyObject(request.body);
    assertKnownFields(body, ['retention_years']);
    const years = body.retention_years;
    if (typeof years !== 'number' || !Number.isInteger(years) || years < 1 || years > 100) throw badParameter('retention_years', 'retention_years must be an integer from 1 to 100');
    const [current] = await warehouse.query<{ require_emitter_signatures: boolean; version: string }>(
      `SELECT require_emitter_signatures, version FROM ${TABLES.tenants} FINAL WHERE tenant = {tenant:String} LIMIT 1`,
      { tenant },
    );
    const updatedAt = new Date().toISOString();
    await warehouse.insert(TABLES.tenants, [
      {
        tenant,
        retention_years: years,
        require_emitter_signatures: current?.require_emitter_signatures ?? false,
        updated_at: updatedAt,
        version: Number(current?.version ?? 0) + 1,
      },
    ]);
    return { tenant, retention_years: years, updated_at: updatedAt, applies_to: 'evidence stored from now on (the sink reads the setting again every SINK_TENANT_SETTINGS_REFRESH_MS); stored rows keep the retention_until they were written with' };
  });
}
