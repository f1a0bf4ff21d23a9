import { describe, expect, it } from 'vitest';
import { parseEvidenceListQuery } from './evidence-params.js';

describe('parseEvidenceListQuery', () => {
  it('reads filters, a bare `to` date as the end of that day, and defaults', () => {
    const req = parseEvidenceListQuery({ model_id: 'm', from: '2026-07-01', to: '2026-09-30' }, 'acme');
    expect(req.filters.from?.toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(req.filters.to?.toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(req).toMatchObject({ order: 'desc', format: 'json', limit: 100, after: undefined });
    expect(parseEvidenceListQuery({ from: '2026-07-01T10:00:00+02:00' }, 'acme').filters.from?.toISOString()).toBe('2026-07-01T08:00:00.000Z');
  });

  it('lets exports go past the JSON page limit', () => {
    expect(parseEvidenceListQuery({ format: 'ndjson' }, 'acme').limit).toBeUndefined();
    expect(parseEvidenceListQuery({ format: 'csv', limit: '50000' }, 'acme').limit).toBe(50000);
  });

  it('names the parameter of every rejection', () => {
    const cases: [Record<string, string | string[]>, string][] = [
      [{ limit: '1001' }, 'limit'],
      [{ from: '2026-02-29' }, 'from'],
      [{ to: '2026-07-01T10:00:00' }, 'to'],
      [{ stage: '\u0000' }, 'stage'],
      [{ control: ['a', 'b'] }, 'control'],
      [{ tenant: 'other' }, 'tenant'],
    ];
    for (const [query, parameter] of cases) {
      expect(() => parseEvidenceListQuery(query, 'acme')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', parameter }));
    }
  });
});
