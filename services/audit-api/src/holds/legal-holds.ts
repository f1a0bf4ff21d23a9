import { randomUUID } from 'node:crypto';
import { TABLES, evidenceLookupKey, toClickHouseDateTime, type Warehouse } from '@probity/warehouse';
import { AuditApiError, badParameter } from '../errors.js';

/** What the API needs of the agent SDK's emitter: a hold change goes through the pipeline like any evidence. */
export interface EvidenceEmitter {
  emit(recordType: string, value: unknown, options?: { format?: 'avro' | 'json' }): Promise<{ contentHash: string }>;
}

export type HoldScope = 'TENANT' | 'MODEL' | 'PERIOD';

export interface PlaceHoldInput {
  scope: HoldScope;
  model_id?: string;
  from?: Date;
  to?: Date;
  reason: string;
}

/** A hold as the API shows it; `placed_record` / `lifted_record` are the content hashes of its signed LegalHold records. */
export interface HoldView {
  tenant: string;
  hold_id: string;
  status: 'PLACED' | 'LIFTED';
  scope: HoldScope;
  model_id: string | null;
  period_from: string | null;
  period_to: string | null;
  reason: string;
  placed_at: string;
  placed_by: string;
  placed_record: string;
  lift_reason: string | null;
  lifted_at: string | null;
  lifted_by: string | null;
  lifted_record: string | null;
  /**
   * Whether each record is in the evidence log yet (notarized and stored). A
   * record the notary refused (a tenant that requires emitter signatures) stays
   * false and is in the DLQ; a lift is honoured by the purge only once logged.
   */
  placed_logged: boolean;
  lifted_logged: boolean | null;
}

interface HoldRow {
  tenant: string;
  hold_id: string;
  status: string;
  scope: string;
  model_id: string;
  period_from: string | null;
  period_to: string | null;
  reason: string;
  placed_at: string;
  placed_by: string;
  placed_record: string;
  lift_reason: string;
  lifted_at: string | null;
  lifted_by: string;
  lifted_record: string;
  version: string | number;
}

const iso = (text: string | null): string | null => (text === null ? null : `${text.replace(' ', 'T')}Z`);

function view(row: HoldRow, logged: ReadonlySet<string> = new Set()): HoldView {
  return {
    tenant: row.tenant,
    hold_id: row.hold_id,
    status: row.status as HoldView['status'],
    scope: row.scope as HoldScope,
    model_id: row.model_id === '' ? null : row.model_id,
    period_from: iso(row.period_from),
    period_to: iso(row.period_to),
    reason: row.reason,
    placed_at: iso(row.placed_at)!,
    placed_by: row.placed_by,
    placed_record: row.placed_record,
    lift_reason: row.status === 'LIFTED' ? row.lift_reason : null,
    lifted_at: iso(row.lifted_at),
    lifted_by: row.status === 'LIFTED' ? row.lifted_by : null,
    lifted_record: row.status === 'LIFTED' ? row.lifted_record : null,
    placed_logged: logged.has(row.placed_record),
    lifted_logged: row.status === 'LIFTED' ? logged.has(row.lifted_record) : null,
  };
}

const SELECT = `SELECT tenant, hold_id, status, scope, model_id, toString(period_from) AS period_from, toString(period_to) AS period_to, reason,
  toString(placed_at) AS placed_at, placed_by, placed_record, lift_reason, toString(lifted_at) AS lifted_at, lifted_by, lifted_record, version
  FROM ${TABLES.legalHolds} FINAL`;

/**
 * Legal holds: each change is first emitted as a `LegalHold` record through
 * the SDK (so it is notarized, logged and kept like any evidence), then
 * written to `legal_holds_v1`, which the purge reads. Emitting first means
 * no hold is in force, or lifted, without its record on its way to the log;
 * the content hash links the row to that record.
 */
export class LegalHolds {
  constructor(private readonly warehouse: Warehouse, private readonly emitter: EvidenceEmitter) {}

  async list(tenant: string | undefined): Promise<HoldView[]> {
    const rows = await this.warehouse.query<HoldRow>(
      `${SELECT} ${tenant === undefined ? '' : 'WHERE tenant = {tenant:String}'} ORDER BY tenant, placed_at, hold_id`,
      tenant === undefined ? {} : { tenant },
    );
    const hashes = rows.flatMap((r) => [r.placed_record, r.lifted_record]).filter((h) => /^[0-9a-f]{64}$/.test(h));
    const keys = rows.flatMap((r) => [r.placed_record, r.lifted_record].filter((h) => /^[0-9a-f]{64}$/.test(h)).map((h) => evidenceLookupKey(r.tenant, h)));
    const found = hashes.length === 0 ? [] : await this.warehouse.query<{ h: string }>(
      `SELECT lower(hex(content_hash)) AS h FROM ${TABLES.evidenceBlobs} WHERE lookup_key IN {keys:Array(String)}`,
      { keys },
    );
    const logged = new Set(found.map((r) => r.h));
    return rows.map((r) => view(r, logged));
  }

  private async find(tenant: string, holdId: string): Promise<HoldRow | undefined> {
    const [row] = await this.warehouse.query<HoldRow>(`${SELECT} WHERE tenant = {tenant:String} AND hold_id = {id:String} LIMIT 1`, { tenant, id: holdId });
    return row;
  }

  async place(tenant: string, input: PlaceHoldInput, actor: string): Promise<HoldView> {
    const now = new Date();
    const holdId = `hold-${randomUUID()}`;
    const { contentHash } = await this.emit({
      tenant, hold_id: holdId, occurred_at: now.toISOString(), action: 'PLACED', scope: input.scope,
      model_id: input.model_id ?? null, period_from: input.from?.toISOString() ?? null, period_to: input.to?.toISOString() ?? null,
      reason: input.reason, actor, controls: [],
    });
    const row = {
      tenant, hold_id: holdId, status: 'PLACED', scope: input.scope, model_id: input.model_id ?? '',
      period_from: input.from ? toClickHouseDateTime(input.from) : null, period_to: input.to ? toClickHouseDateTime(input.to) : null,
      reason: input.reason, placed_at: toClickHouseDateTime(now), placed_by: actor, placed_record: contentHash,
      lift_reason: '', lifted_at: null, lifted_by: '', lifted_record: '', version: now.getTime() * 1000,
    };
    await this.warehouse.insert(TABLES.legalHolds, [row]);
    return view({ ...row, placed_at: row.placed_at.slice(0, 26), period_from: row.period_from?.slice(0, 26) ?? null, period_to: row.period_to?.slice(0, 26) ?? null } as HoldRow);
  }

  async lift(tenant: string, holdId: string, reason: string, actor: string): Promise<HoldView> {
    const current = await this.find(tenant, holdId);
    if (!current) throw new AuditApiError('NOT_FOUND', `no legal hold ${holdId} for tenant ${tenant}`, { parameter: 'id' });
    if (current.status !== 'PLACED') throw new AuditApiError('BAD_REQUEST', `legal hold ${holdId} was already lifted`, { parameter: 'id' });
    const now = new Date();
    const { contentHash } = await this.emit({
      tenant, hold_id: holdId, occurred_at: now.toISOString(), action: 'LIFTED', scope: current.scope,
      model_id: current.model_id === '' ? null : current.model_id, period_from: iso(current.period_from), period_to: iso(current.period_to),
      reason, actor, controls: [],
    });
    // Versions are microseconds: a lift in the same millisecond as its placement still sorts after it.
    const version = Math.max(now.getTime() * 1000, Number(current.version) + 1);
    const row = { ...current, status: 'LIFTED', lift_reason: reason, lifted_at: toClickHouseDateTime(now), lifted_by: actor, lifted_record: contentHash, version };
    await this.warehouse.insert(TABLES.legalHolds, [row]);
    return view({ ...row, lifted_at: row.lifted_at.slice(0, 26) });
  }

  private async emit(record: Record<string, unknown>): Promise<{ contentHash: string }> {
    try {
      return await this.emitter.emit('LegalHold', record, { format: 'json' });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'SCHEMA_INVALID') throw badParameter('body', `the legal hold record is not valid: ${(err as Error).message}`);
      throw new AuditApiError('UNAVAILABLE', 'the legal hold record could not be emitted; nothing was changed', { cause: err });
    }
  }
}
