import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../command.js';
import { runCli } from '../main.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../evidence/src/fixtures');
const work = mkdtempSync(path.join(tmpdir(), 'verify-exports-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function memoryIo(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe.each(readdirSync(FIXTURES).filter((d) => d.startsWith('documents-')))('probity verify on the exports of format %s', (format) => {
  const dir = path.join(FIXTURES, format);
  const keys = ['--keyring', path.join(dir, 'keyring.json'), '--emitter-keys', path.join(dir, 'emitter-keys.json')];
  const ndjson = readFileSync(path.join(dir, 'export.ndjson'), 'utf8');
  const csv = readFileSync(path.join(dir, 'export.csv'), 'utf8');
  const count = ndjson.trim().split('\n').length;

  async function verify(...args: string[]) {
    const io = memoryIo();
    const code = await runCli(['verify', ...args, ...keys], io);
    return { code, out: io.out };
  }

  it('verifies every line of an NDJSON export and sums up', async () => {
    const { code, out } = await verify(path.join(dir, 'export.ndjson'));
    expect(out).toBe(`${count} valid, 0 invalid\n`);
    expect(code).toBe(0);
  });

  it('names each invalid line of an export (a changed field, a line that is not JSON) and exits 1', async () => {
    const lines = ndjson.trim().split('\n');
    const changed = JSON.parse(lines[2]!) as Record<string, unknown>;
    changed.model_id = 'another-model';
    lines[2] = JSON.stringify(changed);
    lines[4] = '{"cut off';
    const file = path.join(work, 'tampered.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { code, out } = await verify(file);
    expect(code).toBe(1);
    expect(out).toContain(`✗ line 3 (${changed.content_hash as string}): readable fields: model_id: the document says "another-model"`);
    expect(out).toContain('✗ line 5: not JSON');
    expect(out.trim().split('\n').at(-1)).toBe(`${count - 2} valid, 2 invalid`);
  });

  it('checks every CSV row against the verified records of the NDJSON export', async () => {
    const { code, out } = await verify(path.join(dir, 'export.csv'), '--bundles', path.join(dir, 'export.ndjson'));
    expect(out).toBe(`${count} valid, 0 invalid (CSV rows checked against ${count} verified documents)\n`);
    expect(code).toBe(0);
  });

  it('names a CSV row whose cell differs from its verified record, and refuses a CSV without bundles', async () => {
    const rows = csv.split('\r\n');
    const cells = rows[1]!.split(',');
    cells[3] = 'another-model';
    rows[1] = cells.join(',');
    const file = path.join(work, 'tampered.csv');
    writeFileSync(file, rows.join('\r\n'));
    const { code, out } = await verify(file, '--bundles', path.join(dir, 'export.ndjson'));
    expect(code).toBe(1);
    expect(out).toContain(`✗ row 1 (${cells[0]}): model_id differs from the verified record`);

    const noBundles = await verify(file);
    expect(noBundles.code).toBe(2);
  });
});
