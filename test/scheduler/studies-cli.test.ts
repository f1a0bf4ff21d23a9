import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommonConfig } from '@probity/config';
import { createScheduler, loadStudies, redisOptionsFromUrl, type Scheduler } from '@probity/scheduler';
import type { Warehouse } from '@probity/warehouse';
import { Queue } from 'bullmq';
import { runCli, uniqueName, waitFor } from '../helpers/index.js';
import { openTestWarehouse, recordingSink } from './fixtures.js';

const study = (id: string, schedule: string) => `
id: ${id}
version: "2"
kind: calibration
scope: { tenant: demo, model_id: cli-model }
schedule: ${schedule}
metric: { name: latency_p99_ms, agent: apm-agent }
reference: { probe_agent: synthetic-probe }
window: 90d
acceptance: { max_relative_deviation: 0.05 }
`;

const connection = redisOptionsFromUrl(loadCommonConfig().REDIS_URL);
const queueName = uniqueName('test');
const env = { PROBITY_SCHEDULER_QUEUE: queueName, LOG_LEVEL: 'silent' };
let dir: string;
let warehouse: Warehouse;
let closeWarehouse: () => Promise<void>;
const running: Scheduler[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'studies-cli-'));
  writeFileSync(path.join(dir, 'overdue.yaml'), study('cal-every-second', '{ every: 1s }'));
  writeFileSync(path.join(dir, 'yearly.yaml'), study('cal-yearly', '{ cron: "0 0 1 1 *", tz: UTC }'));
  ({ warehouse, close: closeWarehouse } = await openTestWarehouse());
});

afterAll(async () => {
  for (const s of running) await s.stop();
  const queue = new Queue(queueName, { connection });
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await closeWarehouse?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('probity studies', () => {
  it('list shows next due times from BullMQ and flags a study whose due run was never started', async () => {
    const studies = await loadStudies(dir);
    // Schedules only, no worker: the every-second study falls behind at once.
    const schedulesOnly = createScheduler({ connection, queueName, warehouse, sink: recordingSink(), studies, runWorker: false });
    running.push(schedulesOnly);
    await schedulesOnly.start();
    // The first due time is now; once it is more than the 1 s grace old with no worker, the study is overdue.
    const list = await waitFor(async () => {
      const out = await runCli(['studies', 'list', '--dir', dir, '--grace', '1'], { env });
      return out.code === 1 ? out : undefined;
    }, { timeoutMs: 30_000, message: 'list to report an overdue study' });
    expect(list.stdout).toMatch(/OVERDUE cal-every-second: due \S+ and not started/);
    const nextJanuary = `${new Date().getUTCFullYear() + 1}-01-01T00:00:00Z`;
    expect(list.stdout).toMatch(new RegExp(`cal-yearly\\s+v2\\s+calibration\\s+demo/cli-model\\s+0 0 1 1 \\* \\(UTC\\)\\s+${nextJanuary}\\s+never`));

    const json = JSON.parse((await runCli(['studies', 'list', '--dir', dir, '--grace', '1', '--json'], { env })).stdout);
    expect(json.map((s: { id: string; overdue: boolean }) => [s.id, s.overdue])).toEqual([['cal-every-second', true], ['cal-yearly', false]]);
  });

  it('run enqueues a run, waits for a worker and prints the result; history lists it', async () => {
    const sink = recordingSink();
    const worker = createScheduler({ connection, queueName, warehouse, sink, studies: await loadStudies(dir) });
    running.push(worker);
    await worker.start();

    const run = await runCli(['studies', 'run', 'cal-yearly', '--dir', dir, '--due', '2025-06-01T00:00:00Z', '--timeout', '60'], { env });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ study_id: 'cal-yearly', study_version: '2', run_id: 'cal-yearly@2@2025-06-01T00:00:00.000Z', verdict: 'INSUFFICIENT_DATA', kind: 'CALIBRATION' });
    expect(run.stderr).toMatch(/verdict INSUFFICIENT_DATA, content hash [0-9a-f]{64}/);
    expect(sink.results.filter((r) => r.study_id === 'cal-yearly')).toHaveLength(1);

    const history = await runCli(['studies', 'history', 'cal-yearly', '--dir', dir], { env });
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toMatch(/2025-06-01T00:00:00Z\s+completed\s+manual\s+INSUFFICIENT_DATA\s+1\s+[0-9a-f]{64}\s+cal-yearly:2:1748736000000/);

    // The worker catches up with the every-second study.
    let last = '';
    await waitFor(
      async () => {
        const list = await runCli(['studies', 'list', '--dir', dir, '--grace', '5'], { env });
        last = list.stdout + list.stderr;
        return list.code === 0;
      },
      { timeoutMs: 30_000, message: 'no study overdue' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last output:\n${last}`);
    });
  });

  it('says what is wrong with a bad command line or an unknown study', async () => {
    expect((await runCli(['studies', 'frobnicate'], { env })).code).toBe(2);
    const unknown = await runCli(['studies', 'history', 'nope', '--dir', dir], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no study nope; defined: cal-every-second, cal-yearly');
  });
});
