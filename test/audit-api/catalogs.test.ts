import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalogs } from '@probity/catalog';
import { runCli } from '../helpers/index.js';
import { auditHarness, type AuditHarness } from './fixtures.js';

// The catalog data files over the API (read roles) and through `probity catalog`: the same answers both ways.

let h: AuditHarness;
let auditor: string;

beforeAll(async () => {
  h = await auditHarness();
  auditor = await h.token('acme', 'auditor');
});
afterAll(async () => {
  await h?.cleanup();
});

describe('GET /v1/catalogs, /v1/catalogs/{framework}, /v1/crosswalks', () => {
  it('need a read role', async () => {
    expect((await h.get('/v1/catalogs')).status).toBe(401);
    expect((await h.get('/v1/catalogs', await h.token('acme', 'emitter'))).status).toBe(403);
    expect((await h.get('/v1/crosswalks?from=euaiact&to=iso42001', await h.token('acme', 'emitter'))).status).toBe(403);
    expect((await h.get('/v1/catalogs/iso42001', await h.token('acme', 'admin'))).status).toBe(200);
  });

  it('list every framework with its edition, data version and counts, and every crosswalk', async () => {
    const res = await h.get('/v1/catalogs', auditor);
    expect(res.status).toBe(200);
    expect(res.body.frameworks.map((f: { framework: string; edition: string }) => `${f.framework}:${f.edition}`)).toEqual([
      'euaiact:2024/1689',
      'iso27001:2022',
      'iso42001:2023',
      'iso9001:2015',
      'nistairmf:1.0',
    ]);
    const iso27001 = res.body.frameworks.find((f: { framework: string }) => f.framework === 'iso27001');
    expect(iso27001).toMatchObject({ version: 1, kinds: { 'annex-control': 93 } });
    expect(res.body.crosswalks.map((w: { id: string }) => w.id)).toEqual(expect.arrayContaining(['euaiact-iso42001', 'nistairmf-iso42001']));
  });

  it('serve one framework\'s controls, and name the known frameworks for an unknown one (404)', async () => {
    const res = await h.get('/v1/catalogs/iso27001', auditor);
    expect(res.status).toBe(200);
    expect(res.body.controls.filter((c: { kind: string }) => c.kind === 'annex-control')).toHaveLength(93);
    expect(res.body.controls[0]).toMatchObject({ id: 'iso27001:4.1', ref: '4.1', kind: 'clause', group: '4' });
    const unknown = await h.get('/v1/catalogs/iso99999', auditor);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND', parameter: 'framework' });
    expect(unknown.body.error.message).toContain('known: euaiact, iso27001, iso42001, iso9001, nistairmf');
  });

  it('serve a crosswalk either way round, one control\'s mappings, and say what is wrong with a bad request', async () => {
    const forward = await h.get('/v1/crosswalks?from=euaiact&to=iso42001', auditor);
    expect(forward.status).toBe(200);
    expect(forward.body).toMatchObject({ id: 'euaiact-iso42001', reversed: false, from: { framework: 'euaiact' }, to: { framework: 'iso42001' } });
    expect(forward.body.mappings).toContainEqual({ from: 'euaiact:Art.9', to: 'iso42001:6.1', relation: 'intersects' });

    const back = await h.get('/v1/crosswalks?from=iso42001&to=euaiact&control=euaiact:Art.17', auditor);
    expect(back.status).toBe(200);
    expect(back.body.reversed).toBe(true);
    expect(back.body.mappings).toEqual([expect.objectContaining({ from: 'iso42001:4.4', to: 'euaiact:Art.17', relation: 'subset' })]);

    const cases: [string, number, string, RegExp][] = [
      ['/v1/crosswalks?from=euaiact', 400, 'to', /to is required/],
      ['/v1/crosswalks?from=iso99999&to=iso42001', 400, 'from', /unknown framework "iso99999"; known: /],
      ['/v1/crosswalks?from=iso9001&to=nistairmf', 404, 'to', /no crosswalk between iso9001 and nistairmf; available: /],
      ['/v1/crosswalks?from=euaiact&to=iso42001&control=euaiact:Art.999', 400, 'control', /not a control of euaiact or iso42001/],
      ['/v1/crosswalks?from=euaiact&to=iso42001&control=iso9001:9.1.3', 400, 'control', /not a control of euaiact or iso42001/],
      ['/v1/crosswalks?from=euaiact&to=iso42001&framework=x', 400, 'framework', /unknown query parameter/],
    ];
    for (const [url, status, parameter, message] of cases) {
      const res = await h.get(url, auditor);
      expect(res.status, url).toBe(status);
      expect(res.body.error.parameter, url).toBe(parameter);
      expect(res.body.error.message, url).toMatch(message);
    }
  });
});

describe('probity catalog', () => {
  it('answers what the API answers, as tables or --json', async () => {
    const show = await runCli(['catalog', 'show', 'nistairmf', '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual((await h.get('/v1/catalogs/nistairmf', auditor)).body);

    const walk = await runCli(['catalog', 'crosswalk', 'nistairmf', 'iso42001', '--json']);
    expect(walk.code, walk.stderr).toBe(0);
    expect(JSON.parse(walk.stdout)).toEqual((await h.get('/v1/crosswalks?from=nistairmf&to=iso42001', auditor)).body);

    const list = await runCli(['catalog', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/iso27001\s+ISO\/IEC 27001\s+2022\s+v1\s+127\s+34 clause, 93 annex-control/);
    const table = await runCli(['catalog', 'show', 'euaiact', '--kind', 'article']);
    expect(table.stdout).toMatch(/euaiact:Art\.12\s+article\s+III\.2\s+Record-keeping/);
    expect(table.stdout.trim().split('\n')).toHaveLength(4 + defaultCatalogs().framework('euaiact').controls.length);
  });

  it('exits 2 naming what to fix for an unknown framework, crosswalk or control', async () => {
    const cases: [string[], RegExp][] = [
      [['catalog', 'show', 'iso99999'], /unknown framework "iso99999"; known: euaiact, iso27001/],
      [['catalog', 'crosswalk', 'iso9001', 'nistairmf'], /no crosswalk between iso9001 and nistairmf; available: /],
      [['catalog', 'crosswalk', 'euaiact', 'iso42001', '--control', 'euaiact:Art.999'], /framework euaiact has no control Art\.999/],
      [['catalog', 'show', 'euaiact', '--kind', 'clause'], /euaiact has controls of kind article/],
      [['catalog', 'show'], /needs one framework id/],
      [['catalog', 'nope'], /expected one of list, show, crosswalk/],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr, args.join(' ')).toMatch(message);
    }
  });
});
