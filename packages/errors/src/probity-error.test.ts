import { describe, expect, it } from 'vitest';
import { ProbityError, isProbityError } from './index.js';

describe('ProbityError', () => {
  it('carries code, retriable, cause and details', () => {
    const cause = new Error('econnrefused');
    const err = new ProbityError('KAFKA_UNAVAILABLE', 'broker down', { cause, retriable: true, details: { broker: 'x' } });
    expect(err.code).toBe('KAFKA_UNAVAILABLE');
    expect(err.retriable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(err.toJSON()).toMatchObject({ code: 'KAFKA_UNAVAILABLE', details: { broker: 'x' } });
    expect(isProbityError(err, 'KAFKA_UNAVAILABLE')).toBe(true);
    expect(isProbityError(err, 'OTHER')).toBe(false);
    expect(isProbityError(new Error('x'))).toBe(false);
  });

  it('defaults to not retriable and keeps the subclass name', () => {
    class SchemaError extends ProbityError<'SCHEMA_INVALID'> {}
    const err = new SchemaError('SCHEMA_INVALID', 'bad');
    expect(err.retriable).toBe(false);
    expect(err.name).toBe('SchemaError');
    expect(err).toBeInstanceOf(ProbityError);
  });
});
