import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { dataDirLayout } from '@probity/config';
import type { Warehouse } from '@probity/warehouse';
import { ALL_TENANTS, createToken, looksLikeToken, revokeToken, tokenHashHex, tokenIdOf } from './token-store.js';

/** `<data dir>/run/admin-token`: the local operator's admin credential (mode 0600). */
export function adminTokenPath(dataDir: string): string {
  return dataDirLayout(dataDir).adminTokenFile;
}

/**
 * Called by the process that serves the API at start: revokes the admin
 * token of the previous start (if its file is there) and writes a fresh
 * operator admin token (tenant `*`) to `<data dir>/run/admin-token`, mode
 * 0600. The CLI reads it to call admin endpoints while that process holds
 * the embedded warehouse.
 */
export async function ensureBootstrapAdminToken(warehouse: Warehouse, dataDir: string): Promise<{ path: string; tokenId: string }> {
  const file = adminTokenPath(dataDir);
  if (existsSync(file)) {
    const previous = readFileSync(file, 'utf8').trim();
    if (looksLikeToken(previous)) await revokeToken(warehouse, tokenIdOf(tokenHashHex(previous)));
  }
  const { token, record } = await createToken(warehouse, { tenant: ALL_TENANTS, role: 'admin' });
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { path: file, tokenId: record.id };
}
