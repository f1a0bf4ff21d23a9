/**
 * @probity/stats against SciPy on the same inputs, in the same run.
 *
 *   bash infra/interop/install-stats.sh   # numpy + scipy in the shared venv (once)
 *   npx tsx bench/stats/run.ts            # BENCH_SIZES=1e6 to skip 10^7
 *
 * Samples are normal, generated here with a seeded PRNG and written as raw
 * float64 files that Python reads with np.fromfile. Prints figures only;
 * timing never fails the run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { cohensD, ks2samp, psi, runInWorker } from '@probity/stats';

const SHIFT = 0.005; // mean shift of the "current" sample, in σ
const sizes = (process.env.BENCH_SIZES ?? '1e6,1e7').split(',').map(Number);
const python = join(process.env.PROBITY_CACHE_DIR ?? join(homedir(), '.cache', 'probity'), 'venv', 'bin', 'python');
const dir = mkdtempSync(join(tmpdir(), 'probity-stats-bench-'));

/** splitmix64 → uniform (0,1) → Box–Muller normals: reproducible across runs. */
function normalSample(n: number, seed: bigint, mean: number): Float64Array {
  let state = seed;
  const mask = (1n << 64n) - 1n;
  const next = (): number => {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    z ^= z >> 31n;
    return (Number(z >> 11n) + 0.5) / 2 ** 53;
  };
  // BigInt per draw is slow at 10^7; seed a fast xorshift128 from splitmix.
  let s0 = Math.floor(next() * 2 ** 32) >>> 0 || 1;
  let s1 = Math.floor(next() * 2 ** 32) >>> 0 || 2;
  let s2 = Math.floor(next() * 2 ** 32) >>> 0 || 3;
  let s3 = Math.floor(next() * 2 ** 32) >>> 0 || 4;
  const u32 = (): number => {
    const t = s3 ^ (s3 << 11);
    s3 = s2;
    s2 = s1;
    s1 = s0;
    s0 = (s0 ^ (s0 >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return s0;
  };
  const uniform = (): number => ((u32() >>> 5) * 67108864 + (u32() >>> 6) + 0.5) / 9007199254740992;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const theta = 2 * Math.PI * uniform();
    out[i] = mean + r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = mean + r * Math.sin(theta);
  }
  return out;
}

/** Timed calls per case and side; the best is reported (BENCH_RUNS, default 3). */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function bestOf<T>(runs: number, work: () => T): { value: T; seconds: number } {
  let best = Number.POSITIVE_INFINITY;
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    value = work();
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return { value, seconds: best };
}

const PY = `
import json, sys, time
import numpy as np, scipy
from scipy import stats
a = np.fromfile(sys.argv[1], dtype='<f8'); b = np.fromfile(sys.argv[2], dtype='<f8')
def psi_of(a, b):
    inner = np.quantile(a, np.arange(1, 10) / 10, method='linear')
    edges = np.unique(np.concatenate(([-np.inf], inner, [np.inf])))
    rc = np.diff(np.searchsorted(np.sort(a), edges, side='right')); cc = np.diff(np.searchsorted(np.sort(b), edges, side='right'))
    rp = np.maximum(rc / len(a), 1e-4); cp = np.maximum(cc / len(b), 1e-4)
    return float(np.sum((cp - rp) * np.log(cp / rp)))
def best_of(runs, f):
    best = None
    for _ in range(runs):
        t0 = time.perf_counter(); out = f(); t = time.perf_counter() - t0
        best = t if best is None or t < best else best
    return out, best
runs = int(sys.argv[3])
r, t_ks = best_of(runs, lambda: stats.ks_2samp(a, b))
psi, t_psi = best_of(runs, lambda: psi_of(a, b))
print(json.dumps({"scipy": scipy.__version__, "ks": [float(r.statistic), float(r.pvalue)], "ksSeconds": t_ks, "psi": psi, "psiSeconds": t_psi}))
`;

interface Row { case: string; ours: number; scipy: number | undefined; note: string }
const rows: Row[] = [];
const fmt = (s: number | undefined): string => (s === undefined ? 'n/a' : `${s.toFixed(3)} s`);
const havePython = existsSync(python);
if (!havePython) console.log(`(no ${python}: run bash infra/interop/install-stats.sh to time SciPy too)`);

try {
  for (const n of sizes) {
    const label = `10^${Math.log10(n)}`;
    const a = normalSample(n, 0x5eedn + BigInt(n), 0);
    const b = normalSample(n, 0xbeefn + BigInt(n), SHIFT);
    const fa = join(dir, `a-${n}.f64`);
    const fb = join(dir, `b-${n}.f64`);
    writeFileSync(fa, new Uint8Array(a.buffer));
    writeFileSync(fb, new Uint8Array(b.buffer));

    // Both sides: the best of RUNS timed calls on the same inputs (warm JIT here, warm caches there).
    const { value: ks, seconds: ksSeconds } = bestOf(RUNS, () => ks2samp(a, b));
    const { value: p, seconds: psiSeconds } = bestOf(RUNS, () => psi(a, b));
    const d = cohensD(a, b);

    let py: { scipy: string; ks: [number, number]; ksSeconds: number; psi: number; psiSeconds: number } | undefined;
    if (havePython) {
      const run = spawnSync(python, ['-c', PY, fa, fb, String(RUNS)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (run.status === 0) py = JSON.parse(run.stdout.trim());
      else console.log(`SciPy run failed: ${run.stderr}`);
    }
    rows.push({
      case: `KS ${label}×${label}`,
      ours: ksSeconds,
      scipy: py?.ksSeconds,
      note: `D=${ks.statistic.toExponential(6)} p=${ks.pValue.toExponential(6)} (${ks.method})` +
        (py ? ` | SciPy ${py.scipy} D=${py.ks[0].toExponential(6)} p=${py.ks[1].toExponential(6)}` : ''),
    });
    rows.push({
      case: `PSI ${label}×${label}`,
      ours: psiSeconds,
      scipy: py?.psiSeconds,
      note: `PSI=${p.value.toExponential(6)}` + (py ? ` | numpy ${py.psi.toExponential(6)}` : ''),
    });
    console.log(`${label}: mean shift ${SHIFT}σ → Cohen's d = ${d.toFixed(5)}, KS D = ${ks.statistic.toFixed(5)}, p = ${ks.pValue.toExponential(3)}`);
  }

  console.log('\n| case | Probity | SciPy/numpy | Probity/SciPy | values |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = r.scipy === undefined ? 'n/a' : (r.ours / r.scipy).toFixed(2);
    console.log(`| ${r.case} | ${fmt(r.ours)} | ${fmt(r.scipy)} | ${ratio} | ${r.note} |`);
  }

  // Event-loop responsiveness: the largest KS on the main thread vs in a worker.
  const n = Math.max(...sizes);
  const a = normalSample(n, 0x5eedn + BigInt(n), 0);
  const b = normalSample(n, 0xbeefn + BigInt(n), SHIFT);
  const measure = async (label: string, run: () => Promise<unknown>): Promise<void> => {
    const h = monitorEventLoopDelay({ resolution: 10 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 50);
    h.enable();
    const t0 = performance.now();
    await run();
    const seconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 30)); // let the histogram record a delay still pending
    h.disable();
    clearInterval(timer);
    console.log(`${label}: ${seconds.toFixed(2)} s, max event-loop delay ${(h.max / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, 50 ms timer fired ${ticks}×`);
  };
  console.log(`\nKS 10^${Math.log10(n)}×10^${Math.log10(n)}, event loop of the calling thread:`);
  await measure('  main thread ', async () => {
    await new Promise((r) => setTimeout(r, 20)); // let the histogram start
    ks2samp(a, b);
  });
  await measure('  runInWorker ', () => runInWorker('ks2samp', [a, b]));
  const [ta, tb] = [Float64Array.from(a), Float64Array.from(b)];
  await measure('  runInWorker (transfer)', () => runInWorker('ks2samp', [ta, tb], { transfer: true }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
