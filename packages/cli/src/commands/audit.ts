import { createReadStream, createWriteStream, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { apiRequest, auditApiUrl, resolveToken } from '../api-client.js';
import { CliError, booleanOption, defineCommand, stringOption, type CliIo, type OptionValues } from '../command.js';

const SUBCOMMANDS = ['package', 'verify'] as const;

/**
 * `probity audit package`: the audit API builds a signed package and
 * streams it; this writes it to a file. `probity audit verify`: checks a
 * package offline with public keys only (`@probity/audit-package`).
 */
export const audit = defineCommand({
  name: 'audit',
  summary: 'Build a signed audit package (SoA, coverage, gaps, POA&M, OSCAL, report, records with proofs) or verify one offline',
  usage: 'package --framework F --from DATE --to DATE -o FILE [--tenant T] [--as-of DATE] [--granularity month|quarter] [--model-id M] [--previous OLD_PACKAGE] [--applicability SOA.json] | verify FILE [--keyring FILE] [--json]',
  description:
    'package: asks the audit API (POST /v1/audit-packages) for a gzip tar holding the Statement of Applicability, the coverage matrix, gaps with POA&M items, study KPI series, the incident timeline, ' +
    'the human-oversight log, OSCAL assessment-results and POA&M, an HTML report, every record coverage used with its inclusion proof against one signed checkpoint per shard, ' +
    'the data files (requirements, catalog), the notary keyring, and a DSSE-signed manifest of every file\'s SHA-256. With --previous, the checkpoints of an earlier package go along and the new one holds consistency proofs from them.\n' +
    'verify: checks offline with public keys only: the manifest signature, every file hash, every record and its proof, every checkpoint signature, the consistency proofs, ' +
    'and recomputes the coverage matrix and every other derived file from the records in the package. Exit 0 VALID, 1 with the first failures named, 2 on usage errors.',
  positionals: true,
  options: {
    framework: { type: 'string', valueName: 'F', description: 'package: iso42001, iso27001, iso9001 or euaiact.' },
    from: { type: 'string', valueName: 'DATE', description: 'package: start of the audit period.' },
    to: { type: 'string', valueName: 'DATE', description: 'package: end of the audit period (a bare date includes that day).' },
    granularity: { type: 'string', valueName: 'month|quarter', description: 'package: periods of the matrix (default quarter).' },
    'as-of': { type: 'string', valueName: 'DATE', description: 'package: only what the log held then counts (default now).' },
    'model-id': { type: 'string', valueName: 'M', description: 'package: one AI system only.' },
    previous: { type: 'string', valueName: 'FILE', description: 'package: an earlier package; the new one proves the log extends its checkpoints.' },
    applicability: { type: 'string', valueName: 'FILE', description: 'package: Statement of Applicability as JSON [{control, applicable, justification?, owner?}] (default: every control applicable).' },
    output: { type: 'string', short: 'o', valueName: 'FILE', description: 'package: where to write the package (.tar.gz).' },
    tenant: { type: 'string', valueName: 'T', description: 'Tenant, with the local operator token.' },
    token: { type: 'string', valueName: 'TOKEN', description: 'Bearer token (default: PROBITY_TOKEN, or the local operator token with --tenant).' },
    keyring: { type: 'string', valueName: 'FILE', description: "verify: the notary's public keyring you trust (default: the package's own, and the report says so)." },
    json: { type: 'boolean', description: 'verify: print the report as JSON.' },
  },
  async run({ values, positionals, io }) {
    const [sub, ...rest] = positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new CliError('CLI_USAGE', `expected one of ${SUBCOMMANDS.join(', ')}`);
    if (sub === 'verify') {
      if (rest.length !== 1) throw new CliError('CLI_USAGE', 'probity audit verify needs one package file');
      return verifyPackage(rest[0]!, values, io);
    }
    if (rest.length > 0) throw new CliError('CLI_USAGE', `unexpected arguments: ${rest.join(' ')}`);
    return buildPackage(values, io);
  },
});

async function buildPackage(values: OptionValues, io: CliIo): Promise<number> {
  const output = stringOption(values, 'output');
  if (!output) throw new CliError('CLI_USAGE', '-o FILE is required: where to write the package');
  for (const flag of ['framework', 'from', 'to'] as const) if (!stringOption(values, flag)) throw new CliError('CLI_USAGE', `--${flag} is required`);
  const body: Record<string, unknown> = {};
  for (const [flag, name] of [['framework', 'framework'], ['from', 'from'], ['to', 'to'], ['granularity', 'granularity'], ['as-of', 'as_of'], ['model-id', 'model_id']] as const) {
    const v = stringOption(values, flag);
    if (v !== undefined) body[name] = v;
  }
  const applicability = stringOption(values, 'applicability');
  if (applicability) {
    try {
      body.applicability = JSON.parse(readFileSync(applicability, 'utf8')) as unknown;
    } catch (err) {
      throw new CliError('CLI_USAGE', `--applicability ${applicability}: ${(err as Error).message}`);
    }
  }
  const previous = stringOption(values, 'previous');
  if (previous) body.previous_checkpoints = await previousCheckpoints(previous);
  const auth = await resolveToken(values, io);
  const url = `${auditApiUrl(io.env)}/v1/audit-packages`;
  const res = await apiRequest('POST', url, auth, { body });
  if (!res.body) throw new CliError('CLI_FAILED', 'the audit API answered without a package');
  // Written beside the target and renamed at the end: a cut-off download never looks like a package.
  const partial = `${output}.partial`;
  let bytes = 0;
  let last = Date.now();
  const body$ = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body$.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (Date.now() - last >= 1000) {
      last = Date.now();
      io.stderr(`receiving the package… ${(bytes / 1_048_576).toFixed(1)} MiB\n`);
    }
  });
  try {
    await pipeline(body$, createWriteStream(partial));
  } catch (err) {
    rmSync(partial, { force: true });
    throw new CliError('CLI_FAILED', `the package download broke off after ${bytes} bytes (${(err as Error).message}); the server log says why`);
  }
  renameSync(partial, output);
  io.stderr(`wrote ${output} (${(bytes / 1_048_576).toFixed(2)} MiB); check it with \`probity audit verify ${output}\`\n`);
  return 0;
}

/** The checkpoints an earlier package used (read from its checkpoints.json; the new package's verifier checks their signatures). */
async function previousCheckpoints(file: string): Promise<unknown[]> {
  if (!existsSync(file)) throw new CliError('CLI_USAGE', `--previous ${file}: no such file`);
  const { readPackageFile, PACKAGE_FILES } = await import('@probity/audit-package');
  const bytes = await readPackageFile(createReadStream(file), PACKAGE_FILES.checkpoints).catch((err: Error) => {
    throw new CliError('CLI_USAGE', `--previous ${file} is not an audit package: ${err.message}`);
  });
  if (!bytes) throw new CliError('CLI_USAGE', `--previous ${file} has no ${PACKAGE_FILES.checkpoints}`);
  return JSON.parse(bytes.toString('utf8')) as unknown[];
}

async function verifyPackage(file: string, values: OptionValues, io: CliIo): Promise<number> {
  if (!existsSync(file)) throw new CliError('CLI_USAGE', `no such file: ${file}`);
  const { verifyAuditPackage } = await import('@probity/audit-package');
  const { parsePublicKeyring } = await import('@probity/keystore');
  const { defaultRegistry } = await import('@probity/schema');
  const keyringFile = stringOption(values, 'keyring');
  let trustedKeyring;
  if (keyringFile) {
    try {
      trustedKeyring = parsePublicKeyring(JSON.parse(readFileSync(keyringFile, 'utf8')), keyringFile);
    } catch (err) {
      throw new CliError('CLI_USAGE', `--keyring ${keyringFile}: ${(err as Error).message}`);
    }
  }
  const report = await verifyAuditPackage(createReadStream(file), {
    registry: defaultRegistry(),
    ...(trustedKeyring ? { trustedKeyring } : {}),
    onProgress: (n) => io.stderr(`verifying… ${n} records\n`),
  });
  if (booleanOption(values, 'json')) {
    const { manifest: _m, ...rest } = report;
    io.stdout(`${JSON.stringify({ ...rest, request: report.manifest?.request }, null, 2)}\n`);
    return report.valid ? 0 : 1;
  }
  if (report.keyring === 'package') io.stdout('note: no --keyring given: checked against the keyring inside the package, which proves integrity, not who signed; pass the notary keyring you trust (GET /v1/keys)\n');
  const r = report.manifest?.request;
  if (r) io.stdout(`package of ${r.tenant}, ${r.framework}, ${r.from} to ${r.to}, as of ${r.as_of}: ${report.records} records\n`);
  for (const check of report.checks) io.stdout(`${check.ok ? '✓' : '✗'} ${check.name.padEnd(18)} ${check.detail}\n`);
  for (const failure of report.failures) io.stdout(`  ✗ ${failure}\n`);
  if (report.failureCount > report.failures.length) io.stdout(`  … and ${report.failureCount - report.failures.length} more\n`);
  io.stdout(report.valid ? 'VALID\n' : 'INVALID\n');
  return report.valid ? 0 : 1;
}
