import type { Warehouse } from '@probity/warehouse';
import { errorText, roundMs, type ComponentHealth } from './health.js';

export interface WarehouseProbeOptions {
  clickhouseUrl: string | undefined;
  database: string;
  /** Embedded chDB data directory. */
  chdbDir: string;
}

/**
 * Opens the warehouse and pings it. Only call this when no other process
 * holds the chDB directory (chDB allows one process per data dir); when the
 * local services run, ask their /healthz instead (see probeWarehouseViaServices).
 */
export async function probeWarehouse(options: WarehouseProbeOptions): Promise<ComponentHealth> {
  const mode = options.clickhouseUrl ? 'server' : 'chdb';
  const target = options.clickhouseUrl ? redact(options.clickhouseUrl) : options.chdbDir;
  let warehouse: Warehouse | undefined;
  try {
    // Loaded lazily: chDB's native engine costs a second to load, and only doctor needs it.
    const { openWarehouse } = await import('@probity/warehouse');
    warehouse = await openWarehouse({
      ...(options.clickhouseUrl ? { clickhouseUrl: options.clickhouseUrl } : {}),
      database: options.database,
      dataDir: options.chdbDir,
    });
    const pong = await warehouse.ping();
    return {
      component: 'warehouse',
      healthy: true,
      target,
      latencyMs: roundMs(pong.latencyMs),
      version: pong.version,
      details: { mode },
      message: `${mode === 'chdb' ? 'chDB embedded' : 'ClickHouse server'} ${pong.version}, database ${options.database}`,
    };
  } catch (err) {
    const fix = options.clickhouseUrl
      ? `check that the ClickHouse server at ${target} is up and CLICKHOUSE_URL is right`
      : `if another process holds ${options.chdbDir}, stop it (\`probity down\`) or run \`probity doctor\` while \`probity up\` is running`;
    return { component: 'warehouse', healthy: false, target, details: { mode }, message: `the ${mode} warehouse did not answer: ${fix}. Cause: ${errorText(err)}` };
  } finally {
    await warehouse?.close();
  }
}

/**
 * The services process owns the chDB directory: read the warehouse's state
 * from its /healthz answer, `{ components: { warehouse: { healthy, detail } } }`
 * (services/local), or undefined when the answer has no warehouse entry.
 */
export function warehouseFromHealthz(body: unknown, target: string): ComponentHealth | undefined {
  const record = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined);
  const entry = record(record(record(body)?.components)?.warehouse) ?? record(record(body)?.warehouse);
  if (!entry) return undefined;
  const detail = record(entry.detail) ?? entry;
  // Two shapes: a per-component report ({components: {warehouse: {healthy, detail}}}) and the
  // audit API's /healthz ({status: 'ok' | 'unavailable', warehouse: {kind, version, latency_ms}}).
  const healthy = entry.healthy === true || (record(body)?.status === 'ok' && entry.error === undefined);
  const version = typeof detail.version === 'string' ? detail.version : undefined;
  const rawLatency = typeof detail.latencyMs === 'number' ? detail.latencyMs : typeof detail.latency_ms === 'number' ? detail.latency_ms : undefined;
  const latencyMs = rawLatency !== undefined ? roundMs(rawLatency) : undefined;
  const kind = typeof detail.kind === 'string' ? detail.kind : 'warehouse';
  return {
    component: 'warehouse',
    healthy,
    target,
    ...(version ? { version } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    details: { via: 'services /healthz', ...detail },
    message: healthy
      ? `${kind}${version ? ` ${version}` : ''}, reported by the local services (they hold the data dir)`
      : `the local services report the warehouse down (${String(detail.error ?? 'no detail')}): read the services log, then run \`probity down && probity up\``,
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
