import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ADMIN_ROLES, READ_ROLES } from '../auth.js';
import { DLQ_REASONS, parseDlqEntryId, type DlqFilter } from '../dlq/dlq-entry.js';
import type { DlqService } from '../dlq/dlq-service.js';
import { AuditApiError, badParameter } from '../errors.js';
import { assertKnownParameters, assertRange, optionalDate, optionalText, type RawQuery } from '../query/params.js';
import { ALL_TENANTS, isValidTenant } from '../tokens/token-store.js';

/**
 * Which entries a caller may see: an operator (tenant `*`) every entry, those
 * whose tenant cannot be read included; anyone else only their tenant's.
 */
function scopeFor(request: FastifyRequest, asked: string | undefined): Pick<DlqFilter, 'tenant' | 'visibleTenants'> {
  const own = request.principal!.tenant;
  if (asked !== undefined && !isValidTenant(asked)) throw badParameter('tenant', 'not a valid tenant name');
  if (own === ALL_TENANTS) return asked === undefined ? {} : { tenant: asked };
  if (asked !== undefined && asked !== own) throw new AuditApiError('FORBIDDEN', 'this token may see only its own tenant\'s DLQ entries');
  return { visibleTenants: [own] };
}

function reasonParameter(reason: unknown, name = 'reason'): string | undefined {
  if (reason === undefined) return undefined;
  if (typeof reason !== 'string' || !DLQ_REASONS.includes(reason)) throw badParameter(name, `${name} must be one of ${DLQ_REASONS.join(', ')}`);
  return reason;
}

function service(dlq: DlqService | undefined): DlqService {
  if (!dlq) throw new AuditApiError('UNAVAILABLE', 'this API instance has no Kafka connection for the DLQ (KAFKA_BROKERS)');
  return dlq;
}

export function registerDlqRoutes(app: FastifyInstance, dlq: DlqService | undefined): void {
  app.get<{ Querystring: RawQuery }>('/v1/dlq', { config: { access: { roles: READ_ROLES } } }, async (request) => {
    assertKnownParameters(request.query, ['tenant', 'reason', 'from', 'to']);
    const from = optionalDate(request.query, 'from', 'lower');
    const to = optionalDate(request.query, 'to', 'upper');
    assertRange(from, to);
    const filter: DlqFilter = {
      ...scopeFor(request, optionalText(request.query, 'tenant')),
      ...(request.query.reason === undefined ? {} : { reason: reasonParameter(request.query.reason)! }),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    };
    return { items: await service(dlq).list(filter) };
  });

  app.get<{ Params: { id: string }; Querystring: RawQuery }>('/v1/dlq/:id', { config: { access: { roles: READ_ROLES } } }, async (request) => {
    assertKnownParameters(request.query, []);
    if (!parseDlqEntryId(request.params.id)) throw badParameter('id', 'a DLQ entry id is <partition>:<offset>, e.g. 0:17');
    const entry = await service(dlq).get(request.params.id, scopeFor(request, undefined));
    if (!entry) throw new AuditApiError('NOT_FOUND', `no DLQ entry ${request.params.id}`, { parameter: 'id' });
    return entry;
  });

  app.post<{ Body: unknown; Querystring: RawQuery }>('/v1/dlq/replay', { config: { access: { roles: ADMIN_ROLES } } }, async (request) => {
    assertKnownParameters(request.query, []);
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badParameter('body', 'the body must be a JSON object');
    const fields = body as Record<string, unknown>;
    for (const key of Object.keys(fields)) if (!['ids', 'reason', 'tenant'].includes(key)) throw badParameter(key, `unknown field ${JSON.stringify(key)}; allowed: ids, reason, tenant`);
    const { ids, tenant } = fields;
    const reason = reasonParameter(fields.reason);
    if (ids !== undefined) {
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > 10_000 || !ids.every((id) => typeof id === 'string' && parseDlqEntryId(id))) {
        throw badParameter('ids', 'ids must be a non-empty list of DLQ entry ids (<partition>:<offset>)');
      }
      if (reason !== undefined) throw badParameter('reason', 'give ids or reason, not both');
    } else if (reason === undefined) {
      throw badParameter('ids', 'say what to replay: ids (a list of DLQ entry ids) or reason');
    }
    if (tenant !== undefined && typeof tenant !== 'string') throw badParameter('tenant', 'tenant must be a string');
    const filter: DlqFilter = { ...scopeFor(request, tenant as string | undefined), ...(reason ? { reason } : {}) };
    return service(dlq).replay({ ...(ids ? { ids: ids as string[] } : {}), filter }, request.principal!.tokenId);
  });
}
