import { ProbityError, type ProbityErrorOptions } from '@probity/errors';

export type PolicyErrorCode =
  /** The Rego source does not compile (the compiler's message is the error's). */
  | 'POLICY_COMPILE_FAILED'
  /** The policy's Rego tests failed, or it has none that ran. */
  | 'POLICY_TESTS_FAILED'
  /** The opa CLI is missing or did not run. */
  | 'OPA_UNAVAILABLE'
  /** The wasm module cannot be loaded, or its answer is not `{allow, reasons}`. */
  | 'POLICY_EVALUATION_FAILED'
  /** A stored policy's bytes do not hash to the address they are kept under. */
  | 'POLICY_STORE_CORRUPT'
  /** No policy version is registered for the gate. */
  | 'POLICY_NOT_FOUND';

export class PolicyError extends ProbityError<PolicyErrorCode> {
  constructor(code: PolicyErrorCode, message: string, options?: ProbityErrorOptions) {
    super(code, message, options);
  }
}
