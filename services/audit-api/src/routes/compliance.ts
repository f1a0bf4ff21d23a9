import { computeCoverage, gapAnalysis, type CoverageMatrix, type CoverageRecord, type Granularity, type RequirementSet } from '@probity/compliance';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { READ_ROLES, tenantOf } from '../auth.js';
import type { CatalogControl, ControlCatalog } from '../coverage/control-catalog.js';
import { badParameter } from '../errors.js';
import { csvField } from '@probity/evidence';
import type { EvidenceRepository } from '../query/evidence-repository.js';
import { ungatedRuns, type UngatedFinding } from '@probity/policy';
import type { Warehouse } from '@probity/warehouse';
import { gateFindingRecords } from '../gates/gate-evidence.js';
import { assertKnownParameters, assertRange, optionalDate, optionalText, type RawQuery } from '../query/params.js';

export interface ComplianceRouteDeps {
  repository: EvidenceRepository;
  catalog: ControlCatalog | undefined;
  requirements: RequirementSet;
  /** Reads the promotion/deployment records and gate decisions for the gate findings of /v1/gaps. @defaultValue none: no gate findings */
  warehouse?: Warehouse;
  /** Clock for the default as-of date. */
  now?: () => Date;
}

const PARAMETERS = ['framework', 'from', 'to', 'granularity', 'as_of', 'model_id', 'format'] as const;
/** The longest look back pipeline evidence can need: the largest freshness window of the requirement set. */
const MAX_PERIOD_YEARS = 10;

/**
 * Coverage as of a date, per control and period, and the gap list with
 * POA&M items. Both are `@probity/compliance` run over the tenant's records,
 * so an auditor can recompute them from the records and the data files.
 */
export function registerComplianceRoutes(app: FastifyInstance, deps: ComplianceRouteDeps): void {
  const now = deps.now ?? (() => new Date());

  async function matrixFor(request: { query: RawQuery }, tenant: string): Promise<CoverageMatrix> {
    assertKnownParameters(request.query, PARAMETERS);
    const parsed = await parseCoverageQuery(request.query, tenant, deps, now());
    const records: CoverageRecord[] = [];
    for await (const r of deps.repository.coverageRecords(tenant, parsed.recordFilter)) records.push(r);
    const soa = await deps.repository.applicability(tenant, parsed.framework, parsed.asOf);
    const applicability = new Map(soa.map((e) => [e.control, { applicable: e.applicable, justification: e.justification, ...(e.owner ? { owner: e.owner } : {}) }]));
    return computeCoverage({ controls: parsed.controls, requirements: deps.requirements, records, from: parsed.from, to: parsed.to, granularity: parsed.granularity, asOf: parsed.asOf, applicability });
  }

  app.get<{ Querystring: RawQuery }>('/v1/soa', { config: { access: { roles: READ_ROLES } } }, async (request) => {
    assertKnownParameters(request.query, ['framework', 'as_of']);
    const tenant = tenantOf(request);
    const framework = optionalText(request.query, 'framework');
    if (framework === undefined) throw badParameter('framework', 'framework is required, e.g. iso42001');
    const controls = deps.catalog?.controls(framework);
    if (!controls) throw badParameter('framework', `unknown framework ${JSON.stringify(framework)}; known: ${knownFrameworks(deps.catalog).join(', ')}`);
    const clock = now();
    const asOf = optionalDate(request.query, 'as_of', 'upper') ?? clock;
    if (asOf.getTime() > clock.getTime()) throw badParameter('as_of', 'as_of cannot be in the future');
    const entries = await deps.repository.applicability(tenant, framework, asOf);
    const decided = new Set(entries.map((e) => e.control));
    return {
      tenant,
      framework,
      as_of: asOf.toISOString(),
      controls: controls.length,
      excluded: entries.filter((e) => !e.applicable).length,
      undecided: controls.filter((c) => !decided.has(c.id)).length,
      entries,
    };
  });

  app.get<{ Querystring: RawQuery }>('/v1/coverage/matrix', { config: { access: { roles: READ_ROLES } } }, async (request, reply) => {
    const tenant = tenantOf(request);
    const matrix = await matrixFor(request, tenant);
    if (request.query.format === 'csv') return sendCsv(reply, matrixCsv(matrix));
    if (request.query.format !== undefined && request.query.format !== 'json') throw badParameter('format', 'format must be json or csv');
    return { tenant, framework: request.query.framework, catalog: deps.catalog?.sources?.(String(request.query.framework)) ?? [], model_id: request.query.model_id ?? null, ...matrix };
  });

  app.get<{ Querystring: RawQuery }>('/v1/gaps', { config: { access: { roles: READ_ROLES } } }, async (request, reply) => {
    const tenant = tenantOf(request);
    const matrix = await matrixFor(request, tenant);
    const gaps = gapAnalysis(matrix);
    if (request.query.format === 'csv') {
      const header = 'control,state,status,from_period,to_period,reason,closed_by,poam_id,owner,since,due';
      const lines = gaps.map((g) => [g.control, g.state, g.status, g.fromPeriod, g.toPeriod, g.reason, g.closedBy?.contentHash ?? '', g.poam.id, g.poam.owner ?? '', g.poam.since, g.poam.due].map(csvField).join(','));
      return sendCsv(reply, [header, ...lines].map((l) => `${l}\r\n`).join(''));
    }
    if (request.query.format !== undefined && request.query.format !== 'json') throw badParameter('format', 'format must be json or csv');
    // Promotions and deployments without an allowing gate decision for their run (recomputable: ungatedRuns over the records).
    let ungated: UngatedFinding[] | undefined;
    if (deps.warehouse) {
      const modelId = optionalText(request.query, 'model_id');
      const records = await gateFindingRecords(deps.warehouse, tenant, { from: new Date(matrix.from), to: new Date(matrix.to), asOf: new Date(matrix.asOf), ...(modelId ? { modelId } : {}) });
      ungated = ungatedRuns(records.stages, records.decisions);
    }
    return {
      tenant, framework: request.query.framework, as_of: matrix.asOf, from: matrix.from, to: matrix.to, requirements: matrix.requirements, open: gaps.filter((g) => g.status === 'open').length, gaps,
      ...(ungated ? { ungated_promotions: ungated } : {}),
    };
  });
}

export interface CoverageQuery {
  framework: string;
  controls: readonly CatalogControl[];
  from: Date;
  to: Date;
  granularity: Granularity;
  asOf: Date;
  modelId: string | undefined;
  /** The records coverage reads: the period's, the look-back freshness needs, studies and incidents of any age. */
  recordFilter: { modelId?: string; since: Date; to: Date; asOf: Date };
}

/** The coverage request of a query (framework, period, granularity, as-of, model), checked as every compliance route checks it. */
export async function parseCoverageQuery(query: RawQuery, tenant: string, deps: Pick<ComplianceRouteDeps, 'catalog' | 'repository' | 'requirements'>, clock: Date): Promise<CoverageQuery> {
  const framework = optionalText(query, 'framework');
  if (framework === undefined) throw badParameter('framework', 'framework is required, e.g. iso42001 (GET /v1/catalogs lists them)');
  const controls = deps.catalog?.controls(framework);
  if (!controls) throw badParameter('framework', `unknown framework ${JSON.stringify(framework)}; known: ${knownFrameworks(deps.catalog).join(', ')}`);
  const from = optionalDate(query, 'from', 'lower');
  const to = optionalDate(query, 'to', 'upper');
  if (!from) throw badParameter('from', 'from is required (start of the audit period, e.g. 2026-07-01)');
  if (!to) throw badParameter('to', 'to is required (end of the audit period, e.g. 2026-09-30)');
  assertRange(from, to);
  if (to.getTime() - from.getTime() > MAX_PERIOD_YEARS * 366 * 86_400_000) throw badParameter('to', `the period may span at most ${MAX_PERIOD_YEARS} years`);
  const granularity = (query.granularity ?? 'quarter') as Granularity;
  if (granularity !== 'month' && granularity !== 'quarter') throw badParameter('granularity', 'granularity must be month or quarter');
  const asOf = optionalDate(query, 'as_of', 'upper') ?? clock;
  if (asOf.getTime() > clock.getTime()) throw badParameter('as_of', 'as_of cannot be in the future: what the log will hold is not known yet');
  const first = await deps.repository.firstNotarizedAt(tenant);
  if (query.as_of !== undefined && (first === null || asOf.getTime() < first.getTime())) {
    throw badParameter('as_of', first ? `the log holds nothing of this tenant before ${first.toISOString()}: pick a later as_of` : 'the log holds nothing of this tenant yet');
  }
  const modelId = optionalText(query, 'model_id');
  const lookbackMs = Math.max(deps.requirements.taggedMaxAgeMs, ...[...deps.requirements.byControl.values()].flatMap((r) => r.evidence.map((m) => m.maxAgeMs)));
  return {
    framework, controls, from, to, granularity, asOf, modelId,
    recordFilter: { ...(modelId ? { modelId } : {}), since: new Date(from.getTime() - lookbackMs), to, asOf },
  };
}

function matrixCsv(matrix: CoverageMatrix): string {
  const lines = ['control,period,state,records,late_records,newest,reason'];
  for (const row of matrix.rows) {
    for (const cell of row.cells) lines.push([row.control, cell.period, cell.state, String(cell.records), String(cell.lateRecords), cell.newest?.contentHash ?? '', cell.reason].map(csvField).join(','));
  }
  return lines.map((l) => `${l}\r\n`).join('');
}

function sendCsv(reply: FastifyReply, text: string): FastifyReply {
  return reply.header('content-type', 'text/csv; charset=utf-8').send(text);
}

function knownFrameworks(catalog: ControlCatalog | undefined): string[] {
  if (!catalog) return [];
  return [...new Set((catalog.controls() ?? []).map((c) => c.id.split(':')[0]!))].sort();
}
