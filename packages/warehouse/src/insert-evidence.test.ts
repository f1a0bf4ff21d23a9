import { describe, expect, it } from 'vitest';
import { uniqueByTenantAndHash } from './insert-evidence.js';
import type { EvidenceRow } from './tables.js';

const row = (tenant: string, hash: string, leaf = 0) => ({ tenant, content_hash_hex: hash, leaf_index: leaf }) as unknown as EvidenceRow;

describe('evidence dedup helpers', () => {
  it('keeps the first row per (tenant, hash), in a fixed order whatever the input order', () => {
    const a = row('t1', 'aa'.repeat(32), 1);
    const b = row('t1', 'bb'.repeat(32), 2);
    const aAgain = row('t1', 'aa'.repeat(32), 3);
    const otherTenant = row('t2', 'aa'.repeat(32), 4);
    const one = uniqueByTenantAndHash([b, a, aAgain, otherTenant]);
    const two = uniqueByTenantAndHash([otherTenant, a, b]);
    expect(one.map((r) => r.leaf_index)).toEqual([1, 2, 4]);
    expect(two.map((r) => r.leaf_index)).toEqual([1, 2, 4]);
  });
});
