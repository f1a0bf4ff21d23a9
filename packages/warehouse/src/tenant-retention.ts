import { DEFAULT_RETENTION_YEARS, TABLES } from './tables.js';
import type { Warehouse, WarehouseLogger } from './warehouse.js';

/** Every tenant's retention in years as `tenants_v1` holds it now (tenants without a row are absent). */
export async function readTenantRetention(warehouse: Warehouse): Promise<Map<string, number>> {
  const rows = await warehouse.query<{ tenant: string; retention_years: number | string }>(
    `SELECT tenant, retention_years FROM ${TABLES.tenants} FINAL`,
  );
  return new Map(rows.map((r) => [r.tenant, Number(r.retention_years)]));
}

export interface TenantRetentionOptions {
  /** How often the settings are read again: a change takes effect within this long (plus one read). @defaultValue 10000 */
  refreshMs?: number;
  logger?: WarehouseLogger;
  /** First wait before reading again at start while the warehouse is unavailable (doubling up to 10 s). @defaultValue 250 */
  retryInitialMs?: number;
}

/**
 * The tenants' retention settings (`tenants_v1`, written by
 * `POST /v1/tenants/{t}/retention`) for code that needs them synchronously,
 * per record (the sink's row mapping). The whole table is small, so it is
 * read whole at start and again every `refreshMs`; a failed refresh keeps
 * the last settings and is retried at the next tick.
 */
export class TenantRetention {
  private years = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private loadedAt = 0;
  readonly refreshMs: number;

  constructor(private readonly warehouse: Warehouse, private readonly options: TenantRetentionOptions = {}) {
    this.refreshMs = options.refreshMs ?? 10_000;
  }

  /**
   * Reads the settings, retrying while the warehouse is unavailable (a sink may
   * start before ClickHouse; it must not write a row with the default instead),
   * then keeps them fresh. A non-retriable error (no such table) is thrown.
   */
  async start(): Promise<void> {
    for (let delay = this.options.retryInitialMs ?? 250; ; delay = Math.min(delay * 2, 10_000)) {
      try {
        await this.refresh();
        break;
      } catch (err) {
        if ((err as { retriable?: boolean }).retriable !== true) throw err;
        this.options.logger?.warn({ code: (err as { code?: string }).code, retryInMs: delay }, 'tenant retention settings unreadable; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    if (this.timer || this.refreshMs <= 0) return;
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.options.logger?.warn({ code: (err as { code?: string }).code }, 'tenant retention refresh failed; keeping the last settings'));
    }, this.refreshMs);
    this.timer.unref();
  }

  async refresh(): Promise<void> {
    this.years = await readTenantRetention(this.warehouse);
    this.loadedAt = Date.now();
  }

  /** The tenant's retention in years; the default (7) for a tenant that set none. */
  yearsFor(tenant: string): number {
    return this.years.get(tenant) ?? DEFAULT_RETENTION_YEARS;
  }

  /** When the settings were last read (ms since the epoch; 0 = never). */
  lastLoadedAt(): number {
    return this.loadedAt;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
