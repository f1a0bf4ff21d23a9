import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import type { DocumentReport } from '@probity/evidence';
import { CliError } from '../command.js';

/** What `probity verify` was given, told apart by its first bytes. */
export type EvidenceInput =
  | { kind: 'single'; name: string; document: unknown }
  | { kind: 'array'; name: string; documents: unknown[] }
  | { kind: 'ndjson'; name: string; open: () => Readable }
  | { kind: 'csv'; name: string; open: () => Readable };

export type InputLine = { where: string; document: unknown } | { where: string; error: string };

const PEEK_BYTES = 64 * 1024;

/**
 * Reads a file (streamed, for exports of any size) or stdin (held in memory).
 * A CSV export starts with its header; an NDJSON export has one complete
 * JSON object on its first line; anything else is one JSON value: a
 * document, a bundle, an array of them or a list page (`items`).
 */
export async function readEvidenceInput(source: string | NodeJS.ReadableStream, name: string): Promise<EvidenceInput> {
  let head: string;
  let openStream: () => Readable;
  let whole: (() => Promise<string>) | undefined;
  if (typeof source === 'string') {
    head = await peek(source, name);
    openStream = () => createReadStream(source);
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of source) chunks.push(Buffer.from(chunk as Buffer));
    const all = Buffer.concat(chunks);
    head = all.subarray(0, PEEK_BYTES).toString('utf8');
    openStream = () => Readable.from([all]);
    whole = async () => all.toString('utf8');
  }
  const start = head.trimStart();
  if (start.startsWith('content_hash,')) return { kind: 'csv', name, open: openStream };
  const firstLine = start.split('\n', 1)[0]!.trim();
  const lines = start.split('\n').filter((l) => l.trim() !== '').length;
  if (firstLine.startsWith('{') && lines > 1 && parsesAsObject(firstLine)) return { kind: 'ndjson', name, open: openStream };

  const text = whole ? await whole() : await readAll(openStream());
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError('CLI_FAILED', `${name} is neither JSON, NDJSON nor a CSV export: ${(err as Error).message}`);
  }
  if (Array.isArray(value)) return { kind: 'array', name, documents: value };
  if (isObject(value) && Array.isArray(value.items) && !('bundle' in value)) return { kind: 'array', name, documents: value.items };
  return { kind: 'single', name, document: value };
}

/** The documents of an array or NDJSON input, each with where it stands; a line that is not JSON is an error, not the end. */
export async function* evidenceInputLines(input: EvidenceInput): AsyncGenerator<InputLine> {
  if (input.kind === 'single') {
    yield { where: input.name, document: input.document };
  } else if (input.kind === 'array') {
    for (const [i, document] of input.documents.entries()) yield { where: `item ${i + 1}`, document };
  } else if (input.kind === 'ndjson') {
    let n = 0;
    for await (const line of createInterface({ input: input.open(), crlfDelay: Infinity })) {
      n += 1;
      if (line.trim() === '') continue;
      try {
        yield { where: `line ${n}`, document: JSON.parse(line) };
      } catch (err) {
        yield { where: `line ${n}`, error: `not JSON: ${(err as Error).message}` };
      }
    }
  } else {
    throw new CliError('CLI_USAGE', `${input.name} is a CSV export; its rows are checked against --bundles`);
  }
}

export interface CsvVerdict {
  rows: number;
  valid: number;
  problems: string[];
}

/**
 * Every CSV row must be the CSV form of a verified document's derived
 * fields: same header, and each row's cells equal to those the verifier
 * derives from the record with that content hash.
 */
export async function verifyCsvExport(input: EvidenceInput & { kind: 'csv' }, verdicts: ReadonlyMap<string, DocumentReport>): Promise<CsvVerdict> {
  const { CSV_COLUMNS, csvCells } = await import('@probity/evidence');
  const problems: string[] = [];
  let rows = 0;
  let valid = 0;
  let header = true;
  const parser = input.open().pipe(parseCsv({ relax_column_count: true, bom: true }));
  for await (const cells of parser as AsyncIterable<string[]>) {
    if (header) {
      header = false;
      if (cells.join(',') !== CSV_COLUMNS.join(',')) problems.push(`header: expected ${CSV_COLUMNS.join(',')}, found ${cells.join(',')}`);
      continue;
    }
    rows += 1;
    const where = `row ${rows}`;
    const verdict = verdicts.get(cells[0] ?? '');
    if (!verdict) {
      problems.push(`${where}: no verified document with content hash ${JSON.stringify(cells[0])} in the bundles file`);
      continue;
    }
    if (!verdict.valid || !verdict.derived) {
      problems.push(`${where} (${cells[0]}): its document does not verify`);
      continue;
    }
    const expected = csvCells(verdict.derived);
    const differing: string[] = CSV_COLUMNS.filter((_, i) => cells[i] !== expected[i]);
    if (cells.length !== expected.length) differing.push(`the cell count (${cells.length}, expected ${expected.length})`);
    if (differing.length > 0) problems.push(`${where} (${cells[0]}): ${differing.join(', ')} ${differing.length === 1 ? 'differs' : 'differ'} from the verified record`);
    else valid += 1;
  }
  return { rows, valid, problems };
}

async function peek(file: string, name: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new CliError('CLI_FAILED', `cannot read ${name}: ${(err as Error).message}`);
  }
  try {
    const buffer = Buffer.alloc(PEEK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, PEEK_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function parsesAsObject(line: string): boolean {
  try {
    return isObject(JSON.parse(line));
  } catch {
    return false;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
