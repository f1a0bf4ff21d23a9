import { describe, expect, it } from 'vitest';
import { isConnectionFailure, summarizeClickHouseError } from './errors.js';

describe('summarizeClickHouseError', () => {
  it('drops echoed input from parse errors but keeps code, name and row', () => {
    const message =
      "Code: 27. DB::Exception: Cannot parse input: expected '\"' before: 'secretpersonaldata\",\"s\":\"JohnDoe\"}\\n': (while reading the value of key id): (at row 1)\n: While executing ParallelParsingBlockInputFormat. (CANNOT_PARSE_INPUT_ASSERTION_FAILED)";
    const s = summarizeClickHouseError(message);
    expect(s.clickhouseCode).toBe(27);
    expect(s.clickhouseError).toBe('CANNOT_PARSE_INPUT_ASSERTION_FAILED');
    expect(s.summary).toContain('at row 1');
    expect(s.summary).not.toMatch(/JohnDoe|secret/);
  });

  it('keeps a syntax error position and not the query text', () => {
    const s = summarizeClickHouseError("Code: 62. DB::Exception: Syntax error: failed at position 7 (1): 1. Expected one of: token 'alice@example.com'");
    expect(s.clickhouseCode).toBe(62);
    expect(s.clickhouseError).toBe('SYNTAX_ERROR');
    expect(s.summary).toContain('position 7');
    expect(s.summary).not.toContain('alice');
  });

  it('reads the old server format (18.16) that has no symbolic name', () => {
    const s = summarizeClickHouseError('Code: 115, e.displayText() = DB::Exception: Unknown setting param_n, e.what() = DB::Exception');
    expect(s.clickhouseCode).toBe(115);
    expect(s.clickhouseError).toBe('UNKNOWN_SETTING');
    expect(s.summary).not.toContain('param_n');
  });

  it('works without a code', () => {
    expect(summarizeClickHouseError('something odd').summary).toBe('ClickHouse error');
  });
});

describe('isConnectionFailure', () => {
  it('recognises refused connections and not query errors', () => {
    expect(isConnectionFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionFailure(new Error('socket hang up'))).toBe(true);
    expect(isConnectionFailure(new Error('Code: 62. Syntax error'))).toBe(false);
    expect(isConnectionFailure('ECONNREFUSED')).toBe(false);
  });
});
