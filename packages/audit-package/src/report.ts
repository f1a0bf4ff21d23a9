import type { CellState, CoverageMatrix, Gap } from '@probity/compliance';
import type { IncidentTimeline, KpiSeries, OversightEntry } from './accumulator.js';
import type { DerivedManifest } from './format.js';

export interface ReportInputs {
  manifest: DerivedManifest;
  matrix: CoverageMatrix;
  gaps: readonly Gap[];
  kpis: readonly KpiSeries[];
  incidents: readonly IncidentTimeline[];
  oversight: readonly OversightEntry[];
}

const COLOURS: Record<CellState, string> = { covered: '#c8e6c9', stale: '#fff3b0', missing: '#ffcdd2', nonconforming: '#ef9a9a', not_applicable: '#e0e0e0' };
const LABELS: Record<CellState, string> = { covered: 'covered', stale: 'STALE', missing: 'MISSING', nonconforming: 'NONCONFORMING', not_applicable: 'n/a' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One small SVG line chart per study: the largest statistic of each run, with its threshold. */
function kpiChart(series: KpiSeries): string {
  const points = series.points.map((p) => ({
    t: Date.parse(p.occurred_at),
    v: Math.max(0, ...p.results.map((r) => r.statistic ?? 0)),
    threshold: Math.max(0, ...p.results.map((r) => r.threshold ?? 0)),
    verdict: p.verdict,
  }));
  if (points.length === 0) return '';
  const w = 480;
  const h = 140;
  const pad = 30;
  const t0 = points[0]!.t;
  const t1 = Math.max(points[points.length - 1]!.t, t0 + 1);
  const vmax = Math.max(...points.map((p) => Math.max(p.v, p.threshold)), 1e-9) * 1.1;
  const x = (t: number) => pad + ((t - t0) / (t1 - t0)) * (w - 2 * pad);
  const y = (v: number) => h - pad + -(v / vmax) * (h - 2 * pad);
  const line = points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const dots = points
    .map((p) => `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.v).toFixed(1)}" r="3" fill="${p.verdict === 'PASS' ? '#2e7d32' : p.verdict === 'WARNING' ? '#f9a825' : '#c62828'}"><title>${escapeHtml(`${new Date(p.t).toISOString()} ${p.verdict} ${p.v}`)}</title></circle>`)
    .join('');
  const threshold = points[0]!.threshold > 0 ? `<line x1="${pad}" x2="${w - pad}" y1="${y(points[0]!.threshold).toFixed(1)}" y2="${y(points[0]!.threshold).toFixed(1)}" stroke="#c62828" stroke-dasharray="4 3"/>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="${escapeHtml(series.study_id)}">
<rect x="0" y="0" width="${w}" height="${h}" fill="#fafafa" stroke="#ccc"/>
<text x="${pad}" y="16" font-size="11">${escapeHtml(`${series.study_id} (${series.kind}): largest statistic per run, max ${(vmax / 1.1).toPrecision(3)}`)}</text>
${threshold}<polyline fill="none" stroke="#1565c0" stroke-width="1.5" points="${line}"/>${dots}
</svg>`;
}

/**
 * The human-readable report: one self-contained HTML file (inline CSS and
 * SVG, nothing fetched) with the coverage matrix, gaps, study KPIs,
 * incidents and oversight. Derived from the same inputs as the JSON files.
 */
export function renderReport(inputs: ReportInputs): string {
  const { manifest, matrix, gaps } = inputs;
  const r = manifest.request;
  const e = escapeHtml;
  const header = `<tr><th>control</th>${matrix.periods.map((p) => `<th>${e(p.label)}</th>`).join('')}</tr>`;
  const rows = matrix.rows
    .map((row) => `<tr><td title="${e(row.title ?? '')}">${e(row.control)}${row.title ? `<br><small>${e(row.title)}</small>` : ''}</td>${row.cells
      .map((c) => `<td style="background:${COLOURS[c.state]}" title="${e(c.reason)}">${LABELS[c.state]}<br><small>${c.records} record(s)</small></td>`)
      .join('')}</tr>`)
    .join('\n');
  const totals = matrix.periods
    .map((p) => `<li>${e(p.label)}: ${Object.entries(matrix.totals[p.label] ?? {}).map(([s, n]) => `${n} ${e(LABELS[s as CellState])}`).join(', ')}</li>`)
    .join('');
  const gapRows = gaps
    .map((g) => `<tr><td>${e(g.poam.id)}</td><td>${e(g.control)}</td><td>${e(g.state)}</td><td>${e(g.status)}</td><td>${e(g.fromPeriod)}–${e(g.toPeriod)}</td><td>${e(g.poam.due.slice(0, 10))}</td><td>${e(g.reason)}</td></tr>`)
    .join('\n');
  const kpis = inputs.kpis.map((s) => `<figure>${kpiChart(s)}<figcaption>${e(s.study_id)}: ${s.points.length} run(s); verdicts ${e(s.points.map((p) => p.verdict).join(', '))}</figcaption></figure>`).join('\n');
  const incidents = inputs.incidents
    .map((i) => `<tr><td>${e(i.incident_id)}</td><td>${e(i.model_id)}</td><td>${e(i.occurred_at)}</td><td>${i.response_hours ?? '—'}</td><td>${i.resolution_hours ?? 'open'}</td><td>${e(i.events.map((ev) => `${ev.status} (${ev.notarized_at.slice(0, 16)})`).join(' → '))}</td></tr>`)
    .join('\n');
  const oversight = inputs.oversight.map((o) => `<tr><td>${e(o.occurred_at)}</td><td>${e(o.action)}</td><td>${e(o.principal)}</td><td>${e(o.model_id)}</td><td>${e(o.reason)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Audit package: ${e(r.tenant)} ${e(r.framework)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eee}
small{color:#555}
figure{display:inline-block;margin:0.5em}
</style></head><body>
<h1>Audit package: ${e(r.tenant)}, ${e(r.framework)}</h1>
<p>Period ${e(r.from)} to ${e(r.to)} (${e(r.granularity)}), as of ${e(r.as_of)}${r.model_id ? `, model ${e(r.model_id)}` : ''}. Requirements ${e(manifest.requirements.id)} v${e(manifest.requirements.version)}; catalog ${e(manifest.catalog.name)} (${manifest.catalog.controls} controls, sha256 ${e(manifest.catalog.sha256.slice(0, 16))}…). ${manifest.records} notarized records; checkpoints ${manifest.checkpoints.map((c) => `shard ${c.shard} size ${c.size}`).join(', ') || 'none'}. Built ${e(manifest.created_at)}.</p>
<p>Everything here is recomputed from the records by <code>probity audit verify</code>; this page is a view, not the evidence.</p>
<h2>Coverage matrix</h2>
<table>${header}
${rows}</table>
<ul>${totals}</ul>
<h2>Gaps and POA&amp;M (${gaps.filter((g) => g.status === 'open').length} open)</h2>
<table><tr><th>POA&amp;M</th><th>control</th><th>state</th><th>status</th><th>periods</th><th>due</th><th>reason</th></tr>
${gapRows}</table>
<h2>Study KPIs</h2>
${kpis || '<p>No study results in the period.</p>'}
<h2>Incidents</h2>
<table><tr><th>incident</th><th>model</th><th>occurred</th><th>response (h)</th><th>resolution (h)</th><th>timeline</th></tr>
${incidents}</table>
<h2>Human oversight</h2>
<table><tr><th>when</th><th>action</th><th>who</th><th>model</th><th>reason</th></tr>
${oversight}</table>
</body></html>
`;
}
