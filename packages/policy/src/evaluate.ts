import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { PolicyError } from './errors.js';

/** What every gate policy answers at `gate/decision`. */
export interface GateVerdict {
  allow: boolean;
  reasons: string[];
}

/** A compiled policy loaded once and evaluated for many inputs (one at a time: a wasm instance is not reentrant). */
export class GatePolicy {
  private constructor(private readonly loaded: LoadedPolicy) {}

  static async load(wasm: Uint8Array): Promise<GatePolicy> {
    try {
      return new GatePolicy(await loadPolicy(wasm));
    } catch (err) {
      throw new PolicyError('POLICY_EVALUATION_FAILED', `the policy's WebAssembly does not load: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Evaluates the input. Fails closed: a policy that answers nothing, or
   * anything but `{allow: boolean, reasons: string[]}`, is an error, never
   * an allow. A deny without reasons gets one saying so.
   */
  evaluate(input: unknown): GateVerdict {
    let resultSet: unknown;
    try {
      resultSet = this.loaded.evaluate(input);
    } catch (err) {
      throw new PolicyError('POLICY_EVALUATION_FAILED', `policy evaluation failed: ${(err as Error).message}`, { cause: err });
    }
    const result = Array.isArray(resultSet) && resultSet.length === 1 ? (resultSet[0] as { result?: unknown }).result : undefined;
    const r = result as { allow?: unknown; reasons?: unknown } | undefined;
    if (!r || typeof r !== 'object' || typeof r.allow !== 'boolean' || !Array.isArray(r.reasons) || !r.reasons.every((x) => typeof x === 'string')) {
      throw new PolicyError('POLICY_EVALUATION_FAILED', `the policy's gate/decision must be {"allow": boolean, "reasons": [string]}; it gave ${JSON.stringify(resultSet)?.slice(0, 200)}`);
    }
    const reasons = [...(r.reasons as string[])];
    if (!r.allow && reasons.length === 0) reasons.push('the policy denied without giving a reason');
    return { allow: r.allow, reasons };
  }
}
