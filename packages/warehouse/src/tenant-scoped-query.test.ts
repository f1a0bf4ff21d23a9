import { describe, expect, it } from 'vitest';
import { TenantScopedQuery } from './tenant-scoped-query.js';
import type { QueryableTable } from './tenant-scoped-query.js';

const TENANT_FIRST = /^SELECT .+ FROM [a-z_0-9]+( FINAL)? WHERE tenant = \{tenant:String\}( AND \(.+\))*( ORDER BY .+)?( LIMIT \{limit:UInt64\})?( OFFSET \{offset:UInt64\})?$/;

describe('TenantScopedQuery', () => {
  it('always starts WHERE with the bound tenant predicate', () => {
    const tables: QueryableTable[] = ['evidence_v1', 'evidence_by_hash_v1', 'evidence_by_run_v1', 'inference_v1', 'study_results_v1', 'incidents_v1'];
    for (const table of tables) {
      const { sql, params } = TenantScopedQuery.from(table, 'acme').build();
      expect(sql).toMatch(TENANT_FIRST);
      expect(params.tenant).toBe('acme');
    }
    const full = TenantScopedQuery.from('evidence_v1', 'acme')
      .select(['content_hash', 'model_id', 'occurred_at', 'record'])
      .where('model_id', 'eq', 'fraud')
      .where('occurred_at', 'gte', new Date('2026-07-01T00:00:00Z'))
      .where('occurred_at', 'lt', '2026-10-01 00:00:00')
      .where('controls', 'has', 'A.6.2.4')
      .where('content_hash', 'in', ['ab'.repeat(32)])
      .orderBy('occurred_at', 'desc')
      .limit(100, 200)
      .build();
    expect(full.sql).toMatch(TENANT_FIRST);
    expect(full.sql).toContain('lower(hex(content_hash)) AS content_hash_hex');
    expect(full.sql).toContain('base64Encode(record) AS record_base64');
    expect(full.params).toMatchObject({ tenant: 'acme', p0: 'fraud', p1: '2026-07-01 00:00:00.000000', limit: 100, offset: 200 });
  });

  it('keeps caller values out of the SQL text', () => {
    const evil = "x') OR 1=1 --";
    const { sql, params } = TenantScopedQuery.from('evidence_v1', evil).where('run_id', 'eq', evil).build();
    expect(sql).not.toContain(evil);
    expect(sql).not.toContain('OR 1=1');
    expect(Object.values(params)).toContain(evil);
  });

  it('cannot be built without a tenant or with a second tenant predicate', () => {
    expect(() => TenantScopedQuery.from('evidence_v1', '')).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
    expect(() => TenantScopedQuery.from('evidence_v1', undefined as unknown as string)).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
    expect(() => TenantScopedQuery.from('evidence_v1', 'acme').where('tenant', 'eq', 'other')).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
  });

  it('only names allow-listed tables and columns', () => {
    expect(() => TenantScopedQuery.from('api_tokens_v1' as QueryableTable, 'acme')).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
    expect(() => TenantScopedQuery.from('evidence_v1', 'acme').where('1=1 OR tenant' as 'run_id', 'eq', 'x')).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
    expect(() => TenantScopedQuery.from('evidence_v1', 'acme').select(['toString' as 'run_id'])).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
    expect(() => TenantScopedQuery.from('evidence_v1', 'acme').orderBy('__proto__' as 'run_id')).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
    expect(() => TenantScopedQuery.from('evidence_v1', 'acme').orderBy('run_id', 'desc; DROP' as 'desc')).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
  });

  it('validates hashes and limits', () => {
    expect(() => TenantScopedQuery.from('evidence_v1', 'acme').where('content_hash', 'eq', 'not-hex')).toThrow(TypeError);
    expect(() => TenantScopedQuery.from('evidence_v1', 'acme').limit(0)).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
    expect(() => TenantScopedQuery.from('evidence_v1', 'acme').where('run_id', 'in', [])).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
  });

  it('is immutable: deriving a query leaves the base untouched', () => {
    const base = TenantScopedQuery.from('incidents_v1', 'acme');
    base.where('status', 'eq', 'open').final();
    expect(base.build().sql).not.toContain('status =');
    expect(base.build().params).toEqual({ tenant: 'acme' });
    expect(base.build().sql).not.toContain('FINAL');
  });
});
