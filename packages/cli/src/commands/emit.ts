import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadCommonConfig } from '@probity/config';
import { CliError, defineCommand, stringOption, type CliIo, type OptionValues } from '../command.js';

/**
 * `probity emit`: send evidence records through the agent SDK (Kafka, or the
 * local spool while Kafka is down). Results are JSON lines on stdout; invalid
 * records are reported on stderr with their line number and field paths.
 */
export const emit = defineCommand({
  name: 'emit',
  summary: 'Emit evidence records (JSON or JSON lines) to Kafka, spooling locally if it is down',
  usage: '[--file FILE|-] [--type TYPE] [--tenant T --run-id R --stage S --principal KIND:ID …] [--sign-key PEM [--sign-mode batch|record]]',
  description: [
    'Reads one JSON record, a JSON array, or JSON lines from --file (- for stdin); without --file, builds one',
    'EvidenceManifest from the flags. Flags fill in or override the fields of every record; --control and',
    '--input/--output add to the lists. Prints {"contentHash","durable"} per record once it is durable in Kafka',
    'or in the local spool (replayed by the next emit). Exit code 1 if any record was invalid or not stored.',
    '',
    'Example: probity emit --tenant acme --run-id r7 --stage TRAINING --principal service:ci \\',
    '           --control iso42001:A.6.2.4 --input id=loans,sha256=<hex>,uri=s3://b/loans.parquet,kind=DATASET',
  ].join('\n'),
  options: {
    file: { type: 'string', short: 'f', valueName: 'FILE', description: 'JSON object, JSON array or JSON lines; - reads stdin.' },
    type: { type: 'string', valueName: 'TYPE', description: 'EvidenceManifest (default), InferenceRecord, StudyResult, Incident or OversightEvent.' },
    tenant: { type: 'string', valueName: 'T', description: 'Tenant of every record.' },
    'run-id': { type: 'string', valueName: 'R', description: 'run_id (EvidenceManifest).' },
    stage: { type: 'string', valueName: 'S', description: 'TRAINING, EVALUATION, DEPLOYMENT, … (EvidenceManifest).' },
    'model-id': { type: 'string', valueName: 'M', description: 'model_id (EvidenceManifest).' },
    'model-version': { type: 'string', valueName: 'V', description: 'model_version (EvidenceManifest).' },
    principal: { type: 'string', valueName: 'KIND:ID', description: 'Accountable actor, e.g. service:ci-bot or user:jane (EvidenceManifest).' },
    control: { type: 'string', multiple: true, valueName: 'ID', description: 'Control id, e.g. iso42001:A.6.2.4; repeatable.' },
    input: { type: 'string', multiple: true, valueName: 'k=v,…', description: 'Input artifact id=..,sha256=..,uri=..[,kind=DATASET]; repeatable.' },
    output: { type: 'string', multiple: true, valueName: 'k=v,…', description: 'Output artifact, same form as --input; repeatable.' },
    'sign-key': { type: 'string', valueName: 'PEM', description: 'PKCS#8 Ed25519 private key to sign records with (its public key must be registered for the tenant).' },
    'key-id': { type: 'string', valueName: 'ID', description: 'Key id for --sign-key (default: SHA-256 of the public key).' },
    'sign-mode': { type: 'string', valueName: 'batch|record', description: 'With --sign-key: one signature per sent batch (default), or one per record (for notaries older than emitter batch signatures).' },
    topic: { type: 'string', valueName: 'TOPIC', description: 'Kafka topic (default: probity.evidence.raw).' },
    'spool-name': { type: 'string', valueName: 'NAME', description: 'Local spool under PROBITY_DATA_DIR/spool/ (default: cli). One process per name.' },
  },
  async run({ values, io }) {
    const recordType = stringOption(values, 'type') ?? 'EvidenceManifest';
    const overrides = flagOverrides(values, recordType);
    const file = stringOption(values, 'file');
    const inputs = file === undefined ? [{ line: 1, value: newManifestSkeleton() as unknown }] : parseRecords(await readInput(file), file);
    if (inputs.length === 0) throw new CliError('CLI_USAGE', `${file} holds no records`);

    const { createEmitter, EmitError } = await import('@probity/agent');
    const config = loadCommonConfig(io.env);
    const signer = await loadSigner(values);
    const emitter = await createEmitter({ name: stringOption(values, 'spool-name') ?? 'cli', dataDir: config.PROBITY_DATA_DIR, brokers: config.KAFKA_BROKERS, signer, topic: stringOption(values, 'topic'), maxPackBytes: config.PROBITY_EMIT_PACK_BYTES });

    const many = inputs.length > 1;
    const progress = many ? progressReporter(io, inputs.length) : null;
    let invalid = 0;
    let failed = 0;
    let spooled = 0;
    try {
      const pending: { line: number; result: Promise<{ contentHash: string; durable: string }> }[] = [];
      for (const { line, value } of inputs) {
        try {
          const record = emitter.encode(recordType, applyOverrides(value, overrides), { format: 'json' });
          pending.push({ line, result: emitter.send(record) });
        } catch (err) {
          if (!(err instanceof EmitError) || err.code !== 'MANIFEST_INVALID') throw err;
          invalid += 1;
          const where = many || file !== undefined ? `line ${line}: ` : '';
          for (const issue of err.issues) io.stderr(`${where}${issue.path || '(record)'}: ${issue.message}\n`);
          progress?.tick();
        }
      }
      for (const { line, result } of pending) {
        try {
          const { contentHash, durable } = await result;
          if (durable === 'spool') spooled += 1;
          io.stdout(`${JSON.stringify(many ? { line, contentHash, durable } : { contentHash, durable })}\n`);
        } catch (err) {
          failed += 1;
          io.stderr(`line ${line}: not stored: ${(err as Error).message}\n`);
        }
        progress?.tick();
      }
    } finally {
      progress?.done();
      // Give a spool a moment to reach Kafka; what is left is replayed by the next `probity emit`.
      await emitter.close({ drainTimeoutMs: spooled > 0 ? 3000 : 0 });
    }
    const leftInSpool = emitter.stats().spool.segments > 0;
    if (spooled > 0 && leftInSpool) io.stderr(`${spooled} record(s) are in the local spool (Kafka unreachable); the next \`probity emit\` sends them.\n`);
    if (invalid > 0) io.stderr(`${invalid} of ${inputs.length} record(s) were invalid and not emitted.\n`);
    return invalid > 0 || failed > 0 ? 1 : 0;
  },
});

interface Overrides {
  fields: Record<string, unknown>;
  controls: string[];
  inputs: Record<string, string>[];
  outputs: Record<string, string>[];
}

const MANIFEST_ONLY = ['run-id', 'stage', 'model-id', 'model-version', 'principal', 'input', 'output'];

function flagOverrides(values: OptionValues, recordType: string): Overrides {
  const fields: Record<string, unknown> = {};
  if (recordType !== 'EvidenceManifest') {
    const misplaced = MANIFEST_ONLY.filter((name) => values[name] !== undefined);
    if (misplaced.length > 0) throw new CliError('CLI_USAGE', `--${misplaced[0]} applies to EvidenceManifest records only, not ${recordType}`);
  }
  const set = (flag: string, field: string) => {
    const v = stringOption(values, flag);
    if (v !== undefined) fields[field] = v;
  };
  set('tenant', 'tenant');
  set('run-id', 'run_id');
  set('stage', 'stage');
  set('model-id', 'model_id');
  set('model-version', 'model_version');
  const principal = stringOption(values, 'principal');
  if (principal !== undefined) {
    const match = /^(user|service):(.+)$/i.exec(principal);
    if (!match) throw new CliError('CLI_USAGE', `--principal expects KIND:ID with KIND user or service, got ${JSON.stringify(principal)}`);
    fields.principal = { kind: match[1]!.toUpperCase(), id: match[2] };
  }
  return {
    fields,
    controls: listOption(values, 'control'),
    inputs: listOption(values, 'input').map((text) => artifactOption('input', text)),
    outputs: listOption(values, 'output').map((text) => artifactOption('output', text)),
  };
}

function listOption(values: OptionValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

function artifactOption(flag: string, text: string): Record<string, string> {
  const artifact: Record<string, string> = { kind: 'OTHER' };
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new CliError('CLI_USAGE', `--${flag} expects key=value pairs separated by commas, got ${JSON.stringify(text)}`);
    artifact[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  for (const required of ['id', 'sha256', 'uri']) {
    if (!artifact[required]) throw new CliError('CLI_USAGE', `--${flag} needs ${required}=…, got ${JSON.stringify(text)}`);
  }
  artifact.kind = artifact.kind!.toUpperCase();
  return artifact;
}

/** A fresh manifest for flag-only use: the emitter picks the id and the time. */
function newManifestSkeleton(): Record<string, unknown> {
  return { manifest_id: randomUUID(), occurred_at: new Date().toISOString(), inputs: [], outputs: [], approvals: [], controls: [] };
}

function applyOverrides(value: unknown, overrides: Overrides): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = { ...(value as Record<string, unknown>), ...overrides.fields };
  const append = (field: string, extra: unknown[]) => {
    if (extra.length === 0) return;
    const current = Array.isArray(record[field]) ? (record[field] as unknown[]) : [];
    record[field] = [...current, ...extra];
  };
  append('controls', overrides.controls);
  append('inputs', overrides.inputs);
  append('outputs', overrides.outputs);
  return record;
}

async function readInput(file: string): Promise<string> {
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    throw new CliError('CLI_FAILED', `cannot read ${file === '-' ? 'stdin' : file}: ${(err as Error).message}`);
  }
}

/** One JSON value (object or array of records) or JSON lines; each record keeps the line it started on. */
export function parseRecords(text: string, origin: string): { line: number; value: unknown }[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    const whole = JSON.parse(trimmed) as unknown;
    if (Array.isArray(whole)) return whole.map((value, i) => ({ line: i + 1, value }));
    return [{ line: 1, value: whole }];
  } catch {
    // not one JSON value: JSON lines
  }
  const records: { line: number; value: unknown }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      records.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (err) {
      throw new CliError('CLI_FAILED', `${origin}: line ${i + 1} is not valid JSON (${(err as Error).message})`);
    }
  });
  return records;
}

async function loadSigner(values: OptionValues) {
  const keyFile = stringOption(values, 'sign-key');
  const keyId = stringOption(values, 'key-id');
  const mode = stringOption(values, 'sign-mode');
  if (keyFile === undefined) {
    if (keyId !== undefined || mode !== undefined) throw new CliError('CLI_USAGE', `${keyId !== undefined ? '--key-id' : '--sign-mode'} needs --sign-key`);
    return undefined;
  }
  if (mode !== undefined && mode !== 'batch' && mode !== 'record') throw new CliError('CLI_USAGE', `--sign-mode must be batch or record, not ${JSON.stringify(mode)}`);
  const { importPrivateKeyPem } = await import('@probity/crypto');
  let pem: string;
  try {
    pem = await readFile(keyFile, 'utf8');
  } catch (err) {
    throw new CliError('CLI_FAILED', `cannot read the signing key ${keyFile}: ${(err as Error).message}`);
  }
  const key = importPrivateKeyPem('emitter', pem);
  return { keyId: keyId ?? key.keyId, privateKey: key.privateKey, mode: mode === 'record' ? ('record' as const) : ('batch' as const) };
}

/** A bar on a terminal; otherwise a line every 2 s, so CI logs show progress without flooding. */
function progressReporter(io: CliIo, total: number) {
  const tty = process.stderr.isTTY === true;
  let done = 0;
  let lastDraw = 0;
  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < (tty ? 100 : 2000)) return;
    lastDraw = now;
    if (tty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      io.stderr(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
    } else {
      io.stderr(`emit: ${done}/${total} records processed\n`);
    }
  };
  return {
    tick() {
      done += 1;
      draw(false);
    },
    done() {
      draw(true);
      if (tty) io.stderr('\n');
    },
  };
}
