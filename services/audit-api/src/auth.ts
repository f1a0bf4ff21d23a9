import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditApiError } from './errors.js';
import { ALL_TENANTS, isValidTenant, type Role } from './tokens/token-store.js';
import type { TokenVerifier, VerifiedToken } from './tokens/token-verifier.js';

/** What a route asks of the caller; set as the route's `config`. */
export interface RouteAccess {
  /** Roles allowed; empty = no token needed. */
  roles: readonly Role[];
}

export const TENANT_HEADER = 'x-probity-tenant';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: VerifiedToken;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** onRequest hook: 401 without a valid bearer token, 403 for a role the route does not allow. */
export function authenticate(verifier: TokenVerifier) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const access = request.routeOptions.config.access;
    if (!access || access.roles.length === 0) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    if (!match) throw new AuditApiError('UNAUTHORIZED', 'send a bearer token: Authorization: Bearer <token> (create one with `probity token create`)');
    const principal = await verifier.verify(match[1]!);
    if (!principal) throw new AuditApiError('UNAUTHORIZED', 'the token is unknown, revoked or expired');
    if (!access.roles.includes(principal.role)) {
      throw new AuditApiError('FORBIDDEN', `this endpoint needs a ${access.roles.join(' or ')} token; this token's role is ${principal.role}`);
    }
    request.principal = principal;
  };
}

/**
 * The tenant a request reads or changes. A tenant's token acts for its own
 * tenant only; an operator's admin token (tenant `*`) names the tenant in
 * the `X-Probity-Tenant` header.
 */
export function tenantOf(request: FastifyRequest): string {
  const principal = request.principal;
  if (!principal) throw new AuditApiError('UNAUTHORIZED', 'no token');
  const header = request.headers[TENANT_HEADER];
  const asked = typeof header === 'string' && header !== '' ? header : undefined;
  if (principal.tenant === ALL_TENANTS) {
    if (asked === undefined) throw new AuditApiError('BAD_REQUEST', `an operator admin token must name the tenant in the ${TENANT_HEADER} header`, { parameter: TENANT_HEADER });
    if (!isValidTenant(asked)) throw new AuditApiError('BAD_REQUEST', `${TENANT_HEADER} is not a valid tenant name`, { parameter: TENANT_HEADER });
    return asked;
  }
  if (asked !== undefined && asked !== principal.tenant) throw new AuditApiError('FORBIDDEN', 'this token belongs to another tenant');
  return principal.tenant;
}

/** For admin routes on one tenant: a tenant admin may act only on its own tenant. */
export function assertMayAdminister(request: FastifyRequest, tenant: string): void {
  const principal = request.principal;
  if (!principal) throw new AuditApiError('UNAUTHORIZED', 'no token');
  if (principal.tenant !== ALL_TENANTS && principal.tenant !== tenant) throw new AuditApiError('FORBIDDEN', 'this token may administer only its own tenant');
}

export const READ_ROLES: readonly Role[] = ['auditor', 'admin'];
export const ADMIN_ROLES: readonly Role[] = ['admin'];
