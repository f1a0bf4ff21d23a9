import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalogs } from '@probity/catalog';
import {
  createToken, ensureBootstrapAdminToken, openApiDocument, registeredRoutes, revokeToken, tokenHashHex, tokenIdOf, warehouseTokenVerifier,
} from '@probity/audit-api';
import { TABLES } from '@probity/warehouse';
import { runCli, waitFor } from '../helpers/index.js';
import { auditHarness, type AuditHarness } from './fixtures.js';

let h: AuditHarness;

async function post(url: string, token: string | undefined, body: unknown, raw?: string) {
  const res = await h.app.inject({
    method: 'POST',
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    payload: raw ?? JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.json() };
}

beforeAll(async () => {
  h = await auditHarness();
  const q2 = Date.UTC(2026, 3, 1);
  const q3 = Date.UTC(2026, 6, 1);
  await h.factory.notarize(0, [
    ...Array.from({ length: 6 }, (_, i) => ({ tenant: 'acme', modelId: 'credit-risk', occurredAt: new Date(q3 + i * 3600_000), controls: ['iso42001:A.6.2.4', 'iso42001:A.7.4'] })),
    ...Array.from({ length: 3 }, (_, i) => ({ tenant: 'acme', modelId: 'credit-risk', occurredAt: new Date(q3 + (10 + i) * 3600_000), controls: ['iso42001:A.6.2.4'] })),
    { tenant: 'acme', modelId: 'credit-risk', occurredAt: new Date(q2), controls: ['iso42001:A.5.2', 'custom:X1'] },
    { tenant: 'acme', modelId: 'credit-risk', occurredAt: new Date(q3 + 1000), controls: ['custom:X2'] },
    { tenant: 'globex', modelId: 'credit-risk', occurredAt: new Date(q3), controls: ['iso42001:A.9.2', 'custom:X1'] },
  ]);
});
afterAll(async () => {
  await h?.cleanup();
});

describe('tokens', () => {
  it('verify until revoked or expired; a revocation takes effect within the cache time', async () => {
    const verifier = warehouseTokenVerifier(h.warehouse, { cacheTtlMs: 300 });
    const { token, record } = await createToken(h.warehouse, { tenant: 'acme', role: 'auditor' });
    expect(await verifier.verify(token)).toEqual({ tenant: 'acme', role: 'auditor', tokenId: record.id });
    expect(record.id).toBe(tokenIdOf(tokenHashHex(token)));
    expect(await verifier.verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    await revokeToken(h.warehouse, record.id);
    await waitFor(async () => (await verifier.verify(token)) === null, { timeoutMs: 5000, message: 'revocation' });

    const short = await createToken(h.warehouse, { tenant: 'acme', role: 'auditor', expiresAt: new Date(Date.now() + 1500) });
    expect(await verifier.verify(short.token)).not.toBeNull();
    await waitFor(async () => (await verifier.verify(short.token)) === null, { timeoutMs: 5000, message: 'expiry' });
  });

  it('the bootstrap admin token is written 0600 and replaced (old one revoked) at each start', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'probity-bootstrap-'));
    try {
      const first = await ensureBootstrapAdminToken(h.warehouse, dir);
      expect(statSync(first.path).mode & 0o777).toBe(0o600);
      const second = await ensureBootstrapAdminToken(h.warehouse, dir);
      const verifier = warehouseTokenVerifier(h.warehouse, { cacheTtlMs: 0 });
      const { readFileSync } = await import('node:fs');
      expect(await verifier.verify(readFileSync(second.path, 'utf8').trim())).toMatchObject({ tenant: '*', role: 'admin' });
      const tokens = await (await import('@probity/audit-api')).listTokens(h.warehouse, { tenant: '*' });
      expect(tokens.find((t) => t.id === first.tokenId)?.revoked_at).not.toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('admin endpoints', () => {
  it('refuse auditors (403) and tenant admins of other tenants; accept admins', async () => {
    const auditor = await h.token('acme', 'auditor');
    const acmeAdmin = await h.token('acme', 'admin');
    const operator = await h.token('*', 'admin');

    expect((await post('/v1/tenants/acme/retention', auditor, { retention_years: 10 })).status).toBe(403);
    expect((await post('/v1/tenants/acme/retention', undefined, { retention_years: 10 })).status).toBe(401);
    expect((await post('/v1/tenants/globex/retention', acmeAdmin, { retention_years: 10 })).status).toBe(403);
    const ok = await post('/v1/tenants/acme/retention', acmeAdmin, { retention_years: 10 });
    expect(ok.status).toBe(200);
    expect((await post('/v1/tenants/acme/retention', operator, { retention_years: 12 })).status).toBe(200);
    const [row] = await h.warehouse.query<{ retention_years: number }>(`SELECT retention_years FROM ${TABLES.tenants} FINAL WHERE tenant = 'acme'`);
    expect(row?.retention_years).toBe(12);
    const bad = await post('/v1/tenants/acme/retention', acmeAdmin, { retention_years: 0 });
    expect(bad).toMatchObject({ status: 400, body: { error: { parameter: 'retention_years' } } });
    expect((await post('/v1/tenants/acme/retention', acmeAdmin, { retention_years: 5, extra: 1 })).body.error.parameter).toBe('extra');
    expect((await post('/v1/tenants/acme/retention', acmeAdmin, undefined, '{not json')).status).toBe(400);

    expect((await post('/v1/admin/tokens', auditor, { tenant: 'acme', role: 'auditor' })).status).toBe(403);
    expect((await post('/v1/admin/tokens', acmeAdmin, { tenant: 'globex', role: 'auditor' })).status).toBe(403);
    expect((await post('/v1/admin/tokens', acmeAdmin, { tenant: '*', role: 'admin' })).status).toBe(403);
    expect((await post('/v1/admin/tokens', acmeAdmin, { tenant: 'acme', role: 'root' })).body.error.parameter).toBe('role');
    expect((await post('/v1/admin/tokens', acmeAdmin, { tenant: 'acme', role: 'auditor', expires_in: 'soon' })).body.error.parameter).toBe('expires_in');
    const created = await post('/v1/admin/tokens', acmeAdmin, { tenant: 'acme', role: 'auditor', expires_in: '90d' });
    expect(created.status).toBe(201);
    expect(Date.parse(created.body.expires_at) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    expect((await h.get('/v1/evidence', created.body.token)).status).toBe(200);

    const listed = await h.get('/v1/admin/tokens', acmeAdmin);
    expect(listed.body.tokens.every((t: { tenant: string }) => t.tenant === 'acme')).toBe(true);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    expect((await h.get('/v1/admin/tokens?tenant=globex', acmeAdmin)).status).toBe(403);

    expect((await post(`/v1/admin/tokens/${created.body.id}/revoke`, auditor, {})).status).toBe(403);
    const revoked = await post(`/v1/admin/tokens/${created.body.id}/revoke`, acmeAdmin, {});
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    await waitFor(async () => (await h.get('/v1/evidence', created.body.token)).status === 401, { timeoutMs: 10_000, message: 'revoked token refused' });
  });
});

describe('GET /v1/coverage', () => {
  it('counts evidence per control over the period and lists the catalog\'s controls without evidence', async () => {
    const auditor = await h.token('acme', 'auditor');
    const res = await h.get('/v1/coverage?from=2026-07-01&to=2026-09-30&framework=iso42001', auditor);
    expect(res.status).toBe(200);
    expect(res.body.universe).toMatchObject({ source: 'catalog', size: defaultCatalogs().framework('iso42001').controls.length, catalogs: [{ framework: 'iso42001', edition: '2023', version: 1 }] });
    const records = Object.fromEntries(res.body.controls.map((c: { control: string; records: number }) => [c.control, c.records]));
    expect(records['iso42001:A.6.2.4']).toBe(9);
    expect(records['iso42001:A.7.4']).toBe(6);
    // A.5.2 has evidence only in Q2; A.9.2 only for another tenant.
    expect(records['iso42001:A.5.2']).toBe(0);
    expect(records['iso42001:A.9.2']).toBe(0);
    expect(res.body.gaps).toContain('iso42001:A.5.2');
    expect(res.body.gaps).not.toContain('iso42001:A.6.2.4');
    expect(res.body.covered).toBe(2);
    expect(res.body.gaps.length).toBe(defaultCatalogs().framework('iso42001').controls.length - 2);
  });

  it('uses the controls the tenant has ever had as the universe when the catalog does not know the framework, and says so', async () => {
    const auditor = await h.token('acme', 'auditor');
    const res = await h.get('/v1/coverage?from=2026-07-01&to=2026-09-30&framework=custom', auditor);
    expect(res.status).toBe(200);
    expect(res.body.universe.source).toBe('observed');
    expect(res.body.universe.description).toContain('any period');
    expect(res.body.controls).toEqual([
      { control: 'custom:X1', in_universe: true, records: 0 },
      { control: 'custom:X2', in_universe: true, records: 1 },
    ]);
    expect(res.body.gaps).toEqual(['custom:X1']);
    // Globex's own custom control shows up for globex only.
    const globex = await h.get('/v1/coverage?from=2026-07-01&to=2026-09-30&framework=custom', await h.token('globex', 'auditor'));
    expect(globex.body.controls).toEqual([{ control: 'custom:X1', in_universe: true, records: 1 }]);
  });

  it('needs a period and a valid framework', async () => {
    const auditor = await h.token('acme', 'auditor');
    expect((await h.get('/v1/coverage?to=2026-09-30', auditor)).body.error.parameter).toBe('from');
    expect((await h.get('/v1/coverage?from=2026-07-01', auditor)).body.error.parameter).toBe('to');
    expect((await h.get('/v1/coverage?from=2026-07-01&to=2026-09-30&framework=ISO 42001', auditor)).body.error.parameter).toBe('framework');
    expect((await h.get('/v1/coverage?from=2026-07-01&to=2026-09-30&period=q3', auditor)).body.error.parameter).toBe('period');
    expect((await h.get('/v1/coverage?from=2026-07-01&to=2026-09-30')).status).toBe(401);
  });
});

describe('public endpoints and the API description', () => {
  it('serves health, the public keyring and an OpenAPI document listing every route', async () => {
    const health = await h.get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const keys = await h.get('/v1/keys');
    expect(keys.status).toBe(200);
    expect(keys.body.keys[0]).toMatchObject({ name: expect.any(String), keyId: expect.any(String), publicKey: expect.any(String) });
    expect(keys.text).not.toMatch(/PRIVATE|pem/i);

    const doc = (await h.get('/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(openApiDocument.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
    const registered = registeredRoutes(h.app).map((r) => `${r.method} ${r.url}`);
    expect(documented.sort()).toEqual([...new Set(registered)].sort());
    expect(doc.paths['/v1/evidence'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['model_id', 'stage', 'run_id', 'record_type', 'control', 'from', 'to', 'limit', 'cursor', 'order', 'format']),
    );
    const unknown = await h.get('/v1/nothing', await h.token('acme', 'auditor'));
    expect(unknown.status).toBe(404);
  });
});

describe('probity token and probity query', () => {
  it('manage tokens directly in the warehouse when no services process runs', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'probity-cli-tokens-'));
    const env = { PROBITY_DATA_DIR: dataDir, CLICKHOUSE_URL: '', LOG_LEVEL: 'warn' };
    try {
      const created = await runCli(['token', 'create', '--tenant', 'acme', '--role', 'auditor', '--expires-in', '90d'], { env });
      expect(created.code, created.stderr).toBe(0);
      const token = JSON.parse(created.stdout);
      expect(token).toMatchObject({ tenant: 'acme', role: 'auditor', token: expect.stringMatching(/^pbt_/) });
      expect(created.stderr).toContain('embedded warehouse');
      const listed = await runCli(['token', 'list', '--tenant', 'acme', '--json'], { env });
      expect(JSON.parse(listed.stdout).map((t: { id: string }) => t.id)).toEqual([token.id]);
      expect(listed.stdout).not.toContain(token.token);
      const revoked = await runCli(['token', 'revoke', token.id], { env });
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(JSON.parse(revoked.stdout).revoked_at).not.toBeNull();
      const bad = await runCli(['token', 'create', '--tenant', 'acme', '--role', 'root'], { env });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('role');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('go through the running API with the bootstrap admin token while services hold the warehouse', async () => {
    // This test process plays the services process: it holds the chDB dir and serves the API.
    mkdirSync(path.join(h.dataDir, 'run'), { recursive: true });
    writeFileSync(path.join(h.dataDir, 'run', 'services.pid'), `${process.pid}\n`);
    await ensureBootstrapAdminToken(h.warehouse, h.dataDir);
    const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const env = { PROBITY_DATA_DIR: h.dataDir, PROBITY_API_URL: address, CLICKHOUSE_URL: '', PROBITY_TOKEN: '' };

    const created = await runCli(['token', 'create', '--tenant', 'acme', '--role', 'auditor'], { env });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toContain('running API');
    const token = JSON.parse(created.stdout).token as string;
    expect(await warehouseTokenVerifier(h.warehouse).verify(token)).toMatchObject({ tenant: 'acme', role: 'auditor' });

    const json = await runCli(['query', '--model-id', 'credit-risk', '--from', '2026-07-01', '--to', '2026-09-30', '--format', 'json', '--page-size', '2', '--token', token], { env });
    expect(json.code, json.stderr).toBe(0);
    const items = JSON.parse(json.stdout) as { occurred_at: string; model_id: string }[];
    expect(items.length).toBe(10);
    expect(items.map((i) => i.occurred_at)).toEqual(items.map((i) => i.occurred_at).sort().reverse());

    const csv = await runCli(['query', '--model-id', 'credit-risk', '--format', 'csv', '--order', 'asc', '--tenant', 'globex'], { env });
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.trim().split('\r\n').length).toBe(1 + 1);

    const table = await runCli(['query', '--model-id', 'credit-risk', '--limit', '3', '--token', token], { env });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.trim().split('\n').length).toBe(1 + 3);

    // Exports stream over a real socket too.
    const nd = await fetch(`${address}/v1/evidence?format=ndjson&order=asc`, { headers: { authorization: `Bearer ${token}` } });
    expect(nd.status).toBe(200);
    const lines = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBe(11);
    expect(lines.every((l) => l.bundle.tenant === 'acme')).toBe(true);

    const badDate = await runCli(['query', '--from', 'last-week', '--token', token], { env });
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--from');
    const noTenant = await runCli(['query'], { env });
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain('--tenant');
  });
});
