import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchHealthz, servicesPid, startServices, stopServices } from '@probity/cli';

// `probity up` runs services/local in the background; here a stand-in with
// the same contract (GET /healthz on PROBITY_API_PORT, exits on SIGTERM)
// exercises the real spawn, pid file, readiness wait and stop.
const dir = mkdtempSync(path.join(tmpdir(), 'probity-services-'));
const dataDir = path.join(dir, 'data');
const port = String(20_000 + Math.floor(Math.random() * 10_000));
const env = { ...process.env, PROBITY_DATA_DIR: dataDir, PROBITY_API_PORT: port };

const healthyEntry = path.join(dir, 'healthy.mjs');
writeFileSync(
  healthyEntry,
  `import http from 'node:http';
const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: true, warehouse: { healthy: true, version: 'stand-in' } }));
});
console.log('stand-in services starting');
setTimeout(() => server.listen(Number(process.env.PROBITY_API_PORT), '127.0.0.1'), 300);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
);
const crashingEntry = path.join(dir, 'crashing.mjs');
writeFileSync(crashingEntry, `console.error('cannot open the warehouse: DATA_DIR_LOCKED'); process.exit(3);\n`);

afterAll(async () => {
  await stopServices(dataDir, 5000);
  rmSync(dir, { recursive: true, force: true });
});

describe('the local services process', () => {
  it('starts in the background, answers /healthz, and stops on SIGTERM', async () => {
    const started = await startServices({ dataDir, env, entry: healthyEntry, readyTimeoutMs: 20_000 });
    expect(started.alreadyRunning).toBe(false);
    expect(await servicesPid(dataDir)).toBe(started.pid);
    expect((await fetchHealthz(env))?.status).toBe(200);
    expect(readFileSync(path.join(dataDir, 'logs/services.log'), 'utf8')).toContain('stand-in services starting');

    const again = await startServices({ dataDir, env, entry: healthyEntry });
    expect(again).toEqual({ pid: started.pid, alreadyRunning: true });

    expect(await stopServices(dataDir, 10_000)).toBe('terminated');
    expect(await servicesPid(dataDir)).toBeUndefined();
    expect(await fetchHealthz(env)).toBeUndefined();
  });

  it('fails with the log tail when the process exits before it is healthy', async () => {
    const error = await startServices({ dataDir, env, entry: crashingEntry, readyTimeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CLI_FAILED' });
    expect((error as Error).message).toContain('exited before it was healthy');
    expect((error as Error).message).toContain('DATA_DIR_LOCKED');
    expect(await servicesPid(dataDir)).toBeUndefined();
  });
});
