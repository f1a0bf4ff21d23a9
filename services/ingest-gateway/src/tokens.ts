import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ProbityError } from '@probity/errors';

export type TokenRole = 'emitter' | 'auditor' | 'admin';

export interface TokenGrant {
  tenant: string;
  role: string;
}

/** Resolves a bearer token to what it may do; null when unknown. The warehouse-backed one lives with the audit API. */
export interface TokenVerifier {
  verify(token: string): Promise<TokenGrant | null>;
}

/** One stored token: only the SHA-256 of the token is kept, never the token. */
export interface StoredToken {
  /** Lowercase hex SHA-256 of the token's UTF-8 bytes. */
  sha256: string;
  tenant: string;
  role: string;
  /** A label for operators (which pipeline holds it). */
  name?: string;
}

export class TokenFileError extends ProbityError<'TOKEN_FILE_INVALID'> {}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Tokens held in memory by hash: for local mode and tests. */
export class StaticTokenVerifier implements TokenVerifier {
  private readonly byHash: Map<string, TokenGrant>;

  constructor(tokens: readonly StoredToken[]) {
    this.byHash = new Map(tokens.map((t) => [t.sha256.toLowerCase(), { tenant: t.tenant, role: t.role }]));
  }

  async verify(token: string): Promise<TokenGrant | null> {
    return this.byHash.get(hashToken(token)) ?? null;
  }
}

/**
 * Reads `{ "tokens": [{ "sha256", "tenant", "role", "name"? }] }`. Make an
 * entry with `node -e 'console.log(require("crypto").createHash("sha256").update(process.argv[1]).digest("hex"))' <token>`.
 */
export async function loadTokenFile(file: string): Promise<StaticTokenVerifier> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new TokenFileError('TOKEN_FILE_INVALID', `cannot read the token file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const tokens = (parsed as { tokens?: unknown }).tokens;
  if (!Array.isArray(tokens)) throw new TokenFileError('TOKEN_FILE_INVALID', `${file}: expected { "tokens": [...] }`);
  const stored = tokens.map((t, i): StoredToken => {
    const entry = t as Partial<StoredToken>;
    if (typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(entry.sha256)) {
      throw new TokenFileError('TOKEN_FILE_INVALID', `${file}: tokens[${i}].sha256 must be 64 hex characters (the token's SHA-256, never the token)`);
    }
    if (typeof entry.tenant !== 'string' || entry.tenant === '') throw new TokenFileError('TOKEN_FILE_INVALID', `${file}: tokens[${i}].tenant is missing`);
    if (typeof entry.role !== 'string' || entry.role === '') throw new TokenFileError('TOKEN_FILE_INVALID', `${file}: tokens[${i}].role is missing`);
    return { sha256: entry.sha256, tenant: entry.tenant, role: entry.role, name: entry.name };
  });
  return new StaticTokenVerifier(stored);
}
