import { readFileSync } from 'node:fs';

/** The shipped promotion policy and its Rego tests (packages/policy/policies/). */
export function defaultPolicyFiles(): { source: string; tests: string; sourcePath: string; testsPath: string } {
  const sourceUrl = new URL('../policies/promotion.rego', import.meta.url);
  const testsUrl = new URL('../policies/promotion_test.rego', import.meta.url);
  return { source: readFileSync(sourceUrl, 'utf8'), tests: readFileSync(testsUrl, 'utf8'), sourcePath: sourceUrl.pathname, testsPath: testsUrl.pathname };
}
