import { apiRequest, auditApiUrl, resolveToken } from '../api-client.js';
import { CliError, defineCommand, stringOption, type CliIo, type OptionValues } from '../command.js';

const SHARED_OPTIONS = {
  framework: { type: 'string', valueName: 'F', description: 'Framework: iso42001, iso27001, iso9001 or euaiact.' },
  from: { type: 'string', valueName: 'DATE', description: 'Start of the audit period (YYYY-MM-DD or RFC 3339).' },
  to: { type: 'string', valueName: 'DATE', description: 'End of the audit period (a bare date includes that day).' },
  granularity: { type: 'string', valueName: 'month|quarter', description: 'Periods of the matrix (default quarter).' },
  'as-of': { type: 'string', valueName: 'DATE', description: 'Only what the log held then counts (default now): the answer for a past date never changes.' },
  'model-id': { type: 'string', valueName: 'M', description: 'One AI system only.' },
  format: { type: 'string', valueName: 'FORMAT', description: 'table (default), json or csv.' },
  tenant: { type: 'string', valueName: 'T', description: 'Tenant, with the local operator token.' },
  token: { type: 'string', valueName: 'TOKEN', description: 'Bearer token (default: PROBITY_TOKEN, or the local operator token with --tenant).' },
} as const;

const STATE_TEXT: Record<string, string> = { covered: 'covered', stale: 'STALE', missing: 'MISSING', nonconforming: 'NONCONFORMING', not_applicable: 'n/a' };

/** The API query string of the shared options; what the API refuses comes back as its 400, naming the option. */
function queryOf(values: OptionValues): { params: URLSearchParams; format: string } {
  const format = stringOption(values, 'format') ?? 'table';
  if (!['table', 'json', 'csv'].includes(format)) throw new CliError('CLI_USAGE', '--format must be table, json or csv');
  if (!stringOption(values, 'framework')) throw new CliError('CLI_USAGE', '--framework is required (iso42001, iso27001, iso9001 or euaiact)');
  const params = new URLSearchParams();
  for (const [flag, name] of [['framework', 'framework'], ['from', 'from'], ['to', 'to'], ['granularity', 'granularity'], ['as-of', 'as_of'], ['model-id', 'model_id']] as const) {
    const v = stringOption(values, flag);
    if (v !== undefined) params.set(name, v);
  }
  if (format !== 'table') params.set('format', format);
  return { params, format };
}

async function fetchText(io: CliIo, values: OptionValues, path: string, params: URLSearchParams): Promise<string> {
  const auth = await resolveToken(values, io);
  const res = await apiRequest('GET', `${auditApiUrl(io.env)}${path}?${params}`, auth, { timeoutMs: 300_000 });
  return res.text();
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => `${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`).join('');
}

export const coverage = defineCommand({
  name: 'coverage',
  summary: 'Coverage of a framework\'s controls per period, as of any date (covered, stale, missing, nonconforming, n/a)',
  usage: '--framework F --from DATE --to DATE [--granularity month|quarter] [--as-of DATE] [--model-id M] [--format table|json|csv]',
  description:
    'Asks the audit API (GET /v1/coverage/matrix) which controls had sufficient, current evidence in each month or quarter, as the log knew it at --as-of. ' +
    'The default evidence requirements (packages/compliance/data/requirements) map record types, stages and study kinds to controls; tags an emitter wrote add to them. ' +
    'Records back-dated into a closed period are counted as late, not as coverage.',
  options: SHARED_OPTIONS,
  async run({ values, io }) {
    const { params, format } = queryOf(values);
    const text = await fetchText(io, values, '/v1/coverage/matrix', params);
    if (format !== 'table') {
      io.stdout(text.endsWith('\n') ? text : `${text}\n`);
      return 0;
    }
    const matrix = JSON.parse(text) as { asOf: string; periods: { label: string }[]; rows: { control: string; cells: { state: string; records: number; lateRecords: number }[] }[]; totals: Record<string, Record<string, number>> };
    const rows = matrix.rows.map((r) => [r.control, ...r.cells.map((c) => `${STATE_TEXT[c.state] ?? c.state}${c.records > 0 ? ` ${c.records}` : ''}${c.lateRecords > 0 ? ` (+${c.lateRecords} late)` : ''}`)]);
    io.stdout(table(['CONTROL', ...matrix.periods.map((p) => p.label)], rows));
    const summary = matrix.periods
      .map((p) => {
        const t = matrix.totals[p.label] ?? {};
        return `${p.label}: ${t.covered ?? 0} covered, ${(t.missing ?? 0) + (t.stale ?? 0) + (t.nonconforming ?? 0)} gaps`;
      })
      .join('; ');
    io.stderr(`as of ${matrix.asOf}: ${summary}\n`);
    return 0;
  },
});

export const gaps = defineCommand({
  name: 'gaps',
  summary: 'Gap analysis with POA&M items: what is missing, stale or nonconforming, since when, and what closed it',
  usage: '--framework F --from DATE --to DATE [--granularity month|quarter] [--as-of DATE] [--model-id M] [--format table|json|csv]',
  description: 'Asks the audit API (GET /v1/gaps): each run of periods in which a control lacked sufficient evidence, open or closed (with the record that closed it), and its POA&M item.',
  options: SHARED_OPTIONS,
  async run({ values, io }) {
    const { params, format } = queryOf(values);
    const text = await fetchText(io, values, '/v1/gaps', params);
    if (format !== 'table') {
      io.stdout(text.endsWith('\n') ? text : `${text}\n`);
      return 0;
    }
    const body = JSON.parse(text) as { as_of: string; open: number; gaps: { control: string; state: string; status: string; fromPeriod: string; toPeriod: string; reason: string; closedBy?: { contentHash: string }; poam: { id: string; due: string } }[] };
    const rows = body.gaps.map((g) => [g.control, g.status, STATE_TEXT[g.state] ?? g.state, g.fromPeriod === g.toPeriod ? g.fromPeriod : `${g.fromPeriod}…${g.toPeriod}`, g.closedBy ? `closed by ${g.closedBy.contentHash.slice(0, 16)}` : `due ${g.poam.due.slice(0, 10)}`, g.reason]);
    io.stdout(table(['CONTROL', 'STATUS', 'STATE', 'PERIODS', 'CLOSED / DUE', 'REASON'], rows));
    io.stderr(`as of ${body.as_of}: ${body.open} open gap(s), ${body.gaps.length - body.open} closed\n`);
    return 0;
  },
});
