/** Columns padded to their widest cell, two spaces apart, one line per row. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, n) => Math.max(h.length, ...rows.map((r) => (r[n] ?? '').length)));
  return [header, ...rows].map((r) => `${r.map((c, n) => (c ?? '').padEnd(widths[n]!)).join('  ').trimEnd()}\n`).join('');
}
