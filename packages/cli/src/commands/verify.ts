import { readFileSync } from 'node:fs';
import { CliError, booleanOption, defineCommand, stringOption } from '../command.js';

/** What `probity evidence get --json` and `GET /v1/evidence/{hash}` return, or a bare bundle. */
interface VerifiableDocument {
  bundle?: unknown;
  latest?: { checkpoint: string; inclusion_proof: string[] };
}

export const verify = defineCommand({
  name: 'verify',
  summary: 'Verify an evidence bundle offline: signature, content hash, log inclusion, checkpoint',
  usage: '<file|-> [--keyring FILE] [--emitter-keys FILE] [--json]',
  description:
    'Checks, with nothing but public keys and no running service: the record bytes hash to the content hash, the statement binds them to the tenant and log position, ' +
    'the inclusion proof leads to the root of a checkpoint signed by a notary key valid at notarization time, emitter signatures are bound (and verified when --emitter-keys is given), ' +
    'and the record decodes with its writer schema. Exit 0 when valid, 1 when not (with the failing check), 2 on usage errors.',
  positionals: true,
  options: {
    keyring: { type: 'string', valueName: 'FILE', description: "The notary's public keyring (default: <PROBITY_DATA_DIR>/keys/notary/keyring.json; also served at GET /v1/keys)." },
    'emitter-keys': { type: 'string', valueName: 'FILE', description: 'JSON array of the tenant\'s emitter keys [{keyId, publicKey, notBefore, notAfter?}] to verify emitter signatures.' },
    json: { type: 'boolean', description: 'Print the verification report as JSON.' },
  },
  async run({ values, positionals, io }) {
    const [file] = positionals;
    if (!file) throw new CliError('CLI_USAGE', 'probity verify needs a file (or - for stdin): the output of `probity evidence get <hash> --json`');
    const { dataDirLayout, loadCommonConfig } = await import('@probity/config');
    const { verifySignedRecord } = await import('@probity/evidence');
    const { parsePublicKeyring, publicKeyringPath, toTrustedKeys } = await import('@probity/keystore');
    const { importPublicKeyBase64 } = await import('@probity/crypto');
    const { defaultRegistry } = await import('@probity/schema');

    const document = readJson(file === '-' ? 0 : file, 'evidence file') as VerifiableDocument & Record<string, unknown>;
    const bundle = (document.bundle ?? document) as Parameters<typeof verifySignedRecord>[0];
    const keyringFile = stringOption(values, 'keyring') ?? publicKeyringPath(dataDirLayout(loadCommonConfig(io.env).PROBITY_DATA_DIR).notaryKeysDir);
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
    const registry = defaultRegistry();
    const options = { notaryKeys, ...(emitterKeys ? { emitterKeys } : {}), decodeRecord: (bytes: Uint8Array) => registry.decode(bytes) };

    const reports = [{ against: 'notarization checkpoint', report: verifySignedRecord(bundle, options) }];
    if (document.latest) {
      reports.push({ against: 'latest checkpoint', report: verifySignedRecord({ ...bundle, checkpoint: document.latest.checkpoint, inclusion_proof: document.latest.inclusion_proof }, options) });
    }
    const valid = reports.every((r) => r.report.valid);
    if (booleanOption(values, 'json')) {
      io.stdout(`${JSON.stringify({ valid, reports: reports.map((r) => ({ against: r.against, valid: r.report.valid, checks: r.report.checks })) }, null, 2)}\n`);
    } else {
      for (const { against, report } of reports) {
        io.stdout(`${report.valid ? '✓' : '✗'} ${against}\n`);
        for (const check of report.checks) io.stdout(`  ${check.ok ? '✓' : '✗'} ${check.name.padEnd(21)} ${check.detail}\n`);
      }
      io.stdout(valid ? 'VALID\n' : 'INVALID\n');
    }
    return valid ? 0 : 1;
  },
});

function readJson(file: string | 0, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError('CLI_FAILED', `cannot read the ${what} ${file === 0 ? 'from stdin' : file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError('CLI_FAILED', `the ${what} ${file === 0 ? 'from stdin' : file} is not JSON: ${(err as Error).message}`);
  }
}
