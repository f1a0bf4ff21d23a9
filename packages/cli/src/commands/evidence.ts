import { auditApiUrl, getJson, resolveToken } from '../api-client.js';
import { CliError, booleanOption, defineCommand } from '../command.js';
import { firstFailure, verifyOptions } from './verify.js';

interface EvidenceAnswer {
  record: Record<string, unknown>;
  bundle: { content_hash: string; tenant: string; shard: number; leaf_index: number; record_type: string; checkpoint: string; inclusion_proof: string[] };
  latest?: { size: number; checkpoint: string; inclusion_proof: string[] };
}

export const evidence = defineCommand({
  name: 'evidence',
  summary: 'Fetch one record with its envelope, inclusion proof and checkpoint',
  usage: 'get <contentHash> [--json] [--tenant T] [--token TOKEN] [--keyring FILE]',
  description:
    'Prints the record, its evidence bundle (record bytes, statement, envelopes, the notarization checkpoint and inclusion proof) and a fresh proof against the latest checkpoint of its shard. ' +
    'Save the --json output and check it anywhere with `probity verify <file>`.',
  positionals: true,
  options: {
    json: { type: 'boolean', description: 'Print the whole answer as JSON (the input of `probity verify`).' },
    tenant: { type: 'string', valueName: 'T', description: 'Tenant, with the local operator token.' },
    token: { type: 'string', valueName: 'TOKEN', description: 'Bearer token (default: PROBITY_TOKEN, or the local operator token with --tenant).' },
    keyring: { type: 'string', valueName: 'FILE', description: "The notary's public keyring to verify the answer with before printing it (default: the local one)." },
    'emitter-keys': { type: 'string', valueName: 'FILE', description: "The tenant's emitter keys, to verify emitter signatures too." },
  },
  async run({ values, positionals, io }) {
    const [verb, hash] = positionals;
    if (verb !== 'get' || !hash) throw new CliError('CLI_USAGE', 'usage: probity evidence get <contentHash> [--json]');
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new CliError('CLI_USAGE', `${JSON.stringify(hash)} is not a content hash (64 lowercase hex characters)`);
    const auth = await resolveToken(values, io);
    const answer = await getJson<EvidenceAnswer>(`${auditApiUrl(io.env)}/v1/evidence/${hash}`, auth);
    if (booleanOption(values, 'json')) {
      io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
      return 0;
    }
    // What is printed is checked first: every field below must be what the verified record gives (invariant 6).
    const { verifyEvidenceDocument } = await import('@probity/evidence');
    let verdict: string;
    try {
      const report = verifyEvidenceDocument(answer, await verifyOptions(values, io.env));
      if (!report.valid) {
        io.stdout(`✗ the audit API's answer for ${hash} does not verify: ${firstFailure(report)}\n`);
        return 1;
      }
      verdict = '✓ verified offline: bundle, proofs and every field shown';
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      verdict = `? not verified here (${err.message}); pass --keyring FILE, or save --json and run probity verify`;
    }
    const b = answer.bundle;
    io.stdout(
      [
        `content hash   ${b.content_hash}`,
        `tenant         ${b.tenant}`,
        `record type    ${b.record_type}`,
        `log position   shard ${b.shard}, leaf ${b.leaf_index}`,
        `notarized in   checkpoint of size ${b.checkpoint.split('\n')[1]} (proof of ${b.inclusion_proof.length} hashes)`,
        ...(answer.latest ? [`latest         checkpoint of size ${answer.latest.size} (proof of ${answer.latest.inclusion_proof.length} hashes)`] : []),
        verdict,
        '',
        JSON.stringify(answer.record, null, 2),
        '',
      ].join('\n'),
    );
    return 0;
  },
});
