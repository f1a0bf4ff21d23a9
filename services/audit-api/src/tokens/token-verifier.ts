import type { Warehouse } from '@probity/warehouse';
import { findTokenByHash, looksLikeToken, tokenHashHex, type Role } from './token-store.js';

export interface VerifiedToken {
  tenant: string;
  role: Role;
  tokenId: string;
}

/** What the audit API and the ingest gateway ask of a bearer token. */
export interface TokenVerifier {
  /** The token's tenant and role, or null when unknown, revoked or expired. */
  verify(token: string): Promise<VerifiedToken | null>;
}

export interface TokenVerifierOptions {
  /**
   * How long an answer is reused: a revocation takes effect within this time.
   * @defaultValue 2000
   */
  cacheTtlMs?: number;
  /** @defaultValue 10000 entries, oldest dropped first */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  until: number;
  token: (VerifiedToken & { expiresAt: number | null }) | null;
}

/** Verifies tokens against `api_tokens_v1`, caching each answer (hit or miss) briefly. */
export function warehouseTokenVerifier(warehouse: Warehouse, options: TokenVerifierOptions = {}): TokenVerifier {
  const ttl = options.cacheTtlMs ?? 2000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();

  return {
    async verify(token) {
      if (typeof token !== 'string' || !looksLikeToken(token)) return null;
      const hash = tokenHashHex(token);
      const t = now();
      let entry = cache.get(hash);
      if (!entry || entry.until <= t) {
        const record = await findTokenByHash(warehouse, hash);
        const usable = record !== undefined && record.revoked_at === null;
        entry = {
          until: t + ttl,
          token: usable ? { tenant: record.tenant, role: record.role, tokenId: record.id, expiresAt: record.expires_at ? Date.parse(record.expires_at) : null } : null,
        };
        cache.delete(hash);
        cache.set(hash, entry);
        if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
      }
      const found = entry.token;
      // Expiry is checked on every call, cached or not.
      if (!found || (found.expiresAt !== null && found.expiresAt <= t)) return null;
      return { tenant: found.tenant, role: found.role, tokenId: found.tokenId };
    },
  };
}
