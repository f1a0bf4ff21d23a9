import type { ComponentHealth } from './health.js';

/** Human form of `probity doctor`: one ✓/✗ line per component. */
export function renderHealthTable(components: readonly ComponentHealth[]): string {
  const rows = components.map((c) => ({
    mark: c.healthy ? '✓' : '✗',
    name: c.component,
    target: c.target,
    latency: c.latencyMs === undefined ? '' : `${c.latencyMs} ms`,
    message: c.message,
  }));
  const w = {
    name: Math.max(9, ...rows.map((r) => r.name.length)),
    target: Math.max(6, ...rows.map((r) => r.target.length)),
    latency: Math.max(7, ...rows.map((r) => r.latency.length)),
  };
  const header = `   ${'component'.padEnd(w.name)}  ${'target'.padEnd(w.target)}  ${'latency'.padStart(w.latency)}  status`;
  const lines = rows.map((r) => ` ${r.mark} ${r.name.padEnd(w.name)}  ${r.target.padEnd(w.target)}  ${r.latency.padStart(w.latency)}  ${r.message}`);
  return [header, ...lines].join('\n') + '\n';
}
