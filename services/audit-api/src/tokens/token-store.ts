import { createHash, randomBytes } from 'node:crypto';
import { TABLES, type Warehouse } from '@probity/warehouse';
import { AuditApiError } from '../errors.js';

export const ROLES = ['auditor', 'emitter', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The tenant of an operator's admin token: it may act for any tenant (the `X-Probity-Tenant` header says which). */
export const ALL_TENANTS = '*';

const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TOKEN_PREFIX = 'pbt_';
const TOKEN = /^pbt_[A-Za-z0-9_-]{43}$/;
/** A token's id: the first 16 hex characters of its SHA-256, safe to show and log. */
const TOKEN_ID = /^[0-9a-f]{16}$/;

export interface TokenRecord {
  id: string;
  tenant: string;
  role: Role;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export function isValidTenant(tenant: string): boolean {
  return TENANT.test(tenant);
}

export function isTokenId(id: string): boolean {
  return TOKEN_ID.test(id);
}

/** Only the hash is stored; the token itself is shown once. */
export function tokenHashHex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function tokenIdOf(hashHex: string): string {
  return hashHex.slice(0, 16);
}

/** `pbt_` + 32 random bytes, base64url. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function looksLikeToken(value: string): boolean {
  return TOKEN.test(value);
}

/** `90d`, `12h`, `30m`, `2w`, `1y` → milliseconds; undefined when malformed. */
export function parseExpiresIn(text: string): number | undefined {
  const m = /^([1-9][0-9]{0,5})(m|h|d|w|y)$/.exec(text);
  if (!m) return undefined;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_557_600_000 }[m[2] as 'm' | 'h' | 'd' | 'w' | 'y'];
  return Number(m[1]) * unit;
}

export interface CreateTokenInput {
  tenant: string;
  role: Role;
  /** Omitted: never expires (revoke it when done). */
  expiresAt?: Date;
  now?: Date;
}

export function validateTokenInput(input: { tenant: unknown; role: unknown }): void {
  if (typeof input.role !== 'string' || !(ROLES as readonly string[]).includes(input.role)) {
    throw new AuditApiError('BAD_REQUEST', `role must be one of ${ROLES.join(', ')}`, { parameter: 'role' });
  }
  const tenant = input.tenant;
  const valid = typeof tenant === 'string' && (isValidTenant(tenant) || (tenant === ALL_TENANTS && input.role === 'admin'));
  if (!valid) {
    throw new AuditApiError('BAD_REQUEST', `tenant must match ${TENANT.source} (or be "*" for an operator's admin token)`, { parameter: 'tenant' });
  }
}

/** Creates a token; the returned `token` is the only time it is visible. */
export async function createToken(warehouse: Warehouse, input: CreateTokenInput): Promise<{ token: string; record: TokenRecord }> {
  validateTokenInput(input);
  const now = input.now ?? new Date();
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    throw new AuditApiError('BAD_REQUEST', 'the expiry must be in the future', { parameter: 'expires_in' });
  }
  const token = generateToken();
  const hash = tokenHashHex(token);
  await warehouse.insert(TABLES.apiTokens, [
    {
      token_hash_hex: hash,
      tenant: input.tenant,
      role: input.role,
      created_at: now.toISOString(),
      expires_at: input.expiresAt ? input.expiresAt.toISOString() : null,
      revoked_at: null,
      version: 1,
    },
  ]);
  return {
    token,
    record: { id: tokenIdOf(hash), tenant: input.tenant, role: input.role, created_at: now.toISOString(), expires_at: input.expiresAt?.toISOString() ?? null, revoked_at: null },
  };
}

interface TokenRow {
  h: string;
  tenant: string;
  role: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  version: string;
}

const TOKEN_SELECT = `SELECT lower(hex(token_hash)) AS h, tenant, role, created_at, expires_at, revoked_at, version FROM ${TABLES.apiTokens} FINAL`;

function recordOf(row: TokenRow): TokenRecord {
  const iso = (v: string | null) => (v === null ? null : `${v.replace(' ', 'T')}Z`);
  return { id: tokenIdOf(row.h), tenant: row.tenant, role: row.role as Role, created_at: iso(row.created_at)!, expires_at: iso(row.expires_at), revoked_at: iso(row.revoked_at) };
}

/** The token with this hash, revoked or not. */
export async function findTokenByHash(warehouse: Warehouse, hashHex: string): Promise<TokenRecord | undefined> {
  const [row] = await warehouse.query<TokenRow>(`${TOKEN_SELECT} WHERE token_hash = toFixedString(unhex({h:String}), 32) LIMIT 1`, { h: hashHex });
  return row ? recordOf(row) : undefined;
}

export async function listTokens(warehouse: Warehouse, options: { tenant?: string } = {}): Promise<TokenRecord[]> {
  const rows =
    options.tenant === undefined
      ? await warehouse.query<TokenRow>(`${TOKEN_SELECT} ORDER BY created_at, h`)
      : await warehouse.query<TokenRow>(`${TOKEN_SELECT} WHERE tenant = {tenant:String} ORDER BY created_at, h`, { tenant: options.tenant });
  return rows.map(recordOf);
}

/**
 * Revokes the token with this id (a new row version with `revoked_at`).
 * Undefined when no token has the id; revoking twice keeps the first time.
 * `tenant` limits which tokens the caller may revoke (a tenant's admin).
 */
export async function revokeToken(warehouse: Warehouse, id: string, options: { tenant?: string; now?: Date } = {}): Promise<TokenRecord | undefined> {
  if (!isTokenId(id)) throw new AuditApiError('BAD_REQUEST', 'a token id is 16 lowercase hex characters (see `probity token list`)', { parameter: 'id' });
  const rows = await warehouse.query<TokenRow>(`${TOKEN_SELECT} WHERE startsWith(lower(hex(token_hash)), {id:String})`, { id });
  const row = rows.find((r) => options.tenant === undefined || r.tenant === options.tenant);
  if (!row) return undefined;
  if (rows.length > 1) throw new AuditApiError('BAD_REQUEST', `token id ${id} is ambiguous`, { parameter: 'id' });
  if (row.revoked_at !== null) return recordOf(row);
  const revokedAt = (options.now ?? new Date()).toISOString();
  await warehouse.insert(TABLES.apiTokens, [
    {
      token_hash_hex: row.h,
      tenant: row.tenant,
      role: row.role,
      created_at: `${row.created_at.replace(' ', 'T')}Z`,
      expires_at: row.expires_at === null ? null : `${row.expires_at.replace(' ', 'T')}Z`,
      revoked_at: revokedAt,
      version: Number(row.version) + 1,
    },
  ]);
  return { ...recordOf(row), revoked_at: revokedAt };
}
