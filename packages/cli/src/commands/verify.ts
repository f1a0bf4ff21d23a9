import { readFileSync } from 'node:fs';
import type { DocumentReport, DocumentVerifyOptions } from '@probity/evidence';
import { CliError, booleanOption, defineCommand, stringOption } from '../command.js';
import { evidenceInputLines, readEvidenceInput, verifyCsvExport, type EvidenceInput } from './verify-input.js';

export const verify = defineCommand({
  name: 'verify',
  summary: 'Verify evidence offline: a document, a bundle, an NDJSON or CSV export, with every readable field',
  usage: '<file|-> [--keyring FILE] [--emitter-keys FILE] [--bundles FILE] [--json]',
  description:
    'Checks, with nothing but public keys and no running service: the record bytes hash to the content hash, the statement binds them to the tenant and log position, ' +
    'the inclusion proof leads to the root of a checkpoint signed by a notary key valid at notarization time, emitter signatures are bound (and verified when --emitter-keys is given), ' +
    'the record decodes with its writer schema, and every readable field of the document (model, stage, controls, the decoded record, the latest proof…) equals what the verified record gives. ' +
    'FILE is the output of `probity evidence get --json`, a bare bundle, a JSON page or array, an NDJSON export (every line is verified, with progress and a summary), ' +
    'or a CSV export together with --bundles (the NDJSON export of the same rows). Exit 0 when everything is valid, 1 when anything is not (each invalid one named), 2 on usage errors.',
  positionals: true,
  options: {
    keyring: { type: 'string', valueName: 'FILE', description: "The notary's public keyring (default: <PROBITY_DATA_DIR>/keys/notary/keyring.json; also served at GET /v1/keys)." },
    'emitter-keys': { type: 'string', valueName: 'FILE', description: 'JSON array of the tenant\'s emitter keys [{keyId, publicKey, notBefore, notAfter?}] to verify emitter signatures.' },
    bundles: { type: 'string', valueName: 'FILE', description: 'With a CSV export: the NDJSON export of the same rows, whose verified records every CSV row must match.' },
    json: { type: 'boolean', description: 'Print the verification report as JSON.' },
  },
  async run({ values, positionals, io }) {
    const [file] = positionals;
    if (!file) throw new CliError('CLI_USAGE', 'probity verify needs a file (or - for stdin): the output of `probity evidence get <hash> --json`, or an NDJSON export');
    const options = await verifyOptions(values, io.env);
    const { verifyEvidenceDocument } = await import('@probity/evidence');
    const input = await readEvidenceInput(file === '-' ? process.stdin : file, file === '-' ? 'stdin' : file);
    const asJson = booleanOption(values, 'json');

    if (input.kind === 'csv') {
      const bundles = stringOption(values, 'bundles');
      if (!bundles) throw new CliError('CLI_USAGE', `${input.name} is a CSV export, which holds no proofs: pass --bundles <the NDJSON export of the same rows>`);
      const documents = await readEvidenceInput(bundles, bundles);
      if (documents.kind === 'csv') throw new CliError('CLI_USAGE', `--bundles ${bundles} is a CSV file; it must be the NDJSON (or JSON) export of the same rows`);
      const verdicts = new Map<string, DocumentReport>();
      for await (const line of evidenceInputLines(documents)) {
        if (!('document' in line)) continue;
        const report = verifyEvidenceDocument(line.document, options);
        if (report.contentHash) verdicts.set(report.contentHash, report);
      }
      const result = await verifyCsvExport(input, verdicts);
      for (const problem of result.problems.slice(0, 50)) io.stdout(`✗ ${problem}\n`);
      if (result.problems.length > 50) io.stdout(`… and ${result.problems.length - 50} more\n`);
      io.stdout(`${result.valid} valid, ${result.rows - result.valid} invalid (CSV rows checked against ${verdicts.size} verified documents)\n`);
      return result.problems.length === 0 ? 0 : 1;
    }

    if (input.kind === 'single') {
      const report = verifyEvidenceDocument(input.document, options);
      if (asJson) io.stdout(`${JSON.stringify(reportJson(report), null, 2)}\n`);
      else io.stdout(`${renderReport(report)}${report.valid ? 'VALID' : 'INVALID'}\n`);
      return report.valid ? 0 : 1;
    }

    // Many documents: one line of progress while it runs, each invalid one named, then a summary.
    let valid = 0;
    const invalid: { where: string; content_hash?: string; problem: string }[] = [];
    let lastProgress = Date.now();
    let total = 0;
    for await (const line of evidenceInputLines(input)) {
      total += 1;
      const { where } = line;
      if (!('document' in line)) {
        invalid.push({ where, problem: line.error });
        if (!asJson) io.stdout(`✗ ${where}: ${line.error}\n`);
      } else {
        const report = verifyEvidenceDocument(line.document, options);
        if (report.valid) valid += 1;
        else {
          invalid.push({ where, ...(report.contentHash ? { content_hash: report.contentHash } : {}), problem: firstFailure(report) });
          if (!asJson) io.stdout(`✗ ${where}${report.contentHash ? ` (${report.contentHash})` : ''}: ${firstFailure(report)}\n`);
        }
      }
      if (Date.now() - lastProgress >= 1000) {
        lastProgress = Date.now();
        io.stderr(`verifying… ${total} documents, ${invalid.length} invalid so far\n`);
      }
    }
    if (asJson) {
      io.stdout(`${JSON.stringify({ valid: invalid.length === 0, documents: total, invalid }, null, 2)}\n`);
    } else {
      io.stdout(`${valid} valid, ${invalid.length} invalid\n`);
    }
    if (total === 0) throw new CliError('CLI_FAILED', `${input.name} holds no evidence document`);
    return invalid.length === 0 ? 0 : 1;
  },
});

export async function verifyOptions(values: Parameters<typeof stringOption>[0], env: NodeJS.ProcessEnv): Promise<DocumentVerifyOptions> {
  const { dataDirLayout, loadCommonConfig } = await import('@probity/config');
  const { parsePublicKeyring, publicKeyringPath, toTrustedKeys } = await import('@probity/keystore');
  const { importPublicKeyBase64 } = await import('@probity/crypto');
  const { defaultRegistry } = await import('@probity/schema');
  const keyringFile = stringOption(values, 'keyring') ?? publicKeyringPath(dataDirLayout(loadCommonConfig(env).PROBITY_DATA_DIR).notaryKeysDir);
  const keyring = parsePublicKeyring(readJson(keyringFile, 'keyring'), keyringFile);
  const notaryKeys = toTrustedKeys(keyring).map((k, i) => ({ ...k, name: keyring.keys[i]!.name }));
  const emitterFile = stringOption(values, 'emitter-keys');
  const emitterKeys = emitterFile
    ? (readJson(emitterFile, 'emitter keys') as { keyId: string; publicKey: string; notBefore: string; notAfter?: string }[]).map((k) => ({
        keyId: k.keyId,
        publicKey: importPublicKeyBase64(k.publicKey),
        notBefore: new Date(k.notBefore),
        ...(k.notAfter ? { notAfter: new Date(k.notAfter) } : {}),
      }))
    : undefined;
  return { notaryKeys, ...(emitterKeys ? { emitterKeys } : {}), registry: defaultRegistry() };
}

function renderReport(report: DocumentReport): string {
  let text = '';
  for (const { against, report: r } of report.reports) {
    text += `${r.valid ? '✓' : '✗'} ${against}\n`;
    for (const check of r.checks) text += `  ${check.ok ? '✓' : '✗'} ${check.name.padEnd(21)} ${check.detail}\n`;
  }
  if (report.fields) text += `${report.fields.ok ? '✓' : '✗'} readable fields\n  ${report.fields.ok ? '✓' : '✗'} ${report.fields.name.padEnd(21)} ${report.fields.detail}\n`;
  return text;
}

function reportJson(report: DocumentReport) {
  return {
    valid: report.valid,
    kind: report.kind,
    ...(report.contentHash ? { content_hash: report.contentHash } : {}),
    reports: report.reports.map((r) => ({ against: r.against, valid: r.report.valid, checks: r.report.checks })),
    ...(report.fields ? { fields: report.fields } : {}),
  };
}

export function firstFailure(report: DocumentReport): string {
  for (const { against, report: r } of report.reports) {
    const failed = r.checks.find((c) => !c.ok);
    if (failed) return `${against}: ${failed.name}: ${failed.detail}`;
  }
  return report.fields && !report.fields.ok ? `readable fields: ${report.fields.detail}` : 'invalid';
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError('CLI_FAILED', `cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError('CLI_FAILED', `the ${what} ${file} is not JSON: ${(err as Error).message}`);
  }
}

export type { EvidenceInput };
