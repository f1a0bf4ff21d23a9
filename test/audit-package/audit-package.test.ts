import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DERIVED_FILES, PACKAGE_FILES, verifyAuditPackage, type PackageCheckpoint, type PackageVerification } from '@probity/audit-package';
import { generateSigningKey, signCheckpoint, fromHex } from '@probity/crypto';
import { parsePublicKeyring, publicKeyringPath, toTrustedKeys } from '@probity/keystore';
import { verifyEvidenceDocument } from '@probity/evidence';
import { defaultRegistry } from '@probity/schema';
import { EvidenceRepository } from '@probity/audit-api';
import { auditHarness, EvidenceFactory, type AuditHarness } from '../audit-api/fixtures.js';
import { repoRoot, runCli } from '../helpers/index.js';
import { manifestOf, readPackage, resign, writePackage } from './package-helpers.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const now = Date.now();
const quarterStart = (t: number) => {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
};
const current = quarterStart(now);
const previous = quarterStart(current - DAY);
const from = new Date(previous).toISOString().slice(0, 10);
const to = new Date(now + DAY).toISOString().slice(0, 10);
const recent = Math.max(current + HOUR, now - 3 * DAY);
const example = (name: string) => JSON.parse(readFileSync(path.join(repoRoot, 'schemas/examples', name), 'utf8')) as Record<string, unknown>;
const registry = defaultRegistry();

let h: AuditHarness;
let acme: string;
let globex: string;
let archive: Buffer;
let keyring: ReturnType<typeof parsePublicKeyring>;

function study(tenant: string, at: number, verdict: string, statistic: number) {
  const s = example('StudyResult.json');
  return {
    ...s, tenant, run_id: `drift-${at}`, model_id: 'credit-risk', occurred_at: new Date(at).toISOString(), started_at: new Date(at - 60_000).toISOString(), finished_at: new Date(at).toISOString(), verdict,
    results: [{ name: 'income', method: 'ks', statistic, p_value: 0.2, threshold: 0.1, verdict }],
  };
}

async function build(token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/audit-packages', headers: { authorization: `Bearer ${token}`, ...headers }, payload: body });
  return { status: res.statusCode, body: res.rawPayload, headers: res.headers, json: () => res.json() as any };
}

const verify = (bytes: Buffer, trusted = true) => verifyAuditPackage(Readable.from([bytes]), { registry, ...(trusted ? { trustedKeyring: keyring } : {}) });

beforeAll(async () => {
  h = await auditHarness();
  acme = await h.token('acme', 'auditor');
  globex = await h.token('globex', 'auditor');
  keyring = parsePublicKeyring(JSON.parse(readFileSync(publicKeyringPath(path.join(h.dataDir, 'keys', 'notary')), 'utf8')), 'keyring');
  const manifest = (tenant: string, stage: string, at: number) => ({ tenant, modelId: 'credit-risk', stage, occurredAt: new Date(at), controls: [] });
  await h.factory.notarize(0, [manifest('acme', 'TRAINING', recent), manifest('acme', 'EVALUATION', recent + HOUR), manifest('globex', 'TRAINING', recent)]);
  const incident = example('Incident.json');
  await h.factory.notarizeRecords(1, [
    { recordType: 'StudyResult', json: study('acme', recent - DAY, 'PASS', 0.03) },
    { recordType: 'StudyResult', json: study('acme', recent, 'FAIL', 0.31) },
    { recordType: 'Incident', json: { ...incident, tenant: 'acme', occurred_at: new Date(recent).toISOString(), detected_at: new Date(recent + HOUR).toISOString(), status: 'OPEN' } },
    { recordType: 'OversightEvent', json: { ...example('OversightEvent.json'), tenant: 'acme', occurred_at: new Date(recent + 2 * HOUR).toISOString() } },
  ]);
  await h.factory.notarizeRecords(1, [
    { recordType: 'Incident', json: { ...incident, tenant: 'acme', occurred_at: new Date(recent).toISOString(), detected_at: new Date(recent + HOUR).toISOString(), status: 'RESOLVED' } },
  ]);
  const res = await build(acme, { framework: 'iso42001', from, to, granularity: 'month' });
  expect(res.status, String(res.body)).toBe(200);
  expect(res.headers['content-type']).toBe('application/gzip');
  archive = res.body;
});
afterAll(async () => {
  await h?.cleanup();
});

describe('POST /v1/audit-packages and verifyAuditPackage', () => {
  it('builds a package of real notarized records that verifies offline, with everything the issue lists', async () => {
    const report = await verify(archive);
    expect(report.failures).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.keyring).toBe('trusted');
    expect(report.records).toBe(7);
    const files = await readPackage(archive);
    expect(files.map(([n]) => n)).toEqual([
      PACKAGE_FILES.manifest, PACKAGE_FILES.keyring, PACKAGE_FILES.checkpoints, PACKAGE_FILES.consistency, PACKAGE_FILES.requirements,
      PACKAGE_FILES.catalog, PACKAGE_FILES.applicability, PACKAGE_FILES.records, ...DERIVED_FILES,
    ]);
    const byName = new Map(files);
    const manifest = manifestOf(files);
    expect(manifest.request).toMatchObject({ tenant: 'acme', framework: 'iso42001', granularity: 'month', model_id: null });
    expect(manifest.catalog).toMatchObject({ framework: 'iso42001', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(manifest.checkpoints.map((c) => c.shard)).toEqual([0, 1]);
    // One checkpoint per shard: every record is proved against its shard's.
    const checkpoints = JSON.parse(byName.get(PACKAGE_FILES.checkpoints)!.toString()) as PackageCheckpoint[];
    const lines = byName.get(PACKAGE_FILES.records)!.toString().trim().split('\n').map((l) => JSON.parse(l));
    for (const doc of lines) expect(doc.latest.checkpoint).toBe(checkpoints.find((c) => c.shard === doc.shard)!.signed_note);
    expect(lines.every((d) => d.tenant === 'acme')).toBe(true);
    // The same coverage as the API's matrix for the same as-of.
    const matrix = await h.get(`/v1/coverage/matrix?framework=iso42001&from=${from}&to=${to}&granularity=month&as_of=${encodeURIComponent(manifest.request.as_of)}`, acme);
    const { tenant: _t, framework: _f, model_id: _m, catalog: _c, ...apiMatrix } = matrix.body;
    expect(JSON.parse(byName.get(PACKAGE_FILES.coverage)!.toString())).toEqual(apiMatrix);
    // KPI series, incident timeline (open, then resolved), oversight log, SoA.
    const kpis = JSON.parse(byName.get(PACKAGE_FILES.kpis)!.toString());
    expect(kpis[0].points.map((p: any) => p.verdict)).toEqual(['PASS', 'FAIL']);
    const incidents = JSON.parse(byName.get(PACKAGE_FILES.incidents)!.toString());
    expect(incidents[0]).toMatchObject({ incident_id: 'INC-2025-0042', status: 'RESOLVED', response_hours: 1 });
    expect(incidents[0].events.map((e: any) => e.status)).toEqual(['OPEN', 'RESOLVED']);
    expect(JSON.parse(byName.get(PACKAGE_FILES.oversight)!.toString())).toHaveLength(1);
    const soa = JSON.parse(byName.get(PACKAGE_FILES.soa)!.toString());
    expect(soa.source).toBe('derived-all-applicable');
    expect(soa.controls.every((c: any) => c.applicable)).toBe(true);
    const oscal = JSON.parse(byName.get(PACKAGE_FILES.oscalResults)!.toString());
    expect(oscal['assessment-results'].results[0].findings.length).toBeGreaterThan(0);
    const html = byName.get(PACKAGE_FILES.report)!.toString();
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('reads the package records in pages: the same records coverage reads, each once', async () => {
    const repository = new EvidenceRepository(h.warehouse);
    const filter = { since: new Date(previous - 400 * DAY), to: new Date(Date.parse(to)), asOf: new Date() };
    const expected = [];
    for await (const r of repository.coverageRecords('acme', filter)) expected.push(r.contentHash);
    for (const pageSize of [1, 2, 3, 100]) {
      const got = [];
      for await (const row of repository.coverageRows('acme', filter, pageSize)) got.push(String(row.content_hash_hex));
      expect(got.sort(), `page size ${pageSize}`).toEqual([...expected].sort());
    }
    expect(expected.length).toBeGreaterThanOrEqual(7);
  });

  it('takes a Statement of Applicability: excluded controls are n/a in the matrix and the OSCAL, and it verifies', async () => {
    const res = await build(acme, { framework: 'iso42001', from, to, applicability: [{ control: 'iso42001:A.9.2', applicable: false, justification: 'no human-facing use', owner: 'ciso' }] });
    expect(res.status).toBe(200);
    expect((await verify(res.body)).failures).toEqual([]);
    const files = new Map(await readPackage(res.body));
    const soa = JSON.parse(files.get(PACKAGE_FILES.soa)!.toString());
    expect(soa.source).toBe('applicability-map');
    expect(soa.controls.find((c: any) => c.control === 'iso42001:A.9.2')).toMatchObject({ applicable: false, justification: 'no human-facing use', owner: 'ciso' });
    const row = JSON.parse(files.get(PACKAGE_FILES.coverage)!.toString()).rows.find((r: any) => r.control === 'iso42001:A.9.2');
    expect(row.cells.every((c: any) => c.state === 'not_applicable')).toBe(true);
    const selection = JSON.parse(files.get(PACKAGE_FILES.oscalResults)!.toString())['assessment-results'].results[0]['reviewed-controls']['control-selections'][0];
    expect(selection['exclude-controls']).toEqual([{ 'control-id': 'iso42001_A.9.2' }]);
  });

  it('takes the SoA records the log held at as-of when no Statement of Applicability is given', async () => {
    const tenant = 'soa-co';
    await h.factory.notarizeRecords(2, [
      { recordType: 'ApplicabilityStatement', json: { ...example('ApplicabilityStatement.json'), tenant, occurred_at: new Date(recent).toISOString() } },
    ]);
    const res = await build(await h.token(tenant, 'auditor'), { framework: 'iso42001', from, to });
    expect(res.status).toBe(200);
    expect((await verify(res.body)).failures).toEqual([]);
    const files = new Map(await readPackage(res.body));
    expect(manifestOf([...files]).soa.source).toBe('soa-records');
    const soa = JSON.parse(files.get(PACKAGE_FILES.soa)!.toString());
    expect(soa.controls.find((c: any) => c.control === 'iso42001:A.10.3')).toMatchObject({ applicable: false });
    const row = JSON.parse(files.get(PACKAGE_FILES.coverage)!.toString()).rows.find((r: any) => r.control === 'iso42001:A.10.3');
    expect(row.cells.every((c: any) => c.state === 'not_applicable')).toBe(true);
  });

  it('serves another tenant nothing of this one', async () => {
    const other = await build(globex, { framework: 'iso42001', from, to });
    expect(other.status).toBe(200);
    const report = await verify(other.body);
    expect(report.valid).toBe(true);
    expect(report.records).toBe(1);
    const lines = new Map(await readPackage(other.body)).get(PACKAGE_FILES.records)!.toString().trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).tenant)).toEqual(['globex']);
    const asked = await build(globex, { framework: 'iso42001', from, to }, { 'x-probity-tenant': 'acme' });
    expect(asked.status).toBe(403);
    expect((await build('no-such-token', { framework: 'iso42001', from, to })).status).toBe(401);
    const bad = await build(acme, { framework: 'nope', from, to });
    expect(bad.status).toBe(400);
    expect(bad.json().error.parameter).toBe('framework');
  });

  it('fails verification after any single byte change in any file (sweep)', async () => {
    const files = await readPackage(archive);
    let tried = 0;
    const survived: string[] = [];
    for (const [i, [name, bytes]] of files.entries()) {
      // Every byte of small files; about 150 spread over the large ones (records, report).
      const step = Math.max(1, Math.floor(bytes.length / 150));
      for (let pos = 0; pos < bytes.length; pos += step) {
        const changed = Buffer.from(bytes);
        changed[pos] = changed[pos]! ^ 0x01;
        const tampered = files.map(([n, b], j): [string, Buffer] => [n, j === i ? changed : b]);
        const report = await verify(await writePackage(tampered));
        tried += 1;
        if (report.valid) survived.push(`${name}@${pos}`);
      }
    }
    console.log(`audit package sweep: ${tried} single-byte changes, ${tried - survived.length} detected`);
    expect(survived).toEqual([]);
    expect(tried).toBeGreaterThan(1000);
  }, 600_000);

  it('catches changes signed again with the notary key by recomputing from the records', async () => {
    const files = await readPackage(archive);
    const signer = h.factory.keys.signingKeyAt(new Date());
    const edit = (name: string, change: (text: string) => string) => resign(files.map(([n, b]): [string, Buffer] => [n, n === name ? Buffer.from(change(b.toString())) : b]), signer);
    const first = (r: PackageVerification) => r.failures[0] ?? '';

    // A covered cell turned into another state.
    const coverage = await verify(await writePackage(edit(PACKAGE_FILES.coverage, (t) => t.replace('"state": "missing"', '"state": "covered"'))));
    expect(coverage.valid).toBe(false);
    expect(first(coverage)).toMatch(/^recomputed: coverage\.json differs/);
    // A record dropped (and the count adjusted): the derived files no longer follow.
    const dropped = resign(files.map(([n, b]): [string, Buffer] => [n, n === PACKAGE_FILES.records ? Buffer.from(`${b.toString().trim().split('\n').slice(1).join('\n')}\n`) : b]), signer, (m) => {
      m.records -= 1;
    });
    const droppedReport = await verify(await writePackage(dropped));
    expect(droppedReport.valid).toBe(false);
    expect(droppedReport.failures.some((f) => f.startsWith('recomputed:'))).toBe(true);
    // An OSCAL finding removed.
    const oscal = await verify(await writePackage(edit(PACKAGE_FILES.oscalResults, (t) => t.replace('not-satisfied', 'satisfied'))));
    expect(first(oscal)).toMatch(/^recomputed: oscal\/assessment-results\.json differs/);
    // The signature of a key the auditor does not trust.
    const stranger = resign(files, generateSigningKey('probity-notary'));
    expect(first(await verify(await writePackage(stranger)))).toMatch(/^manifest_signature:/);
    // A file added, a file left out, the manifest not first.
    const extra = await verify(await writePackage([...files, ['extra.txt', Buffer.from('x')]]));
    expect(extra.failures).toContain('files: extra.txt is in the archive but not in the signed manifest');
    const missing = await verify(await writePackage(files.filter(([n]) => n !== PACKAGE_FILES.kpis)));
    expect(missing.failures).toContain('files: kpis.json is in the manifest but not in the archive');
    const reordered = await verify(await writePackage([...files.slice(1), files[0]!]));
    expect(first(reordered)).toMatch(/^archive: the first file is keyring\.json/);
    // Without a trusted keyring the package's own is used, and the report says so.
    const own = await verify(archive, false);
    expect(own.valid).toBe(true);
    expect(own.keyring).toBe('package');
  });

  it('proves with consistency proofs that the log was not rewritten between two packages; re-signed changes are caught', async () => {
    const firstFiles = new Map(await readPackage(archive));
    const earlier = JSON.parse(firstFiles.get(PACKAGE_FILES.checkpoints)!.toString()) as PackageCheckpoint[];
    // A key rotation in between: the new checkpoint of shard 0 is signed by a key that did not exist when its
    // older records were notarized, and their proofs against it still verify.
    const beforeMore = new Date();
    await new Promise((r) => setTimeout(r, 20));
    h.factory.keys.rotate();
    keyring = parsePublicKeyring(JSON.parse(readFileSync(publicKeyringPath(path.join(h.dataDir, 'keys', 'notary')), 'utf8')), 'keyring');
    expect(keyring.keys).toHaveLength(2);
    await h.factory.notarize(0, [{ tenant: 'acme', modelId: 'credit-risk', stage: 'TRAINING', occurredAt: new Date(recent + 3 * HOUR), controls: [] }]);
    const second = await build(acme, { framework: 'iso42001', from, to, previous_checkpoints: earlier });
    expect(second.status).toBe(200);
    const report = await verify(second.body);
    expect(report.failures).toEqual([]);
    // As of a moment before the later record, the package uses the checkpoints of then, and holds no later record.
    const past = await build(acme, { framework: 'iso42001', from, to, as_of: beforeMore.toISOString() });
    expect(past.status).toBe(200);
    expect((await verify(past.body)).failures).toEqual([]);
    const pastFiles = new Map(await readPackage(past.body));
    expect(JSON.parse(pastFiles.get(PACKAGE_FILES.checkpoints)!.toString())).toEqual(earlier);
    expect(manifestOf([...pastFiles]).records).toBe(7);
    // The old record with its proof against the new-key checkpoint verifies as one evidence document too:
    // a later checkpoint may be signed by the key rotated in after the record was notarized.
    const oldRecord = new Map(await readPackage(second.body)).get(PACKAGE_FILES.records)!.toString().trim().split('\n').map((l) => JSON.parse(l)).find((d) => d.shard === 0 && d.leaf_index === 0);
    const notaryKeys = toTrustedKeys(keyring).map((k, i) => ({ ...k, name: keyring.keys[i]!.name }));
    expect(verifyEvidenceDocument(oldRecord, { notaryKeys, registry }).valid).toBe(true);
    const proofs = JSON.parse(new Map(await readPackage(second.body)).get(PACKAGE_FILES.consistency)!.toString());
    expect(proofs.map((p: any) => [p.shard, p.from.size])).toEqual(earlier.map((c) => [c.shard, c.size]));
    expect(proofs.find((p: any) => p.shard === 0).to_size).toBe(earlier.find((c) => c.shard === 0)!.size + 1);

    // Any single byte changed and the manifest signed again with the notary key: the records, proofs and
    // checkpoints no longer verify, or the recomputed files differ (keyring.json and the data files' prose are
    // not recomputable: a trusted --keyring replaces the first, the manifest's signature covers the rest).
    const files = await readPackage(second.body);
    const signer = h.factory.keys.signingKeyAt(new Date());
    const swept = [PACKAGE_FILES.records, PACKAGE_FILES.checkpoints, PACKAGE_FILES.consistency, ...DERIVED_FILES] as string[];
    let tried = 0;
    const survived: string[] = [];
    for (const [i, [name, bytes]] of files.entries()) {
      if (!swept.includes(name)) continue;
      const step = Math.max(1, Math.floor(bytes.length / 80));
      for (let pos = 0; pos < bytes.length; pos += step) {
        const changed = Buffer.from(bytes);
        changed[pos] = changed[pos]! ^ 0x01;
        const report = await verify(await writePackage(resign(files.map(([n, b], j): [string, Buffer] => [n, j === i ? changed : b]), signer)));
        tried += 1;
        if (report.valid) survived.push(`${name}@${pos}: ${JSON.stringify(bytes.subarray(Math.max(0, pos - 20), pos + 20).toString())}`);
      }
    }
    console.log(`audit package re-signed sweep: ${tried} single-byte changes, ${tried - survived.length} detected`);
    expect(survived).toEqual([]);

    // An earlier checkpoint of a different history (signed by the notary key, another root): refused.
    const forkRoot = Buffer.alloc(32, 7);
    const fork = { ...earlier[0]!, root_hash: forkRoot.toString('hex'), signed_note: signCheckpoint({ origin: EvidenceFactory.origin(0), size: earlier[0]!.size, rootHash: fromHex(forkRoot.toString('hex')) }, h.factory.keys.signingKeyAt(new Date())) };
    const refused = await build(acme, { framework: 'iso42001', from, to, previous_checkpoints: [fork] });
    expect(refused.status).toBe(500);
    expect(refused.json().error.code).toBe('LOG_INCONSISTENT');
  }, 600_000);
});

describe('probity audit verify', () => {
  it('exits 0 on a valid package, 1 naming the failures, 2 on usage errors', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'probity-audit-verify-'));
    try {
      const good = path.join(dir, 'good.tar.gz');
      writeFileSync(good, archive);
      const keyringFile = publicKeyringPath(path.join(h.dataDir, 'keys', 'notary'));
      const ok = await runCli(['audit', 'verify', good, '--keyring', keyringFile]);
      expect(ok.stdout).toContain('VALID');
      expect(ok.code).toBe(0);
      const files = await readPackage(archive);
      const bad = path.join(dir, 'bad.tar.gz');
      writeFileSync(bad, await writePackage(files.map(([n, b]): [string, Buffer] => [n, n === PACKAGE_FILES.gaps ? Buffer.concat([b, Buffer.from(' ')]) : b])));
      const failed = await runCli(['audit', 'verify', bad, '--keyring', keyringFile]);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/files: gaps\.json: SHA-256/);
      expect(failed.stdout).toContain('INVALID');
      expect((await runCli(['audit', 'verify'])).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
