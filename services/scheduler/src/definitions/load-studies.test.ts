import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStudies, parseStudyFile } from './load-studies.js';

const DRIFT_YAML = `
id: demo-drift
version: 1
kind: drift
scope: { tenant: demo, model_id: credit-risk }
schedule: { cron: "0 2 * * 1", tz: Europe/Berlin }
features: [income]
methods: [psi]
reference: { model_version: "1.0.0", from: "2025-01-01T00:00:00Z", to: "2025-02-01T00:00:00Z" }
window: 7d
minimum_sample: { records: 10000, days: 7, rule: larger }
thresholds:
  psi: { statistic: { warning: 0.1, critical: 0.25 } }
`;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function errorOf(fn: () => unknown): { code: string; details: Record<string, unknown>; message: string } {
  try {
    fn();
  } catch (err) {
    return err as never;
  }
  throw new Error('expected an error');
}

describe('study definition files', () => {
  it('parses YAML into a validated definition', () => {
    const study = parseStudyFile('studies/demo.yaml', DRIFT_YAML);
    expect(study).toMatchObject({ id: 'demo-drift', version: '1', kind: 'drift', bins: 10 });
  });

  it('names the file and the field of a bad value', () => {
    const err = errorOf(() => parseStudyFile('studies/demo.yaml', DRIFT_YAML.replace('rule: larger', 'rule: biggest')));
    expect(err.code).toBe('STUDY_DEFINITION_INVALID');
    expect(err.details).toMatchObject({ file: 'studies/demo.yaml', field: 'minimum_sample.rule' });
    expect(err.message).toContain('studies/demo.yaml: minimum_sample.rule');
  });

  it('names the file of unparsable YAML and JSON', () => {
    expect(errorOf(() => parseStudyFile('a.yaml', 'id: [unclosed')).details).toMatchObject({ file: 'a.yaml', field: '' });
    expect(errorOf(() => parseStudyFile('b.json', '{"id":')).code).toBe('STUDY_DEFINITION_INVALID');
  });

  it('rejects a cron pattern the scheduler cannot read, at schedule.cron', () => {
    const err = errorOf(() => parseStudyFile('c.yaml', DRIFT_YAML.replace('0 2 * * 1', '0 99 * * 1')));
    expect(err.details).toMatchObject({ file: 'c.yaml', field: 'schedule.cron' });
  });

  it('loads a directory in file-name order and rejects a duplicate id', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'studies-'));
    writeFileSync(path.join(dir, 'b.yaml'), DRIFT_YAML.replace('demo-drift', 'b-drift'));
    writeFileSync(path.join(dir, 'a.yml'), DRIFT_YAML);
    writeFileSync(path.join(dir, 'README.md'), 'not a study');
    expect((await loadStudies(dir)).map((s) => s.id)).toEqual(['demo-drift', 'b-drift']);
    writeFileSync(path.join(dir, 'c.yaml'), DRIFT_YAML);
    await expect(loadStudies(dir)).rejects.toMatchObject({ code: 'STUDY_DEFINITION_INVALID', details: { file: path.join(dir, 'c.yaml'), field: 'id' } });
  });
});
