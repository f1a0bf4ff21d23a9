import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/index.js';
import { auditHarness, type AuditHarness, type ManifestSpec } from './fixtures.js';

let h: AuditHarness;
let acme: string;
let globex: string;
let between: Date;
const DAY = 86_400_000;
const now = Date.now();
// The current quarter, and the one before it (closed long enough ago for back-dated records to be late).
const quarterStart = (t: number) => {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
};
const current = quarterStart(now);
const previous = quarterStart(current - DAY);
const label = (t: number) => `${new Date(t).getUTCFullYear()}-Q${Math.floor(new Date(t).getUTCMonth() / 3) + 1}`;
const from = new Date(previous).toISOString().slice(0, 10);
const to = new Date(now + DAY).toISOString().slice(0, 10);
const spec = (stage: string, occurredAt: number, tenant = 'acme'): ManifestSpec => ({ tenant, modelId: 'credit-risk', stage, occurredAt: new Date(occurredAt), controls: [] });
const recent = Math.max(current, now - 2 * DAY);

beforeAll(async () => {
  h = await auditHarness();
  acme = await h.token('acme', 'auditor');
  globex = await h.token('globex', 'auditor');
  await h.factory.notarize(0, [spec('EVALUATION', recent)]);
  await new Promise((r) => setTimeout(r, 20));
  between = new Date();
  await new Promise((r) => setTimeout(r, 20));
  // A training run this quarter, and an evaluation back-dated into the closed previous quarter.
  await h.factory.notarize(1, [spec('TRAINING', recent), spec('EVALUATION', previous + 10 * DAY)]);
});
afterAll(async () => {
  await h?.cleanup();
});

const cellOf = (body: any, control: string, period: string) => body.rows.find((r: any) => r.control === control).cells.find((c: any) => c.period === period);

describe('GET /v1/coverage/matrix', () => {
  it('applies the default evidence requirements to untagged records, per quarter', async () => {
    const res = await h.get(`/v1/coverage/matrix?framework=iso42001&from=${from}&to=${to}`, acme);
    expect(res.status).toBe(200);
    expect(res.body.requirements).toEqual({ id: 'probity-default', version: '1' });
    expect(res.body.periods.map((p: any) => p.label)).toEqual([label(previous), label(current)]);
    // EVALUATION manifests evidence A.6.2.4, TRAINING manifests A.6.1.3, though no record names a control.
    expect(cellOf(res.body, 'iso42001:A.6.2.4', label(current))).toMatchObject({ state: 'covered', records: 1 });
    expect(cellOf(res.body, 'iso42001:A.6.1.3', label(current))).toMatchObject({ state: 'covered', records: 1 });
    expect(cellOf(res.body, 'iso42001:A.9.2', label(current))).toMatchObject({ state: 'missing', records: 0 });
  });

  it('shows evidence back-dated into a closed quarter as late, without filling its gap', async () => {
    const res = await h.get(`/v1/coverage/matrix?framework=iso42001&from=${from}&to=${to}`, acme);
    const closed = cellOf(res.body, 'iso42001:A.6.2.4', label(previous));
    expect(closed).toMatchObject({ state: 'missing', records: 0, lateRecords: 1 });
    expect(closed.reason).toContain('notarized late');
  });

  it('answers as of a past moment exactly what the log held then', async () => {
    const res = await h.get(`/v1/coverage/matrix?framework=iso42001&from=${from}&to=${to}&as_of=${between.toISOString()}`, acme);
    expect(res.status).toBe(200);
    expect(res.body.asOf).toBe(between.toISOString());
    expect(cellOf(res.body, 'iso42001:A.6.2.4', label(current)).state).toBe('covered');
    expect(cellOf(res.body, 'iso42001:A.6.1.3', label(current)).state).toBe('missing');
    expect(cellOf(res.body, 'iso42001:A.6.2.4', label(previous)).lateRecords).toBe(0);
  });

  it('serves CSV, one line per control and period', async () => {
    const res = await h.get(`/v1/coverage/matrix?framework=iso42001&from=${from}&to=${to}&format=csv`, acme);
    expect(res.status).toBe(200);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe('control,period,state,records,late_records,newest,reason');
    expect(lines.some((l) => l.startsWith(`iso42001:A.6.2.4,${label(current)},covered,1,0,`))).toBe(true);
  });

  it('answers 400 naming the parameter for an unknown framework, a missing period, a future or too early as-of', async () => {
    const cases: [string, string, RegExp][] = [
      [`framework=iso99999&from=${from}&to=${to}`, 'framework', /unknown framework "iso99999"; known: .*iso42001/],
      [`framework=iso42001&to=${to}`, 'from', /from is required/],
      [`framework=iso42001&from=${from}&to=${to}&granularity=week`, 'granularity', /month or quarter/],
      [`framework=iso42001&from=${from}&to=${to}&as_of=${new Date(now + 30 * DAY).toISOString()}`, 'as_of', /future/],
      [`framework=iso42001&from=${from}&to=${to}&as_of=2020-01-01T00:00:00Z`, 'as_of', /holds nothing of this tenant before/],
    ];
    for (const [query, parameter, message] of cases) {
      const res = await h.get(`/v1/coverage/matrix?${query}`, acme);
      expect({ query, status: res.status, parameter: res.body.error?.parameter }).toEqual({ query, status: 400, parameter });
      expect(res.body.error.message).toMatch(message);
    }
  });

  it('shows another tenant nothing of this one', async () => {
    const res = await h.get(`/v1/coverage/matrix?framework=iso42001&from=${from}&to=${to}`, globex);
    expect(res.status).toBe(200);
    expect(res.body.rows.every((r: any) => r.cells.every((c: any) => c.state === 'missing' && c.records === 0 && c.lateRecords === 0))).toBe(true);
    expect((await h.get(`/v1/gaps?framework=iso42001&from=${from}&to=${to}`, globex)).body.gaps.every((g: any) => g.closedBy === undefined)).toBe(true);
  });
});

describe('GET /v1/gaps', () => {
  it('lists a gap closed by later evidence with the closing record, and open gaps with POA&M items', async () => {
    const res = await h.get(`/v1/gaps?framework=iso42001&from=${from}&to=${to}`, acme);
    expect(res.status).toBe(200);
    const evaluation = res.body.gaps.find((g: any) => g.control === 'iso42001:A.6.2.4');
    expect(evaluation).toMatchObject({ state: 'missing', status: 'closed', fromPeriod: label(previous), toPeriod: label(previous), closedBy: { period: label(current) } });
    const open = res.body.gaps.find((g: any) => g.control === 'iso42001:A.9.2');
    expect(open).toMatchObject({ status: 'open', poam: { id: `POAM-iso42001:A.9.2-${label(previous)}` } });
    expect(res.body.open).toBe(res.body.gaps.filter((g: any) => g.status === 'open').length);
  });
});

describe('probity coverage and probity gaps', () => {
  it('print the matrix and the gaps through the running API, and name a bad option', async () => {
    const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const env = { PROBITY_DATA_DIR: h.dataDir, PROBITY_API_URL: address, CLICKHOUSE_URL: '', PROBITY_TOKEN: acme };
    const matrix = await runCli(['coverage', '--framework', 'iso42001', '--from', from, '--to', to], { env });
    expect(matrix.code, matrix.stderr).toBe(0);
    const lines = matrix.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^CONTROL\\s+${label(previous)}\\s+${label(current)}$`));
    expect(lines.find((l) => l.startsWith('iso42001:A.6.2.4 '))).toMatch(/MISSING \(\+1 late\)\s+covered 1$/);
    expect(matrix.stderr).toMatch(/as of .*: .* covered, \d+ gaps/);

    const csv = await runCli(['gaps', '--framework', 'iso42001', '--from', from, '--to', to, '--format', 'csv'], { env });
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe('control,state,status,from_period,to_period,reason,closed_by,poam_id,owner,since,due');
    expect(csv.stdout).toContain(`iso42001:A.6.2.4,missing,closed,${label(previous)},${label(previous)}`);

    const bad = await runCli(['coverage', '--framework', 'iso9999', '--from', from, '--to', to], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown framework "iso9999"');
    expect(bad.stderr).toContain('(--framework)');
  });
});

describe('Statement of Applicability', () => {
  const soaRecord = (control: string, applicable: boolean, justification: string) => ({
    recordType: 'ApplicabilityStatement' as const,
    json: { tenant: 'acme', statement_id: `soa-${control}-${applicable}`, occurred_at: new Date().toISOString(), framework: 'iso42001', control, applicable, justification, owner: 'ciso@acme', implementation: applicable ? 'PLANNED' : 'NOT_IMPLEMENTED', actor: 'user:jane', controls: [] },
  });

  it('each change is a logged record; the SoA and coverage as of a date use the entries the log held then', async () => {
    await h.factory.notarizeRecords(2, [soaRecord('iso42001:A.10.3', false, 'no AI suppliers')]);
    await new Promise((r) => setTimeout(r, 20));
    const beforeReversal = new Date();
    await new Promise((r) => setTimeout(r, 20));
    await h.factory.notarizeRecords(2, [soaRecord('iso42001:A.10.3', true, 'a supplier was contracted')]);

    const now = await h.get('/v1/soa?framework=iso42001', acme);
    expect(now.status).toBe(200);
    expect(now.body.entries).toEqual([expect.objectContaining({ control: 'iso42001:A.10.3', applicable: true, justification: 'a supplier was contracted', changes: 2 })]);
    const then = await h.get(`/v1/soa?framework=iso42001&as_of=${beforeReversal.toISOString()}`, acme);
    expect(then.body.entries).toEqual([expect.objectContaining({ control: 'iso42001:A.10.3', applicable: false, changes: 1 })]);
    expect(then.body.excluded).toBe(1);

    const matrixThen = await h.get(`/v1/coverage/matrix?framework=iso42001&from=${from}&to=${to}&as_of=${beforeReversal.toISOString()}`, acme);
    expect(cellOf(matrixThen.body, 'iso42001:A.10.3', label(current))).toMatchObject({ state: 'not_applicable', reason: expect.stringContaining('no AI suppliers') });
    const matrixNow = await h.get(`/v1/coverage/matrix?framework=iso42001&from=${from}&to=${to}`, acme);
    expect(cellOf(matrixNow.body, 'iso42001:A.10.3', label(current)).state).toBe('missing');
    // An SoA entry is not evidence: it covers nothing.
    expect(cellOf(matrixNow.body, 'iso42001:A.10.3', label(current)).records).toBe(0);

    expect((await h.get('/v1/soa?framework=iso42001', globex)).body.entries).toEqual([]);
    expect((await h.get('/v1/soa?framework=nope', acme)).body.error).toMatchObject({ parameter: 'framework' });
  });

  it('probity soa set refuses an unknown control or a missing justification before emitting anything', async () => {
    const env = { PROBITY_DATA_DIR: h.dataDir, KAFKA_BROKERS: '127.0.0.1:1' };
    const unknown = await runCli(['soa', 'set', '--tenant', 'acme', '--framework', 'iso42001', '--control', 'iso42001:A.99', '--applicable', 'no', '--justification', 'x'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('iso42001 has no control "iso42001:A.99"');
    const noWhy = await runCli(['soa', 'set', '--tenant', 'acme', '--framework', 'iso42001', '--control', 'iso42001:A.10.3', '--applicable', 'no'], { env });
    expect(noWhy.code).toBe(2);
    expect(noWhy.stderr).toContain('--justification is required');
  });
});
