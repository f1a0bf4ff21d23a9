import { ProbityError } from '@probity/errors';

export type WarehouseErrorCode =
  | 'WAREHOUSE_UNAVAILABLE'
  | 'WAREHOUSE_CLOSED'
  | 'QUERY_FAILED'
  | 'INSERT_FAILED'
  | 'MIGRATION_FAILED'
  | 'DATA_DIR_LOCKED'
  | 'INVALID_QUERY'
  | 'UNSUPPORTED_BY_SERVER';

/** Every error the warehouse throws. Messages never carry row data: see {@link summarizeClickHouseError}. */
export class WarehouseError extends ProbityError<WarehouseErrorCode> {}

export interface ClickHouseErrorSummary {
  /** ClickHouse's numeric error code (e.g. 62 for a syntax error), when found. */
  clickhouseCode: number | undefined;
  /** ClickHouse's symbolic error name (e.g. `SYNTAX_ERROR`), when the server prints one. */
  clickhouseError: string | undefined;
  /** A message safe to log: code, name and positions only. */
  summary: string;
}

const SYMBOLIC_NAMES: Readonly<Record<number, string>> = {
  27: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  47: 'UNKNOWN_IDENTIFIER',
  53: 'TYPE_MISMATCH',
  60: 'UNKNOWN_TABLE',
  62: 'SYNTAX_ERROR',
  81: 'UNKNOWN_DATABASE',
  115: 'UNKNOWN_SETTING',
  117: 'INCORRECT_DATA',
  131: 'TOO_LARGE_STRING_SIZE',
  456: 'UNKNOWN_QUERY_PARAMETER',
  457: 'BAD_QUERY_PARAMETER',
};

/**
 * Reduces a ClickHouse error message to what is safe to log.
 *
 * ClickHouse echoes the offending input in its messages ("Cannot parse input:
 * expected '"' before: 'John Doe…'", "Cannot parse string 'x' as UInt64"), and
 * evidence may hold personal data, so the text is never passed on. Kept: the
 * numeric code, the symbolic name, a syntax error's position and an insert's
 * failing row number — enough to find the bug, nothing of the data.
 */
export function summarizeClickHouseError(message: string, knownCode?: number): ClickHouseErrorSummary {
  const codeMatch = /Code:\s*(\d+)/.exec(message);
  const clickhouseCode = knownCode ?? (codeMatch ? Number(codeMatch[1]) : undefined);
  const nameMatch = /\(([A-Z][A-Z0-9_]{2,})\)\s*(?:\(version [^)]*\))?\s*$/.exec(message.trim());
  const clickhouseError = nameMatch?.[1] ?? (clickhouseCode === undefined ? undefined : SYMBOLIC_NAMES[clickhouseCode]);
  const parts: string[] = [];
  parts.push(clickhouseCode === undefined ? 'ClickHouse error' : `ClickHouse error ${clickhouseCode}`);
  if (clickhouseError) parts.push(`(${clickhouseError})`);
  const position = /failed at position (\d+)/.exec(message);
  if (position) parts.push(`syntax error at position ${position[1]}`);
  const row = /\(at row (\d+)\)/.exec(message);
  if (row) parts.push(`at row ${row[1]}`);
  const unknown = /Unknown (setting|table expression identifier|table|database|identifier)/i.exec(message);
  if (unknown && !row) parts.push(`unknown ${unknown[1]!.toLowerCase()}`);
  return { clickhouseCode, clickhouseError, summary: parts.join(' ') };
}

const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** True for errors that mean "the server is not reachable right now" (worth a retry). */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_NODE_CODES.has(code)) return true;
  return /socket hang up|ECONNREFUSED|ECONNRESET|Timeout error|timed out/i.test(error.message);
}
