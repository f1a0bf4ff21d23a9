import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINE_CONFIG_FILE, ENGINE_CONFIG_XML, writeEngineConfig } from './engine-config.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('engine config', () => {
  it('is the same block the server config.d gets (docker-compose mounts infra/config/clickhouse)', () => {
    expect(readFileSync(path.join(repoRoot, 'infra/config/clickhouse/probity-rocksdb.xml'), 'utf8')).toBe(ENGINE_CONFIG_XML);
    expect(ENGINE_CONFIG_XML).toContain('<filter_policy>bloomfilter:10:false</filter_policy>');
  });

  it('writes the file once and replaces a stale one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'engine-config-'));
    dirs.push(dir);
    const file = writeEngineConfig(dir);
    expect(file).toBe(path.join(dir, ENGINE_CONFIG_FILE));
    expect(readFileSync(file, 'utf8')).toBe(ENGINE_CONFIG_XML);
    const written = statSync(file).mtimeMs;
    writeEngineConfig(dir);
    expect(statSync(file).mtimeMs).toBe(written);
    writeFileSync(file, '<clickhouse/>');
    writeEngineConfig(dir);
    expect(readFileSync(file, 'utf8')).toBe(ENGINE_CONFIG_XML);
  });
});
