import { describe, expect, it } from 'vitest';
import { ungatedRuns } from './ungated.js';

const stage = (run_id: string, s: string, at: string) => ({ run_id, model_id: 'm', stage: s, occurred_at: at, content_hash: `${run_id}-${s}` });

describe('ungatedRuns', () => {
  it('finds promotions and deployments without an ALLOW of the matching gate, naming the denials', () => {
    const findings = ungatedRuns(
      [stage('r1', 'PROMOTION', 't1'), stage('r1', 'DEPLOYMENT', 't2'), stage('r2', 'PROMOTION', 't3'), stage('r3', 'PROMOTION', 't4'), stage('r4', 'TRAINING', 't0')],
      [
        { run_id: 'r1', gate: 'PROMOTION', result: 'ALLOW', content_hash: 'a' },
        { run_id: 'r2', gate: 'PROMOTION', result: 'DENY', content_hash: 'd2' },
        { run_id: 'r3', gate: 'DEPLOYMENT', result: 'ALLOW', content_hash: 'x' },
      ],
    );
    expect(findings.map((f) => [f.run_id, f.stage, f.decisions])).toEqual([
      ['r1', 'DEPLOYMENT', []],
      ['r2', 'PROMOTION', ['d2']],
      ['r3', 'PROMOTION', []],
    ]);
    expect(findings.every((f) => f.finding === 'NO_ALLOWING_DECISION')).toBe(true);
  });
});
