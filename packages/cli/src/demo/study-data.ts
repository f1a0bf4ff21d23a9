import { createHash } from 'node:crypto';
import { controlsEvidencedBy } from '@probity/catalog';
import { DEMO_TENANT, digest, digestUuid } from './pipeline.js';

/**
 * What the shipped demo studies (studies/demo-*.yaml) read, generated so
 * that they reach real verdicts: credit-risk's inference traffic (a
 * reference month of version 4.1.0 and the last days of 4.2.0, whose
 * applicants carry more debt) and p99 latency readings of two monitoring
 * agents beside synthetic probes. Every record is a pure function of its
 * day and index, so re-running the demo re-emits identical records (the
 * notary stores them once) and only adds the hours that passed since.
 */

export const DEMO_STUDIES = {
  drift: 'demo-credit-risk-drift',
  calibrationPass: 'demo-latency-p99-calibration',
  calibrationFail: 'demo-latency-p99-otel-calibration',
} as const;

const DAY_MS = 86_400_000;
const MODEL_ID = 'credit-risk';

/** The drift study's reference: version 4.1.0's validation month, as studies/demo-credit-risk-drift.yaml names it. */
export const DEMO_REFERENCE = { modelVersion: '4.1.0', from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 1, 1), records: 5_500 } as const;

/**
 * Live traffic of the deployed 4.2.0: one scoring request every 80 s
 * (1,080 a day, about 7,500 in the study's 7-day window, so the
 * "5,000 predictions and 7 days" minimum still holds for a run later the
 * same day), from `days` days before today (UTC) up to now.
 */
export const DEMO_LIVE = { modelVersion: '4.2.0', intervalMs: 80_000, days: 7 } as const;

/** Probe and agent readings: one round an hour over the same days. */
export const DEMO_MONITORING = { intervalMs: 3_600_000, days: DEMO_LIVE.days } as const;

/** The three agents and how each reads the true p99: the APM agent 2% high, the collector 9% low. */
const AGENTS = [
  { agent: 'synthetic-probe', version: 'probe-2.3.1', offsetMs: 0, bias: 1.0, noise: 0.005 },
  { agent: 'apm-agent', version: '7.4.2', offsetMs: 20_000, bias: 1.02, noise: 0.01 },
  { agent: 'otel-collector', version: '0.104.0', offsetMs: 40_000, bias: 0.91, noise: 0.01 },
] as const;

/** A seeded generator of uniform and standard normal numbers (mulberry32 + Box–Muller). */
function generator(key: string): { uniform(): number; normal(): number } {
  let state = createHash('sha256').update(key).digest().readUInt32LE(0);
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4_294_967_297;
  };
  return { uniform, normal: () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Applicants' features. Version 4.2.0's traffic has lower incomes (median
 * 44,000 against 52,000: a warning-sized shift) and higher debt ratios
 * (mean about 0.45 against 0.32: a critical one); credit history is unchanged.
 */
function applicant(g: ReturnType<typeof generator>, shifted: boolean): { features: Record<string, number>; prediction: number; latency: number } {
  const income = Math.round(Math.exp(Math.log(shifted ? 44_000 : 52_000) + 0.45 * g.normal()) / 100) * 100;
  const debtRatio = round(sigmoid((shifted ? -0.25 : -0.8) + 0.6 * g.normal()), 3);
  const history = Math.max(3, Math.round(90 + 38 * g.normal()));
  const prediction = round(sigmoid(-2.2 + 3 * (debtRatio - 0.35) - 0.6 * Math.log(income / 50_000) - 0.004 * (history - 90)), 4);
  return { features: { income, debt_ratio: debtRatio, credit_history_months: history }, prediction, latency: round(9 + 6 * -Math.log(g.uniform()), 2) };
}

function inference(modelVersion: string, requestId: string, at: number, a: ReturnType<typeof applicant>): Record<string, unknown> {
  return {
    tenant: DEMO_TENANT,
    model_id: MODEL_ID,
    model_version: modelVersion,
    request_id: requestId,
    occurred_at: new Date(at).toISOString(),
    latency_ms: a.latency,
    features: a.features,
    prediction: a.prediction,
    policy_checks: [{ policy: 'no-protected-attributes', passed: true }],
    human_oversight_triggered: a.prediction > 0.5,
    data_residency: 'eu-west-1',
    controls: controlsEvidencedBy({ recordType: 'InferenceRecord' }),
  };
}

/** Version 4.1.0's scoring requests during its validation month, evenly spread. */
export function referenceInference(): Record<string, unknown>[] {
  const { modelVersion, from, to, records } = DEMO_REFERENCE;
  const g = generator(`${MODEL_ID}@${modelVersion}/reference`);
  const step = (to - from) / records;
  return Array.from({ length: records }, (_, i) => inference(modelVersion, `${MODEL_ID}-${modelVersion}-req-${i}`, from + Math.floor(i * step), applicant(g, false)));
}

const startOfUtcDay = (millis: number) => Math.floor(millis / DAY_MS) * DAY_MS;
const dayKey = (day: number) => new Date(day).toISOString().slice(0, 10);

/** Calls `each(day, at, index)` for every slot of every day from `days` before today, in time order, while `at < nowMillis`. */
function slots(nowMillis: number, days: number, intervalMs: number, each: (day: number, at: number, index: number) => void): void {
  for (let day = startOfUtcDay(nowMillis) - days * DAY_MS; day < nowMillis; day += DAY_MS) {
    for (let i = 0; i * intervalMs < DAY_MS && day + i * intervalMs < nowMillis; i++) each(day, day + i * intervalMs, i);
  }
}

/** Version 4.2.0's scoring requests from `DEMO_LIVE.days` days before today up to `nowMillis`. */
export function liveInference(nowMillis: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let g = generator('');
  slots(nowMillis, DEMO_LIVE.days, DEMO_LIVE.intervalMs, (day, at, i) => {
    // One generator per day, so a day's records do not depend on when the demo ran.
    if (i === 0) g = generator(`${MODEL_ID}@${DEMO_LIVE.modelVersion}/${dayKey(day)}`);
    out.push(inference(DEMO_LIVE.modelVersion, `${MODEL_ID}-${dayKey(day)}-req-${i}`, at, applicant(g, true)));
  });
  return out;
}

/**
 * MONITORING manifests: every hour the synthetic probe measures credit-risk's
 * p99 latency, and the APM agent and the OpenTelemetry collector report
 * theirs 20 and 40 s later (within the studies' 5-minute pairing tolerance).
 */
export function monitoringManifests(nowMillis: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  slots(nowMillis, DEMO_MONITORING.days, DEMO_MONITORING.intervalMs, (day, at) => {
    const g = generator(`${MODEL_ID}/p99/${new Date(at).toISOString()}`);
    const hour = new Date(at).getUTCHours();
    // Busier in the (European) afternoon, slower then.
    const truth = 180 + 30 * Math.sin((2 * Math.PI * (hour - 8)) / 24) + 5 * g.normal();
    for (const a of AGENTS) {
      const occurred = at + a.offsetMs;
      out.push({
        tenant: DEMO_TENANT,
        manifest_id: digestUuid(`${MODEL_ID}-${a.agent}-${occurred}`),
        run_id: `${MODEL_ID}-monitoring-${dayKey(day)}`,
        pipeline_id: `${MODEL_ID}/monitoring`,
        model_id: MODEL_ID,
        model_version: DEMO_LIVE.modelVersion,
        stage: 'MONITORING',
        occurred_at: new Date(occurred).toISOString(),
        principal: { kind: 'SERVICE', id: `svc:${a.agent}@${DEMO_TENANT}` },
        inputs: [],
        outputs: [],
        commit_sha: digest(`${MODEL_ID}-commit`).slice(0, 40),
        approvals: [],
        controls: controlsEvidencedBy({ recordType: 'EvidenceManifest', stage: 'MONITORING' }),
        details: { monitoring: { agent: a.agent, agent_version: a.version, metrics: { latency_p99_ms: round(truth * a.bias * (1 + a.noise * g.normal()), 2) } } },
        labels: { demo: 'true' },
      });
    }
  });
  return out;
}
