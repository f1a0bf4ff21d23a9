// Seeded value mutations for the soundness tests of the one-pass checks (body-checker, direct-encoder).

/** mulberry32: a seeded generator, so a failure reproduces. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

/** Strings chosen to trip (or just miss) each semantic rule. */
export function ruleStrings(): string[] {
  return ['', ' ', ' \u00a0\t', 'x', 'ABCDEF', 'a'.repeat(64), 'A'.repeat(64), 'g'.repeat(64), '0'.repeat(40), 'f'.repeat(63), 'iso42001:A.6.2.4', 'no colon', 'Acme', 'acme-bank', '7c1e4b52-3f0a-4d6e-9a55-0c2b8e9f1a34', '7C1E4B52-3F0A-4D6E-9A55-0C2B8E9F1A34', '7c1e4b52+3f0a-4d6e-9a55-0c2b8e9f1a34', 'é', 'UNKNOWN', 'OTHER'];
}

/** Numbers around each rule's edge, judged at `now`. */
export function ruleNumbers(now: Date): number[] {
  return [-1, 0, 0.5, 1, 2, -0.25, 1e9, 946_684_800_000_000 - 1, 946_684_800_000_000, now.getTime() * 1000, now.getTime() * 1000 + 86_400_000_000, now.getTime() * 1000 + 86_400_000_001, 2 ** 52];
}

export interface Leaf {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
  leaf: unknown;
}

const isBranch = (node: unknown): node is object => typeof node === 'object' && node !== null && !Buffer.isBuffer(node);

/** Every leaf (non-object value) of a value, with where it sits. */
export function leavesOf(value: unknown): Leaf[] {
  const leaves: Leaf[] = [];
  const collect = (node: unknown) => {
    if (Array.isArray(node)) node.forEach((child, i) => (isBranch(child) ? collect(child) : leaves.push({ parent: node, key: i, leaf: child })));
    else if (isBranch(node)) {
      for (const [key, child] of Object.entries(node)) {
        if (isBranch(child)) collect(child);
        else leaves.push({ parent: node as Record<string, unknown>, key, leaf: child });
      }
    }
  };
  collect(value);
  return leaves;
}

/** Replaces one to three leaves of a deep copy by rule-edge strings and numbers. */
export function mutateLeaves(value: unknown, next: () => number, now: Date): unknown {
  const copy = structuredClone(value);
  const leaves = leavesOf(copy);
  const strings = ruleStrings();
  const numbers = ruleNumbers(now);
  const changes = 1 + Math.floor(next() * 3);
  for (let i = 0; i < changes && leaves.length > 0; i++) {
    const target = pick(next, leaves);
    const replacement = typeof target.leaf === 'string' ? pick(next, strings) : typeof target.leaf === 'number' ? pick(next, numbers) : target.leaf;
    (target.parent as Record<string | number, unknown>)[target.key] = replacement;
  }
  return copy;
}
