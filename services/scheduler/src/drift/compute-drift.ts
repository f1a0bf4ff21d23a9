import { chiSquare, jensenShannon, ks2samp, psi, standardDeviation, wasserstein1, type PsiResult } from '@probity/stats';
import type { DriftMethod } from '@probity/catalog';
import { hashSortedSamples } from '../study/sample-hash.js';
import type { MethodNumbers } from '../study/verdict.js';

export interface DriftFeatureInput {
  name: string;
  reference: Float64Array;
  current: Float64Array;
}

export interface DriftComputeInput {
  features: DriftFeatureInput[];
  methods: DriftMethod[];
  bins: number;
}

export interface DriftFeatureNumbers {
  name: string;
  referenceSize: number;
  currentSize: number;
  /** Per method; absent for a feature without data in either window. */
  methods: Partial<Record<DriftMethod, MethodNumbers>>;
}

export interface DriftComputeOutput {
  features: DriftFeatureNumbers[];
  /** SHA-256 of the sorted reference samples (the reference distribution's content address). */
  referenceHash: string;
  currentHash: string;
}

/**
 * The numbers of a drift study: pure and deterministic (samples are sorted
 * first, so row order does not matter). Runs in a worker thread.
 *
 * - psi: PSI over `bins` reference-quantile bins; no p-value.
 * - ks: two-sided two-sample KS; effect size = D.
 * - wasserstein: W1; effect size = W1 / sd(reference).
 * - js: Jensen–Shannon distance (base 2, in [0, 1]) of the PSI bins' counts.
 * - chi2: chi-square homogeneity test on the PSI bins (bins empty in both
 *   samples dropped); effect size = Cramér's V = sqrt(chi² / n).
 */
export function computeDrift(input: DriftComputeInput): DriftComputeOutput {
  const features: DriftFeatureNumbers[] = [];
  const sortedReferences = [];
  const sortedCurrents = [];
  for (const feature of input.features) {
    const reference = Float64Array.from(feature.reference).sort();
    const current = Float64Array.from(feature.current).sort();
    sortedReferences.push({ name: feature.name, values: reference });
    sortedCurrents.push({ name: feature.name, values: current });
    const numbers: DriftFeatureNumbers = { name: feature.name, referenceSize: reference.length, currentSize: current.length, methods: {} };
    if (reference.length > 0 && current.length > 0) numbers.methods = computeMethods(reference, current, input.methods, input.bins);
    features.push(numbers);
  }
  return { features, referenceHash: hashSortedSamples(sortedReferences), currentHash: hashSortedSamples(sortedCurrents) };
}

function computeMethods(reference: Float64Array, current: Float64Array, methods: readonly DriftMethod[], bins: number): Partial<Record<DriftMethod, MethodNumbers>> {
  const out: Partial<Record<DriftMethod, MethodNumbers>> = {};
  let binned: PsiResult | undefined;
  const psiBins = (): PsiResult => (binned ??= psi(reference, current, { bins }));
  for (const method of methods) {
    switch (method) {
      case 'psi':
        out.psi = { statistic: psiBins().value, p_value: null, effect_size: null };
        break;
      case 'ks': {
        const ks = ks2samp(reference, current);
        out.ks = { statistic: ks.statistic, p_value: ks.pValue, effect_size: ks.statistic };
        break;
      }
      case 'wasserstein': {
        const w = wasserstein1(reference, current);
        const sd = reference.length > 1 ? standardDeviation(reference, 1) : 0;
        out.wasserstein = { statistic: w, p_value: null, effect_size: sd > 0 ? w / sd : null };
        break;
      }
      case 'js': {
        const b = psiBins().bins;
        out.js = { statistic: jensenShannon(b.map((x) => x.referenceCount), b.map((x) => x.currentCount), { base: 2 }), p_value: null, effect_size: null };
        break;
      }
      case 'chi2': {
        const kept = psiBins().bins.filter((x) => x.referenceCount + x.currentCount > 0);
        const chi = chiSquare(kept.map((x) => x.referenceCount), kept.map((x) => x.currentCount));
        const n = reference.length + current.length;
        out.chi2 = { statistic: chi.statistic, p_value: chi.pValue, effect_size: Math.sqrt(chi.statistic / n) };
        break;
      }
    }
  }
  return out;
}

