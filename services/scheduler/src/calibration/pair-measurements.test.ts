import { describe, expect, it } from 'vitest';
import { agentVersionTrigger } from '../agent-version-trigger.js';
import type { Measurement } from './measurement-reader.js';
import { pairMeasurements } from './pair-measurements.js';

const m = (atSeconds: number, agent: string, value: number): Measurement => ({ atMicros: atSeconds * 1e6, agent, agentVersion: '1', value, contentHash: `${agent}${atSeconds}` });

describe('pairMeasurements', () => {
  it('pairs each probe with the nearest unused agent reading within the tolerance', () => {
    const probes = [m(100, 'probe', 1), m(200, 'probe', 2), m(1000, 'probe', 3)];
    const agents = [m(95, 'apm', 10), m(104, 'apm', 11), m(190, 'apm', 12), m(205, 'apm', 13)];
    const pairs = pairMeasurements(probes, agents, 30e6);
    expect(pairs.map((p) => [p.probe.value, p.agent.value])).toEqual([[1, 11], [2, 13]]);
  });

  it('uses an agent reading once and prefers the earlier one on a tie', () => {
    const pairs = pairMeasurements([m(100, 'probe', 1), m(101, 'probe', 2)], [m(95, 'apm', 10), m(105, 'apm', 11)], 10e6);
    expect(pairs.map((p) => p.agent.value)).toEqual([10, 11]);
  });
});

describe('agentVersionTrigger', () => {
  const versions = [
    { version: '7.1', firstSeenMicros: 1_000_000_000 },
    { version: '7.2', firstSeenMicros: 2_000_000_500 },
  ];
  it('triggers when the latest reported version differs from the last calibrated one', () => {
    expect(agentVersionTrigger(versions, '7.1', 3_600_000)).toEqual({ version: '7.2', window: { from: 2_000_000, to: 5_600_000 } });
  });
  it('does not trigger without a change or without an earlier calibration', () => {
    expect(agentVersionTrigger(versions, '7.2', 1000)).toBeUndefined();
    expect(agentVersionTrigger(versions, null, 1000)).toBeUndefined();
    expect(agentVersionTrigger([], '7.1', 1000)).toBeUndefined();
  });
});
