import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '@probity/cli';
import { infraScript, runCli } from '../helpers/index.js';

// The warehouse check opens embedded chDB: give it a directory no other
// process holds. Kafka and Redis are the shared test servers.
const dataDir = mkdtempSync(path.join(tmpdir(), 'probity-doctor-'));
const env = { PROBITY_DATA_DIR: dataDir };

async function doctor(): Promise<{ code: number; report: DoctorReport; stderr: string }> {
  // --skip services: the local services process is `probity up`'s business,
  // and starting it here would consume the shared evidence topics.
  const result = await runCli(['doctor', '--json', '--skip', 'services'], { env });
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorReport, stderr: result.stderr };
}

beforeAll(async () => {
  const topics = await runCli(['topics'], { env });
  expect(topics.code, topics.stderr).toBe(0);
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('probity doctor', () => {
  it('reports every component healthy when the stack is up', async () => {
    const { code, report } = await doctor();
    const byName = Object.fromEntries(report.components.map((c) => [c.component, c]));
    expect(Object.keys(byName).sort()).toEqual(['kafka', 'redis', 'topics', 'warehouse']);
    for (const c of report.components) expect(c.healthy, `${c.component}: ${c.message}`).toBe(true);
    expect(byName.kafka?.details?.brokers).toBe(1);
    expect(byName.redis?.version).toMatch(/^\d+\.\d+/);
    expect(byName.redis?.details?.maxmemoryPolicy).toBe('noeviction');
    expect(typeof byName.warehouse?.version).toBe('string');
    expect(report.healthy).toBe(true);
    expect(code).toBe(0);
  });

  it('reports a stopped Redis as unhealthy and says what to run', async () => {
    const stop = await infraScript('redis.sh', ['stop']);
    expect(stop.code, stop.stderr).toBe(0);
    try {
      const { code, report } = await doctor();
      const redis = report.components.find((c) => c.component === 'redis');
      expect(redis?.healthy).toBe(false);
      expect(redis?.message).toContain('not reachable');
      expect(redis?.message).toContain('`probity up`');
      expect(redis?.message).toContain('`bash infra/redis.sh start`');
      expect(report.components.find((c) => c.component === 'kafka')?.healthy).toBe(true);
      expect(report.healthy).toBe(false);
      expect(code).toBe(1);
    } finally {
      const start = await infraScript('redis.sh', ['start']);
      expect(start.code, start.stderr).toBe(0);
    }
  });

  it('prints a ✓/✗ table for people', async () => {
    const result = await runCli(['doctor', '--skip', 'services', '--skip', 'warehouse'], { env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✓ kafka\s+127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/✓ redis/);
    expect(result.stdout).toContain('all healthy');
  });
});
