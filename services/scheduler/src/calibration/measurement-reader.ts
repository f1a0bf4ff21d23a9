import { TABLES, toClickHouseDateTime, type Warehouse } from '@probity/warehouse';
import type { TimeWindow } from '../study/windows.js';

/** One reading of a metric, from a MONITORING manifest's `details.monitoring`. */
export interface Measurement {
  /** occurred_at, epoch microseconds. */
  atMicros: number;
  agent: string;
  agentVersion: string;
  value: number;
  /** Content hash of the evidence record the reading came from. */
  contentHash: string;
}

export interface MeasurementQuery {
  tenant: string;
  modelId: string;
  metric: string;
  agents: readonly string[];
}

interface Row {
  at_micros: string | number;
  agent: string;
  agent_version: string;
  value: number;
  content_hash: string;
}

const MONITORING = `record_type = 'EvidenceManifest' AND stage = 'MONITORING'`;
const AGENT = `JSONExtractString(record_json, 'details', 'monitoring', 'agent')`;
const AGENT_VERSION = `JSONExtractString(record_json, 'details', 'monitoring', 'agent_version')`;

/**
 * Readings of one metric by the given agents in a window, oldest first (ties
 * by content hash, so the order is the same on every run). Each evidence
 * record counts once even if the warehouse held it twice.
 */
export async function readMeasurements(warehouse: Warehouse, query: MeasurementQuery, window: TimeWindow): Promise<Measurement[]> {
  const rows = await warehouse.query<Row>(
    `SELECT toUnixTimestamp64Micro(occurred_at) AS at_micros, ${AGENT} AS agent, ${AGENT_VERSION} AS agent_version,
            JSONExtractFloat(record_json, 'details', 'monitoring', 'metrics', {metric:String}) AS value,
            lower(hex(content_hash)) AS content_hash
     FROM ${warehouse.database}.${TABLES.evidence}
     WHERE tenant = {tenant:String} AND model_id = {model_id:String} AND ${MONITORING}
       AND occurred_at >= {from:DateTime64(6, 'UTC')} AND occurred_at < {to:DateTime64(6, 'UTC')}
       AND agent IN {agents:Array(String)}
       AND JSONHas(record_json, 'details', 'monitoring', 'metrics', {metric:String})
     ORDER BY at_micros, content_hash
     LIMIT 1 BY content_hash`,
    {
      tenant: query.tenant,
      model_id: query.modelId,
      metric: query.metric,
      agents: [...query.agents],
      from: toClickHouseDateTime(new Date(window.from)),
      to: toClickHouseDateTime(new Date(window.to)),
    },
  );
  return rows
    .map((r) => ({ atMicros: Number(r.at_micros), agent: r.agent, agentVersion: r.agent_version, value: Number(r.value), contentHash: r.content_hash }))
    .filter((m) => Number.isFinite(m.value));
}

/** The agent's versions with when each was first and last reported, latest report last. */
export async function readAgentVersions(
  warehouse: Warehouse,
  query: { tenant: string; modelId: string; agent: string },
): Promise<{ version: string; firstSeenMicros: number; lastSeenMicros: number }[]> {
  const rows = await warehouse.query<{ version: string; first_seen: string | number; last_seen: string | number }>(
    `SELECT ${AGENT_VERSION} AS version, toUnixTimestamp64Micro(min(occurred_at)) AS first_seen, toUnixTimestamp64Micro(max(occurred_at)) AS last_seen
     FROM ${warehouse.database}.${TABLES.evidence}
     WHERE tenant = {tenant:String} AND model_id = {model_id:String} AND ${MONITORING} AND ${AGENT} = {agent:String}
     GROUP BY version
     ORDER BY last_seen, version`,
    { tenant: query.tenant, model_id: query.modelId, agent: query.agent },
  );
  return rows.map((r) => ({ version: r.version, firstSeenMicros: Number(r.first_seen), lastSeenMicros: Number(r.last_seen) }));
}
