/** 64-bit integers may arrive as bigint; JSONEachRow takes them as strings. */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Rows → one JSONEachRow Buffer (the fast insert path of both adapters). */
export function encodeJsonEachRow(rows: readonly Record<string, unknown>[]): Buffer {
  let text = '';
  for (const row of rows) text += JSON.stringify(row, replacer) + '\n';
  return Buffer.from(text, 'utf8');
}

/** Parses a JSONEachRow result body. */
export function decodeJsonEachRow<Row>(text: string): Row[] {
  const rows: Row[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) rows.push(JSON.parse(text.slice(start, end)) as Row);
    start = end + 1;
  }
  return rows;
}

/** Union of the rows' keys in first-seen order: the insert's column list. */
export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}
