import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommonConfig } from '@probity/config';
import { checkAgentVersionTrigger, createScheduler, redisOptionsFromUrl, runCalibrationStudy, triggerSchedulerId, type StudyRunReturn } from '@probity/scheduler';
import type { Warehouse } from '@probity/warehouse';
import { Queue, QueueEvents } from 'bullmq';
import { uniqueName, waitFor } from '../helpers/index.js';
import { DAY, calibrationStudy, insertMonitoring, openTestWarehouse, recordingSink } from './fixtures.js';

const tenant = uniqueName('t').slice(0, 40);
const DUE = Date.UTC(2025, 3, 1);
const MINUTE = 60_000;
let warehouse: Warehouse;
let closeWarehouse: () => Promise<void>;

/**
 * Twelve probe runs over the quarter; the monitoring agent reports the same
 * p99 a minute later, off by `deviation` (relative) with a little noise.
 */
async function readings(modelId: string, deviation: number, agentVersion = '7.1.0', start = DUE - 80 * DAY, count = 12): Promise<void> {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * 6 * DAY;
    const truth = 200 + 10 * Math.sin(i);
    const noise = 1 + 0.002 * Math.cos(3 * i);
    rows.push({ tenant, modelId, agent: 'synthetic-probe', agentVersion: 'probe-1', at, metrics: { latency_p99_ms: truth } });
    rows.push({ tenant, modelId, agent: 'apm-agent', agentVersion, at: at + MINUTE, metrics: { latency_p99_ms: truth * (1 + deviation) * noise, cpu: 0.5 } });
  }
  await insertMonitoring(warehouse, rows);
}

const study = (modelId: string, extra: Record<string, unknown> = {}) => calibrationStudy({ id: `cal-${modelId}`, scope: { tenant, model_id: modelId }, ...extra });

beforeAll(async () => {
  ({ warehouse, close: closeWarehouse } = await openTestWarehouse());
  await readings('m-3pct', 0.03);
  await readings('m-8pct', 0.08);
});

afterAll(async () => {
  await closeWarehouse?.();
});

describe('calibration study of a monitoring metric against synthetic probes', () => {
  it('passes a 3% deviation and fails an 8% one, with Bland–Altman bias and limits reported', async () => {
    const ok = await runCalibrationStudy(study('m-3pct'), DUE, { warehouse });
    const bad = await runCalibrationStudy(study('m-8pct'), DUE, { warehouse });
    const deviation = (r: typeof ok) => r.results.find((f) => f.method === 'relative_deviation')!;
    console.log({ ok: deviation(ok).statistic, bad: deviation(bad).statistic, bias: ok.results.map((f) => `${f.name}=${f.statistic.toFixed(3)}`) });
    expect(ok.verdict).toBe('PASS');
    expect(deviation(ok)).toMatchObject({ verdict: 'PASS', threshold: 0.05 });
    expect(deviation(ok).statistic).toBeCloseTo(0.03, 2);
    expect(bad.verdict).toBe('FAIL');
    expect(deviation(bad).statistic).toBeCloseTo(0.08, 2);
    expect(ok.results.map((f) => f.name)).toEqual(['latency_p99_ms', 'latency_p99_ms.bias', 'latency_p99_ms.loa_lower', 'latency_p99_ms.loa_upper']);
    const [, bias, lower, upper] = ok.results;
    expect(bias!.statistic).toBeGreaterThan(5);
    expect(lower!.statistic).toBeLessThan(bias!.statistic);
    expect(upper!.statistic).toBeGreaterThan(bias!.statistic);
    expect(ok.current_window.sample_size).toBe(12);
    expect(ok.labels.agent_version).toBe('7.1.0');
    expect(ok.controls).toContain('iso9001:7.1.5');
    expect(await runCalibrationStudy(study('m-3pct'), DUE, { warehouse })).toEqual(ok);
  });

  it('gives INSUFFICIENT_DATA with too few pairs', async () => {
    const none = await runCalibrationStudy(study('m-none'), DUE, { warehouse });
    expect(none).toMatchObject({ verdict: 'INSUFFICIENT_DATA', results: [] });
    expect(none.labels.insufficient_reason).toBe('0 of 5 paired readings (0 probe, 0 agent)');
  });

  it('runs an extra calibration when the monitoring agent changes version', async () => {
    const connection = redisOptionsFromUrl(loadCommonConfig().REDIS_URL);
    const queueName = uniqueName('test');
    const sink = recordingSink();
    const definition = study('m-upgrade', { triggers: { agent_version_change: { check_every: '1s', settle: '1h' } } });
    await readings('m-upgrade', 0.01, '7.1.0');
    const scheduler = createScheduler({ connection, queueName, warehouse, sink, studies: [definition] });
    const events = new QueueEvents(queueName, { connection });
    const queue = new Queue(queueName, { connection });
    try {
      const { upserted } = await scheduler.start();
      expect(upserted).toEqual(['cal-m-upgrade', triggerSchedulerId('cal-m-upgrade')]);
      await events.waitUntilReady();
      // The first calibration records the agent version it saw.
      const first = (await (await scheduler.runNow(definition.id, DUE)).waitUntilFinished(events, 60_000)) as StudyRunReturn;
      expect(first.verdict).toBe('PASS');
      expect(await checkAgentVersionTrigger(definition, { queue, warehouse })).toMatchObject({ triggered: false, reason: 'agent version unchanged (7.1.0)' });

      // The agent is upgraded on day 3 after the due time; it now reads 8% high.
      const upgradedAt = DUE + 3 * DAY;
      await readings('m-upgrade', 0.08, '7.2.0', upgradedAt, 6);
      // The agent's first report of 7.2.0 comes a minute after the probe's.
      const firstSeen = upgradedAt + MINUTE;
      const expectedDue = firstSeen + 60 * MINUTE;
      const triggered = await waitFor(
        async () => (await queue.getJobs(['completed'])).find((j) => j.data.trigger === 'agent-version'),
        { timeoutMs: 30_000, message: 'the triggered calibration run' },
      );
      expect(triggered.returnvalue).toMatchObject({ trigger: 'agent-version', dueMillis: expectedDue });
      const triggeredResult = sink.results.find((r) => r.run_id === triggered.returnvalue.runId)!;
      expect(triggeredResult.current_window).toMatchObject({ from: new Date(firstSeen).toISOString(), to: new Date(expectedDue).toISOString() });
      // Only the first reading of the new version falls in the hour after the upgrade: too few pairs to judge.
      expect(triggeredResult.labels.agent_version).toBe('7.2.0');
      expect(await checkAgentVersionTrigger(definition, { queue, warehouse })).toMatchObject({ triggered: false, reason: 'agent version unchanged (7.2.0)' });
    } finally {
      await queue.close();
      await events.close();
      await scheduler.stop();
    }
  });
});
