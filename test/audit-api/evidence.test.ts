import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvLine, verifyEvidenceDocument, verifySignedRecord, type SignedRecord } from '@probity/evidence';
import { defaultRegistry } from '@probity/schema';
import { auditHarness, type AuditHarness, type ManifestSpec } from './fixtures.js';

let h: AuditHarness;
let acme: string;
let globex: string;
let acmeBundles: SignedRecord[] = [];
let globexBundles: SignedRecord[] = [];
const Q3 = Date.UTC(2026, 6, 1);
const DAY = 86_400_000;

function specs(tenant: string, count: number, offsetMs: number, extra: Partial<ManifestSpec> = {}): ManifestSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    tenant,
    modelId: 'credit-risk',
    stage: i % 3 === 0 ? 'EVALUATION' : 'TRAINING',
    runId: `run-${tenant}-${i % 4}`,
    // Some records share a timestamp: the cursor's tie-break on the hash must hold.
    occurredAt: new Date(Q3 + offsetMs + Math.floor(i / 2) * DAY),
    controls: i % 2 === 0 ? ['iso42001:A.6.2.4', 'iso42001:A.7.4'] : ['iso42001:A.6.2.4'],
    ...extra,
  }));
}

beforeAll(async () => {
  h = await auditHarness();
  acme = await h.token('acme', 'auditor');
  globex = await h.token('globex', 'auditor');
  // Tenants share the shards' logs, as in production.
  acmeBundles = [...(await h.factory.notarize(0, specs('acme', 24, 0))), ...(await h.factory.notarize(1, specs('acme', 16, 3600_000)))];
  globexBundles = await h.factory.notarize(0, specs('globex', 12, 1800_000));
});
afterAll(async () => {
  await h?.cleanup();
});

async function allPages(token: string, query: string, limit: number): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await h.get(`/v1/evidence?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, token);
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.next_cursor;
    pages += 1;
  } while (cursor !== null);
  return { items, pages };
}

describe('GET /v1/evidence/{contentHash}', () => {
  it('returns the record, a bundle that verifies, and a fresh proof under the latest checkpoint that verifies too', async () => {
    const notaryKeys = h.factory.notaryKeys();
    const first = acmeBundles[0]!;
    // More leaves after this record's batch: the latest checkpoint is newer than the stored one.
    const res = await h.get(`/v1/evidence/${first.content_hash}`, acme);
    expect(res.status).toBe(200);
    expect(res.body.content_hash).toBe(first.content_hash);
    expect(res.body.record.tenant).toBe('acme');
    expect(res.body.record.model_id).toBe('credit-risk');
    expect(res.body.bundle).toEqual(first);
    expect(verifySignedRecord(res.body.bundle, { notaryKeys }).valid).toBe(true);

    expect(res.body.latest.size).toBe(24 + 12);
    expect(res.body.latest.checkpoint).not.toBe(first.checkpoint);
    const fresh = { ...res.body.bundle, checkpoint: res.body.latest.checkpoint, inclusion_proof: res.body.latest.inclusion_proof };
    const report = verifySignedRecord(fresh, { notaryKeys });
    expect(report.valid).toBe(true);
    expect(report.checkpoint?.size).toBe(36);

    // A tampered fresh proof fails: the verification is real.
    const tampered = { ...fresh, inclusion_proof: [...fresh.inclusion_proof].reverse() };
    expect(verifySignedRecord(tampered, { notaryKeys }).valid).toBe(false);

    // The whole answer is a document whose every readable field the verifier derives again (invariant 6).
    const document = verifyEvidenceDocument(res.body, { notaryKeys, registry: defaultRegistry() });
    expect([document.valid, document.reports.length, document.fields?.ok]).toEqual([true, 2, true]);
    const misread = verifyEvidenceDocument({ ...res.body, run_id: 'another-run' }, { notaryKeys, registry: defaultRegistry() });
    expect(misread.valid).toBe(false);
    expect(misread.fields?.detail).toContain('run_id: the document says "another-run"');
  });

  it('answers 404 alike for an unknown hash and for another tenant\'s hash', async () => {
    const other = await h.get(`/v1/evidence/${globexBundles[0]!.content_hash}`, acme);
    const unknown = await h.get(`/v1/evidence/${'ab'.repeat(32)}`, acme);
    expect(other.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
    expect(other.body.error.message.replace(globexBundles[0]!.content_hash, 'H')).toBe(unknown.body.error.message.replace('ab'.repeat(32), 'H'));
    expect((await h.get(`/v1/evidence/${globexBundles[0]!.content_hash}`, globex)).status).toBe(200);
  });

  it('rejects a bad hash and unknown parameters, naming them', async () => {
    const bad = await h.get('/v1/evidence/not-a-hash', acme);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'BAD_REQUEST', parameter: 'contentHash' });
    const extra = await h.get(`/v1/evidence/${acmeBundles[0]!.content_hash}?verbose=1`, acme);
    expect(extra.status).toBe(400);
    expect(extra.body.error.parameter).toBe('verbose');
  });
});

describe('GET /v1/evidence (range queries)', () => {
  it('pages through a model\'s quarter newest first and oldest first, each record once', async () => {
    const expected = acmeBundles.map((b) => b.content_hash).sort();
    const desc = await allPages(acme, 'model_id=credit-risk&from=2026-07-01&to=2026-09-30', 7);
    expect(desc.pages).toBe(Math.ceil(40 / 7));
    expect(desc.items.map((i) => i.content_hash).sort()).toEqual(expected);
    const keys = desc.items.map((i) => `${i.occurred_at} ${i.content_hash}`);
    expect(keys).toEqual([...keys].sort().reverse());

    const asc = await allPages(acme, 'model_id=credit-risk&order=asc', 9);
    expect(asc.items.map((i) => `${i.occurred_at} ${i.content_hash}`)).toEqual([...keys].reverse());
    expect(asc.items[0].record.model_id).toBe('credit-risk');
    // Every item of a page is a verifiable document.
    const registry = defaultRegistry();
    const notaryKeys = h.factory.notaryKeys();
    expect(asc.items.filter((i) => !verifyEvidenceDocument(i, { notaryKeys, registry }).valid)).toEqual([]);
  });

  it('filters by stage, run id (through the run table), control, record type and period', async () => {
    const byStage = await allPages(acme, 'stage=EVALUATION', 100);
    expect(byStage.items.length).toBe(8 + 6);
    expect(byStage.items.every((i) => i.stage === 'EVALUATION')).toBe(true);

    const byRun = await allPages(acme, 'run_id=run-acme-1', 3);
    expect(byRun.items.length).toBe(6 + 4);
    expect(byRun.items.every((i) => i.run_id === 'run-acme-1')).toBe(true);

    const byRunAndStage = await allPages(acme, 'run_id=run-acme-0&stage=EVALUATION', 100);
    expect(byRunAndStage.items.every((i) => i.run_id === 'run-acme-0' && i.stage === 'EVALUATION')).toBe(true);
    expect(byRunAndStage.items.length).toBe(acmeBundles.filter((_, n) => n < 24 ? n % 4 === 0 && n % 3 === 0 : (n - 24) % 4 === 0 && (n - 24) % 3 === 0).length);

    const byControl = await allPages(acme, 'control=iso42001:A.7.4', 100);
    expect(byControl.items.length).toBe(12 + 8);
    expect(byControl.items.every((i) => i.controls.includes('iso42001:A.7.4'))).toBe(true);

    expect((await allPages(acme, 'record_type=EvidenceManifest', 1000)).items.length).toBe(40);
    expect((await allPages(acme, 'record_type=StudyResult', 1000)).items.length).toBe(0);

    const firstDays = await allPages(acme, 'from=2026-07-01&to=2026-07-02', 100);
    expect(firstDays.items.every((i) => i.occurred_at < '2026-07-03')).toBe(true);
    expect(firstDays.items.length).toBe(8);
    expect((await allPages(acme, 'run_id=no-such-run', 10)).items).toEqual([]);
  });

  it('keeps pages stable while rows are inserted between them', async () => {
    const tenant = 'stable-co';
    const token = await h.token(tenant, 'auditor');
    const initial = await h.factory.notarize(2, specs(tenant, 30, 0));
    const seen: string[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const res = await h.get(`/v1/evidence?limit=4${cursor ? `&cursor=${cursor}` : ''}`, token);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { content_hash: string }) => i.content_hash));
      cursor = res.body.next_cursor;
      // Newer, older and same-instant records arrive while the auditor pages.
      round += 1;
      if (round <= 3) await h.factory.notarize(2, specs(tenant, 3, round * 7 * 3600_000 - DAY * 30));
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    for (const b of initial) expect(seen).toContain(b.content_hash);
  });

  it('streams NDJSON exports with verifiable bundles and CSV exports, only of the caller\'s tenant', async () => {
    const notaryKeys = h.factory.notaryKeys();
    const nd = await h.get('/v1/evidence?format=ndjson&order=asc', acme);
    expect(nd.status).toBe(200);
    expect(nd.headers['content-type']).toContain('application/x-ndjson');
    const lines = nd.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBe(40);
    expect(new Set(lines.map((l) => l.bundle.tenant))).toEqual(new Set(['acme']));
    const registry = defaultRegistry();
    const reports = lines.map((line) => verifyEvidenceDocument(line, { notaryKeys, registry }));
    expect(reports.filter((r) => !r.valid)).toEqual([]);

    // Each CSV row is the CSV form of what the verifier derives from the record with that hash.
    const globexLines = (await h.get('/v1/evidence?format=ndjson&model_id=credit-risk', globex)).text.trim().split('\n').map((l) => JSON.parse(l));
    const derivedRows = new Map(globexLines.map((l) => {
      const report = verifyEvidenceDocument(l, { notaryKeys, registry });
      expect(report.valid).toBe(true);
      return [l.content_hash as string, csvLine(report.derived!).trimEnd()];
    }));
    const csv = await h.get('/v1/evidence?format=csv&model_id=credit-risk', globex);
    expect(csv.status).toBe(200);
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toMatch(/^content_hash,record_type,/);
    expect(rows.length).toBe(1 + 12);
    const csvHashes = rows.slice(1).map((r) => r.split(',')[0]);
    expect(csvHashes.sort()).toEqual(globexBundles.map((b) => b.content_hash).sort());
    for (const row of rows.slice(1)) expect(row).toBe(derivedRows.get(row.split(',')[0]!));

    const capped = await h.get('/v1/evidence?format=ndjson&limit=5', acme);
    expect(capped.text.trim().split('\n').length).toBe(5);
  });

  it('never lets a tenant see another tenant\'s rows, through any filter, cursor or export', async () => {
    const acmeHashes = new Set(acmeBundles.map((b) => b.content_hash));
    const g = await allPages(globex, 'model_id=credit-risk', 5);
    expect(g.items.length).toBe(12);
    expect(g.items.some((i) => acmeHashes.has(i.content_hash))).toBe(false);
    expect((await allPages(globex, 'run_id=run-acme-1', 10)).items).toEqual([]);

    // A cursor issued to acme is refused for globex (same filters), in pages and exports.
    const page = await h.get('/v1/evidence?model_id=credit-risk&limit=5', acme);
    const cursor = page.body.next_cursor as string;
    for (const format of ['json', 'ndjson', 'csv']) {
      const replay = await h.get(`/v1/evidence?model_id=credit-risk&limit=5&format=${format}&cursor=${cursor}`, globex);
      expect(replay.status).toBe(400);
      expect(replay.body.error.parameter).toBe('cursor');
    }
    const ndjson = await h.get('/v1/evidence?format=ndjson', globex);
    expect(ndjson.text.trim().split('\n').every((l) => JSON.parse(l).bundle.tenant === 'globex')).toBe(true);
  });

  it('answers 400 naming the parameter for bad input', async () => {
    const cases: [string, string][] = [
      ['limit=1001', 'limit'],
      ['limit=0', 'limit'],
      ['limit=ten', 'limit'],
      ['from=2026-13-01', 'from'],
      ['from=yesterday', 'from'],
      ['to=2026-02-30', 'to'],
      ['from=2026-09-01&to=2026-07-01', 'to'],
      ['order=sideways', 'order'],
      ['format=xml', 'format'],
      ['cursor=%%%', 'cursor'],
      ['cursor=eyJ2IjoxfQ', 'cursor'],
      ['modelid=x', 'modelid'],
      ['model_id=a&model_id=b', 'model_id'],
    ];
    for (const [query, parameter] of cases) {
      const res = await h.get(`/v1/evidence?${query}`, acme);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
      expect(res.body.error.parameter, query).toBe(parameter);
    }
    // A cursor is bound to its filters and order.
    const page = await h.get('/v1/evidence?stage=TRAINING&limit=2', acme);
    for (const changed of ['stage=EVALUATION', 'stage=TRAINING&order=asc', 'stage=TRAINING&model_id=credit-risk']) {
      const res = await h.get(`/v1/evidence?${changed}&limit=2&cursor=${page.body.next_cursor}`, acme);
      expect(res.status).toBe(400);
      expect(res.body.error.parameter).toBe('cursor');
    }
    // Same filters, other page size: the cursor continues.
    expect((await h.get(`/v1/evidence?stage=TRAINING&limit=3&cursor=${page.body.next_cursor}`, acme)).status).toBe(200);
  });

  it('requires a token with a read role, and an operator admin names the tenant in a header', async () => {
    expect((await h.get('/v1/evidence')).status).toBe(401);
    expect((await h.get('/v1/evidence', 'pbt_' + 'x'.repeat(43))).status).toBe(401);
    const emitter = await h.token('acme', 'emitter');
    const forbidden = await h.get('/v1/evidence', emitter);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    expect((await h.get('/v1/evidence', acme, { 'x-probity-tenant': 'globex' })).status).toBe(403);

    const operator = await h.token('*', 'admin');
    const missing = await h.get('/v1/evidence', operator);
    expect(missing.status).toBe(400);
    expect(missing.body.error.parameter).toBe('x-probity-tenant');
    const asGlobex = await h.get('/v1/evidence?limit=100', operator, { 'x-probity-tenant': 'globex' });
    expect(asGlobex.status).toBe(200);
    expect(asGlobex.body.items.length).toBe(12);
  });
});
