import { TABLES, toClickHouseDateTime, type Warehouse } from '@probity/warehouse';
import type { SampleCounts } from '../study/minimum-sample.js';
import type { TimeWindow } from '../study/windows.js';

export interface InferenceScope {
  tenant: string;
  modelId: string;
  /** Only records of this model version (the reference window). */
  modelVersion?: string;
}

/** Values per result row: 64 Ki float64 = 512 KiB, about 700 KB as base64 in one JSON string. */
const CHUNK_VALUES = 65_536;

function whereClause(scope: InferenceScope): string {
  return [
    'tenant = {tenant:String}',
    'model_id = {model_id:String}',
    "occurred_at >= {from:DateTime64(6, 'UTC')}",
    "occurred_at < {to:DateTime64(6, 'UTC')}",
    ...(scope.modelVersion === undefined ? [] : ['model_version = {model_version:String}']),
  ].join(' AND ');
}

function params(scope: InferenceScope, window: TimeWindow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenant: scope.tenant,
    model_id: scope.modelId,
    from: toClickHouseDateTime(new Date(window.from)),
    to: toClickHouseDateTime(new Date(window.to)),
    ...(scope.modelVersion === undefined ? {} : { model_version: scope.modelVersion }),
    ...extra,
  };
}

/** Records and days with traffic in a window: what the minimum-sample rule is judged on. */
export async function countInference(warehouse: Warehouse, scope: InferenceScope, window: TimeWindow): Promise<SampleCounts> {
  const [row] = await warehouse.query<{ records: string | number; active_days: string | number }>(
    `SELECT count() AS records, uniqExact(toDate(occurred_at)) AS active_days FROM ${warehouse.database}.${TABLES.inference} WHERE ${whereClause(scope)}`,
    params(scope, window),
  );
  return { records: Number(row?.records ?? 0), activeDays: Number(row?.active_days ?? 0) };
}

/**
 * One feature's finite values in a window. The engine packs them as raw
 * little-endian float64 bytes, 64 Ki values per row, base64 in JSON: ten
 * million values arrive in about a second, and the stream yields between
 * rows, so the event loop (and BullMQ's lock renewal) keeps running.
 * Row order is not defined; callers sort.
 */
export async function readFeatureSample(warehouse: Warehouse, scope: InferenceScope, window: TimeWindow, feature: string): Promise<Float64Array> {
  const sql = `SELECT base64Encode(unhex(arrayStringConcat(arrayMap(x -> hex(x), groupArray(v))))) AS chunk
    FROM (
      SELECT features[{feature:String}] AS v, rowNumberInAllBlocks() AS rn
      FROM ${warehouse.database}.${TABLES.inference}
      WHERE ${whereClause(scope)} AND mapContains(features, {feature:String}) AND isFinite(features[{feature:String}])
    )
    GROUP BY intDiv(rn, ${CHUNK_VALUES})`;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const row of warehouse.queryStream(sql, params(scope, window, { feature }))) {
    const chunk = Buffer.from(String(row.chunk), 'base64');
    chunks.push(chunk);
    bytes += chunk.length;
  }
  const out = new Float64Array(bytes / 8);
  const view = new Uint8Array(out.buffer);
  let offset = 0;
  for (const chunk of chunks) {
    view.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
