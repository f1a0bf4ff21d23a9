import type { Measurement } from './measurement-reader.js';

export interface MeasurementPair {
  probe: Measurement;
  agent: Measurement;
}

/**
 * Pairs each probe reading (oldest first) with the unused agent reading
 * nearest in time, within `toleranceMicros`; ties go to the earlier reading.
 * Deterministic for inputs in a fixed order. Probe readings without a
 * partner are left out.
 */
export function pairMeasurements(probes: readonly Measurement[], agents: readonly Measurement[], toleranceMicros: number): MeasurementPair[] {
  const used = new Set<number>();
  const pairs: MeasurementPair[] = [];
  for (const probe of probes) {
    let best = -1;
    let bestGap = Infinity;
    for (let i = 0; i < agents.length; i++) {
      if (used.has(i)) continue;
      const gap = Math.abs(agents[i]!.atMicros - probe.atMicros);
      if (gap <= toleranceMicros && gap < bestGap) {
        best = i;
        bestGap = gap;
      }
    }
    if (best >= 0) {
      used.add(best);
      pairs.push({ probe, agent: agents[best]! });
    }
  }
  return pairs;
}
