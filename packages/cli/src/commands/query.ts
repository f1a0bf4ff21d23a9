import type { EvidenceSummary } from '@probity/evidence';
import { getJson, resolveToken } from '../api-client.js';
import { CliError, defineCommand, intOption, stringOption } from '../command.js';
import { apiBaseUrl } from '../paths.js';

interface Item {
  content_hash: string;
  record_type: string;
  model_id: string;
  model_version: string;
  stage: string;
  run_id: string;
  occurred_at: string;
  notarized_at: string;
  controls: string[];
  shard: number;
  leaf_index: number;
  record: unknown;
}

const FILTERS = [
  ['model-id', 'model_id'],
  ['stage', 'stage'],
  ['run-id', 'run_id'],
  ['control', 'control'],
  ['record-type', 'record_type'],
  ['from', 'from'],
  ['to', 'to'],
  ['order', 'order'],
] as const;

const TABLE_COLUMNS = ['occurred_at', 'model_id', 'stage', 'run_id', 'record_type', 'content_hash', 'controls'] as const;
/** The API's largest JSON page. */
const PAGE = 1000;

export const query = defineCommand({
  name: 'query',
  summary: 'Query evidence through the audit API (all pages)',
  usage: '--model-id M --from 2026-07-01 --to 2026-09-30 [--stage S] [--run-id R] [--control C] [--limit N] [--order asc|desc] [--format table|json|ndjson|csv]',
  description: [
    'Asks the audit API (PROBITY_API_URL, default http://127.0.0.1:8787) for evidence and follows the cursors',
    'until every matching record (or --limit of them) is printed. --to YYYY-MM-DD includes that whole day.',
    'The token is --token, else PROBITY_TOKEN, else the local operator token in',
    '<PROBITY_DATA_DIR>/run/admin-token together with --tenant.',
  ].join('\n'),
  options: {
    'model-id': { type: 'string', valueName: 'M', description: 'Only this model.' },
    stage: { type: 'string', valueName: 'S', description: 'Only this stage (TRAINING, EVALUATION, …).' },
    'run-id': { type: 'string', valueName: 'R', description: 'Only this run.' },
    control: { type: 'string', valueName: 'ID', description: 'Only records mapped to this control, e.g. iso42001:A.6.2.4.' },
    'record-type': { type: 'string', valueName: 'TYPE', description: 'Only this record type.' },
    from: { type: 'string', valueName: 'DATE', description: 'occurred_at from (YYYY-MM-DD or RFC 3339).' },
    to: { type: 'string', valueName: 'DATE', description: 'occurred_at to (a bare date includes that day).' },
    limit: { type: 'string', valueName: 'N', description: 'At most N records (default: all).' },
    order: { type: 'string', valueName: 'asc|desc', description: 'Oldest or newest first (default desc).' },
    format: { type: 'string', valueName: 'FORMAT', description: 'table (default), json (one array), ndjson (one evidence document a line) or csv; json and ndjson verify with `probity verify`, csv with `probity verify --bundles`.' },
    token: { type: 'string', valueName: 'TOKEN', description: 'Bearer token (default: PROBITY_TOKEN).' },
    tenant: { type: 'string', valueName: 'T', description: 'Tenant to act for with an operator admin token.' },
    'page-size': { type: 'string', valueName: 'N', description: 'Records per API request, 1–1000 (default 1000).' },
  },
  async run({ values, io }) {
    const format = stringOption(values, 'format') ?? 'table';
    if (!['table', 'json', 'ndjson', 'csv'].includes(format)) throw new CliError('CLI_USAGE', '--format must be table, json, ndjson or csv');
    const max = intOption(values, 'limit');
    const pageSize = intOption(values, 'page-size', 1, PAGE) ?? PAGE;
    const auth = await resolveToken(values, io);
    const base = io.env.PROBITY_API_URL || apiBaseUrl(io.env);
    const params = new URLSearchParams();
    for (const [flag, name] of FILTERS) {
      const v = stringOption(values, flag);
      if (v !== undefined) params.set(name, v);
    }
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const page = new URLSearchParams(params);
      page.set('limit', String(Math.min(pageSize, max === undefined ? pageSize : max - items.length)));
      if (cursor) page.set('cursor', cursor);
      const body = await getJson<{ items: Item[]; next_cursor: string | null }>(`${base}/v1/evidence?${page}`, auth);
      items.push(...body.items);
      cursor = body.next_cursor;
    } while (cursor !== null && (max === undefined || items.length < max));
    io.stdout(await render(items, format));
    if (format === 'table') io.stderr(`${items.length} record(s)\n`);
    return 0;
  },
});

function cell(item: Item, column: string): string {
  const value = (item as unknown as Record<string, unknown>)[column];
  return Array.isArray(value) ? value.join(';') : String(value);
}

async function render(items: Item[], format: string): Promise<string> {
  if (format === 'json') return `${JSON.stringify(items, null, 2)}\n`;
  if (format === 'ndjson') return items.map((i) => `${JSON.stringify(i)}\n`).join('');
  if (format === 'csv') {
    // The API's CSV export, byte for byte, so `probity verify --bundles` checks it the same way.
    const { csvHeader, csvLine } = await import('@probity/evidence');
    return csvHeader() + items.map((i) => csvLine(i as unknown as EvidenceSummary)).join('');
  }
  const rows = items.map((i) => TABLE_COLUMNS.map((c) => (c === 'content_hash' ? i.content_hash.slice(0, 16) : cell(i, c))));
  const header = TABLE_COLUMNS.map((c) => c.toUpperCase());
  const widths = header.map((h, n) => Math.max(h.length, ...rows.map((r) => r[n]!.length)));
  return [header, ...rows].map((r) => `${r.map((c, n) => c.padEnd(widths[n]!)).join('  ').trimEnd()}\n`).join('');
}
