import { createHash } from 'node:crypto';
import { badParameter } from '../errors.js';

/** The sort key of the last row of a page: where the next page starts. */
export interface SortKey {
  /** occurred_at exactly as ClickHouse prints DateTime64(6): `2026-07-01 12:00:00.000000`. */
  occurredAt: string;
  contentHash: string;
}

interface CursorPayload {
  v: 1;
  /** occurred_at of the last row. */
  o: string;
  /** content hash of the last row. */
  h: string;
  /** Binding of tenant, filters and order: a cursor only continues the query that issued it. */
  b: string;
}

const CH_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?$/;
const HEX_64 = /^[0-9a-f]{64}$/;
const BINDING = /^[0-9a-f]{32}$/;

/**
 * Binds a cursor to the tenant and the query it continues. Not a secret:
 * tenant scoping in the query builder is what keeps rows apart; the binding
 * makes a replayed or edited cursor a clear 400 instead of a silently wrong page.
 */
export function cursorBinding(tenant: string, query: Record<string, string | undefined>): string {
  const canonical = Object.keys(query)
    .sort()
    .filter((k) => query[k] !== undefined)
    .map((k) => [k, query[k]]);
  return createHash('sha256').update(JSON.stringify([tenant, canonical])).digest('hex').slice(0, 32);
}

/** Opaque base64url token. */
export function encodeCursor(key: SortKey, binding: string): string {
  const payload: CursorPayload = { v: 1, o: key.occurredAt, h: key.contentHash, b: binding };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, binding: string): SortKey {
  let payload: Partial<CursorPayload>;
  try {
    if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw new Error('not base64url');
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorPayload>;
  } catch {
    throw badParameter('cursor', 'cursor is malformed: pass back the next_cursor of a previous page unchanged');
  }
  if (
    payload === null || typeof payload !== 'object' || payload.v !== 1 ||
    typeof payload.o !== 'string' || !CH_DATETIME.test(payload.o) ||
    typeof payload.h !== 'string' || !HEX_64.test(payload.h) ||
    typeof payload.b !== 'string' || !BINDING.test(payload.b)
  ) {
    throw badParameter('cursor', 'cursor is malformed: pass back the next_cursor of a previous page unchanged');
  }
  if (payload.b !== binding) {
    throw badParameter('cursor', 'cursor belongs to another query: it continues only the same filters, order and tenant that issued it');
  }
  return { occurredAt: payload.o, contentHash: payload.h };
}
