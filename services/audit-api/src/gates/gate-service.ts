import { randomUUID } from 'node:crypto';
import { ProbityError } from '@probity/errors';
import { buildGateInput, canonicalDigest, canonicalJson, GatePolicy, type GateName, type PolicyStore, type RegisteredPolicyVersion } from '@probity/policy';
import type { PolicyDecision } from '@probity/schema';
import type { Warehouse } from '@probity/warehouse';
import type { EvidenceEmitter } from '../holds/legal-holds.js';
import { gatedRuns, readGateEvidence } from './gate-evidence.js';

export type GateErrorCode =
  /** The run's evidence could not be read from the warehouse. */
  | 'GATE_EVIDENCE_UNAVAILABLE'
  /** No usable policy version: none registered, its wasm missing or corrupt, or its evaluation failed. */
  | 'GATE_POLICY_UNAVAILABLE'
  /** The PolicyDecision record could not be made durable: no answer without it. */
  | 'GATE_DECISION_NOT_LOGGED';

/** Every gate failure: the gate then answers neither allow nor deny (exit 2 in the CLI). */
export class GateError extends ProbityError<GateErrorCode> {}

export interface GateDecisionAnswer {
  result: 'ALLOW' | 'DENY';
  allow: boolean;
  reasons: string[];
  tenant: string;
  gate: GateName;
  run_id: string;
  model: { id: string | null; version: string | null };
  policy: { id: string; version: number; source_sha256: string; wasm_sha256: string };
  input_sha256: string;
  /** How many records the input was built from. */
  evidence_records: number;
  decision: { decision_id: string; content_hash: string; durable: string; occurred_at: string };
}

export interface BacktestReport {
  tenant: string;
  gate: GateName;
  from: string;
  to: string;
  /** Runs with a manifest of the gate's stage in the window. */
  runs: number;
  would_allow: number;
  would_deny: { run_id: string; model_id: string | null; model_version: string | null; gated_at: string; input_sha256: string; reasons: string[] }[];
  elapsed_ms: number;
}

export interface GateServiceOptions {
  warehouse: Warehouse;
  /** Emits the PolicyDecision records: the API's SDK emitter (Kafka, or its spool while Kafka is down); resolves once durable. */
  emitter: EvidenceEmitter;
  policies: PolicyStore;
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

/** The decision carries its input; past this it would not fit the notary's default message limit (1 MiB). */
export const MAX_INPUT_JSON_BYTES = 512 * 1024;

const GATE_ENUM: Record<GateName, PolicyDecision['gate']> = { promotion: 'PROMOTION', deployment: 'DEPLOYMENT' };

/**
 * Evaluates a gate for a run: reads the evidence, evaluates the gate's
 * latest accepted policy version, and emits the signed PolicyDecision record;
 * answers only once that record is durable. Fails closed: any step that
 * fails is a `GateError`, never an allow.
 */
export class GateService {
  private readonly loaded = new Map<string, Promise<GatePolicy>>();
  private readonly now: () => Date;

  constructor(private readonly options: GateServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async check(request: { tenant: string; gate: GateName; runId: string; principal: { kind: 'USER' | 'SERVICE'; id: string } }): Promise<GateDecisionAnswer> {
    const { tenant, gate, runId } = request;
    const version = await this.policyVersion(tenant, gate);
    const policy = await this.load(version);

    let evidence: Awaited<ReturnType<typeof readGateEvidence>>;
    try {
      evidence = await readGateEvidence(this.options.warehouse, tenant, runId);
    } catch (err) {
      throw new GateError('GATE_EVIDENCE_UNAVAILABLE', `the run's evidence could not be read from the warehouse (${(err as { code?: string }).code ?? (err as Error).name}); no decision was made`, { cause: err, retriable: true });
    }
    const input = buildGateInput({ tenant, gate, runId, ...evidence });
    const inputJson = canonicalJson(input);
    const inputSha256 = canonicalDigest(input);
    if (Buffer.byteLength(inputJson) > MAX_INPUT_JSON_BYTES) {
      throw new GateError('GATE_EVIDENCE_UNAVAILABLE', `the run's gate input is ${Buffer.byteLength(inputJson)} bytes, more than a decision record can carry (${MAX_INPUT_JSON_BYTES}); no decision was made`);
    }

    let verdict: ReturnType<GatePolicy['evaluate']>;
    try {
      verdict = policy.evaluate(input);
    } catch (err) {
      throw new GateError('GATE_POLICY_UNAVAILABLE', `policy ${version.policy_id} v${version.version} could not be evaluated: ${(err as Error).message}`, { cause: err });
    }

    const decidedAt = this.now();
    const decisionId = randomUUID();
    const result = verdict.allow ? 'ALLOW' : 'DENY';
    const record: PolicyDecision = {
      tenant,
      decision_id: decisionId,
      occurred_at: decidedAt.getTime() * 1000,
      gate: GATE_ENUM[gate],
      run_id: runId,
      model_id: input.model.id,
      model_version: input.model.version,
      policy_id: version.policy_id,
      policy_version: version.version,
      policy_source_sha256: version.source_sha256,
      policy_wasm_sha256: version.wasm_sha256,
      input_sha256: inputSha256,
      input_json: inputJson,
      result,
      reasons: verdict.reasons,
      principal: { kind: request.principal.kind, id: request.principal.id, display_name: null },
      controls: ['iso42001:A.6.2.5', 'euaiact:Art.17', 'iso27001:A.8.32'],
      labels: {},
    };
    let emitted: { contentHash: string; durable?: string };
    try {
      emitted = await this.options.emitter.emit('PolicyDecision', record);
    } catch (err) {
      throw new GateError('GATE_DECISION_NOT_LOGGED', `the ${result} decision could not be logged (${(err as { code?: string }).code ?? (err as Error).message}); without it the gate gives no answer`, { cause: err, retriable: true });
    }
    return {
      result,
      allow: verdict.allow,
      reasons: verdict.reasons,
      tenant,
      gate,
      run_id: runId,
      model: input.model,
      policy: { id: version.policy_id, version: version.version, source_sha256: version.source_sha256, wasm_sha256: version.wasm_sha256 },
      input_sha256: inputSha256,
      evidence_records: input.evidence.length,
      decision: { decision_id: decisionId, content_hash: emitted.contentHash, durable: emitted.durable ?? 'durable', occurred_at: decidedAt.toISOString() },
    };
  }

  /**
   * What a candidate policy (compiled wasm) would have answered for every
   * run that passed the gate's stage in [from, to), on the evidence the
   * warehouse holds now. A what-if: nothing is logged, nothing is gated.
   */
  async backtest(request: { tenant: string; gate: GateName; wasm: Uint8Array; from: Date; to: Date }): Promise<BacktestReport> {
    const policy = await GatePolicy.load(request.wasm).catch((err: unknown) => {
      throw new GateError('GATE_POLICY_UNAVAILABLE', (err as Error).message, { cause: err });
    });
    const stage = request.gate === 'promotion' ? 'PROMOTION' : 'DEPLOYMENT';
    const started = Date.now();
    const denied: BacktestReport['would_deny'] = [];
    let allowed = 0;
    let runs: Awaited<ReturnType<typeof gatedRuns>>;
    try {
      runs = await gatedRuns(this.options.warehouse, request.tenant, stage, request.from, request.to);
    } catch (err) {
      throw new GateError('GATE_EVIDENCE_UNAVAILABLE', `the gated runs could not be read from the warehouse (${(err as { code?: string }).code ?? (err as Error).message})`, { cause: err, retriable: true });
    }
    for (const run of runs) {
      let evidence: Awaited<ReturnType<typeof readGateEvidence>>;
      try {
        evidence = await readGateEvidence(this.options.warehouse, request.tenant, run.run_id);
      } catch (err) {
        throw new GateError('GATE_EVIDENCE_UNAVAILABLE', `run ${run.run_id}: the evidence could not be read (${(err as { code?: string }).code ?? (err as Error).message})`, { cause: err, retriable: true });
      }
      const input = buildGateInput({ tenant: request.tenant, gate: request.gate, runId: run.run_id, ...evidence });
      let verdict: ReturnType<GatePolicy['evaluate']>;
      try {
        verdict = policy.evaluate(input);
      } catch (err) {
        throw new GateError('GATE_POLICY_UNAVAILABLE', `run ${run.run_id}: ${(err as Error).message}`, { cause: err });
      }
      if (verdict.allow) allowed += 1;
      else denied.push({ run_id: run.run_id, model_id: input.model.id, model_version: input.model.version, gated_at: run.at, input_sha256: canonicalDigest(input), reasons: verdict.reasons });
    }
    return {
      tenant: request.tenant, gate: request.gate, from: request.from.toISOString(), to: request.to.toISOString(),
      runs: runs.length, would_allow: allowed, would_deny: denied, elapsed_ms: Date.now() - started,
    };
  }

  private async policyVersion(tenant: string, gate: GateName): Promise<RegisteredPolicyVersion> {
    let version: RegisteredPolicyVersion | undefined;
    try {
      version = await this.options.policies.latest(tenant, gate);
    } catch (err) {
      throw new GateError('GATE_POLICY_UNAVAILABLE', `the policy registry could not be read: ${(err as Error).message}`, { cause: err });
    }
    if (!version) throw new GateError('GATE_POLICY_UNAVAILABLE', `no ${gate} policy is registered for tenant ${tenant}; add one with \`probity gate policy add --tenant ${tenant} --gate ${gate}\``);
    return version;
  }

  private load(version: RegisteredPolicyVersion): Promise<GatePolicy> {
    let loading = this.loaded.get(version.wasm_sha256);
    if (!loading) {
      loading = this.options.policies.getBlob(version.wasm_sha256).then((wasm) => GatePolicy.load(wasm));
      this.loaded.set(version.wasm_sha256, loading);
      loading.catch(() => this.loaded.delete(version.wasm_sha256));
    }
    return loading.catch((err: unknown) => {
      throw new GateError('GATE_POLICY_UNAVAILABLE', `policy ${version.policy_id} v${version.version}: ${(err as Error).message}`, { cause: err });
    });
  }
}
