/** A PROMOTION or DEPLOYMENT manifest, as the gap analysis reads it. */
export interface GatedStageRecord {
  run_id: string;
  model_id: string;
  stage: string;
  occurred_at: string;
  content_hash: string;
}

/** A logged gate decision, as the gap analysis reads it. */
export interface LoggedDecision {
  run_id: string;
  /** PROMOTION or DEPLOYMENT. */
  gate: string;
  result: string;
  content_hash: string;
}

export interface UngatedFinding extends GatedStageRecord {
  finding: 'NO_ALLOWING_DECISION';
  /** The decisions logged for the run and gate (all denials), so a reader sees whether the gate was asked at all. */
  decisions: string[];
}

/**
 * Every promotion or deployment manifest whose run has no ALLOW decision of
 * the matching gate: the stage went ahead without the gate's approval (or
 * before it was logged). Pure: an auditor recomputes it from the records.
 */
export function ungatedRuns(stages: readonly GatedStageRecord[], decisions: readonly LoggedDecision[]): UngatedFinding[] {
  const allowed = new Set<string>();
  const denied = new Map<string, string[]>();
  for (const d of decisions) {
    const key = `${d.gate}\u0000${d.run_id}`;
    if (d.result === 'ALLOW') allowed.add(key);
    else denied.set(key, [...(denied.get(key) ?? []), d.content_hash]);
  }
  return stages
    .filter((s) => (s.stage === 'PROMOTION' || s.stage === 'DEPLOYMENT') && !allowed.has(`${s.stage}\u0000${s.run_id}`))
    .map((s) => ({ ...s, finding: 'NO_ALLOWING_DECISION' as const, decisions: (denied.get(`${s.stage}\u0000${s.run_id}`) ?? []).sort() }))
    .sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : a.content_hash < b.content_hash ? -1 : 1));
}
